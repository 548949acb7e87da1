#!/usr/bin/env bash
# Interop with real MQTT peers: mosquitto (broker and clients) and paho-mqtt against
# mqttwire's examples (tests/interop.rs, MQTT 3.1.1), the same peers speaking MQTT 5.0 through
# mqttwire's verifying proxy and against mqttwire's 5.0 client (tests/interop_v5.rs), the
# examples in 5.0 and mixed with 3.1.1 (tests/interop_examples_v5.rs), then the tokio_echo
# demo. Installs what is missing (as root, through apt and a venv: mosquitto 2.x speaks 5.0,
# paho-mqtt 1.6+ has MQTTv5), then runs every test of the three files, including the
# ones that need a peer and are therefore `#[ignore]`d in a plain `cargo test`: a missing peer
# fails its test.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV="${MQTTWIRE_VENV:-${TMPDIR:-/tmp}/mqttwire-interop-venv}"

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo -n "$@"
    else
        echo "interop: need root to run: $*" >&2
        return 1
    fi
}

have_mosquitto() {
    { command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ]; } &&
        command -v mosquitto_pub >/dev/null 2>&1 &&
        command -v mosquitto_sub >/dev/null 2>&1
}

if ! have_mosquitto || ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
    echo "interop: installing mosquitto, mosquitto-clients, python3-venv"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        mosquitto mosquitto-clients python3-venv >/dev/null
fi

# The package may start a system mosquitto on port 1883. The tests never use that port, but
# a stray broker is not something a CI run should leave behind.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet mosquitto 2>/dev/null; then
    as_root systemctl stop mosquitto || true
elif command -v service >/dev/null 2>&1; then
    as_root service mosquitto stop >/dev/null 2>&1 || true
fi

if ! "$VENV/bin/python" -c 'import paho.mqtt.client' >/dev/null 2>&1; then
    echo "interop: creating $VENV with paho-mqtt"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check 'paho-mqtt>=1.6,<3'
fi

echo "interop: $(/usr/sbin/mosquitto -h 2>/dev/null | head -n1 || true)"
echo "interop: paho-mqtt $("$VENV/bin/python" -c 'import paho.mqtt; print(paho.mqtt.__version__)')"

# One test at a time: each starts its own brokers, and the load test wants the cores.
MQTTWIRE_PYTHON="$VENV/bin/python" \
    cargo test --all-features --test interop --test interop_v5 --test interop_examples_v5 -- \
        --include-ignored --test-threads=1

# The tokio example against itself (bounded: it gives up after 10 s on its own).
timeout 300 cargo run --quiet --all-features --example tokio_echo -- --demo
