//! MQTT 5.0 interoperability with real peers, over loopback TCP.
//!
//! - A **verifying proxy** (`tests/support/proxy.rs`) sits between real clients and the real
//!   mosquitto broker: every frame either side sends is decoded with mqttwire in the
//!   connection's version, must re-encode to the same bytes, and `decode_ref` must agree; the
//!   original bytes are forwarded. Through it: mosquitto_pub/mosquitto_sub `-V mqttv5`, paho-mqtt
//!   `MQTTv5` (`tests/interop/paho_client_v5.py`), a 3.1.1 and a 5.0 client exchanging
//!   messages, paho-mqtt 3.1.1 (`tests/interop/paho_client.py`) as a regression, and mqttwire's
//!   own 5.0 client.
//! - **mqttwire as a 5.0 client** against mosquitto: CONNECT, SUBSCRIBE, PUBLISH (Topic Alias
//!   included), acknowledgements and DISCONNECT built with the crate; mosquitto accepting them
//!   is the check of the encoder. Malformed packets sent on purpose get mosquitto's DISCONNECT
//!   with the right reason code, which we decode.
//! - **mosquitto's limits** (`max_qos`, `retain_available`, `max_keepalive`, `max_packet_size`,
//!   …) in its CONNACK, and Maximum Packet Size held both ways.
//!
//! The tests that need a peer are `#[ignore]`d; `.ci/interop.sh` installs the peers and runs
//! them with `--include-ignored` (a missing peer fails there). The proxy's own check, with a
//! scripted broker, needs no peer and always runs. Servers listen on 127.0.0.1 only; every
//! wait is bounded and every child is killed on drop.

#[path = "support/peers.rs"]
mod peers;
#[path = "support/proxy.rs"]
mod proxy;

use bytes::BytesMut;
use mqttwire::{
    ConnAck, Connect, ConnectReasonCode, Decoder, Disconnect, DisconnectReasonCode, Encode,
    Encoder, MqttString, Packet, PacketId, PacketType, PayloadFormat, Properties, PropertiesRef,
    Property, Protocol, PubAck, PubAckReasonCode, PubComp, PubRec, PubRel, Publish, QoS, QosPid,
    RetainHandling, SubAckReasonCode, Subscribe, Subscription, TopicFilter, TopicName,
    UnsubAckReasonCode, Unsubscribe, Will,
};
use peers::*;
use proxy::{Dir, Frame, Proxy};
use std::collections::{HashMap, VecDeque};
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::process::Command;
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------------------------
// Building blocks
// ---------------------------------------------------------------------------------------------

fn pid(n: u16) -> PacketId {
    PacketId::new(n).expect("non-zero packet id")
}

fn topic(s: &str) -> TopicName {
    TopicName::new(s).expect("valid topic name")
}

fn filter(s: &str) -> TopicFilter {
    TopicFilter::new(s).expect("valid topic filter")
}

fn props<'a>(list: impl IntoIterator<Item = Property<'a>>) -> Properties {
    Properties::new(list).expect("valid properties")
}

fn client_id(s: &str) -> MqttString {
    MqttString::new(s).expect("client id")
}

/// `actual` holds exactly the properties of `expected`, in any order (User Properties in the
/// order given: the standard keeps their order).
fn assert_props(actual: PropertiesRef<'_>, expected: &[Property<'_>], what: &str) {
    let got: Vec<Property<'_>> = actual.iter().collect();
    let mut missing: Vec<&Property<'_>> = expected.iter().filter(|p| !got.contains(p)).collect();
    let extra: Vec<&Property<'_>> = got.iter().filter(|p| !expected.contains(p)).collect();
    missing.dedup();
    assert!(
        missing.is_empty() && extra.is_empty() && got.len() == expected.len(),
        "{what}: properties {got:?}, expected {expected:?} (missing {missing:?}, extra {extra:?})"
    );
    let users = |list: &[Property<'_>]| -> Vec<(String, String)> {
        list.iter()
            .filter_map(|p| match p {
                Property::UserProperty(k, v) => Some((k.to_string(), v.to_string())),
                _ => None,
            })
            .collect()
    };
    assert_eq!(users(&got), users(expected), "{what}: User Property order");
}

/// The packets of `client` going `dir`.
fn packets<'a>(frames: &'a [Frame], client: &'a str, dir: Dir) -> impl Iterator<Item = &'a Packet> {
    frames
        .iter()
        .filter(move |f| f.client_id == client && f.dir == dir)
        .map(|f| &f.packet)
}

/// The first frame of `client` going `dir` that `is` accepts.
fn find<'a>(
    frames: &'a [Frame],
    client: &str,
    dir: Dir,
    what: &str,
    is: impl Fn(&Packet) -> bool,
) -> &'a Frame {
    frames
        .iter()
        .find(|f| f.client_id == client && f.dir == dir && is(&f.packet))
        .unwrap_or_else(|| {
            panic!(
                "no {what} from/to {client} ({dir:?}) among {}",
                listing(frames)
            )
        })
}

/// The frames, one line each, for failure messages.
fn listing(frames: &[Frame]) -> String {
    let mut out = format!("{} frames:", frames.len());
    for f in frames {
        out.push_str(&format!(
            "\n  #{} {} {:?} {:?}: {:?}",
            f.conn, f.client_id, f.dir, f.protocol, f.packet
        ));
    }
    out
}

/// Every packet type of `expected` went through the proxy (either way).
fn assert_types_seen(frames: &[Frame], expected: &[PacketType]) {
    let seen: Vec<PacketType> = frames.iter().map(|f| f.packet.packet_type()).collect();
    let missing: Vec<&PacketType> = expected.iter().filter(|t| !seen.contains(t)).collect();
    assert!(
        missing.is_empty(),
        "never seen: {missing:?}\n{}",
        listing(frames)
    );
}

/// Every frame of a connection was decoded in the version its CONNECT named.
fn assert_versions(frames: &[Frame], expected: &[(&str, Protocol)]) {
    for (client, protocol) in expected {
        let of_client: Vec<&Frame> = frames.iter().filter(|f| f.client_id == *client).collect();
        assert!(!of_client.is_empty(), "no frame of {client}");
        for f in of_client {
            assert_eq!(f.protocol, *protocol, "{client}: {:?}", f.packet);
        }
    }
}

const ALL_BUT_AUTH: [PacketType; 14] = [
    PacketType::Connect,
    PacketType::ConnAck,
    PacketType::Publish,
    PacketType::PubAck,
    PacketType::PubRec,
    PacketType::PubRel,
    PacketType::PubComp,
    PacketType::Subscribe,
    PacketType::SubAck,
    PacketType::Unsubscribe,
    PacketType::UnsubAck,
    PacketType::PingReq,
    PacketType::PingResp,
    PacketType::Disconnect,
];

/// mosquitto with the verifying proxy in front of it.
fn mosquitto_behind_proxy() -> (Proc, Proxy) {
    let (mosquitto, port) = start_mosquitto();
    (mosquitto, Proxy::start(port))
}

// ---------------------------------------------------------------------------------------------
// A small blocking MQTT 5.0 client on mqttwire
// ---------------------------------------------------------------------------------------------

/// A test client, 5.0 unless its CONNECT says otherwise. Every packet it receives must decode, re-encode to the same bytes and
/// decode the same borrowed (the proxy's checks); PUBLISH and PUBREL are answered on the way.
struct Client {
    stream: TcpStream,
    buf: BytesMut,
    decoder: Decoder,
    encoder: Encoder,
    next_id: u16,
    /// Topic Aliases the server set towards us.
    aliases: HashMap<u16, String>,
    /// Messages that arrived while waiting for something else, with their resolved topic.
    inbox: VecDeque<(String, Publish)>,
}

impl Client {
    fn raw(port: u16) -> Client {
        let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        stream.set_nodelay(true).expect("nodelay");
        Client {
            stream,
            buf: BytesMut::new(),
            decoder: Decoder::new().protocol(Protocol::V5),
            encoder: Encoder::V5,
            next_id: 0,
            aliases: HashMap::new(),
            inbox: VecDeque::new(),
        }
    }

    /// Sends a CONNECT and expects CONNACK Success; returns it. The connection then speaks
    /// the CONNECT's version.
    fn connect(port: u16, connect: Connect) -> (Client, ConnAck) {
        let mut client = Client::raw(port);
        client.decoder = Decoder::new().protocol(connect.protocol);
        client.encoder = Encoder::new(connect.protocol);
        client.send(&connect);
        match client.recv(STEP) {
            Some(Packet::ConnAck(ack)) if ack.reason_code == ConnectReasonCode::Success => {
                (client, ack)
            }
            other => panic!("expected CONNACK Success, got {other:?}"),
        }
    }

    fn simple(port: u16, id: &str) -> Client {
        let connect = Connect::new(client_id(id))
            .with_protocol(Protocol::V5)
            .with_keep_alive(30);
        Client::connect(port, connect).0
    }

    fn send(&mut self, packet: &impl Encode) {
        let bytes = self.encoder.to_bytes(packet).expect("encode");
        self.stream.write_all(&bytes).expect("write");
    }

    fn send_raw(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).expect("write");
    }

    fn next_id(&mut self) -> PacketId {
        self.next_id = self.next_id.wrapping_add(1).max(1);
        pid(self.next_id)
    }

    /// The next packet within `timeout`, `None` on timeout. Panics on a close, on bytes that
    /// do not decode, or on a packet that fails the proxy's checks.
    fn recv(&mut self, timeout: Duration) -> Option<Packet> {
        self.recv_frame(timeout).map(|(packet, _)| packet)
    }

    /// As [`Client::recv`], with the frame's bytes.
    fn recv_frame(&mut self, timeout: Duration) -> Option<(Packet, Vec<u8>)> {
        let deadline = Instant::now() + timeout;
        loop {
            let before = self.buf.clone();
            match self.decoder.decode(&mut self.buf) {
                Ok(Some(packet)) => {
                    let frame = &before[..before.len() - self.buf.len()];
                    let protocol = self.encoder.protocol();
                    if let Err(e) = proxy::verify(&self.decoder, protocol, &packet, frame) {
                        panic!("received from the server: {e}");
                    }
                    return Some((packet, frame.to_vec()));
                }
                Ok(None) => {}
                Err(e) => panic!("the server sent a malformed packet ({e}): {before:02x?}"),
            }
            if !read_until(&mut self.stream, &mut self.buf, deadline, "server") {
                return None;
            }
        }
    }

    /// Whether the server closes the connection within `timeout`.
    fn closed_within(&mut self, timeout: Duration) -> bool {
        closed_within(&mut self.stream, timeout)
    }

    /// The receiving side of the QoS flows: a PUBLISH is acknowledged and kept with its topic
    /// (resolved through the Topic Aliases the server set), a PUBREL answered.
    fn absorb(&mut self, packet: Packet) -> Option<Packet> {
        match packet {
            Packet::Publish(p) => {
                match p.qos_pid() {
                    QosPid::AtMostOnce => {}
                    QosPid::AtLeastOnce(i) => self.send(&PubAck::new(i)),
                    QosPid::ExactlyOnce(i) => self.send(&PubRec::new(i)),
                }
                let name = match (p.topic(), p.properties().topic_alias()) {
                    ("", Some(alias)) => self
                        .aliases
                        .get(&alias)
                        .unwrap_or_else(|| panic!("unknown Topic Alias {alias} from the server"))
                        .clone(),
                    (name, Some(alias)) => {
                        self.aliases.insert(alias, name.to_owned());
                        name.to_owned()
                    }
                    (name, None) => name.to_owned(),
                };
                self.inbox.push_back((name, p));
                None
            }
            Packet::PubRel(rel) => {
                self.send(&PubComp::new(rel.packet_id));
                None
            }
            other => Some(other),
        }
    }

    /// The next packet other than PUBLISH/PUBREL (those are handled on the way).
    fn expect(&mut self, what: &str, is: impl Fn(&Packet) -> bool) -> Packet {
        let deadline = Instant::now() + STEP;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            let Some(packet) = self.recv(left) else { break };
            if let Some(packet) = self.absorb(packet) {
                assert!(is(&packet), "expected {what}, got {packet:?}");
                return packet;
            }
        }
        panic!("no {what} within {STEP:?}");
    }

    /// The next application message (topic resolved) within `timeout`.
    fn message(&mut self, timeout: Duration) -> Option<(String, Publish)> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(m) = self.inbox.pop_front() {
                return Some(m);
            }
            let left = deadline.checked_duration_since(Instant::now())?;
            let packet = self.recv(left)?;
            if let Some(other) = self.absorb(packet) {
                panic!("unexpected {other:?} while waiting for a message");
            }
        }
    }

    fn subscribe(&mut self, subscribe: Subscribe) -> Vec<SubAckReasonCode> {
        let id = subscribe.packet_id();
        self.send(&subscribe);
        match self.expect(
            "SUBACK",
            |p| matches!(p, Packet::SubAck(a) if a.packet_id() == id),
        ) {
            Packet::SubAck(ack) => ack.reason_codes().collect(),
            _ => unreachable!(),
        }
    }

    fn disconnect(mut self, disconnect: Disconnect) {
        self.send(&Packet::Disconnect(disconnect));
        let _ = self.stream.shutdown(Shutdown::Write);
        assert!(
            self.closed_within(STEP),
            "the server closes after DISCONNECT"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The proxy's own check (no peer needed)
// ---------------------------------------------------------------------------------------------

/// The proxy really checks: between a client and a scripted broker, it records a 5.0
/// exchange decoded in 5.0, and flags a frame that decodes but does not re-encode to the same
/// bytes (a 3.1.1 PINGRESP with a non-minimal Remaining Length, `d0 80 00`, which 3.1.1
/// accepts and mqttwire writes as `d0 00`).
#[test]
fn proxy_records_frames_and_flags_a_frame_that_re_encodes_differently() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let broker_port = listener.local_addr().expect("address").port();
    let broker = std::thread::spawn(move || {
        // Two connections: a 5.0 one answered properly, a 3.1.1 one with a non-minimal frame.
        for answer in [
            &[0x20, 0x06, 0x00, 0x00, 0x03, 0x22, 0x00, 0x0a, 0xd0, 0x00][..],
            &[0x20, 0x02, 0x00, 0x00, 0xd0, 0x80, 0x00][..],
        ] {
            let (mut s, _) = listener.accept().expect("the proxy connects");
            s.set_read_timeout(Some(STEP)).expect("timeout");
            let mut got = [0u8; 256];
            let mut seen = 0;
            // The CONNECT and the PINGREQ (the client sends both before reading).
            while !got[..seen].ends_with(&[0xc0, 0x00]) {
                match s.read(&mut got[seen..]) {
                    Ok(0) | Err(_) => panic!("the client's packets did not arrive"),
                    Ok(n) => seen += n,
                }
            }
            s.write_all(answer).expect("answer");
            let mut rest = [0u8; 16];
            let _ = s.read(&mut rest); // the client's close
        }
    });
    let proxy = Proxy::start(broker_port);

    let connect = Connect::new(client_id("scripted-5"))
        .with_protocol(Protocol::V5)
        .with_properties(props([Property::SessionExpiryInterval(10)]));
    let mut c = Client::raw(proxy.port());
    c.send(&connect);
    c.send(&Packet::PingReq);
    let ack = c.recv(STEP).expect("CONNACK");
    assert_eq!(
        ack,
        Packet::ConnAck(
            ConnAck::accepted(false).with_properties(props([Property::TopicAliasMaximum(10)]))
        )
    );
    assert_eq!(c.recv(STEP), Some(Packet::PingResp));
    drop(c);
    proxy.wait_for("5.0 exchange", STEP, |f| f.len() == 4);
    let frames = proxy.assert_verified();
    assert_versions(&frames, &[("scripted-5", Protocol::V5)]);
    let wire: Vec<(Dir, &[u8])> = frames.iter().map(|f| (f.dir, &f.bytes[..])).collect();
    let connect_bytes = Encoder::V5.to_bytes(&connect).expect("encode");
    assert_eq!(
        wire,
        [
            (Dir::ToBroker, &connect_bytes[..]),
            (Dir::ToBroker, &[0xc0, 0x00][..]),
            (
                Dir::ToClient,
                &[0x20, 0x06, 0x00, 0x00, 0x03, 0x22, 0x00, 0x0a][..]
            ),
            (Dir::ToClient, &[0xd0, 0x00][..]),
        ]
    );

    // 3.1.1, with the non-minimal PINGRESP: forwarded unchanged, and flagged.
    let mut s = TcpStream::connect(("127.0.0.1", proxy.port())).expect("connect");
    let connect = Connect::new(client_id("scripted-311"));
    s.write_all(&connect.to_bytes().expect("encode"))
        .expect("write");
    s.write_all(&[0xc0, 0x00]).expect("write");
    s.set_read_timeout(Some(STEP)).expect("timeout");
    let mut got = Vec::new();
    let mut chunk = [0u8; 64];
    while got.len() < 7 {
        match s.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => got.extend_from_slice(&chunk[..n]),
        }
    }
    assert_eq!(
        got,
        [0x20, 0x02, 0x00, 0x00, 0xd0, 0x80, 0x00],
        "forwarded as they came"
    );
    drop(s);
    broker.join().expect("scripted broker");
    proxy.wait_all_closed(STEP);
    let failures = proxy.failures();
    assert_eq!(failures.len(), 1, "{failures:#?}");
    assert!(
        failures[0].contains("ToClient (V311) PingResp re-encodes differently")
            && failures[0].contains("[d0, 80, 00]")
            && failures[0].contains("[d0, 00]"),
        "{}",
        failures[0]
    );
}

// ---------------------------------------------------------------------------------------------
// mqttwire as a 5.0 client against mosquitto (through the proxy)
// ---------------------------------------------------------------------------------------------

/// CONNECT with properties and a Will, SUBSCRIBE with options and a Subscription Identifier,
/// PUBLISH with every message property and a Topic Alias (with the topic, then alone), QoS
/// 0/1/2 flows both ways, No Local, PUBACK 0x10, UNSUBSCRIBE, PINGREQ and a DISCONNECT 0x04 with
/// properties whose Will arrives.
/// mosquitto accepting each packet is the check of the encoder; the proxy and the client check
/// every frame mosquitto sends.
#[test]
#[ignore = "needs mosquitto: run .ci/interop.sh"]
fn mqttwire_v5_client_against_mosquitto() {
    let (_mosquitto, proxy) = mosquitto_behind_proxy();
    let port = proxy.port();

    // A watcher for the Will and for the No Local topic.
    let mut watcher = Client::simple(port, "mw-watcher");
    let sub = Subscribe::new(
        pid(1),
        [
            Subscription::new(filter("mw/will"), QoS::AtLeastOnce),
            Subscription::new(filter("mw/nl/#"), QoS::AtLeastOnce),
        ],
    )
    .expect("filters");
    assert_eq!(
        watcher.subscribe(sub),
        [SubAckReasonCode::GrantedQos1, SubAckReasonCode::GrantedQos1]
    );

    let will_props = [
        Property::WillDelayInterval(0),
        Property::ContentType("text/plain"),
        Property::UserProperty("why", "will"),
    ];
    let connect = Connect::new(client_id("mw-client"))
        .with_protocol(Protocol::V5)
        .with_keep_alive(30)
        .with_properties(props([
            Property::SessionExpiryInterval(60),
            Property::ReceiveMaximum(10),
            Property::TopicAliasMaximum(5),
            Property::MaximumPacketSize(65_536),
            Property::RequestProblemInformation(true),
            Property::UserProperty("client", "mqttwire"),
        ]))
        .with_will(
            Will::new(topic("mw/will"), QoS::AtLeastOnce, "mw gone")
                .with_properties(props(will_props)),
        );
    let (mut c, connack) = Client::connect(port, connect);
    // mosquitto's defaults: max_topic_alias 10, max_inflight_messages 20.
    assert!(!connack.session_present);
    assert_eq!(
        connack.properties.topic_alias_maximum(),
        Some(10),
        "{connack:?}"
    );
    assert_eq!(
        connack.properties.receive_maximum(),
        Some(20),
        "{connack:?}"
    );

    // SUBSCRIBE: Retain As Published and QoS 2 on one filter, No Local on the other.
    let sub = Subscribe::new(
        c.next_id(),
        [
            Subscription::new(filter("mw/t/#"), QoS::ExactlyOnce)
                .with_retain_as_published(true)
                .with_retain_handling(RetainHandling::SendOnSubscribeIfNew),
            Subscription::new(filter("mw/nl/#"), QoS::AtLeastOnce).with_no_local(true),
        ],
    )
    .expect("filters")
    .with_properties(props([
        Property::SubscriptionIdentifier(7),
        Property::UserProperty("sub", "mw"),
    ]))
    .expect("SUBSCRIBE properties");
    assert_eq!(
        c.subscribe(sub),
        [SubAckReasonCode::GrantedQos2, SubAckReasonCode::GrantedQos1]
    );

    // QoS 1 with every message property and Topic Alias 1 set with the topic.
    let message_props = [
        Property::PayloadFormatIndicator(PayloadFormat::Utf8),
        Property::MessageExpiryInterval(120),
        Property::ContentType("text/plain"),
        Property::ResponseTopic("mw/reply"),
        Property::CorrelationData(b"\x00\x01\x02"),
        Property::UserProperty("k", "v"),
        Property::UserProperty("k", "v2"),
    ];
    let id = c.next_id();
    let first = Publish::new(
        topic("mw/t/a"),
        QosPid::AtLeastOnce(id),
        "with topic and alias",
    )
    .with_properties(props(
        message_props
            .iter()
            .copied()
            .chain([Property::TopicAlias(1)]),
    ))
    .expect("PUBLISH properties");
    c.send(&first);
    c.expect("PUBACK", |p| *p == PubAck::new(id).into());
    let (name, back) = c.message(STEP).expect("own message back");
    assert_eq!(
        (name.as_str(), back.payload()),
        ("mw/t/a", &b"with topic and alias"[..])
    );
    assert_eq!(back.qos(), QoS::AtLeastOnce);
    assert!(!back.retain());
    let expiry = back
        .properties()
        .message_expiry_interval()
        .expect("Message Expiry Interval");
    assert!((1..=120).contains(&expiry), "{expiry}");
    // Everything but the Topic Alias (ours, for this connection only) is forwarded, the
    // expiry counted down, and the Subscription Identifier added [MQTT-3.3.4-3].
    let forwarded: Vec<Property<'_>> = message_props
        .iter()
        .map(|p| match p {
            Property::MessageExpiryInterval(_) => Property::MessageExpiryInterval(expiry),
            other => *other,
        })
        .chain([Property::SubscriptionIdentifier(7)])
        .collect();
    assert_props(
        back.properties(),
        &forwarded_with_alias(&back, &forwarded),
        "forwarded message",
    );

    // QoS 2 by Topic Alias alone.
    let id = c.next_id();
    let by_alias = Publish::new(topic("mw/t/a"), QosPid::ExactlyOnce(id), "by alias, QoS 2")
        .with_properties(props([Property::TopicAlias(1)]))
        .expect("alias")
        .without_topic()
        .expect("alias set");
    assert_eq!(by_alias.topic(), "");
    c.send(&by_alias);
    c.expect("PUBREC", |p| *p == PubRec::new(id).into());
    c.send(&PubRel::new(id));
    c.expect("PUBCOMP", |p| *p == PubComp::new(id).into());
    let (name, back) = c.message(STEP).expect("QoS 2 message back");
    assert_eq!(
        (name.as_str(), back.payload(), back.qos()),
        ("mw/t/a", &b"by alias, QoS 2"[..], QoS::ExactlyOnce)
    );
    assert_props(
        back.properties(),
        &forwarded_with_alias(&back, &[Property::SubscriptionIdentifier(7)]),
        "QoS 2",
    );

    // QoS 0 by alias alone.
    let by_alias = Publish::new(topic("mw/t/a"), QosPid::AtMostOnce, "by alias, QoS 0")
        .with_properties(props([
            Property::TopicAlias(1),
            Property::UserProperty("n", "0"),
        ]))
        .expect("alias")
        .without_topic()
        .expect("alias set");
    c.send(&by_alias);
    let (name, back) = c.message(STEP).expect("QoS 0 message back");
    assert_eq!(
        (name.as_str(), back.payload(), back.qos()),
        ("mw/t/a", &b"by alias, QoS 0"[..], QoS::AtMostOnce)
    );
    assert_props(
        back.properties(),
        &forwarded_with_alias(
            &back,
            &[
                Property::UserProperty("n", "0"),
                Property::SubscriptionIdentifier(7),
            ],
        ),
        "QoS 0",
    );

    // A large message: 40 User Properties (a properties block over 127 bytes, so a 2-byte
    // length) and a 40,000-byte payload (a 3-byte Remaining Length), both ways.
    let names: Vec<String> = (0..40).map(|i| format!("name-{i:02}")).collect();
    let user: Vec<Property<'_>> = names
        .iter()
        .map(|n| Property::UserProperty(n, "value"))
        .collect();
    let payload = vec![0xa5u8; 40_000];
    let id = c.next_id();
    let big = Publish::new(topic("mw/t/big"), QosPid::AtLeastOnce(id), &payload)
        .with_properties(props(user.iter().copied()))
        .expect("properties");
    assert!(big.properties().as_bytes().len() > 127);
    c.send(&big);
    c.expect("PUBACK", |p| *p == PubAck::new(id).into());
    let (name, back) = c.message(STEP).expect("the large message back");
    assert_eq!((name.as_str(), back.payload()), ("mw/t/big", &payload[..]));
    let mut expected = user.clone();
    expected.push(Property::SubscriptionIdentifier(7));
    assert_props(
        back.properties(),
        &forwarded_with_alias(&back, &expected),
        "large message",
    );

    // No Local: our own message on mw/nl/x reaches the watcher, not us.
    let id = c.next_id();
    c.send(&Publish::new(
        topic("mw/nl/x"),
        QosPid::AtLeastOnce(id),
        "no local",
    ));
    c.expect("PUBACK", |p| *p == PubAck::new(id).into());
    let (name, got) = watcher.message(STEP).expect("the watcher gets it");
    assert_eq!(
        (name.as_str(), got.payload()),
        ("mw/nl/x", &b"no local"[..])
    );
    assert!(
        c.message(Duration::from_millis(300)).is_none(),
        "No Local sent our message back"
    );

    // No subscriber at all: PUBACK 0x10 (No matching subscribers), in its 3-byte form
    // (mosquitto 2.0 answers a QoS 2 PUBLISH to nobody with PUBREC Success).
    let id = c.next_id();
    c.send(&Publish::new(
        topic("mw/nobody"),
        QosPid::AtLeastOnce(id),
        "x",
    ));
    c.expect("PUBACK 0x10", |p| {
        *p == PubAck::new(id)
            .with_reason_code(PubAckReasonCode::NoMatchingSubscribers)
            .into()
    });

    // UNSUBSCRIBE with a User Property: Success, then No subscription existed.
    for expected in [
        UnsubAckReasonCode::Success,
        UnsubAckReasonCode::NoSubscriptionExisted,
    ] {
        let id = c.next_id();
        let unsub = Unsubscribe::new(id, [filter("mw/t/#")])
            .expect("filter")
            .with_properties(props([Property::UserProperty("unsub", "mw")]))
            .expect("UNSUBSCRIBE properties");
        c.send(&unsub);
        match c.expect(
            "UNSUBACK",
            |p| matches!(p, Packet::UnsubAck(a) if a.packet_id() == id),
        ) {
            Packet::UnsubAck(ack) => {
                assert_eq!(ack.reason_codes().collect::<Vec<_>>(), [expected]);
                assert!(ack.properties().is_empty());
            }
            _ => unreachable!(),
        }
    }
    c.send(&Packet::PingReq);
    c.expect("PINGRESP", |p| *p == Packet::PingResp);

    // DISCONNECT 0x04 with properties: the Will is published, with its properties.
    c.disconnect(
        Disconnect::new()
            .with_reason_code(DisconnectReasonCode::DisconnectWithWillMessage)
            .with_properties(props([
                Property::SessionExpiryInterval(0),
                Property::UserProperty("bye", "now"),
            ])),
    );
    let (name, will) = watcher.message(STEP).expect("the Will");
    assert_eq!(
        (name.as_str(), will.payload(), will.qos()),
        ("mw/will", &b"mw gone"[..], QoS::AtLeastOnce)
    );
    assert_props(
        will.properties(),
        &[
            Property::ContentType("text/plain"),
            Property::UserProperty("why", "will"),
        ],
        "Will",
    );
    watcher.disconnect(Disconnect::new());

    proxy.wait_all_closed(STEP);
    let frames = proxy.assert_verified();
    assert_types_seen(&frames, &ALL_BUT_AUTH);
    assert_versions(
        &frames,
        &[("mw-client", Protocol::V5), ("mw-watcher", Protocol::V5)],
    );
    // What went to mosquitto is what we built, byte for byte.
    let sent = find(
        &frames,
        "mw-client",
        Dir::ToBroker,
        "the PUBLISH by alias",
        |p| matches!(p, Packet::Publish(p) if p.topic().is_empty() && p.qos() == QoS::ExactlyOnce),
    );
    // QoS 2, 23 bytes, empty topic, packet id 3, properties: Topic Alias 1, the payload.
    assert_eq!(
        sent.bytes[..],
        *b"\x34\x17\x00\x00\x00\x03\x03\x23\x00\x01by alias, QoS 2"
    );
}

/// The properties mosquitto forwarded, plus a Topic Alias if it chose to use one towards us.
fn forwarded_with_alias<'a>(back: &'a Publish, expected: &[Property<'a>]) -> Vec<Property<'a>> {
    let mut all = expected.to_vec();
    if let Some(alias) = back.properties().topic_alias() {
        all.push(Property::TopicAlias(alias));
    }
    all
}

/// A 5.0 PUBLISH QoS 1, packet identifier 1, payload `x`, with a properties block written by
/// hand (shorter than 128 bytes).
fn raw_publish_qos1(name: &str, properties: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    body.extend_from_slice(&u16::try_from(name.len()).expect("short").to_be_bytes());
    body.extend_from_slice(name.as_bytes());
    body.extend_from_slice(&[0x00, 0x01, u8::try_from(properties.len()).expect("short")]);
    body.extend_from_slice(properties);
    body.push(b'x');
    let mut frame = vec![0x32, u8::try_from(body.len()).expect("short")];
    frame.extend_from_slice(&body);
    frame
}

/// mosquitto's answers to what the standard forbids, each a DISCONNECT with a reason code that
/// we decode: a property PUBLISH may not carry (which mqttwire refuses to build), a Topic Alias
/// above the Topic Alias Maximum of its CONNACK, and a topic by an alias never set.
#[test]
#[ignore = "needs mosquitto: run .ci/interop.sh"]
fn mosquitto_disconnects_malformed_v5_packets_with_a_reason_code() {
    let (_mosquitto, port) = start_mosquitto();

    // Session Expiry Interval (0x11) in a PUBLISH: our encoder refuses it …
    let refused = Publish::new(topic("bad/x"), QosPid::AtLeastOnce(pid(1)), "x")
        .with_properties(props([Property::SessionExpiryInterval(10)]));
    assert!(refused.is_err(), "{refused:?}");
    // … so it is written by hand.
    let cases = [
        (
            "a property PUBLISH may not carry (Session Expiry Interval)",
            raw_publish_qos1("bad/x", &[0x11, 0x00, 0x00, 0x00, 0x0a]),
            DisconnectReasonCode::MalformedPacket,
        ),
        (
            "Topic Alias 11, above the maximum of 10",
            raw_publish_qos1("bad/x", &[0x23, 0x00, 0x0b]),
            DisconnectReasonCode::TopicAliasInvalid,
        ),
        (
            "a topic by an alias never set",
            raw_publish_qos1("", &[0x23, 0x00, 0x03]),
            DisconnectReasonCode::ProtocolError,
        ),
    ];
    for (what, bytes, reason) in cases {
        let mut c = Client::simple(port, "bad-client");
        c.send_raw(&bytes);
        let (packet, wire) = c
            .recv_frame(STEP)
            .unwrap_or_else(|| panic!("no answer to {what}"));
        let Packet::Disconnect(d) = &packet else {
            panic!("{what}: expected DISCONNECT, got {packet:?}")
        };
        assert_eq!(d.reason_code, reason, "{what}: {wire:02x?}");
        assert!(d.properties.is_empty(), "{what}: {d:?}");
        assert_eq!(wire, [0xe0, 0x01, reason as u8], "{what}: the short form");
        assert!(c.closed_within(STEP), "{what}: mosquitto closes");
    }
}

// ---------------------------------------------------------------------------------------------
// mosquitto_pub and mosquitto_sub in 5.0, through the proxy
// ---------------------------------------------------------------------------------------------

#[test]
#[ignore = "needs mosquitto, mosquitto_pub and mosquitto_sub: run .ci/interop.sh"]
fn mosquitto_clients_v5_through_verifying_proxy() {
    let [mpub, msub] = tools(["mosquitto_pub", "mosquitto_sub"]);
    let (_mosquitto, proxy) = mosquitto_behind_proxy();
    let port = proxy.port().to_string();
    let v5 = ["-h", "127.0.0.1", "-p", port.as_str(), "-V", "mqttv5"];
    let d = |command: &'static str, args: &[&'static str]| -> Vec<&'static str> {
        [&["-D", command][..], args].concat()
    };

    run_ok(
        Command::new(&mpub)
            .args(v5)
            .args([
                "-i",
                "cli5-retain",
                "-t",
                "cli5/data/retained",
                "-m",
                "kept",
                "-r",
                "-q",
                "1",
            ])
            .args(d("publish", &["content-type", "text/plain"]))
            .args(d("publish", &["payload-format-indicator", "1"])),
        STEP,
    );
    let mut watcher = spawn(Command::new(&msub).args(v5).args([
        "-i",
        "cli5-watch",
        "-t",
        "cli5/will",
        "-t",
        "$share/grp/cli5/shared",
        "-q",
        "1",
        "-C",
        "1",
        "-W",
        "25",
        "-F",
        "%t|%q|%p|%C|%P",
    ]));
    let watched = stdout_lines(&mut watcher);
    proxy.wait_for("SUBACK to cli5-watch", STEP, |frames| {
        packets(frames, "cli5-watch", Dir::ToClient).any(|p| matches!(p, Packet::SubAck(_)))
    });
    let mut sub = spawn(
        Command::new(&msub)
            .args(v5)
            .args([
                "-i",
                "cli5-sub",
                "-t",
                "cli5/data/#",
                "-q",
                "2",
                "-k",
                "5",
                "-W",
                "8",
            ])
            .args(["--retain-as-published", "-U", "cli5/none/#", "-x", "30"])
            .args(["-F", "%t|%q|%r|%p|%P|%C|%R|%D|%F|%E"])
            .args(d("connect", &["user-property", "client", "cli5-sub"]))
            .args(d("connect", &["topic-alias-maximum", "5"]))
            .args(d("connect", &["maximum-packet-size", "65536"]))
            .args(d("connect", &["receive-maximum", "7"]))
            .args(d("connect", &["request-problem-information", "1"]))
            .args(d("subscribe", &["user-property", "sub", "props"]))
            .args(d("unsubscribe", &["user-property", "unsub", "props"]))
            .args(d("disconnect", &["session-expiry-interval", "0"]))
            .args(d("disconnect", &["user-property", "bye", "now"]))
            .args([
                "--will-topic",
                "cli5/will",
                "--will-payload",
                "gone",
                "--will-qos",
                "1",
            ])
            .args(d("will", &["will-delay-interval", "1"]))
            .args(d("will", &["content-type", "text/plain"]))
            .args(d("will", &["user-property", "why", "will"])),
    );
    let lines = stdout_lines(&mut sub);
    // The retained message comes right after the SUBACK: the subscription is in place. With
    // Retain As Published it keeps RETAIN 1; its properties came along.
    assert_eq!(
        lines.recv_timeout(STEP).as_deref(),
        Ok("cli5/data/retained|1|1|kept||text/plain|||1|")
    );

    // QoS 1, every message property, Topic Alias 1: the first with the topic, then alone.
    run_ok(
        Command::new(&mpub)
            .args(v5)
            .args([
                "-i",
                "cli5-alias",
                "-t",
                "cli5/data/alias",
                "-m",
                "by alias",
                "-q",
                "1",
            ])
            .args(["--repeat", "3"])
            .args(d("publish", &["topic-alias", "1"]))
            .args(d("publish", &["user-property", "k", "v"]))
            .args(d("publish", &["user-property", "k", "v2"]))
            .args(d("publish", &["message-expiry-interval", "60"]))
            .args(d("publish", &["content-type", "text/plain"]))
            .args(d("publish", &["payload-format-indicator", "1"])),
        STEP,
    );
    // QoS 2 with Response Topic and Correlation Data, a Session Expiry Interval, and a
    // DISCONNECT with a User Property.
    run_ok(
        Command::new(&mpub)
            .args(v5)
            .args([
                "-i",
                "cli5-q2",
                "-t",
                "cli5/data/q2",
                "-m",
                "request",
                "-q",
                "2",
                "-x",
                "10",
            ])
            .args(d("publish", &["response-topic", "cli5/reply"]))
            .args(d("publish", &["correlation-data", "corr-1"]))
            .args(d("disconnect", &["user-property", "done", "yes"])),
        STEP,
    );
    // Nobody subscribed: PUBACK 0x10.
    run_ok(
        Command::new(&mpub).args(v5).args([
            "-i",
            "cli5-nobody",
            "-t",
            "cli5/nobody",
            "-m",
            "x",
            "-q",
            "1",
        ]),
        STEP,
    );
    // An authentication method mosquitto does not have: CONNACK 0x8C, which is also
    // mosquitto_pub's exit code.
    let refused = spawn(
        Command::new(&mpub)
            .args(v5)
            .args(["-i", "cli5-auth", "-t", "cli5/data/auth", "-m", "x"])
            .args(d("connect", &["authentication-method", "nope"])),
    )
    .finish(STEP);
    assert_eq!(refused.status.code(), Some(0x8c), "{refused:?}");

    // The subscriber stays idle past its 5 s keep-alive (PINGREQ), then its -W 8 runs out:
    // it sends DISCONNECT 0x04 with its properties and exits with 27.
    let out = sub.finish(Duration::from_secs(15));
    assert_eq!(out.status.code(), Some(27), "{out:?}");
    let mut got = collect_lines(&lines, Duration::from_millis(100));
    for line in &mut got[..3] {
        // The Message Expiry Interval left, 60 or a second less.
        let (rest, expiry) = line.rsplit_once('|').expect("fields");
        assert!(matches!(expiry, "59" | "60"), "{line}");
        *line = format!("{rest}|");
    }
    assert_eq!(
        got,
        [
            "cli5/data/alias|1|0|by alias|k:v k:v2|text/plain|||1|",
            "cli5/data/alias|1|0|by alias|k:v k:v2|text/plain|||1|",
            "cli5/data/alias|1|0|by alias|k:v k:v2|text/plain|||1|",
            "cli5/data/q2|2|0|request|||cli5/reply|corr-1||",
        ]
    );
    // Its Will (Session Expiry 0 ends the session at once, before the Will Delay).
    assert_eq!(
        collect_lines(&watched, STEP),
        ["cli5/will|1|gone|text/plain|why:will"]
    );
    drop(watcher);

    proxy.wait_all_closed(STEP);
    let frames = proxy.assert_verified();
    let ctx = listing(&frames);
    assert_types_seen(&frames, &ALL_BUT_AUTH);
    for f in &frames {
        assert_eq!(f.protocol, Protocol::V5, "{f:?}");
    }

    // The subscriber's CONNECT: properties, and a Will with its properties and delay.
    let Packet::Connect(connect) = &find(&frames, "cli5-sub", Dir::ToBroker, "CONNECT", |p| {
        matches!(p, Packet::Connect(_))
    })
    .packet
    else {
        unreachable!()
    };
    assert_eq!(connect.keep_alive, 5);
    assert_props(
        connect.properties.as_ref(),
        &[
            Property::UserProperty("client", "cli5-sub"),
            Property::TopicAliasMaximum(5),
            Property::MaximumPacketSize(65_536),
            Property::ReceiveMaximum(7),
            Property::RequestProblemInformation(true),
            Property::SessionExpiryInterval(30),
        ],
        "cli5-sub CONNECT",
    );
    let will = connect.will.as_ref().expect("a Will");
    assert_eq!(
        (will.topic.as_str(), &will.payload[..], will.qos),
        ("cli5/will", &b"gone"[..], QoS::AtLeastOnce)
    );
    assert_props(
        will.properties.as_ref(),
        &[
            Property::WillDelayInterval(1),
            Property::ContentType("text/plain"),
            Property::UserProperty("why", "will"),
        ],
        "Will properties",
    );
    let Packet::ConnAck(connack) = &find(&frames, "cli5-sub", Dir::ToClient, "CONNACK", |p| {
        matches!(p, Packet::ConnAck(_))
    })
    .packet
    else {
        unreachable!()
    };
    assert_eq!(connack.reason_code, ConnectReasonCode::Success);
    assert_eq!(connack.properties.topic_alias_maximum(), Some(10));

    // SUBSCRIBE with Retain As Published and a User Property; UNSUBSCRIBE likewise.
    let Packet::Subscribe(subscribe) =
        &find(&frames, "cli5-sub", Dir::ToBroker, "SUBSCRIBE", |p| {
            matches!(p, Packet::Subscribe(_))
        })
        .packet
    else {
        unreachable!()
    };
    let subscriptions: Vec<Subscription> = subscribe.subscriptions().collect();
    assert_eq!(
        subscriptions,
        [
            Subscription::new(filter("cli5/data/#"), QoS::ExactlyOnce)
                .with_retain_as_published(true)
        ]
    );
    assert_props(
        subscribe.properties(),
        &[Property::UserProperty("sub", "props")],
        "SUBSCRIBE",
    );
    let Packet::Unsubscribe(unsubscribe) =
        &find(&frames, "cli5-sub", Dir::ToBroker, "UNSUBSCRIBE", |p| {
            matches!(p, Packet::Unsubscribe(_))
        })
        .packet
    else {
        unreachable!()
    };
    assert_eq!(
        unsubscribe
            .filters()
            .map(|f| f.to_string())
            .collect::<Vec<_>>(),
        ["cli5/none/#"]
    );
    assert_props(
        unsubscribe.properties(),
        &[Property::UserProperty("unsub", "props")],
        "UNSUBSCRIBE",
    );
    let unsuback = find(&frames, "cli5-sub", Dir::ToClient, "UNSUBACK", |p| {
        matches!(p, Packet::UnsubAck(_))
    });
    assert_eq!(
        unsuback.bytes[..],
        [0xb0, 0x04, 0x00, 0x02, 0x00, 0x11],
        "No subscription existed"
    );

    // The publisher's Topic Alias: set with the topic, then used alone; mosquitto forwards
    // the message with its topic and without the alias.
    let sent: Vec<&Publish> = packets(&frames, "cli5-alias", Dir::ToBroker)
        .filter_map(|p| match p {
            Packet::Publish(p) => Some(p),
            _ => None,
        })
        .collect();
    let names: Vec<(&str, Option<u16>)> = sent
        .iter()
        .map(|p| (p.topic(), p.properties().topic_alias()))
        .collect();
    assert_eq!(
        names,
        [("cli5/data/alias", Some(1)), ("", Some(1)), ("", Some(1))]
    );
    let message_props = [
        Property::UserProperty("k", "v"),
        Property::UserProperty("k", "v2"),
        Property::MessageExpiryInterval(60),
        Property::ContentType("text/plain"),
        Property::PayloadFormatIndicator(PayloadFormat::Utf8),
    ];
    for p in &sent {
        let with_alias: Vec<Property<'_>> = message_props
            .iter()
            .copied()
            .chain([Property::TopicAlias(1)])
            .collect();
        assert_props(p.properties(), &with_alias, "PUBLISH from mosquitto_pub");
    }
    let delivered: Vec<&Publish> = packets(&frames, "cli5-sub", Dir::ToClient)
        .filter_map(|p| match p {
            Packet::Publish(p) if p.topic() == "cli5/data/alias" => Some(p),
            _ => None,
        })
        .collect();
    assert_eq!(delivered.len(), 3, "{ctx}");
    for p in delivered {
        let expiry = p.properties().message_expiry_interval().expect("expiry");
        let expected: Vec<Property<'_>> = message_props
            .iter()
            .map(|q| match q {
                Property::MessageExpiryInterval(_) => Property::MessageExpiryInterval(expiry),
                other => *other,
            })
            .collect();
        assert_props(p.properties(), &expected, "PUBLISH to mosquitto_sub");
    }
    let Packet::Publish(request) = &find(
        &frames,
        "cli5-sub",
        Dir::ToClient,
        "the QoS 2 request",
        |p| matches!(p, Packet::Publish(p) if p.topic() == "cli5/data/q2"),
    )
    .packet
    else {
        unreachable!()
    };
    assert_eq!(request.qos(), QoS::ExactlyOnce);
    assert_props(
        request.properties(),
        &[
            Property::ResponseTopic("cli5/reply"),
            Property::CorrelationData(b"corr-1"),
        ],
        "request",
    );

    // Acknowledgements and DISCONNECTs, byte for byte.
    let wire = |client: &str, dir: Dir, what: &str, is: &dyn Fn(&Packet) -> bool| -> Vec<u8> {
        find(&frames, client, dir, what, is).bytes.to_vec()
    };
    assert_eq!(
        wire("cli5-nobody", Dir::ToClient, "PUBACK", &|p| matches!(
            p,
            Packet::PubAck(_)
        )),
        [0x40, 0x03, 0x00, 0x01, 0x10],
        "PUBACK 0x10 No matching subscribers"
    );
    assert_eq!(
        wire("cli5-auth", Dir::ToClient, "CONNACK", &|p| matches!(
            p,
            Packet::ConnAck(_)
        )),
        [0x20, 0x03, 0x00, 0x8c, 0x00],
        "CONNACK 0x8C Bad authentication method"
    );
    assert_eq!(
        wire("cli5-sub", Dir::ToBroker, "PINGREQ", &|p| *p
            == Packet::PingReq),
        [0xc0, 0x00]
    );
    assert_eq!(
        wire("cli5-sub", Dir::ToClient, "PINGRESP", &|p| *p
            == Packet::PingResp),
        [0xd0, 0x00]
    );
    assert_eq!(
        wire("cli5-sub", Dir::ToBroker, "DISCONNECT", &|p| matches!(
            p,
            Packet::Disconnect(_)
        )),
        b"\xe0\x12\x04\x10\x11\x00\x00\x00\x00\x26\x00\x03bye\x00\x03now",
        "DISCONNECT 0x04 with Session Expiry Interval 0 and a User Property"
    );
    assert_eq!(
        find(
            &frames,
            "cli5-q2",
            Dir::ToBroker,
            "DISCONNECT",
            |p| matches!(p, Packet::Disconnect(_))
        )
        .packet,
        Packet::Disconnect(
            Disconnect::new().with_properties(props([Property::UserProperty("done", "yes")]))
        )
    );
    for client in ["cli5-retain", "cli5-alias", "cli5-nobody", "cli5-watch"] {
        assert_eq!(
            wire(client, Dir::ToBroker, "DISCONNECT", &|p| matches!(
                p,
                Packet::Disconnect(_)
            )),
            [0xe0, 0x00],
            "{client}: DISCONNECT Normal, short form"
        );
    }
    // Two filters, one of them a shared subscription.
    let Packet::Subscribe(watch) = &find(&frames, "cli5-watch", Dir::ToBroker, "SUBSCRIBE", |p| {
        matches!(p, Packet::Subscribe(_))
    })
    .packet
    else {
        unreachable!()
    };
    assert_eq!(
        watch.subscriptions().collect::<Vec<_>>(),
        [
            Subscription::new(filter("cli5/will"), QoS::AtLeastOnce),
            Subscription::new(filter("$share/grp/cli5/shared"), QoS::AtLeastOnce),
        ]
    );
    assert_eq!(
        wire("cli5-watch", Dir::ToClient, "SUBACK", &|p| matches!(
            p,
            Packet::SubAck(_)
        )),
        [0x90, 0x05, 0x00, 0x01, 0x00, 0x01, 0x01]
    );
    let Packet::Publish(will) = &find(&frames, "cli5-watch", Dir::ToClient, "the Will", |p| {
        matches!(p, Packet::Publish(_))
    })
    .packet
    else {
        unreachable!()
    };
    assert_props(
        will.properties(),
        &[
            Property::ContentType("text/plain"),
            Property::UserProperty("why", "will"),
        ],
        "the Will as delivered",
    );
}

// ---------------------------------------------------------------------------------------------
// paho-mqtt, 5.0 and 3.1.1, through the proxy
// ---------------------------------------------------------------------------------------------

/// Runs a paho script against mosquitto through the proxy; returns the frames.
fn paho_through_proxy(script: &str) -> Vec<Frame> {
    let python = python_with_paho();
    let (_mosquitto, proxy) = mosquitto_behind_proxy();
    let out = spawn(
        Command::new(&python)
            .arg(interop_script(script))
            .args(["127.0.0.1", &proxy.port().to_string()]),
    )
    .finish(Duration::from_secs(60));
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}");
    assert!(
        out.status.success() && stdout.contains("ALL PASSED"),
        "{script} failed ({}):\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    proxy.wait_all_closed(STEP);
    proxy.assert_verified()
}

#[test]
#[ignore = "needs mosquitto and paho-mqtt: run .ci/interop.sh"]
fn paho_v5_through_verifying_proxy() {
    let frames = paho_through_proxy("paho_client_v5.py");
    let ctx = listing(&frames);
    assert_types_seen(&frames, &ALL_BUT_AUTH);
    for f in &frames {
        assert_eq!(f.protocol, Protocol::V5, "{f:?}");
    }

    let Packet::Connect(connect) = &find(&frames, "paho5-sub", Dir::ToBroker, "CONNECT", |p| {
        matches!(p, Packet::Connect(_))
    })
    .packet
    else {
        unreachable!()
    };
    assert_eq!(connect.keep_alive, 2);
    assert_props(
        connect.properties.as_ref(),
        &[
            Property::SessionExpiryInterval(30),
            Property::RequestProblemInformation(true),
            Property::ReceiveMaximum(50),
            Property::UserProperty("client", "paho5-sub"),
            Property::MaximumPacketSize(1 << 20),
        ],
        "paho CONNECT",
    );
    let will = connect.will.as_ref().expect("a Will");
    assert_eq!(
        (will.topic.as_str(), &will.payload[..]),
        ("paho5/will", &b"sub gone"[..])
    );
    assert_props(
        will.properties.as_ref(),
        &[
            Property::MessageExpiryInterval(60),
            Property::ContentType("text/plain"),
            Property::WillDelayInterval(1),
            Property::UserProperty("why", "will"),
        ],
        "paho Will properties",
    );

    // SUBSCRIBE: every subscription option, a Subscription Identifier and a User Property.
    let subscribe = find(&frames, "paho5-sub", Dir::ToBroker, "SUBSCRIBE", |p| {
        matches!(p, Packet::Subscribe(_))
    });
    let Packet::Subscribe(s) = &subscribe.packet else {
        unreachable!()
    };
    assert_eq!(
        s.subscriptions().collect::<Vec<_>>(),
        [
            Subscription::new(filter("paho5/data/#"), QoS::ExactlyOnce)
                .with_retain_as_published(true),
            Subscription::new(filter("paho5/nolocal/#"), QoS::AtLeastOnce).with_no_local(true),
            Subscription::new(filter("paho5/retained/#"), QoS::AtLeastOnce)
                .with_retain_handling(RetainHandling::DoNotSend),
        ]
    );
    assert_props(
        s.properties(),
        &[
            Property::SubscriptionIdentifier(7),
            Property::UserProperty("sub", "props"),
        ],
        "paho SUBSCRIBE",
    );
    let suback = find(&frames, "paho5-sub", Dir::ToClient, "SUBACK", |p| {
        matches!(p, Packet::SubAck(_))
    });
    assert_eq!(
        suback.bytes[..],
        [0x90, 0x06, 0x00, 0x01, 0x00, 0x02, 0x01, 0x01]
    );
    let Packet::Subscribe(late) = &find(&frames, "paho5-late", Dir::ToBroker, "SUBSCRIBE", |p| {
        matches!(p, Packet::Subscribe(_))
    })
    .packet
    else {
        unreachable!()
    };
    assert_eq!(
        late.subscriptions().collect::<Vec<_>>(),
        [
            Subscription::new(filter("paho5/retained/#"), QoS::AtLeastOnce)
                .with_retain_handling(RetainHandling::SendOnSubscribeIfNew)
        ]
    );

    // The messages with every property, as paho sent them and as mosquitto forwarded them.
    let message_props = |expiry| {
        vec![
            Property::PayloadFormatIndicator(PayloadFormat::Utf8),
            Property::MessageExpiryInterval(expiry),
            Property::ContentType("text/plain"),
            Property::ResponseTopic("paho5/reply"),
            Property::CorrelationData(b"\x00\x01corr"),
            Property::UserProperty("k", "v"),
            Property::UserProperty("k", "v2"),
        ]
    };
    for qos in 0..3 {
        let name = format!("paho5/data/q{qos}");
        let Packet::Publish(sent) = &find(
            &frames,
            "paho5-pub",
            Dir::ToBroker,
            &name,
            |p| matches!(p, Packet::Publish(p) if p.topic() == name),
        )
        .packet
        else {
            unreachable!()
        };
        assert_eq!(sent.qos().bits(), qos);
        assert_props(sent.properties(), &message_props(60), "paho PUBLISH");
        let Packet::Publish(got) = &find(
            &frames,
            "paho5-sub",
            Dir::ToClient,
            &name,
            |p| matches!(p, Packet::Publish(p) if p.topic() == name),
        )
        .packet
        else {
            unreachable!()
        };
        let expiry = got.properties().message_expiry_interval().expect("expiry");
        let mut expected = message_props(expiry);
        expected.push(Property::SubscriptionIdentifier(7));
        assert_props(got.properties(), &expected, "PUBLISH to paho");
    }
    let aliased: Vec<(&str, Option<u16>, QoS)> = packets(&frames, "paho5-pub", Dir::ToBroker)
        .filter_map(|p| match p {
            Packet::Publish(p) if p.properties().topic_alias().is_some() => {
                Some((p.topic(), p.properties().topic_alias(), p.qos()))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        aliased,
        [
            ("paho5/data/alias", Some(1), QoS::AtLeastOnce),
            ("", Some(1), QoS::AtLeastOnce),
            ("", Some(1), QoS::ExactlyOnce),
        ]
    );
    let Packet::Publish(big) = &find(
        &frames,
        "paho5-sub",
        Dir::ToClient,
        "the large message",
        |p| matches!(p, Packet::Publish(p) if p.topic() == "paho5/data/big"),
    )
    .packet
    else {
        unreachable!()
    };
    assert_eq!(big.payload().len(), 70_144);
    assert_eq!(big.properties().user_properties().count(), 40);
    assert!(big.properties().as_bytes().len() > 127);
    let retained = find(
        &frames,
        "paho5-late",
        Dir::ToClient,
        "the retained message",
        |p| matches!(p, Packet::Publish(p) if p.retain() && p.payload() == b"stale"),
    );
    assert_eq!(retained.packet.packet_type(), PacketType::Publish);
    assert!(
        !packets(&frames, "paho5-sub", Dir::ToClient)
            .any(|p| matches!(p, Packet::Publish(p) if p.topic() == "paho5/nolocal/x")),
        "No Local: paho5-sub got its own message back\n{ctx}"
    );

    let Packet::Unsubscribe(u) = &find(&frames, "paho5-sub", Dir::ToBroker, "UNSUBSCRIBE", |p| {
        matches!(p, Packet::Unsubscribe(_))
    })
    .packet
    else {
        unreachable!()
    };
    assert_props(
        u.properties(),
        &[Property::UserProperty("unsub", "props")],
        "UNSUBSCRIBE",
    );
    let Packet::UnsubAck(ack) = &find(&frames, "paho5-sub", Dir::ToClient, "UNSUBACK", |p| {
        matches!(p, Packet::UnsubAck(_))
    })
    .packet
    else {
        unreachable!()
    };
    assert_eq!(
        ack.reason_codes().collect::<Vec<_>>(),
        [UnsubAckReasonCode::Success]
    );
    find(&frames, "paho5-sub", Dir::ToBroker, "PINGREQ", |p| {
        *p == Packet::PingReq
    });
    find(&frames, "paho5-sub", Dir::ToClient, "PINGRESP", |p| {
        *p == Packet::PingResp
    });
    find(
        &frames,
        "paho5-pub",
        Dir::ToClient,
        "PUBACK 0x10",
        |p| matches!(p, Packet::PubAck(a) if a.reason_code == PubAckReasonCode::NoMatchingSubscribers),
    );
    assert_eq!(
        find(
            &frames,
            "paho5-sub",
            Dir::ToBroker,
            "DISCONNECT",
            |p| matches!(p, Packet::Disconnect(_))
        )
        .packet,
        Packet::Disconnect(
            Disconnect::new()
                .with_reason_code(DisconnectReasonCode::DisconnectWithWillMessage)
                .with_properties(props([
                    Property::SessionExpiryInterval(0),
                    Property::UserProperty("bye", "now"),
                ]))
        )
    );
    let Packet::Publish(will) = &find(
        &frames,
        "paho5-pub",
        Dir::ToClient,
        "the Will",
        |p| matches!(p, Packet::Publish(p) if p.topic() == "paho5/will"),
    )
    .packet
    else {
        unreachable!()
    };
    let expiry = will.properties().message_expiry_interval().expect("expiry");
    assert_props(
        will.properties(),
        &[
            Property::ContentType("text/plain"),
            Property::UserProperty("why", "will"),
            Property::MessageExpiryInterval(expiry),
        ],
        "the Will as delivered",
    );
}

/// The 3.1.1 paho script (`tests/interop/paho_client.py`, written for the example broker)
/// against mosquitto through the same proxy: 3.1.1 frames are still decoded and re-encoded
/// byte for byte, in 3.1.1.
#[test]
#[ignore = "needs mosquitto and paho-mqtt: run .ci/interop.sh"]
fn paho_v311_through_verifying_proxy() {
    let frames = paho_through_proxy("paho_client.py");
    assert_types_seen(&frames, &ALL_BUT_AUTH);
    for f in &frames {
        assert_eq!(f.protocol, Protocol::V311, "{f:?}");
        match &f.packet {
            Packet::Publish(p) => assert!(p.properties().is_empty(), "{f:?}"),
            Packet::Connect(c) => {
                assert!(
                    c.properties.is_empty()
                        && c.will.as_ref().is_none_or(|w| w.properties.is_empty())
                )
            }
            _ => {}
        }
    }
    // The 3.1.1 forms: a 2-byte DISCONNECT, acknowledgements of 4 bytes, SUBACK return codes.
    let suback = find(&frames, "paho-sub", Dir::ToClient, "SUBACK", |p| {
        matches!(p, Packet::SubAck(_))
    });
    assert_eq!(suback.bytes[..], [0x90, 0x05, 0x00, 0x01, 0x02, 0x01, 0x01]);
    for f in &frames {
        match &f.packet {
            Packet::Disconnect(_) => assert_eq!(f.bytes[..], [0xe0, 0x00]),
            Packet::PubAck(_) | Packet::PubRec(_) | Packet::PubRel(_) | Packet::PubComp(_) => {
                assert_eq!(f.bytes.len(), 4, "{f:?}")
            }
            _ => {}
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 3.1.1 and 5.0 clients together
// ---------------------------------------------------------------------------------------------

/// A 3.1.1 and a 5.0 client exchange messages both ways through mosquitto, with
/// mosquitto_pub/sub (and a 3.1 publisher) and with mqttwire's own clients: each connection's
/// frames are decoded in its own version, and the 3.1.1 subscriber gets a 5.0 publisher's
/// message without its properties.
#[test]
#[ignore = "needs mosquitto, mosquitto_pub and mosquitto_sub: run .ci/interop.sh"]
fn v311_and_v5_clients_exchange_messages_through_verifying_proxy() {
    let [mpub, msub] = tools(["mosquitto_pub", "mosquitto_sub"]);
    let (_mosquitto, proxy) = mosquitto_behind_proxy();
    let port = proxy.port();
    let port_s = port.to_string();
    let common = ["-h", "127.0.0.1", "-p", port_s.as_str()];

    // mosquitto_pub/sub, one of each version.
    let mut sub311 = spawn(Command::new(&msub).args(common).args([
        "-V",
        "mqttv311",
        "-i",
        "mix-cli-311",
        "-t",
        "mix/cli/#",
        "-q",
        "2",
        "-C",
        "3",
        "-W",
        "15",
        "-F",
        "%t|%q|%p",
    ]));
    let mut sub5 = spawn(Command::new(&msub).args(common).args([
        "-V",
        "mqttv5",
        "-i",
        "mix-cli-5",
        "-t",
        "mix/cli/#",
        "-q",
        "2",
        "-C",
        "3",
        "-W",
        "15",
        "-F",
        "%t|%q|%p|%P|%C",
    ]));
    let (lines311, lines5) = (stdout_lines(&mut sub311), stdout_lines(&mut sub5));
    proxy.wait_for("both SUBACKs", STEP, |frames| {
        ["mix-cli-311", "mix-cli-5"].iter().all(|client| {
            packets(frames, client, Dir::ToClient).any(|p| matches!(p, Packet::SubAck(_)))
        })
    });
    run_ok(
        Command::new(&mpub).args(common).args([
            "-V",
            "mqttv5",
            "-i",
            "mix-cli-pub-5",
            "-t",
            "mix/cli/from5",
            "-m",
            "five",
            "-q",
            "2",
            "-D",
            "publish",
            "user-property",
            "k",
            "v",
            "-D",
            "publish",
            "content-type",
            "text/plain",
        ]),
        STEP,
    );
    run_ok(
        Command::new(&mpub).args(common).args([
            "-V",
            "mqttv311",
            "-i",
            "mix-cli-pub-311",
            "-t",
            "mix/cli/from311",
            "-m",
            "three",
            "-q",
            "1",
        ]),
        STEP,
    );
    // And MQTT 3.1 (protocol name MQIsdp, level 3), still met in the field.
    run_ok(
        Command::new(&mpub).args(common).args([
            "-V",
            "mqttv31",
            "-i",
            "mix-cli-pub-31",
            "-t",
            "mix/cli/from31",
            "-m",
            "thirty-one",
        ]),
        STEP,
    );
    for sub in [sub311, sub5] {
        let out = sub.finish(STEP);
        assert!(out.status.success(), "{out:?}");
    }
    // mosquitto_sub prints a QoS 2 message once its flow is complete, so a later QoS 1
    // message may be printed first: compared in order of topic.
    let sorted = |lines: &std::sync::mpsc::Receiver<String>| {
        let mut got = collect_lines(lines, Duration::from_millis(100));
        got.sort();
        got
    };
    assert_eq!(
        sorted(&lines311),
        [
            "mix/cli/from311|1|three",
            "mix/cli/from31|0|thirty-one",
            "mix/cli/from5|2|five"
        ]
    );
    assert_eq!(
        sorted(&lines5),
        [
            "mix/cli/from311|1|three||",
            "mix/cli/from31|0|thirty-one||",
            "mix/cli/from5|2|five|k:v|text/plain"
        ]
    );

    // mqttwire's clients, one of each version.
    let mut c311 = Client::connect(
        port,
        Connect::new(client_id("mix-mw-311")).with_keep_alive(30),
    )
    .0;
    let mut c5 = Client::simple(port, "mix-mw-5");
    let id = c311.next_id();
    c311.subscribe(
        Subscribe::new(
            id,
            [Subscription::new(filter("mix/mw/#"), QoS::ExactlyOnce)],
        )
        .expect("filter"),
    );
    let id = c5.next_id();
    c5.subscribe(
        Subscribe::new(
            id,
            [Subscription::new(filter("mix/mw/#"), QoS::ExactlyOnce).with_no_local(true)],
        )
        .expect("filter"),
    );
    // 5.0 → 3.1.1, QoS 1 with properties.
    let id = c5.next_id();
    c5.send(
        &Publish::new(topic("mix/mw/from5"), QosPid::AtLeastOnce(id), "five")
            .with_properties(props([
                Property::UserProperty("k", "v"),
                Property::MessageExpiryInterval(30),
            ]))
            .expect("properties"),
    );
    c5.expect("PUBACK", |p| *p == PubAck::new(id).into());
    let (name, got) = c311.message(STEP).expect("from 5.0 to 3.1.1");
    assert_eq!(
        (name.as_str(), got.payload(), got.qos()),
        ("mix/mw/from5", &b"five"[..], QoS::AtLeastOnce)
    );
    assert!(got.properties().is_empty());
    // 3.1.1 → 5.0, QoS 2.
    let id = c311.next_id();
    c311.send(&Publish::new(
        topic("mix/mw/from311"),
        QosPid::ExactlyOnce(id),
        "three",
    ));
    c311.expect("PUBREC", |p| *p == PubRec::new(id).into());
    c311.send(&PubRel::new(id));
    c311.expect("PUBCOMP", |p| *p == PubComp::new(id).into());
    let (name, got) = c5.message(STEP).expect("from 3.1.1 to 5.0");
    assert_eq!(
        (name.as_str(), got.payload(), got.qos()),
        ("mix/mw/from311", &b"three"[..], QoS::ExactlyOnce)
    );
    assert!(got.properties().is_empty(), "{got:?}");
    // Each got the other's message only (No Local on the 5.0 side; the 3.1.1 side gets its own
    // back, as 3.1.1 has no such option).
    let (name, _) = c311.message(STEP).expect("its own message back");
    assert_eq!(name, "mix/mw/from311");
    assert!(c5.message(Duration::from_millis(300)).is_none());
    c311.disconnect(Disconnect::new());
    c5.disconnect(Disconnect::new());

    proxy.wait_all_closed(STEP);
    let frames = proxy.assert_verified();
    assert_versions(
        &frames,
        &[
            ("mix-cli-311", Protocol::V311),
            ("mix-cli-pub-311", Protocol::V311),
            ("mix-cli-pub-31", Protocol::V31),
            ("mix-mw-311", Protocol::V311),
            ("mix-cli-5", Protocol::V5),
            ("mix-cli-pub-5", Protocol::V5),
            ("mix-mw-5", Protocol::V5),
        ],
    );
    // What mosquitto sent each subscriber of the 5.0 publisher's message.
    let to = |client: &str| -> Vec<u8> {
        find(
            &frames,
            client,
            Dir::ToClient,
            "the message from 5.0",
            |p| matches!(p, Packet::Publish(p) if p.topic() == "mix/cli/from5"),
        )
        .bytes
        .to_vec()
    };
    assert_eq!(
        to("mix-cli-311"),
        b"\x34\x15\x00\x0dmix/cli/from5\x00\x01five"
    );
    let Packet::Publish(to5) = &find(
        &frames,
        "mix-cli-5",
        Dir::ToClient,
        "the message from 5.0",
        |p| matches!(p, Packet::Publish(p) if p.topic() == "mix/cli/from5"),
    )
    .packet
    else {
        unreachable!()
    };
    assert_props(
        to5.properties(),
        &[
            Property::UserProperty("k", "v"),
            Property::ContentType("text/plain"),
        ],
        "to the 5.0 subscriber",
    );
}

// ---------------------------------------------------------------------------------------------
// mosquitto's limits: CONNACK properties, Maximum Packet Size both ways
// ---------------------------------------------------------------------------------------------

/// mosquitto configured with limits says them in its CONNACK (Maximum QoS, Retain Available,
/// Server Keep Alive, Maximum Packet Size, Topic Alias Maximum, Receive Maximum, and an
/// Assigned Client Identifier for an empty one), which we decode; mqttwire's encoder holds to
/// its Maximum Packet Size (a PUBLISH too large is refused, a PUBACK's Reason String and User
/// Properties are left out) and mosquitto to ours; what breaks its limits gets its DISCONNECT
/// with the reason code.
#[test]
#[ignore = "needs mosquitto: run .ci/interop.sh"]
fn mosquitto_limits_in_connack_and_maximum_packet_size_both_ways() {
    const LIMITS: &str = "max_qos 1\nretain_available false\nmax_keepalive 20\n\
        max_packet_size 2000\nmax_topic_alias 3\nmax_inflight_messages 5\n";
    let (_mosquitto, port) = start_mosquitto_with(LIMITS);
    let proxy = Proxy::start(port);

    // We take at most 600 bytes; mosquitto takes at most 2000.
    let connect = Connect::new(MqttString::default())
        .with_protocol(Protocol::V5)
        .with_keep_alive(60)
        .with_properties(props([Property::MaximumPacketSize(600)]));
    let (mut c, connack) = Client::connect(proxy.port(), connect);
    let assigned = connack
        .properties
        .assigned_client_identifier()
        .expect("an Assigned Client Identifier")
        .to_owned();
    assert!(!assigned.is_empty());
    assert_props(
        connack.properties.as_ref(),
        &[
            Property::MaximumQos(QoS::AtLeastOnce),
            Property::RetainAvailable(false),
            Property::ServerKeepAlive(20),
            Property::MaximumPacketSize(2000),
            Property::TopicAliasMaximum(3),
            Property::ReceiveMaximum(5),
            Property::AssignedClientIdentifier(&assigned),
        ],
        "CONNACK with limits",
    );
    let limit = connack.properties.maximum_packet_size().expect("limit") as usize;
    c.encoder = Encoder::V5.max_packet_size(limit);
    c.decoder = Decoder::new().protocol(Protocol::V5).max_packet_size(600);

    // Our encoder refuses a PUBLISH over mosquitto's limit.
    let big = Publish::new(
        topic("lim/big"),
        QosPid::AtLeastOnce(pid(1)),
        vec![b'x'; 2500],
    );
    assert!(
        matches!(
            c.encoder.to_bytes(&big),
            Err(mqttwire::EncodeError::ExceedsMaximumPacketSize { max: 2000, .. })
        ),
        "{:?}",
        c.encoder.to_bytes(&big)
    );

    // mosquitto holds to ours: of a 1000-byte and a 100-byte message, only the small one is
    // sent to us [MQTT-3.1.2-25].
    let id = c.next_id();
    let granted = c.subscribe(
        Subscribe::new(id, [Subscription::new(filter("lim/#"), QoS::AtLeastOnce)]).expect("filter"),
    );
    assert_eq!(granted, [SubAckReasonCode::GrantedQos1]);
    let mut p = Client::simple(proxy.port(), "lim-pub");
    for size in [1000, 100] {
        let id = p.next_id();
        p.send(&Publish::new(
            topic(&format!("lim/{size}")),
            QosPid::AtLeastOnce(id),
            vec![b'y'; size],
        ));
        p.expect("PUBACK", |a| *a == PubAck::new(id).into());
    }

    // Our PUBACK for it carries a Reason String and User Properties that do not fit mosquitto's
    // 2000 bytes: the encoder leaves them out [MQTT-3.4.2-2], mosquitto takes the rest.
    let got = match c.recv(STEP) {
        Some(Packet::Publish(got)) => got,
        other => panic!("expected the 100-byte message, got {other:?}"),
    };
    assert_eq!((got.topic(), got.payload().len()), ("lim/100", 100));
    let id = got.packet_id().expect("QoS 1");
    let long = "r".repeat(1500);
    let ack = PubAck::new(id).with_properties(props([
        Property::ReasonString(&long),
        Property::UserProperty("k", &long),
    ]));
    assert_eq!(
        &c.encoder.to_bytes(&ack).expect("fits without them")[..],
        [0x40, 0x02, 0x00, id.get() as u8]
    );
    c.send(&ack);
    assert!(
        c.recv(Duration::from_millis(300)).is_none(),
        "the 1000-byte message was sent to us"
    );
    c.send(&Packet::PingReq);
    assert_eq!(
        c.recv(STEP),
        Some(Packet::PingResp),
        "mosquitto took our PUBACK"
    );
    c.disconnect(Disconnect::new());
    p.disconnect(Disconnect::new());
    proxy.wait_all_closed(STEP);
    let frames = proxy.assert_verified();
    // (The proxy knows our connection by the empty identifier of its CONNECT.)
    let our_ack = find(&frames, "", Dir::ToBroker, "our PUBACK", |p| {
        matches!(p, Packet::PubAck(_))
    });
    assert_eq!(our_ack.bytes.len(), 4, "{:?}", our_ack.packet);

    // What breaks mosquitto's limits, sent anyway (without the limit): its DISCONNECT.
    let cases = [
        (
            "a 2,500-byte PUBLISH",
            Publish::new(
                topic("lim/big"),
                QosPid::AtLeastOnce(pid(1)),
                vec![b'x'; 2500],
            ),
            DisconnectReasonCode::PacketTooLarge,
        ),
        (
            "QoS 2 above Maximum QoS 1",
            Publish::new(topic("lim/q2"), QosPid::ExactlyOnce(pid(1)), "x"),
            DisconnectReasonCode::QosNotSupported,
        ),
        (
            "RETAIN without Retain Available",
            Publish::new(topic("lim/r"), QosPid::AtMostOnce, "x").with_retain(true),
            DisconnectReasonCode::RetainNotSupported,
        ),
    ];
    for (what, publish, reason) in cases {
        let mut c = Client::simple(port, "lim-bad");
        c.send(&publish);
        let (packet, wire) = c
            .recv_frame(STEP)
            .unwrap_or_else(|| panic!("no answer to {what}"));
        assert_eq!(
            packet,
            Packet::Disconnect(Disconnect::new().with_reason_code(reason)),
            "{what}"
        );
        assert_eq!(wire, [0xe0, 0x01, reason as u8], "{what}: the short form");
        assert!(c.closed_within(STEP), "{what}: mosquitto closes");
    }
}
