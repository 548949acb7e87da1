//! Writing a frame: every packet's encoder ends in [`encode_frame`] (a frame whose fixed header
//! is followed by a Two Byte Integer) or [`encode_body`] (a fixed header, then the rest), over
//! a [`Target`]: a `BufMut` (with the `alloc` feature) or a plain slice ([`SliceTarget`], for
//! `Encode::encode_to_slice`). So each packet has one encoding routine, whatever it writes to.
//!
//! Through `BufMut::put_*`, every field pays a capacity check and a length update, and every
//! slice a `memcpy` call whose length is known only at run time: for the short topics and
//! payloads most packets carry, the call and the size classes it branches through cost more
//! than the copy. So when the buffer's current chunk holds the whole frame, the `BufMut`
//! target writes straight into it ([`FrameWriter`]): one check of the room, and short slices
//! copied inline as copies of fixed sizes (benches/NOTES.md has the measurements). Otherwise it
//! writes through `put_*` (`Put`). An encoder describes what follows the fixed header once, as
//! a [`WriteRest`] over any [`Sink`], and gets every path.

use crate::encode::frame_len;
use crate::error::EncodeError;
use crate::header::{remaining_length_bytes, MAX_REMAINING_LENGTH};
#[cfg(feature = "alloc")]
use bytes::{buf::UninitSlice, BufMut};

/// Slices longer than this are copied by `memcpy` (`UninitSlice::copy_from_slice`), whose call
/// costs less and less beside the copy as slices grow; shorter ones inline.
#[cfg(feature = "alloc")]
const INLINE_MAX: usize = 128;

/// Where an encoder writes the fields of a frame, in order.
pub trait Sink {
    /// Appends `bytes`.
    fn append(&mut self, bytes: &[u8]);

    /// Appends one byte.
    #[inline(always)]
    fn u8(&mut self, byte: u8) {
        self.append(&[byte]);
    }

    /// Appends a Two Byte Integer.
    #[inline(always)]
    fn u16(&mut self, value: u16) {
        self.append(&value.to_be_bytes());
    }

    /// Appends a Four Byte Integer (MQTT 5.0 section 1.5.3).
    #[inline(always)]
    fn u32(&mut self, value: u32) {
        self.append(&value.to_be_bytes());
    }

    /// Appends a Variable Byte Integer (MQTT 5.0 section 1.5.5). The caller has checked
    /// `value` ≤ 268,435,455.
    #[inline]
    fn vbi(&mut self, value: usize) {
        // One byte up to 127, the common Property Length: without the general loop.
        if let Ok(byte @ 0..=0x7f) = u8::try_from(value) {
            self.u8(byte);
            return;
        }
        for byte in remaining_length_bytes(value) {
            self.u8(byte);
        }
    }

    /// Appends a length-prefixed field. The caller has checked `bytes.len()` ≤ 65,535.
    #[inline(always)]
    fn prefixed(&mut self, bytes: &[u8]) {
        // Truncation cannot happen: every caller checked the length (string types by
        // construction, binary fields before writing anything).
        self.u16(bytes.len() as u16);
        self.append(bytes);
    }
}

/// What follows the fixed header (and, for [`encode_frame`], the first Two Byte Integer) of a
/// frame.
pub trait WriteRest {
    /// Writes it to `out`.
    fn write_rest<S: Sink>(&self, out: &mut S);
}

/// The rest of a frame that ends with its first Two Byte Integer (acknowledgements, CONNACK),
/// or of a frame that is a fixed header alone.
pub(crate) const NOTHING: &[u8] = &[];

/// A rest that is these bytes as they are.
impl WriteRest for [u8] {
    #[inline(always)]
    fn write_rest<S: Sink>(&self, out: &mut S) {
        out.append(self);
    }
}

/// Where a packet is encoded. Both methods check the Remaining Length and the room first and
/// write nothing when either fails; `remaining_length` must be what the fields take.
///
/// Declared `pub` in this private module (so never nameable outside the crate) because it
/// bounds `Encode::write_to`: that seals `Encode`, with one encoding routine per packet.
pub trait Target {
    /// Writes the fixed header (`first_byte`, `remaining_length`), the Two Byte Integer
    /// `value`, then `rest`.
    fn frame<R: WriteRest + ?Sized>(
        &mut self,
        first_byte: u8,
        remaining_length: usize,
        value: u16,
        rest: &R,
    ) -> Result<(), EncodeError>;

    /// Writes the fixed header (`first_byte`, `remaining_length`), then `rest`.
    fn header_then<R: WriteRest + ?Sized>(
        &mut self,
        first_byte: u8,
        remaining_length: usize,
        rest: &R,
    ) -> Result<(), EncodeError>;
}

/// Encodes a frame: the fixed header (`first_byte`, `remaining_length`), the Two Byte Integer
/// `value` (a packet identifier, a topic's or the protocol name's length, CONNACK's two bytes),
/// then `rest`. The caller has made its own checks, and `remaining_length` must be what is
/// written.
///
/// # Errors
///
/// [`EncodeError::PacketTooLarge`] or [`EncodeError::BufferTooSmall`], with nothing written.
#[inline(always)]
pub(crate) fn encode_frame<T: Target, R: WriteRest + ?Sized>(
    target: &mut T,
    first_byte: u8,
    remaining_length: usize,
    value: u16,
    rest: &R,
) -> Result<(), EncodeError> {
    target.frame(first_byte, remaining_length, value, rest)
}

/// Encodes a frame whose whole body (all that follows the fixed header) is `body`: a PUBLISH
/// encoded as it arrived or was built, a DISCONNECT or AUTH (their tail), a packet that is a
/// fixed header alone ([`NOTHING`]).
///
/// # Errors
///
/// [`EncodeError::PacketTooLarge`] or [`EncodeError::BufferTooSmall`], with nothing written.
#[inline(always)]
pub(crate) fn encode_body<T: Target, R: WriteRest + ?Sized>(
    target: &mut T,
    first_byte: u8,
    body_len: usize,
    body: &R,
) -> Result<(), EncodeError> {
    target.header_then(first_byte, body_len, body)
}

/// Checks a frame of `remaining_length` against the protocol's limit and the `available` room;
/// returns its size.
///
/// # Errors
///
/// [`EncodeError::PacketTooLarge`], [`EncodeError::BufferTooSmall`].
#[inline(always)]
fn check_room(remaining_length: usize, available: usize) -> Result<usize, EncodeError> {
    if remaining_length > MAX_REMAINING_LENGTH {
        return Err(EncodeError::PacketTooLarge(remaining_length));
    }
    let needed = frame_len(remaining_length);
    if available < needed {
        return Err(EncodeError::BufferTooSmall { needed, available });
    }
    Ok(needed)
}

/// A [`Target`] that is a plain slice, written from its start: `Encode::encode_to_slice`. It
/// copies with `copy_from_slice` (a `memcpy` call) rather than the inline size classes of the
/// `BufMut` path, which would cost flash in firmware, the users of this path.
pub(crate) struct SliceTarget<'a> {
    out: &'a mut [u8],
    /// Bytes written at the start of `out`.
    pub(crate) written: usize,
}

impl<'a> SliceTarget<'a> {
    /// A target writing at the start of `out`.
    #[inline(always)]
    pub(crate) fn new(out: &'a mut [u8]) -> Self {
        SliceTarget { out, written: 0 }
    }

    /// The first `needed` bytes of `out`, which [`check_room`] found there.
    #[inline(always)]
    fn frame_room(&mut self, remaining_length: usize) -> Result<&mut [u8], EncodeError> {
        let available = self.out.len();
        let needed = check_room(remaining_length, available)?;
        // Never `None`: `check_room` found the room.
        self.out
            .get_mut(..needed)
            .ok_or(EncodeError::BufferTooSmall { needed, available })
    }
}

impl Target for SliceTarget<'_> {
    #[inline]
    fn frame<R: WriteRest + ?Sized>(
        &mut self,
        first_byte: u8,
        remaining_length: usize,
        value: u16,
        rest: &R,
    ) -> Result<(), EncodeError> {
        self.header_then(first_byte, remaining_length, &U16Then { value, rest })
    }

    #[inline]
    fn header_then<R: WriteRest + ?Sized>(
        &mut self,
        first_byte: u8,
        remaining_length: usize,
        rest: &R,
    ) -> Result<(), EncodeError> {
        let room = self.frame_room(remaining_length)?;
        let mut writer = SliceWriter {
            out: room,
            written: 0,
        };
        writer.u8(first_byte);
        writer.vbi(remaining_length);
        rest.write_rest(&mut writer);
        self.written = writer.finish();
        Ok(())
    }
}

/// A Two Byte Integer, then `rest`: what follows the fixed header of an [`encode_frame`].
struct U16Then<'a, R: ?Sized> {
    value: u16,
    rest: &'a R,
}

impl<R: WriteRest + ?Sized> WriteRest for U16Then<'_, R> {
    #[inline]
    fn write_rest<S: Sink>(&self, out: &mut S) {
        out.u16(self.value);
        self.rest.write_rest(out);
    }
}

/// Appends to a frame in a slice of exactly its length. Its methods are `#[inline]`, not
/// `#[inline(always)]` as the [`Sink`] defaults: in firmware built for size the compiler then
/// keeps one copy of each (forced inlining into every packet's encoder cost 2.3 KiB of the
/// 25 KiB of `.ci/firmware.sh`'s `all_packets`); at higher optimisation levels it inlines them
/// anyway.
struct SliceWriter<'a> {
    out: &'a mut [u8],
    /// Bytes written at the start of `out`.
    written: usize,
}

impl SliceWriter<'_> {
    /// The number of bytes written: all of `out`, since the caller gave the frame's length.
    #[inline]
    fn finish(self) -> usize {
        debug_assert_eq!(
            self.written,
            self.out.len(),
            "the Remaining Length disagrees with the fields"
        );
        self.written
    }
}

impl Sink for SliceWriter<'_> {
    /// Copies `bytes` after what was written. The room was checked for the whole frame, so
    /// they always fit; were the Remaining Length wrong, the bytes that do not fit would be
    /// left out (and `finish` asserts in debug builds), never written out of bounds.
    #[inline]
    fn append(&mut self, bytes: &[u8]) {
        let end = self.written.saturating_add(bytes.len());
        if let Some(dst) = self.out.get_mut(self.written..end) {
            dst.copy_from_slice(bytes);
        }
        self.written = end;
    }

    #[inline]
    fn u8(&mut self, byte: u8) {
        self.append(&[byte]);
    }

    #[inline]
    fn u16(&mut self, value: u16) {
        self.append(&value.to_be_bytes());
    }

    #[inline]
    fn u32(&mut self, value: u32) {
        self.append(&value.to_be_bytes());
    }

    #[inline]
    fn prefixed(&mut self, bytes: &[u8]) {
        // Truncation cannot happen: every caller checked the length.
        self.u16(bytes.len() as u16);
        self.append(bytes);
    }
}

/// A `BufMut` as a [`Target`]: the frame goes straight into the current chunk when that holds
/// it ([`write_frame`]), else through `put_*`, which also handles buffers made of several
/// chunks.
#[cfg(feature = "alloc")]
impl<B: BufMut> Target for B {
    #[inline(always)]
    fn frame<R: WriteRest + ?Sized>(
        &mut self,
        first_byte: u8,
        remaining_length: usize,
        value: u16,
        rest: &R,
    ) -> Result<(), EncodeError> {
        if write_frame(self, first_byte, remaining_length, value, rest) {
            return Ok(());
        }
        begin_with_u16(self, first_byte, remaining_length, value)?;
        rest.write_rest(&mut Put(self));
        Ok(())
    }

    /// The body goes in one `put_slice`: for a PUBLISH encoded as it is on the wire, measured
    /// against writing it through [`write_frame`] (inline copies up to 128 bytes), it counts
    /// fewer instructions (84 against 95 per small PUBLISH) and no difference in time shows
    /// (benches/NOTES.md).
    #[inline(always)]
    fn header_then<R: WriteRest + ?Sized>(
        &mut self,
        first_byte: u8,
        remaining_length: usize,
        rest: &R,
    ) -> Result<(), EncodeError> {
        check_room(remaining_length, self.remaining_mut())?;
        crate::header::write_fixed_header(self, first_byte, remaining_length);
        rest.write_rest(&mut Put(self));
        Ok(())
    }
}

/// Checks the room for a frame in `buf`, then writes its fixed header and a Two Byte Integer
/// (a packet identifier, a topic length): when the Remaining Length takes one byte, all four
/// bytes are written at once.
#[cfg(feature = "alloc")]
#[inline(always)]
fn begin_with_u16<B: BufMut>(
    buf: &mut B,
    first_byte: u8,
    remaining_length: usize,
    value: u16,
) -> Result<(), EncodeError> {
    check_room(remaining_length, buf.remaining_mut())?;
    match u8::try_from(remaining_length) {
        Ok(len) if len < 0x80 => {
            let [high, low] = value.to_be_bytes();
            buf.put_u32(u32::from_be_bytes([first_byte, len, high, low]));
        }
        _ => {
            crate::header::write_fixed_header(buf, first_byte, remaining_length);
            buf.put_u16(value);
        }
    }
    Ok(())
}

/// A [`Sink`] writing through `BufMut::put_*`, for buffers whose current chunk is too small
/// for the frame (and for building property blocks).
#[cfg(feature = "alloc")]
pub(crate) struct Put<'a, B>(pub(crate) &'a mut B);

#[cfg(feature = "alloc")]
impl<B: BufMut> Sink for Put<'_, B> {
    #[inline(always)]
    fn append(&mut self, bytes: &[u8]) {
        self.0.put_slice(bytes);
    }

    #[inline(always)]
    fn u8(&mut self, byte: u8) {
        self.0.put_u8(byte);
    }

    #[inline(always)]
    fn u16(&mut self, value: u16) {
        self.0.put_u16(value);
    }
}

/// Writes a frame as [`encode_frame`] does, straight into the current chunk of `buf` if that
/// holds the whole frame; returns whether it did. If not, nothing was written (and the caller
/// writes it with `put_*`, which also reports a frame too large to encode).
#[cfg(feature = "alloc")]
#[inline(always)]
fn write_frame<B: BufMut, R: WriteRest + ?Sized>(
    buf: &mut B,
    first_byte: u8,
    remaining_length: usize,
    value: u16,
    rest: &R,
) -> bool {
    if remaining_length > MAX_REMAINING_LENGTH {
        return false;
    }
    let chunk = buf.chunk_mut();
    let needed = frame_len(remaining_length);
    if chunk.len() < needed {
        return false;
    }
    let mut writer = FrameWriter::start(chunk, first_byte, remaining_length, value);
    rest.write_rest(&mut writer);
    let written = writer.written;
    debug_assert_eq!(
        written, needed,
        "the Remaining Length disagrees with the fields"
    );
    // SAFETY: `advance_mut` requires the next `written` bytes of the chunk to be initialized.
    // The writer borrowed the chunk `chunk_mut` returned (so nothing else touched `buf` since)
    // and has written every byte before `written`: `written` only grows by the length of a
    // copy just made at it, through checked indexing into the chunk (a write past its end
    // panics, and then nothing is advanced).
    #[allow(unsafe_code)]
    unsafe {
        buf.advance_mut(written);
    }
    true
}

/// Appends to a frame in a chunk of spare room. Every byte before `written` has been written.
#[cfg(feature = "alloc")]
struct FrameWriter<'a> {
    chunk: &'a mut UninitSlice,
    written: usize,
}

#[cfg(feature = "alloc")]
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
            writer.u8(first_byte);
            for byte in remaining_length_bytes(remaining_length) {
                writer.u8(byte);
            }
        }
        writer.u16(value);
        writer
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

#[cfg(feature = "alloc")]
impl Sink for FrameWriter<'_> {
    #[inline(always)]
    fn append(&mut self, bytes: &[u8]) {
        self.written = self.put(self.written, bytes);
    }
}

/// Copies `src` into `dst`, of the same length: up to [`INLINE_MAX`] bytes inline, as two
/// overlapping copies of a fixed size, which compile to plain loads and stores. (A loop over
/// fixed-size blocks would not do: the compiler turns it back into a `memcpy` call.)
#[cfg(feature = "alloc")]
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
#[cfg(feature = "alloc")]
#[inline(always)]
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
fn copy_ends<const N: usize>(dst: &mut UninitSlice, src: &[u8]) {
    let tail = src.len() - N;
    dst[..N].copy_from_slice(&src[..N]);
    dst[tail..][..N].copy_from_slice(&src[tail..][..N]);
}

#[cfg(all(test, feature = "alloc"))]
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
mod tests {
    use super::{encode_body, encode_frame, write_frame, Sink, WriteRest};
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

    /// Slice lengths from 0 to past the inline limit: every one; under Miri (CI runs these
    /// tests there, where each takes tens of milliseconds), the edges of every size class of
    /// `copy` and of the one-byte Remaining Length.
    fn short_lengths() -> Vec<usize> {
        if cfg!(miri) {
            vec![
                0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 124, 125, 126, 127,
                128, 129, 130, 300,
            ]
        } else {
            (0..=300).collect()
        }
    }

    /// Every slice length from 0 to past the inline limit, each in every size class and at
    /// both edges of it, and Remaining Lengths of one, two and three bytes: the direct path
    /// writes what `put_*` writes, into `BytesMut`, `Vec<u8>` and a slice of the exact size.
    #[test]
    fn writes_what_put_writes() {
        let data: Vec<u8> = (0..20_000u32).map(|i| (i % 251) as u8).collect();
        for len in short_lengths()
            .into_iter()
            .chain([16_379, 16_380, 16_381, 16_382, 20_000])
        {
            let body = &data[..len];
            let remaining = len + 2;
            let want = expected(remaining, 0xabcd, body);

            let mut bytes = BytesMut::with_capacity(want.len());
            assert!(write_frame(&mut bytes, 0x30, remaining, 0xabcd, body));
            assert_eq!(&bytes[..], &want[..], "BytesMut, body of {len} bytes");

            let mut vec = Vec::with_capacity(want.len());
            assert!(write_frame(&mut vec, 0x30, remaining, 0xabcd, body));
            assert_eq!(vec, want, "Vec, body of {len} bytes");

            let mut exact = vec![0u8; want.len()];
            let mut slice = &mut exact[..];
            assert!(write_frame(&mut slice, 0x30, remaining, 0xabcd, body));
            assert!(slice.is_empty());
            assert_eq!(exact, want, "slice, body of {len} bytes");
        }
    }

    /// `encode_body` writes the fixed header (a Remaining Length of one to three bytes) and
    /// the body, into a slice of exactly the frame's length, and refuses a slice one byte short
    /// without writing.
    #[test]
    fn encode_body_writes_the_header_and_the_body() {
        let data: Vec<u8> = (0..20_000u32).map(|i| (i % 251) as u8).collect();
        for len in [0, 1, 127, 128, 16_383, 16_384, 20_000] {
            let body = &data[..len];
            let mut want = Vec::new();
            crate::header::write_fixed_header(&mut want, 0x31, len);
            want.extend_from_slice(body);

            let mut exact = vec![0u8; want.len()];
            let mut slice = &mut exact[..];
            assert_eq!(encode_body(&mut slice, 0x31, len, body), Ok(()));
            assert!(slice.is_empty());
            assert_eq!(exact, want, "body of {len} bytes");

            let mut short = vec![0xa5u8; want.len() - 1];
            assert_eq!(
                encode_body(&mut &mut short[..], 0x31, len, body),
                Err(crate::EncodeError::BufferTooSmall {
                    needed: want.len(),
                    available: want.len() - 1
                })
            );
            assert!(short.iter().all(|&b| b == 0xa5), "nothing written");
        }
    }

    const PARTS: [&[u8]; 5] = [b"a/b", &[7; 40], b"", &[9; 100], b"xyz0123456789"];

    /// `PARTS`, then a Two Byte Integer.
    struct Parts;

    impl WriteRest for Parts {
        fn write_rest<S: Sink>(&self, out: &mut S) {
            for part in PARTS {
                out.append(part);
            }
            out.u16(0x0102);
        }
    }

    /// Several appends in a row land one after the other, after what the buffer held.
    #[test]
    fn appends_follow_each_other_and_earlier_contents() {
        let mut buf = BytesMut::with_capacity(256);
        buf.put_slice(b"earlier");
        let remaining = PARTS.iter().map(|p| p.len()).sum::<usize>() + 4;
        assert!(write_frame(&mut buf, 0x32, remaining, 3, &Parts));
        let mut want = b"earlier".to_vec();
        crate::header::write_fixed_header(&mut want, 0x32, remaining);
        want.put_u16(3);
        for part in PARTS {
            want.extend_from_slice(part);
        }
        want.put_u16(0x0102);
        assert_eq!(&buf[..], &want[..]);
    }

    /// A rest written through every kind of field.
    struct Fields;

    impl WriteRest for Fields {
        fn write_rest<S: Sink>(&self, out: &mut S) {
            out.append(b"topic/name");
            out.u8(0x7f);
            out.u16(0xbeef);
            out.prefixed(&[0x55; 40]);
        }
    }

    /// `encode_frame` writes the same bytes whichever path it takes: straight into a chunk
    /// that holds the frame, or through `put_*` into two slices chained, split at every
    /// position of the frame.
    #[test]
    fn both_paths_write_the_same() {
        let remaining = 2 + 10 + 1 + 2 + 42;
        let mut want = Vec::new();
        crate::header::write_fixed_header(&mut want, 0x82, remaining);
        want.put_u16(9);
        want.extend_from_slice(b"topic/name");
        want.put_u8(0x7f);
        want.put_u16(0xbeef);
        want.put_u16(40);
        want.extend_from_slice(&[0x55; 40]);

        let mut direct = BytesMut::with_capacity(want.len());
        assert_eq!(
            encode_frame(&mut direct, 0x82, remaining, 9, &Fields),
            Ok(())
        );
        assert_eq!(&direct[..], &want[..]);

        for split in 0..=want.len() {
            let mut first = vec![0u8; split];
            let mut second = vec![0u8; want.len() - split];
            let mut chain = (&mut first[..]).chain_mut(&mut second[..]);
            assert_eq!(
                encode_frame(&mut chain, 0x82, remaining, 9, &Fields),
                Ok(())
            );
            assert_eq!(chain.remaining_mut(), 0);
            assert_eq!([first, second].concat(), want, "split at {split}");
        }

        let mut short = [0u8; 10];
        let too_small = crate::EncodeError::BufferTooSmall {
            needed: want.len(),
            available: 10,
        };
        let result = encode_frame(&mut &mut short[..], 0x82, remaining, 9, &Fields);
        assert_eq!(result, Err(too_small));
        assert_eq!(short, [0; 10]);
    }

    /// When the chunk cannot hold the frame, or the frame is too large to encode, nothing is
    /// written and the caller is told to take the `put_*` path.
    #[test]
    fn declines_what_does_not_fit() {
        let mut small = [0u8; 9];
        let mut slice = &mut small[..];
        assert!(!write_frame(&mut slice, 0x30, 9, 1, &[1; 7][..]));
        assert_eq!(slice.len(), 9);
        assert_eq!(small, [0; 9]);

        let mut first = [0u8; 3];
        let mut second = [0u8; 20];
        let mut chain = (&mut first[..]).chain_mut(&mut second[..]);
        assert!(!write_frame(&mut chain, 0x30, 4, 1, &[1; 2][..]));
        assert_eq!(chain.remaining_mut(), 23);

        let mut buf = BytesMut::new();
        let too_large = MAX_REMAINING_LENGTH + 1;
        assert!(!write_frame(&mut buf, 0x30, too_large, 1, super::NOTHING));
        assert!(buf.is_empty());
    }
}
