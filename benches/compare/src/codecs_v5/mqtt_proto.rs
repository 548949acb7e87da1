//! mqtt-proto's `v5` module: `Packet::decode` reads a slice (and does not say how much it
//! consumed: the caller steps over the frame, as with mqttrs); `Packet::encode` returns the
//! packet's bytes, which the caller appends to its buffer.

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
