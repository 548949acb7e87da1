//! Times the subscription indexes (hit and miss latency, insert and remove rates) and the
//! retained index, with the system allocator; `routing-allocs` counts their memory.
//!
//! `cargo run --release --manifest-path benches/routing/Cargo.toml -- [--quick] [--full]
//! [--only NAME]`: 10,000 and 100,000 filters (`--quick`: 10,000 only; `--full`: also
//! 1,000,000), both workloads, 3 runs each; prints Markdown tables. `--only mqttwire` measures
//! the indexes whose name contains `mqttwire` (for a profiler). Every index's answers are first checked
//! against a linear scan of `TopicFilter::matches` (the "wrong" column).
//!
//! Latency: each lookup of the sample is timed on its own (`Instant` before and after, less
//! the median cost of an empty pair of `Instant`s), in the sample's random order, so caches
//! hold what a broker's would; the p50 of each kind of topic is the median of 3 runs' p50s.

use std::time::Instant;

use mqttwire::TopicFilter;
use mqttwire_routing::*;

/// The median cost of `Instant::now()` twice, in nanoseconds.
fn timer_overhead() -> f64 {
    let mut v: Vec<f64> = (0..10_000)
        .map(|_| {
            let t = Instant::now();
            consume(());
            t.elapsed().as_nanos() as f64
        })
        .collect();
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn median(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    Some(v[v.len() / 2])
}

struct Row {
    name: &'static str,
    /// Topics answered wrongly, and those the index panicked on (not timed).
    wrong: Option<(usize, usize)>,
    inserts_per_s: f64,
    removes_per_s: Option<f64>,
    p50: [Option<f64>; 3],
}

fn fmt_ns(v: Option<f64>) -> String {
    v.map_or(String::from("—"), |v| format!("{v:.0} ns"))
}

fn fmt_rate(v: Option<f64>) -> String {
    v.map_or(String::from("—"), |v| format!("{:.2} M/s", v / 1e6))
}

fn measure<I: Index>(
    only: Option<&str>,
    filters: &[String],
    sample: &[(String, Kind, Vec<u32>)],
    overhead: f64,
    max_topics: usize,
    removes: bool,
) -> Option<Row> {
    if only.is_some_and(|only| !I::NAME.contains(only)) {
        return None;
    }
    let start = Instant::now();
    let Some(index) = try_build::<I>(filters) else {
        return Some(Row {
            name: I::NAME,
            wrong: None,
            inserts_per_s: 0.0,
            removes_per_s: None,
            p50: [None; 3],
        });
    };
    let inserts_per_s = filters.len() as f64 / start.elapsed().as_secs_f64();
    let sample = &sample[..sample.len().min(max_topics)];
    let answers = check(&index, sample);
    let count = |a| answers.iter().filter(|x| **x == a).count();
    let wrong = (count(Answer::Wrong), count(Answer::Panics));
    let topics: Vec<(I::Topic, Kind)> = sample
        .iter()
        .zip(&answers)
        .filter(|(_, a)| **a != Answer::Panics)
        .map(|((t, k, _), _)| (I::prepare(t), *k))
        .collect();
    let kinds = [Kind::Hit, Kind::ExactHit, Kind::Miss];
    let mut runs: [Vec<f64>; 3] = Default::default();
    for _ in 0..3 {
        let mut times: [Vec<f64>; 3] = Default::default();
        for (topic, kind) in &topics {
            let t = Instant::now();
            consume(index.lookup(consume(topic)));
            let ns = t.elapsed().as_nanos() as f64 - overhead;
            let k = kinds.iter().position(|x| x == kind).unwrap();
            times[k].push(ns);
        }
        for k in 0..3 {
            if let Some(m) = median(std::mem::take(&mut times[k])) {
                runs[k].push(m);
            }
        }
    }
    let removes_per_s = removes.then(|| {
        let mut index = index;
        let start = Instant::now();
        for (f, i) in filters.iter().zip(0u32..) {
            index.remove(f, i);
        }
        filters.len() as f64 / start.elapsed().as_secs_f64()
    });
    Some(Row {
        name: I::NAME,
        wrong: Some(wrong),
        inserts_per_s,
        removes_per_s,
        p50: runs.map(median),
    })
}

fn retained(n: usize, overhead: f64) {
    let topics = retained_topics(n, 10);
    let index = retained_index(&topics);
    let filter = TopicFilter::new("+/hello/#").unwrap();
    let found = index.matching(&filter).count();
    let names: Vec<mqttwire::TopicName> = topics
        .iter()
        .map(|t| mqttwire::TopicName::new(t).unwrap())
        .collect();
    let scanned = names.iter().filter(|t| filter.matches(t)).count();
    assert_eq!(found, scanned, "RetainedIndex disagrees with the scan");
    let time = |f: &dyn Fn() -> usize, reps: usize| {
        let v: Vec<f64> = (0..reps)
            .map(|_| {
                let t = Instant::now();
                consume(f());
                t.elapsed().as_nanos() as f64 - overhead
            })
            .collect();
        median(v).unwrap()
    };
    let ours = time(&|| index.matching(consume(&filter)).count(), 1_000);
    let scan = time(&|| names.iter().filter(|t| filter.matches(t)).count(), 20);
    println!(
        "| {n} | {found} | {} | {} |",
        fmt_ns(Some(ours)),
        fmt_ns(Some(scan))
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let quick = args.iter().any(|a| a == "--quick");
    let full = args.iter().any(|a| a == "--full");
    let only = args
        .iter()
        .position(|a| a == "--only")
        .and_then(|at| args.get(at + 1))
        .map(String::as_str);
    let mut sizes = vec![10_000usize];
    if !quick {
        sizes.push(100_000);
    }
    if full {
        sizes.push(1_000_000);
    }
    quiet_panics();
    let overhead = timer_overhead();
    println!("Timer overhead subtracted: {overhead:.0} ns\n");
    for &n in &sizes {
        for workload in [Workload::Emqx, Workload::Iot] {
            let filters = workload.filters(n);
            let count = if n >= 1_000_000 { 2_000 } else { 20_000 };
            let sample = sample(workload, &filters, count);
            let per_kind = |k| sample.iter().filter(|s| s.1 == k).count();
            println!(
                "### {} — {n} filters ({} distinct); {} topics: {} hits with a wildcard filter, {} exact-only hits, {} misses\n",
                workload.name(),
                distinct_filters(&filters),
                sample.len(),
                per_kind(Kind::Hit),
                per_kind(Kind::ExactHit),
                per_kind(Kind::Miss)
            );
            println!("| index | wrong | insert | remove | hit p50 | exact hit p50 | miss p50 |");
            println!("|---|---|---|---|---|---|---|");
            let all = usize::MAX;
            let mut rows = vec![
                measure::<Mqttwire>(only, &filters, &sample, overhead, all, true),
                measure::<HashTrie>(only, &filters, &sample, overhead, all, true),
                #[cfg(feature = "rmqtt")]
                measure::<Rmqtt>(only, &filters, &sample, overhead, all, true),
                measure::<TopicEngine>(only, &filters, &sample, overhead, all, true),
                measure::<Quill>(only, &filters, &sample, overhead, all, true),
                measure::<TopicTreeCrate>(only, &filters, &sample, overhead, 2_000, true),
            ];
            if n <= 100_000 {
                rows.push(measure::<LinearScan>(
                    only, &filters, &sample, overhead, 500, false,
                ));
            }
            for r in rows.into_iter().flatten() {
                println!(
                    "| {} | {} | {} | {} | {} | {} | {} |",
                    r.name,
                    match r.wrong {
                        None => String::from("panics when built"),
                        Some((w, 0)) => format!("{w}"),
                        Some((w, p)) => format!("{w} (+{p} panics)"),
                    },
                    fmt_rate(Some(r.inserts_per_s).filter(|v| *v > 0.0)),
                    fmt_rate(r.removes_per_s),
                    fmt_ns(r.p50[0]),
                    fmt_ns(r.p50[1]),
                    fmt_ns(r.p50[2]),
                );
            }
            println!();
        }
    }
    if only.is_some() {
        return;
    }
    println!("### Retained messages: `+/hello/#`, 10 of them under `site-S/hello/`\n");
    println!("| retained topics | found | RetainedIndex::matching p50 | scan with TopicFilter::matches p50 |");
    println!("|---|---|---|---|");
    for n in [10_000, 100_000] {
        retained(n, overhead);
    }
}
