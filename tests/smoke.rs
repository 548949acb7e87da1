use bytes::BytesMut;
use mqttwire::*;

#[test]
fn every_packet_round_trips() {
    let id = PacketId::new(258).unwrap();
    let packets = vec![
        Packet::from(Connect {
            protocol: Protocol::V31,
            clean_session: false,
            keep_alive: 60,
            client_id: MqttString::new("c").unwrap(),
            will: Some(Will {
                topic: TopicName::new("w/t").unwrap(),
                payload: "bye".into(),
                qos: QoS::ExactlyOnce,
                retain: true,
            }),
            login: Some(Login {
                username: MqttString::new("u").unwrap(),
                password: Some("p".into()),
            }),
        }),
        Packet::ConnAck(ConnAck::accepted(true)),
        Packet::Publish(Publish::new(
            TopicName::new("a/b").unwrap(),
            QosPid::ExactlyOnce(id),
            &b"x"[..],
        )),
        Packet::PubAck(PubAck::new(id)),
        Packet::PubRec(PubRec::new(id)),
        Packet::PubRel(PubRel::new(id)),
        Packet::PubComp(PubComp::new(id)),
        Packet::Subscribe(Subscribe::new(
            id,
            vec![Subscription::new(
                TopicFilter::new("a/+/#").unwrap(),
                QoS::AtLeastOnce,
            )],
        )),
        Packet::SubAck(SubAck::new(
            id,
            vec![SubscribeReturnCode::Failure, QoS::ExactlyOnce.into()],
        )),
        Packet::Unsubscribe(Unsubscribe::new(id, vec![TopicFilter::new("#").unwrap()])),
        Packet::UnsubAck(UnsubAck::new(id)),
        Packet::PingReq,
        Packet::PingResp,
        Packet::Disconnect,
    ];
    for p in packets {
        let bytes = p.to_bytes().unwrap();
        assert_eq!(bytes.len(), p.encoded_len());
        let mut buf = BytesMut::from(&bytes[..]);
        for cut in 0..bytes.len() {
            let mut partial = BytesMut::from(&bytes[..cut]);
            assert_eq!(decode(&mut partial), Ok(None), "{p:?} cut at {cut}");
        }
        assert_eq!(decode(&mut buf).unwrap(), Some(p.clone()));
        assert!(buf.is_empty());
    }
}
