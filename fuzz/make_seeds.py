#!/usr/bin/env python3
"""Writes the committed seed corpus under tests/fuzz_checks/seeds/<target>/ (run from anywhere).

The seeds live beside the checks in tests/, not in fuzz/, so that the published crate carries them
(a few KiB) and `cargo test` of the package replays them too.

Valid packets of every type, streams of several, and known-hostile inputs. Deterministic, so
re-running it changes nothing unless this file changes.
"""
import os
import struct

ROOT = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fuzz_checks", "seeds"
)


def varint(n):
    out = bytearray()
    while True:
        b = n % 128
        n //= 128
        if n:
            b |= 0x80
        out.append(b)
        if not n:
            return bytes(out)


def field(b):
    if isinstance(b, str):
        b = b.encode()
    return struct.pack(">H", len(b)) + b


def pkt(first, body):
    return bytes([first]) + varint(len(body)) + body


def connect(name="MQTT", level=4, flags=0x02, keep=60, cid="c", will=None, user=None, pw=None):
    body = field(name) + bytes([level, flags]) + struct.pack(">H", keep) + field(cid)
    if will:
        body += field(will[0]) + field(will[1])
    if user is not None:
        body += field(user)
    if pw is not None:
        body += field(pw)
    return pkt(0x10, body)


VALID = {
    "connect_min": connect(cid=""),
    "connect_full": connect(flags=0x02 | 0x04 | 0x10 | 0x20 | 0x80 | 0x40, will=("w/t", b"bye"), user="u", pw=b"p"),
    "connect_v31": connect("MQIsdp", 3, 0x00, 0, "client-\u00e9\u20ac\U0001f600"),
    "connack_accepted_sp": pkt(0x20, b"\x01\x00"),
    "connack_refused": pkt(0x20, b"\x00\x05"),
    "publish_qos0": pkt(0x30, field("a/b") + b"hello"),
    "publish_qos1_dup_retain": pkt(0x3B, field("a/\u00e9/\u20ac") + b"\x00\x07" + b"x" * 40),
    "publish_qos2_empty": pkt(0x34, field("$SYS/x") + b"\xff\xff"),
    "publish_200": pkt(0x30, field("big") + bytes(range(200))),
    "puback": pkt(0x40, b"\x00\x01"),
    "pubrec": pkt(0x50, b"\x12\x34"),
    "pubrel": pkt(0x62, b"\xff\xff"),
    "pubcomp": pkt(0x70, b"\x00\x09"),
    "subscribe": pkt(0x82, b"\x00\x0a" + field("a/+/c") + b"\x01" + field("#") + b"\x02" + field("/") + b"\x00"),
    "suback": pkt(0x90, b"\x00\x0a\x00\x01\x02\x80"),
    "unsubscribe": pkt(0xA2, b"\x00\x0b" + field("a/#") + field("+")),
    "unsuback": pkt(0xB0, b"\x00\x0b"),
    "pingreq": pkt(0xC0, b""),
    "pingresp": pkt(0xD0, b""),
    "disconnect": pkt(0xE0, b""),
}

HOSTILE = {
    "huge_connect": bytes.fromhex("10ffffff7f"),
    "huge_publish": bytes.fromhex("30ffffff7f"),
    "huge_subscribe": bytes.fromhex("82ffffff7f"),
    "varint_5_bytes": bytes.fromhex("30ffffffff01"),
    "varint_non_minimal": bytes.fromhex("c08000"),
    "varint_non_minimal_publish": bytes.fromhex("30848000") + field("t") + b"x",
    "reserved_type_0": bytes.fromhex("0000"),
    "reserved_type_15": bytes.fromhex("f000"),
    "publish_qos3": pkt(0x36, field("a") + b"\x00\x01"),
    "publish_dup_qos0": pkt(0x38, field("a")),
    "publish_wildcard_topic": pkt(0x30, field("a/+")),
    "publish_nul_topic": pkt(0x30, field(b"a\x00b")),
    "publish_bad_utf8": pkt(0x30, field(b"a\xc3\x28") + b"p"),
    "publish_surrogate": pkt(0x30, field(b"\xed\xa0\x80")),
    "publish_empty_topic": pkt(0x30, field("")),
    "publish_zero_pid": pkt(0x32, field("a") + b"\x00\x00"),
    "publish_topic_overrun": pkt(0x30, b"\x00\x10ab"),
    "connect_bad_name": connect(name="MQTX"),
    "connect_level5": connect(level=5),
    "connect_reserved_flag": connect(flags=0x03),
    "connect_will_qos3": connect(flags=0x1C, will=("t", b"")),
    "connect_password_no_user": connect(flags=0x40, pw=b"x"),
    "connect_trailing": connect() + b"",  # replaced below
    "connack_bad_flags": pkt(0x20, b"\x02\x00"),
    "connack_sp_refused": pkt(0x20, b"\x01\x01"),
    "connack_code_6": pkt(0x20, b"\x00\x06"),
    "subscribe_empty": pkt(0x82, b"\x00\x01"),
    "subscribe_flags_0": pkt(0x80, b"\x00\x01" + field("a") + b"\x00"),
    "subscribe_qos3": pkt(0x82, b"\x00\x01" + field("a") + b"\x03"),
    "subscribe_bad_filter": pkt(0x82, b"\x00\x01" + field("a/#/b") + b"\x00"),
    "suback_empty": pkt(0x90, b"\x00\x01"),
    "suback_bad_code": pkt(0x90, b"\x00\x01\x03"),
    "unsubscribe_empty": pkt(0xA2, b"\x00\x01"),
    "puback_len3": bytes.fromhex("4003000100"),
    "pingreq_len1": bytes.fromhex("c00100"),
    "pubrel_flags_0": bytes.fromhex("60020001"),
}
# A CONNECT whose Remaining Length is one longer than its fields.
_c = connect()
HOSTILE["connect_trailing"] = bytes([_c[0], _c[1] + 1]) + _c[2:] + b"\x00"

STREAM = b"".join(VALID.values())


def write(target, name, data):
    d = os.path.join(ROOT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def main():
    for name, data in VALID.items():
        write("decode", "valid_" + name, data)
    for name, data in HOSTILE.items():
        write("decode", "hostile_" + name, data)
    write("decode", "valid_stream_all_types", STREAM)
    write("decode", "hostile_stream_then_huge", STREAM + HOSTILE["huge_publish"])
    # decode_chunked: first byte = number of chunk sizes, then the sizes, then the stream.
    write("decode_chunked", "all_types_bytewise", b"\x01\x01" + STREAM)
    write("decode_chunked", "all_types_mixed", b"\x04\x01\x07\x02\xff" + STREAM)
    write("decode_chunked", "whole", b"\x00" + STREAM)
    write("decode_chunked", "then_error", b"\x02\x03\x05" + VALID["publish_qos0"] + HOSTILE["publish_bad_utf8"])
    write("decode_chunked", "split_header", b"\x01\x01" + pkt(0x30, field("t") + b"x" * 300))
    # roundtrip: first byte picks the packet type (mod 14), the rest feeds the builder.
    for t in range(14):
        write("roundtrip", "type_%02d" % t, bytes([t]) + bytes((t * 37 + i * 11) % 256 for i in range(64)))
    write("roundtrip", "long_string", bytes([0, 0xff, 3]) + "é/x".encode() + b"\x01" * 40)
    write("roundtrip", "publish_long_topic", bytes([2, 1, 0, 1, 1, 0, 0xff, 3]) + b"a/b")
    # topic_match: mode byte (bit 0: filter given after 0xff, else derived), name, 0xff, filter.
    seeds = {
        "derived_plus": b"\x00sport/tennis/player1\xff\x05",
        "derived_hash": b"\x00sport/tennis\xff\x02",
        "derived_exact": b"\x00a/b/c\xff\x00",
        "sys_hash": b"\x01$SYS/monitor\xff#",
        "sys_plus": b"\x01$SYS/x\xff+/x",
        "parent_hash": b"\x01sport\xffsport/#",
        "empty_levels": b"\x01/finance\xff+/+",
        "trailing_slash": b"\x01a/\xffa/+",
        "no_match": b"\x01a/b\xffa/b/c",
        "multibyte": "\x01é/€/😀\xff+/€/#".encode(),
    }
    for name, data in seeds.items():
        write("topic_match", name, data)


if __name__ == "__main__":
    main()
