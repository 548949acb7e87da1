//! Allocations of the routing indexes, counted: a global allocator counts what the thread
//! that turned counting on allocates, and each check runs inside one `#[test]` so that the
//! harness cannot disturb the count.

use mqttwire::{
    Deliveries, QoS, RetainedIndex, RoundRobin, ShareChoice, SubscriptionIndex,
    SubscriptionOptions, TopicFilter, TopicName,
};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::num::NonZeroU32;

struct Counting;

thread_local! {
    static MEASURING: Cell<bool> = const { Cell::new(false) };
    static ALLOCS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: passes every call through to `System`; counting touches only thread-locals, which
// do not allocate once initialised (`const` initialisers).
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if MEASURING.try_with(Cell::get).unwrap_or(false) {
            let _ = ALLOCS.try_with(|a| a.set(a.get() + 1));
        }
        System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if MEASURING.try_with(Cell::get).unwrap_or(false) {
            let _ = ALLOCS.try_with(|a| a.set(a.get() + 1));
        }
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// The allocations `f` makes on this thread, and its result.
fn allocations<R>(f: impl FnOnce() -> R) -> (usize, R) {
    ALLOCS.with(|a| a.set(0));
    MEASURING.with(|m| m.set(true));
    let result = f();
    MEASURING.with(|m| m.set(false));
    (ALLOCS.with(Cell::get), result)
}

#[test]
fn retained_matching_allocates_nothing() {
    let mut index = RetainedIndex::new();
    for site in 0..20u32 {
        for device in 0..50u32 {
            for metric in ["t", "h"] {
                let topic = format!("site-{site}/hello/device-{device}/{metric}");
                index.set(&TopicName::new(&topic).unwrap(), device);
            }
        }
    }
    index.set(&TopicName::new("$SYS/a/b/c/d/e/f/g/h/i/j").unwrap(), 0);
    for (text, expected) in [
        ("+/hello/#", 2000),
        ("#", 2000),
        ("site-3/hello/+/t", 50),
        ("+/+/device-7/+", 40),
        ("$SYS/#", 1),
        ("nothing/#", 0),
    ] {
        let filter = TopicFilter::new(text).unwrap();
        let (allocs, count) = allocations(|| index.matching(&filter).count());
        assert_eq!(count, expected, "{text}");
        assert_eq!(allocs, 0, "{text}");
    }
    // A caller collecting the matches pays for its own buffer only.
    let filter = TopicFilter::new("+/hello/#").unwrap();
    let mut out = Vec::with_capacity(2000);
    let (allocs, ()) = allocations(|| out.extend(index.matching(&filter)));
    assert_eq!((allocs, out.len()), (0, 2000));
}

/// Routing writes into the caller's buffer: once it has room for the largest fan-out, and the
/// round robin has seen every group, no message allocates.
#[test]
fn routing_allocates_nothing_once_the_buffer_has_grown() {
    let mut index = SubscriptionIndex::new();
    let options = SubscriptionOptions::new(QoS::AtLeastOnce);
    for client in 0..100u32 {
        for text in ["a/+/c", "a/#", "+/b/+", "$share/g/a/b/c", "$share/h/#"] {
            let filter = TopicFilter::new(text).unwrap();
            index
                .subscribe(client, &filter, options, NonZeroU32::new(client + 1))
                .unwrap();
        }
    }
    let topic = TopicName::new("a/b/c").unwrap();
    let mut choice = RoundRobin::new();
    let mut deliveries = Deliveries::new();
    index.route(&topic, Some(&7), &mut choice, &mut deliveries);
    let (allocs, counts) = allocations(|| {
        (0..50)
            .map(|_| {
                index
                    .route(&topic, Some(&7), &mut choice, &mut deliveries)
                    .len()
            })
            .collect::<Vec<usize>>()
    });
    // One allocation: the `Vec` of counts collected here.
    assert_eq!(allocs, 1);
    // 100 clients merged from three filters each, plus one member of each of two groups.
    assert!(counts.iter().all(|&n| n == 102), "{counts:?}");
    let ids: usize = deliveries.iter().map(|(_, ids)| ids.len()).sum();
    assert_eq!(ids, 100 * 3 + 2);
}

/// A preview allocates nothing either once the buffer has grown, with the policy behind a
/// `dyn`, even for a group the round robin has not seen (it leaves the policy as it is).
#[test]
fn preview_allocates_nothing() {
    let mut index = SubscriptionIndex::new();
    let options = SubscriptionOptions::new(QoS::AtLeastOnce);
    for client in 0..100u32 {
        for text in ["a/+", "$share/g/a/b"] {
            let filter = TopicFilter::new(text).unwrap();
            index.subscribe(client, &filter, options, None).unwrap();
        }
    }
    let topic = TopicName::new("a/b").unwrap();
    let choice: Box<dyn ShareChoice<u32>> = Box::new(RoundRobin::new());
    let mut deliveries = Deliveries::new();
    // The buffer grows once.
    index.preview(&topic, Some(&7), &*choice, &mut deliveries);
    let (allocs, len) = allocations(|| {
        index
            .preview(&topic, Some(&7), &*choice, &mut deliveries)
            .len()
    });
    assert_eq!((allocs, len), (0, 101));
}
