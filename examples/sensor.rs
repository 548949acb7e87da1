//! A simulated sensor: connects to an MQTT broker and publishes readings.
//!
//! ```text
//! cargo run --example sensor -- --room kitchen --kind temperature --qos 1 --count 10
//! ```
//!
//! It publishes to `sensors/<room>/<kind>` every `--interval` milliseconds, at QoS 0, 1 or 2
//! with the whole acknowledgement flow, sends PINGREQ when it has been quiet for the keep-alive
//! period, and ends with DISCONNECT. With `--will`, it announces itself on the retained topic
//! `sensors/<room>/status` ("online", then "offline" when it leaves) and leaves a Will that says
//! "offline" for it if the connection drops; `--abrupt` drops the connection without
//! DISCONNECT to show that.
//!
//! MQTT 3.1.1 by default; `--mqtt5` speaks MQTT 5.0 and uses what it adds for a sensor: each
//! reading carries a Message Expiry Interval (a stale reading is not worth delivering), a
//! Content Type and Payload Format Indicator (UTF-8 text) and a `unit` user property; the
//! repeated topic goes by a Topic Alias once the broker's CONNACK allows one; the Will waits
//! for a Will Delay Interval, so that a sensor that reconnects at once is not reported offline;
//! and every reason code the broker answers with (refusals, "no matching subscribers") is shown
//! with its reason string.
//!
//! Only `std::net` and mqttwire: `Encoder` turns packets into bytes, `Decoder` turns the
//! bytes the broker sends back into packets. Run with `--help` for every option.

use mqttwire::{
    Connect, Disconnect, Encode, MqttString, Packet, PacketId, PayloadFormat, Properties, Property,
    Protocol, PubAckReasonCode, PubRel, Publish, QoS, QosPid, TopicName, Will,
};
use std::error::Error;
use std::process::ExitCode;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

#[path = "client/cli.rs"]
mod cli;
#[path = "client/connection.rs"]
mod connection;
use cli::Args;
use connection::Connection;

type Result<T> = std::result::Result<T, Box<dyn Error>>;

const HELP: &str = "\
sensor: a simulated MQTT sensor publishing readings to sensors/<room>/<kind>

USAGE: sensor [OPTIONS]

OPTIONS:
  --host HOST          broker host                            [127.0.0.1]
  --port PORT          broker port                            [1883]
  --id ID              client identifier                      [sensor-<room>-<kind>]
  --room ROOM          room name (topic level)                [kitchen]
  --kind KIND          temperature, humidity, co2 or anything [temperature]
  --qos 0|1|2          QoS of the readings                    [1]
  --count N            readings to send, 0 for no end         [10]
  --interval MS        milliseconds between readings          [1000]
  --keep-alive SECS    keep-alive period, 0 to turn it off    [30]
  --retry MS           resend an unacknowledged packet (DUP)
                       after this many milliseconds           [2000]
  --retain             publish the readings retained
  --will               retained status online/offline on sensors/<room>/status,
                       with a Will saying offline if the connection drops
  --abrupt             close the socket without DISCONNECT at the end
  --mqtt5              speak MQTT 5.0 (default: 3.1.1)
  --expiry SECS        MQTT 5.0: Message Expiry Interval of the readings,
                       0 for none                             [60]
  --will-delay SECS    MQTT 5.0: Will Delay Interval with --will (the session
                       is kept as long, so that the delay applies)   [5]
  -h, --help           print this help

In MQTT 5.0 each reading also carries Content Type text/plain, Payload Format
Indicator 1 (UTF-8) and a user property unit (°C, %, ppm, hPa by kind), and the
readings' topic goes by Topic Alias 1 after the first one when the broker's
CONNACK announces a Topic Alias Maximum. Reason codes other than Success are
printed on stderr; a refusal ends the run with an error.
";

/// Command-line options.
struct Options {
    host: String,
    port: u16,
    id: Option<String>,
    room: String,
    kind: String,
    qos: QoS,
    count: u64,
    interval: Duration,
    keep_alive: u16,
    retry: Duration,
    retain: bool,
    will: bool,
    abrupt: bool,
    mqtt5: bool,
    expiry: u32,
    will_delay: u32,
}

/// How many times an unacknowledged packet is sent before the sensor gives up.
const MAX_TRIES: u32 = 5;

fn main() -> ExitCode {
    cli::main("sensor", HELP, parse_args, run)
}

/// Parses the command line by hand; `Ok(None)` asks for the help text.
fn parse_args(mut args: Args) -> Result<Option<Options>> {
    let mut o = Options {
        host: "127.0.0.1".into(),
        port: 1883,
        id: None,
        room: "kitchen".into(),
        kind: "temperature".into(),
        qos: QoS::AtLeastOnce,
        count: 10,
        interval: Duration::from_millis(1000),
        keep_alive: 30,
        retry: Duration::from_millis(2000),
        retain: false,
        will: false,
        abrupt: false,
        mqtt5: false,
        expiry: 60,
        will_delay: 5,
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "-h" | "--help" => return Ok(None),
            "--host" => o.host = args.value(&arg)?,
            "--port" => o.port = args.parse(&arg)?,
            "--id" => o.id = Some(args.value(&arg)?),
            "--room" => o.room = args.value(&arg)?,
            "--kind" => o.kind = args.value(&arg)?,
            "--qos" => o.qos = args.qos(&arg)?,
            "--count" => o.count = args.parse(&arg)?,
            "--interval" => o.interval = Duration::from_millis(args.parse(&arg)?),
            "--keep-alive" => o.keep_alive = args.parse(&arg)?,
            "--retry" => o.retry = Duration::from_millis(args.parse::<u64>(&arg)?.max(1)),
            "--retain" => o.retain = true,
            "--will" => o.will = true,
            "--abrupt" => o.abrupt = true,
            "--mqtt5" => o.mqtt5 = true,
            "--expiry" => o.expiry = args.parse(&arg)?,
            "--will-delay" => o.will_delay = args.parse(&arg)?,
            _ => return Err(format!("unknown option {arg}").into()),
        }
    }
    // Check the topics now, so that a bad room or kind is a usage error and not a surprise
    // in the middle of the run.
    TopicName::new(&format!("sensors/{}/{}", o.room, o.kind))
        .map_err(|e| format!("--room/--kind do not make a valid topic name: {e}"))?;
    Ok(Some(o))
}

fn run(o: &Options) -> Result<()> {
    let data_topic = TopicName::new(&format!("sensors/{}/{}", o.room, o.kind))?;
    let status_topic = TopicName::new(&format!("sensors/{}/status", o.room))?;
    let id = match &o.id {
        Some(id) => id.clone(),
        None => format!("sensor-{}-{}", o.room, o.kind),
    };

    let mut conn = Connection::open(&o.host, o.port, o.keep_alive)?;
    let mut connect = Connect::new(MqttString::new(&id)?).with_keep_alive(o.keep_alive);
    if o.mqtt5 {
        connect = connect.with_protocol(Protocol::V5);
    }
    if o.will {
        // The broker publishes this for us if we vanish without DISCONNECT: retained, so that
        // a dashboard that subscribes later still learns that the sensor is gone.
        let mut will =
            Will::new(status_topic.clone(), QoS::AtLeastOnce, "offline").with_retain(true);
        if o.mqtt5 {
            // The Will waits while the session lasts (section 3.1.3.2.2): keep it that long.
            will = will.with_properties(Properties::new([
                Property::WillDelayInterval(o.will_delay),
                Property::PayloadFormatIndicator(PayloadFormat::Utf8),
            ])?);
            connect = connect.with_properties(Properties::new([Property::SessionExpiryInterval(
                o.will_delay,
            )])?);
        }
        connect = connect.with_will(will);
    }
    let ack = conn.handshake(&connect)?;
    eprintln!("connected to {}:{} as {id}", o.host, o.port);

    // The readings' own properties, and their topic's alias when the broker takes aliases.
    let mut reading_properties = Vec::new();
    let mut alias = None;
    if o.mqtt5 {
        if o.expiry > 0 {
            reading_properties.push(Property::MessageExpiryInterval(o.expiry));
        }
        reading_properties.push(Property::ContentType("text/plain"));
        reading_properties.push(Property::PayloadFormatIndicator(PayloadFormat::Utf8));
        if let Some(unit) = unit(&o.kind) {
            reading_properties.push(Property::UserProperty("unit", unit));
        }
        if ack.properties.topic_alias_maximum().unwrap_or(0) >= 1 {
            alias = Some(Alias {
                topic: data_topic.clone(),
                number: 1,
                sent: false,
            });
        }
    }
    let reading_properties = Properties::new(reading_properties)?;

    let mut sensor = Publisher {
        conn,
        last_id: 0,
        retry: o.retry,
        v5: o.mqtt5,
        alias,
        last_code: PubAckReasonCode::Success,
    };
    if o.will {
        sensor.publish(
            &status_topic,
            "online",
            QoS::AtLeastOnce,
            true,
            &Properties::EMPTY,
        )?;
    }
    let mut readings = Simulator::new(&o.kind);
    let mut sent = 0u64;
    while o.count == 0 || sent < o.count {
        let reading = format!("{:.2}", readings.next_value());
        sensor.publish(&data_topic, &reading, o.qos, o.retain, &reading_properties)?;
        sent += 1;
        println!("{data_topic} {reading}");
        if o.count == 0 || sent < o.count {
            sensor.idle(o.interval)?;
        }
    }

    if o.abrupt {
        // Dropping the socket without DISCONNECT: the broker must publish the Will.
        eprintln!("closing without DISCONNECT");
        return Ok(());
    }
    if o.will {
        // A clean DISCONNECT discards the Will, so say "offline" ourselves.
        sensor.publish(
            &status_topic,
            "offline",
            QoS::AtLeastOnce,
            true,
            &Properties::EMPTY,
        )?;
    }
    let mut disconnect = Disconnect::new();
    if o.mqtt5 && o.will {
        // Leaving on purpose: the session kept for the Will Delay Interval can end now.
        disconnect =
            disconnect.with_properties(Properties::new([Property::SessionExpiryInterval(0)])?);
    }
    let mut conn = sensor.conn;
    conn.send(&Packet::Disconnect(disconnect))?;
    conn.close();
    eprintln!("sent {sent} readings, disconnected");
    Ok(())
}

/// The unit of a kind of reading, sent as a user property in MQTT 5.0.
fn unit(kind: &str) -> Option<&'static str> {
    match kind {
        "temperature" => Some("°C"),
        "humidity" => Some("%"),
        "co2" => Some("ppm"),
        "pressure" => Some("hPa"),
        _ => None,
    }
}

/// The publishing side of the QoS flows: the connection, the next packet identifier and the
/// resend timer; in MQTT 5.0 the Topic Alias of the readings and the last reason code shown.
struct Publisher {
    conn: Connection,
    last_id: u16,
    retry: Duration,
    v5: bool,
    alias: Option<Alias>,
    /// Reason codes are shown when they change, not for every reading.
    last_code: PubAckReasonCode,
}

/// A Topic Alias for one topic (MQTT 5.0, section 3.3.2.3.4).
struct Alias {
    topic: TopicName,
    number: u16,
    /// Whether a PUBLISH with both the topic and the alias has gone out: later ones can leave
    /// the topic out.
    sent: bool,
}

impl Publisher {
    /// Publishes one message and runs its acknowledgement flow to the end.
    ///
    /// - QoS 0: PUBLISH and nothing else.
    /// - QoS 1: PUBLISH, then wait for PUBACK.
    /// - QoS 2: PUBLISH, wait for PUBREC, then PUBREL, wait for PUBCOMP.
    ///
    /// MQTT 3.1.1 only requires a resend when a session is resumed, but a sensor on a lossy
    /// link usually resends on a timer too; the broker recognises the copy by its DUP flag and
    /// packet identifier, so QoS 2 still delivers it once.
    ///
    /// In MQTT 5.0 the message carries `properties`, and the Topic Alias of its topic if it has
    /// one: with the topic the first time, alone afterwards. A resend always carries the topic
    /// too, in case the first copy, which set the alias, was lost. A PUBACK or PUBREC with a
    /// failure code is an error; other codes than Success are shown.
    fn publish(
        &mut self,
        topic: &TopicName,
        payload: &str,
        qos: QoS,
        retain: bool,
        properties: &Properties,
    ) -> Result<()> {
        let id = self.next_id();
        let qos_pid = QosPid::new(qos, Some(id)).ok_or("QoS without packet identifier")?;
        let mut packet = Publish::new(topic.clone(), qos_pid, payload).with_retain(retain);
        if self.v5 {
            packet = self.with_properties(packet, properties)?;
        }
        let again = packet.clone().with_dup(true);
        let packet = match &mut self.alias {
            Some(alias) if alias.topic == *topic && alias.sent => packet.without_topic()?,
            Some(alias) if alias.topic == *topic => {
                alias.sent = true;
                packet
            }
            _ => packet,
        };
        match qos {
            QoS::AtMostOnce => self.conn.send(&packet),
            QoS::AtLeastOnce => {
                let ack = self.exchange(
                    &packet,
                    &again,
                    |p| matches!(p, Packet::PubAck(a) if a.packet_id == id),
                )?;
                self.check(&ack)
            }
            QoS::ExactlyOnce => {
                let rec = self.exchange(
                    &packet,
                    &again,
                    |p| matches!(p, Packet::PubRec(a) if a.packet_id == id),
                )?;
                // A refusing PUBREC ends the exchange: no PUBREL (section 4.3.3).
                self.check(&rec)?;
                // PUBREL has no DUP flag: it is simply sent again until PUBCOMP arrives.
                let release = PubRel::new(id);
                self.exchange(
                    &release,
                    &release,
                    |p| matches!(p, Packet::PubComp(a) if a.packet_id == id),
                )
                .map(drop)
            }
        }
    }

    /// `packet` with `properties` and, for the aliased topic, its Topic Alias.
    fn with_properties(&self, packet: Publish, properties: &Properties) -> Result<Publish> {
        let alias = self
            .alias
            .as_ref()
            .filter(|alias| alias.topic.as_str() == packet.topic())
            .map(|alias| Property::TopicAlias(alias.number));
        if properties.is_empty() && alias.is_none() {
            return Ok(packet);
        }
        let all = Properties::new(properties.iter().chain(alias))?;
        Ok(packet.with_properties(all)?)
    }

    /// The reason code of a PUBACK or PUBREC (Success in 3.1.1): a refusal is an error, other
    /// codes are shown when they change.
    fn check(&mut self, ack: &Packet) -> Result<()> {
        let (code, properties) = match ack {
            Packet::PubAck(a) => (a.reason_code, a.properties.as_ref()),
            Packet::PubRec(r) => (r.reason_code, r.properties.as_ref()),
            _ => return Ok(()),
        };
        let shown = connection::reason(code.byte(), code, &properties);
        if !code.is_success() {
            return Err(format!("the broker refused the message: {shown}").into());
        }
        if code != self.last_code {
            eprintln!("{:?}: {shown}", ack.packet_type());
            self.last_code = code;
        }
        Ok(())
    }

    /// Sends `first`, then waits for the packet `is_ack` accepts, sending `again` each time
    /// `--retry` passes without it, at most [`MAX_TRIES`] times in all. Returns that packet.
    fn exchange(
        &mut self,
        first: &impl Encode,
        again: &impl Encode,
        is_ack: impl Fn(&Packet) -> bool,
    ) -> Result<Packet> {
        self.conn.send(first)?;
        for attempt in 1..=MAX_TRIES {
            let deadline = Instant::now() + self.retry;
            while let Some(packet) = self.conn.poll(deadline)? {
                if is_ack(&packet) {
                    return Ok(packet);
                }
                eprintln!("ignoring unexpected {:?}", packet.packet_type());
            }
            if attempt < MAX_TRIES {
                eprintln!("no acknowledgement after {:?}, sending again", self.retry);
                self.conn.send(again)?;
            }
        }
        Err(format!("no acknowledgement after {MAX_TRIES} tries").into())
    }

    /// Waits `duration`, keeping the connection alive with PINGREQ.
    fn idle(&mut self, duration: Duration) -> Result<()> {
        let deadline = Instant::now() + duration;
        while let Some(packet) = self.conn.poll(deadline)? {
            eprintln!("ignoring unexpected {:?}", packet.packet_type());
        }
        Ok(())
    }

    /// Identifiers 1, 2, ... 65,535, 1, ...: only one message is ever in flight, so reuse is
    /// safe, and 0 is skipped [MQTT-2.3.1-1].
    fn next_id(&mut self) -> PacketId {
        loop {
            self.last_id = self.last_id.wrapping_add(1);
            if let Some(id) = PacketId::new(self.last_id) {
                return id;
            }
        }
    }
}

/// Plausible readings: a slow wave around a base value for the kind, plus a little noise from
/// a xorshift generator (no `rand` dependency for an example).
struct Simulator {
    base: f64,
    swing: f64,
    step: f64,
    state: u64,
}

impl Simulator {
    fn new(kind: &str) -> Simulator {
        let (base, swing) = match kind {
            "temperature" => (21.0, 2.0),
            "humidity" => (45.0, 8.0),
            "co2" => (600.0, 150.0),
            "pressure" => (1013.0, 5.0),
            _ => (50.0, 25.0),
        };
        let seed = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64)
            | 1;
        Simulator {
            base,
            swing,
            step: 0.0,
            state: seed,
        }
    }

    fn next_value(&mut self) -> f64 {
        self.state ^= self.state << 13;
        self.state ^= self.state >> 7;
        self.state ^= self.state << 17;
        let noise = (self.state % 1000) as f64 / 1000.0 - 0.5; // -0.5 ..= 0.5
        self.step += 0.2;
        self.base + self.swing * self.step.sin() + noise * self.swing / 5.0
    }
}
