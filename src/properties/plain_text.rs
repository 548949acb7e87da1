//! Counting the bytes of a short block that are plain text (0x01 to 0x7f), 16 at a time: the
//! bulk of the check of a property block made of User Properties of plain ASCII.

/// Bytes counted at a time: one 128-bit vector register (SSE2 on x86-64, NEON on AArch64).
const LANES: usize = 16;

/// The longest input [`count_plain_text`] takes: at most 16 chunks, so that no lane's count
/// (a byte) can overflow, and a bound the compiler can see, which keeps it from vectorising
/// the loop over the chunks a second time, across them (with a bound of 4,080 bytes, that made
/// the function ten times larger, and no faster on short blocks).
pub(super) const MAX_LEN: usize = 255;

/// `KEEP[r..r + 16]` keeps the last `r` of 16 lanes (1) and drops the others (0).
#[rustfmt::skip]
const KEEP: [u8; 2 * LANES] = [
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
];

/// The number of bytes of `bytes` from 0x01 to 0x7f (ASCII characters other than U+0000, each
/// a one-byte UTF-8 sequence), or `None` if it is longer than [`MAX_LEN`].
///
/// Written so that the compiler makes vector code of it without `unsafe` (a signed
/// comparison with 0 and a subtraction per 16 bytes, one horizontal sum at the end): a byte is
/// from 0x01 to 0x7f exactly when it is above 0 as an `i8`.
#[inline(always)]
pub(super) fn count_plain_text(bytes: &[u8]) -> Option<usize> {
    if bytes.len() > MAX_LEN {
        return None;
    }
    let mut lanes = [0u8; LANES];
    let mut rest = bytes;
    while let Some((chunk, tail)) = rest.split_first_chunk::<LANES>() {
        add_plain_text(&mut lanes, chunk, &[1; LANES]);
        rest = tail;
    }
    if !rest.is_empty() {
        if let Some(last) = bytes.last_chunk::<LANES>() {
            // The last 16 bytes, of which the first 16 - rest.len() were counted already.
            let keep = KEEP.get(rest.len()..)?.first_chunk::<LANES>()?;
            add_plain_text(&mut lanes, last, keep);
        } else {
            // Shorter than 16 bytes: one byte at a time (at most 15).
            return Some(rest.iter().filter(|&&byte| is_plain_text(byte)).count());
        }
    }
    Some(lanes.iter().map(|&count| usize::from(count)).sum())
}

/// Adds 1 to each lane whose byte of `chunk` is plain text and whose `keep` byte is 1 (0 drops
/// the lane).
#[inline(always)]
fn add_plain_text(lanes: &mut [u8; LANES], chunk: &[u8; LANES], keep: &[u8; LANES]) {
    for ((lane, &byte), &keep) in lanes.iter_mut().zip(chunk).zip(keep) {
        *lane = lane.wrapping_add(u8::from(is_plain_text(byte)) & keep);
    }
}

/// Whether `byte` is from 0x01 to 0x7f.
#[inline(always)]
fn is_plain_text(byte: u8) -> bool {
    // 0x80 and above are negative as `i8`: one signed comparison for both ends.
    i8::from_ne_bytes([byte]) > 0
}

#[cfg(test)]
// Tests index and count freely: a panic there is a failing test.
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
mod tests {
    use super::{count_plain_text, MAX_LEN};
    use alloc::vec::Vec;

    /// The count by definition: `core::str::from_utf8` accepts each byte on its own (it is
    /// ASCII) and it is not U+0000.
    fn reference(bytes: &[u8]) -> usize {
        bytes
            .iter()
            .filter(|&&byte| core::str::from_utf8(&[byte]).is_ok() && byte != 0)
            .count()
    }

    /// Every length from 0 to 40 (both sides of one, two and three chunks, and the tail
    /// shorter than a chunk), with one byte outside the range (0, 0x80, 0xff, and the bytes of
    /// a two-byte UTF-8 sequence) at every position, and with none.
    #[test]
    fn each_byte_is_counted_once_at_every_position() {
        for len in 0..=40 {
            let text: Vec<u8> = (0..len).map(|i| b'a' + (i % 26) as u8).collect();
            assert_eq!(count_plain_text(&text), Some(len), "{len}");
            for at in 0..len {
                for odd in [0x00, 0x80, 0xc3, 0xa9, 0xff, 0x7f, 0x01] {
                    let mut bytes = text.clone();
                    bytes[at] = odd;
                    assert_eq!(
                        count_plain_text(&bytes),
                        Some(reference(&bytes)),
                        "{bytes:02x?}"
                    );
                }
            }
        }
    }

    /// Random bytes of every length up to the limit, against the reference; past the limit,
    /// `None`.
    #[test]
    fn counts_like_the_reference_up_to_the_limit() {
        let mut next = crate::test_rng::xorshift(0x853c_49e6_748f_ea9b);
        for len in 0..=MAX_LEN {
            for _ in 0..20 {
                let bytes: Vec<u8> = (0..len)
                    .map(|_| match next() % 4 {
                        0 => next() as u8,
                        _ => 0x20 + (next() % 0x5f) as u8,
                    })
                    .collect();
                assert_eq!(count_plain_text(&bytes), Some(reference(&bytes)));
            }
        }
        // Every lane full: 255 bytes, all counted.
        assert_eq!(count_plain_text(&[b'x'; MAX_LEN]), Some(MAX_LEN));
        assert_eq!(count_plain_text(&[b'x'; MAX_LEN + 1]), None);
    }
}
