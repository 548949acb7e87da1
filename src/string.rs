//! `MqttString`: a UTF-8 encoded string as section 1.5.3 defines it, backed by [`Bytes`].

#[cfg(feature = "alloc")]
use bytes::Bytes;

/// The most bytes a UTF-8 encoded string field can hold: its length prefix is a `u16`
/// (section 1.5.3).
pub const MAX_STRING_LEN: usize = u16::MAX as usize;

/// Why bytes are not a valid MQTT UTF-8 encoded string (section 1.5.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StringError {
    /// The bytes are not well-formed UTF-8 (this includes encoded surrogates U+D800..U+DFFF)
    /// [MQTT-1.5.3-1].
    #[error("ill-formed UTF-8 at byte {offset} [MQTT-1.5.3-1]")]
    InvalidUtf8 {
        /// Byte offset of the first ill-formed sequence.
        offset: usize,
    },
    /// The string contains the null character U+0000 [MQTT-1.5.3-2].
    #[error("U+0000 at byte {offset} [MQTT-1.5.3-2]")]
    NullCharacter {
        /// Byte offset of the null character.
        offset: usize,
    },
    /// The string is longer than 65,535 bytes (section 1.5.3).
    #[error("string of {len} bytes exceeds 65,535 (section 1.5.3)")]
    TooLong {
        /// Length in bytes.
        len: usize,
    },
    /// Only from the decoder with [`lossy_utf8`](crate::Decoder::lossy_utf8) on: the string
    /// held ill-formed UTF-8 [MQTT-1.5.3-1], which that option repairs, but the repair would be
    /// longer than the 65,535 bytes a string can hold (section 1.5.3). Each ill-formed sequence
    /// becomes U+FFFD, three bytes, so a string can grow up to three times: the packet broke no
    /// length rule, the repaired text cannot be held.
    #[error(
        "ill-formed UTF-8 would take {repaired_len} bytes once repaired, more than 65,535 \
         [MQTT-1.5.3-1]"
    )]
    RepairTooLong {
        /// Length once repaired, in bytes. (One field only, so that the error stays two words:
        /// the decoder's errors travel on its hot path.)
        repaired_len: usize,
    },
}

/// Checks the rules of section 1.5.3 that every MQTT string obeys: at most 65,535 bytes, no
/// U+0000. Well-formed UTF-8 is guaranteed by the `&str` type.
pub(crate) fn check_str(s: &str) -> Result<(), StringError> {
    if s.len() > MAX_STRING_LEN {
        return Err(StringError::TooLong { len: s.len() });
    }
    match s.bytes().position(|b| b == 0) {
        Some(offset) => Err(StringError::NullCharacter { offset }),
        None => Ok(()),
    }
}

/// Whether every byte of `bytes` is between `-` (0x2d) and `~` (0x7e): dashes, dots,
/// slashes, digits, letters and a few signs, what client identifiers and topic names are made
/// of in practice. Checked eight bytes at a time in one pass.
///
/// `true` proves the bytes well-formed UTF-8 without U+0000 and without the wildcards `+`
/// (0x2b) and `#` (0x23). `false` proves nothing: other characters are valid too, and the word
/// test may flag a byte next to a real hit. The caller then runs the exact checks, which also
/// find the offset to report.
#[inline(always)]
pub(crate) fn is_plain_ascii(bytes: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    /// High bit set in (at least) one byte of the result when a byte of `x` is below 0x2d or
    /// above 0x7e (the classic "has less" and "has more" word tests).
    #[inline(always)]
    fn outside(x: u64) -> u64 {
        ((x.wrapping_sub(ONES.wrapping_mul(0x2d)) & !x) | x.wrapping_add(ONES) | x) & HIGH
    }
    if bytes.len() < 8 {
        return bytes.iter().all(|byte| (0x2d..0x7f).contains(byte));
    }
    // Word by word, leaving at the first suspicious one (which also keeps the compiler from
    // vectorising a loop that usually runs two to five times).
    let mut rest = bytes;
    while let Some((word, tail)) = rest.split_first_chunk::<8>() {
        if outside(u64::from_le_bytes(*word)) != 0 {
            return false;
        }
        rest = tail;
    }
    // The last eight bytes, overlapping bytes already checked (checking twice is harmless).
    match bytes.last_chunk::<8>() {
        Some(last) if !rest.is_empty() => outside(u64::from_le_bytes(*last)) == 0,
        _ => true,
    }
}

/// `bytes` as text, when [`is_plain_ascii`] holds; `None` proves nothing (see there).
///
/// This is one of the crate's three `unsafe` blocks (the others are the prefetch hint of
/// `prefetch.rs` and `BufMut::advance_mut` in `write.rs`), each there because it pays. This one:
/// a topic name is checked by [`is_plain_ascii`] anyway, and `core::str::from_utf8` would check
/// the same bytes again, which cost 128 of the 324 instructions of a borrowed PUBLISH decode
/// (`benches/NOTES.md`).
#[allow(unsafe_code)]
#[inline(always)]
pub(crate) fn plain_ascii_str(bytes: &[u8]) -> Option<&str> {
    if !is_plain_ascii(bytes) {
        return None;
    }
    debug_assert!(bytes.is_ascii(), "is_plain_ascii passed a non-ASCII byte");
    // SAFETY: `is_plain_ascii` returned true, so every byte of `bytes` is below 0x80: the
    // short path compares each byte with the range 0x2d..0x7f, and the word path returns false
    // whenever a word has a byte with its high bit set (the `| x` term of `outside`), over
    // words that cover every byte (whole words from the start, then the last eight bytes).
    // Bytes below 0x80 are ASCII characters, each a one-byte UTF-8 sequence, so the slice is
    // well-formed UTF-8. (Tested against the definition in `word_test_agrees_with_the_definition`
    // below, which CI also runs under Miri.)
    Some(unsafe { core::str::from_utf8_unchecked(bytes) })
}

/// The text of bytes that were checked to be well-formed UTF-8 earlier (a value's own bytes,
/// a list entry validated at decode): without a second full check when they are plain ASCII.
/// Never fails for such bytes; for others it answers `""` rather than panic.
#[inline]
pub(crate) fn checked_text(bytes: &[u8]) -> &str {
    match plain_ascii_str(bytes) {
        Some(text) => text,
        None => core::str::from_utf8(bytes).unwrap_or_default(),
    }
}

#[cfg(feature = "alloc")]
/// A UTF-8 encoded string of section 1.5.3 (client identifier, user name): well-formed UTF-8,
/// no U+0000, at most 65,535 bytes. Checked once when made, then free to read.
///
/// It is backed by [`Bytes`], so a decoded string shares the packet's buffer instead of copying.
///
/// ```
/// use mqttwire::MqttString;
///
/// let id = MqttString::new("sensor-17").unwrap();
/// assert_eq!(id, "sensor-17");
/// assert!(MqttString::new("nul\0").is_err());
/// ```
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct MqttString(Bytes);

/// Implements the common API of a `Bytes`-backed string type whose values are valid by
/// construction: `$check(&str)` states the type's rules beyond well-formed UTF-8.
#[cfg(feature = "alloc")]
macro_rules! checked_str_type {
    ($ty:ident, $err:ty, $check:path) => {
        impl $ty {
            /// Copies `s` into a new value after checking it.
            ///
            /// # Errors
            ///
            #[doc = concat!("The [`", stringify!($err), "`] naming the rule `s` breaks.")]
            pub fn new(s: &str) -> Result<Self, $err> {
                $check(s)?;
                Ok($ty(bytes::Bytes::copy_from_slice(s.as_bytes())))
            }

            /// Makes a value from a `&'static str` without copying it.
            ///
            /// # Errors
            ///
            #[doc = concat!("The [`", stringify!($err), "`] naming the rule `s` breaks.")]
            pub fn from_static(s: &'static str) -> Result<Self, $err> {
                $check(s)?;
                Ok($ty(bytes::Bytes::from_static(s.as_bytes())))
            }

            /// Takes `bytes` without copying them, after checking them.
            ///
            /// # Errors
            ///
            #[doc = concat!("The [`", stringify!($err), "`] naming the rule the bytes break, ")]
            /// ill-formed UTF-8 included.
            pub fn from_bytes(bytes: bytes::Bytes) -> Result<Self, $err> {
                let s = core::str::from_utf8(&bytes).map_err(|e| {
                    <$err>::from($crate::string::StringError::InvalidUtf8 {
                        offset: e.valid_up_to(),
                    })
                })?;
                $check(s)?;
                Ok($ty(bytes))
            }

            /// Wraps bytes the caller has already checked.
            #[allow(dead_code)]
            pub(crate) fn from_checked(bytes: bytes::Bytes) -> Self {
                $ty(bytes)
            }

            /// The text.
            #[inline]
            pub fn as_str(&self) -> &str {
                // The bytes were checked to be UTF-8 when the value was made.
                $crate::string::checked_text(&self.0)
            }

            /// The bytes, shared with the buffer they were decoded from.
            #[inline]
            pub fn as_bytes(&self) -> &bytes::Bytes {
                &self.0
            }

            /// Gives back the underlying bytes.
            pub fn into_bytes(self) -> bytes::Bytes {
                self.0
            }

            /// Length in bytes (what the wire format counts), not in characters.
            #[inline]
            pub fn len(&self) -> usize {
                self.0.len()
            }

            /// Whether the value is empty.
            #[inline]
            pub fn is_empty(&self) -> bool {
                self.0.is_empty()
            }
        }

        impl AsRef<str> for $ty {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }

        impl core::fmt::Debug for $ty {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                core::fmt::Debug::fmt(self.as_str(), f)
            }
        }

        impl core::fmt::Display for $ty {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl PartialEq<str> for $ty {
            fn eq(&self, other: &str) -> bool {
                self.as_str() == other
            }
        }

        impl PartialEq<&str> for $ty {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }

        impl core::str::FromStr for $ty {
            type Err = $err;
            fn from_str(s: &str) -> Result<Self, $err> {
                $ty::new(s)
            }
        }

        impl TryFrom<&str> for $ty {
            type Error = $err;
            fn try_from(s: &str) -> Result<Self, $err> {
                $ty::new(s)
            }
        }

        impl TryFrom<alloc::string::String> for $ty {
            type Error = $err;
            fn try_from(s: alloc::string::String) -> Result<Self, $err> {
                $check(&s)?;
                Ok($ty(bytes::Bytes::from(s.into_bytes())))
            }
        }

        impl TryFrom<bytes::Bytes> for $ty {
            type Error = $err;
            fn try_from(bytes: bytes::Bytes) -> Result<Self, $err> {
                $ty::from_bytes(bytes)
            }
        }
    };
}
#[cfg(feature = "alloc")]
pub(crate) use checked_str_type;

#[cfg(feature = "alloc")]
checked_str_type!(MqttString, StringError, check_str);

/// An `MqttString` reads as the `&str` it holds. (`TopicName` and `TopicFilter` do not deref:
/// `str` has methods of their names, such as `matches`, that would shadow theirs.)
#[cfg(feature = "alloc")]
impl core::ops::Deref for MqttString {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing)]
mod fast_check_tests {
    use super::{checked_text, is_plain_ascii, plain_ascii_str};

    /// Every byte value at every position of strings of 0 to 24 bytes, next to various
    /// neighbours: the word test must agree with the byte-by-byte definition.
    #[test]
    fn word_test_agrees_with_the_definition() {
        // Under Miri (which checks the `unsafe` of `plain_ascii_str`), the lengths around a
        // word and the byte values at the edges of the range only: the full sweep takes
        // minutes there.
        let (lengths, values): (alloc::vec::Vec<usize>, alloc::vec::Vec<u8>) = if cfg!(miri) {
            (
                alloc::vec![0, 1, 7, 8, 9, 16, 17, 23],
                alloc::vec![0x00, 0x2c, 0x2d, 0x7e, 0x7f, 0x80, 0xff],
            )
        } else {
            ((0..=24).collect(), (0..=255).collect())
        };
        for len in lengths {
            for pos in 0..len {
                for &value in &values {
                    let mut bytes = alloc::vec![b'a'; len];
                    bytes[pos] = value;
                    for neighbour in [b'a', 0x00, 0x01, 0x2c, 0x2d, 0x7e, 0x7f, 0x80, 0xff, b'+'] {
                        if pos + 1 < len {
                            bytes[pos + 1] = neighbour;
                        }
                        let naive = bytes.iter().all(|b| (0x2d..=0x7e).contains(b));
                        assert_eq!(is_plain_ascii(&bytes), naive, "{bytes:?}");
                        assert_eq!(
                            plain_ascii_str(&bytes),
                            naive.then(|| core::str::from_utf8(&bytes).ok()).flatten(),
                            "{bytes:?}"
                        );
                    }
                }
            }
        }
    }

    /// Text made of any characters, and bytes that are not text.
    #[test]
    fn checked_text_returns_the_text() {
        for text in [
            "",
            "a",
            "home/kitchen/temperature",
            "température/salon",
            "日本/東京",
            "+/#/$SYS",
            "0123456789abcdef0123456789abcdef-long",
        ] {
            assert_eq!(checked_text(text.as_bytes()), text);
            for end in 0..=text.len() {
                if let Some(prefix) = text.get(..end) {
                    assert_eq!(checked_text(prefix.as_bytes()), prefix);
                }
            }
        }
        // Not text: the panic-free fallback.
        assert_eq!(checked_text(b"ill-formed \xff"), "");
        assert_eq!(checked_text(b"\xed\xa0\x80"), "");
    }
}
