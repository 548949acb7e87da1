//! The client side of one MQTT connection over a blocking `std::net::TcpStream`, shared by the
//! `sensor` and `subscriber` examples (each includes this file with `#[path]`). The connection
//! speaks the version of its CONNECT, MQTT 3.1.1 or 5.0.

use bytes::BytesMut;
use mqttwire::{ConnAck, Connect, Decoder, Encode, Encoder, Packet, PropertiesRef, Role};
use std::error::Error;
use std::fmt::Display;
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

type Result<T> = std::result::Result<T, Box<dyn Error>>;

/// One MQTT connection over a blocking TCP stream: packets out through [`Encode`], bytes in
/// through [`Decoder`], every read bounded by a deadline, and PINGREQ sent whenever the client
/// has been silent for the keep-alive period.
pub struct Connection {
    stream: TcpStream,
    buf: BytesMut,
    decoder: Decoder,
    /// The version of the connection and, in 5.0, the broker's Maximum Packet Size.
    encoder: Encoder,
    keep_alive: Option<Duration>,
    last_sent: Instant,
    /// When the unanswered PINGREQ was sent, if there is one.
    ping_sent: Option<Instant>,
}

impl Connection {
    /// Connects to `host:port` (10 s at most). `keep_alive` is the keep-alive period in seconds
    /// that the CONNECT announces (0 for none): PINGREQ goes out after that long a silence.
    pub fn open(host: &str, port: u16, keep_alive: u16) -> Result<Connection> {
        let addr = (host, port)
            .to_socket_addrs()?
            .next()
            .ok_or_else(|| format!("{host} has no address"))?;
        let stream = TcpStream::connect_timeout(&addr, Duration::from_secs(10))?;
        // Small packets should leave at once, not wait for Nagle's algorithm.
        stream.set_nodelay(true)?;
        Ok(Connection {
            stream,
            buf: BytesMut::with_capacity(4096),
            decoder: Decoder::new(),
            encoder: Encoder::V311,
            keep_alive: (keep_alive > 0).then(|| Duration::from_secs(keep_alive.into())),
            last_sent: Instant::now(),
            ping_sent: None,
        })
    }

    /// Sends `connect` and waits up to 10 s for the CONNACK, which must accept the connection.
    /// From then on the connection speaks the version of `connect`; in 5.0, packets are kept
    /// within the Maximum Packet Size of the CONNACK.
    pub fn handshake(&mut self, connect: &Connect) -> Result<ConnAck> {
        self.decoder = Decoder::new().protocol(connect.protocol).role(Role::Client);
        self.encoder = Encoder::new(connect.protocol);
        self.send(connect)?;
        match self.poll(Instant::now() + Duration::from_secs(10))? {
            Some(Packet::ConnAck(ack)) if ack.reason_code.is_success() => {
                if let Some(max) = ack.properties.maximum_packet_size() {
                    let max = usize::try_from(max).unwrap_or(usize::MAX);
                    self.encoder = self.encoder.max_packet_size(max);
                }
                Ok(ack)
            }
            Some(Packet::ConnAck(ack)) => Err(format!(
                "refused: {}",
                reason(
                    ack.reason_code.byte(),
                    ack.reason_code,
                    &ack.properties.as_ref()
                )
            )
            .into()),
            Some(other) => Err(format!("expected CONNACK, got {other:?}").into()),
            None => Err("no CONNACK within 10 s".into()),
        }
    }

    /// Writes one packet, in the connection's version.
    pub fn send(&mut self, packet: &impl Encode) -> Result<()> {
        self.stream.write_all(&self.encoder.to_bytes(packet)?)?;
        self.last_sent = Instant::now();
        Ok(())
    }

    /// The next packet from the broker, or `None` once `deadline` passes. Keep-alive is handled
    /// here, so every wait in the program keeps the connection alive: PINGRESP is consumed, and
    /// a broker that does not answer a PINGREQ within the keep-alive period is an error. So is
    /// a 5.0 broker's DISCONNECT, reported with its reason code and reason string.
    pub fn poll(&mut self, deadline: Instant) -> Result<Option<Packet>> {
        loop {
            // A malformed packet ends the connection [MQTT-4.8.0-1]: `?` returns the error.
            match self.decoder.decode(&mut self.buf)? {
                Some(Packet::PingResp) => {
                    self.ping_sent = None;
                    continue;
                }
                Some(Packet::Disconnect(d)) => {
                    let why = reason(d.reason_code.byte(), d.reason_code, &d.properties.as_ref());
                    return Err(format!("the broker disconnected: {why}").into());
                }
                Some(packet) => return Ok(Some(packet)),
                None => {}
            }
            let now = Instant::now();
            if let Some(period) = self.keep_alive {
                if let Some(sent) = self.ping_sent {
                    if now >= sent + period {
                        return Err("the broker did not answer PINGREQ".into());
                    }
                } else if now >= self.last_sent + period {
                    self.send(&Packet::PingReq)?;
                    self.ping_sent = Some(now);
                }
            }
            if now >= deadline {
                return Ok(None);
            }
            let mut wake = deadline;
            if let Some(period) = self.keep_alive {
                wake = wake.min(self.ping_sent.unwrap_or(self.last_sent) + period);
            }
            // A zero timeout means "block forever" to the OS, hence the 1 ms floor.
            let timeout = wake
                .saturating_duration_since(now)
                .max(Duration::from_millis(1));
            self.stream.set_read_timeout(Some(timeout))?;
            let mut chunk = [0u8; 4096];
            match self.stream.read(&mut chunk) {
                Ok(0) => return Err("the broker closed the connection".into()),
                Ok(n) => self
                    .buf
                    .extend_from_slice(chunk.get(..n).unwrap_or_default()),
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Closes the socket; send DISCONNECT first to leave without the broker publishing the Will.
    pub fn close(self) {
        // Errors do not matter any more: we are leaving.
        let _ = self.stream.shutdown(Shutdown::Both);
    }
}

/// A reason code as people read it: `0x87 Not authorized`, then the Reason String of
/// `properties` if the broker sent one.
pub fn reason(byte: u8, name: impl Display, properties: &PropertiesRef<'_>) -> String {
    match properties.reason_string() {
        Some(text) => format!("{byte:#04x} {name} ({text})"),
        None => format!("{byte:#04x} {name}"),
    }
}
