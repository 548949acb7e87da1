#!/usr/bin/env bash
# Builds (does not run) the benchmarks so that they cannot rot: the criterion benches in
# benches/criterion, the comparison crate in benches/compare and the routing comparison in
# benches/routing (each its own workspace and Cargo.lock; the comparisons have the other MQTT
# codecs and topic indexes as dependencies). The criterion benches
# are built with the dev profile into the repository's target directory, sharing what the test
# suite already built. The comparison crate is built with the dev profile too (not its fat-LTO
# release profile) to run its tests: that every MQTT 5.0 codec decodes the corpora as written
# and that the field-by-field check reports a changed field for each, so that a peer's update
# cannot make the bench's checks pass vacuously. Run the benches themselves as the README's
# "Performance" section says.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-$(pwd)/target}"
start=$SECONDS
CARGO_TARGET_DIR="$target" cargo build --benches --manifest-path benches/criterion/Cargo.toml
echo "criterion benches built in $((SECONDS - start)) s"
start=$SECONDS
cargo test --manifest-path benches/compare/Cargo.toml
echo "comparison crate built and tested in $((SECONDS - start)) s"
# Without rmqtt, whose cold build alone takes about ten minutes here.
start=$SECONDS
cargo check --manifest-path benches/routing/Cargo.toml --no-default-features
echo "routing comparison crate (without rmqtt) checked in $((SECONDS - start)) s"
