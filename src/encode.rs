//! Encoding: the [`Encode`] trait every packet implements, the [`Encoder`] that says which
//! version (and which largest packet) a peer takes, and the frame arithmetic the packets share.

use crate::error::EncodeError;
use crate::header::{remaining_length_len, MAX_REMAINING_LENGTH};
use crate::types::Protocol;
use crate::write::{SliceTarget, Target};
#[cfg(feature = "alloc")]
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

    /// Writes `packet` at the start of `out` for this peer; returns the number of bytes
    /// written. On error nothing is written.
    ///
    /// ```
    /// use mqttwire::{Encoder, PacketId, PubAck};
    ///
    /// let mut out = [0u8; 16];
    /// let len = Encoder::V5.encode_to_slice(&PubAck::new(PacketId::try_from(10)?), &mut out)?;
    /// assert_eq!(out[..len], [0x40, 0x02, 0x00, 0x0a]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Encode::encode_to_slice_for`].
    #[inline]
    pub fn encode_to_slice<P: Encode + ?Sized>(
        &self,
        packet: &P,
        out: &mut [u8],
    ) -> Result<usize, EncodeError> {
        packet.encode_to_slice_for(self, out)
    }

    /// Writes `packet` to `buf` for this peer. On error nothing is written.
    ///
    /// # Errors
    ///
    /// As [`Encode::encode_for`].
    #[cfg(feature = "alloc")]
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
    #[cfg(feature = "alloc")]
    pub fn to_bytes<P: Encode + ?Sized>(&self, packet: &P) -> Result<Bytes, EncodeError> {
        let mut buf = BytesMut::with_capacity(packet.encoded_len_for(self));
        packet.encode_for(self, &mut buf)?;
        Ok(buf.freeze())
    }
}

/// Encoding of a control packet: implemented by [`Packet`](crate::Packet),
/// [`PacketRef`](crate::PacketRef) and every packet type (and by nothing outside this crate).
///
/// [`Encode::encode`] writes MQTT 3.1.1 into a [`BufMut`](bytes::BufMut),
/// [`Encode::encode_to_slice`] into a plain `&mut [u8]` (without the `alloc` feature, the only
/// way); [`Encode::encode_for`] and [`Encode::encode_to_slice_for`] (or [`Encoder::encode`],
/// [`Encoder::encode_to_slice`]) write the version of a given [`Encoder`].
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
/// assert!(ack.encode_to_slice(&mut small).is_err());
/// assert_eq!(small, [0; 3]);
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
    #[cfg(feature = "alloc")]
    #[inline]
    fn encode<B: BufMut>(&self, buf: &mut B) -> Result<(), EncodeError> {
        self.encode_for(&Encoder::V311, buf)
    }

    /// Encodes the packet in MQTT 3.1.1 into a new buffer of exactly the right size.
    ///
    /// # Errors
    ///
    /// As [`Encode::encode`].
    #[cfg(feature = "alloc")]
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
    #[cfg(feature = "alloc")]
    #[inline]
    fn encode_for<B: BufMut>(&self, encoder: &Encoder, buf: &mut B) -> Result<(), EncodeError> {
        self.write_to(encoder, buf)
    }

    /// Writes the packet in MQTT 3.1.1 at the start of `out`; returns the number of bytes
    /// written ([`Encode::encoded_len`]). On error nothing is written. Needs no allocator.
    ///
    /// # Errors
    ///
    /// [`EncodeError::BufferTooSmall`] when `out` is shorter than [`Encode::encoded_len`], or
    /// the [`EncodeError`] naming the rule the packet breaks, as [`Encode::encode`].
    #[inline]
    fn encode_to_slice(&self, out: &mut [u8]) -> Result<usize, EncodeError> {
        self.encode_to_slice_for(&Encoder::V311, out)
    }

    /// Writes the packet at the start of `out` in the version of `encoder`, within its packet
    /// size limit; returns the number of bytes written ([`Encode::encoded_len_for`]). On error
    /// nothing is written.
    ///
    /// # Errors
    ///
    /// [`EncodeError::BufferTooSmall`] when `out` is shorter than
    /// [`Encode::encoded_len_for`], otherwise as [`Encode::encode_for`].
    #[inline]
    fn encode_to_slice_for(&self, encoder: &Encoder, out: &mut [u8]) -> Result<usize, EncodeError> {
        let mut target = SliceTarget::new(out);
        self.write_to(encoder, &mut target)?;
        Ok(target.written)
    }

    /// The one encoding routine of a packet, for every kind of buffer: what `encode_for` and
    /// `encode_to_slice_for` call.
    #[doc(hidden)]
    fn write_to<T: Target>(&self, encoder: &Encoder, target: &mut T) -> Result<(), EncodeError>;
}

/// Bytes a packet with this Remaining Length takes in all.
#[inline]
pub(crate) const fn frame_len(remaining_length: usize) -> usize {
    remaining_length
        .saturating_add(remaining_length_len(remaining_length))
        .saturating_add(1)
}
