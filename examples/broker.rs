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
//! - a malformed packet closes that connection and nothing else.
//!
//! Design: one thread reads each connection and a second one writes to it. The broker's state
//! sits behind one mutex that readers hold only briefly; they never write to a socket while
//! holding it, they hand packets to the writer thread of the target connection through a
//! channel, so one slow client cannot stall the others.

use bytes::BytesMut;
use mqttwire::{
    ConnAck, Connect, ConnectReturnCode, DecodeError, Decoder, Encode, Packet, PacketId, PubAck,
    PubComp, PubRec, PubRel, Publish, QoS, QosPid, SubAck, Subscribe, SubscribeReturnCode,
    SubscriptionTree, TopicFilter, TopicName, UnsubAck, Will,
};
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::fmt;
use std::io::{self, ErrorKind, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

const HELP: &str = "\
broker: a small MQTT 3.1.1 broker built on mqttwire (an example, not a product)

USAGE: broker [OPTIONS]

OPTIONS:
  --host HOST     address to listen on                  [127.0.0.1]
  --port PORT     port to listen on, 0 for any free one [1883]
  -v, --verbose   log every packet
  -h, --help      print this help

The first line on stdout is `listening on HOST:PORT`.
";

/// QoS 1 and 2 messages sent to one client and not yet acknowledged, at most. Further
/// messages wait in the session's queue: this bounds the work a slow client causes.
const MAX_INFLIGHT: usize = 100;
/// Messages kept for a client that is away or slow; beyond that the oldest are dropped.
const MAX_QUEUED: usize = 10_000;
/// How long a new connection may take to send its CONNECT.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

static VERBOSE: AtomicBool = AtomicBool::new(false);

fn main() -> ExitCode {
    let mut host = "127.0.0.1".to_owned();
    let mut port: u16 = 1883;
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
            _ => Err(format!("unknown option {arg}")),
        };
        if let Err(problem) = parsed {
            eprintln!("broker: {problem}\n\n{HELP}");
            return ExitCode::from(2);
        }
    }
    match serve(&host, port) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("broker: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Accepts connections forever, one pair of threads each.
fn serve(host: &str, port: u16) -> io::Result<()> {
    let listener = TcpListener::bind((host, port))?;
    println!("listening on {}", listener.local_addr()?);
    let broker = Arc::new(Mutex::new(Broker::new()));
    lock(&broker).publish_sys("$SYS/broker/version", "mqttwire example broker");
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
#[derive(Default)]
struct Session {
    /// The live connection, if the client is connected.
    link: Option<Link>,
    /// Clean Session: the session ends with the connection.
    clean: bool,
    /// The client's subscriptions, also kept in `Broker::subscriptions`.
    filters: HashMap<TopicFilter, QoS>,
    /// QoS 1/2 messages sent to the client and not yet acknowledged.
    inflight: BTreeMap<PacketId, Inflight>,
    /// QoS 1/2 messages waiting for room in `inflight` (or for the client to come back).
    queue: VecDeque<Message>,
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
    /// To close the socket from another thread (a takeover).
    stream: TcpStream,
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

    /// Forgets a session and its subscriptions.
    fn end_session(&mut self, client: &str) {
        if let Some(session) = self.sessions.remove(client) {
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
    /// Sends `packet` to the client if it is connected.
    fn send(&self, packet: Packet) {
        if let Some(link) = &self.link {
            // A closed channel means the writer is gone: the connection is closing and its
            // reader will clean up, so the packet can be dropped here.
            let _ = link.tx.send(packet);
        }
    }

    /// Takes a message for this client: QoS 0 goes out now or never, QoS 1 and 2 go through
    /// the queue so that the in-flight window and offline sessions are respected.
    fn deliver(&mut self, message: Message) {
        if message.qos == QoS::AtMostOnce {
            let mut publish = message.publish;
            publish.set_qos(QosPid::AtMostOnce);
            self.send(publish.into());
            return;
        }
        if self.queue.len() >= MAX_QUEUED {
            self.queue.pop_front();
            eprintln!("queue full: dropped the oldest message of a session");
        }
        self.queue.push_back(message);
        self.pump();
    }

    /// Moves queued messages into the in-flight window while there is room and a connection.
    fn pump(&mut self) {
        while self.link.is_some() && self.inflight.len() < MAX_INFLIGHT {
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

    /// A packet identifier not used by any message in flight (there are at most
    /// `MAX_INFLIGHT` of them, so one is always free).
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
    let client = match accept(&stream, broker, conn, &connect) {
        Ok(accepted) => accepted,
        Err(closed) => return closed,
    };
    eprintln!(
        "{client} connected (connection {conn}, keep-alive {}s)",
        connect.keep_alive
    );

    let closed = read_loop(&mut reader, broker, &client, connect.keep_alive);

    // Clean up, unless a newer connection already owns the session.
    let mut state = lock(broker);
    let ours = state
        .sessions
        .get(&client)
        .and_then(|s| s.link.as_ref())
        .is_some_and(|l| l.conn == conn);
    if ours {
        let clean = state.sessions.get(&client).is_some_and(|s| s.clean);
        if clean {
            state.end_session(&client);
        } else if let Some(session) = state.sessions.get_mut(&client) {
            // Dropping the link drops the channel, which ends the writer thread.
            session.link = None;
        }
        state.publish_client_count();
    }
    if !matches!(closed, Closed::Disconnect) {
        if let Some(will) = connect.will {
            publish_will(&mut state, will, &client);
        }
    }
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
    if connect.clean_session {
        // Clean Session 1 discards any previous session [MQTT-3.1.2-6].
        state.end_session(&client);
    }
    let session_present = state.sessions.contains_key(&client);
    let writer_stream = stream.try_clone().map_err(Closed::Io)?;
    let link_stream = stream.try_clone().map_err(Closed::Io)?;
    let (tx, rx) = mpsc::channel();
    let writer_client = client.clone();
    thread::spawn(move || write_loop(writer_stream, rx, writer_client));

    let session = state.sessions.entry(client.clone()).or_default();
    session.clean = connect.clean_session;
    session.link = Some(Link {
        conn,
        tx,
        stream: link_stream,
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
fn read_loop(reader: &mut Reader, broker: &Mutex<Broker>, client: &str, keep_alive: u16) -> Closed {
    // The server allows one and a half keep-alive periods between packets [MQTT-3.1.2-24].
    let grace = (keep_alive > 0).then(|| Duration::from_millis(u64::from(keep_alive) * 1500));
    loop {
        let deadline = grace.map(|g| Instant::now() + g);
        let packet = match reader.next(deadline) {
            Ok(p) => p,
            Err(closed) => return closed,
        };
        trace(|| format!("{client} -> {packet:?}"));
        let mut state = lock(broker);
        let reply = match packet {
            Packet::Publish(p) => on_publish(&mut state, client, p),
            Packet::PubAck(PubAck { packet_id, .. })
            | Packet::PubComp(PubComp { packet_id, .. }) => {
                if let Some(session) = state.sessions.get_mut(client) {
                    session.inflight.remove(&packet_id);
                    session.pump();
                }
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

/// A PUBLISH from a client: route it (once, for QoS 2) and say what to answer.
fn on_publish(state: &mut Broker, client: &str, mut p: Publish) -> Option<Packet> {
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

/// Whether `topic` is one of the broker's own `$SYS` topics.
fn is_sys(topic: &str) -> bool {
    topic.split('/').next() == Some("$SYS")
}

/// Writes the packets of one connection. It waits for a packet, then takes whatever else is
/// already queued, so that a burst of messages becomes one `write` instead of many.
fn write_loop(mut stream: TcpStream, rx: Receiver<Packet>, client: String) {
    let mut buf = BytesMut::with_capacity(8192);
    while let Ok(first) = rx.recv() {
        buf.clear();
        let mut next = Some(first);
        while let Some(packet) = next {
            trace(|| format!("{client} <- {packet:?}"));
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
