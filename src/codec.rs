//! The streaming [`Decoder`] and the one-shot decode functions.

use crate::error::DecodeError;
use crate::header::{
    FirstByteTable, FixedHeader, PacketType, FIRST_BYTE_V311, FIRST_BYTE_V5, MAX_REMAINING_LENGTH,
};
use crate::types::{Protocol, Role};
// The encoding side's items, where the packets have always imported them from.
pub(crate) use crate::encode::{frame_len, Encode};
use crate::packet::{publish, PacketRef};
#[cfg(feature = "alloc")]
use crate::packet::{Packet, Publish};
use crate::prefetch;
#[cfg(feature = "alloc")]
use bytes::{Buf, Bytes, BytesMut};

/// Decodes MQTT 3.1.1 control packets from a byte stream, with limits and a strictness policy.
///
/// The decoder keeps no state between calls: everything not yet decoded stays in the caller's
/// buffer, so one decoder can serve any number of connections.
///
/// ```
/// use bytes::BytesMut;
/// use mqttwire::{Decoder, Packet};
///
/// let decoder = Decoder::new().max_packet_size(64 * 1024);
/// let mut buf = BytesMut::new();
///
/// buf.extend_from_slice(&[0xc0]); // the first byte of a PINGREQ...
/// assert_eq!(decoder.decode(&mut buf), Ok(None));
/// buf.extend_from_slice(&[0x00]); // ...and its Remaining Length
/// assert_eq!(decoder.decode(&mut buf), Ok(Some(Packet::PingReq)));
/// assert!(buf.is_empty());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decoder {
    pub(crate) max_packet_size: usize,
    pub(crate) lossy_utf8: bool,
    pub(crate) strict_flags: bool,
    pub(crate) protocol: Protocol,
    /// Which end of the connection this decoder reads for, if it was told.
    pub(crate) role: Option<Role>,
    /// The fast path's first-byte table for `protocol`, kept here so that finding it costs one
    /// load per packet.
    first_bytes: FirstBytes,
}

/// A first-byte table, compared and shown by which version it is for.
#[derive(Clone, Copy)]
struct FirstBytes(&'static FirstByteTable);

impl FirstBytes {
    const fn of(protocol: Protocol) -> Self {
        FirstBytes(if protocol.is_v5() {
            FIRST_BYTE_V5
        } else {
            FIRST_BYTE_V311
        })
    }
}

// The table follows from `protocol`, which the derives of `Decoder` compare and show.
impl PartialEq for FirstBytes {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for FirstBytes {}

impl core::fmt::Debug for FirstBytes {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("..")
    }
}

impl Default for Decoder {
    fn default() -> Self {
        Decoder::new()
    }
}

impl Decoder {
    /// The default limit on the size of one packet, fixed header included: 1 MiB.
    ///
    /// Chosen for a server: a peer can make the decoder buffer (and reserve) at most this much
    /// per connection, and it is far above what sensors and ordinary clients publish. MQTT
    /// itself allows 268,435,460 bytes; raise the limit with
    /// [`Decoder::max_packet_size`] when your peers send larger messages.
    pub const DEFAULT_MAX_PACKET_SIZE: usize = 1024 * 1024;

    /// The largest packet MQTT can express: a five-byte fixed header and a Remaining Length of
    /// 268,435,455.
    pub const PROTOCOL_MAX_PACKET_SIZE: usize = 5 + MAX_REMAINING_LENGTH;

    /// A strict decoder with the default limit ([`Decoder::DEFAULT_MAX_PACKET_SIZE`]).
    pub const fn new() -> Self {
        Decoder {
            max_packet_size: Self::DEFAULT_MAX_PACKET_SIZE,
            lossy_utf8: false,
            strict_flags: true,
            protocol: Protocol::V311,
            role: None,
            first_bytes: FirstBytes::of(Protocol::V311),
        }
    }

    /// Sets the protocol version of the connection: MQTT 3.1.1 (the default, which also reads
    /// MQTT 3.1) or MQTT 5.0.
    ///
    /// A CONNECT is decoded whatever the version, since it says its own: a server decodes a
    /// connection's first packet with any decoder, then the rest of the connection with
    /// `decoder.protocol(connect.protocol)`. A client sets the version it connects with.
    pub const fn protocol(mut self, protocol: Protocol) -> Self {
        self.protocol = protocol;
        self.first_bytes = FirstBytes::of(protocol);
        self
    }

    /// Sets which end of the connection this decoder reads for, so that it also checks the
    /// rules that depend on who sent a packet. Packets that only travel the other way are
    /// refused from their fixed header ([`DecodeError::WrongDirection`], the direction of flow
    /// of MQTT 3.1.1 Table 2.1 and MQTT 5.0 Table 2-1): a client refuses CONNECT, SUBSCRIBE,
    /// UNSUBSCRIBE, PINGREQ and, in 3.1.1, DISCONNECT; a server refuses CONNACK, SUBACK,
    /// UNSUBACK and PINGRESP. In MQTT 5.0 a server also refuses a PUBLISH with a Subscription
    /// Identifier [MQTT-3.3.4-6] ([`DecodeError::SubscriptionIdentifierFromClient`]), a client
    /// a DISCONNECT with a Session Expiry Interval [MQTT-3.14.2-2]
    /// ([`DecodeError::SessionExpiryFromServer`]). Without a role, the decoder accepts what
    /// either end may send.
    ///
    /// Firmware gains flash from it too: when the role is a constant the optimiser sees, the
    /// parsers of the packets refused are left out of the binary.
    ///
    /// ```
    /// use mqttwire::{DecodeError, Decoder, Protocol, Role};
    ///
    /// // PUBLISH "a", Subscription Identifier 7, payload "x": only a server may send it.
    /// let publish = b"\x30\x07\x00\x01a\x02\x0b\x07x";
    /// let client = Decoder::new().protocol(Protocol::V5).role(Role::Client);
    /// assert!(client.decode_frame_ref(publish).is_ok());
    /// let server = Decoder::new().protocol(Protocol::V5).role(Role::Server);
    /// assert_eq!(
    ///     server.decode_frame_ref(publish),
    ///     Err(DecodeError::SubscriptionIdentifierFromClient)
    /// );
    ///
    /// // A client never receives a PINGREQ.
    /// assert!(matches!(
    ///     client.decode_frame_ref(&[0xc0, 0x00]),
    ///     Err(DecodeError::WrongDirection { role: Role::Client, .. })
    /// ));
    /// ```
    pub const fn role(mut self, role: Role) -> Self {
        self.role = Some(role);
        self
    }

    /// Whether this decoder reads what a client sends.
    #[inline(always)]
    pub(crate) fn reads_client(&self) -> bool {
        matches!(self.role, Some(Role::Server))
    }

    /// Whether this decoder reads what a server sends.
    #[inline(always)]
    pub(crate) fn reads_server(&self) -> bool {
        matches!(self.role, Some(Role::Client))
    }

    /// Refuses a packet type that never travels towards this decoder's end of the connection
    /// (MQTT 3.1.1 section 2.2.1, Table 2.1; MQTT 5.0 section 2.1.2, Table 2-1). PUBLISH, the
    /// acknowledgements of PUBLISH and AUTH travel both ways, and DISCONNECT does in 5.0.
    #[inline(always)]
    pub(crate) fn check_direction(&self, packet_type: PacketType) -> Result<(), DecodeError> {
        use PacketType::*;
        let refused = match self.role {
            None => false,
            Some(Role::Client) => match packet_type {
                Connect | Subscribe | Unsubscribe | PingReq => true,
                Disconnect => !self.v5(),
                _ => false,
            },
            Some(Role::Server) => matches!(packet_type, ConnAck | SubAck | UnsubAck | PingResp),
        };
        match (refused, self.role) {
            (true, Some(role)) => Err(DecodeError::WrongDirection { packet_type, role }),
            _ => Ok(()),
        }
    }

    /// The protocol version this decoder reads.
    pub const fn protocol_version(&self) -> Protocol {
        self.protocol
    }

    /// Whether the connection speaks MQTT 5.0.
    #[inline(always)]
    pub(crate) const fn v5(&self) -> bool {
        self.protocol.is_v5()
    }

    /// The fast path's first-byte table for this version.
    #[inline(always)]
    fn first_bytes(&self) -> &'static FirstByteTable {
        self.first_bytes.0
    }

    /// Sets the largest packet accepted, counting the **whole packet, fixed header included**
    /// (a PINGREQ is 2 bytes). A larger packet is refused from its fixed header alone with
    /// [`DecodeError::PacketTooLarge`], before its body is buffered, so the decoder never
    /// reserves more than this, on a new buffer or a reused one.
    pub const fn max_packet_size(mut self, max: usize) -> Self {
        self.max_packet_size = max;
        self
    }

    /// Opt-out: accept ill-formed UTF-8 in received strings, topic names and filters, replacing
    /// each ill-formed sequence with U+FFFD (only then is the string copied). Off by default:
    /// the standard asks to close the connection [MQTT-1.5.3-1]. A client that must keep
    /// talking to a sloppy broker may turn it on. The other rules (no U+0000, no wildcard in a
    /// topic name, ...) still apply.
    pub const fn lossy_utf8(mut self, accept: bool) -> Self {
        self.lossy_utf8 = accept;
        self
    }

    /// Opt-out: accept any value in the reserved flag bits of the fixed header of packets other
    /// than PUBLISH (for instance a SUBSCRIBE sent with flags `0000` by an old MQTT 3.1 client).
    /// Off by default: the standard asks to close the connection [MQTT-2.2.2-2]. PUBLISH flags
    /// are always checked, since they carry meaning.
    pub const fn lenient_reserved_flags(mut self, accept: bool) -> Self {
        self.strict_flags = !accept;
        self
    }

    /// The configured packet size limit.
    pub const fn max_packet_size_limit(&self) -> usize {
        self.max_packet_size
    }

    #[cfg(feature = "alloc")]
    /// Decodes the next packet from the front of `buf`.
    ///
    /// - `Ok(None)`: `buf` does not hold a whole packet yet. Its content is untouched; once the
    ///   fixed header is known, `buf` is given room for the whole packet: taken back from
    ///   packets already split off and dropped if it can be, otherwise in one allocation of
    ///   exactly the packet's size, which the limit bounds (so a buffer reused after large
    ///   packets never makes the decoder allocate twice the limit). Growth beyond that room
    ///   is the caller's: reading into the spare room (as tokio-util's `FramedRead` does)
    ///   takes the packet without another allocation, while `BytesMut::reserve` with more than
    ///   the room may double the buffer.
    /// - `Ok(Some(packet))`: exactly one packet was taken from the front of `buf`. Its strings
    ///   and payload share that memory, without copying.
    /// - `Err(_)`: the bytes are not a valid packet; close the connection [MQTT-4.8.0-1]. The
    ///   stream cannot be resynchronised, so what is left in `buf` no longer matters (a packet
    ///   whose fixed header is malformed is left there, one whose body is malformed has been
    ///   taken out).
    ///
    /// Errors are reported as early as possible: a bad first byte as soon as it arrives, an
    /// over-long Remaining Length at its fourth byte, an oversized or impossible length as soon
    /// as the fixed header is complete.
    ///
    /// # Errors
    ///
    /// Any [`DecodeError`].
    #[inline]
    pub fn decode(&self, buf: &mut BytesMut) -> Result<Option<Packet>, DecodeError> {
        prefetch::ahead(buf);
        let header = FixedHeader::peek_fast(buf, self.first_bytes());
        // The common case on its own, in as little code as possible: a whole PUBLISH within the
        // limit. Everything else, and every error, is left to `decode_other`, out of line.
        if let Some(header) = header {
            let frame_len = header.frame_len();
            if header.packet_type == PacketType::Publish
                && frame_len <= self.max_packet_size
                && frame_len <= buf.len()
            {
                prefetch::after(buf.get(..frame_len).unwrap_or_default());
                // The payload takes over the frame's reference to the buffer.
                let frame = buf.split_to(frame_len).freeze();
                let body_start = usize::from(header.header_len);
                return Publish::decode_packet(header.flags, body_start, frame, self);
            }
        }
        self.decode_other(buf, header)
    }

    #[cfg(feature = "alloc")]
    /// [`Decoder::decode`] for every case but a whole PUBLISH whose fixed header took the fast
    /// path: `header` is that fast path's result.
    #[inline(never)]
    fn decode_other(
        &self,
        buf: &mut BytesMut,
        header: Option<FixedHeader>,
    ) -> Result<Option<Packet>, DecodeError> {
        let header = match header {
            Some(header) => header,
            None => match FixedHeader::peek_with(buf, self.strict_flags, self.v5())? {
                Some(header) => header,
                None => return Ok(None),
            },
        };
        let frame_len = self.check_size(&header)?;
        self.check_direction(header.packet_type)?;
        if buf.len() < frame_len {
            if buf.capacity() < frame_len {
                make_room(buf, frame_len);
            }
            return Ok(None);
        }
        prefetch::after(buf.get(..frame_len).unwrap_or_default());
        if !Packet::shares_frame(header.packet_type, self.v5()) {
            // Acknowledgements, pings and the like keep nothing of their frame: decode them in
            // place and drop the bytes, without a shared reference to the buffer.
            let body = buf
                .get(usize::from(header.header_len)..frame_len)
                .unwrap_or_default();
            let packet = Packet::decode_unshared(header.packet_type, body);
            buf.advance(frame_len);
            return packet.map(Some);
        }
        let frame = buf.split_to(frame_len).freeze();
        Packet::decode(&header, frame, self).map(Some)
    }

    /// Decodes the next packet from the front of `buf` without copying or allocating: the
    /// packet borrows `buf` (see [`PacketRef`]). The front end for firmware and for servers
    /// that handle each packet before reading on.
    ///
    /// - `Ok(None)`: `buf` does not hold a whole packet yet; read more after it.
    /// - `Ok(Some((packet, consumed)))`: the packet is the first `consumed` bytes of `buf`;
    ///   the next one starts at `buf[consumed..]`.
    /// - `Err(_)`: the bytes are not a valid packet; close the connection [MQTT-4.8.0-1].
    ///
    /// Every rule of [`Decoder::decode`] is checked, with the same errors, as early (a bad
    /// fixed header, an oversized or impossible length are reported before the body has
    /// arrived), with the same size limit and flag policy. One exception:
    /// [`Decoder::lossy_utf8`] does not apply, since a borrowed string cannot hold a repaired
    /// copy; ill-formed UTF-8 is always refused ([`DecodeError::InvalidString`],
    /// [`DecodeError::InvalidTopicName`], [`DecodeError::InvalidTopicFilter`]). Use
    /// [`Decoder::decode`] when you need the repair.
    ///
    /// A receive loop over a fixed buffer, as on a microcontroller without a heap to spare:
    ///
    /// ```
    /// use mqttwire::{Decoder, PacketRef};
    ///
    /// let decoder = Decoder::new().max_packet_size(256);
    /// let mut rx = [0u8; 256]; // the receive buffer
    /// let mut filled = 0;
    /// let mut temperatures = 0;
    ///
    /// // Two reads from the network: a PUBLISH split across them, then a PINGRESP.
    /// for read in [&b"\x30\x0f\x00\x09sensors/1"[..], b"21.5\xd0\x00"] {
    ///     rx[filled..filled + read.len()].copy_from_slice(read);
    ///     filled += read.len();
    ///     let mut start = 0;
    ///     while let Some((packet, consumed)) = decoder.decode_ref(&rx[start..filled])? {
    ///         match packet {
    ///             PacketRef::Publish(p) if p.topic() == "sensors/1" => {
    ///                 assert_eq!(p.payload, b"21.5");
    ///                 temperatures += 1;
    ///             }
    ///             PacketRef::PingResp => {}
    ///             other => panic!("unexpected {other:?}"),
    ///         }
    ///         start += consumed;
    ///     }
    ///     // Keep the incomplete rest at the front of the buffer.
    ///     rx.copy_within(start..filled, 0);
    ///     filled -= start;
    /// }
    /// assert_eq!((temperatures, filled), (1, 0));
    /// # Ok::<(), mqttwire::DecodeError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Any [`DecodeError`].
    #[inline]
    pub fn decode_ref<'a>(
        &self,
        buf: &'a [u8],
    ) -> Result<Option<(PacketRef<'a>, usize)>, DecodeError> {
        // Written out as in `decode` on purpose: a shared `peek_header` returning
        // `Result<Option<FixedHeader>>` measured 172 -> 210 instructions per small PUBLISH here.
        prefetch::ahead(buf);
        let header = match FixedHeader::peek_fast(buf, self.first_bytes()) {
            Some(header) => header,
            None => match FixedHeader::peek_with(buf, self.strict_flags, self.v5())? {
                Some(header) => header,
                None => return Ok(None),
            },
        };
        let frame_len = self.check_size(&header)?;
        let Some(body) = buf.get(usize::from(header.header_len)..frame_len) else {
            // Refused before its body has arrived; a PUBLISH travels both ways.
            self.check_direction(header.packet_type)?;
            return Ok(None);
        };
        prefetch::after(body);
        if header.packet_type == PacketType::Publish {
            // The common case, without the dispatch (nor the direction check).
            let publish = publish::parse(header.flags, body, None, self.v5(), self.reads_client())?;
            return Ok(Some((PacketRef::Publish(publish.into()), frame_len)));
        }
        Ok(Some((PacketRef::parse(&header, body, self)?, frame_len)))
    }

    /// Decodes `frame`, which must hold exactly one packet, borrowing it (see
    /// [`Decoder::decode_ref`], whose rules apply).
    ///
    /// ```
    /// use mqttwire::{Decoder, PacketRef};
    ///
    /// let packet = Decoder::new().decode_frame_ref(&[0xe0, 0x00]).unwrap();
    /// assert!(matches!(packet, PacketRef::Disconnect(_)));
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Decoder::decode_frame`].
    pub fn decode_frame_ref<'a>(&self, frame: &'a [u8]) -> Result<PacketRef<'a>, DecodeError> {
        let header = self.frame_header(frame)?;
        let body = frame
            .get(usize::from(header.header_len)..)
            .unwrap_or_default();
        PacketRef::parse(&header, body, self)
    }

    #[cfg(feature = "alloc")]
    /// Decodes `frame`, which must hold exactly one packet, sharing its memory.
    ///
    /// ```
    /// use bytes::Bytes;
    /// use mqttwire::{Decoder, Packet};
    ///
    /// let packet = Decoder::new().decode_frame(Bytes::from_static(&[0xe0, 0x00])).unwrap();
    /// assert_eq!(packet, Packet::Disconnect(mqttwire::Disconnect::new()));
    /// ```
    ///
    /// # Errors
    ///
    /// [`DecodeError::IncompleteFrame`] if `frame` ends before the packet it starts,
    /// [`DecodeError::FrameLengthMismatch`] if bytes follow it, otherwise any [`DecodeError`].
    pub fn decode_frame(&self, frame: Bytes) -> Result<Packet, DecodeError> {
        let header = self.frame_header(&frame)?;
        Packet::decode(&header, frame, self)
    }

    /// The fixed header of a buffer that must hold exactly one packet.
    fn frame_header(&self, frame: &[u8]) -> Result<FixedHeader, DecodeError> {
        let header = match FixedHeader::peek_fast(frame, self.first_bytes()) {
            Some(header) => header,
            None => FixedHeader::peek_with(frame, self.strict_flags, self.v5())?
                .ok_or(DecodeError::IncompleteFrame)?,
        };
        let declared = self.check_size(&header)?;
        self.check_direction(header.packet_type)?;
        if declared > frame.len() {
            return Err(DecodeError::IncompleteFrame);
        }
        if declared < frame.len() {
            return Err(DecodeError::FrameLengthMismatch {
                declared,
                actual: frame.len(),
            });
        }
        Ok(header)
    }

    #[inline]
    fn check_size(&self, header: &FixedHeader) -> Result<usize, DecodeError> {
        let size = header.frame_len();
        if size > self.max_packet_size {
            return Err(DecodeError::PacketTooLarge {
                size,
                max: self.max_packet_size,
            });
        }
        Ok(size)
    }
}

#[cfg(feature = "alloc")]
/// Makes room in `buf` for a frame of `frame_len` bytes, which it starts, allocating at most
/// `frame_len` bytes.
///
/// `BytesMut::reserve` alone does not keep that bound: on a buffer whose allocation is shared
/// with frames split off earlier, or was grown before, it may allocate twice the old capacity
/// (2 MiB for a 1 MiB frame after a 1 MiB frame) or the buffer's original capacity (up to
/// 64 KiB for a frame of 200 bytes), whatever the decoder's limit. So the room is first taken
/// back without allocating (the space of frames already split off and dropped), and if that is
/// not enough the buffer is replaced by one of exactly `frame_len` bytes holding what it held
/// (less than a frame: the header and part of the body).
#[cold]
#[inline(never)]
fn make_room(buf: &mut BytesMut, frame_len: usize) {
    let missing = frame_len.saturating_sub(buf.len());
    if buf.try_reclaim(missing) {
        return;
    }
    let mut fresh = BytesMut::with_capacity(frame_len);
    fresh.extend_from_slice(buf);
    *buf = fresh;
}

#[cfg(feature = "alloc")]
/// Decodes the next packet from the front of `buf` with a default [`Decoder`].
///
/// See [`Decoder::decode`] for the meaning of `Ok(None)`, `Ok(Some(_))` and `Err(_)`.
///
/// ```
/// use bytes::BytesMut;
/// use mqttwire::{decode, Packet};
///
/// let mut buf = BytesMut::from(&b"\x30\x07\x00\x03a/bhi"[..]);
/// let Some(Packet::Publish(publish)) = decode(&mut buf).unwrap() else { panic!() };
/// assert_eq!(publish.topic(), "a/b");
/// assert_eq!(publish.payload(), b"hi");
/// ```
///
/// # Errors
///
/// Any [`DecodeError`].
pub fn decode(buf: &mut BytesMut) -> Result<Option<Packet>, DecodeError> {
    Decoder::new().decode(buf)
}

/// Decodes the next packet from the front of `buf` with a default [`Decoder`], borrowing
/// `buf`.
///
/// See [`Decoder::decode_ref`] for the meaning of the result.
///
/// ```
/// use mqttwire::{decode_ref, PacketRef};
///
/// let rx = b"\x30\x07\x00\x03a/bhi\xc0\x00";
/// let Some((PacketRef::Publish(publish), consumed)) = decode_ref(rx).unwrap() else { panic!() };
/// assert_eq!((publish.topic(), publish.payload), ("a/b", &b"hi"[..]));
/// assert_eq!(decode_ref(&rx[consumed..]), Ok(Some((PacketRef::PingReq, 2))));
/// ```
///
/// # Errors
///
/// Any [`DecodeError`].
pub fn decode_ref(buf: &[u8]) -> Result<Option<(PacketRef<'_>, usize)>, DecodeError> {
    Decoder::new().decode_ref(buf)
}

#[cfg(feature = "alloc")]
/// Decodes `frame`, which must hold exactly one packet, with a default [`Decoder`].
///
/// # Errors
///
/// As [`Decoder::decode_frame`].
pub fn decode_frame(frame: Bytes) -> Result<Packet, DecodeError> {
    Decoder::new().decode_frame(frame)
}
