//! Counts the allocations of every (codec, operation) of the comparison, through a counting
//! global allocator, in runs of their own, so that the timed runs of `mqttwire-compare` (which
//! runs this binary for its tables) use the plain system allocator. Each result is checked
//! as in the timed runs.
//!
//! ```text
//! compare-allocs [--quick] [CORPUS|topics]   one line per runner: allocs CORPUS CODEC OP COUNT PACKETS CHECK
//! compare-allocs [--quick] CORPUS CODEC OP   one selection
//! ```
//!
//! Each runner runs once to warm up, then twice counted; the smaller count is reported (one
//! run's allocations: its setup, which makes the input, is not counted).

use mqttwire_compare::codecs::{Outcome, Runner};
use mqttwire_compare::corpus;
use mqttwire_compare::harness::{self, measured_op, Entry};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

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

/// A warm-up run, then the smaller allocation count of two runs, and the last run's outcome
/// (the caller checks it, then tears the runner down).
fn count(runner: &mut dyn Runner) -> (u64, Outcome) {
    runner.setup();
    measured_op(runner);
    runner.teardown();
    let mut least = u64::MAX;
    let mut outcome = Outcome::default();
    for run in 0..2 {
        if run > 0 {
            runner.teardown();
        }
        runner.setup();
        let before = ALLOCS.load(Relaxed);
        outcome = measured_op(runner);
        least = least.min(ALLOCS.load(Relaxed) - before);
    }
    (least, outcome)
}

fn print(corpus: &str, e: &Entry, allocs: u64, per: usize) {
    let check = e.check_text();
    println!(
        "allocs\t{corpus}\t{}\t{}\t{allocs}\t{per}\t{check}",
        e.codec, e.op
    );
}

fn main() {
    let args = harness::args();
    if let [corpus_name, codec, op] = &args.positional[..] {
        let Some(codec) = harness::codec_name(codec) else {
            eprintln!("unknown codec {codec}");
            std::process::exit(2)
        };
        let (mut runner, packets, _) = harness::single_runner(corpus_name, codec, op, args.quick)
            .unwrap_or_else(|e| {
                eprintln!("error: {e}");
                std::process::exit(1)
            });
        let (allocs, o) = count(runner.as_mut());
        println!(
            "corpus={corpus_name} codec={codec} op={op} packets={packets} done={} allocs={allocs} allocs_per_packet={:.3}",
            o.packets,
            allocs as f64 / packets as f64
        );
        return;
    }
    let only = args.positional.first().map(String::as_str);
    for name in corpus::NAMES {
        if !harness::selected(only, name) {
            continue;
        }
        let corpus = harness::leak(corpus::build(name, args.quick).expect("known corpus"));
        let (mut entries, _) = harness::entries(corpus);
        for e in &mut entries {
            let (allocs, o) = count(e.runner.as_mut());
            harness::check(e, corpus, &o);
            e.runner.teardown();
            print(name, e, allocs, corpus.packets);
        }
    }
    if harness::selected(only, "topics") {
        let pairs = harness::match_pairs(args.quick);
        for mut e in harness::matchers(&pairs) {
            let (allocs, _) = count(e.runner.as_mut());
            e.runner.teardown();
            print("topics", &e, allocs, pairs.len());
        }
    }
}
