//! Conformance of the fixed header (OASIS MQTT 3.1.1 plus errata 01, chapter 2): packet types,
//! the flags of every type, the Remaining Length and packet identifiers.
//!
//! Every expected byte sequence here is written by hand from the standard's figures and tables,
//! never produced by this crate's encoder, so these tests check the standard and not our reading
//! of it. See `src/conformance.md` for the table that maps each statement to its test.

use bytes::{Bytes, BytesMut};
use mqttwire::*;

mod support;
use support::*;

// ---------------------------------------------------------------------------------------------
// Helpers of this file (the shared ones are in `support/mod.rs`).
// ---------------------------------------------------------------------------------------------

/// Table 2.1 and Table 2.2: every packet type, its 4-bit value and its fixed flags (PUBLISH,
/// whose flags carry meaning, is checked separately).
const FIXED_FLAGS: [(u8, PacketType, u8); 13] = [
    (1, PacketType::Connect, 0b0000),
    (2, PacketType::ConnAck, 0b0000),
    (4, PacketType::PubAck, 0b0000),
    (5, PacketType::PubRec, 0b0000),
    (6, PacketType::PubRel, 0b0010),
    (7, PacketType::PubComp, 0b0000),
    (8, PacketType::Subscribe, 0b0010),
    (9, PacketType::SubAck, 0b0000),
    (10, PacketType::Unsubscribe, 0b0010),
    (11, PacketType::UnsubAck, 0b0000),
    (12, PacketType::PingReq, 0b0000),
    (13, PacketType::PingResp, 0b0000),
    (14, PacketType::Disconnect, 0b0000),
];

// ---------------------------------------------------------------------------------------------
// 2.2.1 MQTT Control Packet type
// ---------------------------------------------------------------------------------------------

/// Section 2.2.1, Table 2.1: type 0 is "Reserved, Forbidden".
#[test]
fn section_2_2_1_reserved_packet_type_0_is_refused() {
    for flags in 0..16u8 {
        rejected_early(&[flags], DecodeError::ReservedPacketType(0));
    }
    rejected(&[0x00, 0x00], DecodeError::ReservedPacketType(0));
    assert_eq!(PacketType::from_bits(0), None);
}

/// Section 2.2.1, Table 2.1: type 15 is "Reserved, Forbidden" in MQTT 3.1.1 (MQTT 5.0 made it
/// AUTH, which a 3.1.1 decoder still refuses).
#[test]
fn section_2_2_1_reserved_packet_type_15_is_refused() {
    for flags in 0..16u8 {
        rejected_early(&[0xf0 | flags], DecodeError::ReservedPacketType(15));
    }
    rejected(&[0xf0, 0x00], DecodeError::ReservedPacketType(15));
    assert_eq!(
        FixedHeader::peek(&[0xf0, 0x00]),
        Err(DecodeError::ReservedPacketType(15))
    );
    assert_eq!(PacketType::from_bits(15), Some(PacketType::Auth));
}

/// Section 2.2.1, Table 2.1: the values 1 to 14 name the fourteen packet types.
#[test]
fn section_2_2_1_packet_types_1_to_14() {
    for (bits, packet_type, _) in FIXED_FLAGS {
        assert_eq!(PacketType::from_bits(bits), Some(packet_type));
        assert_eq!(packet_type.bits(), bits);
    }
    assert_eq!(PacketType::from_bits(3), Some(PacketType::Publish));
}

// ---------------------------------------------------------------------------------------------
// 2.2.2 Flags
// ---------------------------------------------------------------------------------------------

/// [MQTT-2.2.2-1] Reserved flag bits MUST be set to the value of Table 2.2: with those values
/// the first byte passes and the decoder waits for the Remaining Length.
#[test]
fn mqtt_2_2_2_1_reserved_flags_have_the_values_of_table_2_2() {
    for (bits, packet_type, flags) in FIXED_FLAGS {
        let first = (bits << 4) | flags;
        assert_eq!(FixedHeader::peek(&[first]), Ok(None), "{packet_type:?}");
        assert_eq!(packet_type.fixed_flags(), Some(flags), "{packet_type:?}");
    }
    assert_eq!(PacketType::Publish.fixed_flags(), None);
}

/// [MQTT-2.2.2-1] Our encoder sets the reserved flags to the values of Table 2.2.
#[test]
fn mqtt_2_2_2_1_encoder_writes_the_reserved_flags_of_table_2_2() {
    let id = pid(1);
    let cases: [(Packet, u8); 9] = [
        (PubAck::new(id).into(), 0x40),
        (PubRec::new(id).into(), 0x50),
        (PubRel::new(id).into(), 0x62),
        (PubComp::new(id).into(), 0x70),
        (UnsubAck::new(id).into(), 0xb0),
        (ConnAck::accepted(false).into(), 0x20),
        (Packet::PingReq, 0xc0),
        (Packet::PingResp, 0xd0),
        (Packet::Disconnect(mqttwire::Disconnect::new()), 0xe0),
    ];
    for (packet, first) in cases {
        assert_eq!(packet.to_bytes().unwrap()[0], first, "{packet:?}");
    }
}

/// [MQTT-2.2.2-2] If invalid flags are received, the receiver MUST close the connection: every
/// other flag value of every non-PUBLISH type is refused, from the first byte alone.
#[test]
fn mqtt_2_2_2_2_invalid_flags_are_refused_for_every_type() {
    for (bits, packet_type, expected) in FIXED_FLAGS {
        for flags in (0..16u8).filter(|&f| f != expected) {
            let first = (bits << 4) | flags;
            let error = DecodeError::InvalidFlags { packet_type, flags };
            rejected_early(&[first], error);
            // The same with a complete, otherwise valid-looking packet behind it.
            rejected(&[first, 0x02, 0x00, 0x01], error);
        }
    }
}

/// [MQTT-2.2.2-2] PUBLISH flags: QoS 3 [MQTT-3.3.1-4] and DUP at QoS 0 [MQTT-3.3.1-2] are
/// invalid; the twelve other values are accepted. Checked from the first byte alone.
#[test]
fn mqtt_2_2_2_2_publish_flags() {
    for flags in 0..16u8 {
        let first = 0x30 | flags;
        let dup = flags & 0b1000 != 0;
        let qos = (flags >> 1) & 0b11;
        let outcome = FixedHeader::peek(&[first]);
        if qos == 3 {
            assert_eq!(outcome, Err(DecodeError::InvalidPublishQos), "{first:#04x}");
        } else if qos == 0 && dup {
            assert_eq!(outcome, Err(DecodeError::DupWithQos0), "{first:#04x}");
        } else {
            assert_eq!(outcome, Ok(None), "{first:#04x}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 2.2.3 Remaining Length
// ---------------------------------------------------------------------------------------------

/// Section 2.2.3, Table 2.4: the boundaries of each length of the Remaining Length field,
/// with the bytes the table gives.
#[test]
fn section_2_2_3_remaining_length_boundaries_of_table_2_4() {
    let table: [(u32, &[u8]); 8] = [
        (0, &[0x00]),
        (127, &[0x7f]),
        (128, &[0x80, 0x01]),
        (16_383, &[0xff, 0x7f]),
        (16_384, &[0x80, 0x80, 0x01]),
        (2_097_151, &[0xff, 0xff, 0x7f]),
        (2_097_152, &[0x80, 0x80, 0x80, 0x01]),
        (268_435_455, &[0xff, 0xff, 0xff, 0x7f]),
    ];
    for (value, encoded) in table {
        // SUBACK accepts any Remaining Length from 2 up; CONNECT from 0.
        let mut header = vec![0x10];
        header.extend_from_slice(encoded);
        let parsed = FixedHeader::peek(&header).unwrap().unwrap();
        assert_eq!(parsed.packet_type, PacketType::Connect);
        assert_eq!(parsed.remaining_length, value);
        assert_eq!(usize::from(parsed.header_len), 1 + encoded.len());
        assert_eq!(parsed.frame_len(), 1 + encoded.len() + value as usize);
        // Until its last byte, the field is incomplete.
        for cut in 1..header.len() {
            assert_eq!(
                FixedHeader::peek(&header[..cut]),
                Ok(None),
                "{value} cut {cut}"
            );
        }
    }
    assert_eq!(MAX_REMAINING_LENGTH, 268_435_455);
    assert_eq!(MAX_FIXED_HEADER_LEN, 5);
    assert_eq!(Decoder::PROTOCOL_MAX_PACKET_SIZE, 268_435_460);
}

/// Section 2.2.3: the non normative example, 321 = 65 + 2 * 128, is encoded as 193, 2.
#[test]
fn section_2_2_3_remaining_length_example_321() {
    let header = FixedHeader::peek(&[0x10, 193, 2]).unwrap().unwrap();
    assert_eq!(header.remaining_length, 321);
    // Our encoder writes the same bytes: a PUBLISH whose Remaining Length is 321.
    let publish = Publish::new(
        TopicName::new("a").unwrap(),
        QosPid::AtMostOnce,
        vec![0u8; 321 - 3],
    );
    assert_eq!(&publish.to_bytes().unwrap()[..3], &[0x30, 193, 2]);
}

/// Section 2.2.3: real packets at the boundaries where the field grows, decoded and encoded.
/// A PUBLISH with topic "a" at QoS 0 has a Remaining Length of 3 + payload length.
#[test]
fn section_2_2_3_publish_at_remaining_length_boundaries() {
    let cases: [(usize, &[u8]); 6] = [
        (127, &[0x7f]),
        (128, &[0x80, 0x01]),
        (16_383, &[0xff, 0x7f]),
        (16_384, &[0x80, 0x80, 0x01]),
        (2_097_151, &[0xff, 0xff, 0x7f]),
        (2_097_152, &[0x80, 0x80, 0x80, 0x01]),
    ];
    let decoder = Decoder::new().max_packet_size(Decoder::PROTOCOL_MAX_PACKET_SIZE);
    for (remaining, encoded) in cases {
        let payload: Vec<u8> = (0..remaining - 3).map(|i| i as u8).collect();
        let mut wire = vec![0x30];
        wire.extend_from_slice(encoded);
        wire.extend_from_slice(&[0x00, 0x01, b'a']);
        wire.extend_from_slice(&payload);
        let expected: Packet =
            Publish::new(TopicName::new("a").unwrap(), QosPid::AtMostOnce, payload).into();

        let mut buf = BytesMut::from(&wire[..]);
        assert_eq!(decoder.decode(&mut buf), Ok(Some(expected.clone())));
        assert!(buf.is_empty());
        let mut buf = BytesMut::from(&wire[..wire.len() - 1]);
        assert_eq!(decoder.decode(&mut buf), Ok(None));
        assert_eq!(expected.encoded_len(), wire.len());
        assert_eq!(&expected.to_bytes().unwrap()[..], &wire[..], "{remaining}");
    }
}

/// Section 2.2.3 (and the errata 01 fix of its pseudocode): the field has at most four bytes,
/// so a fourth byte with its continuation bit set is malformed; reported as soon as that
/// fourth byte arrives, before any fifth.
#[test]
fn section_2_2_3_fifth_remaining_length_byte_is_malformed() {
    for first in [0x10, 0x30, 0x82, 0xc0] {
        for tail in [[0xff, 0xff, 0xff, 0xff], [0x80, 0x80, 0x80, 0x80]] {
            let mut header = vec![first];
            header.extend_from_slice(&tail);
            // Four bytes in: the field is not finished yet, and is not wrong yet.
            assert_eq!(FixedHeader::peek(&header[..4]), Ok(None));
            rejected_early(&header, DecodeError::MalformedRemainingLength);
            header.push(0x01);
            rejected(&header, DecodeError::MalformedRemainingLength);
        }
    }
}

/// Section 2.2.3 has no rule that the Remaining Length use the fewest bytes (MQTT 5.0 added
/// one, [MQTT-1.5.5-1]); a receiver may accept a longer encoding, and this decoder does. Our
/// encoder always writes the shortest.
#[test]
fn section_2_2_3_non_minimal_remaining_length_is_accepted() {
    accepted(&[0xc0, 0x80, 0x00], &Packet::PingReq);
    accepted(&[0xc0, 0x80, 0x80, 0x80, 0x00], &Packet::PingReq);
    accepted(&[0x40, 0x82, 0x00, 0x00, 0x07], &PubAck::new(pid(7)).into());
    accepted(
        &[0x30, 0x83, 0x80, 0x00, 0x00, 0x01, b'a'],
        &Publish::new(
            TopicName::new("a").unwrap(),
            QosPid::AtMostOnce,
            Bytes::new(),
        )
        .into(),
    );
    let header = FixedHeader::peek(&[0x40, 0x82, 0x80, 0x00])
        .unwrap()
        .unwrap();
    assert_eq!((header.remaining_length, header.header_len), (2, 4));
    assert_eq!(
        &Packet::from(PubAck::new(pid(7))).to_bytes().unwrap()[..],
        &[0x40, 0x02, 0x00, 0x07]
    );
}

/// Section 2.2.3: the Remaining Length counts the bytes after the fixed header, so the next
/// packet starts right after them.
#[test]
fn section_2_2_3_remaining_length_delimits_the_packet() {
    let mut buf = BytesMut::from(&[0x40, 0x02, 0x00, 0x01, 0x50, 0x02, 0x00, 0x02][..]);
    assert_eq!(decode(&mut buf), Ok(Some(PubAck::new(pid(1)).into())));
    assert_eq!(&buf[..], &[0x50, 0x02, 0x00, 0x02]);
    assert_eq!(decode(&mut buf), Ok(Some(PubRec::new(pid(2)).into())));
    assert!(buf.is_empty());
}

/// Sections 3.2 to 3.14: a Remaining Length impossible for the type is refused from the fixed
/// header alone, before the body arrives.
#[test]
fn section_3_remaining_length_impossible_for_the_type_is_refused_early() {
    let cases: [(u8, PacketType, &[u32]); 11] = [
        (0x20, PacketType::ConnAck, &[0, 1, 3, 127]),
        (0x40, PacketType::PubAck, &[0, 1, 3]),
        (0x50, PacketType::PubRec, &[0, 1, 3]),
        (0x62, PacketType::PubRel, &[0, 1, 3]),
        (0x70, PacketType::PubComp, &[0, 1, 3]),
        (0xb0, PacketType::UnsubAck, &[0, 1, 3]),
        (0xc0, PacketType::PingReq, &[1, 2, 127]),
        (0xd0, PacketType::PingResp, &[1, 2]),
        (0xe0, PacketType::Disconnect, &[1, 2]),
        // PUBLISH: at least the topic's length prefix, plus a packet identifier above QoS 0.
        (0x30, PacketType::Publish, &[0, 1]),
        (0x32, PacketType::Publish, &[0, 1, 2, 3]),
    ];
    for (first, packet_type, lengths) in cases {
        for &remaining_length in lengths {
            let error = DecodeError::InvalidRemainingLength {
                packet_type,
                remaining_length,
            };
            rejected_early(&[first, remaining_length as u8], error);
        }
    }
    for (first, packet_type) in [
        (0x82, PacketType::Subscribe),
        (0x90, PacketType::SubAck),
        (0xa2, PacketType::Unsubscribe),
    ] {
        for remaining_length in [0, 1] {
            rejected_early(
                &[first, remaining_length],
                DecodeError::InvalidRemainingLength {
                    packet_type,
                    remaining_length: u32::from(remaining_length),
                },
            );
        }
    }
}

/// Errors in the fixed header are reported as soon as the byte that carries them arrives, and
/// an over-large packet as soon as its length is known: the decoder never waits for (or
/// reserves room for) the body of a packet it will refuse.
#[test]
fn section_2_2_errors_are_reported_before_the_body_arrives() {
    rejected_early(&[0x00], DecodeError::ReservedPacketType(0));
    rejected_early(
        &[0x60],
        DecodeError::InvalidFlags {
            packet_type: PacketType::PubRel,
            flags: 0,
        },
    );
    rejected_early(&[0x36], DecodeError::InvalidPublishQos);
    rejected_early(&[0x38], DecodeError::DupWithQos0);
    rejected_early(
        &[0x30, 0xff, 0xff, 0xff, 0xff],
        DecodeError::MalformedRemainingLength,
    );
    rejected_early(
        &[0x40, 0x7f],
        DecodeError::InvalidRemainingLength {
            packet_type: PacketType::PubAck,
            remaining_length: 127,
        },
    );

    // 268,435,460 bytes announced by five bytes: refused at once by the default 1 MiB limit.
    let mut buf = BytesMut::from(&[0x30, 0xff, 0xff, 0xff, 0x7f][..]);
    assert_eq!(
        decode(&mut buf),
        Err(DecodeError::PacketTooLarge {
            size: 268_435_460,
            max: Decoder::DEFAULT_MAX_PACKET_SIZE,
        })
    );
    assert_eq!(buf.len(), 5);
}

/// Once the fixed header is known, `Ok(None)` reserves room for the rest of the packet and
/// leaves the bytes received so far untouched.
#[test]
fn section_2_2_incomplete_packet_waits_and_reserves() {
    let mut buf = BytesMut::new();
    buf.extend_from_slice(&[0x30, 0x80, 0x01, 0x00]);
    assert_eq!(decode(&mut buf), Ok(None));
    assert_eq!(&buf[..], &[0x30, 0x80, 0x01, 0x00]);
    assert!(buf.capacity() >= 131, "room for the 131-byte packet");
}

// ---------------------------------------------------------------------------------------------
// 2.3.1 Packet Identifier
// ---------------------------------------------------------------------------------------------

/// [MQTT-2.3.1-1] SUBSCRIBE, UNSUBSCRIBE and PUBLISH (QoS > 0) MUST contain a non-zero Packet
/// Identifier: 0 is refused by the decoder and cannot be built.
#[test]
fn mqtt_2_3_1_1_packet_identifier_zero_is_refused() {
    // PUBLISH QoS 1 and QoS 2, topic "a", packet identifier 0.
    rejected(
        &[0x32, 0x05, 0x00, 0x01, b'a', 0x00, 0x00],
        DecodeError::ZeroPacketId,
    );
    rejected(
        &[0x34, 0x05, 0x00, 0x01, b'a', 0x00, 0x00],
        DecodeError::ZeroPacketId,
    );
    // SUBSCRIBE "a" at QoS 0, packet identifier 0.
    rejected(
        &[0x82, 0x06, 0x00, 0x00, 0x00, 0x01, b'a', 0x00],
        DecodeError::ZeroPacketId,
    );
    // UNSUBSCRIBE "a", packet identifier 0.
    rejected(
        &[0xa2, 0x05, 0x00, 0x00, 0x00, 0x01, b'a'],
        DecodeError::ZeroPacketId,
    );
    // By type: a PacketId is never 0.
    assert_eq!(PacketId::new(0), None);
    assert_eq!(PacketId::new(1).map(PacketId::get), Some(1));
    assert_eq!(PacketId::new(0xffff).map(PacketId::get), Some(0xffff));
    assert_eq!(
        pid(0xffff).next(),
        pid(1),
        "wraps past 65,535 to 1, never 0"
    );
}

/// [MQTT-2.3.1-6], [MQTT-2.3.1-7] The acknowledgements echo the identifier of the packet they
/// answer, which is never 0; so this decoder refuses 0 in them too (our choice: a 0 there
/// answers no packet).
#[test]
fn mqtt_2_3_1_6_acknowledgements_with_identifier_zero_are_refused() {
    for first in [0x40, 0x50, 0x62, 0x70, 0xb0] {
        rejected(&[first, 0x02, 0x00, 0x00], DecodeError::ZeroPacketId);
    }
    rejected(&[0x90, 0x03, 0x00, 0x00, 0x00], DecodeError::ZeroPacketId);
}

/// Section 2.3.1, Figure 2.3: the Packet Identifier is MSB then LSB (section 1.5.2, big-endian).
#[test]
fn section_2_3_1_packet_identifier_is_big_endian() {
    valid(&[0x40, 0x02, 0x12, 0x34], &PubAck::new(pid(0x1234)).into());
    valid(&[0x40, 0x02, 0xff, 0xff], &PubAck::new(pid(0xffff)).into());
    valid(&[0x40, 0x02, 0x00, 0x01], &PubAck::new(pid(1)).into());
}
