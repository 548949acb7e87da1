//! SUBSCRIBE (section 3.8): a client's request for messages on topic filters.

use super::fields::topic_filter;
use super::first_byte;
use crate::codec::{begin, frame_len, Decoder, Encode};
use crate::error::{DecodeError, EncodeError};
use crate::header::PacketType;
use crate::topic::TopicFilter;
use crate::types::{PacketId, QoS};
use crate::wire::{
    byte, fail, finish_prefix, non_empty_list, packet_id, prefixed, prefixed_len, put_prefixed,
    Parsed,
};
use alloc::vec::Vec;
use bytes::{BufMut, Bytes};

/// SUBSCRIBE (section 3.8): topic filters and the maximum QoS wanted for each.
///
/// A SUBSCRIBE holds at least one filter [MQTT-3.8.3-3]; encoding an empty one fails.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Subscribe {
    /// The packet identifier the SUBACK will echo.
    pub packet_id: PacketId,
    /// The subscriptions, in order; the SUBACK answers them in the same order.
    pub subscriptions: Vec<Subscription>,
}

/// One topic filter of a SUBSCRIBE with its Requested QoS.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Subscription {
    /// The topic filter.
    pub filter: TopicFilter,
    /// The highest QoS the client wants messages on this filter delivered with.
    pub qos: QoS,
}

impl Subscription {
    /// A subscription to `filter` at `qos`.
    pub fn new(filter: TopicFilter, qos: QoS) -> Self {
        Subscription { filter, qos }
    }
}

impl Subscribe {
    /// A SUBSCRIBE with packet identifier `packet_id`.
    pub fn new(packet_id: PacketId, subscriptions: Vec<Subscription>) -> Self {
        Subscribe {
            packet_id,
            subscriptions,
        }
    }

    pub(crate) fn decode(
        body: &[u8],
        frame: &Bytes,
        decoder: &Decoder,
    ) -> Result<Self, DecodeError> {
        let (input, packet_id) = finish_prefix(packet_id(body))?;
        let subscriptions = non_empty_list(
            input,
            DecodeError::EmptySubscribe,
            subscription,
            |(filter, qos)| {
                Ok(Subscription {
                    filter: topic_filter(frame, filter, decoder)?,
                    qos,
                })
            },
        )?;
        Ok(Subscribe {
            packet_id,
            subscriptions,
        })
    }

    fn remaining_len(&self) -> usize {
        self.subscriptions.iter().fold(2usize, |len, s| {
            len.saturating_add(prefixed_len(s.filter.len()))
                .saturating_add(1)
        })
    }
}

/// A topic filter and its Requested QoS byte, whose six upper bits are reserved
/// [MQTT-3-8.3-4].
fn subscription(input: &[u8]) -> Parsed<'_, (&[u8], QoS)> {
    let (input, filter) = prefixed(input)?;
    let (input, requested) = byte(input)?;
    match QoS::from_bits(requested) {
        Some(qos) => Ok((input, (filter, qos))),
        None => fail(DecodeError::InvalidRequestedQos(requested)),
    }
}

impl Encode for Subscribe {
    fn encoded_len(&self) -> usize {
        frame_len(self.remaining_len())
    }

    fn encode<B: BufMut>(&self, buf: &mut B) -> Result<(), EncodeError> {
        if self.subscriptions.is_empty() {
            return Err(EncodeError::EmptySubscribe);
        }
        begin(buf, first_byte(PacketType::Subscribe), self.remaining_len())?;
        buf.put_u16(self.packet_id.get());
        for s in &self.subscriptions {
            put_prefixed(buf, s.filter.as_bytes());
            buf.put_u8(s.qos.bits());
        }
        Ok(())
    }
}
