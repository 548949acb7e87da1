//! Structure-aware: a valid MQTT 5.0 packet with properties built from the input, encoded,
//! decoded, compared; also for 3.1.1 and for a peer's Maximum Packet Size.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| mqttwire_fuzz::checks::check_roundtrip_v5(data));
