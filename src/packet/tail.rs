//! The end of the MQTT 5.0 packets that close with an optional Reason Code and optional
//! properties: the acknowledgements of PUBLISH (after their packet identifier), DISCONNECT and
//! AUTH. Each may stop early: nothing means a Reason Code of 0x00 and no properties, a Reason
//! Code alone means no properties (sections 3.4.2.1, 3.4.2.2.1, 3.14.2.1, 3.15.2.1). The
//! encoder writes the shortest form.

use crate::encode::{frame_len, Encoder};
use crate::error::{DecodeError, EncodeError};
use crate::properties::{properties, Outgoing, PropertiesRef, PropertySet};
use crate::wire::finish;
use crate::write::{encode_body, Sink, Target, WriteRest};

/// Reads the tail from `input`, which it must fill: the Reason Code byte (0x00 when absent)
/// and the properties, checked for `set`.
#[inline]
pub(crate) fn parse(
    input: &[u8],
    set: PropertySet,
) -> Result<(u8, PropertiesRef<'_>), DecodeError> {
    match input {
        [] => Ok((0, PropertiesRef::EMPTY)),
        [code] => Ok((*code, PropertiesRef::EMPTY)),
        [code, rest @ ..] => finish(properties(rest, set)).map(|p| (*code, p)),
    }
}

/// A tail to write: a Reason Code and the properties that go to the peer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tail<'a> {
    code: u8,
    properties: Outgoing<'a>,
}

impl<'a> Tail<'a> {
    /// The tail of a packet whose Remaining Length before it is `before`, for `encoder`
    /// (see [`Outgoing::fit`]).
    ///
    /// # Errors
    ///
    /// As [`Outgoing::fit`].
    pub(crate) fn new(
        code: u8,
        properties: PropertiesRef<'a>,
        set: PropertySet,
        before: usize,
        encoder: &Encoder,
    ) -> Result<Self, EncodeError> {
        let size = |properties: &Outgoing<'_>| {
            frame_len(before.saturating_add(Self::len_with(code, properties)))
        };
        let properties = Outgoing::fit_with(properties, set, encoder, size)?;
        Ok(Tail { code, properties })
    }

    /// Bytes the tail takes: none for 0x00 without properties, one for a Reason Code alone.
    pub(crate) fn len(&self) -> usize {
        Self::len_with(self.code, &self.properties)
    }

    /// Bytes a tail of `code` and `properties` takes, in its shortest form.
    fn len_with(code: u8, properties: &Outgoing<'_>) -> usize {
        match (code, properties.is_empty()) {
            (0, true) => 0,
            (_, true) => 1,
            _ => properties.wire_len().saturating_add(1),
        }
    }
}

impl WriteRest for Tail<'_> {
    fn write_rest<S: Sink>(&self, out: &mut S) {
        match (self.code, self.properties.is_empty()) {
            (0, true) => {}
            (code, true) => out.u8(code),
            (code, false) => {
                out.u8(code);
                self.properties.write_rest(out);
            }
        }
    }
}

/// Encodes a packet made of a tail alone (DISCONNECT, AUTH): the fixed header, then the tail.
///
/// # Errors
///
/// [`EncodeError::BufferTooSmall`], with nothing written.
pub(crate) fn encode_alone<T: Target>(
    buf: &mut T,
    first_byte: u8,
    tail: &Tail<'_>,
) -> Result<(), EncodeError> {
    encode_body(buf, first_byte, tail.len(), tail)
}
