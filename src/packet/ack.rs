//! The acknowledgements of PUBLISH: PUBACK, PUBREC, PUBREL, PUBCOMP (sections 3.4 to 3.7).
//! In MQTT 3.1.1 each is a packet identifier; MQTT 5.0 adds a Reason Code and properties,
//! both optional on the wire (see [`tail`](super::tail)).

use super::first_byte;
use super::tail::{self, Tail};
use super::DefaultProperties;
use crate::encode::{frame_len, Encode, Encoder};
use crate::error::{DecodeError, EncodeError};
use crate::header::PacketType;
#[cfg(feature = "alloc")]
use crate::properties::Properties;
use crate::properties::{AsProperties, PropertiesRef, PropertySet};
use crate::reason::{PubAckReasonCode, PubRelReasonCode};
use crate::types::PacketId;
use crate::wire::{finish, finish_prefix, packet_id};
use crate::write::{encode_frame, Target, NOTHING};
#[cfg(feature = "alloc")]
use bytes::Bytes;

macro_rules! ack_packet {
    ($(#[$doc:meta])* $name:ident, $reason:ident) => {
        $(#[$doc])*
        ///
        /// Generic over its properties: owned ([`Properties`], the default) from
        /// [`Decoder::decode`](crate::Decoder::decode) or to send,
        /// borrowed ([`PropertiesRef`]) from [`Decoder::decode_ref`](crate::Decoder::decode_ref).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $name<
            #[cfg(feature = "alloc")] P = Properties,
            #[cfg(not(feature = "alloc"))] P = PropertiesRef<'static>,
        > {
            /// The packet identifier of the packet this one answers.
            pub packet_id: PacketId,
            /// MQTT 5.0: the Reason Code (0x00 when the packet has none). MQTT 3.1.1 has
            /// none: a packet with a failure code cannot be encoded for it.
            pub reason_code: $reason,
            /// MQTT 5.0: the properties (a Reason String, User Properties). MQTT 3.1.1 has
            /// none: they are left out when encoding for it.
            pub properties: P,
        }

        impl $name {
            /// A packet answering `packet_id`: Reason Code 0x00, no properties.
            pub const fn new(packet_id: PacketId) -> Self {
                $name {
                    packet_id,
                    reason_code: $reason::Success,
                    properties: DefaultProperties::EMPTY,
                }
            }

            /// The packet with Reason Code `reason_code` (MQTT 5.0).
            pub const fn with_reason_code(mut self, reason_code: $reason) -> Self {
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
            pub(crate) fn decode(body: &[u8], frame: &Bytes, v5: bool) -> Result<Self, DecodeError> {
                $name::parse(body, v5).map(|ack| ack.share(frame))
            }

            #[cfg(feature = "alloc")]
            /// Decodes an MQTT 3.1.1 body, which has nothing to share.
            #[inline]
            pub(crate) fn decode_v311(body: &[u8]) -> Result<Self, DecodeError> {
                finish(packet_id(body)).map($name::new)
            }
        }

        impl<'a> $name<PropertiesRef<'a>> {
            /// Reads and checks a body: the parser of both decoders.
            #[inline]
            pub(crate) fn parse(body: &'a [u8], v5: bool) -> Result<Self, DecodeError> {
                if !v5 {
                    return finish(packet_id(body)).map(|packet_id| $name {
                        packet_id,
                        reason_code: $reason::Success,
                        properties: PropertiesRef::EMPTY,
                    });
                }
                let (rest, packet_id) = finish_prefix(packet_id(body))?;
                let (code, properties) = tail::parse(rest, PropertySet::$name)?;
                let reason_code = $reason::from_byte(code).ok_or(DecodeError::InvalidReasonCode {
                    packet_type: PacketType::$name,
                    code,
                })?;
                Ok($name {
                    packet_id,
                    reason_code,
                    properties,
                })
            }

            #[cfg(feature = "alloc")]
            /// Copies the packet into an owned one (one allocation for the properties, none
            /// without).
            pub fn to_owned(&self) -> $name {
                $name {
                    packet_id: self.packet_id,
                    reason_code: self.reason_code,
                    properties: self.properties.to_owned(),
                }
            }

            #[cfg(feature = "alloc")]
            /// The owned packet, its properties shared with `frame`.
            fn share(&self, frame: &Bytes) -> $name {
                $name {
                    packet_id: self.packet_id,
                    reason_code: self.reason_code,
                    properties: self.properties.share(frame),
                }
            }
        }

        #[cfg(feature = "alloc")]
        impl<'a> From<$name<PropertiesRef<'a>>> for $name {
            fn from(ack: $name<PropertiesRef<'a>>) -> Self {
                ack.to_owned()
            }
        }

        impl<P: AsProperties> Encode for $name<P> {
            fn encoded_len_for(&self, encoder: &Encoder) -> usize {
                match self.tail(encoder) {
                    Ok(Some(tail)) => frame_len(tail.len().saturating_add(2)),
                    _ => frame_len(2),
                }
            }

            #[inline]
            fn write_to<T: Target>(
                &self,
                encoder: &Encoder,
                buf: &mut T,
            ) -> Result<(), EncodeError> {
                let first = first_byte(PacketType::$name);
                let id = self.packet_id.get();
                match self.tail(encoder)? {
                    None => {
                        encoder.fits(frame_len(2))?;
                        encode_frame(buf, first, 2, id, NOTHING)
                    }
                    Some(tail) => encode_frame(buf, first, tail.len().saturating_add(2), id, &tail),
                }
            }
        }

        impl<P: AsProperties> $name<P> {
            /// What follows the packet identifier for `encoder`: nothing in 3.1.1 (which
            /// cannot say a failure), the Reason Code and properties in 5.0.
            #[inline]
            fn tail(&self, encoder: &Encoder) -> Result<Option<Tail<'_>>, EncodeError> {
                if !encoder.v5() {
                    if !self.reason_code.is_success() {
                        return Err(EncodeError::NotInV311(concat!(
                            "a failure Reason Code in ",
                            stringify!($name)
                        )));
                    }
                    return Ok(None);
                }
                let properties = self.properties.as_properties();
                Tail::new(self.reason_code.byte(), properties, PropertySet::$name, 2, encoder)
                    .map(Some)
            }
        }
    };
}

ack_packet!(
    /// PUBACK (section 3.4): the answer to a QoS 1 PUBLISH.
    PubAck,
    PubAckReasonCode
);
ack_packet!(
    /// PUBREC (section 3.5): the first answer to a QoS 2 PUBLISH.
    PubRec,
    PubAckReasonCode
);
ack_packet!(
    /// PUBREL (section 3.6): the answer to a PUBREC. Its fixed header flags are `0010`
    /// [MQTT-3.6.1-1].
    PubRel,
    PubRelReasonCode
);
ack_packet!(
    /// PUBCOMP (section 3.7): the answer to a PUBREL, ending a QoS 2 exchange.
    PubComp,
    PubRelReasonCode
);
