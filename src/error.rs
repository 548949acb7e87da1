//! Errors of decoding and encoding, one variant per rule of the standard.

use crate::header::PacketType;
use crate::properties::{PropertyId, PropertySet};
use crate::reason::{ConnectReasonCode, DisconnectReasonCode};
use crate::string::StringError;
use crate::topic::TopicError;
use crate::types::{ConnectReturnCode, Role};

/// Why a sequence of bytes is not a well-formed MQTT 3.1.1 control packet.
///
/// Every variant names the normative statement of the OASIS standard it enforces. The standard
/// asks a receiver of a malformed packet to close the network connection [MQTT-4.8.0-1]; the
/// decoder leaves the connection to its caller and only reports the reason.
///
/// "Need more bytes" is never an error: the streaming decoder answers `Ok(None)` for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The packet type in the first byte is 0 or 15, which the standard reserves (section 2.2.1,
    /// Table 2.1).
    #[error("reserved control packet type {0} (section 2.2.1)")]
    ReservedPacketType(u8),

    /// The flags of the first byte differ from the values the standard fixes for this packet
    /// type [MQTT-2.2.2-1], [MQTT-2.2.2-2] (for PUBREL, SUBSCRIBE and UNSUBSCRIBE also
    /// [MQTT-3.6.1-1], [MQTT-3.8.1-1] and [MQTT-3.10.1-1]; for DISCONNECT [MQTT-3.14.1-1]).
    #[error("invalid fixed header flags {flags:#06b} for {packet_type:?} [MQTT-2.2.2-2]")]
    InvalidFlags {
        /// The packet type the flags belong to.
        packet_type: PacketType,
        /// The four low bits of the first byte.
        flags: u8,
    },

    /// A PUBLISH has both QoS bits set (QoS 3) [MQTT-3.3.1-4].
    #[error("PUBLISH with QoS 3 [MQTT-3.3.1-4]")]
    InvalidPublishQos,

    /// A PUBLISH at QoS 0 has its DUP flag set [MQTT-3.3.1-2].
    #[error("PUBLISH at QoS 0 with DUP set [MQTT-3.3.1-2]")]
    DupWithQos0,

    /// The Remaining Length field continues past its fourth byte (section 2.2.3: at most four
    /// bytes, 268,435,455).
    #[error("remaining length longer than four bytes (section 2.2.3)")]
    MalformedRemainingLength,

    /// The whole packet (fixed header included) is larger than the decoder's configured
    /// `max_packet_size`. Detected from the fixed header alone, before the body is buffered.
    #[error("packet of {size} bytes exceeds the limit of {max} bytes")]
    PacketTooLarge {
        /// Size the fixed header announces, in bytes, fixed header included.
        size: usize,
        /// The configured limit.
        max: usize,
    },

    /// The Remaining Length is impossible for this packet type: the fixed-size packets
    /// (CONNACK, PUBACK, PUBREC, PUBREL, PUBCOMP, UNSUBACK: 2; PINGREQ, PINGRESP, DISCONNECT: 0)
    /// and the minimum sizes of the others (sections 3.2 to 3.14). Detected from the fixed
    /// header alone.
    #[error("remaining length {remaining_length} is impossible for {packet_type:?}")]
    InvalidRemainingLength {
        /// The packet type.
        packet_type: PacketType,
        /// The Remaining Length the fixed header announced.
        remaining_length: u32,
    },

    /// A field runs past the end of the packet: the Remaining Length is too small for the
    /// content (section 2.2.3).
    #[error("a field runs past the end of the packet (remaining length too small)")]
    FieldOverrun,

    /// Bytes remain after the last field the packet can hold: the Remaining Length is too large
    /// for the content (section 2.2.3).
    #[error("{0} unexpected bytes after the last field of the packet")]
    TrailingBytes(usize),

    /// The bytes given to `decode_frame` end before the packet they start. (The streaming
    /// decoder never reports this: it answers `Ok(None)` and waits for more.)
    #[error("the frame ends before the packet it starts")]
    IncompleteFrame,

    /// The bytes given to `decode_frame` go on after the packet their fixed header announces.
    #[error("frame of {actual} bytes, but its fixed header announces {declared}")]
    FrameLengthMismatch {
        /// Frame size the fixed header announces, fixed header included.
        declared: usize,
        /// Bytes actually given.
        actual: usize,
    },

    /// The CONNECT protocol name is neither `MQTT` (3.1.1 and 5.0) nor `MQIsdp` (3.1)
    /// [MQTT-3.1.2-1].
    /// The server closes the connection without CONNACK: it must not go on processing the
    /// packet as MQTT 3.1.1 [MQTT-3.1.2-1], and a CONNECT that does not conform to section 3.1
    /// gets no CONNACK [MQTT-3.1.4-1] (so [`DecodeError::connack_code`] gives `None`).
    #[error("unsupported protocol name in CONNECT [MQTT-3.1.2-1]")]
    InvalidProtocolName,

    /// The CONNECT protocol level does not match its name (`MQTT` needs 4 or 5, `MQIsdp` needs
    /// 3): a 3.1.1 server answers CONNACK 0x01 and closes the connection [MQTT-3.1.2-2]; a 5.0
    /// server MAY answer CONNACK 0x84 (Unsupported Protocol Version) and closes it
    /// ([MQTT-3.1.2-2] of 5.0).
    #[error("unsupported protocol level {0} in CONNECT [MQTT-3.1.2-2]")]
    UnsupportedProtocolLevel(u8),

    /// The reserved bit 0 of the CONNECT flags is set [MQTT-3.1.2-3] (the same statement in
    /// 3.1.1 and 5.0).
    #[error("CONNECT reserved flag set [MQTT-3.1.2-3]")]
    ConnectReservedFlag,

    /// The Will flag is 0 but Will QoS or Will Retain is not: [MQTT-3.1.2-11], [MQTT-3.1.2-13],
    /// [MQTT-3.1.2-15] in 3.1.1; [MQTT-3.1.2-11], [MQTT-3.1.2-13] in 5.0.
    #[error("Will QoS or Will Retain set without the Will flag [MQTT-3.1.2-11]")]
    WillFlagsWithoutWill,

    /// The Will QoS is 3: [MQTT-3.1.2-14] in 3.1.1; in 5.0 [MQTT-3.1.2-12] allows 0, 1 and 2
    /// only, and 3 is a Malformed Packet (section 3.1.2.6).
    #[error("Will QoS 3 [MQTT-3.1.2-14]")]
    InvalidWillQos,

    /// The Password flag is set without the User Name flag, in an MQTT 3.1.1 or 3.1 CONNECT
    /// [MQTT-3.1.2-22]. (MQTT 5.0 allows a password alone, section 3.1.2.9.)
    #[error("password without user name [MQTT-3.1.2-22]")]
    PasswordWithoutUsername,

    /// A UTF-8 encoded string field is not valid (ill-formed UTF-8 [MQTT-1.5.3-1] or contains
    /// U+0000 [MQTT-1.5.3-2]). Topic names and filters report [`DecodeError::InvalidTopicName`]
    /// and [`DecodeError::InvalidTopicFilter`] instead.
    #[error("invalid UTF-8 string: {0}")]
    InvalidString(StringError),

    /// A topic name (PUBLISH, Will Topic) breaks a rule of section 4.7: empty [MQTT-4.7.3-1],
    /// wildcard characters [MQTT-3.3.2-2], [MQTT-4.7.1-1], U+0000 or ill-formed UTF-8.
    #[error("invalid topic name: {0}")]
    InvalidTopicName(TopicError),

    /// A topic filter (SUBSCRIBE, UNSUBSCRIBE) breaks a rule of section 4.7: empty
    /// [MQTT-4.7.3-1], misplaced wildcard [MQTT-4.7.1-2], [MQTT-4.7.1-3], U+0000 or ill-formed
    /// UTF-8.
    #[error("invalid topic filter: {0}")]
    InvalidTopicFilter(TopicError),

    /// A packet identifier is 0 [MQTT-2.3.1-1].
    #[error("packet identifier 0 [MQTT-2.3.1-1]")]
    ZeroPacketId,

    /// A SUBSCRIBE carries no topic filter [MQTT-3.8.3-3].
    #[error("SUBSCRIBE without topic filters [MQTT-3.8.3-3]")]
    EmptySubscribe,

    /// An UNSUBSCRIBE carries no topic filter [MQTT-3.10.3-2].
    #[error("UNSUBSCRIBE without topic filters [MQTT-3.10.3-2]")]
    EmptyUnsubscribe,

    /// A SUBACK carries no return code. The standard has one return code per filter of the
    /// SUBSCRIBE [MQTT-3.9.3-1] and a SUBSCRIBE has at least one [MQTT-3.8.3-3], so an empty
    /// SUBACK cannot answer any SUBSCRIBE.
    #[error("SUBACK without return codes [MQTT-3.9.3-1]")]
    EmptySubAck,

    /// MQTT 3.1.1: the Requested QoS byte of a SUBSCRIBE has reserved bits set or asks for QoS
    /// 3 [MQTT-3-8.3-4] (the standard's own spelling of that statement number). In MQTT 5.0
    /// the upper bits are options: see [`DecodeError::SubscriptionOptionsReserved`],
    /// [`DecodeError::InvalidMaximumQos`] and [`DecodeError::InvalidRetainHandling`].
    #[error("invalid requested QoS byte {0:#04x} in SUBSCRIBE [MQTT-3-8.3-4]")]
    InvalidRequestedQos(u8),

    /// MQTT 5.0: the reserved bits 6-7 of a SUBSCRIBE's Subscription Options byte are set: the
    /// packet is malformed [MQTT-3.8.3-5].
    #[error("reserved bits set in Subscription Options {0:#04x} [MQTT-3.8.3-5]")]
    SubscriptionOptionsReserved(u8),

    /// MQTT 5.0: a SUBSCRIBE's Subscription Options ask for a Maximum QoS of 3: a Protocol Error
    /// (section 3.8.3.1).
    #[error("Maximum QoS 3 in Subscription Options {0:#04x} (section 3.8.3.1)")]
    InvalidMaximumQos(u8),

    /// MQTT 5.0: a SUBSCRIBE's Subscription Options have a Retain Handling of 3: a Protocol
    /// Error (section 3.8.3.1).
    #[error("Retain Handling 3 in Subscription Options {0:#04x} (section 3.8.3.1)")]
    InvalidRetainHandling(u8),

    /// MQTT 5.0: No Local is set on a Shared Subscription (a `$share/` topic filter): a
    /// Protocol Error [MQTT-3.8.3-4].
    #[error("No Local on a shared subscription [MQTT-3.8.3-4]")]
    NoLocalOnSharedSubscription,

    /// MQTT 5.0: a Shared Subscription's topic filter (`$share/...`) has no ShareName
    /// [MQTT-4.8.2-1]. A Protocol Error: the filter parses, its content is what the standard
    /// forbids (section 1.2).
    #[error("shared subscription without a ShareName [MQTT-4.8.2-1]")]
    EmptyShareName,

    /// MQTT 5.0: a Shared Subscription's ShareName holds `+` or `#`, or is not followed by `/`
    /// and a topic filter [MQTT-4.8.2-2]. A Protocol Error, as [`DecodeError::EmptyShareName`].
    #[error("shared subscription not of the form $share/{{ShareName}}/{{filter}} [MQTT-4.8.2-2]")]
    InvalidShareName,

    /// MQTT 5.0: an UNSUBACK carries no Reason Code. The standard has one per topic filter of
    /// the UNSUBSCRIBE [MQTT-3.11.3-1] and an UNSUBSCRIBE has at least one [MQTT-3.10.3-2], so
    /// an UNSUBACK without codes answers no UNSUBSCRIBE: a Protocol Error, as
    /// [`DecodeError::EmptySubAck`].
    #[error("UNSUBACK without reason codes [MQTT-3.11.3-1]")]
    EmptyUnsubAck,

    /// The reserved bits 7-1 of the CONNACK acknowledge flags are set (section 3.2.2.1 of
    /// 3.1.1; [MQTT-3.2.2-1] of 5.0).
    #[error("CONNACK reserved flags {0:#04x} set (section 3.2.2.1) [MQTT-3.2.2-1]")]
    ConnAckReservedFlags(u8),

    /// A CONNACK refuses the connection yet says a session is present: [MQTT-3.2.2-4] in
    /// 3.1.1, [MQTT-3.2.2-6] in 5.0 (a non-zero Reason Code with Session Present 1).
    #[error(
        "CONNACK with session present and a non-zero return code [MQTT-3.2.2-4] (5.0: [MQTT-3.2.2-6])"
    )]
    SessionPresentWithRefusal,

    /// A CONNACK return code is one of the reserved values 6-255 (section 3.2.2.3).
    #[error("reserved CONNACK return code {0} (section 3.2.2.3)")]
    InvalidConnectReturnCode(u8),

    /// A SUBACK return code is not 0x00, 0x01, 0x02 or 0x80 [MQTT-3.9.3-2].
    #[error("reserved SUBACK return code {0:#04x} [MQTT-3.9.3-2]")]
    InvalidSubAckReturnCode(u8),

    /// MQTT 5.0: a Reason Code the packet type may not carry (its table in chapter 3:
    /// [MQTT-3.2.2-8], [MQTT-3.4.2-1], [MQTT-3.5.2-1], [MQTT-3.6.2-1], [MQTT-3.7.2-1],
    /// [MQTT-3.9.3-2], [MQTT-3.11.3-2], [MQTT-3.14.2-1], [MQTT-3.15.2-1]).
    #[error("reason code {code:#04x} not allowed in {packet_type:?}")]
    InvalidReasonCode {
        /// The packet type.
        packet_type: PacketType,
        /// The byte received.
        code: u8,
    },

    /// MQTT 5.0: a PUBLISH a client sent (read by a [`Decoder`](crate::Decoder) with
    /// [`Role::Server`](crate::Role::Server)) carries a Subscription Identifier: a Protocol Error
    /// [MQTT-3.3.4-6].
    #[error("PUBLISH from a client with a Subscription Identifier [MQTT-3.3.4-6]")]
    SubscriptionIdentifierFromClient,

    /// MQTT 5.0: a DISCONNECT a server sent (read by a [`Decoder`](crate::Decoder) with
    /// [`Role::Client`](crate::Role::Client)) carries a Session Expiry Interval [MQTT-3.14.2-2].
    #[error("DISCONNECT from a server with a Session Expiry Interval [MQTT-3.14.2-2]")]
    SessionExpiryFromServer,

    /// A packet that never travels towards this end of the connection: a
    /// [`Decoder`](crate::Decoder) with [`Role::Client`] refuses CONNECT, SUBSCRIBE,
    /// UNSUBSCRIBE, PINGREQ (and in MQTT 3.1.1 DISCONNECT), one with [`Role::Server`] refuses
    /// CONNACK, SUBACK, UNSUBACK and PINGRESP (the direction of flow of MQTT 3.1.1 section
    /// 2.2.1, Table 2.1, and MQTT 5.0 section 2.1.2, Table 2-1): a Protocol Error.
    #[error("{packet_type:?} never reaches a {role:?} (direction of flow, Table 2-1)")]
    WrongDirection {
        /// The packet type received.
        packet_type: PacketType,
        /// The end of the connection that received it.
        role: Role,
    },

    /// MQTT 5.0: a PUBLISH with an empty topic name and no Topic Alias to stand for it: a
    /// Protocol Error (section 3.3.4).
    #[error("PUBLISH without a topic name or a Topic Alias (section 3.3.4)")]
    EmptyTopicWithoutAlias,

    /// MQTT 5.0: Authentication Data without an Authentication Method (section 3.1.2.11.10,
    /// 3.2.2.3.18), or an AUTH other than the empty one (Remaining Length 0) without an
    /// Authentication Method (section 3.15.2.2.2): a Protocol Error.
    #[error("authentication data or AUTH properties without an Authentication Method")]
    MissingAuthenticationMethod,

    /// MQTT 5.0: a Variable Byte Integer in a packet's body (a Property Length, a property
    /// identifier, a Subscription Identifier) continues past its fourth byte (section 1.5.5).
    #[error("variable byte integer longer than four bytes (section 1.5.5)")]
    MalformedVariableByteInteger,

    /// MQTT 5.0: a Variable Byte Integer (the Remaining Length included) takes more bytes than
    /// its value needs [MQTT-1.5.5-1].
    #[error("variable byte integer not in its shortest form [MQTT-1.5.5-1]")]
    NonMinimalVariableByteInteger,

    /// MQTT 5.0: a property identifier the standard does not assign (section 2.2.2.2).
    #[error("unknown property identifier {0:#04x} (section 2.2.2.2)")]
    UnknownProperty(u32),

    /// MQTT 5.0: a property this packet (or the Will Properties) may not carry: a Malformed
    /// Packet (section 2.2.2.2, Table 2-4).
    #[error("property {property} not allowed in {set:?} (section 2.2.2.2)")]
    PropertyNotAllowed {
        /// The property.
        property: PropertyId,
        /// The set it appeared in.
        set: PropertySet,
    },

    /// MQTT 5.0: a property that may appear once appears again: a Protocol Error (each
    /// property's section, e.g. 3.1.2.11.2).
    #[error("property {0} included more than once")]
    DuplicateProperty(PropertyId),

    /// MQTT 5.0: a property value out of its range: a 0/1 flag with another value, Maximum QoS
    /// not 0 or 1, Receive Maximum, Maximum Packet Size, Topic Alias [MQTT-3.3.2-8] or
    /// Subscription Identifier 0 (each property's section).
    #[error("invalid value {value} for property {property}")]
    InvalidPropertyValue {
        /// The property.
        property: PropertyId,
        /// The value received.
        value: u32,
    },
}

impl DecodeError {
    #[cfg_attr(not(feature = "alloc"), allow(dead_code))] // Used by the owned packets.
    /// Whether the error is ill-formed UTF-8 in a string, topic name or filter: what the
    /// owned decoder repairs when `lossy_utf8` is on.
    pub(crate) fn is_ill_formed_utf8(&self) -> bool {
        matches!(
            self,
            DecodeError::InvalidString(StringError::InvalidUtf8 { .. })
                | DecodeError::InvalidTopicName(TopicError::InvalidUtf8 { .. })
                | DecodeError::InvalidTopicFilter(TopicError::InvalidUtf8 { .. })
        )
    }

    /// The CONNACK return code a server should send before closing the connection, if the
    /// standard asks for one.
    ///
    /// An unsupported protocol level gets [`ConnectReturnCode::UnacceptableProtocolVersion`]
    /// [MQTT-3.1.2-2]. An unknown protocol name gets none: the server must not process that
    /// CONNECT as MQTT 3.1.1 [MQTT-3.1.2-1] and closes the connection without CONNACK
    /// [MQTT-3.1.4-1]. Every other malformed packet is answered by closing the connection
    /// [MQTT-3.1.4-1], [MQTT-4.8.0-1], so this returns `None`.
    ///
    /// ```
    /// use mqttwire::{decode, DecodeError, ConnectReturnCode};
    /// use bytes::BytesMut;
    ///
    /// // CONNECT "MQTT" level 6, a version that does not exist.
    /// let mut buf = BytesMut::from(&b"\x10\x0d\x00\x04MQTT\x06\x02\x00\x3c\x00\x01c"[..]);
    /// let err = decode(&mut buf).unwrap_err();
    /// assert_eq!(err, DecodeError::UnsupportedProtocolLevel(6));
    /// assert_eq!(err.connack_code(), Some(ConnectReturnCode::UnacceptableProtocolVersion));
    /// ```
    pub fn connack_code(&self) -> Option<ConnectReturnCode> {
        match self {
            DecodeError::UnsupportedProtocolLevel(_) => {
                Some(ConnectReturnCode::UnacceptableProtocolVersion)
            }
            _ => None,
        }
    }
}

impl DecodeError {
    /// The Reason Code an MQTT 5.0 receiver sends in the DISCONNECT with which it closes the
    /// connection on this error (section 4.13): 0x81 Malformed Packet for bytes that do not
    /// parse as the standard lays them out, 0x82 Protocol Error for well-formed data the
    /// standard forbids, 0x95 Packet too large, 0x94 Topic Alias invalid. Total: every error
    /// has one. (On a CONNECT, the server answers with a CONNACK instead: see
    /// [`DecodeError::connack_reason_code`].)
    ///
    /// ```
    /// use mqttwire::{Decoder, DecodeError, DisconnectReasonCode, Protocol};
    ///
    /// let decoder = Decoder::new().protocol(Protocol::V5);
    /// // A PUBLISH with Topic Alias 0 (property 0x23), which [MQTT-3.3.2-8] forbids.
    /// let err = decoder.decode_frame_ref(b"\x30\x08\x00\x01a\x03\x23\x00\x00x").unwrap_err();
    /// assert_eq!(err.reason_code(), DisconnectReasonCode::TopicAliasInvalid);
    /// ```
    pub const fn reason_code(&self) -> DisconnectReasonCode {
        use DecodeError::*;
        match self {
            PacketTooLarge { .. } => DisconnectReasonCode::PacketTooLarge,
            InvalidPropertyValue {
                property: PropertyId::TopicAlias,
                ..
            } => DisconnectReasonCode::TopicAliasInvalid,
            // Well-formed, but forbidden: a Protocol Error (each statement's section says so).
            EmptySubscribe
            | EmptyUnsubscribe
            | EmptySubAck
            | SessionPresentWithRefusal
            | UnsupportedProtocolLevel(_)
            | EmptyTopicWithoutAlias
            | SubscriptionIdentifierFromClient
            | SessionExpiryFromServer
            | WrongDirection { .. }
            | MissingAuthenticationMethod
            | DuplicateProperty(_)
            | InvalidPropertyValue { .. }
            | InvalidMaximumQos(_)
            | InvalidRetainHandling(_)
            | NoLocalOnSharedSubscription
            | EmptyShareName
            | InvalidShareName
            | EmptyUnsubAck => DisconnectReasonCode::ProtocolError,
            // Not laid out as the standard says: a Malformed Packet.
            ReservedPacketType(_)
            | InvalidFlags { .. }
            | InvalidPublishQos
            | DupWithQos0
            | MalformedRemainingLength
            | InvalidRemainingLength { .. }
            | FieldOverrun
            | TrailingBytes(_)
            | IncompleteFrame
            | FrameLengthMismatch { .. }
            | InvalidProtocolName
            | ConnectReservedFlag
            | WillFlagsWithoutWill
            | InvalidWillQos
            | PasswordWithoutUsername
            | InvalidString(_)
            | InvalidTopicName(_)
            | InvalidTopicFilter(_)
            | ZeroPacketId
            | InvalidRequestedQos(_)
            | SubscriptionOptionsReserved(_)
            | ConnAckReservedFlags(_)
            | InvalidConnectReturnCode(_)
            | InvalidSubAckReturnCode(_)
            | InvalidReasonCode { .. }
            | MalformedVariableByteInteger
            | NonMinimalVariableByteInteger
            | UnknownProperty(_)
            | PropertyNotAllowed { .. } => DisconnectReasonCode::MalformedPacket,
        }
    }

    /// The Reason Code an MQTT 5.0 server sends in the CONNACK refusing a CONNECT that failed
    /// with this error (section 3.2.2.2): as [`DecodeError::reason_code`], with 0x84
    /// Unsupported Protocol Version for a protocol level it does not speak [MQTT-3.1.2-2].
    pub const fn connack_reason_code(&self) -> ConnectReasonCode {
        match self {
            DecodeError::UnsupportedProtocolLevel(_) => {
                ConnectReasonCode::UnsupportedProtocolVersion
            }
            other => match other.reason_code() {
                DisconnectReasonCode::PacketTooLarge => ConnectReasonCode::PacketTooLarge,
                DisconnectReasonCode::ProtocolError => ConnectReasonCode::ProtocolError,
                _ => ConnectReasonCode::MalformedPacket,
            },
        }
    }
}

/// Why a packet could not be encoded. Nothing is written when encoding fails.
///
/// Most invalid packets cannot be built at all (non-zero [`PacketId`](crate::PacketId),
/// validated topic and string types); these are the rules a value can still break.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EncodeError {
    /// The buffer has less room than the packet needs. Only bounded buffers (such as
    /// `&mut [u8]`, and the slice of [`Encode::encode_to_slice`](crate::Encode::encode_to_slice))
    /// can fail this way.
    #[error("buffer too small: {needed} bytes needed, {available} available")]
    BufferTooSmall {
        /// Bytes the packet needs ([`Encode::encoded_len`](crate::Encode::encoded_len)).
        needed: usize,
        /// Bytes the buffer could take.
        available: usize,
    },

    /// The packet's Remaining Length would exceed 268,435,455, the most four bytes can encode
    /// (section 2.2.3). [`Subscribe::new`](crate::Subscribe::new) and
    /// [`Unsubscribe::new`](crate::Unsubscribe::new) refuse such a list when it is built.
    #[error("remaining length {0} exceeds 268,435,455 (section 2.2.3)")]
    PacketTooLarge(usize),

    /// A binary field (Will Message, Password) is longer than 65,535 bytes (section 1.5.3,
    /// 3.1.3.3, 3.1.3.5).
    #[error("binary field of {0} bytes exceeds 65,535")]
    FieldTooLong(usize),

    /// A PUBLISH at QoS 0 has DUP set [MQTT-3.3.1-2].
    #[error("PUBLISH at QoS 0 with DUP set [MQTT-3.3.1-2]")]
    DupWithQos0,

    /// A CONNACK refuses the connection yet says a session is present: [MQTT-3.2.2-4] in
    /// 3.1.1, [MQTT-3.2.2-6] in 5.0.
    #[error(
        "CONNACK with session present and a non-zero return code [MQTT-3.2.2-4] (5.0: [MQTT-3.2.2-6])"
    )]
    SessionPresentWithRefusal,

    /// A SUBSCRIBE without topic filters [MQTT-3.8.3-3]: what
    /// [`Subscribe::new`](crate::Subscribe::new) answers when given no subscriptions (an empty
    /// SUBSCRIBE cannot be built, so encoding never reports it).
    #[error("SUBSCRIBE without topic filters [MQTT-3.8.3-3]")]
    EmptySubscribe,

    /// An UNSUBSCRIBE without topic filters [MQTT-3.10.3-2]: what
    /// [`Unsubscribe::new`](crate::Unsubscribe::new) answers when given no filters (an empty
    /// UNSUBSCRIBE cannot be built, so encoding never reports it).
    #[error("UNSUBSCRIBE without topic filters [MQTT-3.10.3-2]")]
    EmptyUnsubscribe,

    /// A SUBACK without return codes [MQTT-3.9.3-1].
    #[error("SUBACK without return codes [MQTT-3.9.3-1]")]
    EmptySubAck,

    /// A string given as a topic filter is not one (section 4.7): what
    /// [`SubscribeParts::new`](crate::SubscribeParts::new) answers, whose filters are `&str`.
    #[error("invalid topic filter: {0}")]
    InvalidTopicFilter(TopicError),

    /// MQTT 5.0: No Local on a Shared Subscription (a `$share/` topic filter) [MQTT-3.8.3-4]:
    /// what [`Subscribe::new`](crate::Subscribe::new) answers for such a subscription.
    #[error("No Local on a shared subscription [MQTT-3.8.3-4]")]
    NoLocalOnSharedSubscription,

    /// MQTT 5.0: a SUBSCRIBE or UNSUBSCRIBE encoded for 5.0 holds a `$share/` topic filter
    /// without a ShareName [MQTT-4.8.2-1] (in MQTT 3.1.1 it is an ordinary filter).
    #[error("shared subscription without a ShareName [MQTT-4.8.2-1]")]
    EmptyShareName,

    /// MQTT 5.0: a SUBSCRIBE or UNSUBSCRIBE encoded for 5.0 holds a `$share/` topic filter
    /// whose ShareName holds `+` or `#`, or is not followed by `/` and a topic filter
    /// [MQTT-4.8.2-2] (in MQTT 3.1.1 it is an ordinary filter).
    #[error("shared subscription not of the form $share/{{ShareName}}/{{filter}} [MQTT-4.8.2-2]")]
    InvalidShareName,

    /// MQTT 5.0: an UNSUBACK without Reason Codes (built with
    /// [`UnsubAck::new`](crate::UnsubAck::new) alone, as MQTT 3.1.1 has none) cannot be
    /// encoded for 5.0, which has one per topic filter of the UNSUBSCRIBE [MQTT-3.11.3-1].
    #[error("UNSUBACK without reason codes [MQTT-3.11.3-1]")]
    EmptyUnsubAck,

    /// The packet is larger than the peer accepts: the Maximum Packet Size it announced
    /// ([`Encoder::max_packet_size`](crate::Encoder::max_packet_size)), even without the
    /// properties the standard lets a sender leave out [MQTT-3.1.2-24], [MQTT-3.2.2-15].
    #[error(
        "packet of {size} bytes exceeds the peer's maximum packet size of {max} [MQTT-3.1.2-24]"
    )]
    ExceedsMaximumPacketSize {
        /// The packet's size, fixed header included, with only the properties it must carry.
        size: usize,
        /// The peer's limit.
        max: usize,
    },

    /// MQTT 3.1.1 cannot express this (AUTH, a failure reason code in an acknowledgement, a
    /// DISCONNECT reason, a CONNACK Reason Code without a 3.1.1 return code, a CONNECT
    /// password without a user name, ...): the value says what.
    #[error("cannot be expressed in MQTT 3.1.1: {0}")]
    NotInV311(&'static str),

    /// MQTT 5.0: a PUBLISH cannot leave out its topic name without a Topic Alias to stand for
    /// it (section 3.3.4).
    #[error("a PUBLISH without a topic name needs a Topic Alias (section 3.3.4)")]
    TopicAliasRequired,

    /// MQTT 5.0: a property value the standard forbids (out of range, a string with U+0000 or
    /// over 65,535 bytes, a Response Topic that is not a topic name).
    #[error("invalid value for property {0}")]
    InvalidProperty(PropertyId),

    /// MQTT 5.0: a property that may appear only once is given twice.
    #[error("property {0} given more than once")]
    DuplicateProperty(PropertyId),

    /// MQTT 5.0: a property the packet (or the Will Properties) may not carry (section
    /// 2.2.2.2, Table 2-4).
    #[error("property {property} not allowed in {set:?} (section 2.2.2.2)")]
    PropertyNotAllowed {
        /// The property.
        property: PropertyId,
        /// The set it was given for.
        set: PropertySet,
    },

    /// MQTT 5.0: a CONNECT or CONNACK carries Authentication Data without an Authentication
    /// Method (section 3.1.2.11.10), or an AUTH other than the empty one (Success, no
    /// properties) has no Authentication Method (section 3.15.2.2.2).
    #[error("authentication data or an AUTH without an Authentication Method (sections 3.1.2.11.10, 3.15.2.2.2)")]
    MissingAuthenticationMethod,
}
