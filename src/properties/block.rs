//! A packet's property block: checked once when the packet is decoded (or built), then kept
//! as the bytes it is on the wire and read through typed accessors, without allocating.

use super::id::{PropertyId, PropertySet, ValueType};
use super::plain_text;
use super::value::{read_value, PayloadFormat, Property};
use crate::error::{DecodeError, EncodeError};
#[cfg(feature = "alloc")]
use crate::packet::fields::share;
use crate::types::QoS;
use crate::wire::{fail, finish_prefix, take, vbi, Parsed};
#[cfg(feature = "alloc")]
use crate::write::Put;
#[cfg(feature = "alloc")]
use bytes::{Bytes, BytesMut};
use core::fmt;

/// Checks a property block (its content, after the Property Length) for `set`: every
/// identifier assigned and allowed there, none repeated unless it may be, every value of its
/// type and in range. Returns the identifiers present, one bit each ([`PropertyId::bit`]), so
/// that a packet's own rules on them need no second walk.
#[inline(always)]
pub(crate) fn check(block: &[u8], set: PropertySet) -> Result<u64, DecodeError> {
    // The common case on its own: nothing but User Properties (allowed in every packet that
    // has properties, and repeatable) of plain ASCII. The general path is a call, so that
    // this one stays small where it is inlined.
    if PropertyId::UserProperty.may_repeat_in(set)
        && !block.is_empty()
        && ascii_user_properties(block)
    {
        return Ok(PropertyId::UserProperty.bit());
    }
    check_each::<true>(block, set)
}

/// [`check`] property by property. `FAST`: a User Property of plain ASCII is tested with a
/// word test per string; anything else, and every error, takes the general path, which names
/// the rule broken (`false` in the tests, which compare the two).
#[inline(never)]
fn check_each<const FAST: bool>(block: &[u8], set: PropertySet) -> Result<u64, DecodeError> {
    let mut present = 0u64;
    let mut at = 0;
    while let Some(input) = block.get(at..).filter(|input| !input.is_empty()) {
        if FAST
            && input.first() == Some(&USER_PROPERTY)
            && PropertyId::UserProperty.may_repeat_in(set)
        {
            if let Some(next) = ascii_string(block, at.saturating_add(1))
                .and_then(|value| ascii_string(block, value))
            {
                present |= PropertyId::UserProperty.bit();
                at = next;
                continue;
            }
        }
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
        at = block.len().saturating_sub(rest.len());
    }
    Ok(present)
}

/// Whether `block` is a sequence of User Properties (section 3.3.2.3.7) whose names and values
/// are each 1 to 127 bytes of plain ASCII without U+0000 (every byte 0x01 to 0x7f: well-formed
/// UTF-8 and valid strings), which makes it a valid block in any packet; for blocks of up to
/// [`plain_text::MAX_LEN`] bytes. `false` proves nothing: [`check_each`] then reads it property
/// by property (empty strings, longer ones and other text included).
///
/// Two passes, neither waiting for the other: the bytes from 0x01 to 0x7f are counted over the
/// whole block, 16 at a time; the structure is walked (identifier 0x26, then two length
/// prefixes whose high byte is 0, each followed by that many bytes, ending with the block).
/// The walk checks the identifier and the two high bytes of each property; all other bytes
/// (the identifier, 0x26, the low bytes of the lengths, the text) must be plain, so the block
/// is accepted exactly when the count is its length less two per property. That also bounds
/// each length to 1 to 127 (a low byte of 0, or of 0x80 and above, is not plain) without a
/// test of its own in the walk.
#[inline(always)]
fn ascii_user_properties(block: &[u8]) -> bool {
    let Some(plain) = plain_text::count_plain_text(block) else {
        return false;
    };
    let mut properties = 0usize;
    let mut at = 0usize;
    // Each step reads the five bytes of structure of one property, with one bounds check for
    // the identifier and name length and one for the value length.
    while at < block.len() {
        let name_at = at.wrapping_add(3);
        let Some(&[id, name_high, name]) = block.get(at..name_at).and_then(<[u8]>::first_chunk)
        else {
            return false;
        };
        // The identifier and the high byte in one comparison.
        if u16::from_le_bytes([id, name_high]) != u16::from(USER_PROPERTY) {
            return false;
        }
        let value_at = name_at.wrapping_add(usize::from(name));
        let after = value_at.wrapping_add(2);
        let Some(&[0, value]) = block.get(value_at..after).and_then(<[u8]>::first_chunk) else {
            return false;
        };
        at = after.wrapping_add(usize::from(value));
        properties = properties.wrapping_add(1);
    }
    at == block.len() && plain.wrapping_add(properties.wrapping_mul(2)) == block.len()
}

/// The length of the value of property `id` at the start of `input`, from its type (section
/// 2.2.2.2), without reading it.
#[inline]
fn value_len(id: PropertyId, input: &[u8]) -> Option<usize> {
    let prefixed = |at: usize| {
        let len = input.get(at..)?.first_chunk::<2>()?;
        Some(usize::from(u16::from_be_bytes(*len)).saturating_add(2))
    };
    Some(match id.value_type() {
        ValueType::Byte => 1,
        ValueType::TwoByteInteger => 2,
        ValueType::FourByteInteger => 4,
        ValueType::VariableByteInteger => input.len().saturating_sub(vbi(input).ok()?.0.len()),
        ValueType::String | ValueType::BinaryData => prefixed(0)?,
        ValueType::StringPair => {
            let name = prefixed(0)?;
            name.saturating_add(prefixed(name)?)
        }
    })
}

/// What follows the UTF-8 Encoded String (section 1.5.4) at the start of `input`.
#[inline(always)]
fn skip_string(input: &[u8]) -> Option<&[u8]> {
    let (len, rest) = input.split_first_chunk::<2>()?;
    rest.get(usize::from(u16::from_be_bytes(*len))..)
}

/// The identifier of User Property (0x26, section 3.3.2.3.7).
const USER_PROPERTY: u8 = PropertyId::UserProperty as u8;

/// The UTF-8 Encoded String (section 1.5.4) whose length prefix starts at `block[at]`, if its
/// text is plain ASCII without U+0000 (every byte 0x01 to 0x7f: well-formed UTF-8, and a valid
/// string): where the next field starts. `None` proves nothing (other text is valid too).
#[inline(always)]
fn ascii_string(block: &[u8], at: usize) -> Option<usize> {
    let (len, _) = block.get(at..)?.split_first_chunk::<2>()?;
    let start = at.checked_add(2)?;
    let end = start.checked_add(usize::from(u16::from_be_bytes(*len)))?;
    is_ascii_text(block, start, end).then_some(end)
}

/// Whether `block[start..end]` exists and each of its bytes is 0x01 to 0x7f. Text of up to
/// eight bytes is tested as one word of `block` that holds it, the bytes around it masked;
/// longer text word by word.
#[inline(always)]
fn is_ascii_text(block: &[u8], start: usize, end: usize) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    /// High bit set in a byte of the result when a byte of `x` is 0 or 0x80 and above: a 0
    /// byte borrows in the subtraction, and a borrow only starts at a 0 byte.
    #[inline(always)]
    fn outside(x: u64) -> u64 {
        (x.wrapping_sub(ONES) | x) & HIGH
    }
    let Some(text) = block.get(start..end) else {
        return false;
    };
    let len = text.len();
    if len <= 8 {
        // Bits of the text in a little-endian word starting at `start`, or ending at `end`
        // (the bytes before the text: the length prefix at least); the others are set to 1.
        // `len` ≤ 8: 0 to 64 bits, and 64 - bits from 64 down to 0.
        let bits = u32::try_from(len.saturating_mul(8)).unwrap_or(64);
        let unkept = 64u32.saturating_sub(bits);
        if let Some(word) = block.get(start..).and_then(<[u8]>::first_chunk::<8>) {
            let keep = u64::MAX.checked_shr(unkept).unwrap_or(0);
            return outside((u64::from_le_bytes(*word) & keep) | (ONES & !keep)) == 0;
        }
        let before = end.checked_sub(8).and_then(|from| block.get(from..end));
        if let Some(word) = before.and_then(<[u8]>::first_chunk::<8>) {
            let keep = u64::MAX.checked_shl(unkept).unwrap_or(0);
            return outside((u64::from_le_bytes(*word) & keep) | (ONES & !keep)) == 0;
        }
        return text.iter().all(|&byte| byte.wrapping_sub(1) < 0x7f);
    }
    let mut rest = text;
    while let Some((word, tail)) = rest.split_first_chunk::<8>() {
        if outside(u64::from_le_bytes(*word)) != 0 {
            return false;
        }
        rest = tail;
    }
    // The last eight bytes, overlapping bytes already tested.
    match text.last_chunk::<8>() {
        Some(last) if !rest.is_empty() => outside(u64::from_le_bytes(*last)) == 0,
        _ => true,
    }
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
#[inline(always)]
pub(crate) fn properties(input: &[u8], set: PropertySet) -> Parsed<'_, PropertiesRef<'_>> {
    let (input, (properties, _)) = properties_present(input, set)?;
    Ok((input, properties))
}

/// [`properties`], with the identifiers present, one bit each ([`PropertyId::bit`]).
///
/// Inlined where it is called, fast path included (the general path is a call): a 5.0
/// PUBLISH with four User Properties decodes in 363 instead of 392 instructions (callgrind,
/// `benches/NOTES.md`).
#[inline(always)]
pub(crate) fn properties_present(
    input: &[u8],
    set: PropertySet,
) -> Parsed<'_, (PropertiesRef<'_>, u64)> {
    let (input, len) = match input {
        // Up to 127 bytes of properties: a one-byte Property Length, always minimal.
        [len @ 0..=0x7f, rest @ ..] => (rest, usize::from(*len)),
        _ => vbi(input).map(|(rest, len)| (rest, len as usize))?,
    };
    let (input, block) = take(input, len)?;
    if block.is_empty() {
        return Ok((input, (PropertiesRef::EMPTY, 0)));
    }
    match check(block, set) {
        Ok(present) => Ok((input, (PropertiesRef { block }, present))),
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

#[cfg(feature = "alloc")]
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

    #[cfg_attr(not(feature = "alloc"), allow(dead_code))] // Used by the owned packets.
    /// The properties of `block`, which was checked for its packet when decoded or built.
    pub(crate) const fn checked(block: &'a [u8]) -> Self {
        PropertiesRef { block }
    }

    #[cfg(feature = "alloc")]
    /// Copies the properties into an owned [`Properties`] (one allocation, none when empty).
    pub fn to_owned(&self) -> Properties {
        Properties {
            block: Bytes::copy_from_slice(self.block),
        }
    }

    #[cfg(feature = "alloc")]
    /// The owned properties, sharing `frame`, which they were read from.
    pub(crate) fn share(&self, frame: &Bytes) -> Properties {
        Properties {
            block: share(frame, self.block),
        }
    }
}

#[cfg(feature = "alloc")]
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
    /// there, and a Subscription Identifier repeated only where it may be.
    ///
    /// The values were checked when the block was decoded or built; which packet carries it
    /// was not necessarily (a block decoded from one packet may be put in another, and
    /// [`Properties::new`] knows no packet), so this runs on every encode: the identifiers
    /// are read from the block ([`PropertiesRef::present`]), then tested with one mask. A
    /// repetition needs a walk, done (out of line) only when a Subscription Identifier is
    /// present where it may not repeat.
    #[inline]
    pub(crate) fn check_for(&self, set: PropertySet) -> Result<(), EncodeError> {
        let present = self.present();
        let id = PropertyId::SubscriptionIdentifier;
        let count_once = if id.may_repeat_in(set) { 0 } else { id.bit() };
        if present & (!set.allowed_ids() | count_once) == 0 {
            return Ok(());
        }
        self.check_rare(present, set)
    }

    /// [`PropertiesRef::check_for`] when an identifier is outside `set`, or may appear only
    /// once there and needs counting.
    #[cold]
    #[inline(never)]
    fn check_rare(&self, present: u64, set: PropertySet) -> Result<(), EncodeError> {
        if let Some(property) = PropertyId::ALL
            .into_iter()
            .find(|id| present & id.bit() != 0 && !id.allowed_in(set))
        {
            return Err(EncodeError::PropertyNotAllowed { property, set });
        }
        let id = PropertyId::SubscriptionIdentifier;
        if !id.may_repeat_in(set) && self.subscription_identifiers().nth(1).is_some() {
            return Err(EncodeError::DuplicateProperty(id));
        }
        Ok(())
    }

    /// The identifiers present, one bit each.
    #[inline(always)]
    pub(crate) fn present(&self) -> u64 {
        if self.block.is_empty() {
            return 0;
        }
        self.read_ids()
    }

    /// The identifiers in the block, one bit each: each identifier is read and its value
    /// stepped over by the length its type gives, without reading the value (the block was
    /// checked when decoded or built). (Through `iter`, which reads every value, it counted
    /// ~2,300 instructions to encode a borrowed 5.0 PUBLISH with four User Properties.)
    #[inline(never)]
    fn read_ids(&self) -> u64 {
        let mut ids = 0;
        let mut rest = self.block;
        while let Some((&first, tail)) = rest.split_first() {
            // The common property on its own: a User Property steps over two strings.
            if first == USER_PROPERTY {
                let Some(next) = skip_string(tail).and_then(skip_string) else {
                    break;
                };
                ids |= PropertyId::UserProperty.bit();
                rest = next;
                continue;
            }
            // Every assigned identifier takes one byte; a checked block has no other.
            let Some(id) = PropertyId::from_byte(first) else {
                break;
            };
            ids |= id.bit();
            let Some(next) = value_len(id, tail).and_then(|len| tail.get(len..)) else {
                break;
            };
            rest = next;
        }
        ids
    }
}

/// The properties of a packet, owned ([`Properties`]) or borrowed ([`PropertiesRef`]): the
/// packets that come in both forms are generic over it (`PubAck` holds `Properties`,
/// `PubAck<PropertiesRef<'a>>` borrows them), so that one type serves both decoders.
pub trait AsProperties: sealed::Sealed {
    /// The properties, borrowed.
    fn as_properties(&self) -> PropertiesRef<'_>;
}

#[cfg(feature = "alloc")]
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
    #[cfg(feature = "alloc")]
    impl Sealed for super::Properties {}
    impl Sealed for super::PropertiesRef<'_> {}
}

impl fmt::Debug for PropertiesRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

#[cfg(feature = "alloc")]
impl fmt::Debug for Properties {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

#[cfg(feature = "alloc")]
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

#[cfg(feature = "alloc")]
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

#[cfg(test)]
// Tests index and count freely: a panic there is a failing test.
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
mod tests {
    use super::{ascii_user_properties, check, check_each, is_ascii_text};
    use crate::error::DecodeError;
    use crate::properties::{PropertyId, PropertySet};
    use alloc::vec::Vec;

    /// A User Property as on the wire: 0x26, then the name and the value, each after its
    /// two-byte length.
    fn user_property(name: &[u8], value: &[u8]) -> Vec<u8> {
        let mut p = Vec::from([0x26]);
        for s in [name, value] {
            p.extend_from_slice(&(s.len() as u16).to_be_bytes());
            p.extend_from_slice(s);
        }
        p
    }

    /// The word test of `is_ascii_text` against its definition, for every range of blocks of
    /// up to 20 bytes drawn from bytes around the edges (0, 1, 0x7f, 0x80, 0xff, ...), each
    /// range starting and ending anywhere, so that both masked words and the byte loop run.
    #[test]
    fn ascii_text_test_agrees_with_the_definition() {
        let values = [
            0x00, 0x01, 0x02, 0x26, 0x2d, 0x41, 0x7e, 0x7f, 0x80, 0x81, 0xc3, 0xff,
        ];
        let mut next = crate::test_rng::xorshift(0x2545_f491_4f6c_dd1d);
        for _ in 0..4_000 {
            let len = (next() % 21) as usize;
            // Mostly text bytes, so that long runs of valid text occur.
            let block: Vec<u8> = (0..len)
                .map(|_| match next() % 8 {
                    0 => values[(next() % values.len() as u64) as usize],
                    _ => 0x20 + (next() % 0x5f) as u8,
                })
                .collect();
            for start in 0..=len + 1 {
                for end in 0..=len + 1 {
                    let want = block
                        .get(start..end)
                        .is_some_and(|text| text.iter().all(|&b| (1..=0x7f).contains(&b)));
                    assert_eq!(
                        is_ascii_text(&block, start, end),
                        want,
                        "{block:02x?} [{start}..{end}]"
                    );
                }
            }
        }
    }

    /// `check`, with its fast paths, gives the result of the general path alone (errors
    /// included) on random blocks of User Properties: strings of ASCII, with U+0000, with bytes
    /// of 0x80 and above (valid UTF-8 or not), of lengths around 0, 8, 127 and 128, truncated
    /// blocks, and other properties among them.
    #[test]
    fn fast_paths_agree_with_the_general_path() {
        let mut next = crate::test_rng::xorshift(0x9e37_79b9_7f4a_7c15);
        let mut ok = 0;
        for _ in 0..20_000 {
            let mut block = Vec::new();
            for _ in 0..next() % 5 {
                if next() % 10 == 0 {
                    // Message Expiry Interval, a Four Byte Integer.
                    block.extend_from_slice(&[0x02, 0, 0, 1, 0]);
                    continue;
                }
                block.push(0x26);
                for _ in 0..2 {
                    let len = match next() % 6 {
                        0 => 0,
                        1 => 127 + next() % 3,
                        _ => next() % 12,
                    } as usize;
                    block.extend_from_slice(&(len as u16).to_be_bytes());
                    for _ in 0..len {
                        block.push(match next() % 40 {
                            0 => 0,
                            1 => 0x80 | next() as u8,
                            2 => 0xc3,
                            3 => 0xa9,
                            _ => 0x20 + (next() % 0x5f) as u8,
                        });
                    }
                }
            }
            if next() % 8 == 0 && !block.is_empty() {
                block.truncate((next() % block.len() as u64) as usize);
            }
            let want = check_each::<false>(&block, PropertySet::Publish);
            assert_eq!(check(&block, PropertySet::Publish), want, "{block:02x?}");
            ok += usize::from(want.is_ok());
        }
        // Both outcomes were exercised.
        assert!(ok > 2_000 && ok < 18_000, "{ok}");
    }

    /// `check` gives the result of the general path alone (errors included) for User
    /// Properties whose name and value take every length from 0 to 17 (so that blocks end on
    /// both sides of 16 and 32 bytes, where the count of plain bytes changes chunks), with U+0000,
    /// a byte 0x80, a lead byte 0xc3 followed by ASCII (invalid UTF-8 after an ASCII prefix) and
    /// the valid "é" (0xc3 0xa9) at every position of the name and of the value; alone and
    /// after a first User Property.
    #[test]
    fn fast_path_agrees_at_every_length_and_position() {
        let agree = |block: &[u8]| {
            for prefix in [&b""[..], &user_property(b"k", b"v")] {
                let mut all = prefix.to_vec();
                all.extend_from_slice(block);
                assert_eq!(
                    check(&all, PropertySet::Publish),
                    check_each::<false>(&all, PropertySet::Publish),
                    "{all:02x?}"
                );
            }
        };
        let odd: [&[u8]; 4] = [b"\0", b"\x80", b"\xc3a", "é".as_bytes()];
        let (mut ok, mut bad) = (0, 0);
        for name_len in 0..=17 {
            for value_len in 0..=17 {
                let name: Vec<u8> = (0..name_len).map(|i| b'a' + i as u8).collect();
                let value: Vec<u8> = (0..value_len).map(|i| b'A' + i as u8).collect();
                let block = user_property(&name, &value);
                agree(&block);
                // The fast path itself takes every plain pair of non-empty strings.
                assert_eq!(
                    ascii_user_properties(&block),
                    name_len > 0 && value_len > 0,
                    "{block:02x?}"
                );
                for at in 0..value_len {
                    for odd in odd {
                        let mut changed = value.clone();
                        changed.splice(at..(at + odd.len()).min(value_len), odd.iter().copied());
                        let block = user_property(&name, &changed);
                        agree(&block);
                        match check_each::<false>(&block, PropertySet::Publish) {
                            Ok(_) => ok += 1,
                            Err(_) => bad += 1,
                        }
                    }
                }
                for at in 0..name_len {
                    let mut changed = name.clone();
                    changed[at] = 0;
                    agree(&user_property(&changed, &value));
                }
            }
        }
        // Both outcomes were exercised.
        assert!(ok > 100 && bad > 1_000, "{ok} {bad}");
    }

    /// The walk of the fast path tests no length itself: a length of 0 or of 128 and more
    /// leaves a byte outside 0x01 to 0x7f among those counted (the low byte of the length), so
    /// the count refuses the block. Names and values of 0, 1, 126, 127, 128, 129 and 255 bytes
    /// of plain text, alone, after and before a short property: the fast path takes exactly
    /// those of 1 to 127 bytes, and `check` gives the general path's result for all.
    #[test]
    fn fast_path_refuses_lengths_outside_1_to_127_through_the_count() {
        let lens = [0usize, 1, 126, 127, 128, 129, 255];
        let short = user_property(b"k", b"v");
        for name_len in lens {
            for value_len in lens {
                let name = alloc::vec![b'n'; name_len];
                let value = alloc::vec![b'v'; value_len];
                let one = user_property(&name, &value);
                let plain = (1..=127).contains(&name_len) && (1..=127).contains(&value_len);
                for block in [
                    one.clone(),
                    [&short[..], &one].concat(),
                    [&one[..], &short].concat(),
                ] {
                    // Beyond 255 bytes the count does not run: the fast path never applies.
                    let fast = plain && block.len() <= super::plain_text::MAX_LEN;
                    assert_eq!(
                        ascii_user_properties(&block),
                        fast,
                        "{name_len} {value_len}"
                    );
                    let want = check_each::<false>(&block, PropertySet::Publish);
                    assert_eq!(want, Ok(PropertyId::UserProperty.bit()));
                    assert_eq!(check(&block, PropertySet::Publish), want);
                }
            }
        }
    }

    proptest::proptest! {
        /// `check` (fast paths included) against the general path alone, on blocks of User
        /// Properties whose strings are drawn mostly from plain ASCII, with U+0000, bytes of
        /// 0x80 and above (UTF-8 or not) and lengths from 0 to 140 mixed in.
        #[test]
        fn check_agrees_with_the_general_path(
            pairs in proptest::collection::vec(
                (
                    proptest::collection::vec(
                        proptest::prop_oneof![30 => 0x20u8..0x7f, 1 => proptest::prelude::any::<u8>()],
                        0..140,
                    ),
                    proptest::collection::vec(
                        proptest::prop_oneof![30 => 0x20u8..0x7f, 1 => proptest::prelude::any::<u8>()],
                        0..20,
                    ),
                ),
                0..6,
            ),
        ) {
            let block: Vec<u8> = pairs
                .iter()
                .flat_map(|(name, value)| user_property(name, value))
                .collect();
            let want = check_each::<false>(&block, PropertySet::Publish);
            // The general path is a UTF-8 check: each string valid exactly when
            // `core::str::from_utf8` accepts it and it holds no U+0000.
            let valid = pairs.iter().all(|(name, value)| {
                [name, value]
                    .iter()
                    .all(|s| core::str::from_utf8(s).is_ok_and(|s| !s.contains('\0')))
            });
            proptest::prop_assert_eq!(want.is_ok(), valid);
            proptest::prop_assert_eq!(check(&block, PropertySet::Publish), want);
        }
    }

    /// `present`, which steps over values by their type, finds what reading every value finds,
    /// for each value type (Variable Byte Integers of one to four bytes included), alone and
    /// together.
    #[test]
    fn present_steps_over_every_value_type() {
        use crate::properties::{PayloadFormat, Properties, Property};
        use crate::types::QoS;
        let long = "x".repeat(300);
        let each = [
            Property::PayloadFormatIndicator(PayloadFormat::Utf8),
            Property::MaximumQos(QoS::AtLeastOnce),
            Property::TopicAlias(7),
            Property::MessageExpiryInterval(60),
            Property::SubscriptionIdentifier(1),
            Property::SubscriptionIdentifier(300),
            Property::SubscriptionIdentifier(70_000),
            Property::SubscriptionIdentifier(268_435_455),
            Property::ContentType("text/plain"),
            Property::ContentType(&long),
            Property::CorrelationData(b"\x00\xff"),
            Property::UserProperty("unit", "°C"),
            Property::UserProperty("", &long),
        ];
        let bits = |p: &Properties| p.iter().fold(0u64, |ids, p| ids | p.id().bit());
        for property in each {
            let one = Properties::new([property]).expect("valid property");
            assert_eq!(one.as_ref().present(), bits(&one), "{one:?}");
            // Decoded, in a set that allows it: the same identifiers, the same properties.
            let set = [
                PropertySet::Publish,
                PropertySet::ConnAck,
                PropertySet::Connect,
            ]
            .into_iter()
            .find(|&set| property.id().allowed_in(set))
            .expect("a set");
            let mut wire = Vec::new();
            crate::write::Sink::vbi(&mut crate::write::Put(&mut wire), one.as_bytes().len());
            wire.extend_from_slice(one.as_bytes());
            let (_, decoded) = super::properties(&wire, set).expect("decodes");
            assert_eq!(decoded.present(), bits(&one), "{one:?}");
            assert_eq!(decoded, one.as_ref());
        }
        assert_eq!(super::PropertiesRef::default().present(), 0);
        assert_eq!(super::PropertiesRef::EMPTY.present(), 0);
        let mut all = Vec::new();
        for property in each {
            all.extend_from_slice(Properties::new([property]).expect("valid").as_bytes());
        }
        let all = Properties {
            block: bytes::Bytes::from(all),
        };
        assert_eq!(all.as_ref().present(), bits(&all));
        assert_eq!(all.iter().count(), 13);
    }

    /// The fast path of `check` for User Properties accepts what the general path accepts and
    /// leaves every error to it: strings with U+0000, non-ASCII text (valid or not), lengths
    /// past the block.
    #[test]
    fn user_property_fast_path_and_general_path_agree() {
        let ok: [&[u8]; 5] = [
            b"",
            b"a",
            b"unit",
            b"sensor-0042",
            b"a longer value, with spaces",
        ];
        // The identifiers present, as `check` returns them.
        let user = PropertyId::UserProperty.bit();
        let expiry = PropertyId::MessageExpiryInterval.bit();
        for name in ok {
            for value in ok {
                let block = user_property(name, value);
                assert_eq!(check(&block, PropertySet::Publish), Ok(user));
                // Twice, and after another property.
                let mut two = block.clone();
                two.extend_from_slice(&block);
                assert_eq!(check(&two, PropertySet::Publish), Ok(user));
                let mut after = Vec::from([0x02, 0, 0, 0, 60]);
                after.extend_from_slice(&block);
                assert_eq!(check(&after, PropertySet::Publish), Ok(user | expiry));
            }
        }
        // Valid non-ASCII text takes the general path and passes.
        assert_eq!(
            check(&user_property("°C".as_bytes(), b"x"), PropertySet::Publish),
            Ok(user)
        );
        for bad in [&b"a\0b"[..], b"\xff", b"\xc3"] {
            for block in [user_property(bad, b"v"), user_property(b"n", bad)] {
                assert!(
                    matches!(
                        check(&block, PropertySet::Publish),
                        Err(DecodeError::InvalidString(_))
                    ),
                    "{block:02x?}"
                );
            }
        }
        // A value whose length runs past the block.
        let mut short = user_property(b"n", b"value");
        short.pop();
        assert_eq!(
            check(&short, PropertySet::Publish),
            Err(DecodeError::FieldOverrun)
        );
        // A User Property where none may be: none such set exists (every packet with
        // properties may carry them), which the fast path relies on.
        for set in PropertySet::ALL {
            let id = PropertyId::UserProperty;
            assert!(id.allowed_in(set) && id.may_repeat_in(set), "{set:?}");
        }
    }
}
