//! The borrowed decoder (`Decoder::decode_ref`, `PacketRef`) agrees with the owned one
//! (`Decoder::decode`, `Packet`) on every input: the same `Ok(None)`, the same error, the same
//! packet and the same bytes consumed. Both run the same body parsers; these tests make sure
//! that the two front ends around them stay in step.

mod common;

use bytes::{Bytes, BytesMut};
use common::config;
use common::hostile::{behind_header, damaged, mutation};
use common::strategies as st;
use mqttwire::*;
use proptest::prelude::*;

/// The decoder configurations compared. `lossy_utf8` is left out: the borrowed decoder cannot
/// repair (see `lossy_utf8_is_refused_by_the_borrowed_decoder`).
fn decoders() -> [Decoder; 4] {
    [
        Decoder::new(),
        Decoder::new().max_packet_size(Decoder::PROTOCOL_MAX_PACKET_SIZE),
        Decoder::new().max_packet_size(64),
        Decoder::new().lenient_reserved_flags(true),
    ]
}

/// Decodes all of `bytes` with both decoders, packet by packet, and checks that they agree
/// at every step. Returns how many packets decoded.
fn agree(decoder: &Decoder, bytes: &[u8]) -> Result<usize, TestCaseError> {
    let mut owned_buf = BytesMut::from(bytes);
    let mut pos = 0;
    for n in 0..=bytes.len() / 2 {
        let before = owned_buf.len();
        let owned = decoder.decode(&mut owned_buf);
        let consumed = before - owned_buf.len();
        let borrowed = decoder.decode_ref(&bytes[pos..]);
        match (&owned, &borrowed) {
            (Ok(None), Ok(None)) => return Ok(n),
            (Ok(Some(p)), Ok(Some((r, used)))) => {
                prop_assert_eq!(*used, consumed, "bytes consumed");
                prop_assert_eq!(&r.to_owned(), p, "content");
                prop_assert_eq!(r.packet_type(), p.packet_type());
                // The borrowed packet re-encodes to what the owned one does.
                prop_assert_eq!(r.to_bytes().ok(), p.to_bytes().ok());
                // And the frame decodes the same as a whole.
                let frame = &bytes[pos..pos + used];
                prop_assert_eq!(decoder.decode_frame_ref(frame), Ok(*r));
                let whole = decoder.decode_frame(Bytes::copy_from_slice(frame));
                prop_assert_eq!(whole.as_ref(), Ok(p));
                pos += used;
            }
            (Err(a), Err(b)) => {
                prop_assert_eq!(a, b, "errors");
                return Ok(n);
            }
            _ => prop_assert!(false, "owned {:?} but borrowed {:?}", owned, borrowed),
        }
    }
    prop_assert!(false, "more packets than bytes allow");
    unreachable!()
}

proptest! {
    #![proptest_config(config(512))]

    /// Every valid packet: both decode it, to the same content.
    #[test]
    fn valid_packets_agree(p in st::packet()) {
        let bytes = p.to_bytes().expect("encodes");
        let unlimited = Decoder::new().max_packet_size(Decoder::PROTOCOL_MAX_PACKET_SIZE);
        prop_assert_eq!(agree(&unlimited, &bytes)?, 1);
        for decoder in decoders() {
            agree(&decoder, &bytes)?;
        }
        // Every strict prefix needs more, for both.
        let small = bytes.len() <= 300;
        for cut in (0..bytes.len()).filter(|&c| small || c < 8 || c + 8 > bytes.len()) {
            prop_assert_eq!(unlimited.decode_ref(&bytes[..cut]), Ok(None));
        }
    }

    /// Valid packets damaged by bit flips, truncations, insertions and length edits.
    #[test]
    fn mutated_packets_agree(
        packets in prop::collection::vec(st::small_packet(), 1..3),
        mutations in prop::collection::vec(mutation(), 1..4),
    ) {
        let bytes = damaged(&packets, &mutations);
        for decoder in decoders() {
            agree(&decoder, &bytes)?;
        }
    }

    /// Arbitrary bytes behind a plausible fixed header.
    #[test]
    fn arbitrary_bodies_agree(
        first in any::<u8>(),
        len in 0usize..200,
        body in prop::collection::vec(any::<u8>(), 0..200),
    ) {
        let bytes = behind_header(first, len, body);
        for decoder in decoders() {
            agree(&decoder, &bytes)?;
        }
    }

    /// Arbitrary bytes.
    #[test]
    fn arbitrary_bytes_agree(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        for decoder in decoders() {
            agree(&decoder, &bytes)?;
        }
    }
}

/// Every value of every byte of one packet of each type (and of every byte of a CONNECT with
/// all its fields): both decoders agree.
#[test]
fn every_single_byte_edit_agrees() {
    let id = PacketId::new(0x0102).unwrap();
    let packets: Vec<Packet> = vec![
        Connect {
            keep_alive: 60,
            will: Some(Will {
                topic: TopicName::new("w/t").unwrap(),
                payload: Bytes::from_static(b"bye"),
                qos: QoS::AtLeastOnce,
                retain: true,
                properties: Properties::EMPTY,
            }),
            login: Some(Login {
                username: Some(MqttString::new("u").unwrap()),
                password: Some(Bytes::from_static(b"pw")),
            }),
            ..Connect::new(MqttString::new("client").unwrap())
        }
        .into(),
        ConnAck::accepted(true).into(),
        Publish::new(
            TopicName::new("a/b").unwrap(),
            QosPid::ExactlyOnce(id),
            "hi",
        )
        .into(),
        PubAck::new(id).into(),
        PubRel::new(id).into(),
        Subscribe::new(
            id,
            vec![
                Subscription::new(TopicFilter::new("a/+").unwrap(), QoS::AtLeastOnce),
                Subscription::new(TopicFilter::new("#").unwrap(), QoS::ExactlyOnce),
            ],
        )
        .unwrap()
        .into(),
        SubAck::new(
            id,
            vec![SubscribeReturnCode::Failure, QoS::AtLeastOnce.into()],
        )
        .into(),
        Unsubscribe::new(id, vec![TopicFilter::new("a/+").unwrap()])
            .unwrap()
            .into(),
        UnsubAck::new(id).into(),
        Packet::PingReq,
        Packet::Disconnect(mqttwire::Disconnect::new()),
    ];
    for p in &packets {
        let bytes = p.to_bytes().unwrap().to_vec();
        for i in 0..bytes.len() {
            for v in 0..=255u8 {
                let mut edited = bytes.clone();
                edited[i] = v;
                for decoder in decoders() {
                    if let Err(e) = agree(&decoder, &edited) {
                        panic!("{edited:02x?} with {decoder:?}: {e}");
                    }
                }
            }
        }
    }
}

#[test]
fn publish_borrows_the_input() {
    let rx = b"\x32\x0c\x00\x03a/b\x00\x07hello";
    let (packet, consumed) = decode_ref(rx).unwrap().unwrap();
    assert_eq!(consumed, rx.len());
    let PacketRef::Publish(p) = packet else {
        panic!("{packet:?}")
    };
    assert_eq!(p.topic(), "a/b");
    assert_eq!(p.qos, QosPid::AtLeastOnce(PacketId::new(7).unwrap()));
    assert_eq!(p.payload, b"hello");
    assert!(std::ptr::eq(p.payload, &rx[9..]));
    assert!(std::ptr::eq(p.topic().as_bytes(), &rx[4..7]));
}

#[test]
fn lists_are_iterated_in_place() {
    let subscribe = Subscribe::new(
        PacketId::new(9).unwrap(),
        vec![
            Subscription::new(TopicFilter::new("a/+").unwrap(), QoS::AtLeastOnce),
            Subscription::new(TopicFilter::new("b/#").unwrap(), QoS::AtMostOnce),
            Subscription::new(TopicFilter::new("c").unwrap(), QoS::ExactlyOnce),
        ],
    )
    .unwrap();
    let bytes = subscribe.to_bytes().unwrap();
    let Ok(PacketRef::Subscribe(s)) = Decoder::new().decode_frame_ref(&bytes) else {
        panic!()
    };
    assert_eq!((s.packet_id.get(), s.len(), s.is_empty()), (9, 3, false));
    let entries: Vec<_> = s.iter().collect();
    assert_eq!(
        entries,
        [
            ("a/+", QoS::AtLeastOnce),
            ("b/#", QoS::AtMostOnce),
            ("c", QoS::ExactlyOnce)
        ]
    );
    assert_eq!(s.iter().len(), 3);
    assert_eq!(s.to_owned(), subscribe);
    // The owned packet reads the same bytes: borrowed pairs, owned subscriptions sharing its
    // buffer, its borrowed view.
    assert_eq!(subscribe.iter().collect::<Vec<_>>(), entries);
    assert_eq!((&subscribe).into_iter().len(), 3);
    let owned: Vec<Subscription> = subscribe.subscriptions().collect();
    assert_eq!(owned[1].filter, "b/#");
    assert_eq!(owned[2].qos, QoS::ExactlyOnce);
    assert_eq!(subscribe.as_borrowed(), s);
    assert_eq!(subscribe.payload(), s.payload());
    assert_eq!(
        (
            subscribe.packet_id().get(),
            subscribe.len(),
            subscribe.is_empty()
        ),
        (9, 3, false)
    );
    assert_eq!(
        format!("{subscribe:?}"),
        "Subscribe { packet_id: PacketId(9), subscriptions: [(\"a/+\", AtLeastOnce), \
         (\"b/#\", AtMostOnce), (\"c\", ExactlyOnce)] }"
    );
    assert_eq!(Subscribe::new(subscribe.packet_id(), owned), Ok(subscribe));

    let unsubscribe = Unsubscribe::new(
        PacketId::new(10).unwrap(),
        vec![
            TopicFilter::new("a/+").unwrap(),
            TopicFilter::new("x").unwrap(),
        ],
    )
    .unwrap();
    let bytes = unsubscribe.to_bytes().unwrap();
    let Ok(PacketRef::Unsubscribe(u)) = Decoder::new().decode_frame_ref(&bytes) else {
        panic!()
    };
    assert_eq!(u.iter().collect::<Vec<_>>(), ["a/+", "x"]);
    assert_eq!(u.len(), 2);
    assert_eq!(u.to_owned(), unsubscribe);
    assert_eq!(unsubscribe.iter().collect::<Vec<_>>(), ["a/+", "x"]);
    let filters: Vec<TopicFilter> = unsubscribe.filters().collect();
    assert_eq!(filters[1], "x");
    assert_eq!(unsubscribe.as_borrowed(), u);
    assert_eq!(
        format!("{unsubscribe:?}"),
        "Unsubscribe { packet_id: PacketId(10), filters: [\"a/+\", \"x\"] }"
    );
    assert_eq!(
        Unsubscribe::new(unsubscribe.packet_id(), filters),
        Ok(unsubscribe)
    );

    let suback = SubAck::new(
        PacketId::new(11).unwrap(),
        vec![QoS::AtLeastOnce.into(), SubscribeReturnCode::Failure],
    );
    let bytes = suback.to_bytes().unwrap();
    let Ok(PacketRef::SubAck(a)) = Decoder::new().decode_frame_ref(&bytes) else {
        panic!()
    };
    assert_eq!(
        a.iter().collect::<Vec<_>>(),
        suback.reason_codes().collect::<Vec<_>>()
    );
    assert_eq!(a.to_owned(), suback);
}

#[test]
fn connect_to_owned_and_back() {
    let connect = Connect {
        keep_alive: 30,
        clean_session: false,
        will: Some(Will {
            topic: TopicName::new("status/x").unwrap(),
            payload: Bytes::from_static(b"offline"),
            qos: QoS::ExactlyOnce,
            retain: false,
            properties: Properties::EMPTY,
        }),
        login: Some(Login {
            username: Some(MqttString::new("user").unwrap()),
            password: None,
        }),
        ..Connect::new(MqttString::new("x").unwrap())
    };
    let bytes = connect.to_bytes().unwrap();
    let Ok(PacketRef::Connect(c)) = decode_ref(&bytes).map(|r| r.unwrap().0) else {
        panic!()
    };
    assert_eq!(c.client_id(), "x");
    assert_eq!(c.will().unwrap().topic(), "status/x");
    assert_eq!(c.login().unwrap().username(), Some("user"));
    assert_eq!(c, connect.as_borrowed());
    assert_eq!(c.to_owned(), connect);
    assert_eq!(c.to_bytes().unwrap(), bytes);
}

/// `lossy_utf8` repairs only in the owned decoder: a borrowed string cannot hold a repair.
#[test]
fn lossy_utf8_is_refused_by_the_borrowed_decoder() {
    let lossy = Decoder::new().lossy_utf8(true);
    let wire = [0x30, 0x06, 0x00, 0x03, b'a', 0xff, b'b', b'!'];
    let Ok(Some(Packet::Publish(p))) = lossy.decode(&mut BytesMut::from(&wire[..])) else {
        panic!()
    };
    assert_eq!(p.topic(), "a\u{fffd}b");
    assert_eq!(
        lossy.decode_ref(&wire),
        Err(DecodeError::InvalidTopicName(TopicError::InvalidUtf8 {
            offset: 1
        }))
    );
}

/// Where both decoders accept, `lossy_utf8` changes nothing: both agree on valid input.
#[test]
fn lossy_decoder_agrees_on_well_formed_input() {
    let lossy = Decoder::new().lossy_utf8(true);
    let bytes = Publish::new(TopicName::new("é/ü").unwrap(), QosPid::AtMostOnce, "x")
        .to_bytes()
        .unwrap();
    let owned = lossy
        .decode(&mut BytesMut::from(&bytes[..]))
        .unwrap()
        .unwrap();
    let (borrowed, _) = lossy.decode_ref(&bytes).unwrap().unwrap();
    assert_eq!(borrowed.to_owned(), owned);
}

#[test]
fn packet_sizes() {
    // CONNECT is boxed: the other packets do not pay for its size. The largest variants are
    // PUBLISH, one `Bytes` (32 bytes) for topic and payload plus its QoS, identifier and flags,
    // and the MQTT 5.0 packets with properties (one `Bytes`) and a reason code: 40 bytes each,
    // and the tag, which no variant has room for once several are that large: 48 in all.
    assert!(
        std::mem::size_of::<Packet>() <= 48,
        "Packet is {} bytes, more than 48: a variant grew past one Bytes and 8 bytes of fields",
        std::mem::size_of::<Packet>()
    );
}
