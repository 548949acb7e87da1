//! Property tests of the codec's robustness contract (issue 4): round trips, canonical bytes,
//! split invariance, no panic on hostile input, bounded encoding. Strategies cover the whole
//! valid packet space (`tests/common/strategies.rs`).

mod common;

use bytes::{BufMut, Bytes, BytesMut};
use common::config;
use common::hostile::{behind_header, damaged, mutation};
use common::strategies::{self as st, ref_encode};
use mqttwire::*;
use proptest::prelude::*;
use proptest::sample::Index;

/// A decoder accepting every size MQTT can express, so generated 64 KiB strings pass.
fn unlimited() -> Decoder {
    Decoder::new().max_packet_size(Decoder::PROTOCOL_MAX_PACKET_SIZE)
}

/// Every decoder configuration hostile input is run through.
fn decoders() -> [Decoder; 5] {
    [
        Decoder::new(),
        unlimited(),
        Decoder::new().max_packet_size(64),
        Decoder::new().max_packet_size(2),
        Decoder::new().lossy_utf8(true).lenient_reserved_flags(true),
    ]
}

/// Decodes everything in `bytes` with `decoder`, checking the contract of each call: `Ok(None)`
/// touches nothing, `Ok(Some)` consumes one frame of at least 2 bytes within the limit. Returns
/// the packets and the final result (`Ok(None)` or the error).
fn decode_all(
    decoder: &Decoder,
    bytes: &[u8],
) -> Result<(Vec<Packet>, Option<DecodeError>), TestCaseError> {
    let mut buf = BytesMut::from(bytes);
    let mut packets = Vec::new();
    // Each Ok(Some) takes at least 2 bytes, so this bounds the loop: no spinning.
    for _ in 0..=bytes.len() / 2 {
        let before = buf.clone();
        match decoder.decode(&mut buf) {
            Ok(None) => {
                prop_assert_eq!(&buf[..], &before[..], "Ok(None) consumed or changed bytes");
                return Ok((packets, None));
            }
            Ok(Some(p)) => {
                let consumed = before.len() - buf.len();
                prop_assert!(consumed >= 2);
                prop_assert!(consumed <= decoder.max_packet_size_limit());
                prop_assert_eq!(&buf[..], &before[consumed..]);
                // Whatever decodes is a valid packet: it encodes and decodes back to itself.
                let again = unlimited().decode_frame(p.to_bytes().expect("decoded packets encode"));
                prop_assert_eq!(again.as_ref(), Ok(&p));
                packets.push(p);
            }
            Err(e) => return Ok((packets, Some(e))),
        }
    }
    Err(TestCaseError::fail(format!(
        "decoder did not stop after {} bytes",
        bytes.len()
    )))
}

proptest! {
    #![proptest_config(config(512))]

    /// decode(encode(p)) == p for every packet, with the streaming decoder and decode_frame,
    /// and encoded_len is exactly the bytes written, whatever the BufMut.
    #[test]
    fn roundtrip_every_packet(p in st::packet()) {
        let mut vec = Vec::new();
        p.encode(&mut vec).expect("Vec grows");
        prop_assert_eq!(vec.len(), p.encoded_len());
        let bytes = p.to_bytes().expect("valid packet encodes");
        prop_assert_eq!(&bytes[..], &vec[..]);
        let mut fixed = vec![0u8; p.encoded_len()];
        p.encode(&mut &mut fixed[..]).expect("exact room suffices");
        prop_assert_eq!(&fixed[..], &vec[..]);

        prop_assert_eq!(unlimited().decode_frame(bytes.clone()), Ok(p.clone()));
        let mut buf = BytesMut::from(&vec[..]);
        prop_assert_eq!(unlimited().decode(&mut buf), Ok(Some(p.clone())));
        prop_assert!(buf.is_empty());
    }

    /// The crate writes exactly what the standard lays out (an independent reference encoder),
    /// and canonical bytes survive decode then encode unchanged: encode(decode(b)) == b.
    #[test]
    fn canonical_bytes_reencode_identically(p in st::packet()) {
        let canonical = ref_encode(&p);
        prop_assert_eq!(&p.to_bytes().expect("encodes")[..], &canonical[..]);
        let decoded = unlimited()
            .decode_frame(Bytes::from(canonical.clone()))
            .expect("canonical bytes decode");
        prop_assert_eq!(&decoded.to_bytes().expect("re-encodes")[..], &canonical[..]);
    }

    /// A stream of packets cut into random chunks, fed chunk by chunk, gives exactly the
    /// packets decoding it whole gives, which are the packets encoded.
    #[test]
    fn split_invariance(
        packets in prop::collection::vec(st::small_packet(), 1..8),
        cuts in prop::collection::vec(any::<Index>(), 0..24),
    ) {
        let mut stream = Vec::new();
        for p in &packets {
            p.encode(&mut stream).expect("encodes");
        }
        let mut cuts: Vec<usize> = cuts.iter().map(|i| i.index(stream.len() + 1)).collect();
        cuts.push(0);
        cuts.push(stream.len());
        cuts.sort_unstable();
        cuts.dedup();

        let decoder = Decoder::new();
        let mut buf = BytesMut::new();
        let mut chunked = Vec::new();
        for pair in cuts.windows(2) {
            buf.extend_from_slice(&stream[pair[0]..pair[1]]);
            while let Some(p) = decoder.decode(&mut buf).expect("valid stream") {
                chunked.push(p);
            }
        }
        prop_assert!(buf.is_empty());
        let (whole, end) = decode_all(&decoder, &stream)?;
        prop_assert_eq!(end, None);
        prop_assert_eq!(&chunked, &whole);
        prop_assert_eq!(&chunked, &packets);
    }

    /// Every strict prefix of a packet is Ok(None), with the buffer's content untouched; the
    /// whole packet then decodes.
    #[test]
    fn every_strict_prefix_needs_more(p in st::small_packet()) {
        let bytes = p.to_bytes().expect("encodes");
        let decoder = Decoder::new();
        for cut in 0..bytes.len() {
            let mut buf = BytesMut::from(&bytes[..cut]);
            prop_assert_eq!(decoder.decode(&mut buf), Ok(None), "prefix of {} bytes", cut);
            prop_assert_eq!(&buf[..], &bytes[..cut]);
            prop_assert_eq!(
                decoder.decode_frame(Bytes::copy_from_slice(&bytes[..cut])),
                Err(DecodeError::IncompleteFrame)
            );
        }
        // Growing one buffer byte by byte, as a trickling peer does.
        let mut buf = BytesMut::new();
        for (i, &b) in bytes.iter().enumerate() {
            buf.extend_from_slice(&[b]);
            let r = decoder.decode(&mut buf);
            if i + 1 < bytes.len() {
                prop_assert_eq!(r, Ok(None));
                prop_assert_eq!(&buf[..], &bytes[..=i]);
            } else {
                prop_assert_eq!(r, Ok(Some(p.clone())));
            }
        }
    }

    /// The two ways an encoder writes give the same bytes: straight into a chunk that holds
    /// the whole frame (`to_bytes`), and through `put_*` into two slices chained, split at any
    /// point of the frame (the first chunk then holds only part of it).
    #[test]
    fn direct_and_put_paths_agree(p in st::packet(), split in any::<Index>()) {
        let direct = p.to_bytes().expect("encodes");
        let at = split.index(direct.len() + 1);
        let (mut first, mut second) = (vec![0u8; at], vec![0u8; direct.len() - at]);
        let mut chained = (&mut first[..]).chain_mut(&mut second[..]);
        p.encode(&mut chained).expect("exact room suffices");
        prop_assert_eq!(chained.remaining_mut(), 0);
        prop_assert_eq!(&[first, second].concat()[..], &direct[..]);
    }

    /// Encoding into a `&mut [u8]` that is too small fails with BufferTooSmall, writes nothing
    /// and does not panic.
    #[test]
    fn encoding_into_small_slice_errors(p in st::packet(), short in any::<Index>()) {
        let len = p.encoded_len();
        let size = short.index(len); // 0..len
        let mut slice = vec![0x5au8; size];
        prop_assert_eq!(
            p.encode(&mut &mut slice[..]),
            Err(EncodeError::BufferTooSmall { needed: len, available: size })
        );
        prop_assert!(slice.iter().all(|&b| b == 0x5a), "bytes written on error");
    }
}

proptest! {
    #![proptest_config(config(2048))]

    /// Arbitrary bytes: every decoder configuration answers Ok or Err, never panics or spins,
    /// and nothing is consumed by Ok(None). decode_frame neither panics.
    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        for decoder in decoders() {
            decode_all(&decoder, &bytes)?;
            let _ = decoder.decode_frame(Bytes::from(bytes.clone()));
        }
    }

    /// Arbitrary bytes behind a plausible first byte (every packet type and flag combination).
    #[test]
    fn arbitrary_bodies_never_panic(
        first in any::<u8>(),
        len in 0usize..200,
        body in prop::collection::vec(any::<u8>(), 0..200),
    ) {
        let bytes = behind_header(first, len, body);
        for decoder in decoders() {
            decode_all(&decoder, &bytes)?;
            let _ = decoder.decode_frame(Bytes::from(bytes.clone()));
        }
    }
}

proptest! {
    #![proptest_config(config(1024))]

    /// Valid packets damaged by bit flips, truncations, insertions, Remaining Length edits:
    /// Ok or Err, never a panic; Ok(None) consumes nothing; what decodes re-encodes and decodes
    /// back to itself, and from the strict decoder to the same body bytes.
    #[test]
    fn mutated_packets_never_panic(
        packets in prop::collection::vec(st::small_packet(), 1..3),
        mutations in prop::collection::vec(mutation(), 1..4),
    ) {
        let bytes = damaged(&packets, &mutations);
        for decoder in decoders() {
            decode_all(&decoder, &bytes)?;
            let _ = decoder.decode_frame(Bytes::from(bytes.clone()));
        }
        // Strictly decoded frames are canonical but for the Remaining Length's width.
        if let Ok(Some(h)) = FixedHeader::peek(&bytes) {
            if let Some(frame) = bytes.get(..h.frame_len()) {
                if let Ok(p) = Decoder::new().decode_frame(Bytes::copy_from_slice(frame)) {
                    let enc = p.to_bytes().expect("encodes");
                    let eh = FixedHeader::peek(&enc).expect("ok").expect("whole");
                    prop_assert_eq!(enc[0], frame[0]);
                    prop_assert_eq!(
                        &enc[usize::from(eh.header_len)..],
                        &frame[usize::from(h.header_len)..]
                    );
                }
            }
        }
    }
}
