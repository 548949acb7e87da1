//! CONNACK (section 3.2): the server's answer to a CONNECT. MQTT 3.1.1 gives a return code
//! (0 to 5); MQTT 5.0 a Reason Code (Table 3-1) and properties. One type serves both: the
//! return codes are read as the Reason Codes that mean the same, and written back as such.

use super::first_byte;
use super::DefaultProperties;
use crate::encode::{frame_len, Encode, Encoder};
use crate::error::{DecodeError, EncodeError};
use crate::header::PacketType;
#[cfg(feature = "alloc")]
use crate::properties::Properties;
use crate::properties::{
    properties, AsProperties, Outgoing, PropertiesRef, PropertyId, PropertySet,
};
use crate::reason::ConnectReasonCode;
use crate::types::ConnectReturnCode;
use crate::wire::{byte, finish, finish_prefix};
use crate::write::{encode_frame, Target, NOTHING};
#[cfg(feature = "alloc")]
use bytes::Bytes;

/// Bit 0 of the Connect Acknowledge Flags; bits 7-1 are reserved (section 3.2.2.1).
const SESSION_PRESENT: u8 = 0b0000_0001;

/// The Remaining Length of a CONNACK before its properties: the flags and the code.
const FLAGS_AND_CODE: usize = 2;

/// CONNACK (section 3.2): whether the server accepted the connection, and whether it still
/// holds a session for the client.
///
/// One value serves both versions. The code is a 5.0 Reason Code ([`ConnectReasonCode`],
/// Table 3-1); a 3.1.1 return code is read as the Reason Code of the same meaning (0x05 Not
/// authorized as 0x87 Not authorized, ...), and written back as that return code: a Reason
/// Code that has none (0x9C Use another server, ...) cannot be encoded for MQTT 3.1.1
/// ([`EncodeError::NotInV311`]), and the properties are left out.
///
/// A refusal never claims a session ([MQTT-3.2.2-4] in 3.1.1, [MQTT-3.2.2-6] in 5.0);
/// encoding such a value fails. In MQTT 5.0 the properties are sent without their Reason
/// String and User Properties if they would make the packet larger than the client's Maximum
/// Packet Size ([MQTT-3.2.2-19], [MQTT-3.2.2-20]; see [`Encoder::max_packet_size`]).
///
/// Generic over its properties: owned ([`Properties`], the default) from
/// [`Decoder::decode`](crate::Decoder::decode) or to send, borrowed ([`PropertiesRef`]) from
/// [`Decoder::decode_ref`](crate::Decoder::decode_ref).
///
/// ```
/// use mqttwire::{ConnAck, ConnectReasonCode, ConnectReturnCode, Encode, Encoder, Properties, Property};
///
/// // MQTT 3.1.1: session present, accepted.
/// assert_eq!(&ConnAck::accepted(true).to_bytes()?[..], [0x20, 0x02, 0x01, 0x00]);
///
/// // A 5.0 refusal and how it reads in 3.1.1.
/// let refused = ConnAck::refused(ConnectReasonCode::NotAuthorized)
///     .with_properties(Properties::new([Property::ReasonString("no such client")])?);
/// assert_eq!(&Encoder::V5.to_bytes(&refused)?[..5], [0x20, 0x14, 0x00, 0x87, 0x11]);
/// assert_eq!(&refused.to_bytes()?[..], [0x20, 0x02, 0x00, 0x05]);
///
/// // 3.1.1 return codes convert.
/// assert_eq!(
///     ConnAck::refused(ConnectReturnCode::BadUserNameOrPassword).reason_code,
///     ConnectReasonCode::BadUserNameOrPassword,
/// );
/// # Ok::<(), mqttwire::EncodeError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConnAck<
    #[cfg(feature = "alloc")] P = Properties,
    #[cfg(not(feature = "alloc"))] P = PropertiesRef<'static>,
> {
    /// Session Present (section 3.2.2.2 of 3.1.1, 3.2.2.1.1 of 5.0).
    pub session_present: bool,
    /// The Connect Reason Code (MQTT 5.0, section 3.2.2.2, Table 3-1); an MQTT 3.1.1 return
    /// code is read as the Reason Code of the same meaning.
    pub reason_code: ConnectReasonCode,
    /// MQTT 5.0: the CONNACK properties (section 3.2.2.3). MQTT 3.1.1 has none: they are left
    /// out when encoding for it.
    pub properties: P,
}

impl ConnAck {
    /// A CONNACK accepting the connection (Reason Code 0x00), without properties.
    pub const fn accepted(session_present: bool) -> Self {
        ConnAck {
            session_present,
            reason_code: ConnectReasonCode::Success,
            properties: DefaultProperties::EMPTY,
        }
    }

    /// A CONNACK refusing the connection with `code`, a 5.0 [`ConnectReasonCode`] or a 3.1.1
    /// [`ConnectReturnCode`] (which should not be a success), without properties.
    pub fn refused(code: impl Into<ConnectReasonCode>) -> Self {
        ConnAck {
            session_present: false,
            reason_code: code.into(),
            properties: DefaultProperties::EMPTY,
        }
    }

    #[cfg(feature = "alloc")]
    /// The CONNACK with MQTT 5.0 `properties` (section 3.2.2.3). Which properties a CONNACK
    /// may carry is checked when it is encoded ([`EncodeError::PropertyNotAllowed`]).
    #[must_use]
    pub fn with_properties(mut self, properties: Properties) -> Self {
        self.properties = properties;
        self
    }

    #[cfg(feature = "alloc")]
    /// Decodes a body; MQTT 5.0 properties share `frame`, which it was read from.
    pub(crate) fn decode(body: &[u8], frame: &Bytes, v5: bool) -> Result<Self, DecodeError> {
        ConnAck::parse(body, v5).map(|ack| ack.share(frame))
    }

    #[cfg(feature = "alloc")]
    /// Decodes an MQTT 3.1.1 body, which has nothing to share.
    #[inline]
    pub(crate) fn decode_v311(body: &[u8]) -> Result<Self, DecodeError> {
        ConnAck::parse(body, false).map(|ack| ConnAck {
            session_present: ack.session_present,
            reason_code: ack.reason_code,
            properties: DefaultProperties::EMPTY,
        })
    }
}

impl<'a> ConnAck<PropertiesRef<'a>> {
    /// Reads and checks a body: the parser of both decoders.
    pub(crate) fn parse(body: &'a [u8], v5: bool) -> Result<Self, DecodeError> {
        let (input, flags) = finish_prefix(byte(body))?;
        // [MQTT-3.2.2-1] in 5.0; section 3.2.2.1 in 3.1.1.
        if flags & !SESSION_PRESENT != 0 {
            return Err(DecodeError::ConnAckReservedFlags(flags));
        }
        let session_present = flags & SESSION_PRESENT != 0;
        let (input, code) = finish_prefix(byte(input))?;
        let reason_code = if v5 {
            ConnectReasonCode::from_byte(code).ok_or(DecodeError::InvalidReasonCode {
                packet_type: PacketType::ConnAck,
                code,
            })?
        } else {
            ConnectReturnCode::from_byte(code)
                .ok_or(DecodeError::InvalidConnectReturnCode(code))?
                .into()
        };
        // [MQTT-3.2.2-4] in 3.1.1, [MQTT-3.2.2-6] in 5.0.
        if session_present && reason_code != ConnectReasonCode::Success {
            return Err(DecodeError::SessionPresentWithRefusal);
        }
        let properties = if v5 {
            let properties = finish(properties(input, PropertySet::ConnAck))?;
            // Authentication Data without Authentication Method: a Protocol Error (sections
            // 3.1.2.11.10 and 4.12; Table 2-4 note).
            if properties.contains(PropertyId::AuthenticationData)
                && !properties.contains(PropertyId::AuthenticationMethod)
            {
                return Err(DecodeError::MissingAuthenticationMethod);
            }
            properties
        } else {
            finish(Ok((input, PropertiesRef::EMPTY)))?
        };
        Ok(ConnAck {
            session_present,
            reason_code,
            properties,
        })
    }

    #[cfg(feature = "alloc")]
    /// Copies the packet into an owned one (one allocation for the properties, none
    /// without).
    pub fn to_owned(&self) -> ConnAck {
        ConnAck {
            session_present: self.session_present,
            reason_code: self.reason_code,
            properties: self.properties.to_owned(),
        }
    }

    #[cfg(feature = "alloc")]
    /// The owned packet, its properties shared with `frame`.
    fn share(&self, frame: &Bytes) -> ConnAck {
        ConnAck {
            session_present: self.session_present,
            reason_code: self.reason_code,
            properties: self.properties.share(frame),
        }
    }
}

#[cfg(feature = "alloc")]
impl<'a> From<ConnAck<PropertiesRef<'a>>> for ConnAck {
    fn from(ack: ConnAck<PropertiesRef<'a>>) -> Self {
        ack.to_owned()
    }
}

impl<P: AsProperties> ConnAck<P> {
    /// The Connect Acknowledge Flags, after the check that a refusal claims no session.
    fn flags(&self) -> Result<u8, EncodeError> {
        if self.session_present && self.reason_code != ConnectReasonCode::Success {
            return Err(EncodeError::SessionPresentWithRefusal);
        }
        Ok(u8::from(self.session_present))
    }

    /// The properties that go to a 5.0 peer (see [`Outgoing::fit`]).
    fn outgoing(&self, encoder: &Encoder) -> Result<Outgoing<'_>, EncodeError> {
        let properties = self.properties.as_properties();
        if properties.contains(PropertyId::AuthenticationData)
            && !properties.contains(PropertyId::AuthenticationMethod)
        {
            return Err(EncodeError::MissingAuthenticationMethod);
        }
        Outgoing::fit(properties, PropertySet::ConnAck, FLAGS_AND_CODE, encoder)
    }
}

impl<P: AsProperties> Encode for ConnAck<P> {
    fn encoded_len_for(&self, encoder: &Encoder) -> usize {
        if !encoder.v5() {
            return frame_len(FLAGS_AND_CODE);
        }
        match self.outgoing(encoder) {
            Ok(properties) => properties.frame_len(FLAGS_AND_CODE),
            Err(_) => frame_len(FLAGS_AND_CODE.saturating_add(1)),
        }
    }

    fn write_to<T: Target>(&self, encoder: &Encoder, buf: &mut T) -> Result<(), EncodeError> {
        let flags = self.flags()?;
        let first = first_byte(PacketType::ConnAck);
        if !encoder.v5() {
            let code = self
                .reason_code
                .to_v311_return_code()
                .ok_or(EncodeError::NotInV311(
                    "a CONNACK Reason Code without a 3.1.1 return code",
                ))?;
            let value = u16::from_be_bytes([flags, code.byte()]);
            encoder.fits(frame_len(FLAGS_AND_CODE))?;
            return encode_frame(buf, first, FLAGS_AND_CODE, value, NOTHING);
        }
        let properties = self.outgoing(encoder)?;
        let value = u16::from_be_bytes([flags, self.reason_code.byte()]);
        let remaining = FLAGS_AND_CODE.saturating_add(properties.wire_len());
        encode_frame(buf, first, remaining, value, &properties)
    }
}
