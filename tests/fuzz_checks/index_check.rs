//! The `topic_index` target: a sequence of operations on a `SubscriptionIndex` and a
//! `RetainedIndex`, each compared with a naive model (lists scanned with `TopicFilter::matches`,
//! itself checked by `topic_match`). Shared with `tests/fuzz_replay.rs` through `#[path]`.

use mqttwire::{
    Deliveries, QoS, RetainedIndex, ShareChoice, ShareError, ShareGroup, SubscriptionIndex,
    SubscriptionOptions, TopicFilter, TopicName,
};
use std::collections::BTreeMap;
use std::num::NonZeroU32;

/// Few and short levels, so that operations meet the same topics and filters often; `$s` for
/// the rule on `$` topics [MQTT-4.7.2-1], `` for empty levels.
const LEVELS: [&str; 6] = ["a", "b", "c", "", "$s", "dd"];

/// A subscription's options as the model keeps them: Maximum QoS, No Local, Retain As
/// Published, Subscription Identifier.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Opts {
    qos: QoS,
    no_local: bool,
    retain_as_published: bool,
    id: Option<NonZeroU32>,
}

/// What a filter is to the index: an ordinary one, a share group's (ShareName, filter), or
/// one that starts with `$share/` but breaks section 4.8.2.
enum Share {
    Plain,
    Group(String, String),
    Malformed,
}

/// A delivery as compared: client, QoS, Retain As Published, shared, identifiers (sorted).
type Seen = (u8, QoS, bool, bool, Vec<u32>);

/// The bytes of the input, read as needed; zeros once they run out.
struct Input<'a>(&'a [u8]);

impl Input<'_> {
    fn u8(&mut self) -> u8 {
        match self.0.split_first() {
            Some((&b, rest)) => {
                self.0 = rest;
                b
            }
            None => 0,
        }
    }

    fn name(&mut self) -> TopicName {
        let n = 1 + usize::from(self.u8() % 4);
        let levels: Vec<&str> = (0..n)
            .map(|_| LEVELS[usize::from(self.u8()) % LEVELS.len()])
            .collect();
        let text = levels.join("/");
        // One empty level is an empty name, which is not one: take `a` instead.
        let text = if text.is_empty() { "a" } else { &text };
        TopicName::new(text).expect("levels without wildcards make a name")
    }

    /// A filter of 1 to 4 levels among [`LEVELS`], `+` and `#` (which ends it).
    fn filter_text(&mut self) -> String {
        let n = 1 + usize::from(self.u8() % 4);
        let mut levels = Vec::new();
        for _ in 0..n {
            match self.u8() % 8 {
                6 => levels.push("+"),
                7 => {
                    levels.push("#");
                    break;
                }
                i => levels.push(LEVELS[usize::from(i)]),
            }
        }
        let text = levels.join("/");
        // One empty level is an empty filter, which is not one: take `a` instead.
        if text.is_empty() {
            "a".to_owned()
        } else {
            text
        }
    }

    /// A filter, or a shared one: `$share/g/...`, `$share/h/...`, or (rarely) one that breaks
    /// section 4.8.2 (`$share//...`, `$share/g` with no filter), which the index refuses.
    fn any_filter(&mut self) -> (TopicFilter, Share) {
        let kind = self.u8() % 16;
        let inner = self.filter_text();
        let (text, shared) = match kind {
            0..=3 => {
                let group = if kind < 2 { "g" } else { "h" };
                (
                    format!("$share/{group}/{inner}"),
                    Share::Group(group.to_owned(), inner),
                )
            }
            4 => (format!("$share//{inner}"), Share::Malformed),
            5 => ("$share/g".to_owned(), Share::Malformed),
            _ => (inner, Share::Plain),
        };
        let filter = TopicFilter::new(&text).expect("levels and whole-level wildcards");
        (filter, shared)
    }

    fn opts(&mut self) -> Opts {
        let b = self.u8();
        let qos = QoS::from_bits(b % 3).expect("0 to 2");
        let id = match self.u8() % 4 {
            0 => None,
            i => NonZeroU32::new(u32::from(i)),
        };
        Opts {
            qos,
            no_local: b & 0x10 != 0,
            retain_as_published: b & 0x20 != 0,
            id,
        }
    }
}

/// A [`ShareChoice`] that picks what the input says (a member, none, or an index out of
/// range) and records each group it was asked about and its answer.
struct Scripted {
    picks: Vec<u8>,
    asked: Vec<(String, String, Vec<u8>, Option<usize>)>,
}

impl ShareChoice<u8> for Scripted {
    fn choose(&mut self, group: &ShareGroup<'_, u8>) -> Option<usize> {
        let b = self.picks.pop().unwrap_or(2);
        let len = group.members.len();
        let pick = match b % 5 {
            0 => None,
            1 => Some(len + usize::from(b)),
            _ => Some(usize::from(b) % len.max(1)),
        };
        self.asked.push((
            group.share_name.to_owned(),
            group.filter.as_str().to_owned(),
            group.members.to_vec(),
            pick,
        ));
        pick
    }

    /// Never asked: the checks route, they do not preview.
    fn peek(&self, _group: &ShareGroup<'_, u8>) -> Option<usize> {
        None
    }
}

/// The model: subscriptions by (client, filter), share groups by (ShareName, filter) with
/// their members in the order they joined, retained messages by topic.
#[derive(Default)]
struct Model {
    subs: BTreeMap<(u8, String), Opts>,
    groups: BTreeMap<(String, String), Vec<(u8, Opts)>>,
    retained: BTreeMap<String, u8>,
}

impl Model {
    fn len(&self) -> usize {
        self.subs.len() + self.groups.values().map(Vec::len).sum::<usize>()
    }

    /// The non-shared deliveries: one per client with a matching subscription (but the
    /// publisher's No Local ones [MQTT-3.8.3-3]), at the highest QoS [MQTT-3.3.4-2], with
    /// every identifier [MQTT-3.3.4-3].
    fn deliveries(&self, topic: &TopicName, publisher: Option<u8>) -> Vec<Seen> {
        let mut merged: BTreeMap<u8, Seen> = BTreeMap::new();
        for ((client, filter), o) in &self.subs {
            let filter = TopicFilter::new(filter).expect("stored valid");
            if !filter.matches(topic) || (o.no_local && publisher == Some(*client)) {
                continue;
            }
            let seen = merged
                .entry(*client)
                .or_insert((*client, o.qos, false, false, Vec::new()));
            seen.1 = seen.1.max(o.qos);
            seen.2 |= o.retain_as_published;
            seen.4.extend(o.id.map(NonZeroU32::get));
        }
        merged.into_values().collect()
    }
}

fn to_options(o: Opts) -> SubscriptionOptions {
    SubscriptionOptions::new(o.qos)
        .with_no_local(o.no_local)
        .with_retain_as_published(o.retain_as_published)
}

/// Runs the operations the input describes on both indexes and the model, comparing every
/// answer.
pub fn check_topic_index(data: &[u8]) {
    let mut input = Input(data);
    let mut index: SubscriptionIndex<u8> = SubscriptionIndex::new();
    let mut retained: RetainedIndex<u8> = RetainedIndex::new();
    let mut model = Model::default();
    let mut out = Deliveries::new();
    // At most 64 operations, so that an input's cost stays bounded.
    for _ in 0..64 {
        if input.0.is_empty() {
            break;
        }
        match input.u8() % 8 {
            0 | 1 => {
                let client = input.u8() % 4;
                let (filter, shared) = input.any_filter();
                let o = input.opts();
                let result = index.subscribe(client, &filter, to_options(o), o.id);
                if let Ok(subscribed) = &result {
                    let is_group = matches!(shared, Share::Group(..));
                    assert_eq!(subscribed.shared, is_group, "shared? {:?}", filter.as_str());
                }
                let result = result.map(|subscribed| subscribed.replaced);
                let expected = match shared {
                    Share::Plain => Ok(model
                        .subs
                        .insert((client, filter.as_str().to_owned()), o)
                        .is_some()),
                    Share::Group(share, inner) => {
                        let members = model.groups.entry((share, inner)).or_default();
                        match members.iter_mut().find(|(c, _)| *c == client) {
                            Some(member) => {
                                member.1 = o;
                                Ok(true)
                            }
                            None => {
                                members.push((client, o));
                                Ok(false)
                            }
                        }
                    }
                    Share::Malformed => Err(()),
                };
                check_share_result(&result, expected, &filter, "subscribe");
            }
            2 => {
                let client = input.u8() % 4;
                let (filter, shared) = input.any_filter();
                let result = index.unsubscribe(&client, &filter);
                let expected = match shared {
                    Share::Plain => Ok(model
                        .subs
                        .remove(&(client, filter.as_str().to_owned()))
                        .is_some()),
                    Share::Group(share, inner) => {
                        let key = (share, inner);
                        let members = model.groups.entry(key.clone()).or_default();
                        let at = members.iter().position(|(c, _)| *c == client);
                        if let Some(at) = at {
                            members.remove(at);
                        }
                        if members.is_empty() {
                            model.groups.remove(&key);
                        }
                        Ok(at.is_some())
                    }
                    Share::Malformed => Err(()),
                };
                check_share_result(&result, expected, &filter, "unsubscribe");
            }
            3 | 4 => check_route(&mut input, &index, &model, &mut out),
            5 => {
                let topic = input.name();
                let value = input.u8();
                let old = model.retained.insert(topic.as_str().to_owned(), value);
                assert_eq!(retained.set(&topic, value), old, "set {topic:?}");
            }
            6 => {
                let topic = input.name();
                let old = model.retained.remove(topic.as_str());
                assert_eq!(retained.clear(&topic), old, "clear {topic:?}");
                assert_eq!(retained.get(&topic), None);
            }
            _ => {
                let filter = TopicFilter::new(&input.filter_text()).expect("valid filter");
                let mut got: Vec<(String, u8)> = retained
                    .matching(&filter)
                    .map(|(t, &v)| (t.as_str().to_owned(), v))
                    .collect();
                got.sort();
                let expected: Vec<(String, u8)> = model
                    .retained
                    .iter()
                    .filter(|(t, _)| filter.matches(&TopicName::new(t.as_str()).expect("stored")))
                    .map(|(t, &v)| (t.clone(), v))
                    .collect();
                assert_eq!(got, expected, "retained matching {:?}", filter.as_str());
                let topic = input.name();
                assert_eq!(
                    retained.get(&topic),
                    model.retained.get(topic.as_str()),
                    "get {topic:?}"
                );
            }
        }
        assert_eq!(index.len(), model.len(), "subscriptions counted");
        assert_eq!(retained.len(), model.retained.len(), "retained counted");
    }
    let mut all: Vec<(String, u8)> = retained
        .iter()
        .map(|(t, &v)| (t.as_str().to_owned(), v))
        .collect();
    all.sort();
    let expected: Vec<(String, u8)> = model
        .retained
        .iter()
        .map(|(t, &v)| (t.clone(), v))
        .collect();
    assert_eq!(all, expected, "every retained message once");
}

/// A subscribe or unsubscribe answers what the model does; a filter that breaks section 4.8.2
/// is refused with a [`ShareError`] [MQTT-4.8.2-1], [MQTT-4.8.2-2].
fn check_share_result(
    result: &Result<bool, ShareError>,
    expected: Result<bool, ()>,
    filter: &TopicFilter,
    op: &str,
) {
    match expected {
        Ok(existed) => assert_eq!(result, &Ok(existed), "{op} {:?}", filter.as_str()),
        Err(()) => assert!(result.is_err(), "{op} {:?}: {result:?}", filter.as_str()),
    }
}

/// Routes a message and compares the deliveries with the model's: the non-shared ones, and
/// for each share group whose filter matches (asked once, with its members in the order they
/// joined), a copy of its own for the member picked, with that subscription's options and
/// identifier alone [MQTT-3.3.4-5]; No Local does not apply to a shared subscription.
fn check_route(
    input: &mut Input<'_>,
    index: &SubscriptionIndex<u8>,
    model: &Model,
    out: &mut Deliveries<u8>,
) {
    let topic = input.name();
    let publisher = match input.u8() % 5 {
        4 => None,
        c => Some(c),
    };
    let picks = (0..4).map(|_| input.u8()).collect();
    let mut choice = Scripted {
        picks,
        asked: Vec::new(),
    };
    index.route(&topic, publisher.as_ref(), &mut choice, out);
    let mut got: Vec<Seen> = out
        .iter()
        .map(|(d, ids)| {
            let mut ids = ids.to_vec();
            ids.sort_unstable();
            (d.client, d.qos, d.retain_as_published, d.shared, ids)
        })
        .collect();
    got.sort();

    let mut expected = model.deliveries(&topic, publisher);
    let mut asked: Vec<(String, String, Vec<u8>)> = Vec::new();
    for (share, filter, members, pick) in &choice.asked {
        asked.push((share.clone(), filter.clone(), members.clone()));
        let key = (share.clone(), filter.clone());
        let model_members = model
            .groups
            .get(&key)
            .expect("the index asked about a group");
        if let Some(&(client, o)) = pick.and_then(|i| model_members.get(i)) {
            let ids = o.id.map(NonZeroU32::get).into_iter().collect();
            expected.push((client, o.qos, o.retain_as_published, true, ids));
        }
    }
    for seen in &mut expected {
        seen.4.sort_unstable();
    }
    expected.sort();
    asked.sort();
    let groups: Vec<(String, String, Vec<u8>)> = model
        .groups
        .iter()
        .filter(|((_, filter), _)| {
            TopicFilter::new(filter.as_str())
                .expect("stored valid")
                .matches(&topic)
        })
        .map(|((share, filter), members)| {
            let clients = members.iter().map(|(c, _)| *c).collect();
            (share.clone(), filter.clone(), clients)
        })
        .collect();
    assert_eq!(asked, groups, "groups asked for {:?}", topic.as_str());
    assert_eq!(
        got,
        expected,
        "deliveries of {:?} from {publisher:?}",
        topic.as_str()
    );
    assert_eq!(out.len(), got.len());
}
