//! Turns the borrowed fields the body parsers read into the owned, validated field types of a
//! packet, sharing the frame's buffer.

use crate::codec::Decoder;
use crate::error::DecodeError;
use crate::string::{check_str, MqttString, StringError};
use crate::topic::{check_filter, check_name, TopicError, TopicFilter, TopicName};
use alloc::string::String;
use bytes::Bytes;

/// Shares `raw`, a slice of `frame`, without copying.
#[inline]
pub(crate) fn share(frame: &Bytes, raw: &[u8]) -> Bytes {
    if raw.is_empty() {
        // `slice_ref` needs a pointer inside the frame; an empty field has nothing to share.
        Bytes::new()
    } else {
        frame.slice_ref(raw)
    }
}

/// Validates `raw` as UTF-8 and returns the bytes to keep: shared with the frame when valid,
/// or, when the decoder accepts ill-formed UTF-8, a lossily repaired copy.
#[inline]
fn utf8<E: From<StringError>>(
    frame: &Bytes,
    raw: &[u8],
    decoder: &Decoder,
    check: impl Fn(&str) -> Result<(), E>,
) -> Result<Bytes, E> {
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
    utf8(frame, raw, decoder, check_str)
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
    utf8::<TopicError>(frame, raw, decoder, check_name)
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
    utf8::<TopicError>(frame, raw, decoder, check_filter)
        .map(TopicFilter::from_checked)
        .map_err(DecodeError::InvalidTopicFilter)
}
