//! CONNECT (section 3.1): the first packet a client sends.
//!
//! One type serves MQTT 3.1, 3.1.1 and 5.0. A CONNECT says its own version (protocol name and
//! level), so every decoder reads all three, and a CONNECT is encoded in the version its
//! `protocol` field names, whatever the [`Encoder`]: what 5.0 adds (properties, Will
//! Properties) is left out of a 3.1.1 or 3.1 CONNECT.

#[cfg(feature = "alloc")]
use super::fields::share;
use super::fields::{string, topic_name, Checked, Repairs};
use super::first_byte;
use crate::codec::{frame_len, Decoder, Encode};
use crate::encode::Encoder;
use crate::error::{DecodeError, EncodeError};
use crate::header::{remaining_length_len, FixedHeader, PacketType};
#[cfg(feature = "alloc")]
use crate::properties::Properties;
use crate::properties::{
    properties as property_block, vbi_len, PropertiesRef, PropertyId, PropertySet,
};
#[cfg(feature = "alloc")]
use crate::string::MqttString;
use crate::string::{check_str, checked_text, StringError, MAX_STRING_LEN};
#[cfg(feature = "alloc")]
use crate::topic::TopicName;
use crate::topic::{check_name, TopicError};
use crate::types::{Protocol, QoS};
use crate::wire::{byte, fail, finish, prefixed, prefixed_len, u16, Parsed};
use crate::write::{encode_frame, Sink, Target, WriteRest};
#[cfg(feature = "alloc")]
use bytes::{Bytes, BytesMut};
use core::fmt;

// Connect Flags (section 3.1.2.3: Figure 3.4 in 3.1.1, Figure 3-4 in 5.0; the same layout).
const RESERVED: u8 = 0b0000_0001;
const CLEAN_SESSION: u8 = 0b0000_0010;
const WILL: u8 = 0b0000_0100;
const WILL_QOS_SHIFT: u8 = 3;
const WILL_QOS_MASK: u8 = 0b0001_1000;
const WILL_RETAIN: u8 = 0b0010_0000;
const PASSWORD: u8 = 0b0100_0000;
const USER_NAME: u8 = 0b1000_0000;

#[cfg(feature = "alloc")]
/// CONNECT (section 3.1): a client's request to open a session, in MQTT 3.1.1, 3.1 or 5.0.
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
///
/// # MQTT 5.0
///
/// [`Connect::with_protocol`]`(Protocol::V5)` makes an MQTT 5.0 CONNECT, which may carry
/// properties ([`Connect::with_properties`]), Will Properties ([`Will::with_properties`]) and
/// a password without a user name ([`Login::password_only`]). A CONNECT is always encoded in
/// the version its `protocol` says, whatever the [`Encoder`] (the connection has no version
/// before it): for 3.1.1 and 3.1 the properties and Will Properties are left out, and a
/// password without a user name cannot be encoded ([MQTT-3.1.2-22] of 3.1.1).
///
/// ```
/// use mqttwire::{Connect, Decoder, Encode, Login, MqttString, Packet, Properties, Property, Protocol};
///
/// let connect = Connect::new(MqttString::new("sensor-17")?)
///     .with_protocol(Protocol::V5)
///     .with_properties(Properties::new([
///         Property::SessionExpiryInterval(3600),
///         Property::ReceiveMaximum(16),
///     ])?)
///     .with_login(Login::password_only("token"));
/// let bytes = connect.to_bytes()?;
/// // Protocol level 5; Connect Flags: Password, Clean Start; then Property Length 8.
/// assert_eq!(&bytes[8..13], [0x05, 0b0100_0010, 0x00, 0x00, 0x08]);
///
/// // Any decoder reads it: the CONNECT says its own version.
/// let decoded = Decoder::new().decode_frame(bytes)?;
/// let Packet::Connect(decoded) = decoded else { unreachable!() };
/// assert_eq!(decoded.protocol, Protocol::V5);
/// assert_eq!(decoded.properties.session_expiry_interval(), Some(3600));
/// assert_eq!(*decoded, connect);
///
/// // MQTT 3.1.1 has no password without a user name.
/// assert!(connect.with_protocol(Protocol::V311).to_bytes().is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Connect {
    /// Protocol name and level: MQTT 3.1.1, 3.1 or 5.0 (sections 3.1.2.1 and 3.1.2.2). The
    /// CONNECT is encoded in this version.
    pub protocol: Protocol,
    /// Clean Session (3.1.1, section 3.1.2.4), called Clean Start in MQTT 5.0 (section
    /// 3.1.2.4).
    pub clean_session: bool,
    /// Keep Alive in seconds, 0 to turn it off (section 3.1.2.10).
    pub keep_alive: u16,
    /// MQTT 5.0: the CONNECT properties (section 3.1.2.11): Session Expiry Interval, Receive
    /// Maximum, Maximum Packet Size, Topic Alias Maximum, Request Response Information,
    /// Request Problem Information, User Properties, Authentication Method and Data. Left out
    /// when the CONNECT is encoded for MQTT 3.1.1 or 3.1.
    pub properties: Properties,
    /// Client Identifier (section 3.1.3.1). It may be empty; a server then assigns one, or
    /// refuses with CONNACK 0x02 when Clean Session is 0 [MQTT-3.1.3-8] (5.0: 0x85, or an
    /// Assigned Client Identifier in the CONNACK [MQTT-3.1.3-7]). That decision is the
    /// server's: the decoder accepts an empty identifier.
    pub client_id: MqttString,
    /// The Will message, published by the server if the connection is lost (section 3.1.2.5).
    pub will: Option<Will>,
    /// User name and password (sections 3.1.3.4 and 3.1.3.5; 3.1.3.5 and 3.1.3.6 in 5.0).
    pub login: Option<Login>,
}

#[cfg(feature = "alloc")]
/// The Will message of a CONNECT (sections 3.1.2.5 to 3.1.2.7, 3.1.3.2 to 3.1.3.4).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Will {
    /// Will Topic.
    pub topic: TopicName,
    /// Will Message (Will Payload in 5.0): at most 65,535 bytes (section 3.1.3.3); encoding a
    /// longer one fails.
    ///
    /// In MQTT 5.0 a Payload Format Indicator of 1 in the Will Properties says it is UTF-8.
    /// The decoder does not check that: the server MAY (section 3.1.3.2.3), and answers CONNACK
    /// 0x99 (Payload format invalid) if it does and the payload is not.
    pub payload: Bytes,
    /// Will QoS.
    pub qos: QoS,
    /// Will Retain.
    pub retain: bool,
    /// MQTT 5.0: the Will Properties (section 3.1.3.2): Will Delay Interval, Payload Format
    /// Indicator, Message Expiry Interval, Content Type, Response Topic, Correlation Data,
    /// User Properties. Left out when the CONNECT is encoded for MQTT 3.1.1 or 3.1.
    pub properties: Properties,
}

#[cfg(feature = "alloc")]
/// User name and password of a CONNECT (sections 3.1.3.4 and 3.1.3.5 of 3.1.1; 3.1.3.5 and
/// 3.1.3.6 of 5.0).
///
/// MQTT 3.1.1 and 3.1 need a user name for a password [MQTT-3.1.2-22]; MQTT 5.0 allows a
/// password alone (section 3.1.2.9), made by [`Login::password_only`]. A `Login` with neither
/// is the same on the wire as no login at all: both fields are left out, and the decoder
/// gives `login: None`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Login {
    /// User Name: always there in MQTT 3.1.1 and 3.1; `None` only for a password alone in
    /// MQTT 5.0.
    pub username: Option<MqttString>,
    /// Password: binary data, at most 65,535 bytes (section 3.1.3.5); encoding a longer one
    /// fails.
    pub password: Option<Bytes>,
}

#[cfg(feature = "alloc")]
impl Will {
    /// A Will message: `message` published to `topic` at `qos` if the connection is lost,
    /// with Will Retain clear ([`Will::with_retain`] sets it) and no Will Properties. `message`
    /// is copied: any bytes or text (`"offline"`, `b"offline"`, a `Vec<u8>`, a [`Bytes`]); to
    /// keep a [`Bytes`] without copying it, set the `payload` field instead.
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
            properties: Properties::EMPTY,
        }
    }

    /// The Will with Will Retain set to `retain` (section 3.1.2.7).
    #[must_use]
    pub fn with_retain(mut self, retain: bool) -> Self {
        self.retain = retain;
        self
    }

    /// The Will with MQTT 5.0 Will Properties (section 3.1.3.2). Which properties the Will
    /// may carry is checked when the CONNECT is encoded ([`EncodeError::PropertyNotAllowed`]).
    ///
    /// ```
    /// use mqttwire::{Properties, Property, QoS, TopicName, Will};
    ///
    /// let will = Will::new(TopicName::new("sensors/17/status")?, QoS::AtLeastOnce, "offline")
    ///     .with_properties(Properties::new([Property::WillDelayInterval(30)])?);
    /// assert_eq!(will.properties.will_delay_interval(), Some(30));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn with_properties(mut self, properties: Properties) -> Self {
        self.properties = properties;
        self
    }
}

#[cfg(feature = "alloc")]
impl Login {
    /// A user name without a password ([`Login::with_password`] adds one).
    ///
    /// ```
    /// use mqttwire::{Login, MqttString};
    ///
    /// let login = Login::new(MqttString::new("sensor")?);
    /// assert_eq!(login.username.as_ref().map(|u| u.as_str()), Some("sensor"));
    /// assert_eq!(login.password, None);
    /// let login = login.with_password("secret");
    /// assert_eq!(login.password.as_deref(), Some(&b"secret"[..]));
    /// # Ok::<(), mqttwire::StringError>(())
    /// ```
    pub fn new(username: MqttString) -> Self {
        Login {
            username: Some(username),
            password: None,
        }
    }

    /// MQTT 5.0: a password without a user name (section 3.1.2.9: "This version of the
    /// protocol allows the sending of a Password with no User Name"), copied: bytes or text.
    /// MQTT 3.1.1 cannot carry it: encoding a 3.1.1 or 3.1 CONNECT with it fails with
    /// [`EncodeError::NotInV311`].
    ///
    /// ```
    /// use mqttwire::Login;
    ///
    /// let login = Login::password_only("token");
    /// assert_eq!((login.username, login.password.as_deref()), (None, Some(&b"token"[..])));
    /// ```
    pub fn password_only(password: impl AsRef<[u8]>) -> Self {
        Login {
            username: None,
            password: Some(Bytes::copy_from_slice(password.as_ref())),
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

#[cfg(feature = "alloc")]
impl Connect {
    /// A CONNECT for MQTT 3.1.1 with Clean Session set, no keep-alive, no properties, no Will,
    /// no login. The `with_` methods below change each of these.
    pub fn new(client_id: MqttString) -> Self {
        Connect {
            protocol: Protocol::V311,
            clean_session: true,
            keep_alive: 0,
            properties: Properties::EMPTY,
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

    /// The CONNECT with this user name and password (sections 3.1.3.4 and 3.1.3.5).
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

    /// The CONNECT with Clean Session (Clean Start in 5.0) set to `clean_session` (section
    /// 3.1.2.4): `false` asks the server to resume the session of this client identifier.
    #[must_use]
    pub fn with_clean_session(mut self, clean_session: bool) -> Self {
        self.clean_session = clean_session;
        self
    }

    /// The CONNECT for `protocol`: MQTT 3.1.1 (the default), 3.1 or 5.0. It is encoded in
    /// that version.
    #[must_use]
    pub fn with_protocol(mut self, protocol: Protocol) -> Self {
        self.protocol = protocol;
        self
    }

    /// The CONNECT with MQTT 5.0 `properties` (section 3.1.2.11). Which properties a CONNECT
    /// may carry is checked when it is encoded ([`EncodeError::PropertyNotAllowed`]); they are
    /// left out of a 3.1.1 or 3.1 CONNECT.
    #[must_use]
    pub fn with_properties(mut self, properties: Properties) -> Self {
        self.properties = properties;
        self
    }

    #[cfg(feature = "alloc")]
    pub(crate) fn decode(
        body: &[u8],
        frame: &Bytes,
        decoder: &Decoder,
    ) -> Result<Self, DecodeError> {
        let (lossy, mut repairs) = (decoder.lossy_utf8, Repairs::default());
        let raw = parse(body, lossy.then_some(&mut repairs))?;
        let repairs = lossy.then_some(&repairs);
        let login = (raw.username.is_some() || raw.password.is_some()).then(|| Login {
            username: raw
                .username
                .map(|username| MqttString::from_checked(username.share(frame, repairs))),
            password: raw.password.map(|p| share(frame, p)),
        });
        Ok(Connect {
            protocol: raw.protocol,
            clean_session: raw.clean_session,
            keep_alive: raw.keep_alive,
            properties: raw.properties.share(frame),
            client_id: MqttString::from_checked(raw.client_id.share(frame, repairs)),
            will: raw.will.map(|w| Will {
                topic: TopicName::from_checked(w.topic.share(frame, repairs)),
                payload: share(frame, w.payload),
                qos: w.qos,
                retain: w.retain,
                properties: w.properties.share(frame),
            }),
            login,
        })
    }

    /// The borrowed view of this CONNECT.
    pub fn as_borrowed(&self) -> ConnectRef<'_> {
        ConnectRef(Source::Owned(self))
    }
}

/// CONNECT (section 3.1) borrowed from the buffer it was decoded from (see
/// [`Decoder::decode_ref`](crate::Decoder::decode_ref)). [`ConnectRef::to_owned`] copies it
/// into a [`Connect`].
///
/// Only the decoder and [`Connect::as_borrowed`] make one, so its strings are always valid;
/// they are read with [`ConnectRef::client_id`], [`WillRef::topic`] and
/// [`LoginRef::username`]. It encodes as it is ([`Encode`]), to forward it without copying,
/// in the version its `protocol` says (see [`Connect`]).
///
/// It is two words whatever the CONNECT holds (the body it was decoded from, or the
/// [`Connect`] it views), so that [`PacketRef`](crate::PacketRef) stays small for the packets
/// of every moment; each accessor reads the fields again, which costs little once per
/// connection.
#[derive(Clone, Copy)]
pub struct ConnectRef<'a>(Source<'a>);

/// What a [`ConnectRef`] reads its fields from.
#[derive(Clone, Copy)]
enum Source<'a> {
    /// A CONNECT body the decoder checked.
    Wire(&'a [u8]),
    #[cfg(feature = "alloc")]
    /// An owned CONNECT, whose fields are valid by construction.
    Owned(&'a Connect),
}

/// The Will message of a [`ConnectRef`], borrowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct WillRef<'a> {
    topic: &'a str,
    /// Will Message (Will Payload in 5.0).
    pub payload: &'a [u8],
    /// Will QoS.
    pub qos: QoS,
    /// Will Retain.
    pub retain: bool,
    /// MQTT 5.0: the Will Properties (section 3.1.3.2); empty in 3.1.1 and 3.1.
    pub properties: PropertiesRef<'a>,
}

/// User name and password of a [`ConnectRef`], borrowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LoginRef<'a> {
    username: Option<&'a str>,
    /// Password: binary data.
    pub password: Option<&'a [u8]>,
}

impl<'a> ConnectRef<'a> {
    /// The fields, as bytes: read again from the checked body, or viewed in the owned CONNECT.
    fn wire(&self) -> Fields<'a> {
        match self.0 {
            // The decoder accepted these bytes, so reading them again succeeds.
            Source::Wire(body) => finish(fields(body)).unwrap_or(Fields::NONE),
            #[cfg(feature = "alloc")]
            Source::Owned(connect) => connect.wire(),
        }
    }

    /// Protocol name and level: MQTT 3.1.1, 3.1 or 5.0 (sections 3.1.2.1 and 3.1.2.2).
    pub fn protocol(&self) -> Protocol {
        self.wire().protocol
    }

    /// Clean Session (Clean Start in 5.0, section 3.1.2.4).
    pub fn clean_session(&self) -> bool {
        self.wire().clean_session
    }

    /// Keep Alive in seconds, 0 to turn it off (section 3.1.2.10).
    pub fn keep_alive(&self) -> u16 {
        self.wire().keep_alive
    }

    /// MQTT 5.0: the CONNECT properties (section 3.1.2.11); empty in 3.1.1 and 3.1.
    pub fn properties(&self) -> PropertiesRef<'a> {
        self.wire().properties
    }

    /// Client Identifier (section 3.1.3.1), possibly empty (see [`Connect::client_id`]).
    pub fn client_id(&self) -> &'a str {
        checked_text(self.wire().client_id)
    }

    /// The Will message (section 3.1.2.5).
    pub fn will(&self) -> Option<WillRef<'a>> {
        self.wire().will.map(|w| WillRef {
            topic: checked_text(w.topic),
            payload: w.payload,
            qos: w.qos,
            retain: w.retain,
            properties: w.properties,
        })
    }

    /// User name and password (sections 3.1.3.4 and 3.1.3.5).
    pub fn login(&self) -> Option<LoginRef<'a>> {
        let fields = self.wire();
        (fields.username.is_some() || fields.password.is_some()).then(|| LoginRef {
            username: fields.username.map(checked_text),
            password: fields.password,
        })
    }

    #[cfg(feature = "alloc")]
    /// Copies the CONNECT into an owned [`Connect`]: one allocation holds all its strings,
    /// binary fields and properties.
    pub fn to_owned(&self) -> Connect {
        let (will, login, properties, client_id) = (
            self.will(),
            self.login(),
            self.properties(),
            self.client_id(),
        );
        let fields = [
            Some(properties.as_bytes()),
            Some(client_id.as_bytes()),
            will.map(|w| w.topic.as_bytes()),
            will.map(|w| w.payload),
            will.map(|w| w.properties.as_bytes()),
            login.and_then(|l| l.username).map(str::as_bytes),
            login.and_then(|l| l.password),
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
        let properties = owned_properties(all.split_to(properties.as_bytes().len()));
        let client_id = MqttString::from_checked(all.split_to(client_id.len()));
        let will = will.map(|w| {
            let topic = TopicName::from_checked(all.split_to(w.topic.len()));
            let payload = all.split_to(w.payload.len());
            let properties = owned_properties(all.split_to(w.properties.as_bytes().len()));
            Will {
                topic,
                payload,
                qos: w.qos,
                retain: w.retain,
                properties,
            }
        });
        let login = login.map(|l| {
            let username = l
                .username
                .map(|u| MqttString::from_checked(all.split_to(u.len())));
            Login {
                username,
                password: l.password.map(|p| all.split_to(p.len())),
            }
        });
        Connect {
            protocol: self.protocol(),
            clean_session: self.clean_session(),
            keep_alive: self.keep_alive(),
            properties,
            client_id,
            will,
            login,
        }
    }
}

impl PartialEq for ConnectRef<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.wire() == other.wire()
    }
}

impl Eq for ConnectRef<'_> {}

impl core::hash::Hash for ConnectRef<'_> {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        self.wire().hash(state);
    }
}

impl fmt::Debug for ConnectRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectRef")
            .field("protocol", &self.protocol())
            .field("clean_session", &self.clean_session())
            .field("keep_alive", &self.keep_alive())
            .field("properties", &self.properties())
            .field("client_id", &self.client_id())
            .field("will", &self.will())
            .field("login", &self.login())
            .finish()
    }
}

#[cfg(feature = "alloc")]
/// Owned properties over `block`, a copy of a checked property block.
fn owned_properties(block: Bytes) -> Properties {
    PropertiesRef::checked(&block).share(&block)
}

/// A CONNECT to send, built from borrowed parts without a heap: what firmware encodes (with
/// [`Encode::encode_to_slice`]) where [`Connect`] needs the `alloc` feature. It is encoded in
/// the version its `protocol` says, as [`Connect`] is.
///
/// ```
/// use mqttwire::{ConnectParts, Encode, LoginRef, QoS, WillRef};
///
/// let mut connect = ConnectParts::new("sensor-17")?;
/// connect.keep_alive = 60;
/// connect.will = Some(WillRef::new("sensors/17/status", QoS::AtLeastOnce, b"offline")?);
/// connect.login = Some(LoginRef::new("sensor")?.with_password(b"secret"));
/// let mut out = [0u8; 128];
/// let len = connect.encode_to_slice(&mut out)?;
/// assert_eq!(&out[..2], [0x10, 65]);
/// assert_eq!(len, connect.encoded_len());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConnectParts<'a> {
    /// Protocol name and level (sections 3.1.2.1 and 3.1.2.2): MQTT 3.1.1 unless set.
    pub protocol: Protocol,
    /// Clean Session (Clean Start in MQTT 5.0), section 3.1.2.4: set unless cleared.
    pub clean_session: bool,
    /// Keep Alive in seconds, 0 to turn it off (section 3.1.2.10).
    pub keep_alive: u16,
    /// MQTT 5.0: the CONNECT properties (section 3.1.2.11); left out in 3.1.1 and 3.1.
    pub properties: PropertiesRef<'a>,
    client_id: &'a str,
    /// The Will message (section 3.1.2.5).
    pub will: Option<WillRef<'a>>,
    /// User name and password (sections 3.1.3.4 and 3.1.3.5).
    pub login: Option<LoginRef<'a>>,
}

impl<'a> ConnectParts<'a> {
    /// An MQTT 3.1.1 CONNECT with Clean Session set, Keep Alive off, no Will, no login, after
    /// checking `client_id` as a UTF-8 encoded string (section 1.5.3).
    ///
    /// # Errors
    ///
    /// The [`StringError`] naming the rule `client_id` breaks.
    pub fn new(client_id: &'a str) -> Result<Self, StringError> {
        check_str(client_id)?;
        Ok(ConnectParts {
            protocol: Protocol::V311,
            clean_session: true,
            keep_alive: 0,
            properties: PropertiesRef::EMPTY,
            client_id,
            will: None,
            login: None,
        })
    }

    /// Client Identifier (section 3.1.3.1).
    pub fn client_id(&self) -> &'a str {
        self.client_id
    }

    /// The fields, as bytes.
    fn wire(&self) -> Fields<'a> {
        Fields {
            protocol: self.protocol,
            clean_session: self.clean_session,
            keep_alive: self.keep_alive,
            properties: self.properties,
            client_id: self.client_id.as_bytes(),
            will: self.will.map(|w| WillFields {
                topic: w.topic.as_bytes(),
                payload: w.payload,
                qos: w.qos,
                retain: w.retain,
                properties: w.properties,
            }),
            username: self.login.and_then(|l| l.username).map(str::as_bytes),
            password: self.login.and_then(|l| l.password),
        }
    }
}

/// Encoding in the version the CONNECT's `protocol` says, as for [`ConnectRef`].
impl Encode for ConnectParts<'_> {
    fn encoded_len_for(&self, _encoder: &Encoder) -> usize {
        frame_len(self.wire().remaining_len())
    }

    fn write_to<T: Target>(&self, encoder: &Encoder, buf: &mut T) -> Result<(), EncodeError> {
        self.wire().encode(encoder.max_packet_size_limit(), buf)
    }
}

impl<'a> WillRef<'a> {
    /// A Will (Retain clear, no properties) on a topic name, which is checked.
    ///
    /// # Errors
    ///
    /// The [`TopicError`] naming the rule `topic` breaks.
    pub fn new(topic: &'a str, qos: QoS, payload: &'a [u8]) -> Result<Self, TopicError> {
        check_name(topic)?;
        Ok(WillRef {
            topic,
            payload,
            qos,
            retain: false,
            properties: PropertiesRef::EMPTY,
        })
    }
}

impl<'a> LoginRef<'a> {
    /// A user name, checked, without a password.
    ///
    /// # Errors
    ///
    /// The [`StringError`] naming the rule `username` breaks.
    pub fn new(username: &'a str) -> Result<Self, StringError> {
        check_str(username)?;
        Ok(LoginRef {
            username: Some(username),
            password: None,
        })
    }

    /// A password alone, without a user name: MQTT 5.0 only (section 3.1.2.9).
    pub fn password_only(password: &'a [u8]) -> Self {
        LoginRef {
            username: None,
            password: Some(password),
        }
    }

    /// The login with `password`.
    pub fn with_password(mut self, password: &'a [u8]) -> Self {
        self.password = Some(password);
        self
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
    /// User Name: `None` only for a password alone, in MQTT 5.0.
    #[inline]
    pub fn username(&self) -> Option<&'a str> {
        self.username
    }
}

#[cfg(feature = "alloc")]
impl From<ConnectRef<'_>> for Connect {
    fn from(connect: ConnectRef<'_>) -> Self {
        connect.to_owned()
    }
}

impl<'a> ConnectRef<'a> {
    /// The view of `body`, a CONNECT body that [`parse`] accepted.
    pub(crate) fn checked(body: &'a [u8]) -> Self {
        ConnectRef(Source::Wire(body))
    }
}

/// The Will fields of a CONNECT; `T` is the topic: raw bytes, or checked text.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct WillFields<'a, T> {
    topic: T,
    payload: &'a [u8],
    qos: QoS,
    retain: bool,
    /// Empty unless MQTT 5.0.
    properties: PropertiesRef<'a>,
}

#[cfg_attr(not(feature = "alloc"), allow(dead_code))] // Used by the owned packets.
/// The fields of a CONNECT, checked, borrowed from the frame.
pub(crate) struct RawConnect<'a> {
    pub(crate) protocol: Protocol,
    clean_session: bool,
    keep_alive: u16,
    properties: PropertiesRef<'a>,
    client_id: Checked<'a>,
    will: Option<WillFields<'a, Checked<'a>>>,
    username: Option<Checked<'a>>,
    password: Option<&'a [u8]>,
}

/// The fields of a CONNECT as bytes: what the parser reads before their content is checked,
/// and what the encoder of both [`Connect`] and [`ConnectRef`] writes (turning the owned
/// strings into `&str` would check their UTF-8 again).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct Fields<'a> {
    protocol: Protocol,
    clean_session: bool,
    keep_alive: u16,
    /// Empty unless MQTT 5.0.
    properties: PropertiesRef<'a>,
    client_id: &'a [u8],
    will: Option<WillFields<'a, &'a [u8]>>,
    username: Option<&'a [u8]>,
    password: Option<&'a [u8]>,
}

/// Reads and checks a CONNECT body, of any protocol level: the parser of both decoders.
pub(crate) fn parse<'a>(
    body: &'a [u8],
    mut repairs: Option<&mut Repairs>,
) -> Result<RawConnect<'a>, DecodeError> {
    let raw = finish(fields(body))?;
    let will = match raw.will {
        Some(w) => Some(WillFields {
            topic: topic_name(w.topic, repairs.as_deref_mut())?,
            payload: w.payload,
            qos: w.qos,
            retain: w.retain,
            properties: w.properties,
        }),
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
        properties: raw.properties,
        client_id: string(raw.client_id, repairs)?,
        will,
        username,
        password: raw.password,
    })
}

/// Checks the fixed header of a CONNECT once its body has said the version: a decoder of
/// another version read it without the 5.0 rule that the Remaining Length takes the fewest
/// bytes its value needs [MQTT-1.5.5-1] (a 5.0 decoder checks it in every header).
pub(crate) fn check_header(header: &FixedHeader, protocol: Protocol) -> Result<(), DecodeError> {
    let len = usize::try_from(header.remaining_length).unwrap_or(usize::MAX);
    let minimal = remaining_length_len(len).saturating_add(1);
    if protocol.is_v5() && usize::from(header.header_len) != minimal {
        return Err(DecodeError::NonMinimalVariableByteInteger);
    }
    Ok(())
}

fn fields(input: &[u8]) -> Parsed<'_, Fields<'_>> {
    let (input, name) = prefixed(input)?;
    let (input, level) = byte(input)?;
    // The name says which family [MQTT-3.1.2-1]; the level, which version of it
    // [MQTT-3.1.2-2]. A name of neither family is not MQTT at all (no CONNACK).
    let protocol = match (name, level) {
        (b"MQTT", 4) => Protocol::V311,
        (b"MQTT", 5) => Protocol::V5,
        (b"MQIsdp", 3) => Protocol::V31,
        (b"MQTT" | b"MQIsdp", _) => return fail(DecodeError::UnsupportedProtocolLevel(level)),
        _ => return fail(DecodeError::InvalidProtocolName),
    };
    let v5 = protocol.is_v5();
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
    // 3.1.1 [MQTT-3.1.2-22]; 5.0 lets a password go alone (section 3.1.2.9).
    if !v5 && flags & PASSWORD != 0 && flags & USER_NAME == 0 {
        return fail(DecodeError::PasswordWithoutUsername);
    }
    let (input, keep_alive) = u16(input)?;
    let (input, properties) = if v5 {
        let (input, properties) = property_block(input, PropertySet::Connect)?;
        // Authentication Data without Authentication Method: a Protocol Error (section
        // 3.1.2.11.10).
        if properties.contains(PropertyId::AuthenticationData)
            && !properties.contains(PropertyId::AuthenticationMethod)
        {
            return fail(DecodeError::MissingAuthenticationMethod);
        }
        (input, properties)
    } else {
        (input, PropertiesRef::EMPTY)
    };

    // Payload: fields in this order, each present exactly when its flag says so
    // [MQTT-3.1.3-1], [MQTT-3.1.2-9], [MQTT-3.1.2-11], [MQTT-3.1.2-16..19] (5.0 numbering;
    // [MQTT-3.1.2-18..21] in 3.1.1). The Will Properties come first in a 5.0 Will.
    let (input, client_id) = prefixed(input)?;
    let (input, will) = match will_qos {
        Some(qos) => {
            let (input, will_properties) = if v5 {
                property_block(input, PropertySet::Will)?
            } else {
                (input, PropertiesRef::EMPTY)
            };
            let (input, topic) = prefixed(input)?;
            let (input, payload) = prefixed(input)?;
            let will = WillFields {
                topic,
                payload,
                qos,
                retain: will_retain,
                properties: will_properties,
            };
            (input, Some(will))
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
            properties,
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

#[cfg(feature = "alloc")]
impl Connect {
    fn wire(&self) -> Fields<'_> {
        let login = self.login.as_ref();
        Fields {
            protocol: self.protocol,
            clean_session: self.clean_session,
            keep_alive: self.keep_alive,
            properties: self.properties.as_ref(),
            client_id: self.client_id.as_bytes(),
            will: self.will.as_ref().map(|w| WillFields {
                topic: &w.topic.as_bytes()[..],
                payload: &w.payload[..],
                qos: w.qos,
                retain: w.retain,
                properties: w.properties.as_ref(),
            }),
            username: login
                .and_then(|l| l.username.as_ref())
                .map(|u| &u.as_bytes()[..]),
            password: login.and_then(|l| l.password.as_deref()),
        }
    }
}

impl Fields<'static> {
    /// An empty CONNECT, for the view of a body that cannot fail to read again.
    const NONE: Fields<'static> = Fields {
        protocol: Protocol::V311,
        clean_session: false,
        keep_alive: 0,
        properties: PropertiesRef::EMPTY,
        client_id: &[],
        will: None,
        username: None,
        password: None,
    };
}

/// Bytes a property block takes with its Property Length.
fn block_len(properties: PropertiesRef<'_>) -> usize {
    let len = properties.as_bytes().len();
    vbi_len(len).saturating_add(len)
}

/// Writes a Property Length and its block.
fn write_block<S: Sink>(out: &mut S, properties: PropertiesRef<'_>) {
    out.vbi(properties.as_bytes().len());
    out.append(properties.as_bytes());
}

impl Fields<'_> {
    fn v5(&self) -> bool {
        self.protocol.is_v5()
    }

    fn flags(&self) -> u8 {
        let mut flags = 0;
        if self.clean_session {
            flags |= CLEAN_SESSION;
        }
        if let Some(w) = self.will {
            flags |= WILL | (w.qos.bits() << WILL_QOS_SHIFT);
            if w.retain {
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
        if self.v5() {
            len = len.saturating_add(block_len(self.properties));
        }
        len = len.saturating_add(prefixed_len(self.client_id.len()));
        if let Some(w) = self.will {
            if self.v5() {
                len = len.saturating_add(block_len(w.properties));
            }
            len = len
                .saturating_add(prefixed_len(w.topic.len()))
                .saturating_add(prefixed_len(w.payload.len()));
        }
        for field in [self.username, self.password].into_iter().flatten() {
            len = len.saturating_add(prefixed_len(field.len()));
        }
        len
    }

    /// The rules a CONNECT value can still break, for its version.
    fn check(&self) -> Result<(), EncodeError> {
        if let Some(w) = self.will {
            check_binary(w.payload)?;
        }
        if let Some(password) = self.password {
            check_binary(password)?;
        }
        if !self.v5() {
            if self.password.is_some() && self.username.is_none() {
                return Err(EncodeError::NotInV311(
                    "a password without a user name [MQTT-3.1.2-22]",
                ));
            }
            return Ok(());
        }
        self.properties.check_for(PropertySet::Connect)?;
        if self.properties.contains(PropertyId::AuthenticationData)
            && !self.properties.contains(PropertyId::AuthenticationMethod)
        {
            return Err(EncodeError::MissingAuthenticationMethod);
        }
        if let Some(w) = self.will {
            w.properties.check_for(PropertySet::Will)?;
        }
        Ok(())
    }

    /// Encodes the CONNECT in its own version, if it fits in `max_packet_size` bytes.
    fn encode<T: Target>(&self, max_packet_size: usize, buf: &mut T) -> Result<(), EncodeError> {
        self.check()?;
        let remaining = self.remaining_len();
        let size = frame_len(remaining);
        if size > max_packet_size {
            return Err(EncodeError::ExceedsMaximumPacketSize {
                size,
                max: max_packet_size,
            });
        }
        // Truncation cannot happen: "MQTT" or "MQIsdp".
        let name_len = self.protocol.name().len() as u16;
        encode_frame(
            buf,
            first_byte(PacketType::Connect),
            remaining,
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
        if self.v5() {
            write_block(out, self.properties);
        }
        out.prefixed(self.client_id);
        if let Some(w) = self.will {
            if self.v5() {
                write_block(out, w.properties);
            }
            out.prefixed(w.topic);
            out.prefixed(w.payload);
        }
        for field in [self.username, self.password].into_iter().flatten() {
            out.prefixed(field);
        }
    }
}

/// Encoding in the version the CONNECT's `protocol` says: the encoder's version is not used
/// (a connection has none before its CONNECT), its packet size limit is.
impl Encode for ConnectRef<'_> {
    fn encoded_len_for(&self, _encoder: &Encoder) -> usize {
        frame_len(self.wire().remaining_len())
    }

    fn write_to<T: Target>(&self, encoder: &Encoder, buf: &mut T) -> Result<(), EncodeError> {
        self.wire().encode(encoder.max_packet_size_limit(), buf)
    }
}

#[cfg(feature = "alloc")]
/// Encoding in the version the CONNECT's `protocol` says: the encoder's version is not used
/// (a connection has none before its CONNECT), its packet size limit is.
impl Encode for Connect {
    fn encoded_len_for(&self, _encoder: &Encoder) -> usize {
        frame_len(self.wire().remaining_len())
    }

    fn write_to<T: Target>(&self, encoder: &Encoder, buf: &mut T) -> Result<(), EncodeError> {
        self.wire().encode(encoder.max_packet_size_limit(), buf)
    }
}
