//! A verifying MQTT proxy for the interop tests: it sits on 127.0.0.1 between real clients and
//! a real broker, forwards every byte unchanged, and on the way checks each frame with mqttwire
//! in the connection's version:
//!
//! - the owned decoder ([`Decoder::decode`]) reads it (the client's first packet with
//!   `Decoder::new()`, which reads a CONNECT of any level; then both directions in the version
//!   that CONNECT named, as a server would);
//! - encoding the decoded packet with `Encoder::new(protocol)` gives back exactly the frame,
//!   and `encoded_len` is its length;
//! - the borrowed decoder ([`Decoder::decode_ref`]) consumes the same frame, gives the same
//!   packet, and encodes to the same bytes.
//!
//! Every frame is recorded ([`Frame`]) for the test to inspect; every failed check is recorded
//! too ([`Proxy::failures`]) with the frame's bytes, and the test asserts there was none.
//! Threads only (std): one accepting, two per connection. Reads time out every 50 ms so that
//! everything stops when the proxy is dropped.
//!
//! Included with `#[path]` by the interop test files.

// Each test file uses the helpers it needs.
#![allow(dead_code)]

use bytes::{Bytes, BytesMut};
use mqttwire::{Decoder, Encoder, Packet, Protocol};
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Which way a frame went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dir {
    /// From the client to the broker.
    ToBroker,
    /// From the broker to the client.
    ToClient,
}

/// One frame that went through the proxy, decoded.
#[derive(Debug, Clone)]
pub struct Frame {
    /// The connection, numbered from 0 in the order the proxy accepted them.
    pub conn: usize,
    /// The client's identifier on that connection (from its CONNECT).
    pub client_id: String,
    pub dir: Dir,
    /// The version the frame was decoded (and re-encoded) in.
    pub protocol: Protocol,
    pub packet: Packet,
    /// The frame as it was on the wire.
    pub bytes: Bytes,
}

#[derive(Default)]
struct Shared {
    frames: Mutex<Vec<Frame>>,
    failures: Mutex<Vec<String>>,
    stop: AtomicBool,
    accepted: AtomicUsize,
    /// Pump threads that have ended (two per connection).
    pumps_done: AtomicUsize,
}

/// The proxy; dropping it stops every thread and closes every connection.
pub struct Proxy {
    port: u16,
    shared: Arc<Shared>,
    acceptor: Option<JoinHandle<()>>,
}

impl Proxy {
    /// A proxy on a free loopback port in front of the broker on `broker_port`.
    pub fn start(broker_port: u16) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the proxy");
        listener.set_nonblocking(true).expect("non-blocking accept");
        let port = listener.local_addr().expect("proxy address").port();
        let shared = Arc::new(Shared::default());
        let acceptor = {
            let shared = Arc::clone(&shared);
            std::thread::spawn(move || accept_loop(listener, broker_port, shared))
        };
        Proxy {
            port,
            shared,
            acceptor: Some(acceptor),
        }
    }

    /// The port clients connect to.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Every frame so far, in the order each direction decoded them.
    pub fn frames(&self) -> Vec<Frame> {
        lock(&self.shared.frames).clone()
    }

    /// The frames of the connections of client `client_id`.
    pub fn frames_of(&self, client_id: &str) -> Vec<Frame> {
        lock(&self.shared.frames)
            .iter()
            .filter(|f| f.client_id == client_id)
            .cloned()
            .collect()
    }

    /// Every failed check so far.
    pub fn failures(&self) -> Vec<String> {
        lock(&self.shared.failures).clone()
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        self.shared.accepted.load(Ordering::SeqCst)
    }

    /// Waits (at most `timeout`) until every connection accepted so far is closed both ways,
    /// so that every frame of theirs has been recorded.
    pub fn wait_all_closed(&self, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        loop {
            let accepted = self.shared.accepted.load(Ordering::SeqCst);
            let done = self.shared.pumps_done.load(Ordering::SeqCst);
            if done >= 2 * accepted {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{} of {accepted} proxied connections still open after {timeout:?}",
                accepted - done / 2
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits (at most `timeout`) until `done` holds for the
    /// frames recorded so far.
    pub fn wait_for(&self, what: &str, timeout: Duration, done: impl Fn(&[Frame]) -> bool) {
        let deadline = Instant::now() + timeout;
        while !done(&lock(&self.shared.frames)) {
            assert!(
                Instant::now() < deadline,
                "no {what} through the proxy within {timeout:?}; failures: {:?}",
                self.failures()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Panics with every failed check, if any; otherwise returns the frames.
    pub fn assert_verified(&self) -> Vec<Frame> {
        let failures = self.failures();
        assert!(
            failures.is_empty(),
            "{} frame(s) failed the checks:\n{}",
            failures.len(),
            failures.join("\n")
        );
        let frames = self.frames();
        assert!(!frames.is_empty(), "no frame went through the proxy");
        frames
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn accept_loop(listener: TcpListener, broker_port: u16, shared: Arc<Shared>) {
    let mut pumps = Vec::new();
    while !shared.stop.load(Ordering::SeqCst) {
        let client = match listener.accept() {
            Ok((client, _)) => client,
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(10));
                continue;
            }
            Err(e) => {
                lock(&shared.failures).push(format!("proxy accept: {e}"));
                break;
            }
        };
        let conn = shared.accepted.fetch_add(1, Ordering::SeqCst);
        let broker = match TcpStream::connect(("127.0.0.1", broker_port)) {
            Ok(broker) => broker,
            Err(e) => {
                lock(&shared.failures).push(format!("connection {conn}: broker unreachable: {e}"));
                let _ = client.shutdown(Shutdown::Both);
                shared.pumps_done.fetch_add(2, Ordering::SeqCst);
                continue;
            }
        };
        for s in [&client, &broker] {
            let _ = s.set_nonblocking(false);
            let _ = s.set_nodelay(true);
            let _ = s.set_read_timeout(Some(Duration::from_millis(50)));
        }
        let session = Arc::new(Session {
            conn,
            protocol: OnceLock::new(),
            client_id: OnceLock::new(),
        });
        let halves = [
            (Dir::ToBroker, client.try_clone(), broker.try_clone()),
            (Dir::ToClient, broker.try_clone(), client.try_clone()),
        ];
        for (dir, from, to) in halves {
            let (Ok(from), Ok(to)) = (from, to) else {
                lock(&shared.failures).push(format!("connection {conn}: cannot clone sockets"));
                shared.pumps_done.fetch_add(1, Ordering::SeqCst);
                continue;
            };
            let shared = Arc::clone(&shared);
            let session = Arc::clone(&session);
            pumps.push(std::thread::spawn(move || {
                pump(dir, from, to, &session, &shared);
                shared.pumps_done.fetch_add(1, Ordering::SeqCst);
            }));
        }
    }
    for pump in pumps {
        let _ = pump.join();
    }
}

/// What both directions of one connection share.
struct Session {
    conn: usize,
    /// Set by the client's first packet, a CONNECT, before it is forwarded (so before the
    /// broker can answer).
    protocol: OnceLock<Protocol>,
    client_id: OnceLock<String>,
}

/// Copies `from` to `to`, checking each complete frame before forwarding the bytes read.
fn pump(dir: Dir, mut from: TcpStream, mut to: TcpStream, session: &Session, shared: &Shared) {
    let mut buf = BytesMut::new();
    let mut verifying = true;
    let mut chunk = vec![0u8; 64 * 1024];
    while !shared.stop.load(Ordering::SeqCst) {
        let n = match from.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => continue,
            Err(_) => break, // reset: the other side sees it as a close
        };
        let read = chunk.get(..n).unwrap_or_default();
        if verifying {
            buf.extend_from_slice(read);
            if let Err(failure) = check_frames(dir, &mut buf, session, shared) {
                lock(&shared.failures).push(failure);
                verifying = false; // the stream cannot be followed any more
            }
        }
        if to.write_all(read).is_err() {
            break;
        }
    }
    // Pass the close on (a half close: the other direction may still be draining).
    let _ = to.shutdown(Shutdown::Write);
    if buf.is_empty() || !verifying {
        return;
    }
    lock(&shared.failures).push(format!(
        "connection {} {dir:?}: closed with {} byte(s) of an incomplete frame: {:02x?}",
        session.conn,
        buf.len(),
        &buf[..buf.len().min(64)]
    ));
}

/// Decodes and checks every complete frame at the front of `buf`, recording each.
fn check_frames(
    dir: Dir,
    buf: &mut BytesMut,
    session: &Session,
    shared: &Shared,
) -> Result<(), String> {
    let conn = session.conn;
    loop {
        let protocol = session.protocol.get().copied();
        let decoder = match (dir, protocol) {
            (_, Some(protocol)) => Decoder::new().protocol(protocol),
            // The client's first packet: any level, as a server reads it.
            (Dir::ToBroker, None) => Decoder::new(),
            (Dir::ToClient, None) => {
                return Err(format!(
                    "connection {conn}: the broker sent {:02x?} before any CONNECT",
                    &buf[..buf.len().min(64)]
                ))
            }
        }
        .max_packet_size(Decoder::PROTOCOL_MAX_PACKET_SIZE);
        let before = buf.clone().freeze();
        let packet = match decoder.decode(buf) {
            Ok(Some(packet)) => packet,
            Ok(None) => return Ok(()),
            Err(e) => {
                return Err(format!(
                    "connection {conn} {dir:?} ({protocol:?}): does not decode ({e}): {:02x?}",
                    &before[..before.len().min(256)]
                ))
            }
        };
        let frame = before.slice(..before.len() - buf.len());
        let protocol = match (&packet, protocol) {
            (Packet::Connect(connect), None) => {
                let _ = session.protocol.set(connect.protocol);
                let _ = session.client_id.set(connect.client_id.to_string());
                connect.protocol
            }
            (_, Some(protocol)) => protocol,
            (other, None) => {
                return Err(format!(
                "connection {conn}: the client's first packet is {:?}, not CONNECT: {frame:02x?}",
                other.packet_type()
            ))
            }
        };
        verify(&decoder, protocol, &packet, &frame)
            .map_err(|e| format!("connection {conn} {dir:?} ({protocol:?}) {e}"))?;
        lock(&shared.frames).push(Frame {
            conn,
            client_id: session.client_id.get().cloned().unwrap_or_default(),
            dir,
            protocol,
            packet,
            bytes: frame,
        });
    }
}

/// The checks of one frame that `decoder` (owned) read as `packet`, in `protocol`: it
/// re-encodes to the same bytes, and `decode_ref` agrees. Also used by the test clients on
/// every packet they receive.
pub fn verify(
    decoder: &Decoder,
    protocol: Protocol,
    packet: &Packet,
    frame: &[u8],
) -> Result<(), String> {
    let encoder = Encoder::new(protocol);
    let again = encoder
        .to_bytes(packet)
        .map_err(|e| format!("{packet:?} decoded from {frame:02x?} does not encode: {e}"))?;
    if again[..] != *frame {
        return Err(format!(
            "{packet:?} re-encodes differently:\n  wire:    {frame:02x?}\n  encoded: {:02x?}",
            &again[..]
        ));
    }
    if encoder.encoded_len(packet) != frame.len() {
        return Err(format!(
            "encoded_len {} for a {}-byte frame {frame:02x?}",
            encoder.encoded_len(packet),
            frame.len()
        ));
    }
    // The same decoder (the same version), borrowing the frame.
    let (borrowed, len) = match decoder.decode_ref(frame) {
        Ok(Some(decoded)) => decoded,
        Ok(None) => return Err(format!("decode_ref wants more than the frame {frame:02x?}")),
        Err(e) => return Err(format!("decode_ref fails ({e}) on {frame:02x?}")),
    };
    if len != frame.len() {
        return Err(format!("decode_ref consumed {len} of {frame:02x?}"));
    }
    if borrowed.to_owned() != *packet {
        return Err(format!(
            "decode_ref gives {borrowed:?}, decode {packet:?}, for {frame:02x?}"
        ));
    }
    match encoder.to_bytes(&borrowed) {
        Ok(bytes) if bytes[..] == *frame => {}
        Ok(bytes) => {
            return Err(format!(
                "the borrowed {borrowed:?} re-encodes differently:\n  wire:    {frame:02x?}\n  encoded: {:02x?}",
                &bytes[..]
            ))
        }
        Err(e) => return Err(format!("the borrowed {borrowed:?} does not encode: {e}")),
    }
    Ok(())
}
