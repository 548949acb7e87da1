//! SUBSCRIBE (section 3.8): a client's request for messages on topic filters.

use super::fields::{put_repaired_filter, repaired_field_len, share, topic_filter};
use super::list::{self, DebugList, Entries, Entry, OwnedList, Shared};
use crate::codec::{Decoder, Encode};
use crate::error::{DecodeError, EncodeError};
use crate::header::PacketType;
use crate::string::checked_text;
use crate::topic::TopicFilter;
use crate::types::{PacketId, QoS};
use crate::wire::{byte, fail, finish_prefix, packet_id, prefixed, prefixed_len, Parsed};
use bytes::{BufMut, Bytes, BytesMut};
use core::fmt;

/// SUBSCRIBE (section 3.8): topic filters and the maximum QoS wanted for each.
///
/// The subscriptions are kept as they are on the wire, in one buffer: a decoded SUBSCRIBE
/// shares the received frame (its memory is the frame's, however many filters it holds), and
/// [`Subscribe::new`] writes the list once. Read them with [`Subscribe::iter`] (borrowed
/// `(&str, QoS)` pairs) or [`Subscribe::subscriptions`] (owned [`Subscription`]s sharing the
/// buffer).
///
/// A SUBSCRIBE holds at least one subscription [MQTT-3.8.3-3]: an empty one cannot be built.
/// Its packet identifier is read with [`Subscribe::packet_id`]; to send the same subscriptions
/// under another one, build the packet again: `Subscribe::new(id, s.subscriptions())`.
///
/// ```
/// use mqttwire::{Encode, PacketId, QoS, Subscribe, Subscription, TopicFilter};
///
/// let subscribe = Subscribe::new(
///     PacketId::new(1).unwrap(),
///     [
///         Subscription::new(TopicFilter::new("home/+/temperature")?, QoS::AtLeastOnce),
///         Subscription::new(TopicFilter::new("home/#")?, QoS::AtMostOnce),
///     ],
/// )?;
/// assert_eq!(subscribe.len(), 2);
/// let (filter, qos) = subscribe.iter().next().unwrap();
/// assert_eq!((filter, qos), ("home/+/temperature", QoS::AtLeastOnce));
/// assert_eq!(subscribe.encoded_len(), 2 + 2 + (2 + 18 + 1) + (2 + 6 + 1));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Subscribe {
    /// The body as on the wire: the packet identifier, then each filter with its length prefix
    /// and its subscription options byte (the Requested QoS).
    body: OwnedList<Pairs>,
}

/// One topic filter of a SUBSCRIBE with its Requested QoS.
///
/// It is `#[non_exhaustive]`, made with [`Subscription::new`]: MQTT 5.0 adds subscription
/// options (No Local, Retain As Published, Retain Handling) in the upper bits of the byte that
/// carries the QoS, which will become fields here without breaking code that builds a
/// `Subscription` with `new` and reads its fields. (A [`Subscribe`] keeps that byte as it is on
/// the wire.)
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
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
    /// A SUBSCRIBE with packet identifier `packet_id` and `subscriptions`, in order (the
    /// SUBACK answers them in that order). The list is written once, as it goes on the wire,
    /// into one buffer (see [`Subscribe`]); `subscriptions` is read once, so that buffer
    /// starts with room for as many entries as the iterator announces, each the size of the
    /// first, and grows only for a longer list.
    ///
    /// # Errors
    ///
    /// [`EncodeError::EmptySubscribe`] without subscriptions [MQTT-3.8.3-3];
    /// [`EncodeError::PacketTooLarge`] when the list is too long for one packet (a Remaining
    /// Length above 268,435,455).
    pub fn new(
        packet_id: PacketId,
        subscriptions: impl IntoIterator<Item = Subscription>,
    ) -> Result<Self, EncodeError> {
        let body = OwnedList::build(packet_id, subscriptions, EncodeError::EmptySubscribe)?;
        Ok(Subscribe { body })
    }

    /// The subscriptions in order, borrowed: each topic filter and its Requested QoS.
    #[inline]
    pub fn iter(&self) -> SubscribeIter<'_> {
        self.as_borrowed().iter()
    }

    /// The subscriptions in order, as owned [`Subscription`]s whose filters share this
    /// packet's buffer (no copy).
    pub fn subscriptions(&self) -> SubscriptionIter<'_> {
        SubscriptionIter {
            entries: self.body.shared(),
        }
    }

    /// The packet identifier the SUBACK will echo.
    #[inline]
    pub fn packet_id(&self) -> PacketId {
        self.body.packet_id()
    }

    /// How many subscriptions the packet holds, at least one. They are counted (reading the
    /// length of each filter): a decoded packet keeps nothing but its bytes.
    pub fn len(&self) -> usize {
        self.body.len()
    }

    /// Always `false`: a SUBSCRIBE holds at least one subscription [MQTT-3.8.3-3].
    pub fn is_empty(&self) -> bool {
        self.body.list().is_empty()
    }

    /// The payload as it is on the wire: each filter with its length prefix and Requested QoS.
    pub fn payload(&self) -> &[u8] {
        self.body.list()
    }

    /// The borrowed view of this packet.
    #[inline]
    pub fn as_borrowed(&self) -> SubscribeRef<'_> {
        SubscribeRef {
            packet_id: self.body.packet_id(),
            list: self.body.list(),
            len: self.body.len(),
        }
    }

    /// Decodes a SUBSCRIBE body, read from `frame`: the list is shared with the frame, or,
    /// when [`Decoder::lossy_utf8`] repaired a filter, written again with the repairs.
    pub(crate) fn decode(
        body: &[u8],
        frame: &Bytes,
        decoder: &Decoder,
    ) -> Result<Self, DecodeError> {
        let body = match parse(body) {
            Ok(_) => OwnedList::share(frame, body),
            Err(e) if decoder.lossy_utf8 && e.is_ill_formed_utf8() => {
                OwnedList::repair(body, DecodeError::EmptySubscribe)?
            }
            Err(e) => return Err(e),
        };
        Ok(Subscribe { body })
    }
}

impl fmt::Debug for Subscribe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Subscribe")
            .field("packet_id", &self.packet_id())
            .field("subscriptions", &DebugList(self.iter()))
            .finish()
    }
}

impl<'a> IntoIterator for &'a Subscribe {
    type Item = (&'a str, QoS);
    type IntoIter = SubscribeIter<'a>;
    #[inline]
    fn into_iter(self) -> SubscribeIter<'a> {
        self.iter()
    }
}

/// The subscriptions of a [`Subscribe`], as owned [`Subscription`]s sharing its buffer.
#[derive(Debug, Clone)]
pub struct SubscriptionIter<'a> {
    entries: Shared<'a, Pairs>,
}

impl Iterator for SubscriptionIter<'_> {
    type Item = Subscription;

    #[inline]
    fn next(&mut self) -> Option<Subscription> {
        self.entries.next()
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.entries.size_hint()
    }
}

impl ExactSizeIterator for SubscriptionIter<'_> {}

/// Reads and checks a SUBSCRIBE body: the parser of both decoders.
pub(crate) fn parse(body: &[u8]) -> Result<SubscribeRef<'_>, DecodeError> {
    let (list, packet_id) = finish_prefix(packet_id(body))?;
    let len = list::check::<Pairs>(list, DecodeError::EmptySubscribe)?;
    Ok(SubscribeRef {
        packet_id,
        list,
        len,
    })
}

/// SUBSCRIBE (section 3.8) borrowed from the buffer it was decoded from (see
/// [`Decoder::decode_ref`](crate::Decoder::decode_ref)): the packet identifier and the
/// subscriptions as they are on the wire, already checked, read with [`SubscribeRef::iter`]
/// without allocating. [`SubscribeRef::to_owned`] copies it into a [`Subscribe`] (one
/// allocation, of the list's size).
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

    /// Copies the packet into an owned [`Subscribe`]: one allocation, for its body (packet
    /// identifier and list) as it is on the wire.
    pub fn to_owned(&self) -> Subscribe {
        Subscribe {
            body: OwnedList::copy(self.packet_id, self.list),
        }
    }

    /// The subscriptions from the first, their filters still bytes.
    fn entries(&self) -> Entries<'a, Pairs> {
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

/// The subscriptions of a [`SubscribeRef`] or a [`Subscribe`], borrowed: `(topic filter,
/// Requested QoS)`.
#[derive(Debug, Clone)]
pub struct SubscribeIter<'a> {
    entries: Entries<'a, Pairs>,
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

/// The entry format of a SUBSCRIBE: a topic filter and its subscription options byte, which
/// in MQTT 3.1.1 is the Requested QoS alone.
enum Pairs {}

impl Entry for Pairs {
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
    fn check((filter, _): (&[u8], QoS)) -> Result<(), DecodeError> {
        topic_filter(filter, None).map(drop)
    }

    #[inline]
    fn item<'a>((filter, qos): Self::Raw<'a>) -> Self::Item<'a> {
        (checked_text(filter), qos)
    }

    #[inline]
    fn share((filter, qos): (&[u8], QoS), body: &Bytes) -> Subscription {
        Subscription {
            filter: TopicFilter::from_checked(share(body, filter)),
            qos,
        }
    }

    fn repaired_len((filter, _): (&[u8], QoS)) -> usize {
        repaired_field_len(filter).saturating_add(1)
    }

    fn put_repaired((filter, qos): (&[u8], QoS), out: &mut BytesMut) -> Result<(), DecodeError> {
        put_repaired_filter(filter, out)?;
        out.put_u8(qos.bits());
        Ok(())
    }

    fn owned_len(entry: &Subscription) -> usize {
        prefixed_len(entry.filter.len()).saturating_add(1)
    }

    fn put_owned(entry: &Subscription, out: &mut BytesMut) {
        // A topic filter is at most 65,535 bytes: the truncation cannot happen.
        out.put_u16(entry.filter.len() as u16);
        out.put_slice(entry.filter.as_bytes());
        out.put_u8(entry.qos.bits());
    }
}

impl Encode for Subscribe {
    fn encoded_len(&self) -> usize {
        self.body.encoded_len()
    }

    fn encode<B: BufMut>(&self, buf: &mut B) -> Result<(), EncodeError> {
        self.body.encode(buf, PacketType::Subscribe)
    }
}
