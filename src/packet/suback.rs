//! SUBACK (section 3.9): the server's answer to a SUBSCRIBE.

use super::first_byte;
use super::list;
use crate::codec::{frame_len, Encode};
use crate::error::{DecodeError, EncodeError};
use crate::header::PacketType;
use crate::types::{PacketId, SubscribeReturnCode};
use crate::wire::{finish_prefix, packet_id};
use crate::write::{encode_frame, Sink, WriteRest};
use alloc::vec::Vec;
use bytes::BufMut;

/// SUBACK (section 3.9): one return code per filter of the SUBSCRIBE it answers, in the same
/// order [MQTT-3.9.3-1].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SubAck {
    /// The packet identifier of the SUBSCRIBE.
    pub packet_id: PacketId,
    /// The granted QoS, or failure, of each subscription. Never empty on the wire; encoding an
    /// empty list fails.
    pub return_codes: Vec<SubscribeReturnCode>,
}

impl SubAck {
    /// A SUBACK answering `packet_id`.
    pub fn new(packet_id: PacketId, return_codes: Vec<SubscribeReturnCode>) -> Self {
        SubAck {
            packet_id,
            return_codes,
        }
    }

    pub(crate) fn decode(body: &[u8]) -> Result<Self, DecodeError> {
        parse(body).map(|raw| raw.to_owned())
    }
}

/// Reads and checks a SUBACK body: the parser of both decoders.
pub(crate) fn parse(body: &[u8]) -> Result<SubAckRef<'_>, DecodeError> {
    let (codes, packet_id) = finish_prefix(packet_id(body))?;
    if codes.is_empty() {
        return Err(DecodeError::EmptySubAck);
    }
    if let Some(&b) = codes
        .iter()
        .find(|&&b| SubscribeReturnCode::from_byte(b).is_none())
    {
        return Err(DecodeError::InvalidSubAckReturnCode(b));
    }
    Ok(SubAckRef { packet_id, codes })
}

/// SUBACK (section 3.9) borrowed from the buffer it was decoded from (see
/// [`Decoder::decode_ref`](crate::Decoder::decode_ref)): the return codes as they are on the
/// wire, already checked, read with [`SubAckRef::iter`] without allocating.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SubAckRef<'a> {
    /// The packet identifier of the SUBSCRIBE.
    pub packet_id: PacketId,
    codes: &'a [u8],
}

impl<'a> SubAckRef<'a> {
    /// The return codes in order, one per subscription of the SUBSCRIBE.
    pub fn iter(&self) -> SubAckIter<'a> {
        SubAckIter(self.codes.iter())
    }

    /// How many return codes the packet holds, at least one.
    pub fn len(&self) -> usize {
        self.codes.len()
    }

    /// Always `false`: an empty SUBACK is refused when decoding.
    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    /// Copies the packet into an owned [`SubAck`] (one allocation, for the list).
    pub fn to_owned(&self) -> SubAck {
        SubAck {
            packet_id: self.packet_id,
            return_codes: self.iter().collect(),
        }
    }
}

impl<'a> IntoIterator for SubAckRef<'a> {
    type Item = SubscribeReturnCode;
    type IntoIter = SubAckIter<'a>;
    fn into_iter(self) -> SubAckIter<'a> {
        self.iter()
    }
}

impl From<SubAckRef<'_>> for SubAck {
    fn from(suback: SubAckRef<'_>) -> Self {
        suback.to_owned()
    }
}

/// The return codes of a [`SubAckRef`].
#[derive(Debug, Clone)]
pub struct SubAckIter<'a>(core::slice::Iter<'a, u8>);

impl Iterator for SubAckIter<'_> {
    type Item = SubscribeReturnCode;

    fn next(&mut self) -> Option<SubscribeReturnCode> {
        // Every byte was checked when the packet was decoded.
        self.0
            .next()
            .map(|&b| SubscribeReturnCode::from_byte(b).unwrap_or(SubscribeReturnCode::Failure))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl ExactSizeIterator for SubAckIter<'_> {}

impl Encode for SubAckRef<'_> {
    fn encoded_len(&self) -> usize {
        list::encoded_len(self.codes)
    }

    fn encode<B: BufMut>(&self, buf: &mut B) -> Result<(), EncodeError> {
        list::encode(buf, PacketType::SubAck, self.packet_id, self.codes)
    }
}

impl Encode for SubAck {
    fn encoded_len(&self) -> usize {
        frame_len(self.return_codes.len().saturating_add(2))
    }

    fn encode<B: BufMut>(&self, buf: &mut B) -> Result<(), EncodeError> {
        if self.return_codes.is_empty() {
            return Err(EncodeError::EmptySubAck);
        }
        encode_frame(
            buf,
            first_byte(PacketType::SubAck),
            self.return_codes.len().saturating_add(2),
            self.packet_id.get(),
            &self.return_codes[..],
        )
    }
}

/// A SUBACK's payload: one return code per subscription.
impl WriteRest for [SubscribeReturnCode] {
    fn write_rest<S: Sink>(&self, out: &mut S) {
        for code in self {
            out.u8(code.byte());
        }
    }
}
