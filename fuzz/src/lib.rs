//! Checks run by the fuzz targets of `mqttwire`. They live in the crate's `tests/fuzz_checks/`
//! (which the published package carries) and are included here and by `tests/fuzz_replay.rs`,
//! so stable `cargo test` replays the seeds and regressions through identical assertions.

#[path = "../../tests/fuzz_checks/checks.rs"]
pub mod checks;
#[path = "../../tests/fuzz_checks/topic_check.rs"]
pub mod topic_check;
#[path = "../../tests/fuzz_checks/index_check.rs"]
pub mod index_check;
