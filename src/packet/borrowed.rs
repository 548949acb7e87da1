//! [`PacketRef`]: a control packet borrowed from the buffer it was decoded from, for
//! allocation-free decoding (firmware, zero-cost routing). The same body parsers make it as
//! make the owned [`Packet`]; only the last step differs.

#[cfg(feature = "alloc")]
use super::Packet;
use super::{by_packet, connect, encode_empty, publish, suback, subscribe, unsuback, unsubscribe};
use super::{
    Auth, ConnAck, ConnectRef, Disconnect, PubAck, PubComp, PubRec, PubRel, PublishRef, SubAckRef,
    SubscribeRef, UnsubAckRef, UnsubscribeRef,
};
use crate::codec::Decoder;
use crate::encode::{Encode, Encoder};
use crate::error::{DecodeError, EncodeError};
use crate::header::{FixedHeader, PacketType};
use crate::properties::PropertiesRef;
use crate::write::Target;
#[cfg(feature = "alloc")]
use alloc::boxed::Box;

/// An MQTT control packet borrowed from the buffer it was decoded from: what
/// [`Decoder::decode_ref`](crate::Decoder::decode_ref) returns.
///
/// It mirrors [`Packet`]: strings are `&str` and payloads `&[u8]` into the input, the lists of
/// SUBSCRIBE, UNSUBSCRIBE, SUBACK and UNSUBACK and MQTT 5.0 properties stay as they are on the
/// wire (checked, read with an iterator), and CONNACK is the same `Copy` type. Making one neither
/// allocates nor counts references, and every rule the owned decoder checks has been checked.
/// [`PacketRef::to_owned`] copies it into a [`Packet`] to keep it past the buffer's life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PacketRef<'a> {
    /// CONNECT (section 3.1), client to server.
    Connect(ConnectRef<'a>),
    /// CONNACK (section 3.2), server to client.
    ConnAck(ConnAck<PropertiesRef<'a>>),
    /// PUBLISH (section 3.3), both ways.
    Publish(PublishRef<'a>),
    /// PUBACK (section 3.4), both ways.
    PubAck(PubAck<PropertiesRef<'a>>),
    /// PUBREC (section 3.5), both ways.
    PubRec(PubRec<PropertiesRef<'a>>),
    /// PUBREL (section 3.6), both ways.
    PubRel(PubRel<PropertiesRef<'a>>),
    /// PUBCOMP (section 3.7), both ways.
    PubComp(PubComp<PropertiesRef<'a>>),
    /// SUBSCRIBE (section 3.8), client to server.
    Subscribe(SubscribeRef<'a>),
    /// SUBACK (section 3.9), server to client.
    SubAck(SubAckRef<'a>),
    /// UNSUBSCRIBE (section 3.10), client to server.
    Unsubscribe(UnsubscribeRef<'a>),
    /// UNSUBACK (section 3.11), server to client.
    UnsubAck(UnsubAckRef<'a>),
    /// PINGREQ (section 3.12), client to server.
    PingReq,
    /// PINGRESP (section 3.13), server to client.
    PingResp,
    /// DISCONNECT (section 3.14), client to server (and server to client in MQTT 5.0).
    Disconnect(Disconnect<PropertiesRef<'a>>),
    /// AUTH (section 3.15), MQTT 5.0 only, both ways.
    Auth(Auth<PropertiesRef<'a>>),
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
            PacketRef::Disconnect(_) => PacketType::Disconnect,
            PacketRef::Auth(_) => PacketType::Auth,
        }
    }

    #[cfg(feature = "alloc")]
    /// Copies the packet into an owned [`Packet`]. The strings and payloads of a packet are
    /// copied together into one new buffer, which the owned values share (a SUBSCRIBE's or an
    /// UNSUBSCRIBE's body is that buffer, as on the wire; a SUBACK's or a 5.0 UNSUBACK's
    /// properties and codes, one byte each).
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
            PacketRef::ConnAck(p) => Packet::ConnAck(p.to_owned()),
            PacketRef::Publish(p) => Packet::Publish(p.to_owned()),
            PacketRef::PubAck(p) => Packet::PubAck(p.to_owned()),
            PacketRef::PubRec(p) => Packet::PubRec(p.to_owned()),
            PacketRef::PubRel(p) => Packet::PubRel(p.to_owned()),
            PacketRef::PubComp(p) => Packet::PubComp(p.to_owned()),
            PacketRef::Subscribe(p) => Packet::Subscribe(p.to_owned()),
            PacketRef::SubAck(p) => Packet::SubAck(p.to_owned()),
            PacketRef::Unsubscribe(p) => Packet::Unsubscribe(p.to_owned()),
            PacketRef::UnsubAck(p) => Packet::UnsubAck(p.to_owned()),
            PacketRef::PingReq => Packet::PingReq,
            PacketRef::PingResp => Packet::PingResp,
            PacketRef::Disconnect(p) => Packet::Disconnect(p.to_owned()),
            PacketRef::Auth(p) => Packet::Auth(p.to_owned()),
        }
    }

    #[cfg(feature = "alloc")]
    /// [`PacketRef::to_owned`], by value.
    pub fn into_packet(self) -> Packet {
        self.to_owned()
    }

    /// Decodes the body of a complete frame whose fixed header has been checked. Strings must
    /// be well-formed UTF-8: a borrowed packet cannot hold a repaired copy.
    ///
    /// The direction of flow is checked in the arm of each packet that travels one way only,
    /// where its type is a constant: a decoder whose role the optimiser knows then leaves the
    /// parsers of the packets it refuses out of the binary. (One check before the `match`
    /// made the firmware's `all_packets`, which has no role, 3.7 KiB larger.)
    #[inline]
    pub(crate) fn parse(
        header: &FixedHeader,
        body: &'a [u8],
        decoder: &Decoder,
    ) -> Result<Self, DecodeError> {
        let v5 = decoder.v5();
        Ok(match header.packet_type {
            PacketType::Publish => {
                let publish = publish::parse(header.flags, body, None, v5, decoder.reads_client())?;
                PacketRef::Publish(publish.into())
            }
            PacketType::Connect => {
                decoder.check_direction(PacketType::Connect)?;
                // Any decoder reads a CONNECT of any level: the CONNECT says its version.
                let protocol = connect::parse(body, None)?.protocol;
                connect::check_header(header, protocol)?;
                PacketRef::Connect(ConnectRef::checked(body))
            }
            PacketType::Subscribe => {
                decoder.check_direction(PacketType::Subscribe)?;
                PacketRef::Subscribe(subscribe::parse(body, v5)?)
            }
            PacketType::Unsubscribe => {
                decoder.check_direction(PacketType::Unsubscribe)?;
                PacketRef::Unsubscribe(unsubscribe::parse(body, v5)?)
            }
            PacketType::SubAck => {
                decoder.check_direction(PacketType::SubAck)?;
                PacketRef::SubAck(suback::parse(body, v5)?)
            }
            PacketType::PubAck => PacketRef::PubAck(PubAck::parse(body, v5)?),
            PacketType::PubRec => PacketRef::PubRec(PubRec::parse(body, v5)?),
            PacketType::PubRel => PacketRef::PubRel(PubRel::parse(body, v5)?),
            PacketType::PubComp => PacketRef::PubComp(PubComp::parse(body, v5)?),
            PacketType::ConnAck => {
                decoder.check_direction(PacketType::ConnAck)?;
                PacketRef::ConnAck(ConnAck::parse(body, v5)?)
            }
            PacketType::UnsubAck => {
                decoder.check_direction(PacketType::UnsubAck)?;
                PacketRef::UnsubAck(unsuback::parse(body, v5)?)
            }
            // The fixed header checked that these have a Remaining Length of 0.
            PacketType::PingReq => {
                decoder.check_direction(PacketType::PingReq)?;
                PacketRef::PingReq
            }
            PacketType::PingResp => {
                decoder.check_direction(PacketType::PingResp)?;
                PacketRef::PingResp
            }
            PacketType::Disconnect => {
                decoder.check_direction(PacketType::Disconnect)?;
                // In 3.1.1 the fixed header checked a Remaining Length of 0: the empty body
                // says so to the optimiser too, so that 3.1.1 firmware links no 5.0 tail.
                let body = if v5 { body } else { &[] };
                PacketRef::Disconnect(Disconnect::parse(body, decoder.reads_server())?)
            }
            // The fixed header refused AUTH, a reserved type in 3.1.1; said again here for the
            // optimiser, as above.
            PacketType::Auth if !v5 => return Err(DecodeError::ReservedPacketType(15)),
            PacketType::Auth => PacketRef::Auth(Auth::parse(body)?),
        })
    }
}

#[cfg(feature = "alloc")]
impl From<PacketRef<'_>> for Packet {
    fn from(packet: PacketRef<'_>) -> Packet {
        packet.to_owned()
    }
}

impl Encode for PacketRef<'_> {
    #[inline]
    fn encoded_len_for(&self, encoder: &Encoder) -> usize {
        by_packet!(PacketRef, self, p => p.encoded_len_for(encoder), ping => 2)
    }

    #[inline]
    fn write_to<T: Target>(&self, encoder: &Encoder, buf: &mut T) -> Result<(), EncodeError> {
        by_packet!(
            PacketRef,
            self,
            p => p.write_to(encoder, buf),
            ping => encode_empty(self.packet_type(), encoder, buf)
        )
    }
}
