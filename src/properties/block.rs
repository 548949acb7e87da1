//! A packet's property block: checked once when the packet is decoded (or built), then kept
//! as the bytes it is on the wire and read through typed accessors, without allocating.

use super::id::{PropertyId, PropertySet};
use super::value::{read_value, PayloadFormat, Property};
use crate::error::{DecodeError, EncodeError};
use crate::packet::fields::share;
use crate::types::QoS;
use crate::wire::{fail, finish_prefix, take, vbi, Parsed};
use crate::write::Put;
use bytes::{Bytes, BytesMut};
use core::fmt;

/// Checks a property block (its content, after the Property Length) for `set`: every
/// identifier assigned and allowed there, none repeated unless it may be, every value of its
/// type and in range.
pub(crate) fn check(block: &[u8], set: PropertySet) -> Result<(), DecodeError> {
    let mut present = 0u64;
    let mut input = block;
    while !input.is_empty() {
        let (rest, id) = finish_prefix(read_id(input))?;
        let id = id?;
        if !id.allowed_in(set) {
            return Err(DecodeError::PropertyNotAllowed { property: id, set });
        }
        if present & id.bit() != 0 && !id.may_repeat_in(set) {
            return Err(DecodeError::DuplicateProperty(id));
        }
        present |= id.bit();
        let (rest, _) = finish_prefix(read_value::<true>(id, rest))?;
        input = rest;
    }
    Ok(())
}

/// Reads a property identifier, a Variable Byte Integer (section 2.2.2.2): the inner result is
/// the identifier, or the error for one the standard does not assign.
#[inline]
fn read_id(input: &[u8]) -> Parsed<'_, Result<PropertyId, DecodeError>> {
    let (rest, value) = match input.split_first() {
        // Every assigned identifier takes one byte.
        Some((&first, rest)) if first < 0x80 => (rest, u32::from(first)),
        _ => vbi(input)?,
    };
    let id = u8::try_from(value).ok().and_then(PropertyId::from_byte);
    Ok((rest, id.ok_or(DecodeError::UnknownProperty(value))))
}

/// Reads a Property Length and the block it announces, and checks the block for `set`.
#[inline]
pub(crate) fn properties(input: &[u8], set: PropertySet) -> Parsed<'_, PropertiesRef<'_>> {
    let (input, len) = vbi(input)?;
    let (input, block) = take(input, len as usize)?;
    if block.is_empty() {
        return Ok((input, PropertiesRef::EMPTY));
    }
    match check(block, set) {
        Ok(()) => Ok((input, PropertiesRef { block })),
        Err(e) => fail(e),
    }
}

/// The properties of a packet, borrowed from the buffer it was decoded from (see
/// [`Decoder::decode_ref`](crate::Decoder::decode_ref)): checked when the packet was decoded,
/// read through the typed accessors or [`PropertiesRef::iter`], without allocating and with no
/// limit on their number.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct PropertiesRef<'a> {
    /// The properties as on the wire, after the Property Length.
    block: &'a [u8],
}

/// The properties of a packet (section 2.2.2), owned: a decoded packet's share the buffer it
/// was decoded from; [`Properties::new`] builds them for a packet to send.
///
/// ```
/// use mqttwire::{Properties, Property};
///
/// let properties = Properties::new([
///     Property::MessageExpiryInterval(60),
///     Property::ContentType("text/plain"),
///     Property::UserProperty("unit", "°C"),
/// ])?;
/// assert_eq!(properties.message_expiry_interval(), Some(60));
/// assert_eq!(properties.user_properties().collect::<Vec<_>>(), [("unit", "°C")]);
/// assert_eq!(properties.iter().count(), 3);
///
/// // Values the standard forbids are refused when built.
/// assert!(Properties::new([Property::ReceiveMaximum(0)]).is_err());
/// assert!(Properties::new([Property::ContentType("a"), Property::ContentType("b")]).is_err());
/// # Ok::<(), mqttwire::EncodeError>(())
/// ```
///
/// It is one [`Bytes`] (32 bytes on 64-bit targets), so that the packets holding it stay
/// small: the accessors read the block, which is short.
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct Properties {
    /// The properties as on the wire, after the Property Length.
    block: Bytes,
}

/// The typed accessors, the same on [`Properties`] and [`PropertiesRef`]: `$lt` is the
/// lifetime of what they return.
macro_rules! accessors {
    ($lt:lifetime) => {
        /// Whether there are no properties.
        #[inline]
        pub fn is_empty(&self) -> bool {
            self.block.is_empty()
        }

        /// Whether property `id` is present.
        #[inline]
        pub fn contains(&self, id: PropertyId) -> bool {
            self.iter().any(|p| p.id() == id)
        }

        /// The properties in the order of the packet.
        pub fn iter(&self) -> PropertyIter<$lt> {
            PropertyIter { rest: &self.block }
        }

        /// The properties as they are on the wire, after the Property Length.
        pub fn as_bytes(&self) -> &$lt [u8] {
            &self.block
        }

        /// The first value of property `id`, if present.
        pub fn get(&self, id: PropertyId) -> Option<Property<$lt>> {
            self.iter().find(|p| p.id() == id)
        }

        /// The User Properties, name and value, in order (section 3.3.2.3.7: their order
        /// is kept when a message is forwarded [MQTT-3.3.2-18]).
        pub fn user_properties(&self) -> UserProperties<$lt> {
            UserProperties(self.iter())
        }

        /// The Subscription Identifiers, in order (a PUBLISH may carry several).
        pub fn subscription_identifiers(&self) -> SubscriptionIdentifiers<$lt> {
            SubscriptionIdentifiers(self.iter())
        }

        accessors! { @values $lt;
            /// Payload Format Indicator (section 3.3.2.3.2).
            payload_format_indicator, PayloadFormatIndicator, PayloadFormat;
            /// Message Expiry Interval, in seconds (section 3.3.2.3.3).
            message_expiry_interval, MessageExpiryInterval, u32;
            /// Content Type (section 3.3.2.3.9).
            content_type, ContentType, &$lt str;
            /// Response Topic (section 3.3.2.3.5).
            response_topic, ResponseTopic, &$lt str;
            /// Correlation Data (section 3.3.2.3.6).
            correlation_data, CorrelationData, &$lt [u8];
            /// The first Subscription Identifier (see also `subscription_identifiers`).
            subscription_identifier, SubscriptionIdentifier, u32;
            /// Session Expiry Interval, in seconds (section 3.1.2.11.2).
            session_expiry_interval, SessionExpiryInterval, u32;
            /// Assigned Client Identifier (section 3.2.2.3.7).
            assigned_client_identifier, AssignedClientIdentifier, &$lt str;
            /// Server Keep Alive, in seconds (section 3.2.2.3.14).
            server_keep_alive, ServerKeepAlive, u16;
            /// Authentication Method (section 3.1.2.11.9).
            authentication_method, AuthenticationMethod, &$lt str;
            /// Authentication Data (section 3.1.2.11.10).
            authentication_data, AuthenticationData, &$lt [u8];
            /// Request Problem Information (section 3.1.2.11.7).
            request_problem_information, RequestProblemInformation, bool;
            /// Will Delay Interval, in seconds (section 3.1.3.2.2).
            will_delay_interval, WillDelayInterval, u32;
            /// Request Response Information (section 3.1.2.11.6).
            request_response_information, RequestResponseInformation, bool;
            /// Response Information (section 3.2.2.3.15).
            response_information, ResponseInformation, &$lt str;
            /// Server Reference (section 3.2.2.3.16).
            server_reference, ServerReference, &$lt str;
            /// Reason String (section 3.2.2.3.9 and the acknowledgements).
            reason_string, ReasonString, &$lt str;
            /// Receive Maximum (section 3.1.2.11.3).
            receive_maximum, ReceiveMaximum, u16;
            /// Topic Alias Maximum (section 3.1.2.11.5).
            topic_alias_maximum, TopicAliasMaximum, u16;
            /// Topic Alias (section 3.3.2.3.4).
            topic_alias, TopicAlias, u16;
            /// Maximum QoS (section 3.2.2.3.4).
            maximum_qos, MaximumQos, QoS;
            /// Retain Available (section 3.2.2.3.5).
            retain_available, RetainAvailable, bool;
            /// Maximum Packet Size (section 3.1.2.11.4).
            maximum_packet_size, MaximumPacketSize, u32;
            /// Wildcard Subscription Available (section 3.2.2.3.11).
            wildcard_subscription_available, WildcardSubscriptionAvailable, bool;
            /// Subscription Identifier Available (section 3.2.2.3.12).
            subscription_identifier_available, SubscriptionIdentifierAvailable, bool;
            /// Shared Subscription Available (section 3.2.2.3.13).
            shared_subscription_available, SharedSubscriptionAvailable, bool;
        }
    };
    (@values $lt:lifetime; $($(#[$doc:meta])* $method:ident, $variant:ident, $ty:ty;)+) => {
        $(
            $(#[$doc])*
            #[doc = ""]
            #[doc = "`None` when the property is absent."]
            pub fn $method(&self) -> Option<$ty> {
                match self.get(PropertyId::$variant)? {
                    Property::$variant(value) => Some(value),
                    _ => None,
                }
            }
        )+
    };
}

impl<'a> PropertiesRef<'a> {
    /// No properties.
    pub const EMPTY: PropertiesRef<'static> = PropertiesRef { block: &[] };

    accessors!('a);

    /// The properties of `block`, which was checked for its packet when decoded or built.
    pub(crate) const fn checked(block: &'a [u8]) -> Self {
        PropertiesRef { block }
    }

    /// Copies the properties into an owned [`Properties`] (one allocation, none when empty).
    pub fn to_owned(&self) -> Properties {
        Properties {
            block: Bytes::copy_from_slice(self.block),
        }
    }

    /// The owned properties, sharing `frame`, which they were read from.
    pub(crate) fn share(&self, frame: &Bytes) -> Properties {
        Properties {
            block: share(frame, self.block),
        }
    }
}

impl Properties {
    /// No properties.
    pub const EMPTY: Properties = Properties {
        block: Bytes::new(),
    };

    accessors!('_);

    /// Properties to send, in the order given (one allocation, none when empty).
    ///
    /// Which packet may carry them is checked when the packet is encoded
    /// ([`EncodeError::PropertyNotAllowed`]).
    ///
    /// # Errors
    ///
    /// [`EncodeError::InvalidProperty`] for a value the standard forbids (out of range, a
    /// string with U+0000 or over 65,535 bytes, a Response Topic that is not a topic name),
    /// [`EncodeError::DuplicateProperty`] for a property given twice that may appear only
    /// once (in every packet that may carry it), [`EncodeError::PacketTooLarge`] when they
    /// would not fit in a packet.
    pub fn new<'p>(
        properties: impl IntoIterator<Item = Property<'p>>,
    ) -> Result<Self, EncodeError> {
        let mut block = BytesMut::new();
        let mut present = 0u64;
        for property in properties {
            let id = property.id();
            if !property.is_valid() {
                return Err(EncodeError::InvalidProperty(id));
            }
            let repeatable =
                id == PropertyId::UserProperty || id == PropertyId::SubscriptionIdentifier;
            if present & id.bit() != 0 && !repeatable {
                return Err(EncodeError::DuplicateProperty(id));
            }
            present |= id.bit();
            let len = block.len().saturating_add(property.encoded_len());
            if len > crate::header::MAX_REMAINING_LENGTH {
                return Err(EncodeError::PacketTooLarge(len));
            }
            property.write(&mut Put(&mut block));
        }
        Ok(Properties {
            block: block.freeze(),
        })
    }

    /// The borrowed view of these properties.
    #[inline]
    pub fn as_ref(&self) -> PropertiesRef<'_> {
        PropertiesRef { block: &self.block }
    }
}

impl PropertiesRef<'_> {
    /// Checks that `set` may carry these properties: each identifier present must be allowed
    /// there; repetitions need a walk, done only when a repeatable-elsewhere identifier is
    /// present.
    pub(crate) fn check_for(&self, set: PropertySet) -> Result<(), EncodeError> {
        let present = self.present();
        if present == 0 {
            return Ok(());
        }
        if let Some(id) = PropertyId::ALL
            .into_iter()
            .find(|id| present & id.bit() != 0 && !id.allowed_in(set))
        {
            return Err(EncodeError::PropertyNotAllowed { property: id, set });
        }
        let id = PropertyId::SubscriptionIdentifier;
        if self.contains(id)
            && !id.may_repeat_in(set)
            && self.subscription_identifiers().nth(1).is_some()
        {
            return Err(EncodeError::DuplicateProperty(id));
        }
        Ok(())
    }

    /// The identifiers present, one bit each.
    #[inline]
    pub(crate) fn present(&self) -> u64 {
        self.iter().fold(0, |ids, p| ids | p.id().bit())
    }
}

/// The properties of a packet, owned ([`Properties`]) or borrowed ([`PropertiesRef`]): the
/// packets that come in both forms are generic over it (`PubAck` holds `Properties`,
/// `PubAck<PropertiesRef<'a>>` borrows them), so that one type serves both decoders.
pub trait AsProperties: sealed::Sealed {
    /// The properties, borrowed.
    fn as_properties(&self) -> PropertiesRef<'_>;
}

impl AsProperties for Properties {
    #[inline]
    fn as_properties(&self) -> PropertiesRef<'_> {
        self.as_ref()
    }
}

impl AsProperties for PropertiesRef<'_> {
    #[inline]
    fn as_properties(&self) -> PropertiesRef<'_> {
        *self
    }
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::Properties {}
    impl Sealed for super::PropertiesRef<'_> {}
}

impl fmt::Debug for PropertiesRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl fmt::Debug for Properties {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<'a> From<PropertiesRef<'a>> for Properties {
    fn from(properties: PropertiesRef<'a>) -> Self {
        properties.to_owned()
    }
}

impl<'a> IntoIterator for PropertiesRef<'a> {
    type Item = Property<'a>;
    type IntoIter = PropertyIter<'a>;
    fn into_iter(self) -> PropertyIter<'a> {
        PropertyIter { rest: self.block }
    }
}

impl<'a> IntoIterator for &'a Properties {
    type Item = Property<'a>;
    type IntoIter = PropertyIter<'a>;
    fn into_iter(self) -> PropertyIter<'a> {
        self.iter()
    }
}

/// The properties of a block, in order (see [`Properties::iter`]).
#[derive(Debug, Clone)]
pub struct PropertyIter<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for PropertyIter<'a> {
    type Item = Property<'a>;

    #[inline]
    fn next(&mut self) -> Option<Property<'a>> {
        // The block was checked when decoded or built: every read succeeds.
        let (rest, id) = read_id(self.rest).ok()?;
        let (rest, property) = read_value::<false>(id.ok()?, rest).ok()?;
        self.rest = rest;
        Some(property)
    }
}

impl core::iter::FusedIterator for PropertyIter<'_> {}

/// The User Properties of a block, `(name, value)` in order (see
/// [`Properties::user_properties`]).
#[derive(Debug, Clone)]
pub struct UserProperties<'a>(PropertyIter<'a>);

impl<'a> Iterator for UserProperties<'a> {
    type Item = (&'a str, &'a str);

    fn next(&mut self) -> Option<(&'a str, &'a str)> {
        self.0.find_map(|p| match p {
            Property::UserProperty(name, value) => Some((name, value)),
            _ => None,
        })
    }
}

/// The Subscription Identifiers of a block, in order (see
/// [`Properties::subscription_identifiers`]).
#[derive(Debug, Clone)]
pub struct SubscriptionIdentifiers<'a>(PropertyIter<'a>);

impl Iterator for SubscriptionIdentifiers<'_> {
    type Item = u32;

    fn next(&mut self) -> Option<u32> {
        self.0.find_map(|p| match p {
            Property::SubscriptionIdentifier(id) => Some(id),
            _ => None,
        })
    }
}
