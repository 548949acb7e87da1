//! The packets that carry only a packet identifier: PUBACK, PUBREC, PUBREL, PUBCOMP (sections
//! 3.4 to 3.7) and UNSUBACK (section 3.11). Their fixed header (flags, Remaining Length of 2)
//! was checked before the body is read.

use super::first_byte;
use crate::codec::{frame_len, Encode};
use crate::error::{DecodeError, EncodeError};
use crate::header::PacketType;
use crate::types::PacketId;
use crate::wire::{finish, packet_id};
use crate::write::{encode_frame, NOTHING};
use bytes::BufMut;

macro_rules! ack_packet {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $name {
            /// The packet identifier of the packet this one answers.
            pub packet_id: PacketId,
        }

        impl $name {
            /// A packet answering `packet_id`.
            pub const fn new(packet_id: PacketId) -> Self {
                $name { packet_id }
            }

            pub(crate) fn decode(body: &[u8]) -> Result<Self, DecodeError> {
                finish(packet_id(body)).map($name::new)
            }
        }

        impl Encode for $name {
            fn encoded_len(&self) -> usize {
                frame_len(2)
            }

            #[inline]
            fn encode<B: BufMut>(&self, buf: &mut B) -> Result<(), EncodeError> {
                encode_frame(buf, first_byte(PacketType::$name), 2, self.packet_id.get(), NOTHING)
            }
        }
    };
}

ack_packet!(
    /// PUBACK (section 3.4): the answer to a QoS 1 PUBLISH.
    PubAck
);
ack_packet!(
    /// PUBREC (section 3.5): the first answer to a QoS 2 PUBLISH.
    PubRec
);
ack_packet!(
    /// PUBREL (section 3.6): the answer to a PUBREC. Its fixed header flags are `0010`
    /// [MQTT-3.6.1-1].
    PubRel
);
ack_packet!(
    /// PUBCOMP (section 3.7): the answer to a PUBREL, ending a QoS 2 exchange.
    PubComp
);
ack_packet!(
    /// UNSUBACK (section 3.11): the answer to an UNSUBSCRIBE.
    UnsubAck
);
