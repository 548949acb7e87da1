//! proptest strategies covering the whole space of valid MQTT 3.1.1 packets, and an
//! independent reference encoder (written from the standard, not from the crate) used to check
//! the crate's encoder and to produce canonical bytes.
//!
//! Shared by the test binaries through `mod common;`; not every binary uses every item.
#![allow(dead_code)]

use bytes::Bytes;
use mqttwire::*;
use proptest::collection::vec;
use proptest::prelude::*;

/// Characters from every UTF-8 width (1 to 4 bytes), never U+0000. Used for levels, so the
/// topic separators and wildcards are left out here and added by the topic strategies.
pub fn level_char() -> impl Strategy<Value = char> {
    prop_oneof![
        6 => prop::char::range('a', 'z'),
        1 => Just('$'),
        1 => Just(' '),
        2 => prop::char::range('\u{80}', '\u{7ff}'),      // 2-byte UTF-8
        2 => prop::char::range('\u{800}', '\u{ffff}'),    // 3-byte (the surrogates are not chars)
        2 => prop::char::range('\u{10000}', '\u{10ffff}'), // 4-byte
        1 => any::<char>(),
    ]
    .prop_filter("no separator, wildcard or NUL", |c| {
        !matches!(*c, '\0' | '/' | '+' | '#')
    })
}

/// A string of the given character count range from `chars`.
pub fn string_of(
    chars: impl Strategy<Value = char>,
    len: core::ops::Range<usize>,
) -> impl Strategy<Value = String> {
    vec(chars, len).prop_map(String::from_iter)
}

/// Any MQTT string content: empty, short ASCII, multi-byte, control characters, and now and
/// then the largest string the wire can carry (65,535 bytes, mixing 1- and 3-byte characters).
pub fn mqtt_str() -> impl Strategy<Value = String> {
    prop_oneof![
        1 => Just(String::new()),
        8 => string_of(
            prop_oneof![
                4 => level_char(),
                1 => prop::sample::select(vec!['/', '+', '#']),
                1 => prop::char::range('\u{1}', '\u{1f}'),
            ],
            1..40
        ),
        1 => max_len_string(),
    ]
}

/// A string of exactly 65,535 bytes (the largest a length prefix can announce) whose content
/// varies: a run of 3-byte characters in the middle.
pub fn max_len_string() -> impl Strategy<Value = String> {
    (0usize..21_845).prop_map(|n3| {
        let mut s = "\u{20ac}".repeat(n3); // 3 bytes each
        s.push_str(&"x".repeat(MAX_STRING_LEN - 3 * n3));
        debug_assert_eq!(s.len(), MAX_STRING_LEN);
        s
    })
}

pub fn mqtt_string() -> impl Strategy<Value = MqttString> {
    mqtt_str().prop_map(|s| MqttString::new(&s).expect("strategy makes valid strings"))
}

/// One topic level: possibly empty (`a//b`, `/a`, `a/` are valid).
fn level() -> impl Strategy<Value = String> {
    prop_oneof![
        1 => Just(String::new()),
        6 => string_of(level_char(), 1..12),
    ]
}

/// Topic names: 1 to 12 levels, never empty, sometimes `$SYS`-like, sometimes 65,535 bytes.
pub fn topic_name_str() -> impl Strategy<Value = String> {
    prop_oneof![
        20 => vec(level(), 1..12)
            .prop_map(|levels| levels.join("/"))
            .prop_filter("a topic name is not empty", |s| !s.is_empty()),
        1 => Just("/".to_owned()),
        1 => max_len_string(),
    ]
}

pub fn topic_name() -> impl Strategy<Value = TopicName> {
    topic_name_str().prop_map(|s| TopicName::new(&s).expect("strategy makes valid names"))
}

/// Topic filters: levels that are text, empty or `+`, optionally ending with `#`.
pub fn topic_filter_str() -> impl Strategy<Value = String> {
    let filter_level = prop_oneof![
        4 => level(),
        1 => Just("+".to_owned()),
    ];
    prop_oneof![
        20 => (vec(filter_level, 1..10), any::<bool>()).prop_map(|(mut levels, hash)| {
            if hash {
                levels.push("#".to_owned());
            }
            levels.join("/")
        })
        .prop_filter("a topic filter is not empty", |s| !s.is_empty()),
        1 => Just("#".to_owned()),
        1 => Just("+".to_owned()),
        1 => max_len_string(),
    ]
}

pub fn topic_filter() -> impl Strategy<Value = TopicFilter> {
    topic_filter_str().prop_map(|s| TopicFilter::new(&s).expect("strategy makes valid filters"))
}

/// Payloads: mostly small, up to 4 KiB.
pub fn payload() -> impl Strategy<Value = Bytes> {
    prop_oneof![
        2 => Just(Bytes::new()),
        6 => vec(any::<u8>(), 1..64).prop_map(Bytes::from),
        2 => vec(any::<u8>(), 64..4096).prop_map(Bytes::from),
    ]
}

/// Binary fields (Will Message, Password): at most 65,535 bytes.
pub fn binary() -> impl Strategy<Value = Bytes> {
    prop_oneof![
        2 => Just(Bytes::new()),
        6 => vec(any::<u8>(), 1..64).prop_map(Bytes::from),
        1 => vec(any::<u8>(), 64..2048).prop_map(Bytes::from),
        1 => any::<u8>().prop_map(|b| Bytes::from(vec![b; MAX_STRING_LEN])),
    ]
}

pub fn packet_id() -> impl Strategy<Value = PacketId> {
    prop_oneof![
        1 => Just(1u16),
        1 => Just(u16::MAX),
        4 => 1..=u16::MAX,
    ]
    .prop_map(|id| PacketId::new(id).expect("non-zero"))
}

pub fn qos() -> impl Strategy<Value = QoS> {
    prop::sample::select(vec![QoS::AtMostOnce, QoS::AtLeastOnce, QoS::ExactlyOnce])
}

pub fn qos_pid() -> impl Strategy<Value = QosPid> {
    prop_oneof![
        Just(QosPid::AtMostOnce),
        packet_id().prop_map(QosPid::AtLeastOnce),
        packet_id().prop_map(QosPid::ExactlyOnce),
    ]
}

pub fn protocol() -> impl Strategy<Value = Protocol> {
    prop::sample::select(vec![Protocol::V311, Protocol::V31])
}

pub fn will() -> impl Strategy<Value = Will> {
    (topic_name(), binary(), qos(), any::<bool>()).prop_map(|(topic, payload, qos, retain)| Will {
        topic,
        payload,
        qos,
        retain,
        properties: Properties::EMPTY,
    })
}

pub fn login() -> impl Strategy<Value = Login> {
    (mqtt_string(), prop::option::of(binary())).prop_map(|(username, password)| Login {
        username: Some(username),
        password,
    })
}

pub fn connect() -> impl Strategy<Value = Connect> {
    (
        protocol(),
        any::<bool>(),
        any::<u16>(),
        mqtt_string(),
        prop::option::of(will()),
        prop::option::of(login()),
    )
        .prop_map(
            |(protocol, clean_session, keep_alive, client_id, will, login)| Connect {
                protocol,
                clean_session,
                keep_alive,
                client_id,
                will,
                login,
                properties: Properties::EMPTY,
            },
        )
}

pub fn connect_return_code() -> impl Strategy<Value = ConnectReturnCode> {
    (0u8..=5).prop_map(|b| ConnectReturnCode::from_byte(b).expect("0..=5 are codes"))
}

/// CONNACK: session present only with an accepted connection [MQTT-3.2.2-4].
pub fn connack() -> impl Strategy<Value = ConnAck> {
    prop_oneof![
        any::<bool>().prop_map(ConnAck::accepted),
        connect_return_code().prop_map(ConnAck::refused),
    ]
}

/// PUBLISH: every QoS, DUP only above QoS 0 [MQTT-3.3.1-2], RETAIN either way.
pub fn publish() -> impl Strategy<Value = Publish> {
    (
        qos_pid(),
        any::<bool>(),
        any::<bool>(),
        topic_name(),
        payload(),
    )
        .prop_map(|(qos, dup, retain, topic, payload)| {
            let mut publish = Publish::new(topic, qos, payload);
            publish.set_dup(dup && qos != QosPid::AtMostOnce);
            publish.set_retain(retain);
            publish
        })
}

/// From one to `many` items; mostly few, sometimes many.
fn some<T: core::fmt::Debug + 'static>(
    item: BoxedStrategy<T>,
    many: usize,
) -> impl Strategy<Value = Vec<T>> {
    prop_oneof![
        6 => vec(item.clone(), 1..4),
        1 => vec(item, 4..many),
    ]
}

pub fn subscribe() -> impl Strategy<Value = Subscribe> {
    let subscription = (topic_filter(), qos()).prop_map(|(f, q)| Subscription::new(f, q));
    (packet_id(), some(subscription.boxed(), 100))
        .prop_map(|(id, subs)| Subscribe::new(id, subs).expect("not empty"))
}

pub fn subscribe_return_code() -> impl Strategy<Value = SubscribeReturnCode> {
    prop_oneof![
        qos().prop_map(SubscribeReturnCode::Success),
        Just(SubscribeReturnCode::Failure),
    ]
}

pub fn suback() -> impl Strategy<Value = SubAck> {
    (packet_id(), some(subscribe_return_code().boxed(), 300)).prop_map(|(id, c)| SubAck::new(id, c))
}

pub fn unsubscribe() -> impl Strategy<Value = Unsubscribe> {
    (packet_id(), some(topic_filter().boxed(), 100))
        .prop_map(|(id, f)| Unsubscribe::new(id, f).expect("not empty"))
}

/// Any valid packet, every one of the 14 types equally likely.
pub fn packet() -> impl Strategy<Value = Packet> {
    prop_oneof![
        connect().prop_map(Packet::from),
        connack().prop_map(Packet::ConnAck),
        publish().prop_map(Packet::Publish),
        packet_id().prop_map(|id| Packet::PubAck(PubAck::new(id))),
        packet_id().prop_map(|id| Packet::PubRec(PubRec::new(id))),
        packet_id().prop_map(|id| Packet::PubRel(PubRel::new(id))),
        packet_id().prop_map(|id| Packet::PubComp(PubComp::new(id))),
        subscribe().prop_map(Packet::Subscribe),
        suback().prop_map(Packet::SubAck),
        unsubscribe().prop_map(Packet::Unsubscribe),
        packet_id().prop_map(|id| Packet::UnsubAck(UnsubAck::new(id))),
        Just(Packet::PingReq),
        Just(Packet::PingResp),
        Just(Packet::Disconnect(mqttwire::Disconnect::new())),
    ]
}

/// Packets small enough that a stream of several, cut at every byte, stays quick.
pub fn small_packet() -> impl Strategy<Value = Packet> {
    packet().prop_filter("keep streams small", |p| p.encoded_len() <= 4096)
}

// ---------------------------------------------------------------------------------------------
// Reference encoder: the wire layout of chapter 3, written independently of the crate's code.
// ---------------------------------------------------------------------------------------------

fn put_u16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_be_bytes());
}

fn put_field(out: &mut Vec<u8>, bytes: &[u8]) {
    put_u16(
        out,
        u16::try_from(bytes.len()).expect("fields fit a u16 prefix"),
    );
    out.extend_from_slice(bytes);
}

/// The minimal Remaining Length varint (section 2.2.3).
pub fn ref_varint(mut len: usize) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let mut byte = (len % 128) as u8;
        len /= 128;
        if len > 0 {
            byte |= 0x80;
        }
        out.push(byte);
        if len == 0 {
            return out;
        }
    }
}

/// The bytes of `p` as section 3 lays them out.
pub fn ref_encode(p: &Packet) -> Vec<u8> {
    let mut body = Vec::new();
    let first: u8 = match p {
        Packet::Connect(c) => {
            put_field(&mut body, c.protocol.name().as_bytes());
            body.push(c.protocol.level());
            let mut flags = 0u8;
            if c.clean_session {
                flags |= 0x02;
            }
            if let Some(w) = &c.will {
                flags |= 0x04 | (w.qos as u8) << 3;
                if w.retain {
                    flags |= 0x20;
                }
            }
            if let Some(l) = &c.login {
                flags |= 0x80;
                if l.password.is_some() {
                    flags |= 0x40;
                }
            }
            body.push(flags);
            put_u16(&mut body, c.keep_alive);
            put_field(&mut body, c.client_id.as_str().as_bytes());
            if let Some(w) = &c.will {
                put_field(&mut body, w.topic.as_str().as_bytes());
                put_field(&mut body, &w.payload);
            }
            if let Some(l) = &c.login {
                if let Some(u) = &l.username {
                    put_field(&mut body, u.as_str().as_bytes());
                }
                if let Some(pw) = &l.password {
                    put_field(&mut body, pw);
                }
            }
            0x10
        }
        Packet::ConnAck(c) => {
            body.push(u8::from(c.session_present));
            body.push(
                c.reason_code
                    .to_v311_return_code()
                    .expect("3.1.1 codes")
                    .byte(),
            );
            0x20
        }
        Packet::Publish(p) => {
            put_field(&mut body, p.topic().as_bytes());
            if let Some(id) = p.packet_id() {
                put_u16(&mut body, id.get());
            }
            body.extend_from_slice(p.payload());
            0x30 | u8::from(p.dup()) << 3 | (p.qos() as u8) << 1 | u8::from(p.retain())
        }
        Packet::PubAck(a) => {
            put_u16(&mut body, a.packet_id.get());
            0x40
        }
        Packet::PubRec(a) => {
            put_u16(&mut body, a.packet_id.get());
            0x50
        }
        Packet::PubRel(a) => {
            put_u16(&mut body, a.packet_id.get());
            0x62
        }
        Packet::PubComp(a) => {
            put_u16(&mut body, a.packet_id.get());
            0x70
        }
        Packet::Subscribe(s) => {
            put_u16(&mut body, s.packet_id().get());
            for sub in s.subscriptions() {
                put_field(&mut body, sub.filter.as_str().as_bytes());
                body.push(sub.qos as u8);
            }
            0x82
        }
        Packet::SubAck(s) => {
            put_u16(&mut body, s.packet_id().get());
            for code in s.reason_codes() {
                body.push(match code.to_v311() {
                    SubscribeReturnCode::Success(q) => q as u8,
                    SubscribeReturnCode::Failure => 0x80,
                });
            }
            0x90
        }
        Packet::Unsubscribe(u) => {
            put_u16(&mut body, u.packet_id().get());
            for f in u.filters() {
                put_field(&mut body, f.as_str().as_bytes());
            }
            0xa2
        }
        Packet::UnsubAck(a) => {
            put_u16(&mut body, a.packet_id().get());
            0xb0
        }
        Packet::PingReq => 0xc0,
        Packet::PingResp => 0xd0,
        Packet::Disconnect(_) => 0xe0,
        Packet::Auth(_) => unreachable!("the 3.1.1 strategies make no AUTH"),
    };
    let mut out = vec![first];
    out.extend(ref_varint(body.len()));
    out.extend(body);
    out
}
