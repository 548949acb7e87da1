//! `SubscriptionIndex` and `SharedFilter`: conformance tests named after the statements of
//! sections 3.3.4, 3.8.3, 3.8.4 and 4.8.2 an index takes part in, the share policies, and a
//! differential test against a naive model (lists of subscriptions scanned with
//! `TopicFilter::matches`).

use mqttwire::{
    Deliveries, HashPublisher, QoS, Random, RoundRobin, ShareChoice, ShareError, ShareGroup,
    SharedFilter, SubscriptionIndex, SubscriptionOptions, TopicFilter, TopicName,
};
use proptest::prelude::*;
use std::num::NonZeroU32;

fn name(s: &str) -> TopicName {
    TopicName::new(s).unwrap()
}

fn filter(s: &str) -> TopicFilter {
    TopicFilter::new(s).unwrap()
}

fn id(n: u32) -> Option<NonZeroU32> {
    NonZeroU32::new(n)
}

fn qos(q: QoS) -> SubscriptionOptions {
    SubscriptionOptions::new(q)
}

/// Always the first member: makes shared deliveries predictable.
struct First;

impl<C> ShareChoice<C> for First {
    fn choose(&mut self, _: &ShareGroup<'_, C>) -> Option<usize> {
        Some(0)
    }

    fn peek(&self, _: &ShareGroup<'_, C>) -> Option<usize> {
        Some(0)
    }
}

/// A delivery as a comparable tuple: (client, qos, retain as published, shared, sorted ids).
type Row = (u32, QoS, bool, bool, Vec<u32>);

fn route(
    index: &SubscriptionIndex<u32>,
    topic: &str,
    publisher: Option<u32>,
    choice: &mut (impl ShareChoice<u32> + ?Sized),
) -> Vec<Row> {
    let mut out = Deliveries::new();
    rows(index.route(&name(topic), publisher.as_ref(), choice, &mut out))
}

/// [`route`] with [`SubscriptionIndex::preview`]: what routing would deliver now.
fn preview(
    index: &SubscriptionIndex<u32>,
    topic: &str,
    publisher: Option<u32>,
    choice: &(impl ShareChoice<u32> + ?Sized),
) -> Vec<Row> {
    let mut out = Deliveries::new();
    rows(index.preview(&name(topic), publisher.as_ref(), choice, &mut out))
}

fn rows(deliveries: &Deliveries<u32>) -> Vec<Row> {
    let mut rows: Vec<Row> = deliveries
        .iter()
        .map(|(d, ids)| {
            let mut ids = ids.to_vec();
            ids.sort_unstable();
            (d.client, d.qos, d.retain_as_published, d.shared, ids)
        })
        .collect();
    rows.sort();
    rows
}

/// [MQTT-4.8.2-1]: a Shared Subscription's filter starts with `$share/` and has a ShareName of
/// at least one character.
#[test]
fn mqtt_4_8_2_1_share_name_is_not_empty() {
    for text in ["$share//a", "$share//", "$share/"] {
        assert_eq!(
            SharedFilter::parse(&filter(text)),
            Err(ShareError::EmptyShareName),
            "{text}"
        );
        let mut index = SubscriptionIndex::new();
        assert_eq!(
            index.subscribe(1u32, &filter(text), qos(QoS::AtMostOnce), None),
            Err(ShareError::EmptyShareName)
        );
        assert!(index.is_empty());
    }
    // Not starting with `$share/`: an ordinary filter.
    for text in ["$share", "$sharex/a/b", "a/$share/g/b", "$SYS/#"] {
        assert_eq!(SharedFilter::parse(&filter(text)), Ok(None), "{text}");
    }
}

/// [MQTT-4.8.2-2]: the ShareName holds no `/`, `+` or `#` and is followed by `/` and a topic
/// filter.
#[test]
fn mqtt_4_8_2_2_share_name_then_a_filter() {
    for text in [
        "$share/g",
        "$share/g/",
        "$share/+/a",
        "$share/#",
        "$share/+",
    ] {
        assert_eq!(
            SharedFilter::parse(&filter(text)),
            Err(ShareError::Malformed),
            "{text}"
        );
    }
    let shared = SharedFilter::parse(&filter("$share/g/a/+/#"))
        .unwrap()
        .unwrap();
    assert_eq!(
        (shared.share_name(), shared.filter().as_str()),
        ("g", "a/+/#")
    );
}

/// Section 4.8.2: each message goes to one member of each share group, and to every
/// non-shared subscriber; the `$share/...` text never matches as a topic.
#[test]
fn one_member_per_group_and_every_plain_subscriber() {
    let mut index = SubscriptionIndex::new();
    for member in [1, 2, 3] {
        index
            .subscribe(member, &filter("$share/g/a/+"), qos(QoS::AtLeastOnce), None)
            .unwrap();
    }
    index
        .subscribe(4, &filter("$share/h/a/#"), qos(QoS::AtMostOnce), None)
        .unwrap();
    index
        .subscribe(5, &filter("a/b"), qos(QoS::AtMostOnce), None)
        .unwrap();
    index
        .subscribe(6, &filter("#"), qos(QoS::AtMostOnce), None)
        .unwrap();
    assert_eq!(index.len(), 6);
    let mut rr = RoundRobin::new();
    let mut chosen = Vec::new();
    for _ in 0..6 {
        let rows = route(&index, "a/b", None, &mut rr);
        let shared: Vec<u32> = rows.iter().filter(|r| r.3).map(|r| r.0).collect();
        let plain: Vec<u32> = rows.iter().filter(|r| !r.3).map(|r| r.0).collect();
        assert_eq!(plain, [5, 6]);
        assert_eq!(shared.len(), 2, "one per group: {rows:?}");
        assert!(shared.contains(&4));
        chosen.extend(shared.into_iter().filter(|&c| c != 4));
    }
    // Round robin: each member in turn.
    assert_eq!(chosen, [1, 2, 3, 1, 2, 3]);
    // The text of a shared filter is not an ordinary filter (`#` does not match `$` topics).
    let rows = route(&index, "$share/g/a/b", None, &mut rr);
    assert_eq!(rows, []);
}

/// Shared subscriptions for MQTT 3.1.1 clients alike: the index does not know the protocol,
/// and a 3.1.1 SUBSCRIBE carries the same text.
#[test]
fn shared_for_v311_and_v5_clients_alike() {
    let mut index = SubscriptionIndex::new();
    let v311 = SubscriptionOptions::new(QoS::AtLeastOnce);
    let v5 = SubscriptionOptions::new(QoS::AtLeastOnce).with_retain_as_published(true);
    index
        .subscribe(1u32, &filter("$share/g/t"), v311, None)
        .unwrap();
    index
        .subscribe(2u32, &filter("$share/g/t"), v5, id(9))
        .unwrap();
    let rows = route(&index, "t", None, &mut RoundRobin::new());
    assert_eq!(rows, [(1, QoS::AtLeastOnce, false, true, vec![])]);
}

/// Leaving a group: the last member's departure removes the group; a new group may reuse its
/// id; unsubscribing what does not exist answers false.
#[test]
fn unsubscribe_from_groups() {
    let mut index = SubscriptionIndex::new();
    let f = filter("$share/g/t");
    index
        .subscribe(1u32, &f, qos(QoS::AtMostOnce), None)
        .unwrap();
    index
        .subscribe(2u32, &f, qos(QoS::AtMostOnce), None)
        .unwrap();
    assert_eq!(index.unsubscribe(&1, &f), Ok(true));
    assert_eq!(index.unsubscribe(&1, &f), Ok(false));
    assert_eq!(
        route(&index, "t", None, &mut First),
        [(2, QoS::AtMostOnce, false, true, vec![])]
    );
    assert_eq!(index.unsubscribe(&2, &f), Ok(true));
    assert!(index.is_empty());
    assert_eq!(route(&index, "t", None, &mut First), []);
    assert_eq!(index.unsubscribe(&2, &filter("$share/other/t")), Ok(false));
    assert_eq!(
        index.unsubscribe(&2, &filter("$share//t")),
        Err(ShareError::EmptyShareName)
    );
    index
        .subscribe(3u32, &filter("$share/k/t"), qos(QoS::AtMostOnce), None)
        .unwrap();
    assert_eq!(
        route(&index, "t", None, &mut First),
        [(3, QoS::AtMostOnce, false, true, vec![])]
    );
}

/// [MQTT-3.3.4-2], [MQTT-3.3.4-3], [MQTT-3.3.4-4]: a client's overlapping subscriptions give
/// one delivery at the highest of their QoS, with every Subscription Identifier among them.
#[test]
fn mqtt_3_3_4_2_to_4_overlapping_subscriptions_merge() {
    let mut index = SubscriptionIndex::new();
    index
        .subscribe(1u32, &filter("a/#"), qos(QoS::AtMostOnce), id(1))
        .unwrap();
    index
        .subscribe(1, &filter("a/+"), qos(QoS::ExactlyOnce), id(2))
        .unwrap();
    index
        .subscribe(1, &filter("+/b"), qos(QoS::AtLeastOnce), None)
        .unwrap();
    index
        .subscribe(1, &filter("a/b"), qos(QoS::AtMostOnce), id(3))
        .unwrap();
    index
        .subscribe(2, &filter("a/b"), qos(QoS::AtLeastOnce), id(3))
        .unwrap();
    assert_eq!(
        route(&index, "a/b", None, &mut First),
        [
            (1, QoS::ExactlyOnce, false, false, vec![1, 2, 3]),
            (2, QoS::AtLeastOnce, false, false, vec![3]),
        ]
    );
    assert_eq!(
        route(&index, "a/c", None, &mut First),
        [(1, QoS::ExactlyOnce, false, false, vec![1, 2])]
    );
}

/// [MQTT-3.3.4-5]: a shared subscription's delivery is a copy of its own, with its own
/// Subscription Identifier, beside the client's non-shared delivery (section 4.8.2).
#[test]
fn mqtt_3_3_4_5_shared_copy_has_its_own_identifier() {
    let mut index = SubscriptionIndex::new();
    index
        .subscribe(1u32, &filter("a/+"), qos(QoS::AtMostOnce), id(1))
        .unwrap();
    index
        .subscribe(1, &filter("$share/g/a/b"), qos(QoS::AtLeastOnce), id(2))
        .unwrap();
    assert_eq!(
        route(&index, "a/b", None, &mut First),
        [
            (1, QoS::AtMostOnce, false, false, vec![1]),
            (1, QoS::AtLeastOnce, false, true, vec![2]),
        ]
    );
}

/// [MQTT-3.8.3-3]: with No Local, a message is not delivered to the client that published it;
/// the client's other matching subscriptions still deliver.
#[test]
fn mqtt_3_8_3_3_no_local() {
    let mut index = SubscriptionIndex::new();
    let no_local = qos(QoS::AtLeastOnce).with_no_local(true);
    index
        .subscribe(1u32, &filter("chat/+"), no_local, id(1))
        .unwrap();
    index
        .subscribe(2, &filter("chat/+"), no_local, id(2))
        .unwrap();
    assert_eq!(
        route(&index, "chat/room", Some(1), &mut First),
        [(2, QoS::AtLeastOnce, false, false, vec![2])]
    );
    assert_eq!(route(&index, "chat/room", None, &mut First).len(), 2);
    index
        .subscribe(1, &filter("chat/#"), qos(QoS::AtMostOnce), id(3))
        .unwrap();
    assert_eq!(
        route(&index, "chat/room", Some(1), &mut First),
        [
            (1, QoS::AtMostOnce, false, false, vec![3]),
            (2, QoS::AtLeastOnce, false, false, vec![2]),
        ]
    );
}

/// [MQTT-3.8.4-3]: a SUBSCRIBE to a filter the client already has replaces that subscription
/// (its options and identifier), and `subscribe` tells it existed [MQTT-3.3.1-10] and whether
/// it is a shared one (which gets no retained messages, section 4.8.2).
#[test]
fn mqtt_3_8_4_3_resubscribe_replaces() {
    let mut index = SubscriptionIndex::new();
    let mut subscribe = |f: &str, options, i| {
        index
            .subscribe(1u32, &filter(f), options, i)
            .map(|s| (s.replaced, s.shared))
    };
    assert_eq!(
        subscribe("a", qos(QoS::AtMostOnce), id(1)),
        Ok((false, false))
    );
    assert_eq!(
        subscribe("a", qos(QoS::ExactlyOnce), id(2)),
        Ok((true, false))
    );
    let shared = "$share/g/a";
    assert_eq!(
        subscribe(shared, qos(QoS::AtMostOnce), None),
        Ok((false, true))
    );
    assert_eq!(
        subscribe(shared, qos(QoS::AtLeastOnce), id(4)),
        Ok((true, true))
    );
    assert_eq!(index.len(), 2);
    assert_eq!(
        route(&index, "a", None, &mut First),
        [
            (1, QoS::AtLeastOnce, false, true, vec![4]),
            (1, QoS::ExactlyOnce, false, false, vec![2]),
        ]
    );
}

/// [MQTT-3.3.1-12], [MQTT-3.3.1-13]: the index tells whether the receiver asked for Retain As
/// Published, for the server to set the RETAIN flag.
#[test]
fn mqtt_3_3_1_12_and_13_retain_as_published() {
    let mut index = SubscriptionIndex::new();
    let rap = qos(QoS::AtMostOnce).with_retain_as_published(true);
    index.subscribe(1u32, &filter("a"), rap, None).unwrap();
    index
        .subscribe(2, &filter("a"), qos(QoS::AtMostOnce), None)
        .unwrap();
    let rows = route(&index, "a", None, &mut First);
    assert_eq!(
        rows.iter().map(|r| (r.0, r.2)).collect::<Vec<_>>(),
        [(1, true), (2, false)]
    );
}

/// [MQTT-4.7.2-1] through the index: `#` and `+` at the first level skip `$` topics.
#[test]
fn mqtt_4_7_2_1_through_the_index() {
    let mut index = SubscriptionIndex::new();
    index
        .subscribe(1u32, &filter("#"), qos(QoS::AtMostOnce), None)
        .unwrap();
    index
        .subscribe(2, &filter("$share/g/+/uptime"), qos(QoS::AtMostOnce), None)
        .unwrap();
    index
        .subscribe(3, &filter("$SYS/#"), qos(QoS::AtMostOnce), None)
        .unwrap();
    let rows = route(&index, "$SYS/uptime", None, &mut First);
    assert_eq!(rows, [(3, QoS::AtMostOnce, false, false, vec![])]);
}

#[test]
fn hash_and_random_policies() {
    let mut index = SubscriptionIndex::new();
    for member in 10..15u32 {
        index
            .subscribe(member, &filter("$share/g/t"), qos(QoS::AtMostOnce), None)
            .unwrap();
    }
    // One publisher's messages stick to one member; publishers spread over several.
    let mut seen = Vec::new();
    for publisher in 0..50u32 {
        let first = route(&index, "t", Some(publisher), &mut HashPublisher);
        assert_eq!(
            route(&index, "t", Some(publisher), &mut HashPublisher),
            first
        );
        assert_eq!(first.len(), 1);
        seen.push(first[0].0);
    }
    seen.sort_unstable();
    seen.dedup();
    assert!(seen.len() >= 3, "{seen:?}");
    // Without a publisher: the first member.
    assert_eq!(route(&index, "t", None, &mut HashPublisher)[0].0, 10);
    let mut random = Random::new(42);
    let mut picked = Vec::new();
    for _ in 0..100 {
        let rows = route(&index, "t", None, &mut random);
        assert_eq!(rows.len(), 1);
        picked.push(rows[0].0);
    }
    picked.sort_unstable();
    picked.dedup();
    assert_eq!(picked, [10, 11, 12, 13, 14]);
}

/// A policy picked at run time: `route` takes a `Box<dyn ShareChoice<C>>`, a
/// `&mut dyn ShareChoice<C>` and a `&mut` of a policy, each moving the same state on.
#[test]
fn policies_as_trait_objects() {
    let mut index = SubscriptionIndex::new();
    for member in [1u32, 2, 3] {
        index
            .subscribe(member, &filter("$share/g/t"), qos(QoS::AtMostOnce), None)
            .unwrap();
    }
    let mut policies: Vec<Box<dyn ShareChoice<u32>>> = vec![
        Box::new(RoundRobin::new()),
        Box::new(HashPublisher),
        Box::new(Random::new(7)),
        Box::new(First),
    ];
    for policy in &mut policies {
        assert_eq!(route(&index, "t", Some(9), policy).len(), 1);
    }
    let mut round_robin = RoundRobin::new();
    let member = |rows: Vec<Row>| rows[0].0;
    assert_eq!(member(route(&index, "t", None, &mut round_robin)), 1);
    let dynamic: &mut dyn ShareChoice<u32> = &mut round_robin;
    assert_eq!(member(route(&index, "t", None, dynamic)), 2);
    let mut boxed: Box<dyn ShareChoice<u32>> = Box::new(round_robin);
    assert_eq!(member(route(&index, "t", None, &mut &mut boxed)), 3);
    assert_eq!(member(route(&index, "t", None, &mut boxed)), 1);
}

/// `preview` shows what `route` delivers next, and moves no policy on: a preview repeated
/// gives the same deliveries, and the route after it gives them too.
#[test]
fn preview_leaves_the_policy_as_it_is() {
    let mut index = SubscriptionIndex::new();
    for member in 10..14u32 {
        index
            .subscribe(
                member,
                &filter("$share/g/t/#"),
                qos(QoS::AtLeastOnce),
                id(member),
            )
            .unwrap();
    }
    let no_local = qos(QoS::AtMostOnce).with_no_local(true);
    index.subscribe(1, &filter("t/+"), no_local, None).unwrap();
    index.subscribe(2, &filter("#"), no_local, id(2)).unwrap();
    let mut policies: Vec<Box<dyn ShareChoice<u32>>> = vec![
        Box::new(RoundRobin::new()),
        Box::new(HashPublisher),
        Box::new(Random::new(3)),
    ];
    for policy in &mut policies {
        let mut members = Vec::new();
        for publisher in [None, Some(1), Some(2), Some(5), Some(1), Some(11)] {
            let next = preview(&index, "t/x", publisher, policy);
            assert_eq!(preview(&index, "t/x", publisher, policy), next);
            assert_eq!(route(&index, "t/x", publisher, policy), next);
            // Two non-shared receivers but the publisher (No Local), and one member.
            let skipped = usize::from(matches!(publisher, Some(1 | 2)));
            assert_eq!(next.len(), 3 - skipped, "{next:?}");
            members.extend(next.iter().filter(|row| row.3).map(|row| row.0));
        }
        assert!(members.iter().all(|m| (10..14).contains(m)), "{members:?}");
    }
    // Round robin: the previews go round too, since each route moves it on.
    let mut round_robin = RoundRobin::new();
    let shared = |rows: Vec<Row>| rows.iter().find(|row| row.3).map(|row| row.0);
    let mut turns = Vec::new();
    for _ in 0..5 {
        let member = shared(preview(&index, "t/x", Some(1), &round_robin));
        assert_eq!(
            shared(route(&index, "t/x", Some(1), &mut round_robin)),
            member
        );
        turns.extend(member);
    }
    assert_eq!(turns, [10, 11, 12, 13, 10]);
}

/// Lookups take a borrowed form of the client type, as a map's do: an index of `Arc<str>` ids
/// is unsubscribed with a `&str`, for plain and shared subscriptions.
#[test]
fn unsubscribe_with_a_borrowed_id() {
    use std::sync::Arc;
    let mut index: SubscriptionIndex<Arc<str>> = SubscriptionIndex::new();
    let options = qos(QoS::AtMostOnce);
    for f in ["a/+", "$share/g/a/b"] {
        for client in ["one", "two"] {
            index
                .subscribe(Arc::from(client), &filter(f), options, None)
                .unwrap();
        }
    }
    assert_eq!(index.len(), 4);
    assert_eq!(index.unsubscribe("one", &filter("a/+")), Ok(true));
    assert_eq!(index.unsubscribe("one", &filter("a/+")), Ok(false));
    assert_eq!(index.unsubscribe("one", &filter("$share/g/a/b")), Ok(true));
    assert_eq!(
        index.unsubscribe("three", &filter("$share/g/a/b")),
        Ok(false)
    );
    let mut out = Deliveries::new();
    let receivers: Vec<&str> = index
        .route(&name("a/b"), None, &mut RoundRobin::new(), &mut out)
        .iter()
        .map(|(d, _)| &*d.client)
        .collect();
    assert_eq!(receivers, ["two", "two"]);
}

/// A member of a share group in the model: client, options, identifier.
type Member = (u32, SubscriptionOptions, Option<NonZeroU32>);

/// Subscriptions as plain lists: non-shared `(client, filter, options, id)` and groups
/// `(share name, filter, members in join order)`.
#[derive(Default)]
struct Model {
    plain: Vec<(u32, TopicFilter, SubscriptionOptions, Option<NonZeroU32>)>,
    groups: Vec<(String, TopicFilter, Vec<Member>)>,
}

impl Model {
    fn subscribe(
        &mut self,
        c: u32,
        f: &TopicFilter,
        o: SubscriptionOptions,
        i: Option<NonZeroU32>,
    ) -> bool {
        match SharedFilter::parse(f).unwrap() {
            None => {
                let old = self
                    .plain
                    .iter()
                    .position(|(pc, pf, ..)| *pc == c && pf == f);
                match old {
                    Some(at) => self.plain[at] = (c, f.clone(), o, i),
                    None => self.plain.push((c, f.clone(), o, i)),
                }
                old.is_some()
            }
            Some(s) => {
                let at = match self
                    .groups
                    .iter()
                    .position(|(n, gf, _)| n == s.share_name() && gf == s.filter())
                {
                    Some(at) => at,
                    None => {
                        self.groups.push((
                            s.share_name().to_owned(),
                            s.filter().clone(),
                            Vec::new(),
                        ));
                        self.groups.len() - 1
                    }
                };
                let members = &mut self.groups[at].2;
                match members.iter().position(|m| m.0 == c) {
                    Some(m) => {
                        members[m] = (c, o, i);
                        true
                    }
                    None => {
                        members.push((c, o, i));
                        false
                    }
                }
            }
        }
    }

    fn unsubscribe(&mut self, c: u32, f: &TopicFilter) -> bool {
        match SharedFilter::parse(f).unwrap() {
            None => {
                let before = self.plain.len();
                self.plain.retain(|(pc, pf, ..)| !(*pc == c && pf == f));
                self.plain.len() < before
            }
            Some(s) => {
                let Some(at) = self
                    .groups
                    .iter()
                    .position(|(n, gf, _)| n == s.share_name() && gf == s.filter())
                else {
                    return false;
                };
                let members = &mut self.groups[at].2;
                let before = members.len();
                members.retain(|m| m.0 != c);
                let removed = members.len() < before;
                if members.is_empty() {
                    self.groups.remove(at);
                }
                removed
            }
        }
    }

    fn route(&self, topic: &TopicName, publisher: Option<u32>) -> Vec<Row> {
        let mut rows: Vec<Row> = Vec::new();
        for (c, f, o, i) in &self.plain {
            if !f.matches(topic) || (o.no_local && publisher == Some(*c)) {
                continue;
            }
            let ids: Vec<u32> = i.map(NonZeroU32::get).into_iter().collect();
            match rows.iter_mut().find(|r| r.0 == *c) {
                Some(r) => {
                    r.1 = r.1.max(o.qos);
                    r.2 |= o.retain_as_published;
                    r.4.extend(ids);
                    r.4.sort_unstable();
                }
                None => rows.push((*c, o.qos, o.retain_as_published, false, ids)),
            }
        }
        for (_, f, members) in &self.groups {
            if f.matches(topic) {
                let (c, o, i) = members[0];
                rows.push((
                    c,
                    o.qos,
                    o.retain_as_published,
                    true,
                    i.map(NonZeroU32::get).into_iter().collect(),
                ));
            }
        }
        rows.sort();
        rows
    }
}

fn level() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["a", "b", "", "$SYS"]).prop_map(String::from)
}

fn filter_text() -> impl Strategy<Value = String> {
    let level = prop_oneof![3 => level(), 1 => Just(String::from("+"))];
    let plain = (prop::collection::vec(level, 0..4), any::<bool>())
        .prop_map(|(mut levels, multi)| {
            if multi || levels.is_empty() {
                levels.push(String::from("#"));
            }
            levels.join("/")
        })
        .prop_filter("filters are not empty", |s| !s.is_empty());
    (
        plain,
        prop::option::of(prop::sample::select(vec!["g", "h"])),
    )
        .prop_map(|(f, share)| match share {
            Some(g) => format!("$share/{g}/{f}"),
            None => f,
        })
}

fn name_text() -> impl Strategy<Value = String> {
    prop::collection::vec(level(), 1..4)
        .prop_map(|levels| levels.join("/"))
        .prop_filter("names are not empty", |s| !s.is_empty())
}

fn options() -> impl Strategy<Value = (SubscriptionOptions, Option<NonZeroU32>)> {
    (0u8..3, any::<bool>(), any::<bool>(), 0u32..4).prop_map(|(q, nl, rap, i)| {
        let o = SubscriptionOptions::new(QoS::from_bits(q).unwrap())
            .with_no_local(nl)
            .with_retain_as_published(rap);
        (o, NonZeroU32::new(i))
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// After any sequence of subscribes and unsubscribes, `route` agrees with the lists
    /// (shared members chosen by `First`, No Local ignored on shared subscriptions), and
    /// `preview` with the `route` after it.
    #[test]
    fn agrees_with_the_model(
        ops in prop::collection::vec((any::<bool>(), 0u32..4, filter_text(), options()), 0..40),
        topics in prop::collection::vec((name_text(), prop::option::of(0u32..4)), 1..8),
    ) {
        let mut index = SubscriptionIndex::new();
        let mut model = Model::default();
        for (subscribe, client, f, (o, i)) in &ops {
            let f = filter(f);
            // No Local on a shared subscription is a Protocol Error the decoder refuses.
            let o = if SharedFilter::parse(&f).unwrap().is_some() { o.with_no_local(false) } else { *o };
            if *subscribe {
                let shared = SharedFilter::parse(&f).unwrap().is_some();
                let replaced = model.subscribe(*client, &f, o, *i);
                prop_assert_eq!(index.subscribe(*client, &f, o, *i).map(|s| (s.replaced, s.shared)), Ok((replaced, shared)));
            } else {
                prop_assert_eq!(index.unsubscribe(client, &f), Ok(model.unsubscribe(*client, &f)));
            }
        }
        let count = model.plain.len() + model.groups.iter().map(|g| g.2.len()).sum::<usize>();
        prop_assert_eq!(index.len(), count);
        let mut round_robin = RoundRobin::new();
        for (t, publisher) in &topics {
            let topic = name(t);
            prop_assert_eq!(route(&index, t, *publisher, &mut First), model.route(&topic, *publisher), "topic {}", t);
            let next = preview(&index, t, *publisher, &round_robin);
            prop_assert_eq!(route(&index, t, *publisher, &mut round_robin), next, "topic {}", t);
        }
    }
}
