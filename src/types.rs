//! Small value types of the wire format: QoS, packet identifiers, return codes, protocol.

use core::num::NonZeroU16;

/// Quality of service of a message delivery (section 4.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum QoS {
    /// QoS 0: at most once, PUBLISH alone.
    AtMostOnce = 0,
    /// QoS 1: at least once, PUBLISH then PUBACK.
    AtLeastOnce = 1,
    /// QoS 2: exactly once, PUBLISH, PUBREC, PUBREL, PUBCOMP.
    ExactlyOnce = 2,
}

impl QoS {
    /// The QoS of a two-bit value, `None` for 3 (which the standard forbids everywhere).
    pub const fn from_bits(bits: u8) -> Option<QoS> {
        match bits {
            0 => Some(QoS::AtMostOnce),
            1 => Some(QoS::AtLeastOnce),
            2 => Some(QoS::ExactlyOnce),
            _ => None,
        }
    }

    /// The two-bit wire value.
    pub const fn bits(self) -> u8 {
        self as u8
    }
}

/// A packet identifier (section 2.3.1): never 0 [MQTT-2.3.1-1], so a value of this type is
/// always valid on the wire.
///
/// Make one with `PacketId::try_from(n)?` in a function that returns a `Result` (the error,
/// [`ZeroPacketId`], converts into `Box<dyn Error>`), or with the `const` [`PacketId::new`],
/// which returns an `Option`:
///
/// ```
/// use mqttwire::{PacketId, ZeroPacketId};
///
/// fn first_two() -> Result<(PacketId, PacketId), ZeroPacketId> {
///     let first = PacketId::try_from(1)?;
///     Ok((first, first.next()))
/// }
/// assert_eq!(first_two().map(|(a, b)| (a.get(), b.get())), Ok((1, 2)));
/// assert_eq!(PacketId::try_from(0), Err(ZeroPacketId));
/// assert_eq!(PacketId::new(7).map(PacketId::get), Some(7));
/// assert_eq!(PacketId::new(0), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PacketId(NonZeroU16);

/// The error of [`PacketId::try_from`] for 0, which is not a packet identifier
/// [MQTT-2.3.1-1]: identifiers are 1 to 65,535.
///
/// Implements `std::error::Error` with the `std` feature (the default), so `?` converts it
/// into `Box<dyn std::error::Error>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, thiserror::Error)]
#[error("0 is not a packet identifier; they are 1 to 65,535 [MQTT-2.3.1-1]")]
pub struct ZeroPacketId;

impl TryFrom<u16> for PacketId {
    type Error = ZeroPacketId;

    /// The identifier `id`.
    ///
    /// # Errors
    ///
    /// [`ZeroPacketId`] for 0.
    fn try_from(id: u16) -> Result<PacketId, ZeroPacketId> {
        PacketId::new(id).ok_or(ZeroPacketId)
    }
}

impl PacketId {
    /// The identifier `id`, or `None` for 0. Usable in `const` contexts; in a function that
    /// returns a `Result`, `PacketId::try_from(id)?` is shorter.
    pub const fn new(id: u16) -> Option<PacketId> {
        match NonZeroU16::new(id) {
            Some(id) => Some(PacketId(id)),
            None => None,
        }
    }

    /// The numeric value, 1 to 65,535.
    pub const fn get(self) -> u16 {
        self.0.get()
    }

    /// The identifier after this one, wrapping from 65,535 to 1: the usual way a client picks
    /// identifiers for new packets.
    pub const fn next(self) -> PacketId {
        match NonZeroU16::new(self.0.get().wrapping_add(1)) {
            Some(id) => PacketId(id),
            None => PacketId(NonZeroU16::MIN),
        }
    }
}

impl From<PacketId> for u16 {
    fn from(id: PacketId) -> u16 {
        id.get()
    }
}

impl From<NonZeroU16> for PacketId {
    fn from(id: NonZeroU16) -> PacketId {
        PacketId(id)
    }
}

/// The QoS of a PUBLISH together with its packet identifier, which is present exactly when the
/// QoS is above 0 [MQTT-2.3.1-5], so a PUBLISH without one cannot be built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QosPid {
    /// QoS 0: no packet identifier.
    AtMostOnce,
    /// QoS 1 and the packet identifier the PUBACK will echo.
    AtLeastOnce(PacketId),
    /// QoS 2 and the packet identifier the PUBREC, PUBREL and PUBCOMP will echo.
    ExactlyOnce(PacketId),
}

impl QosPid {
    /// The QoS.
    pub const fn qos(self) -> QoS {
        match self {
            QosPid::AtMostOnce => QoS::AtMostOnce,
            QosPid::AtLeastOnce(_) => QoS::AtLeastOnce,
            QosPid::ExactlyOnce(_) => QoS::ExactlyOnce,
        }
    }

    /// The packet identifier, `None` at QoS 0.
    pub const fn packet_id(self) -> Option<PacketId> {
        match self {
            QosPid::AtMostOnce => None,
            QosPid::AtLeastOnce(id) | QosPid::ExactlyOnce(id) => Some(id),
        }
    }

    /// Combines a QoS with a packet identifier; the identifier is dropped at QoS 0 and `None`
    /// is returned when QoS 1 or 2 has none.
    pub const fn new(qos: QoS, packet_id: Option<PacketId>) -> Option<QosPid> {
        match (qos, packet_id) {
            (QoS::AtMostOnce, _) => Some(QosPid::AtMostOnce),
            (QoS::AtLeastOnce, Some(id)) => Some(QosPid::AtLeastOnce(id)),
            (QoS::ExactlyOnce, Some(id)) => Some(QosPid::ExactlyOnce(id)),
            (_, None) => None,
        }
    }
}

/// The end of a connection a [`Decoder`](crate::Decoder) reads for, when it is told: the
/// direction of flow of each packet type and two MQTT 5.0 rules depend on who sent a packet
/// (see [`Decoder::role`](crate::Decoder::role)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// The decoder runs in a server and reads what a client sends.
    Server,
    /// The decoder runs in a client and reads what a server sends.
    Client,
}

/// The protocol a CONNECT asks for (section 3.1.2.1 and 3.1.2.2), and so the version a
/// connection speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Protocol {
    /// MQTT 3.1.1: protocol name `MQTT`, level 4.
    #[default]
    V311,
    /// MQTT 3.1, still met in the field: protocol name `MQIsdp`, level 3. Its CONNECT differs
    /// from 3.1.1 only in these two fields.
    V31,
    /// MQTT 5.0: protocol name `MQTT`, level 5. Its packets carry properties and reason codes,
    /// and it adds AUTH.
    V5,
}

impl Protocol {
    /// The protocol name as it appears on the wire.
    pub const fn name(self) -> &'static str {
        match self {
            Protocol::V311 | Protocol::V5 => "MQTT",
            Protocol::V31 => "MQIsdp",
        }
    }

    /// The protocol level byte.
    pub const fn level(self) -> u8 {
        match self {
            Protocol::V311 => 4,
            Protocol::V31 => 3,
            Protocol::V5 => 5,
        }
    }

    /// Whether this is MQTT 5.0.
    #[inline]
    pub const fn is_v5(self) -> bool {
        matches!(self, Protocol::V5)
    }
}

/// The return code of a CONNACK (section 3.2.2.3, Table 3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConnectReturnCode {
    /// 0x00: connection accepted.
    Accepted = 0,
    /// 0x01: the server does not support the protocol level the client asked for.
    UnacceptableProtocolVersion = 1,
    /// 0x02: the client identifier is well-formed UTF-8 but not allowed by the server.
    IdentifierRejected = 2,
    /// 0x03: the MQTT service is unavailable.
    ServerUnavailable = 3,
    /// 0x04: the user name or password is malformed.
    BadUserNameOrPassword = 4,
    /// 0x05: the client is not authorized to connect.
    NotAuthorized = 5,
}

impl ConnectReturnCode {
    /// The code of a byte, `None` for the reserved values 6-255.
    pub const fn from_byte(byte: u8) -> Option<ConnectReturnCode> {
        Some(match byte {
            0 => ConnectReturnCode::Accepted,
            1 => ConnectReturnCode::UnacceptableProtocolVersion,
            2 => ConnectReturnCode::IdentifierRejected,
            3 => ConnectReturnCode::ServerUnavailable,
            4 => ConnectReturnCode::BadUserNameOrPassword,
            5 => ConnectReturnCode::NotAuthorized,
            _ => return None,
        })
    }

    /// The wire byte.
    pub const fn byte(self) -> u8 {
        self as u8
    }
}

/// One return code of a SUBACK (section 3.9.3): the QoS granted, or failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SubscribeReturnCode {
    /// The subscription was accepted with this maximum QoS (0x00, 0x01, 0x02).
    Success(QoS),
    /// 0x80: the subscription was refused.
    Failure,
}

impl SubscribeReturnCode {
    /// The code of a byte, `None` for the reserved values [MQTT-3.9.3-2].
    pub const fn from_byte(byte: u8) -> Option<SubscribeReturnCode> {
        match byte {
            0x80 => Some(SubscribeReturnCode::Failure),
            _ => match QoS::from_bits(byte) {
                Some(qos) => Some(SubscribeReturnCode::Success(qos)),
                None => None,
            },
        }
    }

    /// The wire byte.
    pub const fn byte(self) -> u8 {
        match self {
            SubscribeReturnCode::Success(qos) => qos.bits(),
            SubscribeReturnCode::Failure => 0x80,
        }
    }
}

impl From<QoS> for SubscribeReturnCode {
    fn from(qos: QoS) -> Self {
        SubscribeReturnCode::Success(qos)
    }
}
