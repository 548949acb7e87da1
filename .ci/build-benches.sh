#!/usr/bin/env bash
# Builds (does not run) the benchmarks so that they cannot rot: the criterion benches of the
# crate and the comparison crate in benches/compare (its own workspace and Cargo.lock, with the
# other MQTT codecs as dependencies). From clean, the comparison crate's dependencies (tokio,
# the ntex stack, rumqttc, ...) take about 4 minutes on the 2-core machine; incremental builds
# take seconds. Set CARGO_TARGET_DIR to share a target directory between the two builds.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
cargo bench --no-run
echo "criterion benches built in $((SECONDS - start)) s"
start=$SECONDS
cargo build --release --manifest-path benches/compare/Cargo.toml
echo "comparison crate built in $((SECONDS - start)) s"
