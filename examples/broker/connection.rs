//! One connection, from its CONNECT to its end: the version it speaks, the session it attaches
//! to, the packets it sends, and the clean-up (session, Will) when it ends.

use crate::aliases::Aliases;
use crate::peer::{connack_properties, Expiry, Peer};
use crate::state::{Broker, Inflight, Link, Message, Session};
use crate::writer::write_loop;
use crate::{first_packet, forward};
use crate::{is_sys, limits, lock, trace};
use bytes::BytesMut;
use mqttwire::{
    ConnAck, Connect, ConnectReasonCode, DecodeError, Decoder, Disconnect, DisconnectReasonCode,
    Encoder, Packet, PacketId, PropertyId, Protocol, PubAck, PubAckReasonCode, PubComp, PubRec,
    PubRel, PubRelReasonCode, Publish, QoS, QosPid, RetainHandling, SubAck, SubAckReasonCode,
    Subscribe, UnsubAck, UnsubAckReasonCode, Unsubscribe, Will,
};
use std::fmt;
use std::io::{self, ErrorKind, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::num::NonZeroU32;
use std::sync::atomic::AtomicUsize;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// How long a new connection may take to send its CONNECT.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a refused connection is read, at most, after its CONNACK (see `refuse`).
const LINGER: Duration = Duration::from_secs(2);

/// Why a connection ended.
pub enum Closed {
    /// The client sent DISCONNECT: its Will is discarded [MQTT-3.14.4-3], unless it asked for
    /// it with Reason Code 0x04 (MQTT 5.0).
    Disconnect {
        with_will: bool,
    },
    /// The peer closed the socket without DISCONNECT.
    Eof,
    /// Nothing came within 1.5 times the keep-alive period [MQTT-3.1.2-24].
    KeepAliveTimeout,
    /// The bytes were not a valid packet [MQTT-4.8.0-1].
    Malformed(DecodeError),
    /// A valid packet that breaks the protocol here (e.g. a second CONNECT): the reason code
    /// a 5.0 client is told, and what happened.
    Violation(DisconnectReasonCode, &'static str),
    /// The connection was refused with this CONNACK code.
    Refused(ConnectReasonCode),
    /// Closed by the broker: the client held up publishers without acknowledging anything.
    SlowConsumer,
    Io(io::Error),
}

impl Closed {
    /// The Reason Code of the DISCONNECT a 5.0 client gets before the broker closes the
    /// connection (section 4.13), if the broker is the one closing it.
    fn reason_code(&self) -> Option<DisconnectReasonCode> {
        match self {
            Closed::Malformed(e) => Some(e.reason_code()),
            Closed::Violation(code, _) => Some(*code),
            Closed::KeepAliveTimeout => Some(DisconnectReasonCode::KeepAliveTimeout),
            _ => None,
        }
    }
}

impl fmt::Display for Closed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Closed::Disconnect { with_will: false } => f.write_str("DISCONNECT"),
            Closed::Disconnect { with_will: true } => {
                f.write_str("DISCONNECT 0x04 (with Will Message)")
            }
            Closed::Eof => f.write_str("closed by the peer without DISCONNECT"),
            Closed::KeepAliveTimeout => f.write_str("keep-alive expired"),
            Closed::Malformed(e) => write!(f, "malformed packet: {e}"),
            Closed::Violation(code, what) => {
                write!(f, "protocol error: {what} ({:#04x} {code})", code.byte())
            }
            Closed::Refused(code) => write!(f, "refused with CONNACK {:#04x} {code}", code.byte()),
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
        self.next_seeing(deadline, |_| {})
    }

    /// [`Reader::next`], showing `see` the buffered bytes before each decode attempt (which
    /// takes a malformed packet's frame out of the buffer).
    fn next_seeing(
        &mut self,
        deadline: Option<Instant>,
        mut see: impl FnMut(&[u8]),
    ) -> Result<Packet, Closed> {
        loop {
            see(&self.buf);
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

/// Serves one connection from CONNECT to its end, then cleans up: the session if it ends with
/// the connection, the Will if the end was not a DISCONNECT.
pub fn handle_connection(stream: TcpStream, broker: &Mutex<Broker>, conn: u64) -> Closed {
    let _ = stream.set_nodelay(true);
    let mut reader = match stream.try_clone() {
        Ok(s) => Reader {
            stream: s,
            buf: BytesMut::with_capacity(4096),
            // Any decoder reads a CONNECT of any version: it says its own.
            decoder: Decoder::new(),
        },
        Err(e) => return Closed::Io(e),
    };

    // The first packet must be a CONNECT [MQTT-3.1.0-1], within a reasonable time.
    let mut level = None;
    let first = reader.next_seeing(Some(Instant::now() + CONNECT_TIMEOUT), |bytes| {
        level = level.or_else(|| first_packet::claimed_level(bytes));
    });
    let connect = match first {
        Ok(Packet::Connect(c)) => c,
        Ok(_) => {
            return Closed::Violation(
                DisconnectReasonCode::ProtocolError,
                "first packet is not CONNECT",
            )
        }
        Err(Closed::Malformed(e)) => {
            if let Some((protocol, code)) = first_packet::refusal(&e, level) {
                refuse(&stream, protocol, code);
            }
            return Closed::Malformed(e);
        }
        Err(closed) => return closed,
    };
    let peer = Peer::of(&connect);
    // The rest of the connection is in the version of its CONNECT.
    reader.decoder = peer.decoder();
    let (client, writer) = match accept(&stream, broker, conn, &connect, peer) {
        Ok(accepted) => accepted,
        Err(closed) => return closed,
    };
    eprintln!(
        "{client} connected (connection {conn}, {}, keep-alive {}s)",
        match connect.protocol {
            Protocol::V5 => "MQTT 5.0",
            Protocol::V311 => "MQTT 3.1.1",
            Protocol::V31 => "MQTT 3.1",
        },
        connect.keep_alive
    );

    let mut aliases = Aliases::new(limits().topic_alias_maximum);
    let closed = read_loop(&mut reader, broker, &client, conn, &connect, &mut aliases);

    // Clean up, unless a newer connection already owns the session.
    let mut state = lock(broker);
    let ours = state
        .sessions
        .get(&client)
        .and_then(|s| s.link.as_ref())
        .is_some_and(|l| l.conn == conn);
    if ours {
        if let Some(session) = state.sessions.get_mut(&client) {
            if let (true, Some(code)) = (peer.v5(), closed.reason_code()) {
                // A 5.0 client is told why before the close (section 4.13).
                session.send(Disconnect::new().with_reason_code(code).into());
            }
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
            if !session.ends_with_connection() {
                session.detach(Instant::now());
            }
        }
        if state
            .sessions
            .get(&client)
            .is_some_and(Session::ends_with_connection)
        {
            state.end_session(&client);
        }
        state.publish_client_count();
    }
    if !matches!(closed, Closed::Disconnect { with_will: false }) {
        if let Some(will) = &connect.will {
            let delay = will.properties.will_delay_interval().unwrap_or(0);
            if ours || delay == 0 {
                let session_goes_on = state.sessions.contains_key(&client);
                publish_will(&mut state, will, &client, session_goes_on);
            }
            // Else a newer connection took the session over within the Will Delay Interval:
            // the Will is not published [MQTT-3.1.3-9].
        }
    }
    // This client no longer holds anyone up, nor is it held up.
    state.release_held(Instant::now());
    drop(state);
    // The session no longer holds the writer's channel: the writer writes what is left (a
    // DISCONNECT, say) and ends.
    let _ = writer.join();
    let _ = stream.shutdown(Shutdown::Both);
    closed
}

/// Writes a refusing CONNACK straight to the socket (no writer thread exists yet), in the
/// client's version, and ends the broker's side of the connection.
fn refuse(mut stream: &TcpStream, protocol: Protocol, code: ConnectReasonCode) {
    if let Ok(bytes) = Encoder::new(protocol).to_bytes(&ConnAck::refused(code)) {
        // The connection is being closed anyway; a failed write changes nothing.
        let _ = stream.write_all(&bytes);
    }
    let _ = stream.shutdown(Shutdown::Write);
    discard_until_closed(stream);
}

/// Reads and discards what the client still sends (the rest of an oversized CONNECT, say)
/// until it closes the connection or [`LINGER`] has passed. Closing a socket with unread bytes
/// resets the connection, and the client could then lose the CONNACK; none of these bytes is
/// processed [MQTT-3.1.4-6].
fn discard_until_closed(mut stream: &TcpStream) {
    let deadline = Instant::now() + LINGER;
    let mut sink = [0u8; 8192];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            return;
        }
        match stream.read(&mut sink) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
    }
}

/// Checks the CONNECT, attaches the connection to a new or resumed session, sends CONNACK and
/// starts the writer thread. Returns the client id and the writer.
fn accept(
    stream: &TcpStream,
    broker: &Mutex<Broker>,
    conn: u64,
    connect: &Connect,
    peer: Peer,
) -> Result<(String, JoinHandle<()>), Closed> {
    let refused = |code: ConnectReasonCode| {
        refuse(stream, connect.protocol, code);
        Err(Closed::Refused(code))
    };
    if connect.properties.authentication_method().is_some() {
        // No enhanced authentication here: 0x8C, then the close [MQTT-4.12.0-1].
        return refused(ConnectReasonCode::BadAuthenticationMethod);
    }
    let mut state = lock(broker);
    let mut assigned = false;
    let client = if connect.client_id.is_empty() {
        // An empty client id is only allowed with a clean session in 3.1.1, and then the
        // server makes one up [MQTT-3.1.3-7], [MQTT-3.1.3-8]; 5.0 allows it always
        // [MQTT-3.1.3-6] and the CONNACK says which [MQTT-3.2.2-16].
        if !connect.clean_session && !peer.v5() {
            drop(state);
            return refused(ConnectReasonCode::ClientIdentifierNotValid);
        }
        state.generated_ids += 1;
        assigned = true;
        format!("mqttwire-auto-{}", state.generated_ids)
    } else {
        connect.client_id.to_string()
    };

    // A client id already connected: the old connection is closed [MQTT-3.1.4-2], a 5.0 one
    // with DISCONNECT 0x8E Session taken over [MQTT-3.1.4-3] (its writer closes the socket
    // once that is written).
    if let Some(old) = state.sessions.get_mut(&client).and_then(|s| s.link.take()) {
        eprintln!("{client}: connection {conn} takes over from {}", old.conn);
        if old.peer.v5() {
            let taken = Disconnect::new().with_reason_code(DisconnectReasonCode::SessionTakenOver);
            let _ = old.tx.send(taken.into());
        } else {
            let _ = old.stream.shutdown(Shutdown::Both);
        }
    }
    state.cancel_will(&client);
    if let Some(session) = state.sessions.get_mut(&client) {
        // What the old connection sent and the broker held was never acknowledged.
        session.held.clear();
        session.stalled_since = None;
    }
    if connect.clean_session {
        // Clean Session (Clean Start) 1 discards any previous session [MQTT-3.1.2-6]
        // ([MQTT-3.1.2-4] in 5.0).
        state.end_session(&client);
    }
    let session_present = state.sessions.contains_key(&client);
    let writer_stream = stream.try_clone().map_err(Closed::Io)?;
    let link_stream = stream.try_clone().map_err(Closed::Io)?;
    let (tx, rx) = mpsc::channel();
    let backlog = Arc::new(AtomicUsize::new(0));
    let writer_client = client.clone();
    let writer_backlog = Arc::clone(&backlog);
    let encoder = peer.encoder();
    let writer = thread::spawn(move || {
        write_loop(writer_stream, rx, encoder, writer_client, &writer_backlog)
    });

    let session = state
        .sessions
        .entry(client.clone())
        .or_insert_with(|| Session::new(&client));
    session.expiry = Expiry::of(connect);
    session.attach(Link {
        conn,
        peer,
        tx,
        backlog,
        stream: link_stream,
        evicted: false,
    });
    let mut connack = ConnAck::accepted(session_present);
    if peer.v5() {
        connack = connack.with_properties(connack_properties(
            assigned.then_some(client.as_str()),
            limits().topic_alias_maximum,
        ));
    }
    // CONNACK goes into the channel before anything else can: we still hold the lock.
    session.send(connack.into());
    if session_present {
        session.resend_inflight();
    }
    state.publish_client_count();
    Ok((client, writer))
}

/// Handles the client's packets until the connection ends.
fn read_loop(
    reader: &mut Reader,
    broker: &Mutex<Broker>,
    client: &str,
    conn: u64,
    connect: &Connect,
    aliases: &mut Aliases,
) -> Closed {
    // The server allows one and a half keep-alive periods between packets [MQTT-3.1.2-24].
    let keep_alive = connect.keep_alive;
    let grace = (keep_alive > 0).then(|| Duration::from_millis(u64::from(keep_alive) * 1500));
    let v5 = connect.protocol.is_v5();
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
            Packet::Publish(p) => match aliases.resolve(p) {
                Ok(p) => on_publish(&mut state, client, p),
                Err((code, why)) => return Closed::Violation(code, why),
            },
            Packet::PubAck(PubAck { packet_id, .. })
            | Packet::PubComp(PubComp { packet_id, .. }) => {
                acknowledged(&mut state, client, packet_id);
                None
            }
            Packet::PubRec(PubRec {
                packet_id,
                reason_code,
                ..
            }) => {
                if reason_code.is_success() {
                    // The message is delivered; only PUBREL/PUBCOMP remain (section 4.3.3).
                    let session = state.sessions.get_mut(client);
                    if let Some(entry) = session.and_then(|s| s.inflight.get_mut(&packet_id)) {
                        *entry = Inflight::Released;
                    }
                    Some(PubRel::new(packet_id).into())
                } else {
                    // A 5.0 refusal ends the exchange: no PUBREL (section 4.3.3).
                    acknowledged(&mut state, client, packet_id);
                    None
                }
            }
            Packet::PubRel(PubRel { packet_id, .. }) => {
                let known = state
                    .sessions
                    .get_mut(client)
                    .is_some_and(|s| s.awaiting_release.remove(&packet_id));
                // PUBCOMP even for an unknown identifier: our earlier PUBCOMP may have been
                // lost, and the client must be able to finish; 5.0 says it was not found.
                let mut comp = PubComp::new(packet_id);
                if v5 && !known {
                    comp = comp.with_reason_code(PubRelReasonCode::PacketIdentifierNotFound);
                }
                Some(comp.into())
            }
            Packet::Subscribe(s) => {
                on_subscribe(&mut state, client, s);
                None
            }
            Packet::Unsubscribe(u) => Some(on_unsubscribe(&mut state, client, &u, v5)),
            Packet::PingReq => Some(Packet::PingResp),
            Packet::Disconnect(d) => {
                if let Some(seconds) = d.properties.session_expiry_interval() {
                    // Non-zero after 0 in the CONNECT is a Protocol Error (section 3.14.2.2.2).
                    let was_zero = connect.properties.session_expiry_interval().unwrap_or(0) == 0;
                    if was_zero && seconds != 0 {
                        return Closed::Violation(
                            DisconnectReasonCode::ProtocolError,
                            "DISCONNECT sets a Session Expiry Interval after 0 in CONNECT",
                        );
                    }
                    if let Some(session) = state.sessions.get_mut(client) {
                        session.expiry = Expiry::from_interval(seconds);
                    }
                }
                let with_will = d.reason_code == DisconnectReasonCode::DisconnectWithWillMessage;
                return Closed::Disconnect { with_will };
            }
            Packet::Connect(_) => {
                return Closed::Violation(
                    DisconnectReasonCode::ProtocolError,
                    "second CONNECT [MQTT-3.1.0-2]",
                )
            }
            Packet::ConnAck(_) | Packet::SubAck(_) | Packet::UnsubAck(_) | Packet::PingResp => {
                return Closed::Violation(
                    DisconnectReasonCode::ProtocolError,
                    "a server-to-client packet from a client",
                )
            }
            // Only a 5.0 decoder reads it (type 15 is reserved in 3.1.1). No CONNECT with an
            // Authentication Method is accepted, so no AUTH may follow [MQTT-4.12.0-7].
            Packet::Auth(_) => {
                return Closed::Violation(
                    DisconnectReasonCode::ProtocolError,
                    "AUTH without an Authentication Method in CONNECT [MQTT-4.12.0-7]",
                )
            }
        };
        if let (Some(reply), Some(session)) = (reply, state.sessions.get(client)) {
            session.send(reply);
        }
    }
}

/// PUBACK, PUBCOMP or a refusing PUBREC: the message `packet_id` is no longer in flight.
fn acknowledged(state: &mut Broker, client: &str, packet_id: PacketId) {
    if let Some(session) = state.sessions.get_mut(client) {
        if session.inflight.remove(&packet_id).is_some() {
            // Progress: whatever it holds up, it is not stalled.
            session.stalled_since = None;
        }
        session.pump();
    }
    // Its queue may have room now for held messages.
    state.release_held(Instant::now());
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
        if behind || topic.is_some_and(|t| state.blocked(&t, p.qos(), client, Instant::now())) {
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
/// A 5.0 client learns from the acknowledgement that nobody subscribes to the topic (0x10).
pub fn accept_publish(state: &mut Broker, client: &str, mut p: Publish) -> Option<Packet> {
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
    let mut subscribers = None;
    // `$SYS` belongs to the server (section 4.7.2): a client's message there is acknowledged
    // but dropped, as mosquitto does (it accepts other `$` topics, and so do we).
    if first_copy && !is_sys(p.topic()) {
        // The DUP flag is not passed on to subscribers [MQTT-3.3.1-3].
        p.set_dup(false);
        let qos = p.qos();
        let from = state.client_id(client);
        subscribers = Some(state.publish(Message::new(p, qos, Some(from))));
    }
    let code = match subscribers {
        Some(0) if state.sessions.get(client).is_some_and(Session::v5) => {
            PubAckReasonCode::NoMatchingSubscribers
        }
        _ => PubAckReasonCode::Success,
    };
    match received {
        QosPid::AtMostOnce => None,
        QosPid::AtLeastOnce(id) => Some(PubAck::new(id).with_reason_code(code).into()),
        QosPid::ExactlyOnce(id) => Some(PubRec::new(id).with_reason_code(code).into()),
    }
}

/// A SUBSCRIBE: record each filter, answer SUBACK, then send the matching retained messages
/// (after the SUBACK, so the client knows the subscription they belong to), as each
/// subscription's Retain Handling says. A `$share/{group}/{filter}` filter, from a 3.1.1 or a
/// 5.0 client, joins the share group and gets no retained messages (sections 3.8.4, 4.8.2).
fn on_subscribe(state: &mut Broker, client: &str, s: Subscribe) {
    // 0 is refused by the decoder (a Protocol Error, section 3.8.2.1.2).
    let id = s
        .properties()
        .subscription_identifier()
        .and_then(NonZeroU32::new);
    let subscriptions = s.subscriptions();
    let mut codes = Vec::with_capacity(subscriptions.len());
    let mut retained = Vec::new();
    for sub in subscriptions {
        let subscribed = match state.subscribe(client, &sub.filter, sub.options(), id) {
            Ok(subscribed) => subscribed,
            Err(e) => {
                // Only from a 3.1.1 client (the 5.0 decoder refuses such a filter): 0x80
                // Failure.
                eprintln!("{client}: subscription to {} refused: {e}", sub.filter);
                codes.push(SubAckReasonCode::UnspecifiedError);
                continue;
            }
        };
        // Every QoS is supported, so the granted QoS is the one asked for.
        codes.push(SubAckReasonCode::granted(sub.qos));
        let send_retained = !subscribed.shared
            && match sub.retain_handling {
                RetainHandling::SendOnSubscribe => true,
                RetainHandling::SendOnSubscribeIfNew => !subscribed.replaced,
                RetainHandling::DoNotSend => false,
            };
        if send_retained {
            retained.extend(state.retained_for(&sub.filter, sub.qos, id));
        }
    }
    if let Some(session) = state.sessions.get_mut(client) {
        session.send(SubAck::new(s.packet_id(), codes).into());
        for message in retained {
            session.deliver(message);
        }
    }
}

/// An UNSUBSCRIBE: remove each filter; the 5.0 UNSUBACK says which existed.
fn on_unsubscribe(state: &mut Broker, client: &str, u: &Unsubscribe, v5: bool) -> Packet {
    let codes: Vec<UnsubAckReasonCode> = u
        .filters()
        .map(|filter| match state.unsubscribe(client, &filter) {
            true => UnsubAckReasonCode::Success,
            false => UnsubAckReasonCode::NoSubscriptionExisted,
        })
        .collect();
    let ack = UnsubAck::new(u.packet_id());
    if v5 {
        ack.with_reason_codes(codes).into()
    } else {
        ack.into()
    }
}

/// Publishes a Will, as if its client had sent it (section 3.1.2.5): with its 5.0 Will
/// Properties as the message's properties, after its Will Delay Interval when the session
/// goes on after the connection (section 3.1.3.2.2).
fn publish_will(state: &mut Broker, will: &Will, client: &str, session_goes_on: bool) {
    if is_sys(will.topic.as_str()) {
        return; // as for PUBLISH: `$SYS` is the server's
    }
    let mut publish = Publish::new(will.topic.clone(), QosPid::AtMostOnce, &will.payload)
        .with_retain(will.retain);
    if !will.properties.is_empty() {
        // The other Will Properties are all PUBLISH properties.
        let properties = will.properties.as_ref();
        publish =
            forward::with_properties(publish, properties, &[PropertyId::WillDelayInterval], []);
    }
    let delay = will
        .properties
        .will_delay_interval()
        .filter(|seconds| *seconds > 0 && session_goes_on)
        .map(|seconds| Instant::now() + Duration::from_secs(seconds.into()));
    let message = Message::new(publish, will.qos, Some(state.client_id(client)));
    state.publish_will(client, message, delay);
}
