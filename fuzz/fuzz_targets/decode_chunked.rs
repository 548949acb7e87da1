//! A stream cut into chunks whose sizes come from the input: must equal whole-buffer decoding.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| mqttwire_fuzz::checks::check_chunked(data));
