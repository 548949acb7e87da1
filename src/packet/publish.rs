//! PUBLISH (section 3.3): an application message.

use super::fields::topic_name;
use crate::codec::{begin_with_u16, frame_len, Decoder, Encode};
use crate::error::{DecodeError, EncodeError};
use crate::header::PacketType;
use crate::topic::TopicName;
use crate::types::{PacketId, QoS, QosPid};
use crate::wire::prefixed_len;
use bytes::{Buf, BufMut, Bytes};

const DUP: u8 = 0b1000;
const RETAIN: u8 = 0b0001;

/// PUBLISH (section 3.3): an application message on a topic.
///
/// The topic cannot hold a wildcard [MQTT-3.3.2-2] and the packet identifier is present exactly
/// when the QoS is above 0 ([`QosPid`]). The payload is any bytes, empty included.
///
/// ```
/// use bytes::Bytes;
/// use mqttwire::{Encode, Publish, QosPid, TopicName, PacketId};
///
/// let publish = Publish {
///     dup: false,
///     qos: QosPid::AtLeastOnce(PacketId::new(1).unwrap()),
///     retain: false,
///     topic: TopicName::new("home/kitchen/temperature").unwrap(),
///     payload: Bytes::from_static(b"21.5"),
/// };
/// let bytes = publish.to_bytes().unwrap();
/// assert_eq!(bytes[0], 0x32); // PUBLISH, QoS 1
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Publish {
    /// DUP: this may be a re-delivery (section 3.3.1.1). Always false at QoS 0 [MQTT-3.3.1-2];
    /// encoding a QoS 0 PUBLISH with DUP set fails.
    pub dup: bool,
    /// QoS and, above QoS 0, the packet identifier.
    pub qos: QosPid,
    /// RETAIN (section 3.3.1.3).
    pub retain: bool,
    /// The topic name (section 3.3.2.1).
    pub topic: TopicName,
    /// The application message, shared with the frame it was decoded from.
    pub payload: Bytes,
}

impl Publish {
    /// A new message (DUP and RETAIN clear).
    pub fn new(topic: TopicName, qos: QosPid, payload: impl Into<Bytes>) -> Self {
        Publish {
            dup: false,
            qos,
            retain: false,
            topic,
            payload: payload.into(),
        }
    }

    /// The QoS.
    pub fn qos(&self) -> QoS {
        self.qos.qos()
    }

    /// Decodes the body of `frame`, which starts at `body_start`. The payload keeps the
    /// frame's own reference to the buffer (no reference count is taken for it).
    ///
    /// PUBLISH is most of the traffic, and its body is three fields, so it is read by hand
    /// rather than through the nom parsers: the same rules, with the same errors.
    #[inline]
    pub(crate) fn decode(
        flags: u8,
        body_start: usize,
        mut frame: Bytes,
        decoder: &Decoder,
    ) -> Result<Self, DecodeError> {
        // The fixed header has refused QoS 3 and DUP at QoS 0.
        let qos = QoS::from_bits((flags >> 1) & 0b11).ok_or(DecodeError::InvalidPublishQos)?;
        let body = frame.get(body_start..).unwrap_or_default();
        // Topic Name (section 3.3.2.1): a length-prefixed string inside the body.
        let (topic, rest) = body
            .split_first_chunk::<2>()
            .and_then(|(len, rest)| rest.split_at_checked(usize::from(u16::from_be_bytes(*len))))
            .ok_or(DecodeError::FieldOverrun)?;
        // Packet Identifier (section 3.3.2.2), above QoS 0 only, never 0 [MQTT-2.3.1-1].
        let (qos, payload_len) = match qos {
            QoS::AtMostOnce => (QosPid::AtMostOnce, rest.len()),
            QoS::AtLeastOnce | QoS::ExactlyOnce => {
                let (id, rest) = rest
                    .split_first_chunk::<2>()
                    .ok_or(DecodeError::FieldOverrun)?;
                let id = PacketId::new(u16::from_be_bytes(*id)).ok_or(DecodeError::ZeroPacketId)?;
                let qos = QosPid::new(qos, Some(id)).ok_or(DecodeError::FieldOverrun)?;
                (qos, rest.len())
            }
        };
        let topic = topic_name(&frame, topic, decoder)?;
        // The payload is the rest of the frame (section 3.3.3).
        frame.advance(frame.len().saturating_sub(payload_len));
        Ok(Publish {
            dup: flags & DUP != 0,
            qos,
            retain: flags & RETAIN != 0,
            topic,
            payload: frame,
        })
    }

    fn remaining_len(&self) -> usize {
        let id_len = if self.qos.packet_id().is_some() { 2 } else { 0 };
        prefixed_len(self.topic.len())
            .saturating_add(id_len)
            .saturating_add(self.payload.len())
    }
}

impl Encode for Publish {
    fn encoded_len(&self) -> usize {
        frame_len(self.remaining_len())
    }

    #[inline]
    fn encode<B: BufMut>(&self, buf: &mut B) -> Result<(), EncodeError> {
        if self.dup && self.qos == QosPid::AtMostOnce {
            return Err(EncodeError::DupWithQos0);
        }
        let mut first = (PacketType::Publish.bits() << 4) | (self.qos.qos().bits() << 1);
        if self.dup {
            first |= DUP;
        }
        if self.retain {
            first |= RETAIN;
        }
        // The fixed header and the topic's length prefix; the topic type bounds its length
        // to 65,535.
        let topic = self.topic.as_bytes();
        let topic_len =
            u16::try_from(topic.len()).map_err(|_| EncodeError::FieldTooLong(topic.len()))?;
        begin_with_u16(buf, first, self.remaining_len(), topic_len)?;
        buf.put_slice(topic);
        if let Some(id) = self.qos.packet_id() {
            buf.put_u16(id.get());
        }
        buf.put_slice(&self.payload);
        Ok(())
    }
}
