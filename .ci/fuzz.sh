#!/usr/bin/env bash
# Runs every cargo-fuzz target of fuzz/ for FUZZ_SECONDS each (default 60), one after the
# other, starting from a scratch copy of the committed seeds (and regressions), so the run never
# writes into the repository. Fails if any target finds a crash, and prints the reproducer.
#
#   FUZZ_SECONDS=20 bash .ci/fuzz.sh            # every target
#   FUZZ_TARGETS="decode roundtrip" bash .ci/fuzz.sh
#
# Uses nightly (ASan + coverage) when it is installed, otherwise `-s none` on stable
# (FUZZ_STABLE=1 forces the stable path).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$(pwd)"
seconds="${FUZZ_SECONDS:-60}"
targets="${FUZZ_TARGETS:-decode decode_chunked roundtrip topic_match decode_v5 roundtrip_v5 topic_index}"

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz.sh: installing cargo-fuzz"
    cargo install cargo-fuzz --locked
fi

if [ -z "${FUZZ_STABLE:-}" ] && cargo +nightly --version >/dev/null 2>&1; then
    fuzz=(cargo +nightly fuzz run)
    echo "fuzz.sh: nightly toolchain, AddressSanitizer on"
else
    fuzz=(cargo fuzz run -s none)
    echo "fuzz.sh: no nightly toolchain, fuzzing on stable without a sanitizer"
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

dump() {
    if command -v xxd >/dev/null 2>&1; then
        xxd "$1" | head -n 64
    else
        od -A x -t x1z -v "$1" | head -n 64
    fi
}

failed=()
for target in $targets; do
    corpus="$work/corpus/$target"
    artifacts="$work/artifacts/$target"
    mkdir -p "$corpus" "$artifacts"
    for dir in "tests/fuzz_checks/seeds/$target" "tests/fuzz_checks/regressions/$target"; do
        if [ -d "$dir" ]; then
            cp -R "$dir/." "$corpus/"
        fi
    done
    echo "fuzz.sh: $target for ${seconds}s ($(ls "$corpus" | wc -l) seed inputs)"
    status=0
    "${fuzz[@]}" "$target" "$corpus" -- \
        -max_total_time="$seconds" \
        -dict="$root/fuzz/mqtt.dict" \
        -artifact_prefix="$artifacts/" \
        -print_final_stats=1 \
        >"$work/$target.log" 2>&1 || status=$?
    grep -E '^(stat::number_of_executed_units|stat::new_units_added|#[0-9]+ +DONE)' \
        "$work/$target.log" || true
    crashes=$(find "$artifacts" -type f | sort)
    if [ "$status" -ne 0 ] || [ -n "$crashes" ]; then
        failed+=("$target")
        echo "fuzz.sh: $target FAILED (exit $status)"
        grep -v '^#' "$work/$target.log" | tail -n 60
        for crash in $crashes; do
            echo "--- reproducer $crash ($(wc -c <"$crash") bytes):"
            dump "$crash"
            echo "--- base64: $(base64 -w0 "$crash")"
            echo "--- save as tests/fuzz_checks/regressions/$target/<name> and replay with:"
            echo "    cargo +nightly fuzz run $target tests/fuzz_checks/regressions/$target/<name>"
        done
    fi
done

if [ "${#failed[@]}" -ne 0 ]; then
    echo "fuzz.sh: crashes in: ${failed[*]}"
    exit 1
fi
echo "fuzz.sh: ${targets} ran ${seconds}s each without a crash"
