//! One property with its typed value ([`Property`]): read from the wire with every check of
//! its type and range, and written back.

use super::id::PropertyId;
use crate::error::DecodeError;
use crate::packet::fields::{string, topic_name};
use crate::string::{check_str, checked_text, MAX_STRING_LEN};
use crate::topic::check_name;
use crate::types::QoS;
use crate::wire::{byte, fail, prefixed, u16, u32, vbi, Parsed};
use crate::write::Sink;

/// The largest Subscription Identifier, the largest Variable Byte Integer (section 3.3.2.3.8).
pub const MAX_SUBSCRIPTION_IDENTIFIER: u32 = 268_435_455;

/// What the Payload Format Indicator says of the payload (section 3.3.2.3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum PayloadFormat {
    /// 0: unspecified bytes (the meaning when the property is absent).
    #[default]
    Unspecified = 0,
    /// 1: UTF-8 encoded character data.
    Utf8 = 1,
}

/// A property and its value (section 2.2.2.2), as read from a packet or given to
/// [`Properties::new`](super::Properties::new). Strings and binary data borrow the packet.
///
/// Values are of the property's type; the few ranges the type cannot express are checked
/// when a packet is decoded and when properties are built: Receive Maximum, Maximum Packet
/// Size, Topic Alias and Subscription Identifier are never 0, Maximum QoS is 0 or 1, a
/// Subscription Identifier is at most 268,435,455, a Response Topic is a valid topic name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Property<'a> {
    /// Payload Format Indicator (3.3.2.3.2, 3.1.3.2.3).
    PayloadFormatIndicator(PayloadFormat),
    /// Message Expiry Interval, in seconds (3.3.2.3.3, 3.1.3.2.4).
    MessageExpiryInterval(u32),
    /// Content Type (3.3.2.3.9, 3.1.3.2.5).
    ContentType(&'a str),
    /// Response Topic: a topic name, no wildcards [MQTT-3.3.2-14] (3.3.2.3.5, 3.1.3.2.6).
    ResponseTopic(&'a str),
    /// Correlation Data (3.3.2.3.6, 3.1.3.2.7).
    CorrelationData(&'a [u8]),
    /// Subscription Identifier, 1 to 268,435,455 (3.3.2.3.8, 3.8.2.1.2).
    SubscriptionIdentifier(u32),
    /// Session Expiry Interval, in seconds (3.1.2.11.2, 3.2.2.3.2, 3.14.2.2.2).
    SessionExpiryInterval(u32),
    /// Assigned Client Identifier (3.2.2.3.7).
    AssignedClientIdentifier(&'a str),
    /// Server Keep Alive, in seconds (3.2.2.3.14).
    ServerKeepAlive(u16),
    /// Authentication Method (3.1.2.11.9, 3.2.2.3.17, 3.15.2.2.2).
    AuthenticationMethod(&'a str),
    /// Authentication Data (3.1.2.11.10, 3.2.2.3.18, 3.15.2.2.3).
    AuthenticationData(&'a [u8]),
    /// Request Problem Information (3.1.2.11.7).
    RequestProblemInformation(bool),
    /// Will Delay Interval, in seconds (3.1.3.2.2).
    WillDelayInterval(u32),
    /// Request Response Information (3.1.2.11.6).
    RequestResponseInformation(bool),
    /// Response Information (3.2.2.3.15).
    ResponseInformation(&'a str),
    /// Server Reference (3.2.2.3.16, 3.14.2.2.5).
    ServerReference(&'a str),
    /// Reason String (3.2.2.3.9 and the acknowledgements).
    ReasonString(&'a str),
    /// Receive Maximum, never 0 (3.1.2.11.3, 3.2.2.3.3).
    ReceiveMaximum(u16),
    /// Topic Alias Maximum (3.1.2.11.5, 3.2.2.3.8).
    TopicAliasMaximum(u16),
    /// Topic Alias, never 0 [MQTT-3.3.2-8] (3.3.2.3.4).
    TopicAlias(u16),
    /// Maximum QoS: 0 or 1 (3.2.2.3.4).
    MaximumQos(QoS),
    /// Retain Available (3.2.2.3.5).
    RetainAvailable(bool),
    /// User Property: a name and a value (section 1.5.7), in every packet that has properties.
    UserProperty(&'a str, &'a str),
    /// Maximum Packet Size, never 0 (3.1.2.11.4, 3.2.2.3.6).
    MaximumPacketSize(u32),
    /// Wildcard Subscription Available (3.2.2.3.11).
    WildcardSubscriptionAvailable(bool),
    /// Subscription Identifier Available (3.2.2.3.12).
    SubscriptionIdentifierAvailable(bool),
    /// Shared Subscription Available (3.2.2.3.13).
    SharedSubscriptionAvailable(bool),
}

/// Why a property's value breaks its rule: `Err((property, value))`, the value as a number.
pub(crate) type OutOfRange = (PropertyId, u32);

impl Property<'_> {
    /// The property's identifier.
    pub const fn id(&self) -> PropertyId {
        match self {
            Property::PayloadFormatIndicator(_) => PropertyId::PayloadFormatIndicator,
            Property::MessageExpiryInterval(_) => PropertyId::MessageExpiryInterval,
            Property::ContentType(_) => PropertyId::ContentType,
            Property::ResponseTopic(_) => PropertyId::ResponseTopic,
            Property::CorrelationData(_) => PropertyId::CorrelationData,
            Property::SubscriptionIdentifier(_) => PropertyId::SubscriptionIdentifier,
            Property::SessionExpiryInterval(_) => PropertyId::SessionExpiryInterval,
            Property::AssignedClientIdentifier(_) => PropertyId::AssignedClientIdentifier,
            Property::ServerKeepAlive(_) => PropertyId::ServerKeepAlive,
            Property::AuthenticationMethod(_) => PropertyId::AuthenticationMethod,
            Property::AuthenticationData(_) => PropertyId::AuthenticationData,
            Property::RequestProblemInformation(_) => PropertyId::RequestProblemInformation,
            Property::WillDelayInterval(_) => PropertyId::WillDelayInterval,
            Property::RequestResponseInformation(_) => PropertyId::RequestResponseInformation,
            Property::ResponseInformation(_) => PropertyId::ResponseInformation,
            Property::ServerReference(_) => PropertyId::ServerReference,
            Property::ReasonString(_) => PropertyId::ReasonString,
            Property::ReceiveMaximum(_) => PropertyId::ReceiveMaximum,
            Property::TopicAliasMaximum(_) => PropertyId::TopicAliasMaximum,
            Property::TopicAlias(_) => PropertyId::TopicAlias,
            Property::MaximumQos(_) => PropertyId::MaximumQos,
            Property::RetainAvailable(_) => PropertyId::RetainAvailable,
            Property::UserProperty(..) => PropertyId::UserProperty,
            Property::MaximumPacketSize(_) => PropertyId::MaximumPacketSize,
            Property::WildcardSubscriptionAvailable(_) => PropertyId::WildcardSubscriptionAvailable,
            Property::SubscriptionIdentifierAvailable(_) => {
                PropertyId::SubscriptionIdentifierAvailable
            }
            Property::SharedSubscriptionAvailable(_) => PropertyId::SharedSubscriptionAvailable,
        }
    }

    #[cfg_attr(not(feature = "alloc"), allow(dead_code))] // Used by the owned packets.
    /// Whether a property being built obeys the rules a decoder checks: the ranges its type
    /// does not express, the string rules of section 1.5.4 (a Response Topic those of a topic
    /// name), at most 65,535 bytes of binary data (section 1.5.6).
    pub(crate) fn is_valid(&self) -> bool {
        match *self {
            Property::ReceiveMaximum(v) | Property::TopicAlias(v) => v != 0,
            Property::MaximumPacketSize(v) => v != 0,
            Property::SubscriptionIdentifier(v) => (1..=MAX_SUBSCRIPTION_IDENTIFIER).contains(&v),
            Property::MaximumQos(qos) => qos != QoS::ExactlyOnce,
            Property::ContentType(s)
            | Property::AssignedClientIdentifier(s)
            | Property::AuthenticationMethod(s)
            | Property::ResponseInformation(s)
            | Property::ServerReference(s)
            | Property::ReasonString(s) => check_str(s).is_ok(),
            Property::ResponseTopic(s) => check_name(s).is_ok(),
            Property::UserProperty(name, value) => {
                check_str(name).is_ok() && check_str(value).is_ok()
            }
            Property::CorrelationData(b) | Property::AuthenticationData(b) => {
                b.len() <= MAX_STRING_LEN
            }
            _ => true,
        }
    }

    /// Bytes the property takes on the wire, identifier included.
    pub(crate) fn encoded_len(&self) -> usize {
        let value = match *self {
            Property::PayloadFormatIndicator(_)
            | Property::RequestProblemInformation(_)
            | Property::RequestResponseInformation(_)
            | Property::MaximumQos(_)
            | Property::RetainAvailable(_)
            | Property::WildcardSubscriptionAvailable(_)
            | Property::SubscriptionIdentifierAvailable(_)
            | Property::SharedSubscriptionAvailable(_) => 1,
            Property::ServerKeepAlive(_)
            | Property::ReceiveMaximum(_)
            | Property::TopicAliasMaximum(_)
            | Property::TopicAlias(_) => 2,
            Property::MessageExpiryInterval(_)
            | Property::SessionExpiryInterval(_)
            | Property::WillDelayInterval(_)
            | Property::MaximumPacketSize(_) => 4,
            Property::SubscriptionIdentifier(v) => vbi_len(v as usize),
            Property::ContentType(s)
            | Property::ResponseTopic(s)
            | Property::AssignedClientIdentifier(s)
            | Property::AuthenticationMethod(s)
            | Property::ResponseInformation(s)
            | Property::ServerReference(s)
            | Property::ReasonString(s) => s.len().saturating_add(2),
            Property::CorrelationData(b) | Property::AuthenticationData(b) => {
                b.len().saturating_add(2)
            }
            Property::UserProperty(name, value) => {
                name.len().saturating_add(value.len()).saturating_add(4)
            }
        };
        value.saturating_add(1)
    }

    /// Writes the property. The caller checked that it [`is_valid`](Property::is_valid).
    pub(crate) fn write<S: Sink>(&self, out: &mut S) {
        out.u8(self.id().byte());
        let prefixed = |out: &mut S, bytes: &[u8]| out.prefixed(bytes);
        match *self {
            Property::PayloadFormatIndicator(f) => out.u8(f as u8),
            Property::RequestProblemInformation(b)
            | Property::RequestResponseInformation(b)
            | Property::RetainAvailable(b)
            | Property::WildcardSubscriptionAvailable(b)
            | Property::SubscriptionIdentifierAvailable(b)
            | Property::SharedSubscriptionAvailable(b) => out.u8(u8::from(b)),
            Property::MaximumQos(qos) => out.u8(qos.bits()),
            Property::ServerKeepAlive(v)
            | Property::ReceiveMaximum(v)
            | Property::TopicAliasMaximum(v)
            | Property::TopicAlias(v) => out.u16(v),
            Property::MessageExpiryInterval(v)
            | Property::SessionExpiryInterval(v)
            | Property::WillDelayInterval(v)
            | Property::MaximumPacketSize(v) => out.u32(v),
            Property::SubscriptionIdentifier(v) => out.vbi(v as usize),
            Property::ContentType(s)
            | Property::ResponseTopic(s)
            | Property::AssignedClientIdentifier(s)
            | Property::AuthenticationMethod(s)
            | Property::ResponseInformation(s)
            | Property::ServerReference(s)
            | Property::ReasonString(s) => prefixed(out, s.as_bytes()),
            Property::CorrelationData(b) | Property::AuthenticationData(b) => prefixed(out, b),
            Property::UserProperty(name, value) => {
                prefixed(out, name.as_bytes());
                prefixed(out, value.as_bytes());
            }
        }
    }
}

/// Bytes a Variable Byte Integer of `value` takes (section 1.5.5).
#[inline]
pub(crate) const fn vbi_len(value: usize) -> usize {
    crate::header::remaining_length_len(value)
}

/// Reads the value of property `id` from the front of `input`.
///
/// With `CHECK`, every rule of the value's type and range is checked, as decoding does once;
/// without, the bytes are known to have passed those checks (properties of a decoded packet
/// read again) and strings are only turned into text.
#[inline]
pub(crate) fn read_value<const CHECK: bool>(
    id: PropertyId,
    input: &[u8],
) -> Parsed<'_, Property<'_>> {
    /// A 0/1 flag (section 3.1.2.11.6 and the others of its kind).
    fn flag(id: PropertyId, input: &[u8]) -> Parsed<'_, bool> {
        let (input, b) = byte(input)?;
        match b {
            0 => Ok((input, false)),
            1 => Ok((input, true)),
            _ => out_of_range((id, u32::from(b))),
        }
    }
    /// A UTF-8 Encoded String (section 1.5.4).
    fn text<const CHECK: bool>(input: &[u8]) -> Parsed<'_, &str> {
        let (input, raw) = prefixed(input)?;
        if !CHECK {
            return Ok((input, checked_text(raw)));
        }
        match string(raw, None) {
            Ok(checked) => Ok((input, checked.as_str())),
            Err(e) => fail(e),
        }
    }
    /// A Two Byte Integer that may not be 0.
    fn non_zero_u16(id: PropertyId, input: &[u8]) -> Parsed<'_, u16> {
        let (input, v) = u16(input)?;
        if v == 0 {
            return out_of_range((id, 0));
        }
        Ok((input, v))
    }

    /// Reads a value with `$read` and makes it property `$variant`.
    macro_rules! with {
        ($read:expr, $variant:ident) => {{
            let (input, value) = $read?;
            (input, Property::$variant(value))
        }};
    }

    Ok(match id {
        PropertyId::PayloadFormatIndicator => {
            let (input, utf8) = flag(id, input)?;
            let format = if utf8 {
                PayloadFormat::Utf8
            } else {
                PayloadFormat::Unspecified
            };
            (input, Property::PayloadFormatIndicator(format))
        }
        PropertyId::RequestProblemInformation => with!(flag(id, input), RequestProblemInformation),
        PropertyId::RequestResponseInformation => {
            with!(flag(id, input), RequestResponseInformation)
        }
        PropertyId::RetainAvailable => with!(flag(id, input), RetainAvailable),
        PropertyId::WildcardSubscriptionAvailable => {
            with!(flag(id, input), WildcardSubscriptionAvailable)
        }
        PropertyId::SubscriptionIdentifierAvailable => {
            with!(flag(id, input), SubscriptionIdentifierAvailable)
        }
        PropertyId::SharedSubscriptionAvailable => {
            with!(flag(id, input), SharedSubscriptionAvailable)
        }
        PropertyId::MaximumQos => {
            // 0 or 1 (section 3.2.2.3.4): a server supporting QoS 2 leaves the property out.
            let (input, b) = flag(id, input)?;
            let qos = if b { QoS::AtLeastOnce } else { QoS::AtMostOnce };
            (input, Property::MaximumQos(qos))
        }
        PropertyId::MessageExpiryInterval => with!(u32(input), MessageExpiryInterval),
        PropertyId::SessionExpiryInterval => with!(u32(input), SessionExpiryInterval),
        PropertyId::WillDelayInterval => with!(u32(input), WillDelayInterval),
        PropertyId::MaximumPacketSize => {
            let (input, v) = u32(input)?;
            if v == 0 {
                return out_of_range((id, 0));
            }
            (input, Property::MaximumPacketSize(v))
        }
        PropertyId::ServerKeepAlive => with!(u16(input), ServerKeepAlive),
        PropertyId::TopicAliasMaximum => with!(u16(input), TopicAliasMaximum),
        PropertyId::ReceiveMaximum => with!(non_zero_u16(id, input), ReceiveMaximum),
        PropertyId::TopicAlias => with!(non_zero_u16(id, input), TopicAlias),
        PropertyId::SubscriptionIdentifier => {
            let (input, v) = vbi(input)?;
            if v == 0 {
                return out_of_range((id, 0));
            }
            (input, Property::SubscriptionIdentifier(v))
        }
        PropertyId::ContentType => with!(text::<CHECK>(input), ContentType),
        PropertyId::AssignedClientIdentifier => {
            with!(text::<CHECK>(input), AssignedClientIdentifier)
        }
        PropertyId::AuthenticationMethod => with!(text::<CHECK>(input), AuthenticationMethod),
        PropertyId::ResponseInformation => with!(text::<CHECK>(input), ResponseInformation),
        PropertyId::ServerReference => with!(text::<CHECK>(input), ServerReference),
        PropertyId::ReasonString => with!(text::<CHECK>(input), ReasonString),
        PropertyId::ResponseTopic => {
            let (input, raw) = prefixed(input)?;
            let topic = if CHECK {
                // A topic name: no wildcards [MQTT-3.3.2-14], at least one character.
                match topic_name(raw, None) {
                    Ok(checked) => checked.as_str(),
                    Err(e) => return fail(e),
                }
            } else {
                checked_text(raw)
            };
            (input, Property::ResponseTopic(topic))
        }
        PropertyId::CorrelationData => with!(prefixed(input), CorrelationData),
        PropertyId::AuthenticationData => with!(prefixed(input), AuthenticationData),
        PropertyId::UserProperty => {
            // A UTF-8 String Pair: both strings follow the rules of 1.5.4 [MQTT-1.5.7-1].
            let (input, name) = text::<CHECK>(input)?;
            let (input, value) = text::<CHECK>(input)?;
            (input, Property::UserProperty(name, value))
        }
    })
}

/// Fails a read with [`DecodeError::InvalidPropertyValue`].
fn out_of_range<T>((property, value): OutOfRange) -> Result<T, nom::Err<crate::wire::BodyError>> {
    fail(DecodeError::InvalidPropertyValue { property, value })
}
