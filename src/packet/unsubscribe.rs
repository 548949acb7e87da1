//! UNSUBSCRIBE (section 3.10): a client's request to drop subscriptions.

use super::fields::topic_filter;
use super::first_byte;
use crate::codec::{begin, frame_len, Decoder, Encode};
use crate::error::{DecodeError, EncodeError};
use crate::header::PacketType;
use crate::topic::TopicFilter;
use crate::types::PacketId;
use crate::wire::{finish_prefix, non_empty_list, packet_id, prefixed, prefixed_len, put_prefixed};
use alloc::vec::Vec;
use bytes::{BufMut, Bytes};

/// UNSUBSCRIBE (section 3.10): the topic filters to unsubscribe from.
///
/// An UNSUBSCRIBE holds at least one filter [MQTT-3.10.3-2]; encoding an empty one fails.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Unsubscribe {
    /// The packet identifier the UNSUBACK will echo.
    pub packet_id: PacketId,
    /// The topic filters, compared character by character with the subscribed ones.
    pub filters: Vec<TopicFilter>,
}

impl Unsubscribe {
    /// An UNSUBSCRIBE with packet identifier `packet_id`.
    pub fn new(packet_id: PacketId, filters: Vec<TopicFilter>) -> Self {
        Unsubscribe { packet_id, filters }
    }

    pub(crate) fn decode(
        body: &[u8],
        frame: &Bytes,
        decoder: &Decoder,
    ) -> Result<Self, DecodeError> {
        let (input, packet_id) = finish_prefix(packet_id(body))?;
        let filters = non_empty_list(input, DecodeError::EmptyUnsubscribe, prefixed, |f| {
            topic_filter(frame, f, decoder)
        })?;
        Ok(Unsubscribe { packet_id, filters })
    }

    fn remaining_len(&self) -> usize {
        self.filters
            .iter()
            .fold(2usize, |len, f| len.saturating_add(prefixed_len(f.len())))
    }
}

impl Encode for Unsubscribe {
    fn encoded_len(&self) -> usize {
        frame_len(self.remaining_len())
    }

    fn encode<B: BufMut>(&self, buf: &mut B) -> Result<(), EncodeError> {
        if self.filters.is_empty() {
            return Err(EncodeError::EmptyUnsubscribe);
        }
        begin(
            buf,
            first_byte(PacketType::Unsubscribe),
            self.remaining_len(),
        )?;
        buf.put_u16(self.packet_id.get());
        for filter in &self.filters {
            put_prefixed(buf, filter.as_bytes());
        }
        Ok(())
    }
}
