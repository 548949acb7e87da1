//! The checks the fuzz targets run, shared by `tests/fuzz_replay.rs` and the fuzz crate (both
//! include this file with `#[path]`) so that stable `cargo test` replays the seeds and regressions through exactly
//! the same assertions as libFuzzer does. Depends on `mqttwire` and `bytes` only.
//!
//! Every function panics (assert) when the crate misbehaves, and returns normally otherwise.

use bytes::{Bytes, BytesMut};
use mqttwire::{
    Auth, AuthReasonCode, ConnAck, Connect, ConnectReasonCode, ConnectReturnCode, DecodeError,
    Decoder, Disconnect, DisconnectReasonCode, Encode, EncodeError, Encoder, FixedHeader, Login,
    MqttString, Packet, PacketId, PacketRef, PayloadFormat, Properties, PropertiesRef, Property,
    PropertyId, PropertySet, Protocol, PubAck, PubAckReasonCode, PubComp, PubRec, PubRel,
    PubRelReasonCode, Publish, QoS, QosPid, RetainHandling, SubAck, SubAckReasonCode, Subscribe,
    SubscribeReturnCode, Subscription, TopicFilter, TopicName, UnsubAck, UnsubAckReasonCode,
    Unsubscribe, ValueType, Will, MAX_STRING_LEN,
};

/// The decoder configurations every input is run through: strict with the default limit, strict
/// with a small limit, lenient (ill-formed UTF-8 repaired, reserved flags ignored), and a limit
/// that only fixed-header-only packets pass.
pub fn decoders() -> [Decoder; 4] {
    [
        Decoder::new(),
        Decoder::new().max_packet_size(64),
        Decoder::new().lossy_utf8(true).lenient_reserved_flags(true),
        Decoder::new().max_packet_size(2),
    ]
}

/// Whether `decoder` is the strict one (of its version), whose accepted frames must re-encode
/// byte for byte.
fn is_strict(decoder: &Decoder) -> bool {
    *decoder
        == Decoder::new()
            .protocol(decoder.protocol_version())
            .max_packet_size(decoder.max_packet_size_limit())
}

/// How decoding a whole buffer ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum End {
    /// `Ok(None)` with these bytes left in the buffer.
    NeedMore(Vec<u8>),
    /// `Err`.
    Error(DecodeError),
}

/// The packets decoded from a stream (with the frame bytes each took) and how it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Each packet and the frame it was decoded from.
    pub packets: Vec<(Packet, Vec<u8>)>,
    /// How decoding ended.
    pub end: End,
}

/// Runs the streaming decoder over `buf` until it needs more or fails, checking the contract of
/// every call. Appends decoded packets to `packets`.
fn drain(
    decoder: &Decoder,
    buf: &mut BytesMut,
    packets: &mut Vec<(Packet, Vec<u8>)>,
    stream_len: usize,
) -> End {
    let limit = decoder.max_packet_size_limit();
    loop {
        let before = buf.to_vec();
        let cap_before = buf.capacity();
        match decoder.decode(buf) {
            Ok(None) => {
                assert_eq!(
                    &buf[..],
                    &before[..],
                    "Ok(None) must leave the buffer untouched"
                );
                // Reserving is bounded: by the limit, or by the amortized (doubling) growth of
                // the caller's own buffer, which never held more than the stream.
                assert!(
                    buf.capacity() <= cap_before.max(limit.max(2 * stream_len) + 64),
                    "reserved {} (was {cap_before}) with a limit of {limit}",
                    buf.capacity()
                );
                let peek = if decoder.protocol_version().is_v5() {
                    FixedHeader::peek_v5(&before)
                } else {
                    FixedHeader::peek(&before)
                };
                if let Ok(Some(h)) = peek {
                    assert!(
                        h.frame_len() > before.len(),
                        "whole frame answered Ok(None)"
                    );
                }
                return End::NeedMore(before);
            }
            Ok(Some(packet)) => {
                let consumed = before.len() - buf.len();
                assert!(
                    consumed >= 2,
                    "a packet is at least two bytes (consumed {consumed})"
                );
                assert!(
                    consumed <= limit,
                    "consumed {consumed} over the limit {limit}"
                );
                assert_eq!(
                    &buf[..],
                    &before[consumed..],
                    "only the frame may be consumed"
                );
                let frame = &before[..consumed];
                check_reencode(decoder, &packet, frame);
                packets.push((packet, frame.to_vec()));
            }
            Err(e) => {
                if let DecodeError::PacketTooLarge { size, max } = e {
                    assert_eq!(max, limit);
                    assert!(size > limit);
                }
                return End::Error(e);
            }
        }
    }
}

/// Decodes `data` in one buffer with `decoder`, checking every call.
pub fn decode_whole(decoder: &Decoder, data: &[u8]) -> Outcome {
    let mut buf = BytesMut::from(data);
    let mut packets = Vec::new();
    let end = drain(decoder, &mut buf, &mut packets, data.len());
    Outcome { packets, end }
}

/// A packet that was decoded must encode, to exactly `encoded_len` bytes, and decode back to
/// itself. From the strict decoder, the bytes must be the frame it came from, except that a
/// Remaining Length sent with more bytes than needed is written minimally.
pub fn check_reencode(decoder: &Decoder, packet: &Packet, frame: &[u8]) {
    if decoder.protocol_version().is_v5() {
        return check_reencode_v5(decoder, packet, frame);
    }
    let encoded = match packet.to_bytes() {
        Ok(b) => b,
        Err(e) => panic!("decoded packet does not encode: {e:?}: {packet:?}"),
    };
    assert_eq!(encoded.len(), packet.encoded_len(), "encoded_len is exact");
    let again = Decoder::new()
        .max_packet_size(Decoder::PROTOCOL_MAX_PACKET_SIZE)
        .decode_frame(encoded.clone());
    assert_eq!(again.as_ref(), Ok(packet), "decode(encode(p)) == p");
    check_to_slice(&Encoder::V311, packet, &encoded);
    match decoder.decode_frame_ref(frame) {
        Ok(borrowed) => {
            assert_eq!(&borrowed.to_owned(), packet, "borrowed and owned agree");
            check_to_slice(&Encoder::V311, &borrowed, &encoded);
        }
        Err(e) => assert!(
            is_lossy(decoder) && is_utf8_error(&e),
            "decode_frame_ref refuses what decode accepted: {e:?}"
        ),
    }
    if let Packet::Publish(publish) = packet {
        check_forwarded(publish);
    }
    if is_strict(decoder) {
        let header = FixedHeader::peek(frame)
            .expect("frame header")
            .expect("whole frame");
        let body = &frame[usize::from(header.header_len)..];
        let enc_header = FixedHeader::peek(&encoded).expect("header").expect("whole");
        assert_eq!(encoded[0], frame[0], "first byte is canonical");
        assert_eq!(
            &encoded[usize::from(enc_header.header_len)..],
            body,
            "body is canonical"
        );
    }
}

/// A decoded PUBLISH sent on at another QoS and packet identifier, as a server forwards it,
/// keeps its topic and payload, encodes as the same message built afresh does, and passes
/// [`check_packet`].
fn check_forwarded(publish: &Publish) {
    let next = publish
        .packet_id()
        .map_or(1, |id| id.get().wrapping_add(1).max(1));
    let id = PacketId::new(next).expect("not zero");
    for qos in [
        QosPid::AtMostOnce,
        QosPid::AtLeastOnce(id),
        QosPid::ExactlyOnce(id),
    ] {
        let mut forwarded = publish.clone();
        forwarded.set_qos(qos);
        forwarded.set_dup(publish.dup() && qos != QosPid::AtMostOnce);
        let topic = publish.topic_name().expect("a 3.1.1 PUBLISH has a topic");
        let mut fresh = Publish::new(topic, qos, publish.payload());
        fresh.set_dup(forwarded.dup());
        fresh.set_retain(forwarded.retain());
        assert_eq!(forwarded, fresh, "same fields");
        assert_eq!(forwarded.to_bytes(), fresh.to_bytes(), "same bytes");
        check_packet(&Packet::Publish(forwarded), publish.payload().len());
    }
}

/// The `decode` target: any bytes through every decoder, as a stream and as one frame.
pub fn check_decode(data: &[u8]) {
    for decoder in decoders() {
        let outcome = decode_whole(&decoder, data);
        check_frame_agrees(&decoder, data, &outcome);
    }
    check_small_limit(&Decoder::new(), data);
}

/// A small limit only cuts the stream short: it decodes a prefix of what `decoder` (with the
/// default limit) does, and stops with PacketTooLarge where they part.
fn check_small_limit(decoder: &Decoder, data: &[u8]) {
    let big = decode_whole(decoder, data);
    let small = decode_whole(&decoder.max_packet_size(64), data);
    assert!(small.packets.len() <= big.packets.len());
    assert_eq!(small.packets[..], big.packets[..small.packets.len()]);
    if small.packets.len() < big.packets.len() || small.end != big.end {
        assert!(
            matches!(small.end, End::Error(DecodeError::PacketTooLarge { .. })),
            "the small limit diverged without PacketTooLarge: {:?} vs {:?}",
            small.end,
            big.end
        );
    }
}

/// `decode_frame(data)` must agree with the streaming decoder on the same bytes.
fn check_frame_agrees(decoder: &Decoder, data: &[u8], stream: &Outcome) {
    let framed = decoder.decode_frame(Bytes::copy_from_slice(data));
    match (stream.packets.first(), &stream.end) {
        (Some((p, frame)), _) if frame.len() == data.len() => {
            assert_eq!(
                framed.as_ref(),
                Ok(p),
                "decode_frame == decode on one whole frame"
            );
        }
        (Some((_, frame)), _) => {
            assert_eq!(
                framed,
                Err(DecodeError::FrameLengthMismatch {
                    declared: frame.len(),
                    actual: data.len()
                })
            );
        }
        (None, End::Error(e)) => match framed {
            // A malformed body, with bytes after the frame: decode_frame refuses the length
            // first, and the frame alone gives the stream's error.
            Err(DecodeError::FrameLengthMismatch { declared, actual }) => {
                assert_eq!(actual, data.len());
                assert!(declared < actual);
                let alone = decoder.decode_frame(Bytes::copy_from_slice(&data[..declared]));
                assert_eq!(alone, Err(*e), "the frame alone fails as the stream did");
            }
            other => assert_eq!(other, Err(*e)),
        },
        (None, End::NeedMore(_)) => assert_eq!(framed, Err(DecodeError::IncompleteFrame)),
    }
}

/// The `decode_chunked` target: the input's first byte says how many chunk sizes follow; the
/// rest is the stream, fed chunk by chunk (sizes used cyclically). The result must equal
/// decoding the whole stream at once.
pub fn check_chunked(data: &[u8]) {
    let Some((&n, rest)) = data.split_first() else {
        return;
    };
    let n = usize::from(n % 16).min(rest.len());
    let (sizes, stream) = rest.split_at(n);
    for decoder in decoders() {
        let whole = decode_whole(&decoder, stream);
        let chunked = decode_chunked(&decoder, stream, sizes);
        assert_eq!(
            chunked, whole,
            "chunked decoding differs from whole (sizes {sizes:?})"
        );
    }
}

/// Feeds `stream` to `decoder` in chunks of `sizes` (cyclically, 0 read as 1), draining after
/// every chunk, as a network loop does.
pub fn decode_chunked(decoder: &Decoder, stream: &[u8], sizes: &[u8]) -> Outcome {
    let mut buf = BytesMut::new();
    let mut packets = Vec::new();
    let mut pos = 0;
    let mut i = 0;
    let mut end = End::NeedMore(Vec::new());
    while pos < stream.len() || pos == 0 {
        let size = sizes
            .get(i % sizes.len().max(1))
            .map_or(stream.len(), |&s| usize::from(s).max(1));
        i += 1;
        let next = (pos + size).min(stream.len());
        buf.extend_from_slice(&stream[pos..next]);
        pos = next;
        end = drain(decoder, &mut buf, &mut packets, stream.len());
        if matches!(end, End::Error(_)) || stream.is_empty() {
            break;
        }
    }
    Outcome { packets, end }
}

// ---------------------------------------------------------------------------------------------
// Structure-aware packet builder for the `roundtrip` target.
// ---------------------------------------------------------------------------------------------

/// Reads values from the fuzzer's bytes; past the end every read is zero.
pub struct Source<'a> {
    data: &'a [u8],
}

impl<'a> Source<'a> {
    /// A source over `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Source { data }
    }

    fn u8(&mut self) -> u8 {
        match self.data.split_first() {
            Some((&b, rest)) => {
                self.data = rest;
                b
            }
            None => 0,
        }
    }

    fn u16(&mut self) -> u16 {
        u16::from_be_bytes([self.u8(), self.u8()])
    }

    fn bool(&mut self) -> bool {
        self.u8() & 1 == 1
    }

    fn bytes(&mut self, max: usize) -> &'a [u8] {
        let n = usize::from(self.u8()).min(max).min(self.data.len());
        let (head, rest) = self.data.split_at(n);
        self.data = rest;
        head
    }

    /// A length-bounded chunk, now and then blown up to 65,535 bytes by repetition.
    fn blob(&mut self) -> Vec<u8> {
        let tag = self.u8();
        let raw = self.bytes(255).to_vec();
        if tag == 0xff && !raw.is_empty() {
            raw.iter().copied().cycle().take(MAX_STRING_LEN).collect()
        } else {
            raw
        }
    }

    fn text(&mut self) -> String {
        let s = String::from_utf8_lossy(&self.blob()).replace('\0', "");
        truncate_utf8(s, MAX_STRING_LEN)
    }

    fn packet_id(&mut self) -> PacketId {
        PacketId::new(self.u16()).unwrap_or(PacketId::new(1).expect("1 is non-zero"))
    }

    fn qos(&mut self) -> QoS {
        QoS::from_bits(self.u8() % 3).expect("0..3")
    }

    fn topic_name(&mut self) -> TopicName {
        let s: String = self
            .text()
            .chars()
            .filter(|c| !matches!(c, '+' | '#'))
            .collect();
        TopicName::new(&s).unwrap_or_else(|_| TopicName::from_static("t").expect("valid"))
    }

    fn topic_filter(&mut self) -> TopicFilter {
        let text = self.text();
        if let Ok(f) = TopicFilter::new(&text) {
            return f;
        }
        // Make it valid: wildcards only as whole levels, '#' only last.
        let wild = self.u8();
        let mut levels: Vec<String> = text
            .split('/')
            .enumerate()
            .map(|(i, l)| {
                if l.contains('+') || (wild >> (i % 8)) & 1 == 1 && l.is_empty() {
                    "+".to_owned()
                } else {
                    l.replace('#', "")
                }
            })
            .collect();
        if wild & 0x80 != 0 || text.contains('#') {
            levels.push("#".to_owned());
        }
        let s = truncate_utf8(levels.join("/"), MAX_STRING_LEN);
        TopicFilter::new(&s).unwrap_or_else(|_| TopicFilter::from_static("#").expect("valid"))
    }

    /// Builds a valid packet of any type from the bytes.
    pub fn packet(&mut self) -> Packet {
        match self.u8() % 14 {
            0 => {
                let mut c = Connect::new(
                    MqttString::new(&self.text()).expect("text() makes valid strings"),
                );
                c.protocol = if self.bool() {
                    Protocol::V31
                } else {
                    Protocol::V311
                };
                c.clean_session = self.bool();
                c.keep_alive = self.u16();
                if self.bool() {
                    c.will = Some(Will {
                        topic: self.topic_name(),
                        payload: Bytes::from(self.blob()),
                        qos: self.qos(),
                        retain: self.bool(),
                        properties: Properties::EMPTY,
                    });
                }
                if self.bool() {
                    let username = MqttString::new(&self.text()).expect("valid");
                    let password = if self.bool() {
                        Some(Bytes::from(self.blob()))
                    } else {
                        None
                    };
                    c.login = Some(Login {
                        username: Some(username),
                        password,
                    });
                }
                Packet::from(c)
            }
            1 => {
                let code = ConnectReturnCode::from_byte(self.u8() % 6).expect("0..6");
                let session_present = code == ConnectReturnCode::Accepted && self.bool();
                Packet::ConnAck(ConnAck {
                    session_present,
                    ..ConnAck::refused(code)
                })
            }
            2 => {
                let qos = match self.u8() % 3 {
                    0 => QosPid::AtMostOnce,
                    1 => QosPid::AtLeastOnce(self.packet_id()),
                    _ => QosPid::ExactlyOnce(self.packet_id()),
                };
                let dup = qos != QosPid::AtMostOnce && self.bool();
                let retain = self.bool();
                let topic = self.topic_name();
                let mut publish = Publish::new(topic, qos, self.blob());
                publish.set_dup(dup);
                publish.set_retain(retain);
                Packet::Publish(publish)
            }
            3 => Packet::PubAck(PubAck::new(self.packet_id())),
            4 => Packet::PubRec(PubRec::new(self.packet_id())),
            5 => Packet::PubRel(PubRel::new(self.packet_id())),
            6 => Packet::PubComp(PubComp::new(self.packet_id())),
            7 => {
                let id = self.packet_id();
                let n = usize::from(self.u8() % 32) + 1;
                let subs: Vec<_> = (0..n)
                    .map(|_| Subscription::new(self.topic_filter(), self.qos()))
                    .collect();
                Packet::Subscribe(Subscribe::new(id, subs).expect("at least one"))
            }
            8 => {
                let id = self.packet_id();
                let n = usize::from(self.u8()) + 1;
                let codes: Vec<SubscribeReturnCode> = (0..n)
                    .map(|_| match self.u8() % 4 {
                        3 => SubscribeReturnCode::Failure,
                        q => SubscribeReturnCode::Success(QoS::from_bits(q).expect("0..3")),
                    })
                    .collect();
                Packet::SubAck(SubAck::new(id, codes))
            }
            9 => {
                let id = self.packet_id();
                let n = usize::from(self.u8() % 32) + 1;
                let filters: Vec<_> = (0..n).map(|_| self.topic_filter()).collect();
                Packet::Unsubscribe(Unsubscribe::new(id, filters).expect("at least one"))
            }
            10 => Packet::UnsubAck(UnsubAck::new(self.packet_id())),
            11 => Packet::PingReq,
            12 => Packet::PingResp,
            _ => Packet::Disconnect(Disconnect::new()),
        }
    }
}

/// Cuts `s` to at most `max` bytes at a character boundary.
fn truncate_utf8(mut s: String, max: usize) -> String {
    if s.len() > max {
        let mut cut = max;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
    }
    s
}

/// The `roundtrip` target: build a valid packet from the bytes, encode it, decode it back.
pub fn check_roundtrip(data: &[u8]) {
    let mut src = Source::new(data);
    let packet = src.packet();
    let cut_seed = usize::from(src.u16());
    check_packet(&packet, cut_seed);
}

/// Every encoding path gives the same exact-length bytes, which decode back to `packet`
/// whole, streamed, and not before the last byte; a too-small slice is refused untouched.
pub fn check_packet(packet: &Packet, cut_seed: usize) {
    let encoded = match packet.to_bytes() {
        Ok(b) => b,
        Err(e) => panic!("valid packet does not encode: {e:?}: {packet:?}"),
    };
    let len = packet.encoded_len();
    assert_eq!(encoded.len(), len, "encoded_len is exact");
    let mut vec = Vec::new();
    packet.encode(&mut vec).expect("Vec has room");
    assert_eq!(&vec[..], &encoded[..], "Vec and BytesMut encodings agree");

    let decoder = Decoder::new().max_packet_size(Decoder::PROTOCOL_MAX_PACKET_SIZE);
    assert_eq!(decoder.decode_frame(encoded.clone()).as_ref(), Ok(packet));
    let mut buf = BytesMut::from(&encoded[..]);
    assert_eq!(decoder.decode(&mut buf), Ok(Some(packet.clone())));
    assert!(buf.is_empty(), "exactly one frame consumed");

    // A strict prefix is "need more", untouched.
    let cut = cut_seed % len;
    let mut partial = BytesMut::from(&encoded[..cut]);
    assert_eq!(
        decoder.decode(&mut partial),
        Ok(None),
        "prefix of {cut} bytes"
    );
    assert_eq!(&partial[..], &encoded[..cut]);

    // One byte short of room: an error, and nothing written.
    let mut small = vec![0xa5u8; len - 1 - cut_seed % len.min(8)];
    let available = small.len();
    assert_eq!(
        packet.encode(&mut &mut small[..]),
        Err(EncodeError::BufferTooSmall {
            needed: len,
            available
        })
    );
    assert!(small.iter().all(|&b| b == 0xa5), "nothing written on error");
    let mut exact = vec![0u8; len];
    packet.encode(&mut &mut exact[..]).expect("exact room");
    assert_eq!(&exact[..], &encoded[..]);
    check_to_slice(&Encoder::V311, packet, &encoded);
    let borrowed = decoder
        .decode_frame_ref(&encoded)
        .expect("decode_frame_ref");
    assert_eq!(&borrowed.to_owned(), packet, "borrowed and owned agree");
    check_to_slice(&Encoder::V311, &borrowed, &encoded);
}

/// `encode_to_slice` writes what the `BufMut` path wrote (`expected`, for `encoder`): into a
/// slice of exactly that length, and at the start of a longer one without touching the rest;
/// a slice one byte shorter is refused with `BufferTooSmall` and left untouched. For 3.1.1,
/// `Encode::encode_to_slice` (the trait's own method) writes the same.
pub fn check_to_slice<P: Encode + ?Sized>(encoder: &Encoder, packet: &P, expected: &[u8]) {
    let len = expected.len();
    let mut exact = vec![0x5au8; len];
    assert_eq!(encoder.encode_to_slice(packet, &mut exact), Ok(len));
    assert_eq!(&exact[..], expected, "encode_to_slice and BufMut agree");
    if *encoder == Encoder::V311 {
        let mut own = vec![0x5au8; len];
        assert_eq!(packet.encode_to_slice(&mut own), Ok(len));
        assert_eq!(
            &own[..],
            expected,
            "Encode::encode_to_slice and BufMut agree"
        );
    }
    let mut longer = vec![0x5au8; len + 3];
    assert_eq!(encoder.encode_to_slice(packet, &mut longer), Ok(len));
    assert_eq!(&longer[..len], expected);
    assert!(
        longer[len..].iter().all(|&b| b == 0x5a),
        "written past the packet"
    );
    let mut short = vec![0xa5u8; len - 1];
    assert_eq!(
        encoder.encode_to_slice(packet, &mut short),
        Err(EncodeError::BufferTooSmall {
            needed: len,
            available: len - 1
        })
    );
    assert!(short.iter().all(|&b| b == 0xa5), "nothing written on error");
}

/// `encode_to_slice` refuses what the `BufMut` path refused, with the same error (`expected`),
/// into a slice with room for the whole packet, and writes nothing.
fn check_to_slice_refuses<P: Encode + ?Sized>(
    encoder: &Encoder,
    packet: &P,
    room: usize,
    expected: &EncodeError,
) {
    let mut out = vec![0xa5u8; room];
    assert_eq!(
        encoder.encode_to_slice(packet, &mut out).as_ref(),
        Err(expected),
        "encode_to_slice and BufMut refuse alike"
    );
    assert!(out.iter().all(|&b| b == 0xa5), "nothing written on error");
}

// =============================================================================================
// MQTT 5.0: the `decode_v5` and `roundtrip_v5` targets.
// =============================================================================================

/// A strict MQTT 5.0 decoder with the default limit.
pub fn v5() -> Decoder {
    Decoder::new().protocol(Protocol::V5)
}

/// A strict decoder of `protocol` that accepts every size MQTT can express.
fn unlimited(protocol: Protocol) -> Decoder {
    Decoder::new()
        .protocol(protocol)
        .max_packet_size(Decoder::PROTOCOL_MAX_PACKET_SIZE)
}

/// The MQTT 5.0 decoder configurations every `decode_v5` input is run through: those of
/// [`decoders`], in 5.0.
pub fn decoders_v5() -> [Decoder; 4] {
    decoders().map(|d| d.protocol(Protocol::V5))
}

/// Whether `decoder` repairs ill-formed UTF-8 (which the borrowed decoder cannot).
fn is_lossy(decoder: &Decoder) -> bool {
    *decoder != decoder.lossy_utf8(false)
}

/// The errors of ill-formed UTF-8, which only the owned decoder repairs (`lossy_utf8`).
fn is_utf8_error(e: &DecodeError) -> bool {
    matches!(
        e,
        DecodeError::InvalidString(_)
            | DecodeError::InvalidTopicName(_)
            | DecodeError::InvalidTopicFilter(_)
    )
}

/// The `decode_v5` target: any bytes through every 5.0 decoder configuration, as a stream
/// (owned and borrowed) and as one frame, with the checks of `decode` and those of
/// [`check_reencode_v5`] on every packet decoded.
pub fn check_decode_v5(data: &[u8]) {
    for decoder in decoders_v5() {
        let outcome = decode_whole(&decoder, data);
        check_frame_agrees(&decoder, data, &outcome);
        check_borrowed_agrees(&decoder, data, &outcome);
    }
    check_small_limit(&v5(), data);
}

/// Decodes `data` with the borrowed decoder until it needs more or fails.
pub fn decode_ref_whole(decoder: &Decoder, data: &[u8]) -> Outcome {
    let mut packets = Vec::new();
    let mut rest = data;
    loop {
        match decoder.decode_ref(rest) {
            Ok(None) => {
                return Outcome {
                    packets,
                    end: End::NeedMore(rest.to_vec()),
                }
            }
            Ok(Some((packet, consumed))) => {
                assert!(
                    consumed >= 2 && consumed <= rest.len(),
                    "consumed {consumed}"
                );
                assert!(consumed <= decoder.max_packet_size_limit());
                let (frame, after) = rest.split_at(consumed);
                packets.push((packet.to_owned(), frame.to_vec()));
                rest = after;
            }
            Err(e) => {
                return Outcome {
                    packets,
                    end: End::Error(e),
                }
            }
        }
    }
}

/// The borrowed decoder gives the owned one's packets, frames and end; with `lossy_utf8`
/// (which only the owned decoder has) it may stop earlier, at ill-formed UTF-8 the owned one
/// repaired.
fn check_borrowed_agrees(decoder: &Decoder, data: &[u8], owned: &Outcome) {
    let borrowed = decode_ref_whole(decoder, data);
    if !is_lossy(decoder) {
        assert_eq!(&borrowed, owned, "decode_ref and decode disagree");
        return;
    }
    let n = borrowed.packets.len();
    assert!(n <= owned.packets.len());
    assert_eq!(borrowed.packets[..], owned.packets[..n]);
    if n < owned.packets.len() || borrowed.end != owned.end {
        assert!(
            matches!(&borrowed.end, End::Error(e) if is_utf8_error(e)),
            "decode_ref parted from the lossy decode without a UTF-8 error: {:?} vs {:?}",
            borrowed.end,
            owned.end
        );
    }
}

/// A packet the 5.0 `decoder` decoded from `frame` encodes for 5.0 to exactly
/// `encoded_len_for` bytes, which decode back to it; the borrowed decoder reads the frame as
/// the same packet (unless the owned one repaired its UTF-8), which encodes to the same bytes.
/// From the strict decoder the bytes are the frame's (see [`assert_canonical_v5`]). Then the
/// checks every valid 5.0 packet passes: [`check_v311_projection`], the peer's Maximum Packet
/// Size ([`check_limit_v5`]), and for a PUBLISH the forwarding of [`check_forwarded_v5`].
pub fn check_reencode_v5(decoder: &Decoder, packet: &Packet, frame: &[u8]) {
    let encoded = match Encoder::V5.to_bytes(packet) {
        Ok(b) => b,
        Err(e) => panic!("decoded 5.0 packet does not encode: {e:?}: {packet:?}"),
    };
    assert_eq!(
        encoded.len(),
        Encoder::V5.encoded_len(packet),
        "encoded_len_for is exact"
    );
    let again = unlimited(Protocol::V5).decode_frame(encoded.clone());
    assert_eq!(again.as_ref(), Ok(packet), "decode(encode(p)) == p");
    check_to_slice(&Encoder::V5, packet, &encoded);
    check_general_path(packet);
    match decoder.decode_frame_ref(frame) {
        Ok(borrowed) => {
            assert_eq!(&borrowed.to_owned(), packet, "borrowed and owned agree");
            assert_eq!(Encoder::V5.encoded_len(&borrowed), encoded.len());
            let from_ref = Encoder::V5
                .to_bytes(&borrowed)
                .expect("the borrowed packet encodes");
            assert_eq!(from_ref, encoded, "borrowed and owned encode alike");
            check_to_slice(&Encoder::V5, &borrowed, &encoded);
            check_borrowed_encodes_alike(&borrowed, packet);
        }
        Err(e) => assert!(
            is_lossy(decoder) && is_utf8_error(&e),
            "decode_frame_ref refuses what decode accepted: {e:?}"
        ),
    }
    if is_strict(decoder) {
        assert_canonical_v5(packet, frame, &encoded);
    }
    check_v311_projection(packet);
    for max in [encoded.len(), encoded.len() - 1, encoded.len() / 2, 2, 1] {
        check_limit_v5(packet, max);
    }
    if let Packet::Publish(publish) = packet {
        check_forwarded_v5(publish);
    }
}

/// The decoder's fast path for a block of nothing but User Properties of plain ASCII (up to
/// 255 bytes, `src/properties/block.rs`) accepts only what its general path, property by
/// property, accepts, with the same values: each such block of `packet` (its properties, and
/// a CONNECT's Will Properties) is given a first User Property of 300 bytes, which makes the
/// block too long for the fast path; the packet must then encode and decode back unchanged,
/// the block's own bytes following the padding's.
pub fn check_general_path(packet: &Packet) {
    let value = "p".repeat(300);
    let padding = Property::UserProperty("padding", &value);
    let pad = |properties: PropertiesRef<'_>| -> Option<Properties> {
        let bytes = properties.as_bytes();
        let fast = !bytes.is_empty()
            && bytes.len() <= 255
            && properties
                .iter()
                .all(|p| p.id() == PropertyId::UserProperty);
        if !fast {
            return None;
        }
        let padded = Properties::new(std::iter::once(padding).chain(properties.iter()))
            .expect("properties the decoder accepted are valid");
        assert!(
            padded.as_ref().as_bytes().ends_with(bytes),
            "the same block"
        );
        Some(padded)
    };
    let mut padded = packet.clone();
    let mut changed = false;
    let mut replace = |properties: &mut Properties| {
        if let Some(new) = pad(properties.as_ref()) {
            *properties = new;
            changed = true;
        }
    };
    // The packets whose properties sit inside their body, rebuilt with the padded block.
    macro_rules! rebuild {
        ($packet:expr, $name:literal) => {
            if let Some(new) = pad($packet.properties()) {
                *$packet = $packet
                    .clone()
                    .with_properties(new)
                    .expect(concat!($name, " properties"));
                changed = true;
            }
        };
    }
    match &mut padded {
        Packet::Connect(p) => {
            replace(&mut p.properties);
            if let Some(will) = &mut p.will {
                replace(&mut will.properties);
            }
        }
        Packet::ConnAck(p) => replace(&mut p.properties),
        Packet::PubAck(p) => replace(&mut p.properties),
        Packet::PubRec(p) => replace(&mut p.properties),
        Packet::PubRel(p) => replace(&mut p.properties),
        Packet::PubComp(p) => replace(&mut p.properties),
        Packet::Disconnect(p) => replace(&mut p.properties),
        Packet::Auth(p) => replace(&mut p.properties),
        Packet::Publish(p) => rebuild!(p, "PUBLISH"),
        Packet::Subscribe(p) => rebuild!(p, "SUBSCRIBE"),
        Packet::SubAck(p) => rebuild!(p, "SUBACK"),
        Packet::Unsubscribe(p) => rebuild!(p, "UNSUBSCRIBE"),
        Packet::UnsubAck(p) => rebuild!(p, "UNSUBACK"),
        Packet::PingReq | Packet::PingResp => {}
    }
    if !changed {
        return;
    }
    let bytes = Encoder::V5
        .to_bytes(&padded)
        .expect("the padded packet encodes");
    let decoder = unlimited(Protocol::V5);
    assert_eq!(
        decoder.decode_frame(bytes.clone()).as_ref(),
        Ok(&padded),
        "the general path reads the block the fast path accepted"
    );
    let borrowed = decoder.decode_frame_ref(&bytes).map(|p| p.to_owned());
    assert_eq!(
        borrowed.as_ref(),
        Ok(&padded),
        "and so does the borrowed decoder"
    );
}

/// A borrowed packet encodes as its owned copy does for every encoder: 3.1.1 (the same bytes
/// or the same error) and 5.0 peers with a Maximum Packet Size of each size from just below
/// the packet's.
fn check_borrowed_encodes_alike(borrowed: &PacketRef<'_>, owned: &Packet) {
    assert_eq!(
        Encoder::V311.to_bytes(borrowed),
        Encoder::V311.to_bytes(owned),
        "3.1.1: borrowed and owned encode alike"
    );
    let len = Encoder::V5.encoded_len(owned);
    for max in [len, len - 1, len / 2, 1] {
        let encoder = Encoder::V5.max_packet_size(max);
        assert_eq!(
            encoder.to_bytes(borrowed),
            encoder.to_bytes(owned),
            "limit {max}: borrowed and owned encode alike"
        );
        assert_eq!(encoder.encoded_len(borrowed), encoder.encoded_len(owned));
    }
}

/// The 5.0 encoding of a packet a strict 5.0 decoder accepted is the frame it came from (5.0
/// allows only the shortest Remaining Length [MQTT-1.5.5-1], so there is no other way to write
/// a header), with one exception: the packets whose body ends in an optional Reason Code and
/// Property Length (the acknowledgements of PUBLISH, DISCONNECT, AUTH) are written in their
/// shortest form, so a Reason Code 0x00 or a Property Length 0 that the sender wrote is left
/// out (sections 3.4.2.1, 3.14.2.1, 3.15.2.1).
fn assert_canonical_v5(packet: &Packet, frame: &[u8], encoded: &[u8]) {
    if encoded == frame {
        return;
    }
    let fixed = match packet {
        Packet::PubAck(_) | Packet::PubRec(_) | Packet::PubRel(_) | Packet::PubComp(_) => 2,
        Packet::Disconnect(_) | Packet::Auth(_) => 0,
        _ => panic!("5.0 re-encoding differs from the frame: {frame:02x?} -> {encoded:02x?}"),
    };
    let fh = FixedHeader::peek_v5(frame).expect("header").expect("whole");
    let eh = FixedHeader::peek_v5(encoded)
        .expect("header")
        .expect("whole");
    assert_eq!(encoded[0], frame[0], "first byte is canonical");
    let body = &frame[usize::from(fh.header_len)..];
    let enc = &encoded[usize::from(eh.header_len)..];
    let tail = enc.len() - fixed;
    assert!(
        body.starts_with(enc)
            && body.len() > enc.len()
            && body[enc.len()..].iter().all(|&b| b == 0)
            && body.len() - fixed <= 2
            && tail <= 1,
        "not the shortest form of the same tail: {frame:02x?} -> {encoded:02x?}"
    );
}

/// What a 5.0 packet is once encoded for MQTT 3.1.1 (`Encoder::V311`) and decoded there:
/// `None` when 3.1.1 cannot express it (encoding fails with `NotInV311`), else the packet
/// without what 3.1.1 cannot carry:
///
/// - every property block emptied;
/// - CONNACK: the Reason Code becomes the 3.1.1 return code of the same meaning (`None` for the
///   16 codes without one);
/// - PUBLISH: `None` without a topic name (sent with a Topic Alias alone);
/// - PUBACK, PUBREC, PUBREL, PUBCOMP: any success code becomes 0x00 (3.1.1 has no code);
///   `None` for a failure code;
/// - SUBSCRIBE: each subscription keeps its filter and QoS, the 5.0 options (No Local, Retain
///   As Published, Retain Handling) are reset;
/// - SUBACK: each code becomes its 3.1.1 return code (granted QoS, or 0x80 Failure read back as
///   0x80 Unspecified error);
/// - UNSUBACK: the Reason Codes are left out (3.1.1 has none);
/// - DISCONNECT: `None` for any Reason Code but 0x00 Normal disconnection;
/// - AUTH: `None`;
/// - CONNECT is encoded in the version its `protocol` names, whatever the encoder: it is
///   unchanged (see [`check_connect_v311`] for a 5.0 CONNECT turned into a 3.1.1 one).
pub fn v311_projection(packet: &Packet) -> Option<Packet> {
    Some(match packet {
        Packet::Connect(c) => Packet::Connect(c.clone()),
        Packet::ConnAck(c) => {
            let code = c.reason_code.to_v311_return_code()?;
            Packet::ConnAck(ConnAck {
                session_present: c.session_present,
                ..ConnAck::refused(code)
            })
        }
        Packet::Publish(p) => {
            let topic = p.topic_name()?;
            Packet::Publish(
                Publish::new(topic, p.qos_pid(), p.payload())
                    .with_dup(p.dup())
                    .with_retain(p.retain()),
            )
        }
        Packet::PubAck(a) if a.reason_code.is_success() => Packet::PubAck(PubAck::new(a.packet_id)),
        Packet::PubRec(a) if a.reason_code.is_success() => Packet::PubRec(PubRec::new(a.packet_id)),
        Packet::PubRel(a) if a.reason_code.is_success() => Packet::PubRel(PubRel::new(a.packet_id)),
        Packet::PubComp(a) if a.reason_code.is_success() => {
            Packet::PubComp(PubComp::new(a.packet_id))
        }
        Packet::PubAck(_) | Packet::PubRec(_) | Packet::PubRel(_) | Packet::PubComp(_) => {
            return None
        }
        Packet::Subscribe(s) => {
            let subs = s
                .subscriptions()
                .map(|s| Subscription::new(s.filter, s.qos));
            Packet::Subscribe(Subscribe::new(s.packet_id(), subs).expect("not empty"))
        }
        Packet::SubAck(s) => {
            let codes: Vec<SubscribeReturnCode> = s.reason_codes().map(|c| c.to_v311()).collect();
            Packet::SubAck(SubAck::new(s.packet_id(), codes))
        }
        Packet::Unsubscribe(u) => {
            Packet::Unsubscribe(Unsubscribe::new(u.packet_id(), u.filters()).expect("not empty"))
        }
        Packet::UnsubAck(u) => Packet::UnsubAck(UnsubAck::new(u.packet_id())),
        Packet::PingReq => Packet::PingReq,
        Packet::PingResp => Packet::PingResp,
        Packet::Disconnect(d) if d.reason_code == DisconnectReasonCode::NormalDisconnection => {
            Packet::Disconnect(Disconnect::new())
        }
        Packet::Disconnect(_) | Packet::Auth(_) => return None,
    })
}

/// A 5.0 packet encoded for MQTT 3.1.1 is refused (`NotInV311`) exactly when
/// [`v311_projection`] says 3.1.1 cannot express it; otherwise its bytes are those of the
/// projected packet, `encoded_len_for` says how many, and a 3.1.1 decoder reads the projection.
/// A CONNECT is also turned into a 3.1.1 one ([`check_connect_v311`]).
pub fn check_v311_projection(packet: &Packet) {
    let result = Encoder::V311.to_bytes(packet);
    match v311_projection(packet) {
        Some(expected) => {
            let bytes = match result {
                Ok(b) => b,
                Err(e) => panic!("{packet:?} does not encode for 3.1.1: {e:?}"),
            };
            assert_eq!(bytes.len(), Encoder::V311.encoded_len(packet));
            check_to_slice(&Encoder::V311, packet, &bytes);
            let projected = expected.to_bytes().expect("the projection encodes");
            assert_eq!(bytes, projected, "3.1.1 bytes are the projection's");
            let decoded = unlimited(Protocol::V311).decode_frame(bytes);
            assert_eq!(decoded, Ok(expected), "3.1.1 reads the projection");
        }
        None => match result {
            Err(e @ EncodeError::NotInV311(_)) => {
                let room = Encoder::V311
                    .encoded_len(packet)
                    .max(Encoder::V5.encoded_len(packet));
                check_to_slice_refuses(&Encoder::V311, packet, room, &e);
            }
            other => panic!("{packet:?} should not encode for 3.1.1: {other:?}"),
        },
    }
    if let Packet::Connect(connect) = packet {
        check_connect_v311(connect);
    }
}

/// A CONNECT made a 3.1.1 one (`with_protocol(Protocol::V311)`) loses its properties and Will
/// Properties; a password without a user name cannot go (`NotInV311`, [MQTT-3.1.2-22]).
pub fn check_connect_v311(connect: &Connect) {
    let v311 = connect.clone().with_protocol(Protocol::V311);
    let result = v311.to_bytes();
    let password_only = v311
        .login
        .as_ref()
        .is_some_and(|l| l.username.is_none() && l.password.is_some());
    if password_only {
        assert!(
            matches!(result, Err(EncodeError::NotInV311(_))),
            "{result:?}"
        );
        return;
    }
    let bytes = result.expect("a 3.1.1 CONNECT encodes");
    assert_eq!(bytes.len(), v311.encoded_len());
    let mut expected = v311.clone();
    expected.properties = Properties::EMPTY;
    if let Some(will) = &mut expected.will {
        will.properties = Properties::EMPTY;
    }
    if expected
        .login
        .as_ref()
        .is_some_and(|l| l.username.is_none() && l.password.is_none())
    {
        expected.login = None; // an empty login is no login on the wire
    }
    let decoded = unlimited(Protocol::V311).decode_frame(bytes);
    assert_eq!(decoded, Ok(Packet::from(expected)));
}

/// The packet with only the properties the standard lets a sender leave out to fit a
/// peer's Maximum Packet Size taken out: the Reason String and the User Properties of CONNACK,
/// the acknowledgements, SUBACK, UNSUBACK, DISCONNECT and AUTH ([MQTT-3.2.2-19],
/// [MQTT-3.4.2-2] and their siblings). The other packets are unchanged: their properties go
/// as they are or the packet does not go.
pub fn without_droppable(packet: &Packet) -> Packet {
    fn reduce(properties: PropertiesRef<'_>) -> Properties {
        let kept = properties
            .iter()
            .filter(|p| !matches!(p.id(), PropertyId::ReasonString | PropertyId::UserProperty));
        Properties::new(kept).expect("a subset of valid properties")
    }
    let mut packet = packet.clone();
    match &mut packet {
        Packet::ConnAck(p) => p.properties = reduce(p.properties.as_ref()),
        Packet::PubAck(p) => p.properties = reduce(p.properties.as_ref()),
        Packet::PubRec(p) => p.properties = reduce(p.properties.as_ref()),
        Packet::PubRel(p) => p.properties = reduce(p.properties.as_ref()),
        Packet::PubComp(p) => p.properties = reduce(p.properties.as_ref()),
        Packet::Disconnect(p) => p.properties = reduce(p.properties.as_ref()),
        Packet::Auth(p) => p.properties = reduce(p.properties.as_ref()),
        Packet::SubAck(p) => {
            let properties = reduce(p.properties());
            *p = p.clone().with_properties(properties).expect("allowed");
        }
        Packet::UnsubAck(p) => {
            let properties = reduce(p.properties());
            *p = p.clone().with_properties(properties).expect("allowed");
        }
        _ => {}
    }
    packet
}

/// Encoding for a 5.0 peer whose Maximum Packet Size is `max` never writes more than `max`
/// bytes: the packet goes whole if it fits, else without its Reason String and User Properties
/// where the standard allows that ([`without_droppable`]) if that fits, else not at all
/// (`ExceedsMaximumPacketSize`), and nothing is written. `encoded_len_for` is exact for what
/// goes.
pub fn check_limit_v5(packet: &Packet, max: usize) {
    let encoder = Encoder::V5.max_packet_size(max);
    let full = Encoder::V5
        .to_bytes(packet)
        .expect("a valid 5.0 packet encodes");
    let mut buf = Vec::new();
    match encoder.encode(packet, &mut buf) {
        Ok(()) => {
            assert!(
                buf.len() <= max,
                "{} bytes written for a Maximum Packet Size of {max}: {packet:?}",
                buf.len()
            );
            assert_eq!(
                buf.len(),
                encoder.encoded_len(packet),
                "encoded_len_for is exact"
            );
            check_to_slice(&encoder, packet, &buf);
            if full.len() <= max {
                assert_eq!(&buf[..], &full[..], "a packet that fits goes whole");
            } else {
                let decoded = unlimited(Protocol::V5).decode_frame(Bytes::from(buf));
                assert_eq!(
                    decoded,
                    Ok(without_droppable(packet)),
                    "only what may go is left out"
                );
            }
        }
        Err(e @ EncodeError::ExceedsMaximumPacketSize { size, max: limit }) => {
            assert!(buf.is_empty(), "nothing written on error");
            check_to_slice_refuses(&encoder, packet, full.len(), &e);
            assert_eq!(limit, max);
            assert!(size > max && full.len() > max, "{packet:?} fits {max}");
            let reduced = Encoder::V5
                .encoded_len(&without_droppable(packet))
                .min(full.len());
            assert!(
                reduced > max,
                "{packet:?} reduced to {reduced} bytes fits {max}"
            );
        }
        Err(e) => panic!("unexpected {e:?} for a limit of {max}: {packet:?}"),
    }
}

/// A decoded 5.0 PUBLISH forwarded as a server does: to a 3.1.1 subscriber (the projection,
/// which read back and given the properties again is the message), and to 5.0 subscribers at
/// each QoS with a new packet identifier, keeping topic, properties and payload, as the same
/// message built afresh.
pub fn check_forwarded_v5(publish: &Publish) {
    let properties = publish.properties().to_owned();
    match v311_projection(&Packet::Publish(publish.clone())) {
        Some(Packet::Publish(v311)) => {
            assert!(v311.properties().is_empty());
            let back = v311
                .clone()
                .with_properties(properties.clone())
                .expect("PUBLISH properties");
            assert_eq!(&back, publish, "3.1.1 and back, the properties given again");
            assert_eq!(Encoder::V5.to_bytes(&back), Encoder::V5.to_bytes(publish));
            let v5 = Encoder::V5.to_bytes(&v311).expect("encodes");
            assert_eq!(
                unlimited(Protocol::V5).decode_frame(v5),
                Ok(Packet::Publish(v311))
            );
        }
        Some(other) => panic!("a PUBLISH projected to {other:?}"),
        None => {
            assert!(publish.topic().is_empty());
            assert!(publish.properties().topic_alias().is_some());
            // Once the receiver has looked the alias up, the message has a topic again.
            let named = publish
                .clone()
                .with_topic(&TopicName::from_static("alias/t").expect("valid"));
            assert_eq!(named.topic(), "alias/t");
            assert_eq!(named.properties(), publish.properties());
            assert_eq!(named.payload(), publish.payload());
            assert!(Encoder::V311.to_bytes(&named).is_ok());
        }
    }
    let next = publish
        .packet_id()
        .map_or(1, |id| id.get().wrapping_add(1).max(1));
    let id = PacketId::new(next).expect("not zero");
    for qos in [
        QosPid::AtMostOnce,
        QosPid::AtLeastOnce(id),
        QosPid::ExactlyOnce(id),
    ] {
        let mut forwarded = publish.clone();
        forwarded.set_qos(qos);
        forwarded.set_dup(publish.dup() && qos != QosPid::AtMostOnce);
        let topic =
            TopicName::new(publish.topic()).unwrap_or(TopicName::from_static("x").expect("valid"));
        let mut fresh = Publish::new(topic, qos, publish.payload())
            .with_properties(properties.clone())
            .expect("PUBLISH properties");
        if publish.topic().is_empty() {
            fresh = fresh.without_topic().expect("a Topic Alias is there");
        }
        fresh.set_dup(forwarded.dup());
        fresh.set_retain(forwarded.retain());
        assert_eq!(forwarded, fresh, "same fields");
        assert_eq!(
            Encoder::V5.to_bytes(&forwarded),
            Encoder::V5.to_bytes(&fresh),
            "same bytes"
        );
        let bytes = Encoder::V5.to_bytes(&forwarded).expect("encodes");
        assert_eq!(
            unlimited(Protocol::V5).decode_frame(bytes),
            Ok(Packet::Publish(forwarded))
        );
    }
}

/// The `roundtrip_v5` target: a valid 5.0 packet with properties built from the bytes, encoded
/// for 5.0 and decoded back every way, for 3.1.1 where it can be, and for a peer's Maximum
/// Packet Size taken from the input.
pub fn check_roundtrip_v5(data: &[u8]) {
    let mut src = Source::new(data);
    let packet = src.packet_v5();
    let cut_seed = usize::from(src.u16());
    let max = src.u32() as usize;
    check_packet_v5(&packet, cut_seed);
    check_v311_projection(&packet);
    let len = Encoder::V5.encoded_len(&packet);
    for max in [max % (len + 2), max, len, len - 1, 1] {
        check_limit_v5(&packet, max);
    }
    if let Packet::Publish(publish) = &packet {
        check_forwarded_v5(publish);
    }
}

/// The 5.0 counterpart of [`check_packet`]: every encoding path for 5.0 gives the same
/// exact-length bytes, which the owned decoder (whole, streamed, not before the last byte) and
/// the borrowed one decode back to `packet`; a too-small slice is refused untouched.
pub fn check_packet_v5(packet: &Packet, cut_seed: usize) {
    let encoder = Encoder::V5;
    let encoded = match encoder.to_bytes(packet) {
        Ok(b) => b,
        Err(e) => panic!("valid 5.0 packet does not encode: {e:?}: {packet:?}"),
    };
    let len = encoder.encoded_len(packet);
    assert_eq!(encoded.len(), len, "encoded_len_for is exact");
    let mut vec = Vec::new();
    encoder.encode(packet, &mut vec).expect("Vec has room");
    assert_eq!(&vec[..], &encoded[..], "Vec and BytesMut encodings agree");

    let decoder = unlimited(Protocol::V5);
    assert_eq!(decoder.decode_frame(encoded.clone()).as_ref(), Ok(packet));
    let mut buf = BytesMut::from(&encoded[..]);
    assert_eq!(decoder.decode(&mut buf), Ok(Some(packet.clone())));
    assert!(buf.is_empty(), "exactly one frame consumed");
    match decoder.decode_ref(&encoded) {
        Ok(Some((borrowed, consumed))) => {
            assert_eq!(consumed, len);
            assert_eq!(&borrowed.to_owned(), packet, "borrowed and owned agree");
            assert_eq!(encoder.to_bytes(&borrowed).as_ref(), Ok(&encoded));
            check_to_slice(&encoder, &borrowed, &encoded);
            check_borrowed_encodes_alike(&borrowed, packet);
        }
        other => panic!("decode_ref: {other:?}"),
    }
    let framed = decoder.decode_frame_ref(&encoded).map(|p| p.to_owned());
    assert_eq!(framed.as_ref(), Ok(packet));

    let cut = cut_seed % len;
    let mut partial = BytesMut::from(&encoded[..cut]);
    assert_eq!(
        decoder.decode(&mut partial),
        Ok(None),
        "prefix of {cut} bytes"
    );
    assert_eq!(&partial[..], &encoded[..cut]);
    assert_eq!(decoder.decode_ref(&encoded[..cut]), Ok(None));

    let mut small = vec![0xa5u8; len - 1 - cut_seed % len.min(8)];
    let available = small.len();
    assert_eq!(
        encoder.encode(packet, &mut &mut small[..]),
        Err(EncodeError::BufferTooSmall {
            needed: len,
            available
        })
    );
    assert!(small.iter().all(|&b| b == 0xa5), "nothing written on error");
    let mut exact = vec![0u8; len];
    encoder
        .encode(packet, &mut &mut exact[..])
        .expect("exact room");
    assert_eq!(&exact[..], &encoded[..]);
    check_to_slice(&encoder, packet, &encoded);
    check_general_path(packet);
}

/// A property value read from the fuzzer's bytes, owned, before it becomes a [`Property`]
/// that borrows it.
enum Value {
    Num(u32),
    Text(String),
    Pair(String, String),
    Binary(Vec<u8>),
}

impl Value {
    /// The property `id` with this value (of the type [`Source::value`] made for `id`).
    fn property(&self, id: PropertyId) -> Property<'_> {
        let num = || match self {
            Value::Num(n) => *n,
            _ => 0,
        };
        let text = || match self {
            Value::Text(s) => s.as_str(),
            _ => "",
        };
        let binary = || match self {
            Value::Binary(b) => &b[..],
            _ => &[][..],
        };
        let flag = || num() != 0;
        // Truncations cannot happen: `value` made each number within its type.
        match id {
            PropertyId::PayloadFormatIndicator => Property::PayloadFormatIndicator(if flag() {
                PayloadFormat::Utf8
            } else {
                PayloadFormat::Unspecified
            }),
            PropertyId::MessageExpiryInterval => Property::MessageExpiryInterval(num()),
            PropertyId::ContentType => Property::ContentType(text()),
            PropertyId::ResponseTopic => Property::ResponseTopic(text()),
            PropertyId::CorrelationData => Property::CorrelationData(binary()),
            PropertyId::SubscriptionIdentifier => Property::SubscriptionIdentifier(num()),
            PropertyId::SessionExpiryInterval => Property::SessionExpiryInterval(num()),
            PropertyId::AssignedClientIdentifier => Property::AssignedClientIdentifier(text()),
            PropertyId::ServerKeepAlive => Property::ServerKeepAlive(num() as u16),
            PropertyId::AuthenticationMethod => Property::AuthenticationMethod(text()),
            PropertyId::AuthenticationData => Property::AuthenticationData(binary()),
            PropertyId::RequestProblemInformation => Property::RequestProblemInformation(flag()),
            PropertyId::WillDelayInterval => Property::WillDelayInterval(num()),
            PropertyId::RequestResponseInformation => Property::RequestResponseInformation(flag()),
            PropertyId::ResponseInformation => Property::ResponseInformation(text()),
            PropertyId::ServerReference => Property::ServerReference(text()),
            PropertyId::ReasonString => Property::ReasonString(text()),
            PropertyId::ReceiveMaximum => Property::ReceiveMaximum(num() as u16),
            PropertyId::TopicAliasMaximum => Property::TopicAliasMaximum(num() as u16),
            PropertyId::TopicAlias => Property::TopicAlias(num() as u16),
            PropertyId::MaximumQos => Property::MaximumQos(if flag() {
                QoS::AtLeastOnce
            } else {
                QoS::AtMostOnce
            }),
            PropertyId::RetainAvailable => Property::RetainAvailable(flag()),
            PropertyId::UserProperty => match self {
                Value::Pair(name, value) => Property::UserProperty(name, value),
                _ => Property::UserProperty("", ""),
            },
            PropertyId::MaximumPacketSize => Property::MaximumPacketSize(num()),
            PropertyId::WildcardSubscriptionAvailable => {
                Property::WildcardSubscriptionAvailable(flag())
            }
            PropertyId::SubscriptionIdentifierAvailable => {
                Property::SubscriptionIdentifierAvailable(flag())
            }
            PropertyId::SharedSubscriptionAvailable => {
                Property::SharedSubscriptionAvailable(flag())
            }
        }
    }
}

/// Every value of a per-packet Reason Code type, in increasing order.
fn all_codes<T>(from_byte: fn(u8) -> Option<T>) -> Vec<T> {
    (0..=255u8).filter_map(from_byte).collect()
}

/// Whether a `$share/` topic filter has the form of section 4.8.2: a non-empty ShareName
/// without `/`, `+` or `#`, then `/` and a filter of at least one character. (Written here
/// from the standard, apart from the crate's check.)
fn well_formed_share(filter: &str) -> bool {
    let Some(rest) = filter.strip_prefix("$share/") else {
        return true;
    };
    match rest.split_once('/') {
        Some((name, filter)) => {
            !name.is_empty() && !name.contains(['+', '#']) && !filter.is_empty()
        }
        None => false,
    }
}

impl Source<'_> {
    fn u32(&mut self) -> u32 {
        u32::from_be_bytes([self.u8(), self.u8(), self.u8(), self.u8()])
    }

    /// A number, often one of the edges of its range (`min`, `max`), else any in it.
    fn number(&mut self, min: u32, max: u32) -> u32 {
        match self.u8() % 4 {
            0 => min,
            1 => max,
            // Truncation cannot happen: the result is at most `max`.
            _ => (u64::from(min) + u64::from(self.u32()) % (u64::from(max - min) + 1)) as u32,
        }
    }

    /// A value of property `id`'s type within its range.
    fn value(&mut self, id: PropertyId) -> Value {
        match id {
            PropertyId::ResponseTopic => Value::Text(self.topic_name().as_str().to_owned()),
            PropertyId::UserProperty => Value::Pair(self.text(), self.text()),
            PropertyId::ReceiveMaximum | PropertyId::TopicAlias => {
                Value::Num(self.number(1, u32::from(u16::MAX)))
            }
            PropertyId::MaximumPacketSize => Value::Num(self.number(1, u32::MAX)),
            PropertyId::SubscriptionIdentifier => Value::Num(self.number(1, 268_435_455)),
            _ => match id.value_type() {
                ValueType::Byte => Value::Num(u32::from(self.bool())),
                ValueType::TwoByteInteger => Value::Num(self.number(0, u32::from(u16::MAX))),
                ValueType::FourByteInteger | ValueType::VariableByteInteger => {
                    Value::Num(self.number(0, u32::MAX))
                }
                ValueType::String | ValueType::StringPair => Value::Text(self.text()),
                ValueType::BinaryData => Value::Binary(self.blob()),
            },
        }
    }

    /// Up to 7 properties that `set` may carry (User Properties and, in PUBLISH, Subscription
    /// Identifiers possibly several times), with an Authentication Method wherever there is
    /// Authentication Data, in an AUTH that has properties, and wherever `method` asks for one.
    fn properties(&mut self, set: PropertySet, mut method: bool) -> Properties {
        let allowed: Vec<PropertyId> = PropertyId::ALL
            .into_iter()
            .filter(|id| id.allowed_in(set))
            .collect();
        let mut values: Vec<(PropertyId, Value)> = Vec::new();
        for _ in 0..self.u8() % 8 {
            let id = allowed[usize::from(self.u8()) % allowed.len()];
            if values.iter().any(|(i, _)| *i == id) && !id.may_repeat_in(set) {
                continue;
            }
            let value = self.value(id);
            values.push((id, value));
        }
        let has = |values: &[(PropertyId, Value)], id| values.iter().any(|(i, _)| *i == id);
        // An AUTH with any property names its method (section 3.15.2.2.2).
        method |= has(&values, PropertyId::AuthenticationData)
            || (set == PropertySet::Auth && !values.is_empty());
        if method && !has(&values, PropertyId::AuthenticationMethod) {
            let name = self.text();
            values.insert(0, (PropertyId::AuthenticationMethod, Value::Text(name)));
        }
        let properties = values.iter().map(|(id, v)| v.property(*id));
        match Properties::new(properties) {
            Ok(p) => p,
            Err(e) => panic!("the builder made invalid {set:?} properties: {e:?}"),
        }
    }

    /// A topic filter that is valid in 5.0 too: a `$share/` filter of the right form (now and
    /// then made one on purpose), else a plain one.
    fn topic_filter_v5(&mut self) -> TopicFilter {
        let filter = self.topic_filter();
        let shared = if self.u8() % 4 == 0 {
            let name: String = self
                .text()
                .chars()
                .filter(|c| !matches!(c, '/' | '+' | '#'))
                .collect();
            let name = if name.is_empty() {
                "g".to_owned()
            } else {
                name
            };
            TopicFilter::new(&format!("$share/{name}/{}", filter.as_str())).ok()
        } else {
            None
        };
        match shared {
            Some(f) => f,
            None if well_formed_share(filter.as_str()) => filter,
            None => TopicFilter::from_static("$share/g/#").expect("valid"),
        }
    }

    fn login_v5(&mut self) -> Option<Login> {
        Some(match self.u8() % 4 {
            0 => return None,
            1 => Login::new(MqttString::new(&self.text()).expect("valid")),
            2 => {
                Login::new(MqttString::new(&self.text()).expect("valid")).with_password(self.blob())
            }
            _ => Login::password_only(self.blob()),
        })
    }

    /// Builds a valid MQTT 5.0 packet of any of the 15 types, with properties, from the bytes.
    pub fn packet_v5(&mut self) -> Packet {
        match self.u8() % 15 {
            0 => {
                let client_id = MqttString::new(&self.text()).expect("valid");
                let mut c = Connect::new(client_id)
                    .with_protocol(Protocol::V5)
                    .with_clean_session(self.bool())
                    .with_keep_alive(self.u16());
                c.properties = self.properties(PropertySet::Connect, false);
                if self.bool() {
                    c.will = Some(
                        Will::new(self.topic_name(), self.qos(), self.blob())
                            .with_retain(self.bool())
                            .with_properties(self.properties(PropertySet::Will, false)),
                    );
                }
                c.login = self.login_v5();
                Packet::from(c)
            }
            1 => {
                let codes = all_codes(ConnectReasonCode::from_byte);
                let code = codes[usize::from(self.u8()) % codes.len()];
                let session_present = code.is_success() && self.bool();
                Packet::ConnAck(ConnAck {
                    session_present,
                    reason_code: code,
                    properties: self.properties(PropertySet::ConnAck, false),
                })
            }
            2 => {
                let qos = match self.u8() % 3 {
                    0 => QosPid::AtMostOnce,
                    1 => QosPid::AtLeastOnce(self.packet_id()),
                    _ => QosPid::ExactlyOnce(self.packet_id()),
                };
                let dup = qos != QosPid::AtMostOnce && self.bool();
                let retain = self.bool();
                let topic = self.topic_name();
                let properties = self.properties(PropertySet::Publish, false);
                let mut publish = Publish::new(topic, qos, self.blob())
                    .with_dup(dup)
                    .with_retain(retain)
                    .with_properties(properties)
                    .expect("PUBLISH properties");
                if publish.properties().topic_alias().is_some() && self.bool() {
                    publish = publish.without_topic().expect("a Topic Alias is there");
                }
                Packet::Publish(publish)
            }
            t @ 3..=4 => {
                let id = self.packet_id();
                let codes = all_codes(PubAckReasonCode::from_byte);
                let code = codes[usize::from(self.u8()) % codes.len()];
                if t == 3 {
                    let properties = self.properties(PropertySet::PubAck, false);
                    Packet::PubAck(
                        PubAck::new(id)
                            .with_reason_code(code)
                            .with_properties(properties),
                    )
                } else {
                    let properties = self.properties(PropertySet::PubRec, false);
                    Packet::PubRec(
                        PubRec::new(id)
                            .with_reason_code(code)
                            .with_properties(properties),
                    )
                }
            }
            t @ 5..=6 => {
                let id = self.packet_id();
                let codes = all_codes(PubRelReasonCode::from_byte);
                let code = codes[usize::from(self.u8()) % codes.len()];
                if t == 5 {
                    let properties = self.properties(PropertySet::PubRel, false);
                    Packet::PubRel(
                        PubRel::new(id)
                            .with_reason_code(code)
                            .with_properties(properties),
                    )
                } else {
                    let properties = self.properties(PropertySet::PubComp, false);
                    Packet::PubComp(
                        PubComp::new(id)
                            .with_reason_code(code)
                            .with_properties(properties),
                    )
                }
            }
            7 => {
                let id = self.packet_id();
                let n = usize::from(self.u8() % 32) + 1;
                let subs: Vec<_> = (0..n)
                    .map(|_| {
                        let filter = self.topic_filter_v5();
                        let shared = filter.as_str().starts_with("$share/");
                        let handling = RetainHandling::from_bits(self.u8() % 3).expect("0..3");
                        Subscription::new(filter, self.qos())
                            .with_no_local(!shared && self.bool())
                            .with_retain_as_published(self.bool())
                            .with_retain_handling(handling)
                    })
                    .collect();
                let properties = self.properties(PropertySet::Subscribe, false);
                let subscribe = Subscribe::new(id, subs).expect("at least one");
                Packet::Subscribe(subscribe.with_properties(properties).expect("allowed"))
            }
            8 => {
                let id = self.packet_id();
                let all = all_codes(SubAckReasonCode::from_byte);
                let n = usize::from(self.u8()) + 1;
                let codes: Vec<_> = (0..n)
                    .map(|_| all[usize::from(self.u8()) % all.len()])
                    .collect();
                let properties = self.properties(PropertySet::SubAck, false);
                let suback = SubAck::new(id, codes).with_properties(properties);
                Packet::SubAck(suback.expect("allowed"))
            }
            9 => {
                let id = self.packet_id();
                let n = usize::from(self.u8() % 32) + 1;
                let filters: Vec<_> = (0..n).map(|_| self.topic_filter_v5()).collect();
                let properties = self.properties(PropertySet::Unsubscribe, false);
                let unsubscribe = Unsubscribe::new(id, filters).expect("at least one");
                Packet::Unsubscribe(unsubscribe.with_properties(properties).expect("allowed"))
            }
            10 => {
                let id = self.packet_id();
                let all = all_codes(UnsubAckReasonCode::from_byte);
                let n = usize::from(self.u8()) + 1;
                let codes: Vec<_> = (0..n)
                    .map(|_| all[usize::from(self.u8()) % all.len()])
                    .collect();
                let properties = self.properties(PropertySet::UnsubAck, false);
                let unsuback = UnsubAck::new(id).with_reason_codes(codes);
                Packet::UnsubAck(unsuback.with_properties(properties).expect("allowed"))
            }
            11 => Packet::PingReq,
            12 => Packet::PingResp,
            13 => {
                let codes = all_codes(DisconnectReasonCode::from_byte);
                let code = codes[usize::from(self.u8()) % codes.len()];
                let properties = self.properties(PropertySet::Disconnect, false);
                Packet::Disconnect(
                    Disconnect::new()
                        .with_reason_code(code)
                        .with_properties(properties),
                )
            }
            _ => {
                let codes = all_codes(AuthReasonCode::from_byte);
                let code = codes[usize::from(self.u8()) % codes.len()];
                // Only the empty AUTH (Success, no properties) goes without a method.
                let method = code != AuthReasonCode::Success || self.bool();
                let properties = self.properties(PropertySet::Auth, method);
                Packet::Auth(Auth::new(code).with_properties(properties))
            }
        }
    }
}
