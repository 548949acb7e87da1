//! Hints that start loading the input the decoder reaches next, before it gets there.
//!
//! Decoding a buffer larger than the caches is a chain of dependent loads: where the next
//! frame starts is known only once this frame's header is read, so each header can wait the
//! whole memory latency, and the processor's own prefetcher, which follows sequential reads,
//! is thrown off by the jumps over payloads. Two software prefetches fix that:
//!
//! - [`ahead`]: every call prefetches the byte [`DISTANCE`] bytes past the start of the frame
//!   being decoded, so the headers of the packets a few calls later are in the cache by then.
//! - [`after`]: a frame longer than that prefetches its own last byte, next to the following
//!   header, which `ahead` does not reach.
//!
//! Measured with `benches/compare` (benches/NOTES.md, 2026-11-23): out of the caches,
//! `decode_ref` on telemetry-mix went from about 50 to about 38 ns per packet; on buffers in
//! the cache they cost 4 instructions per packet (7 in `decode`). Only x86_64 has a prefetch
//! intrinsic in stable Rust; elsewhere these do nothing.

/// How far past the start of the frame being decoded [`ahead`] prefetches. 1, 2 and 4 KiB
/// measured alike; 512 bytes was too close to help. 1 KiB keeps it useful in small socket
/// buffers.
const DISTANCE: usize = 1024;

/// Asks the processor to start loading `buf[DISTANCE]`, if there is such a byte. No effect
/// the program can observe, other than speed.
#[inline(always)]
pub(crate) fn ahead(buf: &[u8]) {
    if let Some(byte) = buf.get(DISTANCE) {
        prefetch(byte);
    }
}

/// Asks the processor to start loading the end of `frame` if it is longer than
/// [`DISTANCE`]: the next header starts right after it, beyond the reach of [`ahead`].
#[inline(always)]
pub(crate) fn after(frame: &[u8]) {
    if frame.len() > DISTANCE {
        if let Some(byte) = frame.last() {
            prefetch(byte);
        }
    }
}

/// PREFETCHT0 on x86_64: load the cache line holding `byte` into every cache level.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
#[allow(unsafe_code)]
fn prefetch(byte: &u8) {
    use core::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
    // SAFETY: `_mm_prefetch` is `unsafe` because it is an intrinsic taking a raw pointer.
    // PREFETCHT0 is a hint: it neither reads nor writes memory as far as the program can tell
    // and raises no fault, whatever the address. Here the address is moreover that of a live
    // byte borrowed for the call. SSE, the one target feature it needs, is part of every
    // x86_64 processor.
    unsafe { _mm_prefetch::<_MM_HINT_T0>(core::ptr::from_ref(byte).cast::<i8>()) }
}

/// Elsewhere nothing: stable Rust has no portable prefetch.
#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
fn prefetch(_byte: &u8) {}

#[cfg(test)]
mod tests {
    use super::{after, ahead, DISTANCE};
    use crate::{Decoder, Packet, PacketRef};
    use alloc::{vec, vec::Vec};
    use bytes::BytesMut;

    /// The hints never change a result: buffers ending just before, at and just after the
    /// prefetched byte, and a stream whose frames are shorter and longer than `DISTANCE`,
    /// decode as they would without them.
    #[test]
    fn decoding_around_the_prefetch_distance() {
        for len in [0, 1, DISTANCE - 1, DISTANCE, DISTANCE + 1, DISTANCE + 2] {
            ahead(&vec![0u8; len]);
            after(&vec![0u8; len]);
        }
        // PINGREQs past `DISTANCE`, then PUBLISHes of topic "t" with payloads around it.
        let mut stream: Vec<u8> = [0xc0, 0x00].repeat(DISTANCE);
        let payloads = [
            DISTANCE - 4,
            DISTANCE - 3,
            DISTANCE,
            DISTANCE + 5,
            3 * DISTANCE,
        ];
        for &len in &payloads {
            let remaining = 3 + len;
            stream.extend([
                0x30,
                ((remaining % 128) | 0x80) as u8,
                (remaining / 128) as u8,
            ]);
            stream.extend([0x00, 0x01, b't']);
            stream.extend(vec![0x5a; len]);
        }

        let decoder = Decoder::new();
        let mut rest = &stream[..];
        let mut seen = Vec::new();
        while let Some((packet, consumed)) = decoder.decode_ref(rest).expect("valid stream") {
            seen.push(match packet {
                PacketRef::PingReq => 0,
                PacketRef::Publish(p) if p.topic() == "t" => p.payload.len(),
                other => panic!("unexpected {other:?}"),
            });
            rest = rest.get(consumed..).unwrap_or_default();
        }
        let want: Vec<usize> = vec![0; DISTANCE].into_iter().chain(payloads).collect();
        assert_eq!((seen, rest.len()), (want.clone(), 0));

        let mut buf = BytesMut::from(&stream[..]);
        let mut owned = Vec::new();
        while let Some(packet) = decoder.decode(&mut buf).expect("valid stream") {
            owned.push(match packet {
                Packet::PingReq => 0,
                Packet::Publish(p) => p.payload().len(),
                other => panic!("unexpected {other:?}"),
            });
        }
        assert_eq!((owned, buf.len()), (want, 0));
    }
}
