//! mqttwire's packets, for the checks (its runners are in `wire.rs`).

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
