//! Conformance of SUBSCRIBE, SUBACK, UNSUBSCRIBE and UNSUBACK (sections 3.8 to 3.11) and of the
//! topic filter rules (section 4.7) (OASIS MQTT 3.1.1 plus errata 01).
//!
//! Every expected byte sequence is written by hand from the standard (Figures 3.20 to 3.32),
//! never produced by this crate's encoder. See `src/conformance.md` for the statement table.

use bytes::BytesMut;
use mqttwire::*;

mod support;
use support::*;

// ---------------------------------------------------------------------------------------------
// Helpers of this file (the shared ones are in `support/mod.rs`).
// ---------------------------------------------------------------------------------------------

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

/// A SUBSCRIBE, packet identifier 10, with one filter (raw bytes) and a Requested QoS byte.
fn subscribe_one(raw_filter: &[u8], requested: u8) -> Vec<u8> {
    let mut body = vec![0x00, 0x0a, 0x00, raw_filter.len() as u8];
    body.extend_from_slice(raw_filter);
    body.push(requested);
    packet(0x82, &body)
}

/// An UNSUBSCRIBE, packet identifier 10, with one filter (raw bytes).
fn unsubscribe_one(raw_filter: &[u8]) -> Vec<u8> {
    let mut body = vec![0x00, 0x0a, 0x00, raw_filter.len() as u8];
    body.extend_from_slice(raw_filter);
    packet(0xa2, &body)
}

/// Filters that break [MQTT-4.7.1-2] or [MQTT-4.7.1-3], with the error and its offset.
fn misplaced_wildcards() -> Vec<(&'static str, TopicError)> {
    vec![
        (
            "sport/tennis/#/ranking",
            TopicError::MisplacedMultiLevelWildcard { offset: 13 },
        ),
        (
            "sport/tennis#",
            TopicError::MisplacedMultiLevelWildcard { offset: 12 },
        ),
        ("#/a", TopicError::MisplacedMultiLevelWildcard { offset: 0 }),
        ("a#", TopicError::MisplacedMultiLevelWildcard { offset: 1 }),
        ("##", TopicError::MisplacedMultiLevelWildcard { offset: 0 }),
        (
            "sport+",
            TopicError::MisplacedSingleLevelWildcard { offset: 5 },
        ),
        (
            "sport/+tennis",
            TopicError::MisplacedSingleLevelWildcard { offset: 6 },
        ),
        (
            "a/b+",
            TopicError::MisplacedSingleLevelWildcard { offset: 3 },
        ),
        ("++", TopicError::MisplacedSingleLevelWildcard { offset: 0 }),
    ]
}

/// Filters the standard's examples in section 4.7.1 call valid.
const VALID_FILTERS: [&str; 12] = [
    "#",
    "sport/#",
    "sport/tennis/player1/#",
    "/#",
    "+",
    "+/tennis/#",
    "sport/+/player1",
    "sport/+",
    "/+",
    "+/+",
    "$SYS/#",
    "a b/ c",
];

// ---------------------------------------------------------------------------------------------
// 3.8 SUBSCRIBE
// ---------------------------------------------------------------------------------------------

/// Sections 3.8.2.1 and 3.8.3.1, Figures 3.21 and 3.23: Packet Identifier 10, "a/b" at QoS 1
/// and "c/d" at QoS 2.
#[test]
fn section_3_8_3_1_figure_3_23_example() {
    let wire = [
        0x82, 0x0e, // SUBSCRIBE (flags 0010), Remaining Length 14
        0x00, 0x0a, // Packet Identifier 10
        0x00, 0x03, b'a', b'/', b'b', 0x01, // "a/b", Requested QoS 1
        0x00, 0x03, b'c', b'/', b'd', 0x02, // "c/d", Requested QoS 2
    ];
    let expected = Subscribe::new(
        pid(10),
        vec![
            Subscription::new(filter("a/b"), QoS::AtLeastOnce),
            Subscription::new(filter("c/d"), QoS::ExactlyOnce),
        ],
    )
    .unwrap();
    valid(&wire, &expected.into());
}

/// [MQTT-3.8.1-1] SUBSCRIBE fixed header flags MUST be 0,0,1,0; anything else is malformed.
#[test]
fn mqtt_3_8_1_1_subscribe_flags_must_be_0010() {
    let good = subscribe_one(b"a", 0);
    for flags in (0..16u8).filter(|&f| f != 0b0010) {
        let mut wire = good.clone();
        wire[0] = 0x80 | flags;
        rejected(
            &wire,
            DecodeError::InvalidFlags {
                packet_type: PacketType::Subscribe,
                flags,
            },
        );
    }
}

/// [MQTT-3.8.3-1] Topic Filters MUST be UTF-8 encoded strings (section 1.5.3).
#[test]
fn mqtt_3_8_3_1_topic_filter_must_be_utf8() {
    rejected(
        &subscribe_one(&[b'a', 0xff], 0),
        DecodeError::InvalidTopicFilter(TopicError::InvalidUtf8 { offset: 1 }),
    );
    rejected(
        &subscribe_one(&[0xed, 0xa0, 0x80], 0),
        DecodeError::InvalidTopicFilter(TopicError::InvalidUtf8 { offset: 0 }),
    );
    rejected(
        &subscribe_one(b"a\0", 0),
        DecodeError::InvalidTopicFilter(TopicError::NullCharacter { offset: 1 }),
    );
}

/// [MQTT-3.8.3-2] Whether to support wildcards is the server's choice: the decoder hands every
/// valid filter over, wildcards included, and says whether it has some.
#[test]
fn mqtt_3_8_3_2_wildcard_filters_are_decoded() {
    for text in VALID_FILTERS {
        let wire = subscribe_one(text.as_bytes(), 1);
        let expected = Subscribe::new(
            pid(10),
            vec![Subscription::new(filter(text), QoS::AtLeastOnce)],
        )
        .unwrap();
        valid(&wire, &expected.into());
        assert_eq!(
            filter(text).has_wildcards(),
            text.contains(['+', '#']),
            "{text}"
        );
    }
}

/// [MQTT-3.8.3-3] A SUBSCRIBE MUST hold at least one Topic Filter / QoS pair: refused by the
/// decoder, and an empty one cannot be built.
#[test]
fn mqtt_3_8_3_3_empty_subscribe_is_refused() {
    rejected(&[0x82, 0x02, 0x00, 0x0a], DecodeError::EmptySubscribe);
    assert_eq!(
        Subscribe::new(pid(10), []),
        Err(EncodeError::EmptySubscribe)
    );
    assert_eq!(
        Subscribe::new(pid(10), Vec::new()),
        Err(EncodeError::EmptySubscribe)
    );
}

/// [MQTT-3-8.3-4] (the standard's own spelling) The upper six bits of the Requested QoS byte are
/// reserved and the QoS is 0, 1 or 2; anything else is malformed.
#[test]
fn mqtt_3_8_3_4_requested_qos_reserved_bits_and_qos_3_are_refused() {
    for requested in 0..=255u8 {
        let wire = subscribe_one(b"a", requested);
        match requested {
            0..=2 => {
                let qos = QoS::from_bits(requested).unwrap();
                let expected = Subscribe::new(pid(10), [Subscription::new(filter("a"), qos)]);
                valid(&wire, &expected.unwrap().into());
            }
            _ => rejected(&wire, DecodeError::InvalidRequestedQos(requested)),
        }
    }
}

/// [MQTT-4.7.1-2], [MQTT-4.7.1-3] A misplaced wildcard in a SUBSCRIBE filter is refused; nor
/// can a `TopicFilter` hold one.
#[test]
fn mqtt_4_7_1_2_and_3_misplaced_wildcards_in_subscribe_are_refused() {
    for (text, error) in misplaced_wildcards() {
        rejected(
            &subscribe_one(text.as_bytes(), 0),
            DecodeError::InvalidTopicFilter(error),
        );
        assert_eq!(TopicFilter::new(text), Err(error), "{text}");
    }
}

/// [MQTT-4.7.3-1] Topic Filters are at least one character long.
#[test]
fn mqtt_4_7_3_1_empty_topic_filter_is_refused() {
    rejected(
        &subscribe_one(b"", 0),
        DecodeError::InvalidTopicFilter(TopicError::Empty),
    );
    assert_eq!(TopicFilter::new(""), Err(TopicError::Empty));
}

/// [MQTT-2.3.1-1] A SUBSCRIBE carries a non-zero Packet Identifier.
#[test]
fn mqtt_2_3_1_1_subscribe_packet_identifier_zero_is_refused() {
    let mut wire = subscribe_one(b"a", 0);
    wire[3] = 0x00;
    rejected(&wire, DecodeError::ZeroPacketId);
}

/// Section 3.8.3, Figure 3.22: each filter is followed by its Requested QoS byte; a pair cut
/// short is an overrun of the packet.
#[test]
fn section_3_8_3_incomplete_filter_qos_pair_is_refused() {
    // Filter "a" without its QoS byte.
    rejected(
        &packet(0x82, &[0x00, 0x0a, 0x00, 0x01, b'a']),
        DecodeError::FieldOverrun,
    );
    // A second pair with a length prefix longer than what is left.
    rejected(
        &packet(
            0x82,
            &[0x00, 0x0a, 0x00, 0x01, b'a', 0x00, 0x00, 0x09, b'b'],
        ),
        DecodeError::FieldOverrun,
    );
    // A lone byte after the last pair.
    rejected(
        &packet(0x82, &[0x00, 0x0a, 0x00, 0x01, b'a', 0x00, 0x00]),
        DecodeError::FieldOverrun,
    );
}

// ---------------------------------------------------------------------------------------------
// 3.9 SUBACK
// ---------------------------------------------------------------------------------------------

/// Section 3.9.3, Figure 3.26 and 3.27: Packet Identifier, then one return code per filter:
/// 0x00, 0x01, 0x02 (maximum QoS granted) or 0x80 (failure).
#[test]
fn section_3_9_3_suback_valid_form() {
    let wire = [
        0x90, 0x06, // SUBACK, Remaining Length 6
        0x00, 0x0a, // Packet Identifier 10
        0x00, 0x01, 0x02, 0x80, // return codes
    ];
    let expected = SubAck::new(
        pid(10),
        vec![
            QoS::AtMostOnce.into(),
            QoS::AtLeastOnce.into(),
            QoS::ExactlyOnce.into(),
            SubscribeReturnCode::Failure,
        ],
    );
    valid(&wire, &expected.into());
}

/// [MQTT-3.9.3-1] The return codes are in the order of the SUBSCRIBE's filters: the decoder
/// keeps their order.
#[test]
fn mqtt_3_9_3_1_return_codes_keep_their_order() {
    let wire = [0x90, 0x06, 0x00, 0x0b, 0x80, 0x02, 0x80, 0x00];
    let expected = SubAck::new(
        pid(11),
        vec![
            SubscribeReturnCode::Failure,
            QoS::ExactlyOnce.into(),
            SubscribeReturnCode::Failure,
            QoS::AtMostOnce.into(),
        ],
    );
    valid(&wire, &expected.into());
}

/// [MQTT-3.9.3-2] Return codes other than 0x00, 0x01, 0x02 and 0x80 are reserved and MUST NOT
/// be used: every one of them is refused.
#[test]
fn mqtt_3_9_3_2_reserved_suback_return_codes_are_refused() {
    for code in 0..=255u8 {
        let wire = [0x90, 0x03, 0x00, 0x0a, code];
        if matches!(code, 0x00 | 0x01 | 0x02 | 0x80) {
            assert!(decode(&mut BytesMut::from(&wire[..])).unwrap().is_some());
            assert_eq!(
                SubscribeReturnCode::from_byte(code).map(|c| c.byte()),
                Some(code)
            );
        } else {
            rejected(&wire, DecodeError::InvalidSubAckReturnCode(code));
            assert_eq!(SubscribeReturnCode::from_byte(code), None);
        }
    }
}

/// A SUBACK answers a SUBSCRIBE with at least one filter [MQTT-3.8.3-3] with one code per filter
/// [MQTT-3.8.4-5], [MQTT-3.9.3-1]: an empty SUBACK answers nothing and is refused, by the
/// decoder and by the encoder.
#[test]
fn mqtt_3_8_4_5_empty_suback_is_refused() {
    rejected(&[0x90, 0x02, 0x00, 0x0a], DecodeError::EmptySubAck);
    let mut out = Vec::new();
    assert_eq!(
        SubAck::new(pid(10), Vec::<SubAckReasonCode>::new()).encode(&mut out),
        Err(EncodeError::EmptySubAck)
    );
    assert!(out.is_empty());
}

/// [MQTT-2.2.2-1] SUBACK flags are 0000.
#[test]
fn mqtt_2_2_2_1_suback_flags_must_be_0000() {
    for flags in 1..16u8 {
        rejected(
            &[0x90 | flags, 0x03, 0x00, 0x0a, 0x00],
            DecodeError::InvalidFlags {
                packet_type: PacketType::SubAck,
                flags,
            },
        );
    }
}

// ---------------------------------------------------------------------------------------------
// 3.10 UNSUBSCRIBE
// ---------------------------------------------------------------------------------------------

/// Section 3.10.3, Figures 3.29 and 3.30: Packet Identifier, then the filters packed
/// contiguously [MQTT-3.10.3-1].
#[test]
fn mqtt_3_10_3_1_unsubscribe_valid_form() {
    let wire = [
        0xa2, 0x0a, // UNSUBSCRIBE (flags 0010), Remaining Length 10
        0x00, 0x0b, // Packet Identifier 11
        0x00, 0x03, b'a', b'/', b'b', // "a/b"
        0x00, 0x01, b'#', // "#"
    ];
    let expected = Unsubscribe::new(pid(11), vec![filter("a/b"), filter("#")]).unwrap();
    valid(&wire, &expected.into());
}

/// [MQTT-3.10.1-1] UNSUBSCRIBE flags MUST be 0,0,1,0; anything else is malformed.
#[test]
fn mqtt_3_10_1_1_unsubscribe_flags_must_be_0010() {
    let good = unsubscribe_one(b"a");
    for flags in (0..16u8).filter(|&f| f != 0b0010) {
        let mut wire = good.clone();
        wire[0] = 0xa0 | flags;
        rejected(
            &wire,
            DecodeError::InvalidFlags {
                packet_type: PacketType::Unsubscribe,
                flags,
            },
        );
    }
}

/// [MQTT-3.10.3-1] The filters MUST be UTF-8 encoded strings, and valid topic filters
/// ([MQTT-4.7.1-2], [MQTT-4.7.1-3], [MQTT-4.7.3-1], [MQTT-4.7.3-2]).
#[test]
fn mqtt_3_10_3_1_unsubscribe_filters_must_be_valid() {
    rejected(
        &unsubscribe_one(&[0xc3, 0x28]),
        DecodeError::InvalidTopicFilter(TopicError::InvalidUtf8 { offset: 0 }),
    );
    rejected(
        &unsubscribe_one(b""),
        DecodeError::InvalidTopicFilter(TopicError::Empty),
    );
    rejected(
        &unsubscribe_one(b"\0"),
        DecodeError::InvalidTopicFilter(TopicError::NullCharacter { offset: 0 }),
    );
    for (text, error) in misplaced_wildcards() {
        rejected(
            &unsubscribe_one(text.as_bytes()),
            DecodeError::InvalidTopicFilter(error),
        );
    }
    // A length prefix longer than what is left.
    rejected(
        &packet(0xa2, &[0x00, 0x0a, 0x00, 0x04, b'a']),
        DecodeError::FieldOverrun,
    );
}

/// [MQTT-3.10.3-2] An UNSUBSCRIBE MUST hold at least one filter: refused by the decoder, and
/// an empty one cannot be built.
#[test]
fn mqtt_3_10_3_2_empty_unsubscribe_is_refused() {
    rejected(&[0xa2, 0x02, 0x00, 0x0a], DecodeError::EmptyUnsubscribe);
    assert_eq!(
        Unsubscribe::new(pid(10), []),
        Err(EncodeError::EmptyUnsubscribe)
    );
    assert_eq!(
        Unsubscribe::new(pid(10), std::iter::empty()),
        Err(EncodeError::EmptyUnsubscribe)
    );
}

/// [MQTT-3.10.4-1] Filters are compared character by character, so the decoder keeps them
/// byte for byte (no normalisation, [MQTT-4.7.3-4]).
#[test]
fn mqtt_3_10_4_1_unsubscribe_filters_are_kept_verbatim() {
    let raw = [b'A', b'/', 0x65, 0xcc, 0x81, b'/', b'+'];
    let wire = unsubscribe_one(&raw);
    let Ok(Some(Packet::Unsubscribe(u))) = decode(&mut BytesMut::from(&wire[..])) else {
        panic!("{wire:02x?}");
    };
    let kept = u.filters().next().unwrap();
    assert_eq!(&kept.as_bytes()[..], &raw);
    assert_ne!(kept, "a/\u{e9}/+");
}

/// [MQTT-2.3.1-1] An UNSUBSCRIBE carries a non-zero Packet Identifier.
#[test]
fn mqtt_2_3_1_1_unsubscribe_packet_identifier_zero_is_refused() {
    let mut wire = unsubscribe_one(b"a");
    wire[3] = 0x00;
    rejected(&wire, DecodeError::ZeroPacketId);
}

// ---------------------------------------------------------------------------------------------
// 3.11 UNSUBACK
// ---------------------------------------------------------------------------------------------

/// Section 3.11, Figures 3.31 and 3.32: 0xB0, Remaining Length 2, the Packet Identifier
/// [MQTT-3.10.4-4].
#[test]
fn section_3_11_unsuback_valid_form() {
    valid(&[0xb0, 0x02, 0x00, 0x0b], &UnsubAck::new(pid(11)).into());
}

/// Section 3.11.1: the UNSUBACK Remaining Length is 2 and its flags are 0000.
#[test]
fn section_3_11_1_unsuback_fixed_header() {
    for remaining_length in [0u8, 1, 3] {
        let mut wire = vec![0xb0, remaining_length];
        wire.extend(core::iter::repeat(0x01).take(remaining_length.into()));
        rejected(
            &wire,
            DecodeError::InvalidRemainingLength {
                packet_type: PacketType::UnsubAck,
                remaining_length: remaining_length.into(),
            },
        );
    }
    for flags in 1..16u8 {
        rejected(
            &[0xb0 | flags, 0x02, 0x00, 0x0b],
            DecodeError::InvalidFlags {
                packet_type: PacketType::UnsubAck,
                flags,
            },
        );
    }
}
