//! The `broker`, `sensor` and `subscriber` examples for the interop tests: built once per test
//! run, the broker started on a port it picks itself.
//!
//! Included with `#[path]` by the interop test files, after `support/peers.rs` (as `peers`).

// Each test file uses the helpers it needs.
#![allow(dead_code)]

use super::peers::{run_ok, spawn, Proc, STEP};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{mpsc, OnceLock};
use std::time::Duration;

/// The examples, built once per test run with the profile of this test binary, so that they
/// are never stale.
pub fn example(name: &str) -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    let dir = BUILT.get_or_init(|| {
        // target/<profile>/deps/<test>-<hash> -> target/<profile>
        let exe = std::env::current_exe().expect("test executable path");
        let profile_dir = exe
            .parent()
            .and_then(Path::parent)
            .expect("target/<profile>");
        let profile = match profile_dir.file_name().and_then(|n| n.to_str()) {
            Some("debug") | None => "dev".to_owned(),
            Some(other) => other.to_owned(),
        };
        let target_dir = profile_dir.parent().expect("target directory");
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        // The same features as this test binary, so that the library is not built twice.
        let features = if cfg!(feature = "tokio-codec") {
            "std,tokio-codec"
        } else {
            "std"
        };
        run_ok(
            Command::new(cargo)
                .current_dir(env!("CARGO_MANIFEST_DIR"))
                .env("CARGO_TARGET_DIR", target_dir)
                .args(["build", "--profile", &profile, "--features", features])
                .args([
                    "--example",
                    "broker",
                    "--example",
                    "sensor",
                    "--example",
                    "subscriber",
                ]),
            Duration::from_secs(600),
        );
        profile_dir.join("examples")
    });
    dir.join(name)
}

/// The `broker` example with `args`, on a port it picked itself (it prints `listening on
/// ADDR` first).
pub fn start_broker_with(args: &[&str]) -> (Proc, u16) {
    let mut child = spawn(
        Command::new(example("broker"))
            .args(["--port", "0"])
            .args(args),
    );
    let stdout = child.child().stdout.take().expect("broker stdout");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = rx
        .recv_timeout(STEP)
        .expect("the broker printed its address");
    let port = line
        .trim()
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("unexpected first line from the broker: {line:?}"));
    (child, port)
}
