//! mqttwire against other MQTT 3.1.1 and 5.0 codecs, on the same corpora, in one process: times.
//!
//! ```text
//! cargo run --release --manifest-path benches/compare/Cargo.toml --            # everything
//! cargo run --release --manifest-path benches/compare/Cargo.toml -- --quick    # smaller, fewer rounds
//! cargo run --release --manifest-path benches/compare/Cargo.toml -- telemetry-mix mqttwire decode
//! ```
//!
//! The full mode runs every (codec, operation) of a corpus round-robin, one run each per
//! round, starting each round at a different runner, so that machine drift (other load,
//! frequency changes) hits all of them alike; it reports the median over the rounds. The
//! three-argument mode runs one selection once, after one warm-up run, with the measured run in
//! `measured_op` so that `valgrind --tool=callgrind --toggle-collect='*measured_op*'` counts
//! only it (see `benches/callgrind.sh`).
//!
//! This binary uses the system allocator, with nothing counted while a codec runs: the
//! allocations per packet in its tables come from `compare-allocs`, which counts them in runs
//! of its own (see `src/bin/compare-allocs.rs`). Run under `cargo run`, it has cargo build
//! that binary first; otherwise it expects it beside itself (`cargo build --release` builds
//! both).
//!
//! `COMPARE_ONLY=codec,codec,...` keeps only those runners (baselines included by name).
//! Built with the `baseline` feature (only `benches/ab.sh` does that), it also runs mqttwire's
//! runners over an earlier commit, as `baseline`, `baseline-ref` and `baseline-twin`.

use mqttwire_compare::codecs::{BASELINES, CODECS, OPS};
use mqttwire_compare::corpus::{self, Corpus};
use mqttwire_compare::harness::{self, measured_op, Entry};
use std::collections::HashMap;
use std::process::Command;
use std::time::{Duration, Instant};

/// One measured run: setup (untimed), run, time.
fn timed(
    runner: &mut dyn mqttwire_compare::codecs::Runner,
) -> (Duration, mqttwire_compare::codecs::Outcome) {
    runner.setup();
    let start = Instant::now();
    let outcome = measured_op(runner);
    (start.elapsed(), outcome)
}

fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// Runs all entries round-robin for `rounds` rounds, plus one warm-up round whose results are
/// checked; the times of the others.
fn round_robin(
    entries: &mut [Entry],
    rounds: usize,
    corpus: Option<&Corpus>,
) -> Vec<Vec<Duration>> {
    let mut times = vec![Vec::with_capacity(rounds); entries.len()];
    for round in 0..=rounds {
        let n = entries.len();
        for k in 0..n {
            let i = (k + round) % n;
            let e = &mut entries[i];
            let (t, o) = timed(e.runner.as_mut());
            if round == 0 {
                if let Some(c) = corpus {
                    harness::check(e, c, &o);
                }
            } else {
                times[i].push(t);
            }
            e.runner.teardown();
        }
    }
    times
}

/// Allocations per run of each (corpus, codec, op), as `compare-allocs` counted them.
type Allocs = HashMap<(String, String, String), u64>;

/// Runs `compare-allocs` with this process's arguments and reads its counts; a note instead
/// when it cannot.
fn count_allocations(quick: bool, only: Option<&str>) -> Result<Allocs, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let counter = exe.with_file_name(format!("compare-allocs{}", std::env::consts::EXE_SUFFIX));
    // Under `cargo run`, which builds only this binary: have cargo build the counter too (or
    // find it fresh), with this build's profile and features.
    if let (Some(cargo), Some(dir)) = (
        std::env::var_os("CARGO"),
        std::env::var_os("CARGO_MANIFEST_DIR"),
    ) {
        let mut build = Command::new(cargo);
        build.args([
            "build",
            "--quiet",
            "--bin",
            "compare-allocs",
            "--manifest-path",
        ]);
        build.arg(std::path::Path::new(&dir).join("Cargo.toml"));
        if exe.parent().and_then(|p| p.file_name()) == Some("release".as_ref()) {
            build.arg("--release");
        }
        if cfg!(feature = "baseline") {
            build.args(["--features", "baseline"]);
        }
        let status = build.status().map_err(|e| format!("cargo build: {e}"))?;
        if !status.success() {
            return Err("cargo could not build compare-allocs".into());
        }
    }
    let mut run = Command::new(&counter);
    if quick {
        run.arg("--quick");
    }
    run.args(only);
    let out = run.output().map_err(|e| {
        format!(
            "{}: {e} (`cargo build --release --manifest-path benches/compare/Cargo.toml` builds it)",
            counter.display()
        )
    })?;
    if !out.status.success() {
        return Err(format!(
            "compare-allocs failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let mut allocs = Allocs::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        if let ["allocs", corpus, codec, op, count, ..] = line.split('\t').collect::<Vec<_>>()[..] {
            let count = count.parse().map_err(|_| format!("bad line: {line}"))?;
            allocs.insert((corpus.into(), codec.into(), op.into()), count);
        }
    }
    Ok(allocs)
}

fn fmt_ratio(ns: f64, wire_ns: f64) -> String {
    format!("{:.2}×", ns / wire_ns)
}

fn fmt_allocs(allocs: Option<&Allocs>, key: (&str, &str, &str), per: usize) -> String {
    match allocs.and_then(|a| a.get(&(key.0.into(), key.1.into(), key.2.into()))) {
        Some(&n) => format!("{:.2}", n as f64 / per as f64),
        None => "n/a".into(),
    }
}

fn report(
    corpus: &Corpus,
    entries: &[Entry],
    times: &mut [Vec<Duration>],
    allocs: Option<&Allocs>,
) {
    println!(
        "\n### {} — {} packets, {:.1} MB ({} B/packet on average)\n",
        corpus.name,
        corpus.packets,
        corpus.bytes.len() as f64 / 1e6,
        corpus.bytes.len() / corpus.packets
    );
    let types: Vec<String> = corpus
        .by_type
        .iter()
        .enumerate()
        .filter(|(_, n)| **n > 0)
        .map(|(t, n)| format!("{}:{n}", harness::type_name(t)))
        .collect();
    println!("packet types: {}\n", types.join(" "));
    for op in OPS {
        let mut rows: Vec<(&str, f64, String, String)> = Vec::new();
        for (e, times) in entries.iter().zip(times.iter_mut()) {
            if e.op != op && e.op != "both" {
                continue;
            }
            let ns = median(times).as_nanos() as f64 / corpus.packets as f64;
            let check = e.check_text();
            let allocs = fmt_allocs(allocs, (corpus.name, e.codec, e.op), corpus.packets);
            rows.push((e.codec, ns, allocs, check));
        }
        let Some(wire_ns) = rows.iter().find(|r| r.0 == "mqttwire").map(|r| r.1) else {
            continue;
        };
        // The least any codec can take for this operation on these bytes: reading the frame
        // headers (decode) or copying each frame (encode). On corpora larger than the caches
        // the baseline is most of every codec's time, so the time each takes above it (its
        // own work) is given too.
        let baseline = if op == "decode" {
            "frame-walk"
        } else {
            "frame-copy"
        };
        let base_ns = rows.iter().find(|r| r.0 == baseline).map_or(0.0, |r| r.1);
        println!("{op}:\n");
        println!(
            "| codec | × mqttwire time | ns/packet | ns above {baseline} | MB/s | allocs/packet | check |"
        );
        println!("|---|---:|---:|---:|---:|---:|---|");
        for (codec, ns, allocs, check) in rows {
            let mbs = corpus.bytes.len() as f64 / (ns * corpus.packets as f64 / 1e9) / 1e6;
            println!(
                "| {codec} | {} | {ns:.1} | {:.1} | {mbs:.0} | {allocs} | {check} |",
                fmt_ratio(ns, wire_ns),
                ns - base_ns,
            );
        }
        println!();
    }
}

fn run_corpus(name: &str, quick: bool, rounds: usize, allocs: Option<&Allocs>) {
    let corpus = harness::leak(corpus::build(name, quick).expect("known corpus"));
    let (mut entries, notes) = harness::entries(corpus);
    for note in notes {
        println!("{note}");
    }
    let mut times = round_robin(&mut entries, rounds, Some(corpus));
    report(corpus, &entries, &mut times, allocs);
}

fn run_matching(quick: bool, rounds: usize, allocs: Option<&Allocs>) {
    let pairs = harness::match_pairs(quick);
    let mut entries = harness::matchers(&pairs);
    let mut times = round_robin(&mut entries, rounds, None);
    // Check: every matcher must agree with mqttwire on every pair.
    let hits: Vec<usize> = entries
        .iter_mut()
        .map(|e| measured_op(e.runner.as_mut()).bytes)
        .collect();
    println!(
        "\n### topic matching — {} (filter, name) pairs, {} matching for mqttwire\n",
        pairs.len(),
        hits[0]
    );
    println!("| codec | × mqttwire time | ns/match | allocs/match | matches | check |");
    println!("|---|---:|---:|---:|---:|---|");
    let wire_ns = median(&mut times[0]).as_nanos() as f64 / pairs.len() as f64;
    for ((e, h), times) in entries.iter().zip(&hits).zip(times.iter_mut()) {
        let ns = median(times).as_nanos() as f64 / pairs.len() as f64;
        let check = if *h == hits[0] {
            "ok".to_string()
        } else {
            disagreements(e.codec, &pairs)
        };
        println!(
            "| {} | {} | {ns:.1} | {} | {h} | {check} |",
            e.codec,
            fmt_ratio(ns, wire_ns),
            fmt_allocs(allocs, ("topics", e.codec, "match"), pairs.len())
        );
    }
}

/// Describes where a matcher disagrees with mqttwire, with an example.
fn disagreements(codec: &str, pairs: &[(String, String)]) -> String {
    let mut count = 0;
    let mut example = None;
    for pair in pairs {
        let one = std::slice::from_ref(pair);
        let mut a = mqttwire_compare::codecs::make_matcher("mqttwire", one).expect("mqttwire");
        let mut b = mqttwire_compare::codecs::make_matcher(codec, one).expect("matcher");
        let (x, y) = (a.run().bytes, b.run().bytes);
        if x != y {
            count += 1;
            example.get_or_insert_with(|| {
                format!(
                    "`{}` vs `{}`: mqttwire {}, {codec} {}",
                    pair.0,
                    pair.1,
                    x == 1,
                    y == 1
                )
            });
        }
    }
    format!(
        "disagrees on {count} pairs, e.g. {}",
        example.unwrap_or_default()
    )
}

/// One selection, for callgrind: warm-up run, then the measured run.
fn single(corpus_name: &str, codec: &'static str, op: &str, quick: bool) -> Result<(), String> {
    let (mut runner, packets, corpus) = harness::single_runner(corpus_name, codec, op, quick)?;
    runner.setup();
    runner.run();
    runner.teardown();
    let (t, o) = timed(runner.as_mut());
    if let Some(e) = &o.error {
        return Err(e.clone());
    }
    if let (Some(out), Some(corpus)) = (runner.output(), corpus) {
        let first = out.iter().zip(&corpus.bytes).position(|(a, b)| a != b);
        eprintln!(
            "output: {} bytes, first difference with the corpus: {first:?}",
            out.len()
        );
        if let Some(i) = first {
            let (a, b) = (i.saturating_sub(8), (i + 8).min(out.len()));
            eprintln!(
                "  corpus[{a}..{b}] = {:02x?}\n  output[{a}..{b}] = {:02x?}",
                &corpus.bytes[a..b],
                &out[a..b]
            );
        }
    }
    println!(
        "corpus={corpus_name} codec={codec} op={op} packets={packets} done={} bytes={} ns_per_packet={:.1}",
        o.packets,
        o.bytes,
        t.as_nanos() as f64 / packets as f64,
    );
    Ok(())
}

/// Every codec of a corpus doing `op`, one after the other, each as [`single`] runs one: for
/// `benches/callgrind.sh --table`, which has callgrind dump its counts after each measured run
/// (one process instead of one per codec: valgrind takes a minute to start on this binary).
fn every_codec(corpus_name: &str, op: &str, quick: bool) {
    let corpus = harness::leak(corpus::build(corpus_name, quick).unwrap_or_else(|| {
        eprintln!("unknown corpus {corpus_name}");
        std::process::exit(2)
    }));
    let (mut entries, _) = harness::entries(corpus);
    for e in entries.iter_mut().filter(|e| e.op == op) {
        e.runner.setup();
        e.runner.run();
        e.runner.teardown();
        let (_, o) = timed(e.runner.as_mut());
        e.runner.teardown();
        harness::check(e, corpus, &o);
        println!(
            "corpus={corpus_name} codec={} op={op} packets={} check={}",
            e.codec,
            corpus.packets,
            e.check_text()
        );
    }
}

fn main() {
    let args = harness::args();
    if args.help {
        println!(
            "usage: compare [--quick] [CORPUS|topics]       all codecs and operations\n       \
             compare [--quick] CORPUS CODEC OP       one selection (for callgrind)\n       \
             compare [--quick] CORPUS all OP         every codec in turn (callgrind.sh --table)\n\
             corpora: {:?} (and `topics` with op `match`)\n\
             codecs: {:?} (and mqttwire-vec: encode into a Vec<u8>; mqttwire-twin: a second \
             mqttwire encoder)\n5.0 peers (the v5- corpora): {:?}\nbaselines: {:?}\nops: {:?} match",
            corpus::NAMES,
            CODECS,
            mqttwire_compare::codecs_v5::PEERS,
            BASELINES,
            OPS
        );
        return;
    }
    if let [corpus_name, codec, op] = &args.positional[..] {
        if codec == "all" {
            every_codec(corpus_name, op, args.quick);
            return;
        }
        let codec = harness::codec_name(codec).unwrap_or_else(|| {
            eprintln!("unknown codec {codec}");
            std::process::exit(2)
        });
        if let Err(e) = single(corpus_name, codec, op, args.quick) {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
        return;
    }
    let only = args.positional.first().map(String::as_str);
    println!(
        "# mqttwire comparison ({} mode): median of round-robin rounds; ratio = codec time / mqttwire time\n",
        if args.quick { "quick" } else { "full" }
    );
    // Counted first, in another process: nothing in this one counts while a codec runs.
    let allocs = match count_allocations(args.quick, only) {
        Ok(allocs) => Some(allocs),
        Err(e) => {
            println!("allocations not counted: {e}\n");
            None
        }
    };
    for name in corpus::NAMES {
        if harness::selected(only, name) {
            let rounds = match (args.quick, name) {
                (true, _) => 5,
                (false, "large-publish") => 15,
                (false, _) => 41,
            };
            run_corpus(name, args.quick, rounds, allocs.as_ref());
        }
    }
    if harness::selected(only, "topics") {
        run_matching(args.quick, if args.quick { 5 } else { 41 }, allocs.as_ref());
    }
}
