//! Conformance of MQTT 5.0 (OASIS Standard, 7 March 2019): the statements about the packet
//! format that the other `conformance_v5*.rs` files do not cover (reserved flags of every
//! packet type, packet identifiers, PUBLISH flags and topic names, topic names and filters of
//! section 4.7, Will and CONNACK property values, the receiver's choices), and the checks that
//! keep the statement table `src/conformance_v5.md` complete and true: every statement of the
//! standard listed exactly once, every cited test present, the summary's counts those of the
//! rows.
//!
//! Every expected byte sequence is written by hand from the standard, never produced by this
//! crate's encoder; every frame is decoded by every decoder of the crate ([`decode_all_ways`]).

use bytes::BytesMut;
use mqttwire::*;
use std::collections::{BTreeMap, BTreeSet};

#[path = "common/v5.rs"]
mod v5_support;
use v5_support::*;

/// A minimal valid MQTT 5.0 frame of each packet type but PUBLISH, with the flags Table 2-2
/// fixes for it: CONNECT (client "c"), CONNACK (Success), the acknowledgements and lists of
/// packet identifier 1 (one filter "a"), PINGREQ, PINGRESP, DISCONNECT and AUTH in their
/// shortest forms.
const MINIMAL: [(PacketType, &[u8]); 14] = [
    (
        PacketType::Connect,
        &[
            0x10, 0x0e, 0x00, 0x04, b'M', b'Q', b'T', b'T', 0x05, 0x02, 0x00, 0x3c, 0x00, 0x00,
            0x01, b'c',
        ],
    ),
    (PacketType::ConnAck, &[0x20, 0x03, 0x00, 0x00, 0x00]),
    (PacketType::PubAck, &[0x40, 0x02, 0x00, 0x01]),
    (PacketType::PubRec, &[0x50, 0x02, 0x00, 0x01]),
    (PacketType::PubRel, &[0x62, 0x02, 0x00, 0x01]),
    (PacketType::PubComp, &[0x70, 0x02, 0x00, 0x01]),
    (
        PacketType::Subscribe,
        &[0x82, 0x07, 0x00, 0x01, 0x00, 0x00, 0x01, b'a', 0x00],
    ),
    (PacketType::SubAck, &[0x90, 0x04, 0x00, 0x01, 0x00, 0x00]),
    (
        PacketType::Unsubscribe,
        &[0xa2, 0x06, 0x00, 0x01, 0x00, 0x00, 0x01, b'a'],
    ),
    (PacketType::UnsubAck, &[0xb0, 0x04, 0x00, 0x01, 0x00, 0x00]),
    (PacketType::PingReq, &[0xc0, 0x00]),
    (PacketType::PingResp, &[0xd0, 0x00]),
    (PacketType::Disconnect, &[0xe0, 0x00]),
    (PacketType::Auth, &[0xf0, 0x00]),
];

/// An MQTT 5.0 CONNECT: "MQTT" level 5, `flags`, Keep Alive 60, no properties, then `payload`.
fn connect_v5(flags: u8, payload: &[u8]) -> Vec<u8> {
    frame(
        0x10,
        &cat(&[
            &[
                0x00, 0x04, b'M', b'Q', b'T', b'T', 0x05, flags, 0x00, 0x3c, 0x00,
            ],
            payload,
        ]),
    )
}

/// A 5.0 CONNECT from client "c" with a Will: `will_properties` (without their length), Will
/// Topic `will_topic` (raw bytes), Will Payload "m".
fn connect_with_will(will_properties: &[u8], will_topic: &[u8]) -> Vec<u8> {
    connect_v5(
        0x06,
        &cat(&[
            &lp(b"c"),
            &props(will_properties),
            &lp(will_topic),
            &lp(b"m"),
        ]),
    )
}

/// A 5.0 PUBLISH at QoS 0 to `raw_topic`, no properties, payload "x".
fn publish_to(raw_topic: &[u8]) -> Vec<u8> {
    frame(0x30, &cat(&[&lp(raw_topic), &[0x00], b"x"]))
}

/// A 5.0 SUBSCRIBE, packet identifier 1, no properties, one filter (raw bytes) at QoS 0.
fn subscribe_to(raw_filter: &[u8]) -> Vec<u8> {
    frame(0x82, &cat(&[&[0x00, 0x01, 0x00], &lp(raw_filter), &[0x00]]))
}

/// A 5.0 UNSUBSCRIBE, packet identifier 1, no properties, one filter (raw bytes).
fn unsubscribe_from(raw_filter: &[u8]) -> Vec<u8> {
    frame(0xa2, &cat(&[&[0x00, 0x01, 0x00], &lp(raw_filter)]))
}

fn filter(text: &str) -> TopicFilter {
    TopicFilter::new(text).unwrap()
}

// =============================================================================================
// Chapter 2: fixed header, packet identifier, properties
// =============================================================================================

/// [MQTT-2.1.3-1] "Where a flag bit is marked as “Reserved”, it is reserved for future use and
/// MUST be set to the value listed" (Table 2-2: 0000 for every packet but PUBLISH, 0010 for
/// PUBREL, SUBSCRIBE and UNSUBSCRIBE). Section 2.1.3: "If invalid flags are received it is a
/// Malformed Packet." Each of the 14 packet types, with each of the 15 other values of its
/// flags, is refused by the 5.0 decoder (Reason Code 0x81); with the listed value it decodes,
/// and the encoder writes that value.
#[test]
fn mqtt_2_1_3_1_reserved_flags_of_table_2_2_in_v5() {
    for (packet_type, wire) in MINIMAL {
        let listed = wire[0] & 0x0f;
        let packet = decode_all_ways(&v5(), wire).expect("minimal frame");
        assert_eq!(packet.packet_type(), packet_type);
        assert_eq!(
            encode_with(&Encoder::V5, &packet).as_deref(),
            Ok(wire),
            "{packet_type:?}"
        );
        for flags in (0..16u8).filter(|f| *f != listed) {
            let mut bad = wire.to_vec();
            bad[0] = (bad[0] & 0xf0) | flags;
            let error = DecodeError::InvalidFlags { packet_type, flags };
            rejected_v5(&bad, error);
            assert_eq!(error.reason_code(), DisconnectReasonCode::MalformedPacket);
            // From the first byte alone, before the rest of the packet is there.
            assert_eq!(
                v5().decode(&mut BytesMut::from(&bad[..1])),
                Err(error),
                "{bad:02x?}"
            );
        }
    }
}

/// [MQTT-2.2.1-2] "A PUBLISH packet MUST NOT contain a Packet Identifier if its QoS value is set
/// to 0." At QoS 0 the Property Length follows the Topic Name; the same bytes at QoS 1 are read
/// with a Packet Identifier, and then no longer add up. A QoS 0 message holds no identifier
/// (`QosPid::AtMostOnce`), and a message moved to QoS 0 loses its identifier on the wire.
#[test]
fn mqtt_2_2_1_2_qos_0_publish_has_no_packet_identifier() {
    // PUBLISH QoS 0 "a/b", Property Length 0, payload "hi".
    let qos0 = [0x30, 0x08, 0x00, 0x03, b'a', b'/', b'b', 0x00, b'h', b'i'];
    let expected = Publish::new(topic("a/b"), QosPid::AtMostOnce, "hi");
    valid(&qos0, &expected.clone().into());
    let Ok(Packet::Publish(p)) = decode_all_ways(&v5(), &qos0) else {
        panic!()
    };
    assert_eq!(p.qos_pid(), QosPid::AtMostOnce);
    assert_eq!(p.payload(), b"hi");
    // At QoS 1, `00 68` is Packet Identifier 104 and 0x69 a Property Length of 105.
    let mut qos1 = qos0;
    qos1[0] = 0x32;
    rejected_v5(&qos1, DecodeError::FieldOverrun);
    // A QoS 1 message (Packet Identifier 10) forwarded at QoS 0.
    let mut message = Publish::new(topic("a/b"), QosPid::AtLeastOnce(pid(10)), "hi");
    assert_eq!(
        encode_with(&Encoder::V5, &message).as_deref(),
        Ok(&[0x32, 0x0a, 0x00, 0x03, b'a', b'/', b'b', 0x00, 0x0a, 0x00, b'h', b'i'][..])
    );
    message.set_qos(QosPid::AtMostOnce);
    assert_eq!(
        encode_with(&Encoder::V5, &message).as_deref(),
        Ok(&qos0[..])
    );
}

/// [MQTT-2.2.1-3] "Each time a Client sends a new SUBSCRIBE, UNSUBSCRIBE, or PUBLISH (where
/// QoS > 0) MQTT Control Packet it MUST assign it a non-zero Packet Identifier", and
/// [MQTT-2.2.1-4] the same for a Server's PUBLISH. Which identifiers are "currently unused" is
/// session state; a zero is refused (0x81), and no `PacketId` holds it.
#[test]
fn mqtt_2_2_1_3_packet_identifier_is_not_0_in_v5() {
    for (zero, one) in [
        (
            // PUBLISH QoS 1 and QoS 2 "a", Property Length 0, payload "x".
            &[0x32, 0x07, 0x00, 0x01, b'a', 0x00, 0x00, 0x00, b'x'][..],
            &[0x32, 0x07, 0x00, 0x01, b'a', 0x00, 0x01, 0x00, b'x'][..],
        ),
        (
            &[0x34, 0x07, 0x00, 0x01, b'a', 0x00, 0x00, 0x00, b'x'],
            &[0x34, 0x07, 0x00, 0x01, b'a', 0x00, 0x01, 0x00, b'x'],
        ),
        (
            &[0x82, 0x07, 0x00, 0x00, 0x00, 0x00, 0x01, b'a', 0x00],
            &[0x82, 0x07, 0x00, 0x01, 0x00, 0x00, 0x01, b'a', 0x00],
        ),
        (
            &[0xa2, 0x06, 0x00, 0x00, 0x00, 0x00, 0x01, b'a'],
            &[0xa2, 0x06, 0x00, 0x01, 0x00, 0x00, 0x01, b'a'],
        ),
    ] {
        rejected_v5(zero, DecodeError::ZeroPacketId);
        assert_eq!(
            DecodeError::ZeroPacketId.reason_code(),
            DisconnectReasonCode::MalformedPacket
        );
        assert!(decode_all_ways(&v5(), one).is_ok(), "{one:02x?}");
    }
    assert_eq!(PacketId::new(0), None);
    assert_eq!(QosPid::new(QoS::AtLeastOnce, None), None);
}

/// [MQTT-2.2.1-5] "A PUBACK, PUBREC , PUBREL, or PUBCOMP packet MUST contain the same Packet
/// Identifier as the PUBLISH packet that was originally sent", [MQTT-2.2.1-6] "A SUBACK and
/// UNSUBACK MUST contain the Packet Identifier that was used in the corresponding SUBSCRIBE and
/// UNSUBSCRIBE packet". Matching them is session state; the codec reads the identifier as sent
/// and refuses 0, which no request carries.
#[test]
fn mqtt_2_2_1_5_and_2_2_1_6_acknowledgements_carry_a_request_identifier() {
    for first in [0x40, 0x50, 0x62, 0x70] {
        for wire in [
            vec![first, 0x02, 0x00, 0x00],
            vec![first, 0x03, 0x00, 0x00, 0x00],
            vec![first, 0x04, 0x00, 0x00, 0x00, 0x00],
        ] {
            rejected_v5(&wire, DecodeError::ZeroPacketId);
        }
    }
    rejected_v5(
        &[0x90, 0x04, 0x00, 0x00, 0x00, 0x00],
        DecodeError::ZeroPacketId,
    );
    rejected_v5(
        &[0xb0, 0x04, 0x00, 0x00, 0x00, 0x00],
        DecodeError::ZeroPacketId,
    );
    // The identifier is the one sent (0x1234), in every packet that answers a request.
    valid(&[0x40, 0x02, 0x12, 0x34], &PubAck::new(pid(0x1234)).into());
    valid(&[0x62, 0x02, 0x12, 0x34], &PubRel::new(pid(0x1234)).into());
    valid(
        &[0x90, 0x04, 0x12, 0x34, 0x00, 0x01],
        &SubAck::new(pid(0x1234), [SubAckReasonCode::GrantedQos1]).into(),
    );
    valid(
        &[0xb0, 0x04, 0x12, 0x34, 0x00, 0x11],
        &UnsubAck::new(pid(0x1234))
            .with_reason_codes([UnsubAckReasonCode::NoSubscriptionExisted])
            .into(),
    );
}

/// [MQTT-2.2.2-1] "If there are no properties, this MUST be indicated by including a Property
/// Length of zero." The encoder writes the Property Length 0 in every 5.0 packet that has
/// properties and none to send (CONNECT and its Will Properties, CONNACK, PUBLISH, SUBSCRIBE,
/// SUBACK, UNSUBSCRIBE, UNSUBACK); a 5.0 packet without it does not decode.
#[test]
fn mqtt_2_2_2_1_property_length_zero_in_every_v5_packet() {
    let connect = Connect::new(MqttString::new("c").unwrap())
        .with_protocol(Protocol::V5)
        .with_keep_alive(60);
    let with_will = connect
        .clone()
        .with_will(Will::new(topic("t"), QoS::AtMostOnce, "m"));
    let cases: [(Packet, &[u8]); 8] = [
        (connect.into(), MINIMAL[0].1),
        (
            with_will.into(),
            &[
                0x10, 0x15, 0x00, 0x04, b'M', b'Q', b'T', b'T', 0x05, 0x06, 0x00, 0x3c, 0x00, 0x00,
                0x01, b'c', 0x00, 0x00, 0x01, b't', 0x00, 0x01, b'm',
            ],
        ),
        (ConnAck::accepted(false).into(), MINIMAL[1].1),
        (
            Publish::new(topic("a"), QosPid::AtLeastOnce(pid(1)), "x").into(),
            &[0x32, 0x07, 0x00, 0x01, b'a', 0x00, 0x01, 0x00, b'x'],
        ),
        (
            Subscribe::new(pid(1), [Subscription::new(filter("a"), QoS::AtMostOnce)])
                .unwrap()
                .into(),
            MINIMAL[6].1,
        ),
        (
            SubAck::new(pid(1), [SubAckReasonCode::GrantedQos0]).into(),
            MINIMAL[7].1,
        ),
        (
            Unsubscribe::new(pid(1), [filter("a")]).unwrap().into(),
            MINIMAL[8].1,
        ),
        (
            UnsubAck::new(pid(1))
                .with_reason_codes([UnsubAckReasonCode::Success])
                .into(),
            MINIMAL[9].1,
        ),
    ];
    for (packet, wire) in cases {
        valid(wire, &packet);
    }
    // Without it: a CONNECT whose Client Identifier follows Keep Alive directly (its first
    // byte is read as the Property Length), a SUBSCRIBE and an UNSUBSCRIBE whose filter
    // follows the Packet Identifier, a PUBLISH whose payload follows the topic.
    rejected_v5(
        &[
            0x10, 0x0d, 0x00, 0x04, b'M', b'Q', b'T', b'T', 0x05, 0x02, 0x00, 0x3c, 0x00, 0x01,
            b'c',
        ],
        DecodeError::FieldOverrun,
    );
    rejected_v5(
        &[0x82, 0x06, 0x00, 0x01, 0x00, 0x01, b'a', 0x00],
        DecodeError::FieldOverrun,
    );
    rejected_v5(
        &[0xa2, 0x05, 0x00, 0x01, 0x00, 0x01, b'a'],
        DecodeError::FieldOverrun,
    );
    rejected_v5(
        &[0x32, 0x06, 0x00, 0x01, b'a', 0x00, 0x01, b'x'],
        DecodeError::FieldOverrun,
    );
}

/// The property sets `conformance_v5.rs` does not try every property in: their column in
/// [`MATRIX`], their [`PropertySet`], and a frame carrying a property block (without its
/// length). CONNECT from client "c" (the block as its properties, or as the Will Properties of
/// a Will to "t" with payload "m"), CONNACK Success, SUBSCRIBE / UNSUBSCRIBE of "a" and SUBACK /
/// UNSUBACK with one code, packet identifier 1.
const SETS: [(usize, PropertySet); 7] = [
    (0, PropertySet::Connect),
    (1, PropertySet::Will),
    (2, PropertySet::ConnAck),
    (8, PropertySet::Subscribe),
    (9, PropertySet::SubAck),
    (10, PropertySet::Unsubscribe),
    (11, PropertySet::UnsubAck),
];

fn carrying(set: PropertySet, block: &[u8]) -> Vec<u8> {
    let props = props(block);
    match set {
        PropertySet::Connect => frame(
            0x10,
            &cat(&[
                &[0x00, 0x04, b'M', b'Q', b'T', b'T', 0x05, 0x02, 0x00, 0x3c],
                &props,
                &lp(b"c"),
            ]),
        ),
        PropertySet::Will => connect_with_will(block, b"t"),
        PropertySet::ConnAck => frame(0x20, &cat(&[&[0x00, 0x00], &props])),
        PropertySet::Subscribe => frame(0x82, &cat(&[&[0x00, 0x01], &props, &lp(b"a"), &[0x00]])),
        PropertySet::SubAck => frame(0x90, &cat(&[&[0x00, 0x01], &props, &[0x00]])),
        PropertySet::Unsubscribe => frame(0xa2, &cat(&[&[0x00, 0x01], &props, &lp(b"a")])),
        PropertySet::UnsubAck => frame(0xb0, &cat(&[&[0x00, 0x01], &props, &[0x00]])),
        _ => unreachable!(),
    }
}

/// Section 2.2.2.2: "A Control Packet which contains an Identifier which is not valid for its
/// packet type, or contains a value not of the specified data type, is a Malformed Packet."
/// Each of the 27 properties, with a valid value, in CONNECT, the Will Properties, CONNACK,
/// SUBSCRIBE, SUBACK, UNSUBSCRIBE and UNSUBACK (`conformance_v5.rs` does the seven other
/// sets): decoded and encoded back byte for byte where Table 2-4 allows it, refused with
/// `PropertyNotAllowed` (0x81) where it does not. (Authentication Data goes with an
/// Authentication Method, which section 3.1.2.11.10 requires.)
#[test]
fn section_2_2_2_2_table_2_4_in_connect_will_connack_and_the_lists() {
    const METHOD: &[u8] = &[0x15, 0x00, 0x01, b'm'];
    let counts = [9, 7, 17, 8, 2, 2, 2, 2, 2, 2, 1, 2, 4, 4];
    for (column, count) in counts.into_iter().enumerate() {
        let marked = MATRIX
            .iter()
            .filter(|row| row.1.as_bytes()[column] == b'x')
            .count();
        assert_eq!(marked, count, "column {column}");
    }
    let mut decoded = 0;
    for (id, columns, wire, value) in MATRIX {
        assert_eq!(wire[0], id);
        let property = value.id();
        for (column, set) in SETS {
            let allowed = columns.as_bytes()[column] == b'x';
            let block = if property == PropertyId::AuthenticationData && allowed {
                cat(&[wire, METHOD])
            } else {
                wire.to_vec()
            };
            let frame = carrying(set, &block);
            if allowed {
                let packet = decode_all_ways(&v5(), &frame)
                    .unwrap_or_else(|e| panic!("{property:?} in {set:?}: {e:?}"));
                assert_eq!(
                    encode_with(&Encoder::V5, &packet).as_deref(),
                    Ok(&frame[..]),
                    "{property:?} in {set:?}"
                );
                decoded += 1;
            } else {
                let error = DecodeError::PropertyNotAllowed { property, set };
                rejected_v5(&frame, error);
                assert_eq!(error.reason_code(), DisconnectReasonCode::MalformedPacket);
            }
        }
    }
    // CONNECT 9, Will 7, CONNACK 17, SUBSCRIBE 2, SUBACK 2, UNSUBSCRIBE 1, UNSUBACK 2.
    assert_eq!(decoded, 40);
}

/// [MQTT-1.5.5-1] "The encoded value MUST use the minimum number of bytes necessary to
/// represent the value", for the Property Length of CONNECT, the Will Properties, CONNACK,
/// SUBSCRIBE, SUBACK, UNSUBSCRIBE and UNSUBACK (`conformance_v5.rs` does PUBLISH, the
/// acknowledgements, DISCONNECT and AUTH) and for a SUBSCRIBE's Subscription Identifier: 0
/// written `80 00`, and 1 written `81 00`, are refused (0x81).
#[test]
fn mqtt_1_5_5_1_variable_byte_integers_minimal_in_every_packet() {
    let error = DecodeError::NonMinimalVariableByteInteger;
    assert_eq!(error.reason_code(), DisconnectReasonCode::MalformedPacket);
    let connect_head = [0x00, 0x04, b'M', b'Q', b'T', b'T', 0x05];
    for wire in [
        // CONNECT, Property Length 0 in two bytes.
        frame(
            0x10,
            &cat(&[&connect_head, &[0x02, 0x00, 0x3c, 0x80, 0x00], &lp(b"c")]),
        ),
        // Will Properties, Property Length 0 in two bytes.
        frame(
            0x10,
            &cat(&[
                &connect_head,
                &[0x06, 0x00, 0x3c, 0x00],
                &lp(b"c"),
                &[0x80, 0x00],
                &lp(b"t"),
                &lp(b"m"),
            ]),
        ),
        // CONNACK.
        vec![0x20, 0x04, 0x00, 0x00, 0x80, 0x00],
        // SUBSCRIBE, then a Subscription Identifier of 1 in two bytes.
        frame(0x82, &cat(&[&[0x00, 0x01, 0x80, 0x00], &lp(b"a"), &[0x00]])),
        frame(
            0x82,
            &cat(&[&[0x00, 0x01, 0x03, 0x0b, 0x81, 0x00], &lp(b"a"), &[0x00]]),
        ),
        // SUBACK, UNSUBSCRIBE, UNSUBACK.
        vec![0x90, 0x05, 0x00, 0x01, 0x80, 0x00, 0x00],
        frame(0xa2, &cat(&[&[0x00, 0x01, 0x80, 0x00], &lp(b"a")])),
        vec![0xb0, 0x05, 0x00, 0x01, 0x80, 0x00, 0x00],
    ] {
        rejected_v5(&wire, error);
        // The same packet with the shortest forms decodes.
        let mut short = wire.clone();
        let at = short
            .windows(2)
            .position(|w| w == [0x80, 0x00] || w == [0x81, 0x00]);
        let at = at.unwrap();
        let value = short[at] & 0x7f;
        short.splice(at..at + 2, [value]);
        short[1] -= 1;
        if short[0] == 0x82 && value == 1 {
            short[4] -= 1; // the Property Length counts the shorter identifier
        }
        assert!(decode_all_ways(&v5(), &short).is_ok(), "{short:02x?}");
    }
}

// =============================================================================================
// 3.1 CONNECT, 3.2 CONNACK
// =============================================================================================

/// [MQTT-3.1.3-5] "The Server MUST allow ClientID’s which are between 1 and 23 UTF-8 encoded
/// bytes in length, and that contain only the characters
/// "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"". The decoder takes every
/// such identifier (and, as the server MAY, longer ones and other characters: the server's
/// policy).
#[test]
fn mqtt_3_1_3_5_client_identifiers_of_1_to_23_allowed_characters_in_v5() {
    let alphabet = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut ids: Vec<&[u8]> = alphabet.chunks(23).collect();
    ids.extend([&b"0"[..], b"Z", alphabet, "client/ä-1".as_bytes()]);
    for id in ids {
        let wire = connect_v5(0x02, &lp(id));
        let Ok(Packet::Connect(c)) = decode_all_ways(&v5(), &wire) else {
            panic!("{id:02x?}")
        };
        assert_eq!(c.client_id.as_bytes(), id);
        assert_eq!(c.protocol, Protocol::V5);
        assert_eq!(encode_with(&Encoder::V5, &*c).as_deref(), Ok(&wire[..]));
    }
}

/// Section 3.1.3.2: the Will Properties are checked like those of a PUBLISH: Payload Format
/// Indicator 0 or 1 (3.1.3.2.3, "It is a Protocol Error to include the Payload Format
/// Indicator more than once"), the Response Topic a Topic Name without wildcards (3.1.3.2.5,
/// as [MQTT-3.3.2-14]), the Content Type a UTF-8 Encoded String (3.1.3.2.4), no property of
/// another set (Table 2-4).
#[test]
fn section_3_1_3_2_will_properties_are_checked() {
    for (block, error) in [
        (
            &[0x01, 0x02][..],
            DecodeError::InvalidPropertyValue {
                property: PropertyId::PayloadFormatIndicator,
                value: 2,
            },
        ),
        (
            &[0x01, 0x01, 0x01, 0x01],
            DecodeError::DuplicateProperty(PropertyId::PayloadFormatIndicator),
        ),
        (
            &[0x08, 0x00, 0x03, b'r', b'/', b'#'],
            DecodeError::InvalidTopicName(TopicError::WildcardInName { offset: 2 }),
        ),
        (
            &[0x03, 0x00, 0x02, b'a', 0x00],
            DecodeError::InvalidString(StringError::NullCharacter { offset: 1 }),
        ),
        (
            &[0x0b, 0x01],
            DecodeError::PropertyNotAllowed {
                property: PropertyId::SubscriptionIdentifier,
                set: PropertySet::Will,
            },
        ),
    ] {
        rejected_v5(&connect_with_will(block, b"t"), error);
    }
    let wire = connect_with_will(&[0x01, 0x00, 0x08, 0x00, 0x03, b'r', b'/', b'1'], b"t");
    let Ok(Packet::Connect(c)) = decode_all_ways(&v5(), &wire) else {
        panic!()
    };
    let will = c.will.as_ref().unwrap();
    assert_eq!(
        will.properties.payload_format_indicator(),
        Some(PayloadFormat::Unspecified)
    );
    assert_eq!(will.properties.response_topic(), Some("r/1"));
}

/// Sections 3.2.2.3.11 to 3.2.2.3.13: "It is a Protocol Error to include the Wildcard
/// Subscription Available [Subscription Identifiers Available, Shared Subscription Available]
/// more than once or to send a value other than 0 or 1." (Maximum QoS and Retain Available are
/// in `conformance_v5_connect::section_3_2_2_3_connack_property_rules`.)
#[test]
fn section_3_2_2_3_11_to_13_availability_flags_are_0_or_1() {
    for (id, property) in [
        (0x28, PropertyId::WildcardSubscriptionAvailable),
        (0x29, PropertyId::SubscriptionIdentifierAvailable),
        (0x2a, PropertyId::SharedSubscriptionAvailable),
    ] {
        for value in [0x02u8, 0x80, 0xff] {
            let error = DecodeError::InvalidPropertyValue {
                property,
                value: u32::from(value),
            };
            rejected_v5(
                &frame(0x20, &cat(&[&[0x00, 0x00], &props(&[id, value])])),
                error,
            );
            assert_eq!(error.reason_code(), DisconnectReasonCode::ProtocolError);
        }
        rejected_v5(
            &frame(0x20, &cat(&[&[0x00, 0x00], &props(&[id, 0x01, id, 0x01])])),
            DecodeError::DuplicateProperty(property),
        );
        for value in [0u8, 1] {
            let wire = frame(0x20, &cat(&[&[0x00, 0x00], &props(&[id, value])]));
            let Ok(Packet::ConnAck(c)) = decode_all_ways(&v5(), &wire) else {
                panic!()
            };
            assert_eq!(c.properties.iter().count(), 1);
            assert_eq!(encode_with(&Encoder::V5, &c).as_deref(), Ok(&wire[..]));
        }
    }
}

// =============================================================================================
// 3.3 PUBLISH
// =============================================================================================

/// [MQTT-3.3.1-2] "The DUP flag MUST be set to 0 for all QoS 0 messages." A Malformed Packet
/// (0x81), refused from the first byte; the encoder refuses to write one.
#[test]
fn mqtt_3_3_1_2_dup_with_qos_0_refused_in_v5() {
    let wire = [0x38, 0x05, 0x00, 0x01, b'a', 0x00, b'x'];
    rejected_v5(&wire, DecodeError::DupWithQos0);
    assert_eq!(
        v5().decode(&mut BytesMut::from(&wire[..1])),
        Err(DecodeError::DupWithQos0)
    );
    assert_eq!(
        DecodeError::DupWithQos0.reason_code(),
        DisconnectReasonCode::MalformedPacket
    );
    let dup = Publish::new(topic("a"), QosPid::AtMostOnce, "x").with_dup(true);
    assert_eq!(
        encode_with(&Encoder::V5, &dup),
        Err(EncodeError::DupWithQos0)
    );
    // DUP at QoS 1 is the sender's to set [MQTT-3.3.1-1].
    let redelivery = [0x3a, 0x07, 0x00, 0x01, b'a', 0x00, 0x05, 0x00, b'x'];
    valid(
        &redelivery,
        &Publish::new(topic("a"), QosPid::AtLeastOnce(pid(5)), "x")
            .with_dup(true)
            .into(),
    );
}

/// [MQTT-3.3.1-4] "A PUBLISH Packet MUST NOT have both QoS bits set to 1. If a Server or
/// Client receives a PUBLISH packet which has both QoS bits set to 1 it is a Malformed Packet."
/// Whatever DUP and RETAIN say, refused from the first byte.
#[test]
fn mqtt_3_3_1_4_qos_3_refused_in_v5() {
    for first in [0x36, 0x37, 0x3e, 0x3f] {
        let wire = [first, 0x07, 0x00, 0x01, b'a', 0x00, 0x01, 0x00, b'x'];
        rejected_v5(&wire, DecodeError::InvalidPublishQos);
        assert_eq!(
            v5().decode(&mut BytesMut::from(&wire[..1])),
            Err(DecodeError::InvalidPublishQos)
        );
    }
    assert_eq!(
        DecodeError::InvalidPublishQos.reason_code(),
        DisconnectReasonCode::MalformedPacket
    );
    assert_eq!(QoS::from_bits(3), None);
}

/// [MQTT-3.3.2-1] The Topic Name "MUST be a UTF-8 Encoded String as defined in section 1.5.4":
/// ill-formed UTF-8, an encoded surrogate, U+0000 are a Malformed Packet; a Topic Name cut
/// short by the end of the packet overruns it.
#[test]
fn mqtt_3_3_2_1_topic_name_is_a_utf8_string_in_v5() {
    for (raw, error) in [
        (&b"a\xff"[..], TopicError::InvalidUtf8 { offset: 1 }),
        (b"\xed\xa0\x80", TopicError::InvalidUtf8 { offset: 0 }),
        (b"a/\xc0\x80", TopicError::InvalidUtf8 { offset: 2 }),
        (b"a\x00b", TopicError::NullCharacter { offset: 1 }),
    ] {
        rejected_v5(&publish_to(raw), DecodeError::InvalidTopicName(error));
    }
    rejected_v5(&[0x30, 0x03, 0x00, 0x05, b'a'], DecodeError::FieldOverrun);
    valid(
        &publish_to("ä/€".as_bytes()),
        &Publish::new(topic("ä/€"), QosPid::AtMostOnce, "x").into(),
    );
}

/// [MQTT-3.3.2-2] "The Topic Name in the PUBLISH packet MUST NOT contain wildcard characters",
/// and [MQTT-4.7.0-1] "The wildcard characters can be used in Topic Filters, but MUST NOT be
/// used within a Topic Name". Refused in a PUBLISH (0x81); no `TopicName` holds one.
#[test]
fn mqtt_3_3_2_2_topic_name_without_wildcards_in_v5() {
    for (raw, offset) in [
        ("#", 0),
        ("+", 0),
        ("a/+", 2),
        ("a/#", 2),
        ("a+b", 1),
        ("s/#/x", 2),
    ] {
        let error = DecodeError::InvalidTopicName(TopicError::WildcardInName { offset });
        rejected_v5(&publish_to(raw.as_bytes()), error);
        assert_eq!(error.reason_code(), DisconnectReasonCode::MalformedPacket);
        assert_eq!(
            TopicName::new(raw),
            Err(TopicError::WildcardInName { offset })
        );
    }
}

/// [MQTT-3.3.4-6] "A PUBLISH packet sent from a Client to a Server MUST NOT contain a
/// Subscription Identifier." A decoder told it runs in a server (`Role::Server`) refuses one
/// (0x82); one in a client, or not told its side, accepts it (Table 2-4 allows it in the
/// server's PUBLISH).
#[test]
fn mqtt_3_3_4_6_subscription_identifier_from_a_client() {
    let wire = [0x30, 0x07, 0x00, 0x01, b'a', 0x02, 0x0b, 0x07, b'x'];
    for decoder in [v5(), v5().role(Role::Client)] {
        let Ok(Packet::Publish(p)) = decode_all_ways(&decoder, &wire) else {
            panic!()
        };
        assert_eq!(p.properties().subscription_identifier(), Some(7));
    }
    let server = v5().role(Role::Server);
    let error = DecodeError::SubscriptionIdentifierFromClient;
    assert_eq!(decode_all_ways(&server, &wire), Err(error));
    assert_eq!(error.reason_code(), DisconnectReasonCode::ProtocolError);
    // A server's PUBLISH without the property is accepted by the same decoder.
    let plain = [0x30, 0x05, 0x00, 0x01, b'a', 0x00, b'x'];
    assert!(decode_all_ways(&server, &plain).is_ok());
    let answer = Disconnect::new().with_reason_code(DisconnectReasonCode::ProtocolError);
    assert_eq!(
        encode_with(&Encoder::V5, &answer).as_deref(),
        Ok(&[0xe0, 0x01, 0x82][..])
    );
}

/// Section 3.3.2.3.2: "A receiver MAY validate that the Payload is of the format indicated, and
/// if it is not send a PUBACK, PUBREC, or DISCONNECT with Reason Code of 0x99 (Payload format
/// invalid)". The decoder leaves that check to the receiver: a PUBLISH whose payload is not
/// UTF-8 under a Payload Format Indicator of 1 is decoded.
#[test]
fn section_3_3_2_3_2_payload_format_is_the_receivers_check() {
    let wire = [
        0x32, 0x09, 0x00, 0x01, b'a', 0x00, 0x01, 0x02, 0x01, 0x01, 0xff,
    ];
    let expected = Publish::new(topic("a"), QosPid::AtLeastOnce(pid(1)), [0xff])
        .with_properties(properties([Property::PayloadFormatIndicator(
            PayloadFormat::Utf8,
        )]))
        .unwrap();
    valid(&wire, &expected.clone().into());
    assert!(std::str::from_utf8(expected.payload()).is_err());
    let answer = PubAck::new(pid(1)).with_reason_code(PubAckReasonCode::PayloadFormatInvalid);
    assert_eq!(
        encode_with(&Encoder::V5, &answer).as_deref(),
        Ok(&[0x40, 0x03, 0x00, 0x01, 0x99][..])
    );
}

// =============================================================================================
// 3.6 PUBREL, 3.14 DISCONNECT
// =============================================================================================

/// [MQTT-3.6.1-1] "Bits 3,2,1 and 0 of the Fixed Header in the PUBREL packet are reserved and
/// MUST be set to 0,0,1 and 0 respectively. The Server MUST treat any other value as malformed
/// and close the Network Connection." In each of the three forms of a 5.0 PUBREL.
#[test]
fn mqtt_3_6_1_1_pubrel_flags_in_v5() {
    for body in [
        &[0x00, 0x01][..],
        &[0x00, 0x01, 0x92],
        &[0x00, 0x01, 0x00, 0x00],
    ] {
        for flags in (0..16u8).filter(|f| *f != 0b0010) {
            rejected_v5(
                &frame(0x60 | flags, body),
                DecodeError::InvalidFlags {
                    packet_type: PacketType::PubRel,
                    flags,
                },
            );
        }
        assert!(decode_all_ways(&v5(), &frame(0x62, body)).is_ok());
    }
}

/// [MQTT-3.14.1-1] (Bits 3 to 0 of the DISCONNECT fixed header are reserved and 0) "If they are
/// not zero it sends a DISCONNECT packet with a Reason code of 0x81 (Malformed Packet)": each
/// non-zero value, in the three forms of a 5.0 DISCONNECT, and the Reason Code the receiver
/// sends.
#[test]
fn mqtt_3_14_1_1_disconnect_reserved_bits_in_v5() {
    for body in [&[][..], &[0x00], &[0x00, 0x00]] {
        for flags in 1..16u8 {
            let error = DecodeError::InvalidFlags {
                packet_type: PacketType::Disconnect,
                flags,
            };
            rejected_v5(&frame(0xe0 | flags, body), error);
            assert_eq!(error.reason_code(), DisconnectReasonCode::MalformedPacket);
        }
    }
    let answer = Disconnect::new().with_reason_code(DisconnectReasonCode::MalformedPacket);
    assert_eq!(
        encode_with(&Encoder::V5, &answer).as_deref(),
        Ok(&[0xe0, 0x01, 0x81][..])
    );
}

/// [MQTT-3.14.2-2] "The Session Expiry Interval MUST NOT be sent on a DISCONNECT by the
/// Server." A decoder told it runs in a client (`Role::Client`) refuses one; Table 2-4 allows
/// it in the client's DISCONNECT, so a server's decoder, or one not told its side, accepts it.
#[test]
fn mqtt_3_14_2_2_session_expiry_from_a_server() {
    let wire = [0xe0, 0x07, 0x00, 0x05, 0x11, 0x00, 0x00, 0x00, 0x0a];
    let expected =
        Disconnect::new().with_properties(properties([Property::SessionExpiryInterval(10)]));
    valid(&wire, &expected.clone().into());
    assert_eq!(
        decode_all_ways(&v5().role(Role::Server), &wire),
        Ok(expected.into())
    );
    assert_eq!(
        decode_all_ways(&v5().role(Role::Client), &wire),
        Err(DecodeError::SessionExpiryFromServer)
    );
    // A server's DISCONNECT without it is accepted by the client.
    assert!(decode_all_ways(&v5().role(Role::Client), &[0xe0, 0x01, 0x8b]).is_ok());
}

// =============================================================================================
// 4.7 Topic Names and Topic Filters
// =============================================================================================

/// [MQTT-4.7.1-1] (the multi-level wildcard `#`) "In either case it MUST be the last character
/// specified in the Topic Filter", and it stands alone in its level (4.7.1.2). Refused in a
/// 5.0 SUBSCRIBE and UNSUBSCRIBE (0x81); no `TopicFilter` holds it.
#[test]
fn mqtt_4_7_1_1_multi_level_wildcard_last_in_v5() {
    for (raw, offset) in [("a/#/b", 2), ("#/", 0), ("a#", 1), ("a/#b", 2), ("##", 0)] {
        let error = TopicError::MisplacedMultiLevelWildcard { offset };
        rejected_v5(
            &subscribe_to(raw.as_bytes()),
            DecodeError::InvalidTopicFilter(error),
        );
        rejected_v5(
            &unsubscribe_from(raw.as_bytes()),
            DecodeError::InvalidTopicFilter(error),
        );
        assert_eq!(TopicFilter::new(raw), Err(error), "{raw}");
    }
    for good in ["#", "a/#", "/#", "+/#"] {
        assert!(decode_all_ways(&v5(), &subscribe_to(good.as_bytes())).is_ok());
        assert!(decode_all_ways(&v5(), &unsubscribe_from(good.as_bytes())).is_ok());
    }
}

/// [MQTT-4.7.1-2] (the single-level wildcard `+`) "Where it is used, it MUST occupy an entire
/// level of the filter". Refused in a 5.0 SUBSCRIBE and UNSUBSCRIBE (0x81); no `TopicFilter`
/// holds it.
#[test]
fn mqtt_4_7_1_2_single_level_wildcard_whole_level_in_v5() {
    for (raw, offset) in [("a+", 1), ("+a", 0), ("a/b+/c", 3), ("++", 0)] {
        let error = TopicError::MisplacedSingleLevelWildcard { offset };
        rejected_v5(
            &subscribe_to(raw.as_bytes()),
            DecodeError::InvalidTopicFilter(error),
        );
        rejected_v5(
            &unsubscribe_from(raw.as_bytes()),
            DecodeError::InvalidTopicFilter(error),
        );
        assert_eq!(TopicFilter::new(raw), Err(error), "{raw}");
    }
    for good in ["+", "+/+", "a/+/c", "/+"] {
        assert!(decode_all_ways(&v5(), &subscribe_to(good.as_bytes())).is_ok());
    }
}

/// [MQTT-4.7.3-1] "All Topic Names and Topic Filters MUST be at least one character long." In
/// 5.0 a PUBLISH may leave its Topic Name empty only with a Topic Alias (3.3.2.3.4); without
/// one it is a Protocol Error (3.3.2.1). An empty filter, Will Topic or Response Topic is
/// refused.
#[test]
fn mqtt_4_7_3_1_topic_names_and_filters_not_empty_in_v5() {
    rejected_v5(
        &subscribe_to(b""),
        DecodeError::InvalidTopicFilter(TopicError::Empty),
    );
    rejected_v5(
        &unsubscribe_from(b""),
        DecodeError::InvalidTopicFilter(TopicError::Empty),
    );
    rejected_v5(
        &connect_with_will(&[], b""),
        DecodeError::InvalidTopicName(TopicError::Empty),
    );
    rejected_v5(
        &[0x30, 0x07, 0x00, 0x01, b'a', 0x03, 0x08, 0x00, 0x00],
        DecodeError::InvalidTopicName(TopicError::Empty),
    );
    rejected_v5(&publish_to(b""), DecodeError::EmptyTopicWithoutAlias);
    assert_eq!(
        DecodeError::EmptyTopicWithoutAlias.reason_code(),
        DisconnectReasonCode::ProtocolError
    );
    assert!(matches!(
        decode_all_ways(&v5(), &[0x30, 0x06, 0x00, 0x00, 0x03, 0x23, 0x00, 0x01]),
        Ok(Packet::Publish(_))
    ));
    assert_eq!(TopicName::new(""), Err(TopicError::Empty));
    assert_eq!(TopicFilter::new(""), Err(TopicError::Empty));
}

/// [MQTT-4.7.3-2] "Topic Names and Topic Filters MUST NOT include the null character (Unicode
/// U+0000)": in a PUBLISH, a SUBSCRIBE, an UNSUBSCRIBE and a Will Topic.
#[test]
fn mqtt_4_7_3_2_no_null_character_in_topics_in_v5() {
    let null = TopicError::NullCharacter { offset: 2 };
    rejected_v5(&publish_to(b"a/\x00"), DecodeError::InvalidTopicName(null));
    rejected_v5(
        &connect_with_will(&[], b"a/\x00"),
        DecodeError::InvalidTopicName(null),
    );
    rejected_v5(
        &subscribe_to(b"a/\x00"),
        DecodeError::InvalidTopicFilter(null),
    );
    rejected_v5(
        &unsubscribe_from(b"a/\x00"),
        DecodeError::InvalidTopicFilter(null),
    );
    assert_eq!(TopicName::new("a/\0"), Err(null));
    assert_eq!(TopicFilter::new("a/\0"), Err(null));
}

/// [MQTT-4.7.3-3] "Topic Names and Topic Filters are UTF-8 Encoded Strings; they MUST NOT encode
/// to more than 65,535 bytes." The length prefix cannot say more; 65,535 bytes decode in a
/// PUBLISH and a SUBSCRIBE, and 65,536 cannot be built.
#[test]
fn mqtt_4_7_3_3_topics_of_at_most_65535_bytes_in_v5() {
    let longest = vec![b'a'; 65_535];
    let Ok(Packet::Publish(p)) = decode_all_ways(&v5(), &publish_to(&longest)) else {
        panic!()
    };
    assert_eq!(p.topic().len(), 65_535);
    assert!(matches!(
        decode_all_ways(&v5(), &subscribe_to(&longest)),
        Ok(Packet::Subscribe(_))
    ));
    let too_long = "a".repeat(65_536);
    assert_eq!(
        TopicName::new(&too_long),
        Err(TopicError::TooLong { len: 65_536 })
    );
    assert_eq!(
        TopicFilter::new(&too_long),
        Err(TopicError::TooLong { len: 65_536 })
    );
}

/// [MQTT-4.7.3-4] "When it performs subscription matching the Server MUST NOT perform any
/// normalization of Topic Names or Topic Filters, or any modification or substitution of
/// unrecognized characters". The decoder keeps names and filters byte for byte: "Å" as U+00C5
/// and as A + U+030A are two topics, and neither matches the other's filter.
#[test]
fn mqtt_4_7_3_4_topics_kept_byte_for_byte_in_v5() {
    let composed = "\u{c5}".as_bytes();
    let decomposed = "A\u{30a}".as_bytes();
    let Ok(Packet::Publish(p)) = decode_all_ways(&v5(), &publish_to(composed)) else {
        panic!()
    };
    assert_eq!(p.topic().as_bytes(), composed);
    let Ok(Packet::Subscribe(s)) = decode_all_ways(&v5(), &subscribe_to(decomposed)) else {
        panic!()
    };
    let (f, _) = s.iter().next().unwrap();
    assert_eq!(f.as_bytes(), decomposed);
    assert!(!filter("A\u{30a}").matches(&topic("\u{c5}")));
    assert!(filter("\u{c5}").matches(&topic("\u{c5}")));
}

// =============================================================================================
// The statement table (src/conformance_v5.md)
// =============================================================================================

/// The statement table, as committed.
const TABLE: &str = include_str!("../src/conformance_v5.md");

/// The 251 statement labels of the standard (`[MQTT-x.y.z-n]`), one a line: the first column
/// of the statement list extracted from the standard's text.
const LABELS: &str = include_str!("data/mqtt-v5.0-statements.txt");

/// The cells of a table row (`| a | b | c |`), trimmed; `None` for a line that is not a row.
fn cells(line: &str) -> Option<Vec<&str>> {
    let inner = line.trim().strip_prefix('|')?.strip_suffix('|')?;
    Some(inner.split(" | ").map(str::trim).collect())
}

/// The rows of the table that give a numbered statement: its label, its "Enforced by" cell and
/// its "Proved by" cell.
fn statement_rows() -> Vec<(&'static str, &'static str, &'static str)> {
    TABLE
        .lines()
        .filter_map(cells)
        .filter(|row| row[0].starts_with("MQTT-"))
        .map(|row| {
            assert_eq!(row.len(), 4, "a statement row has four cells: {row:?}");
            (row[0], row[2], row[3])
        })
        .collect()
}

/// Completeness: every label of the standard is the first cell of exactly one row of the
/// table, and the table lists no label the standard does not have. (The labels may be cited
/// in other cells as often as needed.)
#[test]
fn conformance_v5_table_lists_every_statement_once() {
    let labels: Vec<&str> = LABELS.lines().map(str::trim).collect();
    let known: BTreeSet<&str> = labels.iter().copied().collect();
    assert_eq!(labels.len(), 251);
    assert_eq!(known.len(), 251, "the label list has duplicates");
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for (label, _, _) in statement_rows() {
        assert!(
            known.contains(label),
            "{label} is not a statement of MQTT 5.0"
        );
        *seen.entry(label).or_default() += 1;
    }
    let missing: Vec<_> = labels.iter().filter(|l| !seen.contains_key(*l)).collect();
    let repeated: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
    assert!(missing.is_empty(), "missing from the table: {missing:?}");
    assert!(repeated.is_empty(), "listed more than once: {repeated:?}");
}

/// The "Enforced by" categories of the legend, in the order of the summary.
const CATEGORIES: [&str; 5] = [
    "decoder",
    "encoder",
    "by type",
    "caller's choice",
    "out of scope",
];

/// Every statement row starts its "Enforced by" cell with a category of the legend, and the
/// summary at the top of the table gives each category's count and their total.
#[test]
fn conformance_v5_summary_counts_the_rows() {
    let mut counts = [0usize; 5];
    for (label, enforced, _) in statement_rows() {
        let category = CATEGORIES
            .iter()
            .position(|c| enforced.starts_with(c))
            .unwrap_or_else(|| panic!("{label}: \"{enforced}\" starts with no category"));
        counts[category] += 1;
    }
    let summary: BTreeMap<&str, usize> = TABLE
        .lines()
        .filter_map(cells)
        .filter(|row| row.len() == 2 && (row[0].starts_with('*') || row[0] == "total"))
        .map(|row| (row[0].trim_matches('*'), row[1].parse().unwrap()))
        .collect();
    for (category, count) in CATEGORIES.iter().zip(counts) {
        assert_eq!(summary.get(category), Some(&count), "summary of {category}");
    }
    assert_eq!(summary.get("total"), Some(&251));
    assert_eq!(counts.iter().sum::<usize>(), 251);
}

/// Every test the table cites (`file::test_name` in a row's last cell) exists: `tests/file.rs`
/// has a `#[test]` function of that name.
#[test]
fn conformance_v5_table_cites_only_existing_tests() {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut cited = 0;
    for row in TABLE.lines().filter_map(cells) {
        let last = row.last().unwrap();
        for quoted in last.split('`').skip(1).step_by(2) {
            let Some((file, name)) = quoted.split_once("::") else {
                panic!("not a `file::test` citation: {quoted:?} in {row:?}")
            };
            let path = format!("{root}/tests/{file}.rs");
            let source = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{quoted}: cannot read {path}: {e}"));
            let signature = format!("#[test]\nfn {name}()");
            assert!(
                source.contains(&signature),
                "{quoted}: no test {name} in tests/{file}.rs"
            );
            cited += 1;
        }
    }
    assert!(cited > 100, "only {cited} citations found");
}
