//! SUBACK (section 3.9): the server's answer to a SUBSCRIBE.

#[cfg(feature = "alloc")]
use super::codes::CodeList;
use super::codes::{self, Code, Codes, Parts};
use crate::encode::{Encode, Encoder};
use crate::error::{DecodeError, EncodeError};
use crate::header::PacketType;
#[cfg(feature = "alloc")]
use crate::properties::Properties;
use crate::properties::{PropertiesRef, PropertySet};
use crate::reason::SubAckReasonCode;
use crate::types::{PacketId, SubscribeReturnCode};
use crate::write::Target;
#[cfg(feature = "alloc")]
use bytes::Bytes;
use core::fmt;

#[cfg(feature = "alloc")]
/// SUBACK (section 3.9): one Reason Code per topic filter of the SUBSCRIBE it answers, in the
/// same order [MQTT-3.9.3-1], and in MQTT 5.0 properties (a Reason String, User Properties).
///
/// The codes are the MQTT 5.0 ones ([`SubAckReasonCode`], Table 3-8); a 3.1.1 SUBACK's return
/// codes are decoded into the 5.0 codes of the same value (0x80 Failure is Unspecified error),
/// and encoding for 3.1.1 turns every refusal into 0x80 ([`SubAckReasonCode::to_v311`]), its
/// only failure code, and leaves the properties out. Encoding for 5.0 leaves out the Reason
/// String and User Properties when the packet would otherwise exceed the client's Maximum
/// Packet Size [MQTT-3.9.2-1], [MQTT-3.9.2-2].
///
/// The codes are kept as they are on the wire, one byte each, in one buffer: a decoded SUBACK
/// shares the received frame.
///
/// ```
/// use mqttwire::{Encode, Encoder, PacketId, QoS, SubAck, SubAckReasonCode};
///
/// let suback = SubAck::new(
///     PacketId::try_from(1)?,
///     [SubAckReasonCode::granted(QoS::AtLeastOnce), SubAckReasonCode::NotAuthorized],
/// );
/// assert_eq!(&Encoder::V5.to_bytes(&suback)?[..], [0x90, 0x05, 0x00, 0x01, 0x00, 0x01, 0x87]);
/// assert_eq!(&suback.to_bytes()?[..], [0x90, 0x04, 0x00, 0x01, 0x01, 0x80]); // 3.1.1
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct SubAck {
    codes: CodeList<SubAckReasonCode>,
}

#[cfg(feature = "alloc")]
impl SubAck {
    /// A SUBACK answering `packet_id` with `reason_codes`, one per subscription of the
    /// SUBSCRIBE, in order: [`SubAckReasonCode`]s, or 3.1.1's [`SubscribeReturnCode`]s,
    /// which convert into them. Without codes it cannot be encoded
    /// ([`EncodeError::EmptySubAck`]).
    pub fn new(
        packet_id: PacketId,
        reason_codes: impl IntoIterator<Item = impl Into<SubAckReasonCode>>,
    ) -> Self {
        let codes = reason_codes.into_iter().map(Into::into);
        SubAck {
            codes: CodeList::build(packet_id, &[], codes),
        }
    }

    /// The packet with MQTT 5.0 `properties` (a Reason String, User Properties), which
    /// replace any it had: the codes and properties are copied into one new buffer.
    ///
    /// # Errors
    ///
    /// [`EncodeError::PropertyNotAllowed`] for a property a SUBACK cannot carry.
    pub fn with_properties(self, properties: Properties) -> Result<Self, EncodeError> {
        properties.as_ref().check_for(PropertySet::SubAck)?;
        Ok(SubAck {
            codes: self.codes.with_properties(properties.as_bytes()),
        })
    }

    /// The packet identifier of the SUBSCRIBE.
    #[inline]
    pub fn packet_id(&self) -> PacketId {
        self.codes.packet_id()
    }

    /// The Reason Codes in order, one per subscription of the SUBSCRIBE.
    pub fn reason_codes(&self) -> SubAckIter<'_> {
        SubAckIter(Codes::new(self.codes.codes()))
    }

    /// How many codes the packet holds (at least one once decoded).
    pub fn len(&self) -> usize {
        self.codes.codes().len()
    }

    /// Whether the packet holds no code (never once decoded; such a packet cannot be
    /// encoded).
    pub fn is_empty(&self) -> bool {
        self.codes.codes().is_empty()
    }

    /// The MQTT 5.0 properties (section 3.9.2.1); empty for a 3.1.1 packet.
    pub fn properties(&self) -> PropertiesRef<'_> {
        PropertiesRef::checked(self.codes.properties())
    }

    /// The borrowed view of this packet.
    pub fn as_borrowed(&self) -> SubAckRef<'_> {
        let parts = self.codes.parts();
        SubAckRef {
            packet_id: parts.packet_id,
            properties: parts.properties,
            codes: parts.codes,
        }
    }

    /// Decodes a body in MQTT 5.0 (`v5`) or 3.1.1; what follows the packet identifier shares
    /// `frame`, which it was read from.
    pub(crate) fn decode(body: &[u8], frame: &Bytes, v5: bool) -> Result<Self, DecodeError> {
        let parsed = codes::parse::<SubAckReasonCode>(body, v5)?;
        Ok(SubAck {
            codes: CodeList::share(frame, &parsed, v5),
        })
    }
}

#[cfg(feature = "alloc")]
impl fmt::Debug for SubAck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        debug(f, "SubAck", &self.as_borrowed())
    }
}

impl Code for SubAckReasonCode {
    const PACKET: PacketType = PacketType::SubAck;
    const SET: PropertySet = PropertySet::SubAck;
    const IN_V311: bool = true;

    #[inline]
    fn byte(self) -> u8 {
        SubAckReasonCode::byte(self)
    }

    #[inline]
    fn from_checked(byte: u8) -> Self {
        SubAckReasonCode::from_byte(byte).unwrap_or(SubAckReasonCode::UnspecifiedError)
    }

    /// At least one code [MQTT-3.9.3-1] (one per filter of a SUBSCRIBE, which has at least
    /// one), each of the version's table: Table 3-8 in 5.0 [MQTT-3.9.3-2], 0x00, 0x01, 0x02
    /// and 0x80 in 3.1.1.
    #[inline]
    fn check(codes: &[u8], v5: bool) -> Result<(), DecodeError> {
        if codes.is_empty() {
            return Err(DecodeError::EmptySubAck);
        }
        if v5 {
            if let Some(&code) = codes
                .iter()
                .find(|&&b| SubAckReasonCode::from_byte(b).is_none())
            {
                return Err(DecodeError::InvalidReasonCode {
                    packet_type: PacketType::SubAck,
                    code,
                });
            }
        } else if let Some(&b) = codes
            .iter()
            .find(|&&b| SubscribeReturnCode::from_byte(b).is_none())
        {
            return Err(DecodeError::InvalidSubAckReturnCode(b));
        }
        Ok(())
    }

    /// The granted QoS as is, 0x80 for every refusal.
    #[inline]
    fn to_v311(byte: u8) -> u8 {
        if byte < 0x80 {
            byte
        } else {
            0x80
        }
    }

    #[inline]
    fn is_v311(byte: u8) -> bool {
        SubscribeReturnCode::from_byte(byte).is_some()
    }
}

/// SUBACK (section 3.9) borrowed from the buffer it was decoded from (see
/// [`Decoder::decode_ref`](crate::Decoder::decode_ref)): the Reason Codes as they are on the
/// wire, already checked, read with [`SubAckRef::iter`] without allocating.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct SubAckRef<'a> {
    /// The packet identifier of the SUBSCRIBE.
    pub packet_id: PacketId,
    /// MQTT 5.0: the properties (section 3.9.2.1); left out when encoding for 3.1.1. Which
    /// ones a SUBACK may carry is checked when encoding for 5.0.
    pub properties: PropertiesRef<'a>,
    codes: &'a [u8],
}

/// Reads and checks a SUBACK body in MQTT 5.0 (`v5`) or 3.1.1: the parser of both decoders.
pub(crate) fn parse(body: &[u8], v5: bool) -> Result<SubAckRef<'_>, DecodeError> {
    let parsed = codes::parse::<SubAckReasonCode>(body, v5)?;
    Ok(SubAckRef {
        packet_id: parsed.packet_id,
        properties: parsed.properties,
        codes: parsed.codes,
    })
}

impl<'a> SubAckRef<'a> {
    /// The Reason Codes in order, one per subscription of the SUBSCRIBE.
    pub fn iter(&self) -> SubAckIter<'a> {
        SubAckIter(Codes::new(self.codes))
    }

    /// How many codes the packet holds, at least one.
    pub fn len(&self) -> usize {
        self.codes.len()
    }

    /// Always `false`: an empty SUBACK is refused when decoding.
    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    #[cfg(feature = "alloc")]
    /// Copies the packet into an owned [`SubAck`] (one allocation, for the properties and the
    /// codes).
    pub fn to_owned(&self) -> SubAck {
        SubAck {
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
fn debug(f: &mut fmt::Formatter<'_>, name: &str, suback: &SubAckRef<'_>) -> fmt::Result {
    f.debug_struct(name)
        .field("packet_id", &suback.packet_id)
        .field("properties", &suback.properties)
        .field("reason_codes", &super::list::DebugList(suback.iter()))
        .finish()
}

impl fmt::Debug for SubAckRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        debug(f, "SubAckRef", self)
    }
}

impl<'a> IntoIterator for SubAckRef<'a> {
    type Item = SubAckReasonCode;
    type IntoIter = SubAckIter<'a>;
    fn into_iter(self) -> SubAckIter<'a> {
        self.iter()
    }
}

#[cfg(feature = "alloc")]
impl<'a> IntoIterator for &'a SubAck {
    type Item = SubAckReasonCode;
    type IntoIter = SubAckIter<'a>;
    fn into_iter(self) -> SubAckIter<'a> {
        self.reason_codes()
    }
}

#[cfg(feature = "alloc")]
impl From<SubAckRef<'_>> for SubAck {
    fn from(suback: SubAckRef<'_>) -> Self {
        suback.to_owned()
    }
}

/// The Reason Codes of a [`SubAck`] or a [`SubAckRef`].
#[derive(Debug, Clone)]
pub struct SubAckIter<'a>(Codes<'a, SubAckReasonCode>);

impl Iterator for SubAckIter<'_> {
    type Item = SubAckReasonCode;

    #[inline]
    fn next(&mut self) -> Option<SubAckReasonCode> {
        self.0.next()
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl ExactSizeIterator for SubAckIter<'_> {}

impl Encode for SubAckRef<'_> {
    fn encoded_len_for(&self, encoder: &Encoder) -> usize {
        self.parts().encoded_len_for::<SubAckReasonCode>(encoder)
    }

    fn write_to<T: Target>(&self, encoder: &Encoder, buf: &mut T) -> Result<(), EncodeError> {
        self.parts().encode_for::<SubAckReasonCode, T>(encoder, buf)
    }
}

#[cfg(feature = "alloc")]
impl Encode for SubAck {
    fn encoded_len_for(&self, encoder: &Encoder) -> usize {
        self.codes
            .parts()
            .encoded_len_for::<SubAckReasonCode>(encoder)
    }

    fn write_to<T: Target>(&self, encoder: &Encoder, buf: &mut T) -> Result<(), EncodeError> {
        self.codes
            .parts()
            .encode_for::<SubAckReasonCode, T>(encoder, buf)
    }
}
