//! The workloads and the indexes under comparison, shared by the timing binary (`main.rs`,
//! system allocator) and the counting one (`bin/routing-allocs.rs`).
//!
//! Every index stores filter number `i` with the value `i` and answers a topic with the values
//! of the filters that match it; each index's topic type is made from the text before any
//! timing, so the times are those of the lookups alone.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::hint::black_box;
#[cfg(feature = "rmqtt")]
use std::str::FromStr;

use mqttwire::{RetainedIndex, SubscriptionTree, TopicFilter, TopicName};

/// xorshift64*: deterministic, so every run measures the same workload.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
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

/// The shapes of subscriptions measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Workload {
    /// EMQX's benchmark shape: half `device/{id}/+/{num}/#`, half exact
    /// `device/{id}/{kind}/{num}/{field}` filters.
    Emqx,
    /// An IoT broker's mix (as in `benches/criterion/benches/topic.rs`): 70% exact
    /// `tenant-T/site-S/device-D/metric` filters, the rest with `+` or a final `#`, and
    /// per-household filters.
    Iot,
}

impl Workload {
    pub fn name(self) -> &'static str {
        match self {
            Workload::Emqx => "EMQX shape",
            Workload::Iot => "IoT mix",
        }
    }

    /// `n` filters, deterministic for a given `n`.
    pub fn filters(self, n: usize) -> Vec<String> {
        let mut rng = Rng(0x5eed ^ n as u64);
        (0..n)
            .map(|i| match self {
                Workload::Emqx => {
                    let id = i / 2;
                    let num = rng.below(10);
                    if i % 2 == 0 {
                        format!("device/{id}/+/{num}/#")
                    } else {
                        let kind = rng.pick(&METRICS);
                        format!("device/{id}/{kind}/{num}/value")
                    }
                }
                Workload::Iot => iot_filter(&mut rng, n),
            })
            .collect()
    }

    /// A topic made from `filter` by giving its wildcards levels: a topic the filter matches.
    pub fn hit_from(rng: &mut Rng, filter: &str) -> String {
        let mut levels = Vec::new();
        for level in filter.split('/') {
            match level {
                "+" => levels.push(format!("x{}", rng.below(4))),
                "#" => {
                    for _ in 0..rng.below(3) {
                        levels.push(String::from(rng.pick(&METRICS)));
                    }
                }
                literal => levels.push(String::from(literal)),
            }
        }
        if levels.is_empty() {
            levels.push(String::from("x"));
        }
        levels.join("/")
    }

    /// A topic shaped like this workload's, which may or may not match a filter.
    pub fn any_topic(self, rng: &mut Rng, n: usize) -> String {
        match self {
            Workload::Emqx => format!(
                "device/{}/{}/{}/value",
                rng.below(n as u64),
                rng.pick(&METRICS),
                rng.below(10)
            ),
            Workload::Iot => {
                let (t, s, d) = iot_device(rng, n);
                format!("tenant-{t}/site-{s}/device-{d}/{}", rng.pick(&METRICS))
            }
        }
    }
}

/// Tenants × sites × devices, scaled so that `n` filters cover about 1% of the devices'
/// metrics: 70% of the filters are exact ones, and a random device topic still misses most.
fn iot_device(rng: &mut Rng, n: usize) -> (u64, u64, u64) {
    let tenants = (n as u64 / 1_000).max(10);
    (rng.below(tenants), rng.below(100), rng.below(10))
}

fn iot_filter(rng: &mut Rng, n: usize) -> String {
    let (t, s, d) = iot_device(rng, n);
    let metric = rng.pick(&METRICS);
    let homes = (n as u64 / 10).max(10);
    match rng.below(10_000) {
        0..=6_999 => format!("tenant-{t}/site-{s}/device-{d}/{metric}"),
        7_000..=7_999 => format!("tenant-{t}/site-{s}/+/{metric}"),
        8_000..=8_799 => format!("tenant-{t}/site-{s}/device-{d}/#"),
        8_800..=8_899 => format!("tenant-{t}/+/+/{metric}"),
        _ => {
            let h = rng.below(homes);
            match rng.below(3) {
                0 => format!("home-{h}/{}/{}", rng.pick(&ROOMS), rng.pick(&SENSORS)),
                1 => format!("home-{h}/+/{}", rng.pick(&SENSORS)),
                _ => format!("home-{h}/#"),
            }
        }
    }
}

/// What a topic of the sample is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Matches at least one filter, one with a wildcard among them.
    Hit,
    /// Matches exact (wildcard-free) filters only.
    ExactHit,
    /// Matches no filter.
    Miss,
}

/// The topics to look up: `count` of them, 70% made from a stored filter (hits), 30% that match
/// nothing (misses), each with its kind and the values a correct index answers (from a linear
/// scan of `TopicFilter::matches` over the filters).
pub fn sample(
    workload: Workload,
    filters: &[String],
    count: usize,
) -> Vec<(String, Kind, Vec<u32>)> {
    let parsed: Vec<TopicFilter> = filters
        .iter()
        .map(|f| TopicFilter::new(f).unwrap())
        .collect();
    let tree = Mqttwire::build(filters);
    sample_with(workload, filters, count, &tree, |name| {
        parsed
            .iter()
            .zip(0u32..)
            .filter(|(f, _)| f.matches(name))
            .map(|(_, i)| i)
            .collect()
    })
}

/// The same topics as [`sample`], answered by `tree` (built from `filters`) instead of the
/// linear scan: for a profiler, which would take hours over the scan.
pub fn sample_unchecked(
    workload: Workload,
    filters: &[String],
    count: usize,
    tree: &Mqttwire,
) -> Vec<(String, Kind, Vec<u32>)> {
    sample_with(workload, filters, count, tree, |name| {
        tree.0.matches(name).copied().collect()
    })
}

fn sample_with(
    workload: Workload,
    filters: &[String],
    count: usize,
    tree: &Mqttwire,
    mut answer: impl FnMut(&TopicName) -> Vec<u32>,
) -> Vec<(String, Kind, Vec<u32>)> {
    let mut rng = Rng(0xfeed ^ filters.len() as u64);
    let mut out = Vec::with_capacity(count);
    let mut hits = 0usize;
    let want_hits = count * 7 / 10;
    while out.len() < count {
        let text = if hits < want_hits {
            let f = &filters[rng.below(filters.len() as u64) as usize];
            Workload::hit_from(&mut rng, f)
        } else {
            workload.any_topic(&mut rng, filters.len())
        };
        let name = TopicName::new(&text).expect("valid topic");
        // The tree only picks misses quickly; the answer kept is `answer`'s.
        let misses_in_tree = tree.0.matches(&name).next().is_none();
        if hits >= want_hits && !misses_in_tree {
            continue;
        }
        let mut expected = answer(&name);
        expected.sort_unstable();
        let kind = if expected.is_empty() {
            Kind::Miss
        } else {
            hits += 1;
            if expected
                .iter()
                .all(|&i| !filters[i as usize].contains(['+', '#']))
            {
                Kind::ExactHit
            } else {
                Kind::Hit
            }
        };
        out.push((text, kind, expected));
    }
    out
}

/// A subscription index under comparison.
pub trait Index: Sized {
    /// Its name in the tables.
    const NAME: &'static str;
    /// Its own form of a topic name, made before timing.
    type Topic;
    fn build(filters: &[String]) -> Self;
    fn prepare(topic: &str) -> Self::Topic;
    /// Looks `topic` up and goes through every match: answers how many values matched.
    fn lookup(&self, topic: &Self::Topic) -> usize;
    /// The values that match `topic`, sorted, for the check against the linear scan.
    fn values(&self, topic: &Self::Topic) -> Vec<u32>;
    /// Removes filter `i`'s value.
    fn remove(&mut self, filter: &str, value: u32);
}

/// mqttwire's `SubscriptionTree`.
pub struct Mqttwire(SubscriptionTree<u32>);

impl Index for Mqttwire {
    const NAME: &'static str = "mqttwire SubscriptionTree";
    type Topic = TopicName;
    fn build(filters: &[String]) -> Self {
        let mut tree = SubscriptionTree::new();
        for (f, i) in filters.iter().zip(0u32..) {
            tree.insert(&TopicFilter::new(f).unwrap(), i);
        }
        Mqttwire(tree)
    }
    fn prepare(topic: &str) -> TopicName {
        TopicName::new(topic).unwrap()
    }
    fn lookup(&self, topic: &TopicName) -> usize {
        self.0.matches(topic).count()
    }
    fn values(&self, topic: &TopicName) -> Vec<u32> {
        let mut v: Vec<u32> = self.0.matches(topic).copied().collect();
        v.sort_unstable();
        v
    }
    fn remove(&mut self, filter: &str, value: u32) {
        self.0.remove(&TopicFilter::new(filter).unwrap(), &value);
    }
}

/// Every filter tried in turn with `TopicFilter::matches`: the reference.
pub struct LinearScan(Vec<(TopicFilter, u32)>);

impl Index for LinearScan {
    const NAME: &'static str = "linear scan";
    type Topic = TopicName;
    fn build(filters: &[String]) -> Self {
        LinearScan(
            filters
                .iter()
                .zip(0u32..)
                .map(|(f, i)| (TopicFilter::new(f).unwrap(), i))
                .collect(),
        )
    }
    fn prepare(topic: &str) -> TopicName {
        TopicName::new(topic).unwrap()
    }
    fn lookup(&self, topic: &TopicName) -> usize {
        self.0.iter().filter(|(f, _)| f.matches(topic)).count()
    }
    fn values(&self, topic: &TopicName) -> Vec<u32> {
        self.0
            .iter()
            .filter(|(f, _)| f.matches(topic))
            .map(|(_, i)| *i)
            .collect()
    }
    fn remove(&mut self, filter: &str, value: u32) {
        if let Some(at) = self.0.iter().position(|(f, v)| *v == value && f == filter) {
            self.0.swap_remove(at);
        }
    }
}

/// The textbook trie: a `HashMap` of children per level, `+` and `#` beside them.
#[derive(Default)]
pub struct HashTrie {
    children: HashMap<String, HashTrie>,
    plus: Option<Box<HashTrie>>,
    values: Vec<u32>,
    multi: Vec<u32>,
}

impl HashTrie {
    fn collect(&self, levels: &[&str], first: bool, out: &mut Vec<u32>) {
        let system = first && levels.first().is_some_and(|l| l.starts_with('$'));
        if !system {
            out.extend_from_slice(&self.multi);
        }
        let Some((level, rest)) = levels.split_first() else {
            out.extend_from_slice(&self.values);
            return;
        };
        if let Some(child) = self.children.get(*level) {
            child.collect_or_end(rest, out);
        }
        if !system {
            if let Some(plus) = &self.plus {
                plus.collect_or_end(rest, out);
            }
        }
    }

    fn collect_or_end(&self, rest: &[&str], out: &mut Vec<u32>) {
        if rest.is_empty() {
            out.extend_from_slice(&self.values);
            out.extend_from_slice(&self.multi);
        } else {
            self.collect(rest, false, out);
        }
    }

    fn node_mut(&mut self, filter: &str) -> (&mut HashTrie, bool) {
        let (body, multi) = match filter.strip_suffix("#") {
            Some("") => (None, true),
            Some(body) => (Some(body.strip_suffix('/').unwrap_or(body)), true),
            None => (Some(filter), false),
        };
        let mut node = self;
        for level in body.into_iter().flat_map(|b| b.split('/')) {
            node = if level == "+" {
                node.plus.get_or_insert_with(Default::default)
            } else {
                node.children.entry(level.to_owned()).or_default()
            };
        }
        (node, multi)
    }
}

impl Index for HashTrie {
    const NAME: &'static str = "HashMap-per-level trie";
    type Topic = String;
    fn build(filters: &[String]) -> Self {
        let mut trie = HashTrie::default();
        for (f, i) in filters.iter().zip(0u32..) {
            let (node, multi) = trie.node_mut(f);
            if multi {
                node.multi.push(i);
            } else {
                node.values.push(i);
            }
        }
        trie
    }
    fn prepare(topic: &str) -> String {
        topic.to_owned()
    }
    fn lookup(&self, topic: &String) -> usize {
        let levels: Vec<&str> = topic.split('/').collect();
        let mut out = Vec::new();
        self.collect(&levels, true, &mut out);
        out.len()
    }
    fn values(&self, topic: &String) -> Vec<u32> {
        let levels: Vec<&str> = topic.split('/').collect();
        let mut out = Vec::new();
        self.collect(&levels, true, &mut out);
        out.sort_unstable();
        out
    }
    fn remove(&mut self, filter: &str, value: u32) {
        // Values only: the baseline does not free nodes.
        let (node, multi) = self.node_mut(filter);
        let slot = if multi {
            &mut node.multi
        } else {
            &mut node.values
        };
        if let Some(at) = slot.iter().position(|v| *v == value) {
            slot.swap_remove(at);
        }
    }
}

/// rmqtt's `TopicTree` (the trie its router uses).
#[cfg(feature = "rmqtt")]
pub struct Rmqtt(rmqtt::trie::TopicTree<u32>);

#[cfg(feature = "rmqtt")]
impl Index for Rmqtt {
    const NAME: &'static str = "rmqtt TopicTree";
    type Topic = rmqtt::topic::Topic;
    fn build(filters: &[String]) -> Self {
        let mut tree = rmqtt::trie::TopicTree::default();
        for (f, i) in filters.iter().zip(0u32..) {
            tree.insert(&rmqtt::topic::Topic::from_str(f).unwrap(), i);
        }
        Rmqtt(tree)
    }
    fn prepare(topic: &str) -> Self::Topic {
        rmqtt::topic::Topic::from_str(topic).unwrap()
    }
    fn lookup(&self, topic: &Self::Topic) -> usize {
        self.0
            .matches(topic)
            .iter()
            .map(|(_, values)| values.len())
            .sum()
    }
    fn values(&self, topic: &Self::Topic) -> Vec<u32> {
        let mut v: Vec<u32> = self
            .0
            .matches(topic)
            .iter()
            .flat_map(|(_, values)| values.into_iter().copied())
            .collect();
        v.sort_unstable();
        v
    }
    fn remove(&mut self, filter: &str, value: u32) {
        self.0
            .remove(&rmqtt::topic::Topic::from_str(filter).unwrap(), &value);
    }
}

/// mqtt-topic-engine's `TopicMatcherNode`, values in a `HashSet` per filter.
pub struct TopicEngine(mqtt_topic_engine::topic_matcher::TopicMatcherNode<HashSet<u32>>);

impl Index for TopicEngine {
    const NAME: &'static str = "mqtt-topic-engine";
    type Topic = mqtt_topic_engine::TopicPath;
    fn build(filters: &[String]) -> Self {
        let mut node = mqtt_topic_engine::topic_matcher::TopicMatcherNode::<HashSet<u32>>::new();
        for (f, i) in filters.iter().zip(0u32..) {
            let path = mqtt_topic_engine::TopicPatternPath::new_from_string(
                f.as_str(),
                mqtt_topic_engine::CacheStrategy::NoCache,
            )
            .unwrap();
            node.get_or_create_subscription_table(&path).insert(i);
        }
        TopicEngine(node)
    }
    fn prepare(topic: &str) -> Self::Topic {
        mqtt_topic_engine::TopicPath::new(topic.to_owned()).unwrap()
    }
    fn lookup(&self, topic: &Self::Topic) -> usize {
        self.0.find_by_path(topic).iter().map(|set| set.len()).sum()
    }
    fn values(&self, topic: &Self::Topic) -> Vec<u32> {
        let mut v: Vec<u32> = self
            .0
            .find_by_path(topic)
            .iter()
            .flat_map(|set| set.iter().copied())
            .collect();
        v.sort_unstable();
        v
    }
    fn remove(&mut self, filter: &str, value: u32) {
        let path = mqtt_topic_engine::TopicPatternPath::new_from_string(
            filter,
            mqtt_topic_engine::CacheStrategy::NoCache,
        )
        .unwrap();
        let _ = self.0.update_node(path.slice(), |set| {
            set.remove(&value);
        });
    }
}

/// mqtt_topic_tree's `TopicTree` (client ids as values).
pub struct TopicTreeCrate(mqtt_topic_tree::TopicTree);

impl Index for TopicTreeCrate {
    const NAME: &'static str = "mqtt_topic_tree";
    type Topic = mqtt_topic_tree::TopicName;
    fn build(filters: &[String]) -> Self {
        let mut tree = mqtt_topic_tree::TopicTree::default();
        for (f, i) in filters.iter().zip(0u64..) {
            let filter = mqtt_topic_tree::TopicFilter::try_from(f.clone()).unwrap();
            tree.add_subscription(filter, i, mqtt_topic_tree::QoS::Level0);
        }
        TopicTreeCrate(tree)
    }
    fn prepare(topic: &str) -> Self::Topic {
        mqtt_topic_tree::TopicName::try_from(topic.to_owned()).unwrap()
    }
    fn lookup(&self, topic: &Self::Topic) -> usize {
        self.0.get_subscriptions(topic).len()
    }
    fn values(&self, topic: &Self::Topic) -> Vec<u32> {
        let mut v: Vec<u32> = self
            .0
            .get_subscriptions(topic)
            .iter()
            .map(|s| s.client_id as u32)
            .collect();
        v.sort_unstable();
        v
    }
    fn remove(&mut self, filter: &str, value: u32) {
        let filter = mqtt_topic_tree::TopicFilter::try_from(filter.to_owned()).unwrap();
        self.0.remove_subscription(filter, u64::from(value));
    }
}

/// quill-pubsub's `Registry`.
pub struct Quill(quill::Registry<u32>);

impl Index for Quill {
    const NAME: &'static str = "quill-pubsub";
    type Topic = quill::Topic;
    fn build(filters: &[String]) -> Self {
        let registry = quill::Registry::new();
        for (f, i) in filters.iter().zip(0u32..) {
            registry.subscribe(quill::Pattern::parse(f).unwrap(), i);
        }
        Quill(registry)
    }
    fn prepare(topic: &str) -> Self::Topic {
        quill::Topic::parse(topic).unwrap()
    }
    fn lookup(&self, topic: &Self::Topic) -> usize {
        self.0.matching(topic).len()
    }
    fn values(&self, topic: &Self::Topic) -> Vec<u32> {
        let mut v = self.0.matching(topic);
        v.sort_unstable();
        v
    }
    fn remove(&mut self, filter: &str, value: u32) {
        self.0
            .unsubscribe(&quill::Pattern::parse(filter).unwrap(), &value);
    }
}

/// Which of `sample`'s topics `index` answers rightly (against the linear scan's answers),
/// wrongly, or panics on.
pub fn check<I: Index>(index: &I, sample: &[(String, Kind, Vec<u32>)]) -> Vec<Answer> {
    sample
        .iter()
        .map(|(text, _, expected)| {
            let answer = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                index.values(&I::prepare(text))
            }));
            match answer {
                Ok(values) if values == *expected => Answer::Right,
                Ok(_) => Answer::Wrong,
                Err(_) => Answer::Panics,
            }
        })
        .collect()
}

/// How an index answered one topic.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    Right,
    Wrong,
    Panics,
}

/// Silences the panic messages of the indexes that panic: they are counted instead.
pub fn quiet_panics() {
    std::panic::set_hook(Box::new(|_| {}));
}

/// Whether `I` builds and answers without panicking on these filters (two of the crates panic
/// on some inputs).
pub fn try_build<I: Index>(filters: &[String]) -> Option<I> {
    std::panic::catch_unwind(|| I::build(filters)).ok()
}

/// The distinct values an index must hold: a filter that appears twice holds two values.
pub fn distinct_filters(filters: &[String]) -> usize {
    filters.iter().collect::<BTreeSet<_>>().len()
}

/// Retained messages shaped like `site-S/KIND/device-D/metric`, with a few `site-S/hello/...`
/// among them: what `+/hello/#` finds (emqx #6014).
pub fn retained_topics(n: usize, hello: usize) -> Vec<String> {
    let mut rng = Rng(0x7e7a ^ n as u64);
    let kinds = ["sensors", "actuators", "meters", "gateways"];
    let mut topics: Vec<String> = (0..n.saturating_sub(hello))
        .map(|i| {
            format!(
                "site-{}/{}/device-{i}/{}",
                rng.below(100),
                rng.pick(&kinds),
                rng.pick(&METRICS)
            )
        })
        .collect();
    topics.extend((0..hello).map(|i| format!("site-{}/hello/{i}", i * 7 % 100)));
    topics
}

/// The retained index to time: mqttwire's, and the scan a broker without one does.
pub fn retained_index(topics: &[String]) -> RetainedIndex<u32> {
    topics
        .iter()
        .zip(0u32..)
        .map(|(t, i)| (TopicName::new(t).unwrap(), i))
        .collect()
}

/// Keeps the optimiser from dropping a result.
pub fn consume<T>(value: T) -> T {
    black_box(value)
}
