//! The checks the fuzz targets run, shared by `tests/fuzz_replay.rs` and the fuzz crate (both
//! include this file with `#[path]`) so that stable `cargo test` replays the seeds and regressions through exactly
//! the same assertions as libFuzzer does. Depends on `mqttwire` and `bytes` only.
//!
//! Every function panics (assert) when the crate misbehaves, and returns normally otherwise.

use bytes::{Bytes, BytesMut};
use mqttwire::{
    ConnAck, Connect, ConnectReturnCode, DecodeError, Decoder, Encode, EncodeError, FixedHeader,
    Login, MqttString, Packet, PacketId, Properties, Protocol, PubAck, PubComp, PubRec, PubRel,
    Publish, QoS, QosPid, SubAck, Subscribe, SubscribeReturnCode, Subscription, TopicFilter,
    TopicName, UnsubAck, Unsubscribe, Will, MAX_STRING_LEN,
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

/// Whether `decoder` is the strict one, whose accepted frames must re-encode byte for byte.
fn is_strict(decoder: &Decoder) -> bool {
    *decoder == Decoder::new().max_packet_size(decoder.max_packet_size_limit())
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
                if let Ok(Some(h)) = FixedHeader::peek(&before) {
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
    let encoded = match packet.to_bytes() {
        Ok(b) => b,
        Err(e) => panic!("decoded packet does not encode: {e:?}: {packet:?}"),
    };
    assert_eq!(encoded.len(), packet.encoded_len(), "encoded_len is exact");
    let again = Decoder::new()
        .max_packet_size(Decoder::PROTOCOL_MAX_PACKET_SIZE)
        .decode_frame(encoded.clone());
    assert_eq!(again.as_ref(), Ok(packet), "decode(encode(p)) == p");
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
    // A small limit only cuts the stream short: it decodes a prefix of what the default one
    // does, and stops with PacketTooLarge where they part.
    let big = decode_whole(&Decoder::new(), data);
    let small = decode_whole(&Decoder::new().max_packet_size(64), data);
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
            _ => Packet::Disconnect(mqttwire::Disconnect::new()),
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
}
