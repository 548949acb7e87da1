//! A subscriber: prints the messages of the sensor network and, with `--csv`, records them.
//!
//! ```text
//! cargo run --example subscriber -- --topic 'sensors/+/temperature' --csv target/readings.csv
//! ```
//!
//! It subscribes to one or more topic filters (wildcards welcome, `sensors/#` by default),
//! answers every QoS 1 message with PUBACK and every QoS 2 message with PUBREC, then PUBCOMP
//! once the broker sends PUBREL, delivering a QoS 2 message once even if the broker sends it
//! again. `--csv FILE` appends `timestamp,topic,payload` rows: the sensor network's database.
//!
//! MQTT 3.1.1 by default; with `--mqtt5` it speaks MQTT 5.0: it subscribes with a
//! Subscription Identifier, prints the properties each message carries (Message Expiry
//! Interval, Content Type, user properties such as the sensors' `unit`, the Subscription
//! Identifier, ...) and the reason codes of the SUBACK and of a DISCONNECT from the broker.
//!
//! Only `std::net` and mqttwire. Run with `--help` for every option.

use mqttwire::{
    Connect, MqttString, Packet, PacketId, Properties, Property, Protocol, PubAck, PubComp, PubRec,
    Publish, QoS, QosPid, Subscribe, Subscription, TopicFilter,
};
use std::collections::HashSet;
use std::error::Error;
use std::fs::{File, OpenOptions};
use std::io::Write;
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
subscriber: prints (and records) the messages of MQTT topic filters

USAGE: subscriber [OPTIONS]

OPTIONS:
  --host HOST          broker host                              [127.0.0.1]
  --port PORT          broker port                              [1883]
  --id ID              client identifier                        [subscriber-<pid>]
  --topic FILTER       topic filter (wildcards), repeatable     [sensors/#]
  --qos 0|1|2          maximum QoS asked for each filter        [2]
  --count N            exit after N messages                    [no limit]
  --timeout SECS       fail if --count messages have not arrived by then
  --csv FILE           append timestamp,topic,payload rows to FILE
  --keep-alive SECS    keep-alive period, 0 to turn it off      [30]
  --persistent         keep the session on the broker (Clean Session 0; in
                       MQTT 5.0 Clean Start 0 and Session Expiry Interval 1 h)
  --mqtt5              speak MQTT 5.0 (default: 3.1.1)
  --sub-id N           MQTT 5.0: Subscription Identifier of the subscription
                       (1 to 268435455)                         [1]
  -h, --help           print this help

Each message is printed on stdout as `<topic> <payload>`, followed by
` (retained)` when the broker sent it from its retained store and, in MQTT 5.0,
by its properties in brackets, e.g. ` [MessageExpiryInterval(59) unit=°C
SubscriptionIdentifier(1)]`. SUBACK codes and a broker's DISCONNECT reason code
are printed on stderr.
";

/// Command-line options.
struct Options {
    host: String,
    port: u16,
    id: String,
    filters: Vec<TopicFilter>,
    qos: QoS,
    count: Option<u64>,
    timeout: Option<Duration>,
    csv: Option<String>,
    keep_alive: u16,
    persistent: bool,
    mqtt5: bool,
    sub_id: u32,
}

fn main() -> ExitCode {
    cli::main("subscriber", HELP, parse_args, run)
}

/// Parses the command line by hand; `Ok(None)` asks for the help text.
fn parse_args(mut args: Args) -> Result<Option<Options>> {
    let mut o = Options {
        host: "127.0.0.1".into(),
        port: 1883,
        id: format!("subscriber-{}", std::process::id()),
        filters: Vec::new(),
        qos: QoS::ExactlyOnce,
        count: None,
        timeout: None,
        csv: None,
        keep_alive: 30,
        persistent: false,
        mqtt5: false,
        sub_id: 1,
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "-h" | "--help" => return Ok(None),
            "--host" => o.host = args.value(&arg)?,
            "--port" => o.port = args.parse(&arg)?,
            "--id" => o.id = args.value(&arg)?,
            "--topic" => {
                let filter = args.value(&arg)?;
                let filter = TopicFilter::new(&filter)
                    .map_err(|e| format!("{filter:?} is not a topic filter: {e}"))?;
                o.filters.push(filter);
            }
            "--qos" => o.qos = args.qos(&arg)?,
            "--count" => o.count = Some(args.parse(&arg)?),
            "--timeout" => o.timeout = Some(Duration::from_secs(args.parse(&arg)?)),
            "--csv" => o.csv = Some(args.value(&arg)?),
            "--keep-alive" => o.keep_alive = args.parse(&arg)?,
            "--persistent" => o.persistent = true,
            "--mqtt5" => o.mqtt5 = true,
            "--sub-id" => o.sub_id = args.parse(&arg)?,
            _ => return Err(format!("unknown option {arg}").into()),
        }
    }
    if o.filters.is_empty() {
        o.filters.push(TopicFilter::from_static("sensors/#")?);
    }
    Ok(Some(o))
}

fn run(o: &Options) -> Result<()> {
    let mut csv = match &o.csv {
        Some(path) => Some(open_csv(path)?),
        None => None,
    };
    let mut conn = Connection::open(&o.host, o.port, o.keep_alive)?;
    let mut connect = Connect::new(MqttString::new(&o.id)?)
        .with_keep_alive(o.keep_alive)
        .with_clean_session(!o.persistent);
    if o.mqtt5 {
        connect = connect.with_protocol(Protocol::V5);
        if o.persistent {
            // In 5.0 the session outlives the connection only for its Session Expiry Interval.
            connect =
                connect.with_properties(Properties::new([Property::SessionExpiryInterval(3600)])?);
        }
    }
    let ack = conn.handshake(&connect)?;
    eprintln!(
        "connected to {}:{} as {} (session present: {})",
        o.host, o.port, o.id, ack.session_present
    );

    let subscribe_id = PacketId::try_from(1)?;
    let subscriptions = o
        .filters
        .iter()
        .map(|f| Subscription::new(f.clone(), o.qos));
    let mut subscribe = Subscribe::new(subscribe_id, subscriptions)?;
    if o.mqtt5 {
        subscribe =
            subscribe.with_properties(Properties::new([Property::SubscriptionIdentifier(
                o.sub_id,
            )])?)?;
    }
    conn.send(&subscribe)?;

    // The deadline for the whole run: `--timeout`, or practically never.
    let deadline = Instant::now() + o.timeout.unwrap_or(Duration::from_secs(10 * 365 * 86_400));
    let mut state = Receiver::default();
    while o.count.map_or(true, |n| state.delivered < n) {
        let Some(packet) = conn.poll(deadline)? else {
            return Err(format!("timed out after {} messages", state.delivered).into());
        };
        match packet {
            Packet::SubAck(ack) if ack.packet_id() == subscribe_id => {
                for (filter, code) in o.filters.iter().zip(ack.reason_codes()) {
                    match code.granted_qos() {
                        Some(qos) => {
                            eprintln!("subscribed to {filter} (QoS {} granted)", qos.bits())
                        }
                        // 3.1.1 has one failure code, 0x80; 5.0 says why.
                        None => eprintln!(
                            "refused: {filter} ({})",
                            connection::reason(code.byte(), code, &ack.properties())
                        ),
                    }
                }
            }
            Packet::Publish(publish) => {
                if let Some(message) = state.on_publish(&mut conn, publish)? {
                    show(&message, csv.as_mut())?;
                }
            }
            Packet::PubRel(rel) => state.on_pubrel(&mut conn, rel.packet_id)?,
            other => eprintln!("ignoring unexpected {:?}", other.packet_type()),
        }
    }

    // Finish the QoS 2 exchanges still open, so the broker does not keep them (bounded wait).
    let finish_by = Instant::now() + Duration::from_secs(2);
    while !state.awaiting_release.is_empty() {
        match conn.poll(finish_by)? {
            Some(Packet::PubRel(rel)) => state.on_pubrel(&mut conn, rel.packet_id)?,
            Some(_) => {}
            None => break,
        }
    }
    conn.send(&Packet::Disconnect(mqttwire::Disconnect::new()))?;
    conn.close();
    eprintln!("received {} messages, disconnected", state.delivered);
    Ok(())
}

/// The receiving side of the QoS flows.
#[derive(Default)]
struct Receiver {
    /// QoS 2 messages delivered and acknowledged with PUBREC, whose PUBREL has not come yet.
    /// A PUBLISH with one of these identifiers is a resend of a message already delivered.
    awaiting_release: HashSet<PacketId>,
    delivered: u64,
}

impl Receiver {
    /// Acknowledges a PUBLISH and returns it if it is new to the application.
    fn on_publish(&mut self, conn: &mut Connection, publish: Publish) -> Result<Option<Publish>> {
        match publish.qos_pid() {
            QosPid::AtMostOnce => {}
            QosPid::AtLeastOnce(id) => conn.send(&PubAck::new(id))?,
            QosPid::ExactlyOnce(id) => {
                // Deliver on the first PUBLISH, remember the identifier until PUBREL, and
                // acknowledge every copy (section 4.3.3, method B of the standard's figure).
                conn.send(&PubRec::new(id))?;
                if !self.awaiting_release.insert(id) {
                    return Ok(None);
                }
            }
        }
        self.delivered += 1;
        Ok(Some(publish))
    }

    /// PUBREL ends a QoS 2 exchange: forget the identifier and answer PUBCOMP, even for an
    /// identifier we do not know (a resent PUBREL after our PUBCOMP was lost).
    fn on_pubrel(&mut self, conn: &mut Connection, id: PacketId) -> Result<()> {
        self.awaiting_release.remove(&id);
        conn.send(&PubComp::new(id))
    }
}

/// Prints a message and appends it to the CSV file.
fn show(message: &Publish, csv: Option<&mut File>) -> Result<()> {
    let payload = String::from_utf8_lossy(message.payload());
    let retained = if message.retain() { " (retained)" } else { "" };
    let properties = message.properties();
    if properties.is_empty() {
        println!("{} {payload}{retained}", message.topic());
    } else {
        let shown: Vec<String> = properties.iter().map(|p| show_property(&p)).collect();
        println!(
            "{} {payload}{retained} [{}]",
            message.topic(),
            shown.join(" ")
        );
    }
    if let Some(file) = csv {
        let row = format!(
            "{},{},{}\n",
            timestamp(SystemTime::now()),
            csv_field(message.topic()),
            csv_field(&payload)
        );
        file.write_all(row.as_bytes())?;
    }
    Ok(())
}

/// One MQTT 5.0 property: a user property as `name=value`, the others as their Rust value,
/// e.g. `MessageExpiryInterval(59)`.
fn show_property(property: &Property<'_>) -> String {
    match property {
        Property::UserProperty(name, value) => format!("{name}={value}"),
        other => format!("{other:?}"),
    }
}

/// Opens the CSV file for appending, creating it (and its directory, such as `target/`) if
/// needed, and writing the header when it is new or empty.
fn open_csv(path: &str) -> Result<File> {
    let parent = std::path::Path::new(path).parent();
    if let Some(dir) = parent.filter(|dir| !dir.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| format!("--csv {path}: {e}"))?;
    }
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| format!("--csv {path}: {e}"))?;
    if file.metadata()?.len() == 0 {
        file.write_all(b"timestamp,topic,payload\n")?;
    }
    Ok(file)
}

/// Quotes a CSV field when it needs it (RFC 4180).
fn csv_field(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_owned()
    }
}

/// `time` as RFC 3339 in UTC with milliseconds, e.g. `2024-05-01T12:00:00.250Z`, without a
/// date crate: days since the epoch to a civil date (Howard Hinnant's algorithm).
fn timestamp(time: SystemTime) -> String {
    let since = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = since.as_secs();
    let (days, rem) = ((secs / 86_400) as i64, secs % 86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60,
        since.subsec_millis()
    )
}
