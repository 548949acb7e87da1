//! A small multi-client MQTT 3.1.1 broker on threads, to show mqttwire on the server side.
//!
//! ```text
//! cargo run --example broker -- --port 1883
//! ```
//!
//! It is an example, not a product: sessions live in memory, there is no authentication, no
//! TLS and no persistence. But it speaks the protocol properly, so real clients (mosquitto_pub,
//! mosquitto_sub, paho-mqtt, the `sensor` and `subscriber` examples) work with it:
//!
//! - CONNECT/CONNACK with return codes: 0x01 for a protocol it does not speak (through
//!   [`DecodeError::connack_code`]), 0x02 for an empty client id with Clean Session 0;
//! - clean and persistent sessions (subscriptions and unacknowledged QoS 1/2 messages are kept
//!   while a persistent client is away, and sent again when it comes back);
//! - SUBSCRIBE/UNSUBSCRIBE with wildcards, matched by mqttwire's subscription tree, and the
//!   `$` rule (`#` does not see `$SYS/...`);
//! - QoS 0, 1 and 2 in both directions, QoS 2 delivered exactly once;
//! - retained messages, Wills published when a connection ends without DISCONNECT;
//! - keep-alive enforcement (1.5 times the period the client chose);
//! - a malformed packet closes that connection and nothing else;
//! - bounded memory per client, and no QoS 1/2 message lost silently: a publisher whose
//!   messages would overflow a connected subscriber's queue waits for room (the broker holds
//!   back its PUBACK/PUBREC), a subscriber that holds publishers up without acknowledging
//!   anything is disconnected, and every message dropped (QoS 0 over the limit, QoS 1/2 for an
//!   absent client whose queue is full) is counted in a log line with the client id. `--help`
//!   lists the limits.
//!
//! Design: one thread reads each connection and a second one writes to it. The broker's state
//! sits behind one mutex that readers hold only briefly; they never write to a socket while
//! holding it, they hand packets to the writer thread of the target connection through a
//! channel. A slow subscriber therefore slows down only the publishers of the messages it
//! receives, and only while it keeps acknowledging them. A watchdog thread wakes every
//! `TICK` to disconnect stalled subscribers and report drops.

use bytes::BytesMut;
use mqttwire::{
    ConnAck, Connect, ConnectReasonCode, ConnectReturnCode, DecodeError, Decoder, Encode, Encoder,
    Packet, PacketId, PubAck, PubComp, PubRec, PubRel, Publish, QoS, QosPid, SubAck, Subscribe,
    SubscribeReturnCode, SubscriptionTree, TopicFilter, TopicName, UnsubAck, Will,
};
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::fmt;
use std::io::{self, ErrorKind, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

const HELP: &str = "\
broker: a small MQTT 3.1.1 broker built on mqttwire (an example, not a product)

USAGE: broker [OPTIONS]

OPTIONS:
  --host HOST           address to listen on                             [127.0.0.1]
  --port PORT           port to listen on, 0 for any free one            [1883]
  --max-inflight N      QoS 1/2 messages sent to a client and not yet
                        acknowledged, at most (1 to 65535)               [100]
  --max-queued N        messages waiting behind that window, per client  [10000]
  --stall-timeout SECS  how long a subscriber may hold up publishers
                        without acknowledging anything                   [10]
  -v, --verbose         log every packet
  -h, --help            print this help

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
  - A packet over 1 MiB (mqttwire's default max_packet_size) closes its connection; CONNECT
    must come within 10 s; the keep-alive allowed is 1.5 times the period the client chose.

The first line on stdout is `listening on HOST:PORT`.
";

/// The broker's bounds, set once from the command line (see `HELP`).
#[derive(Clone, Copy)]
struct Limits {
    /// QoS 1/2 messages sent to one client and not yet acknowledged, at most: further ones wait
    /// in the session's queue. Also how many of a client's own QoS 1/2 PUBLISH packets may wait
    /// for room before the broker stops reading its connection.
    max_inflight: usize,
    /// Messages waiting behind the in-flight window of one session, and QoS 0 messages waiting
    /// for the writer of one connection, at most.
    max_queued: usize,
    /// How long a subscriber may hold up publishers without acknowledging anything.
    stall_timeout: Duration,
}

const DEFAULT_LIMITS: Limits = Limits {
    max_inflight: 100,
    max_queued: 10_000,
    stall_timeout: Duration::from_secs(10),
};

static LIMITS: OnceLock<Limits> = OnceLock::new();

fn limits() -> &'static Limits {
    LIMITS.get().unwrap_or(&DEFAULT_LIMITS)
}

/// How long a new connection may take to send its CONNECT.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How often the watchdog thread runs [`Broker::tick`].
const TICK: Duration = Duration::from_millis(100);
/// Drops are logged at once, then counted and logged at most this often, per client.
const DROP_REPORT_INTERVAL: Duration = Duration::from_secs(1);

static VERBOSE: AtomicBool = AtomicBool::new(false);

fn main() -> ExitCode {
    let mut host = "127.0.0.1".to_owned();
    let mut port: u16 = 1883;
    let mut limits = DEFAULT_LIMITS;
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
                limits.max_inflight = count(&arg, &v, 65_535)?;
                Ok(())
            }),
            "--max-queued" => value().and_then(|v| {
                limits.max_queued = count(&arg, &v, usize::MAX)?;
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
    match serve(&host, port) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("broker: {e}");
            ExitCode::FAILURE
        }
    }
}

/// A whole number from 1 to `max` given to `option`.
fn count(option: &str, value: &str, max: usize) -> Result<usize, String> {
    value
        .parse()
        .ok()
        .filter(|n| (1..=max).contains(n))
        .ok_or(format!(
            "{option} takes a whole number from 1 to {max}, not {value}"
        ))
}

/// Accepts connections forever, one pair of threads each.
fn serve(host: &str, port: u16) -> io::Result<()> {
    let listener = TcpListener::bind((host, port))?;
    println!("listening on {}", listener.local_addr()?);
    let broker = Arc::new(Mutex::new(Broker::new()));
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
            let reason = handle_connection(stream, &broker, conn);
            eprintln!("{peer}: connection {conn} closed: {reason}");
        });
    }
    Ok(())
}

/// Locks the broker state. A thread that panicked while holding the lock cannot have left it
/// half-updated in a way that matters more than stopping every client, so carry on.
fn lock(broker: &Mutex<Broker>) -> MutexGuard<'_, Broker> {
    broker
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn trace(line: impl FnOnce() -> String) {
    if VERBOSE.load(Ordering::Relaxed) {
        eprintln!("{}", line());
    }
}

// ---------------------------------------------------------------------------------------------
// Broker state
// ---------------------------------------------------------------------------------------------

/// Everything shared between connections.
struct Broker {
    sessions: HashMap<String, Session>,
    /// Which client subscribed to which filter, at which QoS: the tree finds the
    /// subscriptions a topic name matches without looking at the others.
    subscriptions: SubscriptionTree<(String, QoS)>,
    /// The last retained message of each topic [MQTT-3.3.1-5].
    retained: BTreeMap<TopicName, Message>,
    /// Counts the ids handed to clients that sent an empty one.
    generated_ids: u64,
    /// Clients with PUBLISH packets waiting for room in a subscriber's queue (`Session::held`);
    /// [`Broker::release_held`] forgets the ones that have none left.
    holding: HashSet<String>,
}

/// An application message on its way to subscribers: a PUBLISH as the broker received it (or
/// made it, for a Will or a `$SYS` topic) and the QoS to deliver it at. Each delivery sends a
/// clone of the PUBLISH with its own QoS, packet identifier and RETAIN: the clones share one
/// buffer (the frame a received PUBLISH was decoded from), so the topic and the payload are
/// never copied. The PUBLISH's own QoS and packet identifier (the sender's, or QoS 0 for a
/// message the broker made) are not used.
#[derive(Clone)]
struct Message {
    publish: Publish,
    qos: QoS,
}

/// What the broker keeps for a client id (section 4.1), whether it is connected or not.
struct Session {
    /// The client id, for the log.
    id: String,
    /// The live connection, if the client is connected.
    link: Option<Link>,
    /// Clean Session: the session ends with the connection.
    clean: bool,
    /// The client's subscriptions, also kept in `Broker::subscriptions`.
    filters: HashMap<TopicFilter, QoS>,
    /// QoS 1/2 messages sent to the client and not yet acknowledged.
    inflight: BTreeMap<PacketId, Inflight>,
    /// QoS 1/2 messages waiting for room in `inflight` (or for the client to come back): at most
    /// `max_queued` from clients' PUBLISH packets (see [`Broker::blocked`]), plus Wills and
    /// retained messages.
    queue: VecDeque<Message>,
    /// QoS 1/2 PUBLISH packets from this client's connection, oldest first, not routed nor
    /// acknowledged yet because a subscriber's queue was full (backpressure). At most
    /// `max_inflight`: then the connection is not read until there is room.
    held: VecDeque<Publish>,
    /// Since when this client, connected and with a full queue, has been holding up a publisher
    /// without acknowledging anything: after `stall_timeout` it is disconnected.
    stalled_since: Option<Instant>,
    /// Messages dropped for this client, for the log.
    drops: Drops,
    /// QoS 2 messages received from the client, routed, and waiting for its PUBREL: a PUBLISH
    /// with one of these identifiers is a resend and must not be routed again.
    awaiting_release: HashSet<PacketId>,
    last_id: u16,
}

/// The connection a session is attached to.
struct Link {
    conn: u64,
    /// Packets for the writer thread.
    tx: Sender<Packet>,
    /// QoS 0 PUBLISH packets in `tx` that the writer has not taken yet (it decrements).
    backlog: Arc<AtomicUsize>,
    /// To close the socket from another thread (a takeover, a slow consumer).
    stream: TcpStream,
    /// Closed by the watchdog as a slow consumer.
    evicted: bool,
}

/// Counts of messages dropped for a client: since the last log line, and in all.
#[derive(Default)]
struct Drops {
    qos0: u64,
    qos12: u64,
    total_qos0: u64,
    total_qos12: u64,
    reported: Option<Instant>,
}

/// A message sent to a client at QoS 1 or 2 and not yet fully acknowledged.
enum Inflight {
    /// PUBLISH sent, waiting for PUBACK (QoS 1) or PUBREC (QoS 2).
    Published(Publish),
    /// PUBREL sent, waiting for PUBCOMP (QoS 2).
    Released,
}

impl Broker {
    fn new() -> Broker {
        Broker {
            sessions: HashMap::new(),
            subscriptions: SubscriptionTree::new(),
            retained: BTreeMap::new(),
            generated_ids: 0,
            holding: HashSet::new(),
        }
    }

    /// The connected subscribers whose queue is full and that a QoS `qos` message on `topic`
    /// would be queued for.
    fn full_subscribers<'a>(
        &'a self,
        topic: &'a TopicName,
        qos: QoS,
    ) -> impl Iterator<Item = &'a str> + 'a {
        let max = limits().max_queued;
        self.subscriptions
            .matches(topic)
            .filter(move |(_, granted)| qos.min(*granted) != QoS::AtMostOnce)
            .map(|(client, _)| client.as_str())
            .filter(move |client| {
                self.sessions
                    .get(*client)
                    .is_some_and(|s| s.link.is_some() && s.queue.len() >= max)
            })
    }

    /// Whether a client's QoS `qos` PUBLISH on `topic` must wait for room (backpressure): a
    /// connected subscriber it would be queued for has a full queue. Such subscribers are
    /// holding a publisher up: their stall timer starts if it is not running.
    fn blocked(&mut self, topic: &TopicName, qos: QoS, now: Instant) -> bool {
        let full: Vec<String> = self
            .full_subscribers(topic, qos)
            .map(str::to_owned)
            .collect();
        for client in &full {
            if let Some(session) = self.sessions.get_mut(client) {
                session.stalled_since.get_or_insert(now);
            }
        }
        !full.is_empty()
    }

    /// Routes held PUBLISH packets, each publisher's in the order they came, as far as their
    /// subscribers have room, and acknowledges them to their publishers.
    fn release_held(&mut self, now: Instant) {
        if self.holding.is_empty() {
            return;
        }
        let publishers: Vec<String> = self.holding.iter().cloned().collect();
        for client in publishers {
            loop {
                let Some(head) = self.sessions.get(&client).and_then(|s| s.held.front()) else {
                    self.holding.remove(&client);
                    break;
                };
                let (topic, qos) = (head.topic_name(), head.qos());
                if topic.is_some_and(|topic| self.blocked(&topic, qos, now)) {
                    break;
                }
                let Some(publish) = self
                    .sessions
                    .get_mut(&client)
                    .and_then(|s| s.held.pop_front())
                else {
                    break;
                };
                if let Some(ack) = accept_publish(self, &client, publish) {
                    if let Some(session) = self.sessions.get(&client) {
                        session.send(ack);
                    }
                }
            }
        }
    }

    /// The watchdog's round: routes what has room now, disconnects the subscribers that have
    /// held a publisher up for `stall_timeout` without acknowledging anything, and logs the
    /// drops that are due.
    fn tick(&mut self, now: Instant) {
        self.release_held(now);
        // A subscriber stalls only while it holds up the oldest held PUBLISH of a publisher.
        let mut stalling = HashSet::new();
        for client in &self.holding {
            let head = self.sessions.get(client).and_then(|s| s.held.front());
            if let Some((head, topic)) = head.and_then(|h| Some((h, h.topic_name()?))) {
                stalling.extend(self.full_subscribers(&topic, head.qos()).map(str::to_owned));
            }
        }
        for (client, session) in &mut self.sessions {
            if !stalling.contains(client) {
                session.stalled_since = None;
            }
            session.evict_if_stalled(now);
            session.report_drops(now, false);
        }
    }

    /// Hands a message to every matching subscriber, at the lower of the message's QoS and the
    /// subscription's, and updates the retained store when it asks for it.
    fn publish(&mut self, message: Message) {
        // Always there: this broker speaks MQTT 3.1.1, which has no Topic Aliases.
        let Some(topic) = message.publish.topic_name() else {
            return;
        };
        if message.publish.retain() {
            if message.publish.payload().is_empty() {
                // An empty retained message clears the topic [MQTT-3.3.1-10], [MQTT-3.3.1-11].
                self.retained.remove(&topic);
            } else {
                self.retained.insert(topic.clone(), message.clone());
            }
        }
        // A client with overlapping subscriptions gets one copy at the highest QoS granted
        // (section 3.3.5 allows one copy or several; one is kinder to the client).
        let mut targets: HashMap<&str, QoS> = HashMap::new();
        for (client, qos) in self.subscriptions.matches(&topic) {
            let best = targets.entry(client.as_str()).or_insert(*qos);
            *best = (*best).max(*qos);
        }
        for (client, granted) in targets {
            if let Some(session) = self.sessions.get_mut(client) {
                let mut publish = message.publish.clone();
                // Messages forwarded to existing subscriptions are not marked retained
                // [MQTT-3.3.1-9].
                publish.set_retain(false);
                session.deliver(Message {
                    publish,
                    qos: message.qos.min(granted),
                });
            }
        }
    }

    /// Publishes a retained `$SYS` message, the broker's own status topics.
    fn publish_sys(&mut self, topic: &str, payload: &str) {
        if let Ok(topic) = TopicName::new(topic) {
            let mut publish = Publish::new(topic, QosPid::AtMostOnce, payload);
            publish.set_retain(true);
            self.publish(Message {
                publish,
                qos: QoS::AtMostOnce,
            });
        }
    }

    fn publish_client_count(&mut self) {
        let connected = self.sessions.values().filter(|s| s.link.is_some()).count();
        self.publish_sys("$SYS/broker/clients/connected", &connected.to_string());
    }

    fn subscribe(&mut self, client: &str, filter: &TopicFilter, qos: QoS) {
        if let Some(session) = self.sessions.get_mut(client) {
            // A second subscription to the same filter replaces the first [MQTT-3.8.4-3].
            session.filters.insert(filter.clone(), qos);
        }
        self.subscriptions.retain(filter, |(c, _)| c != client);
        self.subscriptions.insert(filter, (client.to_owned(), qos));
    }

    fn unsubscribe(&mut self, client: &str, filter: &TopicFilter) {
        if let Some(session) = self.sessions.get_mut(client) {
            session.filters.remove(filter);
        }
        self.subscriptions.retain(filter, |(c, _)| c != client);
    }

    /// Forgets a session and its subscriptions; logs the messages it had not delivered.
    fn end_session(&mut self, client: &str) {
        if let Some(mut session) = self.sessions.remove(client) {
            session.report_drops(Instant::now(), true);
            let unacknowledged = session
                .inflight
                .values()
                .filter(|m| matches!(m, Inflight::Published(_)))
                .count();
            if unacknowledged + session.queue.len() > 0 {
                eprintln!(
                    "{client}: session ended with {} QoS 1/2 messages queued and {unacknowledged} \
                     sent but not acknowledged: discarded with it",
                    session.queue.len()
                );
            }
            for filter in session.filters.keys() {
                self.subscriptions.retain(filter, |(c, _)| c != client);
            }
        }
    }

    /// The retained messages a new subscription to `filter` receives, marked retained
    /// [MQTT-3.3.1-6], [MQTT-3.3.1-8].
    fn retained_for(&self, filter: &TopicFilter, granted: QoS) -> Vec<Message> {
        self.retained
            .iter()
            .filter(|(topic, _)| filter.matches(topic))
            .map(|(_, m)| {
                let mut publish = m.publish.clone();
                publish.set_retain(true);
                Message {
                    publish,
                    qos: m.qos.min(granted),
                }
            })
            .collect()
    }
}

impl Session {
    fn new(id: &str) -> Session {
        Session {
            id: id.to_owned(),
            link: None,
            clean: true,
            filters: HashMap::new(),
            inflight: BTreeMap::new(),
            queue: VecDeque::new(),
            held: VecDeque::new(),
            stalled_since: None,
            drops: Drops::default(),
            awaiting_release: HashSet::new(),
            last_id: 0,
        }
    }

    /// Sends `packet` to the client if it is connected.
    fn send(&self, packet: Packet) {
        if let Some(link) = &self.link {
            // A closed channel means the writer is gone: the connection is closing and its
            // reader will clean up, so the packet can be dropped here.
            let _ = link.tx.send(packet);
        }
    }

    /// Takes a message for this client: QoS 0 goes out now or never, QoS 1 and 2 go through
    /// the queue so that the in-flight window and offline sessions are respected. Drops (QoS 0
    /// over the writer's backlog limit, QoS 1/2 for an absent client whose queue is full) are
    /// counted and logged.
    fn deliver(&mut self, message: Message) {
        let max = limits().max_queued;
        if message.qos == QoS::AtMostOnce {
            // Not kept for an absent client (a server may discard them, section 3.1.2.4).
            let Some(link) = &self.link else { return };
            if link.backlog.load(Ordering::Relaxed) >= max {
                self.drops.qos0 += 1;
                self.report_drops(Instant::now(), false);
                return;
            }
            link.backlog.fetch_add(1, Ordering::Relaxed);
            let mut publish = message.publish;
            publish.set_qos(QosPid::AtMostOnce);
            self.send(publish.into());
            return;
        }
        if self.link.is_none() && self.queue.len() >= max {
            // Keep the oldest: the client gets what was published up to the limit, in order.
            self.drops.qos12 += 1;
            self.report_drops(Instant::now(), false);
            return;
        }
        // A connected client's queue passes the limit only for Wills and retained messages: a
        // client's PUBLISH waits for room (`Broker::blocked`).
        self.queue.push_back(message);
        self.pump();
    }

    /// Logs the messages dropped since the last report, at once for the first drop after a
    /// quiet second, then at most once per [`DROP_REPORT_INTERVAL`] (`force`: now).
    fn report_drops(&mut self, now: Instant, force: bool) {
        let drops = &mut self.drops;
        if drops.qos0 == 0 && drops.qos12 == 0 {
            return;
        }
        let recent = drops
            .reported
            .is_some_and(|t| now.duration_since(t) < DROP_REPORT_INTERVAL);
        if recent && !force {
            return;
        }
        drops.total_qos0 += drops.qos0;
        drops.total_qos12 += drops.qos12;
        let mut what = Vec::new();
        if drops.qos12 > 0 {
            what.push(format!(
                "{} (it is away and its session is full: it keeps {} queued and {} \
                 unacknowledged)",
                count_of(drops.qos12, "QoS 1/2 message"),
                self.queue.len(),
                self.inflight.len()
            ));
        }
        if drops.qos0 > 0 {
            what.push(format!(
                "{} ({} already wait to be written to it)",
                count_of(drops.qos0, "QoS 0 message"),
                limits().max_queued
            ));
        }
        eprintln!(
            "{}: dropped {}; in all {} QoS 1/2 and {} QoS 0 messages dropped for this session",
            self.id,
            what.join(" and "),
            drops.total_qos12,
            drops.total_qos0
        );
        drops.qos0 = 0;
        drops.qos12 = 0;
        drops.reported = Some(now);
    }

    /// Disconnects this client if it has held up a publisher for `stall_timeout` without
    /// acknowledging anything (its reader then cleans up as for any other end).
    fn evict_if_stalled(&mut self, now: Instant) {
        let timeout = limits().stall_timeout;
        let (Some(since), Some(link)) = (self.stalled_since, self.link.as_mut()) else {
            return;
        };
        if link.evicted || now.duration_since(since) < timeout {
            return;
        }
        link.evicted = true;
        eprintln!(
            "{}: disconnecting a slow consumer (connection {}): its queue is full ({} messages \
             waiting, {} in flight) and it acknowledged nothing for {timeout:?} while a \
             publisher waited for room; {}",
            self.id,
            link.conn,
            self.queue.len(),
            self.inflight.len(),
            if self.clean {
                "its clean session ends with the connection"
            } else {
                "its persistent session keeps them"
            }
        );
        let _ = link.stream.shutdown(Shutdown::Both);
    }

    /// Moves queued messages into the in-flight window while there is room and a connection.
    fn pump(&mut self) {
        while self.link.is_some() && self.inflight.len() < limits().max_inflight {
            let Some(message) = self.queue.pop_front() else {
                break;
            };
            let id = self.free_packet_id();
            let Some(qos) = QosPid::new(message.qos, Some(id)) else {
                continue;
            };
            let mut publish = message.publish;
            publish.set_qos(qos);
            self.send(publish.clone().into());
            self.inflight.insert(id, Inflight::Published(publish));
        }
    }

    /// A packet identifier not used by any message in flight (there are fewer than
    /// `max_inflight` of them, at most 65,535, so one is always free).
    fn free_packet_id(&mut self) -> PacketId {
        loop {
            self.last_id = self.last_id.wrapping_add(1);
            if let Some(id) = PacketId::new(self.last_id) {
                if !self.inflight.contains_key(&id) {
                    return id;
                }
            }
        }
    }

    /// After a persistent session is resumed: unacknowledged PUBLISH packets are sent again
    /// with DUP set and PUBREL packets again as they were [MQTT-4.4.0-1].
    fn resend_inflight(&mut self) {
        for (id, state) in &self.inflight {
            let packet = match state {
                Inflight::Published(p) => {
                    let mut again = p.clone();
                    again.set_dup(true);
                    again.into()
                }
                Inflight::Released => PubRel::new(*id).into(),
            };
            self.send(packet);
        }
        self.pump();
    }
}

// ---------------------------------------------------------------------------------------------
// One connection
// ---------------------------------------------------------------------------------------------

/// Why a connection ended.
enum Closed {
    /// The client sent DISCONNECT: its Will is discarded [MQTT-3.14.4-3].
    Disconnect,
    /// The peer closed the socket without DISCONNECT.
    Eof,
    /// Nothing came within 1.5 times the keep-alive period [MQTT-3.1.2-24].
    KeepAliveTimeout,
    /// The bytes were not a valid packet [MQTT-4.8.0-1].
    Malformed(DecodeError),
    /// A valid packet that breaks the protocol here (e.g. a second CONNECT).
    ProtocolError(&'static str),
    /// The connection was refused with this CONNACK code.
    Refused(ConnectReturnCode),
    /// Closed by the broker: the client held up publishers without acknowledging anything.
    SlowConsumer,
    Io(io::Error),
}

impl fmt::Display for Closed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Closed::Disconnect => f.write_str("DISCONNECT"),
            Closed::Eof => f.write_str("closed by the peer without DISCONNECT"),
            Closed::KeepAliveTimeout => f.write_str("keep-alive expired"),
            Closed::Malformed(e) => write!(f, "malformed packet: {e}"),
            Closed::ProtocolError(what) => write!(f, "protocol error: {what}"),
            Closed::Refused(code) => write!(f, "refused with CONNACK {code:?}"),
            Closed::SlowConsumer => f.write_str("disconnected as a slow consumer"),
            Closed::Io(e) => write!(f, "I/O error: {e}"),
        }
    }
}

/// Reads packets from one socket: a buffer, the decoder and a deadline on every read.
struct Reader {
    stream: TcpStream,
    buf: BytesMut,
    decoder: Decoder,
}

impl Reader {
    /// The next packet, or why there is none. `deadline` bounds the wait for the whole packet.
    fn next(&mut self, deadline: Option<Instant>) -> Result<Packet, Closed> {
        loop {
            if let Some(packet) = self
                .decoder
                .decode(&mut self.buf)
                .map_err(Closed::Malformed)?
            {
                return Ok(packet);
            }
            let timeout = match deadline {
                Some(d) => {
                    let left = d.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return Err(Closed::KeepAliveTimeout);
                    }
                    Some(left)
                }
                None => None,
            };
            self.stream.set_read_timeout(timeout).map_err(Closed::Io)?;
            let mut chunk = [0u8; 8192];
            match self.stream.read(&mut chunk) {
                Ok(0) => return Err(Closed::Eof),
                Ok(n) => self
                    .buf
                    .extend_from_slice(chunk.get(..n).unwrap_or_default()),
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(Closed::Io(e)),
            }
        }
    }
}

/// Serves one connection from CONNECT to its end, then cleans up: the session if it was
/// clean, the Will if the end was not a DISCONNECT.
fn handle_connection(stream: TcpStream, broker: &Mutex<Broker>, conn: u64) -> Closed {
    let _ = stream.set_nodelay(true);
    let mut reader = match stream.try_clone() {
        Ok(s) => Reader {
            stream: s,
            buf: BytesMut::with_capacity(4096),
            decoder: Decoder::new(),
        },
        Err(e) => return Closed::Io(e),
    };

    // The first packet must be a CONNECT [MQTT-3.1.0-1], within a reasonable time.
    let connect = match reader.next(Some(Instant::now() + CONNECT_TIMEOUT)) {
        Ok(Packet::Connect(c)) => c,
        Ok(_) => return Closed::ProtocolError("first packet is not CONNECT"),
        Err(Closed::Malformed(e)) => {
            // An unsupported protocol gets CONNACK 0x01 before the close [MQTT-3.1.2-2].
            if let Some(code) = e.connack_code() {
                refuse(&stream, code);
            }
            return Closed::Malformed(e);
        }
        Err(closed) => return closed,
    };
    if connect.protocol.is_v5() {
        // This broker speaks MQTT 3.1.1 (and 3.1): a 5.0 client gets the 5.0 CONNACK 0x84
        // Unsupported Protocol Version, then the close (section 3.1.2.2).
        let refusal = ConnAck::refused(ConnectReasonCode::UnsupportedProtocolVersion);
        if let Ok(bytes) = Encoder::V5.to_bytes(&refusal) {
            let _ = (&stream).write_all(&bytes);
        }
        return Closed::ProtocolError("MQTT 5.0 is not served by this example broker");
    }
    let client = match accept(&stream, broker, conn, &connect) {
        Ok(accepted) => accepted,
        Err(closed) => return closed,
    };
    eprintln!(
        "{client} connected (connection {conn}, keep-alive {}s)",
        connect.keep_alive
    );

    let closed = read_loop(&mut reader, broker, &client, conn, connect.keep_alive);

    // Clean up, unless a newer connection already owns the session.
    let mut state = lock(broker);
    let ours = state
        .sessions
        .get(&client)
        .and_then(|s| s.link.as_ref())
        .is_some_and(|l| l.conn == conn);
    if ours {
        if let Some(session) = state.sessions.get_mut(&client) {
            // Never acknowledged, so not accepted: the client knows they were not delivered
            // (and sends them again if it resumes its session [MQTT-4.4.0-1]).
            if !session.held.is_empty() {
                eprintln!(
                    "{client}: {} of its PUBLISH packets were waiting for room and were not \
                     acknowledged",
                    session.held.len()
                );
            }
            session.held.clear();
            session.stalled_since = None;
            if !session.clean {
                // Dropping the link drops the channel, which ends the writer thread.
                session.link = None;
            }
        }
        if state.sessions.get(&client).is_some_and(|s| s.clean) {
            state.end_session(&client);
        }
        state.publish_client_count();
    }
    if !matches!(closed, Closed::Disconnect) {
        if let Some(will) = connect.will {
            publish_will(&mut state, will, &client);
        }
    }
    // This client no longer holds anyone up, nor is it held up.
    state.release_held(Instant::now());
    drop(state);
    let _ = stream.shutdown(Shutdown::Both);
    closed
}

/// Writes a refusing CONNACK straight to the socket (no writer thread exists yet).
fn refuse(mut stream: &TcpStream, code: ConnectReturnCode) {
    if let Ok(bytes) = ConnAck::refused(code).to_bytes() {
        // The connection is being closed anyway; a failed write changes nothing.
        let _ = stream.write_all(&bytes);
    }
}

/// Checks the CONNECT, attaches the connection to a new or resumed session, sends CONNACK and
/// starts the writer thread. Returns the client id.
fn accept(
    stream: &TcpStream,
    broker: &Mutex<Broker>,
    conn: u64,
    connect: &Connect,
) -> Result<String, Closed> {
    let mut state = lock(broker);
    let client = if connect.client_id.is_empty() {
        // An empty client id is only allowed with a clean session, and then the server makes
        // one up [MQTT-3.1.3-7], [MQTT-3.1.3-8].
        if !connect.clean_session {
            drop(state);
            refuse(stream, ConnectReturnCode::IdentifierRejected);
            return Err(Closed::Refused(ConnectReturnCode::IdentifierRejected));
        }
        state.generated_ids += 1;
        format!("mqttwire-auto-{}", state.generated_ids)
    } else {
        connect.client_id.to_string()
    };

    // A client id already connected: the old connection is closed [MQTT-3.1.4-2].
    if let Some(old) = state.sessions.get_mut(&client).and_then(|s| s.link.take()) {
        eprintln!("{client}: connection {conn} takes over from {}", old.conn);
        let _ = old.stream.shutdown(Shutdown::Both);
    }
    if let Some(session) = state.sessions.get_mut(&client) {
        // What the old connection sent and the broker held was never acknowledged.
        session.held.clear();
        session.stalled_since = None;
        session.report_drops(Instant::now(), true);
    }
    if connect.clean_session {
        // Clean Session 1 discards any previous session [MQTT-3.1.2-6].
        state.end_session(&client);
    }
    let session_present = state.sessions.contains_key(&client);
    let writer_stream = stream.try_clone().map_err(Closed::Io)?;
    let link_stream = stream.try_clone().map_err(Closed::Io)?;
    let (tx, rx) = mpsc::channel();
    let backlog = Arc::new(AtomicUsize::new(0));
    let writer_client = client.clone();
    let writer_backlog = Arc::clone(&backlog);
    thread::spawn(move || write_loop(writer_stream, rx, writer_client, &writer_backlog));

    let session = state
        .sessions
        .entry(client.clone())
        .or_insert_with(|| Session::new(&client));
    session.clean = connect.clean_session;
    session.link = Some(Link {
        conn,
        tx,
        backlog,
        stream: link_stream,
        evicted: false,
    });
    // CONNACK goes into the channel before anything else can: we still hold the lock.
    session.send(ConnAck::accepted(session_present).into());
    if session_present {
        session.resend_inflight();
    }
    state.publish_client_count();
    Ok(client)
}

/// Handles the client's packets until the connection ends.
fn read_loop(
    reader: &mut Reader,
    broker: &Mutex<Broker>,
    client: &str,
    conn: u64,
    keep_alive: u16,
) -> Closed {
    // The server allows one and a half keep-alive periods between packets [MQTT-3.1.2-24].
    let grace = (keep_alive > 0).then(|| Duration::from_millis(u64::from(keep_alive) * 1500));
    loop {
        if let Err(closed) = wait_for_room(broker, client, conn) {
            return closed;
        }
        let deadline = grace.map(|g| Instant::now() + g);
        let packet = match reader.next(deadline) {
            Ok(p) => p,
            Err(closed) => {
                return match link_state(&lock(broker), client, conn) {
                    LinkState::Evicted => Closed::SlowConsumer,
                    _ => closed,
                }
            }
        };
        trace(|| format!("{client} -> {packet:?}"));
        let mut state = lock(broker);
        let reply = match packet {
            Packet::Publish(p) => on_publish(&mut state, client, p),
            Packet::PubAck(PubAck { packet_id, .. })
            | Packet::PubComp(PubComp { packet_id, .. }) => {
                if let Some(session) = state.sessions.get_mut(client) {
                    if session.inflight.remove(&packet_id).is_some() {
                        // Progress: whatever it holds up, it is not stalled.
                        session.stalled_since = None;
                    }
                    session.pump();
                }
                // Its queue may have room now for held messages.
                state.release_held(Instant::now());
                None
            }
            Packet::PubRec(PubRec { packet_id, .. }) => {
                // The message is delivered; only PUBREL/PUBCOMP remain (section 4.3.3).
                let session = state.sessions.get_mut(client);
                if let Some(entry) = session.and_then(|s| s.inflight.get_mut(&packet_id)) {
                    *entry = Inflight::Released;
                }
                Some(PubRel::new(packet_id).into())
            }
            Packet::PubRel(PubRel { packet_id, .. }) => {
                if let Some(session) = state.sessions.get_mut(client) {
                    session.awaiting_release.remove(&packet_id);
                }
                // PUBCOMP even for an unknown identifier: our earlier PUBCOMP may have been
                // lost, and the client must be able to finish.
                Some(PubComp::new(packet_id).into())
            }
            Packet::Subscribe(s) => {
                on_subscribe(&mut state, client, s);
                None
            }
            Packet::Unsubscribe(u) => {
                for filter in u.filters() {
                    state.unsubscribe(client, &filter);
                }
                Some(UnsubAck::new(u.packet_id()).into())
            }
            Packet::PingReq => Some(Packet::PingResp),
            Packet::Disconnect(_) => return Closed::Disconnect,
            Packet::Connect(_) => return Closed::ProtocolError("second CONNECT [MQTT-3.1.0-2]"),
            Packet::ConnAck(_) | Packet::SubAck(_) | Packet::UnsubAck(_) | Packet::PingResp => {
                return Closed::ProtocolError("a server-to-client packet from a client")
            }
            // This broker speaks MQTT 3.1.1, where the decoder refuses type 15 as reserved.
            Packet::Auth(_) => return Closed::ProtocolError("AUTH is MQTT 5.0"),
        };
        if let (Some(reply), Some(session)) = (reply, state.sessions.get(client)) {
            session.send(reply);
        }
    }
}

/// Where a connection stands with its session.
enum LinkState {
    /// The session's live connection.
    Current,
    /// The session's live connection, closed by the watchdog as a slow consumer.
    Evicted,
    /// A newer connection took the session over, or it has ended.
    Gone,
}

fn link_state(state: &Broker, client: &str, conn: u64) -> LinkState {
    match state.sessions.get(client).and_then(|s| s.link.as_ref()) {
        Some(link) if link.conn == conn && link.evicted => LinkState::Evicted,
        Some(link) if link.conn == conn => LinkState::Current,
        _ => LinkState::Gone,
    }
}

/// Backpressure: while `max_inflight` of this client's PUBLISH packets are held for lack of
/// room, its connection is not read (so TCP slows the client down too). Fails when the
/// connection was closed as a slow consumer meanwhile.
fn wait_for_room(broker: &Mutex<Broker>, client: &str, conn: u64) -> Result<(), Closed> {
    loop {
        {
            let state = lock(broker);
            match link_state(&state, client, conn) {
                LinkState::Evicted => return Err(Closed::SlowConsumer),
                // The socket is closed: the next read says so.
                LinkState::Gone => return Ok(()),
                LinkState::Current => {}
            }
            let held = state.sessions.get(client).map_or(0, |s| s.held.len());
            if held < limits().max_inflight {
                return Ok(());
            }
        }
        thread::sleep(Duration::from_millis(5));
    }
}

/// A PUBLISH from a client. At QoS 1 and 2 it is held, neither routed nor acknowledged, while
/// a connected subscriber it would be queued for has a full queue, and behind the client's
/// earlier held ones (they keep their order); [`Broker::release_held`] routes it when there is
/// room. Otherwise it is routed now. Returns what to answer now.
fn on_publish(state: &mut Broker, client: &str, p: Publish) -> Option<Packet> {
    let resend = match p.qos_pid() {
        QosPid::ExactlyOnce(id) => state
            .sessions
            .get(client)
            .is_some_and(|s| s.awaiting_release.contains(&id)),
        _ => false,
    };
    // A resent QoS 2 message and a client's `$SYS` message are acknowledged, not routed.
    if p.qos() != QoS::AtMostOnce && !resend && !is_sys(p.topic()) {
        let behind = state
            .sessions
            .get(client)
            .is_some_and(|s| !s.held.is_empty());
        let topic = p.topic_name();
        if behind || topic.is_some_and(|t| state.blocked(&t, p.qos(), Instant::now())) {
            if let Some(session) = state.sessions.get_mut(client) {
                trace(|| format!("{client}: PUBLISH held until its subscribers have room"));
                session.held.push_back(p);
                state.holding.insert(client.to_owned());
            }
            return None;
        }
    }
    accept_publish(state, client, p)
}

/// A PUBLISH from a client that has room: route it (once, for QoS 2) and say what to answer.
fn accept_publish(state: &mut Broker, client: &str, mut p: Publish) -> Option<Packet> {
    let received = p.qos_pid();
    // At QoS 2, route on the first copy only: a resend (DUP) of an identifier still waiting
    // for PUBREL is acknowledged again but not routed again [MQTT-4.3.3-2].
    let first_copy = match received {
        QosPid::ExactlyOnce(id) => state
            .sessions
            .get_mut(client)
            .is_some_and(|s| s.awaiting_release.insert(id)),
        _ => true,
    };
    // `$SYS` belongs to the server (section 4.7.2): a client's message there is acknowledged
    // but dropped, as mosquitto does (it accepts other `$` topics, and so do we).
    if first_copy && !is_sys(p.topic()) {
        // The DUP flag is not passed on to subscribers [MQTT-3.3.1-3].
        p.set_dup(false);
        state.publish(Message {
            qos: p.qos(),
            publish: p,
        });
    }
    match received {
        QosPid::AtMostOnce => None,
        QosPid::AtLeastOnce(id) => Some(PubAck::new(id).into()),
        QosPid::ExactlyOnce(id) => Some(PubRec::new(id).into()),
    }
}

/// A SUBSCRIBE: record each filter, answer SUBACK, then send the matching retained messages
/// (after the SUBACK, so the client knows the subscription they belong to).
fn on_subscribe(state: &mut Broker, client: &str, s: Subscribe) {
    let subscriptions = s.subscriptions();
    let mut codes = Vec::with_capacity(subscriptions.len());
    let mut retained = Vec::new();
    for sub in subscriptions {
        // Every QoS is supported, so the granted QoS is the one asked for.
        state.subscribe(client, &sub.filter, sub.qos);
        codes.push(SubscribeReturnCode::Success(sub.qos));
        retained.extend(state.retained_for(&sub.filter, sub.qos));
    }
    if let Some(session) = state.sessions.get_mut(client) {
        session.send(SubAck::new(s.packet_id(), codes).into());
        for message in retained {
            session.deliver(message);
        }
    }
}

/// Publishes a Will, as if its client had sent it (section 3.1.2.5).
fn publish_will(state: &mut Broker, will: Will, client: &str) {
    if is_sys(will.topic.as_str()) {
        return; // as for PUBLISH: `$SYS` is the server's
    }
    eprintln!("{client}: publishing its Will on {}", will.topic);
    let mut publish = Publish::new(will.topic, QosPid::AtMostOnce, will.payload);
    publish.set_retain(will.retain);
    state.publish(Message {
        publish,
        qos: will.qos,
    });
}

/// "1 message", "2 messages".
fn count_of(n: u64, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

/// Whether `topic` is one of the broker's own `$SYS` topics.
fn is_sys(topic: &str) -> bool {
    topic.split('/').next() == Some("$SYS")
}

/// Writes the packets of one connection. It waits for a packet, then takes whatever else is
/// already queued, so that a burst of messages becomes one `write` instead of many.
/// `backlog` counts the QoS 0 PUBLISH packets in the channel.
fn write_loop(mut stream: TcpStream, rx: Receiver<Packet>, client: String, backlog: &AtomicUsize) {
    let mut buf = BytesMut::with_capacity(8192);
    while let Ok(first) = rx.recv() {
        buf.clear();
        let mut next = Some(first);
        while let Some(packet) = next {
            trace(|| format!("{client} <- {packet:?}"));
            if matches!(&packet, Packet::Publish(p) if p.qos() == QoS::AtMostOnce) {
                let _ = backlog
                    .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1));
            }
            // Packets built by the broker are valid by construction; should one fail to
            // encode, it is skipped rather than sent half-written.
            if let Err(e) = packet.encode(&mut buf) {
                eprintln!("cannot encode {:?}: {e}", packet.packet_type());
            }
            next = if buf.len() < 64 * 1024 {
                rx.try_recv().ok()
            } else {
                None
            };
        }
        if stream.write_all(&buf).is_err() {
            // The reader will notice the broken socket too and clean up the session.
            let _ = stream.shutdown(Shutdown::Both);
            return;
        }
    }
}
