//! Conformance of CONNECT (section 3.1), CONNACK (section 3.2) and the UTF-8 string rules of
//! section 1.5.3 (OASIS MQTT 3.1.1 plus errata 01).
//!
//! Every expected byte sequence is written by hand from the standard (Figures 3.1 to 3.9), never
//! produced by this crate's encoder. See `src/conformance.md` for the statement table.

use bytes::{Bytes, BytesMut};
use mqttwire::*;

mod support;
use support::*;

// ---------------------------------------------------------------------------------------------
// Helpers of this file (the shared ones are in `support/mod.rs`).
// ---------------------------------------------------------------------------------------------

/// A CONNECT packet: fixed header `0x10`, the Remaining Length (one byte is enough here), the
/// protocol name `MQTT`, level 4, `flags`, Keep Alive 60, then `payload` as given.
fn connect(flags: u8, payload: &[u8]) -> Vec<u8> {
    let mut body = vec![0x00, 0x04, b'M', b'Q', b'T', b'T', 0x04, flags, 0x00, 0x3c];
    body.extend_from_slice(payload);
    assert!(body.len() < 128);
    let mut wire = vec![0x10, body.len() as u8];
    wire.extend_from_slice(&body);
    wire
}

/// A length-prefixed field (section 1.5.3, Figure 1.1; section 3.1.3.5, Figure 3.7).
fn field(bytes: &[u8]) -> Vec<u8> {
    let mut out = (bytes.len() as u16).to_be_bytes().to_vec();
    out.extend_from_slice(bytes);
    out
}

fn decoded(wire: &[u8]) -> Connect {
    match decode(&mut BytesMut::from(wire)) {
        Ok(Some(Packet::Connect(c))) => *c,
        other => panic!("{wire:02x?} gave {other:?}"),
    }
}

fn s(text: &str) -> MqttString {
    MqttString::new(text).unwrap()
}

fn base(client_id: &str) -> Connect {
    Connect {
        keep_alive: 60,
        ..Connect::new(s(client_id))
    }
}

// ---------------------------------------------------------------------------------------------
// 3.1 CONNECT
// ---------------------------------------------------------------------------------------------

/// Section 3.1.2 and 3.1.3: the smallest CONNECT, client identifier "c", Clean Session, Keep
/// Alive 60.
#[test]
fn section_3_1_minimal_connect() {
    valid(
        &[
            0x10, 0x0d, // CONNECT, Remaining Length 13
            0x00, 0x04, b'M', b'Q', b'T', b'T', // Protocol Name
            0x04, // Protocol Level
            0x02, // Connect Flags: Clean Session
            0x00, 0x3c, // Keep Alive 60
            0x00, 0x01, b'c', // Client Identifier
        ],
        &base("c").into(),
    );
}

/// [MQTT-3.1.3-1] The payload fields appear in the order Client Identifier, Will Topic, Will
/// Message, User Name, Password. The variable header is the one of Figure 3.6 (flags 0xCE: user
/// name, password, Will QoS 1, Will, Clean Session; Keep Alive 10).
#[test]
fn mqtt_3_1_3_1_payload_fields_in_order() {
    let wire = [
        0x10, 0x1d, // CONNECT, Remaining Length 29
        0x00, 0x04, b'M', b'Q', b'T', b'T', 0x04, // MQTT level 4
        0xce, // Connect Flags (Figure 3.6)
        0x00, 0x0a, // Keep Alive 10
        0x00, 0x01, b'c', // Client Identifier
        0x00, 0x03, b'w', b'/', b't', // Will Topic
        0x00, 0x03, b'b', b'y', b'e', // Will Message
        0x00, 0x01, b'u', // User Name
        0x00, 0x01, b'p', // Password
    ];
    let expected = Connect {
        protocol: Protocol::V311,
        clean_session: true,
        keep_alive: 10,
        properties: Properties::EMPTY,
        client_id: s("c"),
        will: Some(Will {
            topic: TopicName::new("w/t").unwrap(),
            payload: Bytes::from_static(b"bye"),
            qos: QoS::AtLeastOnce,
            retain: false,
            properties: Properties::EMPTY,
        }),
        login: Some(Login {
            username: Some(s("u")),
            password: Some(Bytes::from_static(b"p")),
        }),
    };
    valid(&wire, &expected.into());
}

/// Section 3.1.2.1 [MQTT-3.1.2-1]: the protocol name "MQTT", level 4 (section 3.1.2.2).
#[test]
fn mqtt_3_1_2_1_protocol_name_mqtt_level_4() {
    let c = decoded(&connect(0x02, &field(b"c")));
    assert_eq!(c.protocol, Protocol::V311);
    assert_eq!((Protocol::V311.name(), Protocol::V311.level()), ("MQTT", 4));
}

/// MQTT 3.1 ("MQIsdp", level 3), whose CONNECT differs only in these two fields, is accepted
/// and encoded (a server MAY support several protocols on one port, section 3.1.4).
#[test]
fn section_3_1_4_mqtt_3_1_mqisdp_level_3_is_accepted() {
    let wire = [
        0x10, 0x0f, // CONNECT, Remaining Length 15
        0x00, 0x06, b'M', b'Q', b'I', b's', b'd', b'p', // Protocol Name "MQIsdp"
        0x03, // Protocol Level 3
        0x02, 0x00, 0x3c, // Clean Session, Keep Alive 60
        0x00, 0x01, b'c', // Client Identifier
    ];
    let expected = Connect {
        protocol: Protocol::V31,
        ..base("c")
    };
    valid(&wire, &expected.into());
}

/// [MQTT-3.1.2-1] A wrong protocol name: the server MAY disconnect, and MUST NOT go on
/// processing the CONNECT as 3.1.1. By [MQTT-3.1.4-1] a CONNECT that does not conform to
/// section 3.1 is closed *without* CONNACK, so `connack_code` gives none.
#[test]
fn mqtt_3_1_2_1_wrong_protocol_name_is_refused_without_connack() {
    for name in [&b"MQTX"[..], b"mqtt", b"MQTT ", b"MQIsdP", b"", b"MQ"] {
        let mut wire = vec![0x10, (2 + name.len() + 7) as u8];
        wire.extend_from_slice(&field(name));
        wire.extend_from_slice(&[0x04, 0x02, 0x00, 0x3c, 0x00, 0x01, b'c']);
        rejected(&wire, DecodeError::InvalidProtocolName);
        assert_eq!(DecodeError::InvalidProtocolName.connack_code(), None);
    }
}

/// [MQTT-3.1.2-2] An unsupported Protocol Level is answered with CONNACK 0x01 before closing.
#[test]
fn mqtt_3_1_2_2_unsupported_protocol_level_gets_connack_0x01() {
    // (Level 5 is MQTT 5.0, which the decoder reads: see the next test.)
    for level in [0u8, 1, 2, 3, 6, 0x84, 0xff] {
        let mut wire = connect(0x02, &field(b"c"));
        wire[8] = level;
        let err = decode(&mut BytesMut::from(&wire[..])).unwrap_err();
        assert_eq!(err, DecodeError::UnsupportedProtocolLevel(level));
        assert_eq!(
            err.connack_code(),
            Some(ConnectReturnCode::UnacceptableProtocolVersion)
        );
        assert_eq!(err.connack_code().map(ConnectReturnCode::byte), Some(0x01));
    }
    // "MQIsdp" goes with level 3 only.
    let mut wire = vec![0x10, 0x0f];
    wire.extend_from_slice(&field(b"MQIsdp"));
    wire.extend_from_slice(&[0x04, 0x02, 0x00, 0x3c, 0x00, 0x01, b'c']);
    rejected(&wire, DecodeError::UnsupportedProtocolLevel(4));
}

/// [MQTT-3.1.2-2] An MQTT 5.0 CONNECT (level 5) is decoded by any decoder, since the CONNECT
/// says its own version: a server that speaks only 3.1.1 sees `Protocol::V5` and answers
/// CONNACK 0x01 itself.
#[test]
fn mqtt_3_1_2_2_mqtt_5_connect_is_decoded_so_a_3_1_1_server_can_answer_0x01() {
    let wire = [
        0x10, 0x0e, 0x00, 0x04, b'M', b'Q', b'T', b'T', 0x05, // MQTT level 5
        0x02, 0x00, 0x3c, // Clean Start, Keep Alive 60
        0x00, // Property Length 0 (MQTT 5.0 only)
        0x00, 0x01, b'c',
    ];
    let connect = decoded(&wire);
    assert_eq!(connect.protocol, Protocol::V5);
    let refusal = ConnAck::refused(ConnectReturnCode::UnacceptableProtocolVersion);
    assert_eq!(&refusal.to_bytes().unwrap()[..], [0x20, 0x02, 0x00, 0x01]);
}

/// [MQTT-3.1.2-3] The reserved bit 0 of the Connect Flags must be 0, or the server disconnects
/// (no CONNACK).
#[test]
fn mqtt_3_1_2_3_connect_reserved_flag_must_be_zero() {
    for flags in [0x01, 0x03, 0xc3, 0xff] {
        rejected(
            &connect(flags, &field(b"c")),
            DecodeError::ConnectReservedFlag,
        );
    }
    assert_eq!(DecodeError::ConnectReservedFlag.connack_code(), None);
}

/// Section 3.1.2.4: Clean Session is bit 1, decoded either way.
#[test]
fn section_3_1_2_4_clean_session_flag() {
    assert!(decoded(&connect(0x02, &field(b"c"))).clean_session);
    let wire = connect(0x00, &field(b"c"));
    let expected = Connect {
        clean_session: false,
        ..base("c")
    };
    valid(&wire, &expected.into());
}

/// [MQTT-3.1.2-9] With the Will Flag set, Will Topic and Will Message MUST be in the payload.
#[test]
fn mqtt_3_1_2_9_will_flag_requires_will_topic_and_message() {
    // Will Flag, no Will fields at all.
    rejected(&connect(0x06, &field(b"c")), DecodeError::FieldOverrun);
    // Will Topic without Will Message.
    let payload = [field(b"c"), field(b"w")].concat();
    rejected(&connect(0x06, &payload), DecodeError::FieldOverrun);
    // Both: accepted, QoS 0, not retained.
    let payload = [field(b"c"), field(b"w"), field(b"")].concat();
    let will = decoded(&connect(0x06, &payload)).will.unwrap();
    assert_eq!(will.topic, "w");
    assert!(
        will.payload.is_empty(),
        "a zero-length Will Message is valid"
    );
    assert_eq!((will.qos, will.retain), (QoS::AtMostOnce, false));
}

/// [MQTT-3.1.2-11] With the Will Flag 0, Will QoS and Will Retain are 0 and the Will fields are
/// absent: extra fields are trailing bytes.
#[test]
fn mqtt_3_1_2_11_no_will_fields_without_will_flag() {
    let payload = [field(b"c"), field(b"w"), field(b"m")].concat();
    rejected(&connect(0x02, &payload), DecodeError::TrailingBytes(6));
    assert_eq!(decoded(&connect(0x02, &field(b"c"))).will, None);
}

/// [MQTT-3.1.2-13] With the Will Flag 0, the Will QoS MUST be 0.
#[test]
fn mqtt_3_1_2_13_will_qos_must_be_zero_without_will_flag() {
    for flags in [0x0a, 0x12, 0x1a] {
        rejected(
            &connect(flags, &field(b"c")),
            DecodeError::WillFlagsWithoutWill,
        );
    }
}

/// [MQTT-3.1.2-14] With the Will Flag 1, the Will QoS is 0, 1 or 2, never 3.
#[test]
fn mqtt_3_1_2_14_will_qos_3_is_refused() {
    let payload = [field(b"c"), field(b"w"), field(b"m")].concat();
    rejected(&connect(0x1e, &payload), DecodeError::InvalidWillQos);
    rejected(&connect(0x3e, &payload), DecodeError::InvalidWillQos);
    for (flags, qos) in [
        (0x06, QoS::AtMostOnce),
        (0x0e, QoS::AtLeastOnce),
        (0x16, QoS::ExactlyOnce),
    ] {
        let expected = Connect {
            will: Some(Will {
                topic: TopicName::new("w").unwrap(),
                payload: Bytes::from_static(b"m"),
                qos,
                retain: false,
                properties: Properties::EMPTY,
            }),
            ..base("c")
        };
        valid(&connect(flags, &payload), &expected.into());
    }
}

/// [MQTT-3.1.2-15] With the Will Flag 0, Will Retain MUST be 0.
#[test]
fn mqtt_3_1_2_15_will_retain_must_be_zero_without_will_flag() {
    rejected(
        &connect(0x22, &field(b"c")),
        DecodeError::WillFlagsWithoutWill,
    );
    rejected(
        &connect(0x20, &field(b"c")),
        DecodeError::WillFlagsWithoutWill,
    );
}

/// [MQTT-3.1.2-16], [MQTT-3.1.2-17] (publishing the Will is the server's job): the Will Retain
/// bit is decoded and encoded faithfully.
#[test]
fn mqtt_3_1_2_17_will_retain_is_carried() {
    let payload = [field(b"c"), field(b"w"), field(b"m")].concat();
    let expected = Connect {
        will: Some(Will {
            topic: TopicName::new("w").unwrap(),
            payload: Bytes::from_static(b"m"),
            qos: QoS::ExactlyOnce,
            retain: true,
            properties: Properties::EMPTY,
        }),
        ..base("c")
    };
    valid(&connect(0x36, &payload), &expected.into());
}

/// [MQTT-3.1.2-18] With the User Name Flag 0, no user name is in the payload.
#[test]
fn mqtt_3_1_2_18_no_user_name_without_flag() {
    let payload = [field(b"c"), field(b"u")].concat();
    rejected(&connect(0x02, &payload), DecodeError::TrailingBytes(3));
}

/// [MQTT-3.1.2-19] With the User Name Flag 1, a user name MUST be present.
#[test]
fn mqtt_3_1_2_19_user_name_present_with_flag() {
    rejected(&connect(0x82, &field(b"c")), DecodeError::FieldOverrun);
    let expected = Connect {
        login: Some(Login {
            username: Some(s("u")),
            password: None,
        }),
        ..base("c")
    };
    valid(
        &connect(0x82, &[field(b"c"), field(b"u")].concat()),
        &expected.into(),
    );
}

/// [MQTT-3.1.2-20] With the Password Flag 0, no password is in the payload.
#[test]
fn mqtt_3_1_2_20_no_password_without_flag() {
    let payload = [field(b"c"), field(b"u"), field(b"p")].concat();
    rejected(&connect(0x82, &payload), DecodeError::TrailingBytes(3));
}

/// [MQTT-3.1.2-21] With the Password Flag 1, a password MUST be present.
#[test]
fn mqtt_3_1_2_21_password_present_with_flag() {
    let payload = [field(b"c"), field(b"u")].concat();
    rejected(&connect(0xc2, &payload), DecodeError::FieldOverrun);
}

/// [MQTT-3.1.2-22] With the User Name Flag 0, the Password Flag MUST be 0. A password without a
/// user name (which MQTT 5.0 allows, `Login::password_only`) cannot be encoded for 3.1.1 or
/// 3.1 either.
#[test]
fn mqtt_3_1_2_22_password_without_user_name_is_refused() {
    rejected(
        &connect(0x42, &[field(b"c"), field(b"p")].concat()),
        DecodeError::PasswordWithoutUsername,
    );
    rejected(
        &connect(0x42, &field(b"c")),
        DecodeError::PasswordWithoutUsername,
    );
    for protocol in [Protocol::V311, Protocol::V31] {
        let connect = base("c")
            .with_protocol(protocol)
            .with_login(Login::password_only("p"));
        assert!(matches!(connect.to_bytes(), Err(EncodeError::NotInV311(_))));
    }
}

/// Section 3.1.2.10: Keep Alive is a big-endian 16-bit number of seconds (0 turns it off).
#[test]
fn section_3_1_2_10_keep_alive() {
    let mut wire = connect(0x02, &field(b"c"));
    wire[10] = 0xff;
    wire[11] = 0xff;
    let expected = Connect {
        keep_alive: 0xffff,
        ..base("c")
    };
    valid(&wire, &expected.into());
    wire[10] = 0;
    wire[11] = 0;
    assert_eq!(decoded(&wire).keep_alive, 0);
}

/// [MQTT-3.1.3-3] The Client Identifier MUST be present, first in the payload.
#[test]
fn mqtt_3_1_3_3_client_identifier_must_be_present() {
    rejected(&connect(0x02, &[]), DecodeError::FieldOverrun);
    rejected(&connect(0x02, &[0x00]), DecodeError::FieldOverrun);
    // A length prefix announcing more than the packet holds.
    rejected(
        &connect(0x02, &[0x00, 0x05, b'c']),
        DecodeError::FieldOverrun,
    );
}

/// [MQTT-3.1.3-4] The Client Identifier MUST be a UTF-8 encoded string (section 1.5.3).
#[test]
fn mqtt_3_1_3_4_client_identifier_must_be_utf8() {
    rejected(
        &connect(0x02, &field(&[b'a', 0xff])),
        DecodeError::InvalidString(StringError::InvalidUtf8 { offset: 1 }),
    );
}

/// [MQTT-3.1.3-5] A server MUST allow 1 to 23 alphanumeric bytes; it MAY allow more and other
/// characters. The decoder accepts any valid string and leaves the policy to the server.
#[test]
fn mqtt_3_1_3_5_client_identifiers_of_any_length_are_decoded() {
    let alnum = "0123456789abcdefghijklm";
    assert_eq!(alnum.len(), 23);
    assert_eq!(
        decoded(&connect(0x02, &field(alnum.as_bytes()))).client_id,
        alnum
    );
    let long = "x".repeat(100);
    assert_eq!(
        decoded(&connect(0x02, &field(long.as_bytes()))).client_id,
        *long
    );
    assert_eq!(
        decoded(&connect(0x02, &field("é-ü/+#".as_bytes()))).client_id,
        "é-ü/+#"
    );
}

/// [MQTT-3.1.3-6], [MQTT-3.1.3-8], [MQTT-3.1.3-9] A zero-byte Client Identifier is decoded,
/// with Clean Session 1 or 0, so that the server can assign an identifier or answer CONNACK
/// 0x02 (Identifier rejected) as the standard requires. Choosing is the server's job.
#[test]
fn mqtt_3_1_3_6_empty_client_identifier_is_decoded() {
    let with_clean = Connect::new(MqttString::default());
    let wire = [
        0x10, 0x0c, 0x00, 0x04, b'M', b'Q', b'T', b'T', 0x04, 0x02, 0x00, 0x00, 0x00, 0x00,
    ];
    valid(&wire, &with_clean.into());

    let mut wire = wire;
    wire[9] = 0x00; // Clean Session 0 [MQTT-3.1.3-8]: still decoded, for a CONNACK 0x02.
    let c = decoded(&wire);
    assert!(c.client_id.is_empty() && !c.clean_session);
    assert_eq!(ConnectReturnCode::IdentifierRejected.byte(), 0x02);
}

/// [MQTT-3.1.3-10] The Will Topic MUST be a UTF-8 encoded string, and it is a topic name: no
/// wildcard [MQTT-4.7.1-1], at least one character [MQTT-4.7.3-1], no U+0000 [MQTT-4.7.3-2].
#[test]
fn mqtt_3_1_3_10_will_topic_must_be_a_valid_topic_name() {
    let cases: [(&[u8], TopicError); 5] = [
        (&[b'w', 0xc0, 0xaf], TopicError::InvalidUtf8 { offset: 1 }),
        (b"w/+", TopicError::WildcardInName { offset: 2 }),
        (b"#", TopicError::WildcardInName { offset: 0 }),
        (b"", TopicError::Empty),
        (b"w\0", TopicError::NullCharacter { offset: 1 }),
    ];
    for (topic, error) in cases {
        let payload = [field(b"c"), field(topic), field(b"m")].concat();
        rejected(
            &connect(0x06, &payload),
            DecodeError::InvalidTopicName(error),
        );
    }
}

/// [MQTT-3.1.3-11] The User Name MUST be a UTF-8 encoded string.
#[test]
fn mqtt_3_1_3_11_user_name_must_be_utf8() {
    let payload = [field(b"c"), field(&[0xed, 0xa0, 0x80])].concat();
    rejected(
        &connect(0x82, &payload),
        DecodeError::InvalidString(StringError::InvalidUtf8 { offset: 0 }),
    );
    let payload = [field(b"c"), field(b"u\0")].concat();
    rejected(
        &connect(0x82, &payload),
        DecodeError::InvalidString(StringError::NullCharacter { offset: 1 }),
    );
}

/// Sections 3.1.3.3 and 3.1.3.5: Will Message and Password are binary data, not strings: any
/// bytes are accepted, ill-formed UTF-8 and zeros included.
#[test]
fn section_3_1_3_5_password_and_will_message_are_binary() {
    let binary = [0x00, 0xff, 0xed, 0xa0, 0x80, 0x00];
    let payload = [
        field(b"c"),
        field(b"w"),
        field(&binary),
        field(b"u"),
        field(&binary),
    ]
    .concat();
    let expected = Connect {
        will: Some(Will {
            topic: TopicName::new("w").unwrap(),
            payload: Bytes::copy_from_slice(&binary),
            qos: QoS::AtMostOnce,
            retain: false,
            properties: Properties::EMPTY,
        }),
        login: Some(Login {
            username: Some(s("u")),
            password: Some(Bytes::copy_from_slice(&binary)),
        }),
        ..base("c")
    };
    valid(&connect(0xc6, &payload), &expected.into());
}

/// [MQTT-3.1.4-1] A CONNECT that does not conform to section 3.1 is refused: bytes after the
/// last field the flags announce are an error, not ignored.
#[test]
fn mqtt_3_1_4_1_trailing_bytes_are_refused() {
    let mut payload = field(b"c");
    payload.push(0x00);
    rejected(&connect(0x02, &payload), DecodeError::TrailingBytes(1));
    for error in [DecodeError::TrailingBytes(1), DecodeError::FieldOverrun] {
        assert_eq!(error.connack_code(), None, "closed without CONNACK");
    }
}

// ---------------------------------------------------------------------------------------------
// 1.5.3 UTF-8 encoded strings (checked through the CONNECT Client Identifier)
// ---------------------------------------------------------------------------------------------

/// [MQTT-1.5.3-1] Ill-formed UTF-8 closes the connection.
#[test]
fn mqtt_1_5_3_1_ill_formed_utf8_is_refused() {
    let cases: [(&[u8], usize); 8] = [
        (&[0x80], 0),                         // lone continuation byte
        (&[b'a', 0xc3, 0x28], 1),             // bad continuation
        (&[0xc0, 0xaf], 0),                   // overlong "/"
        (&[0xe0, 0x80, 0xaf], 0),             // overlong, three bytes
        (&[0xf4, 0x90, 0x80, 0x80], 0),       // above U+10FFFF
        (&[0xf8, 0x88, 0x80, 0x80, 0x80], 0), // five-byte form
        (&[b'a', b'b', 0xe2, 0x82], 2),       // truncated sequence
        (&[0xff], 0),
    ];
    for (bytes, offset) in cases {
        rejected(
            &connect(0x02, &field(bytes)),
            DecodeError::InvalidString(StringError::InvalidUtf8 { offset }),
        );
    }
}

/// [MQTT-1.5.3-1] In particular, encodings of U+D800..U+DFFF (surrogates) are ill-formed.
#[test]
fn mqtt_1_5_3_1_encoded_surrogates_are_refused() {
    for surrogate in [[0xed, 0xa0, 0x80], [0xed, 0xad, 0xbf], [0xed, 0xbf, 0xbf]] {
        rejected(
            &connect(0x02, &field(&surrogate)),
            DecodeError::InvalidString(StringError::InvalidUtf8 { offset: 0 }),
        );
    }
    // A CESU-8 style pair (U+D83D U+DE00) is no better.
    rejected(
        &connect(0x02, &field(&[0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80])),
        DecodeError::InvalidString(StringError::InvalidUtf8 { offset: 0 }),
    );
}

/// [MQTT-1.5.3-2] A string MUST NOT include U+0000; receiving one closes the connection. It
/// cannot be built either.
#[test]
fn mqtt_1_5_3_2_null_character_is_refused() {
    rejected(
        &connect(0x02, &field(b"a\0b")),
        DecodeError::InvalidString(StringError::NullCharacter { offset: 1 }),
    );
    assert_eq!(
        MqttString::new("a\0b"),
        Err(StringError::NullCharacter { offset: 1 })
    );
}

/// [MQTT-1.5.3-3] 0xEF 0xBB 0xBF is U+FEFF wherever it appears and MUST NOT be skipped or
/// stripped by the receiver.
#[test]
fn mqtt_1_5_3_3_byte_order_mark_is_not_stripped() {
    let id = [0xef, 0xbb, 0xbf, b'a', 0xef, 0xbb, 0xbf];
    let wire = connect(0x02, &field(&id));
    let c = decoded(&wire);
    assert_eq!(&c.client_id.as_bytes()[..], &id);
    assert_eq!(c.client_id, "\u{feff}a\u{feff}");
    valid(&wire, &base("\u{feff}a\u{feff}").into());
}

/// Section 1.5.3: control characters U+0001..U+001F, U+007F..U+009F and non-characters SHOULD
/// NOT be sent, and a receiver MAY close the connection. This decoder accepts them (a MAY) and
/// leaves that policy to the application.
#[test]
fn section_1_5_3_control_characters_and_non_characters_are_accepted() {
    for text in [
        "a\u{1}b", "\u{1f}", "\u{7f}", "\u{9f}", "\u{ffff}", "\u{fdd0}",
    ] {
        assert_eq!(
            decoded(&connect(0x02, &field(text.as_bytes()))).client_id,
            text
        );
    }
}

/// Section 1.5.3, Figure 1.2: the non normative example "A" U+2A6D4 encodes as
/// 00 05 41 F0 AA 9B 94.
#[test]
fn section_1_5_3_figure_1_2_example_string() {
    let payload = [0x00, 0x05, 0x41, 0xf0, 0xaa, 0x9b, 0x94];
    let wire = connect(0x02, &payload);
    assert_eq!(decoded(&wire).client_id, "A\u{2a6d4}");
    valid(&wire, &base("A\u{2a6d4}").into());
}

// ---------------------------------------------------------------------------------------------
// 3.2 CONNACK
// ---------------------------------------------------------------------------------------------

/// Section 3.2, Figures 3.8 and 3.9: CONNACK is 0x20, Remaining Length 2, the acknowledge flags
/// and the return code; codes 0 to 5 of Table 3.1.
#[test]
fn section_3_2_connack_valid_forms() {
    valid(&[0x20, 0x02, 0x00, 0x00], &ConnAck::accepted(false).into());
    valid(&[0x20, 0x02, 0x01, 0x00], &ConnAck::accepted(true).into());
    let refusals = [
        (0x01, ConnectReturnCode::UnacceptableProtocolVersion),
        (0x02, ConnectReturnCode::IdentifierRejected),
        (0x03, ConnectReturnCode::ServerUnavailable),
        (0x04, ConnectReturnCode::BadUserNameOrPassword),
        (0x05, ConnectReturnCode::NotAuthorized),
    ];
    for (byte, code) in refusals {
        valid(&[0x20, 0x02, 0x00, byte], &ConnAck::refused(code).into());
        assert_eq!(code.byte(), byte);
        assert_eq!(ConnectReturnCode::from_byte(byte), Some(code));
    }
}

/// Section 3.2.2.1: bits 7-1 of the Connect Acknowledge Flags are reserved and MUST be 0.
#[test]
fn section_3_2_2_1_connack_reserved_flags_must_be_zero() {
    for flags in [0x02u8, 0x03, 0x80, 0xfe, 0xff] {
        rejected(
            &[0x20, 0x02, flags, 0x00],
            DecodeError::ConnAckReservedFlags(flags),
        );
    }
}

/// [MQTT-3.2.2-4] A CONNACK with a non-zero return code MUST have Session Present 0: refused by
/// the decoder and by the encoder (which then writes nothing).
#[test]
fn mqtt_3_2_2_4_session_present_with_refusal_is_refused() {
    for code in 1..=5u8 {
        rejected(
            &[0x20, 0x02, 0x01, code],
            DecodeError::SessionPresentWithRefusal,
        );
        let connack = ConnAck {
            session_present: true,
            ..ConnAck::refused(ConnectReturnCode::from_byte(code).unwrap())
        };
        let mut out = Vec::new();
        assert_eq!(
            connack.encode(&mut out),
            Err(EncodeError::SessionPresentWithRefusal)
        );
        assert!(out.is_empty());
    }
}

/// Section 3.2.2.3, Table 3.1: return codes 6 to 255 are reserved.
#[test]
fn section_3_2_2_3_reserved_return_codes_are_refused() {
    for code in 6..=255u8 {
        rejected(
            &[0x20, 0x02, 0x00, code],
            DecodeError::InvalidConnectReturnCode(code),
        );
        assert_eq!(ConnectReturnCode::from_byte(code), None);
    }
}

/// Section 3.2.1: the CONNACK Remaining Length is 2, and its flags are reserved (0000).
#[test]
fn section_3_2_1_connack_fixed_header() {
    rejected(
        &[0x20, 0x03, 0x00, 0x00, 0x00],
        DecodeError::InvalidRemainingLength {
            packet_type: PacketType::ConnAck,
            remaining_length: 3,
        },
    );
    rejected(
        &[0x21, 0x02, 0x00, 0x00],
        DecodeError::InvalidFlags {
            packet_type: PacketType::ConnAck,
            flags: 1,
        },
    );
}
