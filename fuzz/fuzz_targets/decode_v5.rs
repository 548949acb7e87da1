//! Any bytes through the MQTT 5.0 decoders (owned and borrowed, stream and frame), with several
//! configurations; every packet decoded re-encodes, for 5.0 and 3.1.1.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| mqttwire_fuzz::checks::check_decode_v5(data));
