//! Conformance of SUBSCRIBE, SUBACK, UNSUBSCRIBE and UNSUBACK in MQTT 5.0 (sections 3.8 to
//! 3.11, and 4.8.2 for Shared Subscriptions), and their conversions to and from MQTT 3.1.1.
//!
//! Every expected byte sequence is written by hand from the standard (`shared/spec/`), never
//! produced by this crate's encoder. Each valid frame is decoded by both decoders (`decode`,
//! `decode_frame`, and `decode_ref(..).to_owned()`), which must agree, and encoded back byte
//! for byte, owned and borrowed. See `src/conformance_v5.md` for the statement table.

use bytes::{Bytes, BytesMut};
use mqttwire::*;

// ---------------------------------------------------------------------------------------------
// Helpers of this file.
// ---------------------------------------------------------------------------------------------

/// The decoder of a 5.0 connection.
const V5: Decoder = Decoder::new().protocol(Protocol::V5);

fn pid(id: u16) -> PacketId {
    PacketId::new(id).unwrap()
}

fn filter(text: &str) -> TopicFilter {
    TopicFilter::new(text).unwrap()
}

/// A packet with first byte `first` and body `body` (Remaining Length < 128).
fn packet(first: u8, body: &[u8]) -> Vec<u8> {
    assert!(body.len() < 128);
    let mut wire = vec![first, body.len() as u8];
    wire.extend_from_slice(body);
    wire
}

/// A 5.0 SUBSCRIBE, packet identifier 10, no properties, one filter (raw bytes) with its
/// Subscription Options byte.
fn subscribe_one(raw_filter: &[u8], options: u8) -> Vec<u8> {
    let mut body = vec![0x00, 0x0a, 0x00, 0x00, raw_filter.len() as u8];
    body.extend_from_slice(raw_filter);
    body.push(options);
    packet(0x82, &body)
}

/// A 5.0 UNSUBSCRIBE, packet identifier 10, no properties, one filter (raw bytes).
fn unsubscribe_one(raw_filter: &[u8]) -> Vec<u8> {
    let mut body = vec![0x00, 0x0a, 0x00, 0x00, raw_filter.len() as u8];
    body.extend_from_slice(raw_filter);
    packet(0xa2, &body)
}

/// A valid 5.0 packet written by hand: both decoders make `expected` of it (streaming, as a
/// frame, borrowed then copied), every strict prefix waits, and the owned and borrowed
/// encoders for 5.0 write exactly these bytes.
fn v5_valid(wire: &[u8], expected: &Packet) {
    let mut buf = BytesMut::from(wire);
    buf.extend_from_slice(&[0xc0, 0x00]);
    assert_eq!(
        V5.decode(&mut buf),
        Ok(Some(expected.clone())),
        "{wire:02x?}"
    );
    assert_eq!(&buf[..], &[0xc0, 0x00], "exactly one frame is consumed");
    assert_eq!(
        V5.decode_frame(Bytes::copy_from_slice(wire)),
        Ok(expected.clone())
    );
    let borrowed = V5.decode_frame_ref(wire).unwrap();
    assert_eq!(&borrowed.to_owned(), expected, "the decoders agree");
    let (from_ref, used) = V5.decode_ref(wire).unwrap().unwrap();
    assert_eq!((from_ref, used), (borrowed, wire.len()));
    for cut in 0..wire.len() {
        let mut buf = BytesMut::from(&wire[..cut]);
        assert_eq!(V5.decode(&mut buf), Ok(None), "prefix of {cut} bytes");
    }
    assert_eq!(Encoder::V5.encoded_len(expected), wire.len());
    assert_eq!(&Encoder::V5.to_bytes(expected).unwrap()[..], wire);
    assert_eq!(Encoder::V5.encoded_len(&borrowed), wire.len());
    assert_eq!(&Encoder::V5.to_bytes(&borrowed).unwrap()[..], wire);
}

/// `wire` is refused in 5.0 with `error`, by every decoder.
fn v5_rejected(wire: &[u8], error: DecodeError) {
    let mut buf = BytesMut::from(wire);
    assert_eq!(V5.decode(&mut buf), Err(error), "{wire:02x?}");
    assert_eq!(
        V5.decode_frame(Bytes::copy_from_slice(wire)),
        Err(error),
        "{wire:02x?}"
    );
    assert_eq!(V5.decode_frame_ref(wire), Err(error), "{wire:02x?}");
}

/// Both encodings of `packet`, owned and borrowed alike: (3.1.1, 5.0).
fn both_encodings(packet: &Packet) -> (Bytes, Bytes) {
    let v311 = packet.to_bytes().unwrap();
    let v5 = Encoder::V5.to_bytes(packet).unwrap();
    let bytes = Encoder::V5.to_bytes(packet).unwrap();
    let borrowed = V5.decode_frame_ref(&bytes).unwrap();
    assert_eq!(borrowed.to_bytes().unwrap(), v311, "{packet:?}");
    assert_eq!(Encoder::V5.to_bytes(&borrowed).unwrap(), v5, "{packet:?}");
    assert_eq!(packet.encoded_len(), v311.len());
    assert_eq!(Encoder::V5.encoded_len(packet), v5.len());
    (v311, v5)
}

// ---------------------------------------------------------------------------------------------
// 3.8 SUBSCRIBE
// ---------------------------------------------------------------------------------------------

/// [MQTT-3.8.1-1]: "Bits 3,2,1 and 0 of the Fixed Header of the SUBSCRIBE packet are reserved
/// and MUST be set to 0,0,1 and 0 respectively. The Server MUST treat any other value as
/// malformed and close the Network Connection." [MQTT-3.10.1-1]: the same of UNSUBSCRIBE.
#[test]
fn mqtt_3_8_1_1_and_3_10_1_1_fixed_header_flags() {
    for (first, packet_type) in [
        (0x80, PacketType::Subscribe),
        (0x83, PacketType::Subscribe),
        (0xa0, PacketType::Unsubscribe),
        (0xaa, PacketType::Unsubscribe),
    ] {
        let mut wire = subscribe_one(b"a/b", 0x00);
        wire[0] = first;
        let error = DecodeError::InvalidFlags {
            packet_type,
            flags: first & 0x0f,
        };
        v5_rejected(&wire, error);
        assert_eq!(error.reason_code(), DisconnectReasonCode::MalformedPacket);
    }
}

/// [MQTT-3.8.3-1]: "The Topic Filters MUST be a UTF-8 Encoded String." [MQTT-3.10.3-1]: "The
/// Topic Filters in an UNSUBSCRIBE packet MUST be UTF-8 Encoded Strings." Ill-formed UTF-8,
/// U+0000 and an empty filter are refused in 5.0 as in 3.1.1.
#[test]
fn mqtt_3_8_3_1_and_3_10_3_1_filters_are_utf8() {
    for raw in [&b"a/\xff"[..], b"a\x00b", b""] {
        for wire in [subscribe_one(raw, 0x01), unsubscribe_one(raw)] {
            let error = V5.decode_frame_ref(&wire).unwrap_err();
            assert!(
                matches!(error, DecodeError::InvalidTopicFilter(_)),
                "{raw:?}: {error:?}"
            );
            assert_eq!(error.reason_code(), DisconnectReasonCode::MalformedPacket);
        }
    }
}

/// Section 3.8.2: "The Variable Header of the SUBSCRIBE Packet contains the following fields in
/// the order: Packet Identifier, and Properties." Figure 3-19: packet identifier 10 and no
/// properties (a Property Length of 0); Figure 3-21: "a/b" at QoS 1 and "c/d" at QoS 2.
#[test]
fn section_3_8_2_subscribe_without_properties() {
    let wire = b"\x82\x0f\x00\x0a\x00\x00\x03a/b\x01\x00\x03c/d\x02";
    let expected = Subscribe::new(
        pid(10),
        [
            Subscription::new(filter("a/b"), QoS::AtLeastOnce),
            Subscription::new(filter("c/d"), QoS::ExactlyOnce),
        ],
    )
    .unwrap();
    v5_valid(wire, &expected.clone().into());
    // Built for 3.1.1 (no 5.0 option): the same value gets a Property Length of 0 in 5.0.
    assert_eq!(&Encoder::V5.to_bytes(&expected).unwrap()[..], wire);
    assert_eq!(
        &expected.to_bytes().unwrap()[..],
        b"\x82\x0e\x00\x0a\x00\x03a/b\x01\x00\x03c/d\x02"
    );
}

/// Sections 3.8.2.1 and 3.8.3.1: a Subscription Identifier and a User Property, then three
/// subscriptions whose options use every field: No Local (bit 2), Retain As Published (bit 3),
/// Retain Handling (bits 4-5), and a Shared Subscription.
#[test]
fn section_3_8_3_1_subscription_options_and_properties_round_trip() {
    let wire = b"\x82\x25\x00\x0a\x09\x0b\x07\x26\x00\x01k\x00\x01v\
                 \x00\x03a/b\x25\x00\x03c/#\x1a\x00\x0a$share/g/d\x00";
    let subscriptions = [
        Subscription::new(filter("a/b"), QoS::AtLeastOnce)
            .with_no_local(true)
            .with_retain_handling(RetainHandling::DoNotSend),
        Subscription::new(filter("c/#"), QoS::ExactlyOnce)
            .with_retain_as_published(true)
            .with_retain_handling(RetainHandling::SendOnSubscribeIfNew),
        Subscription::new(filter("$share/g/d"), QoS::AtMostOnce),
    ];
    let properties = Properties::new([
        Property::SubscriptionIdentifier(7),
        Property::UserProperty("k", "v"),
    ])
    .unwrap();
    let expected = Subscribe::new(pid(10), subscriptions.clone())
        .unwrap()
        .with_properties(properties)
        .unwrap();
    v5_valid(wire, &expected.clone().into());

    let Ok(Packet::Subscribe(decoded)) = V5.decode_frame(Bytes::from_static(wire)) else {
        panic!()
    };
    assert_eq!(decoded.properties().subscription_identifier(), Some(7));
    assert_eq!(
        decoded.properties().user_properties().collect::<Vec<_>>(),
        [("k", "v")]
    );
    assert_eq!(decoded.subscriptions().collect::<Vec<_>>(), subscriptions);
    let options: Vec<_> = decoded.iter_with_options().collect();
    assert_eq!(options[0].0, "a/b");
    assert_eq!(options[0].1, subscriptions[0].options());
    assert!(options[0].1.no_local && !options[0].1.retain_as_published);
    assert!(options[1].1.retain_as_published && !options[1].1.no_local);
    assert_eq!(
        decoded.iter().collect::<Vec<_>>(),
        [
            ("a/b", QoS::AtLeastOnce),
            ("c/#", QoS::ExactlyOnce),
            ("$share/g/d", QoS::AtMostOnce)
        ]
    );
}

/// Section 3.8.2.1.2: "It is a Protocol Error to include the Subscription Identifier more than
/// once." And "It is a Protocol Error if the Subscription Identifier has a value of 0."
#[test]
fn section_3_8_2_1_2_subscription_identifier_once_and_not_0() {
    let twice = b"\x82\x0b\x00\x0a\x04\x0b\x01\x0b\x02\x00\x01a\x00";
    v5_rejected(
        twice,
        DecodeError::DuplicateProperty(PropertyId::SubscriptionIdentifier),
    );
    let zero = b"\x82\x09\x00\x0a\x02\x0b\x00\x00\x01a\x00";
    let error = DecodeError::InvalidPropertyValue {
        property: PropertyId::SubscriptionIdentifier,
        value: 0,
    };
    v5_rejected(zero, error);
    for error in [
        DecodeError::DuplicateProperty(PropertyId::SubscriptionIdentifier),
        error,
    ] {
        assert_eq!(error.reason_code(), DisconnectReasonCode::ProtocolError);
    }
    // Refused when built, too.
    let subscribe = Subscribe::new(pid(1), [Subscription::new(filter("a"), QoS::AtMostOnce)]);
    let twice = Properties::new([
        Property::SubscriptionIdentifier(1),
        Property::SubscriptionIdentifier(2),
    ])
    .unwrap();
    assert_eq!(
        subscribe.unwrap().with_properties(twice),
        Err(EncodeError::DuplicateProperty(
            PropertyId::SubscriptionIdentifier
        ))
    );
    assert!(Properties::new([Property::SubscriptionIdentifier(0)]).is_err());
}

/// Section 2.2.2.2 (Table 2-4): a SUBSCRIBE carries a Subscription Identifier and User
/// Properties only; any other property makes it malformed.
#[test]
fn section_2_2_2_2_subscribe_properties_are_its_own() {
    // A Reason String (0x1F) "x".
    let wire = b"\x82\x0b\x00\x0a\x04\x1f\x00\x01x\x00\x01a\x00";
    let error = DecodeError::PropertyNotAllowed {
        property: PropertyId::ReasonString,
        set: PropertySet::Subscribe,
    };
    v5_rejected(wire, error);
    assert_eq!(error.reason_code(), DisconnectReasonCode::MalformedPacket);
    let subscribe = Subscribe::new(pid(1), [Subscription::new(filter("a"), QoS::AtMostOnce)]);
    let reason = Properties::new([Property::ReasonString("x")]).unwrap();
    assert_eq!(
        subscribe.unwrap().with_properties(reason),
        Err(EncodeError::PropertyNotAllowed {
            property: PropertyId::ReasonString,
            set: PropertySet::Subscribe
        })
    );
}

/// [MQTT-3.8.3-2]: "The Payload MUST contain at least one Topic Filter and Subscription
/// Options pair." "A SUBSCRIBE packet with no Payload is a Protocol Error."
#[test]
fn mqtt_3_8_3_2_subscribe_without_payload_is_a_protocol_error() {
    v5_rejected(b"\x82\x03\x00\x0a\x00", DecodeError::EmptySubscribe);
    v5_rejected(b"\x82\x05\x00\x0a\x02\x0b\x01", DecodeError::EmptySubscribe);
    assert_eq!(
        DecodeError::EmptySubscribe.reason_code(),
        DisconnectReasonCode::ProtocolError
    );
    // Without a Property Length the variable header is cut short.
    v5_rejected(b"\x82\x02\x00\x0a", DecodeError::FieldOverrun);
}

/// Section 3.8.3.1: "It is a Protocol Error if the Maximum QoS field has the value 3."
#[test]
fn section_3_8_3_1_maximum_qos_3_is_a_protocol_error() {
    for options in [0x03, 0x07, 0x1f] {
        let error = DecodeError::InvalidMaximumQos(options);
        v5_rejected(&subscribe_one(b"a/b", options), error);
        assert_eq!(error.reason_code(), DisconnectReasonCode::ProtocolError);
    }
}

/// Section 3.8.3.1: "It is a Protocol Error to send a Retain Handling value of 3."
#[test]
fn section_3_8_3_1_retain_handling_3_is_a_protocol_error() {
    for options in [0x30, 0x31, 0x3e] {
        let error = DecodeError::InvalidRetainHandling(options);
        v5_rejected(&subscribe_one(b"a/b", options), error);
        assert_eq!(error.reason_code(), DisconnectReasonCode::ProtocolError);
    }
}

/// [MQTT-3.8.3-5]: "The Server MUST treat a SUBSCRIBE packet as malformed if any of Reserved
/// bits in the Payload are non-zero." (Bits 6 and 7 of the Subscription Options.)
#[test]
fn mqtt_3_8_3_5_reserved_option_bits() {
    for options in [0x40, 0x80, 0xc1, 0xff] {
        let error = DecodeError::SubscriptionOptionsReserved(options);
        v5_rejected(&subscribe_one(b"a/b", options), error);
        assert_eq!(error.reason_code(), DisconnectReasonCode::MalformedPacket);
    }
    // Every layout of bits 0-5 but QoS 3 and Retain Handling 3 is accepted.
    let mut accepted = 0;
    for options in 0..0x40u8 {
        let wire = subscribe_one(b"a/b", options);
        if let Ok(PacketRef::Subscribe(s)) = V5.decode_frame_ref(&wire) {
            accepted += 1;
            let (_, decoded) = s.iter_with_options().next().unwrap();
            assert_eq!(decoded.byte(), options);
            v5_valid(&wire, &s.to_owned().into());
        }
    }
    assert_eq!(accepted, 3 * 2 * 2 * 3);
}

/// [MQTT-3.8.3-4]: "It is a Protocol Error to set the No Local bit to 1 on a Shared
/// Subscription."
#[test]
fn mqtt_3_8_3_4_no_local_on_shared_subscription() {
    v5_rejected(
        &subscribe_one(b"$share/g/a/b", 0x04),
        DecodeError::NoLocalOnSharedSubscription,
    );
    assert_eq!(
        DecodeError::NoLocalOnSharedSubscription.reason_code(),
        DisconnectReasonCode::ProtocolError
    );
    // No Local on an ordinary filter, and a shared one without it, are fine.
    let local = subscribe_one(b"a/b", 0x04);
    let Ok(PacketRef::Subscribe(s)) = V5.decode_frame_ref(&local) else {
        panic!()
    };
    v5_valid(&local, &s.to_owned().into());
    assert!(V5
        .decode_frame_ref(&subscribe_one(b"$share/g/a/b", 0x01))
        .is_ok());
    // It cannot be built either.
    let shared = Subscription::new(filter("$share/g/a/b"), QoS::AtLeastOnce).with_no_local(true);
    assert_eq!(
        Subscribe::new(pid(1), [shared]),
        Err(EncodeError::NoLocalOnSharedSubscription)
    );
}

/// [MQTT-4.8.2-1]: "A Shared Subscription's Topic Filter MUST start with $share/ and MUST
/// contain a ShareName that is at least one character long." A Protocol Error: the filter
/// parses, what it holds is forbidden (section 1.2). In MQTT 3.1.1 there are no shared
/// subscriptions, and `$share//a` is an ordinary topic filter.
#[test]
fn mqtt_4_8_2_1_share_name_at_least_one_character() {
    for raw in [&b"$share//a"[..], b"$share//", b"$share/"] {
        v5_rejected(&subscribe_one(raw, 0x00), DecodeError::EmptyShareName);
        v5_rejected(&unsubscribe_one(raw), DecodeError::EmptyShareName);
    }
    assert_eq!(
        DecodeError::EmptyShareName.reason_code(),
        DisconnectReasonCode::ProtocolError
    );
    // 3.1.1: an ordinary filter, decoded and encoded; 5.0 encoding refuses it.
    let v311 = b"\x82\x0e\x00\x0a\x00\x09$share//a\x00";
    let Ok(packet @ Packet::Subscribe(_)) = decode_frame(Bytes::from_static(v311)) else {
        panic!()
    };
    assert_eq!(&packet.to_bytes().unwrap()[..], v311);
    let mut out = Vec::new();
    assert_eq!(
        Encoder::V5.encode(&packet, &mut out),
        Err(EncodeError::EmptyShareName)
    );
    assert!(out.is_empty());
    let unsubscribe = Unsubscribe::new(pid(1), [filter("$share//a")]).unwrap();
    assert_eq!(
        Encoder::V5.to_bytes(&unsubscribe),
        Err(EncodeError::EmptyShareName)
    );
}

/// [MQTT-4.8.2-2]: "The ShareName MUST NOT contain the characters "/", "+" or "#", but MUST be
/// followed by a "/" character. This "/" character MUST be followed by a Topic Filter."
#[test]
fn mqtt_4_8_2_2_share_name_then_slash_and_filter() {
    for raw in [&b"$share/g"[..], b"$share/g/", b"$share/+/a", b"$share/#"] {
        v5_rejected(&subscribe_one(raw, 0x00), DecodeError::InvalidShareName);
        v5_rejected(&unsubscribe_one(raw), DecodeError::InvalidShareName);
        let subscribe = Subscribe::new(
            pid(1),
            [Subscription::new(
                filter(core::str::from_utf8(raw).unwrap()),
                QoS::AtMostOnce,
            )],
        )
        .unwrap();
        assert_eq!(
            Encoder::V5.to_bytes(&subscribe),
            Err(EncodeError::InvalidShareName)
        );
        assert!(subscribe.to_bytes().is_ok(), "an ordinary 3.1.1 filter");
    }
    assert_eq!(
        DecodeError::InvalidShareName.reason_code(),
        DisconnectReasonCode::ProtocolError
    );
    // A wildcard inside a ShareName level is first a misplaced wildcard (section 4.7.1).
    assert!(matches!(
        V5.decode_frame_ref(&subscribe_one(b"$share/g+/a", 0x00)),
        Err(DecodeError::InvalidTopicFilter(_))
    ));
    // The standard's examples (section 4.8.2) are accepted.
    for raw in [
        &b"$share/consumer1/sport/tennis/+"[..],
        b"$share/consumer2/sport/tennis/+",
        b"$share/consumer1//finance",
    ] {
        let wire = subscribe_one(raw, 0x02);
        let Ok(PacketRef::Subscribe(s)) = V5.decode_frame_ref(&wire) else {
            panic!("{raw:?}")
        };
        v5_valid(&wire, &s.to_owned().into());
        let wire = unsubscribe_one(raw);
        let Ok(PacketRef::Unsubscribe(u)) = V5.decode_frame_ref(&wire) else {
            panic!("{raw:?}")
        };
        v5_valid(&wire, &u.to_owned().into());
    }
}

/// A 5.0 SUBSCRIBE goes to a 3.1.1 server without its properties and with the QoS bits of
/// each options byte alone (the 5.0 options narrow what the server sends; a gateway applies
/// them itself); a 3.1.1 SUBSCRIBE goes to a 5.0 server with a Property Length of 0.
#[test]
fn subscribe_between_versions() {
    let v5 = b"\x82\x25\x00\x0a\x09\x0b\x07\x26\x00\x01k\x00\x01v\
               \x00\x03a/b\x25\x00\x03c/#\x1a\x00\x0a$share/g/d\x00";
    let v311 = b"\x82\x1b\x00\x0a\x00\x03a/b\x01\x00\x03c/#\x02\x00\x0a$share/g/d\x00";
    let from_v5 = V5.decode_frame(Bytes::from_static(v5)).unwrap();
    assert_eq!(
        both_encodings(&from_v5),
        (Bytes::from_static(v311), Bytes::from_static(v5))
    );
    let borrowed = V5.decode_frame_ref(v5).unwrap();
    assert_eq!(&borrowed.to_bytes().unwrap()[..], v311);

    let from_v311 = decode_frame(Bytes::from_static(v311)).unwrap();
    let v5_plain = b"\x82\x1c\x00\x0a\x00\x00\x03a/b\x01\x00\x03c/#\x02\x00\x0a$share/g/d\x00";
    assert_eq!(
        both_encodings(&from_v311),
        (Bytes::from_static(v311), Bytes::from_static(v5_plain))
    );
    let borrowed = Decoder::new().decode_frame_ref(v311).unwrap();
    assert_eq!(&Encoder::V5.to_bytes(&borrowed).unwrap()[..], v5_plain);
    // Decoded in 3.1.1, the same subscriptions without options and properties.
    let (Packet::Subscribe(a), Packet::Subscribe(b)) = (&from_v5, &from_v311) else {
        panic!()
    };
    assert_eq!(a.iter().collect::<Vec<_>>(), b.iter().collect::<Vec<_>>());
    assert!(b.properties().is_empty());
    assert!(b.iter_with_options().all(|(_, o)| o.is_v311()));
    // The 5.0 decoding of the 3.1.1 SUBSCRIBE's 5.0 form is the 3.1.1 value.
    assert_eq!(
        V5.decode_frame(Bytes::from_static(v5_plain)).unwrap(),
        from_v311
    );
}

/// The 3.1.1 decoder still refuses the 5.0 option bits: there they are reserved
/// [MQTT-3-8.3-4] (3.1.1's numbering).
#[test]
fn subscribe_options_are_reserved_bits_in_v311() {
    let wire = b"\x82\x08\x00\x0a\x00\x03a/b\x05";
    assert_eq!(
        decode_frame(Bytes::from_static(wire)),
        Err(DecodeError::InvalidRequestedQos(0x05))
    );
    assert_eq!(
        V5.decode_frame(Bytes::from_static(b"\x82\x09\x00\x0a\x00\x00\x03a/b\x05"))
            .map(|p| p.packet_type()),
        Ok(PacketType::Subscribe)
    );
}

/// `Subscribe::new` writes the 3.1.1 form while no subscription needs 5.0, and the 5.0 form
/// (a Property Length of 0) from the first that does.
#[test]
fn subscribe_built_with_options() {
    let plain = Subscription::new(filter("a"), QoS::AtLeastOnce);
    let bridged = Subscription::new(filter("b"), QoS::AtMostOnce)
        .with_no_local(true)
        .with_retain_as_published(true);
    let subscribe = Subscribe::new(pid(3), [plain.clone(), bridged.clone()]).unwrap();
    let packet = Packet::from(subscribe.clone());
    assert_eq!(
        both_encodings(&packet),
        (
            Bytes::from_static(b"\x82\x0a\x00\x03\x00\x01a\x01\x00\x01b\x00"),
            Bytes::from_static(b"\x82\x0b\x00\x03\x00\x00\x01a\x01\x00\x01b\x0c")
        )
    );
    assert_eq!(
        subscribe.subscriptions().collect::<Vec<_>>(),
        [plain, bridged]
    );
    assert_eq!(subscribe.len(), 2);
    assert!(subscribe.properties().is_empty());
}

// ---------------------------------------------------------------------------------------------
// 3.9 SUBACK
// ---------------------------------------------------------------------------------------------

/// Section 3.9.2: the packet identifier, then the properties (here a Reason String "ok");
/// [MQTT-3.9.3-2]: "The Server sending a SUBACK packet MUST use one of the Subscribe Reason
/// Codes for each Topic Filter received": all 12 of Table 3-8, in order [MQTT-3.9.3-1].
#[test]
fn mqtt_3_9_3_2_suback_reason_codes_round_trip() {
    let wire = b"\x90\x14\x00\x0a\x05\x1f\x00\x02ok\
                 \x00\x01\x02\x80\x83\x87\x8f\x91\x97\x9e\xa1\xa2";
    let codes: Vec<SubAckReasonCode> = wire[10..]
        .iter()
        .map(|&b| SubAckReasonCode::from_byte(b).unwrap())
        .collect();
    let expected = SubAck::new(pid(10), codes.clone())
        .with_properties(Properties::new([Property::ReasonString("ok")]).unwrap())
        .unwrap();
    v5_valid(wire, &expected.clone().into());
    assert_eq!(expected.reason_codes().collect::<Vec<_>>(), codes);
    assert_eq!(expected.properties().reason_string(), Some("ok"));
    let Ok(PacketRef::SubAck(borrowed)) = V5.decode_frame_ref(wire) else {
        panic!()
    };
    assert_eq!(borrowed.iter().collect::<Vec<_>>(), codes);
    assert_eq!((borrowed.packet_id, borrowed.len()), (pid(10), 12));

    // A byte outside Table 3-8 is refused: QoS 3, an UNSUBACK code, a 3.1.1 reserved value.
    for code in [0x03, 0x11, 0x8e] {
        let error = DecodeError::InvalidReasonCode {
            packet_type: PacketType::SubAck,
            code,
        };
        v5_rejected(&packet(0x90, &[0x00, 0x0a, 0x00, 0x00, code]), error);
        assert_eq!(error.reason_code(), DisconnectReasonCode::MalformedPacket);
    }
}

/// [MQTT-3.9.3-1]: "The order of Reason Codes in the SUBACK packet MUST match the order of
/// Topic Filters in the SUBSCRIBE packet": the codes keep their order, in both versions.
#[test]
fn mqtt_3_9_3_1_suback_codes_keep_their_order() {
    let codes = [
        SubAckReasonCode::NotAuthorized,
        SubAckReasonCode::GrantedQos2,
        SubAckReasonCode::QuotaExceeded,
        SubAckReasonCode::GrantedQos0,
    ];
    let suback = Packet::from(SubAck::new(pid(5), codes));
    assert_eq!(
        both_encodings(&suback),
        (
            Bytes::from_static(b"\x90\x06\x00\x05\x80\x02\x80\x00"),
            Bytes::from_static(b"\x90\x07\x00\x05\x00\x87\x02\x97\x00")
        )
    );
}

/// A SUBACK without codes answers no SUBSCRIBE ([MQTT-3.8.4-6], [MQTT-3.9.3-1]): a Protocol
/// Error in 5.0, refused by the encoder.
#[test]
fn mqtt_3_9_3_1_empty_suback_is_refused() {
    v5_rejected(b"\x90\x03\x00\x0a\x00", DecodeError::EmptySubAck);
    assert_eq!(
        DecodeError::EmptySubAck.reason_code(),
        DisconnectReasonCode::ProtocolError
    );
    let empty = SubAck::new(pid(1), Vec::<SubAckReasonCode>::new());
    assert_eq!(Encoder::V5.to_bytes(&empty), Err(EncodeError::EmptySubAck));
}

/// A 3.1.1 SUBACK decodes into the 5.0 codes of the same value (0x80 Failure is 0x80
/// Unspecified error), and a 5.0 SUBACK goes to 3.1.1 with every refusal as 0x80, its one
/// failure code, and without properties.
#[test]
fn suback_between_versions() {
    let v311 = b"\x90\x05\x00\x01\x01\x80\x02";
    let Ok(Packet::SubAck(suback)) = decode_frame(Bytes::from_static(v311)) else {
        panic!()
    };
    assert_eq!(
        suback.reason_codes().collect::<Vec<_>>(),
        [
            SubAckReasonCode::GrantedQos1,
            SubAckReasonCode::UnspecifiedError,
            SubAckReasonCode::GrantedQos2
        ]
    );
    let v5 = b"\x90\x06\x00\x01\x00\x01\x80\x02";
    assert_eq!(
        both_encodings(&suback.clone().into()),
        (Bytes::from_static(v311), Bytes::from_static(v5))
    );
    assert_eq!(V5.decode_frame(Bytes::from_static(v5)), Ok(suback.into()));
    // 3.1.1 return codes build the same SUBACK.
    assert_eq!(
        SubAck::new(
            pid(1),
            [
                SubscribeReturnCode::Success(QoS::AtLeastOnce),
                SubscribeReturnCode::Failure,
                SubscribeReturnCode::Success(QoS::ExactlyOnce)
            ]
        )
        .to_bytes()
        .unwrap(),
        &v311[..]
    );

    let refusals = b"\x90\x0a\x00\x02\x03\x1f\x00\x00\x87\x9e\xa1\x01";
    let from_v5 = V5.decode_frame(Bytes::from_static(refusals)).unwrap();
    assert_eq!(
        both_encodings(&from_v5),
        (
            Bytes::from_static(b"\x90\x06\x00\x02\x80\x80\x80\x01"),
            Bytes::from_static(refusals)
        )
    );
    // The 3.1.1 decoder refuses the 5.0 codes.
    assert_eq!(
        decode_frame(Bytes::from_static(b"\x90\x03\x00\x01\x87")),
        Err(DecodeError::InvalidSubAckReturnCode(0x87))
    );
}

/// [MQTT-3.9.2-1]: "The Server MUST NOT send this Property if it would increase the size of the
/// SUBACK packet beyond the Maximum Packet Size specified by the Client." [MQTT-3.9.2-2]: the
/// same of the User Property.
#[test]
fn mqtt_3_9_2_1_and_2_suback_properties_left_out_to_fit() {
    let suback = SubAck::new(pid(1), [SubAckReasonCode::GrantedQos0])
        .with_properties(
            Properties::new([
                Property::ReasonString("reason"),
                Property::UserProperty("a", "b"),
            ])
            .unwrap(),
        )
        .unwrap();
    let full = b"\x90\x14\x00\x01\x10\x1f\x00\x06reason\x26\x00\x01a\x00\x01b\x00";
    for max in [22, 100] {
        let encoder = Encoder::V5.max_packet_size(max);
        assert_eq!(&encoder.to_bytes(&suback).unwrap()[..], full);
    }
    for max in [6, 21] {
        let encoder = Encoder::V5.max_packet_size(max);
        assert_eq!(encoder.encoded_len(&suback), 6);
        assert_eq!(
            &encoder.to_bytes(&suback).unwrap()[..],
            b"\x90\x04\x00\x01\x00\x00"
        );
        let borrowed = suback.as_borrowed();
        assert_eq!(
            &encoder.to_bytes(&borrowed).unwrap()[..],
            b"\x90\x04\x00\x01\x00\x00"
        );
    }
    assert_eq!(
        Encoder::V5.max_packet_size(5).to_bytes(&suback),
        Err(EncodeError::ExceedsMaximumPacketSize { size: 6, max: 5 })
    );
}

// ---------------------------------------------------------------------------------------------
// 3.10 UNSUBSCRIBE
// ---------------------------------------------------------------------------------------------

/// Section 3.10.2: the packet identifier, then the properties (User Properties only, section
/// 3.10.2.1); [MQTT-3.10.3-1]: the topic filters, "packed contiguously".
#[test]
fn section_3_10_2_unsubscribe_properties_round_trip() {
    let wire = b"\xa2\x1b\x00\x0b\x07\x26\x00\x01k\x00\x01v\x00\x03a/b\x00\x0a$share/g/#";
    let expected = Unsubscribe::new(pid(11), [filter("a/b"), filter("$share/g/#")])
        .unwrap()
        .with_properties(Properties::new([Property::UserProperty("k", "v")]).unwrap())
        .unwrap();
    v5_valid(wire, &expected.clone().into());
    assert_eq!(
        expected.properties().user_properties().collect::<Vec<_>>(),
        [("k", "v")]
    );
    assert_eq!(expected.iter().collect::<Vec<_>>(), ["a/b", "$share/g/#"]);
    // Without properties: a Property Length of 0 (Figure 3.30's filters).
    let plain = Unsubscribe::new(pid(11), [filter("a/b"), filter("c/d")]).unwrap();
    v5_valid(b"\xa2\x0d\x00\x0b\x00\x00\x03a/b\x00\x03c/d", &plain.into());
}

/// Section 2.2.2.2 (Table 2-4): an UNSUBSCRIBE carries User Properties only.
#[test]
fn section_2_2_2_2_unsubscribe_properties_are_its_own() {
    let wire = b"\xa2\x08\x00\x0b\x02\x0b\x01\x00\x01a";
    v5_rejected(
        wire,
        DecodeError::PropertyNotAllowed {
            property: PropertyId::SubscriptionIdentifier,
            set: PropertySet::Unsubscribe,
        },
    );
    let unsubscribe = Unsubscribe::new(pid(1), [filter("a")]).unwrap();
    assert!(unsubscribe
        .with_properties(Properties::new([Property::SubscriptionIdentifier(1)]).unwrap())
        .is_err());
}

/// [MQTT-3.10.3-2]: "The Payload of an UNSUBSCRIBE packet MUST contain at least one Topic
/// Filter." "An UNSUBSCRIBE packet with no Payload is a Protocol Error."
#[test]
fn mqtt_3_10_3_2_unsubscribe_without_payload_is_a_protocol_error() {
    v5_rejected(b"\xa2\x03\x00\x0b\x00", DecodeError::EmptyUnsubscribe);
    assert_eq!(
        DecodeError::EmptyUnsubscribe.reason_code(),
        DisconnectReasonCode::ProtocolError
    );
}

/// An UNSUBSCRIBE's filters are the same in both versions: only the properties come and go.
#[test]
fn unsubscribe_between_versions() {
    let v5 = b"\xa2\x1b\x00\x0b\x07\x26\x00\x01k\x00\x01v\x00\x03a/b\x00\x0a$share/g/#";
    let v311 = b"\xa2\x13\x00\x0b\x00\x03a/b\x00\x0a$share/g/#";
    let from_v5 = V5.decode_frame(Bytes::from_static(v5)).unwrap();
    assert_eq!(
        both_encodings(&from_v5),
        (Bytes::from_static(v311), Bytes::from_static(v5))
    );
    let from_v311 = decode_frame(Bytes::from_static(v311)).unwrap();
    let v5_plain = b"\xa2\x14\x00\x0b\x00\x00\x03a/b\x00\x0a$share/g/#";
    assert_eq!(
        both_encodings(&from_v311),
        (Bytes::from_static(v311), Bytes::from_static(v5_plain))
    );
    assert_eq!(
        V5.decode_frame(Bytes::from_static(v5_plain)).unwrap(),
        from_v311
    );
}

// ---------------------------------------------------------------------------------------------
// 3.11 UNSUBACK
// ---------------------------------------------------------------------------------------------

/// Section 3.11.2: the packet identifier, then the properties (a Reason String "x");
/// [MQTT-3.11.3-2]: "The Server sending an UNSUBACK packet MUST use one of the Unsubscribe
/// Reason Code values for each Topic Filter received": all 7 of Table 3-9, in order
/// [MQTT-3.11.3-1].
#[test]
fn mqtt_3_11_3_2_unsuback_reason_codes_round_trip() {
    let wire = b"\xb0\x0e\x00\x0b\x04\x1f\x00\x01x\x00\x11\x80\x83\x87\x8f\x91";
    let codes: Vec<UnsubAckReasonCode> = wire[9..]
        .iter()
        .map(|&b| UnsubAckReasonCode::from_byte(b).unwrap())
        .collect();
    let expected = UnsubAck::new(pid(11))
        .with_reason_codes(codes.clone())
        .with_properties(Properties::new([Property::ReasonString("x")]).unwrap())
        .unwrap();
    v5_valid(wire, &expected.clone().into());
    assert_eq!(expected.reason_codes().collect::<Vec<_>>(), codes);
    assert_eq!(expected.properties().reason_string(), Some("x"));
    let Ok(PacketRef::UnsubAck(borrowed)) = V5.decode_frame_ref(wire) else {
        panic!()
    };
    assert_eq!(borrowed.iter().collect::<Vec<_>>(), codes);
    assert_eq!((borrowed.packet_id, borrowed.len()), (pid(11), 7));

    // A byte outside Table 3-9: a granted QoS, a SUBACK-only code.
    for code in [0x01, 0x97, 0xa1] {
        let error = DecodeError::InvalidReasonCode {
            packet_type: PacketType::UnsubAck,
            code,
        };
        v5_rejected(&packet(0xb0, &[0x00, 0x0b, 0x00, 0x00, code]), error);
    }
}

/// [MQTT-3.11.3-1]: "The order of Reason Codes in the UNSUBACK packet MUST match the order of
/// Topic Filters in the UNSUBSCRIBE packet", and section 3.11.3: "There is always one Reason
/// Code for each Topic Filter in the corresponding UNSUBSCRIBE packet"; an UNSUBSCRIBE has at
/// least one [MQTT-3.10.3-2]. So a 5.0 UNSUBACK without codes answers none: a Protocol Error,
/// and it cannot be encoded for 5.0.
#[test]
fn mqtt_3_11_3_1_unsuback_has_a_code_per_filter() {
    v5_rejected(b"\xb0\x03\x00\x0b\x00", DecodeError::EmptyUnsubAck);
    assert_eq!(
        DecodeError::EmptyUnsubAck.reason_code(),
        DisconnectReasonCode::ProtocolError
    );
    // The 3.1.1 form (no Property Length) is cut short in 5.0.
    v5_rejected(b"\xb0\x02\x00\x0b", DecodeError::FieldOverrun);
    let v311 = UnsubAck::new(pid(11));
    assert_eq!(Encoder::V5.to_bytes(&v311), Err(EncodeError::EmptyUnsubAck));
    let codes = [
        UnsubAckReasonCode::NoSubscriptionExisted,
        UnsubAckReasonCode::Success,
    ];
    let v5 = v311.with_reason_codes(codes);
    v5_valid(b"\xb0\x05\x00\x0b\x00\x11\x00", &v5.clone().into());
    assert_eq!(v5.reason_codes().collect::<Vec<_>>(), codes);
}

/// A 3.1.1 UNSUBACK has no codes; a 5.0 one goes to a 3.1.1 client without its codes and
/// properties, failures included: a 3.1.1 UNSUBACK says the UNSUBSCRIBE was processed, and
/// the server sends it "even where no Topic Subscriptions are deleted" [MQTT-3.10.4-5].
#[test]
fn unsuback_between_versions() {
    let v5 = b"\xb0\x09\x00\x0b\x04\x1f\x00\x01x\x87\x00";
    let from_v5 = V5.decode_frame(Bytes::from_static(v5)).unwrap();
    assert_eq!(
        both_encodings(&from_v5),
        (
            Bytes::from_static(b"\xb0\x02\x00\x0b"),
            Bytes::from_static(v5)
        )
    );
    let Ok(Packet::UnsubAck(v311)) = decode_frame(Bytes::from_static(b"\xb0\x02\x00\x0b")) else {
        panic!()
    };
    assert_eq!(v311, UnsubAck::new(pid(11)));
    assert!(v311.is_empty() && v311.properties().is_empty());
    let Ok(PacketRef::UnsubAck(borrowed)) = Decoder::new().decode_frame_ref(b"\xb0\x02\x00\x0b")
    else {
        panic!()
    };
    assert_eq!(borrowed.to_owned(), v311);
    assert_eq!(&borrowed.to_bytes().unwrap()[..], b"\xb0\x02\x00\x0b");
}

/// [MQTT-3.11.2-1]: "The Server MUST NOT send this Property if it would increase the size of
/// the UNSUBACK packet beyond the Maximum Packet Size specified by the Client."
/// [MQTT-3.11.2-2]: the same of the User Property.
#[test]
fn mqtt_3_11_2_1_and_2_unsuback_properties_left_out_to_fit() {
    let unsuback = UnsubAck::new(pid(1))
        .with_reason_codes([UnsubAckReasonCode::Success])
        .with_properties(
            Properties::new([
                Property::UserProperty("a", "b"),
                Property::ReasonString("reason"),
            ])
            .unwrap(),
        )
        .unwrap();
    let full = b"\xb0\x14\x00\x01\x10\x26\x00\x01a\x00\x01b\x1f\x00\x06reason\x00";
    assert_eq!(
        &Encoder::V5.max_packet_size(22).to_bytes(&unsuback).unwrap()[..],
        full
    );
    let encoder = Encoder::V5.max_packet_size(21);
    assert_eq!(
        &encoder.to_bytes(&unsuback).unwrap()[..],
        b"\xb0\x04\x00\x01\x00\x00"
    );
    assert_eq!(
        &encoder.to_bytes(&unsuback.as_borrowed()).unwrap()[..],
        b"\xb0\x04\x00\x01\x00\x00"
    );
    assert_eq!(
        Encoder::V5.max_packet_size(5).to_bytes(&unsuback),
        Err(EncodeError::ExceedsMaximumPacketSize { size: 6, max: 5 })
    );
}

/// The SUBSCRIBE and UNSUBSCRIBE properties go unaltered: the standard lets a sender leave out
/// properties to fit the peer's Maximum Packet Size only in the acknowledgements, DISCONNECT
/// and AUTH, so a packet too large is refused.
#[test]
fn subscribe_is_refused_rather_than_cut_to_fit() {
    let subscribe = Subscribe::new(pid(1), [Subscription::new(filter("a"), QoS::AtMostOnce)])
        .unwrap()
        .with_properties(Properties::new([Property::UserProperty("k", "v")]).unwrap())
        .unwrap();
    let size = Encoder::V5.encoded_len(&subscribe);
    assert_eq!(size, 2 + 2 + 1 + 7 + 4);
    assert!(Encoder::V5
        .max_packet_size(size)
        .to_bytes(&subscribe)
        .is_ok());
    assert_eq!(
        Encoder::V5.max_packet_size(size - 1).to_bytes(&subscribe),
        Err(EncodeError::ExceedsMaximumPacketSize {
            size,
            max: size - 1
        })
    );
}

/// With `lossy_utf8`, a 5.0 SUBSCRIBE's ill-formed filter is repaired, its properties kept,
/// and the 5.0 rules checked on the repaired filter.
#[test]
fn lossy_v5_subscribe_keeps_its_properties() {
    let lossy = V5.lossy_utf8(true);
    let wire = b"\x82\x09\x00\x0a\x02\x0b\x05\x00\x01\xff\x15";
    let Ok(Packet::Subscribe(s)) = lossy.decode_frame(Bytes::from_static(wire)) else {
        panic!()
    };
    assert_eq!(s.properties().subscription_identifier(), Some(5));
    let (text, options) = s.iter_with_options().next().unwrap();
    assert_eq!(text, "\u{fffd}");
    assert_eq!(options.byte(), 0x15);
    // The options are still checked.
    assert_eq!(
        lossy.decode_frame(Bytes::from_static(b"\x82\x07\x00\x0a\x00\x00\x01\xff\x40")),
        Err(DecodeError::SubscriptionOptionsReserved(0x40))
    );
}

// ---------------------------------------------------------------------------------------------
// Random packets: round trips in both versions, and the decoders agree on any bytes.
// ---------------------------------------------------------------------------------------------

mod random {
    use super::*;
    use proptest::prelude::*;

    const FILTERS: [&str; 6] = ["a", "a/+/c", "#", "$share/g/a/#", "$share/h//x", "+/b"];

    fn subscription() -> impl Strategy<Value = Subscription> {
        (
            0..FILTERS.len(),
            0..3u8,
            any::<bool>(),
            any::<bool>(),
            0..3u8,
        )
            .prop_map(|(f, qos, no_local, rap, rh)| {
                let filter = filter(FILTERS[f]);
                // No Local is refused on a shared subscription [MQTT-3.8.3-4].
                let no_local = no_local && !FILTERS[f].starts_with("$share/");
                Subscription::new(filter, QoS::from_bits(qos).unwrap())
                    .with_no_local(no_local)
                    .with_retain_as_published(rap)
                    .with_retain_handling(RetainHandling::from_bits(rh).unwrap())
            })
    }

    fn properties(identifier: bool) -> impl Strategy<Value = Properties> {
        (
            proptest::option::of(1..=MAX_SUBSCRIPTION_IDENTIFIER),
            proptest::collection::vec(("[a-z]{0,3}", "[a-z]{0,3}"), 0..3),
        )
            .prop_map(move |(id, users)| {
                let id = id
                    .filter(|_| identifier)
                    .map(Property::SubscriptionIdentifier);
                let users = users
                    .iter()
                    .map(|(k, v)| Property::UserProperty(k, v))
                    .collect::<Vec<_>>();
                Properties::new(id.into_iter().chain(users)).unwrap()
            })
    }

    use mqttwire::properties::MAX_SUBSCRIPTION_IDENTIFIER;

    proptest! {
        #[test]
        fn subscribe_round_trips(
            subs in proptest::collection::vec(subscription(), 1..6),
            props in properties(true),
            id in 1..=u16::MAX,
        ) {
            let subscribe = Subscribe::new(pid(id), subs.clone()).unwrap();
            let subscribe = if props.is_empty() { subscribe } else { subscribe.with_properties(props).unwrap() };
            let packet = Packet::from(subscribe.clone());
            let v5 = Encoder::V5.to_bytes(&packet).unwrap();
            v5_valid(&v5, &packet);
            prop_assert_eq!(subscribe.subscriptions().collect::<Vec<_>>(), subs.clone());
            // 3.1.1: the filters and QoS alone.
            let Ok(Packet::Subscribe(v311)) = decode_frame(packet.to_bytes().unwrap()) else {
                panic!()
            };
            prop_assert_eq!(
                v311.iter().collect::<Vec<_>>(),
                subs.iter().map(|s| (s.filter.as_str(), s.qos)).collect::<Vec<_>>()
            );
        }

        #[test]
        fn acks_round_trip(
            codes in proptest::collection::vec(0..12usize, 1..8),
            props in properties(false),
            id in 1..=u16::MAX,
        ) {
            const SUBACK: [u8; 12] = [0, 1, 2, 0x80, 0x83, 0x87, 0x8f, 0x91, 0x97, 0x9e, 0xa1, 0xa2];
            const UNSUBACK: [u8; 7] = [0, 0x11, 0x80, 0x83, 0x87, 0x8f, 0x91];
            let sub: Vec<_> = codes.iter().map(|&c| SubAckReasonCode::from_byte(SUBACK[c]).unwrap()).collect();
            let suback = SubAck::new(pid(id), sub.clone()).with_properties(props.clone()).unwrap();
            let packet = Packet::from(suback);
            v5_valid(&Encoder::V5.to_bytes(&packet).unwrap(), &packet);
            let Ok(Packet::SubAck(v311)) = decode_frame(packet.to_bytes().unwrap()) else { panic!() };
            prop_assert_eq!(
                v311.reason_codes().collect::<Vec<_>>(),
                sub.iter().map(|c| SubAckReasonCode::from(c.to_v311())).collect::<Vec<_>>()
            );

            let unsub: Vec<_> = codes.iter().map(|&c| UnsubAckReasonCode::from_byte(UNSUBACK[c % 7]).unwrap()).collect();
            let unsuback = UnsubAck::new(pid(id)).with_reason_codes(unsub.clone()).with_properties(props).unwrap();
            let packet = Packet::from(unsuback);
            v5_valid(&Encoder::V5.to_bytes(&packet).unwrap(), &packet);
            prop_assert_eq!(decode_frame(packet.to_bytes().unwrap()), Ok(UnsubAck::new(pid(id)).into()));
        }

        /// Any body after a SUBSCRIBE, SUBACK, UNSUBSCRIBE or UNSUBACK fixed header: the owned and
        /// the borrowed decoders agree, in both versions, and what they accept encodes back.
        #[test]
        fn decoders_agree(first in prop::sample::select(vec![0x82u8, 0x90, 0xa2, 0xb0]), body in proptest::collection::vec(any::<u8>(), 0..40)) {
            let wire = packet(first, &body);
            for decoder in [V5, Decoder::new()] {
                let owned = decoder.decode_frame(Bytes::copy_from_slice(&wire));
                let borrowed = decoder.decode_frame_ref(&wire);
                prop_assert_eq!(&owned, &borrowed.map(|p| p.to_owned()));
                if let Ok(packet) = owned {
                    let encoder = Encoder::new(decoder.protocol_version());
                    let again = encoder.to_bytes(&packet).unwrap();
                    prop_assert_eq!(decoder.decode_frame(again), Ok(packet));
                }
            }
        }
    }
}
