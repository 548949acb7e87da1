//! Writing a whole frame straight into the spare room of a buffer, in one pass.
//!
//! Through `BufMut::put_*`, every field pays a capacity check and a length update, and every
//! slice a `memcpy` call whose length is known only at run time: for the short topics and
//! payloads most packets carry, the call and the size classes it branches through cost more
//! than the copy. [`write_frame`] checks the room once and copies short slices inline, in
//! fixed-size blocks (benches/NOTES.md has the measurements). Encoders use it when the
//! buffer's current chunk holds the whole frame, and `put_*` otherwise.

use crate::codec::frame_len;
use crate::header::MAX_REMAINING_LENGTH;
use bytes::buf::UninitSlice;
use bytes::BufMut;

/// Slices longer than this are copied by `memcpy` (`UninitSlice::copy_from_slice`), whose call
/// costs less and less beside the copy as slices grow; shorter ones inline.
const INLINE_MAX: usize = 128;

/// Writes `write`'s frame straight into the current chunk of `buf`, if the chunk holds the
/// whole frame, and returns whether it did; if not, nothing was written (and the caller writes
/// it with `put_*`, which also reports a frame too large to encode).
///
/// The frame starts with its fixed header (`first_byte`, `remaining_length`) and a Two Byte
/// Integer (`value`: a packet identifier or the topic's length); `write` appends the rest.
#[inline(always)]
pub(crate) fn write_frame<B: BufMut>(
    buf: &mut B,
    first_byte: u8,
    remaining_length: usize,
    value: u16,
    write: impl FnOnce(&mut FrameWriter<'_>),
) -> bool {
    if remaining_length > MAX_REMAINING_LENGTH {
        return false;
    }
    let chunk = buf.chunk_mut();
    if chunk.len() < frame_len(remaining_length) {
        return false;
    }
    let mut writer = FrameWriter::start(chunk, first_byte, remaining_length, value);
    write(&mut writer);
    let written = writer.written;
    // SAFETY: `advance_mut` requires the next `written` bytes of the chunk to be initialized.
    // The writer holds the chunk `chunk_mut` returned (nothing touched `buf` since) and has
    // written every byte before `written`: it only ever appends at `written`, through checked
    // indexing into the chunk (a write past its end panics).
    #[allow(unsafe_code)]
    unsafe {
        buf.advance_mut(written);
    }
    true
}

/// Appends to a frame in a chunk of spare room. Every byte before `written` has been written.
pub(crate) struct FrameWriter<'a> {
    chunk: &'a mut UninitSlice,
    written: usize,
}

impl<'a> FrameWriter<'a> {
    /// Writes the fixed header and a Two Byte Integer at the start of `chunk`, which holds the
    /// whole frame. A Remaining Length of one or two bytes (frames under 16 KiB) is written
    /// without a branch: four bytes at once, `first_byte` and the length's two possible
    /// bytes, then `value` after the length's actual end, over the spare byte if unused.
    #[inline(always)]
    fn start(
        chunk: &'a mut UninitSlice,
        first_byte: u8,
        remaining_length: usize,
        value: u16,
    ) -> Self {
        let mut writer = FrameWriter { chunk, written: 0 };
        if remaining_length < 1 << 14 {
            let long = remaining_length >= 0x80;
            // Truncations intended: the low seven bits, then the next seven.
            let low = (remaining_length & 0x7f) as u8 | (u8::from(long) << 7);
            let high = (remaining_length >> 7) as u8;
            // A frame with a Two Byte Integer has at least four bytes.
            writer.put(0, &[first_byte, low, high, 0]);
            writer.written = if long { 3 } else { 2 };
        } else {
            writer.append(&[first_byte]);
            writer.remaining_length(remaining_length);
        }
        writer.u16(value);
        writer
    }

    /// Appends a Remaining Length (at most [`MAX_REMAINING_LENGTH`]).
    fn remaining_length(&mut self, mut value: usize) {
        loop {
            // Truncation intended: the low seven bits.
            let mut byte = (value & 0x7f) as u8;
            value >>= 7;
            if value > 0 {
                byte |= 0x80;
            }
            self.append(&[byte]);
            if value == 0 {
                break;
            }
        }
    }

    /// Appends a Two Byte Integer.
    #[inline(always)]
    pub(crate) fn u16(&mut self, value: u16) {
        self.append(&value.to_be_bytes());
    }

    /// Appends `bytes`.
    #[inline(always)]
    pub(crate) fn append(&mut self, bytes: &[u8]) {
        self.written = self.put(self.written, bytes);
    }

    /// Copies `bytes` into the chunk at `at`; returns where they end. Panics if they do not
    /// fit: never skips a write, which the `SAFETY` argument of [`write_frame`] relies on.
    #[inline(always)]
    fn put(&mut self, at: usize, bytes: &[u8]) -> usize {
        copy(&mut self.chunk[at..][..bytes.len()], bytes);
        // Cannot wrap: the indexing above proved `at + bytes.len() <= self.chunk.len()`.
        at.wrapping_add(bytes.len())
    }
}

/// Copies `src` into `dst`, of the same length: up to [`INLINE_MAX`] bytes inline, as two
/// overlapping copies of a fixed size, which compile to plain loads and stores. (A loop over
/// fixed-size blocks would not do: the compiler turns it back into a `memcpy` call.)
#[inline(always)]
fn copy(dst: &mut UninitSlice, src: &[u8]) {
    let len = src.len();
    if len > 32 {
        if len > INLINE_MAX {
            dst.copy_from_slice(src);
        } else if len > 64 {
            copy_ends::<64>(dst, src);
        } else {
            copy_ends::<32>(dst, src);
        }
    } else if len >= 16 {
        copy_ends::<16>(dst, src);
    } else if len >= 8 {
        copy_ends::<8>(dst, src);
    } else if len >= 4 {
        copy_ends::<4>(dst, src);
    } else {
        for (at, &byte) in src.iter().enumerate() {
            dst.write_byte(at, byte);
        }
    }
}

/// Copies `src` (`N` to `2 * N` bytes) into `dst`, of the same length, as its first `N` bytes
/// and its last `N`, which overlap unless the length is `2 * N`. The caller's branch puts the
/// length in range; were it not, the indexing would panic rather than write less than asked
/// (see [`FrameWriter::put`]).
#[inline(always)]
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
fn copy_ends<const N: usize>(dst: &mut UninitSlice, src: &[u8]) {
    let tail = src.len() - N;
    dst[..N].copy_from_slice(&src[..N]);
    dst[tail..][..N].copy_from_slice(&src[tail..][..N]);
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
mod tests {
    use super::write_frame;
    use crate::header::MAX_REMAINING_LENGTH;
    use alloc::{vec, vec::Vec};
    use bytes::{BufMut, BytesMut};

    /// A frame as the `put_*` path writes it: first byte 0x30, the Remaining Length, the
    /// value, then `body`.
    fn expected(remaining_length: usize, value: u16, body: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        crate::header::write_fixed_header(&mut out, 0x30, remaining_length);
        out.put_u16(value);
        out.extend_from_slice(body);
        out
    }

    /// Every slice length from 0 to past the inline limit, each in every size class and at
    /// both edges of it, and Remaining Lengths of one, two and three bytes: the direct path
    /// writes what `put_*` writes, into `BytesMut`, `Vec<u8>` and a slice of the exact size.
    #[test]
    fn writes_what_put_writes() {
        let data: Vec<u8> = (0..20_000u32).map(|i| (i % 251) as u8).collect();
        let lengths = (0..=300).chain([16_379, 16_380, 16_381, 16_382, 20_000]);
        for len in lengths {
            let body = &data[..len];
            let remaining = len + 2;
            let want = expected(remaining, 0xabcd, body);
            let write = |w: &mut super::FrameWriter<'_>| w.append(body);

            let mut bytes = BytesMut::with_capacity(want.len());
            assert!(write_frame(&mut bytes, 0x30, remaining, 0xabcd, write));
            assert_eq!(&bytes[..], &want[..], "BytesMut, body of {len} bytes");

            let mut vec = Vec::with_capacity(want.len());
            assert!(write_frame(&mut vec, 0x30, remaining, 0xabcd, write));
            assert_eq!(vec, want, "Vec, body of {len} bytes");

            let mut exact = vec![0u8; want.len()];
            let mut slice = &mut exact[..];
            assert!(write_frame(&mut slice, 0x30, remaining, 0xabcd, write));
            assert!(slice.is_empty());
            assert_eq!(exact, want, "slice, body of {len} bytes");
        }
    }

    /// Several appends in a row land one after the other, after what the buffer held.
    #[test]
    fn appends_follow_each_other_and_earlier_contents() {
        let mut buf = BytesMut::with_capacity(256);
        buf.put_slice(b"earlier");
        let parts: [&[u8]; 5] = [b"a/b", &[7; 40], b"", &[9; 100], b"xyz0123456789"];
        let remaining = parts.iter().map(|p| p.len()).sum::<usize>() + 4;
        assert!(write_frame(&mut buf, 0x32, remaining, 3, |w| {
            for part in parts {
                w.append(part);
            }
            w.u16(0x0102);
        }));
        let mut want = b"earlier".to_vec();
        crate::header::write_fixed_header(&mut want, 0x32, remaining);
        want.put_u16(3);
        for part in parts {
            want.extend_from_slice(part);
        }
        want.put_u16(0x0102);
        assert_eq!(&buf[..], &want[..]);
    }

    /// When the chunk cannot hold the frame, or the frame is too large to encode, nothing is
    /// written and the caller is told to take the `put_*` path.
    #[test]
    fn declines_what_does_not_fit() {
        let mut small = [0u8; 9];
        let mut slice = &mut small[..];
        assert!(!write_frame(&mut slice, 0x30, 9, 1, |w| w.append(&[1; 7])));
        assert_eq!(slice.len(), 9);
        assert_eq!(small, [0; 9]);

        let mut first = [0u8; 3];
        let mut second = [0u8; 20];
        let mut chain = (&mut first[..]).chain_mut(&mut second[..]);
        assert!(!write_frame(&mut chain, 0x30, 4, 1, |w| w.append(&[1; 2])));
        assert_eq!(chain.remaining_mut(), 23);

        let mut buf = BytesMut::new();
        let called = core::cell::Cell::new(false);
        assert!(!write_frame(
            &mut buf,
            0x30,
            MAX_REMAINING_LENGTH + 1,
            1,
            |_| { called.set(true) }
        ));
        assert!(!called.get());
        assert!(buf.is_empty());
    }
}
