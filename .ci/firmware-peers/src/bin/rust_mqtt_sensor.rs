//! rust-mqtt 0.3.1 (MQTT 5.0 only), the sensor set of `.ci/firmware/src/bin/sensor.rs`.
#![no_std]
#![no_main]
use core::hint::black_box;
use peers_firmware as _;
use rust_mqtt::packet::v5::{
    connack_packet::ConnackPacket,
    connect_packet::ConnectPacket,
    disconnect_packet::DisconnectPacket,
    mqtt_packet::Packet,
    pingreq_packet::PingreqPacket,
    pingresp_packet::PingrespPacket,
    puback_packet::PubackPacket,
    pubcomp_packet::PubcompPacket,
    publish_packet::{PublishPacket, QualityOfService},
    pubrec_packet::PubrecPacket,
    pubrel_packet::PubrelPacket,
    suback_packet::SubackPacket,
    subscription_packet::SubscriptionPacket,
};
use rust_mqtt::utils::buffer_reader::BuffReader;
use rust_mqtt::utils::types::EncodedString;

fn dec<'a, P: Packet<'a>>(rx: &'a [u8]) -> bool {
    let mut p = P::new();
    p.decode(&mut BuffReader::new(rx, rx.len())).is_ok()
}

#[cortex_m_rt::entry]
fn main() -> ! {
    let mut rx = [0u8; 128];
    let mut tx = [0u8; 128];
    loop {
        black_box(&mut rx);
        let id = black_box(1u16);
        let len = tx.len();
        let sent = match black_box(0u8) {
            0 => {
                let mut c = ConnectPacket::<'_, 2, 0>::clean();
                c.add_client_id(&EncodedString {
                    string: black_box("sensor-17"),
                    len: 9,
                });
                c.encode(&mut tx, len)
            }
            1 => {
                let mut p = PublishPacket::<'_, 2>::new();
                p.add_topic_name(black_box("sensors/17/t"));
                p.add_message(black_box(b"21.5"));
                p.add_qos(QualityOfService::QoS1);
                p.add_identifier(id);
                p.encode(&mut tx, len)
            }
            2 => {
                let mut s = SubscriptionPacket::<'_, 1, 2>::new();
                s.add_new_filter(black_box("sensors/17/set"), QualityOfService::QoS1);
                s.encode(&mut tx, len)
            }
            3 => {
                let mut a = PubackPacket::<'_, 2>::new();
                a.packet_identifier = id;
                a.encode(&mut tx, len)
            }
            4 => {
                let mut a = PubrecPacket::<'_, 2>::new();
                a.packet_identifier = id;
                a.encode(&mut tx, len)
            }
            5 => {
                let mut a = PubrelPacket::<'_, 2>::new();
                a.packet_identifier = id;
                a.encode(&mut tx, len)
            }
            6 => {
                let mut a = PubcompPacket::<'_, 2>::new();
                a.packet_identifier = id;
                a.encode(&mut tx, len)
            }
            7 => PingreqPacket::new().encode(&mut tx, len),
            _ => DisconnectPacket::<'_, 2>::new().encode(&mut tx, len),
        };
        let _ = black_box(sent);
        let ok = match rx[0] >> 4 {
            2 => dec::<ConnackPacket<'_, 2>>(&rx),
            3 => dec::<PublishPacket<'_, 2>>(&rx),
            4 => dec::<PubackPacket<'_, 2>>(&rx),
            5 => dec::<PubrecPacket<'_, 2>>(&rx),
            6 => dec::<PubrelPacket<'_, 2>>(&rx),
            7 => dec::<PubcompPacket<'_, 2>>(&rx),
            9 => dec::<SubackPacket<'_, 4, 2>>(&rx),
            13 => dec::<PingrespPacket>(&rx),
            _ => false,
        };
        black_box(ok);
    }
}
