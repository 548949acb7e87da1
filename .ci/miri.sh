#!/usr/bin/env bash
# Runs the tests that reach the crate's `unsafe` under Miri, which fails on undefined
# behaviour. The crate has two `unsafe` blocks: `plain_ascii_str` in src/string.rs (text from
# bytes a word test proved ASCII), which runs for every string field a decoder reads and every
# `as_str`, and `prefetch` in src/prefetch.rs (a prefetch hint on x86_64), which runs for every
# packet decoded from a buffer over 1 KiB. Miri is slow (about 50x), so it runs the unit tests
# of those two modules, the borrowed decoder's tests (without the exhaustive single-byte-edit
# sweep, hours under Miri) and the conformance tests of the packets with string fields, with
# few proptest cases: about four minutes. Without nightly or Miri it installs them, and fails
# if it cannot.
#
#   bash .ci/miri.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if ! grep -rqw unsafe src --include='*.rs'; then
    echo "miri.sh: no unsafe in src/, nothing for Miri to check"
    exit 0
fi
if ! cargo +nightly miri --version >/dev/null 2>&1; then
    # Keep an installed nightly as it is (the fuzz step uses it too); only add Miri.
    if ! cargo +nightly --version >/dev/null 2>&1; then
        rustup toolchain install nightly --profile minimal
    fi
    rustup +nightly component add miri rust-src
fi
cargo +nightly miri setup

export MIRIFLAGS="-Zmiri-disable-isolation"
export PROPTEST_CASES=4
# A fixed seed: the same few cases every run, so that the run time is bounded (a random case
# can announce a frame of 256 MB for the unlimited decoder, whose reservation Miri then
# tracks byte by byte).
export PROPTEST_RNG_SEED=1
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}/miri-ci"
cargo +nightly miri test --lib -- string:: prefetch:: write::
cargo +nightly miri test --test borrowed -- --skip every_single_byte_edit
cargo +nightly miri test --test conformance_publish --test conformance_connect \
    --test conformance_subscribe
