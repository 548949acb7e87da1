//! Differential: `TopicFilter::matches` against a naive reference matcher.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| mqttwire_fuzz::topic_check::check_topic_match(data));
