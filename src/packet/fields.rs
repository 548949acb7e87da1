//! Turns the borrowed fields the body parsers read into the owned, validated field types of a
//! packet, sharing the frame's buffer.

use crate::codec::Decoder;
use crate::error::DecodeError;
use crate::string::{check_str, is_plain_ascii, MqttString, StringError};
use crate::topic::{check_filter, check_name, TopicError, TopicFilter, TopicName};
use alloc::string::String;
use bytes::Bytes;

/// Shares `raw`, a slice of `frame`, without copying.
#[inline]
pub(crate) fn share(frame: &Bytes, raw: &[u8]) -> Bytes {
    // `raw` was read from `frame`: its offset is the distance between their addresses.
    // (`Bytes::slice_ref` computes the same, with more checks on the hot path.)
    let start = (raw.as_ptr() as usize).wrapping_sub(frame.as_ptr() as usize);
    match start.checked_add(raw.len()) {
        Some(end) if !raw.is_empty() && end <= frame.len() => frame.slice(start..end),
        // An empty field has nothing to share (and a field not taken from `frame` cannot
        // happen: the parsers only read the frame).
        _ => {
            debug_assert!(raw.is_empty(), "a field outside its frame");
            Bytes::new()
        }
    }
}

/// Validates `raw` as UTF-8 and returns the bytes to keep: shared with the frame when valid,
/// or, when the decoder accepts ill-formed UTF-8, a lossily repaired copy.
///
/// `plain` is the caller's one-pass proof ([`is_plain_ascii`]) that `raw` passes every
/// check; only when it is `false` do the exact checks run.
#[inline]
fn utf8<E: From<StringError>>(
    frame: &Bytes,
    raw: &[u8],
    decoder: &Decoder,
    plain: bool,
    check: impl Fn(&str) -> Result<(), E>,
) -> Result<Bytes, E> {
    if plain {
        return Ok(share(frame, raw));
    }
    match core::str::from_utf8(raw) {
        Ok(s) => {
            check(s)?;
            Ok(share(frame, raw))
        }
        Err(e) if !decoder.lossy_utf8 => Err(E::from(StringError::InvalidUtf8 {
            offset: e.valid_up_to(),
        })),
        Err(_) => {
            let repaired = String::from_utf8_lossy(raw).into_owned();
            check(&repaired)?;
            Ok(Bytes::from(repaired))
        }
    }
}

/// A UTF-8 encoded string field (client identifier, user name).
#[inline]
pub(crate) fn string(
    frame: &Bytes,
    raw: &[u8],
    decoder: &Decoder,
) -> Result<MqttString, DecodeError> {
    // Plain ASCII (see `is_plain_ascii`) is a valid string.
    let plain = is_plain_ascii(raw);
    utf8(frame, raw, decoder, plain, check_str)
        .map(MqttString::from_checked)
        .map_err(DecodeError::InvalidString)
}

/// A topic name field (PUBLISH, Will Topic).
#[inline]
pub(crate) fn topic_name(
    frame: &Bytes,
    raw: &[u8],
    decoder: &Decoder,
) -> Result<TopicName, DecodeError> {
    // A non-empty name of plain ASCII (no wildcards among it) is valid.
    let plain = !raw.is_empty() && is_plain_ascii(raw);
    utf8::<TopicError>(frame, raw, decoder, plain, check_name)
        .map(TopicName::from_checked)
        .map_err(DecodeError::InvalidTopicName)
}

/// A topic filter field (SUBSCRIBE, UNSUBSCRIBE).
#[inline]
pub(crate) fn topic_filter(
    frame: &Bytes,
    raw: &[u8],
    decoder: &Decoder,
) -> Result<TopicFilter, DecodeError> {
    // A non-empty filter of plain ASCII has no wildcards and is valid; one with
    // wildcards has their placement checked by `check_filter`.
    let plain = !raw.is_empty() && is_plain_ascii(raw);
    utf8::<TopicError>(frame, raw, decoder, plain, check_filter)
        .map(TopicFilter::from_checked)
        .map_err(DecodeError::InvalidTopicFilter)
}
