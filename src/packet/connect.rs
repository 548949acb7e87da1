//! CONNECT (section 3.1): the first packet a client sends.

use super::fields::{share, string, topic_name};
use super::first_byte;
use crate::codec::{begin, frame_len, Decoder, Encode};
use crate::error::{DecodeError, EncodeError};
use crate::header::PacketType;
use crate::string::{MqttString, MAX_STRING_LEN};
use crate::topic::TopicName;
use crate::types::{Protocol, QoS};
use crate::wire::{byte, fail, finish, prefixed, prefixed_len, put_prefixed, u16, Parsed};
use bytes::{BufMut, Bytes};

// Connect Flags (section 3.1.2.3, Figure 3.4).
const RESERVED: u8 = 0b0000_0001;
const CLEAN_SESSION: u8 = 0b0000_0010;
const WILL: u8 = 0b0000_0100;
const WILL_QOS_SHIFT: u8 = 3;
const WILL_QOS_MASK: u8 = 0b0001_1000;
const WILL_RETAIN: u8 = 0b0010_0000;
const PASSWORD: u8 = 0b0100_0000;
const USER_NAME: u8 = 0b1000_0000;

/// CONNECT (section 3.1): a client's request to open a session.
///
/// ```
/// use mqttwire::{Connect, Encode, MqttString, Protocol};
///
/// let connect = Connect::new(MqttString::new("sensor-17").unwrap());
/// assert_eq!(connect.protocol, Protocol::V311);
/// assert!(connect.clean_session);
/// let bytes = connect.to_bytes().unwrap();
/// assert_eq!(&bytes[..4], b"\x10\x15\x00\x04");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Connect {
    /// Protocol name and level: MQTT 3.1.1 or 3.1 (sections 3.1.2.1 and 3.1.2.2).
    pub protocol: Protocol,
    /// Clean Session (section 3.1.2.4).
    pub clean_session: bool,
    /// Keep Alive in seconds, 0 to turn it off (section 3.1.2.10).
    pub keep_alive: u16,
    /// Client Identifier (section 3.1.3.1). It may be empty; a server then assigns one, or
    /// refuses with CONNACK 0x02 when Clean Session is 0 [MQTT-3.1.3-8]. That decision is the
    /// server's: the decoder accepts an empty identifier.
    pub client_id: MqttString,
    /// The Will message, published by the server if the connection is lost (section 3.1.2.5).
    pub will: Option<Will>,
    /// User name and optional password (sections 3.1.3.4 and 3.1.3.5). A password without a
    /// user name cannot be expressed [MQTT-3.1.2-22].
    pub login: Option<Login>,
}

/// The Will message of a CONNECT (sections 3.1.2.5 to 3.1.2.7, 3.1.3.2 and 3.1.3.3).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Will {
    /// Will Topic.
    pub topic: TopicName,
    /// Will Message: at most 65,535 bytes (section 3.1.3.3); encoding a longer one fails.
    pub payload: Bytes,
    /// Will QoS.
    pub qos: QoS,
    /// Will Retain.
    pub retain: bool,
}

/// User name and password of a CONNECT (sections 3.1.3.4 and 3.1.3.5).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Login {
    /// User Name.
    pub username: MqttString,
    /// Password: binary data, at most 65,535 bytes (section 3.1.3.5); encoding a longer one
    /// fails.
    pub password: Option<Bytes>,
}

impl Connect {
    /// A CONNECT for MQTT 3.1.1 with Clean Session set, no keep-alive, no Will, no login.
    pub fn new(client_id: MqttString) -> Self {
        Connect {
            protocol: Protocol::V311,
            clean_session: true,
            keep_alive: 0,
            client_id,
            will: None,
            login: None,
        }
    }

    pub(crate) fn decode(
        body: &[u8],
        frame: &Bytes,
        decoder: &Decoder,
    ) -> Result<Self, DecodeError> {
        let raw = finish(parse(body))?;
        let will = match raw.will {
            Some((topic, payload, qos, retain)) => Some(Will {
                topic: topic_name(frame, topic, decoder)?,
                payload: share(frame, payload),
                qos,
                retain,
            }),
            None => None,
        };
        let login = match raw.username {
            Some(username) => Some(Login {
                username: string(frame, username, decoder)?,
                password: raw.password.map(|p| share(frame, p)),
            }),
            None => None,
        };
        Ok(Connect {
            protocol: raw.protocol,
            clean_session: raw.clean_session,
            keep_alive: raw.keep_alive,
            client_id: string(frame, raw.client_id, decoder)?,
            will,
            login,
        })
    }

    fn flags(&self) -> u8 {
        let mut flags = 0;
        if self.clean_session {
            flags |= CLEAN_SESSION;
        }
        if let Some(will) = &self.will {
            flags |= WILL | (will.qos.bits() << WILL_QOS_SHIFT);
            if will.retain {
                flags |= WILL_RETAIN;
            }
        }
        if let Some(login) = &self.login {
            flags |= USER_NAME;
            if login.password.is_some() {
                flags |= PASSWORD;
            }
        }
        flags
    }

    fn remaining_len(&self) -> usize {
        // Protocol name, level, flags, keep alive, client identifier.
        let mut len = prefixed_len(self.protocol.name().len()).saturating_add(4);
        len = len.saturating_add(prefixed_len(self.client_id.len()));
        if let Some(will) = &self.will {
            len = len
                .saturating_add(prefixed_len(will.topic.len()))
                .saturating_add(prefixed_len(will.payload.len()));
        }
        if let Some(login) = &self.login {
            len = len.saturating_add(prefixed_len(login.username.len()));
            if let Some(password) = &login.password {
                len = len.saturating_add(prefixed_len(password.len()));
            }
        }
        len
    }
}

/// The fields of a CONNECT as borrowed slices, before they are validated and shared.
struct RawConnect<'a> {
    protocol: Protocol,
    clean_session: bool,
    keep_alive: u16,
    client_id: &'a [u8],
    will: Option<(&'a [u8], &'a [u8], QoS, bool)>,
    username: Option<&'a [u8]>,
    password: Option<&'a [u8]>,
}

fn parse(input: &[u8]) -> Parsed<'_, RawConnect<'_>> {
    let (input, name) = prefixed(input)?;
    let (input, level) = byte(input)?;
    let protocol = match name {
        b"MQTT" => Protocol::V311,
        b"MQIsdp" => Protocol::V31,
        _ => return fail(DecodeError::InvalidProtocolName),
    };
    if level != protocol.level() {
        return fail(DecodeError::UnsupportedProtocolLevel(level));
    }
    let (input, flags) = byte(input)?;
    if flags & RESERVED != 0 {
        return fail(DecodeError::ConnectReservedFlag);
    }
    let will_qos_bits = (flags & WILL_QOS_MASK) >> WILL_QOS_SHIFT;
    let will_retain = flags & WILL_RETAIN != 0;
    let will_qos = if flags & WILL != 0 {
        match QoS::from_bits(will_qos_bits) {
            Some(qos) => Some(qos),
            None => return fail(DecodeError::InvalidWillQos),
        }
    } else if will_qos_bits != 0 || will_retain {
        return fail(DecodeError::WillFlagsWithoutWill);
    } else {
        None
    };
    if flags & PASSWORD != 0 && flags & USER_NAME == 0 {
        return fail(DecodeError::PasswordWithoutUsername);
    }
    let (input, keep_alive) = u16(input)?;

    // Payload: fields in this order, each present exactly when its flag says so
    // [MQTT-3.1.3-1], [MQTT-3.1.2-9], [MQTT-3.1.2-11], [MQTT-3.1.2-18..21].
    let (input, client_id) = prefixed(input)?;
    let (input, will) = match will_qos {
        Some(qos) => {
            let (input, topic) = prefixed(input)?;
            let (input, payload) = prefixed(input)?;
            (input, Some((topic, payload, qos, will_retain)))
        }
        None => (input, None),
    };
    let (input, username) = optional(input, flags & USER_NAME != 0)?;
    let (input, password) = optional(input, flags & PASSWORD != 0)?;
    Ok((
        input,
        RawConnect {
            protocol,
            clean_session: flags & CLEAN_SESSION != 0,
            keep_alive,
            client_id,
            will,
            username,
            password,
        },
    ))
}

/// A length-prefixed field that is there only when its flag is set.
fn optional(input: &[u8], present: bool) -> Parsed<'_, Option<&[u8]>> {
    if present {
        let (input, field) = prefixed(input)?;
        Ok((input, Some(field)))
    } else {
        Ok((input, None))
    }
}

/// Checks the binary fields, whose length the types cannot bound.
fn check_binary(field: &[u8]) -> Result<(), EncodeError> {
    if field.len() > MAX_STRING_LEN {
        return Err(EncodeError::FieldTooLong(field.len()));
    }
    Ok(())
}

impl Encode for Connect {
    fn encoded_len(&self) -> usize {
        frame_len(self.remaining_len())
    }

    fn encode<B: BufMut>(&self, buf: &mut B) -> Result<(), EncodeError> {
        if let Some(will) = &self.will {
            check_binary(&will.payload)?;
        }
        if let Some(password) = self.login.as_ref().and_then(|l| l.password.as_ref()) {
            check_binary(password)?;
        }
        begin(buf, first_byte(PacketType::Connect), self.remaining_len())?;
        put_prefixed(buf, self.protocol.name().as_bytes());
        buf.put_u8(self.protocol.level());
        buf.put_u8(self.flags());
        buf.put_u16(self.keep_alive);
        put_prefixed(buf, self.client_id.as_bytes());
        if let Some(will) = &self.will {
            put_prefixed(buf, will.topic.as_bytes());
            put_prefixed(buf, &will.payload);
        }
        if let Some(login) = &self.login {
            put_prefixed(buf, login.username.as_bytes());
            if let Some(password) = &login.password {
                put_prefixed(buf, password);
            }
        }
        Ok(())
    }
}
