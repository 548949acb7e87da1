//! Helpers shared by the conformance tests (`tests/conformance_*.rs`): each checks a byte
//! sequence written by hand from the standard against the decoder and the encoder.

// Each test file uses the helpers it needs.
#![allow(dead_code)]

use bytes::{Bytes, BytesMut};
use mqttwire::*;

/// A valid packet written by hand: it decodes to `expected` (alone, followed by another packet,
/// and as a frame), every strict prefix waits for more bytes without touching the buffer, and
/// our encoder writes exactly these bytes.
pub fn valid(wire: &[u8], expected: &Packet) {
    accepted(wire, expected);
    assert_eq!(
        expected.encoded_len(),
        wire.len(),
        "encoded_len of {expected:?}"
    );
    assert_eq!(
        &expected.to_bytes().unwrap()[..],
        wire,
        "encoding of {expected:?}"
    );
}

/// `wire` decodes to `expected`, consuming exactly its frame, and its strict prefixes wait.
pub fn accepted(wire: &[u8], expected: &Packet) {
    let mut buf = BytesMut::from(wire);
    assert_eq!(decode(&mut buf), Ok(Some(expected.clone())), "{wire:02x?}");
    assert!(buf.is_empty());
    let mut buf = BytesMut::from(wire);
    buf.extend_from_slice(&[0xc0, 0x00]);
    assert_eq!(decode(&mut buf), Ok(Some(expected.clone())));
    assert_eq!(&buf[..], &[0xc0, 0x00], "exactly one frame is consumed");
    assert_eq!(
        decode_frame(Bytes::copy_from_slice(wire)),
        Ok(expected.clone())
    );
    prefixes_wait(wire);
}

/// Every strict prefix of `wire` answers `Ok(None)` and leaves the buffer as it was.
pub fn prefixes_wait(wire: &[u8]) {
    let cuts: Vec<usize> = if wire.len() <= 4096 {
        (0..wire.len()).collect()
    } else {
        (0..16).chain(wire.len() - 16..wire.len()).collect()
    };
    for cut in cuts {
        let mut buf = BytesMut::from(&wire[..cut]);
        assert_eq!(decode(&mut buf), Ok(None), "prefix of {cut} bytes");
        assert_eq!(&buf[..], &wire[..cut], "prefix of {cut} bytes was touched");
    }
}

/// `wire` is refused with `error`, by the streaming decoder and by `decode_frame`.
pub fn rejected(wire: &[u8], error: DecodeError) {
    let mut buf = BytesMut::from(wire);
    assert_eq!(decode(&mut buf), Err(error), "{wire:02x?}");
    assert_eq!(
        decode_frame(Bytes::copy_from_slice(wire)),
        Err(error),
        "{wire:02x?}"
    );
}

/// `prefix` alone (no body yet) is already refused with `error`, and the buffer is untouched.
pub fn rejected_early(prefix: &[u8], error: DecodeError) {
    let mut buf = BytesMut::from(prefix);
    assert_eq!(decode(&mut buf), Err(error), "{prefix:02x?}");
    assert_eq!(&buf[..], prefix);
    assert_eq!(FixedHeader::peek(prefix), Err(error), "{prefix:02x?}");
}

pub fn pid(id: u16) -> PacketId {
    PacketId::new(id).unwrap()
}
