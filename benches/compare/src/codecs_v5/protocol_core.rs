//! mqtt-protocol-core (`mqtt::packet::v5_0`): a Sans-I/O library whose `Connection` reads the
//! fixed header and hands each body to the type's `parse`, a PUBLISH body copied into an
//! `Arc<[u8]>` that the packet then shares. The bench does the same without the connection's
//! state machine (which would refuse a PUBLISH before CONNECT). Packets encode themselves as
//! `IoSlice`s over their fields (`to_buffers`), appended here to the reused output.

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
