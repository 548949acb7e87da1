//! Any bytes through the streaming decoder and `decode_frame`, with several configurations.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| mqttwire_fuzz::checks::check_decode(data));
