//! mqttrs 0.4.1 without `std` (MQTT 3.1.1 only): decode any packet with `decode_slice`,
//! encode it again with `encode_slice`, as `.ci/firmware`'s `all_packets`. Both functions
//! handle every packet type, so a sensor's set links the same code.
#![no_std]
#![no_main]
use core::hint::black_box;
use peers_firmware as _;

#[cortex_m_rt::entry]
fn main() -> ! {
    let mut rx = [0u8; 256];
    let mut tx = [0u8; 256];
    loop {
        black_box(&mut rx);
        if let Ok(Some(packet)) = mqttrs::decode_slice(&rx) {
            let _ = black_box(mqttrs::encode_slice(&packet, &mut tx));
            black_box(&tx);
        }
    }
}
