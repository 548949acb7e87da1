//! Replays every committed fuzz input — `tests/fuzz_checks/seeds/<target>/*` and
//! `tests/fuzz_checks/regressions/<target>/*` — through the same checks the libFuzzer targets
//! run (the fuzz crate includes the same files of `tests/fuzz_checks/`), so that plain
//! `cargo test` on stable catches a regression without libFuzzer. The seeds are part of the
//! published package, so this runs there too; a missing seed directory fails the count checks.

#[path = "fuzz_checks/checks.rs"]
#[allow(dead_code)]
mod checks;
#[path = "fuzz_checks/index_check.rs"]
mod index_check;
#[path = "fuzz_checks/topic_check.rs"]
mod topic_check;

use std::path::{Path, PathBuf};

/// The files under `tests/fuzz_checks/<dir>/<target>/`, sorted; none if the directory does not
/// exist (there are no regressions yet; the seeds are counted by each test).
fn inputs(dir: &str, target: &str) -> Vec<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fuzz_checks")
        .join(dir)
        .join(target);
    let Ok(entries) = std::fs::read_dir(&path) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.expect("readable directory").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

/// Runs `check` on every seed and regression of `target`; returns how many it ran.
fn replay(target: &str, check: fn(&[u8])) -> usize {
    let mut count = 0;
    for dir in ["seeds", "regressions"] {
        for file in inputs(dir, target) {
            let data = std::fs::read(&file).expect("readable input");
            let result = std::panic::catch_unwind(|| check(&data));
            assert!(
                result.is_ok(),
                "{} fails its {target} check",
                file.display()
            );
            count += 1;
        }
    }
    count
}

#[test]
fn replay_decode() {
    let n = replay("decode", checks::check_decode);
    assert!(n >= 50, "the decode seeds are missing ({n} inputs)");
}

#[test]
fn replay_decode_chunked() {
    let n = replay("decode_chunked", checks::check_chunked);
    assert!(n >= 5, "the decode_chunked seeds are missing ({n} inputs)");
}

#[test]
fn replay_roundtrip() {
    let n = replay("roundtrip", checks::check_roundtrip);
    assert!(n >= 14, "the roundtrip seeds are missing ({n} inputs)");
}

#[test]
fn replay_decode_v5() {
    let n = replay("decode_v5", checks::check_decode_v5);
    assert!(n >= 40, "the decode_v5 seeds are missing ({n} inputs)");
}

#[test]
fn replay_roundtrip_v5() {
    let n = replay("roundtrip_v5", checks::check_roundtrip_v5);
    assert!(n >= 15, "the roundtrip_v5 seeds are missing ({n} inputs)");
}

#[test]
fn replay_topic_match() {
    let n = replay("topic_match", topic_check::check_topic_match);
    assert!(n >= 10, "the topic_match seeds are missing ({n} inputs)");
}

#[test]
fn replay_topic_index() {
    let n = replay("topic_index", index_check::check_topic_index);
    assert!(n >= 8, "the topic_index seeds are missing ({n} inputs)");
}

/// The valid decode seeds (every packet type) decode cleanly, so the replay really exercises
/// the success paths, and the hostile ones are refused or left incomplete (but for the
/// over-long Remaining Length encodings, which MQTT 3.1.1 does not forbid).
#[test]
fn decode_seeds_are_what_they_claim() {
    use mqttwire::Decoder;
    let (mut valid, mut hostile) = (0, 0);
    for file in inputs("seeds", "decode") {
        let name = file
            .file_name()
            .expect("file")
            .to_string_lossy()
            .into_owned();
        let data = std::fs::read(&file).expect("readable");
        let outcome = checks::decode_whole(&Decoder::new(), &data);
        let all_decoded = outcome.end == checks::End::NeedMore(Vec::new());
        if name.starts_with("valid_") {
            assert!(
                all_decoded && !outcome.packets.is_empty(),
                "{name}: {:?}",
                outcome.end
            );
            valid += 1;
        } else if !name.contains("non_minimal") {
            assert!(name.starts_with("hostile_"), "unexpected seed {name}");
            assert!(!all_decoded, "hostile seed {name} decoded cleanly");
            hostile += 1;
        }
    }
    assert!(valid >= 21, "every packet type has a valid seed ({valid})");
    assert!(hostile >= 30, "hostile seeds are missing ({hostile})");
}

/// The valid 5.0 seeds (every packet type, the short forms included) decode cleanly with the
/// strict 5.0 decoder, owned and borrowed, and the hostile ones are refused or left incomplete,
/// so that the replay exercises both.
#[test]
fn decode_v5_seeds_are_what_they_claim() {
    let (mut valid, mut hostile, mut types) = (0, 0, std::collections::HashSet::new());
    for file in inputs("seeds", "decode_v5") {
        let name = file
            .file_name()
            .expect("file")
            .to_string_lossy()
            .into_owned();
        let data = std::fs::read(&file).expect("readable");
        let decoder = checks::v5();
        let outcome = checks::decode_whole(&decoder, &data);
        assert_eq!(checks::decode_ref_whole(&decoder, &data), outcome, "{name}");
        let all_decoded = outcome.end == checks::End::NeedMore(Vec::new());
        if name.starts_with("valid_") {
            assert!(
                all_decoded && !outcome.packets.is_empty(),
                "{name}: {:?}",
                outcome.end
            );
            types.extend(outcome.packets.iter().map(|(p, _)| p.packet_type()));
            valid += 1;
        } else {
            assert!(name.starts_with("hostile_"), "unexpected seed {name}");
            assert!(!all_decoded, "hostile seed {name} decoded cleanly");
            hostile += 1;
        }
    }
    assert_eq!(
        types.len(),
        15,
        "every packet type has a valid seed: {types:?}"
    );
    assert!(valid >= 30, "valid 5.0 seeds are missing ({valid})");
    assert!(hostile >= 40, "hostile 5.0 seeds are missing ({hostile})");
}
