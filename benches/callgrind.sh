#!/usr/bin/env bash
# Instructions per packet for one (corpus, codec, op) of the comparison bench, counted by
# callgrind in the measured run only (`--toggle-collect` on `measured_op`: corpus generation,
# buffer setup and the warm-up run are not counted).
#
#   benches/callgrind.sh [--quick] [--annotate] CORPUS CODEC OP
#   benches/callgrind.sh [--quick] --table CORPUS       # every codec, decode and encode
#   benches/callgrind.sh telemetry-mix mqttwire decode
#   benches/callgrind.sh --annotate small-publish mqttwire encode    # + per-function profile
#   benches/callgrind.sh --quick --table v5-telemetry-mix            # the README's 5.0 counts
#
# CORPUS: telemetry-mix small-publish large-publish v5-telemetry-mix v5-small-publish
#         v5-small-publish-props (topics, with OP match)
# CODEC:  3.1.1: mqttwire mqttwire-ref mqttrs rumqttc mqttbytes mqtt-protocol ntex-mqtt
#         5.0 (the v5- corpora): mqttwire mqttwire-ref rumqttc ntex-mqtt mqtt-proto
#         mqtt5-protocol mqtt-protocol-core
#         baselines: memcpy frame-walk frame-share frame-copy (mqttwire-ref: the borrowed
#         `decode_ref`; mqttwire-vec: encode into Vec)
# OP:     decode encode match
# Needs valgrind. Builds the comparison crate in release mode first (CARGO_TARGET_DIR is
# honoured; default benches/compare/target).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
quick=() annotate=0 table=0 args=()
for a in "$@"; do
    case "$a" in
        --quick) quick=(--quick) ;;
        --annotate) annotate=1 ;;
        --table) table=1 ;;
        -h|--help) sed -n 2,22p "$0"; exit 0 ;;
        *) args+=("$a") ;;
    esac
done
if [ "$table" = 0 ] && [ "${#args[@]}" -ne 3 ]; then sed -n 2,22p "$0" >&2; exit 2; fi
command -v valgrind >/dev/null || { echo "valgrind not found (apt-get install valgrind)" >&2; exit 1; }

manifest="$here/compare/Cargo.toml"
cargo build --release --quiet --manifest-path "$manifest"
target="${CARGO_TARGET_DIR:-$here/compare/target}"
bin="$target/release/mqttwire-compare"

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
if [ "$table" = 1 ]; then
    # One process for all codecs of the corpus and op: callgrind dumps its counts after each
    # measured run (cg.out.1, .2, ... in the order the binary prints its lines).
    [ "${#args[@]}" -eq 1 ] || { sed -n 2,22p "$0" >&2; exit 2; }
    corpus="${args[0]}"
    declare -A counts
    order=()
    for op in decode encode; do
        rm -f "$out"/cg.out*
        valgrind --tool=callgrind --callgrind-out-file="$out/cg.out" \
            --toggle-collect='*measured_op*' --dump-after='mqttwire_compare::harness::measured_op' \
            "$bin" "${quick[@]}" "$corpus" all "$op" >"$out/stdout" 2>"$out/stderr" || {
            cat "$out/stderr" "$out/stdout" >&2; exit 1; }
        i=0
        while read -r line; do
            i=$((i + 1))
            codec="$(sed -n 's/.* codec=\([^ ]*\) .*/\1/p' <<<"$line")"
            packets="$(sed -n 's/.* packets=\([0-9]*\) .*/\1/p' <<<"$line")"
            ir="$(sed -n 's/^totals: *\([0-9]*\).*/\1/p' "$out/cg.out.$i")"
            n="$(awk -v ir="$ir" -v n="$packets" 'BEGIN { printf "%.0f", ir / n }')"
            grep -q ' check=ok' <<<"$line" || n="$n (check failed)"
            [ -n "${counts[$codec/decode]+x}${counts[$codec/encode]+x}" ] || order+=("$codec")
            counts["$codec/$op"]="$n"
        done < <(grep '^corpus=' "$out/stdout")
    done
    echo "| $corpus | decode instructions/packet | encode instructions/packet |"
    echo "|---|---:|---:|"
    for codec in "${order[@]}"; do
        echo "| $codec | ${counts[$codec/decode]:--} | ${counts[$codec/encode]:--} |"
    done
    exit 0
fi
valgrind --tool=callgrind --callgrind-out-file="$out/cg.out" \
    --toggle-collect='*measured_op*' \
    "$bin" "${quick[@]}" "${args[@]}" >"$out/stdout" 2>"$out/stderr" || {
    cat "$out/stderr" "$out/stdout" >&2; exit 1; }
line="$(grep '^corpus=' "$out/stdout")"
packets="$(sed -n 's/.* packets=\([0-9]*\).*/\1/p' <<<"$line")"
ir="$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$out/stderr")"
awk -v ir="$ir" -v n="$packets" -v sel="${args[*]}" \
    'BEGIN { printf "%s: %d instructions for %d packets = %.1f instructions/packet\n", sel, ir, n, ir / n }'
if [ "$annotate" = 1 ]; then
    callgrind_annotate --inclusive=no "$out/cg.out" 2>/dev/null | head -45
fi
