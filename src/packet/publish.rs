//! PUBLISH (section 3.3): an application message.

use super::fields::{share, topic_name};
use crate::codec::{begin, frame_len, Decoder, Encode};
use crate::error::{DecodeError, EncodeError};
use crate::header::PacketType;
use crate::topic::TopicName;
use crate::types::{QoS, QosPid};
use crate::wire::{finish, packet_id, prefixed, prefixed_len, Parsed};
use bytes::{BufMut, Bytes};

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

    pub(crate) fn decode(
        flags: u8,
        body: &[u8],
        frame: &Bytes,
        decoder: &Decoder,
    ) -> Result<Self, DecodeError> {
        // The fixed header has refused QoS 3 and DUP at QoS 0.
        let qos = QoS::from_bits((flags >> 1) & 0b11).ok_or(DecodeError::InvalidPublishQos)?;
        let (topic, packet_id, payload) = finish(parse(body, qos))?;
        let qos = QosPid::new(qos, packet_id).ok_or(DecodeError::FieldOverrun)?;
        Ok(Publish {
            dup: flags & DUP != 0,
            qos,
            retain: flags & RETAIN != 0,
            topic: topic_name(frame, topic, decoder)?,
            payload: share(frame, payload),
        })
    }

    fn remaining_len(&self) -> usize {
        let id_len = if self.qos.packet_id().is_some() { 2 } else { 0 };
        prefixed_len(self.topic.len())
            .saturating_add(id_len)
            .saturating_add(self.payload.len())
    }
}

type Fields<'a> = (&'a [u8], Option<crate::types::PacketId>, &'a [u8]);

fn parse(input: &[u8], qos: QoS) -> Parsed<'_, Fields<'_>> {
    let (input, topic) = prefixed(input)?;
    let (input, packet_id) = match qos {
        QoS::AtMostOnce => (input, None),
        QoS::AtLeastOnce | QoS::ExactlyOnce => {
            let (input, id) = packet_id(input)?;
            (input, Some(id))
        }
    };
    // The payload is the rest of the packet (section 3.3.3).
    Ok((&[], (topic, packet_id, input)))
}

impl Encode for Publish {
    fn encoded_len(&self) -> usize {
        frame_len(self.remaining_len())
    }

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
        begin(buf, first, self.remaining_len())?;
        crate::wire::put_prefixed(buf, self.topic.as_bytes());
        if let Some(id) = self.qos.packet_id() {
            buf.put_u16(id.get());
        }
        buf.put_slice(&self.payload);
        Ok(())
    }
}
