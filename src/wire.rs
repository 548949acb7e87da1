//! Crate-private parsers and writers of the field types of section 1.5: two-byte integers,
//! packet identifiers, UTF-8 encoded strings and length-prefixed binary data.
//!
//! The parsers are nom parsers over a borrowed, complete body (the frame is whole before any of
//! them runs), so running out of input is a malformed packet, never "need more". They return
//! borrowed slices; the packet parsers turn those into `Bytes` of the frame at the edge.

use crate::error::DecodeError;
use crate::types::PacketId;
use nom::error::{ErrorKind, ParseError};
use nom::number::complete::{be_u16, be_u32, be_u8};
use nom::Parser;

/// The error of the body parsers: the typed reason, kept through nom.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BodyError(pub(crate) DecodeError);

impl<'a> ParseError<&'a [u8]> for BodyError {
    fn from_error_kind(_input: &'a [u8], _kind: ErrorKind) -> Self {
        // The complete-mode primitives used here fail only by running out of input.
        BodyError(DecodeError::FieldOverrun)
    }

    fn append(_input: &'a [u8], _kind: ErrorKind, other: Self) -> Self {
        other
    }
}

impl From<DecodeError> for BodyError {
    fn from(e: DecodeError) -> Self {
        BodyError(e)
    }
}

/// Result of a body parser.
pub(crate) type Parsed<'a, T> = nom::IResult<&'a [u8], T, BodyError>;

/// Fails a parser with a typed reason.
pub(crate) fn fail<T>(e: DecodeError) -> Result<T, nom::Err<BodyError>> {
    Err(nom::Err::Error(BodyError(e)))
}

/// Turns a whole-body parse into the decoder's result: the parser must consume every byte.
pub(crate) fn finish<T>(result: Parsed<'_, T>) -> Result<T, DecodeError> {
    match result {
        Ok(([], value)) => Ok(value),
        Ok((rest, _)) => Err(DecodeError::TrailingBytes(rest.len())),
        Err(nom::Err::Error(e) | nom::Err::Failure(e)) => Err(e.0),
        // Complete-mode parsers never ask for more input; treat it as an overrun regardless.
        Err(nom::Err::Incomplete(_)) => Err(DecodeError::FieldOverrun),
    }
}

/// Unwraps a parser that leaves input for the fields after it.
pub(crate) fn finish_prefix<T>(result: Parsed<'_, T>) -> Result<(&[u8], T), DecodeError> {
    result.map_err(|e| match e {
        nom::Err::Error(e) | nom::Err::Failure(e) => e.0,
        nom::Err::Incomplete(_) => DecodeError::FieldOverrun,
    })
}

/// Checks the entries of a list that fills the rest of a packet (SUBSCRIBE, UNSUBSCRIBE
/// payloads): at least one, each read by `entry` and its content checked by `check`. Returns
/// how many there are.
pub(crate) fn non_empty_list<'a, R>(
    mut input: &'a [u8],
    empty: DecodeError,
    entry: impl Fn(&'a [u8]) -> Parsed<'a, R>,
    mut check: impl FnMut(R) -> Result<(), DecodeError>,
) -> Result<usize, DecodeError> {
    if input.is_empty() {
        return Err(empty);
    }
    let mut count = 0usize;
    while !input.is_empty() {
        let (rest, raw) = finish_prefix(entry(input))?;
        check(raw)?;
        count = count.saturating_add(1);
        input = rest;
    }
    Ok(count)
}

/// A byte.
#[inline]
pub(crate) fn byte(input: &[u8]) -> Parsed<'_, u8> {
    be_u8(input)
}

/// A Two Byte Integer, big-endian (section 1.5.2).
#[inline]
pub(crate) fn u16(input: &[u8]) -> Parsed<'_, u16> {
    be_u16(input)
}

/// A Four Byte Integer, big-endian (MQTT 5.0 section 1.5.3).
#[inline]
pub(crate) fn u32(input: &[u8]) -> Parsed<'_, u32> {
    be_u32(input)
}

/// A Variable Byte Integer (MQTT 5.0 section 1.5.5): at most four bytes, in the fewest bytes
/// that hold the value [MQTT-1.5.5-1].
#[inline]
pub(crate) fn vbi(input: &[u8]) -> Parsed<'_, u32> {
    let mut value = 0u32;
    for (i, (&byte, shift)) in input.iter().zip([0u32, 7, 14, 21]).enumerate() {
        value |= u32::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            // A last byte of 0 after the first adds nothing: a shorter encoding existed.
            if byte == 0 && i > 0 {
                return fail(DecodeError::NonMinimalVariableByteInteger);
            }
            return Ok((input.get(i.saturating_add(1)..).unwrap_or_default(), value));
        }
    }
    if input.len() >= 4 {
        fail(DecodeError::MalformedVariableByteInteger)
    } else {
        fail(DecodeError::FieldOverrun)
    }
}

/// The next `len` bytes.
#[inline]
pub(crate) fn take(input: &[u8], len: usize) -> Parsed<'_, &[u8]> {
    match input.split_at_checked(len) {
        Some((taken, rest)) => Ok((rest, taken)),
        None => fail(DecodeError::FieldOverrun),
    }
}

/// A packet identifier, refusing 0 [MQTT-2.3.1-1].
#[inline]
pub(crate) fn packet_id(input: &[u8]) -> Parsed<'_, PacketId> {
    let (rest, id) = u16(input)?;
    match PacketId::new(id) {
        Some(id) => Ok((rest, id)),
        None => fail(DecodeError::ZeroPacketId),
    }
}

/// A length-prefixed field (section 1.5.3): the raw bytes of a UTF-8 encoded string, or binary
/// data. The caller checks string content, with the rules of the field's type.
#[inline]
pub(crate) fn prefixed(input: &[u8]) -> Parsed<'_, &[u8]> {
    nom::multi::length_data(be_u16).parse(input)
}

/// Bytes a length-prefixed field of `len` bytes takes.
#[inline]
pub(crate) const fn prefixed_len(len: usize) -> usize {
    len.saturating_add(2)
}
