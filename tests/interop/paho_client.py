#!/usr/bin/env python3
"""paho-mqtt against an MQTT 3.1.1 broker (mqttwire's example broker in tests/interop.rs).

Usage: paho_client.py HOST PORT

Connects several paho clients and checks: wildcard subscriptions with the granted QoS,
QoS 0/1/2 in both directions, retained messages, unsubscribe, keep-alive pings, and a Will
published when a client stops talking. Prints one "PASS <step>" line per step and exits 0, or
prints "FAIL <reason>" and exits 1. Every wait is bounded.
"""

import queue
import sys
import time

import paho.mqtt.client as mqtt

TIMEOUT = 10.0


def fail(reason):
    print(f"FAIL {reason}", flush=True)
    sys.exit(1)


def new_client(client_id, clean_session=True):
    """A 3.1.1 client, with the callback API of paho-mqtt 2.x when available."""
    try:
        client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2,
            client_id=client_id,
            clean_session=clean_session,
            protocol=mqtt.MQTTv311,
        )
    except AttributeError:  # paho-mqtt 1.x
        client = mqtt.Client(
            client_id=client_id, clean_session=clean_session, protocol=mqtt.MQTTv311
        )
    client.messages = queue.Queue()
    client.events = queue.Queue()
    client.log_lines = []
    # Callback signatures differ between the 1.x and 2.x APIs: take what comes.
    client.on_message = lambda c, u, msg: c.messages.put(msg)
    client.on_connect = lambda c, u, *rest: c.events.put(("connack", rest))
    client.on_subscribe = lambda c, u, mid, granted, *rest: c.events.put(("suback", granted))
    client.on_unsubscribe = lambda c, u, mid, *rest: c.events.put(("unsuback", mid))
    client.on_log = lambda c, u, level, buf: c.log_lines.append(buf)
    return client


def event(client, kind):
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        try:
            got, value = client.events.get(timeout=deadline - time.monotonic())
        except queue.Empty:
            break
        if got == kind:
            return value
    fail(f"{client._client_id!r}: no {kind} within {TIMEOUT}s")


def message(client, timeout=TIMEOUT):
    try:
        return client.messages.get(timeout=timeout)
    except queue.Empty:
        return None


def connect(client, host, port, keepalive=60):
    client.connect(host, port, keepalive=keepalive)
    client.loop_start()
    rest = event(client, "connack")
    # 1.x: (flags, rc); 2.x: (flags, reason_code, properties)
    code = rest[1]
    if int(getattr(code, "value", code)) != 0:
        fail(f"connection refused: {code}")


def qos_codes(granted):
    return [int(getattr(g, "value", g)) for g in granted]


def main():
    host, port = sys.argv[1], int(sys.argv[2])

    # Subscriber: wildcards, keep-alive of 2 s so that paho pings during the run.
    sub = new_client("paho-sub")
    connect(sub, host, port, keepalive=2)
    sub.subscribe([("paho/+/data", 2), ("paho/retained/#", 1), ("paho/will", 1)])
    granted = qos_codes(event(sub, "suback"))
    if granted != [2, 1, 1]:
        fail(f"granted QoS {granted}, expected [2, 1, 1]")
    print("PASS subscribe with wildcards", flush=True)

    pub = new_client("paho-pub")
    connect(pub, host, port)

    # QoS 0, 1 and 2 from paho to the broker, and from the broker to paho.
    for qos in (0, 1, 2):
        info = pub.publish(f"paho/q{qos}/data", f"payload {qos}", qos=qos)
        info.wait_for_publish(timeout=TIMEOUT)
        msg = message(sub)
        if msg is None:
            fail(f"QoS {qos} message not delivered")
        if msg.topic != f"paho/q{qos}/data" or msg.payload != f"payload {qos}".encode():
            fail(f"QoS {qos}: wrong message {msg.topic} {msg.payload!r}")
        if msg.qos != qos:
            fail(f"QoS {qos} message delivered at QoS {msg.qos}")
    print("PASS QoS 0/1/2 both directions", flush=True)

    # Retained: a client subscribing later gets it, flagged retained.
    pub.publish("paho/retained/x", "kept", qos=1, retain=True).wait_for_publish(timeout=TIMEOUT)
    msg = message(sub)
    if msg is None or msg.retain:
        fail("a live subscriber must get the retained message with RETAIN 0")
    late = new_client("paho-late")
    connect(late, host, port)
    late.subscribe("paho/retained/#", qos=1)
    event(late, "suback")
    msg = message(late)
    if msg is None or msg.payload != b"kept" or not msg.retain:
        fail(f"retained message not delivered as retained: {msg}")
    # Clear it, so that a second run starts clean.
    pub.publish("paho/retained/x", "", qos=1, retain=True).wait_for_publish(timeout=TIMEOUT)
    late.disconnect()
    late.loop_stop()
    print("PASS retained", flush=True)
    while message(sub, timeout=0.5) is not None:  # the empty retained message
        pass

    # Unsubscribe: nothing more on paho/+/data, the other subscriptions still work.
    sub.unsubscribe("paho/+/data")
    event(sub, "unsuback")
    pub.publish("paho/x/data", "unwanted", qos=1).wait_for_publish(timeout=TIMEOUT)
    pub.publish("paho/retained/y", "still here", qos=1).wait_for_publish(timeout=TIMEOUT)
    msg = message(sub)
    if msg is None or msg.topic != "paho/retained/y":
        fail(f"after UNSUBSCRIBE got {msg and msg.topic}")
    print("PASS unsubscribe", flush=True)

    # Keep-alive: stay idle for longer than the 2 s period; paho must ping and get answers.
    time.sleep(3.5)
    logs = " | ".join(sub.log_lines)
    if "PINGREQ" not in logs or "PINGRESP" not in logs:
        fail("no PINGREQ/PINGRESP exchange seen in paho's log")
    if not sub.is_connected():
        fail("subscriber disconnected while pinging")
    print("PASS ping", flush=True)

    # Will: a client that connects with keep-alive 1 s and then goes silent (no network loop,
    # so no PINGREQ) is dropped by the broker after 1.5 s, which publishes its Will.
    will = new_client("paho-will")
    will.will_set("paho/will", "gone", qos=1, retain=False)
    will.connect(host, port, keepalive=1)
    will.loop(timeout=1.0)  # read the CONNACK, then stay silent
    msg = message(sub, timeout=6.0)
    if msg is None or msg.topic != "paho/will" or msg.payload != b"gone":
        fail(f"Will not published after keep-alive expiry: {msg}")
    print("PASS will on keep-alive expiry", flush=True)

    for client in (sub, pub):
        client.disconnect()
        client.loop_stop()
    print("ALL PASSED", flush=True)


if __name__ == "__main__":
    main()
