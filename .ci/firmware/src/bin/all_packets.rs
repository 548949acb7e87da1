//! Budget (a): decode any of the 14 packets of 3.1.1 or 5.0 with `decode_ref` and encode it
//! again with `encode_to_slice`, the version chosen at run time.
#![no_std]
#![no_main]

use core::hint::black_box;
use mqttwire::{Decoder, Encoder, Protocol};
use mqttwire_firmware as _;

#[cortex_m_rt::entry]
fn main() -> ! {
    let mut rx = [0u8; 256];
    let mut tx = [0u8; 256];
    loop {
        // Opaque to the optimiser: whatever the network wrote, in whichever version.
        black_box(&mut rx);
        let protocol = if black_box(false) {
            Protocol::V5
        } else {
            Protocol::V311
        };
        let decoder = Decoder::new().protocol(protocol).max_packet_size(256);
        let encoder = Encoder::new(protocol);
        if let Ok(Some((packet, consumed))) = decoder.decode_ref(&rx) {
            black_box(consumed);
            let _ = black_box(encoder.encode_to_slice(&packet, &mut tx));
            black_box(&tx);
        }
    }
}
