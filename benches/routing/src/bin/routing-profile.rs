//! One kind of lookup, repeated, for a profiler: `routing-profile WORKLOAD N KIND [ROUNDS]`
//! (`emqx`|`iot`, filters, `hit`|`exact`|`miss`). Builds the index and the sample as the timing
//! binary does, then looks up the sample's topics of that kind, in the sample's order, `ROUNDS`
//! times (default 50) inside `lookups`, the one function to profile:
//!
//! ```sh
//! valgrind --tool=callgrind --toggle-collect='*lookups*' --cache-sim=yes \
//!     target/release/routing-profile emqx 100000 exact 5
//! perf record -e cpu-clock -g target/release/routing-profile emqx 100000 exact 200
//! ```

use mqttwire::TopicName;
use mqttwire_routing::*;

#[inline(never)]
fn lookups(index: &Mqttwire, topics: &[TopicName], rounds: usize) -> usize {
    let mut found = 0usize;
    for _ in 0..rounds {
        for topic in topics {
            found = found.wrapping_add(consume(index.lookup(consume(topic))));
        }
    }
    found
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let usage = "usage: routing-profile emqx|iot N hit|exact|miss [ROUNDS]";
    let workload = match args.get(1).map(String::as_str) {
        Some("emqx") => Workload::Emqx,
        Some("iot") => Workload::Iot,
        _ => panic!("{usage}"),
    };
    let n: usize = args.get(2).and_then(|a| a.parse().ok()).expect(usage);
    let kind = match args.get(3).map(String::as_str) {
        Some("hit") => Kind::Hit,
        Some("exact") => Kind::ExactHit,
        Some("miss") => Kind::Miss,
        _ => panic!("{usage}"),
    };
    let rounds: usize = args.get(4).and_then(|a| a.parse().ok()).unwrap_or(50);
    let filters = workload.filters(n);
    let index = Mqttwire::build(&filters);
    let sample = sample_unchecked(workload, &filters, 20_000, &index);
    let topics: Vec<TopicName> = sample
        .iter()
        .filter(|(_, k, _)| *k == kind)
        .map(|(t, _, _)| Mqttwire::prepare(t))
        .collect();
    let start = std::time::Instant::now();
    let found = lookups(&index, &topics, rounds);
    let lookups_done = topics.len() * rounds;
    eprintln!(
        "{} lookups, {found} values, {:.0} ns each (loop, not the benchmark's method)",
        lookups_done,
        start.elapsed().as_nanos() as f64 / lookups_done as f64
    );
}
