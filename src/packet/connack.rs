//! CONNACK (section 3.2): the server's answer to a CONNECT.

use super::first_byte;
use crate::codec::{frame_len, Encode};
use crate::error::{DecodeError, EncodeError};
use crate::header::PacketType;
use crate::types::ConnectReturnCode;
use crate::wire::{byte, fail, finish, Parsed};
use crate::write::{encode_frame, NOTHING};
use bytes::BufMut;

/// CONNACK (section 3.2): whether the server accepted the connection, and whether it still
/// holds a session for the client.
///
/// A refusal never claims a session [MQTT-3.2.2-4]; encoding such a value fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConnAck {
    /// Session Present (section 3.2.2.2).
    pub session_present: bool,
    /// The Connect Return code (section 3.2.2.3).
    pub code: ConnectReturnCode,
}

impl ConnAck {
    /// A CONNACK accepting the connection.
    pub const fn accepted(session_present: bool) -> Self {
        ConnAck {
            session_present,
            code: ConnectReturnCode::Accepted,
        }
    }

    /// A CONNACK refusing the connection with `code` (which should not be `Accepted`).
    pub const fn refused(code: ConnectReturnCode) -> Self {
        ConnAck {
            session_present: false,
            code,
        }
    }

    pub(crate) fn decode(body: &[u8]) -> Result<Self, DecodeError> {
        finish(parse(body))
    }
}

fn parse(input: &[u8]) -> Parsed<'_, ConnAck> {
    let (input, flags) = byte(input)?;
    if flags & 0b1111_1110 != 0 {
        return fail(DecodeError::ConnAckReservedFlags(flags));
    }
    let (input, code_byte) = byte(input)?;
    let Some(code) = ConnectReturnCode::from_byte(code_byte) else {
        return fail(DecodeError::InvalidConnectReturnCode(code_byte));
    };
    let session_present = flags & 1 == 1;
    if session_present && code != ConnectReturnCode::Accepted {
        return fail(DecodeError::SessionPresentWithRefusal);
    }
    Ok((
        input,
        ConnAck {
            session_present,
            code,
        },
    ))
}

impl Encode for ConnAck {
    fn encoded_len(&self) -> usize {
        frame_len(2)
    }

    fn encode<B: BufMut>(&self, buf: &mut B) -> Result<(), EncodeError> {
        if self.session_present && self.code != ConnectReturnCode::Accepted {
            return Err(EncodeError::SessionPresentWithRefusal);
        }
        // Connect Acknowledge Flags, then the return code.
        let value = u16::from_be_bytes([u8::from(self.session_present), self.code.byte()]);
        encode_frame(buf, first_byte(PacketType::ConnAck), 2, value, NOTHING)
    }
}
