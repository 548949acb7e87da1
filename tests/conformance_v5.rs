//! Conformance of the MQTT 5.0 wire format (OASIS MQTT Version 5.0, 07 March 2019): the fixed
//! header in 5.0 (AUTH, shortest Remaining Length, the lengths of the short forms), Variable
//! Byte Integers inside bodies, properties (section 2.2.2 and Table 2-4), PUBLISH (3.3), the
//! acknowledgements (3.4 to 3.7), DISCONNECT (3.14), AUTH (3.15) and the Reason Code of each
//! decode error (4.13).
//!
//! Every expected byte sequence is written by hand from the standard (`shared/spec/`), never
//! produced by this crate's encoder; the property matrix and the Reason Code tables are
//! transcribed here from `mqtt-v5.0-tables.md`, independently of the crate's own tables. Every
//! frame a test decodes goes through [`decode_all_ways`]: the owned decoder (whole, and a byte at
//! a time), the borrowed one and both frame decoders must give the same packet or the same
//! error.
//!
//! Tests whose comment says "once a bug" were written against a defect of the crate, and
//! guard its fix. The property tests here use PUBLISH, the acknowledgements, DISCONNECT and AUTH
//! as carriers; CONNECT, CONNACK and the lists are in `conformance_v5_connect.rs`,
//! `conformance_v5_subscribe.rs` and `conformance_v5_misc.rs`.

use bytes::{Bytes, BytesMut};
use mqttwire::*;

#[path = "common/v5.rs"]
mod v5_support;
use v5_support::*;

// =============================================================================================
// Fixed header in MQTT 5.0 (sections 2.1, 1.5.5)
// =============================================================================================

/// Section 2.1.2, Table 2-1: "AUTH 15 Client to Server or Server to Client Authentication
/// exchange". MQTT 3.1.1 reserves type 15 ("Reserved, Forbidden"), so a 3.1.1 decoder refuses
/// it; [MQTT-3.15.1-1] "Bits 3,2,1 and 0 of the Fixed Header of the AUTH packet are reserved and
/// MUST all be set to 0. The Client or Server MUST treat any other value as malformed".
#[test]
fn section_2_1_2_auth_is_type_15_in_v5_and_reserved_in_v311() {
    valid(&[0xf0, 0x00], &Auth::new(AuthReasonCode::Success).into());
    assert_eq!(
        FixedHeader::peek_v5(&[0xf0, 0x00]),
        Ok(Some(FixedHeader {
            packet_type: PacketType::Auth,
            flags: 0,
            remaining_length: 0,
            header_len: 2,
        }))
    );
    assert_eq!(PacketType::from_bits(15), Some(PacketType::Auth));

    rejected(&v311(), &[0xf0, 0x00], DecodeError::ReservedPacketType(15));
    assert_eq!(
        FixedHeader::peek(&[0xf0, 0x00]),
        Err(DecodeError::ReservedPacketType(15))
    );
    // Refused from the first byte, before the Remaining Length.
    assert_eq!(
        v311().decode(&mut BytesMut::from(&[0xf0][..])),
        Err(DecodeError::ReservedPacketType(15))
    );

    for flags in 1..16u8 {
        rejected_v5(
            &[0xf0 | flags, 0x00],
            DecodeError::InvalidFlags {
                packet_type: PacketType::Auth,
                flags,
            },
        );
    }
    // Type 0 stays reserved in 5.0 (Table 2-1: "Reserved 0 Forbidden").
    rejected_v5(&[0x00, 0x00], DecodeError::ReservedPacketType(0));
}

/// [MQTT-1.5.5-1] "The encoded value MUST use the minimum number of bytes necessary to represent
/// the value." The Remaining Length is a Variable Byte Integer (section 2.1.4), so a longer
/// encoding is a Malformed Packet in 5.0, refused from the fixed header alone. MQTT 3.1.1 has
/// no such rule, and its decoder takes the same bytes.
#[test]
fn mqtt_1_5_5_1_non_minimal_remaining_length_refused_in_v5_only() {
    // The frame, how many bytes its fixed header takes, and what 3.1.1 reads.
    let cases: [(&[u8], usize, Packet); 5] = [
        (&[0xe0, 0x80, 0x00], 3, Disconnect::new().into()),
        (&[0xe0, 0x80, 0x80, 0x80, 0x00], 5, Disconnect::new().into()),
        (&[0xc0, 0x80, 0x00], 3, Packet::PingReq),
        (&[0xd0, 0x80, 0x80, 0x00], 4, Packet::PingResp),
        (
            &[0x40, 0x82, 0x00, 0x00, 0x07],
            3,
            PubAck::new(pid(7)).into(),
        ),
    ];
    for (wire, header_len, packet) in cases {
        rejected_v5(wire, DecodeError::NonMinimalVariableByteInteger);
        accepted(&v311(), wire, &packet);
        assert_eq!(
            FixedHeader::peek_v5(&wire[..header_len]),
            Err(DecodeError::NonMinimalVariableByteInteger),
            "{wire:02x?}: from the header alone"
        );
        assert!(FixedHeader::peek(&wire[..header_len]).is_ok());
    }
    // A non-minimal PUBLISH (Remaining Length 4 in two bytes), refused before its body is there.
    let mut buf = BytesMut::from(&[0x30, 0x84, 0x00][..]);
    assert_eq!(
        v5().decode(&mut buf),
        Err(DecodeError::NonMinimalVariableByteInteger)
    );
    assert_eq!(
        v5().decode_ref(&[0x30, 0x84, 0x00]),
        Err(DecodeError::NonMinimalVariableByteInteger)
    );
}

/// Section 1.5.5, Table 1-1 "Size of Variable Byte Integer": 0 to 127 in one byte, 128 to
/// 16,383 in two, 16,384 to 2,097,151 in three, 2,097,152 to 268,435,455 in four; "The maximum
/// number of bytes in the Variable Byte Integer field is four." Every boundary as a Remaining
/// Length, its shortest form accepted and each longer form refused [MQTT-1.5.5-1].
#[test]
fn mqtt_1_5_5_1_remaining_length_boundaries() {
    let boundaries: [(u32, &[u8]); 8] = [
        (2, &[0x02]),
        (127, &[0x7f]),
        (128, &[0x80, 0x01]),
        (16_383, &[0xff, 0x7f]),
        (16_384, &[0x80, 0x80, 0x01]),
        (2_097_151, &[0xff, 0xff, 0x7f]),
        (2_097_152, &[0x80, 0x80, 0x80, 0x01]),
        (268_435_455, &[0xff, 0xff, 0xff, 0x7f]),
    ];
    for (value, bytes) in boundaries {
        assert_eq!(vbi(value), bytes, "our own writer agrees with Table 1-1");
        let header = cat(&[&[0x30], bytes]);
        let expected = FixedHeader {
            packet_type: PacketType::Publish,
            flags: 0,
            remaining_length: value,
            header_len: 1 + bytes.len() as u8,
        };
        assert_eq!(FixedHeader::peek_v5(&header), Ok(Some(expected)));
        assert_eq!(FixedHeader::peek(&header), Ok(Some(expected)));
        // The same value padded with continuation bytes, up to four bytes.
        let mut padded = bytes.to_vec();
        while padded.len() < 4 {
            *padded.last_mut().unwrap() |= 0x80;
            padded.push(0x00);
            let header = cat(&[&[0x30], &padded]);
            assert_eq!(
                FixedHeader::peek_v5(&header),
                Err(DecodeError::NonMinimalVariableByteInteger),
                "{header:02x?}"
            );
            let long = FixedHeader::peek(&header).unwrap().unwrap();
            assert_eq!(long.remaining_length, value, "3.1.1 reads {header:02x?}");
        }
    }
    // A fifth byte is never allowed.
    for decoder_peek in [FixedHeader::peek_v5, FixedHeader::peek] {
        assert_eq!(
            decoder_peek(&[0x30, 0xff, 0xff, 0xff, 0xff, 0x7f]),
            Err(DecodeError::MalformedRemainingLength)
        );
        assert_eq!(
            decoder_peek(&[0x30, 0x80, 0x80, 0x80, 0x80]),
            Err(DecodeError::MalformedRemainingLength)
        );
    }
}

/// [MQTT-1.5.5-1], once a bug: the decoders' fast path (`FixedHeader::peek_fast`) read a
/// two-byte Remaining Length whose second byte is 0x00 (`80 00`, a non-minimal 0) as the first
/// two bytes of a four-byte one whenever a fourth byte in 1..=0x7f followed, so a malformed
/// header made the decoder wait for ~16 KiB instead of refusing it, and could even yield a
/// packet. Every decoder refuses it, as `FixedHeader::peek_v5` (the slow path) does.
#[test]
fn mqtt_1_5_5_1_non_minimal_remaining_length_followed_by_more_bytes() {
    let wire = [0xe0, 0x80, 0x00, 0x01];
    assert_eq!(
        FixedHeader::peek_v5(&wire),
        Err(DecodeError::NonMinimalVariableByteInteger)
    );
    assert_eq!(
        v5().decode(&mut BytesMut::from(&wire[..])),
        Err(DecodeError::NonMinimalVariableByteInteger),
        "owned decoder"
    );
    assert_eq!(
        v5().decode_ref(&wire),
        Err(DecodeError::NonMinimalVariableByteInteger),
        "borrowed decoder"
    );
    assert_eq!(
        v5().decode_frame(Bytes::copy_from_slice(&wire)),
        Err(DecodeError::NonMinimalVariableByteInteger),
        "frame decoder"
    );
    // Worse: `e0 80 00` (a DISCONNECT of Remaining Length 0 in two bytes, malformed) followed by
    // 16,385 bytes is taken as one DISCONNECT with a Remaining Length of 16,384.
    let mut stream = vec![0xe0, 0x80, 0x00, 0x01, 0x00, 0xfd, 0x7f];
    stream.extend(user_property(&vec![b'a'; 16_376], b""));
    assert_eq!(stream.len(), 4 + 16_384);
    assert_eq!(
        v5().decode(&mut BytesMut::from(&stream[..])),
        Err(DecodeError::NonMinimalVariableByteInteger)
    );
    // MQTT 3.1.1 accepts non-minimal lengths, but a SUBSCRIBE (packet identifier 0x0102) with
    // its Remaining Length 8 written `88 00` never decodes: the decoder waits for 16 KiB.
    let minimal = [0x82, 0x08, 0x01, 0x02, 0x00, 0x03, b'a', b'/', b'b', 0x00];
    let long = [
        0x82, 0x88, 0x00, 0x01, 0x02, 0x00, 0x03, b'a', b'/', b'b', 0x00,
    ];
    let expected = v311()
        .decode(&mut BytesMut::from(&minimal[..]))
        .unwrap()
        .unwrap();
    assert_eq!(
        v311().decode(&mut BytesMut::from(&long[..])),
        Ok(Some(expected.clone()))
    );
    assert_eq!(
        v311().decode_frame(Bytes::copy_from_slice(&long)),
        Ok(expected)
    );
}

/// Section 3.4.2.1: "If the Remaining Length is 2, then there is no Reason Code and the value
/// of 0x00 (Success) is used"; 3.4.2.2.1: "If the Remaining Length is less than 4 there is no
/// Property Length and the value of 0 is used". So PUBACK (and PUBREC, PUBREL, PUBCOMP, sections
/// 3.5 to 3.7) has a Remaining Length of 2, 3, or 4 and more in 5.0, and only 2 in 3.1.1.
#[test]
fn section_3_4_2_1_ack_remaining_lengths() {
    let acks = [
        (0x40, PacketType::PubAck),
        (0x50, PacketType::PubRec),
        (0x62, PacketType::PubRel),
        (0x70, PacketType::PubComp),
    ];
    for (first, packet_type) in acks {
        for body in [
            &[0x00, 0x01][..],
            &[0x00, 0x01, 0x00],
            &[0x00, 0x01, 0x00, 0x00],
        ] {
            let wire = frame(first, body);
            assert_eq!(
                decode_all_ways(&v5(), &wire).map(|p| p.packet_type()),
                Ok(packet_type)
            );
        }
        for len in [0u8, 1] {
            let wire = cat(&[&[first, len], &vec![0x00; usize::from(len)]]);
            for decoder in [v5(), v311()] {
                rejected(
                    &decoder,
                    &wire,
                    DecodeError::InvalidRemainingLength {
                        packet_type,
                        remaining_length: u32::from(len),
                    },
                );
            }
        }
        for body in [&[0x00, 0x01, 0x00][..], &[0x00, 0x01, 0x00, 0x00]] {
            rejected(
                &v311(),
                &frame(first, body),
                DecodeError::InvalidRemainingLength {
                    packet_type,
                    remaining_length: body.len() as u32,
                },
            );
        }
    }
}

/// Section 3.14.2.1: "If the Remaining Length is less than 1 the value of 0x00 (Normal
/// disconnection) is used"; 3.14.2.2.1: "If the Remaining Length is less than 2, a value of 0 is
/// used" (for the Property Length). A 5.0 DISCONNECT has a Remaining Length of 0, 1, or 2 and
/// more; a 3.1.1 one only 0. PINGREQ and PINGRESP (3.12, 3.13) stay at 0 in 5.0.
#[test]
fn section_3_14_disconnect_remaining_lengths() {
    valid(&[0xe0, 0x00], &Disconnect::new().into());
    accepted(&v5(), &[0xe0, 0x01, 0x00], &Disconnect::new().into());
    accepted(&v5(), &[0xe0, 0x02, 0x00, 0x00], &Disconnect::new().into());
    for wire in [&[0xe0, 0x01, 0x00][..], &[0xe0, 0x02, 0x00, 0x00]] {
        rejected(
            &v311(),
            wire,
            DecodeError::InvalidRemainingLength {
                packet_type: PacketType::Disconnect,
                remaining_length: wire.len() as u32 - 2,
            },
        );
    }
    for (first, packet_type) in [(0xc0, PacketType::PingReq), (0xd0, PacketType::PingResp)] {
        rejected_v5(
            &[first, 0x01, 0x00],
            DecodeError::InvalidRemainingLength {
                packet_type,
                remaining_length: 1,
            },
        );
    }
    valid(&[0xc0, 0x00], &Packet::PingReq);
    valid(&[0xd0, 0x00], &Packet::PingResp);
}

/// Section 3.2.2: a 5.0 CONNACK holds the Connect Acknowledge Flags, the Connect Reason Code and
/// the Property Length, which is always there (3.2.2.3.1 has no short form): a Remaining Length
/// below 3 is refused from the fixed header. In 3.1.1 it is exactly 2.
#[test]
fn section_3_2_2_connack_remaining_length_below_3_refused_in_v5() {
    for len in 0..3u8 {
        let error = DecodeError::InvalidRemainingLength {
            packet_type: PacketType::ConnAck,
            remaining_length: u32::from(len),
        };
        assert_eq!(FixedHeader::peek_v5(&[0x20, len]), Err(error));
        rejected_v5(&cat(&[&[0x20, len], &vec![0x00; usize::from(len)]]), error);
    }
    assert!(matches!(
        decode_all_ways(&v311(), &[0x20, 0x02, 0x00, 0x00]),
        Ok(Packet::ConnAck(_))
    ));
    assert_eq!(
        FixedHeader::peek_v5(&[0x20, 0x03]).map(|h| h.map(|h| h.remaining_length)),
        Ok(Some(3))
    );
}

// =============================================================================================
// Variable Byte Integers inside bodies (section 1.5.5): Property Length, Subscription
// Identifier, property identifiers
// =============================================================================================

/// A PUBLISH to "a" at QoS 0 with this property block (with its Property Length) and payload
/// "x".
fn publish_with(props_with_len: &[u8]) -> Vec<u8> {
    frame(0x30, &cat(&[&[0x00, 0x01, b'a'], props_with_len, b"x"]))
}

/// [MQTT-1.5.5-1] and section 2.2.2.1: "The Property Length is encoded as a Variable Byte
/// Integer". Every size boundary of Table 1-1, decoded in every way and written back by the
/// encoder with the shortest Property Length.
#[test]
fn mqtt_1_5_5_1_property_length_boundaries() {
    for len in [0usize, 5, 127, 128, 16_383, 16_384, 2_097_151, 2_097_152] {
        let block = user_property_block(len);
        let wire = publish_with(&props(&block));
        let packet = decode_all_ways(&v5(), &wire).expect("valid PUBLISH");
        let Packet::Publish(publish) = &packet else {
            panic!("not a PUBLISH: {packet:?}")
        };
        assert_eq!(publish.properties().as_bytes(), &block[..], "{len}");
        assert_eq!(publish.payload(), b"x");
        // The encoder writes the same bytes, from properties built one by one.
        let list: Vec<(String, String)> = publish
            .properties()
            .user_properties()
            .map(|(n, v)| (n.to_owned(), v.to_owned()))
            .collect();
        let built = Publish::new(topic("a"), QosPid::AtMostOnce, "x")
            .with_properties(properties(
                list.iter()
                    .map(|(n, v)| Property::UserProperty(n.as_str(), v.as_str())),
            ))
            .unwrap();
        assert_eq!(built, *publish);
        let encoded = Encoder::V5.to_bytes(&built).unwrap();
        assert!(
            encoded[..] == wire[..],
            "encoding with {len} bytes of properties"
        );
    }
}

/// [MQTT-1.5.5-1] for the Property Length, and "The maximum number of bytes in the Variable
/// Byte Integer field is four" (section 1.5.5), in PUBLISH and in an acknowledgement.
#[test]
fn mqtt_1_5_5_1_property_length_shortest_form_and_four_bytes() {
    let block = user_property_block(127);
    // 127 in two bytes, 0 in two and three bytes, 5 in four bytes.
    for padded in [
        cat(&[&[0xff, 0x00], &block]),
        vec![0x80, 0x00],
        vec![0x80, 0x80, 0x00],
        cat(&[&[0x85, 0x80, 0x80, 0x00], &user_property_block(5)]),
    ] {
        rejected_v5(
            &publish_with(&padded),
            DecodeError::NonMinimalVariableByteInteger,
        );
        rejected_v5(
            &frame(0x40, &cat(&[&[0x00, 0x01, 0x00], &padded])),
            DecodeError::NonMinimalVariableByteInteger,
        );
    }
    // Five bytes.
    rejected_v5(
        &publish_with(&[0x80, 0x80, 0x80, 0x80, 0x01]),
        DecodeError::MalformedVariableByteInteger,
    );
    rejected_v5(
        &frame(0xe0, &[0x00, 0x80, 0x80, 0x80, 0x80, 0x01]),
        DecodeError::MalformedVariableByteInteger,
    );
    // Cut short by the end of the packet: the field overruns it.
    rejected_v5(
        &frame(0x30, &[0x00, 0x01, b'a', 0x80]),
        DecodeError::FieldOverrun,
    );
    rejected_v5(&frame(0xe0, &[0x00, 0xff, 0xff]), DecodeError::FieldOverrun);
}

/// Section 3.3.2.3.8: "Followed by a Variable Byte Integer representing the identifier of the
/// subscription. The Subscription Identifier can have the value of 1 to 268,435,455. It is a
/// Protocol Error if the Subscription Identifier has a value of 0." Every size boundary, in its
/// shortest form [MQTT-1.5.5-1], decoded and built; longer forms and a fifth byte refused.
#[test]
fn section_3_3_2_3_8_subscription_identifier_boundaries() {
    for value in [
        1u32,
        127,
        128,
        16_383,
        16_384,
        2_097_151,
        2_097_152,
        268_435_455,
    ] {
        let block = cat(&[&[0x0b], &vbi(value)]);
        let wire = publish_with(&props(&block));
        let expected = Publish::new(topic("a"), QosPid::AtMostOnce, "x")
            .with_properties(properties([Property::SubscriptionIdentifier(value)]))
            .unwrap();
        valid(&wire, &expected.into());
        let Ok(Packet::Publish(p)) = decode_all_ways(&v5(), &wire) else {
            panic!()
        };
        assert_eq!(p.properties().subscription_identifier(), Some(value));
        assert_eq!(
            properties([Property::SubscriptionIdentifier(value)]).as_bytes(),
            &block[..]
        );
        // Padded to more bytes than needed.
        let mut padded = vbi(value);
        while padded.len() < 4 {
            *padded.last_mut().unwrap() |= 0x80;
            padded.push(0x00);
            rejected_v5(
                &publish_with(&props(&cat(&[&[0x0b], &padded]))),
                DecodeError::NonMinimalVariableByteInteger,
            );
        }
    }
    rejected_v5(
        &publish_with(&props(&[0x0b, 0xff, 0xff, 0xff, 0xff, 0x7f])),
        DecodeError::MalformedVariableByteInteger,
    );
    rejected_v5(
        &publish_with(&props(&[0x0b, 0x00])),
        DecodeError::InvalidPropertyValue {
            property: PropertyId::SubscriptionIdentifier,
            value: 0,
        },
    );
    // The zero written in two bytes is first of all not in its shortest form.
    rejected_v5(
        &publish_with(&props(&[0x0b, 0x80, 0x00])),
        DecodeError::NonMinimalVariableByteInteger,
    );
    // The value runs past the property block.
    rejected_v5(
        &publish_with(&props(&[0x0b, 0x80])),
        DecodeError::FieldOverrun,
    );
    for value in [0, 268_435_456, u32::MAX] {
        assert_eq!(
            Properties::new([Property::SubscriptionIdentifier(value)]),
            Err(EncodeError::InvalidProperty(
                PropertyId::SubscriptionIdentifier
            )),
            "{value}"
        );
    }
}

/// Section 2.2.2.2: "The Identifier is encoded as a Variable Byte Integer. A Control Packet
/// which contains an Identifier which is not valid for its packet type ... is a Malformed
/// Packet." Table 2-4 assigns 27 values from 1 to 42: 0, 4 to 7, 10, 12 to 16, 20, 27, 29, 30,
/// 32 and 43 and above are unknown, including identifiers of two or more bytes.
#[test]
fn section_2_2_2_2_unknown_property_identifiers() {
    let assigned = [
        1u32, 2, 3, 8, 9, 11, 17, 18, 19, 21, 22, 23, 24, 25, 26, 28, 31, 33, 34, 35, 36, 37, 38,
        39, 40, 41, 42,
    ];
    let unknown: Vec<u32> = (0..=127u32)
        .filter(|id| !assigned.contains(id))
        .chain([128, 300, 16_383, 16_384, 268_435_455])
        .collect();
    assert_eq!(unknown.len(), 128 - 27 + 5);
    for id in unknown {
        // The identifier, then a plausible value: it must not be read.
        let block = cat(&[&vbi(id), &[0x00, 0x00, 0x00, 0x01]]);
        for wire in [
            publish_with(&props(&block)),
            frame(0x40, &cat(&[&[0x00, 0x01, 0x00], &props(&block)])),
            frame(0xe0, &cat(&[&[0x00], &props(&block)])),
            frame(0xf0, &cat(&[&[0x18], &props(&block)])),
        ] {
            rejected_v5(&wire, DecodeError::UnknownProperty(id));
        }
        if let Ok(byte) = u8::try_from(id) {
            assert_eq!(PropertyId::from_byte(byte), None, "{id:#04x}");
        }
    }
    // An identifier not in its shortest form, or of five bytes.
    rejected_v5(
        &publish_with(&props(&[0x81, 0x00, 0x00])),
        DecodeError::NonMinimalVariableByteInteger,
    );
    rejected_v5(
        &publish_with(&props(&[0x80, 0x80, 0x80, 0x80, 0x01])),
        DecodeError::MalformedVariableByteInteger,
    );
}

// =============================================================================================
// Properties (section 2.2.2, Table 2-4)
// =============================================================================================

/// The packets of this file that carry properties: their column in [`MATRIX`], their property
/// set, and a frame of that packet with a given property block (without its length).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Carrier {
    Publish,
    PubAck,
    PubRec,
    PubRel,
    PubComp,
    Disconnect,
    Auth,
}

const CARRIERS: [Carrier; 7] = [
    Carrier::Publish,
    Carrier::PubAck,
    Carrier::PubRec,
    Carrier::PubRel,
    Carrier::PubComp,
    Carrier::Disconnect,
    Carrier::Auth,
];

impl Carrier {
    fn column(self) -> usize {
        match self {
            Carrier::Publish => 3,
            Carrier::PubAck => 4,
            Carrier::PubRec => 5,
            Carrier::PubRel => 6,
            Carrier::PubComp => 7,
            Carrier::Disconnect => 12,
            Carrier::Auth => 13,
        }
    }

    fn set(self) -> PropertySet {
        match self {
            Carrier::Publish => PropertySet::Publish,
            Carrier::PubAck => PropertySet::PubAck,
            Carrier::PubRec => PropertySet::PubRec,
            Carrier::PubRel => PropertySet::PubRel,
            Carrier::PubComp => PropertySet::PubComp,
            Carrier::Disconnect => PropertySet::Disconnect,
            Carrier::Auth => PropertySet::Auth,
        }
    }

    /// Whether the matrix lets this packet carry property `id`.
    fn allows(self, id: u8) -> bool {
        let (_, columns, _, _) = MATRIX.iter().find(|row| row.0 == id).unwrap();
        columns.as_bytes()[self.column()] == b'x'
    }

    /// A frame of this packet with `block` as its properties: PUBLISH to "a" at QoS 0 with
    /// payload "x", acknowledgements of packet identifier 1 with Reason Code 0x00, DISCONNECT
    /// 0x00, AUTH 0x18 (Continue authentication).
    fn frame(self, block: &[u8]) -> Vec<u8> {
        let props = props(block);
        match self {
            Carrier::Publish => publish_with(&props),
            Carrier::PubAck => frame(0x40, &cat(&[&[0x00, 0x01, 0x00], &props])),
            Carrier::PubRec => frame(0x50, &cat(&[&[0x00, 0x01, 0x00], &props])),
            Carrier::PubRel => frame(0x62, &cat(&[&[0x00, 0x01, 0x00], &props])),
            Carrier::PubComp => frame(0x70, &cat(&[&[0x00, 0x01, 0x00], &props])),
            Carrier::Disconnect => frame(0xe0, &cat(&[&[0x00], &props])),
            Carrier::Auth => frame(0xf0, &cat(&[&[0x18], &props])),
        }
    }

    /// The same packet built with the crate's API and `properties`, encoded for MQTT 5.0.
    fn build(self, properties: Properties) -> Result<Vec<u8>, EncodeError> {
        let id = pid(1);
        let packet: Packet = match self {
            Carrier::Publish => Publish::new(topic("a"), QosPid::AtMostOnce, "x")
                .with_properties(properties)?
                .into(),
            Carrier::PubAck => PubAck::new(id).with_properties(properties).into(),
            Carrier::PubRec => PubRec::new(id).with_properties(properties).into(),
            Carrier::PubRel => PubRel::new(id).with_properties(properties).into(),
            Carrier::PubComp => PubComp::new(id).with_properties(properties).into(),
            Carrier::Disconnect => Disconnect::new().with_properties(properties).into(),
            Carrier::Auth => Auth::new(AuthReasonCode::ContinueAuthentication)
                .with_properties(properties)
                .into(),
        };
        encode_with(&Encoder::V5, &packet)
    }
}

/// The Authentication Method an AUTH with properties must carry (section 3.15.2.2.2).
const AUTH_METHOD: &[u8] = &[0x15, 0x00, 0x05, b'S', b'C', b'R', b'A', b'M'];

/// `block` for `carrier`, with the Authentication Method added after it in an AUTH that lacks
/// one.
fn with_method(carrier: Carrier, block: &[u8], has_method: bool) -> Vec<u8> {
    if carrier == Carrier::Auth && !has_method {
        cat(&[block, AUTH_METHOD])
    } else {
        block.to_vec()
    }
}

/// The transcription of the matrix agrees with the standard's counts per column ("Counts per
/// column (from the matrix): CONNECT 9, Will Properties 7, CONNACK 17, PUBLISH 8, PUBACK 2,
/// PUBREC 2, PUBREL 2, PUBCOMP 2, SUBSCRIBE 2, SUBACK 2, UNSUBSCRIBE 1, UNSUBACK 2, DISCONNECT
/// 4, AUTH 4") and with Table 2-4's identifiers, and each sample value is of its property.
#[test]
fn section_2_2_2_2_matrix_transcription_is_table_2_4() {
    let counts = [9, 7, 17, 8, 2, 2, 2, 2, 2, 2, 1, 2, 4, 4];
    for (column, count) in counts.into_iter().enumerate() {
        let marked = MATRIX
            .iter()
            .filter(|row| row.1.as_bytes()[column] == b'x')
            .count();
        assert_eq!(marked, count, "column {column}");
    }
    for (id, columns, wire, value) in MATRIX {
        assert_eq!(columns.len(), 14);
        assert_eq!(wire[0], id);
        assert_eq!(value.id().byte(), id);
        assert_eq!(PropertyId::from_byte(id), Some(value.id()));
    }
    assert_eq!(PropertyId::ALL.len(), 27);
}

/// Section 2.2.2.2: "A Control Packet which contains an Identifier which is not valid for its
/// packet type ... is a Malformed Packet." Each of the 27 properties, with a valid value, in
/// each of PUBLISH, PUBACK, PUBREC, PUBREL, PUBCOMP, DISCONNECT and AUTH: decoded (the typed
/// value read back) where the matrix allows it, refused with `PropertyNotAllowed` where it
/// does not; and the builder agrees, in both directions.
#[test]
fn section_2_2_2_2_each_property_allowed_exactly_where_table_2_4_says() {
    let mut decoded = 0;
    let mut refused = 0;
    for (id, _, wire, value) in MATRIX {
        let property = value.id();
        for carrier in CARRIERS {
            let is_method = property == PropertyId::AuthenticationMethod;
            let block = with_method(carrier, wire, is_method);
            let frame = carrier.frame(&block);
            let mut list = vec![value];
            if carrier == Carrier::Auth && !is_method {
                list.push(Property::AuthenticationMethod("SCRAM"));
            }
            let built = carrier.build(properties(list));
            if carrier.allows(id) {
                let packet = decode_all_ways(&v5(), &frame)
                    .unwrap_or_else(|e| panic!("{property:?} in {carrier:?}: {e:?}"));
                let got = properties_of(&packet);
                assert_eq!(
                    got.get(property),
                    Some(value),
                    "{property:?} in {carrier:?}"
                );
                assert_eq!(got.as_bytes(), &block[..]);
                assert!(got.contains(property));
                assert_eq!(
                    built.as_deref(),
                    Ok(&frame[..]),
                    "{property:?} in {carrier:?}"
                );
                decoded += 1;
            } else {
                let error = DecodeError::PropertyNotAllowed {
                    property,
                    set: carrier.set(),
                };
                rejected_v5(&frame, error);
                assert_eq!(error.reason_code(), DisconnectReasonCode::MalformedPacket);
                assert_eq!(
                    built,
                    Err(EncodeError::PropertyNotAllowed {
                        property,
                        set: carrier.set(),
                    }),
                    "{property:?} in {carrier:?}"
                );
                refused += 1;
            }
        }
    }
    // PUBLISH 8, the four acknowledgements 2 each, DISCONNECT 4, AUTH 4.
    assert_eq!((decoded, refused), (24, 27 * 7 - 24));
}

/// "It is a Protocol Error to include the <property> more than once" (in every property section
/// but two), with the two exceptions: "The User Property is allowed to appear multiple times"
/// (3.3.2.3.7 and the others) and "Multiple Subscription Identifiers will be included if the
/// publication is the result of a match to more than one subscription" (3.3.2.3.8). Every
/// property each carrier allows, given twice; and the builder refuses the same repetitions.
#[test]
fn section_2_2_2_2_duplicate_properties_are_protocol_errors() {
    let mut repeated = 0;
    for (id, _, wire, value) in MATRIX {
        let property = value.id();
        let may_repeat = matches!(
            property,
            PropertyId::UserProperty | PropertyId::SubscriptionIdentifier
        );
        let built = Properties::new([value, value]);
        if may_repeat {
            assert!(built.is_ok(), "{property:?}");
        } else {
            assert_eq!(built, Err(EncodeError::DuplicateProperty(property)));
        }
        for carrier in CARRIERS.into_iter().filter(|c| c.allows(id)) {
            let is_method = property == PropertyId::AuthenticationMethod;
            let block = with_method(carrier, &cat(&[wire, wire]), is_method);
            let frame = carrier.frame(&block);
            let repeats_here = property == PropertyId::UserProperty
                || (property == PropertyId::SubscriptionIdentifier && carrier == Carrier::Publish);
            if repeats_here {
                let packet = decode_all_ways(&v5(), &frame).expect("may repeat");
                let got = properties_of(&packet);
                assert_eq!(got.iter().filter(|p| *p == value).count(), 2);
                repeated += 1;
            } else {
                let error = DecodeError::DuplicateProperty(property);
                rejected_v5(&frame, error);
                assert_eq!(error.reason_code(), DisconnectReasonCode::ProtocolError);
            }
        }
    }
    // User Property in the seven carriers, Subscription Identifier in PUBLISH.
    assert_eq!(repeated, 8);
    // Not next to each other: the repetition is still found.
    rejected_v5(
        &Carrier::PubAck.frame(&cat(&[
            &[0x1f, 0x00, 0x01, b'a'],
            &user_property(b"k", b"v"),
            &[0x1f, 0x00, 0x01, b'b'],
        ])),
        DecodeError::DuplicateProperty(PropertyId::ReasonString),
    );
    // The builder takes two Subscription Identifiers for a PUBLISH.
    let two_ids = properties([
        Property::SubscriptionIdentifier(1),
        Property::SubscriptionIdentifier(2),
    ]);
    assert!(Publish::new(topic("a"), QosPid::AtMostOnce, "")
        .with_properties(two_ids)
        .is_ok());
}

/// Values out of the range of their property (sections 3.1.2.11.3, 3.1.2.11.4, 3.2.2.3.4,
/// 3.3.2.3.2, 3.3.2.3.4 [MQTT-3.3.2-8], 3.3.2.3.8): "It is a Protocol Error to include ...
/// a value of 0", "other than 0 or 1". In the packets of this file the decoder can meet the
/// Payload Format Indicator, the Topic Alias and the Subscription Identifier; the builder
/// refuses every range the `Property` type can express.
#[test]
fn section_2_2_2_2_out_of_range_values() {
    for (block, property, value) in [
        (&[0x01, 0x02][..], PropertyId::PayloadFormatIndicator, 2),
        (&[0x01, 0xff], PropertyId::PayloadFormatIndicator, 255),
        (&[0x23, 0x00, 0x00], PropertyId::TopicAlias, 0),
        (&[0x0b, 0x00], PropertyId::SubscriptionIdentifier, 0),
    ] {
        let error = DecodeError::InvalidPropertyValue { property, value };
        rejected_v5(&Carrier::Publish.frame(block), error);
        let code = if property == PropertyId::TopicAlias {
            DisconnectReasonCode::TopicAliasInvalid
        } else {
            DisconnectReasonCode::ProtocolError
        };
        assert_eq!(error.reason_code(), code, "{property:?}");
    }
    for property in [
        Property::ReceiveMaximum(0),
        Property::MaximumPacketSize(0),
        Property::TopicAlias(0),
        Property::SubscriptionIdentifier(0),
        Property::MaximumQos(QoS::ExactlyOnce),
    ] {
        assert_eq!(
            Properties::new([property]),
            Err(EncodeError::InvalidProperty(property.id())),
            "{property:?}"
        );
    }
    // The edges that are allowed.
    for property in [
        Property::ReceiveMaximum(1),
        Property::ReceiveMaximum(u16::MAX),
        Property::MaximumPacketSize(1),
        Property::MaximumPacketSize(u32::MAX),
        Property::TopicAlias(u16::MAX),
        Property::TopicAliasMaximum(0),
        Property::MaximumQos(QoS::AtMostOnce),
        Property::MessageExpiryInterval(u32::MAX),
    ] {
        assert!(Properties::new([property]).is_ok(), "{property:?}");
    }
    let Ok(Packet::Publish(p)) = decode_all_ways(
        &v5(),
        &Carrier::Publish.frame(&[0x23, 0xff, 0xff, 0x02, 0xff, 0xff, 0xff, 0xff, 0x01, 0x00]),
    ) else {
        panic!()
    };
    assert_eq!(p.properties().topic_alias(), Some(u16::MAX));
    assert_eq!(p.properties().message_expiry_interval(), Some(u32::MAX));
    assert_eq!(
        p.properties().payload_format_indicator(),
        Some(PayloadFormat::Unspecified)
    );
}

/// Ill-formed strings, each with the error it must give: the raw bytes, where the first bad
/// sequence starts, and whether it is U+0000 rather than ill-formed UTF-8.
const BAD_STRINGS: [(&[u8], usize, bool); 8] = [
    (b"a\xed\xa0\x80", 1, false),     // U+D800, a surrogate [MQTT-1.5.4-1]
    (b"\xed\xbf\xbf", 0, false),      // U+DFFF, a surrogate [MQTT-1.5.4-1]
    (b"ab\xc3\x28", 2, false),        // a truncated two-byte sequence
    (b"\xff", 0, false),              // never in UTF-8
    (b"\xc0\x80", 0, false),          // an overlong encoding of U+0000
    (b"x\xf4\x90\x80\x80", 1, false), // above U+10FFFF
    (b"a\x00b", 1, true),             // U+0000 [MQTT-1.5.4-2]
    (b"\x00", 0, true),               // U+0000 [MQTT-1.5.4-2]
];

fn string_error(offset: usize, null: bool) -> StringError {
    if null {
        StringError::NullCharacter { offset }
    } else {
        StringError::InvalidUtf8 { offset }
    }
}

/// [MQTT-1.5.4-1] "the character data MUST NOT include encodings of code points between U+D800
/// and U+DFFF", [MQTT-1.5.4-2] "A UTF-8 Encoded String MUST NOT include an encoding of the null
/// character U+0000", and "If the Client or Server receives an MQTT Control Packet containing
/// ill-formed UTF-8 it is a Malformed Packet" (1.5.4): in every string property the carriers
/// of this file allow (Reason String in six packets, Content Type, Server Reference,
/// Authentication Method).
#[test]
fn mqtt_1_5_4_1_and_1_5_4_2_string_properties_are_checked() {
    for (bad, offset, null) in BAD_STRINGS {
        let error = DecodeError::InvalidString(string_error(offset, null));
        assert_eq!(error.reason_code(), DisconnectReasonCode::MalformedPacket);
        let reason_string = cat(&[&[0x1f], &lp(bad)]);
        for carrier in CARRIERS.into_iter().filter(|c| *c != Carrier::Publish) {
            let block = with_method(carrier, &reason_string, false);
            rejected_v5(&carrier.frame(&block), error);
        }
        rejected_v5(&Carrier::Publish.frame(&cat(&[&[0x03], &lp(bad)])), error);
        rejected_v5(
            &Carrier::Disconnect.frame(&cat(&[&[0x1c], &lp(bad)])),
            error,
        );
        rejected_v5(&Carrier::Auth.frame(&cat(&[&[0x15], &lp(bad)])), error);
    }
    for property in [
        Property::ReasonString("a\0b"),
        Property::ContentType("\0"),
        Property::ServerReference("s\0"),
        Property::AuthenticationMethod("\0M"),
    ] {
        assert_eq!(
            Properties::new([property]),
            Err(EncodeError::InvalidProperty(property.id()))
        );
    }
}

/// [MQTT-1.5.7-1] "Both strings [of a UTF-8 String Pair] MUST comply with the requirements for
/// UTF-8 Encoded Strings. If a receiver (Client or Server) receives a string pair which does not
/// meet these requirements it is a Malformed Packet." The name and the value of a User Property,
/// in each carrier.
#[test]
fn mqtt_1_5_7_1_user_property_name_and_value_are_checked() {
    for (bad, offset, null) in BAD_STRINGS {
        let error = DecodeError::InvalidString(string_error(offset, null));
        for carrier in CARRIERS {
            for pair in [user_property(bad, b"v"), user_property(b"k", bad)] {
                let block = with_method(carrier, &pair, false);
                rejected_v5(&carrier.frame(&block), error);
            }
        }
    }
    for property in [
        Property::UserProperty("a\0", "v"),
        Property::UserProperty("k", "\0"),
    ] {
        assert_eq!(
            Properties::new([property]),
            Err(EncodeError::InvalidProperty(PropertyId::UserProperty))
        );
    }
    // Empty names and values are valid strings.
    let Ok(Packet::Disconnect(d)) =
        decode_all_ways(&v5(), &Carrier::Disconnect.frame(&user_property(b"", b"")))
    else {
        panic!()
    };
    assert_eq!(
        d.properties.user_properties().collect::<Vec<_>>(),
        [("", "")]
    );
}

/// [MQTT-3.3.2-13] "The Response Topic MUST be a UTF-8 Encoded String", [MQTT-3.3.2-14] "The
/// Response Topic MUST NOT contain wildcard characters": it is a Topic Name (section 4.7), so
/// it is also at least one character long [MQTT-4.7.3-1].
#[test]
fn mqtt_3_3_2_14_response_topic_without_wildcards() {
    let cases: [(&[u8], TopicError); 6] = [
        (b"a/+", TopicError::WildcardInName { offset: 2 }),
        (b"#", TopicError::WildcardInName { offset: 0 }),
        (b"reply/#/x", TopicError::WildcardInName { offset: 6 }),
        (b"", TopicError::Empty),
        (b"a\x00", TopicError::NullCharacter { offset: 1 }),
        (b"a\xed\xa0\x80", TopicError::InvalidUtf8 { offset: 1 }),
    ];
    for (bad, error) in cases {
        rejected_v5(
            &Carrier::Publish.frame(&cat(&[&[0x08], &lp(bad)])),
            DecodeError::InvalidTopicName(error),
        );
        if let Ok(text) = std::str::from_utf8(bad) {
            assert_eq!(
                Properties::new([Property::ResponseTopic(text)]),
                Err(EncodeError::InvalidProperty(PropertyId::ResponseTopic)),
                "{text:?}"
            );
        }
    }
    // Other characters, a `$` and levels of any length are fine.
    for good in ["reply/$x/ä", "/", "a//b"] {
        let wire = Carrier::Publish.frame(&cat(&[&[0x08], &lp(good.as_bytes())]));
        let expected = Publish::new(topic("a"), QosPid::AtMostOnce, "x")
            .with_properties(properties([Property::ResponseTopic(good)]))
            .unwrap();
        valid(&wire, &expected.into());
    }
}

/// [MQTT-1.5.4-3] "A UTF-8 encoded sequence 0xEF 0xBB 0xBF is always interpreted as U+FEFF
/// ("ZERO WIDTH NO-BREAK SPACE") wherever it appears in a string and MUST NOT be skipped over or
/// stripped off by a packet receiver." In a Reason String, a User Property, a Content Type and a
/// Topic Name, at the start and inside.
#[test]
fn mqtt_1_5_4_3_byte_order_mark_is_kept() {
    let wire = frame(
        0x40,
        &cat(&[
            &[0x00, 0x01, 0x00],
            &props(&cat(&[
                &[0x1f],
                &lp(b"\xef\xbb\xbfok"),
                &user_property(b"\xef\xbb\xbf", b"a\xef\xbb\xbfb"),
            ])),
        ]),
    );
    let Ok(Packet::PubAck(ack)) = decode_all_ways(&v5(), &wire) else {
        panic!()
    };
    assert_eq!(ack.properties.reason_string(), Some("\u{feff}ok"));
    assert_eq!(
        ack.properties.user_properties().collect::<Vec<_>>(),
        [("\u{feff}", "a\u{feff}b")]
    );
    valid(&wire, &ack.clone().into());

    let wire = frame(
        0x30,
        &cat(&[
            &lp(b"\xef\xbb\xbfa"),
            &props(&cat(&[&[0x03], &lp(b"\xef\xbb\xbf")])),
        ]),
    );
    let Ok(Packet::Publish(p)) = decode_all_ways(&v5(), &wire) else {
        panic!()
    };
    assert_eq!(p.topic(), "\u{feff}a");
    assert_eq!(p.properties().content_type(), Some("\u{feff}"));
    assert_eq!(&Encoder::V5.to_bytes(&p).unwrap()[..], &wire[..]);
}

/// Section 2.2.2.1: "The Property Length does not include the bytes used to encode itself, but
/// includes the length of the Properties." A Property Length that runs past the packet, and a
/// property whose value runs past the Property Length, are Malformed (the field overruns);
/// bytes after the properties of a packet that has no payload are too.
#[test]
fn section_2_2_2_1_property_length_overruns() {
    // PUBLISH: Property Length 10 with 3 bytes left in the packet.
    rejected_v5(
        &frame(0x30, &[0x00, 0x01, b'a', 0x0a, 0x23, 0x00, 0x01]),
        DecodeError::FieldOverrun,
    );
    // PUBLISH: a Message Expiry Interval (4 bytes) in a block of 3, the payload after it.
    rejected_v5(
        &frame(
            0x30,
            &[0x00, 0x01, b'a', 0x03, 0x02, 0x00, 0x00, 0x00, 0x01, b'x'],
        ),
        DecodeError::FieldOverrun,
    );
    // PUBLISH: a Content Type whose length prefix says more than the block holds.
    rejected_v5(
        &frame(
            0x30,
            &[0x00, 0x01, b'a', 0x04, 0x03, 0x00, 0x05, b'j', b'x'],
        ),
        DecodeError::FieldOverrun,
    );
    // PUBLISH: no room for the Property Length at all (5.0 always has one [MQTT-2.2.2-1]).
    rejected_v5(&frame(0x30, &[0x00, 0x01, b'a']), DecodeError::FieldOverrun);
    rejected_v5(
        &frame(0x32, &[0x00, 0x01, b'a', 0x00, 0x07]),
        DecodeError::FieldOverrun,
    );
    for carrier in CARRIERS.into_iter().filter(|c| *c != Carrier::Publish) {
        let good = carrier.frame(&with_method(carrier, &[0x1f, 0x00, 0x01, b'r'], false));
        // The Property Length one more than what follows (the frame keeps its length).
        let mut long = good.clone();
        let at = match carrier {
            Carrier::Disconnect | Carrier::Auth => 3,
            _ => 5,
        };
        long[at] += 1;
        rejected_v5(&long, DecodeError::FieldOverrun);
        // A byte after the properties.
        let trailing = frame(good[0], &cat(&[&good[2..], &[0x00]]));
        rejected_v5(&trailing, DecodeError::TrailingBytes(1));
    }
}

/// Section 2.2.2 and each property's section: the typed accessors give back the value sent.
/// All 27 properties in one builder block (only the PUBLISH ones can be decoded here, the
/// others are read back from the built block), then a decoded PUBLISH, DISCONNECT, AUTH and
/// PUBACK.
#[test]
fn section_2_2_2_typed_accessors_return_what_was_sent() {
    let all = properties(MATRIX.map(|row| row.3));
    assert_eq!(all.iter().collect::<Vec<_>>(), MATRIX.map(|row| row.3));
    assert_eq!(all.as_bytes(), &MATRIX.map(|row| row.2).concat()[..]);
    for (_, _, _, value) in MATRIX {
        assert_eq!(all.get(value.id()), Some(value));
        assert_eq!(all.as_ref().get(value.id()), Some(value));
    }
    let check = |p: PropertiesRef<'_>| {
        assert_eq!(p.payload_format_indicator(), Some(PayloadFormat::Utf8));
        assert_eq!(p.message_expiry_interval(), Some(300));
        assert_eq!(p.content_type(), Some("json"));
        assert_eq!(p.response_topic(), Some("r/1"));
        assert_eq!(p.correlation_data(), Some(&[0xca, 0xfe][..]));
        assert_eq!(p.subscription_identifier(), Some(128));
        assert_eq!(p.session_expiry_interval(), Some(60));
        assert_eq!(p.assigned_client_identifier(), Some("id"));
        assert_eq!(p.server_keep_alive(), Some(30));
        assert_eq!(p.authentication_method(), Some("SCRAM"));
        assert_eq!(p.authentication_data(), Some(&[0x07][..]));
        assert_eq!(p.request_problem_information(), Some(false));
        assert_eq!(p.will_delay_interval(), Some(5));
        assert_eq!(p.request_response_information(), Some(true));
        assert_eq!(p.response_information(), Some("x"));
        assert_eq!(p.server_reference(), Some("s"));
        assert_eq!(p.reason_string(), Some("ok"));
        assert_eq!(p.receive_maximum(), Some(10));
        assert_eq!(p.topic_alias_maximum(), Some(0));
        assert_eq!(p.topic_alias(), Some(1));
        assert_eq!(p.maximum_qos(), Some(QoS::AtLeastOnce));
        assert_eq!(p.retain_available(), Some(false));
        assert_eq!(p.user_properties().collect::<Vec<_>>(), [("k", "v")]);
        assert_eq!(p.maximum_packet_size(), Some(1024));
        assert_eq!(p.wildcard_subscription_available(), Some(true));
        assert_eq!(p.subscription_identifier_available(), Some(false));
        assert_eq!(p.shared_subscription_available(), Some(true));
        assert_eq!(p.subscription_identifiers().collect::<Vec<_>>(), [128]);
    };
    check(all.as_ref());
    assert_eq!(all.message_expiry_interval(), Some(300));
    assert_eq!(all.reason_string(), Some("ok"));

    // Absent properties read as None, present ones do not leak into others.
    let empty = Properties::EMPTY;
    assert!(empty.is_empty() && empty.iter().next().is_none());
    assert_eq!(empty.reason_string(), None);
    assert_eq!(empty.topic_alias(), None);
    assert_eq!(empty.user_properties().count(), 0);

    // A PUBLISH with its 8 properties, decoded.
    let block: Vec<u8> = MATRIX
        .iter()
        .filter(|row| Carrier::Publish.allows(row.0))
        .flat_map(|row| row.2.iter().copied())
        .collect();
    let wire = Carrier::Publish.frame(&block);
    let Ok(Packet::Publish(p)) = decode_all_ways(&v5(), &wire) else {
        panic!()
    };
    let got = p.properties();
    assert_eq!(got.iter().count(), 8);
    assert_eq!(got.payload_format_indicator(), Some(PayloadFormat::Utf8));
    assert_eq!(got.message_expiry_interval(), Some(300));
    assert_eq!(got.content_type(), Some("json"));
    assert_eq!(got.response_topic(), Some("r/1"));
    assert_eq!(got.correlation_data(), Some(&[0xca, 0xfe][..]));
    assert_eq!(got.subscription_identifier(), Some(128));
    assert_eq!(got.topic_alias(), Some(1));
    assert_eq!(got.user_properties().collect::<Vec<_>>(), [("k", "v")]);
    assert_eq!(got.reason_string(), None);
    assert_eq!(got.session_expiry_interval(), None);
    // The borrowed decoder reads the same.
    let Ok(Some((PacketRef::Publish(r), _))) = v5().decode_ref(&wire) else {
        panic!()
    };
    assert_eq!(r.properties, got);
    assert_eq!(r.properties.correlation_data(), Some(&[0xca, 0xfe][..]));

    // DISCONNECT with its 4, AUTH with its 4.
    let wire = frame(
        0xe0,
        &cat(&[
            &[0x9c],
            &props(&cat(&[
                MATRIX[6].2,
                MATRIX[15].2,
                MATRIX[16].2,
                MATRIX[22].2,
            ])),
        ]),
    );
    let Ok(Packet::Disconnect(d)) = decode_all_ways(&v5(), &wire) else {
        panic!()
    };
    assert_eq!(d.reason_code, DisconnectReasonCode::UseAnotherServer);
    assert_eq!(d.properties.session_expiry_interval(), Some(60));
    assert_eq!(d.properties.server_reference(), Some("s"));
    assert_eq!(d.properties.reason_string(), Some("ok"));
    assert_eq!(
        d.properties.user_properties().collect::<Vec<_>>(),
        [("k", "v")]
    );
    let wire = frame(
        0xf0,
        &cat(&[
            &[0x19],
            &props(&cat(&[
                MATRIX[9].2,
                MATRIX[10].2,
                MATRIX[16].2,
                MATRIX[22].2,
            ])),
        ]),
    );
    let Ok(Packet::Auth(a)) = decode_all_ways(&v5(), &wire) else {
        panic!()
    };
    assert_eq!(a.reason_code, AuthReasonCode::ReAuthenticate);
    assert_eq!(a.properties.authentication_method(), Some("SCRAM"));
    assert_eq!(a.properties.authentication_data(), Some(&[0x07][..]));
    assert_eq!(a.properties.reason_string(), Some("ok"));
    assert_eq!(a.properties.user_properties().count(), 1);
}

/// [MQTT-3.3.2-18] "The Server MUST maintain the order of User Properties when forwarding the
/// Application Message"; 3.3.2.3.7: "The same name is allowed to appear more than once." The
/// order of User Properties, with repeated names and other properties between them, is kept by
/// both decoders, by the re-encoding and by a forwarded copy.
#[test]
fn mqtt_3_3_2_18_user_properties_keep_their_order() {
    let block = cat(&[
        &user_property(b"b", b"1"),
        &[0x02, 0x00, 0x00, 0x00, 0x0a],
        &user_property(b"a", b"2"),
        &user_property(b"b", b"3"),
        &[0x03, 0x00, 0x01, b't'],
        &user_property(b"b", b"1"),
    ]);
    let expected = [("b", "1"), ("a", "2"), ("b", "3"), ("b", "1")];
    let wire = frame(
        0x32,
        &cat(&[&[0x00, 0x01, b'a', 0x00, 0x05], &props(&block), b"x"]),
    );
    let Ok(Packet::Publish(p)) = decode_all_ways(&v5(), &wire) else {
        panic!()
    };
    assert_eq!(
        p.properties().user_properties().collect::<Vec<_>>(),
        expected
    );
    let Ok(Some((PacketRef::Publish(r), _))) = v5().decode_ref(&wire) else {
        panic!()
    };
    assert_eq!(r.properties.user_properties().collect::<Vec<_>>(), expected);
    let built = properties([
        Property::UserProperty("b", "1"),
        Property::MessageExpiryInterval(10),
        Property::UserProperty("a", "2"),
        Property::UserProperty("b", "3"),
        Property::ContentType("t"),
        Property::UserProperty("b", "1"),
    ]);
    assert_eq!(built.as_bytes(), &block[..]);
    assert_eq!(built.user_properties().collect::<Vec<_>>(), expected);
    // Forwarded at QoS 0: the properties go out as they came.
    let mut forwarded = p.clone();
    forwarded.set_qos(QosPid::AtMostOnce);
    let out = Encoder::V5.to_bytes(&forwarded).unwrap();
    assert_eq!(
        &out[..],
        &frame(0x30, &cat(&[&[0x00, 0x01, b'a'], &props(&block), b"x"]))[..]
    );
}

/// Section 2.2.2 ("checks on decode" and `Properties::new`): a property list the builder
/// accepts encodes to a packet every decoder accepts with the same properties, and every
/// property value the builder refuses is refused by the decoder too (and the other way round).
#[test]
fn section_2_2_2_builder_and_decoder_agree() {
    // Each property, the carrier it goes in, its bytes as a decoder would receive them.
    let cases: Vec<(Property<'static>, Carrier, Vec<u8>)> = vec![
        (
            Property::ContentType(""),
            Carrier::Publish,
            vec![0x03, 0x00, 0x00],
        ),
        (
            Property::ContentType("\u{feff}"),
            Carrier::Publish,
            cat(&[&[0x03], &lp("\u{feff}".as_bytes())]),
        ),
        (
            Property::ContentType("\0"),
            Carrier::Publish,
            vec![0x03, 0x00, 0x01, 0x00],
        ),
        (
            Property::ResponseTopic("a"),
            Carrier::Publish,
            vec![0x08, 0x00, 0x01, b'a'],
        ),
        (
            Property::ResponseTopic(""),
            Carrier::Publish,
            vec![0x08, 0x00, 0x00],
        ),
        (
            Property::ResponseTopic("a/#"),
            Carrier::Publish,
            cat(&[&[0x08], &lp(b"a/#")]),
        ),
        (
            Property::ResponseTopic("+"),
            Carrier::Publish,
            cat(&[&[0x08], &lp(b"+")]),
        ),
        (
            Property::CorrelationData(&[]),
            Carrier::Publish,
            vec![0x09, 0x00, 0x00],
        ),
        (
            Property::CorrelationData(&[0x00; 3]),
            Carrier::Publish,
            vec![0x09, 0x00, 0x03, 0, 0, 0],
        ),
        (
            Property::TopicAlias(0),
            Carrier::Publish,
            vec![0x23, 0x00, 0x00],
        ),
        (
            Property::TopicAlias(65_535),
            Carrier::Publish,
            vec![0x23, 0xff, 0xff],
        ),
        (
            Property::SubscriptionIdentifier(0),
            Carrier::Publish,
            vec![0x0b, 0x00],
        ),
        (
            Property::SubscriptionIdentifier(1),
            Carrier::Publish,
            vec![0x0b, 0x01],
        ),
        (
            Property::PayloadFormatIndicator(PayloadFormat::Unspecified),
            Carrier::Publish,
            vec![0x01, 0x00],
        ),
        (
            Property::MessageExpiryInterval(0),
            Carrier::Publish,
            vec![0x02, 0, 0, 0, 0],
        ),
        (
            Property::UserProperty("", ""),
            Carrier::PubRec,
            vec![0x26, 0, 0, 0, 0],
        ),
        (
            Property::UserProperty("\0", ""),
            Carrier::PubRec,
            vec![0x26, 0, 1, 0, 0, 0],
        ),
        (
            Property::UserProperty("", "\0"),
            Carrier::PubComp,
            vec![0x26, 0, 0, 0, 1, 0],
        ),
        (
            Property::ReasonString(""),
            Carrier::PubRel,
            vec![0x1f, 0x00, 0x00],
        ),
        (
            Property::ReasonString("\0"),
            Carrier::PubAck,
            vec![0x1f, 0x00, 0x01, 0x00],
        ),
        (
            Property::ServerReference(""),
            Carrier::Disconnect,
            vec![0x1c, 0x00, 0x00],
        ),
        (
            Property::SessionExpiryInterval(u32::MAX),
            Carrier::Disconnect,
            vec![0x11, 0xff, 0xff, 0xff, 0xff],
        ),
        (
            Property::AuthenticationData(&[]),
            Carrier::Auth,
            vec![0x16, 0x00, 0x00],
        ),
    ];
    for (property, carrier, wire) in cases {
        let block = with_method(carrier, &wire, false);
        let decoded = decode_all_ways(&v5(), &carrier.frame(&block));
        let mut list = vec![property];
        if carrier == Carrier::Auth {
            list.push(Property::AuthenticationMethod("SCRAM"));
        }
        match Properties::new(list) {
            Ok(built) => {
                assert_eq!(built.as_bytes(), &block[..], "{property:?}");
                let packet = decoded.unwrap_or_else(|e| panic!("{property:?}: {e:?}"));
                assert_eq!(properties_of(&packet), built);
                assert_eq!(
                    carrier.build(built).as_deref(),
                    Ok(&carrier.frame(&block)[..])
                );
            }
            Err(e) => {
                assert_eq!(e, EncodeError::InvalidProperty(property.id()));
                assert!(
                    decoded.is_err(),
                    "{property:?}: the decoder took {decoded:?}"
                );
            }
        }
    }
    // Binary data and strings at their 65,535-byte limit, and one byte over for the builder.
    let long = vec![b'a'; 65_535];
    let text = std::str::from_utf8(&long).unwrap();
    for property in [
        Property::CorrelationData(&long),
        Property::ContentType(text),
    ] {
        let built = properties([property]);
        let Ok(Packet::Publish(p)) =
            decode_all_ways(&v5(), &Carrier::Publish.frame(built.as_bytes()))
        else {
            panic!()
        };
        assert_eq!(p.properties().get(property.id()), Some(property));
    }
    let over = vec![b'a'; 65_536];
    let text = std::str::from_utf8(&over).unwrap();
    for property in [
        Property::CorrelationData(&over),
        Property::ContentType(text),
        Property::ReasonString(text),
        Property::UserProperty(text, ""),
        Property::UserProperty("", text),
    ] {
        assert_eq!(
            Properties::new([property]),
            Err(EncodeError::InvalidProperty(property.id()))
        );
    }
}

// =============================================================================================
// PUBLISH in MQTT 5.0 (section 3.3)
// =============================================================================================

/// Section 3.3.2: "The Variable Header of the PUBLISH Packet contains the following fields in
/// the order: Topic Name, Packet Identifier, and Properties"; [MQTT-2.2.2-1] "If there are no
/// properties, this MUST be indicated by including a Property Length of zero". Figure 3-9's
/// example ("a/b", Packet Identifier 10, no properties) at QoS 0, 1 and 2, with and without a
/// payload.
#[test]
fn section_3_3_2_publish_without_properties() {
    let cases: [(Vec<u8>, Publish); 4] = [
        (
            vec![0x30, 0x06, 0x00, 0x03, b'a', b'/', b'b', 0x00],
            Publish::new(topic("a/b"), QosPid::AtMostOnce, ""),
        ),
        (
            vec![
                0x32, 0x0a, 0x00, 0x03, b'a', b'/', b'b', 0x00, 0x0a, 0x00, b'h', b'i',
            ],
            Publish::new(topic("a/b"), QosPid::AtLeastOnce(pid(10)), "hi"),
        ),
        (
            vec![
                0x3d, 0x0a, 0x00, 0x03, b'a', b'/', b'b', 0x00, 0x0a, 0x00, b'h', b'i',
            ],
            Publish::new(topic("a/b"), QosPid::ExactlyOnce(pid(10)), "hi")
                .with_dup(true)
                .with_retain(true),
        ),
        (
            vec![0x31, 0x08, 0x00, 0x03, b'a', b'/', b'b', 0x00, 0x00, 0x00],
            Publish::new(topic("a/b"), QosPid::AtMostOnce, [0x00, 0x00]).with_retain(true),
        ),
    ];
    for (wire, publish) in cases {
        valid(&wire, &publish.clone().into());
        let Ok(Packet::Publish(p)) = decode_all_ways(&v5(), &wire) else {
            panic!()
        };
        assert!(p.properties().is_empty());
        assert_eq!(p.topic_name(), Some(topic("a/b")));
    }
}

/// Section 3.3.2.3: PUBLISH properties between the Packet Identifier and the payload, at QoS 0,
/// 1 and 2, with a one-byte and a two-byte Property Length.
#[test]
fn section_3_3_2_3_publish_with_properties() {
    let small = cat(&[
        &[0x01, 0x01],
        &[0x02, 0x00, 0x00, 0x00, 0x3c],
        &[0x23, 0x00, 0x07],
    ]);
    let small_list = [
        Property::PayloadFormatIndicator(PayloadFormat::Utf8),
        Property::MessageExpiryInterval(60),
        Property::TopicAlias(7),
    ];
    let big_value = vec![b'v'; 200];
    let big = user_property(b"n", &big_value);
    let big_text = std::str::from_utf8(&big_value).unwrap();
    for (qos, flags, id) in [
        (QosPid::AtMostOnce, 0x30, &[][..]),
        (QosPid::AtLeastOnce(pid(0x1234)), 0x32, &[0x12, 0x34]),
        (QosPid::ExactlyOnce(pid(1)), 0x34, &[0x00, 0x01]),
    ] {
        let wire = frame(
            flags,
            &cat(&[&[0x00, 0x01, b't'], id, &props(&small), b"{}"]),
        );
        let expected = Publish::new(topic("t"), qos, "{}")
            .with_properties(properties(small_list))
            .unwrap();
        valid(&wire, &expected.into());

        let wire = frame(flags, &cat(&[&[0x00, 0x01, b't'], id, &props(&big), b"{}"]));
        assert_eq!(&props(&big)[..2], &[0xce, 0x01], "206 in two bytes");
        let expected = Publish::new(topic("t"), qos, "{}")
            .with_properties(properties([Property::UserProperty("n", big_text)]))
            .unwrap();
        valid(&wire, &expected.into());
    }
}

/// Section 3.3.2.3.4: "If a Topic Alias mapping has been set at the receiver, a sender can send
/// a PUBLISH packet that contains that Topic Alias and a zero length Topic Name." Decoded with
/// an empty topic (and no `TopicName`), built with `without_topic`, given its topic back with
/// `with_topic`.
#[test]
fn section_3_3_2_3_4_empty_topic_with_topic_alias() {
    let wire = [
        0x32, 0x09, 0x00, 0x00, 0x00, 0x05, 0x03, 0x23, 0x00, 0x02, b'x',
    ];
    let Ok(Packet::Publish(p)) = decode_all_ways(&v5(), &wire) else {
        panic!()
    };
    assert_eq!(p.topic(), "");
    assert_eq!(p.topic_name(), None);
    assert_eq!(p.properties().topic_alias(), Some(2));
    assert_eq!(p.packet_id(), Some(pid(5)));
    let built = Publish::new(topic("long/topic"), QosPid::AtLeastOnce(pid(5)), "x")
        .with_properties(properties([Property::TopicAlias(2)]))
        .unwrap()
        .without_topic()
        .unwrap();
    assert_eq!(built, p);
    valid(&wire, &built.clone().into());
    // The receiver looks the alias up and restores the topic.
    let restored = p.with_topic(&topic("long/topic"));
    assert_eq!(restored.topic_name(), Some(topic("long/topic")));
    assert_eq!(restored.properties().topic_alias(), Some(2));
    assert_eq!(
        &Encoder::V5.to_bytes(&restored).unwrap()[..],
        &frame(
            0x32,
            &cat(&[
                &lp(b"long/topic"),
                &[0x00, 0x05, 0x03, 0x23, 0x00, 0x02, b'x']
            ])
        )[..]
    );
    // Without a Topic Alias there is nothing to leave the topic out for.
    assert_eq!(
        Publish::new(topic("a"), QosPid::AtMostOnce, "").without_topic(),
        Err(EncodeError::TopicAliasRequired)
    );
}

/// Section 3.3.2.1: "It is a Protocol Error if the Topic Name is zero length and there is no
/// Topic Alias." (Reason Code 0x82, section 3.3.4.)
#[test]
fn section_3_3_2_1_empty_topic_without_topic_alias() {
    for wire in [
        vec![0x30, 0x03, 0x00, 0x00, 0x00],
        vec![0x30, 0x04, 0x00, 0x00, 0x00, b'x'],
        vec![0x32, 0x05, 0x00, 0x00, 0x00, 0x01, 0x00],
        // Other properties, no Topic Alias.
        frame(
            0x30,
            &cat(&[&[0x00, 0x00], &props(&user_property(b"k", b"v"))]),
        ),
        frame(0x30, &cat(&[&[0x00, 0x00], &props(&[0x0b, 0x01])])),
    ] {
        rejected_v5(&wire, DecodeError::EmptyTopicWithoutAlias);
    }
    assert_eq!(
        DecodeError::EmptyTopicWithoutAlias.reason_code(),
        DisconnectReasonCode::ProtocolError
    );
    // In 3.1.1 an empty topic is simply an invalid Topic Name.
    rejected(
        &v311(),
        &[0x30, 0x03, 0x00, 0x00, 0x00],
        DecodeError::InvalidTopicName(TopicError::Empty),
    );
}

/// [MQTT-3.3.2-8] "A sender MUST NOT send a PUBLISH packet containing a Topic Alias which has
/// the value 0"; section 3.3.4: "A Topic Alias value of 0 or greater than the Maximum Topic
/// Alias is a Protocol Error, the receiver uses DISCONNECT with Reason Code of 0x94 (Topic Alias
/// invalid)".
#[test]
fn mqtt_3_3_2_8_topic_alias_0() {
    let error = DecodeError::InvalidPropertyValue {
        property: PropertyId::TopicAlias,
        value: 0,
    };
    for wire in [
        frame(
            0x30,
            &cat(&[&[0x00, 0x01, b'a'], &props(&[0x23, 0x00, 0x00])]),
        ),
        frame(
            0x30,
            &cat(&[&[0x00, 0x00], &props(&[0x23, 0x00, 0x00]), b"x"]),
        ),
        frame(
            0x34,
            &cat(&[&[0x00, 0x01, b'a', 0x00, 0x01], &props(&[0x23, 0x00, 0x00])]),
        ),
    ] {
        rejected_v5(&wire, error);
    }
    assert_eq!(error.reason_code(), DisconnectReasonCode::TopicAliasInvalid);
    assert_eq!(error.reason_code().byte(), 0x94);
    assert_eq!(
        Properties::new([Property::TopicAlias(0)]),
        Err(EncodeError::InvalidProperty(PropertyId::TopicAlias))
    );
}

/// Section 3.3.2.3.8 and [MQTT-3.3.4-4]: "Multiple Subscription Identifiers will be included if
/// the publication is the result of a match to more than one subscription"; their order "is
/// not significant" to the receiver, but a codec keeps it (and identical values).
#[test]
fn section_3_3_2_3_8_several_subscription_identifiers_kept_in_order() {
    let block = [
        0x0b, 0x05, 0x0b, 0x80, 0x01, 0x26, 0, 1, b'k', 0, 0, 0x0b, 0x01, 0x0b, 0x05,
    ];
    let wire = publish_with(&props(&block));
    let Ok(Packet::Publish(p)) = decode_all_ways(&v5(), &wire) else {
        panic!()
    };
    assert_eq!(
        p.properties()
            .subscription_identifiers()
            .collect::<Vec<_>>(),
        [5, 128, 1, 5]
    );
    assert_eq!(p.properties().subscription_identifier(), Some(5));
    let built = properties([
        Property::SubscriptionIdentifier(5),
        Property::SubscriptionIdentifier(128),
        Property::UserProperty("k", ""),
        Property::SubscriptionIdentifier(1),
        Property::SubscriptionIdentifier(5),
    ]);
    assert_eq!(built.as_bytes(), &block[..]);
    let expected = Publish::new(topic("a"), QosPid::AtMostOnce, "x")
        .with_properties(built)
        .unwrap();
    valid(&wire, &expected.into());
}

/// Section 3.3 ("decoded 5.0 PUBLISH re-encodes byte-identical"): a received message encoded
/// again for MQTT 5.0, unchanged, gives back the bytes it came as, whether it was decoded owned
/// or borrowed; properties, DUP, RETAIN, QoS and packet identifier included.
#[test]
fn section_3_3_v5_publish_re_encodes_byte_identical() {
    let frames = [
        vec![0x30, 0x04, 0x00, 0x01, b'a', 0x00],
        vec![
            0x3b, 0x0a, 0x00, 0x01, b'a', 0xff, 0xff, 0x03, 0x23, 0x00, 0x01, b'p',
        ],
        vec![
            0x35, 0x0b, 0x00, 0x00, 0x00, 0x02, 0x05, 0x23, 0x00, 0x09, 0x01, 0x01, b'p',
        ],
        publish_with(&props(&user_property_block(300))),
        frame(
            0x34,
            &cat(&[
                &lp("ünïcödé/topic".as_bytes()),
                &[0x00, 0x07],
                &props(
                    &MATRIX
                        .iter()
                        .filter(|r| Carrier::Publish.allows(r.0))
                        .flat_map(|r| r.2.iter().copied())
                        .collect::<Vec<_>>(),
                ),
                &[0x00; 300],
            ]),
        ),
    ];
    for wire in frames {
        let mut buf = BytesMut::from(&wire[..]);
        let Ok(Some(Packet::Publish(owned))) = v5().decode(&mut buf) else {
            panic!("{wire:02x?}")
        };
        assert_eq!(
            &Encoder::V5.to_bytes(&owned).unwrap()[..],
            &wire[..],
            "owned"
        );
        assert_eq!(Encoder::V5.encoded_len(&owned), wire.len());
        let Ok(Some((PacketRef::Publish(borrowed), _))) = v5().decode_ref(&wire) else {
            panic!("{wire:02x?}")
        };
        assert_eq!(
            &Encoder::V5.to_bytes(&borrowed).unwrap()[..],
            &wire[..],
            "borrowed"
        );
        assert_eq!(Encoder::V5.encoded_len(&borrowed), wire.len());
        let copy = borrowed.to_owned();
        assert_eq!(copy, owned);
        assert_eq!(
            &Encoder::V5.to_bytes(&copy).unwrap()[..],
            &wire[..],
            "to_owned"
        );
        assert_eq!(
            &Encoder::V5.to_bytes(&owned.as_borrowed()).unwrap()[..],
            &wire[..]
        );
        decode_all_ways(&v5(), &wire).expect("valid");
    }
}

/// One PUBLISH and what MQTT 3.1.1 has of it: the same message encoded for 3.1.1 loses its
/// Property Length and properties (3.1.1 has none) and keeps the rest, byte for byte. Checked
/// by hand for QoS 0, 1 and 2, a one-byte and a two-byte Property Length, owned and borrowed.
#[test]
fn section_3_3_v5_publish_encoded_for_v311_without_properties() {
    let block = user_property_block(130);
    let cases: [(Vec<u8>, Vec<u8>); 4] = [
        (
            vec![
                0x30, 0x09, 0x00, 0x01, b'a', 0x03, 0x23, 0x00, 0x01, b'h', b'i',
            ],
            vec![0x30, 0x05, 0x00, 0x01, b'a', b'h', b'i'],
        ),
        (
            vec![
                0x33, 0x0a, 0x00, 0x01, b'a', 0x00, 0x07, 0x02, 0x01, 0x00, b'h', b'i',
            ],
            vec![0x33, 0x07, 0x00, 0x01, b'a', 0x00, 0x07, b'h', b'i'],
        ),
        (
            vec![0x3c, 0x06, 0x00, 0x01, b'a', 0x01, 0x02, 0x00],
            vec![0x3c, 0x05, 0x00, 0x01, b'a', 0x01, 0x02],
        ),
        (
            frame(
                0x34,
                &cat(&[&[0x00, 0x01, b'a', 0x00, 0x09], &props(&block), b"hi"]),
            ),
            vec![0x34, 0x07, 0x00, 0x01, b'a', 0x00, 0x09, b'h', b'i'],
        ),
    ];
    for (v5_wire, v311_wire) in cases {
        let Ok(Packet::Publish(owned)) = decode_all_ways(&v5(), &v5_wire) else {
            panic!("{v5_wire:02x?}")
        };
        assert_eq!(
            &owned.to_bytes().unwrap()[..],
            &v311_wire[..],
            "{v5_wire:02x?}"
        );
        assert_eq!(owned.encoded_len(), v311_wire.len());
        assert_eq!(
            encode_with(&Encoder::V311, &owned).as_deref(),
            Ok(&v311_wire[..])
        );
        let Ok(Some((PacketRef::Publish(borrowed), _))) = v5().decode_ref(&v5_wire) else {
            panic!()
        };
        assert_eq!(
            encode_with(&Encoder::V311, &borrowed).as_deref(),
            Ok(&v311_wire[..])
        );
        // And the 3.1.1 decoder reads back the same message without properties.
        let Ok(Packet::Publish(back)) = decode_all_ways(&v311(), &v311_wire) else {
            panic!()
        };
        assert_eq!(
            (
                back.topic(),
                back.qos_pid(),
                back.payload(),
                back.dup(),
                back.retain()
            ),
            (
                owned.topic(),
                owned.qos_pid(),
                owned.payload(),
                owned.dup(),
                owned.retain()
            )
        );
        assert!(back.properties().is_empty());
    }
}

/// [MQTT-2.2.2-1] "If there are no properties, this MUST be indicated by including a Property
/// Length of zero": a message received over 3.1.1 (or built without properties) gets a
/// Property Length of 0 when encoded for 5.0.
#[test]
fn mqtt_2_2_2_1_v311_publish_encoded_for_v5_gets_property_length_0() {
    let v311_wire = [0x32, 0x08, 0x00, 0x03, b'a', b'/', b'b', 0x00, 0x0a, b'x'];
    let v5_wire = [
        0x32, 0x09, 0x00, 0x03, b'a', b'/', b'b', 0x00, 0x0a, 0x00, b'x',
    ];
    let Ok(Packet::Publish(p)) = decode_all_ways(&v311(), &v311_wire) else {
        panic!()
    };
    assert_eq!(encode_with(&Encoder::V5, &p).as_deref(), Ok(&v5_wire[..]));
    let Ok(Some((PacketRef::Publish(r), _))) = v311().decode_ref(&v311_wire) else {
        panic!()
    };
    assert_eq!(encode_with(&Encoder::V5, &r).as_deref(), Ok(&v5_wire[..]));
    accepted(&v5(), &v5_wire, &p.clone().into());
    // Forwarded at another QoS, still with its Property Length.
    let mut q0 = p.clone();
    q0.set_qos(QosPid::AtMostOnce);
    assert_eq!(
        encode_with(&Encoder::V5, &q0).as_deref(),
        Ok(&[0x30, 0x07, 0x00, 0x03, b'a', b'/', b'b', 0x00, b'x'][..])
    );
    let built = Publish::new(topic("a/b"), QosPid::AtMostOnce, "");
    assert_eq!(
        encode_with(&Encoder::V5, &built).as_deref(),
        Ok(&[0x30, 0x06, 0x00, 0x03, b'a', b'/', b'b', 0x00][..])
    );
}

/// Section 3.3.2.3.4: a message without a topic name (it travels with a Topic Alias) exists only
/// in 5.0; MQTT 3.1.1 cannot express it (its Topic Name is at least one character long), so it
/// cannot be encoded for 3.1.1, and nothing is written.
#[test]
fn section_3_3_2_3_4_aliased_publish_not_encodable_for_v311() {
    let wire = [0x30, 0x07, 0x00, 0x00, 0x03, 0x23, 0x00, 0x01, b'x'];
    let Ok(Packet::Publish(p)) = decode_all_ways(&v5(), &wire) else {
        panic!()
    };
    assert!(matches!(
        encode_with(&Encoder::V311, &p),
        Err(EncodeError::NotInV311(_))
    ));
    let mut buf = Vec::new();
    assert!(matches!(p.encode(&mut buf), Err(EncodeError::NotInV311(_))));
    assert!(buf.is_empty());
    let Ok(Some((PacketRef::Publish(r), _))) = v5().decode_ref(&wire) else {
        panic!()
    };
    assert!(matches!(
        encode_with(&Encoder::V311, &r),
        Err(EncodeError::NotInV311(_))
    ));
    // Once the topic is back, it can.
    assert_eq!(
        encode_with(&Encoder::V311, &p.with_topic(&topic("t"))).as_deref(),
        Ok(&[0x30, 0x04, 0x00, 0x01, b't', b'x'][..])
    );
}

/// [MQTT-3.3.2-17] "The Server MUST send all User Properties unaltered in a PUBLISH packet when
/// forwarding the Application Message", and [MQTT-3.3.2-4], -15, -16, -20 (Payload Format
/// Indicator, Response Topic, Correlation Data, Content Type unaltered): a received QoS 2
/// message forwarded with `set_qos` at QoS 1 (new identifier) and at QoS 0 keeps every
/// property, byte for byte.
#[test]
fn mqtt_3_3_2_17_forwarding_with_set_qos_keeps_the_properties() {
    let block = cat(&[
        &[0x01, 0x01],
        &[0x08, 0x00, 0x01, b'r'],
        &[0x09, 0x00, 0x01, 0x2a],
        &[0x03, 0x00, 0x01, b'c'],
        &user_property(b"k", b"v"),
    ]);
    let received = frame(
        0x35,
        &cat(&[&[0x00, 0x01, b'a', 0x00, 0x07], &props(&block), b"pay"]),
    );
    let Ok(Packet::Publish(mut p)) = decode_all_ways(&v5(), &received) else {
        panic!()
    };
    p.set_qos(QosPid::AtLeastOnce(pid(0x0109)));
    p.set_retain(false);
    assert_eq!(
        encode_with(&Encoder::V5, &p).as_deref(),
        Ok(&frame(
            0x32,
            &cat(&[&[0x00, 0x01, b'a', 0x01, 0x09], &props(&block), b"pay"])
        )[..])
    );
    p.set_qos(QosPid::AtMostOnce);
    assert_eq!(
        encode_with(&Encoder::V5, &p).as_deref(),
        Ok(&frame(0x30, &cat(&[&[0x00, 0x01, b'a'], &props(&block), b"pay"]))[..])
    );
    assert_eq!(p.properties().as_bytes(), &block[..]);
    // And back to the identifier it came with: the original bytes (less RETAIN).
    p.set_qos(QosPid::ExactlyOnce(pid(7)));
    p.set_retain(true);
    assert_eq!(encode_with(&Encoder::V5, &p).as_deref(), Ok(&received[..]));
    let forwarded = p.clone().with_qos(QosPid::AtLeastOnce(pid(2)));
    assert_eq!(forwarded.properties(), p.properties());
}

/// The owned decoder shares the received frame: the payload, the topic and the properties of a
/// decoded 5.0 PUBLISH (and the properties of an acknowledgement, DISCONNECT and AUTH) point
/// into the buffer the bytes arrived in, with no copy.
#[test]
fn section_3_3_owned_decode_shares_the_frame() {
    let frames = [
        frame(
            0x32,
            &cat(&[
                &[0x00, 0x01, b'a', 0x00, 0x07],
                &props(&user_property(b"k", b"v")),
                b"payload",
            ]),
        ),
        frame(
            0x40,
            &cat(&[&[0x00, 0x01, 0x10], &props(&[0x1f, 0x00, 0x02, b'o', b'k'])]),
        ),
        frame(
            0xe0,
            &cat(&[&[0x8b], &props(&[0x1f, 0x00, 0x02, b'o', b'k'])]),
        ),
        frame(
            0xf0,
            &cat(&[
                &[0x18],
                &props(&cat(&[AUTH_METHOD, &[0x16, 0x00, 0x01, 0x07]])),
            ]),
        ),
    ];
    for wire in frames {
        let mut buf = BytesMut::with_capacity(1024);
        buf.extend_from_slice(&wire);
        let start = buf.as_ptr() as usize;
        let inside = |ptr: *const u8, len: usize| {
            let at = ptr as usize;
            assert!(
                at >= start && at + len <= start + wire.len(),
                "{wire:02x?}: not in the frame"
            );
        };
        let packet = v5().decode(&mut buf).unwrap().unwrap();
        let props = properties_of(&packet);
        if let Packet::Publish(p) = &packet {
            inside(p.payload().as_ptr(), p.payload().len());
            inside(p.payload_bytes().as_ptr(), p.payload().len());
            inside(p.topic().as_ptr(), 1);
            inside(p.topic_name().unwrap().as_str().as_ptr(), 1);
            inside(
                p.properties().as_bytes().as_ptr(),
                p.properties().as_bytes().len(),
            );
        }
        let shared = match &packet {
            Packet::PubAck(a) => Some(a.properties.as_bytes()),
            Packet::Disconnect(d) => Some(d.properties.as_bytes()),
            Packet::Auth(a) => Some(a.properties.as_bytes()),
            _ => None,
        };
        if let Some(block) = shared {
            assert!(!block.is_empty());
            inside(block.as_ptr(), block.len());
        }
        assert!(!props.is_empty());
        // The borrowed decoder points into its input too.
        let (r, _) = v5().decode_ref(&wire).unwrap().unwrap();
        if let PacketRef::Publish(p) = r {
            let base = wire.as_ptr() as usize;
            let at = p.payload.as_ptr() as usize;
            assert!(at > base && at < base + wire.len());
            let at = p.properties.as_bytes().as_ptr() as usize;
            assert!(at > base && at < base + wire.len());
        }
    }
}

/// [MQTT-3.1.2-24] "The Server MUST NOT send packets exceeding Maximum Packet Size to the
/// Client", [MQTT-3.1.2-25] "Where a Packet is too large to send, the Server MUST discard it
/// without sending it", and [MQTT-3.3.2-17] (User Properties unaltered): a PUBLISH that does
/// not fit the peer's Maximum Packet Size is refused whole, never sent without its properties.
#[test]
fn mqtt_3_1_2_25_maximum_packet_size_refuses_a_too_large_publish() {
    let wire = [
        0x32, 0x11, 0x00, 0x03, b'a', b'/', b'b', 0x00, 0x0a, 0x07, 0x26, 0x00, 0x01, b'k', 0x00,
        0x01, b'v', b'h', b'i',
    ];
    let p = Publish::new(topic("a/b"), QosPid::AtLeastOnce(pid(10)), "hi")
        .with_properties(properties([Property::UserProperty("k", "v")]))
        .unwrap();
    valid(&wire, &p.clone().into());
    let fits = Encoder::V5.max_packet_size(19);
    assert_eq!(encode_with(&fits, &p).as_deref(), Ok(&wire[..]));
    let small = Encoder::V5.max_packet_size(18);
    let error = EncodeError::ExceedsMaximumPacketSize { size: 19, max: 18 };
    assert_eq!(encode_with(&small, &p), Err(error));
    assert_eq!(small.to_bytes(&p), Err(error));
    let (r, _) = v5().decode_ref(&wire).unwrap().unwrap();
    assert_eq!(encode_with(&small, &r), Err(error));
    assert_eq!(encode_with(&fits, &r).as_deref(), Ok(&wire[..]));
    // The same message for 3.1.1 is 8 bytes shorter, and fits.
    assert_eq!(
        encode_with(&Encoder::V311.max_packet_size(11), &p).as_deref(),
        Ok(&[0x32, 0x09, 0x00, 0x03, b'a', b'/', b'b', 0x00, 0x0a, b'h', b'i'][..])
    );
}

// =============================================================================================
// PUBACK, PUBREC, PUBREL, PUBCOMP (sections 3.4 to 3.7)
// =============================================================================================

/// Table 3-4 (PUBACK) and Table 3-5 (PUBREC), transcribed: the same nine values.
const TABLE_3_4: [u8; 9] = [0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99];
/// Table 3-6 (PUBREL) and Table 3-7 (PUBCOMP), transcribed: the same two values.
const TABLE_3_6: [u8; 2] = [0x00, 0x92];
/// Table 3-10 (DISCONNECT), transcribed: 29 values, no 0x8C.
const TABLE_3_10: [u8; 29] = [
    0x00, 0x04, 0x80, 0x81, 0x82, 0x83, 0x87, 0x89, 0x8b, 0x8d, 0x8e, 0x8f, 0x90, 0x93, 0x94, 0x95,
    0x96, 0x97, 0x98, 0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9e, 0x9f, 0xa0, 0xa1, 0xa2,
];
/// Table 3-11 (AUTH), transcribed.
const TABLE_3_11: [u8; 3] = [0x00, 0x18, 0x19];

/// The four acknowledgements: first byte, packet type, Reason Code table, and the statement
/// that binds the sender to the table.
const ACKS: [(u8, PacketType, &[u8], &str); 4] = [
    (0x40, PacketType::PubAck, &TABLE_3_4, "MQTT-3.4.2-1"),
    (0x50, PacketType::PubRec, &TABLE_3_4, "MQTT-3.5.2-1"),
    (0x62, PacketType::PubRel, &TABLE_3_6, "MQTT-3.6.2-1"),
    (0x70, PacketType::PubComp, &TABLE_3_6, "MQTT-3.7.2-1"),
];

/// The acknowledgement of type `first` for packet identifier `id`, with Reason Code `code`
/// (which must be in its table) and `properties`.
fn ack(first: u8, id: u16, code: u8, properties: Properties) -> Packet {
    let id = pid(id);
    match first {
        0x40 => PubAck::new(id)
            .with_reason_code(PubAckReasonCode::from_byte(code).unwrap())
            .with_properties(properties)
            .into(),
        0x50 => PubRec::new(id)
            .with_reason_code(PubRecReasonCode::from_byte(code).unwrap())
            .with_properties(properties)
            .into(),
        0x62 => PubRel::new(id)
            .with_reason_code(PubRelReasonCode::from_byte(code).unwrap())
            .with_properties(properties)
            .into(),
        0x70 => PubComp::new(id)
            .with_reason_code(PubCompReasonCode::from_byte(code).unwrap())
            .with_properties(properties)
            .into(),
        _ => unreachable!(),
    }
}

/// Section 3.4.2.1: "If the Remaining Length is 2, then there is no Reason Code and the value of
/// 0x00 (Success) is used"; 3.4.2.2.1: "If the Remaining Length is less than 4 there is no
/// Property Length and the value of 0 is used". The three forms of each acknowledgement
/// (sections 3.4 to 3.7 alike): packet identifier alone, with a Reason Code, with a Reason
/// Code and properties.
#[test]
fn section_3_4_2_1_acknowledgement_short_forms() {
    for (first, _, table, _) in ACKS {
        let failure = *table.last().unwrap();
        // Remaining Length 2: Success, no properties.
        valid(
            &[first, 0x02, 0x12, 0x34],
            &ack(first, 0x1234, 0x00, Properties::EMPTY),
        );
        // Remaining Length 3: a Reason Code, no properties.
        valid(
            &[first, 0x03, 0x12, 0x34, failure],
            &ack(first, 0x1234, failure, Properties::EMPTY),
        );
        accepted(
            &v5(),
            &[first, 0x03, 0x12, 0x34, 0x00],
            &ack(first, 0x1234, 0, Properties::EMPTY),
        );
        // Remaining Length 4: a Reason Code and a Property Length of 0.
        accepted(
            &v5(),
            &[first, 0x04, 0x00, 0x01, failure, 0x00],
            &ack(first, 1, failure, Properties::EMPTY),
        );
        accepted(
            &v5(),
            &[first, 0x04, 0x00, 0x01, 0x00, 0x00],
            &ack(first, 1, 0, Properties::EMPTY),
        );
        // With properties, Success or not.
        for code in [0x00, failure] {
            let block = cat(&[&[0x1f, 0x00, 0x02, b'o', b'k'], &user_property(b"a", b"b")]);
            let wire = frame(first, &cat(&[&[0xff, 0xff, code], &props(&block)]));
            let expected = ack(
                first,
                0xffff,
                code,
                properties([
                    Property::ReasonString("ok"),
                    Property::UserProperty("a", "b"),
                ]),
            );
            valid(&wire, &expected);
        }
        // Packet Identifier 0 is refused [MQTT-2.2.1-5] (it must be the PUBLISH's, never 0).
        rejected_v5(&[first, 0x02, 0x00, 0x00], DecodeError::ZeroPacketId);
        rejected_v5(&[first, 0x03, 0x00, 0x00, 0x00], DecodeError::ZeroPacketId);
    }
}

/// [MQTT-3.4.2-1] "The Client or Server sending the PUBACK packet MUST use one of the PUBACK
/// Reason Codes", and likewise [MQTT-3.5.2-1] (PUBREC), [MQTT-3.6.2-1] (PUBREL),
/// [MQTT-3.7.2-1] (PUBCOMP): each of the 256 byte values, in the short form and with a
/// Property Length; those of the table are decoded, the others refused.
#[test]
fn mqtt_3_4_2_1_to_3_7_2_1_ack_reason_code_tables() {
    for (first, packet_type, table, statement) in ACKS {
        let mut accepted_codes = 0;
        for code in 0..=255u8 {
            let short = [first, 0x03, 0x00, 0x01, code];
            let long = [first, 0x04, 0x00, 0x01, code, 0x00];
            if table.contains(&code) {
                let expected = ack(first, 1, code, Properties::EMPTY);
                accepted(&v5(), &short, &expected);
                accepted(&v5(), &long, &expected);
                if code != 0 {
                    valid(&short, &expected);
                }
                accepted_codes += 1;
            } else {
                let error = DecodeError::InvalidReasonCode { packet_type, code };
                rejected_v5(&short, error);
                rejected_v5(&long, error);
                assert_eq!(error.reason_code(), DisconnectReasonCode::MalformedPacket);
            }
        }
        assert_eq!(accepted_codes, table.len(), "{statement}");
    }
    // The per-packet types hold exactly those tables.
    for code in 0..=255u8 {
        assert_eq!(
            PubAckReasonCode::from_byte(code).is_some(),
            TABLE_3_4.contains(&code)
        );
        assert_eq!(
            PubRecReasonCode::from_byte(code).is_some(),
            TABLE_3_4.contains(&code)
        );
        assert_eq!(
            PubRelReasonCode::from_byte(code).is_some(),
            TABLE_3_6.contains(&code)
        );
        assert_eq!(
            PubCompReasonCode::from_byte(code).is_some(),
            TABLE_3_6.contains(&code)
        );
    }
}

/// Section 3.4.2.1: "The Reason Code and Property Length can be omitted if the Reason Code is
/// 0x00 (Success) and there are no Properties. In this case the PUBACK has a Remaining Length
/// of 2." The encoder writes the shortest form the content allows: a decoded long form goes
/// out short.
#[test]
fn section_3_4_2_1_encoder_writes_the_shortest_form() {
    for (first, _, table, _) in ACKS {
        let failure = table[1];
        for (received, sent) in [
            (
                vec![first, 0x03, 0x00, 0x01, 0x00],
                vec![first, 0x02, 0x00, 0x01],
            ),
            (
                vec![first, 0x04, 0x00, 0x01, 0x00, 0x00],
                vec![first, 0x02, 0x00, 0x01],
            ),
            (
                vec![first, 0x04, 0x00, 0x01, failure, 0x00],
                vec![first, 0x03, 0x00, 0x01, failure],
            ),
        ] {
            let packet = decode_all_ways(&v5(), &received).unwrap();
            assert_eq!(encode_with(&Encoder::V5, &packet).as_deref(), Ok(&sent[..]));
            let (r, _) = v5().decode_ref(&received).unwrap().unwrap();
            assert_eq!(encode_with(&Encoder::V5, &r).as_deref(), Ok(&sent[..]));
        }
    }
}

/// MQTT 3.1.1 acknowledgements are a packet identifier alone: a 5.0 acknowledgement with a
/// failure Reason Code (0x80 and above, section 2.4) cannot be said in 3.1.1 and is not
/// encoded for it (nothing is written); a successful one goes out as the 3.1.1 form, its
/// properties left out.
#[test]
fn section_2_4_failure_acknowledgement_not_encodable_for_v311() {
    for (first, _, table, _) in ACKS {
        for &code in table {
            let packet = ack(
                first,
                9,
                code,
                properties([
                    Property::ReasonString("why"),
                    Property::UserProperty("k", "v"),
                ]),
            );
            let v311 = encode_with(&Encoder::V311, &packet);
            let mut plain = Vec::new();
            let default = packet.encode(&mut plain);
            if code < 0x80 {
                assert_eq!(v311.as_deref(), Ok(&[first, 0x02, 0x00, 0x09][..]));
                assert_eq!(
                    (default, &plain[..]),
                    (Ok(()), &[first, 0x02, 0x00, 0x09][..])
                );
            } else {
                assert!(
                    matches!(v311, Err(EncodeError::NotInV311(_))),
                    "{code:#04x}"
                );
                assert!(matches!(default, Err(EncodeError::NotInV311(_))));
                assert!(plain.is_empty());
            }
        }
    }
}

/// [MQTT-3.4.2-2] (Reason String) and [MQTT-3.4.2-3] (User Property): "The sender MUST NOT send
/// this property if it would increase the size of the PUBACK packet beyond the Maximum Packet
/// Size specified by the receiver"; the same for PUBREC [MQTT-3.5.2-2], [MQTT-3.5.2-3], PUBREL
/// [MQTT-3.6.2-2], [MQTT-3.6.2-3], PUBCOMP [MQTT-3.7.2-2], [MQTT-3.7.2-3]. Too large, the
/// acknowledgement goes without them; still too large, it is not sent.
#[test]
fn mqtt_3_4_2_2_and_3_4_2_3_maximum_packet_size_drops_reason_string_and_user_properties() {
    for (first, _, table, _) in ACKS {
        let code = *table.last().unwrap();
        let packet = ack(
            first,
            1,
            code,
            properties([
                Property::ReasonString("no"),
                Property::UserProperty("k", "v"),
            ]),
        );
        let full = [
            first, 0x10, 0x00, 0x01, code, 0x0c, 0x1f, 0x00, 0x02, b'n', b'o', 0x26, 0x00, 0x01,
            b'k', 0x00, 0x01, b'v',
        ];
        valid(&full, &packet);
        let reduced = [first, 0x03, 0x00, 0x01, code];
        for max in [18, 100] {
            assert_eq!(
                encode_with(&Encoder::V5.max_packet_size(max), &packet).as_deref(),
                Ok(&full[..])
            );
        }
        for max in [6, 17] {
            assert_eq!(
                encode_with(&Encoder::V5.max_packet_size(max), &packet).as_deref(),
                Ok(&reduced[..]),
                "{first:#04x} limited to {max}"
            );
        }
        assert!(matches!(
            encode_with(&Encoder::V5.max_packet_size(4), &packet),
            Err(EncodeError::ExceedsMaximumPacketSize { max: 4, .. })
        ));
        // The borrowed form does the same.
        let (r, _) = v5().decode_ref(&full).unwrap().unwrap();
        assert_eq!(
            encode_with(&Encoder::V5.max_packet_size(17), &r).as_deref(),
            Ok(&reduced[..])
        );
    }
}

/// [MQTT-3.4.2-2], [MQTT-3.4.2-3] and [MQTT-3.1.2-24], once a bug: the Maximum Packet Size
/// check of the acknowledgements, DISCONNECT and AUTH (`Outgoing::fit`) counted a Reason Code
/// and a Property Length that the shortest form leaves out. The size checked is that of the
/// packet actually sent: a 4-byte PUBACK fits a limit of 4, a 2-byte DISCONNECT or AUTH a limit
/// of 2, and the error reports the size of the smallest packet that could have been sent.
#[test]
fn mqtt_3_4_2_2_maximum_packet_size_counts_the_packet_actually_sent() {
    let limited = |max| Encoder::V5.max_packet_size(max);
    assert_eq!(
        encode_with(&limited(4), &PubAck::new(pid(1))).as_deref(),
        Ok(&[0x40, 0x02, 0x00, 0x01][..])
    );
    let failure = PubAck::new(pid(1)).with_reason_code(PubAckReasonCode::NotAuthorized);
    assert_eq!(
        encode_with(&limited(5), &failure).as_deref(),
        Ok(&[0x40, 0x03, 0x00, 0x01, 0x87][..])
    );
    assert_eq!(
        encode_with(&limited(2), &Disconnect::new()).as_deref(),
        Ok(&[0xe0, 0x00][..])
    );
    assert_eq!(
        encode_with(&limited(2), &Auth::new(AuthReasonCode::Success)).as_deref(),
        Ok(&[0xf0, 0x00][..])
    );
    // Dropping the Reason String is enough to fit a limit of 4 or 5.
    let with_reason =
        PubAck::new(pid(1)).with_properties(properties([Property::ReasonString("x")]));
    assert_eq!(
        encode_with(&limited(4), &with_reason).as_deref(),
        Ok(&[0x40, 0x02, 0x00, 0x01][..])
    );
    let with_reason = failure.with_properties(properties([Property::ReasonString("x")]));
    assert_eq!(
        encode_with(&limited(5), &with_reason).as_deref(),
        Ok(&[0x40, 0x03, 0x00, 0x01, 0x87][..])
    );
    // The size reported is that of the smallest packet that could have been sent.
    assert_eq!(
        encode_with(&limited(4), &with_reason),
        Err(EncodeError::ExceedsMaximumPacketSize { size: 5, max: 4 })
    );
    assert_eq!(
        encode_with(&limited(1), &Disconnect::new()),
        Err(EncodeError::ExceedsMaximumPacketSize { size: 2, max: 1 })
    );
}

// =============================================================================================
// DISCONNECT (section 3.14)
// =============================================================================================

/// [MQTT-3.14.2-1] "The Client or Server sending the DISCONNECT packet MUST use one of the
/// DISCONNECT Reason Code values" (Table 3-10): each of the 256 byte values, with Remaining
/// Length 1 and 2; those of the table are decoded, the others refused.
#[test]
fn mqtt_3_14_2_1_disconnect_reason_code_table() {
    let mut decoded = 0;
    for code in 0..=255u8 {
        let short = [0xe0, 0x01, code];
        let long = [0xe0, 0x02, code, 0x00];
        match DisconnectReasonCode::from_byte(code) {
            Some(reason) => {
                assert!(
                    TABLE_3_10.contains(&code),
                    "{code:#04x} is not in Table 3-10"
                );
                let expected: Packet = Disconnect::new().with_reason_code(reason).into();
                accepted(&v5(), &short, &expected);
                accepted(&v5(), &long, &expected);
                if code != 0 {
                    valid(&short, &expected);
                }
                decoded += 1;
            }
            None => {
                assert!(!TABLE_3_10.contains(&code), "{code:#04x} is in Table 3-10");
                let error = DecodeError::InvalidReasonCode {
                    packet_type: PacketType::Disconnect,
                    code,
                };
                rejected_v5(&short, error);
                rejected_v5(&long, error);
            }
        }
    }
    assert_eq!(decoded, 29);
}

/// Table 3-10 goes from 0x8B to 0x8D: 0x8C (Bad authentication method), which Table 2-6 lists
/// for CONNACK and DISCONNECT, is not a DISCONNECT value, and [MQTT-3.14.2-1] binds the sender
/// to Table 3-10 (`mqtt-v5.0-tables.md` discrepancy D1): refused when decoding, and no
/// `DisconnectReasonCode` can hold it.
#[test]
fn mqtt_3_14_2_1_disconnect_0x8c_refused() {
    let error = DecodeError::InvalidReasonCode {
        packet_type: PacketType::Disconnect,
        code: 0x8c,
    };
    rejected_v5(&[0xe0, 0x01, 0x8c], error);
    rejected_v5(&[0xe0, 0x02, 0x8c, 0x00], error);
    assert_eq!(DisconnectReasonCode::from_byte(0x8c), None);
    assert_eq!(
        ConnectReasonCode::from_byte(0x8c),
        Some(ConnectReasonCode::BadAuthenticationMethod)
    );
}

/// What mosquitto sends a client whose session another connection took over: `e0 01 8e`, a
/// DISCONNECT with Reason Code 0x8E "Session taken over" (Table 3-10) and no properties
/// (section 3.14.2.2.1: "If the Remaining Length is less than 2, a value of 0 is used").
#[test]
fn section_3_14_2_1_mosquitto_session_taken_over() {
    let expected: Packet = Disconnect::new()
        .with_reason_code(DisconnectReasonCode::SessionTakenOver)
        .into();
    valid(&[0xe0, 0x01, 0x8e], &expected);
    let Ok(Packet::Disconnect(d)) = decode_all_ways(&v5(), &[0xe0, 0x01, 0x8e]) else {
        panic!()
    };
    assert!(!d.reason_code.is_success());
    assert!(d.properties.is_empty());
}

/// Section 3.14.2.2: DISCONNECT properties (Session Expiry Interval, Reason String, User
/// Property, Server Reference); section 4.11: a Server Reference goes with 0x9C or 0x9D.
#[test]
fn section_3_14_2_2_disconnect_with_properties() {
    let block = cat(&[
        &[0x1c, 0x00, 0x0a],
        b"other:1883",
        &[0x1f, 0x00, 0x04],
        b"move",
        &user_property(b"k", b"v"),
    ]);
    let wire = frame(0xe0, &cat(&[&[0x9d], &props(&block)]));
    let expected = Disconnect::new()
        .with_reason_code(DisconnectReasonCode::ServerMoved)
        .with_properties(properties([
            Property::ServerReference("other:1883"),
            Property::ReasonString("move"),
            Property::UserProperty("k", "v"),
        ]));
    valid(&wire, &expected.clone().into());
    // From a client: Session Expiry Interval, Normal disconnection.
    let wire = [0xe0, 0x07, 0x00, 0x05, 0x11, 0x00, 0x00, 0x0e, 0x10];
    let expected =
        Disconnect::new().with_properties(properties([Property::SessionExpiryInterval(3600)]));
    valid(&wire, &expected.clone().into());
    // For 3.1.1: a normal disconnection goes out as `e0 00`, its properties left out; another
    // Reason Code cannot be said.
    assert_eq!(
        encode_with(&Encoder::V311, &expected).as_deref(),
        Ok(&[0xe0, 0x00][..])
    );
    assert!(matches!(
        encode_with(
            &Encoder::V311,
            &Disconnect::new().with_reason_code(DisconnectReasonCode::SessionTakenOver)
        ),
        Err(EncodeError::NotInV311(_))
    ));
}

/// [MQTT-3.14.2-3] (Reason String) and [MQTT-3.14.2-4] (User Property): not sent when they would
/// make the DISCONNECT exceed the receiver's Maximum Packet Size; the Server Reference, which
/// the standard does not let the sender drop, stays.
#[test]
fn mqtt_3_14_2_3_and_3_14_2_4_maximum_packet_size_drops_reason_string_and_user_properties() {
    let packet = Disconnect::new()
        .with_reason_code(DisconnectReasonCode::UseAnotherServer)
        .with_properties(properties([
            Property::ServerReference("s2"),
            Property::ReasonString("no"),
            Property::UserProperty("k", "v"),
        ]));
    let full = [
        0xe0, 0x13, 0x9c, 0x11, 0x1c, 0x00, 0x02, b's', b'2', 0x1f, 0x00, 0x02, b'n', b'o', 0x26,
        0x00, 0x01, b'k', 0x00, 0x01, b'v',
    ];
    valid(&full, &packet.clone().into());
    assert_eq!(
        encode_with(&Encoder::V5.max_packet_size(21), &packet).as_deref(),
        Ok(&full[..])
    );
    let reduced = [0xe0, 0x07, 0x9c, 0x05, 0x1c, 0x00, 0x02, b's', b'2'];
    for max in [9, 20] {
        assert_eq!(
            encode_with(&Encoder::V5.max_packet_size(max), &packet).as_deref(),
            Ok(&reduced[..])
        );
    }
    assert_eq!(
        encode_with(&Encoder::V5.max_packet_size(8), &packet),
        Err(EncodeError::ExceedsMaximumPacketSize { size: 9, max: 8 })
    );
}

// =============================================================================================
// AUTH (section 3.15)
// =============================================================================================

/// [MQTT-3.15.2-1] "The sender of the AUTH Packet MUST use one of the Authenticate Reason Codes"
/// (Table 3-11), and 3.15.2.1: "The Reason Code and Property Length can be omitted if the
/// Reason Code is 0x00 (Success) and there are no Properties. In this case the AUTH has a
/// Remaining Length of 0." Each byte value, with an Authentication Method.
#[test]
fn mqtt_3_15_2_1_auth_reason_code_table() {
    valid(&[0xf0, 0x00], &Auth::new(AuthReasonCode::Success).into());
    let mut decoded = 0;
    for code in 0..=255u8 {
        let wire = frame(0xf0, &cat(&[&[code], &props(AUTH_METHOD)]));
        match AuthReasonCode::from_byte(code) {
            Some(reason) => {
                assert!(TABLE_3_11.contains(&code));
                let expected = Auth::new(reason)
                    .with_properties(properties([Property::AuthenticationMethod("SCRAM")]));
                valid(&wire, &expected.into());
                decoded += 1;
            }
            None => {
                assert!(!TABLE_3_11.contains(&code));
                rejected_v5(
                    &wire,
                    DecodeError::InvalidReasonCode {
                        packet_type: PacketType::Auth,
                        code,
                    },
                );
            }
        }
    }
    assert_eq!(decoded, 3);
}

/// Section 3.15.2.2: an AUTH with its Authentication Method, Authentication Data, Reason String
/// and User Property, decoded and encoded; MQTT 3.1.1 has no AUTH, so it cannot be encoded for
/// it.
#[test]
fn section_3_15_2_2_auth_with_properties() {
    let block = cat(&[
        AUTH_METHOD,
        &[0x16, 0x00, 0x03, 0x01, 0x02, 0x03],
        &[0x1f, 0x00, 0x02, b'o', b'k'],
        &user_property(b"k", b"v"),
    ]);
    let wire = frame(0xf0, &cat(&[&[0x18], &props(&block)]));
    let expected = Auth::new(AuthReasonCode::ContinueAuthentication).with_properties(properties([
        Property::AuthenticationMethod("SCRAM"),
        Property::AuthenticationData(&[1, 2, 3]),
        Property::ReasonString("ok"),
        Property::UserProperty("k", "v"),
    ]));
    valid(&wire, &expected.clone().into());
    assert!(matches!(
        encode_with(&Encoder::V311, &expected),
        Err(EncodeError::NotInV311(_))
    ));
    let mut buf = Vec::new();
    assert!(matches!(
        expected.encode(&mut buf),
        Err(EncodeError::NotInV311(_))
    ));
    assert!(buf.is_empty());
    assert!(matches!(
        Auth::new(AuthReasonCode::Success).to_bytes(),
        Err(EncodeError::NotInV311(_))
    ));
}

/// Section 3.15.2.2.2: "It is a Protocol Error to omit the Authentication Method or to include
/// it more than once"; section 3.1.2.11.10 (Authentication Data without Authentication Method
/// is a Protocol Error). AUTH properties without the Authentication Method are refused.
#[test]
fn section_3_15_2_2_2_auth_properties_without_authentication_method() {
    for block in [
        vec![0x16, 0x00, 0x01, 0x07],
        vec![0x1f, 0x00, 0x01, b'x'],
        user_property(b"k", b"v"),
        cat(&[&[0x16, 0x00, 0x00], &user_property(b"k", b"v")]),
    ] {
        for code in TABLE_3_11 {
            rejected_v5(
                &frame(0xf0, &cat(&[&[code], &props(&block)])),
                DecodeError::MissingAuthenticationMethod,
            );
        }
    }
    assert_eq!(
        DecodeError::MissingAuthenticationMethod.reason_code(),
        DisconnectReasonCode::ProtocolError
    );
    rejected_v5(
        &frame(
            0xf0,
            &cat(&[&[0x18], &props(&cat(&[AUTH_METHOD, AUTH_METHOD]))]),
        ),
        DecodeError::DuplicateProperty(PropertyId::AuthenticationMethod),
    );
}

/// [MQTT-3.15.2-2] (Reason String) and [MQTT-3.15.2-3] (User Property): "The sender MUST NOT
/// send this property if it would increase the size of the AUTH packet beyond the Maximum
/// Packet Size specified by the receiver". The Authentication Method and Data stay.
#[test]
fn mqtt_3_15_2_2_and_3_15_2_3_maximum_packet_size_drops_reason_string_and_user_properties() {
    let packet = Auth::new(AuthReasonCode::ContinueAuthentication).with_properties(properties([
        Property::AuthenticationMethod("M"),
        Property::AuthenticationData(&[0x01]),
        Property::ReasonString("no"),
        Property::UserProperty("k", "v"),
    ]));
    let full = [
        0xf0, 0x16, 0x18, 0x14, 0x15, 0x00, 0x01, b'M', 0x16, 0x00, 0x01, 0x01, 0x1f, 0x00, 0x02,
        b'n', b'o', 0x26, 0x00, 0x01, b'k', 0x00, 0x01, b'v',
    ];
    valid(&full, &packet.clone().into());
    assert_eq!(
        encode_with(&Encoder::V5.max_packet_size(24), &packet).as_deref(),
        Ok(&full[..])
    );
    let reduced = [
        0xf0, 0x0a, 0x18, 0x08, 0x15, 0x00, 0x01, b'M', 0x16, 0x00, 0x01, 0x01,
    ];
    for max in [12, 23] {
        assert_eq!(
            encode_with(&Encoder::V5.max_packet_size(max), &packet).as_deref(),
            Ok(&reduced[..])
        );
    }
    accepted(&v5(), &reduced, &decode_all_ways(&v5(), &reduced).unwrap());
    assert_eq!(
        encode_with(&Encoder::V5.max_packet_size(11), &packet),
        Err(EncodeError::ExceedsMaximumPacketSize { size: 12, max: 11 })
    );
}

/// Section 3.15.2.2.2 ("It is a Protocol Error to omit the Authentication Method") and
/// [MQTT-4.12.0-5] ("all AUTH packets ... MUST include an Authentication Method Property"),
/// once a bug: the encoder wrote AUTH packets without an Authentication Method, which its own
/// decoder refuses with `MissingAuthenticationMethod`. It refuses to write them.
#[test]
fn section_3_15_2_2_2_auth_encoder_refuses_properties_without_authentication_method() {
    for list in [
        vec![Property::ReasonString("x")],
        vec![Property::AuthenticationData(&[7])],
        vec![Property::UserProperty("k", "v")],
    ] {
        let auth =
            Auth::new(AuthReasonCode::ContinueAuthentication).with_properties(properties(list));
        let encoded = encode_with(&Encoder::V5, &auth);
        assert!(
            encoded.is_err(),
            "encoded {encoded:02x?}, which decodes as {:?}",
            encoded
                .as_ref()
                .map(|b| v5().decode_frame(Bytes::copy_from_slice(b)))
        );
    }
}

/// Section 3.15.2.2.2, "It is a Protocol Error to omit the Authentication Method"; the only
/// AUTH without one is the short form of 3.15.2.1 ("The Reason Code and Property Length can be
/// omitted if the Reason Code is 0x00 (Success) and there are no Properties. In this case the
/// AUTH has a Remaining Length of 0"), and unlike PUBACK (3.4.2.2.1) and DISCONNECT
/// (3.14.2.2.1) the AUTH Property Length (3.15.2.2.1) has no "if the Remaining Length is less
/// than ..." default. Once a bug: an AUTH that continues or restarts an authentication without
/// naming its method (`f0 01 18`, `f0 02 18 00`) was accepted, and
/// `Auth::new(ContinueAuthentication)` encoded to `f0 01 18`; both are refused. (Mosquitto's
/// `handle__auth` answers any AUTH of Remaining Length > 0 without an Authentication Method
/// with a Protocol Error.)
#[test]
fn section_3_15_2_2_2_auth_with_a_reason_code_needs_an_authentication_method() {
    for code in [0x18, 0x19] {
        for wire in [vec![0xf0, 0x01, code], vec![0xf0, 0x02, code, 0x00]] {
            rejected_v5(&wire, DecodeError::MissingAuthenticationMethod);
        }
    }
    for code in [
        AuthReasonCode::ContinueAuthentication,
        AuthReasonCode::ReAuthenticate,
    ] {
        assert!(
            encode_with(&Encoder::V5, &Auth::new(code)).is_err(),
            "{code:?}"
        );
    }
}

// =============================================================================================
// The Reason Code of each decode error (section 4.13)
// =============================================================================================

/// Section 4.13.1: "When a Server detects a Malformed Packet or Protocol Error ... it SHOULD
/// send a DISCONNECT packet containing the Reason Code ... Use Reason Code 0x81 (Malformed
/// Packet) or 0x82 (Protocol Error) unless a more specific Reason Code has been defined".
/// One failing input per `DecodeError` variant the 5.0 decoder can reach through the packets of
/// this file, with the code each statement names: 0x81 where the standard says "Malformed
/// Packet" (1.5.4, 1.5.5, 2.2.2.2, 3.3.1.2, [MQTT-3.14.1-1] ...), 0x82 where it says "Protocol
/// Error" (3.3.2.1, 3.3.2.3.8, 3.15.2.2.2, the "more than once" sentences), 0x94 for a Topic
/// Alias of 0 (3.3.4), 0x95 for a packet over the limit (Table 3-10, "Packet too large").
#[test]
fn section_4_13_reason_code_of_each_decode_error() {
    use DisconnectReasonCode::{MalformedPacket, PacketTooLarge, ProtocolError, TopicAliasInvalid};
    let limited = Decoder::new().protocol(Protocol::V5).max_packet_size(8);
    let cases: Vec<(Decoder, Vec<u8>, DecodeError, DisconnectReasonCode)> = vec![
        (
            v5(),
            vec![0x00, 0x00],
            DecodeError::ReservedPacketType(0),
            MalformedPacket,
        ),
        (
            v5(),
            vec![0xe1, 0x00],
            DecodeError::InvalidFlags {
                packet_type: PacketType::Disconnect,
                flags: 1,
            },
            MalformedPacket,
        ),
        (
            v5(),
            vec![0x36, 0x06, 0x00, 0x01, b'a', 0x00, 0x01, 0x00],
            DecodeError::InvalidPublishQos,
            MalformedPacket,
        ),
        (
            v5(),
            vec![0x38, 0x04, 0x00, 0x01, b'a', 0x00],
            DecodeError::DupWithQos0,
            MalformedPacket,
        ),
        (
            v5(),
            vec![0x30, 0xff, 0xff, 0xff, 0xff, 0x01],
            DecodeError::MalformedRemainingLength,
            MalformedPacket,
        ),
        (
            limited,
            vec![0x30, 0x08, 0x00, 0x01, b'a', 0x00, b'x', b'x', b'x', b'x'],
            DecodeError::PacketTooLarge { size: 10, max: 8 },
            PacketTooLarge,
        ),
        (
            v5(),
            vec![0xc0, 0x01, 0x00],
            DecodeError::InvalidRemainingLength {
                packet_type: PacketType::PingReq,
                remaining_length: 1,
            },
            MalformedPacket,
        ),
        (
            v5(),
            vec![0x30, 0x02, 0x00, 0x05],
            DecodeError::FieldOverrun,
            MalformedPacket,
        ),
        (
            v5(),
            vec![0x40, 0x05, 0x00, 0x01, 0x00, 0x00, 0xff],
            DecodeError::TrailingBytes(1),
            MalformedPacket,
        ),
        (
            v5(),
            vec![0x40, 0x07, 0x00, 0x01, 0x00, 0x03, 0x1f, 0x00, 0x01],
            DecodeError::FieldOverrun,
            MalformedPacket,
        ),
        (
            v5(),
            vec![0x40, 0x08, 0x00, 0x01, 0x00, 0x04, 0x1f, 0x00, 0x01, 0x00],
            DecodeError::InvalidString(StringError::NullCharacter { offset: 0 }),
            MalformedPacket,
        ),
        (
            v5(),
            vec![0x30, 0x07, 0x00, 0x03, b'a', b'/', b'#', 0x00, b'x'],
            DecodeError::InvalidTopicName(TopicError::WildcardInName { offset: 2 }),
            MalformedPacket,
        ),
        (
            v5(),
            vec![0x40, 0x02, 0x00, 0x00],
            DecodeError::ZeroPacketId,
            MalformedPacket,
        ),
        (
            v5(),
            vec![0x40, 0x03, 0x00, 0x01, 0x01],
            DecodeError::InvalidReasonCode {
                packet_type: PacketType::PubAck,
                code: 0x01,
            },
            MalformedPacket,
        ),
        (
            v5(),
            vec![0x30, 0x03, 0x00, 0x00, 0x00],
            DecodeError::EmptyTopicWithoutAlias,
            ProtocolError,
        ),
        (
            v5(),
            vec![0xf0, 0x06, 0x18, 0x04, 0x1f, 0x00, 0x01, b'x'],
            DecodeError::MissingAuthenticationMethod,
            ProtocolError,
        ),
        (
            v5(),
            vec![0xe0, 0x06, 0x00, 0x80, 0x80, 0x80, 0x80, 0x01],
            DecodeError::MalformedVariableByteInteger,
            MalformedPacket,
        ),
        (
            v5(),
            vec![0xe0, 0x80, 0x00],
            DecodeError::NonMinimalVariableByteInteger,
            MalformedPacket,
        ),
        (
            v5(),
            vec![0xe0, 0x03, 0x00, 0x01, 0x04],
            DecodeError::UnknownProperty(4),
            MalformedPacket,
        ),
        (
            v5(),
            vec![0x40, 0x07, 0x00, 0x01, 0x00, 0x03, 0x23, 0x00, 0x01],
            DecodeError::PropertyNotAllowed {
                property: PropertyId::TopicAlias,
                set: PropertySet::PubAck,
            },
            MalformedPacket,
        ),
        (
            v5(),
            vec![
                0x40, 0x0c, 0x00, 0x01, 0x00, 0x08, 0x1f, 0x00, 0x01, b'a', 0x1f, 0x00, 0x01, b'b',
            ],
            DecodeError::DuplicateProperty(PropertyId::ReasonString),
            ProtocolError,
        ),
        (
            v5(),
            vec![0x30, 0x07, 0x00, 0x01, b'a', 0x02, 0x0b, 0x00, b'x'],
            DecodeError::InvalidPropertyValue {
                property: PropertyId::SubscriptionIdentifier,
                value: 0,
            },
            ProtocolError,
        ),
        (
            v5(),
            vec![0x30, 0x08, 0x00, 0x01, b'a', 0x03, 0x23, 0x00, 0x00, b'x'],
            DecodeError::InvalidPropertyValue {
                property: PropertyId::TopicAlias,
                value: 0,
            },
            TopicAliasInvalid,
        ),
    ];
    for (decoder, wire, error, code) in cases {
        assert_eq!(decode_all_ways(&decoder, &wire), Err(error), "{wire:02x?}");
        assert_eq!(error.reason_code(), code, "{error:?}");
        assert!(TABLE_3_10.contains(&code.byte()) && code.byte() >= 0x80);
        // In answer to a CONNECT, the same code in a CONNACK (Table 3-1 has 0x81, 0x82, 0x95).
        if code != TopicAliasInvalid {
            assert_eq!(error.connack_reason_code().byte(), code.byte(), "{error:?}");
        }
    }
    // Errors that only the frame decoders report.
    let incomplete = v5().decode_frame(Bytes::from_static(&[0x40, 0x02, 0x00]));
    assert_eq!(incomplete, Err(DecodeError::IncompleteFrame));
    assert_eq!(
        v5().decode_frame_ref(&[0xe0, 0x00, 0x00]),
        Err(DecodeError::FrameLengthMismatch {
            declared: 2,
            actual: 3,
        })
    );
    for error in [
        DecodeError::IncompleteFrame,
        DecodeError::FrameLengthMismatch {
            declared: 2,
            actual: 3,
        },
    ] {
        assert_eq!(error.reason_code(), MalformedPacket);
    }
    // Variants of CONNECT and SUBSCRIBE, mapped by their statements: "If the reserved flag is
    // not 0 it is a Malformed Packet" (3.1.2.3), "A value of 3 (0x03) is a Malformed Packet"
    // (3.1.2.6), "A SUBSCRIBE packet with no Payload is a Protocol Error" (3.8.3), "An
    // UNSUBSCRIBE packet with no Payload is a Protocol Error" (3.10.3), and a Protocol Version
    // the server does not take is answered with CONNACK 0x84 [MQTT-3.1.2-2].
    for (error, code) in [
        (DecodeError::ConnectReservedFlag, MalformedPacket),
        (DecodeError::InvalidWillQos, MalformedPacket),
        (DecodeError::EmptySubscribe, ProtocolError),
        (DecodeError::EmptyUnsubscribe, ProtocolError),
    ] {
        assert_eq!(error.reason_code(), code, "{error:?}");
        assert_eq!(error.connack_reason_code().byte(), code.byte(), "{error:?}");
    }
    assert_eq!(
        DecodeError::UnsupportedProtocolLevel(6).connack_reason_code(),
        ConnectReasonCode::UnsupportedProtocolVersion
    );
    assert_eq!(
        DecodeError::PacketTooLarge { size: 10, max: 8 }.connack_reason_code(),
        ConnectReasonCode::PacketTooLarge
    );
}

// =============================================================================================
// Both decoders agree on a stream
// =============================================================================================

/// Every valid 5.0 frame form of this file, for the stream test.
fn valid_frames() -> Vec<Vec<u8>> {
    let mut frames = vec![
        vec![0x30, 0x04, 0x00, 0x01, b'a', 0x00],
        vec![
            0x32, 0x09, 0x00, 0x00, 0x00, 0x05, 0x03, 0x23, 0x00, 0x02, b'x',
        ],
        publish_with(&props(&user_property_block(200))),
        publish_with(&props(&[0x0b, 0x05, 0x0b, 0x80, 0x01])),
        vec![0xe0, 0x00],
        vec![0xe0, 0x01, 0x8e],
        vec![0xe0, 0x02, 0x04, 0x00],
        frame(0xe0, &cat(&[&[0x9c], &props(&[0x1c, 0x00, 0x01, b's'])])),
        vec![0xf0, 0x00],
        frame(0xf0, &cat(&[&[0x19], &props(AUTH_METHOD)])),
        vec![0xc0, 0x00],
        vec![0xd0, 0x00],
    ];
    for (first, _, table, _) in ACKS {
        frames.push(vec![first, 0x02, 0x01, 0x02]);
        frames.push(vec![first, 0x03, 0x01, 0x02, table[1]]);
        frames.push(vec![first, 0x04, 0x01, 0x02, 0x00, 0x00]);
        frames.push(frame(
            first,
            &cat(&[&[0x01, 0x02, 0x00], &props(&user_property(b"k", b""))]),
        ));
    }
    frames
}

/// Section 2.1 and 4.8: packets follow one another on the connection. The valid frames of this
/// file in one stream, read by the owned decoder in chunks of 1, 2, 3, 7 and 64 bytes and by
/// the borrowed decoder: the same packets, in order; then an invalid frame after them gives the
/// same error in both.
#[test]
fn section_2_1_owned_and_borrowed_decoders_agree_on_a_stream() {
    let frames = valid_frames();
    let stream = frames.concat();
    let expected: Vec<Packet> = frames
        .iter()
        .map(|f| decode_all_ways(&v5(), f).expect("valid frame"))
        .collect();

    let mut borrowed = Vec::new();
    let mut at = 0;
    while let Some((packet, consumed)) = v5().decode_ref(&stream[at..]).unwrap() {
        borrowed.push(packet.to_owned());
        at += consumed;
    }
    assert_eq!(at, stream.len());
    assert_eq!(borrowed, expected);

    for chunk in [1, 2, 3, 7, 64] {
        let mut buf = BytesMut::new();
        let mut owned = Vec::new();
        for piece in stream.chunks(chunk) {
            buf.extend_from_slice(piece);
            while let Some(packet) = v5().decode(&mut buf).unwrap() {
                owned.push(packet);
            }
        }
        assert!(buf.is_empty());
        assert_eq!(owned, expected, "chunks of {chunk}");
    }

    // Then a PUBACK with a Reason Code not in Table 3-4.
    let bad = cat(&[&stream, &[0x40, 0x03, 0x00, 0x01, 0x02]]);
    let error = DecodeError::InvalidReasonCode {
        packet_type: PacketType::PubAck,
        code: 0x02,
    };
    let mut buf = BytesMut::from(&bad[..]);
    let mut owned_result = Ok(None);
    for _ in 0..=expected.len() {
        owned_result = v5().decode(&mut buf);
        if owned_result.is_err() {
            break;
        }
    }
    assert_eq!(owned_result, Err(error));
    let mut at = 0;
    let borrowed_result = loop {
        match v5().decode_ref(&bad[at..]) {
            Ok(Some((_, consumed))) => at += consumed,
            other => break other.map(|_| ()),
        }
    };
    assert_eq!(borrowed_result, Err(error));
    assert_eq!(at, stream.len());
}

// =============================================================================================
// Outside the packets above
// =============================================================================================

/// Section 3.11 (UNSUBACK in 5.0): "The Variable Header of the UNSUBACK Packet [contains] the
/// Packet Identifier, and Properties"; the Payload is one Reason Code per Topic Filter (Table
/// 3-9). Once a bug: the body was read as 3.1.1's (a packet identifier alone), so no 5.0
/// UNSUBACK decoded. A Packet Identifier, a Property Length of 0 and one Reason Code decode as
/// an UNSUBACK (the rest is in `conformance_v5_subscribe.rs`).
#[test]
fn section_3_11_unsuback_in_v5() {
    assert_eq!(
        decode_all_ways(&v5(), &[0xb0, 0x04, 0x00, 0x01, 0x00, 0x11]).map(|p| p.packet_type()),
        Ok(PacketType::UnsubAck)
    );
}

/// An encoder's packet size limit holds for every packet in either version (3.1.1 has no
/// Maximum Packet Size of its own, but a limit given to `Encoder::max_packet_size` is kept):
/// the 4-byte acknowledgements and CONNACK and the 2-byte DISCONNECT and PINGREQ are refused by
/// a limit one byte smaller, and written by one of their size.
#[test]
fn encoder_limit_holds_for_the_short_packets_in_both_versions() {
    let id = PacketId::try_from(1).unwrap();
    let packets: [(Packet, usize); 6] = [
        (PubAck::new(id).into(), 4),
        (PubRel::new(id).into(), 4),
        (ConnAck::accepted(false).into(), 4),
        (UnsubAck::new(id).into(), 4),
        (Packet::Disconnect(Disconnect::new()), 2),
        (Packet::PingReq, 2),
    ];
    for (packet, size) in packets {
        for protocol in [Protocol::V311, Protocol::V5] {
            if protocol.is_v5() && matches!(packet, Packet::UnsubAck(_) | Packet::ConnAck(_)) {
                continue; // a 5.0 UNSUBACK needs codes, a 5.0 CONNACK is 5 bytes
            }
            let tight = Encoder::new(protocol).max_packet_size(size - 1);
            assert_eq!(
                tight.to_bytes(&packet),
                Err(EncodeError::ExceedsMaximumPacketSize {
                    size,
                    max: size - 1
                }),
                "{packet:?} in {protocol:?}"
            );
            let exact = Encoder::new(protocol).max_packet_size(size);
            assert_eq!(exact.to_bytes(&packet).map(|b| b.len()), Ok(size));
        }
    }
}

/// `encoded_len_for` of a borrowed PUBLISH sent by Topic Alias alone, for 3.1.1 (which cannot
/// carry it, so `encode_for` refuses it): the length it would take, as for the owned message,
/// not 0 (see `Encode::encoded_len`).
#[test]
fn aliased_publish_ref_length_for_v311() {
    let wire = [0x30, 0x08, 0x00, 0x00, 0x03, 0x23, 0x00, 0x01, b'h', b'i'];
    let decoder = Decoder::new().protocol(Protocol::V5);
    let PacketRef::Publish(borrowed) = decoder.decode_frame_ref(&wire).unwrap() else {
        panic!()
    };
    let owned = borrowed.to_owned();
    // Topic length, no topic, payload: 4 bytes of body and 2 of header.
    assert_eq!(borrowed.encoded_len_for(&Encoder::V311), 6);
    assert_eq!(owned.encoded_len_for(&Encoder::V311), 6);
    assert!(matches!(
        Encoder::V311.to_bytes(&borrowed),
        Err(EncodeError::NotInV311(_))
    ));
}
