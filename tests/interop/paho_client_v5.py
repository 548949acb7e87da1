#!/usr/bin/env python3
"""paho-mqtt speaking MQTT 5.0 to a broker (mosquitto, through mqttwire's verifying proxy in
tests/interop_v5.rs).

Usage: paho_client_v5.py HOST PORT

Checks, with properties everywhere paho lets a client set them: CONNECT and Will properties
(Will Delay Interval), the CONNACK's properties, SUBSCRIBE with subscription options (No Local,
Retain As Published, Retain Handling) and a Subscription Identifier, PUBLISH with every
message property and a Topic Alias (first with the topic, then by alias alone), QoS 0/1/2 both
ways, a large message (40 User Properties, 70 KB), UNSUBSCRIBE with a User Property, keep-alive
pings, and a DISCONNECT with reason code 0x04 (Disconnect with Will Message) and properties,
whose Will arrives with its properties.
Prints one "PASS <step>" line per step and exits 0, or prints "FAIL <reason>" and exits 1.
Every wait is bounded.
"""

import queue
import sys
import time

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.subscribeoptions import SubscribeOptions

try:  # paho-mqtt 2.x
    from paho.mqtt.reasoncodes import ReasonCode
except ImportError:  # paho-mqtt 1.6
    from paho.mqtt.reasoncodes import ReasonCodes as ReasonCode

TIMEOUT = 10.0
USER = [("k", "v"), ("k", "v2")]  # a repeated name: both must arrive, in order


def fail(reason):
    print(f"FAIL {reason}", flush=True)
    sys.exit(1)


def check(cond, reason):
    if not cond:
        fail(reason)


def props(packet_type, **values):
    p = Properties(packet_type)
    for name, value in values.items():
        setattr(p, name, value)
    return p


def new_client(client_id):
    """A 5.0 client, with the callback API of paho-mqtt 2.x when available."""
    try:
        client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5
        )
    except AttributeError:  # paho-mqtt 1.x
        client = mqtt.Client(client_id=client_id, protocol=mqtt.MQTTv5)
    client.messages = queue.Queue()
    client.events = queue.Queue()
    client.log_lines = []
    client.on_message = lambda c, u, msg: c.messages.put(msg)
    # 5.0 callbacks: (client, userdata, flags, reason_code, properties) for CONNACK, and
    # (client, userdata, mid, reason codes, properties) for SUBACK in both 1.x and 2.x.
    client.on_connect = lambda c, u, flags, rc, properties=None: c.events.put(
        ("connack", (rc, properties))
    )
    client.on_subscribe = lambda c, u, mid, codes, properties=None: c.events.put(
        ("suback", codes)
    )
    client.on_unsubscribe = lambda c, u, mid, *rest: c.events.put(("unsuback", rest))
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


def code(rc):
    return int(getattr(rc, "value", rc))


def connect(client, host, port, keepalive, properties):
    client.connect(host, port, keepalive=keepalive, clean_start=True, properties=properties)
    client.loop_start()
    rc, connack = event(client, "connack")
    check(code(rc) == 0, f"connection refused: {rc}")
    return connack


def subscribe(client, topics, properties=None):
    client.subscribe(topics, properties=properties)
    return [code(c) for c in event(client, "suback")]


def published(info):
    info.wait_for_publish(timeout=TIMEOUT)
    check(info.is_published(), f"message {info.mid} not acknowledged")


def main():
    host, port = sys.argv[1], int(sys.argv[2])

    # Subscriber: CONNECT properties, a Will with properties and a delay, keep-alive 2 s.
    sub = new_client("paho5-sub")
    sub.will_set(
        "paho5/will",
        "sub gone",
        qos=1,
        properties=props(
            PacketTypes.WILLMESSAGE,
            WillDelayInterval=1,
            MessageExpiryInterval=60,
            ContentType="text/plain",
            UserProperty=("why", "will"),
        ),
    )
    connack = connect(
        sub,
        host,
        port,
        2,
        props(
            PacketTypes.CONNECT,
            SessionExpiryInterval=30,
            ReceiveMaximum=50,
            MaximumPacketSize=1 << 20,
            RequestProblemInformation=1,
            UserProperty=("client", "paho5-sub"),
        ),
    )
    check(
        connack is not None and getattr(connack, "TopicAliasMaximum", 0) > 0,
        f"CONNACK properties without Topic Alias Maximum: {connack}",
    )
    print(f"PASS connect with properties (CONNACK {connack})", flush=True)

    granted = subscribe(
        sub,
        [
            ("paho5/data/#", SubscribeOptions(qos=2, retainAsPublished=True)),
            ("paho5/nolocal/#", SubscribeOptions(qos=1, noLocal=True)),
            (
                "paho5/retained/#",
                SubscribeOptions(qos=1, retainHandling=SubscribeOptions.RETAIN_DO_NOT_SEND),
            ),
        ],
        props(PacketTypes.SUBSCRIBE, SubscriptionIdentifier=7, UserProperty=("sub", "props")),
    )
    check(granted == [2, 1, 1], f"granted {granted}, expected [2, 1, 1]")
    print("PASS subscribe with options and a subscription identifier", flush=True)

    pub = new_client("paho5-pub")
    connect(pub, host, port, 60, props(PacketTypes.CONNECT, UserProperty=("client", "paho5-pub")))
    check(subscribe(pub, [("paho5/will", 1), ("paho5/nolocal/#", 1)]) == [1, 1], "pub SUBACK")

    # Every message property, QoS 0/1/2 from paho to the broker and from the broker to paho.
    for qos in (0, 1, 2):
        properties = props(
            PacketTypes.PUBLISH,
            PayloadFormatIndicator=1,
            MessageExpiryInterval=60,
            ContentType="text/plain",
            ResponseTopic="paho5/reply",
            CorrelationData=b"\x00\x01corr",
            UserProperty=USER,
        )
        info = pub.publish(f"paho5/data/q{qos}", f"payload {qos}", qos=qos, properties=properties)
        published(info)
        msg = message(sub)
        check(msg is not None, f"QoS {qos} message not delivered")
        check(
            (msg.topic, msg.payload, msg.qos) == (f"paho5/data/q{qos}", f"payload {qos}".encode(), qos),
            f"QoS {qos}: wrong message {msg.topic} {msg.payload!r} QoS {msg.qos}",
        )
        p = msg.properties
        got = (
            p.PayloadFormatIndicator,
            p.ContentType,
            p.ResponseTopic,
            p.CorrelationData,
            p.UserProperty,
            p.SubscriptionIdentifier,
        )
        want = (1, "text/plain", "paho5/reply", b"\x00\x01corr", USER, [7])
        check(got == want, f"QoS {qos}: properties {got}, expected {want}")
        check(0 < p.MessageExpiryInterval <= 60, f"expiry {p.MessageExpiryInterval}")
    print("PASS QoS 0/1/2 with every message property", flush=True)

    # Topic Alias: the topic and alias 1, then alias 1 alone (empty topic), QoS 1 and 2.
    for i, (name, qos) in enumerate([("paho5/data/alias", 1), ("", 1), ("", 2)]):
        info = pub.publish(name, f"alias {i}", qos=qos, properties=props(PacketTypes.PUBLISH, TopicAlias=1))
        published(info)
        msg = message(sub)
        check(
            msg is not None and (msg.topic, msg.payload) == ("paho5/data/alias", f"alias {i}".encode()),
            f"topic alias message {i}: {msg and (msg.topic, msg.payload)}",
        )
    print("PASS topic alias", flush=True)

    # A large message: 40 User Properties (a properties block over 127 bytes, so a 2-byte
    # length) and a 70,144-byte payload (a 3-byte Remaining Length), both ways.
    big_user = [(f"name-{i:02}", "value") for i in range(40)]
    big = bytes(range(256)) * 274
    published(pub.publish("paho5/data/big", big, qos=1, properties=props(PacketTypes.PUBLISH, UserProperty=big_user)))
    msg = message(sub)
    check(
        msg is not None and msg.payload == big and msg.properties.UserProperty == big_user,
        "large message",
    )
    print("PASS large message", flush=True)

    # Retain As Published: a live retained message keeps RETAIN 1 for this subscription.
    published(pub.publish("paho5/data/kept", "r", qos=1, retain=True))
    msg = message(sub)
    check(msg is not None and msg.retain, f"retain as published: {msg and msg.retain}")
    published(pub.publish("paho5/data/kept", "", qos=1, retain=True))  # clear it
    msg = message(sub)
    check(msg is not None and msg.payload == b"", "the clearing message")

    # Retain Handling: 2 (do not send) on a retained topic, then a new subscription with 1
    # (send if new) from another client gets it.
    published(pub.publish("paho5/retained/x", "stale", qos=1, retain=True))
    msg = message(sub)  # live, through the existing subscription
    check(msg is not None and msg.payload == b"stale" and not msg.retain, "live retained")
    check(
        subscribe(sub, [("paho5/retained/#", SubscribeOptions(qos=1, retainHandling=SubscribeOptions.RETAIN_DO_NOT_SEND))]) == [1],
        "resubscribe",
    )
    check(message(sub, timeout=0.5) is None, "retain handling 2 sent a retained message")
    late = new_client("paho5-late")
    connect(late, host, port, 60, None)
    check(
        subscribe(late, [("paho5/retained/#", SubscribeOptions(qos=1, retainHandling=SubscribeOptions.RETAIN_SEND_IF_NEW_SUB))]) == [1],
        "late SUBACK",
    )
    msg = message(late)
    check(msg is not None and msg.payload == b"stale" and msg.retain, f"retain handling 1: {msg}")
    published(pub.publish("paho5/retained/x", "", qos=1, retain=True))  # clear it
    late.disconnect()
    late.loop_stop()
    while message(sub, timeout=0.3) is not None:
        pass
    print("PASS retain as published, retain handling", flush=True)

    # No Local: the subscriber's own message is not sent back to it, but pub gets it.
    published(sub.publish("paho5/nolocal/x", "own", qos=1))
    msg = message(pub)
    check(msg is not None and msg.payload == b"own", "no local: the other subscriber")
    check(message(sub, timeout=0.5) is None, "no local: own message delivered back")
    print("PASS no local", flush=True)

    # UNSUBSCRIBE with a User Property.
    sub.unsubscribe("paho5/data/#", properties=props(PacketTypes.UNSUBSCRIBE, UserProperty=("unsub", "props")))
    event(sub, "unsuback")
    published(pub.publish("paho5/data/after", "unwanted", qos=1))
    check(message(sub, timeout=0.5) is None, "message after UNSUBSCRIBE")
    print("PASS unsubscribe", flush=True)

    # Keep-alive: idle for longer than 2 s; paho pings and gets answers.
    time.sleep(3.0)
    logs = " | ".join(sub.log_lines)
    check("PINGREQ" in logs and "PINGRESP" in logs, "no PINGREQ/PINGRESP in paho's log")
    check(sub.is_connected(), "subscriber disconnected while pinging")
    print("PASS ping", flush=True)

    # DISCONNECT 0x04 (Disconnect with Will Message) with properties: the Will is published
    # (after its delay or when the session ends, here at once: Session Expiry 0).
    sub.disconnect(
        reasoncode=ReasonCode(PacketTypes.DISCONNECT, identifier=4),
        properties=props(PacketTypes.DISCONNECT, SessionExpiryInterval=0, UserProperty=("bye", "now")),
    )
    sub.loop_stop()
    msg = message(pub, timeout=6.0)
    check(msg is not None and (msg.topic, msg.payload) == ("paho5/will", b"sub gone"), f"Will: {msg}")
    p = msg.properties
    check(
        (p.ContentType, p.UserProperty) == ("text/plain", [("why", "will")]),
        f"Will properties {p}",
    )
    print("PASS disconnect with will message, will properties", flush=True)

    pub.disconnect()
    pub.loop_stop()
    print("ALL PASSED", flush=True)


if __name__ == "__main__":
    main()
