//! The MQTT 5.0 codecs of other crates, on the `v5-` corpora, and what each codec's decoded
//! packets hold ([`seen`]), to check every codec's decoding against the corpus.
//!
//! The runners follow `codecs.rs`: decoders start each run from a fresh copy of the corpus in
//! the input type the codec takes; encoders encode the packets their own decoder made from the
//! corpus into an output buffer reused from run to run.

use crate::codecs::{outcome, source_bytes_mut, source_copy, Outcome, Runner};
use crate::corpus::{frame_len, Corpus};
use crate::seen::{options_byte, Seen};
use std::hint::black_box;

/// The 5.0 peers, as the tables name them.
pub const PEERS: [&str; 5] = [
    "rumqttc",
    "ntex-mqtt",
    "mqtt-proto",
    "mqtt5-protocol",
    "mqtt-protocol-core",
];

/// A runner for the 5.0 peer `codec` doing `op`.
pub fn make(codec: &str, op: &str, corpus: &'static Corpus) -> Result<Box<dyn Runner>, String> {
    Ok(match (codec, op) {
        ("rumqttc", "decode") => Box::new(rumqttc5::Decode::new(corpus)),
        ("rumqttc", "encode") => Box::new(rumqttc5::Encode::new(corpus)?),
        ("ntex-mqtt", "decode") => Box::new(ntex5::Decode::new(corpus)),
        ("ntex-mqtt", "encode") => Box::new(ntex5::Encode::new(corpus)?),
        ("mqtt-proto", "decode") => Box::new(proto5::Decode::new(corpus)),
        ("mqtt-proto", "encode") => Box::new(proto5::Encode::new(corpus)?),
        ("mqtt5-protocol", "decode") => Box::new(m5p::Decode::new(corpus)),
        ("mqtt5-protocol", "encode") => Box::new(m5p::Encode::new(corpus)?),
        ("mqtt-protocol-core", "decode") => Box::new(core5::Decode::new(corpus)),
        ("mqtt-protocol-core", "encode") => Box::new(core5::Encode::new(corpus)?),
        _ => return Err(format!("no MQTT 5.0 runner for {codec} {op}")),
    })
}

/// What `codec` decodes from `bytes`, packet by packet (untimed), or the error that stopped it
/// and after how many packets.
pub fn seen(codec: &str, bytes: &[u8]) -> Result<Vec<Seen>, String> {
    let mut all = Vec::new();
    let o = match codec {
        "mqttwire" => wire5::decode_all(bytes, |p| all.push(wire5::seen(&p))),
        "mqttwire-ref" => wire5::decode_all_ref(bytes, |p| all.push(wire5::seen(&p.to_owned()))),
        "rumqttc" => rumqttc5::decode_all(&mut bytes::BytesMut::from(bytes), |p| {
            all.push(rumqttc5::seen(&p))
        }),
        "ntex-mqtt" => ntex5::decode_all(
            &ntex5::Codec::new(),
            &mut ntex_bytes::BytesMut::copy_from_slice(bytes),
            |d| all.push(ntex5::seen(&d)),
        ),
        "mqtt-proto" => proto5::decode_all(bytes, |p| all.push(proto5::seen(&p))),
        "mqtt5-protocol" => m5p::decode_all(&mut bytes::BytesMut::from(bytes), |p| {
            all.push(m5p::seen(&p))
        }),
        "mqtt-protocol-core" => core5::decode_all(bytes, |p| all.push(core5::seen(&p))),
        _ => return Err(format!("no MQTT 5.0 decoder check for {codec}")),
    };
    match o.error {
        Some(e) => Err(format!("error after {} packets: {e}", o.packets)),
        None => Ok(all),
    }
}

/// mqttwire's packets, for the checks (its runners are in `wire.rs`).
mod wire5 {
    use super::*;
    use mqttwire::{Decoder, Packet, PacketRef, PayloadFormat, PropertiesRef, Protocol};

    pub fn decode_all(bytes: &[u8], mut f: impl FnMut(Packet)) -> Outcome {
        let decoder = Decoder::new().protocol(Protocol::V5);
        let mut buf = bytes::BytesMut::from(bytes);
        let mut n = 0;
        loop {
            match decoder.decode(&mut buf) {
                Ok(Some(p)) => {
                    f(p);
                    n += 1;
                }
                Ok(None) => return outcome(n, bytes.len() - buf.len(), None),
                Err(e) => return outcome(n, bytes.len() - buf.len(), Some(e.to_string())),
            }
        }
    }

    pub fn decode_all_ref<'a>(bytes: &'a [u8], mut f: impl FnMut(PacketRef<'a>)) -> Outcome {
        let decoder = Decoder::new().protocol(Protocol::V5);
        let (mut pos, mut n) = (0, 0);
        loop {
            match decoder.decode_ref(&bytes[pos..]) {
                Ok(Some((p, used))) => {
                    f(p);
                    pos += used;
                    n += 1;
                }
                Ok(None) => return outcome(n, pos, None),
                Err(e) => return outcome(n, pos, Some(e.to_string())),
            }
        }
    }

    fn properties(s: &mut Seen, p: PropertiesRef<'_>) {
        s.utf8 = p.payload_format_indicator() == Some(PayloadFormat::Utf8);
        s.message_expiry = p.message_expiry_interval().unwrap_or(0);
        s.content_type = p.content_type().unwrap_or_default().into();
        s.topic_alias = p.topic_alias().unwrap_or(0);
        s.reason_string = p.reason_string().unwrap_or_default().into();
        s.user = p
            .user_properties()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
    }

    pub fn seen(p: &Packet) -> Seen {
        let mut s = Seen::new(p.packet_type() as u8);
        macro_rules! ack {
            ($a:expr) => {{
                s.packet_id = $a.packet_id.into();
                s.reason = $a.reason_code.into();
                properties(&mut s, $a.properties.as_ref());
            }};
        }
        match p {
            Packet::Publish(p) => {
                s.qos = p.qos().bits();
                s.retain = p.retain();
                s.packet_id = p.packet_id().map_or(0, u16::from);
                s.topic = p.topic().into();
                s.payload = p.payload().into();
                properties(&mut s, p.properties());
            }
            Packet::PubAck(a) => ack!(a),
            Packet::PubRec(a) => ack!(a),
            Packet::PubRel(a) => ack!(a),
            Packet::PubComp(a) => ack!(a),
            Packet::Subscribe(p) => {
                s.packet_id = p.packet_id().into();
                s.filters = p
                    .iter_with_options()
                    .map(|(f, o)| (f.to_string(), o.byte()))
                    .collect();
                properties(&mut s, p.properties());
            }
            Packet::SubAck(p) => {
                s.packet_id = p.packet_id().into();
                s.codes = p.reason_codes().map(u8::from).collect();
                properties(&mut s, p.as_borrowed().properties);
            }
            _ => {}
        }
        s
    }
}

/// The Reason Code of a reason enum that has no public conversion to its byte, from the name
/// its `Debug` gives, which follows the standard's names (sections 2.4 and 3.4.2.1); 0xff for
/// a name not in the table, so that the check reports it.
fn code_by_name(reason: &impl std::fmt::Debug) -> u8 {
    match format!("{reason:?}").as_str() {
        "Success" => 0x00,
        "NoMatchingSubscribers" => 0x10,
        "UnspecifiedError" | "Unspecified" => 0x80,
        "ImplementationSpecificError" | "ImplementationSpecific" => 0x83,
        "NotAuthorized" => 0x87,
        "TopicFilterInvalid" => 0x8f,
        "TopicNameInvalid" => 0x90,
        "PacketIdentifierInUse" | "PkidInUse" => 0x91,
        "PacketIdentifierNotFound" => 0x92,
        "QuotaExceeded" => 0x97,
        "PayloadFormatInvalid" => 0x99,
        _ => 0xff,
    }
}

/// `rumqttc::v5::mqttbytes::v5` (the same code as mqttbytes 0.6's `v5` module).
mod rumqttc5 {
    use super::*;
    use bytes::BytesMut;
    use rumqttc::v5::mqttbytes::v5::Packet;

    pub fn decode_all(buf: &mut BytesMut, mut f: impl FnMut(Packet)) -> Outcome {
        let start = buf.len();
        let mut n = 0;
        while !buf.is_empty() {
            match Packet::read(buf, None) {
                Ok(p) => {
                    f(p);
                    n += 1;
                }
                Err(e) => return outcome(n, start - buf.len(), Some(format!("{e:?}"))),
            }
        }
        outcome(n, start - buf.len(), None)
    }

    pub fn seen(p: &Packet) -> Seen {
        macro_rules! ack {
            ($kind:expr, $a:expr) => {{
                let mut s = Seen::new($kind);
                s.packet_id = $a.pkid;
                s.reason = code_by_name(&$a.reason);
                if let Some(p) = &$a.properties {
                    s.reason_string = p.reason_string.clone().unwrap_or_default();
                    s.user = p.user_properties.clone();
                }
                s
            }};
        }
        match p {
            Packet::Publish(p) => {
                let mut s = Seen::new(3);
                s.qos = p.qos as u8;
                s.retain = p.retain;
                s.packet_id = p.pkid;
                s.topic = String::from_utf8_lossy(&p.topic).into();
                s.payload = p.payload.to_vec();
                if let Some(pp) = &p.properties {
                    s.utf8 = pp.payload_format_indicator == Some(1);
                    s.message_expiry = pp.message_expiry_interval.unwrap_or(0);
                    s.content_type = pp.content_type.clone().unwrap_or_default();
                    s.topic_alias = pp.topic_alias.unwrap_or(0);
                    s.user = pp.user_properties.clone();
                }
                s
            }
            Packet::PubAck(a) => ack!(4, a),
            Packet::PubRec(a) => ack!(5, a),
            Packet::PubRel(a) => ack!(6, a),
            Packet::PubComp(a) => ack!(7, a),
            Packet::Subscribe(p) => {
                let mut s = Seen::new(8);
                s.packet_id = p.pkid;
                s.filters = p
                    .filters
                    .iter()
                    .map(|f| {
                        let rh = f.retain_forward_rule.clone() as u8; // declared in the standard's order
                        let o = options_byte(f.qos as u8, f.nolocal, f.preserve_retain, rh);
                        (f.path.clone(), o)
                    })
                    .collect();
                if let Some(pp) = &p.properties {
                    s.user = pp.user_properties.clone();
                }
                s
            }
            Packet::SubAck(p) => {
                use rumqttc::v5::mqttbytes::v5::SubscribeReasonCode as C;
                let mut s = Seen::new(9);
                s.packet_id = p.pkid;
                s.codes = p
                    .return_codes
                    .iter()
                    .map(|c| match c {
                        C::Success(q) => *q as u8,
                        other => code_by_name(other),
                    })
                    .collect();
                if let Some(pp) = &p.properties {
                    s.reason_string = pp.reason_string.clone().unwrap_or_default();
                    s.user = pp.user_properties.clone();
                }
                s
            }
            Packet::PingReq(_) => Seen::new(12),
            other => Seen::new(crate::seen::kind_of_debug(other)),
        }
    }

    pub struct Decode {
        corpus: &'static Corpus,
        buf: BytesMut,
    }

    impl Decode {
        pub fn new(corpus: &'static Corpus) -> Self {
            Decode {
                corpus,
                buf: BytesMut::new(),
            }
        }
    }

    impl Runner for Decode {
        fn setup(&mut self) {
            self.buf = BytesMut::from(&self.corpus.bytes[..]);
        }
        fn run(&mut self) -> Outcome {
            decode_all(&mut self.buf, |p| {
                black_box(&p);
            })
        }
        fn teardown(&mut self) {
            self.buf = BytesMut::new();
        }
    }

    pub struct Encode {
        packets: Vec<Packet>,
        out: BytesMut,
    }

    impl Encode {
        pub fn new(corpus: &'static Corpus) -> Result<Self, String> {
            let out = BytesMut::with_capacity(corpus.bytes.len() * 2);
            let mut source = source_bytes_mut(&corpus.bytes, out.as_ptr());
            let mut packets = Vec::with_capacity(corpus.packets);
            let o = decode_all(&mut source, |p| packets.push(p));
            if let Some(e) = o.error {
                return Err(format!("decoding the corpus failed: {e}"));
            }
            Ok(Encode { packets, out })
        }
    }

    impl Runner for Encode {
        fn setup(&mut self) {
            self.out.clear();
        }
        fn run(&mut self) -> Outcome {
            for (i, p) in self.packets.iter().enumerate() {
                if let Err(e) = p.write(&mut self.out, None) {
                    return outcome(i, self.out.len(), Some(format!("{e:?}")));
                }
            }
            outcome(self.packets.len(), self.out.len(), None)
        }
        fn output(&self) -> Option<Vec<u8>> {
            Some(self.out.to_vec())
        }
    }
}

/// ntex-mqtt's `v5::codec::Codec`, used as the 3.1.1 one in `codecs.rs`.
mod ntex5 {
    use super::*;
    use ntex_bytes::{BytePageSize, BytePages, BytesMut};
    use ntex_codec::{Decoder, Encoder};
    pub use ntex_mqtt::v5::codec::Codec;
    use ntex_mqtt::v5::codec::{Decoded, Encoded, Packet};

    /// Drains `buf`; a PUBLISH whose payload is all there comes back whole.
    pub fn decode_all(codec: &Codec, buf: &mut BytesMut, mut f: impl FnMut(Decoded)) -> Outcome {
        let start = buf.len();
        let mut n = 0;
        loop {
            match codec.decode(buf) {
                Ok(Some(d)) => {
                    if !matches!(d, Decoded::PayloadChunk(..)) {
                        n += 1;
                    }
                    f(d);
                }
                Ok(None) => return outcome(n, start - buf.len(), None),
                Err(e) => return outcome(n, start - buf.len(), Some(format!("{e:?}"))),
            }
        }
    }

    fn user(props: &ntex_mqtt::v5::codec::UserProperties) -> Vec<(String, String)> {
        props
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect()
    }

    pub fn seen(d: &Decoded) -> Seen {
        macro_rules! ack {
            ($kind:expr, $a:expr) => {{
                let mut s = Seen::new($kind);
                s.packet_id = $a.packet_id.get();
                s.reason = u8::from($a.reason_code);
                s.reason_string = $a.reason_string.as_deref().unwrap_or_default().into();
                s.user = user(&$a.properties);
                s
            }};
        }
        match d {
            Decoded::Publish(p, payload, _) => {
                let mut s = Seen::new(3);
                s.qos = u8::from(p.qos);
                s.retain = p.retain;
                s.packet_id = p.packet_id.map_or(0, |id| id.get());
                s.topic = p.topic.to_string();
                s.payload = payload.to_vec();
                let pp = &p.properties;
                s.utf8 = pp.is_utf8_payload;
                s.message_expiry = pp.message_expiry_interval.map_or(0, |v| v.get());
                s.content_type = pp.content_type.as_deref().unwrap_or_default().into();
                s.topic_alias = pp.topic_alias.map_or(0, |v| v.get());
                s.user = user(&pp.user_properties);
                s
            }
            Decoded::Packet(p, _) => match p {
                Packet::PublishAck(a) => ack!(4, a),
                Packet::PublishReceived(a) => ack!(5, a),
                Packet::PublishRelease(a) => ack!(6, a),
                Packet::PublishComplete(a) => ack!(7, a),
                Packet::Subscribe(p) => {
                    let mut s = Seen::new(8);
                    s.packet_id = p.packet_id.get();
                    s.filters = p
                        .topic_filters
                        .iter()
                        .map(|(f, o)| {
                            let rh = u8::from(o.retain_handling);
                            let qos = u8::from(o.qos);
                            let byte = options_byte(qos, o.no_local, o.retain_as_published, rh);
                            (f.to_string(), byte)
                        })
                        .collect();
                    s.user = user(&p.user_properties);
                    s
                }
                Packet::SubscribeAck(p) => {
                    let mut s = Seen::new(9);
                    s.packet_id = p.packet_id.get();
                    s.codes = p.status.iter().map(|c| u8::from(*c)).collect();
                    s.reason_string = p.reason_string.as_deref().unwrap_or_default().into();
                    s.user = user(&p.properties);
                    s
                }
                Packet::PingRequest => Seen::new(12),
                other => Seen::new(crate::seen::kind_of_debug(other)),
            },
            Decoded::PayloadChunk(..) => Seen::new(0),
        }
    }

    pub struct Decode {
        corpus: &'static Corpus,
        buf: BytesMut,
        codec: Codec,
    }

    impl Decode {
        pub fn new(corpus: &'static Corpus) -> Self {
            Decode {
                corpus,
                buf: BytesMut::new(),
                codec: Codec::new(),
            }
        }
    }

    impl Runner for Decode {
        fn setup(&mut self) {
            self.codec = Codec::new();
            self.buf = BytesMut::copy_from_slice(&self.corpus.bytes[..]);
        }
        fn run(&mut self) -> Outcome {
            decode_all(&self.codec, &mut self.buf, |d| {
                black_box(&d);
            })
        }
        fn teardown(&mut self) {
            self.buf = BytesMut::new();
        }
    }

    /// As the 3.1.1 runner: `encodev` takes each packet by value, so `setup` clones the list
    /// (reference counts, untimed) and `run` consumes it, into ntex's paged buffer.
    pub struct Encode {
        decoded: Vec<Encoded>,
        items: Vec<Encoded>,
        codec: Codec,
        out: BytePages,
    }

    impl Encode {
        pub fn new(corpus: &'static Corpus) -> Result<Self, String> {
            let mut decoded = Vec::with_capacity(corpus.packets);
            let codec = Codec::new();
            let mut buf = BytesMut::copy_from_slice(&corpus.bytes[..]);
            let mut err = None;
            let o = decode_all(&codec, &mut buf, |d| match d {
                Decoded::Packet(p, _) => decoded.push(Encoded::Packet(p)),
                Decoded::Publish(p, payload, _) => decoded.push(Encoded::Publish(p, Some(payload))),
                Decoded::PayloadChunk(..) => err = Some("unexpected payload chunk".to_string()),
            });
            if let Some(e) = o.error.or(err) {
                return Err(format!("decoding the corpus failed: {e}"));
            }
            Ok(Encode {
                decoded,
                items: Vec::new(),
                codec: Codec::new(),
                out: BytePages::new(BytePageSize::Size16),
            })
        }
    }

    impl Runner for Encode {
        fn setup(&mut self) {
            self.out.clear();
            self.codec = Codec::new();
            self.items = self.decoded.clone();
        }
        fn run(&mut self) -> Outcome {
            let n = self.items.len();
            for (i, item) in self.items.drain(..).enumerate() {
                if let Err(e) = self.codec.encodev(item, &mut self.out) {
                    return outcome(i, self.out.len(), Some(format!("{e:?}")));
                }
            }
            outcome(n, self.out.len(), None)
        }
        fn output(&self) -> Option<Vec<u8>> {
            let mut pages = BytePages::new(BytePageSize::Size16);
            self.out.copy_to(&mut pages);
            let mut v = Vec::with_capacity(self.out.len());
            while let Some(page) = pages.take() {
                v.extend_from_slice(page.as_ref());
            }
            Some(v)
        }
    }
}

/// mqtt-proto's `v5` module: `Packet::decode` reads a slice (and does not say how much it
/// consumed: the caller steps over the frame, as with mqttrs); `Packet::encode` returns the
/// packet's bytes, which the caller appends to its buffer.
mod proto5 {
    use super::*;
    use mqtt_proto::v5::Packet;
    use mqtt_proto::QosPid;

    pub fn decode_all(data: &[u8], mut f: impl FnMut(Packet)) -> Outcome {
        let (mut pos, mut n) = (0, 0);
        while pos < data.len() {
            let rest = &data[pos..];
            match Packet::decode(rest) {
                Ok(Some(p)) => {
                    f(p);
                    pos += frame_len(rest).unwrap_or(rest.len());
                    n += 1;
                }
                Ok(None) => return outcome(n, pos, Some("incomplete".into())),
                Err(e) => return outcome(n, pos, Some(format!("{e:?}"))),
            }
        }
        outcome(n, pos, None)
    }

    fn user(props: &[mqtt_proto::v5::UserProperty]) -> Vec<(String, String)> {
        props
            .iter()
            .map(|u| (u.name.to_string(), u.value.to_string()))
            .collect()
    }

    pub fn seen(p: &Packet) -> Seen {
        macro_rules! ack {
            ($kind:expr, $a:expr) => {{
                let mut s = Seen::new($kind);
                s.packet_id = $a.pid.value();
                s.reason = $a.reason_code as u8;
                s.reason_string = $a
                    .properties
                    .reason_string
                    .as_deref()
                    .unwrap_or_default()
                    .into();
                s.user = user(&$a.properties.user_properties);
                s
            }};
        }
        match p {
            Packet::Publish(p) => {
                let mut s = Seen::new(3);
                (s.qos, s.packet_id) = match p.qos_pid {
                    QosPid::Level0 => (0, 0),
                    QosPid::Level1(id) => (1, id.value()),
                    QosPid::Level2(id) => (2, id.value()),
                };
                s.retain = p.retain;
                s.topic = p.topic_name.to_string();
                s.payload = p.payload.to_vec();
                let pp = &p.properties;
                s.utf8 = pp.payload_is_utf8 == Some(true);
                s.message_expiry = pp.message_expiry_interval.unwrap_or(0);
                s.content_type = pp.content_type.as_deref().unwrap_or_default().into();
                s.topic_alias = pp.topic_alias.unwrap_or(0);
                s.user = user(&pp.user_properties);
                s
            }
            Packet::Puback(a) => ack!(4, a),
            Packet::Pubrec(a) => ack!(5, a),
            Packet::Pubrel(a) => ack!(6, a),
            Packet::Pubcomp(a) => ack!(7, a),
            Packet::Subscribe(p) => {
                let mut s = Seen::new(8);
                s.packet_id = p.pid.value();
                s.filters = p
                    .topics
                    .iter()
                    .map(|(f, o)| {
                        let rh = o.retain_handling as u8;
                        let qos = o.max_qos as u8;
                        let byte = options_byte(qos, o.no_local, o.retain_as_published, rh);
                        (f.to_string(), byte)
                    })
                    .collect();
                s.user = user(&p.properties.user_properties);
                s
            }
            Packet::Suback(p) => {
                let mut s = Seen::new(9);
                s.packet_id = p.pid.value();
                s.codes = p.topics.iter().map(|c| *c as u8).collect();
                s.reason_string = p
                    .properties
                    .reason_string
                    .as_deref()
                    .unwrap_or_default()
                    .into();
                s.user = user(&p.properties.user_properties);
                s
            }
            Packet::Pingreq => Seen::new(12),
            other => Seen::new(crate::seen::kind_of_debug(other)),
        }
    }

    pub struct Decode {
        corpus: &'static Corpus,
        buf: Vec<u8>,
    }

    impl Decode {
        pub fn new(corpus: &'static Corpus) -> Self {
            Decode {
                corpus,
                buf: Vec::new(),
            }
        }
    }

    impl Runner for Decode {
        fn setup(&mut self) {
            self.buf = self.corpus.bytes.clone();
        }
        fn run(&mut self) -> Outcome {
            decode_all(&self.buf, |p| {
                black_box(&p);
            })
        }
        fn teardown(&mut self) {
            self.buf = Vec::new();
        }
    }

    pub struct Encode {
        packets: Vec<Packet>,
        out: Vec<u8>,
    }

    impl Encode {
        pub fn new(corpus: &'static Corpus) -> Result<Self, String> {
            let out = Vec::with_capacity(corpus.bytes.len() * 2);
            let (source, start) = source_copy(&corpus.bytes, out.as_ptr());
            let mut packets = Vec::with_capacity(corpus.packets);
            let o = decode_all(&source[start..start + corpus.bytes.len()], |p| {
                packets.push(p)
            });
            if let Some(e) = o.error {
                return Err(format!("decoding the corpus failed: {e}"));
            }
            Ok(Encode { packets, out })
        }
    }

    impl Runner for Encode {
        fn setup(&mut self) {
            self.out.clear();
        }
        fn run(&mut self) -> Outcome {
            for (i, p) in self.packets.iter().enumerate() {
                match p.encode() {
                    Ok(bytes) => self.out.extend_from_slice(bytes.as_ref()),
                    Err(e) => return outcome(i, self.out.len(), Some(format!("{e:?}"))),
                }
            }
            outcome(self.packets.len(), self.out.len(), None)
        }
        fn output(&self) -> Option<Vec<u8>> {
            Some(self.out.clone())
        }
    }
}

/// mqtt5-protocol: no stream decoder; the caller reads the fixed header (`FixedHeader::decode`),
/// splits the frame off its buffer (so the payload is shared, not copied: the body is read
/// from `Bytes`), and decodes the body by type (`Packet::decode_from_body`). Each packet type
/// encodes itself (`MqttPacket::encode`, into any `BufMut`).
mod m5p {
    use super::*;
    use bytes::{Buf, Bytes, BytesMut};
    use mqtt5_protocol::packet::{pingreq::PingReqPacket, MqttPacket};
    use mqtt5_protocol::{FixedHeader, Packet, Properties, PropertyId, PropertyValue};

    pub fn decode_all(buf: &mut BytesMut, mut f: impl FnMut(Packet)) -> Outcome {
        let start = buf.len();
        let mut n = 0;
        while !buf.is_empty() {
            let mut cursor = &buf[..];
            let header = match FixedHeader::decode(&mut cursor) {
                Ok(h) => h,
                Err(e) => return outcome(n, start - buf.len(), Some(format!("{e:?}"))),
            };
            let header_len = buf.len() - cursor.len();
            let body_len = header.remaining_length as usize;
            if cursor.len() < body_len {
                return outcome(n, start - buf.len(), Some("incomplete".into()));
            }
            let mut body: Bytes = buf.split_to(header_len + body_len).freeze();
            body.advance(header_len);
            match Packet::decode_from_body(header.packet_type, &header, &mut body) {
                Ok(p) => {
                    f(p);
                    n += 1;
                }
                Err(e) => return outcome(n, start - buf.len(), Some(format!("{e:?}"))),
            }
        }
        outcome(n, start - buf.len(), None)
    }

    fn properties(s: &mut Seen, p: &Properties) {
        let one = |id| p.get(id);
        s.utf8 = matches!(
            one(PropertyId::PayloadFormatIndicator),
            Some(PropertyValue::Byte(1))
        );
        if let Some(PropertyValue::FourByteInteger(v)) = one(PropertyId::MessageExpiryInterval) {
            s.message_expiry = *v;
        }
        if let Some(PropertyValue::Utf8String(v)) = one(PropertyId::ContentType) {
            s.content_type.clone_from(v);
        }
        if let Some(PropertyValue::TwoByteInteger(v)) = one(PropertyId::TopicAlias) {
            s.topic_alias = *v;
        }
        if let Some(PropertyValue::Utf8String(v)) = one(PropertyId::ReasonString) {
            s.reason_string.clone_from(v);
        }
        s.user = p
            .get_all(PropertyId::UserProperty)
            .unwrap_or_default()
            .iter()
            .filter_map(|v| match v {
                PropertyValue::Utf8StringPair(n, v) => Some((n.clone(), v.clone())),
                _ => None,
            })
            .collect();
    }

    pub fn seen(p: &Packet) -> Seen {
        macro_rules! ack {
            ($kind:expr, $a:expr) => {{
                let mut s = Seen::new($kind);
                s.packet_id = $a.packet_id;
                s.reason = u8::from($a.reason_code);
                properties(&mut s, &$a.properties);
                s
            }};
        }
        match p {
            Packet::Publish(p) => {
                let mut s = Seen::new(3);
                s.qos = p.qos as u8;
                s.retain = p.retain;
                s.packet_id = p.packet_id.unwrap_or(0);
                s.topic.clone_from(&p.topic_name);
                s.payload = p.payload.to_vec();
                properties(&mut s, &p.properties);
                s
            }
            Packet::PubAck(a) => ack!(4, a),
            Packet::PubRec(a) => ack!(5, a),
            Packet::PubRel(a) => ack!(6, a),
            Packet::PubComp(a) => ack!(7, a),
            Packet::Subscribe(p) => {
                let mut s = Seen::new(8);
                s.packet_id = p.packet_id;
                s.filters = p
                    .filters
                    .iter()
                    .map(|f| {
                        let o = &f.options;
                        let rh = o.retain_handling as u8;
                        let byte = options_byte(o.qos as u8, o.no_local, o.retain_as_published, rh);
                        (f.filter.clone(), byte)
                    })
                    .collect();
                properties(&mut s, &p.properties);
                s
            }
            Packet::SubAck(p) => {
                let mut s = Seen::new(9);
                s.packet_id = p.packet_id;
                s.codes = p.reason_codes.iter().map(|c| *c as u8).collect();
                properties(&mut s, &p.properties);
                s
            }
            Packet::PingReq => Seen::new(12),
            other => Seen::new(crate::seen::kind_of_debug(other)),
        }
    }

    /// mqtt5-protocol has no `Packet::encode`: each packet type encodes itself.
    fn write(p: &Packet, out: &mut BytesMut) -> mqtt5_protocol::Result<()> {
        match p {
            Packet::Publish(p) => p.encode(out),
            Packet::PubAck(p) => p.encode(out),
            Packet::PubRec(p) => p.encode(out),
            Packet::PubRel(p) => p.encode(out),
            Packet::PubComp(p) => p.encode(out),
            Packet::Subscribe(p) => p.encode(out),
            Packet::SubAck(p) => p.encode(out),
            Packet::PingReq => PingReqPacket::default().encode(out),
            other => Err(mqtt5_protocol::MqttError::MalformedPacket(format!(
                "the bench does not encode {}",
                other.packet_type_name()
            ))),
        }
    }

    pub struct Decode {
        corpus: &'static Corpus,
        buf: BytesMut,
    }

    impl Decode {
        pub fn new(corpus: &'static Corpus) -> Self {
            Decode {
                corpus,
                buf: BytesMut::new(),
            }
        }
    }

    impl Runner for Decode {
        fn setup(&mut self) {
            self.buf = BytesMut::from(&self.corpus.bytes[..]);
        }
        fn run(&mut self) -> Outcome {
            decode_all(&mut self.buf, |p| {
                black_box(&p);
            })
        }
        fn teardown(&mut self) {
            self.buf = BytesMut::new();
        }
    }

    pub struct Encode {
        packets: Vec<Packet>,
        out: BytesMut,
    }

    impl Encode {
        pub fn new(corpus: &'static Corpus) -> Result<Self, String> {
            let out = BytesMut::with_capacity(corpus.bytes.len() * 2);
            let mut source = source_bytes_mut(&corpus.bytes, out.as_ptr());
            let mut packets = Vec::with_capacity(corpus.packets);
            let o = decode_all(&mut source, |p| packets.push(p));
            if let Some(e) = o.error {
                return Err(format!("decoding the corpus failed: {e}"));
            }
            Ok(Encode { packets, out })
        }
    }

    impl Runner for Encode {
        fn setup(&mut self) {
            self.out.clear();
        }
        fn run(&mut self) -> Outcome {
            for (i, p) in self.packets.iter().enumerate() {
                if let Err(e) = write(p, &mut self.out) {
                    return outcome(i, self.out.len(), Some(format!("{e:?}")));
                }
            }
            outcome(self.packets.len(), self.out.len(), None)
        }
        fn output(&self) -> Option<Vec<u8>> {
            Some(self.out.to_vec())
        }
    }
}

/// mqtt-protocol-core (`mqtt::packet::v5_0`): a Sans-I/O library whose `Connection` reads the
/// fixed header and hands each body to the type's `parse`, a PUBLISH body copied into an
/// `Arc<[u8]>` that the packet then shares. The bench does the same without the connection's
/// state machine (which would refuse a PUBLISH before CONNECT). Packets encode themselves as
/// `IoSlice`s over their fields (`to_buffers`), appended here to the reused output.
mod core5 {
    use super::*;
    use mqtt_protocol_core::mqtt::packet::v5_0::{
        Pingreq, Puback, Pubcomp, Publish, Pubrec, Pubrel, Suback, Subscribe,
    };
    use mqtt_protocol_core::mqtt::packet::{Properties, Property};
    use mqtt_protocol_core::mqtt::Arc;

    pub enum Packet {
        Publish(Publish),
        Puback(Puback),
        Pubrec(Pubrec),
        Pubrel(Pubrel),
        Pubcomp(Pubcomp),
        Subscribe(Subscribe),
        Suback(Suback),
        Pingreq(Pingreq),
    }

    fn parse(first: u8, body: &[u8]) -> Result<Packet, String> {
        let err = |e| format!("{e:?}");
        Ok(match first >> 4 {
            3 => Packet::Publish(
                Publish::parse(first & 0x0f, Arc::from(body))
                    .map_err(err)?
                    .0,
            ),
            4 => Packet::Puback(Puback::parse(body).map_err(err)?.0),
            5 => Packet::Pubrec(Pubrec::parse(body).map_err(err)?.0),
            6 => Packet::Pubrel(Pubrel::parse(body).map_err(err)?.0),
            7 => Packet::Pubcomp(Pubcomp::parse(body).map_err(err)?.0),
            8 => Packet::Subscribe(Subscribe::parse(body).map_err(err)?.0),
            9 => Packet::Suback(Suback::parse(body).map_err(err)?.0),
            12 => Packet::Pingreq(Pingreq::parse(body).map_err(err)?.0),
            t => return Err(format!("the bench does not decode packet type {t}")),
        })
    }

    pub fn decode_all(data: &[u8], mut f: impl FnMut(Packet)) -> Outcome {
        let (mut pos, mut n) = (0, 0);
        while pos < data.len() {
            let rest = &data[pos..];
            let Some(len) = frame_len(rest).filter(|&l| l <= rest.len()) else {
                return outcome(n, pos, Some("incomplete".into()));
            };
            // The Remaining Length's bytes: those with the high bit set, then one.
            let header = 2 + rest[1..].iter().take_while(|b| **b & 0x80 != 0).count();
            match parse(rest[0], &rest[header..len]) {
                Ok(p) => {
                    f(p);
                    pos += len;
                    n += 1;
                }
                Err(e) => return outcome(n, pos, Some(e)),
            }
        }
        outcome(n, pos, None)
    }

    fn properties(s: &mut Seen, props: &Properties) {
        for p in props {
            match p {
                Property::PayloadFormatIndicator(v) => s.utf8 = v.val() == 1,
                Property::MessageExpiryInterval(v) => s.message_expiry = v.val(),
                Property::ContentType(v) => s.content_type = v.val().into(),
                Property::TopicAlias(v) => s.topic_alias = v.val(),
                Property::ReasonString(v) => s.reason_string = v.val().into(),
                Property::UserProperty(v) => s.user.push((v.key().into(), v.val().into())),
                _ => {}
            }
        }
    }

    pub fn seen(p: &Packet) -> Seen {
        macro_rules! ack {
            ($kind:expr, $a:expr) => {{
                let mut s = Seen::new($kind);
                s.packet_id = $a.packet_id();
                s.reason = $a.reason_code().map_or(0, |c| c as u8);
                if let Some(props) = &$a.props {
                    properties(&mut s, props);
                }
                s
            }};
        }
        match p {
            Packet::Publish(p) => {
                let mut s = Seen::new(3);
                s.qos = p.qos() as u8;
                s.retain = p.retain();
                s.packet_id = p.packet_id().unwrap_or(0);
                s.topic = p.topic_name().into();
                s.payload = p.payload().as_slice().into();
                properties(&mut s, &p.props);
                s
            }
            Packet::Puback(a) => ack!(4, a),
            Packet::Pubrec(a) => ack!(5, a),
            Packet::Pubrel(a) => ack!(6, a),
            Packet::Pubcomp(a) => ack!(7, a),
            Packet::Subscribe(p) => {
                let mut s = Seen::new(8);
                s.packet_id = p.packet_id();
                s.filters = p
                    .entries()
                    .iter()
                    .map(|e| {
                        let o = e.sub_opts();
                        let byte = options_byte(o.qos() as u8, o.nl(), o.rap(), o.rh() as u8);
                        (e.topic_filter().to_string(), byte)
                    })
                    .collect();
                properties(&mut s, &p.props);
                s
            }
            Packet::Suback(p) => {
                let mut s = Seen::new(9);
                s.packet_id = p.packet_id();
                s.codes = p.reason_codes().iter().map(|c| *c as u8).collect();
                properties(&mut s, &p.props);
                s
            }
            Packet::Pingreq(_) => Seen::new(12),
        }
    }

    fn append(p: &Packet, out: &mut Vec<u8>) {
        let slices = match p {
            Packet::Publish(p) => p.to_buffers(),
            Packet::Puback(p) => p.to_buffers(),
            Packet::Pubrec(p) => p.to_buffers(),
            Packet::Pubrel(p) => p.to_buffers(),
            Packet::Pubcomp(p) => p.to_buffers(),
            Packet::Subscribe(p) => p.to_buffers(),
            Packet::Suback(p) => p.to_buffers(),
            Packet::Pingreq(p) => p.to_buffers(),
        };
        for s in &slices {
            out.extend_from_slice(s);
        }
    }

    pub struct Decode {
        corpus: &'static Corpus,
        buf: Vec<u8>,
    }

    impl Decode {
        pub fn new(corpus: &'static Corpus) -> Self {
            Decode {
                corpus,
                buf: Vec::new(),
            }
        }
    }

    impl Runner for Decode {
        fn setup(&mut self) {
            self.buf = self.corpus.bytes.clone();
        }
        fn run(&mut self) -> Outcome {
            decode_all(&self.buf, |p| {
                black_box(&p);
            })
        }
        fn teardown(&mut self) {
            self.buf = Vec::new();
        }
    }

    pub struct Encode {
        packets: Vec<Packet>,
        out: Vec<u8>,
    }

    impl Encode {
        pub fn new(corpus: &'static Corpus) -> Result<Self, String> {
            let out = Vec::with_capacity(corpus.bytes.len() * 2);
            let (source, start) = source_copy(&corpus.bytes, out.as_ptr());
            let mut packets = Vec::with_capacity(corpus.packets);
            let o = decode_all(&source[start..start + corpus.bytes.len()], |p| {
                packets.push(p)
            });
            if let Some(e) = o.error {
                return Err(format!("decoding the corpus failed: {e}"));
            }
            Ok(Encode { packets, out })
        }
    }

    impl Runner for Encode {
        fn setup(&mut self) {
            self.out.clear();
        }
        fn run(&mut self) -> Outcome {
            for p in &self.packets {
                append(p, &mut self.out);
            }
            outcome(self.packets.len(), self.out.len(), None)
        }
        fn output(&self) -> Option<Vec<u8>> {
            Some(self.out.clone())
        }
    }
}

/// The checks must catch a codec that decodes a field wrongly: every codec's packets are
/// compared with what the corpus writer put in, then the corpus is changed in one field and
/// every codec's packets must differ there.
#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus;
    use crate::seen::compare;

    fn all_codecs() -> impl Iterator<Item = &'static str> {
        ["mqttwire", "mqttwire-ref"].into_iter().chain(PEERS)
    }

    /// Where each frame of `bytes` starts, with its first byte.
    fn frames(bytes: &[u8]) -> Vec<(usize, u8)> {
        let mut out = Vec::new();
        let mut pos = 0;
        while let Some(len) = frame_len(&bytes[pos..]) {
            out.push((pos, bytes[pos]));
            pos += len;
            if pos >= bytes.len() {
                break;
            }
        }
        out
    }

    /// Each codec decodes `bytes`, which differ from the corpus in one field: the check must
    /// name that field.
    fn each_codec_reports(expected: &[Seen], bytes: &[u8], field: &str) {
        for codec in all_codecs() {
            let got = seen(codec, bytes).unwrap_or_else(|e| panic!("{codec}: {e}"));
            let report =
                compare(expected, &got).unwrap_or_else(|| panic!("{codec}: no difference"));
            assert!(report.contains(field), "{codec}: {report}");
        }
    }

    #[test]
    fn every_codec_decodes_the_corpus_as_written() {
        for name in [
            "v5-telemetry-mix",
            "v5-small-publish",
            "v5-small-publish-props",
        ] {
            let corpus = corpus::build(name, true).expect("corpus");
            assert_eq!(corpus.expect.len(), corpus.packets);
            for codec in all_codecs() {
                let got = seen(codec, &corpus.bytes).unwrap_or_else(|e| panic!("{codec}: {e}"));
                assert_eq!(compare(&corpus.expect, &got), None, "{codec} on {name}");
            }
        }
    }

    #[test]
    fn a_changed_user_property_is_reported() {
        let corpus = corpus::build("v5-telemetry-mix", true).expect("corpus");
        let mut bytes = corpus.bytes.clone();
        let at = bytes
            .windows(7)
            .position(|w| w == b"celsius")
            .expect("a unit");
        bytes[at..at + 7].copy_from_slice(b"kelvins");
        each_codec_reports(&corpus.expect, &bytes, "user properties");
    }

    #[test]
    fn a_changed_packet_identifier_is_reported() {
        let corpus = corpus::build("v5-telemetry-mix", true).expect("corpus");
        let mut bytes = corpus.bytes.clone();
        // The first PUBACK in its short form: 0x40, Remaining Length 2, the identifier.
        let (at, _) = frames(&bytes)
            .into_iter()
            .find(|&(at, first)| first == 0x40 && bytes[at + 1] == 2)
            .expect("a short PUBACK");
        bytes[at + 3] ^= 0x01;
        each_codec_reports(&corpus.expect, &bytes, "packet id");
    }

    #[test]
    fn a_changed_topic_is_reported() {
        let corpus = corpus::build("v5-small-publish", true).expect("corpus");
        let mut bytes = corpus.bytes.clone();
        // The first PUBLISH: fixed header (2 bytes here), topic length (2), then "site/...".
        assert_eq!(&bytes[4..8], b"site");
        bytes[4] = b'S';
        each_codec_reports(&corpus.expect, &bytes, "topic");
    }
}
