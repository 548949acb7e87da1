//! `Encode::encode_to_slice` (issue 17): for every packet type, owned and borrowed, in MQTT
//! 3.1.1 and 5.0, it writes the bytes the `BufMut` encoder writes and returns their number;
//! into a slice too small by any number of bytes it fails with
//! [`EncodeError::BufferTooSmall`] and writes nothing. (As `Encode::encode`: nothing is written
//! on error.)

mod common;

use common::config;
use common::strategies as st;
use common::strategies_v5 as st5;
use mqttwire::{Decoder, Encode, EncodeError, Encoder, Packet, Protocol};
use proptest::prelude::*;

/// Checks `packet` (owned, then as the `PacketRef` decoded from its own bytes) for `encoder`.
fn check(packet: &Packet, encoder: &Encoder) -> Result<(), TestCaseError> {
    let mut expected = Vec::new();
    let Ok(()) = packet.encode_for(encoder, &mut expected) else {
        // A packet the version cannot express: the slice path refuses it the same way.
        let mut out = vec![0xa5u8; 1024];
        prop_assert_eq!(
            packet.encode_to_slice_for(encoder, &mut out).err(),
            packet.encode_for(encoder, &mut Vec::new()).err()
        );
        prop_assert!(out.iter().all(|&b| b == 0xa5));
        return Ok(());
    };
    prop_assert_eq!(expected.len(), packet.encoded_len_for(encoder));
    let decoder = Decoder::new()
        .protocol(encoder.protocol())
        .max_packet_size(Decoder::PROTOCOL_MAX_PACKET_SIZE);
    let (borrowed, consumed) = decoder
        .decode_ref(&expected)
        .expect("its own encoding decodes")
        .expect("whole");
    prop_assert_eq!(consumed, expected.len());

    for encode in [
        &|out: &mut [u8]| packet.encode_to_slice_for(encoder, out) as Result<usize, EncodeError>,
        &|out: &mut [u8]| encoder.encode_to_slice(&borrowed, out),
    ] as [&dyn Fn(&mut [u8]) -> Result<usize, EncodeError>; 2]
    {
        // Exactly the size, and with room to spare: the same bytes at the start.
        for spare in [0, 7] {
            let mut out = vec![0xa5u8; expected.len() + spare];
            prop_assert_eq!(encode(&mut out), Ok(expected.len()));
            prop_assert_eq!(&out[..expected.len()], &expected[..]);
            prop_assert!(out[expected.len()..].iter().all(|&b| b == 0xa5));
        }
        // Every shorter length: refused, untouched.
        for len in 0..expected.len() {
            let mut out = vec![0xa5u8; len];
            prop_assert_eq!(
                encode(&mut out),
                Err(EncodeError::BufferTooSmall {
                    needed: expected.len(),
                    available: len
                })
            );
            prop_assert!(out.iter().all(|&b| b == 0xa5), "written into {} bytes", len);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(256))]

    /// MQTT 3.1.1: every packet type (`st::small_packet` covers all 14).
    #[test]
    fn v311_slice_matches_bufmut(packet in st::small_packet()) {
        check(&packet, &Encoder::V311)?;
    }

    /// MQTT 5.0: every packet type, AUTH included, with properties.
    #[test]
    fn v5_slice_matches_bufmut(packet in st5::small_packet_v5()) {
        check(&packet, &Encoder::new(Protocol::V5))?;
    }

    /// A 5.0 packet for a 3.1.1 peer: what 3.1.1 cannot carry is left out or refused alike.
    #[test]
    fn v5_packet_for_v311_peer(packet in st5::small_packet_v5()) {
        check(&packet, &Encoder::V311)?;
    }
}

/// A peer's Maximum Packet Size applies to the slice path as to the `BufMut` one.
#[test]
fn maximum_packet_size_applies() {
    let ack = Packet::PingReq;
    let tight = Encoder::new(Protocol::V5).max_packet_size(1);
    let mut out = [0u8; 8];
    assert_eq!(
        ack.encode_to_slice_for(&tight, &mut out),
        Err(EncodeError::ExceedsMaximumPacketSize { size: 2, max: 1 })
    );
    assert_eq!(out, [0; 8]);
}
