//! PUBLISH (section 3.3): an application message.

use super::fields::{share, topic_name, Checked, Repairs};
use crate::codec::{frame_len, Decoder, Encode};
use crate::error::{DecodeError, EncodeError};
use crate::header::PacketType;
use crate::topic::{check_name, TopicError, TopicName};
use crate::types::{PacketId, QoS, QosPid};
use crate::wire::prefixed_len;
use crate::write::{encode_frame, Sink, WriteRest};
use bytes::{Buf, BufMut, Bytes, BytesMut};

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
    #[inline]
    pub(crate) fn decode(
        flags: u8,
        body_start: usize,
        mut frame: Bytes,
        decoder: &Decoder,
    ) -> Result<Self, DecodeError> {
        let body = frame.get(body_start..).unwrap_or_default();
        let raw = match parse(flags, body, None) {
            Ok(raw) => raw,
            Err(e) if decoder.lossy_utf8 && e.is_ill_formed_utf8() => {
                return Self::decode_lossy(flags, body, &frame)
            }
            Err(e) => return Err(e),
        };
        let topic = TopicName::from_checked(raw.topic.share(&frame, None));
        let (dup, qos, retain) = (raw.dup, raw.qos, raw.retain);
        // The payload is the rest of the frame (section 3.3.3).
        let payload_len = raw.payload.len();
        frame.advance(frame.len().saturating_sub(payload_len));
        Ok(Publish {
            dup,
            qos,
            retain,
            topic,
            payload: frame,
        })
    }

    /// [`Publish::decode`] again, repairing ill-formed UTF-8 (`lossy_utf8`), for a body the
    /// strict parser refused for ill-formed UTF-8. (Up to the ill-formed field, the strict and
    /// the lossy parsers are the same, so they only differ from there.)
    #[cold]
    #[inline(never)]
    fn decode_lossy(flags: u8, body: &[u8], frame: &Bytes) -> Result<Self, DecodeError> {
        let mut repairs = Repairs::default();
        let raw = parse(flags, body, Some(&mut repairs))?;
        Ok(Publish {
            dup: raw.dup,
            qos: raw.qos,
            retain: raw.retain,
            topic: TopicName::from_checked(raw.topic.share(frame, Some(&repairs))),
            payload: share(frame, raw.payload),
        })
    }

    /// The borrowed view of this message.
    pub fn as_borrowed(&self) -> PublishRef<'_> {
        PublishRef {
            dup: self.dup,
            qos: self.qos,
            retain: self.retain,
            topic: self.topic.as_str(),
            payload: &self.payload,
        }
    }
}

/// The fields of a PUBLISH body, checked, borrowed from the frame.
pub(crate) struct RawPublish<'a> {
    pub(crate) dup: bool,
    pub(crate) qos: QosPid,
    pub(crate) retain: bool,
    pub(crate) topic: Checked<'a>,
    pub(crate) payload: &'a [u8],
}

/// Reads and checks a PUBLISH body: the parser of both decoders.
///
/// PUBLISH is most of the traffic, and its body is three fields, so it is read by hand
/// rather than through the nom parsers: the same rules, with the same errors.
#[inline(always)]
pub(crate) fn parse<'a>(
    flags: u8,
    body: &'a [u8],
    repairs: Option<&mut Repairs>,
) -> Result<RawPublish<'a>, DecodeError> {
    // The fixed header has refused QoS 3 and DUP at QoS 0.
    let qos = QoS::from_bits((flags >> 1) & 0b11).ok_or(DecodeError::InvalidPublishQos)?;
    // Topic Name (section 3.3.2.1): a length-prefixed string inside the body.
    let (topic, rest) = body
        .split_first_chunk::<2>()
        .and_then(|(len, rest)| rest.split_at_checked(usize::from(u16::from_be_bytes(*len))))
        .ok_or(DecodeError::FieldOverrun)?;
    // Packet Identifier (section 3.3.2.2), above QoS 0 only, never 0 [MQTT-2.3.1-1].
    let (qos, payload) = match qos {
        QoS::AtMostOnce => (QosPid::AtMostOnce, rest),
        QoS::AtLeastOnce | QoS::ExactlyOnce => {
            let (id, rest) = rest
                .split_first_chunk::<2>()
                .ok_or(DecodeError::FieldOverrun)?;
            let id = PacketId::new(u16::from_be_bytes(*id)).ok_or(DecodeError::ZeroPacketId)?;
            let qos = QosPid::new(qos, Some(id)).ok_or(DecodeError::FieldOverrun)?;
            (qos, rest)
        }
    };
    let topic = topic_name(topic, repairs)?;
    // The payload is the rest of the frame (section 3.3.3).
    Ok(RawPublish {
        dup: flags & DUP != 0,
        qos,
        retain: flags & RETAIN != 0,
        topic,
        payload,
    })
}

/// PUBLISH (section 3.3) borrowed from the buffer it was decoded from: what
/// [`Decoder::decode_ref`](crate::Decoder::decode_ref) returns, without allocating or counting
/// references. [`PublishRef::to_owned`] copies it into a [`Publish`].
///
/// The topic name is validated (it is private so that it stays so: read it with
/// [`PublishRef::topic`], make one with [`PublishRef::new`]).
///
/// ```
/// use mqttwire::{Encode, PublishRef, QosPid};
///
/// let publish = PublishRef::new("sensors/1", QosPid::AtMostOnce, b"21.5").unwrap();
/// let mut buf = [0u8; 32];
/// let mut out = &mut buf[..];
/// publish.encode(&mut out).unwrap();
/// assert_eq!(&buf[..2], [0x30, 15]);
/// assert!(PublishRef::new("sensors/#", QosPid::AtMostOnce, b"").is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PublishRef<'a> {
    /// DUP (section 3.3.1.1), as in [`Publish::dup`].
    pub dup: bool,
    /// QoS and, above QoS 0, the packet identifier.
    pub qos: QosPid,
    /// RETAIN (section 3.3.1.3).
    pub retain: bool,
    topic: &'a str,
    /// The application message.
    pub payload: &'a [u8],
}

impl<'a> PublishRef<'a> {
    /// A new message (DUP and RETAIN clear) on a topic name, which is checked.
    ///
    /// # Errors
    ///
    /// The [`TopicError`] naming the rule `topic` breaks.
    pub fn new(topic: &'a str, qos: QosPid, payload: &'a [u8]) -> Result<Self, TopicError> {
        check_name(topic)?;
        Ok(PublishRef {
            dup: false,
            qos,
            retain: false,
            topic,
            payload,
        })
    }

    /// The topic name (section 3.3.2.1), validated.
    #[inline]
    pub fn topic(&self) -> &'a str {
        self.topic
    }

    /// Copies the message into an owned [`Publish`], with one allocation for the topic and
    /// the payload together.
    pub fn to_owned(&self) -> Publish {
        let mut copy = BytesMut::with_capacity(self.topic.len().saturating_add(self.payload.len()));
        copy.extend_from_slice(self.topic.as_bytes());
        copy.extend_from_slice(self.payload);
        let mut payload = copy.freeze();
        let topic = payload.split_to(self.topic.len());
        Publish {
            dup: self.dup,
            qos: self.qos,
            retain: self.retain,
            topic: TopicName::from_checked(topic),
            payload,
        }
    }
}

impl<'a> From<RawPublish<'a>> for PublishRef<'a> {
    #[inline]
    fn from(raw: RawPublish<'a>) -> Self {
        PublishRef {
            dup: raw.dup,
            qos: raw.qos,
            retain: raw.retain,
            topic: raw.topic.as_str(),
            payload: raw.payload,
        }
    }
}

impl From<PublishRef<'_>> for Publish {
    fn from(publish: PublishRef<'_>) -> Self {
        publish.to_owned()
    }
}

fn remaining_len(qos: QosPid, topic: &[u8], payload: &[u8]) -> usize {
    let id_len = if qos.packet_id().is_some() { 2 } else { 0 };
    prefixed_len(topic.len())
        .saturating_add(id_len)
        .saturating_add(payload.len())
}

/// The encoder of [`Publish`] and of [`PublishRef`], as a macro expanded over each one's own
/// fields (`$topic` and `$payload`, read from `$p`): the topic taken as bytes, since turning a
/// `TopicName` into a `&str` would check its UTF-8 again, and a shared function taking slices
/// measured 10% slower.
macro_rules! publish_encoder {
    ($ty:ty, |$p:ident| topic: $topic:expr, payload: $payload:expr) => {
        impl Encode for $ty {
            fn encoded_len(&self) -> usize {
                let $p = self;
                frame_len(remaining_len($p.qos, $topic, $payload))
            }

            #[inline]
            fn encode<B: BufMut>(&self, buf: &mut B) -> Result<(), EncodeError> {
                let $p = self;
                if $p.dup && $p.qos == QosPid::AtMostOnce {
                    return Err(EncodeError::DupWithQos0);
                }
                let mut first = (PacketType::Publish.bits() << 4) | ($p.qos.qos().bits() << 1);
                if $p.dup {
                    first |= DUP;
                }
                if $p.retain {
                    first |= RETAIN;
                }
                // The fixed header and the topic's length prefix; the topic types bound its
                // length to 65,535.
                let topic = $topic;
                let topic_len = u16::try_from(topic.len())
                    .map_err(|_| EncodeError::FieldTooLong(topic.len()))?;
                let remaining = remaining_len($p.qos, topic, $payload);
                encode_frame(buf, first, remaining, topic_len, self)
            }
        }

        /// What follows the topic's length: the topic, the packet identifier, the payload.
        impl WriteRest for $ty {
            #[inline(always)]
            fn write_rest<S: Sink>(&self, out: &mut S) {
                let $p = self;
                out.append($topic);
                if let Some(id) = $p.qos.packet_id() {
                    out.u16(id.get());
                }
                out.append($payload);
            }
        }
    };
}

publish_encoder!(PublishRef<'_>, |p| topic: p.topic.as_bytes(), payload: p.payload);
publish_encoder!(Publish, |p| topic: p.topic.as_bytes(), payload: &p.payload);
