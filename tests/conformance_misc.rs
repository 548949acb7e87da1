//! Conformance of PINGREQ, PINGRESP and DISCONNECT (sections 3.12 to 3.14), of the decoder's
//! framing contract (`decode`, `decode_frame`, `max_packet_size`), of its opt-outs
//! (`lossy_utf8`, `lenient_reserved_flags`) and of the encoder's errors (OASIS MQTT 3.1.1 plus
//! errata 01).
//!
//! Every expected byte sequence is written by hand from the standard, never produced by this
//! crate's encoder. See `src/conformance.md` for the statement table.

use bytes::{Bytes, BytesMut};
use mqttwire::*;

mod support;
use support::*;

// ---------------------------------------------------------------------------------------------
// Helpers of this file (the shared ones are in `support/mod.rs`).
// ---------------------------------------------------------------------------------------------

/// One hand-written instance of each of the fourteen packets, with what it decodes to.
fn all_packets() -> Vec<(Vec<u8>, Packet)> {
    let id = pid(0x0102);
    let topic = TopicName::new("a/b").unwrap();
    vec![
        (
            vec![
                0x10, 0x0d, 0x00, 0x04, b'M', b'Q', b'T', b'T', 0x04, 0x02, 0x00, 0x3c, 0x00, 0x01,
                b'c',
            ],
            Connect {
                keep_alive: 60,
                ..Connect::new(MqttString::new("c").unwrap())
            }
            .into(),
        ),
        (vec![0x20, 0x02, 0x01, 0x00], ConnAck::accepted(true).into()),
        (
            vec![
                0x32, 0x09, 0x00, 0x03, b'a', b'/', b'b', 0x01, 0x02, b'h', b'i',
            ],
            Publish::new(topic, QosPid::AtLeastOnce(id), &b"hi"[..]).into(),
        ),
        (vec![0x40, 0x02, 0x01, 0x02], PubAck::new(id).into()),
        (vec![0x50, 0x02, 0x01, 0x02], PubRec::new(id).into()),
        (vec![0x62, 0x02, 0x01, 0x02], PubRel::new(id).into()),
        (vec![0x70, 0x02, 0x01, 0x02], PubComp::new(id).into()),
        (
            vec![0x82, 0x06, 0x01, 0x02, 0x00, 0x01, b'#', 0x02],
            Subscribe::new(
                id,
                vec![Subscription::new(
                    TopicFilter::new("#").unwrap(),
                    QoS::ExactlyOnce,
                )],
            )
            .unwrap()
            .into(),
        ),
        (
            vec![0x90, 0x03, 0x01, 0x02, 0x80],
            SubAck::new(id, vec![SubscribeReturnCode::Failure]).into(),
        ),
        (
            vec![0xa2, 0x05, 0x01, 0x02, 0x00, 0x01, b'+'],
            Unsubscribe::new(id, vec![TopicFilter::new("+").unwrap()])
                .unwrap()
                .into(),
        ),
        (vec![0xb0, 0x02, 0x01, 0x02], UnsubAck::new(id).into()),
        (vec![0xc0, 0x00], Packet::PingReq),
        (vec![0xd0, 0x00], Packet::PingResp),
        (
            vec![0xe0, 0x00],
            Packet::Disconnect(mqttwire::Disconnect::new()),
        ),
    ]
}

// ---------------------------------------------------------------------------------------------
// 3.12 to 3.14 PINGREQ, PINGRESP, DISCONNECT
// ---------------------------------------------------------------------------------------------

/// Sections 3.12.1, 3.13.1, 3.14.1 (Figures 3.33 to 3.35): a fixed header alone, Remaining
/// Length 0.
#[test]
fn section_3_12_to_3_14_ping_and_disconnect_valid_forms() {
    valid(&[0xc0, 0x00], &Packet::PingReq);
    valid(&[0xd0, 0x00], &Packet::PingResp);
    valid(
        &[0xe0, 0x00],
        &Packet::Disconnect(mqttwire::Disconnect::new()),
    );
}

/// Sections 3.12 to 3.14: these packets have no variable header and no payload: any other
/// Remaining Length is refused from the fixed header.
#[test]
fn section_3_12_to_3_14_remaining_length_must_be_0() {
    for (first, packet_type) in [
        (0xc0, PacketType::PingReq),
        (0xd0, PacketType::PingResp),
        (0xe0, PacketType::Disconnect),
    ] {
        for remaining_length in [1u8, 2, 127] {
            let error = DecodeError::InvalidRemainingLength {
                packet_type,
                remaining_length: remaining_length.into(),
            };
            // Refused before the body arrives.
            assert_eq!(FixedHeader::peek(&[first, remaining_length]), Err(error));
            let mut wire = vec![first, remaining_length];
            wire.extend(core::iter::repeat(0).take(remaining_length.into()));
            rejected(&wire, error);
        }
    }
}

/// [MQTT-3.14.1-1] The server validates that the DISCONNECT reserved bits are 0.
#[test]
fn mqtt_3_14_1_1_disconnect_reserved_bits_must_be_zero() {
    for flags in 1..16u8 {
        rejected(
            &[0xe0 | flags, 0x00],
            DecodeError::InvalidFlags {
                packet_type: PacketType::Disconnect,
                flags,
            },
        );
    }
}

/// [MQTT-2.2.2-1], [MQTT-2.2.2-2] PINGREQ and PINGRESP flags are 0000.
#[test]
fn mqtt_2_2_2_2_pingreq_and_pingresp_flags_must_be_zero() {
    for flags in 1..16u8 {
        for (high, packet_type) in [(0xc0, PacketType::PingReq), (0xd0, PacketType::PingResp)] {
            rejected(
                &[high | flags, 0x00],
                DecodeError::InvalidFlags { packet_type, flags },
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Framing: the streaming decoder and decode_frame
// ---------------------------------------------------------------------------------------------

/// Every packet type, hand-written: decoded, encoded to the same bytes, every prefix waits.
#[test]
fn section_2_every_packet_type_decodes_and_encodes_exactly() {
    let packets = all_packets();
    assert_eq!(packets.len(), 14);
    for (wire, packet) in &packets {
        valid(wire, packet);
    }
}

/// [MQTT-6.0.0-2] (and TCP alike): packets are not aligned on the boundaries of the reads that
/// carry them. The same stream cut at every size gives the same packets.
#[test]
fn mqtt_6_0_0_2_packets_are_not_aligned_on_read_boundaries() {
    let packets = all_packets();
    let stream: Vec<u8> = packets.iter().flat_map(|(w, _)| w.clone()).collect();
    let expected: Vec<Packet> = packets.into_iter().map(|(_, p)| p).collect();
    for chunk in 1..=stream.len() {
        let mut buf = BytesMut::new();
        let mut got = Vec::new();
        for read in stream.chunks(chunk) {
            buf.extend_from_slice(read);
            while let Some(packet) = decode(&mut buf).unwrap() {
                got.push(packet);
            }
        }
        assert_eq!(got, expected, "reads of {chunk} bytes");
        assert!(buf.is_empty());
    }
}

/// `decode_frame` takes exactly one packet: fewer bytes is `IncompleteFrame`, more is
/// `FrameLengthMismatch`.
#[test]
fn decode_frame_needs_exactly_one_packet() {
    assert_eq!(
        decode_frame(Bytes::from_static(&[0x40, 0x02, 0x00, 0x01])),
        Ok(PubAck::new(pid(1)).into())
    );
    for short in [
        &[][..],
        &[0x40],
        &[0x40, 0x02],
        &[0x40, 0x02, 0x00],
        &[0x30, 0x80],
    ] {
        assert_eq!(
            decode_frame(Bytes::copy_from_slice(short)),
            Err(DecodeError::IncompleteFrame),
            "{short:02x?}"
        );
    }
    assert_eq!(
        decode_frame(Bytes::from_static(&[0x40, 0x02, 0x00, 0x01, 0xc0, 0x00])),
        Err(DecodeError::FrameLengthMismatch {
            declared: 4,
            actual: 6
        })
    );
    // Header errors come first, as in the streaming decoder.
    assert_eq!(
        decode_frame(Bytes::from_static(&[0xf0])),
        Err(DecodeError::ReservedPacketType(15))
    );
}

/// [MQTT-4.8.0-1] An `Err` means "close the connection". A malformed fixed header leaves the
/// buffer untouched; a malformed body has been taken out of it (the stream cannot be
/// resynchronised either way).
#[test]
fn mqtt_4_8_0_1_state_of_the_buffer_after_an_error() {
    let mut buf = BytesMut::from(&[0x41, 0x02, 0x00, 0x01][..]);
    assert!(decode(&mut buf).is_err());
    assert_eq!(buf.len(), 4);

    let mut buf = BytesMut::from(&[0x40, 0x02, 0x00, 0x00, 0xc0, 0x00][..]);
    assert_eq!(decode(&mut buf), Err(DecodeError::ZeroPacketId));
    assert_eq!(&buf[..], &[0xc0, 0x00]);
}

/// The packet size limit counts the whole packet, fixed header included, and refuses a larger
/// packet from its fixed header alone, before the body is buffered.
#[test]
fn max_packet_size_is_checked_from_the_fixed_header() {
    let decoder = Decoder::new().max_packet_size(4);
    assert_eq!(decoder.max_packet_size_limit(), 4);
    let mut buf = BytesMut::from(&[0x40, 0x02, 0x00, 0x01][..]);
    assert_eq!(
        decoder.decode(&mut buf),
        Ok(Some(PubAck::new(pid(1)).into()))
    );

    // A PUBLISH announcing 3 more bytes (5 in all): refused with its first two bytes.
    let mut buf = BytesMut::from(&[0x30, 0x03][..]);
    assert_eq!(
        decoder.decode(&mut buf),
        Err(DecodeError::PacketTooLarge { size: 5, max: 4 })
    );
    assert_eq!(&buf[..], &[0x30, 0x03]);
    assert_eq!(
        decoder.decode_frame(Bytes::from_static(&[0x30, 0x03, 0x00, 0x01, b'a'])),
        Err(DecodeError::PacketTooLarge { size: 5, max: 4 })
    );

    // A packet under the limit waits, with room reserved for all of it; one over is refused.
    let decoder = Decoder::new().max_packet_size(1000);
    let mut buf = BytesMut::from(&[0x30, 0x80, 0x07][..]); // 3 + 896 bytes
    assert_eq!(decoder.decode(&mut buf), Ok(None));
    assert!(buf.capacity() >= 3 + 896);
    let mut buf = BytesMut::from(&[0x30, 0xe6, 0x07][..]); // 3 + 998 bytes
    assert_eq!(
        decoder.decode(&mut buf),
        Err(DecodeError::PacketTooLarge {
            size: 1001,
            max: 1000
        })
    );
    assert_eq!(Decoder::new().max_packet_size_limit(), 1024 * 1024);
    assert_eq!(Decoder::default(), Decoder::new());
}

// ---------------------------------------------------------------------------------------------
// Decoder opt-outs
// ---------------------------------------------------------------------------------------------

/// `lossy_utf8` (opt-out of [MQTT-1.5.3-1]): ill-formed UTF-8 is replaced by U+FFFD instead of
/// refused. The other string rules still hold.
#[test]
fn mqtt_1_5_3_1_lossy_utf8_opt_out() {
    let lossy = Decoder::new().lossy_utf8(true);
    // PUBLISH, topic "a" 0xFF.
    let wire = [0x30, 0x04, 0x00, 0x02, b'a', 0xff];
    rejected(
        &wire,
        DecodeError::InvalidTopicName(TopicError::InvalidUtf8 { offset: 1 }),
    );
    let Ok(Some(Packet::Publish(p))) = lossy.decode(&mut BytesMut::from(&wire[..])) else {
        panic!()
    };
    assert_eq!(p.topic(), "a\u{fffd}");

    // CONNECT with an encoded surrogate as client identifier.
    let wire = [
        0x10, 0x0f, 0x00, 0x04, b'M', b'Q', b'T', b'T', 0x04, 0x02, 0x00, 0x3c, 0x00, 0x03, 0xed,
        0xa0, 0x80,
    ];
    let Ok(Some(Packet::Connect(c))) = lossy.decode(&mut BytesMut::from(&wire[..])) else {
        panic!()
    };
    assert!(!c.client_id.is_empty());
    assert!(c.client_id.chars().all(|ch| ch == '\u{fffd}'));

    // U+0000 [MQTT-4.7.3-2] and wildcards [MQTT-4.7.1-1] are still refused.
    let with_null = [0x30, 0x05, 0x00, 0x03, 0xff, 0x00, b'a'];
    assert_eq!(
        lossy.decode(&mut BytesMut::from(&with_null[..])),
        Err(DecodeError::InvalidTopicName(TopicError::NullCharacter {
            offset: 3
        }))
    );
    let with_wildcard = [0x30, 0x04, 0x00, 0x02, 0xff, b'#'];
    assert!(matches!(
        lossy.decode(&mut BytesMut::from(&with_wildcard[..])),
        Err(DecodeError::InvalidTopicName(
            TopicError::WildcardInName { .. }
        ))
    ));
    // Filters too: the list is written again with the repaired filters, in order, beside the
    // well-formed ones.
    let subscribe = [
        0x82, 0x0d, 0x00, 0x01, 0x00, 0x02, b'a', 0xfe, 0x01, 0x00, 0x03, b'b', b'/', b'+', 0x02,
    ];
    let Ok(Some(Packet::Subscribe(s))) = lossy.decode(&mut BytesMut::from(&subscribe[..])) else {
        panic!()
    };
    assert_eq!(
        s.iter().collect::<Vec<_>>(),
        [("a\u{fffd}", QoS::AtLeastOnce), ("b/+", QoS::ExactlyOnce)]
    );
    assert_eq!(s.subscriptions().next().unwrap().filter, "a\u{fffd}");
    assert_eq!(s.packet_id(), pid(1));
    let unsubscribe = [
        0xa2, 0x09, 0x00, 0x02, 0x00, 0x01, b'x', 0x00, 0x02, 0xc0, b'/',
    ];
    let Ok(Some(Packet::Unsubscribe(u))) = lossy.decode(&mut BytesMut::from(&unsubscribe[..]))
    else {
        panic!()
    };
    assert_eq!(u.iter().collect::<Vec<_>>(), ["x", "\u{fffd}/"]);
    // A repaired filter is checked as a filter: a wildcard after the repair is still misplaced.
    let misplaced = [0xa2, 0x06, 0x00, 0x02, 0x00, 0x02, 0xff, b'#'];
    assert_eq!(
        lossy.decode(&mut BytesMut::from(&misplaced[..])),
        Err(DecodeError::InvalidTopicFilter(
            TopicError::MisplacedMultiLevelWildcard { offset: 3 }
        ))
    );
    // The errors of a list come in its order, as without the option: a malformed entry after
    // a repaired one is reported, and one after a filter broken otherwise is not reached.
    let bad_qos_after = [0x82, 0x08, 0x00, 0x01, 0x00, 0x01, 0xff, 0x00, 0x00, 0x03];
    assert_eq!(
        lossy.decode(&mut BytesMut::from(&bad_qos_after[..])),
        Err(DecodeError::FieldOverrun)
    );
    let null_first = [
        0x82, 0x0b, 0x00, 0x01, 0x00, 0x02, 0xff, 0x00, 0x00, 0x00, 0x01, b'a', 0x03,
    ];
    assert_eq!(
        lossy.decode(&mut BytesMut::from(&null_first[..])),
        Err(DecodeError::InvalidTopicFilter(TopicError::NullCharacter {
            offset: 3
        }))
    );
}

/// `lossy_utf8`: a string whose repair would exceed 65,535 bytes (each ill-formed byte becomes
/// the three bytes of U+FFFD) is refused as what happened, `RepairTooLong`, not as an over-long
/// string on the wire (the topic below is 30,000 bytes: [MQTT-4.7.3-3] was not broken).
#[test]
fn mqtt_1_5_3_1_lossy_repair_too_long() {
    let lossy = Decoder::new().lossy_utf8(true);
    let ill_formed = vec![0xff; 30_000];
    let repair = TopicError::RepairTooLong {
        repaired_len: 90_000,
    };
    assert_eq!(
        repair.to_string(),
        "ill-formed UTF-8 would take 90000 bytes once repaired, more than 65,535 [MQTT-1.5.3-1]"
    );
    // PUBLISH, QoS 0, the topic alone.
    let mut publish = vec![0x30, 0xb2, 0xea, 0x01, 0x75, 0x30];
    publish.extend_from_slice(&ill_formed);
    assert_eq!(
        lossy.decode(&mut BytesMut::from(&publish[..])),
        Err(DecodeError::InvalidTopicName(repair))
    );
    rejected(
        &publish,
        DecodeError::InvalidTopicName(TopicError::InvalidUtf8 { offset: 0 }),
    );
    // The same in a SUBSCRIBE's filter, an UNSUBSCRIBE's, a CONNECT's client identifier.
    let mut subscribe = vec![0x82, 0xb5, 0xea, 0x01, 0x00, 0x01, 0x75, 0x30];
    subscribe.extend_from_slice(&ill_formed);
    subscribe.push(0x00);
    assert_eq!(
        lossy.decode(&mut BytesMut::from(&subscribe[..])),
        Err(DecodeError::InvalidTopicFilter(repair))
    );
    let mut unsubscribe = vec![0xa2, 0xb4, 0xea, 0x01, 0x00, 0x01, 0x75, 0x30];
    unsubscribe.extend_from_slice(&ill_formed);
    assert_eq!(
        lossy.decode(&mut BytesMut::from(&unsubscribe[..])),
        Err(DecodeError::InvalidTopicFilter(repair))
    );
    let mut connect = vec![
        0x10, 0xbc, 0xea, 0x01, 0x00, 0x04, b'M', b'Q', b'T', b'T', 0x04, 0x02, 0x00, 0x3c, 0x75,
        0x30,
    ];
    connect.extend_from_slice(&ill_formed);
    assert_eq!(
        lossy.decode(&mut BytesMut::from(&connect[..])),
        Err(DecodeError::InvalidString(StringError::RepairTooLong {
            repaired_len: 90_000
        }))
    );
    // A repair that still fits is accepted: 21,845 ill-formed bytes become 65,535.
    let mut fits = vec![0x30, 0xd7, 0xaa, 0x01, 0x55, 0x55];
    fits.extend_from_slice(&[0xff; 21_845]);
    let Ok(Some(Packet::Publish(p))) = lossy.decode(&mut BytesMut::from(&fits[..])) else {
        panic!()
    };
    assert_eq!(p.topic().len(), 65_535);
}

/// `lenient_reserved_flags` (opt-out of [MQTT-2.2.2-2]): any reserved flag value is accepted
/// (e.g. the SUBSCRIBE flags 0000 of some MQTT 3.1 clients). PUBLISH flags, reserved packet
/// types and every other rule are still enforced.
#[test]
fn mqtt_2_2_2_2_lenient_reserved_flags_opt_out() {
    let lenient = Decoder::new().lenient_reserved_flags(true);
    let subscribe = [0x80, 0x06, 0x00, 0x0a, 0x00, 0x01, b'a', 0x00];
    rejected(
        &subscribe,
        DecodeError::InvalidFlags {
            packet_type: PacketType::Subscribe,
            flags: 0,
        },
    );
    let Ok(Some(Packet::Subscribe(s))) = lenient.decode(&mut BytesMut::from(&subscribe[..])) else {
        panic!()
    };
    assert_eq!(s.packet_id(), pid(10));
    assert_eq!(
        lenient.decode(&mut BytesMut::from(&[0x60, 0x02, 0x00, 0x01][..])),
        Ok(Some(PubRel::new(pid(1)).into()))
    );
    assert_eq!(
        lenient.decode_frame(Bytes::from_static(&[0xcf, 0x00])),
        Ok(Packet::PingReq)
    );
    // Encoding always writes the standard's flags back.
    assert_eq!(
        &Packet::from(PubRel::new(pid(1))).to_bytes().unwrap()[..],
        &[0x62, 0x02, 0x00, 0x01]
    );
    // Still refused:
    for (wire, error) in [
        (&[0x36, 0x00][..], DecodeError::InvalidPublishQos),
        (&[0x38, 0x00][..], DecodeError::DupWithQos0),
        (&[0x0f, 0x00][..], DecodeError::ReservedPacketType(0)),
        (&[0xff, 0x00][..], DecodeError::ReservedPacketType(15)),
        (&[0x42, 0x02, 0x00, 0x00][..], DecodeError::ZeroPacketId),
    ] {
        assert_eq!(
            lenient.decode(&mut BytesMut::from(wire)),
            Err(error),
            "{wire:02x?}"
        );
    }
    // `FixedHeader::peek` is always strict.
    assert!(FixedHeader::peek(&[0x80]).is_err());
}

// ---------------------------------------------------------------------------------------------
// Encoder errors
// ---------------------------------------------------------------------------------------------

/// A bounded buffer with too little room gives `BufferTooSmall` and nothing is written; with
/// exactly `encoded_len` bytes the packet fits.
#[test]
fn encoder_buffer_too_small_writes_nothing() {
    for (wire, packet) in all_packets() {
        let len = wire.len();
        assert_eq!(packet.encoded_len(), len);
        let mut small = vec![0xaa; len - 1];
        assert_eq!(
            packet.encode(&mut &mut small[..]),
            Err(EncodeError::BufferTooSmall {
                needed: len,
                available: len - 1
            }),
            "{packet:?}"
        );
        assert!(
            small.iter().all(|&b| b == 0xaa),
            "{packet:?} wrote into the buffer"
        );
        let mut exact = vec![0xaa; len];
        packet.encode(&mut &mut exact[..]).unwrap();
        assert_eq!(exact, wire);
    }
}

/// Will Message and Password are binary fields of at most 65,535 bytes (sections 3.1.3.3 and
/// 3.1.3.5): a longer one is `FieldTooLong` and nothing is written.
#[test]
fn encoder_field_too_long() {
    let client_id = MqttString::new("c").unwrap();
    let with_will = |len: usize| Connect {
        will: Some(Will {
            topic: TopicName::new("w").unwrap(),
            payload: Bytes::from(vec![0u8; len]),
            qos: QoS::AtMostOnce,
            retain: false,
            properties: Properties::EMPTY,
        }),
        ..Connect::new(client_id.clone())
    };
    let with_password = |len: usize| Connect {
        login: Some(Login {
            username: Some(MqttString::new("u").unwrap()),
            password: Some(Bytes::from(vec![0u8; len])),
        }),
        ..Connect::new(client_id.clone())
    };
    for connect in [with_will(65_536), with_password(65_536)] {
        let mut out = Vec::new();
        assert_eq!(
            connect.encode(&mut out),
            Err(EncodeError::FieldTooLong(65_536))
        );
        assert!(out.is_empty());
    }
    // `encoded_len` counts the fields at their full lengths all the same.
    assert_eq!(
        with_will(65_536).encoded_len(),
        with_will(65_535).encoded_len() + 1
    );
    for connect in [with_will(65_535), with_password(65_535)] {
        let bytes = connect.to_bytes().unwrap();
        assert_eq!(bytes.len(), connect.encoded_len());
        let mut buf = BytesMut::from(&bytes[..]);
        assert_eq!(decode(&mut buf), Ok(Some(connect.into())));
    }
}

/// Section 2.2.3: a Remaining Length above 268,435,455 cannot be encoded: `PacketTooLarge`,
/// nothing written.
#[test]
fn encoder_packet_too_large() {
    // Topic "a" (3 bytes) + payload: Remaining Length 268,435,456.
    let payload = Bytes::from(vec![0u8; MAX_REMAINING_LENGTH - 2]);
    let publish = Publish::new(TopicName::new("a").unwrap(), QosPid::AtMostOnce, payload);
    let mut out = Vec::new();
    assert_eq!(
        publish.encode(&mut out),
        Err(EncodeError::PacketTooLarge(268_435_456))
    );
    assert!(out.is_empty());
    // The length it would take, with a four-byte Remaining Length.
    assert_eq!(publish.encoded_len(), 1 + 4 + 268_435_456);
}

/// [MQTT-3.3.1-2], [MQTT-3.2.2-4], [MQTT-3.9.3-1]: the values a packet can still hold that
/// would break a rule are refused by the encoder, nothing written; `encoded_len` gives the
/// length the packet would take. [MQTT-3.8.3-3], [MQTT-3.10.3-2]: an empty SUBSCRIBE or
/// UNSUBSCRIBE cannot be built.
#[test]
fn encoder_refuses_values_that_break_a_rule() {
    let mut dup = Publish::new(
        TopicName::new("a").unwrap(),
        QosPid::AtMostOnce,
        Bytes::new(),
    );
    dup.set_dup(true);
    let cases: [(Packet, EncodeError, usize); 3] = [
        (dup.into(), EncodeError::DupWithQos0, 5),
        (
            ConnAck {
                session_present: true,
                ..ConnAck::refused(ConnectReturnCode::ServerUnavailable)
            }
            .into(),
            EncodeError::SessionPresentWithRefusal,
            4,
        ),
        (
            SubAck::new(pid(1), Vec::<SubAckReasonCode>::new()).into(),
            EncodeError::EmptySubAck,
            4,
        ),
    ];
    for (packet, error, len) in cases {
        let mut out = BytesMut::new();
        assert_eq!(packet.encode(&mut out), Err(error), "{packet:?}");
        assert!(out.is_empty());
        assert_eq!(packet.to_bytes(), Err(error));
        assert_eq!(packet.encoded_len(), len, "{packet:?}");
    }
    assert_eq!(Subscribe::new(pid(1), []), Err(EncodeError::EmptySubscribe));
    assert_eq!(
        Unsubscribe::new(pid(1), []),
        Err(EncodeError::EmptyUnsubscribe)
    );
}
