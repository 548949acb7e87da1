//! Structure-aware: operations on `SubscriptionIndex` and `RetainedIndex` against a naive model.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| mqttwire_fuzz::index_check::check_topic_index(data));
