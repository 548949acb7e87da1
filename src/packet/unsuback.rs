//! UNSUBACK (section 3.11): the answer to an UNSUBSCRIBE. Its fixed header (flags, Remaining
//! Length of 2) was checked before the body is read.

use super::first_byte;
use crate::encode::{frame_len, Encode};
use crate::error::{DecodeError, EncodeError};
use crate::header::PacketType;
use crate::types::PacketId;
use crate::wire::{finish, packet_id};
use crate::write::{encode_frame, NOTHING};
use bytes::BufMut;

/// UNSUBACK (section 3.11): the answer to an UNSUBSCRIBE.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct UnsubAck {
    /// The packet identifier of the UNSUBSCRIBE.
    pub packet_id: PacketId,
}

impl UnsubAck {
    /// A packet answering `packet_id`.
    pub const fn new(packet_id: PacketId) -> Self {
        UnsubAck { packet_id }
    }

    pub(crate) fn decode(body: &[u8]) -> Result<Self, DecodeError> {
        finish(packet_id(body)).map(UnsubAck::new)
    }
}

impl Encode for UnsubAck {
    fn encoded_len(&self) -> usize {
        frame_len(2)
    }

    #[inline]
    fn encode<B: BufMut>(&self, buf: &mut B) -> Result<(), EncodeError> {
        encode_frame(
            buf,
            first_byte(PacketType::UnsubAck),
            2,
            self.packet_id.get(),
            NOTHING,
        )
    }
}
