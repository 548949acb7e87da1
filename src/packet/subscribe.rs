//! SUBSCRIBE (section 3.8): a client's request for messages on topic filters.

use super::fields::topic_filter;
#[cfg(feature = "alloc")]
use super::fields::{put_repaired_filter, repaired_field_len, share};
use super::first_byte;
use super::list::{self, Entries, Entry, Parts};
#[cfg(feature = "alloc")]
use super::list::{DebugList, OwnedList, Shared};
use super::options::{self, RetainHandling, SubscriptionOptions};
use crate::codec::{Decoder, Encode};
use crate::encode::Encoder;
use crate::error::{DecodeError, EncodeError};
use crate::header::{PacketType, MAX_REMAINING_LENGTH};
#[cfg(feature = "alloc")]
use crate::properties::Properties;
use crate::properties::{PropertiesRef, PropertySet};
use crate::string::checked_text;
#[cfg(feature = "alloc")]
use crate::topic::TopicFilter;
use crate::topic::{check_filter, is_shared, ShareError};
use crate::types::{PacketId, QoS};
use crate::wire::{byte, prefixed, prefixed_len, Parsed};
use crate::write::{encode_frame, Sink, Target, WriteRest};
#[cfg(feature = "alloc")]
use bytes::{BufMut, Bytes, BytesMut};
use core::fmt;

#[cfg(feature = "alloc")]
/// SUBSCRIBE (section 3.8): topic filters and the maximum QoS wanted for each, with the
/// MQTT 5.0 Subscription Options and properties.
///
/// The subscriptions are kept as they are on the wire, in one buffer: a decoded SUBSCRIBE
/// shares the received frame (its memory is the frame's, however many filters it holds), and
/// [`Subscribe::new`] writes the list once. Read them with [`Subscribe::iter`] (borrowed
/// `(&str, QoS)` pairs), [`Subscribe::iter_with_options`] (with all the Subscription Options)
/// or [`Subscribe::subscriptions`] (owned [`Subscription`]s sharing the buffer).
///
/// A SUBSCRIBE holds at least one subscription [MQTT-3.8.3-3]: an empty one cannot be built.
/// Its packet identifier is read with [`Subscribe::packet_id`]; to send the same subscriptions
/// under another one, build the packet again: `Subscribe::new(id, s.subscriptions())`.
///
/// One value serves both versions. Encoded for MQTT 5.0, a SUBSCRIBE without properties gets a
/// Property Length of 0. Encoded for MQTT 3.1.1, the properties (Subscription Identifier, User
/// Properties) are left out, and so are the 5.0 options of each subscription (No Local, Retain
/// As Published, Retain Handling): only the QoS bits go. That is what a gateway forwarding a
/// 5.0 client's subscriptions to a 3.1.1 server needs: the subscription itself (filter and
/// maximum QoS) is what 3.1.1 can express, and the options only narrow what the server then
/// sends (no own messages, no retained ones, the RETAIN flag kept), which the gateway, holding
/// the options in this value, applies itself to what it forwards. Refusing them would leave it
/// no way to subscribe at all.
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

#[cfg(feature = "alloc")]
/// One topic filter of a SUBSCRIBE with its Subscription Options (section 3.8.3.1): the
/// Requested (Maximum) QoS and, in MQTT 5.0, No Local, Retain As Published and Retain
/// Handling.
///
/// It is `#[non_exhaustive]`, made with [`Subscription::new`] and the `with_*` builders. (A
/// [`Subscribe`] keeps the options byte as it is on the wire.)
///
/// ```
/// use mqttwire::{QoS, RetainHandling, Subscription, TopicFilter};
///
/// // A bridge's subscription: not its own messages back, RETAIN as published.
/// let bridge = Subscription::new(TopicFilter::new("site/#")?, QoS::AtLeastOnce)
///     .with_no_local(true)
///     .with_retain_as_published(true)
///     .with_retain_handling(RetainHandling::SendOnSubscribeIfNew);
/// assert_eq!(bridge.options().byte(), 0b0001_1101);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Subscription {
    /// The topic filter.
    pub filter: TopicFilter,
    /// The highest QoS the client wants messages on this filter delivered with.
    pub qos: QoS,
    /// MQTT 5.0: messages are not forwarded to the connection that published them
    /// [MQTT-3.8.3-3]. Not allowed on a shared subscription (`$share/...`) [MQTT-3.8.3-4].
    /// Left out when encoding for MQTT 3.1.1.
    pub no_local: bool,
    /// MQTT 5.0: forwarded messages keep the RETAIN flag they were published with. Left out
    /// when encoding for MQTT 3.1.1.
    pub retain_as_published: bool,
    /// MQTT 5.0: whether retained messages are sent when the subscription is made. Left out
    /// when encoding for MQTT 3.1.1.
    pub retain_handling: RetainHandling,
}

#[cfg(feature = "alloc")]
impl Subscription {
    /// A subscription to `filter` at `qos`, the MQTT 5.0 options off (as in 3.1.1).
    pub fn new(filter: TopicFilter, qos: QoS) -> Self {
        Subscription {
            filter,
            qos,
            no_local: false,
            retain_as_published: false,
            retain_handling: RetainHandling::SendOnSubscribe,
        }
    }

    /// The subscription with all the Subscription Options of `options`, QoS included.
    #[must_use]
    pub fn with_options(mut self, options: SubscriptionOptions) -> Self {
        self.qos = options.qos;
        self.no_local = options.no_local;
        self.retain_as_published = options.retain_as_published;
        self.retain_handling = options.retain_handling;
        self
    }

    /// The subscription with No Local set to `no_local` (MQTT 5.0).
    #[must_use]
    pub fn with_no_local(mut self, no_local: bool) -> Self {
        self.no_local = no_local;
        self
    }

    /// The subscription with Retain As Published set to `retain_as_published` (MQTT 5.0).
    #[must_use]
    pub fn with_retain_as_published(mut self, retain_as_published: bool) -> Self {
        self.retain_as_published = retain_as_published;
        self
    }

    /// The subscription with Retain Handling `retain_handling` (MQTT 5.0).
    #[must_use]
    pub fn with_retain_handling(mut self, retain_handling: RetainHandling) -> Self {
        self.retain_handling = retain_handling;
        self
    }

    /// The Subscription Options.
    pub fn options(&self) -> SubscriptionOptions {
        SubscriptionOptions::new(self.qos)
            .with_no_local(self.no_local)
            .with_retain_as_published(self.retain_as_published)
            .with_retain_handling(self.retain_handling)
    }
}

#[cfg(feature = "alloc")]
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
    /// [`EncodeError::NoLocalOnSharedSubscription`] for No Local on a `$share/` filter
    /// [MQTT-3.8.3-4]; [`EncodeError::PacketTooLarge`] when the list is too long for one
    /// packet (a Remaining Length above 268,435,455).
    pub fn new(
        packet_id: PacketId,
        subscriptions: impl IntoIterator<Item = Subscription>,
    ) -> Result<Self, EncodeError> {
        let body = OwnedList::build(packet_id, subscriptions, EncodeError::EmptySubscribe)?;
        Ok(Subscribe { body })
    }

    /// The packet with MQTT 5.0 `properties` (a Subscription Identifier, User Properties),
    /// which replace any it had: the packet is copied into one new buffer.
    ///
    /// ```
    /// use mqttwire::{Encode, Encoder, PacketId, Properties, Property, QoS, Subscribe, Subscription, TopicFilter};
    ///
    /// let subscribe = Subscribe::new(
    ///     PacketId::try_from(1)?,
    ///     [Subscription::new(TopicFilter::new("a/b")?, QoS::AtLeastOnce)],
    /// )?
    /// .with_properties(Properties::new([Property::SubscriptionIdentifier(7)])?)?;
    /// assert_eq!(subscribe.properties().subscription_identifier(), Some(7));
    /// assert_eq!(&Encoder::V5.to_bytes(&subscribe)?[..], b"\x82\x0b\x00\x01\x02\x0b\x07\x00\x03a/b\x01");
    /// assert_eq!(&subscribe.to_bytes()?[..], b"\x82\x08\x00\x01\x00\x03a/b\x01"); // 3.1.1: none
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`EncodeError::PropertyNotAllowed`] for a property a SUBSCRIBE cannot carry,
    /// [`EncodeError::DuplicateProperty`] for a second Subscription Identifier (section
    /// 3.8.2.1.2), [`EncodeError::PacketTooLarge`] when the packet would be too long.
    pub fn with_properties(self, properties: Properties) -> Result<Self, EncodeError> {
        properties.as_ref().check_for(PropertySet::Subscribe)?;
        let body = self.body.with_properties(properties.as_bytes())?;
        Ok(Subscribe { body })
    }

    /// The MQTT 5.0 properties (section 3.8.2.1), read from the packet's buffer; empty for a
    /// 3.1.1 packet.
    pub fn properties(&self) -> PropertiesRef<'_> {
        PropertiesRef::checked(self.body.properties())
    }

    /// The subscriptions in order, borrowed: each topic filter and its Requested QoS.
    #[inline]
    pub fn iter(&self) -> SubscribeIter<'_> {
        SubscribeIter {
            entries: self.body.entries(),
        }
    }

    /// The subscriptions in order, borrowed: each topic filter and all its Subscription
    /// Options.
    pub fn iter_with_options(&self) -> SubscribeOptionsIter<'_> {
        SubscribeOptionsIter {
            entries: self.body.entries(),
        }
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
            properties: self.properties(),
            list: self.body.list(),
            len: self.body.len(),
            v5: self.body.is_v5(),
        }
    }

    #[cfg(feature = "alloc")]
    /// Decodes a SUBSCRIBE body, read from `frame`: the list is shared with the frame, or,
    /// when [`Decoder::lossy_utf8`] repaired a filter, written again with the repairs.
    pub(crate) fn decode(
        body: &[u8],
        frame: &Bytes,
        decoder: &Decoder,
    ) -> Result<Self, DecodeError> {
        let v5 = decoder.v5();
        let body = match parse(body, v5) {
            Ok(_) => OwnedList::share(frame, body, v5),
            Err(e) if decoder.lossy_utf8 && e.is_ill_formed_utf8() => {
                OwnedList::repair(body, DecodeError::EmptySubscribe, v5)?
            }
            Err(e) => return Err(e),
        };
        Ok(Subscribe { body })
    }
}

#[cfg(feature = "alloc")]
/// The entries and what they hold: `(filter, QoS)` pairs for a packet in the 3.1.1 form, the
/// properties and every option in the 5.0 form.
impl fmt::Debug for Subscribe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut debug = f.debug_struct("Subscribe");
        debug.field("packet_id", &self.packet_id());
        if self.body.is_v5() {
            debug
                .field("properties", &self.properties())
                .field("subscriptions", &DebugList(self.iter_with_options()))
        } else {
            debug.field("subscriptions", &DebugList(self.iter()))
        }
        .finish()
    }
}

#[cfg(feature = "alloc")]
impl<'a> IntoIterator for &'a Subscribe {
    type Item = (&'a str, QoS);
    type IntoIter = SubscribeIter<'a>;
    #[inline]
    fn into_iter(self) -> SubscribeIter<'a> {
        self.iter()
    }
}

#[cfg(feature = "alloc")]
/// The subscriptions of a [`Subscribe`], as owned [`Subscription`]s sharing its buffer.
#[derive(Debug, Clone)]
pub struct SubscriptionIter<'a> {
    entries: Shared<'a, Pairs>,
}

#[cfg(feature = "alloc")]
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

#[cfg(feature = "alloc")]
impl ExactSizeIterator for SubscriptionIter<'_> {}

/// Reads and checks a SUBSCRIBE body in MQTT 5.0 (`v5`) or 3.1.1: the parser of both
/// decoders.
#[inline]
pub(crate) fn parse(body: &[u8], v5: bool) -> Result<SubscribeRef<'_>, DecodeError> {
    let parsed = list::parse::<Pairs>(body, DecodeError::EmptySubscribe, v5)?;
    Ok(SubscribeRef {
        packet_id: parsed.packet_id,
        properties: parsed.properties,
        list: parsed.list,
        len: parsed.len,
        v5,
    })
}

/// SUBSCRIBE (section 3.8) borrowed from the buffer it was decoded from (see
/// [`Decoder::decode_ref`](crate::Decoder::decode_ref)): the packet identifier, the MQTT 5.0
/// properties and the subscriptions as they are on the wire, already checked, read with
/// [`SubscribeRef::iter`] or [`SubscribeRef::iter_with_options`] without allocating.
/// [`SubscribeRef::to_owned`] copies it into a [`Subscribe`] (one allocation, of the body's
/// size).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SubscribeRef<'a> {
    /// The packet identifier the SUBACK will echo.
    pub packet_id: PacketId,
    /// MQTT 5.0: the properties (section 3.8.2.1); left out when encoding for 3.1.1. Which
    /// ones a SUBSCRIBE may carry is checked when encoding for 5.0.
    pub properties: PropertiesRef<'a>,
    list: &'a [u8],
    len: usize,
    /// Whether the list may hold MQTT 5.0 options (it was checked as 5.0).
    v5: bool,
}

impl<'a> SubscribeRef<'a> {
    /// The subscriptions in order: each topic filter (validated) and its Requested QoS.
    pub fn iter(&self) -> SubscribeIter<'a> {
        SubscribeIter {
            entries: self.entries(),
        }
    }

    /// The subscriptions in order: each topic filter (validated) and its Subscription
    /// Options.
    ///
    /// ```
    /// use mqttwire::{Decoder, PacketRef, Protocol, QoS, RetainHandling};
    ///
    /// // MQTT 5.0: "a/b" at QoS 1 with No Local and Retain Handling 2.
    /// let frame = b"\x82\x09\x00\x01\x00\x00\x03a/b\x25";
    /// let decoder = Decoder::new().protocol(Protocol::V5);
    /// let Ok(PacketRef::Subscribe(subscribe)) = decoder.decode_frame_ref(frame) else { panic!() };
    /// let (filter, options) = subscribe.iter_with_options().next().unwrap();
    /// assert_eq!((filter, options.qos, options.no_local), ("a/b", QoS::AtLeastOnce, true));
    /// assert_eq!(options.retain_handling, RetainHandling::DoNotSend);
    /// ```
    pub fn iter_with_options(&self) -> SubscribeOptionsIter<'a> {
        SubscribeOptionsIter {
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

    #[cfg(feature = "alloc")]
    /// Copies the packet into an owned [`Subscribe`]: one allocation, for its body (packet
    /// identifier, properties and list) as it is on the wire.
    pub fn to_owned(&self) -> Subscribe {
        Subscribe {
            body: OwnedList::copy(
                self.packet_id,
                self.properties.as_bytes(),
                self.list,
                self.v5,
            ),
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

#[cfg(feature = "alloc")]
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

/// The subscriptions of a [`SubscribeRef`] or a [`Subscribe`], borrowed: `(topic filter,
/// Subscription Options)`.
#[derive(Debug, Clone)]
pub struct SubscribeOptionsIter<'a> {
    entries: Entries<'a, Pairs>,
}

impl<'a> Iterator for SubscribeOptionsIter<'a> {
    type Item = (&'a str, SubscriptionOptions);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        let (filter, options) = self.entries.next_raw()?;
        Some((
            checked_text(filter),
            SubscriptionOptions::from_checked(options),
        ))
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.entries.size_hint()
    }
}

impl ExactSizeIterator for SubscribeOptionsIter<'_> {}

impl Encode for SubscribeRef<'_> {
    fn encoded_len_for(&self, encoder: &Encoder) -> usize {
        list::encoded_len_for(self.properties.as_bytes(), self.list, encoder.v5())
    }

    fn write_to<T: Target>(&self, encoder: &Encoder, buf: &mut T) -> Result<(), EncodeError> {
        if encoder.v5() {
            self.properties.check_for(PropertySet::Subscribe)?;
        }
        let parts = Parts {
            packet_id: self.packet_id,
            properties: self.properties.as_bytes(),
            list: self.list,
            list_is_v311: !self.v5,
        };
        list::encode_for::<Pairs, T>(buf, PacketType::Subscribe, encoder, &parts, None)
    }
}

/// The entry format of a SUBSCRIBE: a topic filter and its Subscription Options byte, which
/// in MQTT 3.1.1 is the Requested QoS alone.
enum Pairs {}

/// A SUBSCRIBE to send, built from borrowed parts without a heap: what firmware encodes (with
/// [`Encode::encode_to_slice`]) where [`Subscribe`] needs the `alloc` feature. The
/// subscriptions are `(topic filter, options)` pairs, checked when it is made.
///
/// ```
/// use mqttwire::{Encode, PacketId, QoS, SubscribeParts, SubscriptionOptions};
///
/// let subscriptions = [("a/b", SubscriptionOptions::new(QoS::AtLeastOnce))];
/// let subscribe = SubscribeParts::new(PacketId::try_from(1)?, &subscriptions)?;
/// let mut out = [0u8; 16];
/// let len = subscribe.encode_to_slice(&mut out)?;
/// assert_eq!(&out[..len], b"\x82\x08\x00\x01\x00\x03a/b\x01");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SubscribeParts<'a> {
    /// The packet identifier the SUBACK will echo.
    pub packet_id: PacketId,
    /// MQTT 5.0: the properties (a Subscription Identifier, User Properties); left out in
    /// 3.1.1. Which ones a SUBSCRIBE may carry is checked when encoding for 5.0.
    pub properties: PropertiesRef<'a>,
    subscriptions: &'a [(&'a str, SubscriptionOptions)],
}

impl<'a> SubscribeParts<'a> {
    /// A SUBSCRIBE of `subscriptions`, in order (the SUBACK answers them in that order), each
    /// filter checked.
    ///
    /// # Errors
    ///
    /// [`EncodeError::EmptySubscribe`] without subscriptions [MQTT-3.8.3-3];
    /// [`EncodeError::InvalidTopicFilter`] for a string that is not a topic filter;
    /// [`EncodeError::NoLocalOnSharedSubscription`] for No Local on a `$share/` filter
    /// [MQTT-3.8.3-4]; [`EncodeError::PacketTooLarge`] when the list is too long for one
    /// packet.
    pub fn new(
        packet_id: PacketId,
        subscriptions: &'a [(&'a str, SubscriptionOptions)],
    ) -> Result<Self, EncodeError> {
        if subscriptions.is_empty() {
            return Err(EncodeError::EmptySubscribe);
        }
        for (filter, options) in subscriptions {
            check_filter(filter).map_err(EncodeError::InvalidTopicFilter)?;
            if options.no_local && matches!(is_shared(filter.as_bytes()), Ok(true)) {
                return Err(EncodeError::NoLocalOnSharedSubscription);
            }
        }
        let parts = SubscribeParts {
            packet_id,
            properties: PropertiesRef::EMPTY,
            subscriptions,
        };
        let remaining = parts.remaining_len(true);
        if remaining > MAX_REMAINING_LENGTH {
            return Err(EncodeError::PacketTooLarge(remaining));
        }
        Ok(parts)
    }

    /// The subscriptions, in order.
    pub fn subscriptions(&self) -> &'a [(&'a str, SubscriptionOptions)] {
        self.subscriptions
    }

    /// The Remaining Length in MQTT 5.0 (`v5`, with the properties) or 3.1.1.
    fn remaining_len(&self, v5: bool) -> usize {
        let list = self.subscriptions.iter().fold(0usize, |len, (filter, _)| {
            len.saturating_add(prefixed_len(filter.len()).saturating_add(1))
        });
        list::remaining_len(self.properties.as_bytes(), &[], v5).saturating_add(list)
    }
}

/// What follows the packet identifier of a [`SubscribeParts`]: in 5.0 the properties, then
/// each filter with its options byte (in 3.1.1 the Requested QoS alone).
struct PartsRest<'a> {
    parts: &'a SubscribeParts<'a>,
    v5: bool,
}

impl WriteRest for PartsRest<'_> {
    fn write_rest<S: Sink>(&self, out: &mut S) {
        if self.v5 {
            let properties = self.parts.properties.as_bytes();
            out.vbi(properties.len());
            out.append(properties);
        }
        for (filter, options) in self.parts.subscriptions {
            out.prefixed(filter.as_bytes());
            out.u8(if self.v5 {
                options.byte()
            } else {
                options.qos.bits()
            });
        }
    }
}

/// Encoding as [`Subscribe`]'s: for 3.1.1 the properties and the 5.0 options are left out.
impl Encode for SubscribeParts<'_> {
    fn encoded_len_for(&self, encoder: &Encoder) -> usize {
        crate::encode::frame_len(self.remaining_len(encoder.v5()))
    }

    fn write_to<T: Target>(&self, encoder: &Encoder, buf: &mut T) -> Result<(), EncodeError> {
        let v5 = encoder.v5();
        if v5 {
            self.properties.check_for(PropertySet::Subscribe)?;
            for (filter, options) in self.subscriptions {
                check_shared_encoding(filter.as_bytes(), options.no_local)?;
            }
        }
        let remaining = self.remaining_len(v5);
        encoder.fits(crate::encode::frame_len(remaining))?;
        let rest = PartsRest { parts: self, v5 };
        encode_frame(
            buf,
            first_byte(PacketType::Subscribe),
            remaining,
            self.packet_id.get(),
            &rest,
        )
    }
}

/// Checks the MQTT 5.0 rules of a `$share/` topic filter (section 4.8.2) with its options
/// `byte`: a well-formed ShareName, and no No Local [MQTT-3.8.3-4].
#[inline]
fn check_shared(filter: &[u8], byte: u8) -> Result<(), DecodeError> {
    match is_shared(filter) {
        Ok(false) => Ok(()),
        Ok(true) if options::no_local(byte) => Err(DecodeError::NoLocalOnSharedSubscription),
        Ok(true) => Ok(()),
        Err(ShareError::EmptyShareName) => Err(DecodeError::EmptyShareName),
        Err(ShareError::Malformed) => Err(DecodeError::InvalidShareName),
    }
}

/// [`check_shared`] for a packet being encoded.
pub(crate) fn check_shared_encoding(filter: &[u8], no_local: bool) -> Result<(), EncodeError> {
    match is_shared(filter) {
        Ok(false) => Ok(()),
        Ok(true) if no_local => Err(EncodeError::NoLocalOnSharedSubscription),
        Ok(true) => Ok(()),
        Err(ShareError::EmptyShareName) => Err(EncodeError::EmptyShareName),
        Err(ShareError::Malformed) => Err(EncodeError::InvalidShareName),
    }
}

impl Entry for Pairs {
    type Raw<'a> = (&'a [u8], u8);
    type Item<'a> = (&'a str, QoS);
    #[cfg(feature = "alloc")]
    type Owned = Subscription;

    const SET: PropertySet = PropertySet::Subscribe;
    const SAME_IN_V311: bool = false;

    /// A topic filter and its options byte.
    #[inline]
    fn read(input: &[u8]) -> Parsed<'_, (&[u8], u8)> {
        let (input, filter) = prefixed(input)?;
        let (input, options) = byte(input)?;
        Ok((input, (filter, options)))
    }

    /// The options byte (in 3.1.1 the Requested QoS, whose six upper bits are reserved
    /// [MQTT-3-8.3-4]; in 5.0 the Subscription Options, section 3.8.3.1), then the filter;
    /// in 5.0, the rules of Shared Subscriptions (section 4.8.2).
    #[inline]
    fn check((filter, byte): (&[u8], u8), v5: bool) -> Result<(), DecodeError> {
        if !v5 {
            options::check_v311(byte)?;
            return topic_filter(filter, None).map(drop);
        }
        options::check_v5(byte)?;
        topic_filter(filter, None)?;
        check_shared(filter, byte)
    }

    fn check_v5_encoding((filter, byte): (&[u8], u8)) -> Result<(), EncodeError> {
        check_shared_encoding(filter, options::no_local(byte))
    }

    fn put_v311<S: Sink>((filter, byte): (&[u8], u8), out: &mut S) {
        out.prefixed(filter);
        out.u8(options::to_v311(byte));
    }

    #[inline]
    fn item<'a>((filter, byte): Self::Raw<'a>) -> Self::Item<'a> {
        (checked_text(filter), options::qos_of(byte))
    }

    #[cfg(feature = "alloc")]
    #[inline]
    fn share((filter, byte): (&[u8], u8), body: &Bytes) -> Subscription {
        let options = SubscriptionOptions::from_checked(byte);
        Subscription::new(TopicFilter::from_checked(share(body, filter)), options.qos)
            .with_options(options)
    }

    #[cfg(feature = "alloc")]
    fn repaired_len((filter, _): (&[u8], u8)) -> usize {
        repaired_field_len(filter).saturating_add(1)
    }

    #[cfg(feature = "alloc")]
    fn put_repaired(
        (filter, byte): (&[u8], u8),
        out: &mut BytesMut,
        v5: bool,
    ) -> Result<(), DecodeError> {
        if v5 {
            options::check_v5(byte)?;
        } else {
            options::check_v311(byte)?;
        }
        let start = out.len();
        put_repaired_filter(filter, out)?;
        if v5 {
            // The repaired filter, after its length prefix.
            let repaired = out.get(start.saturating_add(2)..).unwrap_or_default();
            check_shared(repaired, byte)?;
        }
        out.put_u8(byte);
        Ok(())
    }

    #[cfg(feature = "alloc")]
    fn owned_len(entry: &Subscription) -> usize {
        prefixed_len(entry.filter.len()).saturating_add(1)
    }

    #[cfg(feature = "alloc")]
    fn owned_is_v311(entry: &Subscription) -> bool {
        entry.options().is_v311()
    }

    #[cfg(feature = "alloc")]
    fn check_owned(entry: &Subscription) -> Result<(), EncodeError> {
        if entry.no_local && is_shared(entry.filter.as_bytes()) != Ok(false) {
            return Err(EncodeError::NoLocalOnSharedSubscription);
        }
        Ok(())
    }

    #[cfg(feature = "alloc")]
    fn put_owned(entry: &Subscription, out: &mut BytesMut) {
        // A topic filter is at most 65,535 bytes: the truncation cannot happen.
        out.put_u16(entry.filter.len() as u16);
        out.put_slice(entry.filter.as_bytes());
        out.put_u8(entry.options().byte());
    }
}

#[cfg(feature = "alloc")]
impl Encode for Subscribe {
    #[inline]
    fn encoded_len_for(&self, encoder: &Encoder) -> usize {
        self.body.encoded_len_for(encoder.v5())
    }

    #[inline]
    fn write_to<T: Target>(&self, encoder: &Encoder, buf: &mut T) -> Result<(), EncodeError> {
        self.body.encode_for(buf, PacketType::Subscribe, encoder)
    }
}
