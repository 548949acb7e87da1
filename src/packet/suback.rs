//! SUBACK (section 3.9): the server's answer to a SUBSCRIBE.

use super::first_byte;
use crate::codec::{begin, frame_len, Encode};
use crate::error::{DecodeError, EncodeError};
use crate::header::PacketType;
use crate::types::{PacketId, SubscribeReturnCode};
use crate::wire::{finish_prefix, packet_id};
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
        let (codes, packet_id) = finish_prefix(packet_id(body))?;
        if codes.is_empty() {
            return Err(DecodeError::EmptySubAck);
        }
        let return_codes = codes
            .iter()
            .map(|&b| {
                SubscribeReturnCode::from_byte(b).ok_or(DecodeError::InvalidSubAckReturnCode(b))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(SubAck {
            packet_id,
            return_codes,
        })
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
        begin(
            buf,
            first_byte(PacketType::SubAck),
            self.return_codes.len().saturating_add(2),
        )?;
        buf.put_u16(self.packet_id.get());
        for code in &self.return_codes {
            buf.put_u8(code.byte());
        }
        Ok(())
    }
}
