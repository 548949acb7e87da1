//! Validation of the string fields the body parsers read, and the two edges that turn a checked
//! field into a value: a `&str` borrowed from the input ([`Checked::as_str`], for
//! [`PacketRef`](crate::PacketRef)) or an owned, validated type sharing the frame's buffer
//! ([`Checked::share`], for [`Packet`](crate::Packet)).

use crate::error::DecodeError;
use crate::string::{check_str, is_plain_ascii, StringError};
use crate::topic::{check_filter, check_name, TopicError};
use alloc::string::String;
use alloc::vec::Vec;
use bytes::{Buf, Bytes};

/// Shares `raw`, a slice of `frame`, without copying.
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
/// the checks of its type. Only the owned decoder with
/// [`lossy_utf8`](crate::Decoder::lossy_utf8) on makes one over ill-formed UTF-8, and then its
/// repaired text is in the [`Repairs`] of that decode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Checked<'a>(pub(crate) &'a [u8]);

impl<'a> Checked<'a> {
    /// The text, borrowed from the input. (Fields of the borrowed decoder are always
    /// well-formed: it never repairs, so the fallback is never taken.)
    #[inline]
    pub(crate) fn as_str(self) -> &'a str {
        core::str::from_utf8(self.0).unwrap_or_default()
    }

    /// The text as bytes of `frame`, which the field was read from, without copying; or its
    /// repaired copy.
    #[inline]
    pub(crate) fn share(self, frame: &Bytes, repairs: Option<&Repairs>) -> Bytes {
        if let Some(repaired) = repairs.and_then(|r| r.get(self.0)) {
            return repaired;
        }
        share(frame, self.0)
    }
}

/// The lossily repaired copies of the ill-formed fields of one packet, found by the address of
/// the field they replace: the owned decoder with [`lossy_utf8`](crate::Decoder::lossy_utf8)
/// on passes one to the parsers. Without one, ill-formed UTF-8 is an error.
#[derive(Debug, Default)]
pub(crate) struct Repairs {
    fields: Vec<(usize, usize, Bytes)>,
}

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
/// `plain` is the caller's one-pass proof ([`is_plain_ascii`]) that `raw` passes every check;
/// only when it is `false` do the exact checks run, which find the offset to report.
#[inline(always)]
fn utf8<'a, E: From<StringError>>(
    raw: &'a [u8],
    repairs: Option<&mut Repairs>,
    plain: bool,
    check: fn(&str) -> Result<(), E>,
) -> Result<Checked<'a>, E> {
    if plain {
        Ok(Checked(raw))
    } else {
        exact(raw, repairs, check)
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
        (Ok(s), _) => {
            check(s)?;
            Ok(Checked(raw))
        }
        (Err(e), None) => Err(E::from(StringError::InvalidUtf8 {
            offset: e.valid_up_to(),
        })),
        (Err(_), Some(repairs)) => {
            let repaired = String::from_utf8_lossy(raw).into_owned();
            check(&repaired)?;
            let key = (raw.as_ptr() as usize, raw.len());
            repairs.fields.push((key.0, key.1, Bytes::from(repaired)));
            Ok(Checked(raw))
        }
    }
}

/// A UTF-8 encoded string field (client identifier, user name).
#[inline]
pub(crate) fn string<'a>(
    raw: &'a [u8],
    repairs: Option<&mut Repairs>,
) -> Result<Checked<'a>, DecodeError> {
    // Plain ASCII (see `is_plain_ascii`) is a valid string.
    let plain = is_plain_ascii(raw);
    utf8(raw, repairs, plain, check_str).map_err(DecodeError::InvalidString)
}

/// A topic name field (PUBLISH, Will Topic).
#[inline(always)]
pub(crate) fn topic_name<'a>(
    raw: &'a [u8],
    repairs: Option<&mut Repairs>,
) -> Result<Checked<'a>, DecodeError> {
    // A non-empty name of plain ASCII (no wildcards among it) is valid.
    let plain = !raw.is_empty() && is_plain_ascii(raw);
    utf8::<TopicError>(raw, repairs, plain, check_name).map_err(DecodeError::InvalidTopicName)
}

/// A topic filter field (SUBSCRIBE, UNSUBSCRIBE).
#[inline]
pub(crate) fn topic_filter<'a>(
    raw: &'a [u8],
    repairs: Option<&mut Repairs>,
) -> Result<Checked<'a>, DecodeError> {
    // A non-empty filter of plain ASCII has no wildcards and is valid; one with
    // wildcards has their placement checked by `check_filter`.
    let plain = !raw.is_empty() && is_plain_ascii(raw);
    utf8::<TopicError>(raw, repairs, plain, check_filter).map_err(DecodeError::InvalidTopicFilter)
}
