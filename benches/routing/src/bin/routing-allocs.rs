//! Memory of the subscription indexes, with a counting allocator (in a binary of its own, so
//! that the timings never run through it): bytes the index holds per subscription, blocks per
//! subscription, and allocations per lookup (over 2,000 topics of the sample).
//!
//! `cargo run --release --manifest-path benches/routing/Cargo.toml --bin routing-allocs -- [--quick] [--full]`
//!
//! Bytes are those requested from the allocator, without its own per-block overhead.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use mqttwire::TopicFilter;
use mqttwire_routing::*;

struct Counting;

static LIVE_BYTES: AtomicUsize = AtomicUsize::new(0);
static LIVE_BLOCKS: AtomicUsize = AtomicUsize::new(0);
static ALLOCS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded to `System` with the same arguments; the counters only
// observe.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE_BYTES.fetch_add(layout.size(), Relaxed);
        LIVE_BLOCKS.fetch_add(1, Relaxed);
        ALLOCS.fetch_add(1, Relaxed);
        System.alloc(layout)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE_BYTES.fetch_sub(layout.size(), Relaxed);
        LIVE_BLOCKS.fetch_sub(1, Relaxed);
        System.dealloc(ptr, layout)
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE_BYTES.fetch_add(new_size, Relaxed);
        LIVE_BYTES.fetch_sub(layout.size(), Relaxed);
        ALLOCS.fetch_add(1, Relaxed);
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// An index to check the answers of before measuring a fresh one.
fn index_for_check<I: Index>(filters: &[String]) -> I {
    I::build(filters)
}

fn memory<I: Index>(filters: &[String], sample: &[(String, Kind, Vec<u32>)]) {
    let answers = check(&index_for_check::<I>(filters), sample);
    let topics: Vec<I::Topic> = sample
        .iter()
        .zip(&answers)
        .filter(|(_, a)| **a != Answer::Panics)
        .map(|((t, _, _), _)| I::prepare(t))
        .collect();
    let (bytes, blocks) = (LIVE_BYTES.load(Relaxed), LIVE_BLOCKS.load(Relaxed));
    let Some(index) = try_build::<I>(filters) else {
        println!("| {} | panics | | |", I::NAME);
        return;
    };
    let bytes = LIVE_BYTES.load(Relaxed).saturating_sub(bytes);
    let blocks = LIVE_BLOCKS.load(Relaxed).saturating_sub(blocks);
    let allocs = ALLOCS.load(Relaxed);
    for topic in &topics {
        consume(index.lookup(topic));
    }
    let per_lookup = (ALLOCS.load(Relaxed) - allocs) as f64 / topics.len() as f64;
    let n = filters.len() as f64;
    println!(
        "| {} | {:.0} | {:.1} | {:.2} |",
        I::NAME,
        bytes as f64 / n,
        blocks as f64 / n,
        per_lookup
    );
    drop(index);
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mut sizes = vec![10_000usize];
    if !args.iter().any(|a| a == "--quick") {
        sizes.push(100_000);
    }
    if args.iter().any(|a| a == "--full") {
        sizes.push(1_000_000);
    }
    quiet_panics();
    for &n in &sizes {
        for workload in [Workload::Emqx, Workload::Iot] {
            let filters = workload.filters(n);
            let sample = sample(workload, &filters, if n >= 1_000_000 { 500 } else { 2_000 });
            println!("### {} — {n} filters\n", workload.name());
            println!("| index | bytes per subscription | blocks per subscription | allocations per lookup |");
            println!("|---|---|---|---|");
            memory::<Mqttwire>(&filters, &sample);
            memory::<HashTrie>(&filters, &sample);
            #[cfg(feature = "rmqtt")]
            memory::<Rmqtt>(&filters, &sample);
            memory::<TopicEngine>(&filters, &sample);
            memory::<Quill>(&filters, &sample);
            memory::<TopicTreeCrate>(&filters, &sample);
            println!();
        }
    }
    println!("### Retained index: allocations of `matching(+/hello/#)`\n");
    let topics = retained_topics(100_000, 10);
    let index = retained_index(&topics);
    let filter = TopicFilter::new("+/hello/#").unwrap();
    let allocs = ALLOCS.load(Relaxed);
    let found = consume(index.matching(&filter).count());
    println!(
        "100,000 retained topics: {found} found, {} allocations\n",
        ALLOCS.load(Relaxed) - allocs
    );
}
