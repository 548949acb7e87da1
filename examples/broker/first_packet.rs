//! A first packet that does not decode: which version its client speaks, read from the bytes
//! themselves, and the CONNACK that tells it why before the broker closes the connection.
//!
//! The decoder reports what is wrong, not which version the CONNECT claimed, and by the time a
//! body turns out malformed it has taken the frame out of the buffer. So the broker reads the
//! Protocol Name and Protocol Level from the buffer before each decode attempt
//! ([`claimed_level`]).

use mqttwire::{ConnectReasonCode, DecodeError, Protocol};

/// The Protocol Level of the CONNECT at the start of `bytes`, if they begin like one: packet
/// type 1, a Remaining Length, then Protocol Name "MQTT" (sections 3.1.1, 3.1.2.1, 3.1.2.2).
/// Nothing else is checked: it only says which version to answer in.
pub fn claimed_level(bytes: &[u8]) -> Option<u8> {
    let (&first, rest) = bytes.split_first()?;
    if first >> 4 != 1 {
        return None;
    }
    // The Remaining Length: one to four bytes, each but the last with its top bit set.
    let length_bytes = rest.iter().take(4).position(|b| b & 0x80 == 0)? + 1;
    let variable_header = rest.get(length_bytes..)?;
    match variable_header.get(..7)? {
        [0, 4, b'M', b'Q', b'T', b'T', level] => Some(*level),
        _ => None,
    }
}

/// The CONNACK to send before closing a connection whose CONNECT failed with `error`, given
/// the level it claimed: its version, and its code.
///
/// - Level 5: the 5.0 CONNACK with the error's reason code, 0x81 Malformed Packet, 0x82
///   Protocol Error or 0x95 Packet too large [MQTT-4.13.1-1] (section 4.13: "In the case of an
///   error in a CONNECT packet it MAY send a CONNACK packet containing the Reason Code").
/// - A level the broker does not speak: the 3.1.1 CONNACK 0x01 unacceptable protocol version,
///   which 3.1.1 requires [MQTT-3.1.2-2]. (5.0 allows its own 0x84 in that case, but a client
///   of an unknown version cannot be assumed to read the 5.0 form; 3.1.1 clients read this.)
/// - Otherwise none: a malformed 3.1.1 CONNECT is answered by closing the connection
///   [MQTT-3.1.4-1].
pub fn refusal(error: &DecodeError, level: Option<u8>) -> Option<(Protocol, ConnectReasonCode)> {
    if let Some(code) = error.connack_code() {
        return Some((Protocol::V311, code.into()));
    }
    (level == Some(5)).then(|| (Protocol::V5, error.connack_reason_code()))
}
