//! Encoding: the [`Encode`] trait every packet implements, the [`Encoder`] that says which
//! version (and which largest packet) a peer takes, and the frame arithmetic the packets share.

use crate::error::EncodeError;
use crate::header::{remaining_length_len, write_fixed_header, MAX_REMAINING_LENGTH};
use crate::types::Protocol;
use bytes::{BufMut, Bytes, BytesMut};

/// How packets are encoded for one peer: the protocol version of the connection and the
/// largest packet the peer accepts (the Maximum Packet Size a 5.0 peer announced in its
/// CONNECT or CONNACK, sections 3.1.2.11.4 and 3.2.2.3.6).
///
/// [`Encode::encode`] encodes for MQTT 3.1.1 without a limit; an `Encoder` chooses:
///
/// ```
/// use mqttwire::{Encode, Encoder, PacketId, Protocol, PubAck};
///
/// let ack = PubAck::new(PacketId::try_from(10)?);
/// assert_eq!(&ack.to_bytes()?[..], [0x40, 0x02, 0x00, 0x0a]);
/// // In MQTT 5.0 a PUBACK of Success without properties has the same short form.
/// assert_eq!(&Encoder::new(Protocol::V5).to_bytes(&ack)?[..], [0x40, 0x02, 0x00, 0x0a]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Encoder {
    pub(crate) protocol: Protocol,
    pub(crate) max_packet_size: usize,
}

impl Default for Encoder {
    fn default() -> Self {
        Encoder::V311
    }
}

impl Encoder {
    /// MQTT 3.1.1 (and 3.1), no limit beyond the protocol's.
    pub const V311: Encoder = Encoder::new(Protocol::V311);

    /// MQTT 5.0, no limit beyond the protocol's.
    pub const V5: Encoder = Encoder::new(Protocol::V5);

    /// An encoder for `protocol`, no limit beyond the protocol's.
    pub const fn new(protocol: Protocol) -> Self {
        Encoder {
            protocol,
            max_packet_size: 5 + MAX_REMAINING_LENGTH,
        }
    }

    /// Sets the largest packet the peer accepts, fixed header included: the Maximum Packet
    /// Size of its CONNECT or CONNACK. A 5.0 packet that would be larger is sent without its
    /// Reason String and User Properties where the standard allows that ([MQTT-3.2.2-19],
    /// [MQTT-3.4.2-2] and their siblings), and is refused with
    /// [`EncodeError::ExceedsMaximumPacketSize`] when it still does not fit: the server
    /// discards such a message [MQTT-3.1.2-25].
    pub const fn max_packet_size(mut self, max: usize) -> Self {
        self.max_packet_size = max;
        self
    }

    /// The protocol version this encoder writes.
    pub const fn protocol(&self) -> Protocol {
        self.protocol
    }

    /// The largest packet this encoder writes.
    pub const fn max_packet_size_limit(&self) -> usize {
        self.max_packet_size
    }

    /// Whether the peer set a limit below the protocol's (otherwise the fixed header's own
    /// check on the Remaining Length is the only one needed).
    #[inline(always)]
    pub(crate) const fn limits(&self) -> bool {
        self.max_packet_size < 5 + MAX_REMAINING_LENGTH
    }

    /// Checks a packet of `size` bytes against the limit, when there is one.
    ///
    /// # Errors
    ///
    /// [`EncodeError::ExceedsMaximumPacketSize`].
    #[inline(always)]
    pub(crate) fn fits(&self, size: usize) -> Result<(), EncodeError> {
        if self.limits() && size > self.max_packet_size {
            return Err(EncodeError::ExceedsMaximumPacketSize {
                size,
                max: self.max_packet_size,
            });
        }
        Ok(())
    }

    /// Whether the peer speaks MQTT 5.0.
    #[inline(always)]
    pub(crate) const fn v5(&self) -> bool {
        self.protocol.is_v5()
    }

    /// The exact number of bytes [`Encoder::encode`] writes for `packet`.
    #[inline]
    pub fn encoded_len<P: Encode + ?Sized>(&self, packet: &P) -> usize {
        packet.encoded_len_for(self)
    }

    /// Writes `packet` to `buf` for this peer. On error nothing is written.
    ///
    /// # Errors
    ///
    /// As [`Encode::encode_for`].
    #[inline]
    pub fn encode<P: Encode + ?Sized, B: BufMut>(
        &self,
        packet: &P,
        buf: &mut B,
    ) -> Result<(), EncodeError> {
        packet.encode_for(self, buf)
    }

    /// Encodes `packet` for this peer into a new buffer of exactly the right size.
    ///
    /// # Errors
    ///
    /// As [`Encode::encode_for`].
    pub fn to_bytes<P: Encode + ?Sized>(&self, packet: &P) -> Result<Bytes, EncodeError> {
        let mut buf = BytesMut::with_capacity(packet.encoded_len_for(self));
        packet.encode_for(self, &mut buf)?;
        Ok(buf.freeze())
    }
}

/// Encoding of a control packet: implemented by [`Packet`](crate::Packet) and by every packet
/// type.
///
/// [`Encode::encode`] writes MQTT 3.1.1; [`Encode::encode_for`] (or [`Encoder::encode`])
/// writes the version of a given [`Encoder`].
///
/// ```
/// use mqttwire::{Encode, PubAck, PacketId};
///
/// let ack = PubAck::new(PacketId::try_from(10)?);
/// let mut buf = Vec::new();
/// ack.encode(&mut buf)?;
/// assert_eq!(buf, [0x40, 0x02, 0x00, 0x0a]);
/// assert_eq!(ack.encoded_len(), buf.len());
///
/// // A buffer that is too small is an error, not a panic, and nothing is written.
/// let mut small = [0u8; 3];
/// assert!(ack.encode(&mut &mut small[..]).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait Encode {
    /// The number of bytes [`Encode::encode`] writes (MQTT 3.1.1), fixed header included:
    /// exact whenever `encode` succeeds, so that a buffer of this size always suffices.
    ///
    /// For a value `encode` refuses, it is the length the packet would take on the wire with
    /// the fields it holds, as though the rule were not checked: a QoS 0 PUBLISH with DUP set
    /// ([`EncodeError::DupWithQos0`]) counts like the same PUBLISH without DUP (5 for topic
    /// `a` and no payload), a CONNACK refusing with session present
    /// ([`EncodeError::SessionPresentWithRefusal`]) 4, a CONNECT with a field over 65,535 bytes
    /// ([`EncodeError::FieldTooLong`]) its fields at their full lengths. A packet whose
    /// Remaining Length would exceed 268,435,455 ([`EncodeError::PacketTooLarge`]) counts that
    /// length and a four-byte Remaining Length, saturating at `usize::MAX`. So the length never
    /// says whether a packet can be encoded; [`Encode::encode`] does.
    #[inline]
    fn encoded_len(&self) -> usize {
        self.encoded_len_for(&Encoder::V311)
    }

    /// Writes the packet to `buf` in MQTT 3.1.1. On error nothing is written.
    ///
    /// # Errors
    ///
    /// [`EncodeError::BufferTooSmall`] when `buf` has less room than
    /// [`Encode::encoded_len`], or the [`EncodeError`] naming the rule the packet breaks
    /// ([`EncodeError::NotInV311`] for what only MQTT 5.0 can express).
    #[inline]
    fn encode<B: BufMut>(&self, buf: &mut B) -> Result<(), EncodeError> {
        self.encode_for(&Encoder::V311, buf)
    }

    /// Encodes the packet in MQTT 3.1.1 into a new buffer of exactly the right size.
    ///
    /// # Errors
    ///
    /// As [`Encode::encode`].
    fn to_bytes(&self) -> Result<Bytes, EncodeError> {
        Encoder::V311.to_bytes(self)
    }

    /// The number of bytes [`Encode::encode_for`] writes for `encoder` (as
    /// [`Encode::encoded_len`] for MQTT 3.1.1).
    fn encoded_len_for(&self, encoder: &Encoder) -> usize;

    /// Writes the packet to `buf` in the version of `encoder`, within its packet size limit.
    /// On error nothing is written.
    ///
    /// # Errors
    ///
    /// As [`Encode::encode`]; [`EncodeError::ExceedsMaximumPacketSize`] when the packet does
    /// not fit the encoder's limit; [`EncodeError::NotInV311`] for what MQTT 3.1.1 cannot
    /// express (AUTH, a failure reason code in an acknowledgement, ...).
    fn encode_for<B: BufMut>(&self, encoder: &Encoder, buf: &mut B) -> Result<(), EncodeError>;
}

/// Bytes a packet with this Remaining Length takes in all.
#[inline]
pub(crate) const fn frame_len(remaining_length: usize) -> usize {
    remaining_length
        .saturating_add(remaining_length_len(remaining_length))
        .saturating_add(1)
}

/// Starts encoding a packet: checks the Remaining Length and the room in `buf`, then writes the
/// fixed header. Packets call it only after their own checks, so that nothing is written when
/// encoding fails.
#[inline]
pub(crate) fn begin<B: BufMut>(
    buf: &mut B,
    first_byte: u8,
    remaining_length: usize,
) -> Result<(), EncodeError> {
    if remaining_length > MAX_REMAINING_LENGTH {
        return Err(EncodeError::PacketTooLarge(remaining_length));
    }
    let needed = frame_len(remaining_length);
    let available = buf.remaining_mut();
    if available < needed {
        return Err(EncodeError::BufferTooSmall { needed, available });
    }
    write_fixed_header(buf, first_byte, remaining_length);
    Ok(())
}

/// [`begin`], then a Two Byte Integer (a packet identifier, a topic length): when the Remaining
/// Length takes one byte, all four bytes are written at once.
#[inline(always)]
pub(crate) fn begin_with_u16<B: BufMut>(
    buf: &mut B,
    first_byte: u8,
    remaining_length: usize,
    value: u16,
) -> Result<(), EncodeError> {
    match u8::try_from(remaining_length) {
        Ok(len) if len < 0x80 => {
            let needed = frame_len(remaining_length);
            let available = buf.remaining_mut();
            if available < needed {
                return Err(EncodeError::BufferTooSmall { needed, available });
            }
            let [high, low] = value.to_be_bytes();
            buf.put_u32(u32::from_be_bytes([first_byte, len, high, low]));
        }
        _ => {
            begin(buf, first_byte, remaining_length)?;
            buf.put_u16(value);
        }
    }
    Ok(())
}
