//! Hostile input for the decoders, built from packets: valid packets encoded one after the
//! other then edited by a few small, biased mutations (bit flips, truncations, insertions,
//! Remaining Length rewrites), and arbitrary bodies behind a fixed header.
//!
//! Shared by the test binaries through `mod common;`; not every binary uses every item.
#![allow(dead_code)]

use super::strategies::ref_varint;
use mqttwire::{Encoder, FixedHeader, Packet};
use proptest::prelude::*;
use proptest::sample::Index;

/// How a valid packet's bytes are damaged.
#[derive(Debug, Clone)]
pub enum Mutation {
    /// Flips one bit (0 to 7) of a byte.
    FlipBit(Index, u8),
    /// Overwrites a byte.
    SetByte(Index, u8),
    /// Cuts the bytes short.
    Truncate(Index),
    /// Inserts a byte.
    Insert(Index, u8),
    /// Removes a byte.
    Remove(Index),
    /// Rewrites the Remaining Length of the first packet: a new value, written with `extra`
    /// needless continuation bytes (5 bytes in all makes it malformed).
    RemainingLength(u32, u8),
    /// Adds or removes bytes at the end without fixing the Remaining Length.
    Grow(u8),
}

/// One mutation, weighted towards the edits that reach deepest into a body.
pub fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => (any::<Index>(), 0u8..8).prop_map(|(i, b)| Mutation::FlipBit(i, b)),
        2 => (any::<Index>(), any::<u8>()).prop_map(|(i, b)| Mutation::SetByte(i, b)),
        1 => any::<Index>().prop_map(Mutation::Truncate),
        1 => (any::<Index>(), any::<u8>()).prop_map(|(i, b)| Mutation::Insert(i, b)),
        1 => any::<Index>().prop_map(Mutation::Remove),
        2 => (
            prop_oneof![0u32..300, Just(268_435_455u32), any::<u32>()],
            0u8..3
        )
            .prop_map(|(v, e)| Mutation::RemainingLength(v, e)),
        1 => any::<u8>().prop_map(Mutation::Grow),
    ]
}

/// Applies one mutation to `bytes`.
pub fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    let len = bytes.len();
    match *m {
        Mutation::FlipBit(i, bit) if len > 0 => bytes[i.index(len)] ^= 1 << bit,
        Mutation::SetByte(i, v) if len > 0 => bytes[i.index(len)] = v,
        Mutation::Truncate(i) if len > 0 => bytes.truncate(i.index(len)),
        Mutation::Insert(i, v) => bytes.insert(i.index(len + 1), v),
        Mutation::Remove(i) if len > 0 => {
            bytes.remove(i.index(len));
        }
        Mutation::RemainingLength(value, extra) => {
            // A header of either version (AUTH, or a 5.0 acknowledgement's length, is valid
            // only in 5.0).
            let h = match (FixedHeader::peek(bytes), FixedHeader::peek_v5(bytes)) {
                (Ok(Some(h)), _) | (_, Ok(Some(h))) => h,
                _ => return,
            };
            let mut varint = ref_varint(value as usize & 0x0fff_ffff);
            for _ in 0..extra {
                *varint.last_mut().expect("non-empty") |= 0x80;
                varint.push(0);
            }
            bytes.splice(1..usize::from(h.header_len), varint);
        }
        Mutation::Grow(n) if n < 128 => bytes.extend(std::iter::repeat(n).take(usize::from(n))),
        Mutation::Grow(n) => bytes.truncate(len.saturating_sub(usize::from(n - 127))),
        _ => {}
    }
}

/// `packets` encoded (MQTT 3.1.1) one after the other, then damaged by `mutations` in order.
pub fn damaged(packets: &[Packet], mutations: &[Mutation]) -> Vec<u8> {
    damaged_for(&Encoder::V311, packets, mutations)
}

/// `packets` encoded for `encoder` one after the other, then damaged by `mutations` in order.
pub fn damaged_for(encoder: &Encoder, packets: &[Packet], mutations: &[Mutation]) -> Vec<u8> {
    let mut bytes = Vec::new();
    for p in packets {
        encoder.encode(p, &mut bytes).expect("encodes");
    }
    for m in mutations {
        apply(&mut bytes, m);
    }
    bytes
}

/// `body` behind a fixed header of first byte `first` and Remaining Length `len`, which need
/// not match the body's length.
pub fn behind_header(first: u8, len: usize, body: Vec<u8>) -> Vec<u8> {
    let mut bytes = vec![first];
    bytes.extend(ref_varint(len));
    bytes.extend(body);
    bytes
}
