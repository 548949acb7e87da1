//! `RetainedIndex`: conformance tests named after the statements of section 3.3.1.3 and 4.7.2
//! an index takes part in, and a differential test against a naive model (a list of retained
//! messages scanned with `TopicFilter::matches`).

use mqttwire::{RetainedIndex, TopicFilter, TopicName};
use proptest::prelude::*;

#[path = "common/topic_text.rs"]
mod topic_text;
use topic_text::{filters_of, names_of};

fn name(s: &str) -> TopicName {
    TopicName::new(s).unwrap()
}

fn filter(s: &str) -> TopicFilter {
    TopicFilter::new(s).unwrap()
}

/// The `(topic, value)` pairs `filter` finds, sorted.
fn found(index: &RetainedIndex<u32>, f: &str) -> Vec<(String, u32)> {
    let f = filter(f);
    let mut v: Vec<(String, u32)> = index
        .matching(&f)
        .map(|(t, v)| (t.as_str().to_owned(), *v))
        .collect();
    v.sort();
    v
}

fn pairs(list: &[(&str, u32)]) -> Vec<(String, u32)> {
    list.iter().map(|(t, v)| ((*t).to_owned(), *v)).collect()
}

/// [MQTT-3.3.1-5]: a retained PUBLISH replaces the topic's retained message, which later
/// subscribers whose filters match the topic receive.
#[test]
fn mqtt_3_3_1_5_replace_and_deliver_to_future_subscribers() {
    let mut index = RetainedIndex::new();
    assert_eq!(index.set(&name("a/b"), 1), None);
    assert_eq!(index.set(&name("a/b"), 2), Some(1));
    assert_eq!(index.len(), 1);
    assert_eq!(index.get(&name("a/b")), Some(&2));
    assert_eq!(found(&index, "a/+"), pairs(&[("a/b", 2)]));
    assert_eq!(found(&index, "a/b"), pairs(&[("a/b", 2)]));
    assert_eq!(found(&index, "a/c"), pairs(&[]));
}

/// [MQTT-3.3.1-6], [MQTT-3.3.1-7]: an empty retained payload removes the retained message and
/// is not stored itself: future subscribers receive nothing for the topic.
#[test]
fn mqtt_3_3_1_6_and_7_an_empty_payload_clears() {
    let mut index = RetainedIndex::new();
    index.set(&name("a/b"), 1);
    index.set(&name("a/b/c"), 2);
    assert_eq!(index.clear(&name("a/b")), Some(1));
    assert_eq!(index.get(&name("a/b")), None);
    assert_eq!(index.len(), 1);
    assert_eq!(found(&index, "a/#"), pairs(&[("a/b/c", 2)]));
    // Clearing a topic without a retained message changes nothing.
    assert_eq!(index.clear(&name("a")), None);
    assert_eq!(index.clear(&name("x/y")), None);
    assert_eq!(index.len(), 1);
}

/// [MQTT-4.7.2-1]: filters starting with a wildcard do not match topics beginning with `$`;
/// filters starting with `$` do, and a wildcard at a later level matches `$` levels.
#[test]
fn mqtt_4_7_2_1_wildcards_at_the_first_level_skip_dollar_topics() {
    let mut index = RetainedIndex::new();
    index.set(&name("$SYS/uptime"), 1);
    index.set(&name("$"), 2);
    index.set(&name("a/$x"), 3);
    index.set(&name("b"), 4);
    assert_eq!(found(&index, "#"), pairs(&[("a/$x", 3), ("b", 4)]));
    assert_eq!(found(&index, "+"), pairs(&[("b", 4)]));
    assert_eq!(found(&index, "+/uptime"), pairs(&[]));
    assert_eq!(found(&index, "+/#"), pairs(&[("a/$x", 3), ("b", 4)]));
    assert_eq!(found(&index, "$SYS/#"), pairs(&[("$SYS/uptime", 1)]));
    assert_eq!(found(&index, "$SYS/+"), pairs(&[("$SYS/uptime", 1)]));
    assert_eq!(found(&index, "$"), pairs(&[("$", 2)]));
    assert_eq!(found(&index, "a/+"), pairs(&[("a/$x", 3)]));
}

/// [MQTT-4.7.1-2] and [MQTT-4.7.1-3] as a retained lookup sees them: `#` matches its parent
/// level, `+` an empty level, and levels are compared exactly.
#[test]
fn mqtt_4_7_1_2_and_3_wildcards_in_a_retained_lookup() {
    let mut index = RetainedIndex::new();
    for (i, t) in [
        "sport",
        "sport/",
        "sport/tennis",
        "/finance",
        "finance",
        "Sport",
    ]
    .into_iter()
    .enumerate()
    {
        index.set(&name(t), i as u32);
    }
    assert_eq!(
        found(&index, "sport/#"),
        pairs(&[("sport", 0), ("sport/", 1), ("sport/tennis", 2)])
    );
    assert_eq!(
        found(&index, "sport/+"),
        pairs(&[("sport/", 1), ("sport/tennis", 2)])
    );
    assert_eq!(
        found(&index, "+/+"),
        pairs(&[("/finance", 3), ("sport/", 1), ("sport/tennis", 2)])
    );
    assert_eq!(found(&index, "finance"), pairs(&[("finance", 4)]));
}

/// The case that stalled EMQX (emqx #6014): `+/hello/#` over many retained topics finds the
/// few under `hello` and only those.
#[test]
fn plus_hello_hash_over_many_topics() {
    let mut index = RetainedIndex::new();
    for site in 0..50u32 {
        for device in 0..200u32 {
            index.set(
                &name(&format!("site-{site}/sensors/device-{device}/t")),
                site * 1000 + device,
            );
        }
    }
    for site in [3u32, 17] {
        index.set(&name(&format!("site-{site}/hello")), site);
        index.set(&name(&format!("site-{site}/hello/x/y")), site + 100);
    }
    assert_eq!(index.len(), 10_004);
    assert_eq!(
        found(&index, "+/hello/#"),
        pairs(&[
            ("site-17/hello", 17),
            ("site-17/hello/x/y", 117),
            ("site-3/hello", 3),
            ("site-3/hello/x/y", 103)
        ])
    );
}

fn level() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["", "a", "b", "ab", "$SYS", "$", "é"]).prop_map(String::from)
}

fn name_text() -> impl Strategy<Value = String> {
    names_of(level(), 1..5)
}

fn filter_text() -> impl Strategy<Value = String> {
    filters_of(level())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

    /// After any sequence of sets and clears, `get`, `len`, `iter` and `matching` agree with
    /// a list of retained messages scanned with `TopicFilter::matches`.
    #[test]
    fn agrees_with_a_scanned_list(
        ops in prop::collection::vec((name_text(), prop::option::of(any::<u32>())), 0..40),
        filters in prop::collection::vec(filter_text(), 1..8),
    ) {
        let mut index = RetainedIndex::new();
        let mut model: Vec<(TopicName, u32)> = Vec::new();
        for (topic, value) in &ops {
            let topic = name(topic);
            let old = model.iter().position(|(t, _)| *t == topic).map(|i| model.remove(i).1);
            match value {
                Some(v) => {
                    prop_assert_eq!(index.set(&topic, *v), old);
                    model.push((topic, *v));
                }
                None => prop_assert_eq!(index.clear(&topic), old),
            }
        }
        prop_assert_eq!(index.len(), model.len());
        let mut all: Vec<(String, u32)> =
            index.iter().map(|(t, v)| (t.as_str().to_owned(), *v)).collect();
        let mut expected: Vec<(String, u32)> =
            model.iter().map(|(t, v)| (t.as_str().to_owned(), *v)).collect();
        all.sort();
        expected.sort();
        prop_assert_eq!(all, expected);
        for (t, v) in &model {
            prop_assert_eq!(index.get(t), Some(v));
        }
        for f in &filters {
            let parsed = filter(f);
            let mut expected: Vec<(String, u32)> = model
                .iter()
                .filter(|(t, _)| parsed.matches(t))
                .map(|(t, v)| (t.as_str().to_owned(), *v))
                .collect();
            expected.sort();
            prop_assert_eq!(found(&index, f), expected, "filter {}", f);
        }
    }
}
