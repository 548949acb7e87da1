//! The sensor network in MQTT 5.0 and mixed with MQTT 3.1.1, over loopback TCP.
//!
//! - The `broker` example serving 3.1.1 and 5.0 clients on one port: messages cross versions
//!   both ways (a 3.1.1 subscriber gets them without properties, a 5.0 one with them), and
//!   what it honours per 5.0 connection: Topic Aliases (0x94 out of range, 0x82 unknown),
//!   Receive Maximum, No Local, Retain As Published, Retain Handling, Subscription Identifiers,
//!   Maximum Packet Size, Session and Message Expiry, Will Delay, reason codes, AUTH refused,
//!   malformed packets answered with DISCONNECT (a malformed CONNECT with CONNACK) and the
//!   decoder's reason code. These tests use a small mqttwire client (`support/client.rs`) and
//!   the `sensor`/`subscriber` examples, need no peer and always run.
//! - Real peers (`#[ignore]`d; `.ci/interop.sh` runs them and a missing peer fails there):
//!   mosquitto_pub/mosquitto_sub `-V mqttv5` and paho-mqtt `MQTTv5`
//!   (`tests/interop/paho_client_v5.py`) against the example broker; the `sensor --mqtt5` and
//!   `subscriber --mqtt5` examples against mosquitto; the mixed exchange through mosquitto.
//!
//! Servers listen on 127.0.0.1 only; every wait is bounded and every child is killed on drop.

#[path = "support/client.rs"]
mod client;
#[path = "support/examples.rs"]
mod examples;
#[path = "support/peers.rs"]
mod peers;

use client::{filter, message, new_connect, payload, topic, Client};
use examples::{example, start_broker_with};
use mqttwire::{
    Auth, AuthReasonCode, ConnectReasonCode, Disconnect, DisconnectReasonCode, Packet, Properties,
    Property, Protocol, PubAck, PubAckReasonCode, QoS, QosPid, RetainHandling, SubAckReasonCode,
    Subscription, UnsubAckReasonCode, Unsubscribe, Will,
};
use peers::*;
use std::process::Command;
use std::time::{Duration, Instant};

/// How long a test waits to be sure that something does not arrive.
const QUIET: Duration = Duration::from_millis(500);

fn start_broker() -> (Proc, u16) {
    start_broker_with(&[])
}

fn props<'a>(list: impl IntoIterator<Item = Property<'a>>) -> Properties {
    Properties::new(list).expect("valid properties")
}

// ---------------------------------------------------------------------------------------------
// 3.1.1 and 5.0 together
// ---------------------------------------------------------------------------------------------

/// A 3.1.1 client and two 5.0 clients exchange messages both ways through the broker on
/// `port`: the 5.0 message reaches the 3.1.1 subscriber without its properties and the 5.0
/// subscriber with them (and its Subscription Identifier), the 3.1.1 message reaches the 5.0
/// subscriber; the 5.0 publisher's own No Local subscription does not get its message back
/// [MQTT-3.8.3-3]. Any broker that supports these (mosquitto does) passes.
fn mixed_exchange(port: u16, tag: &str) {
    let base = format!("mixed-{tag}");
    let mut old = Client::connect(port, &format!("{base}-311"), Protocol::V311);
    // Not to `{base}/#`: its own message would come back before its PUBACK.
    old.subscribe(&format!("{base}/kitchen"), QoS::AtLeastOnce);
    let mut new = Client::connect(port, &format!("{base}-5-sub"), Protocol::V5);
    let codes = new.subscribe_with(
        vec![Subscription::new(
            filter(&format!("{base}/#")),
            QoS::AtLeastOnce,
        )],
        props([Property::SubscriptionIdentifier(42)]),
    );
    assert_eq!(codes, [SubAckReasonCode::granted(QoS::AtLeastOnce)]);
    let mut publisher = Client::connect(port, &format!("{base}-5-pub"), Protocol::V5);
    let codes = publisher.subscribe_with(
        vec![Subscription::new(filter(&format!("{base}/#")), QoS::AtLeastOnce).with_no_local(true)],
        Properties::EMPTY,
    );
    assert_eq!(codes, [SubAckReasonCode::granted(QoS::AtLeastOnce)]);

    // 5.0 -> 3.1.1 and 5.0.
    let reading = message(&format!("{base}/kitchen"), "21.5", QoS::AtLeastOnce)
        .with_properties(props([
            Property::MessageExpiryInterval(300),
            Property::ContentType("text/plain"),
            Property::UserProperty("unit", "°C"),
        ]))
        .expect("PUBLISH properties");
    assert!(publisher.publish(reading).expect("PUBACK").is_success());
    let got = old.message(STEP).expect("the 5.0 message reaches 3.1.1");
    assert_eq!(
        (got.topic(), payload(&got)),
        (&*format!("{base}/kitchen"), "21.5")
    );
    assert!(got.properties().is_empty(), "3.1.1 has no properties");
    let got = new.message(STEP).expect("the 5.0 message reaches 5.0");
    assert_eq!(payload(&got), "21.5");
    let p = got.properties();
    assert_eq!(p.content_type(), Some("text/plain"));
    assert_eq!(p.user_properties().collect::<Vec<_>>(), [("unit", "°C")]);
    let expiry = p
        .message_expiry_interval()
        .expect("Message Expiry Interval");
    assert!(
        (290..=300).contains(&expiry),
        "expiry {expiry} [MQTT-3.3.2-6]"
    );
    assert_eq!(p.subscription_identifier(), Some(42), "[MQTT-3.3.4-3]");
    assert!(
        publisher.message(QUIET).is_none(),
        "No Local: not back to its publisher [MQTT-3.8.3-3]"
    );

    // 3.1.1 -> 5.0.
    old.publish(message(&format!("{base}/hall"), "19.0", QoS::AtLeastOnce));
    let got = new.message(STEP).expect("the 3.1.1 message reaches 5.0");
    assert_eq!(
        (got.topic(), payload(&got)),
        (&*format!("{base}/hall"), "19.0")
    );
    assert_eq!(got.properties().subscription_identifier(), Some(42));
    let got = publisher
        .message(STEP)
        .expect("No Local concerns only its own messages");
    assert_eq!(payload(&got), "19.0");
    for client in [old, new, publisher] {
        client.disconnect();
    }
}

#[test]
fn mixed_versions_through_example_broker() {
    let (_broker, port) = start_broker();
    mixed_exchange(port, "broker");
}

#[test]
#[ignore = "needs mosquitto: run .ci/interop.sh"]
fn mixed_versions_through_mosquitto() {
    let (_mosquitto, port) = start_mosquitto();
    mixed_exchange(port, "mosquitto");
}

/// The three-terminal demo in 5.0 and mixed: a 5.0 `subscriber` and a 3.1.1 one, a 5.0
/// `sensor` with a Will and a 3.1.1 `sensor`. The 5.0 subscriber prints the properties each
/// reading carries (its unit, expiry, content type, Subscription Identifier); the 3.1.1 one
/// the same readings without them.
fn sensor_network_v5(port: u16) {
    let port_s = port.to_string();
    let subscriber = |extra: &[&str]| {
        let mut child = spawn(
            Command::new(example("subscriber"))
                .args(["--port", &port_s, "--topic", "sensors/+/temperature"])
                .args(["--qos", "1", "--count", "6", "--timeout", "30"])
                .args(extra),
        );
        let stderr = stderr_lines(&mut child);
        let subscribed = stderr.recv_timeout(STEP).into_iter().chain(stderr.iter());
        assert!(
            subscribed.take(5).any(|l| l.starts_with("subscribed to")),
            "the subscriber reports its subscription"
        );
        child
    };
    let v5 = subscriber(&["--mqtt5", "--sub-id", "3"]);
    let v311 = subscriber(&[]);
    let sensor = |room: &str, extra: &[&str]| {
        run_ok(
            Command::new(example("sensor"))
                .args(["--port", &port_s, "--room", room, "--qos", "1"])
                .args(["--count", "3", "--interval", "20"])
                .args(extra),
            Duration::from_secs(30),
        )
    };
    sensor("lab", &["--mqtt5", "--will", "--expiry", "120"]);
    sensor("shed", &[]);

    let v5 = v5.finish(Duration::from_secs(30));
    let v311 = v311.finish(Duration::from_secs(30));
    let (v5_out, v311_out) = (
        String::from_utf8_lossy(&v5.stdout),
        String::from_utf8_lossy(&v311.stdout),
    );
    assert!(v5.status.success(), "5.0 subscriber: {v5_out}");
    assert!(v311.status.success(), "3.1.1 subscriber: {v311_out}");
    let lab: Vec<&str> = v5_out
        .lines()
        .filter(|l| l.starts_with("sensors/lab/"))
        .collect();
    assert_eq!(lab.len(), 3, "{v5_out}");
    for line in lab {
        for part in [
            "unit=°C",
            "ContentType(\"text/plain\")",
            "PayloadFormatIndicator(Utf8)",
            "MessageExpiryInterval(1",
            "SubscriptionIdentifier(3)",
        ] {
            assert!(line.contains(part), "{part} missing from {line}");
        }
    }
    let shed: Vec<&str> = v5_out
        .lines()
        .filter(|l| l.starts_with("sensors/shed/"))
        .collect();
    assert_eq!(
        shed.len(),
        3,
        "the 3.1.1 sensor reaches the 5.0 subscriber: {v5_out}"
    );
    assert!(
        shed.iter()
            .all(|l| l.ends_with("[SubscriptionIdentifier(3)]")),
        "{shed:?}"
    );
    // The 3.1.1 subscriber gets all six readings, without properties.
    assert_eq!(v311_out.lines().count(), 6, "{v311_out}");
    assert!(!v311_out.contains('['), "{v311_out}");
}

#[test]
fn example_sensor_and_subscriber_v5_against_example_broker() {
    let (_broker, port) = start_broker();
    sensor_network_v5(port);
}

#[test]
#[ignore = "needs mosquitto: run .ci/interop.sh"]
fn example_sensor_and_subscriber_v5_against_mosquitto() {
    let (_mosquitto, port) = start_mosquitto();
    sensor_network_v5(port);
}

/// The 5.0 sensor's Will waits for its Will Delay Interval; a 5.0 subscriber sees it.
#[test]
fn example_sensor_v5_will_delay() {
    let (_broker, port) = start_broker();
    let mut watcher = Client::connect(port, "will-watcher", Protocol::V5);
    watcher.subscribe("sensors/+/status", QoS::AtLeastOnce);
    run_ok(
        Command::new(example("sensor"))
            .args(["--port", &port.to_string(), "--room", "cellar", "--mqtt5"])
            .args(["--count", "1", "--will", "--will-delay", "1", "--abrupt"]),
        Duration::from_secs(30),
    );
    let online = watcher.message(STEP).expect("online");
    assert_eq!(payload(&online), "online");
    let gone = Instant::now();
    let offline = watcher.message(STEP).expect("the Will");
    assert_eq!(payload(&offline), "offline");
    assert!(
        gone.elapsed() >= Duration::from_millis(800),
        "the Will came after {:?}, before its delay of 1 s",
        gone.elapsed()
    );
}

// ---------------------------------------------------------------------------------------------
// What the example broker honours per 5.0 connection
// ---------------------------------------------------------------------------------------------

#[test]
fn example_broker_topic_aliases() {
    let (_broker, port) = start_broker_with(&["--topic-alias-max", "4"]);
    let mut sub = Client::connect(port, "alias-sub", Protocol::V5);
    sub.subscribe("alias/#", QoS::AtMostOnce);
    let (mut publisher, ack) = Client::connect_with(port, new_connect("alias-pub", Protocol::V5));
    assert_eq!(ack.properties.topic_alias_maximum(), Some(4));

    // Alias 4 with its topic sets the mapping; then alias alone [MQTT-3.3.2-12].
    let first = message("alias/a", "one", QoS::AtMostOnce)
        .with_properties(props([Property::TopicAlias(4)]))
        .expect("alias");
    publisher.publish(first.clone());
    publisher.publish(message("alias/b", "two", QoS::AtMostOnce));
    publisher.publish(
        first
            .clone()
            .without_topic()
            .expect("alias only")
            .with_qos(QosPid::AtMostOnce),
    );
    let mut got = Vec::new();
    for _ in 0..3 {
        let p = sub.message(STEP).expect("message");
        assert_eq!(
            p.properties().topic_alias(),
            None,
            "aliases are per connection"
        );
        got.push(format!("{} {}", p.topic(), payload(&p)));
    }
    assert_eq!(got, ["alias/a one", "alias/b two", "alias/a one"]);

    // Above the Topic Alias Maximum of the CONNACK: 0x94 (section 3.3.4).
    let over = message("alias/c", "x", QoS::AtMostOnce)
        .with_properties(props([Property::TopicAlias(5)]))
        .expect("alias");
    publisher.publish(over);
    assert_eq!(
        publisher.disconnected(),
        DisconnectReasonCode::TopicAliasInvalid
    );

    // An alias never mapped on this connection, with an empty topic: 0x82 (section 3.3.4);
    // mappings do not carry over from another connection [MQTT-3.3.2-7].
    let mut other = Client::connect(port, "alias-pub", Protocol::V5);
    other.publish(first.without_topic().expect("alias only"));
    assert_eq!(other.disconnected(), DisconnectReasonCode::ProtocolError);
    assert!(sub.message(QUIET).is_none());
}

#[test]
fn example_broker_honours_receive_maximum() {
    let (_broker, port) = start_broker();
    let connect = new_connect("slow-reader", Protocol::V5)
        .with_properties(props([Property::ReceiveMaximum(2)]));
    let (mut sub, _) = Client::connect_with(port, connect);
    sub.subscribe("rm/#", QoS::AtLeastOnce);
    let mut publisher = Client::connect(port, "rm-pub", Protocol::V5);
    for n in 0..5 {
        publisher.publish(message("rm/x", &n.to_string(), QoS::AtLeastOnce));
    }
    // Read without acknowledging: only 2 in flight [MQTT-3.3.4-9].
    let mut inflight = Vec::new();
    while let Some(Packet::Publish(p)) = sub.recv(QUIET) {
        inflight.push(p);
    }
    assert_eq!(
        inflight.len(),
        2,
        "QoS 1 messages in flight with Receive Maximum 2"
    );
    // Each PUBACK lets one more through, in order.
    let mut payloads: Vec<String> = inflight.iter().map(|p| payload(p).to_owned()).collect();
    let mut pending = inflight;
    while let Some(p) = pending.pop() {
        sub.send(PubAck::new(p.packet_id().expect("QoS 1")));
        while let Some(Packet::Publish(next)) = sub.recv(QUIET) {
            payloads.push(payload(&next).to_owned());
            pending.push(next);
        }
    }
    assert_eq!(payloads, ["0", "1", "2", "3", "4"]);
}

#[test]
fn example_broker_retain_options_and_reason_codes() {
    let (_broker, port) = start_broker();
    let mut publisher = Client::connect(port, "ret-pub", Protocol::V5);
    // Nobody subscribes yet: PUBACK 0x10 No matching subscribers.
    let code = publisher.publish(message("ret/a", "kept", QoS::AtLeastOnce).with_retain(true));
    assert_eq!(code, Some(PubAckReasonCode::NoMatchingSubscribers));

    let mut sub = Client::connect(port, "ret-sub", Protocol::V5);
    let with = |handling| {
        vec![Subscription::new(filter("ret/#"), QoS::AtLeastOnce).with_retain_handling(handling)]
    };
    // Retain Handling 1: the retained message for a new subscription only.
    sub.subscribe_with(
        with(RetainHandling::SendOnSubscribeIfNew),
        Properties::EMPTY,
    );
    let got = sub.message(STEP).expect("retained message");
    assert!(got.retain() && payload(&got) == "kept");
    sub.subscribe_with(
        with(RetainHandling::SendOnSubscribeIfNew),
        Properties::EMPTY,
    );
    assert!(
        sub.message(QUIET).is_none(),
        "Retain Handling 1, existing subscription"
    );
    // Retain Handling 2: never.
    sub.subscribe_with(with(RetainHandling::DoNotSend), Properties::EMPTY);
    assert!(sub.message(QUIET).is_none(), "Retain Handling 2");
    // Retain Handling 0: always.
    sub.subscribe_with(with(RetainHandling::SendOnSubscribe), Properties::EMPTY);
    assert!(sub.message(STEP).expect("Retain Handling 0").retain());

    // Retain As Published keeps RETAIN on a live message; without it, RETAIN is cleared.
    let mut plain = Client::connect(port, "ret-plain", Protocol::V5);
    plain.subscribe_with(
        vec![Subscription::new(filter("ret/#"), QoS::AtLeastOnce)
            .with_retain_handling(RetainHandling::DoNotSend)],
        Properties::EMPTY,
    );
    sub.subscribe_with(
        vec![Subscription::new(filter("ret/#"), QoS::AtLeastOnce)
            .with_retain_as_published(true)
            .with_retain_handling(RetainHandling::DoNotSend)],
        Properties::EMPTY,
    );
    let code = publisher.publish(message("ret/b", "live", QoS::AtLeastOnce).with_retain(true));
    assert_eq!(code, Some(PubAckReasonCode::Success));
    assert!(sub.message(STEP).expect("live").retain(), "[MQTT-3.3.1-13]");
    assert!(
        !plain.message(STEP).expect("live").retain(),
        "[MQTT-3.3.1-12]"
    );

    // UNSUBACK says which subscriptions existed; a shared subscription is granted.
    let packet_id = sub.next_id();
    sub.send(Unsubscribe::new(packet_id, [filter("ret/#"), filter("none/#")]).expect("unsub"));
    match sub.recv(STEP) {
        Some(Packet::UnsubAck(ack)) => assert_eq!(
            ack.reason_codes().collect::<Vec<_>>(),
            [
                UnsubAckReasonCode::Success,
                UnsubAckReasonCode::NoSubscriptionExisted
            ]
        ),
        other => panic!("expected UNSUBACK, got {other:?}"),
    }
    let codes = sub.subscribe_with(
        vec![Subscription::new(filter("$share/g/ret/#"), QoS::AtMostOnce)],
        Properties::EMPTY,
    );
    assert_eq!(codes, [SubAckReasonCode::GrantedQos0]);
}

#[test]
fn example_broker_maximum_packet_size_and_message_expiry() {
    let (_broker, port) = start_broker();
    let connect = new_connect("small", Protocol::V5)
        .with_properties(props([Property::MaximumPacketSize(64)]));
    let (mut small, _) = Client::connect_with(port, connect);
    small.subscribe("mps/#", QoS::AtLeastOnce);
    let mut publisher = Client::connect(port, "mps-pub", Protocol::V5);
    publisher.publish(message("mps/a", "short", QoS::AtLeastOnce));
    publisher.publish(message("mps/a", &"x".repeat(100), QoS::AtLeastOnce));
    publisher.publish(message("mps/a", "after", QoS::AtLeastOnce));
    // The large one is not sent to it [MQTT-3.1.2-25]; the others are.
    let got: Vec<String> = std::iter::from_fn(|| small.message(QUIET))
        .map(|p| payload(&p).to_owned())
        .collect();
    assert_eq!(got, ["short", "after"]);

    // A session kept 10 s; a message expiring in 1 s and one in 60 s while it is away.
    let persistent = || {
        new_connect("away", Protocol::V5)
            .with_clean_session(false)
            .with_properties(props([Property::SessionExpiryInterval(10)]))
    };
    let (mut away, _) = Client::connect_with(port, persistent().with_clean_session(true));
    away.subscribe("exp/#", QoS::AtLeastOnce);
    away.disconnect();
    std::thread::sleep(Duration::from_millis(200));
    for (text, seconds) in [("stale", 1), ("fresh", 60)] {
        let m = message("exp/a", text, QoS::AtLeastOnce)
            .with_properties(props([Property::MessageExpiryInterval(seconds)]))
            .expect("expiry");
        publisher.publish(m);
    }
    std::thread::sleep(Duration::from_millis(1500));
    let (mut back, ack) = Client::connect_with(port, persistent());
    assert!(ack.session_present, "the session outlived its connection");
    let got = back.message(STEP).expect("the unexpired message");
    assert_eq!(
        payload(&got),
        "fresh",
        "the expired one is dropped [MQTT-3.3.2-5]"
    );
    let left = got.properties().message_expiry_interval().expect("expiry");
    assert!(
        left < 60,
        "lowered by the time it waited [MQTT-3.3.2-6]: {left}"
    );
    assert!(back.message(QUIET).is_none());
    // Session Expiry 0 (the default): the session ends with the connection.
    back.send(Disconnect::new().with_properties(props([Property::SessionExpiryInterval(0)])));
    std::thread::sleep(Duration::from_millis(200));
    let (_, ack) = Client::connect_with(port, persistent());
    assert!(!ack.session_present);
}

#[test]
fn example_broker_refuses_auth_and_answers_malformed_packets() {
    let (_broker, port) = start_broker();
    // An Authentication Method: CONNACK 0x8C, then the close [MQTT-4.12.0-1].
    let connect = new_connect("auth", Protocol::V5)
        .with_properties(props([Property::AuthenticationMethod("SCRAM-SHA-1")]));
    let (mut c, ack) = Client::connect_raw(port, connect);
    assert_eq!(ack.reason_code, ConnectReasonCode::BadAuthenticationMethod);
    assert!(c.closed_within(STEP));

    // AUTH without an Authentication Method in CONNECT: 0x82 [MQTT-4.12.0-7].
    let mut c = Client::connect(port, "auth-later", Protocol::V5);
    c.send(
        Auth::new(AuthReasonCode::ReAuthenticate)
            .with_properties(props([Property::AuthenticationMethod("SCRAM-SHA-1")])),
    );
    assert_eq!(c.disconnected(), DisconnectReasonCode::ProtocolError);

    // A PUBLISH whose topic runs past the packet: 0x81 Malformed Packet, the decoder's code.
    let mut c = Client::connect(port, "garbage", Protocol::V5);
    c.send_bytes(&[0x30, 0x03, 0x00, 0x09, b'a']);
    assert_eq!(c.disconnected(), DisconnectReasonCode::MalformedPacket);

    // A Subscription Identifier in a client's PUBLISH: 0x82 [MQTT-3.3.4-6].
    let mut c = Client::connect(port, "sub-id", Protocol::V5);
    c.send_bytes(b"\x30\x07\x00\x01a\x02\x0b\x07x");
    assert_eq!(c.disconnected(), DisconnectReasonCode::ProtocolError);

    // An empty client id is given one, named in the CONNACK [MQTT-3.2.2-16].
    let (_, ack) = Client::connect_with(port, new_connect("", Protocol::V5));
    assert!(ack.properties.assigned_client_identifier().is_some());

    // A second connection with the same id: the first gets 0x8E Session taken over.
    let mut first = Client::connect(port, "twin", Protocol::V5);
    let _second = Client::connect(port, "twin", Protocol::V5);
    assert_eq!(first.disconnected(), DisconnectReasonCode::SessionTakenOver);
}

/// A CONNECT that does not decode: at Protocol Level 5 the broker answers with a 5.0 CONNACK
/// carrying the error's reason code, then closes [MQTT-4.13.1-1] (section 4.13: it "MAY send
/// a CONNACK packet containing the Reason Code" for an error in a CONNECT); at level 4 it
/// closes without CONNACK, as 3.1.1 requires [MQTT-3.1.4-1].
#[test]
fn example_broker_answers_a_malformed_connect() {
    let (_broker, port) = start_broker();
    let refused = |bytes: &[u8]| {
        let mut c = Client::open(port, Protocol::V5);
        c.send_bytes(bytes);
        let code = match c.recv(STEP) {
            Some(Packet::ConnAck(ack)) => {
                assert!(!ack.session_present, "{ack:?}");
                ack.reason_code
            }
            other => panic!("expected CONNACK, got {other:?}"),
        };
        assert!(c.closed_within(STEP), "closed after the CONNACK");
        code
    };
    // Reserved flag set: 0x81 Malformed Packet [MQTT-3.1.2-3].
    assert_eq!(
        refused(b"\x10\x0e\x00\x04MQTT\x05\x03\x00\x3c\x00\x00\x01c"),
        ConnectReasonCode::MalformedPacket
    );
    // Receive Maximum 0: 0x82 Protocol Error (section 3.1.2.11.3).
    assert_eq!(
        refused(b"\x10\x11\x00\x04MQTT\x05\x02\x00\x3c\x03\x21\x00\x00\x00\x01c"),
        ConnectReasonCode::ProtocolError
    );
    // A Remaining Length of 268,435,455, above the 1 MiB the broker reads: 0x95 Packet too
    // large, known from the fixed header before the body comes.
    assert_eq!(
        refused(b"\x10\xff\xff\xff\x7f\x00\x04MQTT\x05\x02\x00\x3c"),
        ConnectReasonCode::PacketTooLarge
    );
    // The same with the whole body (2 MiB) sent: the broker reads what the client still sends
    // before it closes, so that the client reads the CONNACK rather than a reset.
    // 0x80 0x80 0x80 0x01: 2^21 as a Variable Byte Integer.
    let mut large = b"\x10\x80\x80\x80\x01\x00\x04MQTT\x05\x02\x00\x3c".to_vec();
    large.resize(5 + (1 << 21), 0);
    assert_eq!(refused(&large), ConnectReasonCode::PacketTooLarge);
    // The same reserved flag at level 4 (3.1.1): closed, nothing sent.
    let mut c = Client::open(port, Protocol::V311);
    c.send_bytes(b"\x10\x0d\x00\x04MQTT\x04\x03\x00\x3c\x00\x01c");
    assert!(c.closed_silently(STEP));
    // The broker goes on serving.
    Client::connect(port, "after-malformed", Protocol::V5).disconnect();
}

#[test]
fn example_broker_will_delay_and_reconnection() {
    let (_broker, port) = start_broker();
    let mut watcher = Client::connect(port, "will-watch", Protocol::V5);
    watcher.subscribe("will/#", QoS::AtLeastOnce);
    let with_will = |delay: u32| {
        let will = Will::new(topic("will/gone"), QoS::AtLeastOnce, "gone")
            .with_properties(props([Property::WillDelayInterval(delay)]));
        new_connect("will-client", Protocol::V5)
            .with_will(will)
            .with_properties(props([Property::SessionExpiryInterval(30)]))
    };
    // Vanishes, comes back within the delay: no Will [MQTT-3.1.3-9].
    let (c, _) = Client::connect_with(port, with_will(2));
    drop(c);
    std::thread::sleep(Duration::from_millis(300));
    let (c, ack) = Client::connect_with(port, with_will(1).with_clean_session(false));
    assert!(ack.session_present);
    assert!(watcher.message(Duration::from_millis(2500)).is_none());
    // Vanishes for good: the Will comes after its delay.
    drop(c);
    let gone = Instant::now();
    let will = watcher.message(STEP).expect("the Will");
    assert_eq!(payload(&will), "gone");
    assert!(
        gone.elapsed() >= Duration::from_millis(800),
        "{:?}",
        gone.elapsed()
    );
}

// ---------------------------------------------------------------------------------------------
// Real 5.0 clients against the example broker
// ---------------------------------------------------------------------------------------------

#[test]
#[ignore = "needs mosquitto_pub and mosquitto_sub: run .ci/interop.sh"]
fn mosquitto_v5_clients_against_example_broker() {
    let [mpub, msub] = tools(["mosquitto_pub", "mosquitto_sub"]);
    let (_broker, port) = start_broker();
    let port = port.to_string();
    let common = ["-h", "127.0.0.1", "-p", port.as_str(), "-V", "mqttv5"];

    // A retained message with properties; the subscriber prints topic, payload, user property,
    // expiry, content type and subscription identifier of each message.
    run_ok(
        Command::new(&mpub)
            .args(common)
            .args(["-t", "m5/kept", "-m", "kept", "-r"])
            .args([
                "-q",
                "1",
                "-D",
                "publish",
                "user-property",
                "unit",
                "C",
                "-D",
                "publish",
                "message-expiry-interval",
                "120",
                "-D",
                "publish",
                "content-type",
                "text/plain",
            ]),
        STEP,
    );
    let mut sub = spawn(Command::new(&msub).args(common).args([
        "-t",
        "m5/#",
        "-q",
        "1",
        "-C",
        "4",
        "-W",
        "20",
        "-F",
        "%t|%p|%P|%E|%C|%S",
        "-D",
        "subscribe",
        "subscription-identifier",
        "9",
    ]));
    let lines = stdout_lines(&mut sub);
    let first = lines.recv_timeout(STEP).expect("the retained message");
    let fields: Vec<&str> = first.split('|').collect();
    assert_eq!(fields[..3], ["m5/kept", "kept", "unit:C"], "{first}");
    let expiry: u32 = fields[3].parse().expect("expiry");
    assert!((100..=120).contains(&expiry), "{first}");
    assert_eq!(fields[4..], ["text/plain", "9"], "{first}");
    // Three messages on one connection by Topic Alias 1: the first with the topic, then alone.
    run_ok(
        Command::new(&mpub).args(common).args([
            "-t",
            "m5/alias",
            "-m",
            "aliased",
            "-q",
            "1",
            "--repeat",
            "3",
            "-D",
            "publish",
            "topic-alias",
            "1",
        ]),
        STEP,
    );
    let rest = collect_lines(&lines, Duration::from_secs(20));
    let out = sub.finish(STEP);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(rest, ["m5/alias|aliased||||9"; 3]);
}

#[test]
#[ignore = "needs paho-mqtt: run .ci/interop.sh"]
fn paho_v5_against_example_broker() {
    let python = python_with_paho();
    let (_broker, port) = start_broker();
    let out = run_ok(
        Command::new(&python)
            .arg(interop_script("paho_client_v5.py"))
            .args(["127.0.0.1", &port.to_string()]),
        Duration::from_secs(90),
    );
    println!("{out}");
    assert!(out.contains("ALL PASSED"), "{out}");
}
