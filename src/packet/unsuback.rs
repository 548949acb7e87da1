//! UNSUBACK (section 3.11): the answer to an UNSUBSCRIBE. In MQTT 3.1.1 it is the packet
//! identifier alone; MQTT 5.0 adds properties and one Reason Code per topic filter.

#[cfg(feature = "alloc")]
use super::codes::CodeList;
use super::codes::{self, Code, Codes, Parts};
use crate::encode::{Encode, Encoder};
use crate::error::{DecodeError, EncodeError};
use crate::header::PacketType;
#[cfg(feature = "alloc")]
use crate::properties::Properties;
use crate::properties::{PropertiesRef, PropertySet};
use crate::reason::UnsubAckReasonCode;
use crate::types::PacketId;
use crate::wire::{finish, packet_id};
use crate::write::Target;
#[cfg(feature = "alloc")]
use bytes::Bytes;
use core::fmt;

#[cfg(feature = "alloc")]
/// UNSUBACK (section 3.11): the answer to an UNSUBSCRIBE.
///
/// In MQTT 5.0 it holds one Reason Code per topic filter of the UNSUBSCRIBE, in the same order
/// [MQTT-3.11.3-1], and properties (a Reason String, User Properties); MQTT 3.1.1 has neither.
/// [`UnsubAck::new`] makes the 3.1.1 packet; [`UnsubAck::with_reason_codes`] adds the codes
/// 5.0 needs (a 5.0 UNSUBACK without them cannot be encoded: [`EncodeError::EmptyUnsubAck`]).
///
/// Encoded for 3.1.1, the codes and properties are left out, failures included: a 3.1.1
/// UNSUBACK says that the UNSUBSCRIBE was processed, not that a subscription was deleted (the
/// server sends it "even where no Topic Subscriptions are deleted", [MQTT-3.10.4-5] in both
/// versions), so it states nothing a failure code would contradict, and a gateway must be able
/// to send it to a 3.1.1 client whatever the 5.0 server answered. Encoded for 5.0, the Reason
/// String and User Properties are left out when the packet would otherwise exceed the
/// client's Maximum Packet Size [MQTT-3.11.2-1], [MQTT-3.11.2-2].
///
/// ```
/// use mqttwire::{Encode, Encoder, PacketId, UnsubAck, UnsubAckReasonCode};
///
/// let unsuback = UnsubAck::new(PacketId::try_from(4)?);
/// assert_eq!(&unsuback.to_bytes()?[..], [0xb0, 0x02, 0x00, 0x04]);
/// assert!(Encoder::V5.to_bytes(&unsuback).is_err()); // 5.0 needs a code per filter
///
/// let unsuback = unsuback.with_reason_codes([
///     UnsubAckReasonCode::Success,
///     UnsubAckReasonCode::NoSubscriptionExisted,
/// ]);
/// assert_eq!(&Encoder::V5.to_bytes(&unsuback)?[..], [0xb0, 0x05, 0x00, 0x04, 0x00, 0x00, 0x11]);
/// assert_eq!(&unsuback.to_bytes()?[..], [0xb0, 0x02, 0x00, 0x04]); // 3.1.1: no codes
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct UnsubAck {
    codes: CodeList<UnsubAckReasonCode>,
}

#[cfg(feature = "alloc")]
impl UnsubAck {
    /// A packet answering `packet_id`, without Reason Codes or properties: an MQTT 3.1.1
    /// UNSUBACK (no allocation).
    pub const fn new(packet_id: PacketId) -> Self {
        UnsubAck {
            codes: CodeList::empty(packet_id),
        }
    }

    /// The packet with `reason_codes` (MQTT 5.0), one per topic filter of the UNSUBSCRIBE,
    /// in order, which replace any it had: the codes and properties are copied into one new
    /// buffer.
    pub fn with_reason_codes(
        self,
        reason_codes: impl IntoIterator<Item = UnsubAckReasonCode>,
    ) -> Self {
        UnsubAck {
            codes: self.codes.with_codes(reason_codes),
        }
    }

    /// The packet with MQTT 5.0 `properties` (a Reason String, User Properties), which
    /// replace any it had: the codes and properties are copied into one new buffer.
    ///
    /// # Errors
    ///
    /// [`EncodeError::PropertyNotAllowed`] for a property an UNSUBACK cannot carry.
    pub fn with_properties(self, properties: Properties) -> Result<Self, EncodeError> {
        properties.as_ref().check_for(PropertySet::UnsubAck)?;
        Ok(UnsubAck {
            codes: self.codes.with_properties(properties.as_bytes()),
        })
    }

    /// The packet identifier of the UNSUBSCRIBE.
    #[inline]
    pub fn packet_id(&self) -> PacketId {
        self.codes.packet_id()
    }

    /// The Reason Codes in order (MQTT 5.0); none in 3.1.1.
    pub fn reason_codes(&self) -> UnsubAckIter<'_> {
        UnsubAckIter(Codes::new(self.codes.codes()))
    }

    /// How many Reason Codes the packet holds: none in 3.1.1, at least one in 5.0.
    pub fn len(&self) -> usize {
        self.codes.codes().len()
    }

    /// Whether the packet holds no Reason Code, as in MQTT 3.1.1.
    pub fn is_empty(&self) -> bool {
        self.codes.codes().is_empty()
    }

    /// The MQTT 5.0 properties (section 3.11.2.1); empty for a 3.1.1 packet.
    pub fn properties(&self) -> PropertiesRef<'_> {
        PropertiesRef::checked(self.codes.properties())
    }

    /// The borrowed view of this packet.
    pub fn as_borrowed(&self) -> UnsubAckRef<'_> {
        let parts = self.codes.parts();
        UnsubAckRef {
            packet_id: parts.packet_id,
            properties: parts.properties,
            codes: parts.codes,
        }
    }

    /// Decodes an MQTT 5.0 body: what follows the packet identifier shares `frame`, which it
    /// was read from.
    pub(crate) fn decode(body: &[u8], frame: &Bytes) -> Result<Self, DecodeError> {
        let parsed = codes::parse::<UnsubAckReasonCode>(body, true)?;
        Ok(UnsubAck {
            codes: CodeList::share(frame, &parsed, true),
        })
    }

    /// Decodes an MQTT 3.1.1 body, the packet identifier alone (the fixed header checked the
    /// Remaining Length of 2), which has nothing to share.
    #[inline]
    pub(crate) fn decode_v311(body: &[u8]) -> Result<Self, DecodeError> {
        finish(packet_id(body)).map(UnsubAck::new)
    }
}

#[cfg(feature = "alloc")]
impl fmt::Debug for UnsubAck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        debug(f, "UnsubAck", &self.as_borrowed())
    }
}

impl Code for UnsubAckReasonCode {
    const PACKET: PacketType = PacketType::UnsubAck;
    const SET: PropertySet = PropertySet::UnsubAck;
    const IN_V311: bool = false;

    #[inline]
    fn byte(self) -> u8 {
        UnsubAckReasonCode::byte(self)
    }

    #[inline]
    fn from_checked(byte: u8) -> Self {
        UnsubAckReasonCode::from_byte(byte).unwrap_or(UnsubAckReasonCode::UnspecifiedError)
    }

    /// In 5.0, at least one code (one per filter of an UNSUBSCRIBE [MQTT-3.11.3-1], which has
    /// at least one [MQTT-3.10.3-2]), each of Table 3-9 [MQTT-3.11.3-2]; in 3.1.1, none.
    #[inline]
    fn check(codes: &[u8], v5: bool) -> Result<(), DecodeError> {
        if !v5 {
            return match codes.len() {
                0 => Ok(()),
                n => Err(DecodeError::TrailingBytes(n)),
            };
        }
        if codes.is_empty() {
            return Err(DecodeError::EmptyUnsubAck);
        }
        match codes
            .iter()
            .find(|&&b| UnsubAckReasonCode::from_byte(b).is_none())
        {
            Some(&code) => Err(DecodeError::InvalidReasonCode {
                packet_type: PacketType::UnsubAck,
                code,
            }),
            None => Ok(()),
        }
    }

    /// Never called: MQTT 3.1.1 carries no codes.
    #[inline]
    fn to_v311(byte: u8) -> u8 {
        byte
    }

    /// None: a code is what 3.1.1 does not carry.
    #[inline]
    fn is_v311(_: u8) -> bool {
        false
    }
}

/// UNSUBACK (section 3.11) borrowed from the buffer it was decoded from (see
/// [`Decoder::decode_ref`](crate::Decoder::decode_ref)): the MQTT 5.0 Reason Codes as they are
/// on the wire, already checked, read with [`UnsubAckRef::iter`] without allocating (none in
/// 3.1.1).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct UnsubAckRef<'a> {
    /// The packet identifier of the UNSUBSCRIBE.
    pub packet_id: PacketId,
    /// MQTT 5.0: the properties (section 3.11.2.1); left out when encoding for 3.1.1. Which
    /// ones an UNSUBACK may carry is checked when encoding for 5.0.
    pub properties: PropertiesRef<'a>,
    codes: &'a [u8],
}

/// Reads and checks an UNSUBACK body in MQTT 5.0 (`v5`) or 3.1.1: the parser of both
/// decoders.
pub(crate) fn parse(body: &[u8], v5: bool) -> Result<UnsubAckRef<'_>, DecodeError> {
    let parsed = codes::parse::<UnsubAckReasonCode>(body, v5)?;
    Ok(UnsubAckRef {
        packet_id: parsed.packet_id,
        properties: parsed.properties,
        codes: parsed.codes,
    })
}

impl<'a> UnsubAckRef<'a> {
    /// The Reason Codes in order (MQTT 5.0); none in 3.1.1.
    pub fn iter(&self) -> UnsubAckIter<'a> {
        UnsubAckIter(Codes::new(self.codes))
    }

    /// How many Reason Codes the packet holds: none in 3.1.1, at least one in 5.0.
    pub fn len(&self) -> usize {
        self.codes.len()
    }

    /// Whether the packet holds no Reason Code, as in MQTT 3.1.1.
    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    #[cfg(feature = "alloc")]
    /// Copies the packet into an owned [`UnsubAck`] (one allocation for the properties and
    /// the codes; none in 3.1.1).
    pub fn to_owned(&self) -> UnsubAck {
        if self.codes.is_empty() && self.properties.is_empty() {
            return UnsubAck::new(self.packet_id);
        }
        UnsubAck {
            codes: CodeList::build(self.packet_id, self.properties.as_bytes(), self.iter()),
        }
    }

    fn parts(&self) -> Parts<'a> {
        Parts {
            packet_id: self.packet_id,
            properties: self.properties,
            codes: self.codes,
            v311_codes: false,
        }
    }
}

/// The `Debug` of both forms.
fn debug(f: &mut fmt::Formatter<'_>, name: &str, unsuback: &UnsubAckRef<'_>) -> fmt::Result {
    f.debug_struct(name)
        .field("packet_id", &unsuback.packet_id)
        .field("properties", &unsuback.properties)
        .field("reason_codes", &super::list::DebugList(unsuback.iter()))
        .finish()
}

impl fmt::Debug for UnsubAckRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        debug(f, "UnsubAckRef", self)
    }
}

impl<'a> IntoIterator for UnsubAckRef<'a> {
    type Item = UnsubAckReasonCode;
    type IntoIter = UnsubAckIter<'a>;
    fn into_iter(self) -> UnsubAckIter<'a> {
        self.iter()
    }
}

#[cfg(feature = "alloc")]
impl<'a> IntoIterator for &'a UnsubAck {
    type Item = UnsubAckReasonCode;
    type IntoIter = UnsubAckIter<'a>;
    fn into_iter(self) -> UnsubAckIter<'a> {
        self.reason_codes()
    }
}

#[cfg(feature = "alloc")]
impl From<UnsubAckRef<'_>> for UnsubAck {
    fn from(unsuback: UnsubAckRef<'_>) -> Self {
        unsuback.to_owned()
    }
}

/// The Reason Codes of an [`UnsubAck`] or an [`UnsubAckRef`].
#[derive(Debug, Clone)]
pub struct UnsubAckIter<'a>(Codes<'a, UnsubAckReasonCode>);

impl Iterator for UnsubAckIter<'_> {
    type Item = UnsubAckReasonCode;

    #[inline]
    fn next(&mut self) -> Option<UnsubAckReasonCode> {
        self.0.next()
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl ExactSizeIterator for UnsubAckIter<'_> {}

impl Encode for UnsubAckRef<'_> {
    fn encoded_len_for(&self, encoder: &Encoder) -> usize {
        self.parts().encoded_len_for::<UnsubAckReasonCode>(encoder)
    }

    fn write_to<T: Target>(&self, encoder: &Encoder, buf: &mut T) -> Result<(), EncodeError> {
        self.parts()
            .encode_for::<UnsubAckReasonCode, T>(encoder, buf)
    }
}

#[cfg(feature = "alloc")]
impl Encode for UnsubAck {
    fn encoded_len_for(&self, encoder: &Encoder) -> usize {
        self.codes
            .parts()
            .encoded_len_for::<UnsubAckReasonCode>(encoder)
    }

    fn write_to<T: Target>(&self, encoder: &Encoder, buf: &mut T) -> Result<(), EncodeError> {
        self.codes
            .parts()
            .encode_for::<UnsubAckReasonCode, T>(encoder, buf)
    }
}
