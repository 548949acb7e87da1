//! A small MQTT test client on mqttwire, in either version, over loopback TCP: every packet it
//! receives must decode in the connection's version, as a client reads it. Every wait is
//! bounded.
//!
//! Included with `#[path]` by the test files that talk to the example broker, after
//! `support/peers.rs` (as `peers`).

// Each test file uses the helpers it needs.
#![allow(dead_code)]

use super::peers::{closed_within, read_until, STEP};
use bytes::BytesMut;
use mqttwire::{
    ConnAck, Connect, ConnectReasonCode, Decoder, Disconnect, DisconnectReasonCode, Encoder,
    MqttString, Packet, PacketId, Properties, Protocol, PubAck, PubAckReasonCode, Publish, QoS,
    QosPid, Role, SubAckReasonCode, Subscribe, Subscription, TopicFilter, TopicName, Unsubscribe,
};
use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

pub fn topic(s: &str) -> TopicName {
    TopicName::new(s).expect("valid topic name")
}

pub fn filter(s: &str) -> TopicFilter {
    TopicFilter::new(s).expect("valid topic filter")
}

pub fn payload(p: &Publish) -> &str {
    std::str::from_utf8(p.payload()).expect("UTF-8 payload")
}

/// A CONNECT as `name` in `protocol`: clean, keep-alive 30 s.
pub fn new_connect(name: &str, protocol: Protocol) -> Connect {
    Connect::new(MqttString::new(name).expect("client id"))
        .with_keep_alive(30)
        .with_protocol(protocol)
}

/// A PUBLISH of `text` on `topic_` at `qos` (its packet identifier is the client's to set).
pub fn message(topic_: &str, text: &str, qos: QoS) -> Publish {
    let packet_id = PacketId::new(1).expect("non-zero packet id");
    let qos = QosPid::new(qos, Some(packet_id)).expect("QoS");
    Publish::new(topic(topic_), qos, text)
}

pub struct Client {
    stream: TcpStream,
    buf: BytesMut,
    decoder: Decoder,
    encoder: Encoder,
    next_id: u16,
}

impl Client {
    /// A connection to the broker that has sent nothing yet, to read and write in `protocol`.
    pub fn open(port: u16, protocol: Protocol) -> Client {
        let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        stream.set_nodelay(true).expect("nodelay");
        Client {
            stream,
            buf: BytesMut::new(),
            decoder: Decoder::new().protocol(protocol).role(Role::Client),
            encoder: Encoder::new(protocol),
            next_id: 0,
        }
    }

    /// Sends `connect` and returns the CONNACK, whatever its code.
    pub fn connect_raw(port: u16, connect: Connect) -> (Client, ConnAck) {
        let mut client = Client::open(port, connect.protocol);
        let name = connect.client_id.to_string();
        client.send(connect);
        match client.recv(STEP) {
            Some(Packet::ConnAck(ack)) => (client, ack),
            other => panic!("{name}: expected CONNACK, got {other:?}"),
        }
    }

    /// Sends `connect`, expects the connection accepted, and returns the CONNACK too.
    pub fn connect_with(port: u16, connect: Connect) -> (Client, ConnAck) {
        let (client, ack) = Client::connect_raw(port, connect);
        assert_eq!(ack.reason_code, ConnectReasonCode::Success, "{ack:?}");
        (client, ack)
    }

    /// Connects as `name` in `protocol` (clean, keep-alive 30 s), expects the connection
    /// accepted, and returns the CONNACK too.
    pub fn connect_with_ack(port: u16, name: &str, protocol: Protocol) -> (Client, ConnAck) {
        Client::connect_with(port, new_connect(name, protocol))
    }

    /// [`Client::connect_with_ack`] without the CONNACK.
    pub fn connect(port: u16, name: &str, protocol: Protocol) -> Client {
        Client::connect_with_ack(port, name, protocol).0
    }

    pub fn send(&mut self, packet: impl Into<Packet>) {
        let bytes = self.encoder.to_bytes(&packet.into()).expect("encode");
        self.stream.write_all(&bytes).expect("write");
    }

    /// Writes `bytes` as they are: for packets the encoder would refuse to make.
    pub fn send_bytes(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).expect("write");
    }

    /// Whether the broker closes the connection within `timeout`.
    pub fn closed_within(&mut self, timeout: Duration) -> bool {
        closed_within(&mut self.stream, timeout)
    }

    /// Whether the broker closes the connection within `timeout` having sent nothing this
    /// client has not read (on a connection that has read nothing: nothing at all).
    pub fn closed_silently(&mut self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut chunk = [0u8; 1024];
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            let left = left.max(Duration::from_millis(1));
            self.stream.set_read_timeout(Some(left)).expect("timeout");
            match self.stream.read(&mut chunk) {
                Ok(0) => return self.buf.is_empty(),
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
                Err(_) => return self.buf.is_empty(), // reset
            }
        }
        false
    }

    pub fn next_id(&mut self) -> PacketId {
        self.next_id = self.next_id.wrapping_add(1).max(1);
        PacketId::new(self.next_id).expect("non-zero packet id")
    }

    /// The next packet within `timeout`, `None` on timeout; panics if the connection closes.
    pub fn recv(&mut self, timeout: Duration) -> Option<Packet> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(packet) = self.decoder.decode(&mut self.buf).expect("decode") {
                return Some(packet);
            }
            if !read_until(&mut self.stream, &mut self.buf, deadline, "broker") {
                return None;
            }
        }
    }

    /// Subscribes and returns the SUBACK's codes.
    pub fn subscribe_with(
        &mut self,
        subscriptions: Vec<Subscription>,
        properties: Properties,
    ) -> Vec<SubAckReasonCode> {
        let packet_id = self.next_id();
        let subscribe = Subscribe::new(packet_id, subscriptions)
            .expect("subscribe")
            .with_properties(properties)
            .expect("SUBSCRIBE properties");
        self.send(subscribe);
        match self.recv(STEP) {
            Some(Packet::SubAck(ack)) if ack.packet_id() == packet_id => {
                ack.reason_codes().collect()
            }
            other => panic!("expected SUBACK, got {other:?}"),
        }
    }

    /// Subscribes to `filter_` at `qos` and expects it granted.
    pub fn subscribe(&mut self, filter_: &str, qos: QoS) {
        let codes = self.subscribe_with(
            vec![Subscription::new(filter(filter_), qos)],
            Properties::EMPTY,
        );
        assert_eq!(codes, [SubAckReasonCode::granted(qos)], "{filter_}");
    }

    /// Unsubscribes from `filter_` and waits for the UNSUBACK.
    pub fn unsubscribe(&mut self, filter_: &str) {
        let packet_id = self.next_id();
        self.send(Unsubscribe::new(packet_id, [filter(filter_)]).expect("unsubscribe"));
        match self.recv(STEP) {
            Some(Packet::UnsubAck(ack)) if ack.packet_id() == packet_id => {}
            other => panic!("expected UNSUBACK, got {other:?}"),
        }
    }

    /// Publishes `message` (QoS 0 or 1) and, at QoS 1, returns the PUBACK's code once it came.
    pub fn publish(&mut self, message: Publish) -> Option<PubAckReasonCode> {
        let message = match message.qos() {
            QoS::AtMostOnce => message,
            _ => {
                let packet_id = self.next_id();
                message.with_qos(QosPid::AtLeastOnce(packet_id))
            }
        };
        let packet_id = message.packet_id();
        self.send(message);
        let packet_id = packet_id?;
        match self.recv(STEP) {
            Some(Packet::PubAck(ack)) if ack.packet_id == packet_id => Some(ack.reason_code),
            other => panic!("expected PUBACK, got {other:?}"),
        }
    }

    /// The next PUBLISH within `timeout`, acknowledged at QoS 1.
    pub fn message(&mut self, timeout: Duration) -> Option<Publish> {
        match self.recv(timeout)? {
            Packet::Publish(p) => {
                if let QosPid::AtLeastOnce(packet_id) = p.qos_pid() {
                    self.send(PubAck::new(packet_id));
                }
                Some(p)
            }
            other => panic!("expected PUBLISH, got {other:?}"),
        }
    }

    /// The payloads of the PUBLISH packets that come until none has for `quiet`.
    pub fn payloads_until_quiet(&mut self, quiet: Duration) -> Vec<String> {
        std::iter::from_fn(|| self.message(quiet))
            .map(|p| payload(&p).to_owned())
            .collect()
    }

    /// The DISCONNECT the broker sends before closing, then the close.
    pub fn disconnected(&mut self) -> DisconnectReasonCode {
        let code = match self.recv(STEP) {
            Some(Packet::Disconnect(d)) => d.reason_code,
            other => panic!("expected DISCONNECT, got {other:?}"),
        };
        assert!(
            closed_within(&mut self.stream, STEP),
            "the broker closes after its DISCONNECT"
        );
        code
    }

    pub fn disconnect(mut self) {
        self.send(Disconnect::new());
    }
}
