//! mqtt5-protocol: no stream decoder; the caller reads the fixed header (`FixedHeader::decode`),
//! splits the frame off its buffer (so the payload is shared, not copied: the body is read
//! from `Bytes`), and decodes the body by type (`Packet::decode_from_body`). Each packet type
//! encodes itself (`MqttPacket::encode`, into any `BufMut`).

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
