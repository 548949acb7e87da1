//! mqttwire against other MQTT 3.1.1 codecs, on the same corpora, in one process.
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
//! `COMPARE_ONLY=codec,codec,...` keeps only those runners (baselines included by name).
//! Built with the `baseline` feature (only `benches/ab.sh` does that), it also runs mqttwire's
//! runners over an earlier commit, as `baseline`, `baseline-ref` and `baseline-twin`.

mod codecs;
mod corpus;

use codecs::{Outcome, Runner, BASELINES, CODECS, MATCHERS, OPS};
use corpus::Corpus;
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};

/// Counts allocations (alloc, alloc_zeroed and realloc each count as one).
struct Counting;

static ALLOCS: AtomicU64 = AtomicU64::new(0);

// SAFETY: every method forwards to `System` with the caller's arguments unchanged.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Relaxed);
        System.alloc(layout)
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Relaxed);
        System.alloc_zeroed(layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCS.fetch_add(1, Relaxed);
        System.realloc(ptr, layout, new_size)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// The measured run, kept out of line so that callgrind can count it alone.
#[inline(never)]
fn measured_op(runner: &mut dyn Runner) -> Outcome {
    runner.run()
}

/// One measured run: setup (untimed), run, time and allocations.
fn timed(runner: &mut dyn Runner) -> (Duration, u64, Outcome) {
    runner.setup();
    let allocs = ALLOCS.load(Relaxed);
    let start = Instant::now();
    let outcome = measured_op(runner);
    let elapsed = start.elapsed();
    let allocs = ALLOCS.load(Relaxed) - allocs;
    (elapsed, allocs, outcome)
}

struct Entry {
    codec: &'static str,
    op: &'static str,
    runner: Box<dyn Runner>,
    times: Vec<Duration>,
    allocs: u64,
    /// Problems found by the checks; empty when all agree.
    problems: Vec<String>,
}

fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// Checks a run's outcome against the corpus and, for encoders, the bytes written.
fn check(e: &mut Entry, corpus: &Corpus, o: &Outcome) {
    if let Some(err) = &o.error {
        e.problems
            .push(format!("error after {} packets: {err}", o.packets));
    }
    if o.packets != corpus.packets {
        e.problems.push(format!(
            "{} packets, expected {}",
            o.packets, corpus.packets
        ));
    }
    if o.bytes != corpus.bytes.len() {
        e.problems.push(format!(
            "{} bytes, expected {}",
            o.bytes,
            corpus.bytes.len()
        ));
    }
    if let Some(out) = e.runner.output() {
        if out != corpus.bytes {
            let first = out
                .iter()
                .zip(&corpus.bytes)
                .position(|(a, b)| a != b)
                .unwrap_or(out.len().min(corpus.bytes.len()));
            // The packet holding the first difference, for the report.
            let (mut start, mut what) = (0, String::new());
            while let Some(len) = corpus::frame_len(&corpus.bytes[start..]) {
                if start + len > first {
                    let end = (start + len).min(start + 12);
                    what = format!(
                        " ({} packet: expected {:02x?}, got {:02x?})",
                        type_name(usize::from(corpus.bytes[start] >> 4)),
                        &corpus.bytes[start..end],
                        out.get(start..end.min(out.len())).unwrap_or_default()
                    );
                    break;
                }
                start += len;
            }
            e.problems.push(format!(
                "re-encoded {} bytes, differ from the corpus from byte {first}{what}",
                out.len()
            ));
        }
    }
}

/// Runs all entries round-robin for `rounds` rounds (plus one warm-up round).
fn round_robin(entries: &mut [Entry], rounds: usize, corpus: Option<&Corpus>) {
    for round in 0..=rounds {
        let n = entries.len();
        for k in 0..n {
            let e = &mut entries[(k + round) % n];
            let (t, allocs, o) = timed(e.runner.as_mut());
            if round == 0 {
                if let Some(c) = corpus {
                    check(e, c, &o);
                }
                e.allocs = allocs;
            } else {
                e.times.push(t);
                e.allocs = e.allocs.min(allocs);
            }
            e.runner.teardown();
        }
    }
}

fn fmt_ratio(ns: f64, wire_ns: f64) -> String {
    format!("{:.2}×", ns / wire_ns)
}

fn report(corpus: &Corpus, entries: &mut [Entry]) {
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
        .map(|(t, n)| format!("{}:{n}", type_name(t)))
        .collect();
    println!("packet types: {}\n", types.join(" "));
    for op in OPS {
        let mut rows: Vec<(&str, f64, u64, String)> = Vec::new();
        for e in entries.iter_mut().filter(|e| e.op == op || e.op == "both") {
            let ns = median(&mut e.times).as_nanos() as f64 / corpus.packets as f64;
            let check = if e.problems.is_empty() {
                "ok".to_string()
            } else {
                e.problems.join("; ")
            };
            rows.push((e.codec, ns, e.allocs, check));
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
                "| {codec} | {} | {ns:.1} | {:.1} | {mbs:.0} | {:.2} | {check} |",
                fmt_ratio(ns, wire_ns),
                ns - base_ns,
                allocs as f64 / corpus.packets as f64
            );
        }
        println!();
    }
}

fn type_name(t: usize) -> &'static str {
    [
        "0",
        "CONNECT",
        "CONNACK",
        "PUBLISH",
        "PUBACK",
        "PUBREC",
        "PUBREL",
        "PUBCOMP",
        "SUBSCRIBE",
        "SUBACK",
        "UNSUBSCRIBE",
        "UNSUBACK",
        "PINGREQ",
        "PINGRESP",
        "DISCONNECT",
        "15",
    ][t]
}

fn leak(c: Corpus) -> &'static Corpus {
    Box::leak(Box::new(c))
}

fn run_corpus(name: &str, quick: bool, rounds: usize) {
    let corpus = leak(corpus::build(name, quick).expect("known corpus"));
    let mut entries = Vec::new();
    let mut push = |codec: &'static str, op: &'static str, label: &'static str| match codecs::make(
        codec, op, corpus,
    ) {
        Ok(runner) => entries.push(Entry {
            codec,
            op: label,
            runner,
            times: Vec::new(),
            allocs: 0,
            problems: Vec::new(),
        }),
        Err(e) => println!("{codec} {op}: left out: {e}"),
    };
    push("memcpy", "decode", "both");
    push("frame-walk", "decode", "decode");
    push("frame-share", "decode", "decode");
    push("frame-copy", "encode", "encode");
    // `benches/ab.sh`: the same runners over an earlier commit, built just before mqttwire's
    // (and `baseline-twin` just after `mqttwire-twin`), so that where buffers land favours
    // neither side in both pairs.
    #[cfg(feature = "baseline")]
    for codec in ["baseline", "baseline-ref"] {
        for op in OPS {
            push(codec, op, op);
        }
    }
    for codec in CODECS {
        for op in OPS {
            push(codec, op, op);
        }
    }
    // mqttwire encodes into any `BufMut`: also into a `Vec<u8>`, as mqtt-protocol does.
    push("mqttwire-vec", "encode", "encode");
    // The bench's own error: an encoder identical to "mqttwire", built last. Out of the caches
    // where an encoder's buffers land makes a difference of up to ~10% (benches/NOTES.md);
    // the gap between the two rows shows how much in each run.
    push("mqttwire-twin", "encode", "encode");
    #[cfg(feature = "baseline")]
    push("baseline-twin", "encode", "encode");
    if let Ok(only) = std::env::var("COMPARE_ONLY") {
        let keep: Vec<&str> = only.split(',').collect();
        entries.retain(|e| keep.contains(&e.codec));
    }
    round_robin(&mut entries, rounds, Some(corpus));
    report(corpus, &mut entries);
}

fn run_matching(quick: bool, rounds: usize) {
    let pairs = corpus::match_pairs(if quick { 10_000 } else { 100_000 });
    let mut entries: Vec<Entry> = MATCHERS
        .iter()
        .filter_map(|&codec| {
            Some(Entry {
                codec,
                op: "match",
                runner: codecs::make_matcher(codec, &pairs)?,
                times: Vec::new(),
                allocs: 0,
                problems: Vec::new(),
            })
        })
        .collect();
    round_robin(&mut entries, rounds, None);
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
    let wire_ns = median(&mut entries[0].times).as_nanos() as f64 / pairs.len() as f64;
    for (e, h) in entries.iter_mut().zip(&hits) {
        let ns = median(&mut e.times).as_nanos() as f64 / pairs.len() as f64;
        let check = if *h == hits[0] {
            "ok".to_string()
        } else {
            disagreements(e.codec, &pairs)
        };
        println!(
            "| {} | {} | {ns:.1} | {:.2} | {h} | {check} |",
            e.codec,
            fmt_ratio(ns, wire_ns),
            e.allocs as f64 / pairs.len() as f64
        );
    }
}

/// Describes where a matcher disagrees with mqttwire, with an example.
fn disagreements(codec: &str, pairs: &[(String, String)]) -> String {
    let mut count = 0;
    let mut example = None;
    for pair in pairs {
        let one = std::slice::from_ref(pair);
        let mut a = codecs::make_matcher("mqttwire", one).expect("mqttwire");
        let mut b = codecs::make_matcher(codec, one).expect("matcher");
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
    let mut corpus_ref: Option<&'static Corpus> = None;
    let (mut runner, packets): (Box<dyn Runner>, usize) = if op == "match" {
        let pairs = corpus::match_pairs(if quick { 10_000 } else { 100_000 });
        let n = pairs.len();
        (
            codecs::make_matcher(codec, &pairs).ok_or(format!("{codec} has no matcher"))?,
            n,
        )
    } else {
        let corpus =
            leak(corpus::build(corpus_name, quick).ok_or(format!("unknown corpus {corpus_name}"))?);
        corpus_ref = Some(corpus);
        (codecs::make(codec, op, corpus)?, corpus.packets)
    };
    runner.setup();
    runner.run();
    runner.teardown();
    let (t, allocs, o) = timed(runner.as_mut());
    if let Some(e) = &o.error {
        return Err(e.clone());
    }
    if let (Some(out), Some(corpus)) = (runner.output(), &corpus_ref) {
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
        "corpus={corpus_name} codec={codec} op={op} packets={packets} done={} bytes={} ns_per_packet={:.1} allocs_per_packet={:.3}",
        o.packets,
        o.bytes,
        t.as_nanos() as f64 / packets as f64,
        allocs as f64 / packets as f64
    );
    Ok(())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|a| a == "--quick");
    let positional: Vec<&str> = args
        .iter()
        .filter(|a| !a.starts_with("--"))
        .map(String::as_str)
        .collect();
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!(
            "usage: compare [--quick]                      all corpora, codecs and operations\n       \
             compare [--quick] CORPUS CODEC OP       one selection (for callgrind)\n\
             corpora: {:?} (and `topics` with op `match`)\n\
             codecs: {:?} (and mqttwire-vec: encode into a Vec<u8>; mqttwire-twin: a second \
             mqttwire encoder) baselines: {:?}\nops: {:?} match",
            corpus::NAMES,
            CODECS,
            BASELINES,
            OPS
        );
        return;
    }
    if let [corpus_name, codec, op] = positional[..] {
        let codec: &'static str = CODECS
            .iter()
            .chain(&BASELINES)
            .chain(&["mqttwire-vec", "mqttwire-twin"])
            .chain(if cfg!(feature = "baseline") {
                &["baseline", "baseline-ref", "baseline-twin"][..]
            } else {
                &[]
            })
            .find(|c| **c == codec)
            .copied()
            .unwrap_or_else(|| {
                eprintln!("unknown codec {codec}");
                std::process::exit(2)
            });
        if let Err(e) = single(corpus_name, codec, op, quick) {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
        return;
    }
    let only: Option<&str> = positional.first().copied();
    println!(
        "# mqttwire comparison ({} mode): median of round-robin rounds; ratio = codec time / mqttwire time\n",
        if quick { "quick" } else { "full" }
    );
    for name in corpus::NAMES {
        if only.is_none_or(|o| o == name) {
            let rounds = match (quick, name) {
                (true, _) => 5,
                (false, "large-publish") => 15,
                (false, _) => 41,
            };
            run_corpus(name, quick, rounds);
        }
    }
    if only.is_none_or(|o| o == "topics") {
        run_matching(quick, if quick { 5 } else { 41 });
    }
}
