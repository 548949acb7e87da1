//! The elementary frame exchanges of MQTT 3.1.1, then of MQTT 5.0, printed as annotated hex,
//! field by field.
//!
//! Every packet is built with mqttwire's types, encoded for its version, printed with the
//! meaning of each byte, then decoded back and compared with the original. Run it with:
//!
//! ```text
//! cargo run --example frames
//! ```

use bytes::BytesMut;
use mqttwire::{
    Auth, AuthReasonCode, ConnAck, Connect, Decoder, Disconnect, DisconnectReasonCode, Encoder,
    Login, MqttString, Packet, PacketId, Properties, Property, PropertyId, Protocol, PubAck,
    PubAckReasonCode, PubComp, PubRec, PubRel, Publish, QoS, QosPid, SubAck, Subscribe,
    SubscribeReturnCode, Subscription, TopicFilter, TopicName, UnsubAck, Unsubscribe, ValueType,
    Will,
};

type Error = Box<dyn std::error::Error>;

fn main() -> Result<(), Error> {
    let client_id = MqttString::new("sensor-livingroom")?;
    let temperature = TopicName::new("home/livingroom/temperature")?;
    let id = |n: u16| PacketId::try_from(n);

    section("Connecting: CONNECT → CONNACK (sections 3.1 and 3.2)");
    exchange(
        "client → server",
        Connect::new(client_id)
            .with_keep_alive(60)
            .with_will(
                Will::new(
                    TopicName::new("home/livingroom/status")?,
                    QoS::AtLeastOnce,
                    "offline",
                )
                .with_retain(true),
            )
            .with_login(Login::new(MqttString::new("sensor")?).with_password("secret")),
    )?;
    exchange("server → client", ConnAck::accepted(false))?;

    section("Subscribing with wildcards: SUBSCRIBE → SUBACK (sections 3.8 and 3.9)");
    exchange(
        "client → server",
        Subscribe::new(
            id(1)?,
            [
                Subscription::new(TopicFilter::new("home/+/temperature")?, QoS::ExactlyOnce),
                Subscription::new(TopicFilter::new("home/#")?, QoS::AtMostOnce),
            ],
        )?,
    )?;
    exchange(
        "server → client",
        SubAck::new(
            id(1)?,
            vec![
                SubscribeReturnCode::Success(QoS::ExactlyOnce),
                SubscribeReturnCode::Success(QoS::AtMostOnce),
            ],
        ),
    )?;

    section("QoS 0, at most once: PUBLISH alone (section 3.3)");
    exchange(
        "client → server",
        Publish::new(temperature.clone(), QosPid::AtMostOnce, b"21.5"),
    )?;

    section("QoS 1, at least once: PUBLISH → PUBACK (sections 3.3 and 3.4)");
    exchange(
        "client → server",
        Publish::new(temperature.clone(), QosPid::AtLeastOnce(id(2)?), b"21.6"),
    )?;
    exchange("server → client", PubAck::new(id(2)?))?;

    section("QoS 2, exactly once: PUBLISH → PUBREC → PUBREL → PUBCOMP (sections 3.3, 3.5-3.7)");
    exchange(
        "client → server",
        Publish::new(temperature, QosPid::ExactlyOnce(id(3)?), b"21.7").with_retain(true),
    )?;
    exchange("server → client", PubRec::new(id(3)?))?;
    exchange("client → server", PubRel::new(id(3)?))?;
    exchange("server → client", PubComp::new(id(3)?))?;

    section("Unsubscribing: UNSUBSCRIBE → UNSUBACK (sections 3.10 and 3.11)");
    exchange(
        "client → server",
        Unsubscribe::new(id(4)?, [TopicFilter::new("home/#")?])?,
    )?;
    exchange("server → client", UnsubAck::new(id(4)?))?;

    section("Keeping the connection alive: PINGREQ → PINGRESP (sections 3.12 and 3.13)");
    exchange("client → server", Packet::PingReq)?;
    exchange("server → client", Packet::PingResp)?;

    section("Closing: DISCONNECT (section 3.14)");
    exchange("client → server", Packet::Disconnect(Disconnect::new()))?;

    mqtt5(id)?;

    println!("\nEvery packet above was encoded by mqttwire and decoded back to an equal value.");
    Ok(())
}

/// The same conversation in MQTT 5.0 (chapter 3 of the 5.0 standard): the packets carry
/// properties and reason codes, and AUTH exists.
fn mqtt5(id: impl Fn(u16) -> Result<PacketId, mqttwire::ZeroPacketId>) -> Result<(), Error> {
    println!("\n\n##### MQTT 5.0: the same packet types, with properties and reason codes");
    let v5 = Protocol::V5;

    section("Connecting in 5.0: CONNECT with properties → CONNACK with properties (3.1, 3.2)");
    let connect = Connect::new(MqttString::new("sensor-livingroom")?)
        .with_protocol(v5)
        .with_keep_alive(60)
        .with_properties(Properties::new([
            Property::SessionExpiryInterval(3600),
            Property::ReceiveMaximum(20),
            Property::TopicAliasMaximum(10),
        ])?)
        .with_will(
            Will::new(
                TopicName::new("home/livingroom/status")?,
                QoS::AtLeastOnce,
                "offline",
            )
            .with_retain(true)
            .with_properties(Properties::new([Property::WillDelayInterval(30)])?),
        );
    exchange_in(v5, "client → server", connect)?;
    let connack = ConnAck::accepted(false).with_properties(Properties::new([
        Property::TopicAliasMaximum(10),
        Property::MaximumPacketSize(65_536),
    ])?);
    exchange_in(v5, "server → client", connack)?;

    section("A reading with user properties and a Topic Alias, acknowledged (3.3, 3.4)");
    let reading = Publish::new(
        TopicName::new("home/livingroom/temperature")?,
        QosPid::AtLeastOnce(id(5)?),
        b"21.5",
    )
    .with_properties(Properties::new([
        Property::TopicAlias(1),
        Property::MessageExpiryInterval(300),
        Property::ContentType("text/plain"),
        Property::UserProperty("unit", "°C"),
    ])?)?;
    exchange_in(v5, "client → server", reading.clone())?;
    exchange_in(v5, "server → client", PubAck::new(id(5)?))?;
    // The next reading names its topic by the alias alone (section 3.3.2.3.4).
    let next = Publish::new(
        TopicName::new("home/livingroom/temperature")?,
        QosPid::AtLeastOnce(id(6)?),
        b"21.6",
    )
    .with_properties(Properties::new([Property::TopicAlias(1)])?)?
    .without_topic()?;
    exchange_in(v5, "client → server", next)?;
    let refused = PubAck::new(id(6)?)
        .with_reason_code(PubAckReasonCode::QuotaExceeded)
        .with_properties(Properties::new([Property::ReasonString(
            "too many readings",
        )])?);
    exchange_in(v5, "server → client", refused)?;

    section("Extended authentication: AUTH (3.15), only in 5.0");
    let auth = Auth::new(AuthReasonCode::ReAuthenticate).with_properties(Properties::new([
        Property::AuthenticationMethod("SCRAM-SHA-256"),
        Property::AuthenticationData(b"n,,n=sensor,r=rOprNGfwEbeRWgbNEkqO"),
    ])?);
    exchange_in(v5, "client → server", auth)?;

    section("Closing with a reason: DISCONNECT (3.14), which the server may send in 5.0");
    let disconnect = Disconnect::new()
        .with_reason_code(DisconnectReasonCode::ServerShuttingDown)
        .with_properties(Properties::new([Property::ServerReference(
            "backup.example",
        )])?);
    exchange_in(v5, "server → client", disconnect)?;
    Ok(())
}

fn section(title: &str) {
    println!("\n=== {title}\n");
}

/// Encodes `packet` in MQTT 3.1.1, prints it field by field, decodes it back and checks it is
/// unchanged.
fn exchange(direction: &str, packet: impl Into<Packet>) -> Result<(), Error> {
    exchange_in(Protocol::V311, direction, packet)
}

/// [`exchange`] in the version `protocol`.
fn exchange_in(
    protocol: Protocol,
    direction: &str,
    packet: impl Into<Packet>,
) -> Result<(), Error> {
    let packet = packet.into();
    let bytes = Encoder::new(protocol).to_bytes(&packet)?;
    println!(
        "{:?} ({direction}), {} bytes:",
        packet.packet_type(),
        bytes.len()
    );

    let mut cursor = Cursor {
        bytes: &bytes,
        at: 0,
    };
    annotate_fixed_header(&mut cursor, &packet)?;
    if protocol.is_v5() {
        annotate_body_v5(&mut cursor, &packet)?;
    } else {
        annotate_body(&mut cursor, &packet)?;
    }
    if cursor.at != bytes.len() {
        return Err(format!("{} bytes were not annotated", bytes.len() - cursor.at).into());
    }

    let mut buf = BytesMut::from(&bytes[..]);
    let decoded = Decoder::new()
        .protocol(protocol)
        .decode(&mut buf)?
        .ok_or("a whole packet must decode")?;
    if decoded != packet || !buf.is_empty() {
        return Err(format!("round trip changed the packet: {decoded:?}").into());
    }
    println!("  decoded back: equal ✓\n");
    Ok(())
}

/// Walks the encoded bytes, printing each field's bytes beside its meaning.
struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Cursor<'_> {
    /// Prints the next `len` bytes with `meaning`, wrapping long fields.
    fn field(&mut self, len: usize, meaning: impl AsRef<str>) -> Result<&[u8], Error> {
        let field = self
            .bytes
            .get(self.at..self.at + len)
            .ok_or("field runs past the packet")?;
        self.at += len;
        let hex: Vec<String> = field.iter().map(|b| format!("{b:02x}")).collect();
        let mut chunks = hex.chunks(8);
        let first = chunks.next().map(|c| c.join(" ")).unwrap_or_default();
        println!("  {first:<24} {}", meaning.as_ref());
        for chunk in chunks {
            println!("  {}", chunk.join(" "));
        }
        Ok(field)
    }

    /// A two-byte length, then that many bytes shown as text.
    fn string(&mut self, name: &str) -> Result<(), Error> {
        let len = self.length(name)?;
        let text = self.bytes.get(self.at..self.at + len).unwrap_or_default();
        let text = String::from_utf8_lossy(text).into_owned();
        self.field(len, format!("{name}: {text:?}"))?;
        Ok(())
    }

    /// The big-endian two-byte integer at the cursor, not consumed.
    fn peek_u16(&self) -> Result<u16, Error> {
        match self.bytes.get(self.at..self.at + 2) {
            Some(&[high, low]) => Ok(u16::from_be_bytes([high, low])),
            _ => Err("two-byte integer runs past the packet".into()),
        }
    }

    fn length(&mut self, name: &str) -> Result<usize, Error> {
        let len = self.peek_u16()?;
        self.field(2, format!("{name} length: {len}"))?;
        Ok(usize::from(len))
    }

    fn packet_id(&mut self) -> Result<(), Error> {
        let id = self.peek_u16()?;
        self.field(2, format!("packet identifier: {id}"))?;
        Ok(())
    }

    /// The byte at the cursor, not consumed.
    fn peek(&self) -> Result<u8, Error> {
        Ok(*self.bytes.get(self.at).ok_or("byte past the packet")?)
    }

    /// A Variable Byte Integer (5.0 section 1.5.5), not consumed: its value and length.
    fn peek_vbi(&self) -> Result<(usize, usize), Error> {
        let mut value = 0usize;
        for (i, byte) in self.bytes[self.at..].iter().take(4).enumerate() {
            value |= usize::from(byte & 0x7f) << (7 * i);
            if byte & 0x80 == 0 {
                return Ok((value, i + 1));
            }
        }
        Err("variable byte integer runs past the packet".into())
    }

    /// A 5.0 property block: its Property Length, then each property, named, with its value.
    fn properties(&mut self, whose: &str) -> Result<(), Error> {
        let (len, len_bytes) = self.peek_vbi()?;
        self.field(len_bytes, format!("{whose} property length: {len}"))?;
        let end = self.at + len;
        while self.at < end {
            let id = PropertyId::from_byte(self.peek()?).ok_or("unknown property")?;
            self.field(1, format!("property {:#04x}: {id}", id.byte()))?;
            match id.value_type() {
                ValueType::Byte => self.field(1, format!("  = {}", self.peek()?)).map(drop)?,
                ValueType::TwoByteInteger => self
                    .field(2, format!("  = {}", self.peek_u16()?))
                    .map(drop)?,
                ValueType::FourByteInteger => {
                    let value = self.bytes.get(self.at..self.at + 4).ok_or("past the end")?;
                    let value = u32::from_be_bytes(value.try_into()?);
                    self.field(4, format!("  = {value}")).map(drop)?
                }
                ValueType::VariableByteInteger => {
                    let (value, len) = self.peek_vbi()?;
                    self.field(len, format!("  = {value}")).map(drop)?
                }
                ValueType::String | ValueType::BinaryData => self.string("  value")?,
                ValueType::StringPair => {
                    self.string("  name")?;
                    self.string("  value")?;
                }
            }
        }
        Ok(())
    }

    /// A 5.0 Reason Code byte.
    fn reason_code(&mut self, name: impl std::fmt::Display) -> Result<(), Error> {
        let code = self.peek()?;
        self.field(1, format!("reason code {code:#04x}: {name}"))?;
        Ok(())
    }
}

fn annotate_fixed_header(cursor: &mut Cursor, packet: &Packet) -> Result<(), Error> {
    let first = cursor.bytes[0];
    let flags = match packet {
        Packet::Publish(p) => format!(
            "DUP {}, QoS {}, RETAIN {}",
            u8::from(p.dup()),
            p.qos().bits(),
            u8::from(p.retain())
        ),
        _ => format!("reserved flags {:04b}", first & 0x0f),
    };
    cursor.field(
        1,
        format!("type {} ({:?}), {flags}", first >> 4, packet.packet_type()),
    )?;
    let length_bytes = cursor.bytes[1..]
        .iter()
        .take_while(|b| *b & 0x80 != 0)
        .count()
        + 1;
    let remaining = cursor.bytes.len() - 1 - length_bytes;
    cursor.field(length_bytes, format!("remaining length: {remaining}"))?;
    Ok(())
}

/// The variable header and payload of an MQTT 5.0 packet: where properties and reason codes
/// sit in each (chapter 3 of the 5.0 standard).
fn annotate_body_v5(cursor: &mut Cursor, packet: &Packet) -> Result<(), Error> {
    match packet {
        Packet::Connect(c) => {
            cursor.string("protocol name")?;
            cursor.field(1, format!("protocol version: {}", c.protocol.level()))?;
            let flags = cursor.peek()?;
            cursor.field(1, format!("connect flags {flags:08b}"))?;
            cursor.field(2, format!("keep alive: {} s", c.keep_alive))?;
            cursor.properties("CONNECT")?;
            cursor.string("client identifier")?;
            if c.will.is_some() {
                cursor.properties("will")?;
                cursor.string("will topic")?;
                cursor.string("will payload")?;
            }
            if let Some(login) = &c.login {
                if login.username.is_some() {
                    cursor.string("user name")?;
                }
                if login.password.is_some() {
                    cursor.string("password")?;
                }
            }
        }
        Packet::ConnAck(c) => {
            cursor.field(
                1,
                format!("acknowledge flags: session present {}", c.session_present),
            )?;
            cursor.reason_code(c.reason_code)?;
            cursor.properties("CONNACK")?;
        }
        Packet::Publish(p) => {
            if p.topic().is_empty() {
                cursor.length("topic name (empty: the Topic Alias stands for it)")?;
            } else {
                cursor.string("topic name")?;
            }
            if p.packet_id().is_some() {
                cursor.packet_id()?;
            }
            cursor.properties("PUBLISH")?;
            cursor.field(
                p.payload().len(),
                format!("payload: {:?}", String::from_utf8_lossy(p.payload())),
            )?;
        }
        // The shortest form: the reason code and properties are left out when they are
        // Success and none (section 3.4.2.1).
        Packet::PubAck(PubAck { reason_code, .. }) | Packet::PubRec(PubRec { reason_code, .. }) => {
            cursor.packet_id()?;
            if cursor.at < cursor.bytes.len() {
                cursor.reason_code(reason_code)?;
            }
            if cursor.at < cursor.bytes.len() {
                cursor.properties("acknowledgement")?;
            }
        }
        Packet::Disconnect(d) => {
            if cursor.at < cursor.bytes.len() {
                cursor.reason_code(d.reason_code)?;
            }
            if cursor.at < cursor.bytes.len() {
                cursor.properties("DISCONNECT")?;
            }
        }
        Packet::Auth(a) => {
            if cursor.at < cursor.bytes.len() {
                cursor.reason_code(a.reason_code)?;
                cursor.properties("AUTH")?;
            }
        }
        // The other packets of the 5.0 tour are annotated like their 3.1.1 form.
        other => annotate_body(cursor, other)?,
    }
    Ok(())
}

fn annotate_body(cursor: &mut Cursor, packet: &Packet) -> Result<(), Error> {
    match packet {
        Packet::Connect(c) => {
            cursor.string("protocol name")?;
            cursor.field(1, format!("protocol level: {}", c.protocol.level()))?;
            let flags = cursor.bytes[cursor.at];
            let names = [
                (0x80, "user name"),
                (0x40, "password"),
                (0x20, "will retain"),
                (0x04, "will"),
                (0x02, "clean session"),
            ];
            let set: Vec<&str> = names
                .iter()
                .filter(|(bit, _)| flags & bit != 0)
                .map(|(_, name)| *name)
                .collect();
            cursor.field(
                1,
                format!(
                    "connect flags {flags:08b}: {}, will QoS {}",
                    set.join(", "),
                    (flags >> 3) & 0b11
                ),
            )?;
            cursor.field(2, format!("keep alive: {} s", c.keep_alive))?;
            cursor.string("client identifier")?;
            if c.will.is_some() {
                cursor.string("will topic")?;
                cursor.string("will message")?;
            }
            if let Some(login) = &c.login {
                cursor.string("user name")?;
                if login.password.is_some() {
                    cursor.string("password")?;
                }
            }
        }
        Packet::ConnAck(c) => {
            cursor.field(
                1,
                format!("acknowledge flags: session present {}", c.session_present),
            )?;
            // The frames are MQTT 3.1.1, whose return codes every accepted CONNACK maps to.
            let code = match c.reason_code.to_v311_return_code() {
                Some(code) => format!("return code: {code:?}"),
                None => format!("reason code: {}", c.reason_code),
            };
            cursor.field(1, code)?;
        }
        Packet::Publish(p) => {
            cursor.string("topic name")?;
            if p.packet_id().is_some() {
                cursor.packet_id()?;
            }
            cursor.field(
                p.payload().len(),
                format!("payload: {:?}", String::from_utf8_lossy(p.payload())),
            )?;
        }
        Packet::PubAck(_)
        | Packet::PubRec(_)
        | Packet::PubRel(_)
        | Packet::PubComp(_)
        | Packet::UnsubAck(_) => cursor.packet_id()?,
        Packet::Subscribe(s) => {
            cursor.packet_id()?;
            for (_, qos) in s {
                cursor.string("topic filter")?;
                cursor.field(1, format!("requested QoS: {}", qos.bits()))?;
            }
        }
        Packet::SubAck(s) => {
            cursor.packet_id()?;
            for code in s.reason_codes() {
                cursor.field(1, format!("return code: {:?}", code.to_v311()))?;
            }
        }
        Packet::Unsubscribe(u) => {
            cursor.packet_id()?;
            for _ in u {
                cursor.string("topic filter")?;
            }
        }
        Packet::PingReq | Packet::PingResp | Packet::Disconnect(_) | Packet::Auth(_) => {}
    }
    Ok(())
}
