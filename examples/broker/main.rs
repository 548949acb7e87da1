//! A small multi-client MQTT broker on threads, to show mqttwire on the server side: MQTT 3.1.1
//! and MQTT 5.0 clients on one port at once.
//!
//! ```text
//! cargo run --example broker -- --port 1883
//! ```
//!
//! It is an example, not a product: sessions live in memory, there is no authentication, no
//! TLS and no persistence. But it speaks the protocol properly, so real clients (mosquitto_pub,
//! mosquitto_sub, paho-mqtt, the `sensor` and `subscriber` examples) work with it:
//!
//! - each connection's first packet is decoded whatever its version (a CONNECT says its own);
//!   the rest of the connection is read and written in that version. A message published in
//!   one version reaches subscribers of both: a 3.1.1 subscriber gets it without its
//!   properties (the 3.1.1 encoding has none), a 5.0 subscriber with them;
//! - CONNECT/CONNACK with return codes: 0x01 for a protocol it does not speak (through
//!   `DecodeError::connack_code`), 0x02 for an empty client id with Clean Session 0; in 5.0,
//!   the decoder's code for a malformed CONNECT (`DecodeError::connack_reason_code`: 0x81,
//!   0x82, 0x95), 0x8C Bad authentication method for a CONNECT with an Authentication Method
//!   (there is no enhanced authentication), an Assigned Client Identifier for an empty one;
//! - sessions: 3.1.1 Clean Session, or 5.0 Clean Start and Session Expiry Interval (kept that
//!   long after the connection ends; 0 ends it with the connection), subscriptions and
//!   unacknowledged QoS 1/2 messages kept while the client is away and sent again when it
//!   comes back;
//! - SUBSCRIBE/UNSUBSCRIBE with wildcards, routed by mqttwire's `SubscriptionIndex`, and the
//!   `$` rule (`#` does not see `$SYS/...`); a client with overlapping subscriptions gets one
//!   copy at the highest QoS; in 5.0 the subscription options No Local, Retain As Published
//!   and Retain Handling, Subscription Identifiers carried on the messages they deliver (all
//!   of them on a copy for overlapping subscriptions), and reason codes in SUBACK, UNSUBACK
//!   (0x11 No subscription existed) and PUBACK/PUBREC (0x10 No matching subscribers);
//! - shared subscriptions (`$share/{group}/{filter}`, from 3.1.1 and 5.0 clients alike): each
//!   message goes to one member of each group, chosen in turn, at random or by a hash of the
//!   publisher's client id (`--share-choice`), a connected member rather than an away one;
//!   no retained messages for them;
//! - QoS 0, 1 and 2 in both directions, QoS 2 delivered exactly once;
//! - retained messages, kept in mqttwire's `RetainedIndex` (a new subscription finds its own
//!   without a scan of the others) until their 5.0 Message Expiry Interval passes; Wills
//!   published when a connection ends without DISCONNECT (in 5.0 also with DISCONNECT 0x04,
//!   and after the Will Delay Interval unless the client comes back first);
//! - 5.0 per connection: the client's Maximum Packet Size (a message too large for it is not
//!   sent to it, [MQTT-3.1.2-25]; the broker's own packets leave out their Reason String and
//!   User Properties first), its Receive Maximum (QoS 1/2 messages in flight towards it),
//!   Topic Aliases it sends (up to the Topic Alias Maximum in the CONNACK; 0x94 for one out
//!   of range, 0x82 for an unknown one with an empty topic), the Message Expiry Interval
//!   (lowered by the time a message waited, expired messages dropped);
//! - keep-alive enforcement (1.5 times the period the client chose);
//! - a malformed packet closes that connection and nothing else (a 5.0 client first gets a
//!   DISCONNECT with `DecodeError::reason_code`, or for its CONNECT the CONNACK above);
//! - bounded memory per client, and no QoS 1/2 message lost silently (see `--help`).
//!
//! Left out (also listed by `--help`): enhanced authentication (AUTH), Topic Aliases towards
//! clients (never sent, whatever the client's Topic Alias Maximum), Request/Response
//! Information, Server Keep Alive, Server Reference, a Receive Maximum of its own (it reads a
//! client's PUBLISH packets as its limits allow instead).
//!
//! Design: one thread reads each connection and a second one writes to it. The broker's state
//! sits behind one mutex that readers hold only briefly; they never write to a socket while
//! holding it, they hand packets to the writer thread of the target connection through a
//! channel. A slow subscriber therefore slows down only the publishers of the messages it
//! receives, and only while it keeps acknowledging them. A watchdog thread wakes every
//! `TICK` to disconnect stalled subscribers, report drops, end expired sessions, publish
//! delayed Wills and remove expired retained messages.
//!
//! Files: `main.rs` (command line, listening), `state.rs` (sessions, routing, delivery),
//! `connection.rs` (one connection, from CONNECT to its end), `first_packet.rs` (the version
//! and the CONNACK of a CONNECT that does not decode), `peer.rs` (what a client announced in
//! its CONNECT), `aliases.rs` (Topic Aliases a client sends), `forward.rs` (a message as it
//! goes to one subscriber), `retained.rs` (retained messages and their expiry), `sharing.rs`
//! (which member of a share group gets a message), `writer.rs` (the writer thread).

mod aliases;
mod connection;
mod first_packet;
mod forward;
mod peer;
mod retained;
mod sharing;
mod state;
mod writer;

use mqttwire::RoundRobin;
use sharing::Sharing;
use state::Broker;
use std::io;
use std::net::TcpListener;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

const HELP: &str = "\
broker: a small MQTT 3.1.1 and 5.0 broker built on mqttwire (an example, not a product)

USAGE: broker [OPTIONS]

OPTIONS:
  --host HOST           address to listen on                             [127.0.0.1]
  --port PORT           port to listen on, 0 for any free one            [1883]
  --max-inflight N      QoS 1/2 messages sent to a client and not yet
                        acknowledged, at most (1 to 65535; a 5.0 client's
                        Receive Maximum lowers it for that client)       [100]
  --max-queued N        messages waiting behind that window, per client  [10000]
  --stall-timeout SECS  how long a subscriber may hold up publishers
                        without acknowledging anything                   [10]
  --topic-alias-max N   Topic Alias Maximum announced to 5.0 clients
                        (0 to 65535, 0: they may not use aliases)        [16]
  --share-choice HOW    which member of a share group ($share/GROUP/FILTER)
                        gets a message: round-robin (each in turn),
                        random, or hash (of the publisher's client id:
                        one publisher's messages to one member)          [round-robin]
  -v, --verbose         log every packet
  -h, --help            print this help

MQTT 3.1.1 and 5.0 clients are served on the same port: a message published in one version
reaches subscribers of both (a 3.1.1 subscriber gets it without its 5.0 properties).

Shared subscriptions ($share/GROUP/FILTER) are served to 3.1.1 and 5.0 clients alike: each
message matching FILTER goes to one member of each group (see --share-choice), and to every
non-shared subscriber. A member whose client is away (a persistent session) is chosen only
when no member is connected. Shared subscriptions receive no retained messages.

LIMITS (no QoS 1/2 message is dropped silently: drops and disconnections are logged on
stderr with the client id, drops counted at most once a second per client):
  - A client's QoS 1/2 PUBLISH whose message would overflow the queue of a connected
    subscriber waits, unacknowledged (no PUBACK/PUBREC yet), until there is room: publishers
    slow down to the pace of their slowest subscriber. With --max-inflight of its PUBLISH
    packets waiting, the broker stops reading that client's connection.
  - A subscriber whose full queue holds up a publisher and that acknowledges nothing
    (PUBACK/PUBCOMP) for --stall-timeout is disconnected. A persistent session keeps its
    queued messages; a clean session ends and they are discarded.
  - While its client is away, a persistent session keeps at most --max-queued QoS 1/2
    messages; later ones for it are dropped. QoS 0 messages are not kept for it.
  - QoS 0 messages are dropped for a client that has --max-queued of them waiting to be
    written to its connection.
  - Wills and the retained messages sent on SUBSCRIBE are queued even past --max-queued.
  - A packet over 1 MiB (mqttwire's default max_packet_size, announced to 5.0 clients as the
    Maximum Packet Size) closes its connection; CONNECT must come within 10 s; the keep-alive
    allowed is 1.5 times the period the client chose.
  - MQTT 5.0: a message larger than a client's Maximum Packet Size is not sent to it (logged);
    an expired message (Message Expiry Interval) is not sent, and an expired retained
    message is removed (logged).

NOT SUPPORTED (MQTT 5.0):
  - enhanced authentication: a CONNECT with an Authentication Method gets CONNACK 0x8C Bad
    authentication method, an AUTH packet DISCONNECT 0x82 Protocol Error;
  - Topic Aliases towards clients: never sent (those a client sends are accepted);
  - Request/Response Information, Server Keep Alive, Server Reference, and a Receive Maximum
    of the broker's own (the backpressure above bounds what it reads instead). Every QoS and
    retained messages are supported, so Maximum QoS and Retain Available are not announced.

The first line on stdout is `listening on HOST:PORT`.
";

/// The broker's bounds, set once from the command line (see `HELP`).
#[derive(Clone, Copy)]
pub struct Limits {
    /// QoS 1/2 messages sent to one client and not yet acknowledged, at most: further ones wait
    /// in the session's queue. Also how many of a client's own QoS 1/2 PUBLISH packets may wait
    /// for room before the broker stops reading its connection.
    pub max_inflight: usize,
    /// Messages waiting behind the in-flight window of one session, and QoS 0 messages waiting
    /// for the writer of one connection, at most.
    pub max_queued: usize,
    /// How long a subscriber may hold up publishers without acknowledging anything.
    pub stall_timeout: Duration,
    /// The Topic Alias Maximum announced to 5.0 clients.
    pub topic_alias_maximum: u16,
}

const DEFAULT_LIMITS: Limits = Limits {
    max_inflight: 100,
    max_queued: 10_000,
    stall_timeout: Duration::from_secs(10),
    topic_alias_maximum: 16,
};

static LIMITS: OnceLock<Limits> = OnceLock::new();

pub fn limits() -> &'static Limits {
    LIMITS.get().unwrap_or(&DEFAULT_LIMITS)
}

/// How often the watchdog thread runs [`Broker::tick`].
const TICK: Duration = Duration::from_millis(100);

static VERBOSE: AtomicBool = AtomicBool::new(false);

fn main() -> ExitCode {
    let mut host = "127.0.0.1".to_owned();
    let mut port: u16 = 1883;
    let mut limits = DEFAULT_LIMITS;
    let mut sharing: Sharing = Box::new(RoundRobin::new());
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        let parsed: Result<(), String> = match arg.as_str() {
            "-h" | "--help" => {
                print!("{HELP}");
                return ExitCode::SUCCESS;
            }
            "-v" | "--verbose" => {
                VERBOSE.store(true, Ordering::Relaxed);
                Ok(())
            }
            "--host" => value().map(|v| host = v),
            "--port" => value().and_then(|v| {
                port = v.parse().map_err(|_| format!("invalid port {v}"))?;
                Ok(())
            }),
            "--max-inflight" => value().and_then(|v| {
                limits.max_inflight = count(&arg, &v, 1, 65_535)?;
                Ok(())
            }),
            "--max-queued" => value().and_then(|v| {
                limits.max_queued = count(&arg, &v, 1, usize::MAX)?;
                Ok(())
            }),
            "--topic-alias-max" => value().and_then(|v| {
                // At most 65,535: the cast cannot truncate.
                limits.topic_alias_maximum = count(&arg, &v, 0, 65_535)? as u16;
                Ok(())
            }),
            "--share-choice" => value().and_then(|v| {
                sharing = sharing::from_name(&v)
                    .ok_or(format!("{arg} takes {}, not {v}", sharing::NAMES))?;
                Ok(())
            }),
            "--stall-timeout" => value().and_then(|v| {
                limits.stall_timeout = v
                    .parse::<f64>()
                    .ok()
                    .filter(|secs| *secs > 0.0)
                    .and_then(|secs| Duration::try_from_secs_f64(secs).ok())
                    .ok_or(format!("{arg} takes a positive number of seconds, not {v}"))?;
                Ok(())
            }),
            _ => Err(format!("unknown option {arg}")),
        };
        if let Err(problem) = parsed {
            eprintln!("broker: {problem}\n\n{HELP}");
            return ExitCode::from(2);
        }
    }
    // Set once, before any thread reads it.
    let _ = LIMITS.set(limits);
    match serve(&host, port, sharing) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("broker: {e}");
            ExitCode::FAILURE
        }
    }
}

/// A whole number from `min` to `max` given to `option`.
fn count(option: &str, value: &str, min: usize, max: usize) -> Result<usize, String> {
    value
        .parse()
        .ok()
        .filter(|n| (min..=max).contains(n))
        .ok_or(format!(
            "{option} takes a whole number from {min} to {max}, not {value}"
        ))
}

/// Accepts connections forever, one pair of threads each.
fn serve(host: &str, port: u16, sharing: Sharing) -> io::Result<()> {
    let listener = TcpListener::bind((host, port))?;
    println!("listening on {}", listener.local_addr()?);
    let broker = Arc::new(Mutex::new(Broker::new(sharing)));
    lock(&broker).publish_sys("$SYS/broker/version", "mqttwire example broker");
    let watchdog = Arc::clone(&broker);
    thread::spawn(move || loop {
        thread::sleep(TICK);
        lock(&watchdog).tick(Instant::now());
    });
    let mut conn = 0u64;
    for stream in listener.incoming() {
        let stream = match stream {
            Ok(s) => s,
            // A failed accept (e.g. the peer reset first) concerns that peer only.
            Err(e) => {
                eprintln!("accept failed: {e}");
                continue;
            }
        };
        let broker = Arc::clone(&broker);
        conn += 1;
        thread::spawn(move || {
            let peer = stream
                .peer_addr()
                .map_or_else(|_| "?".to_owned(), |a| a.to_string());
            let reason = connection::handle_connection(stream, &broker, conn);
            eprintln!("{peer}: connection {conn} closed: {reason}");
        });
    }
    Ok(())
}

/// Locks the broker state. A thread that panicked while holding the lock cannot have left it
/// half-updated in a way that matters more than stopping every client, so carry on.
pub fn lock(broker: &Mutex<Broker>) -> MutexGuard<'_, Broker> {
    broker
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

pub fn trace(line: impl FnOnce() -> String) {
    if VERBOSE.load(Ordering::Relaxed) {
        eprintln!("{}", line());
    }
}

/// Whether `topic` is one of the broker's own `$SYS` topics.
pub fn is_sys(topic: &str) -> bool {
    topic.split('/').next() == Some("$SYS")
}
