//! CONNECT (section 3.1): the first packet a client sends.

use super::fields::{share, string, topic_name, Checked, Repairs};
use super::first_byte;
use crate::codec::{frame_len, Decoder, Encode};
use crate::error::{DecodeError, EncodeError};
use crate::header::PacketType;
use crate::string::{MqttString, MAX_STRING_LEN};
use crate::topic::TopicName;
use crate::types::{Protocol, QoS};
use crate::wire::{byte, fail, finish, prefixed, prefixed_len, u16, Parsed};
use crate::write::{encode_frame, Sink, WriteRest};
use bytes::{BufMut, Bytes, BytesMut};

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
/// [`Connect::new`] makes the simplest one; the `with_` methods set the other fields in the
/// same expression (the fields are public too):
///
/// ```
/// use mqttwire::{Connect, Encode, Login, MqttString, Protocol, QoS, TopicName, Will};
///
/// let connect = Connect::new(MqttString::new("sensor-17")?);
/// assert_eq!(connect.protocol, Protocol::V311);
/// assert!(connect.clean_session);
/// let bytes = connect.to_bytes()?;
/// assert_eq!(&bytes[..4], b"\x10\x15\x00\x04");
///
/// // Keep-alive 60 s, a retained Will "offline" at QoS 1, user name and password.
/// let connect = Connect::new(MqttString::new("sensor-17")?)
///     .with_keep_alive(60)
///     .with_will(
///         Will::new(TopicName::new("sensors/17/status")?, QoS::AtLeastOnce, "offline")
///             .with_retain(true),
///     )
///     .with_login(Login::new(MqttString::new("sensor")?).with_password(b"secret"));
/// let bytes = connect.to_bytes()?;
/// // Connect Flags: user name, password, Will Retain, Will QoS 1, Will, Clean Session.
/// assert_eq!(bytes[9], 0b1110_1110);
/// # Ok::<(), Box<dyn std::error::Error>>(())
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

impl Will {
    /// A Will message: `message` published to `topic` at `qos` if the connection is lost,
    /// with Will Retain clear ([`Will::with_retain`] sets it). `message` is copied: any bytes
    /// or text (`"offline"`, `b"offline"`, a `Vec<u8>`, a [`Bytes`]); to keep a [`Bytes`]
    /// without copying it, set the `payload` field instead.
    ///
    /// A message longer than 65,535 bytes can be made, but encoding the CONNECT then fails
    /// (section 3.1.3.3).
    ///
    /// ```
    /// use mqttwire::{QoS, TopicName, Will};
    ///
    /// let will = Will::new(TopicName::new("sensors/17/status")?, QoS::AtLeastOnce, "offline");
    /// assert_eq!((&will.payload[..], will.qos, will.retain), (&b"offline"[..], QoS::AtLeastOnce, false));
    /// assert!(will.with_retain(true).retain);
    /// # Ok::<(), mqttwire::TopicError>(())
    /// ```
    pub fn new(topic: TopicName, qos: QoS, message: impl AsRef<[u8]>) -> Self {
        Will {
            topic,
            payload: Bytes::copy_from_slice(message.as_ref()),
            qos,
            retain: false,
        }
    }

    /// The Will with Will Retain set to `retain` (section 3.1.2.7).
    #[must_use]
    pub fn with_retain(mut self, retain: bool) -> Self {
        self.retain = retain;
        self
    }
}

impl Login {
    /// A user name without a password ([`Login::with_password`] adds one).
    ///
    /// ```
    /// use mqttwire::{Login, MqttString};
    ///
    /// let login = Login::new(MqttString::new("sensor")?);
    /// assert_eq!((login.username.as_str(), login.password.as_deref()), ("sensor", None));
    /// let login = login.with_password("secret");
    /// assert_eq!(login.password.as_deref(), Some(&b"secret"[..]));
    /// # Ok::<(), mqttwire::StringError>(())
    /// ```
    pub fn new(username: MqttString) -> Self {
        Login {
            username,
            password: None,
        }
    }

    /// The login with `password`, binary data (section 3.1.3.5), copied: bytes or text. To keep
    /// a [`Bytes`] without copying it, set the `password` field instead.
    ///
    /// A password longer than 65,535 bytes can be set, but encoding the CONNECT then fails.
    #[must_use]
    pub fn with_password(mut self, password: impl AsRef<[u8]>) -> Self {
        self.password = Some(Bytes::copy_from_slice(password.as_ref()));
        self
    }
}

impl Connect {
    /// A CONNECT for MQTT 3.1.1 with Clean Session set, no keep-alive, no Will, no login. The
    /// `with_` methods below change each of these.
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

    /// The CONNECT with this Will message (section 3.1.2.5).
    #[must_use]
    pub fn with_will(mut self, will: Will) -> Self {
        self.will = Some(will);
        self
    }

    /// The CONNECT with this user name and optional password (sections 3.1.3.4 and 3.1.3.5).
    #[must_use]
    pub fn with_login(mut self, login: Login) -> Self {
        self.login = Some(login);
        self
    }

    /// The CONNECT with Keep Alive `seconds`, 0 to turn it off (section 3.1.2.10).
    #[must_use]
    pub fn with_keep_alive(mut self, seconds: u16) -> Self {
        self.keep_alive = seconds;
        self
    }

    /// The CONNECT with Clean Session set to `clean_session` (section 3.1.2.4): `false` asks
    /// the server to resume the session of this client identifier.
    #[must_use]
    pub fn with_clean_session(mut self, clean_session: bool) -> Self {
        self.clean_session = clean_session;
        self
    }

    /// The CONNECT for `protocol`: MQTT 3.1.1 (the default) or 3.1.
    #[must_use]
    pub fn with_protocol(mut self, protocol: Protocol) -> Self {
        self.protocol = protocol;
        self
    }

    pub(crate) fn decode(
        body: &[u8],
        frame: &Bytes,
        decoder: &Decoder,
    ) -> Result<Self, DecodeError> {
        let (lossy, mut repairs) = (decoder.lossy_utf8, Repairs::default());
        let raw = parse(body, lossy.then_some(&mut repairs))?;
        let repairs = lossy.then_some(&repairs);
        Ok(Connect {
            protocol: raw.protocol,
            clean_session: raw.clean_session,
            keep_alive: raw.keep_alive,
            client_id: MqttString::from_checked(raw.client_id.share(frame, repairs)),
            will: raw.will.map(|(topic, payload, qos, retain)| Will {
                topic: TopicName::from_checked(topic.share(frame, repairs)),
                payload: share(frame, payload),
                qos,
                retain,
            }),
            login: raw.username.map(|username| Login {
                username: MqttString::from_checked(username.share(frame, repairs)),
                password: raw.password.map(|p| share(frame, p)),
            }),
        })
    }

    /// The borrowed view of this CONNECT.
    pub fn as_borrowed(&self) -> ConnectRef<'_> {
        ConnectRef {
            protocol: self.protocol,
            clean_session: self.clean_session,
            keep_alive: self.keep_alive,
            client_id: self.client_id.as_str(),
            will: self.will.as_ref().map(|w| WillRef {
                topic: w.topic.as_str(),
                payload: &w.payload,
                qos: w.qos,
                retain: w.retain,
            }),
            login: self.login.as_ref().map(|l| LoginRef {
                username: l.username.as_str(),
                password: l.password.as_deref(),
            }),
        }
    }
}

/// CONNECT (section 3.1) borrowed from the buffer it was decoded from (see
/// [`Decoder::decode_ref`](crate::Decoder::decode_ref)). [`ConnectRef::to_owned`] copies it
/// into a [`Connect`].
///
/// Only the decoder and [`Connect::as_borrowed`] make one, so its strings are always valid;
/// they are read with [`ConnectRef::client_id`], [`WillRef::topic`] and
/// [`LoginRef::username`]. It encodes as it is ([`Encode`]), to forward it without copying.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConnectRef<'a> {
    /// Protocol name and level: MQTT 3.1.1 or 3.1 (sections 3.1.2.1 and 3.1.2.2).
    pub protocol: Protocol,
    /// Clean Session (section 3.1.2.4).
    pub clean_session: bool,
    /// Keep Alive in seconds, 0 to turn it off (section 3.1.2.10).
    pub keep_alive: u16,
    client_id: &'a str,
    /// The Will message (section 3.1.2.5).
    pub will: Option<WillRef<'a>>,
    /// User name and optional password (sections 3.1.3.4 and 3.1.3.5).
    pub login: Option<LoginRef<'a>>,
}

/// The Will message of a [`ConnectRef`], borrowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct WillRef<'a> {
    topic: &'a str,
    /// Will Message.
    pub payload: &'a [u8],
    /// Will QoS.
    pub qos: QoS,
    /// Will Retain.
    pub retain: bool,
}

/// User name and password of a [`ConnectRef`], borrowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LoginRef<'a> {
    username: &'a str,
    /// Password: binary data.
    pub password: Option<&'a [u8]>,
}

impl<'a> ConnectRef<'a> {
    /// Client Identifier (section 3.1.3.1), possibly empty (see [`Connect::client_id`]).
    #[inline]
    pub fn client_id(&self) -> &'a str {
        self.client_id
    }

    /// Copies the CONNECT into an owned [`Connect`]: one allocation holds all its strings and
    /// binary fields.
    pub fn to_owned(&self) -> Connect {
        let will = self.will.map(|w| (w.topic.as_bytes(), w.payload));
        let login = self.login.map(|l| (l.username.as_bytes(), l.password));
        let fields = [
            Some(self.client_id.as_bytes()),
            will.map(|w| w.0),
            will.map(|w| w.1),
            login.map(|l| l.0),
            login.and_then(|l| l.1),
        ];
        let total = fields
            .iter()
            .flatten()
            .fold(0usize, |n, f| n.saturating_add(f.len()));
        let mut copy = BytesMut::with_capacity(total);
        for field in fields.iter().flatten() {
            copy.extend_from_slice(field);
        }
        let mut all = copy.freeze();
        let client_id = MqttString::from_checked(all.split_to(self.client_id.len()));
        let will = self.will.map(|w| Will {
            topic: TopicName::from_checked(all.split_to(w.topic.len())),
            payload: all.split_to(w.payload.len()),
            qos: w.qos,
            retain: w.retain,
        });
        let login = self.login.map(|l| Login {
            username: MqttString::from_checked(all.split_to(l.username.len())),
            password: l.password.map(|p| all.split_to(p.len())),
        });
        Connect {
            protocol: self.protocol,
            clean_session: self.clean_session,
            keep_alive: self.keep_alive,
            client_id,
            will,
            login,
        }
    }
}

impl<'a> WillRef<'a> {
    /// Will Topic, a validated topic name.
    #[inline]
    pub fn topic(&self) -> &'a str {
        self.topic
    }
}

impl<'a> LoginRef<'a> {
    /// User Name.
    #[inline]
    pub fn username(&self) -> &'a str {
        self.username
    }
}

impl From<ConnectRef<'_>> for Connect {
    fn from(connect: ConnectRef<'_>) -> Self {
        connect.to_owned()
    }
}

impl<'a> From<RawConnect<'a>> for ConnectRef<'a> {
    fn from(raw: RawConnect<'a>) -> Self {
        ConnectRef {
            protocol: raw.protocol,
            clean_session: raw.clean_session,
            keep_alive: raw.keep_alive,
            client_id: raw.client_id.as_str(),
            will: raw.will.map(|(topic, payload, qos, retain)| WillRef {
                topic: topic.as_str(),
                payload,
                qos,
                retain,
            }),
            login: raw.username.map(|username| LoginRef {
                username: username.as_str(),
                password: raw.password,
            }),
        }
    }
}

/// The fields of a CONNECT, checked, borrowed from the frame.
pub(crate) struct RawConnect<'a> {
    protocol: Protocol,
    clean_session: bool,
    keep_alive: u16,
    client_id: Checked<'a>,
    will: Option<(Checked<'a>, &'a [u8], QoS, bool)>,
    username: Option<Checked<'a>>,
    password: Option<&'a [u8]>,
}

/// The fields of a CONNECT as bytes: what the parser reads before their content is checked,
/// and what the encoder of both [`Connect`] and [`ConnectRef`] writes (turning the owned
/// strings into `&str` would check their UTF-8 again).
struct Fields<'a> {
    protocol: Protocol,
    clean_session: bool,
    keep_alive: u16,
    client_id: &'a [u8],
    will: Option<(&'a [u8], &'a [u8], QoS, bool)>,
    username: Option<&'a [u8]>,
    password: Option<&'a [u8]>,
}

/// Reads and checks a CONNECT body: the parser of both decoders.
pub(crate) fn parse<'a>(
    body: &'a [u8],
    mut repairs: Option<&mut Repairs>,
) -> Result<RawConnect<'a>, DecodeError> {
    let raw = finish(fields(body))?;
    let will = match raw.will {
        Some((topic, payload, qos, retain)) => Some((
            topic_name(topic, repairs.as_deref_mut())?,
            payload,
            qos,
            retain,
        )),
        None => None,
    };
    let username = match raw.username {
        Some(username) => Some(string(username, repairs.as_deref_mut())?),
        None => None,
    };
    Ok(RawConnect {
        protocol: raw.protocol,
        clean_session: raw.clean_session,
        keep_alive: raw.keep_alive,
        client_id: string(raw.client_id, repairs)?,
        will,
        username,
        password: raw.password,
    })
}

fn fields(input: &[u8]) -> Parsed<'_, Fields<'_>> {
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
        Fields {
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

impl Connect {
    fn wire(&self) -> Fields<'_> {
        Fields {
            protocol: self.protocol,
            clean_session: self.clean_session,
            keep_alive: self.keep_alive,
            client_id: self.client_id.as_bytes(),
            will: self
                .will
                .as_ref()
                .map(|w| (&w.topic.as_bytes()[..], &w.payload[..], w.qos, w.retain)),
            username: self.login.as_ref().map(|l| &l.username.as_bytes()[..]),
            password: self.login.as_ref().and_then(|l| l.password.as_deref()),
        }
    }
}

impl ConnectRef<'_> {
    fn wire(&self) -> Fields<'_> {
        Fields {
            protocol: self.protocol,
            clean_session: self.clean_session,
            keep_alive: self.keep_alive,
            client_id: self.client_id.as_bytes(),
            will: self
                .will
                .map(|w| (w.topic.as_bytes(), w.payload, w.qos, w.retain)),
            username: self.login.map(|l| l.username.as_bytes()),
            password: self.login.and_then(|l| l.password),
        }
    }
}

impl Fields<'_> {
    fn flags(&self) -> u8 {
        let mut flags = 0;
        if self.clean_session {
            flags |= CLEAN_SESSION;
        }
        if let Some((_, _, qos, retain)) = self.will {
            flags |= WILL | (qos.bits() << WILL_QOS_SHIFT);
            if retain {
                flags |= WILL_RETAIN;
            }
        }
        if self.username.is_some() {
            flags |= USER_NAME;
        }
        if self.password.is_some() {
            flags |= PASSWORD;
        }
        flags
    }

    fn remaining_len(&self) -> usize {
        // Protocol name, level, flags, keep alive, client identifier.
        let mut len = prefixed_len(self.protocol.name().len()).saturating_add(4);
        len = len.saturating_add(prefixed_len(self.client_id.len()));
        if let Some((topic, payload, _, _)) = self.will {
            len = len
                .saturating_add(prefixed_len(topic.len()))
                .saturating_add(prefixed_len(payload.len()));
        }
        for field in [self.username, self.password].into_iter().flatten() {
            len = len.saturating_add(prefixed_len(field.len()));
        }
        len
    }

    fn encode<B: BufMut>(&self, buf: &mut B) -> Result<(), EncodeError> {
        if let Some((_, payload, _, _)) = self.will {
            check_binary(payload)?;
        }
        if let Some(password) = self.password {
            check_binary(password)?;
        }
        // Truncation cannot happen: "MQTT" or "MQIsdp".
        let name_len = self.protocol.name().len() as u16;
        encode_frame(
            buf,
            first_byte(PacketType::Connect),
            self.remaining_len(),
            name_len,
            self,
        )
    }
}

/// A CONNECT after the protocol name's length: the name, the rest of the variable header, the
/// payload.
impl WriteRest for Fields<'_> {
    fn write_rest<S: Sink>(&self, out: &mut S) {
        out.append(self.protocol.name().as_bytes());
        out.u8(self.protocol.level());
        out.u8(self.flags());
        out.u16(self.keep_alive);
        out.prefixed(self.client_id);
        if let Some((topic, payload, _, _)) = self.will {
            out.prefixed(topic);
            out.prefixed(payload);
        }
        for field in [self.username, self.password].into_iter().flatten() {
            out.prefixed(field);
        }
    }
}

impl Encode for ConnectRef<'_> {
    fn encoded_len(&self) -> usize {
        frame_len(self.wire().remaining_len())
    }

    fn encode<B: BufMut>(&self, buf: &mut B) -> Result<(), EncodeError> {
        self.wire().encode(buf)
    }
}

impl Encode for Connect {
    fn encoded_len(&self) -> usize {
        frame_len(self.wire().remaining_len())
    }

    fn encode<B: BufMut>(&self, buf: &mut B) -> Result<(), EncodeError> {
        self.wire().encode(buf)
    }
}
