//! Topic matching: `TopicFilter::matches` pair by pair, and `SubscriptionTree` with 10 thousand
//! to a million filters (insert rate, match latency, memory per subscription).
//!
//! `cargo bench --manifest-path benches/criterion/Cargo.toml --bench topic` (about two minutes;
//! add `pairs` or `tree` to run a part). The memory figures are printed before the timings: they count the bytes the tree requests from
//! the allocator, without the allocator's own per-block overhead.
//!
//! The workload is a deterministic mix shaped like an IoT broker's: topics
//! `tenant-T/site-S/device-D/metric` (85%), `home-H/room/sensor` (10%) and `$SYS/broker/...`
//! (5%); filters 70% exact device topics, 10% `tenant-T/site-S/+/metric`, 8%
//! `tenant-T/site-S/device-D/#`, 1% `tenant-T/+/+/metric`, 11% per-household exact, `+` and
//! `#` filters and 0.01% `$SYS/broker/...`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::time::Duration;

use criterion::{
    black_box, criterion_group, criterion_main, BenchmarkId, Criterion, SamplingMode, Throughput,
};
use mqttwire::{SubscriptionTree, TopicFilter, TopicName};

/// Counts the bytes and blocks the program holds, to measure the tree's memory.
struct Counting;

static LIVE_BYTES: AtomicUsize = AtomicUsize::new(0);
static LIVE_BLOCKS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded to `System` with the same arguments; the counters only
// observe.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE_BYTES.fetch_add(layout.size(), Relaxed);
        LIVE_BLOCKS.fetch_add(1, Relaxed);
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
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// xorshift64*: deterministic, so every run measures the same workload.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

const METRICS: [&str; 8] = [
    "temperature",
    "humidity",
    "status",
    "battery",
    "rssi",
    "firmware",
    "alarm",
    "power",
];
const ROOMS: [&str; 6] = [
    "kitchen",
    "living-room",
    "bedroom",
    "garage",
    "garden",
    "office",
];
const SENSORS: [&str; 4] = ["temperature", "light", "motion", "door"];
const SYS: [&str; 5] = [
    "clients/connected",
    "messages/received",
    "messages/sent",
    "load/bytes/received",
    "uptime",
];

/// Tenants × sites × devices: 1,000 × 100 × 10 = a million devices with 8 metrics each.
fn device(rng: &mut Rng) -> (u64, u64, u64) {
    (rng.below(1_000), rng.below(100), rng.below(10))
}

/// One of 10,000 households.
fn home(rng: &mut Rng) -> u64 {
    rng.below(10_000)
}

fn topic(rng: &mut Rng) -> String {
    match rng.below(100) {
        0..=84 => {
            let (t, s, d) = device(rng);
            format!("tenant-{t}/site-{s}/device-{d}/{}", rng.pick(&METRICS))
        }
        85..=94 => format!(
            "home-{}/{}/{}",
            home(rng),
            rng.pick(&ROOMS),
            rng.pick(&SENSORS)
        ),
        _ => format!("$SYS/broker/{}", rng.pick(&SYS)),
    }
}

fn filter(rng: &mut Rng) -> String {
    let (t, s, d) = device(rng);
    let metric = rng.pick(&METRICS);
    match rng.below(10_000) {
        0..=6_999 => format!("tenant-{t}/site-{s}/device-{d}/{metric}"),
        7_000..=7_999 => format!("tenant-{t}/site-{s}/+/{metric}"),
        8_000..=8_799 => format!("tenant-{t}/site-{s}/device-{d}/#"),
        8_800..=8_899 => format!("tenant-{t}/+/+/{metric}"),
        8_900..=9_998 => {
            let h = home(rng);
            match rng.below(3) {
                0 => format!("home-{h}/{}/{}", rng.pick(&ROOMS), rng.pick(&SENSORS)),
                1 => format!("home-{h}/+/{}", rng.pick(&SENSORS)),
                _ => format!("home-{h}/#"),
            }
        }
        _ => match rng.below(2) {
            0 => String::from("$SYS/broker/#"),
            _ => format!("$SYS/broker/{}", rng.pick(&SYS)),
        },
    }
}

fn topics(n: usize, seed: u64) -> Vec<TopicName> {
    let mut rng = Rng(seed);
    (0..n)
        .map(|_| TopicName::new(&topic(&mut rng)).expect("valid topic"))
        .collect()
}

fn filters(n: usize, seed: u64) -> Vec<TopicFilter> {
    let mut rng = Rng(seed);
    (0..n)
        .map(|_| TopicFilter::new(&filter(&mut rng)).expect("valid filter"))
        .collect()
}

/// The obvious matcher, level by level with `split`: the baseline `TopicFilter::matches` is
/// measured against.
fn split_matches(filter: &TopicFilter, name: &TopicName) -> bool {
    let (f, n): (&[u8], &[u8]) = (filter.as_bytes(), name.as_bytes());
    if n.first() == Some(&b'$') && matches!(f.first(), Some(b'+' | b'#')) {
        return false;
    }
    let mut f = f.split(|&b| b == b'/');
    let mut n = n.split(|&b| b == b'/');
    loop {
        match (f.next(), n.next()) {
            (Some(b"#"), _) => return true,
            (None, None) => return true,
            (Some(fl), Some(nl)) if fl == b"+" || fl == nl => {}
            _ => return false,
        }
    }
}

/// Each of 100,000 topics against 10 of 10,000 filters (a million pairs per iteration), every
/// topic and every filter taking part, in an order the caches cannot predict. Two mixes:
/// `random` pairs, which mostly differ early (`tenant-12/` against `tenant-480/`), as when a
/// broker scans all its filters; and `related` pairs, where the filter starts with the topic's
/// first level, so that most comparisons go deep and many pairs match.
fn pairs(c: &mut Criterion) {
    const FILTERS_PER_TOPIC: usize = 10;
    let filters = filters(10_000, 1);
    let topics = topics(100_000, 2);
    let mut by_first_level: HashMap<&[u8], Vec<usize>> = HashMap::new();
    for (i, filter) in filters.iter().enumerate() {
        let first = filter
            .as_bytes()
            .split(|&b| b == b'/')
            .next()
            .unwrap_or_default();
        by_first_level.entry(first).or_default().push(i);
    }
    let mut rng = Rng(3);
    let random: Vec<Vec<usize>> = topics
        .iter()
        .map(|_| {
            (0..FILTERS_PER_TOPIC)
                .map(|_| rng.below(filters.len() as u64) as usize)
                .collect()
        })
        .collect();
    let related: Vec<Vec<usize>> = topics
        .iter()
        .map(|topic| {
            let first = topic
                .as_bytes()
                .split(|&b| b == b'/')
                .next()
                .unwrap_or_default();
            let group = by_first_level.get(first);
            (0..FILTERS_PER_TOPIC)
                .map(|_| match group {
                    Some(group) => group[rng.below(group.len() as u64) as usize],
                    None => rng.below(filters.len() as u64) as usize,
                })
                .collect()
        })
        .collect();

    let run = |mix: &[Vec<usize>], f: fn(&TopicFilter, &TopicName) -> bool| {
        let mut matched = 0usize;
        for (topic, chosen) in topics.iter().zip(mix) {
            for &i in chosen {
                matched += usize::from(f(black_box(&filters[i]), black_box(topic)));
            }
        }
        matched
    };

    let mut group = c.benchmark_group("topic/pairs");
    group
        .throughput(Throughput::Elements(
            (topics.len() * FILTERS_PER_TOPIC) as u64,
        ))
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    for (label, mix) in [("random", &random), ("related", &related)] {
        let matched = run(mix, TopicFilter::matches);
        assert_eq!(matched, run(mix, split_matches));
        println!(
            "topic/pairs/{label}: {matched} of {} pairs match",
            topics.len() * FILTERS_PER_TOPIC
        );
        group.bench_function(format!("{label}/matches"), |b| {
            b.iter(|| run(mix, TopicFilter::matches))
        });
        group.bench_function(format!("{label}/split_baseline"), |b| {
            b.iter(|| run(mix, split_matches))
        });
    }
    group.finish();

    // One topic against every filter, the way a broker without an index would route it.
    let mut group = c.benchmark_group("topic/scan");
    group
        .throughput(Throughput::Elements(filters.len() as u64))
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(2));
    let mut i = 0;
    group.bench_function("10k_filters", |b| {
        b.iter(|| {
            i = (i + 1) % topics.len();
            let topic = &topics[i];
            filters.iter().filter(|f| f.matches(topic)).count()
        })
    });
    group.finish();
}

fn build(filters: &[TopicFilter]) -> SubscriptionTree<u32> {
    let mut tree = SubscriptionTree::new();
    for (client, filter) in (0u32..).zip(filters) {
        tree.insert(filter, client);
    }
    tree
}

/// Inserting 10k, 100k and 1M filters, then matching topics against the tree.
fn tree(c: &mut Criterion) {
    let topics = topics(10_000, 5);
    for n in [10_000, 100_000, 1_000_000] {
        let filters = filters(n, 4);
        let label = match n {
            10_000 => "10k",
            100_000 => "100k",
            _ => "1M",
        };

        let (bytes_before, blocks_before) = (LIVE_BYTES.load(Relaxed), LIVE_BLOCKS.load(Relaxed));
        let tree = build(&filters);
        let bytes = LIVE_BYTES.load(Relaxed) - bytes_before;
        let blocks = LIVE_BLOCKS.load(Relaxed) - blocks_before;
        let matched: usize = topics.iter().map(|t| tree.matches(t).count()).sum();
        println!(
            "topic/tree/{label}: {bytes} bytes in {blocks} blocks for {n} subscriptions: \
             {:.1} bytes and {:.2} blocks per subscription; {:.2} matches per topic",
            bytes as f64 / n as f64,
            blocks as f64 / n as f64,
            matched as f64 / topics.len() as f64,
        );

        let mut group = c.benchmark_group("topic/tree/insert");
        group
            .throughput(Throughput::Elements(n as u64))
            .sampling_mode(SamplingMode::Flat)
            .sample_size(10)
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(if n >= 1_000_000 { 10 } else { 3 }));
        group.bench_function(BenchmarkId::from_parameter(label), |b| {
            b.iter_with_large_drop(|| build(&filters))
        });
        group.finish();

        let mut group = c.benchmark_group("topic/tree/match");
        group
            .throughput(Throughput::Elements(topics.len() as u64))
            .sample_size(10)
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(3));
        group.bench_function(BenchmarkId::from_parameter(label), |b| {
            b.iter(|| {
                let mut values = 0u64;
                for topic in &topics {
                    for &client in tree.matches(black_box(topic)) {
                        values += u64::from(client);
                    }
                }
                values
            })
        });
        group.finish();
    }
}

criterion_group!(benches, pairs, tree);
criterion_main!(benches);
