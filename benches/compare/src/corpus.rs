//! The corpora, written by a small encoder of its own (not mqttwire's), byte by byte from the
//! MQTT 3.1.1 standard (and, for the `v5-` corpora, the MQTT 5.0 standard), so that no codec
//! under test also produces the input it is measured on. Deterministic: a fixed-seed xorshift
//! generator.

/// A corpus: packets back to back, as they would arrive on a connection.
pub struct Corpus {
    pub name: &'static str,
    /// MQTT 5.0 packets (only the codecs that decode and encode 5.0 run on it).
    pub v5: bool,
    pub bytes: Vec<u8>,
    pub packets: usize,
    /// Packets of each type, indexed by the packet type's four bits.
    pub by_type: [usize; 16],
}

pub const NAMES: [&str; 5] = [
    "telemetry-mix",
    "small-publish",
    "large-publish",
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
}

impl Writer {
    fn new() -> Self {
        Writer {
            out: Vec::new(),
            packets: 0,
            by_type: [0; 16],
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
    fn publish_v5(
        &mut self,
        qos: u8,
        retain: bool,
        topic: &str,
        pid: u16,
        properties: &[u8],
        payload: &[u8],
    ) {
        let mut body = Vec::with_capacity(payload.len() + topic.len() + properties.len() + 8);
        string(&mut body, topic.as_bytes());
        if qos > 0 {
            body.extend_from_slice(&pid.to_be_bytes());
        }
        vbi(&mut body, properties.len());
        body.extend_from_slice(properties);
        body.extend_from_slice(payload);
        self.packet(0x30 | (qos << 1) | u8::from(retain), &body);
    }

    fn finish(self, name: &'static str) -> Corpus {
        Corpus {
            name,
            v5: name.starts_with("v5-"),
            bytes: self.out,
            packets: self.packets,
            by_type: self.by_type,
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

/// A User Property (MQTT 5.0 section 3.3.2.3.7): identifier 38 (0x26), then a UTF-8 String
/// Pair (section 1.5.7), name then value, each a UTF-8 Encoded String.
fn user_property(out: &mut Vec<u8>, name: &str, value: &str) {
    out.push(0x26);
    string(out, name.as_bytes());
    string(out, value.as_bytes());
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
    let mut properties = Vec::new();
    for i in 0..n {
        let (site, device) = (rng.range(0, 15), rng.range(0, 9_999));
        let topic = format!("site/{site}/device/{device}/telemetry");
        properties.clear();
        if props {
            user_property(&mut properties, "unit", "celsius");
            user_property(&mut properties, "device", &format!("sensor-{device:04}"));
            user_property(&mut properties, "fw", "1.4.2");
            user_property(&mut properties, "seq", &i.to_string());
        }
        w.publish_v5(0, false, &topic, 0, &properties, &rng.bytes(32));
    }
    w.finish(if props {
        "v5-small-publish-props"
    } else {
        "v5-small-publish"
    })
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
