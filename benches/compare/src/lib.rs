//! mqttwire against other MQTT codecs, on the same corpora: what the two binaries share.
//!
//! - `mqttwire-compare` (`src/main.rs`) times every (codec, operation), with the system
//!   allocator as it is: nothing is counted while a codec runs.
//! - `compare-allocs` (`src/bin/compare-allocs.rs`) counts the allocations of each
//!   (codec, operation) in runs of its own, through a counting global allocator, and checks
//!   their results too. `mqttwire-compare` runs it and puts its counts in its tables.
//!
//! Both build the runners of a corpus the same way, in the same order ([`harness::entries`]).

pub mod codecs;
pub mod codecs_v5;
pub mod corpus;
pub mod harness;
pub mod seen;
