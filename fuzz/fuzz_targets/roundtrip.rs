//! Structure-aware: a valid packet built from the input, encoded, decoded, compared.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| mqttwire_fuzz::checks::check_roundtrip(data));
