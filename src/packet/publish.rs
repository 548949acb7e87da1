//! PUBLISH (section 3.3): an application message.

use super::fields::{topic_name, Checked, Repairs};
#[cfg(feature = "alloc")]
use super::Packet;
use crate::codec::Decoder;
use crate::encode::{frame_len, Encode, Encoder};
use crate::error::{DecodeError, EncodeError};
use crate::header::{PacketType, MAX_REMAINING_LENGTH};
#[cfg(feature = "alloc")]
use crate::properties::Properties;
use crate::properties::{properties_present, vbi_len, PropertiesRef, PropertyId, PropertySet};
use crate::string::checked_text;
#[cfg(feature = "alloc")]
use crate::topic::TopicName;
use crate::topic::{check_name, TopicError};
use crate::types::{PacketId, QoS, QosPid};
use crate::wire::{prefixed_len, vbi};
use crate::write::{encode_body, encode_frame, Sink, Target, WriteRest};
#[cfg(feature = "alloc")]
use bytes::{Buf, BufMut, Bytes, BytesMut};
use core::fmt;
use core::hash::{Hash, Hasher};

const DUP: u8 = 0b1000;
const RETAIN: u8 = 0b0001;

/// The length of a packet identifier on the wire.
const ID_LEN: usize = 2;

#[cfg(feature = "alloc")]
/// PUBLISH (section 3.3): an application message on a topic.
///
/// The topic cannot hold a wildcard [MQTT-3.3.2-2] and the packet identifier is present exactly
/// when the QoS is above 0 ([`QosPid`]). The payload is any bytes, empty included.
///
/// A `Publish` holds its topic, MQTT 5.0 properties and payload in one [`Bytes`], laid out as
/// on the wire: a decoded one is the received frame's body, shared, not copied;
/// [`Publish::new`] copies the topic and the payload into one new buffer. (To encode borrowed
/// data without copying it first, use [`PublishRef`].) Read the fields through the accessors.
/// The QoS, DUP and RETAIN can be given when building one ([`Publish::with_retain`],
/// [`Publish::with_dup`], [`Publish::with_qos`]) or changed in place ([`Publish::set_retain`]
/// and the other setters), as a server does before forwarding a message; the encoder then
/// writes the new packet identifier in place of the received one.
///
/// One value serves both versions: encoded for MQTT 3.1.1, the properties are left out; for
/// MQTT 5.0, a message without properties gets a Property Length of 0. A 5.0 message whose
/// topic is empty (sent with a Topic Alias, section 3.3.2.3.4) cannot be encoded for 3.1.1.
///
/// ```
/// use mqttwire::{Encode, PacketId, Publish, QosPid, TopicName};
///
/// let topic = TopicName::new("home/kitchen/temperature")?;
/// let publish = Publish::new(topic, QosPid::AtLeastOnce(PacketId::try_from(1)?), b"21.5")
///     .with_retain(true);
/// assert_eq!((publish.topic(), publish.payload()), ("home/kitchen/temperature", &b"21.5"[..]));
/// let bytes = publish.to_bytes()?;
/// assert_eq!(bytes[0], 0x33); // PUBLISH, QoS 1, RETAIN
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Publish {
    /// From the Topic Name's length on: the length, the topic, two bytes when `id_gap` (the
    /// received packet identifier, or the one given when built), the payload. The topic is a
    /// valid topic name and the body at least as long as that layout says.
    body: Bytes,
    /// QoS and, above QoS 0, the packet identifier the encoder writes.
    qos: QosPid,
    /// DUP (section 3.3.1.1).
    dup: bool,
    /// RETAIN (section 3.3.1.3).
    retain: bool,
    /// Whether `body` holds two bytes of packet identifier between topic and payload. They are
    /// never read back: `qos` has the identifier, which may have been changed since.
    id_gap: bool,
    /// Whether `body` holds a Property Length and properties (checked for PUBLISH) after the
    /// packet identifier, as an MQTT 5.0 PUBLISH does; without, the message has no properties.
    has_properties: bool,
}

#[cfg(feature = "alloc")]
impl Publish {
    /// A new message (DUP and RETAIN clear; [`Publish::with_retain`] and
    /// [`Publish::with_dup`] set them): the topic and the payload are copied into one buffer.
    pub fn new(topic: TopicName, qos: QosPid, payload: impl AsRef<[u8]>) -> Self {
        Self::from_parts(false, qos, false, topic.as_bytes(), &[], payload.as_ref())
    }

    /// The message with MQTT 5.0 `properties` (which replace any it had): its topic,
    /// properties and payload are copied into one new buffer.
    ///
    /// ```
    /// use mqttwire::{Encode, Encoder, Properties, Property, Publish, QosPid, TopicName};
    ///
    /// let reading = Publish::new(TopicName::new("sensors/1/temperature")?, QosPid::AtMostOnce, "21.5")
    ///     .with_properties(Properties::new([
    ///         Property::MessageExpiryInterval(300),
    ///         Property::UserProperty("unit", "°C"),
    ///     ])?)?;
    /// assert_eq!(reading.properties().message_expiry_interval(), Some(300));
    /// let v5 = Encoder::V5.to_bytes(&reading)?; // with the properties
    /// let v311 = reading.to_bytes()?; // without: 3.1.1 has none
    /// // A Property Length, then 5 bytes of Message Expiry Interval, 12 of User Property.
    /// assert_eq!(v5.len(), v311.len() + 1 + 5 + 12);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`EncodeError::PropertyNotAllowed`] for a property a PUBLISH cannot carry.
    pub fn with_properties(self, properties: Properties) -> Result<Self, EncodeError> {
        properties.as_ref().check_for(PropertySet::Publish)?;
        let (topic, _, payload) = self.split();
        Ok(Self::from_parts(
            self.dup,
            self.qos,
            self.retain,
            topic,
            properties.as_bytes(),
            payload,
        ))
    }

    /// The message with its topic name left out, for a peer that knows it by the Topic Alias
    /// its properties carry (MQTT 5.0, section 3.3.2.3.4): after one message with both has set
    /// the alias, later ones can go without the topic. The rest is copied into a new buffer.
    ///
    /// # Errors
    ///
    /// [`EncodeError::TopicAliasRequired`] when the properties carry no Topic Alias.
    pub fn without_topic(self) -> Result<Self, EncodeError> {
        let (_, properties, payload) = self.split();
        if self.properties().topic_alias().is_none() {
            return Err(EncodeError::TopicAliasRequired);
        }
        Ok(Self::from_parts(
            self.dup,
            self.qos,
            self.retain,
            &[],
            properties,
            payload,
        ))
    }

    /// The message with topic name `topic`: what a receiver does with a message that came
    /// with a Topic Alias and no topic (section 3.3.2.3.4), once it has looked the alias up.
    /// The rest is copied into a new buffer.
    pub fn with_topic(self, topic: &TopicName) -> Self {
        let (_, properties, payload) = self.split();
        Self::from_parts(
            self.dup,
            self.qos,
            self.retain,
            topic.as_bytes(),
            properties,
            payload,
        )
    }

    /// A message made of its flags, `topic`, a valid topic name (≤ 65,535 bytes, empty only
    /// with a Topic Alias), `properties` (a property block checked for PUBLISH; empty for
    /// none) and `payload`, copied into one buffer.
    fn from_parts(
        dup: bool,
        qos: QosPid,
        retain: bool,
        topic: &[u8],
        properties: &[u8],
        payload: &[u8],
    ) -> Self {
        let id = qos.packet_id();
        let has_properties = !properties.is_empty();
        let properties_len = if has_properties {
            vbi_len(properties.len()).saturating_add(properties.len())
        } else {
            0
        };
        let len = prefixed_len(topic.len())
            .saturating_add(id_len(qos))
            .saturating_add(properties_len)
            .saturating_add(payload.len());
        let mut body = BytesMut::with_capacity(len);
        // Truncation cannot happen: topic names are at most 65,535 bytes.
        body.put_u16(topic.len() as u16);
        body.put_slice(topic);
        if let Some(id) = id {
            body.put_u16(id.get());
        }
        if has_properties {
            crate::write::Put(&mut body).vbi(properties.len());
            body.put_slice(properties);
        }
        body.put_slice(payload);
        Publish {
            body: body.freeze(),
            qos,
            dup,
            retain,
            id_gap: id.is_some(),
            has_properties,
        }
    }

    /// The topic name (section 3.3.2.1), validated; empty only for an MQTT 5.0 message sent
    /// with a Topic Alias instead (section 3.3.2.3.4).
    #[inline]
    pub fn topic(&self) -> &str {
        // The topic was checked when the message was made or decoded.
        checked_text(self.split().0)
    }

    /// The topic name as a [`TopicName`] sharing this message's buffer; `None` for an MQTT
    /// 5.0 message sent with a Topic Alias and no topic (look the alias up, then
    /// [`Publish::with_topic`]).
    pub fn topic_name(&self) -> Option<TopicName> {
        let topic = self.split().0;
        (!topic.is_empty()).then(|| TopicName::from_checked(self.body.slice_ref(topic)))
    }

    /// The MQTT 5.0 properties (section 3.3.2.3), read from the message's buffer; empty for a
    /// 3.1.1 message.
    pub fn properties(&self) -> PropertiesRef<'_> {
        PropertiesRef::checked(self.split().1)
    }

    /// The application message (section 3.3.3).
    #[inline]
    pub fn payload(&self) -> &[u8] {
        self.split().2
    }

    /// The application message as [`Bytes`] sharing this message's buffer (the frame it was
    /// decoded from), without copying.
    pub fn payload_bytes(&self) -> Bytes {
        // An empty payload gives an empty `Bytes` (`slice_ref` accepts any empty slice).
        self.body.slice_ref(self.split().2)
    }

    /// The QoS.
    #[inline]
    pub fn qos(&self) -> QoS {
        self.qos.qos()
    }

    /// The QoS and, above QoS 0, the packet identifier.
    #[inline]
    pub fn qos_pid(&self) -> QosPid {
        self.qos
    }

    /// The packet identifier, `None` at QoS 0.
    #[inline]
    pub fn packet_id(&self) -> Option<PacketId> {
        self.qos.packet_id()
    }

    /// DUP: this may be a re-delivery (section 3.3.1.1).
    #[inline]
    pub fn dup(&self) -> bool {
        self.dup
    }

    /// RETAIN (section 3.3.1.3).
    #[inline]
    pub fn retain(&self) -> bool {
        self.retain
    }

    /// Sets the QoS and packet identifier, as a server does when it forwards a message at the
    /// QoS a subscription was granted, with its own identifier (section 3.3.5). The payload is
    /// not copied.
    ///
    /// ```
    /// use bytes::BytesMut;
    /// use mqttwire::{decode, Encode, Packet, PacketId, QosPid};
    ///
    /// // Received: QoS 1, packet identifier 7, topic "a/b", payload "hi".
    /// let mut rx = BytesMut::from(&b"\x32\x09\x00\x03a/b\x00\x07hi"[..]);
    /// let Some(Packet::Publish(mut publish)) = decode(&mut rx)? else { panic!() };
    /// // Forwarded at QoS 0 to one subscriber, and at QoS 1 with identifier 300 to another.
    /// publish.set_qos(QosPid::AtMostOnce);
    /// assert_eq!(&publish.to_bytes()?[..], b"\x30\x07\x00\x03a/bhi");
    /// publish.set_qos(QosPid::AtLeastOnce(PacketId::try_from(300)?));
    /// assert_eq!(&publish.to_bytes()?[..], b"\x32\x09\x00\x03a/b\x01\x2chi");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn set_qos(&mut self, qos: QosPid) {
        self.qos = qos;
    }

    /// Sets DUP. It must stay clear at QoS 0 [MQTT-3.3.1-2]: encoding a QoS 0 PUBLISH with DUP
    /// set fails.
    pub fn set_dup(&mut self, dup: bool) {
        self.dup = dup;
    }

    /// Sets RETAIN; a server clears it when it forwards a message to an existing subscription
    /// [MQTT-3.3.1-9].
    pub fn set_retain(&mut self, retain: bool) {
        self.retain = retain;
    }

    /// The message with this QoS and packet identifier: [`Publish::set_qos`] by value, to
    /// build or forward a message in one expression. The payload is not copied.
    ///
    /// ```
    /// use mqttwire::{Encode, PacketId, Publish, QosPid, TopicName};
    ///
    /// let received = Publish::new(TopicName::new("a/b")?, QosPid::AtMostOnce, "hi");
    /// let forwarded = received.clone().with_qos(QosPid::ExactlyOnce(PacketId::try_from(9)?));
    /// assert_eq!(&forwarded.to_bytes()?[..], b"\x34\x09\x00\x03a/b\x00\x09hi");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use = "with_qos returns the changed message; set_qos changes one in place"]
    pub fn with_qos(mut self, qos: QosPid) -> Self {
        self.qos = qos;
        self
    }

    /// The message with DUP set to `dup`: [`Publish::set_dup`] by value. DUP must stay clear
    /// at QoS 0 [MQTT-3.3.1-2]: encoding a QoS 0 PUBLISH with DUP set fails.
    #[must_use = "with_dup returns the changed message; set_dup changes one in place"]
    pub fn with_dup(mut self, dup: bool) -> Self {
        self.dup = dup;
        self
    }

    /// The message with RETAIN set to `retain`: [`Publish::set_retain`] by value.
    #[must_use = "with_retain returns the changed message; set_retain changes one in place"]
    pub fn with_retain(mut self, retain: bool) -> Self {
        self.retain = retain;
        self
    }

    /// Topic, property block (without its length) and payload, read from the body.
    #[inline(always)]
    fn split(&self) -> (&[u8], &[u8], &[u8]) {
        let body = &self.body[..];
        let Some((len, rest)) = body.split_first_chunk::<2>() else {
            return (&[], &[], &[]);
        };
        let topic_len = usize::from(u16::from_be_bytes(*len));
        let (topic, rest) = rest.split_at_checked(topic_len).unwrap_or((rest, &[]));
        let rest = if self.id_gap {
            rest.get(ID_LEN..).unwrap_or_default()
        } else {
            rest
        };
        if !self.has_properties {
            return (topic, &[], rest);
        }
        let (properties, payload) = split_properties(rest);
        (topic, properties, payload)
    }

    /// Decodes the body of `frame`, which starts at `body_start`. The message keeps the
    /// frame's own reference to the buffer (no reference count is taken).
    #[inline(always)]
    pub(crate) fn decode(
        flags: u8,
        body_start: usize,
        frame: Bytes,
        decoder: &Decoder,
    ) -> Result<Self, DecodeError> {
        let body = frame.get(body_start..).unwrap_or_default();
        let v5 = decoder.v5();
        match parse(flags, body, None, v5, decoder.reads_client()) {
            Ok(raw) => {
                let (dup, qos, retain) = (raw.dup, raw.qos, raw.retain);
                Ok(Self::received(body_start, frame, dup, qos, retain, v5))
            }
            Err(e) => Self::decode_failed(e, flags, body_start, frame, decoder),
        }
    }

    /// [`Publish::decode`] as the owned decoder's fast path returns it: each branch writes its
    /// result whole. (Joined into one `Result<Publish, _>` first, the message went through two
    /// copies on the stack, each read back in pieces other than those written, which stalls
    /// store forwarding: about a third of the decoder's time on small messages,
    /// `benches/NOTES.md`.)
    #[inline(always)]
    pub(crate) fn decode_packet(
        flags: u8,
        body_start: usize,
        frame: Bytes,
        decoder: &Decoder,
    ) -> Result<Option<Packet>, DecodeError> {
        let body = frame.get(body_start..).unwrap_or_default();
        let v5 = decoder.v5();
        match parse(flags, body, None, v5, decoder.reads_client()) {
            Ok(raw) => {
                let (dup, qos, retain) = (raw.dup, raw.qos, raw.retain);
                let publish = Self::received(body_start, frame, dup, qos, retain, v5);
                Ok(Some(Packet::Publish(publish)))
            }
            Err(e) => Self::decode_failed(e, flags, body_start, frame, decoder)
                .map(|publish| Some(Packet::Publish(publish))),
        }
    }

    /// The message parsed from `frame`'s body, which starts at `body_start`.
    #[inline(always)]
    fn received(
        body_start: usize,
        mut frame: Bytes,
        dup: bool,
        qos: QosPid,
        retain: bool,
        v5: bool,
    ) -> Self {
        frame.advance(body_start.min(frame.len()));
        Publish {
            body: frame,
            qos,
            dup,
            retain,
            id_gap: qos.packet_id().is_some(),
            has_properties: v5,
        }
    }

    /// The strict parser refused the body: the error, or with `lossy_utf8` the message parsed
    /// again with its ill-formed UTF-8 repaired.
    #[cold]
    #[inline(never)]
    fn decode_failed(
        e: DecodeError,
        flags: u8,
        body_start: usize,
        frame: Bytes,
        decoder: &Decoder,
    ) -> Result<Self, DecodeError> {
        if !(decoder.lossy_utf8 && e.is_ill_formed_utf8()) {
            return Err(e);
        }
        let body = frame.get(body_start..).unwrap_or_default();
        Self::decode_lossy(flags, body, &frame, decoder)
    }

    /// [`Publish::decode`] again, repairing ill-formed UTF-8 (`lossy_utf8`), for a body the
    /// strict parser refused for ill-formed UTF-8. (Up to the ill-formed field, the strict and
    /// the lossy parsers are the same, so they only differ from there.) The repaired topic
    /// and the payload are copied into a new buffer.
    fn decode_lossy(
        flags: u8,
        body: &[u8],
        frame: &Bytes,
        decoder: &Decoder,
    ) -> Result<Self, DecodeError> {
        let mut repairs = Repairs::default();
        let raw = parse(
            flags,
            body,
            Some(&mut repairs),
            decoder.v5(),
            decoder.reads_client(),
        )?;
        let topic = raw.topic.share(frame, Some(&repairs));
        Ok(Self::from_parts(
            raw.dup,
            raw.qos,
            raw.retain,
            &topic,
            raw.properties.as_bytes(),
            raw.payload,
        ))
    }

    /// The borrowed view of this message.
    pub fn as_borrowed(&self) -> PublishRef<'_> {
        PublishRef {
            dup: self.dup,
            qos: self.qos,
            retain: self.retain,
            topic: self.topic(),
            properties: self.properties(),
            payload: self.payload(),
        }
    }
}

#[cfg(feature = "alloc")]
/// The property block (without its length) and the payload of what follows a 5.0 PUBLISH's
/// packet identifier, checked when the message was decoded or built.
#[inline]
fn split_properties(rest: &[u8]) -> (&[u8], &[u8]) {
    match vbi(rest) {
        Ok((after, len)) => after.split_at_checked(len as usize).unwrap_or((after, &[])),
        Err(_) => (&[], rest),
    }
}

#[cfg(feature = "alloc")]
/// Equal when the fields are: bytes of the buffer that are not a field (a packet identifier
/// since changed) do not count.
impl PartialEq for Publish {
    fn eq(&self, other: &Self) -> bool {
        (self.dup, self.qos, self.retain, self.split())
            == (other.dup, other.qos, other.retain, other.split())
    }
}

#[cfg(feature = "alloc")]
impl Eq for Publish {}

#[cfg(feature = "alloc")]
impl Hash for Publish {
    fn hash<H: Hasher>(&self, state: &mut H) {
        (self.dup, self.qos, self.retain, self.split()).hash(state);
    }
}

#[cfg(feature = "alloc")]
impl fmt::Debug for Publish {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Publish")
            .field("dup", &self.dup)
            .field("qos", &self.qos)
            .field("retain", &self.retain)
            .field("topic", &self.topic())
            .field("properties", &self.properties())
            .field("payload", &self.payload_bytes())
            .finish()
    }
}

/// The fields of a PUBLISH body, checked, borrowed from the frame.
pub(crate) struct RawPublish<'a> {
    pub(crate) dup: bool,
    pub(crate) qos: QosPid,
    pub(crate) retain: bool,
    pub(crate) topic: Checked<'a>,
    pub(crate) properties: PropertiesRef<'a>,
    pub(crate) payload: &'a [u8],
}

/// Reads and checks a PUBLISH body: the parser of both decoders.
///
/// PUBLISH is most of the traffic, and its body is three fields (four in MQTT 5.0), so it is
/// read by hand rather than through the nom parsers: the same rules, with the same errors.
#[inline(always)]
pub(crate) fn parse<'a>(
    flags: u8,
    body: &'a [u8],
    repairs: Option<&mut Repairs>,
    v5: bool,
    from_client: bool,
) -> Result<RawPublish<'a>, DecodeError> {
    // The fixed header has refused QoS 3 and DUP at QoS 0.
    let qos = QoS::from_bits((flags >> 1) & 0b11).ok_or(DecodeError::InvalidPublishQos)?;
    // Topic Name (section 3.3.2.1): a length-prefixed string inside the body.
    let (topic, rest) = body
        .split_first_chunk::<2>()
        .and_then(|(len, rest)| rest.split_at_checked(usize::from(u16::from_be_bytes(*len))))
        .ok_or(DecodeError::FieldOverrun)?;
    // Packet Identifier (section 3.3.2.2), above QoS 0 only, never 0 [MQTT-2.3.1-1].
    let (qos, payload) = match qos {
        QoS::AtMostOnce => (QosPid::AtMostOnce, rest),
        QoS::AtLeastOnce | QoS::ExactlyOnce => {
            let (id, rest) = rest
                .split_first_chunk::<2>()
                .ok_or(DecodeError::FieldOverrun)?;
            let id = PacketId::new(u16::from_be_bytes(*id)).ok_or(DecodeError::ZeroPacketId)?;
            let qos = QosPid::new(qos, Some(id)).ok_or(DecodeError::FieldOverrun)?;
            (qos, rest)
        }
    };
    if v5 {
        return parse_v5(flags, qos, topic, payload, repairs, from_client);
    }
    let topic = topic_name(topic, repairs)?;
    // The payload is the rest of the frame (section 3.3.3).
    Ok(RawPublish {
        dup: flags & DUP != 0,
        qos,
        retain: flags & RETAIN != 0,
        topic,
        properties: PropertiesRef::EMPTY,
        payload,
    })
}

/// The end of [`parse`] in MQTT 5.0: the properties (section 3.3.2.3) come before the payload,
/// and the topic may be empty when a Topic Alias stands for it (section 3.3.2.3.4).
#[inline(always)]
fn parse_v5<'a>(
    flags: u8,
    qos: QosPid,
    topic: &'a [u8],
    rest: &'a [u8],
    repairs: Option<&mut Repairs>,
    from_client: bool,
) -> Result<RawPublish<'a>, DecodeError> {
    // The identifiers present come with the check of the block: the rules below need no
    // second walk over it.
    let (payload, (properties, present)) = match rest {
        // No properties, the common case: a Property Length of 0.
        [0, payload @ ..] => (payload, (PropertiesRef::EMPTY, 0)),
        _ => crate::wire::finish_prefix(properties_present(rest, PropertySet::Publish))?,
    };
    // A client's PUBLISH carries no Subscription Identifier [MQTT-3.3.4-6].
    if from_client && present & PropertyId::SubscriptionIdentifier.bit() != 0 {
        return Err(DecodeError::SubscriptionIdentifierFromClient);
    }
    let topic = if topic.is_empty() {
        // Without a Topic Alias, an empty topic is a Protocol Error (section 3.3.4).
        if present & PropertyId::TopicAlias.bit() == 0 {
            return Err(DecodeError::EmptyTopicWithoutAlias);
        }
        Checked::Text("")
    } else {
        topic_name(topic, repairs)?
    };
    Ok(RawPublish {
        dup: flags & DUP != 0,
        qos,
        retain: flags & RETAIN != 0,
        topic,
        properties,
        payload,
    })
}

/// PUBLISH (section 3.3) borrowed from the buffer it was decoded from: what
/// [`Decoder::decode_ref`](crate::Decoder::decode_ref) returns, without allocating or counting
/// references. [`PublishRef::to_owned`] copies it into a [`Publish`].
///
/// The topic name is validated (it is private so that it stays so: read it with
/// [`PublishRef::topic`], make one with [`PublishRef::new`]).
///
/// ```
/// use mqttwire::{Encode, PublishRef, QosPid};
///
/// let publish = PublishRef::new("sensors/1", QosPid::AtMostOnce, b"21.5").unwrap();
/// let mut buf = [0u8; 32];
/// let mut out = &mut buf[..];
/// publish.encode(&mut out).unwrap();
/// assert_eq!(&buf[..2], [0x30, 15]);
/// assert!(PublishRef::new("sensors/#", QosPid::AtMostOnce, b"").is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PublishRef<'a> {
    /// DUP (section 3.3.1.1), as in [`Publish::dup`].
    pub dup: bool,
    /// QoS and, above QoS 0, the packet identifier.
    pub qos: QosPid,
    /// RETAIN (section 3.3.1.3).
    pub retain: bool,
    topic: &'a str,
    /// MQTT 5.0: the properties (section 3.3.2.3); left out when encoding for 3.1.1. Which
    /// ones a PUBLISH may carry is checked when encoding for 5.0.
    pub properties: PropertiesRef<'a>,
    /// The application message.
    pub payload: &'a [u8],
}

impl<'a> PublishRef<'a> {
    /// A new message (DUP and RETAIN clear) on a topic name, which is checked.
    ///
    /// # Errors
    ///
    /// The [`TopicError`] naming the rule `topic` breaks.
    pub fn new(topic: &'a str, qos: QosPid, payload: &'a [u8]) -> Result<Self, TopicError> {
        check_name(topic)?;
        Ok(PublishRef {
            dup: false,
            qos,
            retain: false,
            topic,
            properties: PropertiesRef::EMPTY,
            payload,
        })
    }

    /// The topic name (section 3.3.2.1), validated; empty only for an MQTT 5.0 message sent
    /// with a Topic Alias instead (section 3.3.2.3.4).
    #[inline]
    pub fn topic(&self) -> &'a str {
        self.topic
    }

    #[cfg(feature = "alloc")]
    /// Copies the message into an owned [`Publish`], with one allocation for the topic and
    /// the payload together.
    pub fn to_owned(&self) -> Publish {
        Publish::from_parts(
            self.dup,
            self.qos,
            self.retain,
            self.topic.as_bytes(),
            self.properties.as_bytes(),
            self.payload,
        )
    }
}

impl<'a> From<RawPublish<'a>> for PublishRef<'a> {
    #[inline]
    fn from(raw: RawPublish<'a>) -> Self {
        PublishRef {
            dup: raw.dup,
            qos: raw.qos,
            retain: raw.retain,
            topic: raw.topic.as_str(),
            properties: raw.properties,
            payload: raw.payload,
        }
    }
}

#[cfg(feature = "alloc")]
impl From<PublishRef<'_>> for Publish {
    fn from(publish: PublishRef<'_>) -> Self {
        publish.to_owned()
    }
}

/// The first byte of a PUBLISH's fixed header (section 3.3.1).
///
/// # Errors
///
/// [`EncodeError::DupWithQos0`]: DUP must be clear at QoS 0 [MQTT-3.3.1-2].
#[inline(always)]
fn first_byte(dup: bool, qos: QosPid, retain: bool) -> Result<u8, EncodeError> {
    if dup && qos == QosPid::AtMostOnce {
        return Err(EncodeError::DupWithQos0);
    }
    let mut first = (PacketType::Publish.bits() << 4) | (qos.qos().bits() << 1);
    if dup {
        first |= DUP;
    }
    if retain {
        first |= RETAIN;
    }
    Ok(first)
}

#[cfg_attr(not(feature = "alloc"), allow(dead_code))] // Used by the owned packets.
/// The length of a packet identifier field at `qos`.
#[inline(always)]
fn id_len(qos: QosPid) -> usize {
    if qos.packet_id().is_some() {
        ID_LEN
    } else {
        0
    }
}

#[cfg(feature = "alloc")]
impl Publish {
    /// The Remaining Length in MQTT 5.0 (`v5`) or 3.1.1: the body, less the received packet
    /// identifier, plus the one written; with a Property Length of 0 added or the properties
    /// taken out when the body is of the other version.
    #[inline(always)]
    fn remaining_len(&self, v5: bool) -> usize {
        let gap = if self.id_gap { ID_LEN } else { 0 };
        let len = self
            .body
            .len()
            .saturating_sub(gap)
            .saturating_add(id_len(self.qos));
        match (v5, self.has_properties) {
            (false, false) | (true, true) => len,
            (true, false) => len.saturating_add(1),
            (false, true) => {
                let properties = self.split().1.len();
                len.saturating_sub(vbi_len(properties).saturating_add(properties))
            }
        }
    }

    /// Whether the body is what goes on the wire after the fixed header in MQTT 5.0 (`v5`) or
    /// 3.1.1, as it is for a message encoded in the version it arrived or was built in:
    /// without an identifier at QoS 0, with the `QosPid`'s identifier in its gap above.
    #[inline(always)]
    fn body_is_wire(&self, v5: bool) -> bool {
        if v5 != self.has_properties {
            return false;
        }
        match (self.qos.packet_id(), self.id_gap) {
            (None, gap) => !gap,
            (Some(_), false) => false,
            (Some(id), true) => {
                let topic_len = self.split().0.len();
                let gap = self.body.get(topic_len.saturating_add(2)..);
                gap.and_then(|g| g.first_chunk::<2>()) == Some(&id.get().to_be_bytes())
            }
        }
    }
}

#[cfg(feature = "alloc")]
impl Encode for Publish {
    #[inline]
    fn encoded_len_for(&self, encoder: &Encoder) -> usize {
        frame_len(self.remaining_len(encoder.v5()))
    }

    #[inline]
    fn write_to<T: Target>(&self, encoder: &Encoder, buf: &mut T) -> Result<(), EncodeError> {
        let first = first_byte(self.dup, self.qos, self.retain)?;
        let v5 = encoder.v5();
        if encoder.limits() {
            fits(self.remaining_len(v5), encoder)?;
        }
        if self.body_is_wire(v5) {
            return encode_body(buf, first, self.body.len(), &self.body[..]);
        }
        let (topic, properties, payload) = self.split();
        let rest = Rest::new(topic, self.qos, properties, payload, v5)?;
        encode_frame(buf, first, rest.len(), rest.topic_len(), &rest)
    }
}

impl Encode for PublishRef<'_> {
    #[inline]
    fn encoded_len_for(&self, encoder: &Encoder) -> usize {
        // The fields as they would be written, whether or not `encode_for` accepts them.
        let rest = Rest {
            topic: self.topic.as_bytes(),
            id: self.qos.packet_id(),
            properties: encoder.v5().then_some(self.properties.as_bytes()),
            payload: self.payload,
        };
        frame_len(rest.len())
    }

    #[inline]
    fn write_to<T: Target>(&self, encoder: &Encoder, buf: &mut T) -> Result<(), EncodeError> {
        let first = first_byte(self.dup, self.qos, self.retain)?;
        let v5 = encoder.v5();
        if v5 {
            self.properties.check_for(PropertySet::Publish)?;
        }
        let (topic, properties) = (self.topic.as_bytes(), self.properties.as_bytes());
        let rest = Rest::new(topic, self.qos, properties, self.payload, v5)?;
        let remaining = rest.len();
        if encoder.limits() {
            fits(remaining, encoder)?;
        }
        // The topic's length prefix; `PublishRef::new` bounds the topic to 65,535 bytes.
        if topic.len() > usize::from(u16::MAX) {
            return Err(EncodeError::FieldTooLong(topic.len()));
        }
        encode_frame(buf, first, remaining, rest.topic_len(), &rest)
    }
}

/// Checks a PUBLISH against the peer's Maximum Packet Size: a message too large for it is not
/// sent [MQTT-3.1.2-25] (its properties must go unaltered, so none are left out).
#[cold]
fn fits(remaining: usize, encoder: &Encoder) -> Result<(), EncodeError> {
    if remaining > MAX_REMAINING_LENGTH {
        return Err(EncodeError::PacketTooLarge(remaining));
    }
    let size = frame_len(remaining);
    if size > encoder.max_packet_size {
        return Err(EncodeError::ExceedsMaximumPacketSize {
            size,
            max: encoder.max_packet_size,
        });
    }
    Ok(())
}

/// What follows the topic's length in a PUBLISH written field by field: the topic, the packet
/// identifier (which may differ from one a decoded body holds), in MQTT 5.0 the properties,
/// the payload.
struct Rest<'a> {
    topic: &'a [u8],
    id: Option<PacketId>,
    /// The property block, `None` in MQTT 3.1.1.
    properties: Option<&'a [u8]>,
    payload: &'a [u8],
}

impl<'a> Rest<'a> {
    /// The fields to write in MQTT 5.0 (`v5`) or 3.1.1.
    ///
    /// # Errors
    ///
    /// [`EncodeError::NotInV311`] for a message without a topic (sent with a Topic Alias).
    #[inline(always)]
    fn new(
        topic: &'a [u8],
        qos: QosPid,
        properties: &'a [u8],
        payload: &'a [u8],
        v5: bool,
    ) -> Result<Self, EncodeError> {
        if !v5 && topic.is_empty() {
            return Err(EncodeError::NotInV311(
                "a PUBLISH without a topic name (Topic Alias)",
            ));
        }
        Ok(Rest {
            topic,
            id: qos.packet_id(),
            properties: v5.then_some(properties),
            payload,
        })
    }

    /// The Remaining Length.
    #[inline(always)]
    fn len(&self) -> usize {
        let properties = self
            .properties
            .map_or(0, |p| vbi_len(p.len()).saturating_add(p.len()));
        prefixed_len(self.topic.len())
            .saturating_add(if self.id.is_some() { ID_LEN } else { 0 })
            .saturating_add(properties)
            .saturating_add(self.payload.len())
    }

    /// The topic's length prefix (a topic name is at most 65,535 bytes: truncation cannot
    /// happen for a checked one, and the caller refuses a longer borrowed one).
    #[inline(always)]
    fn topic_len(&self) -> u16 {
        self.topic.len() as u16
    }
}

impl WriteRest for Rest<'_> {
    #[inline(always)]
    fn write_rest<S: Sink>(&self, out: &mut S) {
        out.append(self.topic);
        if let Some(id) = self.id {
            out.u16(id.get());
        }
        if let Some(properties) = self.properties {
            out.vbi(properties.len());
            // Most messages have none: no copy of nothing.
            if !properties.is_empty() {
                out.append(properties);
            }
        }
        out.append(self.payload);
    }
}

#[cfg(all(test, feature = "alloc"))]
// Tests index and unwrap freely: a panic there is a failing test.
#[allow(clippy::indexing_slicing, clippy::unwrap_used)]
mod tests {
    use crate::packet::ack::PubAck;
    use crate::{
        Decoder, Encode, EncodeError, Encoder, PacketRef, Properties, Property, PropertyId,
        PropertySet, Protocol, PublishRef,
    };

    const V5: Decoder = Decoder::new().protocol(Protocol::V5);

    /// PUBLISH QoS 0 to "a/b", payload "hi", with the properties `block` (at most 127 bytes).
    fn publish_with(block: &[u8]) -> alloc::vec::Vec<u8> {
        let mut rest = alloc::vec::Vec::from(*b"\x00\x03a/b");
        rest.push(block.len() as u8);
        rest.extend_from_slice(block);
        rest.extend_from_slice(b"hi");
        let mut frame = alloc::vec![0x30, rest.len() as u8];
        frame.extend(rest);
        frame
    }

    fn decoded_publish(frame: &[u8]) -> PublishRef<'_> {
        match V5.decode_ref(frame) {
            Ok(Some((PacketRef::Publish(p), used))) if used == frame.len() => p,
            other => panic!("{other:?}"),
        }
    }

    /// A decoded PUBLISH, whose properties the decoder checked, encodes back to the bytes it
    /// came from: with every property a PUBLISH may carry, and with four User Properties.
    #[test]
    fn decoded_publish_round_trips_byte_identical() {
        let every = [
            &b"\x01\x01"[..],          // Payload Format Indicator
            b"\x02\x00\x00\x00\x3c",   // Message Expiry Interval
            b"\x23\x00\x05",           // Topic Alias
            b"\x08\x00\x01r",          // Response Topic
            b"\x09\x00\x02\x01\x02",   // Correlation Data
            b"\x26\x00\x01k\x00\x01v", // User Property
            b"\x0b\x07",               // Subscription Identifier
            b"\x0b\x80\x01",           // and another (may repeat in PUBLISH)
            b"\x03\x00\x04text",       // Content Type
        ]
        .concat();
        let users = b"\x26\x00\x04unit\x00\x02mV".repeat(4);
        for block in [&every[..], &users[..], &[][..]] {
            let frame = publish_with(block);
            let p = decoded_publish(&frame);
            assert_eq!(p.properties.as_bytes(), block);
            assert_eq!(Encoder::V5.to_bytes(&p).unwrap()[..], frame[..]);
            let mut out = [0u8; 128];
            let n = Encoder::V5.encode_to_slice(&p, &mut out).unwrap();
            assert_eq!(out[..n], frame[..]);
        }
    }

    /// Properties the caller put in a PUBLISH are still checked on encode: built without a
    /// packet (`Properties::new`), or decoded from another packet (a PUBACK's Reason String).
    /// A PUBLISH carries neither Receive Maximum nor Reason String (section 2.2.2.2, Table
    /// 2-4).
    #[test]
    fn properties_from_elsewhere_are_checked_on_encode() {
        let frame = publish_with(&[]);
        let mut p = decoded_publish(&frame);
        let built = Properties::new([Property::ReceiveMaximum(10)]).unwrap();
        p.properties = built.as_ref();
        let not_allowed = |property| EncodeError::PropertyNotAllowed {
            property,
            set: PropertySet::Publish,
        };
        assert_eq!(
            Encoder::V5.to_bytes(&p),
            Err(not_allowed(PropertyId::ReceiveMaximum))
        );
        assert_eq!(
            Encoder::V5.encode_to_slice(&p, &mut [0; 64]),
            Err(not_allowed(PropertyId::ReceiveMaximum))
        );

        // PUBACK 7, Reason Code 0x10, Reason String "x".
        let puback = b"\x40\x08\x00\x07\x10\x04\x1f\x00\x01x";
        let Ok(Some((PacketRef::PubAck(PubAck { properties, .. }), _))) = V5.decode_ref(puback)
        else {
            panic!("PUBACK not decoded")
        };
        p.properties = properties;
        assert_eq!(
            Encoder::V5.to_bytes(&p),
            Err(not_allowed(PropertyId::ReasonString))
        );
        // In 3.1.1 the properties are left out, so nothing is refused.
        assert_eq!(p.to_bytes().unwrap()[..], b"\x30\x07\x00\x03a/bhi"[..]);
    }

    /// Two Subscription Identifiers, allowed in a PUBLISH, are refused in a SUBSCRIBE ("a
    /// Protocol Error to include the Subscription Identifier more than once", section
    /// 3.8.2.1.2): the identifiers say which are present, the repetition is counted on
    /// encode.
    #[test]
    fn repeated_subscription_identifier_from_a_publish_is_refused_elsewhere() {
        let frame = publish_with(b"\x0b\x07\x0b\x08");
        let p = decoded_publish(&frame);
        assert_eq!(
            p.properties.check_for(PropertySet::Subscribe),
            Err(EncodeError::DuplicateProperty(
                PropertyId::SubscriptionIdentifier
            ))
        );
        assert_eq!(p.properties.check_for(PropertySet::Publish), Ok(()));
    }
}
