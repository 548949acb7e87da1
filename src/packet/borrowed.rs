//! [`PacketRef`]: a control packet borrowed from the buffer it was decoded from, for
//! allocation-free decoding (firmware, zero-cost routing). The same body parsers make it as
//! make the owned [`Packet`]; only the last step differs.

use super::{connect, encode_empty, publish, suback, subscribe, unsubscribe};
use super::{
    ConnAck, ConnectRef, Packet, PubAck, PubComp, PubRec, PubRel, PublishRef, SubAckRef,
    SubscribeRef, UnsubAck, UnsubscribeRef,
};
use crate::codec::Encode;
use crate::error::{DecodeError, EncodeError};
use crate::header::{FixedHeader, PacketType};
use alloc::boxed::Box;
use bytes::BufMut;

/// An MQTT 3.1.1 control packet borrowed from the buffer it was decoded from: what
/// [`Decoder::decode_ref`](crate::Decoder::decode_ref) returns.
///
/// It mirrors [`Packet`]: strings are `&str` and payloads `&[u8]` into the input, the lists of
/// SUBSCRIBE, UNSUBSCRIBE and SUBACK stay as they are on the wire (checked, read with an
/// iterator), and the fixed-size packets are the same `Copy` types. Making one neither
/// allocates nor counts references, and every rule the owned decoder checks has been checked.
/// [`PacketRef::to_owned`] copies it into a [`Packet`] to keep it past the buffer's life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PacketRef<'a> {
    /// CONNECT (section 3.1), client to server.
    Connect(ConnectRef<'a>),
    /// CONNACK (section 3.2), server to client.
    ConnAck(ConnAck),
    /// PUBLISH (section 3.3), both ways.
    Publish(PublishRef<'a>),
    /// PUBACK (section 3.4), both ways.
    PubAck(PubAck),
    /// PUBREC (section 3.5), both ways.
    PubRec(PubRec),
    /// PUBREL (section 3.6), both ways.
    PubRel(PubRel),
    /// PUBCOMP (section 3.7), both ways.
    PubComp(PubComp),
    /// SUBSCRIBE (section 3.8), client to server.
    Subscribe(SubscribeRef<'a>),
    /// SUBACK (section 3.9), server to client.
    SubAck(SubAckRef<'a>),
    /// UNSUBSCRIBE (section 3.10), client to server.
    Unsubscribe(UnsubscribeRef<'a>),
    /// UNSUBACK (section 3.11), server to client.
    UnsubAck(UnsubAck),
    /// PINGREQ (section 3.12), client to server.
    PingReq,
    /// PINGRESP (section 3.13), server to client.
    PingResp,
    /// DISCONNECT (section 3.14), client to server.
    Disconnect,
}

impl<'a> PacketRef<'a> {
    /// The packet's type.
    pub fn packet_type(&self) -> PacketType {
        match self {
            PacketRef::Connect(_) => PacketType::Connect,
            PacketRef::ConnAck(_) => PacketType::ConnAck,
            PacketRef::Publish(_) => PacketType::Publish,
            PacketRef::PubAck(_) => PacketType::PubAck,
            PacketRef::PubRec(_) => PacketType::PubRec,
            PacketRef::PubRel(_) => PacketType::PubRel,
            PacketRef::PubComp(_) => PacketType::PubComp,
            PacketRef::Subscribe(_) => PacketType::Subscribe,
            PacketRef::SubAck(_) => PacketType::SubAck,
            PacketRef::Unsubscribe(_) => PacketType::Unsubscribe,
            PacketRef::UnsubAck(_) => PacketType::UnsubAck,
            PacketRef::PingReq => PacketType::PingReq,
            PacketRef::PingResp => PacketType::PingResp,
            PacketRef::Disconnect => PacketType::Disconnect,
        }
    }

    /// Copies the packet into an owned [`Packet`]. The strings and payloads of a packet are
    /// copied together into one new buffer, which the owned values share (a SUBSCRIBE's or an
    /// UNSUBSCRIBE's body is that buffer, as on the wire; a SUBACK allocates its list of
    /// codes, one byte each).
    ///
    /// ```
    /// use mqttwire::{Decoder, Packet};
    ///
    /// let rx = *b"\x30\x07\x00\x03a/bhi";
    /// let (packet, _) = Decoder::new().decode_ref(&rx)?.unwrap();
    /// let owned: Packet = packet.to_owned(); // outlives `rx`
    /// assert!(matches!(owned, Packet::Publish(p) if p.topic() == "a/b"));
    /// # Ok::<(), mqttwire::DecodeError>(())
    /// ```
    pub fn to_owned(&self) -> Packet {
        match *self {
            PacketRef::Connect(p) => Packet::Connect(Box::new(p.to_owned())),
            PacketRef::ConnAck(p) => Packet::ConnAck(p),
            PacketRef::Publish(p) => Packet::Publish(p.to_owned()),
            PacketRef::PubAck(p) => Packet::PubAck(p),
            PacketRef::PubRec(p) => Packet::PubRec(p),
            PacketRef::PubRel(p) => Packet::PubRel(p),
            PacketRef::PubComp(p) => Packet::PubComp(p),
            PacketRef::Subscribe(p) => Packet::Subscribe(p.to_owned()),
            PacketRef::SubAck(p) => Packet::SubAck(p.to_owned()),
            PacketRef::Unsubscribe(p) => Packet::Unsubscribe(p.to_owned()),
            PacketRef::UnsubAck(p) => Packet::UnsubAck(p),
            PacketRef::PingReq => Packet::PingReq,
            PacketRef::PingResp => Packet::PingResp,
            PacketRef::Disconnect => Packet::Disconnect,
        }
    }

    /// [`PacketRef::to_owned`], by value.
    pub fn into_packet(self) -> Packet {
        self.to_owned()
    }

    /// Decodes the body of a complete frame whose fixed header has been checked. Strings must
    /// be well-formed UTF-8: a borrowed packet cannot hold a repaired copy.
    #[inline]
    pub(crate) fn parse(header: &FixedHeader, body: &'a [u8]) -> Result<Self, DecodeError> {
        Ok(match header.packet_type {
            PacketType::Publish => {
                PacketRef::Publish(publish::parse(header.flags, body, None)?.into())
            }
            PacketType::Connect => PacketRef::Connect(connect::parse(body, None)?.into()),
            PacketType::Subscribe => PacketRef::Subscribe(subscribe::parse(body)?),
            PacketType::Unsubscribe => PacketRef::Unsubscribe(unsubscribe::parse(body)?),
            PacketType::SubAck => PacketRef::SubAck(suback::parse(body)?),
            PacketType::PubAck => PacketRef::PubAck(PubAck::decode(body)?),
            PacketType::PubRec => PacketRef::PubRec(PubRec::decode(body)?),
            PacketType::PubRel => PacketRef::PubRel(PubRel::decode(body)?),
            PacketType::PubComp => PacketRef::PubComp(PubComp::decode(body)?),
            PacketType::ConnAck => PacketRef::ConnAck(ConnAck::decode(body)?),
            PacketType::UnsubAck => PacketRef::UnsubAck(UnsubAck::decode(body)?),
            // The fixed header checked that these have a Remaining Length of 0.
            PacketType::PingReq => PacketRef::PingReq,
            PacketType::PingResp => PacketRef::PingResp,
            PacketType::Disconnect => PacketRef::Disconnect,
        })
    }
}

impl From<PacketRef<'_>> for Packet {
    fn from(packet: PacketRef<'_>) -> Packet {
        packet.to_owned()
    }
}

impl Encode for PacketRef<'_> {
    fn encoded_len(&self) -> usize {
        match self {
            PacketRef::Connect(p) => p.encoded_len(),
            PacketRef::ConnAck(p) => p.encoded_len(),
            PacketRef::Publish(p) => p.encoded_len(),
            PacketRef::PubAck(p) => p.encoded_len(),
            PacketRef::PubRec(p) => p.encoded_len(),
            PacketRef::PubRel(p) => p.encoded_len(),
            PacketRef::PubComp(p) => p.encoded_len(),
            PacketRef::Subscribe(p) => p.encoded_len(),
            PacketRef::SubAck(p) => p.encoded_len(),
            PacketRef::Unsubscribe(p) => p.encoded_len(),
            PacketRef::UnsubAck(p) => p.encoded_len(),
            PacketRef::PingReq | PacketRef::PingResp | PacketRef::Disconnect => 2,
        }
    }

    #[inline]
    fn encode<B: BufMut>(&self, buf: &mut B) -> Result<(), EncodeError> {
        match self {
            PacketRef::Connect(p) => p.encode(buf),
            PacketRef::ConnAck(p) => p.encode(buf),
            PacketRef::Publish(p) => p.encode(buf),
            PacketRef::PubAck(p) => p.encode(buf),
            PacketRef::PubRec(p) => p.encode(buf),
            PacketRef::PubRel(p) => p.encode(buf),
            PacketRef::PubComp(p) => p.encode(buf),
            PacketRef::Subscribe(p) => p.encode(buf),
            PacketRef::SubAck(p) => p.encode(buf),
            PacketRef::Unsubscribe(p) => p.encode(buf),
            PacketRef::UnsubAck(p) => p.encode(buf),
            PacketRef::PingReq | PacketRef::PingResp | PacketRef::Disconnect => {
                encode_empty(self.packet_type(), buf)
            }
        }
    }
}
