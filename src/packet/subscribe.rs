//! SUBSCRIBE (section 3.8): a client's request for messages on topic filters.

use super::fields::{topic_filter, Checked, Repairs};
use super::first_byte;
use super::list::{self, Entries, Entry};
use crate::codec::{frame_len, Decoder, Encode};
use crate::error::{DecodeError, EncodeError};
use crate::header::PacketType;
use crate::topic::TopicFilter;
use crate::types::{PacketId, QoS};
use crate::wire::{byte, fail, finish_prefix, packet_id, prefixed, prefixed_len, Parsed};
use crate::write::{encode_frame, Sink, WriteRest};
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
        let (lossy, mut repairs) = (decoder.lossy_utf8, Repairs::default());
        let raw = parse(body, lossy.then_some(&mut repairs))?;
        Ok(raw.share_into_owned(frame, lossy.then_some(&repairs)))
    }

    fn remaining_len(&self) -> usize {
        self.subscriptions.iter().fold(2usize, |len, s| {
            len.saturating_add(prefixed_len(s.filter.len()))
                .saturating_add(1)
        })
    }
}

/// Reads and checks a SUBSCRIBE body: the parser of both decoders.
pub(crate) fn parse<'a>(
    body: &'a [u8],
    repairs: Option<&mut Repairs>,
) -> Result<SubscribeRef<'a>, DecodeError> {
    let (list, packet_id) = finish_prefix(packet_id(body))?;
    let len = list::check::<Subscriptions>(list, DecodeError::EmptySubscribe, repairs)?;
    Ok(SubscribeRef {
        packet_id,
        list,
        len,
    })
}

/// SUBSCRIBE (section 3.8) borrowed from the buffer it was decoded from (see
/// [`Decoder::decode_ref`](crate::Decoder::decode_ref)): the packet identifier and the
/// subscriptions as they are on the wire, already checked, read with [`SubscribeRef::iter`]
/// without allocating. [`SubscribeRef::to_owned`] copies it into a [`Subscribe`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SubscribeRef<'a> {
    /// The packet identifier the SUBACK will echo.
    pub packet_id: PacketId,
    list: &'a [u8],
    len: usize,
}

impl<'a> SubscribeRef<'a> {
    /// The subscriptions in order: each topic filter (validated) and its Requested QoS.
    pub fn iter(&self) -> SubscribeIter<'a> {
        SubscribeIter {
            entries: self.entries(),
        }
    }

    /// How many subscriptions the packet holds, at least one.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Always `false`: an empty SUBSCRIBE is refused when decoding [MQTT-3.8.3-3].
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The payload as it is on the wire: each filter with its length prefix and Requested QoS.
    pub fn payload(&self) -> &'a [u8] {
        self.list
    }

    /// Copies the packet into an owned [`Subscribe`]: one allocation for the filters, one for
    /// the list.
    pub fn to_owned(&self) -> Subscribe {
        Subscribe {
            packet_id: self.packet_id,
            subscriptions: self.entries().copy(),
        }
    }

    /// The owned packet, its filters shared with `frame`, which the list was read from.
    fn share_into_owned(self, frame: &Bytes, repairs: Option<&Repairs>) -> Subscribe {
        Subscribe {
            packet_id: self.packet_id,
            subscriptions: self.entries().share(frame, repairs),
        }
    }

    /// The subscriptions from the first, their filters still bytes.
    fn entries(&self) -> Entries<'a, Subscriptions> {
        Entries::new(self.list, self.len)
    }
}

impl<'a> IntoIterator for SubscribeRef<'a> {
    type Item = (&'a str, QoS);
    type IntoIter = SubscribeIter<'a>;
    #[inline]
    fn into_iter(self) -> SubscribeIter<'a> {
        self.iter()
    }
}

impl From<SubscribeRef<'_>> for Subscribe {
    #[inline]
    fn from(subscribe: SubscribeRef<'_>) -> Self {
        subscribe.to_owned()
    }
}

/// The subscriptions of a [`SubscribeRef`]: `(topic filter, Requested QoS)`.
#[derive(Debug, Clone)]
pub struct SubscribeIter<'a> {
    entries: Entries<'a, Subscriptions>,
}

impl<'a> Iterator for SubscribeIter<'a> {
    type Item = (&'a str, QoS);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        self.entries.next()
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.entries.size_hint()
    }
}

impl ExactSizeIterator for SubscribeIter<'_> {}

impl Encode for SubscribeRef<'_> {
    fn encoded_len(&self) -> usize {
        list::encoded_len(self.list)
    }

    fn encode<B: BufMut>(&self, buf: &mut B) -> Result<(), EncodeError> {
        list::encode(buf, PacketType::Subscribe, self.packet_id, self.list)
    }
}

/// The entry format of a SUBSCRIBE: a topic filter and its Requested QoS.
enum Subscriptions {}

impl Entry for Subscriptions {
    type Raw<'a> = (&'a [u8], QoS);
    type Item<'a> = (&'a str, QoS);
    type Owned = Subscription;

    /// A topic filter and its Requested QoS byte, whose six upper bits are reserved
    /// [MQTT-3-8.3-4].
    #[inline]
    fn read(input: &[u8]) -> Parsed<'_, (&[u8], QoS)> {
        let (input, filter) = prefixed(input)?;
        let (input, requested) = byte(input)?;
        match QoS::from_bits(requested) {
            Some(qos) => Ok((input, (filter, qos))),
            None => fail(DecodeError::InvalidRequestedQos(requested)),
        }
    }

    #[inline]
    fn check((filter, _): (&[u8], QoS), repairs: Option<&mut Repairs>) -> Result<(), DecodeError> {
        topic_filter(filter, repairs).map(drop)
    }

    #[inline]
    fn item<'a>((filter, qos): Self::Raw<'a>) -> Self::Item<'a> {
        (Checked::Bytes(filter).as_str(), qos)
    }

    #[inline]
    fn share(
        (filter, qos): (&[u8], QoS),
        frame: &Bytes,
        repairs: Option<&Repairs>,
    ) -> Subscription {
        Subscription {
            filter: TopicFilter::from_checked(Checked::Bytes(filter).share(frame, repairs)),
            qos,
        }
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
        encode_frame(
            buf,
            first_byte(PacketType::Subscribe),
            self.remaining_len(),
            self.packet_id.get(),
            &self.subscriptions[..],
        )
    }
}

/// A SUBSCRIBE's payload: each topic filter, then its Requested QoS.
impl WriteRest for [Subscription] {
    fn write_rest<S: Sink>(&self, out: &mut S) {
        for s in self {
            out.prefixed(s.filter.as_bytes());
            out.u8(s.qos.bits());
        }
    }
}
