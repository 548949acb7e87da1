//! Property tests of MQTT 5.0 (issue 14, item 8), in the manner of `tests/properties.rs`: round
//! trips through every decoder, exact `encoded_len_for`, the bytes of an independent reference
//! encoder, split invariance, no panic and the decoder's contract on hostile input, the
//! projection of a 5.0 packet onto MQTT 3.1.1, and a peer's Maximum Packet Size. The strategies
//! (`tests/common/strategies_v5.rs`) cover all 15 packets with their 5.0 fields and every
//! property in every packet that may carry it.
//!
//! The projection onto 3.1.1 and the properties a sender may leave out for a peer's Maximum
//! Packet Size are defined once, in `tests/fuzz_checks/checks.rs` (`v311_projection`,
//! `without_droppable`), and shared with the fuzz targets.

#[path = "fuzz_checks/checks.rs"]
#[allow(dead_code)]
mod checks;
mod common;

use bytes::{BufMut, Bytes, BytesMut};
use common::config;
use common::hostile::{behind_header, damaged_for, mutation};
use common::strategies_v5::{self as st5, ref_encode_v5, Prop};
use mqttwire::*;
use proptest::prelude::*;
use proptest::sample::Index;

/// A strict MQTT 5.0 decoder accepting every size MQTT can express.
fn v5() -> Decoder {
    Decoder::new()
        .protocol(Protocol::V5)
        .max_packet_size(Decoder::PROTOCOL_MAX_PACKET_SIZE)
}

/// A strict MQTT 3.1.1 decoder accepting every size MQTT can express.
fn v311() -> Decoder {
    Decoder::new().max_packet_size(Decoder::PROTOCOL_MAX_PACKET_SIZE)
}

/// Every 5.0 decoder configuration hostile input is run through.
fn decoders_v5() -> [Decoder; 5] {
    [
        Decoder::new().protocol(Protocol::V5),
        v5(),
        Decoder::new().protocol(Protocol::V5).max_packet_size(64),
        Decoder::new().protocol(Protocol::V5).max_packet_size(2),
        Decoder::new()
            .protocol(Protocol::V5)
            .lossy_utf8(true)
            .lenient_reserved_flags(true),
    ]
}

/// Decodes everything in `bytes` with `decoder`, checking the contract of each call: `Ok(None)`
/// touches nothing, `Ok(Some)` consumes one frame of at least 2 bytes within the limit, and
/// what decodes encodes for 5.0 to `encoded_len_for` bytes that decode back to it. The borrowed
/// decoder gives the same packets and end (but where the owned one repaired UTF-8). Returns the
/// packets and the final result (`Ok(None)` or the error).
fn decode_all_v5(
    decoder: &Decoder,
    bytes: &[u8],
) -> Result<(Vec<Packet>, Option<DecodeError>), TestCaseError> {
    let mut buf = BytesMut::from(bytes);
    let mut packets = Vec::new();
    let mut end = None;
    // Each Ok(Some) takes at least 2 bytes, so this bounds the loop: no spinning.
    let mut stopped = false;
    for _ in 0..=bytes.len() / 2 {
        let before = buf.clone();
        match decoder.decode(&mut buf) {
            Ok(None) => {
                prop_assert_eq!(&buf[..], &before[..], "Ok(None) consumed or changed bytes");
                stopped = true;
                break;
            }
            Ok(Some(p)) => {
                let consumed = before.len() - buf.len();
                prop_assert!(consumed >= 2);
                prop_assert!(consumed <= decoder.max_packet_size_limit());
                prop_assert_eq!(&buf[..], &before[consumed..]);
                let encoded = Encoder::V5.to_bytes(&p).expect("decoded packets encode");
                prop_assert_eq!(encoded.len(), Encoder::V5.encoded_len(&p));
                prop_assert_eq!(v5().decode_frame(encoded), Ok(p.clone()));
                packets.push(p);
            }
            Err(e) => {
                end = Some(e);
                stopped = true;
                break;
            }
        }
    }
    prop_assert!(stopped, "decoder did not stop after {} bytes", bytes.len());

    // The borrowed decoder, over the same bytes.
    let mut rest = bytes;
    let mut borrowed = Vec::new();
    let borrowed_end = loop {
        match decoder.decode_ref(rest) {
            Ok(None) => break None,
            Ok(Some((p, consumed))) => {
                prop_assert!(consumed >= 2 && consumed <= rest.len());
                borrowed.push(p.to_owned());
                rest = &rest[consumed..];
            }
            Err(e) => break Some(e),
        }
    };
    let lossy = *decoder != decoder.lossy_utf8(false);
    if !lossy {
        prop_assert_eq!(&borrowed, &packets);
        prop_assert_eq!(borrowed_end, end);
    } else {
        prop_assert!(borrowed.len() <= packets.len());
        prop_assert_eq!(&borrowed[..], &packets[..borrowed.len()]);
    }
    Ok((packets, end))
}

proptest! {
    #![proptest_config(config(256))]

    /// decode(encode(p)) == p for every 5.0 packet, with the owned streaming decoder,
    /// `decode_frame`, the borrowed decoder and `decode_frame_ref`; `encoded_len_for` is
    /// exactly the bytes written, into a `Vec`, a `BytesMut` and an exact `&mut [u8]`; the
    /// borrowed packet encodes to the same bytes.
    #[test]
    fn roundtrip_every_v5_packet(p in st5::packet_v5()) {
        let len = Encoder::V5.encoded_len(&p);
        let mut vec = Vec::new();
        Encoder::V5.encode(&p, &mut vec).expect("Vec grows");
        prop_assert_eq!(vec.len(), len);
        let bytes = Encoder::V5.to_bytes(&p).expect("valid packet encodes");
        prop_assert_eq!(&bytes[..], &vec[..]);
        let mut bytes_mut = BytesMut::new();
        Encoder::V5.encode(&p, &mut bytes_mut).expect("BytesMut grows");
        prop_assert_eq!(&bytes_mut[..], &vec[..]);
        let mut fixed = vec![0u8; len];
        Encoder::V5.encode(&p, &mut &mut fixed[..]).expect("exact room suffices");
        prop_assert_eq!(&fixed[..], &vec[..]);

        prop_assert_eq!(v5().decode_frame(bytes.clone()), Ok(p.clone()));
        let mut buf = BytesMut::from(&vec[..]);
        prop_assert_eq!(v5().decode(&mut buf), Ok(Some(p.clone())));
        prop_assert!(buf.is_empty());
        let (borrowed, consumed) = v5().decode_ref(&vec).expect("valid").expect("whole");
        prop_assert_eq!(consumed, len);
        prop_assert_eq!(borrowed.to_owned(), p.clone());
        prop_assert_eq!(&Encoder::V5.to_bytes(&borrowed).expect("encodes")[..], &vec[..]);
        prop_assert_eq!(Encoder::V5.encoded_len(&borrowed), len);
        prop_assert_eq!(v5().decode_frame_ref(&vec).map(|b| b.to_owned()), Ok(p));
    }

    /// The crate writes exactly what the standard lays out (an independent reference encoder
    /// with its own property writer), and those bytes decode and re-encode unchanged.
    #[test]
    fn reference_encoder_v5(p in st5::packet_v5()) {
        let canonical = ref_encode_v5(&p);
        prop_assert_eq!(&Encoder::V5.to_bytes(&p).expect("encodes")[..], &canonical[..]);
        let decoded = v5()
            .decode_frame(Bytes::from(canonical.clone()))
            .expect("canonical bytes decode");
        prop_assert_eq!(&Encoder::V5.to_bytes(&decoded).expect("re-encodes")[..], &canonical[..]);
    }

    /// Properties built from values give those values back, in order, through `iter`, `get`,
    /// `contains`, `user_properties` and `subscription_identifiers`, and the block is what the
    /// reference encoder writes for them.
    #[test]
    fn properties_read_back_what_was_built(
        (set, props) in prop::sample::select(st5::SETS.to_vec())
            .prop_flat_map(|set| (Just(set), st5::prop_list(set)))
    ) {
        let built = st5::build(&props);
        let expected: Vec<Property<'_>> = props.iter().map(Prop::property).collect();
        prop_assert_eq!(built.iter().collect::<Vec<_>>(), expected.clone());
        prop_assert_eq!(built.is_empty(), props.is_empty());
        for id in PropertyId::ALL {
            let first = expected.iter().find(|p| p.id() == id).copied();
            prop_assert_eq!(built.get(id), first);
            prop_assert_eq!(built.contains(id), first.is_some());
            prop_assert!(first.is_none() || id.allowed_in(set), "{:?} in {:?}", id, set);
        }
        let users: Vec<(&str, &str)> = props
            .iter()
            .filter_map(|p| match p {
                Prop::UserProperty(k, v) => Some((k.as_str(), v.as_str())),
                _ => None,
            })
            .collect();
        prop_assert_eq!(built.user_properties().collect::<Vec<_>>(), users);
        let ids: Vec<u32> = props
            .iter()
            .filter_map(|p| match p {
                Prop::SubscriptionIdentifier(v) => Some(*v),
                _ => None,
            })
            .collect();
        prop_assert_eq!(built.subscription_identifiers().collect::<Vec<_>>(), ids);
        let mut reference = Vec::new();
        st5::ref_properties(expected, &mut reference);
        let block_len = common::strategies::ref_varint(built.as_bytes().len()).len();
        prop_assert_eq!(&reference[block_len..], built.as_bytes());
    }

    /// A stream of 5.0 packets cut into random chunks, fed chunk by chunk to a 5.0 decoder,
    /// gives exactly the packets decoding it whole gives, which are the packets encoded; the
    /// borrowed decoder reads the same packets.
    #[test]
    fn split_invariance_v5(
        packets in prop::collection::vec(st5::small_packet_v5(), 1..8),
        cuts in prop::collection::vec(any::<Index>(), 0..24),
    ) {
        let mut stream = Vec::new();
        for p in &packets {
            Encoder::V5.encode(p, &mut stream).expect("encodes");
        }
        let mut cuts: Vec<usize> = cuts.iter().map(|i| i.index(stream.len() + 1)).collect();
        cuts.push(0);
        cuts.push(stream.len());
        cuts.sort_unstable();
        cuts.dedup();

        let decoder = Decoder::new().protocol(Protocol::V5);
        let mut buf = BytesMut::new();
        let mut chunked = Vec::new();
        for pair in cuts.windows(2) {
            buf.extend_from_slice(&stream[pair[0]..pair[1]]);
            while let Some(p) = decoder.decode(&mut buf).expect("valid stream") {
                chunked.push(p);
            }
        }
        prop_assert!(buf.is_empty());
        let (whole, end) = decode_all_v5(&decoder, &stream)?;
        prop_assert_eq!(end, None);
        prop_assert_eq!(&chunked, &whole);
        prop_assert_eq!(&chunked, &packets);
    }

    /// Every strict prefix of a 5.0 packet is Ok(None) for the owned and the borrowed decoder,
    /// with the buffer's content untouched; the whole packet then decodes.
    #[test]
    fn every_strict_prefix_needs_more_v5(p in st5::small_packet_v5()) {
        let bytes = Encoder::V5.to_bytes(&p).expect("encodes");
        let decoder = Decoder::new().protocol(Protocol::V5);
        for cut in 0..bytes.len() {
            let mut buf = BytesMut::from(&bytes[..cut]);
            prop_assert_eq!(decoder.decode(&mut buf), Ok(None), "prefix of {} bytes", cut);
            prop_assert_eq!(&buf[..], &bytes[..cut]);
            prop_assert_eq!(decoder.decode_ref(&bytes[..cut]), Ok(None));
            prop_assert_eq!(
                decoder.decode_frame(Bytes::copy_from_slice(&bytes[..cut])),
                Err(DecodeError::IncompleteFrame)
            );
        }
        let mut buf = BytesMut::from(&bytes[..]);
        prop_assert_eq!(decoder.decode(&mut buf), Ok(Some(p)));
    }

    /// The two ways an encoder writes give the same 5.0 bytes: straight into a chunk that
    /// holds the whole frame, and through `put_*` into two slices chained, split anywhere.
    #[test]
    fn direct_and_put_paths_agree_v5(p in st5::packet_v5(), split in any::<Index>()) {
        let direct = Encoder::V5.to_bytes(&p).expect("encodes");
        let at = split.index(direct.len() + 1);
        let (mut first, mut second) = (vec![0u8; at], vec![0u8; direct.len() - at]);
        let mut chained = (&mut first[..]).chain_mut(&mut second[..]);
        Encoder::V5.encode(&p, &mut chained).expect("exact room suffices");
        prop_assert_eq!(chained.remaining_mut(), 0);
        prop_assert_eq!(&[first, second].concat()[..], &direct[..]);
    }

    /// Encoding for 5.0 into a `&mut [u8]` that is too small (one byte short, or any size
    /// below) fails with BufferTooSmall and writes nothing.
    #[test]
    fn encoding_into_small_slice_errors_v5(p in st5::packet_v5(), short in any::<Index>()) {
        let len = Encoder::V5.encoded_len(&p);
        for size in [len - 1, short.index(len)] {
            let mut slice = vec![0x5au8; size];
            prop_assert_eq!(
                Encoder::V5.encode(&p, &mut &mut slice[..]),
                Err(EncodeError::BufferTooSmall { needed: len, available: size })
            );
            prop_assert!(slice.iter().all(|&b| b == 0x5a), "bytes written on error");
        }
    }

    /// A 3.1.1 packet (built without any 5.0 field) goes to a 5.0 peer as the same packet:
    /// encoded for 5.0, a 5.0 decoder reads it back equal, but for what 5.0 needs and 3.1.1
    /// does not have (the Reason Codes of an UNSUBACK: `EmptyUnsubAck`). A CONNECT says its
    /// own version and stays a 3.1.1 one.
    #[test]
    fn v311_packets_go_to_v5_peers(p in common::strategies::packet()) {
        match Encoder::V5.to_bytes(&p) {
            Ok(bytes) => {
                prop_assert_eq!(bytes.len(), Encoder::V5.encoded_len(&p));
                prop_assert_eq!(v5().decode_frame(bytes), Ok(p));
            }
            Err(e) => {
                prop_assert!(matches!(p, Packet::UnsubAck(_)), "{:?}: {:?}", e, p);
                prop_assert_eq!(e, EncodeError::EmptyUnsubAck);
            }
        }
    }

    /// Every 5.0 packet that MQTT 3.1.1 can express encodes for it (`Encoder::V311`) to the
    /// bytes of its projection (`checks::v311_projection`: properties emptied, Subscription
    /// Options reduced to the QoS, success Reason Codes dropped, SUBACK codes turned into
    /// return codes), which a 3.1.1 decoder reads as that projection; what 3.1.1 cannot
    /// express (AUTH, a failure code, a topic given by alias alone, ...) is `NotInV311`. A
    /// 5.0 CONNECT made a 3.1.1 one loses its properties, and cannot keep a password alone.
    #[test]
    fn cross_version_projection(p in st5::packet_v5()) {
        let result = Encoder::V311.to_bytes(&p);
        // The borrowed packet encodes for 3.1.1 as the owned one does.
        let v5_bytes = Encoder::V5.to_bytes(&p).expect("encodes");
        let (borrowed, _) = v5().decode_ref(&v5_bytes).expect("valid").expect("whole");
        prop_assert_eq!(&Encoder::V311.to_bytes(&borrowed), &result);
        if result.is_ok() {
            // (For a PUBLISH without topic, which 3.1.1 refuses, `PublishRef` answers 0 and
            // `Publish` the length with the empty topic: only what goes is compared.)
            prop_assert_eq!(Encoder::V311.encoded_len(&borrowed), Encoder::V311.encoded_len(&p));
        }
        match checks::v311_projection(&p) {
            Some(expected) => {
                let bytes = result.expect("expressible in 3.1.1");
                prop_assert_eq!(bytes.len(), Encoder::V311.encoded_len(&p));
                prop_assert_eq!(&bytes[..], &expected.to_bytes().expect("encodes")[..]);
                prop_assert_eq!(v311().decode_frame(bytes), Ok(expected.clone()));
                // The projection goes to a 5.0 peer too (not CONNECT, which says its version,
                // nor an UNSUBACK without codes, which 5.0 requires: `EmptyUnsubAck`).
                if !matches!(p, Packet::Connect(_) | Packet::UnsubAck(_)) {
                    let again = Encoder::V5.to_bytes(&expected).expect("encodes");
                    prop_assert_eq!(v5().decode_frame(again), Ok(expected));
                }
            }
            None => prop_assert!(
                matches!(result, Err(EncodeError::NotInV311(_))),
                "{:?} for {:?}", result, p
            ),
        }
        if let Packet::Connect(c) = &p {
            let v311_connect = (**c).clone().with_protocol(Protocol::V311);
            let password_alone = c
                .login
                .as_ref()
                .is_some_and(|l| l.username.is_none() && l.password.is_some());
            match v311_connect.to_bytes() {
                Err(EncodeError::NotInV311(_)) => prop_assert!(password_alone),
                Err(e) => prop_assert!(false, "{:?}", e),
                Ok(bytes) => {
                    prop_assert!(!password_alone);
                    let Ok(Packet::Connect(decoded)) = v311().decode_frame(bytes) else {
                        return Err(TestCaseError::fail("the 3.1.1 CONNECT decodes"));
                    };
                    prop_assert_eq!(decoded.protocol, Protocol::V311);
                    prop_assert!(decoded.properties.is_empty());
                    prop_assert!(decoded.will.iter().all(|w| w.properties.is_empty()));
                    prop_assert_eq!(&decoded.client_id, &c.client_id);
                    prop_assert_eq!(
                        decoded.will.as_ref().map(|w| (&w.topic, &w.payload, w.qos, w.retain)),
                        c.will.as_ref().map(|w| (&w.topic, &w.payload, w.qos, w.retain))
                    );
                    prop_assert_eq!(&decoded.login, &c.login);
                }
            }
        }
    }

    /// A packet encoded for a 5.0 peer whose Maximum Packet Size is `n` never exceeds `n`:
    /// it goes whole if it fits, else without its Reason String and User Properties where the
    /// standard lets a sender leave them out (`checks::without_droppable`), else not at all
    /// (`ExceedsMaximumPacketSize`, nothing written). `encoded_len_for` is exact for what goes.
    #[test]
    fn maximum_packet_size_is_never_exceeded(
        p in st5::packet_v5(),
        at in any::<Index>(),
        tiny in 0usize..8,
        pick in 0u8..4,
    ) {
        let full = Encoder::V5.to_bytes(&p).expect("encodes");
        let n = match pick {
            0 => tiny,
            1 => full.len().saturating_sub(tiny),
            _ => at.index(full.len() + 8),
        };
        let encoder = Encoder::V5.max_packet_size(n);
        // The borrowed packet goes (or not) as the owned one does.
        let (borrowed, _) = v5().decode_ref(&full).expect("valid").expect("whole");
        prop_assert_eq!(encoder.to_bytes(&borrowed), encoder.to_bytes(&p));
        prop_assert_eq!(encoder.encoded_len(&borrowed), encoder.encoded_len(&p));
        let mut buf = vec![0xa5u8];
        match encoder.encode(&p, &mut buf) {
            Ok(()) => {
                let written = &buf[1..];
                prop_assert!(written.len() <= n, "{} bytes for a limit of {}", written.len(), n);
                prop_assert_eq!(written.len(), encoder.encoded_len(&p));
                let decoded = v5().decode_frame(Bytes::copy_from_slice(written));
                if full.len() <= n {
                    prop_assert_eq!(written, &full[..]);
                } else {
                    prop_assert_eq!(decoded, Ok(checks::without_droppable(&p)));
                }
            }
            Err(EncodeError::ExceedsMaximumPacketSize { size, max }) => {
                prop_assert_eq!(&buf[..], &[0xa5][..], "nothing written on error");
                prop_assert_eq!(max, n);
                prop_assert!(size > n && full.len() > n);
                let reduced = Encoder::V5.encoded_len(&checks::without_droppable(&p));
                prop_assert!(reduced > n, "reduced to {} bytes, which fit {}", reduced, n);
            }
            Err(e) => prop_assert!(false, "unexpected {:?}", e),
        }
    }
}

proptest! {
    #![proptest_config(config(1024))]

    /// Arbitrary bytes: every 5.0 decoder configuration answers Ok or Err, never panics or
    /// spins, nothing is consumed by Ok(None), owned and borrowed agree, and what decodes
    /// re-encodes. `decode_frame` neither panics.
    #[test]
    fn arbitrary_bytes_never_panic_v5(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        for decoder in decoders_v5() {
            decode_all_v5(&decoder, &bytes)?;
            let _ = decoder.decode_frame(Bytes::from(bytes.clone()));
        }
    }

    /// Arbitrary bytes behind a plausible first byte (every packet type and flag combination,
    /// AUTH included).
    #[test]
    fn arbitrary_bodies_never_panic_v5(
        first in any::<u8>(),
        len in 0usize..200,
        body in prop::collection::vec(any::<u8>(), 0..200),
    ) {
        let bytes = behind_header(first, len, body);
        for decoder in decoders_v5() {
            decode_all_v5(&decoder, &bytes)?;
            let _ = decoder.decode_frame(Bytes::from(bytes.clone()));
        }
    }
}

proptest! {
    #![proptest_config(config(512))]

    /// Valid 5.0 packets damaged by bit flips, truncations, insertions, Remaining Length
    /// edits: Ok or Err, never a panic; the decoder's contract holds; what decodes re-encodes
    /// and decodes back to itself, and from the strict decoder to the frame it came from (but
    /// for the shortest form of an optional Reason Code and Property Length, see
    /// `checks::check_reencode_v5`).
    #[test]
    fn mutated_v5_packets_never_panic(
        packets in prop::collection::vec(st5::small_packet_v5(), 1..3),
        mutations in prop::collection::vec(mutation(), 1..4),
    ) {
        let bytes = damaged_for(&Encoder::V5, &packets, &mutations);
        for decoder in decoders_v5() {
            decode_all_v5(&decoder, &bytes)?;
            let _ = decoder.decode_frame(Bytes::from(bytes.clone()));
        }
        let strict = Decoder::new().protocol(Protocol::V5);
        if let Ok(Some(h)) = FixedHeader::peek_v5(&bytes) {
            if let Some(frame) = bytes.get(..h.frame_len()) {
                if let Ok(p) = strict.decode_frame(Bytes::copy_from_slice(frame)) {
                    checks::check_reencode_v5(&strict, &p, frame);
                }
            }
        }
    }
}

/// The strategies cover what they claim: each set's list of allowed properties, transcribed
/// from Table 2-4 in the strategies, is the crate's (`PropertyId::allowed_in`); every property
/// is drawn in every set that allows it, User Properties more than once, Subscription
/// Identifiers more than once in PUBLISH; every packet type is drawn.
#[test]
fn strategies_cover_every_property_where_allowed() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    for set in st5::SETS {
        let allowed = st5::allowed(set);
        for id in PropertyId::ALL {
            assert_eq!(
                id.allowed_in(set),
                allowed.contains(&id),
                "{id:?} in {set:?}"
            );
        }
        let strategy = st5::prop_list(set);
        let mut seen = std::collections::HashSet::new();
        let (mut users, mut sub_ids) = (0, 0);
        for _ in 0..120 {
            let props = strategy.new_tree(&mut runner).expect("tree").current();
            let count = |id| props.iter().filter(|p| p.id() == id).count();
            users = users.max(count(PropertyId::UserProperty));
            sub_ids = sub_ids.max(count(PropertyId::SubscriptionIdentifier));
            seen.extend(props.iter().map(Prop::id));
        }
        assert_eq!(seen.len(), allowed.len(), "{set:?}: drew only {seen:?}");
        assert!(users >= 2, "{set:?}: User Property never repeated");
        if set == PropertySet::Publish {
            assert!(
                sub_ids >= 2,
                "PUBLISH: Subscription Identifier never repeated"
            );
        }
    }
    let strategy = st5::packet_v5();
    let mut types = std::collections::HashSet::new();
    for _ in 0..200 {
        types.insert(
            strategy
                .new_tree(&mut runner)
                .expect("tree")
                .current()
                .packet_type(),
        );
    }
    assert_eq!(types.len(), 15, "{types:?}");
}
