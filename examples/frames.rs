//! The elementary frame exchanges of MQTT 3.1.1, printed as annotated hex, field by field.
//!
//! Every packet is built with mqttwire's types, encoded, printed with the meaning of each byte,
//! then decoded back and compared with the original. Run it with:
//!
//! ```text
//! cargo run --example frames
//! ```

use bytes::BytesMut;
use mqttwire::{
    ConnAck, Connect, Decoder, Encode, Login, MqttString, Packet, PacketId, PubAck, PubComp,
    PubRec, PubRel, Publish, QoS, QosPid, SubAck, Subscribe, SubscribeReturnCode, Subscription,
    TopicFilter, TopicName, UnsubAck, Unsubscribe, Will,
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
    exchange(
        "client → server",
        Packet::Disconnect(mqttwire::Disconnect::new()),
    )?;

    println!("\nEvery packet above was encoded by mqttwire and decoded back to an equal value.");
    Ok(())
}

fn section(title: &str) {
    println!("\n=== {title}\n");
}

/// Encodes `packet`, prints it field by field, decodes it back and checks it is unchanged.
fn exchange(direction: &str, packet: impl Into<Packet>) -> Result<(), Error> {
    let packet = packet.into();
    let bytes = packet.to_bytes()?;
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
    annotate_body(&mut cursor, &packet)?;
    if cursor.at != bytes.len() {
        return Err(format!("{} bytes were not annotated", bytes.len() - cursor.at).into());
    }

    let mut buf = BytesMut::from(&bytes[..]);
    let decoded = Decoder::new()
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
            cursor.field(1, format!("return code: {:?}", c.code))?;
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
