//! Sample packets and streams shared by the criterion benches (`decode`, `encode`).
//!
//! Everything is deterministic: a fixed-seed xorshift generator, no clock, no OS randomness,
//! so two runs measure the same bytes.

#![allow(dead_code)]

use bytes::{Bytes, BytesMut};
use criterion::Criterion;
use mqttwire::{
    ConnAck, Connect, Encode, Login, MqttString, Packet, PacketId, Properties, PubAck, PubComp,
    PubRec, PubRel, Publish, QoS, QosPid, SubAck, Subscribe, SubscribeReturnCode, Subscription,
    TopicFilter, TopicName, UnsubAck, Unsubscribe, Will,
};
use std::time::Duration;

/// Criterion settings that keep a full `cargo bench` run to a few minutes.
pub fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(50)
        .configure_from_args()
}

/// PUBLISH payload sizes measured on their own.
pub const PAYLOAD_SIZES: [(&str, usize); 4] =
    [("0B", 0), ("32B", 32), ("1KiB", 1024), ("64KiB", 64 * 1024)];

fn pid(id: u16) -> PacketId {
    PacketId::new(id).expect("non-zero")
}

fn topic(s: &str) -> TopicName {
    TopicName::new(s).expect("valid topic name")
}

fn filter(s: &str) -> TopicFilter {
    TopicFilter::new(s).expect("valid topic filter")
}

/// A payload of `len` bytes with a recognisable pattern.
pub fn payload(len: usize) -> Bytes {
    (0..len)
        .map(|i| (i % 251) as u8)
        .collect::<Vec<u8>>()
        .into()
}

/// A PUBLISH to a telemetry-like topic.
pub fn publish(qos: QoS, len: usize) -> Publish {
    let qos = QosPid::new(qos, Some(pid(42))).expect("id given");
    Publish::new(topic("site/7/device/1234/telemetry"), qos, payload(len))
}

/// One packet of every type (PUBLISH at QoS 0 and 1 with a 32-byte payload), by name.
pub fn one_of_each() -> Vec<(&'static str, Packet)> {
    let connect = Connect {
        keep_alive: 60,
        will: Some(Will {
            topic: topic("site/7/device/1234/status"),
            payload: Bytes::from_static(b"offline"),
            qos: QoS::AtLeastOnce,
            retain: true,
            properties: Properties::EMPTY,
        }),
        login: Some(Login {
            username: Some(MqttString::new("device-1234").expect("valid")),
            password: Some(Bytes::from_static(b"secret-token-0123456789")),
        }),
        ..Connect::new(MqttString::new("device-1234-a8f3").expect("valid"))
    };
    let subscribe = Subscribe::new(
        pid(7),
        vec![
            Subscription::new(filter("site/7/+/+/cmd"), QoS::AtLeastOnce),
            Subscription::new(filter("site/7/config/#"), QoS::AtMostOnce),
            Subscription::new(filter("$SYS/broker/load/#"), QoS::AtMostOnce),
        ],
    )
    .expect("not empty");
    let suback = SubAck::new(
        pid(7),
        vec![
            SubscribeReturnCode::Success(QoS::AtLeastOnce),
            SubscribeReturnCode::Success(QoS::AtMostOnce),
            SubscribeReturnCode::Failure,
        ],
    );
    let unsubscribe = Unsubscribe::new(
        pid(8),
        vec![filter("site/7/+/+/cmd"), filter("site/7/config/#")],
    )
    .expect("not empty");
    vec![
        ("connect", connect.into()),
        ("connack", ConnAck::accepted(true).into()),
        ("publish_qos0_32B", publish(QoS::AtMostOnce, 32).into()),
        ("publish_qos1_32B", publish(QoS::AtLeastOnce, 32).into()),
        ("puback", PubAck::new(pid(42)).into()),
        ("pubrec", PubRec::new(pid(42)).into()),
        ("pubrel", PubRel::new(pid(42)).into()),
        ("pubcomp", PubComp::new(pid(42)).into()),
        ("subscribe", subscribe.into()),
        ("suback", suback.into()),
        ("unsubscribe", unsubscribe.into()),
        ("unsuback", UnsubAck::new(pid(8)).into()),
        ("pingreq", Packet::PingReq),
        ("pingresp", Packet::PingResp),
        (
            "disconnect",
            Packet::Disconnect(mqttwire::Disconnect::new()),
        ),
    ]
}

/// A small deterministic generator (xorshift64*).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed | 1)
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A value in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + (self.next() % (hi - lo + 1) as u64) as usize
    }
}

/// A telemetry-like mix of `n` packets: ~70% QoS 0 PUBLISH (16-128 B), 10% QoS 1 PUBLISH
/// (1 KiB), acknowledgements, pings, subscriptions, connects. The same proportions as the
/// comparison bench's `telemetry-mix` corpus, at a size that suits criterion.
pub fn telemetry_mix(n: usize) -> Vec<Packet> {
    let each = one_of_each();
    let by_name = |name: &str| {
        each.iter()
            .find(|(n, _)| *n == name)
            .map(|(_, p)| p.clone())
            .expect("known packet")
    };
    let mut rng = Rng::new(0x5eed);
    (0..n)
        .map(|i| {
            let id = pid((i % 65_535) as u16 + 1);
            match rng.range(0, 99) {
                0..=69 => {
                    let len = rng.range(16, 128);
                    let t = topic(&format!("site/{}/device/{}/telemetry", i % 16, i % 1000));
                    Publish::new(t, QosPid::AtMostOnce, payload(len)).into()
                }
                70..=79 => {
                    let t = topic(&format!("site/{}/device/{}/batch", i % 16, i % 1000));
                    Publish::new(t, QosPid::AtLeastOnce(id), payload(1024)).into()
                }
                80..=84 => PubAck::new(id).into(),
                85 => PubRec::new(id).into(),
                86 => PubRel::new(id).into(),
                87 => PubComp::new(id).into(),
                88..=90 => Packet::PingReq,
                91..=92 => Packet::PingResp,
                93 => by_name("subscribe"),
                94 => by_name("suback"),
                95 => by_name("unsubscribe"),
                96 => by_name("unsuback"),
                97 => by_name("connect"),
                98 => by_name("connack"),
                _ => Packet::Disconnect(mqttwire::Disconnect::new()),
            }
        })
        .collect()
}

/// The packets encoded back to back.
pub fn encode_all(packets: &[Packet]) -> Bytes {
    let len = packets.iter().map(Encode::encoded_len).sum();
    let mut buf = BytesMut::with_capacity(len);
    for p in packets {
        p.encode(&mut buf).expect("valid packet");
    }
    buf.freeze()
}
