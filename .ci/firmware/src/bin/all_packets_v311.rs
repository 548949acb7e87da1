//! Budget (a) for MQTT 3.1.1 alone: decode any packet with `decode_ref`, encode it again with
//! `encode_to_slice`, with a decoder and an encoder for 3.1.1 (the 5.0 paths are left out by
//! the compiler, but for the CONNECT parser's: a CONNECT says its own version).
#![no_std]
#![no_main]

#[cortex_m_rt::entry]
fn main() -> ! {
    mqttwire_firmware::all_packets(mqttwire::Protocol::V311)
}
