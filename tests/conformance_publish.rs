//! Conformance of PUBLISH (section 3.3), its topic name rules (section 4.7) and the QoS
//! acknowledgements PUBACK, PUBREC, PUBREL and PUBCOMP (sections 3.4 to 3.7) (OASIS MQTT 3.1.1
//! plus errata 01).
//!
//! Every expected byte sequence is written by hand from the standard (Figures 3.10 to 3.19),
//! never produced by this crate's encoder. See `src/conformance.md` for the statement table.

use bytes::{Bytes, BytesMut};
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
    p.dup = true;
    let mut out = Vec::new();
    assert_eq!(p.encode(&mut out), Err(EncodeError::DupWithQos0));
    assert!(out.is_empty());
}

/// [MQTT-3.3.1-1] DUP set on a re-delivery (QoS 1 or 2) is carried both ways.
#[test]
fn mqtt_3_3_1_1_dup_at_qos_1_and_2() {
    let mut p = Publish::new(topic("a"), QosPid::AtLeastOnce(pid(1)), Bytes::new());
    p.dup = true;
    valid(
        &publish(0x3a, &[0x00, 0x01, b'a', 0x00, 0x01]),
        &p.clone().into(),
    );
    p.qos = QosPid::ExactlyOnce(pid(1));
    valid(&publish(0x3c, &[0x00, 0x01, b'a', 0x00, 0x01]), &p.into());
}

/// Section 3.3.1.3: RETAIN is bit 0 (what the server does with it, [MQTT-3.3.1-5] to
/// [MQTT-3.3.1-12], is session behaviour).
#[test]
fn section_3_3_1_3_retain_flag() {
    let mut p = Publish::new(topic("a"), QosPid::AtMostOnce, &b"x"[..]);
    p.retain = true;
    valid(&publish(0x31, &[0x00, 0x01, b'a', b'x']), &p.clone().into());
    p.qos = QosPid::ExactlyOnce(pid(2));
    p.dup = true;
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
    p.retain = true;
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
    assert_eq!(&p.topic.as_bytes()[..], &decomposed);
    assert_ne!(p.topic, "\u{e9}");
    assert_ne!(
        decoded(&publish(0x30, &[0x00, 0x01, b'A'])).topic,
        decoded(&publish(0x30, &[0x00, 0x01, b'a'])).topic
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
    assert_eq!(p.qos, QosPid::AtMostOnce);
    assert_eq!(p.qos.packet_id(), None);
    assert_eq!(&p.payload[..], &[0x00, 0x0a]);
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
    let id = p.qos.packet_id().unwrap();
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
