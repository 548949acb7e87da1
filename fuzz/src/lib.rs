//! Checks run by the fuzz targets of `mqttwire`. The same files are included by
//! `tests/fuzz_replay.rs`, so stable `cargo test` replays the seeds and regressions through
//! identical assertions.

pub mod checks;
pub mod topic_check;
