//! DISCONNECT (section 3.14): the last packet of a connection. Empty in MQTT 3.1.1; MQTT 5.0
//! adds a Reason Code and properties, optional on the wire (see [`tail`](super::tail)), and
//! lets the server send it too.

use super::first_byte;
use super::tail::{self, encode_alone, Tail};
use super::DefaultProperties;
use crate::encode::{frame_len, Encode, Encoder};
use crate::error::{DecodeError, EncodeError};
use crate::header::PacketType;
#[cfg(feature = "alloc")]
use crate::properties::Properties;
use crate::properties::{AsProperties, PropertiesRef, PropertyId, PropertySet};
use crate::reason::DisconnectReasonCode;
use crate::write::{encode_body, Target, NOTHING};
#[cfg(feature = "alloc")]
use bytes::Bytes;

/// DISCONNECT (section 3.14): the sender closes the connection, saying why (MQTT 5.0).
///
/// Generic over its properties: owned ([`Properties`], the default) or borrowed
/// ([`PropertiesRef`], from [`Decoder::decode_ref`](crate::Decoder::decode_ref)).
///
/// ```
/// use mqttwire::{Disconnect, DisconnectReasonCode, Encode, Encoder};
///
/// assert_eq!(&Disconnect::new().to_bytes()?[..], [0xe0, 0x00]);
/// let shutting_down = Disconnect::new().with_reason_code(DisconnectReasonCode::ServerShuttingDown);
/// assert_eq!(&Encoder::V5.to_bytes(&shutting_down)?[..], [0xe0, 0x01, 0x8b]);
/// assert!(shutting_down.to_bytes().is_err()); // MQTT 3.1.1 cannot say why
/// # Ok::<(), mqttwire::EncodeError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Disconnect<
    #[cfg(feature = "alloc")] P = Properties,
    #[cfg(not(feature = "alloc"))] P = PropertiesRef<'static>,
> {
    /// MQTT 5.0: why the connection closes (0x00 Normal disconnection when absent). MQTT
    /// 3.1.1 cannot carry another reason.
    pub reason_code: DisconnectReasonCode,
    /// MQTT 5.0: Session Expiry Interval, Reason String, User Properties, Server Reference.
    /// Left out when encoding for MQTT 3.1.1.
    pub properties: P,
}

impl Disconnect {
    /// A normal disconnection, without properties.
    pub const fn new() -> Self {
        Disconnect {
            reason_code: DisconnectReasonCode::NormalDisconnection,
            properties: DefaultProperties::EMPTY,
        }
    }

    /// The packet with Reason Code `reason_code` (MQTT 5.0).
    pub const fn with_reason_code(mut self, reason_code: DisconnectReasonCode) -> Self {
        self.reason_code = reason_code;
        self
    }

    #[cfg(feature = "alloc")]
    /// The packet with `properties` (MQTT 5.0).
    pub fn with_properties(mut self, properties: Properties) -> Self {
        self.properties = properties;
        self
    }

    #[cfg(feature = "alloc")]
    /// Decodes a body; MQTT 5.0 properties share `frame`, which it was read from.
    pub(crate) fn decode(
        body: &[u8],
        frame: &Bytes,
        from_server: bool,
    ) -> Result<Self, DecodeError> {
        Disconnect::parse(body, from_server).map(|d| d.share(frame))
    }
}

impl<'a> Disconnect<PropertiesRef<'a>> {
    /// Reads and checks an MQTT 5.0 body: the parser of both decoders. (In 3.1.1 the body is
    /// empty, which the fixed header checked.)
    /// With `from_server`, a Session Expiry Interval is refused: only the client may send one
    /// [MQTT-3.14.2-2].
    pub(crate) fn parse(body: &'a [u8], from_server: bool) -> Result<Self, DecodeError> {
        let (code, properties) = tail::parse(body, PropertySet::Disconnect)?;
        if from_server && properties.contains(PropertyId::SessionExpiryInterval) {
            return Err(DecodeError::SessionExpiryFromServer);
        }
        let reason_code =
            DisconnectReasonCode::from_byte(code).ok_or(DecodeError::InvalidReasonCode {
                packet_type: PacketType::Disconnect,
                code,
            })?;
        Ok(Disconnect {
            reason_code,
            properties,
        })
    }

    #[cfg(feature = "alloc")]
    /// Copies the packet into an owned one.
    pub fn to_owned(&self) -> Disconnect {
        Disconnect {
            reason_code: self.reason_code,
            properties: self.properties.to_owned(),
        }
    }

    #[cfg(feature = "alloc")]
    fn share(&self, frame: &Bytes) -> Disconnect {
        Disconnect {
            reason_code: self.reason_code,
            properties: self.properties.share(frame),
        }
    }
}

#[cfg(feature = "alloc")]
impl<'a> From<Disconnect<PropertiesRef<'a>>> for Disconnect {
    fn from(d: Disconnect<PropertiesRef<'a>>) -> Self {
        d.to_owned()
    }
}

impl<P: AsProperties> Disconnect<P> {
    /// The tail for `encoder`: none in MQTT 3.1.1.
    fn tail(&self, encoder: &Encoder) -> Result<Option<Tail<'_>>, EncodeError> {
        if !encoder.v5() {
            if self.reason_code != DisconnectReasonCode::NormalDisconnection {
                return Err(EncodeError::NotInV311("a DISCONNECT Reason Code"));
            }
            return Ok(None);
        }
        let properties = self.properties.as_properties();
        Tail::new(
            self.reason_code.byte(),
            properties,
            PropertySet::Disconnect,
            0,
            encoder,
        )
        .map(Some)
    }
}

impl<P: AsProperties> Encode for Disconnect<P> {
    fn encoded_len_for(&self, encoder: &Encoder) -> usize {
        match self.tail(encoder) {
            Ok(Some(tail)) => frame_len(tail.len()),
            _ => 2,
        }
    }

    fn write_to<T: Target>(&self, encoder: &Encoder, buf: &mut T) -> Result<(), EncodeError> {
        let first = first_byte(PacketType::Disconnect);
        match self.tail(encoder)? {
            None => {
                encoder.fits(2)?;
                encode_body(buf, first, 0, NOTHING)
            }
            Some(tail) => encode_alone(buf, first, &tail),
        }
    }
}
