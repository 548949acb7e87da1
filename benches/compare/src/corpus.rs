//! The corpora, written by a small encoder of its own (not mqttwire's), byte by byte from the
//! MQTT 3.1.1 standard (and, for the `v5-` corpora, the MQTT 5.0 standard), so that no codec
//! under test also produces the input it is measured on. Deterministic: a fixed-seed xorshift
//! generator.

use crate::seen::{options_byte, Seen};

/// A corpus: packets back to back, as they would arrive on a connection.
pub struct Corpus {
    pub name: &'static str,
    /// MQTT 5.0 packets (only the codecs that decode and encode 5.0 run on it).
    pub v5: bool,
    pub bytes: Vec<u8>,
    pub packets: usize,
    /// Packets of each type, indexed by the packet type's four bits.
    pub by_type: [usize; 16],
    /// The `v5-` corpora: what each packet holds, to check each codec's decoding against.
    pub expect: Vec<Seen>,
}

pub const NAMES: [&str; 6] = [
    "telemetry-mix",
    "small-publish",
    "large-publish",
    "v5-telemetry-mix",
    "v5-small-publish",
    "v5-small-publish-props",
];

/// Builds a corpus by name; `quick` makes it smaller.
pub fn build(name: &str, quick: bool) -> Option<Corpus> {
    let scale = |full: usize| if quick { full / 10 } else { full };
    Some(match name {
        "telemetry-mix" => telemetry_mix(scale(100_000)),
        "small-publish" => small_publish(scale(100_000)),
        "large-publish" => large_publish(scale(2_000)),
        "v5-telemetry-mix" => v5_telemetry_mix(scale(100_000)),
        "v5-small-publish" => v5_small_publish(scale(100_000), false),
        "v5-small-publish-props" => v5_small_publish(scale(100_000), true),
        _ => return None,
    })
}

/// xorshift64*.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed | 1)
    }
    #[allow(clippy::should_implement_trait)] // an endless generator, not an iterator
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
    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

/// The writer: one method per packet type of chapter 3.
struct Writer {
    out: Vec<u8>,
    packets: usize,
    by_type: [usize; 16],
    expect: Vec<Seen>,
}

impl Writer {
    fn new() -> Self {
        Writer {
            out: Vec::new(),
            packets: 0,
            by_type: [0; 16],
            expect: Vec::new(),
        }
    }

    /// Fixed header (section 2.2): type and flags, then the Remaining Length varint.
    fn packet(&mut self, first: u8, body: &[u8]) {
        self.out.push(first);
        let mut len = body.len();
        assert!(len <= 268_435_455);
        loop {
            let mut b = (len % 128) as u8;
            len /= 128;
            if len > 0 {
                b |= 0x80;
            }
            self.out.push(b);
            if len == 0 {
                break;
            }
        }
        self.out.extend_from_slice(body);
        self.packets += 1;
        self.by_type[usize::from(first >> 4)] += 1;
    }

    fn publish(&mut self, qos: u8, retain: bool, topic: &str, pid: u16, payload: &[u8]) {
        let mut body = Vec::with_capacity(payload.len() + topic.len() + 4);
        string(&mut body, topic.as_bytes());
        if qos > 0 {
            body.extend_from_slice(&pid.to_be_bytes());
        }
        body.extend_from_slice(payload);
        self.packet(0x30 | (qos << 1) | u8::from(retain), &body);
    }

    /// PUBACK (4), PUBREC (5), PUBREL (6, flags 0010), PUBCOMP (7), UNSUBACK (11).
    fn ack(&mut self, packet_type: u8, pid: u16) {
        let flags = if packet_type == 6 { 0b0010 } else { 0 };
        self.packet((packet_type << 4) | flags, &pid.to_be_bytes());
    }

    fn empty(&mut self, packet_type: u8) {
        self.packet(packet_type << 4, &[]);
    }

    fn connect(&mut self, client_id: &str, keep_alive: u16, will: bool, login: bool) {
        let mut body = Vec::new();
        string(&mut body, b"MQTT");
        body.push(4);
        let mut flags = 0b0000_0010; // clean session
        if will {
            flags |= 0b0000_0100 | (1 << 3) | 0b0010_0000; // will, QoS 1, retain
        }
        if login {
            flags |= 0b1100_0000; // user name and password
        }
        body.push(flags);
        body.extend_from_slice(&keep_alive.to_be_bytes());
        string(&mut body, client_id.as_bytes());
        if will {
            string(&mut body, format!("site/status/{client_id}").as_bytes());
            string(&mut body, b"offline");
        }
        if login {
            string(&mut body, b"device-user");
            string(&mut body, b"secret-token-0123456789");
        }
        self.packet(0x10, &body);
    }

    fn connack(&mut self, session_present: bool, code: u8) {
        self.packet(0x20, &[u8::from(session_present), code]);
    }

    fn subscribe(&mut self, pid: u16, filters: &[(&str, u8)]) {
        let mut body = pid.to_be_bytes().to_vec();
        for (filter, qos) in filters {
            string(&mut body, filter.as_bytes());
            body.push(*qos);
        }
        self.packet(0x82, &body);
    }

    fn suback(&mut self, pid: u16, codes: &[u8]) {
        let mut body = pid.to_be_bytes().to_vec();
        body.extend_from_slice(codes);
        self.packet(0x90, &body);
    }

    fn unsubscribe(&mut self, pid: u16, filters: &[&str]) {
        let mut body = pid.to_be_bytes().to_vec();
        for filter in filters {
            string(&mut body, filter.as_bytes());
        }
        self.packet(0xa2, &body);
    }

    /// MQTT 5.0 PUBLISH (section 3.3): the topic, the packet identifier above QoS 0, then the
    /// Property Length (a Variable Byte Integer, section 1.5.5) and the properties (section
    /// 3.3.2.3), then the payload.
    fn publish_v5(&mut self, qos: u8, topic: &str, pid: u16, props: &Props, payload: &[u8]) {
        let mut properties = Vec::new();
        let mut seen = Seen::new(3);
        props.write(&mut properties, &mut seen);
        let mut body = Vec::with_capacity(payload.len() + topic.len() + properties.len() + 8);
        string(&mut body, topic.as_bytes());
        if qos > 0 {
            body.extend_from_slice(&pid.to_be_bytes());
        }
        vbi(&mut body, properties.len());
        body.extend_from_slice(&properties);
        body.extend_from_slice(payload);
        self.packet(0x30 | (qos << 1), &body);
        seen.qos = qos;
        seen.packet_id = if qos > 0 { pid } else { 0 };
        seen.topic = topic.into();
        seen.payload = payload.into();
        self.expect.push(seen);
    }

    /// MQTT 5.0 PUBACK (4), PUBREC (5), PUBREL (6), PUBCOMP (7), sections 3.4.2 to 3.7.2: the
    /// short form (Remaining Length 2, Reason Code 0x00 implied) when `reason` is `None`; the
    /// Reason Code alone (Remaining Length 3, no Property Length) when there are no
    /// properties; else the Reason Code and the properties.
    fn ack_v5(&mut self, packet_type: u8, pid: u16, reason: Option<u8>, props: &Props) {
        let flags = if packet_type == 6 { 0b0010 } else { 0 };
        let mut body = pid.to_be_bytes().to_vec();
        let mut seen = Seen::new(packet_type);
        seen.packet_id = pid;
        if let Some(code) = reason {
            body.push(code);
            seen.reason = code;
            let mut properties = Vec::new();
            props.write(&mut properties, &mut seen);
            if !properties.is_empty() {
                vbi(&mut body, properties.len());
                body.extend_from_slice(&properties);
            }
        }
        self.packet((packet_type << 4) | flags, &body);
        self.expect.push(seen);
    }

    /// MQTT 5.0 SUBSCRIBE (section 3.8): no properties, each filter with its Subscription
    /// Options byte.
    fn subscribe_v5(&mut self, pid: u16, filters: &[(&str, u8)]) {
        let mut body = pid.to_be_bytes().to_vec();
        vbi(&mut body, 0);
        for (filter, options) in filters {
            string(&mut body, filter.as_bytes());
            body.push(*options);
        }
        self.packet(0x82, &body);
        let mut seen = Seen::new(8);
        seen.packet_id = pid;
        seen.filters = filters.iter().map(|(f, o)| (f.to_string(), *o)).collect();
        self.expect.push(seen);
    }

    /// MQTT 5.0 SUBACK (section 3.9): no properties, one Reason Code per filter.
    fn suback_v5(&mut self, pid: u16, codes: &[u8]) {
        let mut body = pid.to_be_bytes().to_vec();
        vbi(&mut body, 0);
        body.extend_from_slice(codes);
        self.packet(0x90, &body);
        let mut seen = Seen::new(9);
        seen.packet_id = pid;
        seen.codes = codes.to_vec();
        self.expect.push(seen);
    }

    fn pingreq_v5(&mut self) {
        self.empty(12);
        self.expect.push(Seen::new(12));
    }

    fn finish(self, name: &'static str) -> Corpus {
        Corpus {
            name,
            v5: name.starts_with("v5-"),
            bytes: self.out,
            packets: self.packets,
            by_type: self.by_type,
            expect: self.expect,
        }
    }
}

/// A Variable Byte Integer (MQTT 5.0 section 1.5.5): seven bits a byte, least significant
/// first, the high bit set on every byte but the last.
fn vbi(out: &mut Vec<u8>, mut value: usize) {
    assert!(value <= 268_435_455);
    loop {
        let mut b = (value % 128) as u8;
        value /= 128;
        if value > 0 {
            b |= 0x80;
        }
        out.push(b);
        if value == 0 {
            break;
        }
    }
}

/// The properties the `v5-` corpora send, each written (in this order) when set.
#[derive(Default)]
struct Props {
    /// Payload Format Indicator (0x01) 1: the payload is UTF-8.
    utf8: bool,
    /// Message Expiry Interval (0x02), seconds.
    expiry: u32,
    /// Topic Alias (0x23).
    alias: u16,
    /// Content Type (0x03).
    content_type: &'static str,
    /// Reason String (0x1f), acknowledgements only.
    reason_string: &'static str,
    /// User Properties (0x26), each a UTF-8 String Pair (section 1.5.7).
    user: Vec<(String, String)>,
}

impl Props {
    fn write(&self, out: &mut Vec<u8>, seen: &mut Seen) {
        if self.utf8 {
            out.extend_from_slice(&[0x01, 1]);
            seen.utf8 = true;
        }
        if self.expiry > 0 {
            out.push(0x02);
            out.extend_from_slice(&self.expiry.to_be_bytes());
            seen.message_expiry = self.expiry;
        }
        if self.alias > 0 {
            out.push(0x23);
            out.extend_from_slice(&self.alias.to_be_bytes());
            seen.topic_alias = self.alias;
        }
        if !self.content_type.is_empty() {
            out.push(0x03);
            string(out, self.content_type.as_bytes());
            seen.content_type = self.content_type.into();
        }
        if !self.reason_string.is_empty() {
            out.push(0x1f);
            string(out, self.reason_string.as_bytes());
            seen.reason_string = self.reason_string.into();
        }
        for (name, value) in &self.user {
            out.push(0x26);
            string(out, name.as_bytes());
            string(out, value.as_bytes());
        }
        seen.user.clone_from(&self.user);
    }
}

fn user(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect()
}

/// A UTF-8 encoded string or binary field (section 1.5.3): two-byte length, then the bytes.
fn string(out: &mut Vec<u8>, s: &[u8]) {
    out.extend_from_slice(&(s.len() as u16).to_be_bytes());
    out.extend_from_slice(s);
}

fn pid(i: usize) -> u16 {
    (i % 65_535) as u16 + 1
}

/// ~70% QoS 0 PUBLISH (16-128 B), 10% QoS 1 PUBLISH (1 KiB), 8% acks, 5% pings, and
/// SUBSCRIBE (wildcards), SUBACK, UNSUBSCRIBE, UNSUBACK, CONNECT, CONNACK, DISCONNECT 1% each.
pub fn telemetry_mix(n: usize) -> Corpus {
    let mut rng = Rng::new(0x7e1e_3e7e);
    let mut w = Writer::new();
    for i in 0..n {
        let site = rng.range(0, 15);
        let device = rng.range(0, 9_999);
        match rng.range(0, 99) {
            0..=69 => {
                let len = rng.range(16, 128);
                let topic = format!("site/{site}/device/{device}/telemetry");
                w.publish(0, false, &topic, 0, &rng.bytes(len));
            }
            70..=79 => {
                let topic = format!("site/{site}/device/{device}/batch");
                w.publish(1, false, &topic, pid(i), &rng.bytes(1024));
            }
            80..=84 => w.ack(4, pid(i)),
            85 => w.ack(5, pid(i)),
            86 => w.ack(6, pid(i)),
            87 => w.ack(7, pid(i)),
            88..=90 => w.empty(12),
            91..=92 => w.empty(13),
            93 => {
                let own = format!("site/{site}/device/{device}/cmd/+");
                let mut filters = vec![(own.as_str(), 1), ("site/+/config/#", 0)];
                if rng.range(0, 1) == 1 {
                    filters.push(("$SYS/broker/load/#", 0));
                }
                w.subscribe(pid(i), &filters);
            }
            94 => w.suback(pid(i), &[1, 0, 0x80]),
            95 => w.unsubscribe(pid(i), &["site/+/config/#", "$SYS/broker/load/#"]),
            96 => w.ack(11, pid(i)),
            97 => {
                let id = format!("device-{device:04}-{site:x}");
                w.connect(&id, 60, rng.range(0, 1) == 1, rng.range(0, 1) == 1);
            }
            98 => w.connack(rng.range(0, 1) == 1, 0),
            _ => w.empty(14),
        }
    }
    w.finish("telemetry-mix")
}

/// QoS 0 PUBLISH with a 32-byte payload.
pub fn small_publish(n: usize) -> Corpus {
    let mut rng = Rng::new(0x5a11);
    let mut w = Writer::new();
    for _ in 0..n {
        let topic = format!(
            "site/{}/device/{}/telemetry",
            rng.range(0, 15),
            rng.range(0, 9_999)
        );
        w.publish(0, false, &topic, 0, &rng.bytes(32));
    }
    w.finish("small-publish")
}

/// The messages of [`small_publish`] (same topics and payloads) in MQTT 5.0: without
/// properties (a Property Length of 0), or with `props`, four User Properties each (a unit,
/// the device, a firmware version and a sequence number: 59–63 bytes of properties).
pub fn v5_small_publish(n: usize, props: bool) -> Corpus {
    let mut rng = Rng::new(0x5a11);
    let mut w = Writer::new();
    for i in 0..n {
        let (site, device) = (rng.range(0, 15), rng.range(0, 9_999));
        let topic = format!("site/{site}/device/{device}/telemetry");
        let mut properties = Props::default();
        if props {
            properties.user = user(&[
                ("unit", "celsius"),
                ("device", &format!("sensor-{device:04}")),
                ("fw", "1.4.2"),
                ("seq", &i.to_string()),
            ]);
        }
        w.publish_v5(0, &topic, 0, &properties, &rng.bytes(32));
    }
    w.finish(if props {
        "v5-small-publish-props"
    } else {
        "v5-small-publish"
    })
}

/// A sensor network's traffic in MQTT 5.0: 45% QoS 0 PUBLISH without properties (16–128 B),
/// 15% with a Payload Format Indicator, a Message Expiry Interval, a Content Type and two User
/// Properties, 5% with a Topic Alias (half of them setting it with the topic, half with an
/// empty topic name), 10% QoS 1 PUBLISH (1 KiB, one User Property), 12% PUBACK, PUBREC, PUBREL,
/// PUBCOMP (short forms, a Reason Code alone, with a Reason String or a User Property), 5%
/// PINGREQ, 4% SUBSCRIBE with Subscription Options, 4% SUBACK.
pub fn v5_telemetry_mix(n: usize) -> Corpus {
    let mut rng = Rng::new(0x7e1e_3e75);
    let mut w = Writer::new();
    for i in 0..n {
        let site = rng.range(0, 15);
        let device = rng.range(0, 9_999);
        let topic = format!("site/{site}/device/{device}/telemetry");
        let none = Props::default();
        match rng.range(0, 99) {
            0..=44 => {
                let len = rng.range(16, 128);
                w.publish_v5(0, &topic, 0, &none, &rng.bytes(len));
            }
            45..=59 => {
                let props = Props {
                    utf8: true,
                    expiry: 300,
                    content_type: "application/json",
                    user: user(&[("unit", "celsius"), ("seq", &i.to_string())]),
                    ..Props::default()
                };
                let reading = format!("{{\"t\":{}.{}}}", rng.range(0, 40), rng.range(0, 9));
                w.publish_v5(0, &topic, 0, &props, reading.as_bytes());
            }
            60..=64 => {
                let props = Props {
                    alias: (device % 16) as u16 + 1,
                    ..Props::default()
                };
                let topic = if rng.range(0, 1) == 1 {
                    topic.as_str()
                } else {
                    ""
                };
                let len = rng.range(16, 64);
                w.publish_v5(0, topic, 0, &props, &rng.bytes(len));
            }
            65..=74 => {
                let props = Props {
                    user: user(&[("batch", &format!("{site}-{device}"))]),
                    ..Props::default()
                };
                let topic = format!("site/{site}/device/{device}/batch");
                w.publish_v5(1, &topic, pid(i), &props, &rng.bytes(1024));
            }
            75..=77 => w.ack_v5(4, pid(i), None, &none),
            78 => w.ack_v5(4, pid(i), Some(0x10), &none),
            79 => {
                let props = Props {
                    reason_string: "not authorized for this topic",
                    ..Props::default()
                };
                w.ack_v5(4, pid(i), Some(0x87), &props);
            }
            80 => w.ack_v5(5, pid(i), None, &none),
            81 => w.ack_v5(5, pid(i), Some(0x10), &none),
            82 => w.ack_v5(6, pid(i), None, &none),
            83 => w.ack_v5(6, pid(i), Some(0x92), &none),
            84 => w.ack_v5(7, pid(i), None, &none),
            85 => {
                let props = Props {
                    user: user(&[("trace", &format!("{i:08x}"))]),
                    ..Props::default()
                };
                w.ack_v5(7, pid(i), Some(0x00), &props);
            }
            86 => w.ack_v5(7, pid(i), Some(0x92), &none),
            87..=91 => w.pingreq_v5(),
            92..=95 => {
                let own = format!("site/{site}/device/{device}/cmd/+");
                let mut filters = vec![
                    (own.as_str(), options_byte(1, true, false, 0)),
                    ("site/+/config/#", options_byte(0, false, true, 1)),
                ];
                if rng.range(0, 1) == 1 {
                    filters.push(("$SYS/broker/load/#", options_byte(0, false, false, 2)));
                }
                w.subscribe_v5(pid(i), &filters);
            }
            _ => w.suback_v5(pid(i), &[1, 0, 0x87]),
        }
    }
    w.finish("v5-telemetry-mix")
}

/// QoS 1 PUBLISH with a 64 KiB payload.
pub fn large_publish(n: usize) -> Corpus {
    let mut rng = Rng::new(0x1a29e);
    let payload = rng.bytes(64 * 1024);
    let mut w = Writer::new();
    for i in 0..n {
        let topic = format!("site/{}/camera/{}/frame", i % 16, i % 100);
        w.publish(1, false, &topic, pid(i), &payload);
    }
    w.finish("large-publish")
}

/// The size of the frame at the start of `data`: the frame-walk baseline and the way to step
/// through a buffer with a codec that does not say how much it consumed (mqttrs).
#[inline]
pub fn frame_len(data: &[u8]) -> Option<usize> {
    let mut len = 0usize;
    for i in 0..4 {
        let b = *data.get(1 + i)?;
        len |= usize::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return Some(2 + i + len);
        }
    }
    None
}

/// (filter, topic name) pairs for the matching comparison: exact, `+`, `#`, `$SYS` and
/// misses, about half of them matching.
pub fn match_pairs(n: usize) -> Vec<(String, String)> {
    let mut rng = Rng::new(0x70b1c);
    (0..n)
        .map(|_| {
            let site = rng.range(0, 15);
            let device = rng.range(0, 99);
            let other = rng.range(0, 99);
            let name = match rng.range(0, 9) {
                0 => format!("$SYS/broker/load/{site}"),
                1 => format!("site/{site}/config"),
                _ => format!("site/{site}/device/{device}/telemetry"),
            };
            let filter = match rng.range(0, 7) {
                0 => format!("site/{site}/device/{device}/telemetry"),
                1 => format!("site/{site}/device/{other}/telemetry"),
                2 => "site/+/device/+/telemetry".to_string(),
                3 => format!("site/{site}/#"),
                4 => "#".to_string(),
                5 => "+/+/device/#".to_string(),
                6 => "$SYS/#".to_string(),
                _ => format!("site/{site}/device/+/status"),
            };
            (filter, name)
        })
        .collect()
}
