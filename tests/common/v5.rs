//! Helpers of the MQTT 5.0 conformance tests (`tests/conformance_v5.rs`): frames written by
//! hand, a Variable Byte Integer writer of our own (section 1.5.5, independent of the crate's),
//! and [`decode_all_ways`], which runs every decoder the crate has on one frame and checks that
//! they all give the same answer.
//!
//! Included with `#[path]` by the test files that use it (it is not part of `common/mod.rs`,
//! so the other test binaries do not compile it).

// Each test file uses the helpers it needs.
#![allow(dead_code)]

use bytes::{Bytes, BytesMut};
use mqttwire::*;

/// A decoder of MQTT 5.0 that takes every size the protocol can express.
pub fn v5() -> Decoder {
    Decoder::new()
        .protocol(Protocol::V5)
        .max_packet_size(Decoder::PROTOCOL_MAX_PACKET_SIZE)
}

/// A decoder of MQTT 3.1.1 that takes every size the protocol can express.
pub fn v311() -> Decoder {
    Decoder::new().max_packet_size(Decoder::PROTOCOL_MAX_PACKET_SIZE)
}

/// A packet identifier (non-zero).
pub fn pid(id: u16) -> PacketId {
    PacketId::new(id).expect("non-zero packet identifier")
}

/// A topic name.
pub fn topic(name: &str) -> TopicName {
    TopicName::new(name).expect("valid topic name")
}

/// Properties built with [`Properties::new`], which must accept them.
pub fn properties<'a>(list: impl IntoIterator<Item = Property<'a>>) -> Properties {
    Properties::new(list).expect("valid properties")
}

/// Section 1.5.5, written from the standard's own algorithm (non-normative comment): seven bits
/// per byte, least significant group first, the top bit set on every byte but the last.
pub fn vbi(value: u32) -> Vec<u8> {
    assert!(value <= 268_435_455, "not a Variable Byte Integer");
    let mut x = value;
    let mut out = Vec::with_capacity(4);
    loop {
        let mut encoded = (x % 128) as u8;
        x /= 128;
        if x > 0 {
            encoded |= 128;
        }
        out.push(encoded);
        if x == 0 {
            return out;
        }
    }
}

/// The pieces put end to end.
pub fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

/// A frame: `first` (type and flags), the Remaining Length (shortest form), then `body`.
pub fn frame(first: u8, body: &[u8]) -> Vec<u8> {
    let len = u32::try_from(body.len()).expect("body fits a Remaining Length");
    cat(&[&[first], &vbi(len), body])
}

/// A property block as on the wire: the Property Length (shortest form), then `block`.
pub fn props(block: &[u8]) -> Vec<u8> {
    let len = u32::try_from(block.len()).expect("block fits a Property Length");
    cat(&[&vbi(len), block])
}

/// A UTF-8 Encoded String or Binary Data: the Two Byte Integer length, then the bytes.
pub fn lp(bytes: &[u8]) -> Vec<u8> {
    let len = u16::try_from(bytes.len()).expect("at most 65,535 bytes");
    cat(&[&len.to_be_bytes(), bytes])
}

/// A User Property (0x26) with these raw name and value bytes.
pub fn user_property(name: &[u8], value: &[u8]) -> Vec<u8> {
    cat(&[&[0x26], &lp(name), &lp(value)])
}

/// A property block of exactly `len` bytes (at least 5), made of User Properties whose names
/// and values are runs of `a`: the largest first (131,075 bytes each), then the rest.
pub fn user_property_block(len: usize) -> Vec<u8> {
    assert!(len >= 5 || len == 0);
    const MAX_ONE: usize = 5 + 2 * 65_535;
    let mut out = Vec::with_capacity(len);
    let mut left = len;
    while left > 0 {
        // Leave at least 5 bytes for a last property.
        let mut this = left.min(MAX_ONE);
        if left - this > 0 && left - this < 5 {
            this -= 5;
        }
        let strings = this - 5;
        let name = strings.min(65_535);
        let value = strings - name;
        out.extend_from_slice(&user_property(&vec![b'a'; name], &vec![b'a'; value]));
        left -= this;
    }
    assert_eq!(out.len(), len);
    out
}

/// The properties of a decoded packet that has some (PUBLISH, the acknowledgements,
/// DISCONNECT, AUTH).
pub fn properties_of(packet: &Packet) -> Properties {
    match packet {
        Packet::Publish(p) => p.properties().to_owned(),
        Packet::PubAck(p) => p.properties.clone(),
        Packet::PubRec(p) => p.properties.clone(),
        Packet::PubRel(p) => p.properties.clone(),
        Packet::PubComp(p) => p.properties.clone(),
        Packet::Disconnect(p) => p.properties.clone(),
        Packet::Auth(p) => p.properties.clone(),
        other => panic!("no properties helper for {other:?}"),
    }
}

/// Feeds `wire` to the owned decoder a little at a time (one byte at a time for frames up to
/// 4 KiB; for larger ones the first and last 16 bytes one at a time and the middle at once),
/// checking that it waits (`Ok(None)`, the buffer untouched) until the frame is complete.
fn decode_bytewise(decoder: &Decoder, wire: &[u8]) -> Result<Packet, DecodeError> {
    let cuts: Vec<usize> = if wire.len() <= 4096 {
        (1..=wire.len()).collect()
    } else {
        (1..=16).chain(wire.len() - 16..=wire.len()).collect()
    };
    let mut buf = BytesMut::new();
    let mut fed = 0;
    for cut in cuts {
        buf.extend_from_slice(&wire[fed..cut]);
        fed = cut;
        let before = buf.clone();
        match decoder.decode(&mut buf) {
            Ok(None) => {
                assert_eq!(buf, before, "Ok(None) touched the buffer at {cut} bytes");
                assert!(cut < wire.len(), "{wire:02x?}: still waiting when complete");
            }
            Ok(Some(packet)) => {
                assert_eq!(cut, wire.len(), "{wire:02x?}: a packet after {cut} bytes");
                assert!(buf.is_empty(), "{wire:02x?}: bytes left after the packet");
                return Ok(packet);
            }
            Err(e) => return Err(e),
        }
    }
    unreachable!("the last cut is the whole frame")
}

/// Decodes `wire`, which must be exactly one frame, with every decoder of the crate: the owned
/// streaming decoder (whole, followed by another packet, and fed a byte at a time), the
/// borrowed one (then [`PacketRef::to_owned`]), and both frame decoders. Checks that they agree
/// on the packet or on the error, and returns that answer. A decoder that waits for more bytes
/// when the frame is complete fails the test.
pub fn decode_all_ways(decoder: &Decoder, wire: &[u8]) -> Result<Packet, DecodeError> {
    // Owned, the whole frame at once.
    let mut buf = BytesMut::from(wire);
    let owned = match decoder.decode(&mut buf) {
        Ok(Some(packet)) => {
            assert!(
                buf.is_empty(),
                "{wire:02x?}: the frame was not consumed whole"
            );
            Ok(packet)
        }
        Ok(None) => panic!("{wire:02x?}: the owned decoder waits for more bytes"),
        Err(e) => Err(e),
    };
    // Owned, followed by a PINGREQ: exactly one frame is taken.
    if let Ok(packet) = &owned {
        let mut buf = BytesMut::from(wire);
        buf.extend_from_slice(&[0xc0, 0x00]);
        assert_eq!(decoder.decode(&mut buf).as_ref(), Ok(&Some(packet.clone())));
        assert_eq!(
            &buf[..],
            &[0xc0, 0x00],
            "{wire:02x?}: not exactly one frame"
        );
    }
    // Owned, a byte at a time.
    let bytewise = decode_bytewise(decoder, wire);
    assert_eq!(bytewise, owned, "{wire:02x?}: bytewise and whole disagree");
    // Borrowed, then copied.
    let borrowed = match decoder.decode_ref(wire) {
        Ok(Some((packet, consumed))) => {
            assert_eq!(consumed, wire.len(), "{wire:02x?}: decode_ref consumed");
            Ok(packet.to_owned())
        }
        Ok(None) => panic!("{wire:02x?}: the borrowed decoder waits for more bytes"),
        Err(e) => Err(e),
    };
    assert_eq!(
        borrowed, owned,
        "{wire:02x?}: decode_ref and decode disagree"
    );
    // The frame decoders.
    let framed = decoder.decode_frame(Bytes::copy_from_slice(wire));
    assert_eq!(
        framed, owned,
        "{wire:02x?}: decode_frame and decode disagree"
    );
    let framed_ref = decoder.decode_frame_ref(wire).map(|p| p.to_owned());
    assert_eq!(
        framed_ref, owned,
        "{wire:02x?}: decode_frame_ref and decode disagree"
    );
    owned
}

/// `wire` decodes to `expected` in every way.
pub fn accepted(decoder: &Decoder, wire: &[u8], expected: &Packet) {
    assert_eq!(
        decode_all_ways(decoder, wire).as_ref(),
        Ok(expected),
        "{wire:02x?}"
    );
}

/// `wire` is a valid MQTT 5.0 packet: it decodes to `expected` in every way, and the encoder
/// for 5.0 writes exactly these bytes for it (`encoded_len_for` included).
pub fn valid(wire: &[u8], expected: &Packet) {
    accepted(&v5(), wire, expected);
    assert_eq!(
        Encoder::V5.encoded_len(expected),
        wire.len(),
        "encoded_len_for of {expected:?}"
    );
    assert_eq!(
        &Encoder::V5.to_bytes(expected).expect("encodes")[..],
        wire,
        "encoding of {expected:?}"
    );
}

/// `wire` is refused with `error` by every decoder.
pub fn rejected(decoder: &Decoder, wire: &[u8], error: DecodeError) {
    assert_eq!(decode_all_ways(decoder, wire), Err(error), "{wire:02x?}");
}

/// `wire` is refused with `error` by every MQTT 5.0 decoder.
pub fn rejected_v5(wire: &[u8], error: DecodeError) {
    rejected(&v5(), wire, error);
}

/// Encodes `packet` with `encoder` into a buffer that already holds a marker, and returns what
/// was written; on error checks that nothing was.
pub fn encode_with(encoder: &Encoder, packet: &impl Encode) -> Result<Vec<u8>, EncodeError> {
    let mut buf = vec![0xaa];
    match encoder.encode(packet, &mut buf) {
        Ok(()) => {
            assert_eq!(buf[0], 0xaa);
            let written = buf.split_off(1);
            assert_eq!(
                written.len(),
                encoder.encoded_len(packet),
                "encoded_len_for agrees with what was written"
            );
            Ok(written)
        }
        Err(e) => {
            assert_eq!(buf, [0xaa], "nothing is written on error");
            Err(e)
        }
    }
}

/// The property matrix of `mqtt-v5.0-tables.md` section 7 ("Property legality matrix", from
/// Table 2-4 and every chapter 3 property section), transcribed by hand: one character per
/// property set, `x` where the set may carry the property, in the table's column order
/// CONNECT, Will Properties, CONNACK, PUBLISH, PUBACK, PUBREC, PUBREL, PUBCOMP, SUBSCRIBE,
/// SUBACK, UNSUBSCRIBE, UNSUBACK, DISCONNECT, AUTH.
///
/// With each property, its wire form with a valid value (identifier included) and that value.
pub const MATRIX: [(u8, &str, &[u8], Property<'static>); 27] = [
    (
        0x01,
        ".x.x..........",
        &[0x01, 0x01],
        Property::PayloadFormatIndicator(PayloadFormat::Utf8),
    ),
    (
        0x02,
        ".x.x..........",
        &[0x02, 0x00, 0x00, 0x01, 0x2c],
        Property::MessageExpiryInterval(300),
    ),
    (
        0x03,
        ".x.x..........",
        &[0x03, 0x00, 0x04, b'j', b's', b'o', b'n'],
        Property::ContentType("json"),
    ),
    (
        0x08,
        ".x.x..........",
        &[0x08, 0x00, 0x03, b'r', b'/', b'1'],
        Property::ResponseTopic("r/1"),
    ),
    (
        0x09,
        ".x.x..........",
        &[0x09, 0x00, 0x02, 0xca, 0xfe],
        Property::CorrelationData(&[0xca, 0xfe]),
    ),
    (
        0x0b,
        "...x....x.....",
        &[0x0b, 0x80, 0x01],
        Property::SubscriptionIdentifier(128),
    ),
    (
        0x11,
        "x.x.........x.",
        &[0x11, 0x00, 0x00, 0x00, 0x3c],
        Property::SessionExpiryInterval(60),
    ),
    (
        0x12,
        "..x...........",
        &[0x12, 0x00, 0x02, b'i', b'd'],
        Property::AssignedClientIdentifier("id"),
    ),
    (
        0x13,
        "..x...........",
        &[0x13, 0x00, 0x1e],
        Property::ServerKeepAlive(30),
    ),
    (
        0x15,
        "x.x..........x",
        &[0x15, 0x00, 0x05, b'S', b'C', b'R', b'A', b'M'],
        Property::AuthenticationMethod("SCRAM"),
    ),
    (
        0x16,
        "x.x..........x",
        &[0x16, 0x00, 0x01, 0x07],
        Property::AuthenticationData(&[0x07]),
    ),
    (
        0x17,
        "x.............",
        &[0x17, 0x00],
        Property::RequestProblemInformation(false),
    ),
    (
        0x18,
        ".x............",
        &[0x18, 0x00, 0x00, 0x00, 0x05],
        Property::WillDelayInterval(5),
    ),
    (
        0x19,
        "x.............",
        &[0x19, 0x01],
        Property::RequestResponseInformation(true),
    ),
    (
        0x1a,
        "..x...........",
        &[0x1a, 0x00, 0x01, b'x'],
        Property::ResponseInformation("x"),
    ),
    (
        0x1c,
        "..x.........x.",
        &[0x1c, 0x00, 0x01, b's'],
        Property::ServerReference("s"),
    ),
    (
        0x1f,
        "..x.xxxx.x.xxx",
        &[0x1f, 0x00, 0x02, b'o', b'k'],
        Property::ReasonString("ok"),
    ),
    (
        0x21,
        "x.x...........",
        &[0x21, 0x00, 0x0a],
        Property::ReceiveMaximum(10),
    ),
    (
        0x22,
        "x.x...........",
        &[0x22, 0x00, 0x00],
        Property::TopicAliasMaximum(0),
    ),
    (
        0x23,
        "...x..........",
        &[0x23, 0x00, 0x01],
        Property::TopicAlias(1),
    ),
    (
        0x24,
        "..x...........",
        &[0x24, 0x01],
        Property::MaximumQos(QoS::AtLeastOnce),
    ),
    (
        0x25,
        "..x...........",
        &[0x25, 0x00],
        Property::RetainAvailable(false),
    ),
    (
        0x26,
        "xxxxxxxxxxxxxx",
        &[0x26, 0x00, 0x01, b'k', 0x00, 0x01, b'v'],
        Property::UserProperty("k", "v"),
    ),
    (
        0x27,
        "x.x...........",
        &[0x27, 0x00, 0x00, 0x04, 0x00],
        Property::MaximumPacketSize(1024),
    ),
    (
        0x28,
        "..x...........",
        &[0x28, 0x01],
        Property::WildcardSubscriptionAvailable(true),
    ),
    (
        0x29,
        "..x...........",
        &[0x29, 0x00],
        Property::SubscriptionIdentifierAvailable(false),
    ),
    (
        0x2a,
        "..x...........",
        &[0x2a, 0x01],
        Property::SharedSubscriptionAvailable(true),
    ),
];
