#!/usr/bin/env python3
"""Writes the committed seed corpus under tests/fuzz_checks/seeds/<target>/ (run from anywhere).

The seeds live beside the checks in tests/, not in fuzz/, so that the published crate carries them
(a few KiB) and `cargo test` of the package replays them too.

Valid packets of every type, streams of several, and known-hostile inputs. Deterministic, so
re-running it changes nothing unless this file changes.
"""
import os
import random
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


# --- MQTT 5.0 (the decode_v5 and roundtrip_v5 targets) -------------------------------------


def props(*ps):
    """A property block: the Property Length, then the properties."""
    block = b"".join(ps)
    return varint(len(block)) + block


def p_byte(pid, v):
    return bytes([pid, v])


def p_u16(pid, v):
    return bytes([pid]) + struct.pack(">H", v)


def p_u32(pid, v):
    return bytes([pid]) + struct.pack(">I", v)


def p_vbi(pid, v):
    return bytes([pid]) + varint(v)


def p_str(pid, s):
    return bytes([pid]) + field(s)


def p_pair(k, v):
    return b"\x26" + field(k) + field(v)


def connect5(flags=0x02, keep=60, properties=props(), cid="c", will=None, user=None, pw=None):
    """A 5.0 CONNECT; `will` is (properties, topic, payload)."""
    body = field("MQTT") + bytes([5, flags]) + struct.pack(">H", keep) + properties + field(cid)
    if will:
        body += will[0] + field(will[1]) + field(will[2])
    if user is not None:
        body += field(user)
    if pw is not None:
        body += field(pw)
    return pkt(0x10, body)


CONNECT5_PROPS = props(
    p_u32(0x11, 3600), p_u16(0x21, 16), p_u32(0x27, 1 << 20), p_u16(0x22, 10),
    p_byte(0x19, 1), p_byte(0x17, 0), p_pair("k", "v"), p_str(0x15, "SCRAM-SHA-1"),
    p_str(0x16, b"client-first"),
)
WILL5_PROPS = props(
    p_u32(0x18, 30), p_byte(0x01, 1), p_u32(0x02, 300), p_str(0x03, "text/plain"),
    p_str(0x08, "reply/to"), p_str(0x09, b"\x00\x01"), p_pair("unit", "\u00b0C"),
)
CONNACK5_PROPS = props(
    p_u32(0x11, 0), p_u16(0x21, 0xFFFF), p_byte(0x24, 1), p_byte(0x25, 0), p_u32(0x27, 0xFFFFFFFF),
    p_str(0x12, "auto-1"), p_u16(0x22, 0), p_str(0x1F, "welcome"), p_pair("a", "b"),
    p_pair("a", "c"), p_byte(0x28, 1), p_byte(0x29, 0), p_byte(0x2A, 1), p_u16(0x13, 120),
    p_str(0x1A, "resp"), p_str(0x1C, "other:1883"), p_str(0x15, "m"), p_str(0x16, b"d"),
)
PUBLISH5_PROPS = props(
    p_byte(0x01, 1), p_u32(0x02, 60), p_u16(0x23, 1), p_str(0x08, "r/t"), p_str(0x09, b"id"),
    p_pair("k", "v1"), p_pair("k", "v2"), p_vbi(0x0B, 1), p_vbi(0x0B, 268435455),
    p_str(0x03, "application/json"),
)
ACK5_PROPS = props(p_str(0x1F, "why"), p_pair("k", "v"))

VALID5 = {
    "connect_min": connect5(cid=""),
    "connect_full": connect5(
        flags=0x02 | 0x04 | 0x08 | 0x20 | 0x80 | 0x40, properties=CONNECT5_PROPS,
        will=(WILL5_PROPS, "w/t", b"bye"), user="u", pw=b"p",
    ),
    "connect_password_only": connect5(flags=0x42, pw=b"token"),
    "connect_v311": connect(),
    "connack_min": pkt(0x20, b"\x00\x00" + props()),
    "connack_full": pkt(0x20, b"\x01\x00" + CONNACK5_PROPS),
    "connack_use_another_server": pkt(0x20, b"\x00\x9c" + props(p_str(0x1C, "b:1883"))),
    "publish_no_props": pkt(0x30, field("a/b") + props() + b"hello"),
    "publish_props": pkt(0x3B, field("a/\u00e9") + b"\x00\x07" + PUBLISH5_PROPS + b"x" * 40),
    "publish_alias_no_topic": pkt(0x32, field("") + b"\x00\x02" + props(p_u16(0x23, 5)) + b"p"),
    "publish_qos2_empty": pkt(0x34, field("$SYS/x") + b"\xff\xff" + props()),
    "puback_short": pkt(0x40, b"\x00\x01"),
    "puback_code": pkt(0x40, b"\x00\x01\x10"),
    "puback_code0_len3": pkt(0x40, b"\x00\x01\x00"),
    "puback_code0_len4": pkt(0x40, b"\x00\x01\x00\x00"),
    "puback_props": pkt(0x40, b"\x00\x01\x99" + ACK5_PROPS),
    "pubrec_failure": pkt(0x50, b"\x12\x34\x80"),
    "pubrel_not_found": pkt(0x62, b"\xff\xff\x92" + props()),
    "pubcomp_props": pkt(0x70, b"\x00\x09\x00" + ACK5_PROPS),
    "subscribe": pkt(0x82, b"\x00\x0a" + props(p_vbi(0x0B, 7), p_pair("k", "v"))
                     + field("a/+/c") + b"\x2d" + field("#") + b"\x1a"
                     + field("$share/g/s/#") + b"\x09" + field("/") + b"\x00"),
    "suback": pkt(0x90, b"\x00\x0a" + ACK5_PROPS + bytes([0, 1, 2, 0x80, 0x83, 0x87, 0x8F, 0x91, 0x97, 0x9E, 0xA1, 0xA2])),
    "unsubscribe": pkt(0xA2, b"\x00\x0b" + props(p_pair("k", "v")) + field("a/#") + field("$share/g/+")),
    "unsuback": pkt(0xB0, b"\x00\x0b" + ACK5_PROPS + bytes([0, 0x11, 0x80, 0x83, 0x87, 0x8F, 0x91])),
    "pingreq": pkt(0xC0, b""),
    "pingresp": pkt(0xD0, b""),
    "disconnect_empty": pkt(0xE0, b""),
    "disconnect_code": pkt(0xE0, b"\x8e"),
    "disconnect_code0_len2": pkt(0xE0, b"\x00\x00"),
    "disconnect_props": pkt(0xE0, b"\x04" + props(p_u32(0x11, 10), p_str(0x1F, "bye"), p_str(0x1C, "s"), p_pair("k", "v"))),
    "auth_empty": pkt(0xF0, b""),
    "auth_continue": pkt(0xF0, b"\x18" + props(p_str(0x15, "SCRAM-SHA-1"), p_str(0x16, b"client-first"))),
    "auth_reauth": pkt(0xF0, b"\x19" + props(p_str(0x15, "m"), p_str(0x1F, "again"), p_pair("k", "v"))),
}

HOSTILE5 = {
    "property_not_allowed": pkt(0x30, field("t") + props(p_u32(0x11, 1))),
    "property_duplicate": pkt(0x30, field("t") + props(p_u32(0x02, 1), p_u32(0x02, 2))),
    "property_unknown": pkt(0x30, field("t") + props(b"\x04\x00")),
    "property_id_non_minimal": pkt(0x30, field("t") + props(b"\x81\x00\x01")),
    "property_length_non_minimal": pkt(0x30, field("t") + b"\x80\x00"),
    "property_length_overrun": pkt(0x40, b"\x00\x01\x00\x05"),
    "property_value_overrun": pkt(0x30, field("t") + props(b"\x02\x00\x00")),
    "receive_maximum_0": connect5(properties=props(p_u16(0x21, 0))),
    "maximum_packet_size_0": connect5(properties=props(p_u32(0x27, 0))),
    "topic_alias_0": pkt(0x30, field("t") + props(p_u16(0x23, 0))),
    "subscription_identifier_0": pkt(0x30, field("t") + props(p_vbi(0x0B, 0))),
    "subscription_identifier_5_bytes": pkt(0x30, field("t") + props(b"\x0b\xff\xff\xff\xff\x01")),
    "subscription_identifier_twice_in_subscribe": pkt(0x82, b"\x00\x01" + props(p_vbi(0x0B, 1), p_vbi(0x0B, 2)) + field("a") + b"\x00"),
    "maximum_qos_2": pkt(0x20, b"\x00\x00" + props(p_byte(0x24, 2))),
    "request_problem_information_2": connect5(properties=props(p_byte(0x17, 2))),
    "payload_format_2": pkt(0x30, field("t") + props(p_byte(0x01, 2))),
    "response_topic_wildcard": pkt(0x30, field("t") + props(p_str(0x08, "a/#"))),
    "user_property_bad_utf8": pkt(0x30, field("t") + props(b"\x26" + field("k") + field(b"\xc3\x28"))),
    "user_property_nul": pkt(0x30, field("t") + props(b"\x26" + field(b"k\x00") + field("v"))),
    "empty_topic_without_alias": pkt(0x30, field("") + props()),
    "puback_bad_code": pkt(0x40, b"\x00\x01\x8e"),
    "pubrel_bad_code": pkt(0x62, b"\x00\x01\x80"),
    "connack_bad_code": pkt(0x20, b"\x00\x04" + props()),
    "connack_sp_refused": pkt(0x20, b"\x01\x80" + props()),
    "connack_auth_data_without_method": pkt(0x20, b"\x00\x00" + props(p_str(0x16, b"d"))),
    "connect_auth_data_without_method": connect5(properties=props(p_str(0x16, b"d"))),
    "suback_bad_code": pkt(0x90, b"\x00\x01" + props() + b"\x03"),
    "unsuback_bad_code": pkt(0xB0, b"\x00\x01" + props() + b"\x01"),
    "unsuback_no_codes": pkt(0xB0, b"\x00\x01" + props()),
    "disconnect_bad_code": pkt(0xE0, b"\x8c"),
    "auth_bad_code": pkt(0xF0, b"\x01"),
    "auth_without_method": pkt(0xF0, b"\x18"),
    "auth_flags": pkt(0xF1, b""),
    "subscribe_reserved_bits": pkt(0x82, b"\x00\x01" + props() + field("a") + b"\xc0"),
    "subscribe_retain_handling_3": pkt(0x82, b"\x00\x01" + props() + field("a") + b"\x30"),
    "subscribe_qos3": pkt(0x82, b"\x00\x01" + props() + field("a") + b"\x03"),
    "subscribe_shared_no_local": pkt(0x82, b"\x00\x01" + props() + field("$share/g/a") + b"\x04"),
    "subscribe_empty_share_name": pkt(0x82, b"\x00\x01" + props() + field("$share//a") + b"\x00"),
    "subscribe_share_without_filter": pkt(0x82, b"\x00\x01" + props() + field("$share/g") + b"\x00"),
    "subscribe_share_name_wildcard": pkt(0x82, b"\x00\x01" + props() + field("$share/g+/a") + b"\x00"),
    "unsubscribe_empty_share_name": pkt(0xA2, b"\x00\x01" + props() + field("$share//a")),
    "subscribe_v311_form": pkt(0x82, b"\x00\x01" + field("a") + b"\x00"),
    "remaining_length_non_minimal": bytes.fromhex("c08000"),
    "remaining_length_non_minimal_connect": b"\x10\x8d\x00" + connect5()[2:],
    "varint_5_bytes": bytes.fromhex("30ffffffff01"),
    "huge_publish": bytes.fromhex("30ffffff7f"),
    "reserved_type_0": bytes.fromhex("0000"),
    "pubrel_flags_0": bytes.fromhex("60020001"),
    "connect_level6": pkt(0x10, field("MQTT") + b"\x06\x02\x00\x3c" + props() + field("c")),
}

STREAM5 = b"".join(v for k, v in VALID5.items() if "len" not in k)


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
    # decode_v5: valid 5.0 packets of every type (and the short forms a sender may use), hostile ones.
    for name, data in VALID5.items():
        write("decode_v5", "valid_" + name, data)
    for name, data in HOSTILE5.items():
        write("decode_v5", "hostile_" + name, data)
    write("decode_v5", "valid_stream_all_types", STREAM5)
    write("decode_v5", "hostile_stream_then_bad_property", STREAM5 + HOSTILE5["property_not_allowed"])
    # roundtrip_v5: first byte picks the packet type (mod 15), the rest feeds the builder: the
    # count of properties (mod 8), each one's identifier among those the packet allows, its value.
    for t in range(15):
        write("roundtrip_v5", "type_%02d" % t, bytes([t]) + bytes((t * 53 + i * 29 + 7) % 256 for i in range(96)))
        write("roundtrip_v5", "type_%02d_many_properties" % t, bytes([t]) + bytes([7, 0x3f, 1, 0xff] * 40))
    write("roundtrip_v5", "publish_alias_no_topic", bytes([2, 0, 0, 1, 0, 1, 3, 9, 5, 1, 1, 2, 9, 0, 0, 1]))
    write("roundtrip_v5", "connect_long_user_property", bytes([0, 0, 1, 0, 0, 0, 1, 0x3f, 0xff, 3]) + b"k/v" + b"\x01" * 40)
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
    for name, data in topic_index_seeds().items():
        write("topic_index", name, data)


# topic_index: operations as tests/fuzz_checks/index_check.rs reads them. Levels: 0 "a", 1 "b",
# 2 "c", 3 "", 4 "$s", 5 "dd"; in filters also 6 "+", 7 "#".
def ti_name(*levels):
    return bytes([len(levels) - 1, *levels])


def ti_filter(*levels, kind=6):
    """kind 0-1: $share/g/..., 2-3: $share/h/..., 4: $share//... , 5: $share/g, else plain."""
    return bytes([kind, len(levels) - 1, *levels])


def ti_opts(qos=0, no_local=False, rap=False, sub_id=0):
    return bytes([qos | (0x10 if no_local else 0) | (0x20 if rap else 0), sub_id])


def ti_sub(client, f, opts=None):
    return bytes([0, client]) + f + (opts or ti_opts())


def ti_unsub(client, f):
    return bytes([2, client]) + f


def ti_route(name, publisher=4, picks=(2, 3, 4, 7)):
    return bytes([3]) + name + bytes([publisher, *picks])


def topic_index_seeds():
    a_plus = ti_filter(0, 6, kind=0)
    seeds = {
        "shared_and_no_local": ti_sub(0, ti_filter(0, 7), ti_opts(1, sub_id=1))
        + ti_sub(1, a_plus, ti_opts(2))
        + ti_sub(2, a_plus, ti_opts(2, sub_id=2))
        + ti_sub(3, ti_filter(6, 1), ti_opts(0, no_local=True))
        + ti_route(ti_name(0, 1), publisher=3)
        + ti_route(ti_name(0, 1), publisher=3, picks=(0, 1, 3, 3))
        + ti_unsub(1, a_plus)
        + ti_route(ti_name(0, 1))
        + ti_unsub(2, a_plus)
        + ti_route(ti_name(0, 1)),
        "overlapping": ti_sub(0, ti_filter(0, 1), ti_opts(0, sub_id=1))
        + ti_sub(0, ti_filter(0, 6), ti_opts(2, sub_id=2))
        + ti_sub(0, ti_filter(7), ti_opts(1, rap=True))
        + ti_sub(0, ti_filter(0, 1), ti_opts(1, sub_id=3))
        + ti_route(ti_name(0, 1))
        + ti_route(ti_name(4, 1))
        + ti_route(ti_name(3, 0)),
        "retained": bytes([5]) + ti_name(0, 1) + b"\x01"
        + bytes([5]) + ti_name(4, 0) + b"\x02"
        + bytes([5]) + ti_name(0) + b"\x03"
        + bytes([5]) + ti_name(0, 3, 3) + b"\x04"
        + bytes([7, 0, 7]) + ti_name(0)
        + bytes([7, 1, 6, 1]) + ti_name(4, 0)
        + bytes([7, 1, 0, 7]) + ti_name(0, 1)
        + bytes([6]) + ti_name(0, 1)
        + bytes([6]) + ti_name(0, 1)
        + bytes([7, 0, 7]) + ti_name(0, 3, 3),
        "bad_shares": ti_sub(0, ti_filter(0, kind=4))
        + ti_sub(0, ti_filter(0, kind=5))
        + ti_unsub(0, ti_filter(0, kind=4))
        + ti_sub(1, ti_filter(7, kind=2))
        + ti_route(ti_name(4, 0))
        + ti_route(ti_name(0)),
    }
    rng = random.Random(14)
    for i in range(4):
        seeds[f"random_{i}"] = bytes(rng.randrange(256) for _ in range(300))
    return seeds


if __name__ == "__main__":
    main()
