//! The fixed header (section 2.2): packet type, flags and the Remaining Length varint.

use crate::error::DecodeError;
#[cfg(feature = "alloc")]
use bytes::BufMut;

/// The largest Remaining Length four varint bytes can carry (section 2.2.3).
pub const MAX_REMAINING_LENGTH: usize = 268_435_455;

/// The most bytes a fixed header takes: one type-and-flags byte and four length bytes.
pub const MAX_FIXED_HEADER_LEN: usize = 5;

/// The type of an MQTT control packet (section 2.2.1, Table 2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PacketType {
    /// 1, client to server: connection request.
    Connect = 1,
    /// 2, server to client: connection acknowledgement.
    ConnAck = 2,
    /// 3, both ways: publish message.
    Publish = 3,
    /// 4, both ways: QoS 1 publish acknowledgement.
    PubAck = 4,
    /// 5, both ways: QoS 2 publish received (part 1).
    PubRec = 5,
    /// 6, both ways: QoS 2 publish release (part 2).
    PubRel = 6,
    /// 7, both ways: QoS 2 publish complete (part 3).
    PubComp = 7,
    /// 8, client to server: subscribe request.
    Subscribe = 8,
    /// 9, server to client: subscribe acknowledgement.
    SubAck = 9,
    /// 10, client to server: unsubscribe request.
    Unsubscribe = 10,
    /// 11, server to client: unsubscribe acknowledgement.
    UnsubAck = 11,
    /// 12, client to server: ping request.
    PingReq = 12,
    /// 13, server to client: ping response.
    PingResp = 13,
    /// 14, client to server (and in MQTT 5.0 server to client): disconnect notification.
    Disconnect = 14,
    /// 15, MQTT 5.0 only, both ways: authentication exchange. Reserved in MQTT 3.1.1.
    Auth = 15,
}

impl PacketType {
    /// The type of a four-bit value, `None` for the reserved 0. (15 is AUTH, which only MQTT
    /// 5.0 has: the decoders of 3.1.1 refuse it as reserved.)
    pub const fn from_bits(bits: u8) -> Option<PacketType> {
        Some(match bits {
            1 => PacketType::Connect,
            2 => PacketType::ConnAck,
            3 => PacketType::Publish,
            4 => PacketType::PubAck,
            5 => PacketType::PubRec,
            6 => PacketType::PubRel,
            7 => PacketType::PubComp,
            8 => PacketType::Subscribe,
            9 => PacketType::SubAck,
            10 => PacketType::Unsubscribe,
            11 => PacketType::UnsubAck,
            12 => PacketType::PingReq,
            13 => PacketType::PingResp,
            14 => PacketType::Disconnect,
            15 => PacketType::Auth,
            _ => return None,
        })
    }

    /// The four-bit wire value.
    pub const fn bits(self) -> u8 {
        self as u8
    }

    /// The flags every packet of this type carries (section 2.2.2, Table 2.2); `None` for
    /// PUBLISH, whose flags are DUP, QoS and RETAIN.
    pub const fn fixed_flags(self) -> Option<u8> {
        match self {
            PacketType::Publish => None,
            PacketType::PubRel | PacketType::Subscribe | PacketType::Unsubscribe => Some(0b0010),
            _ => Some(0),
        }
    }

    /// The range of Remaining Lengths a packet of this type can have, from its shortest valid
    /// form to its longest, so that impossible lengths are refused from the header alone.
    ///
    /// `flags` matter for PUBLISH only: QoS 1 and 2 add a packet identifier.
    pub(crate) const fn remaining_length_range(self, flags: u8, v5: bool) -> (u32, u32) {
        const MAX: u32 = MAX_REMAINING_LENGTH as u32;
        if v5 {
            return self.remaining_length_range_v5(flags);
        }
        match self {
            // CONNECT: left to the body parser, so a wrong protocol name or level is reported
            // as such (the server answers those with CONNACK 0x01) whatever the length.
            PacketType::Connect => (0, MAX),
            PacketType::ConnAck
            | PacketType::PubAck
            | PacketType::PubRec
            | PacketType::PubRel
            | PacketType::PubComp
            | PacketType::UnsubAck => (2, 2),
            PacketType::PingReq | PacketType::PingResp | PacketType::Disconnect => (0, 0),
            // The topic's length prefix, then the packet identifier when QoS > 0. Shorter
            // fields (empty topic, no filter) are left to the body parser, which names the
            // rule they break.
            PacketType::Publish if flags & 0b0110 == 0 => (2, MAX),
            PacketType::Publish => (4, MAX),
            // The packet identifier.
            PacketType::Subscribe | PacketType::SubAck | PacketType::Unsubscribe => (2, MAX),
            // Not a 3.1.1 packet: refused before its length is read.
            PacketType::Auth => (0, 0),
        }
    }

    /// [`PacketType::remaining_length_range`] in MQTT 5.0, where most packets end with
    /// properties, and the acknowledgements, DISCONNECT and AUTH have short forms (sections
    /// 3.4.2.1, 3.14.2.1, 3.15.2.1).
    const fn remaining_length_range_v5(self, flags: u8) -> (u32, u32) {
        const MAX: u32 = MAX_REMAINING_LENGTH as u32;
        match self {
            PacketType::Connect => (0, MAX),
            // Flags, reason code, Property Length.
            PacketType::ConnAck => (3, MAX),
            // The packet identifier alone means Success without properties.
            PacketType::PubAck
            | PacketType::PubRec
            | PacketType::PubRel
            | PacketType::PubComp
            | PacketType::Subscribe
            | PacketType::SubAck
            | PacketType::Unsubscribe
            | PacketType::UnsubAck => (2, MAX),
            PacketType::PingReq | PacketType::PingResp => (0, 0),
            // Nothing at all means Normal disconnection / Success without properties.
            PacketType::Disconnect | PacketType::Auth => (0, MAX),
            PacketType::Publish if flags & 0b0110 == 0 => (2, MAX),
            PacketType::Publish => (4, MAX),
        }
    }
}

/// A parsed fixed header (section 2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixedHeader {
    /// The packet type.
    pub packet_type: PacketType,
    /// The four flag bits of the first byte.
    pub flags: u8,
    /// The Remaining Length: bytes after the fixed header.
    pub remaining_length: u32,
    /// Bytes the fixed header itself takes, 2 to 5.
    pub header_len: u8,
}

impl FixedHeader {
    /// Reads the fixed header at the start of `bytes`, without consuming anything.
    ///
    /// Returns `Ok(None)` while the header is incomplete. The first byte is checked as soon as
    /// it is there (reserved type, fixed flags, PUBLISH QoS 3 and DUP at QoS 0), and a
    /// Remaining Length that would need a fifth byte is refused as soon as the fourth arrives.
    /// Flags are checked strictly; see [`Decoder::lenient_reserved_flags`] for the opt-out.
    ///
    /// ```
    /// use mqttwire::{FixedHeader, PacketType};
    ///
    /// let header = FixedHeader::peek(&[0x30, 0x80, 0x01]).unwrap().unwrap();
    /// assert_eq!(header.packet_type, PacketType::Publish);
    /// assert_eq!(header.remaining_length, 128);
    /// assert_eq!(header.frame_len(), 131);
    /// assert_eq!(FixedHeader::peek(&[0x30, 0x80]), Ok(None));
    /// ```
    ///
    /// # Errors
    ///
    /// [`DecodeError::ReservedPacketType`], [`DecodeError::InvalidFlags`],
    /// [`DecodeError::InvalidPublishQos`], [`DecodeError::DupWithQos0`],
    /// [`DecodeError::MalformedRemainingLength`], [`DecodeError::InvalidRemainingLength`].
    ///
    /// [`Decoder::lenient_reserved_flags`]: crate::Decoder::lenient_reserved_flags
    #[inline]
    pub fn peek(bytes: &[u8]) -> Result<Option<FixedHeader>, DecodeError> {
        Self::peek_with(bytes, true, false)
    }

    /// [`FixedHeader::peek`] for a connection in MQTT 5.0: AUTH (type 15) is a packet, the
    /// Remaining Length must be in its shortest form [MQTT-1.5.5-1], and the acknowledgements,
    /// DISCONNECT and AUTH may be longer than in 3.1.1.
    ///
    /// ```
    /// use mqttwire::{DecodeError, FixedHeader, PacketType};
    ///
    /// let auth = FixedHeader::peek_v5(&[0xf0, 0x00]).unwrap().unwrap();
    /// assert_eq!(auth.packet_type, PacketType::Auth);
    /// assert_eq!(FixedHeader::peek(&[0xf0, 0x00]), Err(DecodeError::ReservedPacketType(15)));
    /// // 0x80 0x00 is a two-byte encoding of 0.
    /// assert_eq!(
    ///     FixedHeader::peek_v5(&[0xe0, 0x80, 0x00]),
    ///     Err(DecodeError::NonMinimalVariableByteInteger)
    /// );
    /// ```
    ///
    /// # Errors
    ///
    /// As [`FixedHeader::peek`], and [`DecodeError::NonMinimalVariableByteInteger`].
    #[inline]
    pub fn peek_v5(bytes: &[u8]) -> Result<Option<FixedHeader>, DecodeError> {
        Self::peek_with(bytes, true, true)
    }

    #[inline]
    pub(crate) fn peek_with(
        bytes: &[u8],
        strict_flags: bool,
        v5: bool,
    ) -> Result<Option<FixedHeader>, DecodeError> {
        let Some((&first, rest)) = bytes.split_first() else {
            return Ok(None);
        };
        let packet_type = check_first_byte(first, strict_flags, v5)?;
        let Some((remaining_length, len_bytes)) = read_remaining_length(rest)? else {
            return Ok(None);
        };
        // A last byte of 0 after the first adds nothing: a shorter encoding existed.
        if v5 && len_bytes > 1 && rest.get(usize::from(len_bytes).saturating_sub(1)) == Some(&0) {
            return Err(DecodeError::NonMinimalVariableByteInteger);
        }
        let (min, max) = packet_type.remaining_length_range(first & 0x0f, v5);
        if remaining_length < min || remaining_length > max {
            return Err(DecodeError::InvalidRemainingLength {
                packet_type,
                remaining_length,
            });
        }
        Ok(Some(FixedHeader {
            packet_type,
            flags: first & 0x0f,
            remaining_length,
            // One type-and-flags byte, then one to four length bytes.
            header_len: len_bytes.saturating_add(1),
        }))
    }

    /// The common case of [`FixedHeader::peek_with`], without its error reporting: a first
    /// byte valid under the strict rules of the version whose table is `first_bytes`
    /// ([`FIRST_BYTE_V311`] or [`FIRST_BYTE_V5`]) and a Remaining Length of up to three bytes,
    /// in its shortest form, within the type's range. `None` means "not this case": the caller
    /// then runs `peek_with`, which applies every rule and names the one broken, so the two
    /// always agree on what they accept.
    #[inline]
    pub(crate) fn peek_fast(bytes: &[u8], first_bytes: &FirstByteTable) -> Option<FixedHeader> {
        let (first, remaining_length, header_len) = match *bytes {
            [first, len, ..] if len < 0x80 => (first, u32::from(len), 2),
            // Each arm is reached only when the bytes before `high` have their continuation
            // bit set. A last byte of 0 means a longer encoding than needed: left to
            // `peek_with`, which knows whether the version allows it [MQTT-1.5.5-1].
            [first, low, high, ..] if high < 0x80 => {
                if high == 0 {
                    return None;
                }
                (first, u32::from(low & 0x7f) | u32::from(high) << 7, 3)
            }
            [first, low, middle, high, ..] if high < 0x80 => {
                if high == 0 {
                    return None;
                }
                let value =
                    u32::from(low & 0x7f) | u32::from(middle & 0x7f) << 7 | u32::from(high) << 14;
                (first, value, 4)
            }
            _ => return None,
        };
        let admits = (*first_bytes.get(usize::from(first))?)?;
        if remaining_length < admits.min || remaining_length > admits.max {
            return None;
        }
        Some(FixedHeader {
            packet_type: admits.packet_type,
            flags: first & 0x0f,
            remaining_length,
            header_len,
        })
    }

    /// The whole packet's size: fixed header and Remaining Length.
    #[inline]
    pub fn frame_len(&self) -> usize {
        // At most 5 + 268,435,455: no overflow even on 32-bit targets.
        usize::from(self.header_len).saturating_add(self.remaining_length as usize)
    }
}

/// What a first byte admits, for [`FixedHeader::peek_fast`]: its packet type and the range of
/// Remaining Length values that type allows with its flags.
#[derive(Clone, Copy)]
pub(crate) struct Admits {
    packet_type: PacketType,
    min: u32,
    max: u32,
}

/// How many first bytes [`FirstByteTable`] covers: every one with the `fast-header` feature
/// (default); none without, so that every header takes [`FixedHeader::peek_with`], which
/// checks the same rules, and firmware saves the tables' flash (3 KiB per version: 6 KiB of
/// the 32 KiB that decoding and encoding all packets took on a Cortex-M4, `.ci/firmware.sh`).
const TABLE_LEN: usize = if cfg!(feature = "fast-header") {
    256
} else {
    0
};

/// For each first byte, what it admits in one version of the protocol, if it passes
/// [`check_first_byte`] with strict flags.
pub(crate) type FirstByteTable = [Option<Admits>; TABLE_LEN];

/// The first bytes of MQTT 3.1.1 (and 3.1), for [`FixedHeader::peek_fast`]; computed at compile
/// time by the rules of [`check_first_byte`], so that the fast path reads one entry instead of
/// decoding the type and matching on it twice.
pub(crate) const FIRST_BYTE_V311: &FirstByteTable = &first_byte_table(false);

/// The first bytes of MQTT 5.0, as [`FIRST_BYTE_V311`].
pub(crate) const FIRST_BYTE_V5: &FirstByteTable = &first_byte_table(true);

// `byte` < 256 = the table's length; evaluated at compile time.
#[cfg(feature = "fast-header")]
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
const fn first_byte_table(v5: bool) -> FirstByteTable {
    let mut table = [None; 256];
    let mut byte = 0;
    while byte < 256 {
        // `byte` < 256: the casts are exact.
        let flags = byte as u8 & 0x0f;
        if let Some(packet_type) = PacketType::from_bits(byte as u8 >> 4) {
            let qos = (flags >> 1) & 0b11;
            let valid = match packet_type.fixed_flags() {
                _ if !v5 && matches!(packet_type, PacketType::Auth) => false,
                Some(expected) => flags == expected,
                None => qos != 3 && !(qos == 0 && flags & 0b1000 != 0),
            };
            if valid {
                let (min, max) = packet_type.remaining_length_range(flags, v5);
                table[byte] = Some(Admits {
                    packet_type,
                    min,
                    max,
                });
            }
        }
        byte += 1;
    }
    table
}

/// Without `fast-header`, no table: every fixed header takes [`FixedHeader::peek_with`].
#[cfg(not(feature = "fast-header"))]
const fn first_byte_table(_v5: bool) -> FirstByteTable {
    []
}

/// Checks the first byte of a fixed header and returns its packet type.
#[inline]
fn check_first_byte(first: u8, strict_flags: bool, v5: bool) -> Result<PacketType, DecodeError> {
    let bits = first >> 4;
    let flags = first & 0x0f;
    let packet_type = match PacketType::from_bits(bits) {
        Some(PacketType::Auth) if !v5 => return Err(DecodeError::ReservedPacketType(bits)),
        Some(packet_type) => packet_type,
        None => return Err(DecodeError::ReservedPacketType(bits)),
    };
    match packet_type.fixed_flags() {
        Some(expected) => {
            if strict_flags && flags != expected {
                return Err(DecodeError::InvalidFlags { packet_type, flags });
            }
        }
        None => {
            let qos = (flags >> 1) & 0b11;
            if qos == 3 {
                return Err(DecodeError::InvalidPublishQos);
            }
            if qos == 0 && flags & 0b1000 != 0 {
                return Err(DecodeError::DupWithQos0);
            }
        }
    }
    Ok(packet_type)
}

/// Reads a Remaining Length varint (section 2.2.3): `Ok(None)` while incomplete, otherwise the
/// value and the number of bytes it took.
#[inline]
fn read_remaining_length(bytes: &[u8]) -> Result<Option<(u32, u8)>, DecodeError> {
    // Each byte adds seven bits, least significant group first.
    const GROUPS: [(u32, u8); 4] = [(0, 1), (7, 2), (14, 3), (21, 4)];
    let mut value: u32 = 0;
    for (&byte, (shift, len)) in bytes.iter().zip(GROUPS) {
        value |= u32::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Ok(Some((value, len)));
        }
    }
    if bytes.len() >= 4 {
        Err(DecodeError::MalformedRemainingLength)
    } else {
        Ok(None)
    }
}

/// Bytes a Remaining Length of `len` takes on the wire.
#[inline]
pub(crate) const fn remaining_length_len(len: usize) -> usize {
    match len {
        0..=127 => 1,
        128..=16_383 => 2,
        16_384..=2_097_151 => 3,
        _ => 4,
    }
}

#[cfg(feature = "alloc")]
/// Writes the fixed header. The caller has checked `remaining_length` ≤
/// [`MAX_REMAINING_LENGTH`] and that the buffer has room.
#[inline]
pub(crate) fn write_fixed_header<B: BufMut>(buf: &mut B, first_byte: u8, remaining_length: usize) {
    buf.put_u8(first_byte);
    for byte in remaining_length_bytes(remaining_length) {
        buf.put_u8(byte);
    }
}

/// The bytes of a Remaining Length on the wire (section 2.2.3): seven bits each, lowest first,
/// every byte but the last with its continuation bit set.
#[inline]
pub(crate) fn remaining_length_bytes(mut value: usize) -> impl Iterator<Item = u8> {
    let mut done = false;
    core::iter::from_fn(move || {
        if done {
            return None;
        }
        // Truncation intended: the low seven bits.
        let mut byte = (value & 0x7f) as u8;
        value >>= 7;
        if value > 0 {
            byte |= 0x80;
        } else {
            done = true;
        }
        Some(byte)
    })
}

#[cfg(all(test, feature = "alloc", feature = "fast-header"))]
mod fast_path_tests {
    use super::{FixedHeader, FIRST_BYTE_V311, FIRST_BYTE_V5};

    /// Every first byte with Remaining Lengths around each boundary, in one to three bytes, in
    /// both versions: whatever the fast path accepts, the full parser accepts the same way,
    /// strict or not, and the fast path takes every strict header of two or three bytes in
    /// shortest form that the full parser accepts.
    #[test]
    fn fast_path_agrees_with_peek_with() {
        let lengths: &[&[u8]] = &[
            &[0x00],
            &[0x01],
            &[0x02],
            &[0x03],
            &[0x04],
            &[0x7f],
            &[0x80, 0x01],
            &[0xff, 0x7f],
            &[0x80, 0x00],
            &[0x82, 0x00],
            &[0x80],
            &[0x80, 0x80, 0x01],
            &[0x80, 0x80, 0x00],
            // A non-minimal length followed by more bytes, which must not be read as part of
            // the length.
            &[0x80, 0x00, 0x01],
            &[0x88, 0x00, 0x01, 0x02],
            &[0x80, 0x80, 0x00, 0x01],
            &[],
        ];
        for (v5, table) in [(false, FIRST_BYTE_V311), (true, FIRST_BYTE_V5)] {
            for first in 0..=255u8 {
                for len in lengths {
                    let mut bytes = alloc::vec![first];
                    bytes.extend_from_slice(len);
                    let fast = FixedHeader::peek_fast(&bytes, table);
                    let strict = FixedHeader::peek_with(&bytes, true, v5);
                    if let Some(header) = fast {
                        assert_eq!(strict, Ok(Some(header)), "{bytes:02x?}");
                        assert_eq!(FixedHeader::peek_with(&bytes, false, v5), Ok(Some(header)));
                    } else if let Ok(Some(header)) = strict {
                        let minimal = !len
                            .windows(2)
                            .any(|w| matches!(w, [high, 0] if high & 0x80 != 0));
                        assert!(
                            header.header_len > 3 || !minimal,
                            "{bytes:02x?} missed by the fast path (v5: {v5})"
                        );
                    }
                }
            }
        }
    }
}
