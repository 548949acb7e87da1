//! Conformance of CONNECT (section 3.1) and CONNACK (section 3.2) in MQTT 5.0 (OASIS Standard,
//! 7 March 2019), and their conversions to and from MQTT 3.1.1.
//!
//! Tests are named after the normative statement they check (`mqtt_3_1_2_3_...` for
//! [MQTT-3.1.2-3]) or, for rules without a number, after their section. Every expected byte
//! sequence is written by hand from the standard, never produced by this crate's encoder. See
//! `src/conformance_v5.md` for the statement table.

use bytes::{Bytes, BytesMut};
use mqttwire::*;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// A decoder for a connection that speaks MQTT 5.0.
fn v5() -> Decoder {
    Decoder::new().protocol(Protocol::V5)
}

/// A server's first decoder (any version) and a 5.0 decoder: both read a CONNECT of any level.
fn decoders() -> [Decoder; 2] {
    [Decoder::new(), v5()]
}

/// A frame: the first byte, the Remaining Length (a Variable Byte Integer, section 1.5.5,
/// written out here rather than by the crate), the body.
fn frame(first: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![first];
    let mut len = body.len();
    loop {
        let mut byte = (len % 128) as u8;
        len /= 128;
        if len > 0 {
            byte |= 0x80;
        }
        out.push(byte);
        if len == 0 {
            break;
        }
    }
    out.extend_from_slice(body);
    out
}

/// A length-prefixed field (section 1.5.4, 1.5.6).
fn field(bytes: &[u8]) -> Vec<u8> {
    let mut out = (bytes.len() as u16).to_be_bytes().to_vec();
    out.extend_from_slice(bytes);
    out
}

/// A property block with its Property Length (one byte: the blocks here are short).
fn block(properties: &[u8]) -> Vec<u8> {
    assert!(properties.len() < 128);
    let mut out = vec![properties.len() as u8];
    out.extend_from_slice(properties);
    out
}

/// An MQTT 5.0 CONNECT: "MQTT" level 5, `flags`, Keep Alive 60, the CONNECT `properties`
/// (without their length), then `payload` as given.
fn connect_v5(flags: u8, properties: &[u8], payload: &[u8]) -> Vec<u8> {
    let mut body = vec![0x00, 0x04, b'M', b'Q', b'T', b'T', 0x05, flags, 0x00, 0x3c];
    body.extend_from_slice(&block(properties));
    body.extend_from_slice(payload);
    frame(0x10, &body)
}

/// An MQTT 5.0 CONNACK with `flags`, Reason Code `code` and `properties` (without their length).
fn connack_v5(flags: u8, code: u8, properties: &[u8]) -> Vec<u8> {
    let mut body = vec![flags, code];
    body.extend_from_slice(&block(properties));
    frame(0x20, &body)
}

fn s(text: &str) -> MqttString {
    MqttString::new(text).unwrap()
}

fn topic(text: &str) -> TopicName {
    TopicName::new(text).unwrap()
}

fn props<'a>(properties: impl IntoIterator<Item = Property<'a>>) -> Properties {
    Properties::new(properties).unwrap()
}

/// `connect` made MQTT 5.0, Keep Alive 60, Clean Start.
fn base_v5(client_id: &str) -> Connect {
    Connect::new(s(client_id))
        .with_protocol(Protocol::V5)
        .with_keep_alive(60)
}

/// Every strict prefix of `wire` makes `decoder` wait, without touching the buffer.
fn prefixes_wait(decoder: &Decoder, wire: &[u8]) {
    for cut in 0..wire.len() {
        let mut buf = BytesMut::from(&wire[..cut]);
        assert_eq!(decoder.decode(&mut buf), Ok(None), "prefix of {cut} bytes");
        assert_eq!(&buf[..], &wire[..cut]);
        assert_eq!(decoder.decode_ref(&wire[..cut]), Ok(None));
    }
}

/// A valid CONNECT written by hand: both decoders (the CONNECT says its own version) decode it
/// to `expected`, owned and borrowed alike (`decode` and `decode_ref(..).to_owned()` agree);
/// the borrowed one encodes back to these bytes; our encoder writes exactly these bytes
/// whatever the encoder's version; strict prefixes wait.
fn valid_connect(wire: &[u8], expected: &Connect) {
    let packet = Packet::from(expected.clone());
    for decoder in decoders() {
        let mut buf = BytesMut::from(wire);
        assert_eq!(
            decoder.decode(&mut buf),
            Ok(Some(packet.clone())),
            "{wire:02x?}"
        );
        assert!(buf.is_empty());
        let (borrowed, used) = decoder.decode_ref(wire).unwrap().unwrap();
        assert_eq!(used, wire.len());
        assert_eq!(borrowed.to_owned(), packet);
        assert_eq!(&borrowed.to_bytes().unwrap()[..], wire);
        assert_eq!(
            decoder.decode_frame(Bytes::copy_from_slice(wire)),
            Ok(packet.clone())
        );
        prefixes_wait(&decoder, wire);
    }
    assert_eq!(expected.encoded_len(), wire.len());
    assert_eq!(&expected.to_bytes().unwrap()[..], wire);
    for encoder in [Encoder::V311, Encoder::V5] {
        assert_eq!(encoder.encoded_len(expected), wire.len());
        assert_eq!(&encoder.to_bytes(expected).unwrap()[..], wire);
    }
    assert_eq!(&expected.as_borrowed().to_bytes().unwrap()[..], wire);
}

/// A CONNECT that both decoders refuse with `error`, owned, borrowed and as a frame.
fn rejected_connect(wire: &[u8], error: DecodeError) {
    for decoder in decoders() {
        assert_eq!(
            decoder.decode(&mut BytesMut::from(wire)),
            Err(error),
            "{wire:02x?}"
        );
        assert_eq!(decoder.decode_ref(wire), Err(error), "{wire:02x?}");
        assert_eq!(
            decoder.decode_frame(Bytes::copy_from_slice(wire)),
            Err(error)
        );
    }
}

/// A valid MQTT 5.0 CONNACK written by hand: the 5.0 decoder decodes it to `expected`, owned
/// and borrowed alike; both encode to exactly these bytes for a 5.0 peer.
fn valid_connack(wire: &[u8], expected: &ConnAck) {
    let decoder = v5();
    let packet = Packet::ConnAck(expected.clone());
    let mut buf = BytesMut::from(wire);
    assert_eq!(
        decoder.decode(&mut buf),
        Ok(Some(packet.clone())),
        "{wire:02x?}"
    );
    assert!(buf.is_empty());
    let Some((PacketRef::ConnAck(borrowed), used)) = decoder.decode_ref(wire).unwrap() else {
        panic!("{wire:02x?} is not a CONNACK");
    };
    assert_eq!(used, wire.len());
    assert_eq!(borrowed.to_owned(), *expected);
    assert_eq!(PacketRef::ConnAck(borrowed).to_owned(), packet);
    assert_eq!(&Encoder::V5.to_bytes(&borrowed).unwrap()[..], wire);
    assert_eq!(
        decoder.decode_frame(Bytes::copy_from_slice(wire)),
        Ok(packet)
    );
    assert_eq!(Encoder::V5.encoded_len(expected), wire.len());
    assert_eq!(&Encoder::V5.to_bytes(expected).unwrap()[..], wire);
    prefixes_wait(&decoder, wire);
}

/// A CONNACK that the 5.0 decoder refuses with `error`, owned, borrowed and as a frame.
fn rejected_connack(wire: &[u8], error: DecodeError) {
    let decoder = v5();
    assert_eq!(
        decoder.decode(&mut BytesMut::from(wire)),
        Err(error),
        "{wire:02x?}"
    );
    assert_eq!(decoder.decode_ref(wire), Err(error), "{wire:02x?}");
    assert_eq!(
        decoder.decode_frame(Bytes::copy_from_slice(wire)),
        Err(error)
    );
}

// ---------------------------------------------------------------------------------------------
// 3.1 CONNECT
// ---------------------------------------------------------------------------------------------

/// Section 3.1.2.12, Figure 3-6 (Variable Header example): Protocol Name "MQTT", Protocol
/// Version 5, Connect Flags 0xCE (User Name, Password, Will QoS 1, Will Flag, Clean Start),
/// Keep Alive 10, Property Length 5, Session Expiry Interval (17) of 10 seconds. (The local
/// copy of the standard lost the figure; these are the OASIS figure's bytes.) The payload is
/// added in the order of [MQTT-3.1.3-1].
#[test]
fn section_3_1_2_12_variable_header_example() {
    let wire = [
        0x10, 0x24, // CONNECT, Remaining Length 36
        0x00, 0x04, b'M', b'Q', b'T', b'T', // Protocol Name
        0x05, // Protocol Version 5
        0xce, // Connect Flags
        0x00, 0x0a, // Keep Alive 10
        0x05, // Property Length 5
        0x11, 0x00, 0x00, 0x00, 0x0a, // Session Expiry Interval 10
        0x00, 0x01, b'c', // Client Identifier
        0x00, // Will Properties: Property Length 0
        0x00, 0x03, b'w', b'/', b't', // Will Topic
        0x00, 0x03, b'b', b'y', b'e', // Will Payload
        0x00, 0x01, b'u', // User Name
        0x00, 0x01, b'p', // Password
    ];
    let expected = Connect {
        protocol: Protocol::V5,
        clean_session: true,
        keep_alive: 10,
        properties: props([Property::SessionExpiryInterval(10)]),
        client_id: s("c"),
        will: Some(Will::new(topic("w/t"), QoS::AtLeastOnce, "bye")),
        login: Some(Login::new(s("u")).with_password("p")),
    };
    valid_connect(&wire, &expected);
}

/// [MQTT-3.1.2-1] The protocol name MUST be the UTF-8 String "MQTT". If the Server does not
/// want to accept the CONNECT, and wishes to reveal that it is an MQTT Server it MAY send a
/// CONNACK packet with Reason Code of 0x84 (Unsupported Protocol Version), and then it MUST
/// close the Network Connection.
#[test]
fn mqtt_3_1_2_1_protocol_name() {
    let mut wire = connect_v5(0x02, &[], &field(b"c"));
    wire[4..8].copy_from_slice(b"MQTX");
    rejected_connect(&wire, DecodeError::InvalidProtocolName);
}

/// [MQTT-3.1.2-2] If the Protocol Version is not 5 and the Server does not want to accept the
/// CONNECT packet, the Server MAY send a CONNACK packet with Reason Code 0x84 (Unsupported
/// Protocol Version) and then MUST close the Network Connection.
///
/// Level 5 is MQTT 5.0 and is decoded by every decoder; levels 3 ("MQIsdp") and 4 ("MQTT")
/// too; any other level is refused, and the server answers in the version it speaks.
#[test]
fn mqtt_3_1_2_2_protocol_version() {
    for decoder in decoders() {
        let wire = connect_v5(0x02, &[], &field(b"c"));
        let Ok(Some(Packet::Connect(c))) = decoder.decode(&mut BytesMut::from(&wire[..])) else {
            panic!()
        };
        assert_eq!((c.protocol, c.protocol.level()), (Protocol::V5, 5));
    }
    for level in [0u8, 1, 2, 6, 0x84, 0xff] {
        let mut wire = connect_v5(0x02, &[], &field(b"c"));
        wire[8] = level;
        rejected_connect(&wire, DecodeError::UnsupportedProtocolLevel(level));
        let err = DecodeError::UnsupportedProtocolLevel(level);
        assert_eq!(
            err.connack_code(),
            Some(ConnectReturnCode::UnacceptableProtocolVersion)
        );
    }
    // The 5.0 answer: 0x84 Unsupported Protocol Version, no properties.
    let refusal = ConnAck::refused(ConnectReasonCode::UnsupportedProtocolVersion);
    assert_eq!(
        &Encoder::V5.to_bytes(&refusal).unwrap()[..],
        [0x20, 0x03, 0x00, 0x84, 0x00]
    );
    // 3.1.1's 0x01 is the same refusal.
    assert_eq!(
        ConnectReasonCode::from(ConnectReturnCode::UnacceptableProtocolVersion),
        ConnectReasonCode::UnsupportedProtocolVersion
    );
}

/// [MQTT-3.1.2-3] The Server MUST validate that the reserved flag in the CONNECT packet is set
/// to 0. If the reserved flag is not 0 it is a Malformed Packet.
#[test]
fn mqtt_3_1_2_3_reserved_flag() {
    for flags in [0x01, 0x03, 0xc3, 0xff] {
        rejected_connect(
            &connect_v5(flags, &[], &field(b"c")),
            DecodeError::ConnectReservedFlag,
        );
    }
}

/// Section 3.1.2.4: Clean Start is bit 1 of the Connect Flags; the flag is decoded and
/// encoded in both values ([MQTT-3.1.2-4] to [MQTT-3.1.2-6] are the server's behaviour).
#[test]
fn section_3_1_2_4_clean_start() {
    valid_connect(&connect_v5(0x02, &[], &field(b"c")), &base_v5("c"));
    valid_connect(
        &connect_v5(0x00, &[], &field(b"c")),
        &base_v5("c").with_clean_session(false),
    );
}

/// [MQTT-3.1.2-9] If the Will Flag is set to 1, the Will Properties, Will Topic, and Will
/// Payload fields MUST be present in the Payload.
#[test]
fn mqtt_3_1_2_9_will_fields_present() {
    // Will Flag, nothing after the Client Identifier.
    rejected_connect(
        &connect_v5(0x06, &[], &field(b"c")),
        DecodeError::FieldOverrun,
    );
    // Will Properties, no Will Topic.
    rejected_connect(
        &connect_v5(0x06, &[], &[field(b"c"), vec![0x00]].concat()),
        DecodeError::FieldOverrun,
    );
    // Will Properties and Topic, no Will Payload.
    rejected_connect(
        &connect_v5(0x06, &[], &[field(b"c"), vec![0x00], field(b"t")].concat()),
        DecodeError::FieldOverrun,
    );
    // A 5.0 Will without its Will Properties: the Topic's length is read as a Property
    // Length, and the fields no longer add up.
    rejected_connect(
        &connect_v5(0x06, &[], &[field(b"c"), field(b"t"), field(b"m")].concat()),
        DecodeError::FieldOverrun,
    );
    let wire = connect_v5(
        0x06,
        &[],
        &[field(b"c"), vec![0x00], field(b"t"), field(b"m")].concat(),
    );
    let expected = base_v5("c").with_will(Will::new(topic("t"), QoS::AtMostOnce, "m"));
    valid_connect(&wire, &expected);
}

/// [MQTT-3.1.2-11] If the Will Flag is set to 0, then the Will QoS MUST be set to 0 (0x00).
#[test]
fn mqtt_3_1_2_11_will_qos_without_will_flag() {
    for flags in [0x0a, 0x12] {
        rejected_connect(
            &connect_v5(flags, &[], &field(b"c")),
            DecodeError::WillFlagsWithoutWill,
        );
    }
}

/// [MQTT-3.1.2-12] If the Will Flag is set to 1, the value of Will QoS can be 0 (0x00), 1
/// (0x01), or 2 (0x02). A value of 3 (0x03) is a Malformed Packet.
#[test]
fn mqtt_3_1_2_12_will_qos() {
    let payload = [field(b"c"), vec![0x00], field(b"t"), field(b"m")].concat();
    rejected_connect(
        &connect_v5(0x1e, &[], &payload),
        DecodeError::InvalidWillQos,
    );
    for (flags, qos) in [
        (0x06, QoS::AtMostOnce),
        (0x0e, QoS::AtLeastOnce),
        (0x16, QoS::ExactlyOnce),
    ] {
        let expected = base_v5("c").with_will(Will::new(topic("t"), qos, "m"));
        valid_connect(&connect_v5(flags, &[], &payload), &expected);
    }
}

/// [MQTT-3.1.2-13] If the Will Flag is set to 0, then Will Retain MUST be set to 0.
/// ([MQTT-3.1.2-14] and [MQTT-3.1.2-15] are the server's: the bit is carried.)
#[test]
fn mqtt_3_1_2_13_will_retain_without_will_flag() {
    rejected_connect(
        &connect_v5(0x22, &[], &field(b"c")),
        DecodeError::WillFlagsWithoutWill,
    );
    let payload = [field(b"c"), vec![0x00], field(b"t"), field(b"m")].concat();
    let expected =
        base_v5("c").with_will(Will::new(topic("t"), QoS::AtMostOnce, "m").with_retain(true));
    valid_connect(&connect_v5(0x26, &[], &payload), &expected);
}

/// [MQTT-3.1.2-16] If the User Name Flag is set to 0, a User Name MUST NOT be present in the
/// Payload.
#[test]
fn mqtt_3_1_2_16_no_user_name_without_flag() {
    let payload = [field(b"c"), field(b"u")].concat();
    rejected_connect(
        &connect_v5(0x02, &[], &payload),
        DecodeError::TrailingBytes(3),
    );
}

/// [MQTT-3.1.2-17] If the User Name Flag is set to 1, a User Name MUST be present in the
/// Payload.
#[test]
fn mqtt_3_1_2_17_user_name_with_flag() {
    rejected_connect(
        &connect_v5(0x82, &[], &field(b"c")),
        DecodeError::FieldOverrun,
    );
    let wire = connect_v5(0x82, &[], &[field(b"c"), field(b"u")].concat());
    valid_connect(&wire, &base_v5("c").with_login(Login::new(s("u"))));
}

/// [MQTT-3.1.2-18] If the Password Flag is set to 0, a Password MUST NOT be present in the
/// Payload.
#[test]
fn mqtt_3_1_2_18_no_password_without_flag() {
    let payload = [field(b"c"), field(b"u"), field(b"p")].concat();
    rejected_connect(
        &connect_v5(0x82, &[], &payload),
        DecodeError::TrailingBytes(3),
    );
}

/// [MQTT-3.1.2-19] If the Password Flag is set to 1, a Password MUST be present in the
/// Payload. Section 3.1.2.9: "This version of the protocol allows the sending of a Password
/// with no User Name, where MQTT v3.1.1 did not."
#[test]
fn mqtt_3_1_2_19_password_without_user_name() {
    rejected_connect(
        &connect_v5(0x42, &[], &field(b"c")),
        DecodeError::FieldOverrun,
    );
    let wire = [
        0x10, 0x13, // CONNECT, Remaining Length 19
        0x00, 0x04, b'M', b'Q', b'T', b'T', 0x05, // "MQTT" level 5
        0x42, // Connect Flags: Password, Clean Start
        0x00, 0x3c, // Keep Alive 60
        0x00, // Property Length 0
        0x00, 0x01, b'c', // Client Identifier
        0x00, 0x03, b'p', b'w', b'd', // Password
    ];
    let expected = base_v5("c").with_login(Login::password_only("pwd"));
    valid_connect(&wire, &expected);
    let Ok(Some((PacketRef::Connect(c), _))) = v5().decode_ref(&wire) else {
        panic!()
    };
    let login = c.login().unwrap();
    assert_eq!(
        (login.username(), login.password),
        (None, Some(&b"pwd"[..]))
    );

    // MQTT 3.1.1 cannot carry it [MQTT-3.1.2-22 of 3.1.1]: refused when decoded, cannot be
    // encoded.
    let v311 = [
        0x10, 0x12, // CONNECT, Remaining Length 18
        0x00, 0x04, b'M', b'Q', b'T', b'T', 0x04, // "MQTT" level 4
        0x42, 0x00, 0x3c, // Password, Clean Session; Keep Alive 60
        0x00, 0x01, b'c', // Client Identifier
        0x00, 0x03, b'p', b'w', b'd', // Password
    ];
    assert_eq!(
        decode(&mut BytesMut::from(&v311[..])),
        Err(DecodeError::PasswordWithoutUsername)
    );
    assert!(matches!(
        expected.with_protocol(Protocol::V311).to_bytes(),
        Err(EncodeError::NotInV311(_))
    ));
}

/// Section 3.1.2.10: Keep Alive is a Two Byte Integer.
#[test]
fn section_3_1_2_10_keep_alive() {
    let mut wire = connect_v5(0x02, &[], &field(b"c"));
    wire[10..12].copy_from_slice(&[0xff, 0xfe]);
    valid_connect(&wire, &base_v5("c").with_keep_alive(0xfffe));
}

/// Section 3.1.2.11: every CONNECT property, in one packet (Session Expiry Interval, Receive
/// Maximum, Maximum Packet Size, Topic Alias Maximum, Request Response Information, Request
/// Problem Information, two User Properties with the same name, Authentication Method and
/// Data), read back through the accessors.
#[test]
fn section_3_1_2_11_all_connect_properties() {
    let properties = [
        0x11, 0x00, 0x00, 0x0e, 0x10, // Session Expiry Interval 3600
        0x21, 0x00, 0x10, // Receive Maximum 16
        0x27, 0x00, 0x00, 0x04, 0x00, // Maximum Packet Size 1024
        0x22, 0x00, 0x0a, // Topic Alias Maximum 10
        0x19, 0x01, // Request Response Information 1
        0x17, 0x00, // Request Problem Information 0
        0x26, 0x00, 0x01, b'a', 0x00, 0x01, b'b', // User Property a=b
        0x26, 0x00, 0x01, b'a', 0x00, 0x01, b'c', // User Property a=c
        0x15, 0x00, 0x05, b'S', b'C', b'R', b'A', b'M', // Authentication Method
        0x16, 0x00, 0x02, 0x01, 0x02, // Authentication Data
    ];
    let wire = [
        &[0x10, 0x3e][..], // CONNECT, Remaining Length 62
        &[0x00, 0x04, b'M', b'Q', b'T', b'T', 0x05, 0x02, 0x00, 0x3c],
        &[0x2f], // Property Length 47
        &properties,
        &[0x00, 0x02, b'i', b'd'], // Client Identifier
    ]
    .concat();
    let expected = base_v5("id").with_properties(props([
        Property::SessionExpiryInterval(3600),
        Property::ReceiveMaximum(16),
        Property::MaximumPacketSize(1024),
        Property::TopicAliasMaximum(10),
        Property::RequestResponseInformation(true),
        Property::RequestProblemInformation(false),
        Property::UserProperty("a", "b"),
        Property::UserProperty("a", "c"),
        Property::AuthenticationMethod("SCRAM"),
        Property::AuthenticationData(&[1, 2]),
    ]));
    valid_connect(&wire, &expected);
    let p = &expected.properties;
    assert_eq!(p.session_expiry_interval(), Some(3600));
    assert_eq!(p.receive_maximum(), Some(16));
    assert_eq!(p.maximum_packet_size(), Some(1024));
    assert_eq!(p.topic_alias_maximum(), Some(10));
    assert_eq!(p.request_response_information(), Some(true));
    assert_eq!(p.request_problem_information(), Some(false));
    assert_eq!(
        p.user_properties().collect::<Vec<_>>(),
        [("a", "b"), ("a", "c")]
    );
    assert_eq!(p.authentication_method(), Some("SCRAM"));
    assert_eq!(p.authentication_data(), Some(&[1u8, 2][..]));
}

/// [MQTT-3.1.3-1] These fields, if present, MUST appear in the order Client Identifier, Will
/// Properties, Will Topic, Will Payload, User Name, Password. Section 3.1.3.2: every Will
/// Property (Will Delay Interval, Payload Format Indicator, Message Expiry Interval, Content
/// Type, Response Topic, Correlation Data, User Property), read back through the accessors.
#[test]
fn mqtt_3_1_3_1_will_properties_before_will_topic() {
    let will_properties = [
        0x18, 0x00, 0x00, 0x00, 0x1e, // Will Delay Interval 30
        0x01, 0x01, // Payload Format Indicator: UTF-8
        0x02, 0x00, 0x00, 0x00, 0x3c, // Message Expiry Interval 60
        0x03, 0x00, 0x0a, b't', b'e', b'x', b't', b'/', b'p', b'l', b'a', b'i',
        b'n', // Content Type
        0x08, 0x00, 0x05, b'r', b'e', b'p', b'/', b'1', // Response Topic
        0x09, 0x00, 0x03, 0x01, 0x02, 0x03, // Correlation Data
        0x26, 0x00, 0x01, b'k', 0x00, 0x01, b'v', // User Property k=v
    ];
    let wire = [
        &[0x10, 0x48][..], // CONNECT, Remaining Length 72
        &[0x00, 0x04, b'M', b'Q', b'T', b'T', 0x05],
        &[0x36],             // Connect Flags: Will Retain, Will QoS 2, Will Flag, Clean Start
        &[0x00, 0x3c, 0x00], // Keep Alive 60, Property Length 0
        &[0x00, 0x01, b'c'], // Client Identifier
        &[0x2e],             // Will Properties: Property Length 46
        &will_properties,
        &[0x00, 0x03, b's', b'/', b'1'],       // Will Topic
        &[0x00, 0x04, b'g', b'o', b'n', b'e'], // Will Payload
    ]
    .concat();
    let will = Will::new(topic("s/1"), QoS::ExactlyOnce, "gone")
        .with_retain(true)
        .with_properties(props([
            Property::WillDelayInterval(30),
            Property::PayloadFormatIndicator(PayloadFormat::Utf8),
            Property::MessageExpiryInterval(60),
            Property::ContentType("text/plain"),
            Property::ResponseTopic("rep/1"),
            Property::CorrelationData(&[1, 2, 3]),
            Property::UserProperty("k", "v"),
        ]));
    let expected = base_v5("c").with_will(will);
    valid_connect(&wire, &expected);
    let p = &expected.will.as_ref().unwrap().properties;
    assert_eq!(p.will_delay_interval(), Some(30));
    assert_eq!(p.payload_format_indicator(), Some(PayloadFormat::Utf8));
    assert_eq!(p.message_expiry_interval(), Some(60));
    assert_eq!(p.content_type(), Some("text/plain"));
    assert_eq!(p.response_topic(), Some("rep/1"));
    assert_eq!(p.correlation_data(), Some(&[1u8, 2, 3][..]));
    assert_eq!(p.user_properties().collect::<Vec<_>>(), [("k", "v")]);

    // The order is checked: the Will Topic before the Will Properties does not parse.
    let swapped = [
        &wire[..16],
        &[0x00, 0x03, b's', b'/', b'1'][..],
        &[0x2e],
        &will_properties,
        &[0x00, 0x04, b'g', b'o', b'n', b'e'],
    ]
    .concat();
    assert!(v5().decode(&mut BytesMut::from(&swapped[..])).is_err());
}

/// [MQTT-3.1.3-10] The Server MUST maintain the order of User Properties when publishing the
/// Will Message. The Will Properties are kept as they arrived, so their User Properties read
/// (and encode) in their order, the same name twice included.
#[test]
fn mqtt_3_1_3_10_will_user_properties_keep_their_order() {
    let will_properties = [
        0x26, 0x00, 0x01, b'b', 0x00, 0x01, b'1', // User Property b=1
        0x26, 0x00, 0x01, b'a', 0x00, 0x01, b'2', // User Property a=2
        0x26, 0x00, 0x01, b'b', 0x00, 0x01, b'3', // User Property b=3
    ];
    let payload = [
        field(b"c"),
        block(&will_properties),
        field(b"t"),
        field(b"m"),
    ]
    .concat();
    let wire = connect_v5(0x06, &[], &payload);
    let will = Will::new(topic("t"), QoS::AtMostOnce, "m").with_properties(props([
        Property::UserProperty("b", "1"),
        Property::UserProperty("a", "2"),
        Property::UserProperty("b", "3"),
    ]));
    valid_connect(&wire, &base_v5("c").with_will(will));
    let Ok(Some((PacketRef::Connect(c), _))) = v5().decode_ref(&wire) else {
        panic!()
    };
    let order: Vec<_> = c.will().unwrap().properties.user_properties().collect();
    assert_eq!(order, [("b", "1"), ("a", "2"), ("b", "3")]);
}

/// [MQTT-3.1.3-3] The ClientID MUST be present and is the first field in the CONNECT packet
/// Payload.
#[test]
fn mqtt_3_1_3_3_client_identifier_present() {
    rejected_connect(&connect_v5(0x02, &[], &[]), DecodeError::FieldOverrun);
    rejected_connect(
        &connect_v5(0x02, &[], &[0x00, 0x05, b'c']),
        DecodeError::FieldOverrun,
    );
}

/// [MQTT-3.1.3-4] The ClientID MUST be a UTF-8 Encoded String as defined in section 1.5.4.
#[test]
fn mqtt_3_1_3_4_client_identifier_utf8() {
    rejected_connect(
        &connect_v5(0x02, &[], &field(b"a\xffb")),
        DecodeError::InvalidString(StringError::InvalidUtf8 { offset: 1 }),
    );
    rejected_connect(
        &connect_v5(0x02, &[], &field(b"a\x00b")),
        DecodeError::InvalidString(StringError::NullCharacter { offset: 1 }),
    );
}

/// [MQTT-3.1.3-6] A Server MAY allow a Client to supply a ClientID that has a length of zero
/// bytes (and then assigns one, [MQTT-3.1.3-7]): the decoder accepts it, the server decides.
#[test]
fn mqtt_3_1_3_6_empty_client_identifier() {
    valid_connect(&connect_v5(0x02, &[], &field(b"")), &base_v5(""));
}

/// [MQTT-3.1.3-11] The Will Topic MUST be a UTF-8 Encoded String as defined in section 1.5.4;
/// being the topic the Will is published to, it is also checked as a topic name (no
/// wildcards, section 4.7).
#[test]
fn mqtt_3_1_3_11_will_topic() {
    for (raw, error) in [
        (&b"a/\xff"[..], TopicError::InvalidUtf8 { offset: 2 }),
        (b"a/#", TopicError::WildcardInName { offset: 2 }),
        (b"", TopicError::Empty),
    ] {
        let payload = [field(b"c"), vec![0x00], field(raw), field(b"m")].concat();
        rejected_connect(
            &connect_v5(0x06, &[], &payload),
            DecodeError::InvalidTopicName(error),
        );
    }
}

/// [MQTT-3.1.3-12] The User Name MUST be a UTF-8 Encoded String as defined in section 1.5.4.
#[test]
fn mqtt_3_1_3_12_user_name_utf8() {
    let payload = [field(b"c"), field(b"\xc0\x80")].concat();
    rejected_connect(
        &connect_v5(0x82, &[], &payload),
        DecodeError::InvalidString(StringError::InvalidUtf8 { offset: 0 }),
    );
}

/// Section 3.1.3.2.3: "The Server MAY validate that the Will Message is of the format
/// indicated, and if it is not send a CONNACK with the Reason Code of 0x99 (Payload format
/// invalid)". The decoder leaves that choice to the server: a Will Payload that is not UTF-8
/// under a Payload Format Indicator of 1 is decoded, and the server can check it.
#[test]
fn section_3_1_3_2_3_will_payload_format_is_the_servers_check() {
    let payload = [
        field(b"c"),
        vec![0x02, 0x01, 0x01], // Will Properties: Payload Format Indicator 1
        field(b"t"),
        field(b"\xff\xfe"),
    ]
    .concat();
    let wire = connect_v5(0x06, &[], &payload);
    let will = Will::new(topic("t"), QoS::AtMostOnce, b"\xff\xfe").with_properties(props([
        Property::PayloadFormatIndicator(PayloadFormat::Utf8),
    ]));
    valid_connect(&wire, &base_v5("c").with_will(will.clone()));
    // What a server that checks does.
    let claims_utf8 = will.properties.payload_format_indicator() == Some(PayloadFormat::Utf8);
    assert!(claims_utf8 && core::str::from_utf8(&will.payload).is_err());
    let answer = ConnAck::refused(ConnectReasonCode::PayloadFormatInvalid);
    assert_eq!(
        &Encoder::V5.to_bytes(&answer).unwrap()[..],
        [0x20, 0x03, 0x00, 0x99, 0x00]
    );
}

/// [MQTT-3.1.4-1] The Server MUST validate that the CONNECT packet matches the format described
/// in section 3.1 and close the Network Connection if it does not match: nothing may follow
/// the last field.
#[test]
fn mqtt_3_1_4_1_trailing_bytes() {
    let payload = [field(b"c"), vec![0x00]].concat();
    rejected_connect(
        &connect_v5(0x02, &[], &payload),
        DecodeError::TrailingBytes(1),
    );
}

/// Section 2.2.2.2 (Table 2-4): a property not in the CONNECT set is a Malformed Packet: Topic
/// Alias (a PUBLISH property), Will Delay Interval (a Will Property) among the CONNECT
/// properties, Session Expiry Interval (a CONNECT property) among the Will Properties.
#[test]
fn section_2_2_2_2_property_not_allowed_in_connect() {
    rejected_connect(
        &connect_v5(0x02, &[0x23, 0x00, 0x01], &field(b"c")),
        DecodeError::PropertyNotAllowed {
            property: PropertyId::TopicAlias,
            set: PropertySet::Connect,
        },
    );
    rejected_connect(
        &connect_v5(0x02, &[0x18, 0x00, 0x00, 0x00, 0x01], &field(b"c")),
        DecodeError::PropertyNotAllowed {
            property: PropertyId::WillDelayInterval,
            set: PropertySet::Connect,
        },
    );
    let payload = [
        field(b"c"),
        block(&[0x11, 0x00, 0x00, 0x00, 0x01]),
        field(b"t"),
        field(b"m"),
    ]
    .concat();
    rejected_connect(
        &connect_v5(0x06, &[], &payload),
        DecodeError::PropertyNotAllowed {
            property: PropertyId::SessionExpiryInterval,
            set: PropertySet::Will,
        },
    );
    // The encoder refuses them too.
    let topic_alias = base_v5("c").with_properties(props([Property::TopicAlias(1)]));
    assert_eq!(
        topic_alias.to_bytes(),
        Err(EncodeError::PropertyNotAllowed {
            property: PropertyId::TopicAlias,
            set: PropertySet::Connect,
        })
    );
    let will = Will::new(topic("t"), QoS::AtMostOnce, "m")
        .with_properties(props([Property::SessionExpiryInterval(1)]));
    assert_eq!(
        base_v5("c").with_will(will).to_bytes(),
        Err(EncodeError::PropertyNotAllowed {
            property: PropertyId::SessionExpiryInterval,
            set: PropertySet::Will,
        })
    );
}

/// Section 3.1.2.11.2: "It is a Protocol Error to include the Session Expiry Interval more
/// than once" (and so for every CONNECT and Will property but User Property).
#[test]
fn section_3_1_2_11_2_duplicate_property() {
    let twice = [0x11, 0, 0, 0, 1, 0x11, 0, 0, 0, 2];
    rejected_connect(
        &connect_v5(0x02, &twice, &field(b"c")),
        DecodeError::DuplicateProperty(PropertyId::SessionExpiryInterval),
    );
    let payload = [
        field(b"c"),
        block(&[0x18, 0, 0, 0, 1, 0x18, 0, 0, 0, 1]),
        field(b"t"),
        field(b"m"),
    ]
    .concat();
    rejected_connect(
        &connect_v5(0x06, &[], &payload),
        DecodeError::DuplicateProperty(PropertyId::WillDelayInterval),
    );
}

/// Section 3.1.2.11.3: "It is a Protocol Error to include the Receive Maximum value more than
/// once or for it to have the value 0."
#[test]
fn section_3_1_2_11_3_receive_maximum_zero() {
    rejected_connect(
        &connect_v5(0x02, &[0x21, 0x00, 0x00], &field(b"c")),
        DecodeError::InvalidPropertyValue {
            property: PropertyId::ReceiveMaximum,
            value: 0,
        },
    );
}

/// Section 3.1.2.11.4: "It is a Protocol Error to include the Maximum Packet Size more than
/// once, or for the value to be set to zero."
#[test]
fn section_3_1_2_11_4_maximum_packet_size_zero() {
    rejected_connect(
        &connect_v5(0x02, &[0x27, 0x00, 0x00, 0x00, 0x00], &field(b"c")),
        DecodeError::InvalidPropertyValue {
            property: PropertyId::MaximumPacketSize,
            value: 0,
        },
    );
}

/// Section 3.1.2.11.7: "It is a Protocol Error to include Request Problem Information more
/// than once, or to have a value other than 0 or 1." (The same for Request Response
/// Information, section 3.1.2.11.6.)
#[test]
fn section_3_1_2_11_7_request_problem_information_2() {
    rejected_connect(
        &connect_v5(0x02, &[0x17, 0x02], &field(b"c")),
        DecodeError::InvalidPropertyValue {
            property: PropertyId::RequestProblemInformation,
            value: 2,
        },
    );
    rejected_connect(
        &connect_v5(0x02, &[0x19, 0x02], &field(b"c")),
        DecodeError::InvalidPropertyValue {
            property: PropertyId::RequestResponseInformation,
            value: 2,
        },
    );
}

/// Section 3.1.2.11.10: "It is a Protocol Error to include Authentication Data if there is no
/// Authentication Method."
#[test]
fn section_3_1_2_11_10_authentication_data_without_method() {
    rejected_connect(
        &connect_v5(0x02, &[0x16, 0x00, 0x01, 0x07], &field(b"c")),
        DecodeError::MissingAuthenticationMethod,
    );
    let data_alone = base_v5("c").with_properties(props([Property::AuthenticationData(&[7])]));
    assert_eq!(
        data_alone.to_bytes(),
        Err(EncodeError::MissingAuthenticationMethod)
    );
    // With the method (in either order) it is fine.
    let wire = connect_v5(
        0x02,
        &[0x16, 0x00, 0x01, 0x07, 0x15, 0x00, 0x01, b'm'],
        &field(b"c"),
    );
    let expected = base_v5("c").with_properties(props([
        Property::AuthenticationData(&[7]),
        Property::AuthenticationMethod("m"),
    ]));
    valid_connect(&wire, &expected);
}

/// [MQTT-1.5.5-1] The encoded value MUST use the minimum number of bytes necessary to
/// represent the value. A server's first decoder reads the fixed header before knowing the
/// version; once the CONNECT says 5.0, its Remaining Length is held to the 5.0 rule. (A 3.1.1
/// CONNECT keeps 3.1.1's leniency.)
#[test]
fn mqtt_1_5_5_1_connect_remaining_length_minimal_in_v5() {
    let minimal = connect_v5(0x02, &[], &field(b"c"));
    let long = [&[0x10, minimal[1] | 0x80, 0x00][..], &minimal[2..]].concat();
    rejected_connect(&long, DecodeError::NonMinimalVariableByteInteger);
    let v311 = [
        0x10, 0x8d, 0x00, // Remaining Length 13 in two bytes
        0x00, 0x04, b'M', b'Q', b'T', b'T', 0x04, 0x02, 0x00, 0x3c, 0x00, 0x01, b'c',
    ];
    assert!(matches!(
        Decoder::new().decode(&mut BytesMut::from(&v311[..])),
        Ok(Some(Packet::Connect(_)))
    ));
}

/// Section 3.1 (and the Decoder's contract): a server reads the first packet with any decoder,
/// learns the version from the CONNECT, and reads the rest of the connection in it.
#[test]
fn section_3_1_a_server_learns_the_version_from_the_connect() {
    let mut rx = BytesMut::from(&connect_v5(0x02, &[], &field(b"c"))[..]);
    rx.extend_from_slice(&[0xe0, 0x01, 0x04]); // DISCONNECT with Will Message (5.0 only)
    let Ok(Some(Packet::Connect(connect))) = Decoder::new().decode(&mut rx) else {
        panic!()
    };
    let decoder = Decoder::new().protocol(connect.protocol);
    assert_eq!(
        decoder.decode(&mut rx),
        Ok(Some(Packet::Disconnect(
            Disconnect::new().with_reason_code(DisconnectReasonCode::DisconnectWithWillMessage)
        )))
    );
}

/// Encoding: a CONNECT is written in the version its `protocol` says, whatever the encoder;
/// for MQTT 3.1.1 the properties and Will Properties are left out (the 3.1.1 frame below is
/// written by hand from Figures 3.2 to 3.4 of 3.1.1).
#[test]
fn section_3_1_v5_connect_encoded_for_v311() {
    let connect = base_v5("c")
        .with_properties(props([Property::SessionExpiryInterval(10)]))
        .with_will(
            Will::new(topic("s/1"), QoS::ExactlyOnce, "gone")
                .with_retain(true)
                .with_properties(props([Property::WillDelayInterval(30)])),
        );
    let v311 = [
        0x10, 0x18, // CONNECT, Remaining Length 24
        0x00, 0x04, b'M', b'Q', b'T', b'T', 0x04, // "MQTT" level 4
        0x36, 0x00, 0x3c, // Will Retain, Will QoS 2, Will, Clean Session; Keep Alive 60
        0x00, 0x01, b'c', // Client Identifier
        0x00, 0x03, b's', b'/', b'1', // Will Topic
        0x00, 0x04, b'g', b'o', b'n', b'e', // Will Message
    ];
    let as_v311 = connect.clone().with_protocol(Protocol::V311);
    assert_eq!(&as_v311.to_bytes().unwrap()[..], v311);
    assert_eq!(&Encoder::V5.to_bytes(&as_v311).unwrap()[..], v311);
    assert_eq!(as_v311.encoded_len(), v311.len());
    // Decoded back, the 3.1.1 CONNECT has no properties.
    let Ok(Some(Packet::Connect(back))) = decode(&mut BytesMut::from(&v311[..])) else {
        panic!()
    };
    assert!(back.properties.is_empty() && back.will.unwrap().properties.is_empty());
    // And the 5.0 one has them.
    let v5_bytes = Encoder::V311.to_bytes(&connect).unwrap();
    assert_eq!(v5_bytes[8], 5);
    assert_eq!(
        v5().decode_frame(v5_bytes),
        Ok(Packet::Connect(Box::new(connect)))
    );
}

/// The encoder's packet size limit applies to a CONNECT as to every packet
/// ([`Encoder::max_packet_size`]); nothing is left out of a CONNECT to fit.
#[test]
fn section_3_1_2_11_4_connect_exceeding_the_limit() {
    let connect = base_v5("c");
    let size = connect.encoded_len();
    assert_eq!(size, 16);
    let fits = Encoder::V5.max_packet_size(size);
    assert_eq!(fits.to_bytes(&connect).unwrap().len(), size);
    assert_eq!(
        Encoder::V5.max_packet_size(size - 1).to_bytes(&connect),
        Err(EncodeError::ExceedsMaximumPacketSize {
            size,
            max: size - 1
        })
    );
}

// ---------------------------------------------------------------------------------------------
// 3.2 CONNACK
// ---------------------------------------------------------------------------------------------

/// Section 3.2.2: Connect Acknowledge Flags, Connect Reason Code, Properties (a Property
/// Length of 0 when there are none).
#[test]
fn section_3_2_2_connack_minimal() {
    valid_connack(&[0x20, 0x03, 0x00, 0x00, 0x00], &ConnAck::accepted(false));
    valid_connack(&[0x20, 0x03, 0x01, 0x00, 0x00], &ConnAck::accepted(true));
    valid_connack(
        &[0x20, 0x03, 0x00, 0x87, 0x00],
        &ConnAck::refused(ConnectReasonCode::NotAuthorized),
    );
}

/// Section 3.2.2.3.1: the Property Length is part of every 5.0 CONNACK, so a Remaining Length
/// of 2 is impossible (refused from the fixed header alone).
#[test]
fn section_3_2_2_3_1_property_length_is_required() {
    let wire = [0x20, 0x02, 0x00, 0x00];
    rejected_connack(
        &wire,
        DecodeError::InvalidRemainingLength {
            packet_type: PacketType::ConnAck,
            remaining_length: 2,
        },
    );
}

/// Section 3.2.2.3: all 17 CONNACK properties in one packet, read back through the
/// accessors.
#[test]
fn section_3_2_2_3_all_17_connack_properties() {
    let properties = [
        0x11, 0x00, 0x00, 0x00, 0x78, // Session Expiry Interval 120
        0x21, 0x00, 0x14, // Receive Maximum 20
        0x24, 0x01, // Maximum QoS 1
        0x25, 0x00, // Retain Available 0
        0x27, 0x00, 0x01, 0x00, 0x00, // Maximum Packet Size 65536
        0x12, 0x00, 0x03, b'c', b'i', b'd', // Assigned Client Identifier
        0x22, 0x00, 0x05, // Topic Alias Maximum 5
        0x1f, 0x00, 0x02, b'o', b'k', // Reason String
        0x26, 0x00, 0x01, b'n', 0x00, 0x01, b'v', // User Property n=v
        0x28, 0x00, // Wildcard Subscription Available 0
        0x29, 0x01, // Subscription Identifier Available 1
        0x2a, 0x00, // Shared Subscription Available 0
        0x13, 0x00, 0x1e, // Server Keep Alive 30
        0x1a, 0x00, 0x04, b'r', b'e', b's', b'p', // Response Information
        0x1c, 0x00, 0x03, b's', b'r', b'v', // Server Reference
        0x15, 0x00, 0x05, b'S', b'C', b'R', b'A', b'M', // Authentication Method
        0x16, 0x00, 0x01, 0x09, // Authentication Data
    ];
    let wire = [
        &[0x20, 0x4b][..], // CONNACK, Remaining Length 75
        &[0x00, 0x00],     // no session, Success
        &[0x48],           // Property Length 72
        &properties,
    ]
    .concat();
    let expected = ConnAck::accepted(false).with_properties(props([
        Property::SessionExpiryInterval(120),
        Property::ReceiveMaximum(20),
        Property::MaximumQos(QoS::AtLeastOnce),
        Property::RetainAvailable(false),
        Property::MaximumPacketSize(65536),
        Property::AssignedClientIdentifier("cid"),
        Property::TopicAliasMaximum(5),
        Property::ReasonString("ok"),
        Property::UserProperty("n", "v"),
        Property::WildcardSubscriptionAvailable(false),
        Property::SubscriptionIdentifierAvailable(true),
        Property::SharedSubscriptionAvailable(false),
        Property::ServerKeepAlive(30),
        Property::ResponseInformation("resp"),
        Property::ServerReference("srv"),
        Property::AuthenticationMethod("SCRAM"),
        Property::AuthenticationData(&[9]),
    ]));
    assert_eq!(expected.properties.iter().count(), 17);
    valid_connack(&wire, &expected);
    let p = &expected.properties;
    assert_eq!(p.session_expiry_interval(), Some(120));
    assert_eq!(p.receive_maximum(), Some(20));
    assert_eq!(p.maximum_qos(), Some(QoS::AtLeastOnce));
    assert_eq!(p.retain_available(), Some(false));
    assert_eq!(p.maximum_packet_size(), Some(65536));
    assert_eq!(p.assigned_client_identifier(), Some("cid"));
    assert_eq!(p.topic_alias_maximum(), Some(5));
    assert_eq!(p.reason_string(), Some("ok"));
    assert_eq!(p.user_properties().collect::<Vec<_>>(), [("n", "v")]);
    assert_eq!(p.wildcard_subscription_available(), Some(false));
    assert_eq!(p.subscription_identifier_available(), Some(true));
    assert_eq!(p.shared_subscription_available(), Some(false));
    assert_eq!(p.server_keep_alive(), Some(30));
    assert_eq!(p.response_information(), Some("resp"));
    assert_eq!(p.server_reference(), Some("srv"));
    assert_eq!(p.authentication_method(), Some("SCRAM"));
    assert_eq!(p.authentication_data(), Some(&[9u8][..]));
}

/// [MQTT-3.2.2-1] Bits 7-1 (of the Connect Acknowledge Flags) are reserved and MUST be set to
/// 0.
#[test]
fn mqtt_3_2_2_1_reserved_flags() {
    for flags in [0x02, 0x03, 0x80, 0xfe, 0xff] {
        rejected_connack(
            &connack_v5(flags, 0x00, &[]),
            DecodeError::ConnAckReservedFlags(flags),
        );
    }
}

/// [MQTT-3.2.2-6] If a Server sends a CONNACK packet containing a non-zero Reason Code it MUST
/// set Session Present to 0.
#[test]
fn mqtt_3_2_2_6_session_present_with_failure() {
    rejected_connack(
        &connack_v5(0x01, 0x80, &[]),
        DecodeError::SessionPresentWithRefusal,
    );
    rejected_connack(
        &connack_v5(0x01, 0x9c, &[]),
        DecodeError::SessionPresentWithRefusal,
    );
    let bad = ConnAck {
        session_present: true,
        ..ConnAck::refused(ConnectReasonCode::UnspecifiedError)
    };
    assert_eq!(
        Encoder::V5.to_bytes(&bad),
        Err(EncodeError::SessionPresentWithRefusal)
    );
    assert_eq!(bad.to_bytes(), Err(EncodeError::SessionPresentWithRefusal));
}

/// [MQTT-3.2.2-8] The Server sending the CONNACK packet MUST use one of the Connect Reason Code
/// values (Table 3-1, 22 values, listed here from the standard). Any other byte, 0x01 among
/// them (a 3.1.1 return code, not a 5.0 Reason Code), is refused.
#[test]
fn mqtt_3_2_2_8_reason_code_from_table_3_1() {
    let table_3_1 = [
        0x00, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8c, 0x90, 0x95,
        0x97, 0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9f,
    ];
    for code in 0..=255u8 {
        let wire = connack_v5(0x00, code, &[]);
        if table_3_1.contains(&code) {
            let reason_code = ConnectReasonCode::from_byte(code).unwrap();
            valid_connack(&wire, &ConnAck::refused(reason_code));
        } else {
            rejected_connack(
                &wire,
                DecodeError::InvalidReasonCode {
                    packet_type: PacketType::ConnAck,
                    code,
                },
            );
        }
    }
}

/// Section 2.2.2.2 (Table 2-4): a property not in the CONNACK set is a Malformed Packet;
/// section 3.2.2.3: every CONNACK property but User Property at most once; Maximum QoS 0 or
/// 1 (3.2.2.3.4), Retain Available 0 or 1 (3.2.2.3.5); Receive Maximum and Maximum Packet
/// Size never 0 (3.2.2.3.3, 3.2.2.3.6).
#[test]
fn section_3_2_2_3_connack_property_rules() {
    rejected_connack(
        &connack_v5(0x00, 0x00, &[0x17, 0x01]),
        DecodeError::PropertyNotAllowed {
            property: PropertyId::RequestProblemInformation,
            set: PropertySet::ConnAck,
        },
    );
    rejected_connack(
        &connack_v5(0x00, 0x00, &[0x23, 0x00, 0x01]),
        DecodeError::PropertyNotAllowed {
            property: PropertyId::TopicAlias,
            set: PropertySet::ConnAck,
        },
    );
    rejected_connack(
        &connack_v5(0x00, 0x00, &[0x13, 0x00, 0x1e, 0x13, 0x00, 0x1e]),
        DecodeError::DuplicateProperty(PropertyId::ServerKeepAlive),
    );
    rejected_connack(
        &connack_v5(0x00, 0x00, &[0x24, 0x02]),
        DecodeError::InvalidPropertyValue {
            property: PropertyId::MaximumQos,
            value: 2,
        },
    );
    rejected_connack(
        &connack_v5(0x00, 0x00, &[0x25, 0x02]),
        DecodeError::InvalidPropertyValue {
            property: PropertyId::RetainAvailable,
            value: 2,
        },
    );
    rejected_connack(
        &connack_v5(0x00, 0x00, &[0x21, 0x00, 0x00]),
        DecodeError::InvalidPropertyValue {
            property: PropertyId::ReceiveMaximum,
            value: 0,
        },
    );
    rejected_connack(
        &connack_v5(0x00, 0x00, &[0x27, 0x00, 0x00, 0x00, 0x00]),
        DecodeError::InvalidPropertyValue {
            property: PropertyId::MaximumPacketSize,
            value: 0,
        },
    );
    // Two User Properties are fine.
    let wire = connack_v5(
        0x00,
        0x00,
        &[0x26, 0, 1, b'a', 0, 0, 0x26, 0, 1, b'a', 0, 0],
    );
    let expected = ConnAck::accepted(false).with_properties(props([
        Property::UserProperty("a", ""),
        Property::UserProperty("a", ""),
    ]));
    valid_connack(&wire, &expected);
    // The encoder refuses what the decoder refuses.
    let topic_alias = ConnAck::accepted(false).with_properties(props([Property::TopicAlias(1)]));
    assert_eq!(
        Encoder::V5.to_bytes(&topic_alias),
        Err(EncodeError::PropertyNotAllowed {
            property: PropertyId::TopicAlias,
            set: PropertySet::ConnAck,
        })
    );
}

/// Sections 3.2.2.3.18 and 3.1.2.11.10: Authentication Data without an Authentication Method
/// is a Protocol Error, in a CONNACK as in a CONNECT.
#[test]
fn section_3_2_2_3_18_authentication_data_without_method() {
    rejected_connack(
        &connack_v5(0x00, 0x00, &[0x16, 0x00, 0x01, 0x09]),
        DecodeError::MissingAuthenticationMethod,
    );
    let data_alone =
        ConnAck::accepted(false).with_properties(props([Property::AuthenticationData(&[9])]));
    assert_eq!(
        Encoder::V5.to_bytes(&data_alone),
        Err(EncodeError::MissingAuthenticationMethod)
    );
}

/// [MQTT-3.2.2-19] The Server MUST NOT send this property (Reason String) if it would increase
/// the size of the CONNACK packet beyond the Maximum Packet Size specified by the Client.
/// [MQTT-3.2.2-20] The same for User Property. The other properties are kept; a CONNACK that
/// still does not fit cannot be sent.
#[test]
fn mqtt_3_2_2_19_and_20_reason_string_and_user_properties_dropped_to_fit() {
    let connack = ConnAck::refused(ConnectReasonCode::UseAnotherServer).with_properties(props([
        Property::ReasonString("not allowed here"),
        Property::UserProperty("k", "v"),
        Property::ServerReference("other"),
    ]));
    let full = [
        &[0x20, 0x25, 0x00, 0x9c, 0x22][..], // Remaining Length 37, 0x9C, Property Length 34
        &[0x1f, 0x00, 0x10],
        b"not allowed here",
        &[0x26, 0x00, 0x01, b'k', 0x00, 0x01, b'v'],
        &[0x1c, 0x00, 0x05, b'o', b't', b'h', b'e', b'r'],
    ]
    .concat();
    let reduced = [
        0x20, 0x0b, 0x00, 0x9c, 0x08, // Remaining Length 11, 0x9C, Property Length 8
        0x1c, 0x00, 0x05, b'o', b't', b'h', b'e', b'r', // Server Reference
    ];
    valid_connack(&full, &connack);
    for (max, wire) in [(39, &full[..]), (38, &reduced[..]), (13, &reduced[..])] {
        let encoder = Encoder::V5.max_packet_size(max);
        assert_eq!(encoder.encoded_len(&connack), wire.len(), "limit {max}");
        assert_eq!(
            &encoder.to_bytes(&connack).unwrap()[..],
            wire,
            "limit {max}"
        );
    }
    assert_eq!(
        Encoder::V5.max_packet_size(12).to_bytes(&connack),
        Err(EncodeError::ExceedsMaximumPacketSize { size: 13, max: 12 })
    );
    // The borrowed CONNACK fits the same way.
    let Ok(Some((PacketRef::ConnAck(borrowed), _))) = v5().decode_ref(&full) else {
        panic!()
    };
    assert_eq!(
        &Encoder::V5.max_packet_size(38).to_bytes(&borrowed).unwrap()[..],
        reduced
    );
}

/// Section 3.2.2.2 and MQTT 3.1.1 Table 3.1: the six 3.1.1 return codes are read as the 5.0
/// Reason Codes that mean the same, and written back as themselves.
#[test]
fn section_3_2_2_2_v311_return_codes_convert() {
    let pairs = [
        (0x00, ConnectReasonCode::Success),
        (0x01, ConnectReasonCode::UnsupportedProtocolVersion),
        (0x02, ConnectReasonCode::ClientIdentifierNotValid),
        (0x03, ConnectReasonCode::ServerUnavailable),
        (0x04, ConnectReasonCode::BadUserNameOrPassword),
        (0x05, ConnectReasonCode::NotAuthorized),
    ];
    for (byte, reason_code) in pairs {
        let wire = [0x20, 0x02, 0x00, byte];
        let expected = ConnAck {
            reason_code,
            ..ConnAck::accepted(false)
        };
        assert_eq!(
            decode(&mut BytesMut::from(&wire[..])),
            Ok(Some(Packet::ConnAck(expected.clone())))
        );
        assert_eq!(
            decode_ref(&wire).unwrap().unwrap().0.to_owned(),
            Packet::ConnAck(expected.clone())
        );
        assert_eq!(&expected.to_bytes().unwrap()[..], wire);
        let return_code = ConnectReturnCode::from_byte(byte).unwrap();
        assert_eq!(ConnAck::refused(return_code).reason_code, reason_code);
    }
}

/// A 5.0 CONNACK encoded for MQTT 3.1.1: 0x87 Not authorized becomes return code 5, the
/// properties are left out; 0x9C Use another server has no 3.1.1 return code and cannot be
/// encoded for it.
#[test]
fn section_3_2_2_2_v5_connack_encoded_for_v311() {
    let not_authorized = ConnAck::refused(ConnectReasonCode::NotAuthorized)
        .with_properties(props([Property::ReasonString("who are you")]));
    assert_eq!(
        &not_authorized.to_bytes().unwrap()[..],
        [0x20, 0x02, 0x00, 0x05]
    );
    assert_eq!(
        &Encoder::V311.to_bytes(&not_authorized).unwrap()[..],
        [0x20, 0x02, 0x00, 0x05]
    );
    assert_eq!(not_authorized.encoded_len(), 4);
    let session = ConnAck::accepted(true)
        .with_properties(props([Property::AssignedClientIdentifier("auto-1")]));
    assert_eq!(&session.to_bytes().unwrap()[..], [0x20, 0x02, 0x01, 0x00]);

    let moved = ConnAck::refused(ConnectReasonCode::UseAnotherServer);
    assert!(matches!(moved.to_bytes(), Err(EncodeError::NotInV311(_))));
    let mut buf = Vec::new();
    assert!(moved.encode(&mut buf).is_err());
    assert!(buf.is_empty(), "nothing is written on error");
    assert_eq!(
        &Encoder::V5.to_bytes(&moved).unwrap()[..],
        [0x20, 0x03, 0x00, 0x9c, 0x00]
    );
}

// ---------------------------------------------------------------------------------------------
// Both decoders
// ---------------------------------------------------------------------------------------------

/// Decodes `bytes` (one frame, perhaps damaged) owned and borrowed with `decoder`: both give the
/// same packet or the same error, and a packet that decodes encodes, in the decoder's version,
/// to bytes that decode to it again.
fn agree(decoder: &Decoder, bytes: &[u8]) {
    let owned = decoder.decode(&mut BytesMut::from(bytes));
    let borrowed = decoder.decode_ref(bytes);
    match (&owned, &borrowed) {
        (Ok(None), Ok(None)) => {}
        (Ok(Some(p)), Ok(Some((r, _)))) => {
            assert_eq!(&r.to_owned(), p, "{bytes:02x?}");
            let encoder = Encoder::new(decoder.protocol_version());
            let again = encoder.to_bytes(p).expect("a decoded packet encodes");
            assert_eq!(encoder.to_bytes(r).as_ref(), Ok(&again));
            assert_eq!(decoder.decode_frame(again).as_ref(), Ok(p), "{bytes:02x?}");
        }
        (Err(a), Err(b)) => assert_eq!(a, b, "{bytes:02x?}"),
        _ => panic!("{bytes:02x?}: owned {owned:?} but borrowed {borrowed:?}"),
    }
}

/// Every value of every byte of 5.0 CONNECTs with all their fields and properties and of
/// CONNACKs with properties: the owned and the borrowed decoder agree (`decode` and
/// `decode_ref(..).to_owned()`), with a first-packet decoder and 5.0 decoders.
#[test]
fn both_decoders_agree_on_every_single_byte_edit() {
    let connects = [
        base_v5("id")
            .with_properties(props([
                Property::SessionExpiryInterval(3600),
                Property::ReceiveMaximum(16),
                Property::RequestProblemInformation(false),
                Property::UserProperty("a", "b"),
                Property::AuthenticationMethod("SCRAM"),
                Property::AuthenticationData(&[1, 2]),
            ]))
            .with_will(
                Will::new(topic("s/1"), QoS::ExactlyOnce, "gone")
                    .with_retain(true)
                    .with_properties(props([
                        Property::WillDelayInterval(30),
                        Property::PayloadFormatIndicator(PayloadFormat::Utf8),
                        Property::ResponseTopic("rep/1"),
                        Property::CorrelationData(&[1, 2, 3]),
                    ])),
            )
            .with_login(Login::new(s("user")).with_password("pw")),
        base_v5("c").with_login(Login::password_only("pwd")),
    ];
    let connacks = [
        ConnAck::accepted(true).with_properties(props([
            Property::SessionExpiryInterval(120),
            Property::MaximumQos(QoS::AtLeastOnce),
            Property::RetainAvailable(false),
            Property::AssignedClientIdentifier("cid"),
            Property::ReasonString("ok"),
            Property::UserProperty("n", "v"),
            Property::AuthenticationMethod("m"),
            Property::AuthenticationData(&[9]),
        ])),
        ConnAck::refused(ConnectReasonCode::UseAnotherServer)
            .with_properties(props([Property::ServerReference("other")])),
    ];
    let frames: Vec<Vec<u8>> = connects
        .iter()
        .map(|c| c.to_bytes().unwrap().to_vec())
        .chain(
            connacks
                .iter()
                .map(|c| Encoder::V5.to_bytes(c).unwrap().to_vec()),
        )
        .collect();
    let decoders = [Decoder::new(), v5(), v5().lenient_reserved_flags(true)];
    for bytes in &frames {
        for i in 0..bytes.len() {
            for v in 0..=255u8 {
                let mut edited = bytes.clone();
                edited[i] = v;
                for decoder in &decoders {
                    agree(decoder, &edited);
                }
            }
        }
    }
}
