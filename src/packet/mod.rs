//! The MQTT 3.1.1 control packets (chapter 3), one file per packet or family of packets.

// Each file imports for its owned and its borrowed packets together: without `alloc`, the
// imports of the owned half go unused.
#![cfg_attr(not(feature = "alloc"), allow(unused_imports))]

mod ack;
mod auth;
mod borrowed;
mod codes;
mod connack;
mod connect;
mod disconnect;
pub(crate) mod fields;
mod list;
mod options;
pub(crate) mod publish;
mod suback;
mod subscribe;
mod tail;
mod unsuback;
mod unsubscribe;

pub use ack::{PubAck, PubComp, PubRec, PubRel};
pub use auth::Auth;
pub use borrowed::PacketRef;
pub use connack::ConnAck;
#[cfg(feature = "alloc")]
pub use connect::{Connect, Login, Will};
pub use connect::{ConnectParts, ConnectRef, LoginRef, WillRef};
pub use disconnect::Disconnect;
pub use options::{RetainHandling, SubscriptionOptions};
#[cfg(feature = "alloc")]
pub use publish::Publish;
pub use publish::PublishRef;
#[cfg(feature = "alloc")]
pub use suback::SubAck;
pub use suback::{SubAckIter, SubAckRef};
#[cfg(feature = "alloc")]
pub use subscribe::{Subscribe, Subscription, SubscriptionIter};
pub use subscribe::{SubscribeIter, SubscribeOptionsIter, SubscribeParts, SubscribeRef};
#[cfg(feature = "alloc")]
pub use unsuback::UnsubAck;
pub use unsuback::{UnsubAckIter, UnsubAckRef};
#[cfg(feature = "alloc")]
pub use unsubscribe::{TopicFilterIter, Unsubscribe};
pub use unsubscribe::{UnsubscribeIter, UnsubscribeRef};

use crate::codec::Decoder;
use crate::encode::{Encode, Encoder};
use crate::error::{DecodeError, EncodeError};
use crate::header::{FixedHeader, PacketType};
use crate::write::{encode_body, Target, NOTHING};
#[cfg(feature = "alloc")]
use alloc::boxed::Box;
#[cfg(feature = "alloc")]
use bytes::Bytes;

#[cfg(feature = "alloc")]
/// An MQTT control packet, of 3.1.1 or 5.0: the same types serve both versions, what 5.0 adds
/// (properties, reason codes, AUTH) being empty or Success in 3.1.1.
///
/// Packets own their data (no lifetimes): strings and payloads are [`Bytes`] sharing the
/// buffer they were decoded from, so a packet can be kept in session state or sent to another
/// task as it is. For decoding without allocating, see [`PacketRef`].
///
/// CONNECT, which comes once per connection and is by far the largest, is boxed, so that
/// `Packet` stays small for the packets of every moment (48 bytes on 64-bit targets; a
/// `Connect`, with its MQTT 5.0 properties and Will Properties, is 248).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Packet {
    /// CONNECT (section 3.1), client to server.
    Connect(Box<Connect>),
    /// CONNACK (section 3.2), server to client.
    ConnAck(ConnAck),
    /// PUBLISH (section 3.3), both ways.
    Publish(Publish),
    /// PUBACK (section 3.4), both ways.
    PubAck(PubAck),
    /// PUBREC (section 3.5), both ways.
    PubRec(PubRec),
    /// PUBREL (section 3.6), both ways.
    PubRel(PubRel),
    /// PUBCOMP (section 3.7), both ways.
    PubComp(PubComp),
    /// SUBSCRIBE (section 3.8), client to server.
    Subscribe(Subscribe),
    /// SUBACK (section 3.9), server to client.
    SubAck(SubAck),
    /// UNSUBSCRIBE (section 3.10), client to server.
    Unsubscribe(Unsubscribe),
    /// UNSUBACK (section 3.11), server to client.
    UnsubAck(UnsubAck),
    /// PINGREQ (section 3.12), client to server.
    PingReq,
    /// PINGRESP (section 3.13), server to client.
    PingResp,
    /// DISCONNECT (section 3.14), client to server (and server to client in MQTT 5.0).
    Disconnect(Disconnect),
    /// AUTH (section 3.15), MQTT 5.0 only, both ways.
    Auth(Auth),
}

#[cfg(feature = "alloc")]
impl Packet {
    /// The packet's type.
    pub fn packet_type(&self) -> PacketType {
        match self {
            Packet::Connect(_) => PacketType::Connect,
            Packet::ConnAck(_) => PacketType::ConnAck,
            Packet::Publish(_) => PacketType::Publish,
            Packet::PubAck(_) => PacketType::PubAck,
            Packet::PubRec(_) => PacketType::PubRec,
            Packet::PubRel(_) => PacketType::PubRel,
            Packet::PubComp(_) => PacketType::PubComp,
            Packet::Subscribe(_) => PacketType::Subscribe,
            Packet::SubAck(_) => PacketType::SubAck,
            Packet::Unsubscribe(_) => PacketType::Unsubscribe,
            Packet::UnsubAck(_) => PacketType::UnsubAck,
            Packet::PingReq => PacketType::PingReq,
            Packet::PingResp => PacketType::PingResp,
            Packet::Disconnect(_) => PacketType::Disconnect,
            Packet::Auth(_) => PacketType::Auth,
        }
    }

    /// Whether packets of this type keep parts of their frame (strings, payload, the lists of
    /// SUBSCRIBE, UNSUBSCRIBE and SUBACK, MQTT 5.0 properties), so that decoding them needs
    /// the frame as shared [`Bytes`]. The others are
    /// decoded from a borrowed slice, without touching the buffer's reference count.
    #[inline]
    pub(crate) const fn shares_frame(packet_type: PacketType, v5: bool) -> bool {
        match packet_type {
            PacketType::Publish
            | PacketType::Connect
            | PacketType::Subscribe
            | PacketType::SubAck
            | PacketType::Unsubscribe => true,
            PacketType::PingReq | PacketType::PingResp => false,
            _ => v5,
        }
    }

    /// Decodes the body of a complete frame whose fixed header has been checked.
    #[inline]
    pub(crate) fn decode(
        header: &FixedHeader,
        frame: Bytes,
        decoder: &Decoder,
    ) -> Result<Packet, DecodeError> {
        let body_start = usize::from(header.header_len);
        if header.packet_type == PacketType::Publish {
            // The payload takes over the frame's reference to the buffer.
            return Publish::decode(header.flags, body_start, frame, decoder).map(Packet::Publish);
        }
        let body = frame.get(body_start..).unwrap_or_default();
        let v5 = decoder.v5();
        Ok(match header.packet_type {
            PacketType::Connect => {
                // Any decoder reads a CONNECT of any level: the CONNECT says its version.
                let connect = Connect::decode(body, &frame, decoder)?;
                connect::check_header(header, connect.protocol)?;
                Packet::Connect(Box::new(connect))
            }
            PacketType::ConnAck if v5 => Packet::ConnAck(ConnAck::decode(body, &frame, v5)?),
            PacketType::Subscribe => Packet::Subscribe(Subscribe::decode(body, &frame, decoder)?),
            PacketType::Unsubscribe => {
                Packet::Unsubscribe(Unsubscribe::decode(body, &frame, decoder)?)
            }
            PacketType::SubAck => Packet::SubAck(SubAck::decode(body, &frame, v5)?),
            PacketType::UnsubAck if v5 => Packet::UnsubAck(UnsubAck::decode(body, &frame)?),
            PacketType::PubAck if v5 => Packet::PubAck(PubAck::decode(body, &frame, v5)?),
            PacketType::PubRec if v5 => Packet::PubRec(PubRec::decode(body, &frame, v5)?),
            PacketType::PubRel if v5 => Packet::PubRel(PubRel::decode(body, &frame, v5)?),
            PacketType::PubComp if v5 => Packet::PubComp(PubComp::decode(body, &frame, v5)?),
            PacketType::Disconnect if v5 => {
                Packet::Disconnect(Disconnect::decode(body, &frame, decoder.reads_server())?)
            }
            PacketType::Auth => Packet::Auth(Auth::decode(body, &frame)?),
            _ => return Packet::decode_unshared(header.packet_type, body),
        })
    }

    /// Decodes the body of a packet that does not share its frame (see
    /// [`Packet::shares_frame`]: in MQTT 3.1.1 or a ping) from a borrowed slice.
    #[inline]
    pub(crate) fn decode_unshared(
        packet_type: PacketType,
        body: &[u8],
    ) -> Result<Packet, DecodeError> {
        Ok(match packet_type {
            PacketType::PubAck => Packet::PubAck(PubAck::decode_v311(body)?),
            PacketType::PubRec => Packet::PubRec(PubRec::decode_v311(body)?),
            PacketType::PubRel => Packet::PubRel(PubRel::decode_v311(body)?),
            PacketType::PubComp => Packet::PubComp(PubComp::decode_v311(body)?),
            PacketType::ConnAck => Packet::ConnAck(ConnAck::decode_v311(body)?),
            PacketType::UnsubAck => Packet::UnsubAck(UnsubAck::decode_v311(body)?),
            // The fixed header checked that these have a Remaining Length of 0.
            PacketType::PingReq => Packet::PingReq,
            PacketType::PingResp => Packet::PingResp,
            PacketType::Disconnect => Packet::Disconnect(Disconnect::new()),
            // Never reached: callers send these to `Packet::decode`, which has their frame.
            PacketType::Publish
            | PacketType::Connect
            | PacketType::Subscribe
            | PacketType::SubAck
            | PacketType::Unsubscribe
            | PacketType::Auth => return Err(DecodeError::FieldOverrun),
        })
    }
}

/// The properties of the packets generic over them (acknowledgements, CONNACK, DISCONNECT,
/// AUTH) when not said: owned with the `alloc` feature, else borrowed, so that firmware builds
/// `PubAck::new(id)` and the like to send.
#[cfg(feature = "alloc")]
pub(crate) type DefaultProperties = crate::properties::Properties;
/// See above.
#[cfg(not(feature = "alloc"))]
pub(crate) type DefaultProperties = crate::properties::PropertiesRef<'static>;

/// The first byte of a packet whose flags are fixed.
const fn first_byte(packet_type: PacketType) -> u8 {
    let flags = match packet_type.fixed_flags() {
        Some(flags) => flags,
        None => 0,
    };
    (packet_type.bits() << 4) | flags
}

/// Encodes a packet that is only a fixed header (PINGREQ, PINGRESP), if the peer takes a
/// packet of 2 bytes (a Maximum Packet Size of 1 is legal in MQTT 5.0, if useless: nothing
/// may then be sent [MQTT-3.1.2-24], [MQTT-3.2.2-15]).
pub(crate) fn encode_empty<T: Target>(
    packet_type: PacketType,
    encoder: &Encoder,
    buf: &mut T,
) -> Result<(), EncodeError> {
    const SIZE: usize = 2;
    if SIZE > encoder.max_packet_size {
        return Err(EncodeError::ExceedsMaximumPacketSize {
            size: SIZE,
            max: encoder.max_packet_size,
        });
    }
    encode_body(buf, first_byte(packet_type), 0, NOTHING)
}

/// Applies `$each` to the packet inside `$value`, a [`Packet`] or a [`PacketRef`] (named by
/// `$enum`), bound to `$p`; `$ping` for the packets without a body.
macro_rules! by_packet {
    ($enum:ident, $value:expr, $p:ident => $each:expr, ping => $ping:expr) => {
        match $value {
            $enum::Connect($p) => $each,
            $enum::ConnAck($p) => $each,
            $enum::Publish($p) => $each,
            $enum::PubAck($p) => $each,
            $enum::PubRec($p) => $each,
            $enum::PubRel($p) => $each,
            $enum::PubComp($p) => $each,
            $enum::Subscribe($p) => $each,
            $enum::SubAck($p) => $each,
            $enum::Unsubscribe($p) => $each,
            $enum::UnsubAck($p) => $each,
            $enum::Disconnect($p) => $each,
            $enum::Auth($p) => $each,
            $enum::PingReq | $enum::PingResp => $ping,
        }
    };
}
pub(crate) use by_packet;

#[cfg(feature = "alloc")]
impl Encode for Packet {
    #[inline]
    fn encoded_len_for(&self, encoder: &Encoder) -> usize {
        by_packet!(Packet, self, p => p.encoded_len_for(encoder), ping => 2)
    }

    #[inline]
    fn write_to<T: Target>(&self, encoder: &Encoder, buf: &mut T) -> Result<(), EncodeError> {
        by_packet!(
            Packet,
            self,
            p => p.write_to(encoder, buf),
            ping => encode_empty(self.packet_type(), encoder, buf)
        )
    }
}

#[cfg(feature = "alloc")]
/// `From` conversions from each packet struct into [`Packet`].
macro_rules! into_packet {
    ($($ty:ident),*) => {
        $(impl From<$ty> for Packet {
            fn from(p: $ty) -> Packet {
                Packet::$ty(p)
            }
        })*
    };
}
#[cfg(feature = "alloc")]
into_packet!(
    Auth,
    Disconnect,
    ConnAck,
    Publish,
    PubAck,
    PubRec,
    PubRel,
    PubComp,
    Subscribe,
    SubAck,
    Unsubscribe,
    UnsubAck
);

#[cfg(feature = "alloc")]
impl From<Connect> for Packet {
    fn from(p: Connect) -> Packet {
        Packet::Connect(Box::new(p))
    }
}

#[cfg(all(test, feature = "alloc"))]
mod tests {
    use super::{Encode, Encoder, Packet, PacketRef};
    use crate::error::EncodeError;

    /// PINGREQ and PINGRESP are 2 bytes: a peer whose Maximum Packet Size is 1 cannot take
    /// them, owned or borrowed, and nothing is written; a limit of 2 takes them.
    #[test]
    fn pings_respect_the_maximum_packet_size() {
        for (owned, borrowed) in [
            (Packet::PingReq, PacketRef::PingReq),
            (Packet::PingResp, PacketRef::PingResp),
        ] {
            let refused = Err(EncodeError::ExceedsMaximumPacketSize { size: 2, max: 1 });
            for encoder in [Encoder::V5, Encoder::V311] {
                let tight = encoder.max_packet_size(1);
                let mut buf = alloc::vec::Vec::new();
                assert_eq!(owned.encode_for(&tight, &mut buf), refused);
                assert_eq!(borrowed.encode_for(&tight, &mut buf), refused);
                assert!(buf.is_empty());
                let fits = encoder.max_packet_size(2);
                owned.encode_for(&fits, &mut buf).expect("fits");
                borrowed.encode_for(&fits, &mut buf).expect("fits");
                assert_eq!(buf.len(), 4);
            }
        }
    }
}
