#!/usr/bin/env bash
# Builds (does not run) the benchmarks so that they cannot rot: the criterion benches in
# benches/criterion, and a type check of the comparison crate in benches/compare (each its own
# workspace and Cargo.lock; the comparison has the other MQTT codecs as dependencies). The
# criterion benches are built with the dev profile into the repository's target directory,
# sharing what the test suite already built; `cargo check` of the comparison crate catches what
# rots (API changes) without compiling its large dependency tree to machine code. Run the
# benches themselves as the README's "Performance" section says.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-$(pwd)/target}"
start=$SECONDS
CARGO_TARGET_DIR="$target" cargo build --benches --manifest-path benches/criterion/Cargo.toml
echo "criterion benches built in $((SECONDS - start)) s"
start=$SECONDS
cargo check --manifest-path benches/compare/Cargo.toml
echo "comparison crate checked in $((SECONDS - start)) s"
start=$SECONDS; cargo check --manifest-path benches/routing/Cargo.toml --no-default-features; echo "routing comparison crate (without rmqtt) checked in $((SECONDS - start)) s"
