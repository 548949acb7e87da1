//! `rumqttc::v5::mqttbytes::v5`, rumqttc's MQTT 5.0 codec. (mqttbytes 0.6 also has a `v5`
//! module; the bench measures the maintained one, rumqttc's.)

use super::*;
use bytes::BytesMut;
use rumqttc::v5::mqttbytes::v5::Packet;

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
                    // Its variants are declared in the standard's order, 0 to 2.
                    let rh = f.retain_forward_rule.clone() as u8;
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
