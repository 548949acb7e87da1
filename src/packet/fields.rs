//! Validation of the string fields the body parsers read, and the two edges that turn a checked
//! field into a value: a `&str` borrowed from the input ([`Checked::as_str`], for
//! [`PacketRef`](crate::PacketRef)) or an owned, validated type sharing the frame's buffer
//! ([`Checked::share`], for [`Packet`](crate::Packet)).

use crate::error::DecodeError;
use crate::string::{check_str, checked_text, plain_ascii_str, StringError, MAX_STRING_LEN};
use crate::topic::{check_filter, check_name, TopicError};
use crate::wire::prefixed_len;
#[cfg(feature = "alloc")]
use alloc::{string::String, vec::Vec};
#[cfg(feature = "alloc")]
use bytes::{Buf, BufMut, Bytes, BytesMut};

/// Shares `raw`, a slice of `frame`, without copying.
#[cfg(feature = "alloc")]
#[inline(always)]
pub(crate) fn share(frame: &Bytes, raw: &[u8]) -> Bytes {
    // `raw` was read from `frame`: its offset is the distance between their addresses.
    // (`Bytes::slice_ref` computes the same, with more checks on the hot path.)
    let start = (raw.as_ptr() as usize).wrapping_sub(frame.as_ptr() as usize);
    match start.checked_add(raw.len()) {
        Some(end) if !raw.is_empty() && end <= frame.len() => {
            // `Bytes::slice`, which the compiler does not always inline.
            let mut shared = frame.clone();
            shared.advance(start);
            shared.truncate(raw.len());
            shared
        }
        // An empty field has nothing to share (and a field not taken from `frame` cannot
        // happen: the parsers only read the frame).
        _ => {
            debug_assert!(raw.is_empty(), "a field outside its frame");
            Bytes::new()
        }
    }
}

/// A string field of a body (topic name, filter, client identifier, user name) that passed
/// the checks of its type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Checked<'a> {
    /// The field's text, borrowed from the input.
    Text(&'a str),
    #[cfg_attr(not(feature = "alloc"), allow(dead_code))] // Used by the owned packets.
    /// Ill-formed UTF-8 that the owned decoder with [`lossy_utf8`](crate::Decoder::lossy_utf8)
    /// on repaired: its repaired text is in the [`Repairs`] of that decode.
    Bytes(&'a [u8]),
}

impl<'a> Checked<'a> {
    /// The text, borrowed from the input. (Repaired bytes are never read as text: only the
    /// owned decoder repairs, and it shares the repaired copy instead.)
    #[inline]
    pub(crate) fn as_str(self) -> &'a str {
        match self {
            Checked::Text(text) => text,
            Checked::Bytes(bytes) => checked_text(bytes),
        }
    }

    /// The text as bytes of `frame`, which the field was read from, without copying; or its
    /// repaired copy.
    #[cfg(feature = "alloc")]
    #[inline]
    pub(crate) fn share(self, frame: &Bytes, repairs: Option<&Repairs>) -> Bytes {
        match self {
            Checked::Text(text) => share(frame, text.as_bytes()),
            Checked::Bytes(bytes) => match repairs.and_then(|r| r.get(bytes)) {
                Some(repaired) => repaired,
                None => share(frame, bytes),
            },
        }
    }
}

/// The lossily repaired copies of the ill-formed fields of one packet, found by the address of
/// the field they replace: the owned decoder with [`lossy_utf8`](crate::Decoder::lossy_utf8)
/// on passes one to the parsers. Without one, ill-formed UTF-8 is an error.
#[cfg(feature = "alloc")]
#[derive(Debug, Default)]
pub(crate) struct Repairs {
    fields: Vec<(usize, usize, Bytes)>,
}

/// Without a heap nothing is repaired: there are no `Repairs`, and the parsers always get
/// `None`.
#[cfg(not(feature = "alloc"))]
#[derive(Debug)]
pub(crate) enum Repairs {}

#[cfg(feature = "alloc")]
impl Repairs {
    #[inline]
    fn get(&self, raw: &[u8]) -> Option<Bytes> {
        let key = (raw.as_ptr() as usize, raw.len());
        self.fields
            .iter()
            .find(|(at, len, _)| (*at, *len) == key)
            .map(|(_, _, bytes)| bytes.clone())
    }
}

/// Checks `raw` with the rules of its type (`check`, after well-formed UTF-8).
///
/// `plain` is the caller's one-pass proof ([`plain_ascii_str`]) that `raw` passes every check;
/// only without it do the exact checks run, which find the offset to report.
#[inline(always)]
fn utf8<'a, E: From<StringError>>(
    raw: &'a [u8],
    repairs: Option<&mut Repairs>,
    plain: Option<&'a str>,
    check: fn(&str) -> Result<(), E>,
) -> Result<Checked<'a>, E> {
    match plain {
        Some(text) => Ok(Checked::Text(text)),
        None => exact(raw, repairs, check),
    }
}

/// The exact checks of [`utf8`], and the repair.
#[cold]
#[inline(never)]
fn exact<'a, E: From<StringError>>(
    raw: &'a [u8],
    repairs: Option<&mut Repairs>,
    check: fn(&str) -> Result<(), E>,
) -> Result<Checked<'a>, E> {
    match (core::str::from_utf8(raw), repairs) {
        (Ok(text), _) => {
            check(text)?;
            Ok(Checked::Text(text))
        }
        (Err(e), None) => Err(E::from(StringError::InvalidUtf8 {
            offset: e.valid_up_to(),
        })),
        #[cfg(not(feature = "alloc"))]
        (Err(_), Some(repairs)) => match *repairs {},
        #[cfg(feature = "alloc")]
        (Err(_), Some(repairs)) => {
            repaired_fits(raw)?;
            let repaired = String::from_utf8_lossy(raw).into_owned();
            check(&repaired)?;
            let key = (raw.as_ptr() as usize, raw.len());
            repairs.fields.push((key.0, key.1, Bytes::from(repaired)));
            Ok(Checked::Bytes(raw))
        }
    }
}

#[cfg(feature = "alloc")]
/// The UTF-8 encoding of U+FFFD REPLACEMENT CHARACTER, which replaces each ill-formed sequence.
const REPLACEMENT: &[u8] = "\u{fffd}".as_bytes();

#[cfg(feature = "alloc")]
/// The length of `raw` once each ill-formed UTF-8 sequence is replaced by U+FFFD, as
/// `String::from_utf8_lossy` does, without making the copy.
fn repaired_len(raw: &[u8]) -> usize {
    raw.utf8_chunks().fold(0usize, |len, chunk| {
        let invalid = if chunk.invalid().is_empty() {
            0
        } else {
            REPLACEMENT.len()
        };
        len.saturating_add(chunk.valid().len())
            .saturating_add(invalid)
    })
}

#[cfg(feature = "alloc")]
/// Checks that the repair of `raw` still fits a string field: each ill-formed sequence becomes
/// a three-byte U+FFFD, so a string of up to 65,535 bytes on the wire can grow past what a
/// string may hold. That is reported as what happened, not as an over-long string on the wire.
fn repaired_fits(raw: &[u8]) -> Result<usize, StringError> {
    let repaired_len = repaired_len(raw);
    if repaired_len > MAX_STRING_LEN {
        return Err(StringError::RepairTooLong { repaired_len });
    }
    Ok(repaired_len)
}

#[cfg(feature = "alloc")]
/// Appends the topic filter `raw`, whose UTF-8 may be ill-formed, to `out` as a length-prefixed
/// field with each ill-formed sequence replaced by U+FFFD, and checks the repaired filter: for
/// the lossy decoder's SUBSCRIBE and UNSUBSCRIBE, whose repaired lists are written into one
/// new buffer without a copy per filter.
pub(crate) fn put_repaired_filter(raw: &[u8], out: &mut BytesMut) -> Result<(), DecodeError> {
    // At most 65,535, checked: the truncation cannot happen.
    let len = repaired_fits(raw).map_err(|e| DecodeError::InvalidTopicFilter(e.into()))?;
    out.put_u16(len as u16);
    let start = out.len();
    for chunk in raw.utf8_chunks() {
        out.put_slice(chunk.valid().as_bytes());
        if !chunk.invalid().is_empty() {
            out.put_slice(REPLACEMENT);
        }
    }
    // Well-formed by construction; were it not, the empty text would be refused below.
    let text = out
        .get(start..)
        .and_then(|repaired| core::str::from_utf8(repaired).ok())
        .unwrap_or_default();
    check_filter(text).map_err(DecodeError::InvalidTopicFilter)
}

#[cfg(feature = "alloc")]
/// The length of the length-prefixed field [`put_repaired_filter`] writes for `raw`.
pub(crate) fn repaired_field_len(raw: &[u8]) -> usize {
    prefixed_len(repaired_len(raw))
}

/// A UTF-8 encoded string field (client identifier, user name).
#[inline]
pub(crate) fn string<'a>(
    raw: &'a [u8],
    repairs: Option<&mut Repairs>,
) -> Result<Checked<'a>, DecodeError> {
    // Plain ASCII (see `is_plain_ascii`) is a valid string.
    let plain = plain_ascii_str(raw);
    utf8(raw, repairs, plain, check_str).map_err(DecodeError::InvalidString)
}

/// `raw` as text if it is non-empty plain ASCII: a valid topic name, and a valid topic filter.
#[inline(always)]
fn plain_topic(raw: &[u8]) -> Option<&str> {
    if raw.is_empty() {
        return None;
    }
    plain_ascii_str(raw)
}

/// A topic name field (PUBLISH, Will Topic).
#[inline(always)]
pub(crate) fn topic_name<'a>(
    raw: &'a [u8],
    repairs: Option<&mut Repairs>,
) -> Result<Checked<'a>, DecodeError> {
    // A non-empty name of plain ASCII (no wildcards among it) is valid.
    utf8::<TopicError>(raw, repairs, plain_topic(raw), check_name)
        .map_err(DecodeError::InvalidTopicName)
}

/// A topic filter field (SUBSCRIBE, UNSUBSCRIBE).
#[inline]
pub(crate) fn topic_filter<'a>(
    raw: &'a [u8],
    repairs: Option<&mut Repairs>,
) -> Result<Checked<'a>, DecodeError> {
    // A non-empty filter of plain ASCII has no wildcards and is valid; one with
    // wildcards has their placement checked by `check_filter`.
    utf8::<TopicError>(raw, repairs, plain_topic(raw), check_filter)
        .map_err(DecodeError::InvalidTopicFilter)
}
