//! What the firmware binaries share: a panic handler that halts (no formatting, no heap), the
//! loop of `all_packets` and `all_packets_v311`, and the sensor of `sensor` (3.1.1) and
//! `sensor_v5`.
#![no_std]

use core::hint::black_box;
use core::panic::PanicInfo;
use mqttwire::{
    ConnectParts, Decoder, Disconnect, Encode, Encoder, PacketId, PacketRef, Protocol, PubAck,
    PubComp, PubRec, PubRel, PublishRef, QoS, QosPid, Role, SubscribeParts, SubscriptionOptions,
};

#[panic_handler]
fn panic(_: &PanicInfo) -> ! {
    cortex_m::asm::udf()
}

/// Decodes any of the 14 packets of `protocol` with `decode_ref` and encodes it again with
/// `encode_to_slice`: budget (a). The bytes received are opaque to the optimiser.
#[inline(always)]
pub fn all_packets(protocol: Protocol) -> ! {
    let mut rx = [0u8; 256];
    let mut tx = [0u8; 256];
    let decoder = Decoder::new().protocol(protocol).max_packet_size(256);
    let encoder = Encoder::new(protocol);
    loop {
        black_box(&mut rx);
        if let Ok(Some((packet, consumed))) = decoder.decode_ref(&rx) {
            black_box(consumed);
            let _ = black_box(encoder.encode_to_slice(&packet, &mut tx));
            black_box(&tx);
        }
    }
}

/// A sensor client's packets in `protocol`: it encodes CONNECT, PUBLISH, SUBSCRIBE, the four
/// acknowledgements of PUBLISH, PINGREQ and DISCONNECT, and decodes what a server sends it:
/// CONNACK, PUBLISH, SUBACK, the acknowledgements, PINGRESP. Which packet, and the bytes
/// received, are opaque to the optimiser; `protocol` is not, as in a real sensor.
#[inline(always)]
pub fn sensor(protocol: Protocol) -> ! {
    let mut rx = [0u8; 128];
    let mut tx = [0u8; 128];
    // A client: the decoder refuses what only a server receives (CONNECT, SUBSCRIBE, ...), so
    // their parsers are not linked.
    let decoder = Decoder::new()
        .protocol(protocol)
        .role(Role::Client)
        .max_packet_size(128);
    let encoder = Encoder::new(protocol);
    loop {
        black_box(&mut rx);
        let Some(id) = PacketId::new(black_box(1)) else {
            continue;
        };
        let sent = match black_box(0u8) {
            0 => ConnectParts::new(black_box("sensor-17")).map_or(Ok(0), |mut c| {
                c.protocol = protocol;
                c.encode_to_slice_for(&encoder, &mut tx)
            }),
            1 => PublishRef::new(
                black_box("sensors/17/t"),
                QosPid::AtLeastOnce(id),
                black_box(b"21.5"),
            )
            .map_or(Ok(0), |p| p.encode_to_slice_for(&encoder, &mut tx)),
            2 => {
                let subscriptions = [(
                    black_box("sensors/17/set"),
                    SubscriptionOptions::new(QoS::AtLeastOnce),
                )];
                SubscribeParts::new(id, &subscriptions)
                    .map_or(Ok(0), |s| s.encode_to_slice_for(&encoder, &mut tx))
            }
            8 => PubAck::new(id).encode_to_slice_for(&encoder, &mut tx),
            3 => PubRec::new(id).encode_to_slice_for(&encoder, &mut tx),
            4 => PubRel::new(id).encode_to_slice_for(&encoder, &mut tx),
            5 => PubComp::new(id).encode_to_slice_for(&encoder, &mut tx),
            6 => PacketRef::PingReq.encode_to_slice_for(&encoder, &mut tx),
            _ => Disconnect::new().encode_to_slice_for(&encoder, &mut tx),
        };
        let _ = black_box(sent);
        match decoder.decode_ref(&rx) {
            Ok(Some((PacketRef::ConnAck(c), _))) => black_box(c.session_present as u8),
            Ok(Some((PacketRef::Publish(p), _))) => black_box(p.payload.len() as u8),
            Ok(Some((PacketRef::SubAck(s), _))) => black_box(s.iter().count() as u8),
            Ok(Some((PacketRef::PubAck(a), _))) => black_box(a.packet_id.get() as u8),
            Ok(Some((PacketRef::PubRec(a), _))) => black_box(a.packet_id.get() as u8),
            Ok(Some((PacketRef::PubRel(a), _))) => black_box(a.packet_id.get() as u8),
            Ok(Some((PacketRef::PubComp(a), _))) => black_box(a.packet_id.get() as u8),
            Ok(Some((PacketRef::PingResp, _))) => black_box(1),
            _ => black_box(0),
        };
    }
}
