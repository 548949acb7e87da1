#!/usr/bin/env bash
# Builds (does not run) the benchmarks so that they cannot rot: the criterion benches of the
# crate, and a type check of the comparison crate in benches/compare (its own workspace and
# Cargo.lock, with the other MQTT codecs as dependencies). The criterion benches are built with
# the dev profile, sharing the dependencies the test suite already built; `cargo check` of the
# comparison crate catches what rots (API changes) without compiling its large dependency tree
# to machine code. Run the benches themselves as the README's "Performance" section says.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
cargo build --benches --all-features
echo "criterion benches built in $((SECONDS - start)) s"
start=$SECONDS
cargo check --manifest-path benches/compare/Cargo.toml
echo "comparison crate checked in $((SECONDS - start)) s"
