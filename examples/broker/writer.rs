//! The writer thread of one connection: packets from the broker's channel, encoded for that
//! client (its version and Maximum Packet Size), written in batches.

use crate::trace;
use bytes::BytesMut;
use mqttwire::{Encoder, Packet, QoS};
use std::io::Write;
use std::net::{Shutdown, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::Receiver;
use std::time::Duration;

/// How long one write may block on a client that does not read: then the connection is
/// treated as broken.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

/// Writes the packets of one connection until the channel closes or a DISCONNECT has been
/// written (a server's DISCONNECT ends the connection, section 3.14). It waits for a packet,
/// then takes whatever else is already queued, so that a burst of messages becomes one
/// `write` instead of many. `backlog` counts the QoS 0 PUBLISH packets in the channel.
pub fn write_loop(
    mut stream: TcpStream,
    rx: Receiver<Packet>,
    encoder: Encoder,
    client: String,
    backlog: &AtomicUsize,
) {
    let _ = stream.set_write_timeout(Some(WRITE_TIMEOUT));
    let mut buf = BytesMut::with_capacity(8192);
    while let Ok(first) = rx.recv() {
        buf.clear();
        let mut next = Some(first);
        let mut last = false;
        while let Some(packet) = next {
            trace(|| format!("{client} <- {packet:?}"));
            if matches!(&packet, Packet::Publish(p) if p.qos() == QoS::AtMostOnce) {
                let _ = backlog
                    .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1));
            }
            // Packets built by the broker are valid by construction, and messages were checked
            // against the client's Maximum Packet Size before they were queued; should one
            // still fail to encode, it is skipped rather than sent half-written.
            if let Err(e) = encoder.encode(&packet, &mut buf) {
                eprintln!("{client}: cannot encode {:?}: {e}", packet.packet_type());
            }
            last = matches!(packet, Packet::Disconnect(_));
            next = if buf.len() < 64 * 1024 && !last {
                rx.try_recv().ok()
            } else {
                None
            };
        }
        if stream.write_all(&buf).is_err() || last {
            // The reader notices the closed socket too and cleans up the session.
            let _ = stream.shutdown(Shutdown::Both);
            return;
        }
    }
}
