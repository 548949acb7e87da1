//! The ways to build packets: `PacketId::try_from`, the constructors of `Will` and `Login`, the
//! `with_` methods of `Connect` and `Publish`. Each must make exactly the packet the struct
//! literal or the setters make, and round-trip through encode and decode.

use mqttwire::bytes::Bytes;
use mqttwire::{
    decode_frame, Connect, Encode, EncodeError, Login, MqttString, Packet, PacketId, Properties,
    Protocol, Publish, QoS, QosPid, TopicName, Will, ZeroPacketId,
};

fn s(text: &str) -> MqttString {
    MqttString::new(text).expect("valid string")
}

fn topic(name: &str) -> TopicName {
    TopicName::new(name).expect("valid topic name")
}

/// Encodes `packet` and decodes it back.
fn round_trip(packet: &impl Encode) -> (Bytes, Packet) {
    let bytes = packet.to_bytes().expect("encodes");
    assert_eq!(bytes.len(), packet.encoded_len());
    let decoded = decode_frame(bytes.clone()).expect("decodes");
    (bytes, decoded)
}

#[test]
fn packet_id_try_from_refuses_0_only() {
    assert_eq!(PacketId::try_from(0), Err(ZeroPacketId));
    for n in [1, 2, 0x7fff, 0x8000, u16::MAX] {
        assert_eq!(PacketId::try_from(n).map(PacketId::get), Ok(n));
        assert_eq!(PacketId::try_from(n).ok(), PacketId::new(n));
    }
}

#[test]
fn zero_packet_id_is_an_error_that_question_mark_converts() {
    fn needs_error<E: std::error::Error + Send + Sync + 'static>(_: &E) {}
    needs_error(&ZeroPacketId);
    assert!(ZeroPacketId.to_string().contains("[MQTT-2.3.1-1]"));

    fn boxed(n: u16) -> Result<u16, Box<dyn std::error::Error + Send + Sync>> {
        Ok(PacketId::try_from(n)?.get())
    }
    assert_eq!(boxed(7).ok(), Some(7));
    let err = boxed(0).expect_err("0 is refused");
    assert!(err.downcast_ref::<ZeroPacketId>().is_some());
}

#[test]
fn will_new_is_the_struct_literal_for_any_bytes() {
    let literal = Will {
        topic: topic("s/1/status"),
        payload: Bytes::from_static(b"offline"),
        qos: QoS::ExactlyOnce,
        retain: false,
        properties: Properties::EMPTY,
    };
    let t = || topic("s/1/status");
    assert_eq!(Will::new(t(), QoS::ExactlyOnce, "offline"), literal);
    assert_eq!(Will::new(t(), QoS::ExactlyOnce, b"offline"), literal);
    assert_eq!(Will::new(t(), QoS::ExactlyOnce, &b"offline"[..]), literal);
    #[allow(clippy::unnecessary_to_owned)] // the point: a `Vec<u8>` is accepted too
    let from_vec = Will::new(t(), QoS::ExactlyOnce, b"offline".to_vec());
    assert_eq!(from_vec, literal);
    assert_eq!(
        Will::new(t(), QoS::ExactlyOnce, String::from("offline")),
        literal
    );
    assert_eq!(
        Will::new(t(), QoS::ExactlyOnce, Bytes::from_static(b"offline")),
        literal
    );
    let retained = Will::new(t(), QoS::ExactlyOnce, "offline").with_retain(true);
    assert_eq!(
        retained,
        Will {
            retain: true,
            ..literal.clone()
        }
    );
    assert_eq!(retained.with_retain(false), literal);
}

#[test]
fn login_new_and_with_password() {
    let user = Login::new(s("user"));
    assert_eq!(
        user,
        Login {
            username: Some(s("user")),
            password: None
        }
    );
    let with_password = user.with_password(b"\x00\xffbinary");
    assert_eq!(
        with_password,
        Login {
            username: Some(s("user")),
            password: Some(Bytes::from_static(b"\x00\xffbinary")),
        }
    );
    // An empty password is a password (the flag is set, its length is 0).
    assert_eq!(
        Login::new(s("u")).with_password("").password,
        Some(Bytes::new())
    );
}

#[test]
fn connect_builders_make_the_struct_literal_and_round_trip() {
    let built = Connect::new(s("sensor-17"))
        .with_protocol(Protocol::V31)
        .with_clean_session(false)
        .with_keep_alive(60)
        .with_will(Will::new(topic("s/17/status"), QoS::AtLeastOnce, "offline").with_retain(true))
        .with_login(Login::new(s("sensor")).with_password("secret"));
    let literal = Connect {
        protocol: Protocol::V31,
        clean_session: false,
        keep_alive: 60,
        properties: Properties::EMPTY,
        client_id: s("sensor-17"),
        will: Some(Will {
            topic: topic("s/17/status"),
            payload: Bytes::from_static(b"offline"),
            qos: QoS::AtLeastOnce,
            retain: true,
            properties: Properties::EMPTY,
        }),
        login: Some(Login {
            username: Some(s("sensor")),
            password: Some(Bytes::from_static(b"secret")),
        }),
    };
    assert_eq!(built, literal);

    let (bytes, decoded) = round_trip(&built);
    assert_eq!(decoded, Packet::from(literal));
    assert_eq!(&bytes[2..10], b"\x00\x06MQIsdp");
    assert_eq!(bytes[10], 3, "protocol level of MQTT 3.1");
    // User name, password, Will Retain, Will QoS 1, Will; Clean Session clear.
    assert_eq!(bytes[11], 0b1110_1100);
    assert_eq!(&bytes[12..14], b"\x00\x3c", "keep alive 60 s");
}

#[test]
fn connect_login_without_password_round_trips() {
    let connect = Connect::new(s("c")).with_login(Login::new(s("u")));
    let (bytes, decoded) = round_trip(&connect);
    assert_eq!(bytes[9], 0b1000_0010, "user name and Clean Session only");
    assert_eq!(decoded, Packet::from(connect));
}

#[test]
fn connect_defaults_are_what_new_documents() {
    let connect = Connect::new(s("c"));
    assert_eq!(
        connect,
        Connect::new(s("c"))
            .with_protocol(Protocol::V311)
            .with_clean_session(true)
            .with_keep_alive(0)
    );
    assert_eq!((connect.will, connect.login), (None, None));
}

#[test]
fn publish_with_methods_equal_the_setters_and_round_trip() {
    let qos = QosPid::ExactlyOnce(PacketId::try_from(300).expect("non-zero"));
    let built = Publish::new(topic("a/b"), QosPid::AtMostOnce, b"hi")
        .with_qos(qos)
        .with_dup(true)
        .with_retain(true);
    let mut set = Publish::new(topic("a/b"), QosPid::AtMostOnce, b"hi");
    set.set_qos(qos);
    set.set_dup(true);
    set.set_retain(true);
    assert_eq!(built, set);
    assert_eq!(
        (built.qos_pid(), built.dup(), built.retain()),
        (qos, true, true)
    );

    let (bytes, decoded) = round_trip(&built);
    assert_eq!(&bytes[..], b"\x3d\x09\x00\x03a/b\x01\x2chi");
    assert_eq!(decoded, Packet::Publish(built.clone()));

    // And back: each `with_` undoes itself.
    let plain = built
        .with_dup(false)
        .with_retain(false)
        .with_qos(QosPid::AtMostOnce);
    assert_eq!(
        &plain.to_bytes().expect("encodes")[..],
        b"\x30\x07\x00\x03a/bhi"
    );
}

#[test]
fn publish_with_dup_at_qos_0_still_cannot_be_encoded() {
    let publish = Publish::new(topic("a"), QosPid::AtMostOnce, "x").with_dup(true);
    assert_eq!(publish.to_bytes(), Err(EncodeError::DupWithQos0));
}
