#!/usr/bin/env bash
# mqttwire against an earlier commit of itself, in one process. The comparison bench is built
# with mqttwire's runners twice, over the working tree and over REV, and runs them round-robin,
# so that the drift of a shared machine hits both alike: two processes run a minute apart can
# differ by more than most changes do.
#
#   benches/ab.sh REV [--quick] [CORPUS] [RUNS]
#   benches/ab.sh HEAD~1                          # telemetry-mix, 5 runs
#   benches/ab.sh 56b7923 --quick small-publish 8
#
# For each run, prints each REV runner's time over the working tree's (above 1: the working
# tree is faster): decode, decode_ref, encode, encode from `PacketRef`s, and encode again with
# the pair built in the opposite order (`-twin`: where buffers land moves an encoder by up to
# ~10% here). Then the median of each column over the runs. Builds in
# benches/compare/target/ab (the first build compiles the peers' dependencies too).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
if [ $# -lt 1 ]; then sed -n 2,15p "$0" >&2; exit 2; fi
rev="$1"
shift
quick=() corpus=telemetry-mix runs=5
for a in "$@"; do
    case "$a" in
        --quick) quick=(--quick) ;;
        [0-9]*) runs="$a" ;;
        *) corpus="$a" ;;
    esac
done

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
# REV's crate under another version, so that both can be dependencies of one crate.
mkdir "$scratch/baseline" "$scratch/compare"
git -C "$root" archive "$rev" | tar -x -C "$scratch/baseline"
sed -i '0,/^version = .*/s//version = "0.0.0"/' "$scratch/baseline/Cargo.toml"
# A copy of the comparison crate over the working tree, with REV as `mqttwire_baseline`.
cp -r "$here/compare/src" "$here/compare/Cargo.toml" "$here/compare/Cargo.lock" "$scratch/compare/"
sed -i "s|^mqttwire = { path = \"../..\" }|mqttwire = { path = \"$root\" }\nmqttwire_baseline = { package = \"mqttwire\", path = \"$scratch/baseline\" }|" \
    "$scratch/compare/Cargo.toml"
grep -q mqttwire_baseline "$scratch/compare/Cargo.toml" || {
    echo "ab.sh: could not add the baseline to the comparison crate's Cargo.toml" >&2; exit 1; }
target="$here/compare/target/ab"
CARGO_TARGET_DIR="$target" cargo build --release --quiet --features baseline \
    --manifest-path "$scratch/compare/Cargo.toml"

echo "REV $rev ($(git -C "$root" rev-parse --short "$rev")) over the working tree, $corpus ${quick[*]}:"
echo "run  decode  decode_ref  encode  encode_ref  encode-twin"
only=mqttwire,mqttwire-ref,mqttwire-twin,baseline,baseline-ref,baseline-twin
for run in $(seq "$runs"); do
    COMPARE_ONLY="$only" "$target/release/mqttwire-compare" "${quick[@]}" "$corpus" |
        awk -v run="$run" '
            /^(decode|encode):/ { op = substr($1, 1, 6) }
            /^\| (mqttwire|baseline)/ { gsub(/ /, "", $0); split($0, c, "|"); t[op "/" c[2]] = c[4] }
            END {
                printf "%3d  %6.3f  %10.3f  %6.3f  %10.3f  %11.3f\n", run,
                    t["decode/baseline"] / t["decode/mqttwire"],
                    t["decode/baseline-ref"] / t["decode/mqttwire-ref"],
                    t["encode/baseline"] / t["encode/mqttwire"],
                    t["encode/baseline-ref"] / t["encode/mqttwire-ref"],
                    t["encode/baseline-twin"] / t["encode/mqttwire-twin"]
            }'
done | tee "$scratch/runs"
awk '{ for (i = 2; i <= 6; i++) v[i, NR] = $i } END {
    printf "med"
    for (i = 2; i <= 6; i++) {
        n = 0; for (r = 1; r <= NR; r++) a[++n] = v[i, r]
        for (x = 1; x <= n; x++) for (y = x + 1; y <= n; y++) if (a[y] < a[x]) { s = a[x]; a[x] = a[y]; a[y] = s }
        m = (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
        printf "  %*.3f", (i == 2 || i == 4) ? 6 : (i == 6 ? 11 : 10), m
    }
    printf "\n" }' "$scratch/runs"
