//! AUTH (section 3.15), MQTT 5.0 only: a step of an extended authentication exchange. Its
//! Reason Code and properties are optional on the wire (see [`tail`](super::tail)).

use super::first_byte;
use super::tail::{self, encode_alone, Tail};
use super::DefaultProperties;
use crate::encode::{frame_len, Encode, Encoder};
use crate::error::{DecodeError, EncodeError};
use crate::header::PacketType;
#[cfg(feature = "alloc")]
use crate::properties::Properties;
use crate::properties::{AsProperties, PropertiesRef, PropertyId, PropertySet};
use crate::reason::AuthReasonCode;
use crate::write::Target;
#[cfg(feature = "alloc")]
use bytes::Bytes;

/// AUTH (section 3.15), MQTT 5.0 only: a step of extended authentication, with the
/// Authentication Method and Data in its properties.
///
/// Every AUTH names its Authentication Method (section 3.15.2.2.2) but the empty one (Reason
/// Code 0x00 and no properties, Remaining Length 0, section 3.15.2.1): decoding refuses, and
/// encoding fails for, any other without it.
///
/// ```
/// use mqttwire::{Auth, AuthReasonCode, Encode, Encoder, Properties, Property};
///
/// let step = Auth::new(AuthReasonCode::ContinueAuthentication).with_properties(Properties::new([
///     Property::AuthenticationMethod("SCRAM-SHA-1"),
///     Property::AuthenticationData(b"client-first"),
/// ])?);
/// let bytes = Encoder::V5.to_bytes(&step)?;
/// assert_eq!(&bytes[..3], [0xf0, 0x1f, 0x18]);
/// assert!(step.to_bytes().is_err()); // MQTT 3.1.1 has no AUTH
/// # Ok::<(), mqttwire::EncodeError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Auth<
    #[cfg(feature = "alloc")] P = Properties,
    #[cfg(not(feature = "alloc"))] P = PropertiesRef<'static>,
> {
    /// Success, Continue authentication or Re-authenticate.
    pub reason_code: AuthReasonCode,
    /// Authentication Method and Data, Reason String, User Properties.
    pub properties: P,
}

impl Auth {
    /// An AUTH with `reason_code`, without properties.
    pub const fn new(reason_code: AuthReasonCode) -> Self {
        Auth {
            reason_code,
            properties: DefaultProperties::EMPTY,
        }
    }

    #[cfg(feature = "alloc")]
    /// The packet with `properties`.
    pub fn with_properties(mut self, properties: Properties) -> Self {
        self.properties = properties;
        self
    }

    #[cfg(feature = "alloc")]
    /// Decodes a body; the properties share `frame`, which it was read from.
    pub(crate) fn decode(body: &[u8], frame: &Bytes) -> Result<Self, DecodeError> {
        Auth::parse(body).map(|a| a.share(frame))
    }
}

impl<'a> Auth<PropertiesRef<'a>> {
    /// Reads and checks a body: the parser of both decoders.
    pub(crate) fn parse(body: &'a [u8]) -> Result<Self, DecodeError> {
        let (code, properties) = tail::parse(body, PropertySet::Auth)?;
        let reason_code =
            AuthReasonCode::from_byte(code).ok_or(DecodeError::InvalidReasonCode {
                packet_type: PacketType::Auth,
                code,
            })?;
        // Only the empty form (Remaining Length 0) goes without the method (3.15.2.1,
        // 3.15.2.2.2).
        if !body.is_empty() && !properties.contains(PropertyId::AuthenticationMethod) {
            return Err(DecodeError::MissingAuthenticationMethod);
        }
        Ok(Auth {
            reason_code,
            properties,
        })
    }

    #[cfg(feature = "alloc")]
    /// Copies the packet into an owned one.
    pub fn to_owned(&self) -> Auth {
        Auth {
            reason_code: self.reason_code,
            properties: self.properties.to_owned(),
        }
    }

    #[cfg(feature = "alloc")]
    fn share(&self, frame: &Bytes) -> Auth {
        Auth {
            reason_code: self.reason_code,
            properties: self.properties.share(frame),
        }
    }
}

#[cfg(feature = "alloc")]
impl<'a> From<Auth<PropertiesRef<'a>>> for Auth {
    fn from(a: Auth<PropertiesRef<'a>>) -> Self {
        a.to_owned()
    }
}

impl<P: AsProperties> Auth<P> {
    fn tail(&self, encoder: &Encoder) -> Result<Tail<'_>, EncodeError> {
        if !encoder.v5() {
            return Err(EncodeError::NotInV311("AUTH"));
        }
        let properties = self.properties.as_properties();
        let code = self.reason_code.byte();
        let tail = Tail::new(code, properties, PropertySet::Auth, 0, encoder)?;
        // Only the empty form (Success, no properties) goes without the method (3.15.2.2.2).
        if tail.len() > 0 && !properties.contains(PropertyId::AuthenticationMethod) {
            return Err(EncodeError::MissingAuthenticationMethod);
        }
        Ok(tail)
    }
}

impl<P: AsProperties> Encode for Auth<P> {
    /// The length in MQTT 5.0 (AUTH does not exist in 3.1.1).
    fn encoded_len(&self) -> usize {
        self.encoded_len_for(&Encoder::V5)
    }

    fn encoded_len_for(&self, encoder: &Encoder) -> usize {
        let encoder = Encoder {
            protocol: crate::Protocol::V5,
            ..*encoder
        };
        self.tail(&encoder).map_or(2, |tail| frame_len(tail.len()))
    }

    fn write_to<T: Target>(&self, encoder: &Encoder, buf: &mut T) -> Result<(), EncodeError> {
        encode_alone(buf, first_byte(PacketType::Auth), &self.tail(encoder)?)
    }
}
