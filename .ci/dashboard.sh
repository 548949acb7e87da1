#!/usr/bin/env bash
# The dashboard, examples/dashboard (a crate of its own, outside the library's build): its
# format, lints and tests, the end-to-end one included, which runs the example broker and
# sensors of the repository and opens the page in headless Chromium. Chromium is installed
# here if missing; without it the test fails, it is not skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
chromium --version

# The peers the end-to-end test starts.
# `--all-features`, as in `.ci/run`'s test step.
cargo build --all-features --example broker --example sensor
export MQTTWIRE_EXAMPLES="${CARGO_TARGET_DIR:-$PWD/target}/debug/examples"

cd examples/dashboard
cargo fmt --check
cargo clippy --locked --all-targets -- -D warnings
cargo test --locked
