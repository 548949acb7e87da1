//! Conformance of PUBLISH (section 3.3), its topic name rules (section 4.7) and the QoS
//! acknowledgements PUBACK, PUBREC, PUBREL and PUBCOMP (sections 3.4 to 3.7) (OASIS MQTT 3.1.1
//! plus errata 01).
//!
//! Every expected byte sequence is written by hand from the standard (Figures 3.10 to 3.19),
//! never produced by this crate's encoder. See `src/conformance.md` for the statement table.

use bytes::{BufMut, Bytes, BytesMut};
use mqttwire::*;

mod support;
use support::*;

// ---------------------------------------------------------------------------------------------
// Helpers of this file (the shared ones are in `support/mod.rs`).
// ---------------------------------------------------------------------------------------------

fn topic(name: &str) -> TopicName {
    TopicName::new(name).unwrap()
}

/// A PUBLISH with first byte `first` and a body of `body` (Remaining Length < 128).
fn publish(first: u8, body: &[u8]) -> Vec<u8> {
    assert!(body.len() < 128);
    let mut wire = vec![first, body.len() as u8];
    wire.extend_from_slice(body);
    wire
}

fn decoded(wire: &[u8]) -> Publish {
    match decode(&mut BytesMut::from(wire)) {
        Ok(Some(Packet::Publish(p))) => p,
        other => panic!("{wire:02x?} gave {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// 3.3 PUBLISH
// ---------------------------------------------------------------------------------------------

/// Section 3.3.2.3, Figure 3.11: topic "a/b", Packet Identifier 10 (here at QoS 1, with no
/// payload), then with a payload.
#[test]
fn section_3_3_2_3_figure_3_11_example() {
    let wire = [
        0x32, 0x07, // PUBLISH, QoS 1, Remaining Length 7
        0x00, 0x03, b'a', b'/', b'b', // Topic Name
        0x00, 0x0a, // Packet Identifier 10
    ];
    valid(
        &wire,
        &Publish::new(topic("a/b"), QosPid::AtLeastOnce(pid(10)), Bytes::new()).into(),
    );
    let wire = [
        0x34, 0x09, 0x00, 0x03, b'a', b'/', b'b', 0x00, 0x0a, b'h', b'i',
    ];
    valid(
        &wire,
        &Publish::new(topic("a/b"), QosPid::ExactlyOnce(pid(10)), &b"hi"[..]).into(),
    );
}

/// Section 3.3.1.2, Table 3.2: QoS 0, 1 and 2 in bits 2-1.
#[test]
fn section_3_3_1_2_qos_levels() {
    valid(
        &publish(0x30, &[0x00, 0x01, b'a', b'x']),
        &Publish::new(topic("a"), QosPid::AtMostOnce, &b"x"[..]).into(),
    );
    valid(
        &publish(0x32, &[0x00, 0x01, b'a', 0x12, 0x34, b'x']),
        &Publish::new(topic("a"), QosPid::AtLeastOnce(pid(0x1234)), &b"x"[..]).into(),
    );
    valid(
        &publish(0x34, &[0x00, 0x01, b'a', 0xff, 0xff, b'x']),
        &Publish::new(topic("a"), QosPid::ExactlyOnce(pid(0xffff)), &b"x"[..]).into(),
    );
}

/// [MQTT-3.3.1-4] A PUBLISH MUST NOT have both QoS bits set; the receiver closes the
/// connection. Refused from the first byte.
#[test]
fn mqtt_3_3_1_4_qos_3_is_refused() {
    for first in [0x36, 0x37, 0x3e, 0x3f] {
        rejected(
            &publish(first, &[0x00, 0x01, b'a', 0x00, 0x01]),
            DecodeError::InvalidPublishQos,
        );
        assert_eq!(
            FixedHeader::peek(&[first]),
            Err(DecodeError::InvalidPublishQos)
        );
    }
    assert_eq!(QoS::from_bits(3), None, "no QoS value is 3");
}

/// [MQTT-3.3.1-2] The DUP flag MUST be 0 for all QoS 0 messages: refused by the decoder, and by
/// the encoder (which then writes nothing).
#[test]
fn mqtt_3_3_1_2_dup_with_qos_0_is_refused() {
    for first in [0x38, 0x39] {
        rejected(
            &publish(first, &[0x00, 0x01, b'a']),
            DecodeError::DupWithQos0,
        );
    }
    let mut p = Publish::new(topic("a"), QosPid::AtMostOnce, Bytes::new());
    p.set_dup(true);
    let mut out = Vec::new();
    assert_eq!(p.encode(&mut out), Err(EncodeError::DupWithQos0));
    assert!(out.is_empty());
}

/// [MQTT-3.3.1-1] DUP set on a re-delivery (QoS 1 or 2) is carried both ways.
#[test]
fn mqtt_3_3_1_1_dup_at_qos_1_and_2() {
    let mut p = Publish::new(topic("a"), QosPid::AtLeastOnce(pid(1)), Bytes::new());
    p.set_dup(true);
    valid(
        &publish(0x3a, &[0x00, 0x01, b'a', 0x00, 0x01]),
        &p.clone().into(),
    );
    p.set_qos(QosPid::ExactlyOnce(pid(1)));
    valid(&publish(0x3c, &[0x00, 0x01, b'a', 0x00, 0x01]), &p.into());
}

/// Section 3.3.1.3: RETAIN is bit 0 (what the server does with it, [MQTT-3.3.1-5] to
/// [MQTT-3.3.1-12], is session behaviour).
#[test]
fn section_3_3_1_3_retain_flag() {
    let mut p = Publish::new(topic("a"), QosPid::AtMostOnce, &b"x"[..]);
    p.set_retain(true);
    valid(&publish(0x31, &[0x00, 0x01, b'a', b'x']), &p.clone().into());
    p.set_qos(QosPid::ExactlyOnce(pid(2)));
    p.set_dup(true);
    valid(
        &publish(0x3d, &[0x00, 0x01, b'a', 0x00, 0x02, b'x']),
        &p.into(),
    );
}

/// [MQTT-3.3.1-10] A retained PUBLISH with a zero-byte payload (which clears the retained
/// message) is a valid packet.
#[test]
fn mqtt_3_3_1_10_retained_empty_payload_is_valid() {
    let mut p = Publish::new(topic("a"), QosPid::AtMostOnce, Bytes::new());
    p.set_retain(true);
    valid(&publish(0x31, &[0x00, 0x01, b'a']), &p.into());
}

/// [MQTT-3.3.2-1] The Topic Name MUST be present first in the variable header and MUST be a
/// UTF-8 encoded string.
#[test]
fn mqtt_3_3_2_1_topic_name_must_be_present_and_utf8() {
    // The length prefix announces more than the packet holds.
    rejected(
        &publish(0x30, &[0x00, 0x05, b'a', b'b']),
        DecodeError::FieldOverrun,
    );
    rejected(
        &publish(0x30, &[0x00, 0x02, b'a', 0xff]),
        DecodeError::InvalidTopicName(TopicError::InvalidUtf8 { offset: 1 }),
    );
    rejected(
        &publish(0x30, &[0x00, 0x03, 0xed, 0xa0, 0x80]),
        DecodeError::InvalidTopicName(TopicError::InvalidUtf8 { offset: 0 }),
    );
}

/// [MQTT-3.3.2-2], [MQTT-4.7.1-1] The Topic Name MUST NOT contain wildcard characters; nor can
/// a `TopicName` hold one.
#[test]
fn mqtt_3_3_2_2_topic_name_must_not_contain_wildcards() {
    let cases: [(&[u8], usize); 6] = [
        (b"+", 0),
        (b"#", 0),
        (b"a/+", 2),
        (b"a/#", 2),
        (b"a+b", 1),
        (b"sport/tennis#", 12),
    ];
    for (name, offset) in cases {
        let mut body = vec![0x00, name.len() as u8];
        body.extend_from_slice(name);
        rejected(
            &publish(0x30, &body),
            DecodeError::InvalidTopicName(TopicError::WildcardInName { offset }),
        );
        let text = core::str::from_utf8(name).unwrap();
        assert_eq!(
            TopicName::new(text),
            Err(TopicError::WildcardInName { offset })
        );
    }
}

/// [MQTT-4.7.3-1] Topic Names are at least one character long.
#[test]
fn mqtt_4_7_3_1_empty_topic_name_is_refused() {
    rejected(
        &publish(0x30, &[0x00, 0x00]),
        DecodeError::InvalidTopicName(TopicError::Empty),
    );
    rejected(
        &publish(0x32, &[0x00, 0x00, 0x00, 0x01]),
        DecodeError::InvalidTopicName(TopicError::Empty),
    );
    assert_eq!(TopicName::new(""), Err(TopicError::Empty));
}

/// [MQTT-4.7.3-2] Topic Names MUST NOT include U+0000.
#[test]
fn mqtt_4_7_3_2_null_character_in_topic_name_is_refused() {
    rejected(
        &publish(0x30, &[0x00, 0x03, b'a', 0x00, b'b']),
        DecodeError::InvalidTopicName(TopicError::NullCharacter { offset: 1 }),
    );
}

/// [MQTT-4.7.3-3] Topic Names encode to at most 65,535 bytes: the longest is accepted and
/// encoded; a longer one cannot be built.
#[test]
fn mqtt_4_7_3_3_longest_topic_name() {
    let name = "t".repeat(65_535);
    let mut wire = vec![0x30, 0x81, 0x80, 0x04, 0xff, 0xff]; // Remaining Length 65,537
    wire.extend_from_slice(name.as_bytes());
    valid(
        &wire,
        &Publish::new(topic(&name), QosPid::AtMostOnce, Bytes::new()).into(),
    );
    assert_eq!(
        TopicName::new(&"t".repeat(65_536)),
        Err(TopicError::TooLong { len: 65_536 })
    );
}

/// Section 4.7.1.1 (non normative, but part of the rules): "/" alone, leading and trailing
/// separators, empty levels and spaces make valid topic names.
#[test]
fn section_4_7_1_1_unusual_but_valid_topic_names() {
    for name in ["/", "/a", "a/", "a//b", "a b", "$SYS/x", "\u{e9}/\u{2a6d4}"] {
        let mut body = vec![0x00, name.len() as u8];
        body.extend_from_slice(name.as_bytes());
        valid(
            &publish(0x30, &body),
            &Publish::new(topic(name), QosPid::AtMostOnce, Bytes::new()).into(),
        );
    }
}

/// [MQTT-4.7.3-4] No normalisation of topic names: "e" + U+0301 (combining acute) stays those
/// bytes and is not "é" (U+00E9); case is kept.
#[test]
fn mqtt_4_7_3_4_topic_names_are_not_normalised() {
    let decomposed = [0x65, 0xcc, 0x81];
    let mut body = vec![0x00, 0x03];
    body.extend_from_slice(&decomposed);
    let p = decoded(&publish(0x30, &body));
    assert_eq!(p.topic().as_bytes(), &decomposed);
    assert_ne!(p.topic(), "\u{e9}");
    assert_ne!(
        decoded(&publish(0x30, &[0x00, 0x01, b'A'])).topic_name(),
        decoded(&publish(0x30, &[0x00, 0x01, b'a'])).topic_name()
    );
}

/// [MQTT-2.3.1-1] A QoS 1 or 2 PUBLISH MUST contain a non-zero Packet Identifier: 0 is refused,
/// and a missing one is an error too.
#[test]
fn mqtt_2_3_1_1_qos_1_and_2_publish_carry_a_packet_identifier() {
    for first in [0x32, 0x34] {
        rejected(
            &publish(first, &[0x00, 0x01, b'a', 0x00, 0x00]),
            DecodeError::ZeroPacketId,
        );
        // Remaining Length 3: no room for an identifier, refused from the header.
        rejected(
            &publish(first, &[0x00, 0x01, b'a']),
            DecodeError::InvalidRemainingLength {
                packet_type: PacketType::Publish,
                remaining_length: 3,
            },
        );
        // Room for the minimum, but the topic leaves only one byte.
        rejected(
            &publish(first, &[0x00, 0x02, b'a', b'b']),
            DecodeError::FieldOverrun,
        );
        rejected(
            &publish(first, &[0x00, 0x02, b'a', b'b', 0x01]),
            DecodeError::FieldOverrun,
        );
    }
    assert_eq!(QosPid::new(QoS::AtLeastOnce, None), None);
    assert_eq!(QosPid::new(QoS::ExactlyOnce, None), None);
}

/// [MQTT-2.3.1-5] A QoS 0 PUBLISH MUST NOT contain a Packet Identifier: the two bytes after the
/// topic are payload, and a QoS 0 publish cannot be built with an identifier.
#[test]
fn mqtt_2_3_1_5_qos_0_publish_has_no_packet_identifier() {
    let p = decoded(&publish(0x30, &[0x00, 0x01, b'a', 0x00, 0x0a]));
    assert_eq!(p.qos_pid(), QosPid::AtMostOnce);
    assert_eq!(p.packet_id(), None);
    assert_eq!(p.payload(), &[0x00, 0x0a]);
    assert_eq!(
        QosPid::new(QoS::AtMostOnce, Some(pid(10))),
        Some(QosPid::AtMostOnce)
    );
    valid(
        &publish(0x30, &[0x00, 0x01, b'a']),
        &Publish::new(topic("a"), QosPid::AtMostOnce, Bytes::new()).into(),
    );
}

/// Section 3.3.3: a zero-length payload is valid, at every QoS.
#[test]
fn section_3_3_3_zero_length_payload_is_valid() {
    valid(
        &publish(0x30, &[0x00, 0x01, b'a']),
        &Publish::new(topic("a"), QosPid::AtMostOnce, Bytes::new()).into(),
    );
    valid(
        &publish(0x32, &[0x00, 0x01, b'a', 0x00, 0x07]),
        &Publish::new(topic("a"), QosPid::AtLeastOnce(pid(7)), Bytes::new()).into(),
    );
}

/// Section 3.3.3: the payload is the rest of the packet, any bytes: zeros, ill-formed UTF-8,
/// bytes that look like another packet.
#[test]
fn section_3_3_3_payload_is_opaque() {
    let payload: &'static [u8] = &[0x00, 0xff, 0xed, 0xa0, 0x80, 0xc0, 0x00, 0x30];
    let mut body = vec![0x00, 0x01, b'a'];
    body.extend_from_slice(payload);
    valid(
        &publish(0x30, &body),
        &Publish::new(topic("a"), QosPid::AtMostOnce, payload).into(),
    );
}

// ---------------------------------------------------------------------------------------------
// 3.3 PUBLISH kept as its received frame: re-encoding, a new QoS, sharing, equality
// ---------------------------------------------------------------------------------------------

/// A Remaining Length (section 2.2.3, Table 2.4) up to 16,383, written by hand.
fn remaining_length(n: usize) -> Vec<u8> {
    match n {
        0..=127 => vec![n as u8],
        128..=16_383 => vec![(n % 128) as u8 | 0x80, (n / 128) as u8],
        _ => unreachable!("two bytes of Remaining Length are enough here"),
    }
}

/// A PUBLISH laid out by hand as in Figure 3.10 and sections 3.3.2 and 3.3.3: first byte,
/// Remaining Length, Topic Name (length and bytes), Packet Identifier when given, payload.
fn publish_frame(first: u8, topic: &str, id: Option<u16>, payload: &[u8]) -> Vec<u8> {
    let mut body = (topic.len() as u16).to_be_bytes().to_vec();
    body.extend_from_slice(topic.as_bytes());
    if let Some(id) = id {
        body.extend_from_slice(&id.to_be_bytes());
    }
    body.extend_from_slice(payload);
    let mut wire = vec![first];
    wire.extend(remaining_length(body.len()));
    wire.extend(body);
    wire
}

/// The Remaining Length `wire` announces.
fn announced(wire: &[u8]) -> u32 {
    FixedHeader::peek(wire).unwrap().unwrap().remaining_length
}

/// A payload of `len` bytes that is no other field: no run of it looks like a topic length or
/// a packet identifier used in these tests.
fn payload_of(len: usize) -> Vec<u8> {
    (0..len).map(|i| 0x80 | (i % 0x7f) as u8).collect()
}

/// Payload lengths for these tests: none (the frame ends with the topic or the identifier), a
/// short one, one past the 64 bytes a `BytesMut` or `Vec` without capacity offers (so that the
/// encoder takes its `put_*` path, see `both_write_paths`), and the ones putting the Remaining
/// Length on either side of 127/128 (section 2.2.3), where its encoding changes length when
/// the identifier comes or goes (topic "a/b": 5 bytes, identifier 2, payload 121 or 123 →
/// Remaining Length 128 at QoS 1; 126 or 128 at QoS 0).
///
/// Under Miri (CI runs this file there, slowly), the lengths at the edges only: none, one past
/// 64 bytes, 121 and 123.
fn payload_lens() -> &'static [usize] {
    if cfg!(miri) {
        &[0, 100, 121, 123]
    } else {
        &[0, 2, 100, 121, 122, 123]
    }
}

/// `p` encodes to `wire`, and to exactly the same bytes through every kind of buffer:
/// - the direct path (the whole frame fits the buffer's current chunk): `to_bytes`, a `Vec` and
///   a `BytesMut` with room, a `&mut [u8]` of exactly the frame's length;
/// - the `put_*` path (it does not): a `Vec` and a `BytesMut` without capacity (their first
///   chunk is 64 bytes), two `&mut [u8]` chained, split at every point of the frame.
///
/// Both paths also refuse the same way: one byte short, `encode` fails.
fn both_write_paths(p: &Publish, wire: &[u8]) {
    assert_eq!(p.encoded_len(), wire.len(), "encoded_len of {p:?}");
    let direct = p.to_bytes().unwrap();
    assert_eq!(&direct[..], wire, "to_bytes of {p:?}");

    let mut vec = Vec::with_capacity(wire.len());
    p.encode(&mut vec).unwrap();
    assert_eq!(&vec[..], wire, "Vec with room, {p:?}");
    let mut bytes_mut = BytesMut::with_capacity(wire.len());
    p.encode(&mut bytes_mut).unwrap();
    assert_eq!(&bytes_mut[..], wire, "BytesMut with room, {p:?}");
    let mut array = vec![0u8; wire.len()];
    let mut slice = &mut array[..];
    p.encode(&mut slice).unwrap();
    assert!(slice.is_empty());
    assert_eq!(&array[..], wire, "exact &mut [u8], {p:?}");

    // Without capacity: the first chunk offered is 64 bytes, too small for a longer frame.
    let mut vec = Vec::new();
    p.encode(&mut vec).unwrap();
    assert_eq!(&vec[..], wire, "Vec::new, {p:?}");
    let mut bytes_mut = BytesMut::new();
    p.encode(&mut bytes_mut).unwrap();
    assert_eq!(&bytes_mut[..], wire, "BytesMut::new, {p:?}");

    for at in split_points(wire.len()) {
        let (mut first, mut second) = (vec![0u8; at], vec![0u8; wire.len() - at]);
        let mut chained = (&mut first[..]).chain_mut(&mut second[..]);
        p.encode(&mut chained).unwrap();
        assert_eq!(chained.remaining_mut(), 0);
        assert_eq!(&[first, second].concat()[..], wire, "split at {at}, {p:?}");
    }

    let mut short = vec![0u8; wire.len() - 1];
    assert!(
        p.encode(&mut &mut short[..]).is_err(),
        "one byte short, {p:?}"
    );
}

/// Where `both_write_paths` splits a frame of `len` bytes between two chained slices: at
/// every point; under Miri (CI runs this file there, and each split takes milliseconds), at
/// every point of the first 12 bytes (fixed header, topic and packet identifier of these
/// tests' frames, the start of the payload) and of the last 2.
fn split_points(len: usize) -> Vec<usize> {
    if cfg!(miri) {
        (0..=len.min(12))
            .chain(len.saturating_sub(2).max(13)..=len)
            .collect()
    } else {
        (0..=len).collect()
    }
}

/// `wire` decodes to a `Publish` through both owned decoders (the streaming one and
/// `decode_frame`), which agree.
fn decoded_both_ways(wire: &[u8]) -> Publish {
    let streamed = decoded(wire);
    let Ok(Packet::Publish(framed)) = decode_frame(Bytes::copy_from_slice(wire)) else {
        panic!("{wire:02x?}")
    };
    assert_eq!(streamed, framed);
    streamed
}

/// Section 3.3 (Figure 3.10, sections 3.3.2 and 3.3.3): a decoded PUBLISH, which keeps its
/// frame, re-encodes to the received bytes, at every QoS, with DUP and RETAIN either way, with
/// and without payload, through every kind of buffer.
#[test]
fn section_3_3_decoded_publish_reencodes_byte_identical() {
    for &len in payload_lens() {
        let payload = payload_of(len);
        for (first, id) in [
            (0x30, None),
            (0x31, None),
            (0x32, Some(0x0a)),
            (0x3b, Some(0x0a)),
            (0x34, Some(0xfffe)),
            (0x3d, Some(0xfffe)),
        ] {
            let wire = publish_frame(first, "a/b", id, &payload);
            let p = decoded_both_ways(&wire);
            assert_eq!(
                (p.topic(), p.packet_id().map(PacketId::get), p.payload()),
                ("a/b", id, &payload[..])
            );
            both_write_paths(&p, &wire);
        }
    }
}

/// Section 3.3.5 (a server forwards a message with its own Packet Identifier) and section
/// 3.3.2.2: after `set_qos` with another identifier, a decoded QoS 1 or 2 PUBLISH encodes
/// with the new identifier in place of the received one, the same topic and payload, the same
/// Remaining Length, and decodes back equal. Set back, the received bytes again.
#[test]
fn section_3_3_5_set_qos_writes_the_new_packet_identifier() {
    for &len in payload_lens() {
        let payload = payload_of(len);
        for (first, received) in [(0x32, 0x000a), (0x3c, 0x000a), (0x35, 0xbeef)] {
            let wire = publish_frame(first, "a/b", Some(received), &payload);
            let original = decoded_both_ways(&wire);
            let flags = first & 0b1001; // DUP and RETAIN, kept
            for (qos, new) in [
                (QosPid::AtLeastOnce(pid(0x1234)), 0x32),
                (QosPid::ExactlyOnce(pid(0x1234)), 0x34),
                (QosPid::AtLeastOnce(pid(1)), 0x32),
                (QosPid::ExactlyOnce(pid(0xffff)), 0x34),
            ] {
                let mut p = original.clone();
                p.set_qos(qos);
                assert_eq!(p.qos_pid(), qos);
                assert_eq!((p.topic(), p.payload()), ("a/b", &payload[..]));
                let id = qos.packet_id().unwrap().get();
                let expected = publish_frame(new | flags, "a/b", Some(id), &payload);
                assert_eq!(announced(&expected), announced(&wire));
                both_write_paths(&p, &expected);
                assert_eq!(decoded_both_ways(&expected), p);

                p.set_qos(original.qos_pid());
                assert_eq!(p, original);
                both_write_paths(&p, &wire);
            }
        }
    }
}

/// [MQTT-2.3.1-5] A QoS 0 PUBLISH MUST NOT contain a Packet Identifier: a decoded QoS 1 or 2
/// PUBLISH lowered to QoS 0 (as a server does for a QoS 0 subscription, section 3.3.5)
/// encodes without the received identifier, its Remaining Length 2 shorter, and decodes back
/// equal. (DUP is cleared first: it must be 0 at QoS 0, [MQTT-3.3.1-2].)
#[test]
fn mqtt_2_3_1_5_set_qos_0_drops_the_packet_identifier() {
    for &len in payload_lens() {
        let payload = payload_of(len);
        for first in [0x32, 0x33, 0x34, 0x3b, 0x3c] {
            let wire = publish_frame(first, "a/b", Some(0x0a0b), &payload);
            let mut p = decoded_both_ways(&wire);
            p.set_qos(QosPid::AtMostOnce);
            if p.dup() {
                assert_eq!(p.encode(&mut Vec::new()), Err(EncodeError::DupWithQos0));
                p.set_dup(false);
            }
            assert_eq!((p.qos(), p.packet_id()), (QoS::AtMostOnce, None));
            assert_eq!((p.topic(), p.payload()), ("a/b", &payload[..]));
            let expected = publish_frame(0x30 | (first & 0b0001), "a/b", None, &payload);
            assert_eq!(announced(&expected) + 2, announced(&wire));
            both_write_paths(&p, &expected);
            let back = decoded_both_ways(&expected);
            assert_eq!(back, p);
            assert_eq!(
                back.payload(),
                &payload[..],
                "the identifier is not payload"
            );
        }
    }
}

/// [MQTT-2.3.1-1] A QoS 1 or 2 PUBLISH MUST contain a non-zero Packet Identifier: a QoS 0
/// message (decoded, or built by `Publish::new`) raised with `set_qos` encodes with the
/// identifier inserted between topic and payload, its Remaining Length 2 longer, and decodes
/// back equal. A message built at QoS 1 and lowered to QoS 0 loses it again.
#[test]
fn mqtt_2_3_1_1_set_qos_above_0_inserts_the_packet_identifier() {
    for &len in payload_lens() {
        let payload = payload_of(len);
        for first in [0x30, 0x31] {
            let wire = publish_frame(first, "a/b", None, &payload);
            let mut built = Publish::new(topic("a/b"), QosPid::AtMostOnce, &payload);
            built.set_retain(first & 0b0001 != 0);
            let received = decoded_both_ways(&wire);
            assert_eq!(received, built);
            for mut p in [received, built] {
                for (qos, new) in [
                    (QosPid::AtLeastOnce(pid(7)), 0x32),
                    (QosPid::ExactlyOnce(pid(0x0102)), 0x34),
                ] {
                    p.set_qos(qos);
                    let id = qos.packet_id().unwrap().get();
                    let expected = publish_frame(new | first, "a/b", Some(id), &payload);
                    assert_eq!(announced(&expected), announced(&wire) + 2);
                    both_write_paths(&p, &expected);
                    assert_eq!(decoded_both_ways(&expected), p);
                    // DUP may be set now that the QoS is above 0 [MQTT-3.3.1-1].
                    p.set_dup(true);
                    let expected = publish_frame(new | first | 0x08, "a/b", Some(id), &payload);
                    both_write_paths(&p, &expected);
                    p.set_dup(false);
                }
                p.set_qos(QosPid::AtMostOnce);
                both_write_paths(&p, &wire);
            }
        }
        // Built with an identifier, then lowered to QoS 0.
        let mut p = Publish::new(topic("a/b"), QosPid::AtLeastOnce(pid(9)), &payload);
        both_write_paths(&p, &publish_frame(0x32, "a/b", Some(9), &payload));
        p.set_qos(QosPid::AtMostOnce);
        both_write_paths(&p, &publish_frame(0x30, "a/b", None, &payload));
    }
}

/// Section 3.3.3: the payload is the rest of the received frame, and section 3.3.2.1 the
/// topic is in it: `payload_bytes()` and `topic_name()` of a decoded PUBLISH point into the
/// input buffer (no copy), and `payload()` of an empty payload is empty, at every QoS (the
/// identifier is not payload), also after a change of QoS.
#[test]
fn section_3_3_3_payload_and_topic_share_the_received_frame() {
    let payload = b"shared payload";
    for (first, id) in [(0x30, None), (0x32, Some(5)), (0x34, Some(6))] {
        let wire = publish_frame(first, "s/t", id, payload);
        let topic_at = 1 + 1 + 2; // first byte, Remaining Length (1 byte), topic length
        let payload_at = wire.len() - payload.len();

        // Streaming: the frame is split off the `BytesMut` without copying.
        let mut buf = BytesMut::with_capacity(wire.len() + 2);
        buf.extend_from_slice(&wire);
        buf.extend_from_slice(&[0xc0, 0x00]); // PINGREQ after it
        let base = buf.as_ptr() as usize;
        let Ok(Some(Packet::Publish(p))) = decode(&mut buf) else {
            panic!("{wire:02x?}")
        };
        // Framed: the `Bytes` handed in is shared.
        let frame = Bytes::copy_from_slice(&wire);
        let frame_base = frame.as_ptr() as usize;
        let Ok(Packet::Publish(q)) = decode_frame(frame) else {
            panic!("{wire:02x?}")
        };
        for (mut p, base) in [(p, base), (q, frame_base)] {
            for _ in 0..2 {
                let (t, b) = (p.topic_name().expect("a topic"), p.payload_bytes());
                assert_eq!((t.as_str(), &b[..]), ("s/t", &payload[..]));
                assert_eq!(t.as_str().as_ptr() as usize, base + topic_at);
                assert_eq!(b.as_ptr() as usize, base + payload_at);
                assert_eq!(p.topic().as_ptr() as usize, base + topic_at);
                assert_eq!(p.payload().as_ptr() as usize, base + payload_at);
                // A new QoS changes nothing of that (the identifier is written on encoding).
                p.set_qos(QosPid::AtLeastOnce(pid(0x4242)));
            }
        }

        // An empty payload: nothing, whatever the QoS and even though the identifier (when
        // there is one) ends the frame.
        let wire = publish_frame(first, "s/t", id, b"");
        let mut p = decoded_both_ways(&wire);
        for qos in [QosPid::AtMostOnce, QosPid::ExactlyOnce(pid(3)), p.qos_pid()] {
            p.set_qos(qos);
            assert!(p.payload().is_empty(), "{p:?}");
            assert!(p.payload_bytes().is_empty(), "{p:?}");
            assert_eq!(p.topic(), "s/t");
        }
    }
}

/// Sections 3.3.1 to 3.3.3: two PUBLISH are equal when their fields are (DUP, QoS and Packet
/// Identifier, RETAIN, topic, payload); the identifier bytes of the received frame that
/// `set_qos` replaced do not count, and equal messages hash equally.
#[test]
fn section_3_3_equality_ignores_the_replaced_identifier_bytes() {
    use std::hash::{BuildHasher, RandomState};
    let hasher = RandomState::new();
    let payload = payload_of(10);
    for first in [0x32, 0x33, 0x3a, 0x3b, 0x34, 0x3d] {
        let wire = publish_frame(first, "a/b", Some(10), &payload);
        let received = decoded_both_ways(&wire);
        let (dup, retain) = (first & 0x08 != 0, first & 0x01 != 0);
        let built = |qos| {
            let mut p = Publish::new(topic("a/b"), qos, &payload);
            p.set_dup(dup);
            p.set_retain(retain);
            p
        };
        let original = received.qos_pid();
        assert_eq!(received, built(original));

        for qos in [
            QosPid::AtLeastOnce(pid(20)),
            QosPid::ExactlyOnce(pid(20)),
            QosPid::AtLeastOnce(pid(0x0a00)), // the old identifier's bytes swapped
        ] {
            let mut p = received.clone();
            p.set_qos(qos);
            assert_eq!(p, built(qos), "{first:#04x} {qos:?}");
            assert_eq!(hasher.hash_one(&p), hasher.hash_one(built(qos)));
            assert_ne!(p, received);
            assert_ne!(p, built(original));
        }
        // Lowered to QoS 0: the two stale bytes are neither identifier nor payload.
        let mut p = received.clone();
        p.set_qos(QosPid::AtMostOnce);
        p.set_dup(false);
        let mut zero = built(QosPid::AtMostOnce);
        zero.set_dup(false);
        assert_eq!(p, zero);
        assert_eq!(hasher.hash_one(&p), hasher.hash_one(&zero));

        // The fields still count: another topic, payload or flag is another message.
        let mut other = received.clone();
        other.set_retain(!retain);
        assert_ne!(other, received);
        let other = decoded(&publish_frame(first, "a/c", Some(10), &payload));
        assert_ne!(other, received);
        let other = decoded(&publish_frame(first, "a/b", Some(10), &payload[1..]));
        assert_ne!(other, received);
    }
}

// ---------------------------------------------------------------------------------------------
// 3.4 to 3.7 PUBACK, PUBREC, PUBREL, PUBCOMP
// ---------------------------------------------------------------------------------------------

/// Sections 3.4.1 to 3.7.1 (Figures 3.12 to 3.19): first bytes 0x40, 0x50, 0x62, 0x70,
/// Remaining Length 2, then the Packet Identifier.
#[test]
fn section_3_4_to_3_7_acknowledgements_valid_forms() {
    let id = pid(0x0102);
    valid(&[0x40, 0x02, 0x01, 0x02], &PubAck::new(id).into());
    valid(&[0x50, 0x02, 0x01, 0x02], &PubRec::new(id).into());
    valid(&[0x62, 0x02, 0x01, 0x02], &PubRel::new(id).into());
    valid(&[0x70, 0x02, 0x01, 0x02], &PubComp::new(id).into());
}

/// Sections 3.4.1 to 3.7.1: the Remaining Length of these packets is 2, exactly; any other
/// value is refused from the fixed header.
#[test]
fn section_3_4_to_3_7_acknowledgements_have_remaining_length_2() {
    let types = [
        (0x40, PacketType::PubAck),
        (0x50, PacketType::PubRec),
        (0x62, PacketType::PubRel),
        (0x70, PacketType::PubComp),
    ];
    for (first, packet_type) in types {
        for remaining_length in [0u8, 1, 3, 4] {
            let mut wire = vec![first, remaining_length];
            wire.extend(core::iter::repeat(0x01).take(remaining_length.into()));
            rejected(
                &wire,
                DecodeError::InvalidRemainingLength {
                    packet_type,
                    remaining_length: remaining_length.into(),
                },
            );
        }
    }
}

/// [MQTT-3.6.1-1] PUBREL flags MUST be 0,0,1,0; any other value is malformed.
#[test]
fn mqtt_3_6_1_1_pubrel_flags_must_be_0010() {
    for flags in (0..16u8).filter(|&f| f != 0b0010) {
        rejected(
            &[0x60 | flags, 0x02, 0x00, 0x01],
            DecodeError::InvalidFlags {
                packet_type: PacketType::PubRel,
                flags,
            },
        );
    }
}

/// [MQTT-2.2.2-1] PUBACK, PUBREC and PUBCOMP flags are 0000.
#[test]
fn mqtt_2_2_2_1_puback_pubrec_pubcomp_flags_must_be_0000() {
    for (high, packet_type) in [
        (0x40, PacketType::PubAck),
        (0x50, PacketType::PubRec),
        (0x70, PacketType::PubComp),
    ] {
        for flags in 1..16u8 {
            rejected(
                &[high | flags, 0x02, 0x00, 0x01],
                DecodeError::InvalidFlags { packet_type, flags },
            );
        }
    }
}

/// [MQTT-2.3.1-6] PUBACK, PUBREC and PUBREL carry the identifier of the PUBLISH; the
/// acknowledgement of a decoded PUBLISH encodes with the same bytes.
#[test]
fn mqtt_2_3_1_6_acknowledgements_echo_the_packet_identifier() {
    let p = decoded(&publish(0x34, &[0x00, 0x01, b'a', 0xbe, 0xef]));
    let id = p.packet_id().unwrap();
    assert_eq!(id.get(), 0xbeef);
    assert_eq!(
        &PubRec::new(id).to_bytes().unwrap()[..],
        &[0x50, 0x02, 0xbe, 0xef]
    );
    assert_eq!(
        &PubRel::new(id).to_bytes().unwrap()[..],
        &[0x62, 0x02, 0xbe, 0xef]
    );
    assert_eq!(
        &PubComp::new(id).to_bytes().unwrap()[..],
        &[0x70, 0x02, 0xbe, 0xef]
    );
    assert_eq!(
        &PubAck::new(id).to_bytes().unwrap()[..],
        &[0x40, 0x02, 0xbe, 0xef]
    );
}
