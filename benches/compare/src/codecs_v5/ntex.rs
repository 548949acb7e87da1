//! ntex-mqtt's `v5::codec::Codec`, used as the 3.1.1 one in `codecs.rs`.

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
