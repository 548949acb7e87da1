//! One runner per (codec, operation): untimed `setup`, timed `run`, then checks.
//!
//! Decoders start every run from a fresh copy of the corpus in the input type the codec
//! takes (`bytes::BytesMut`, `ntex_bytes::BytesMut`, a slice), made in `setup`. Encoders
//! encode the packets that their own decoder made from the corpus, into an output buffer that
//! is reused across runs, so that the bytes they write can be compared with the corpus. The
//! copy of the corpus those packets were decoded from is placed at a fixed distance from the
//! output buffer ([`source_copy`]).

use crate::corpus::{frame_len, Corpus};
use std::hint::black_box;

/// What one run did, for the checks.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Packets decoded or encoded (topic matching: pairs matched against each other).
    pub packets: usize,
    /// Bytes consumed or written (topic matching: how many pairs matched).
    pub bytes: usize,
    /// The first error the codec reported, if any.
    pub error: Option<String>,
}

pub trait Runner {
    /// Untimed preparation before each run.
    fn setup(&mut self) {}
    /// The measured work.
    fn run(&mut self) -> Outcome;
    /// Encoders: the bytes the last run wrote.
    fn output(&self) -> Option<Vec<u8>> {
        None
    }
    /// Releases what `setup` made, so that idle runners do not hold large buffers.
    fn teardown(&mut self) {}
}

pub const CODECS: [&str; 7] = [
    "mqttwire",
    "mqttwire-ref",
    "mqttrs",
    "rumqttc",
    "mqttbytes",
    "mqtt-protocol",
    "ntex-mqtt",
];
pub const BASELINES: [&str; 4] = ["memcpy", "frame-walk", "frame-share", "frame-copy"];
pub const OPS: [&str; 2] = ["decode", "encode"];
/// Codecs with a topic matcher (mqttrs has none).
pub const MATCHERS: [&str; 5] = [
    "mqttwire",
    "rumqttc",
    "mqttbytes",
    "mqtt-protocol",
    "ntex-mqtt",
];

const MAX: usize = 1 << 28;

/// How far, modulo a 4 KiB page, an encoder's input starts after its output buffer.
const SOURCE_SKEW: usize = 2048 + 64;
const PAGE: usize = 4096;

/// A copy of `bytes` for an encoder's decoder to read, in a new allocation, and where in it the
/// copy starts: `SOURCE_SKEW` bytes after the page offset of `out`, the encoder's output.
///
/// Encoding gives back the corpus byte for byte, so a codec whose decoded payloads point into
/// its input (mqttwire, mqttrs, rumqttc, mqttbytes) copies each payload from offset k of the
/// input to offset k of the output. If both buffers start at the same offset in a 4 KiB page,
/// as large allocations from `mmap` tend to, each load of those copies has the low 12 address
/// bits of a store just made, and the processor holds it back ("4K aliasing"): mqttwire's
/// telemetry-mix encode measured 37 ns/packet so, 28 ns with its input moved by 64, 1,088 or
/// 2,048 bytes (benches/NOTES.md). Codecs that copy payloads into their own small allocations
/// escape it by chance. Real programs have no such coincidence, so every encoder gets its
/// input at the same distance from its output, one that never aliases.
pub(crate) fn source_copy(bytes: &[u8], out: *const u8) -> (Vec<u8>, usize) {
    let mut storage = vec![0u8; bytes.len() + PAGE];
    let start = skewed_start(storage.as_ptr(), out);
    storage[start..start + bytes.len()].copy_from_slice(bytes);
    (storage, start)
}

/// Where in an allocation at `base` a copy must start to be `SOURCE_SKEW` bytes after `out`
/// in a page.
fn skewed_start(base: *const u8, out: *const u8) -> usize {
    (out as usize)
        .wrapping_add(SOURCE_SKEW)
        .wrapping_sub(base as usize)
        % PAGE
}

/// [`source_copy`] as a `bytes::BytesMut` holding just the copy.
pub(crate) fn source_bytes_mut(bytes: &[u8], out: *const u8) -> bytes::BytesMut {
    let mut buf = bytes::BytesMut::with_capacity(bytes.len() + PAGE);
    let start = skewed_start(buf.as_ptr(), out);
    buf.resize(start, 0);
    buf.extend_from_slice(bytes);
    bytes::Buf::advance(&mut buf, start);
    buf
}

/// [`source_copy`], leaked, for the codecs whose packets borrow their input.
fn source_static(bytes: &[u8], out: *const u8) -> &'static [u8] {
    let (storage, start) = source_copy(bytes, out);
    &Box::leak(storage.into_boxed_slice())[start..start + bytes.len()]
}

pub(crate) fn outcome(packets: usize, bytes: usize, error: Option<String>) -> Outcome {
    Outcome {
        packets,
        bytes,
        error,
    }
}

/// A runner for `codec` doing `op` on `corpus`, or why there is none.
pub fn make(codec: &str, op: &str, corpus: &'static Corpus) -> Result<Box<dyn Runner>, String> {
    // The MQTT 5.0 corpora: mqttwire's runners, the baselines and the peers' 5.0 codecs.
    let own = matches!(
        codec,
        "memcpy" | "frame-copy" | "frame-walk" | "frame-share"
    ) || codec.starts_with("mqttwire")
        || codec.starts_with("baseline");
    if corpus.v5 && !own {
        return crate::codecs_v5::make(codec, op, corpus);
    }
    Ok(match (codec, op) {
        ("memcpy", _) => Box::new(Memcpy {
            corpus,
            dst: vec![0; corpus.bytes.len()],
        }),
        ("frame-copy", "encode") => Box::new(FrameCopy::new(corpus)),
        ("frame-share", "decode") => Box::new(FrameShare {
            corpus,
            buf: Default::default(),
        }),
        ("frame-walk", "decode") => Box::new(FrameWalk {
            corpus,
            buf: Vec::new(),
        }),
        ("mqttwire", "decode") => Box::new(wire::Decode::new(corpus)),
        ("mqttwire" | "mqttwire-twin", "encode") if corpus.v5 => {
            Box::new(wire::Encode::<bytes::BytesMut, true>::new(corpus)?)
        }
        ("mqttwire" | "mqttwire-twin", "encode") => {
            Box::new(wire::Encode::<bytes::BytesMut>::new(corpus)?)
        }
        ("mqttwire-vec", "encode") if corpus.v5 => {
            Box::new(wire::Encode::<Vec<u8>, true>::new(corpus)?)
        }
        ("mqttwire-vec", "encode") => Box::new(wire::Encode::<Vec<u8>>::new(corpus)?),
        ("mqttwire-ref", "decode") => Box::new(wire::DecodeRef::new(corpus)),
        ("mqttwire-ref", "encode") if corpus.v5 => Box::new(wire::EncodeRef::<true>::new(corpus)?),
        ("mqttwire-ref", "encode") => Box::new(wire::EncodeRef::<false>::new(corpus)?),
        #[cfg(feature = "baseline")]
        ("baseline", "decode") => Box::new(baseline::wire::Decode::new(corpus)),
        #[cfg(feature = "baseline")]
        ("baseline" | "baseline-twin", "encode") if corpus.v5 => Box::new(
            baseline::wire::Encode::<bytes::BytesMut, true>::new(corpus)?,
        ),
        #[cfg(feature = "baseline")]
        ("baseline" | "baseline-twin", "encode") => {
            Box::new(baseline::wire::Encode::<bytes::BytesMut>::new(corpus)?)
        }
        #[cfg(feature = "baseline")]
        ("baseline-ref", "decode") => Box::new(baseline::wire::DecodeRef::new(corpus)),
        #[cfg(feature = "baseline")]
        ("baseline-ref", "encode") if corpus.v5 => {
            Box::new(baseline::wire::EncodeRef::<true>::new(corpus)?)
        }
        #[cfg(feature = "baseline")]
        ("baseline-ref", "encode") => Box::new(baseline::wire::EncodeRef::<false>::new(corpus)?),
        ("mqttrs", "decode") => Box::new(mqttrs_impl::Decode {
            corpus,
            buf: Vec::new(),
        }),
        ("mqttrs", "encode") => Box::new(mqttrs_impl::Encode::new(corpus)?),
        ("rumqttc", "decode") => Box::new(rumqttc_impl::Decode {
            corpus,
            buf: Default::default(),
        }),
        ("rumqttc", "encode") => Box::new(rumqttc_impl::Encode::new(corpus)?),
        ("mqttbytes", "decode") => Box::new(mqttbytes_impl::Decode {
            corpus,
            buf: Default::default(),
        }),
        ("mqttbytes", "encode") => Box::new(mqttbytes_impl::Encode::new(corpus)?),
        ("mqtt-protocol", "decode") => Box::new(mqtt_protocol_impl::Decode {
            corpus,
            buf: Vec::new(),
        }),
        ("mqtt-protocol", "encode") => Box::new(mqtt_protocol_impl::Encode::new(corpus)?),
        ("ntex-mqtt", "decode") => Box::new(ntex_impl::Decode::new(corpus)),
        ("ntex-mqtt", "encode") => Box::new(ntex_impl::Encode::new(corpus)?),
        _ => return Err(format!("no runner for {codec} {op}")),
    })
}

/// Copies the corpus: the cost of touching every byte once.
struct Memcpy {
    corpus: &'static Corpus,
    dst: Vec<u8>,
}

impl Runner for Memcpy {
    fn run(&mut self) -> Outcome {
        self.dst.copy_from_slice(&self.corpus.bytes);
        black_box(&mut self.dst);
        outcome(self.corpus.packets, self.dst.len(), None)
    }
}

/// Copies the corpus frame by frame into a reused buffer, one `extend_from_slice` per frame,
/// from a source placed as the encoders' are: what an encoder that knew each packet's bytes
/// already would still do (small copies into a buffer that grows by the frame).
struct FrameCopy {
    frames: Vec<&'static [u8]>,
    out: Vec<u8>,
}

impl FrameCopy {
    fn new(corpus: &'static Corpus) -> Self {
        let out = Vec::with_capacity(corpus.bytes.len());
        let source = source_static(&corpus.bytes, out.as_ptr());
        let mut frames = Vec::with_capacity(corpus.packets);
        let mut rest = source;
        while let Some(len) = frame_len(rest) {
            let (frame, tail) = rest.split_at(len);
            frames.push(frame);
            rest = tail;
        }
        FrameCopy { frames, out }
    }
}

impl Runner for FrameCopy {
    fn setup(&mut self) {
        self.out.clear();
    }
    fn run(&mut self) -> Outcome {
        for frame in &self.frames {
            self.out.extend_from_slice(black_box(frame));
        }
        outcome(self.frames.len(), self.out.len(), None)
    }
    fn output(&self) -> Option<Vec<u8>> {
        Some(self.out.clone())
    }
}

/// Splits each frame off the buffer as a `bytes::Bytes` sharing it, and drops it: the least an
/// owned decoder whose packets share the received buffer does (one atomic reference count
/// increment and one decrement per packet), without reading the bodies.
struct FrameShare {
    corpus: &'static Corpus,
    buf: bytes::BytesMut,
}

impl Runner for FrameShare {
    fn setup(&mut self) {
        self.buf = bytes::BytesMut::from(&self.corpus.bytes[..]);
    }
    fn run(&mut self) -> Outcome {
        let (mut pos, mut n) = (0, 0);
        while let Some(len) = frame_len(&self.buf) {
            if len > self.buf.len() {
                return outcome(n, pos, Some("incomplete frame".into()));
            }
            let frame = self.buf.split_to(len).freeze();
            black_box(&frame);
            pos += len;
            n += 1;
        }
        outcome(n, pos, None)
    }
    fn teardown(&mut self) {
        self.buf = bytes::BytesMut::new();
    }
}

/// Reads each fixed header and skips the body: the least any decoder must do.
struct FrameWalk {
    corpus: &'static Corpus,
    buf: Vec<u8>,
}

impl Runner for FrameWalk {
    fn setup(&mut self) {
        self.buf = self.corpus.bytes.clone();
    }
    fn run(&mut self) -> Outcome {
        let data = black_box(&self.buf[..]);
        let (mut pos, mut n) = (0, 0);
        while pos < data.len() {
            match frame_len(&data[pos..]) {
                Some(len) => {
                    black_box(data[pos]);
                    pos += len;
                    n += 1;
                }
                None => return outcome(n, pos, Some("bad frame".into())),
            }
        }
        outcome(n, pos, None)
    }
    fn teardown(&mut self) {
        self.buf = Vec::new();
    }
}

/// mqttwire's runners over the mqttwire being built.
#[path = "."]
mod current {
    pub use mqttwire as mw;
    #[path = "wire.rs"]
    pub mod wire;
}
use current::wire;

/// The same runners over an earlier commit of mqttwire, for `benches/ab.sh`, which adds the
/// `mqttwire_baseline` dependency to a scratch copy of this crate before it builds it.
#[cfg(feature = "baseline")]
#[path = "."]
#[allow(dead_code)] // `benches/ab.sh` does not compare topic matching.
mod baseline {
    pub use mqttwire_baseline as mw;
    #[path = "wire.rs"]
    pub mod wire;
}

mod mqttrs_impl {
    use super::*;

    pub struct Decode {
        pub corpus: &'static Corpus,
        pub buf: Vec<u8>,
    }

    /// mqttrs does not say how many bytes `decode_slice` consumed: the caller steps over the
    /// frame with its own header reader, as users of mqttrs do.
    fn decode_all<'a>(data: &'a [u8], mut f: impl FnMut(mqttrs::Packet<'a>)) -> Outcome {
        let (mut pos, mut n) = (0, 0);
        while pos < data.len() {
            let rest = &data[pos..];
            match mqttrs::decode_slice(rest) {
                Ok(Some(p)) => {
                    f(p);
                    pos += frame_len(rest).unwrap_or(rest.len());
                    n += 1;
                }
                Ok(None) => return outcome(n, pos, Some("incomplete".into())),
                Err(e) => return outcome(n, pos, Some(format!("{e:?}"))),
            }
        }
        outcome(n, pos, None)
    }

    impl Runner for Decode {
        fn setup(&mut self) {
            self.buf = self.corpus.bytes.clone();
        }
        fn run(&mut self) -> Outcome {
            decode_all(&self.buf, |p| {
                black_box(&p);
            })
        }
        fn teardown(&mut self) {
            self.buf = Vec::new();
        }
    }

    pub struct Encode {
        packets: Vec<mqttrs::Packet<'static>>,
        out: Vec<u8>,
        len: usize,
    }

    impl Encode {
        pub fn new(corpus: &'static Corpus) -> Result<Self, String> {
            let out = vec![0; corpus.bytes.len() + 1024];
            let source = source_static(&corpus.bytes, out.as_ptr());
            let mut packets = Vec::with_capacity(corpus.packets);
            let o = decode_all(source, |p| packets.push(p));
            if let Some(e) = o.error {
                return Err(format!("decoding the corpus failed: {e}"));
            }
            Ok(Encode {
                packets,
                out,
                len: 0,
            })
        }
    }

    impl Runner for Encode {
        fn run(&mut self) -> Outcome {
            let mut off = 0;
            for (i, p) in self.packets.iter().enumerate() {
                match mqttrs::encode_slice(p, &mut self.out[off..]) {
                    Ok(n) => off += n,
                    Err(e) => return outcome(i, off, Some(format!("{e:?}"))),
                }
            }
            self.len = off;
            outcome(self.packets.len(), off, None)
        }
        fn output(&self) -> Option<Vec<u8>> {
            Some(self.out[..self.len].to_vec())
        }
    }
}

mod rumqttc_impl {
    use super::*;
    use bytes::BytesMut;
    use rumqttc::mqttbytes::v4::Packet;

    pub struct Decode {
        pub corpus: &'static Corpus,
        pub buf: BytesMut,
    }

    fn decode_all(buf: &mut BytesMut, mut f: impl FnMut(Packet)) -> Outcome {
        let start = buf.len();
        let mut n = 0;
        while !buf.is_empty() {
            match Packet::read(buf, MAX) {
                Ok(p) => {
                    f(p);
                    n += 1;
                }
                Err(e) => return outcome(n, start - buf.len(), Some(format!("{e:?}"))),
            }
        }
        outcome(n, start - buf.len(), None)
    }

    impl Runner for Decode {
        fn setup(&mut self) {
            self.buf = BytesMut::from(&self.corpus.bytes[..]);
        }
        fn run(&mut self) -> Outcome {
            decode_all(&mut self.buf, |p| {
                black_box(&p);
            })
        }
        fn teardown(&mut self) {
            self.buf = BytesMut::new();
        }
    }

    pub struct Encode {
        packets: Vec<Packet>,
        out: BytesMut,
    }

    impl Encode {
        pub fn new(corpus: &'static Corpus) -> Result<Self, String> {
            let out = BytesMut::with_capacity(corpus.bytes.len());
            let mut source = source_bytes_mut(&corpus.bytes, out.as_ptr());
            let mut packets = Vec::with_capacity(corpus.packets);
            let o = decode_all(&mut source, |p| packets.push(p));
            if let Some(e) = o.error {
                return Err(format!("decoding the corpus failed: {e}"));
            }
            Ok(Encode { packets, out })
        }
    }

    impl Runner for Encode {
        fn setup(&mut self) {
            self.out.clear();
        }
        fn run(&mut self) -> Outcome {
            for (i, p) in self.packets.iter().enumerate() {
                if let Err(e) = p.write(&mut self.out, MAX) {
                    return outcome(i, self.out.len(), Some(format!("{e:?}")));
                }
            }
            outcome(self.packets.len(), self.out.len(), None)
        }
        fn output(&self) -> Option<Vec<u8>> {
            Some(self.out.to_vec())
        }
    }

    pub struct Match {
        pub pairs: Vec<(String, String)>,
    }

    impl Runner for Match {
        fn run(&mut self) -> Outcome {
            let hits = black_box(&self.pairs)
                .iter()
                .filter(|(f, n)| rumqttc::mqttbytes::matches(n, f))
                .count();
            outcome(self.pairs.len(), hits, None)
        }
    }
}

mod mqttbytes_impl {
    use super::*;
    use bytes::BytesMut;
    use mqttbytes::v4::{self, Packet};

    pub struct Decode {
        pub corpus: &'static Corpus,
        pub buf: BytesMut,
    }

    fn decode_all(buf: &mut BytesMut, mut f: impl FnMut(Packet)) -> Outcome {
        let start = buf.len();
        let mut n = 0;
        while !buf.is_empty() {
            match v4::read(buf, MAX) {
                Ok(p) => {
                    f(p);
                    n += 1;
                }
                Err(e) => return outcome(n, start - buf.len(), Some(format!("{e:?}"))),
            }
        }
        outcome(n, start - buf.len(), None)
    }

    impl Runner for Decode {
        fn setup(&mut self) {
            self.buf = BytesMut::from(&self.corpus.bytes[..]);
        }
        fn run(&mut self) -> Outcome {
            decode_all(&mut self.buf, |p| {
                black_box(&p);
            })
        }
        fn teardown(&mut self) {
            self.buf = BytesMut::new();
        }
    }

    pub struct Encode {
        packets: Vec<Packet>,
        out: BytesMut,
    }

    impl Encode {
        pub fn new(corpus: &'static Corpus) -> Result<Self, String> {
            let out = BytesMut::with_capacity(corpus.bytes.len());
            let mut source = source_bytes_mut(&corpus.bytes, out.as_ptr());
            let mut packets = Vec::with_capacity(corpus.packets);
            let o = decode_all(&mut source, |p| packets.push(p));
            if let Some(e) = o.error {
                return Err(format!("decoding the corpus failed: {e}"));
            }
            Ok(Encode { packets, out })
        }
    }

    /// mqttbytes 0.6 has no `Packet::write`: each packet type writes itself.
    fn write(p: &Packet, out: &mut BytesMut) -> Result<usize, mqttbytes::Error> {
        match p {
            Packet::Connect(p) => p.write(out),
            Packet::ConnAck(p) => p.write(out),
            Packet::Publish(p) => p.write(out),
            Packet::PubAck(p) => p.write(out),
            Packet::PubRec(p) => p.write(out),
            Packet::PubRel(p) => p.write(out),
            Packet::PubComp(p) => p.write(out),
            Packet::Subscribe(p) => p.write(out),
            Packet::SubAck(p) => p.write(out),
            Packet::Unsubscribe(p) => p.write(out),
            Packet::UnsubAck(p) => p.write(out),
            Packet::PingReq => v4::PingReq.write(out),
            Packet::PingResp => v4::PingResp.write(out),
            Packet::Disconnect => v4::Disconnect.write(out),
        }
    }

    impl Runner for Encode {
        fn setup(&mut self) {
            self.out.clear();
        }
        fn run(&mut self) -> Outcome {
            for (i, p) in self.packets.iter().enumerate() {
                if let Err(e) = write(p, &mut self.out) {
                    return outcome(i, self.out.len(), Some(format!("{e:?}")));
                }
            }
            outcome(self.packets.len(), self.out.len(), None)
        }
        fn output(&self) -> Option<Vec<u8>> {
            Some(self.out.to_vec())
        }
    }

    pub struct Match {
        pub pairs: Vec<(String, String)>,
    }

    impl Runner for Match {
        fn run(&mut self) -> Outcome {
            let hits = black_box(&self.pairs)
                .iter()
                .filter(|(f, n)| mqttbytes::matches(n, f))
                .count();
            outcome(self.pairs.len(), hits, None)
        }
    }
}

mod mqtt_protocol_impl {
    use super::*;
    use mqtt::packet::VariablePacket;
    use mqtt::{Decodable, Encodable};
    use std::io::Cursor;

    pub struct Decode {
        pub corpus: &'static Corpus,
        pub buf: Vec<u8>,
    }

    fn decode_all(data: &[u8], mut f: impl FnMut(VariablePacket)) -> Outcome {
        let mut cur = Cursor::new(data);
        let mut n = 0;
        while (cur.position() as usize) < data.len() {
            match VariablePacket::decode(&mut cur) {
                Ok(p) => {
                    f(p);
                    n += 1;
                }
                Err(e) => return outcome(n, cur.position() as usize, Some(e.to_string())),
            }
        }
        outcome(n, cur.position() as usize, None)
    }

    impl Runner for Decode {
        fn setup(&mut self) {
            self.buf = self.corpus.bytes.clone();
        }
        fn run(&mut self) -> Outcome {
            decode_all(&self.buf, |p| {
                black_box(&p);
            })
        }
        fn teardown(&mut self) {
            self.buf = Vec::new();
        }
    }

    pub struct Encode {
        packets: Vec<VariablePacket>,
        out: Vec<u8>,
    }

    impl Encode {
        pub fn new(corpus: &'static Corpus) -> Result<Self, String> {
            let out = Vec::with_capacity(corpus.bytes.len());
            let (source, start) = source_copy(&corpus.bytes, out.as_ptr());
            let mut packets = Vec::with_capacity(corpus.packets);
            let o = decode_all(&source[start..start + corpus.bytes.len()], |p| {
                packets.push(p)
            });
            if let Some(e) = o.error {
                return Err(format!("decoding the corpus failed: {e}"));
            }
            Ok(Encode { packets, out })
        }
    }

    impl Runner for Encode {
        fn setup(&mut self) {
            self.out.clear();
        }
        fn run(&mut self) -> Outcome {
            for (i, p) in self.packets.iter().enumerate() {
                if let Err(e) = p.encode(&mut self.out) {
                    return outcome(i, self.out.len(), Some(e.to_string()));
                }
            }
            outcome(self.packets.len(), self.out.len(), None)
        }
        fn output(&self) -> Option<Vec<u8>> {
            Some(self.out.clone())
        }
    }

    pub struct Match {
        pairs: Vec<(mqtt::TopicFilter, mqtt::TopicName)>,
    }

    impl Match {
        pub fn new(pairs: &[(String, String)]) -> Self {
            Match {
                pairs: pairs
                    .iter()
                    .map(|(f, n)| {
                        (
                            mqtt::TopicFilter::new(f.clone()).expect("valid filter"),
                            mqtt::TopicName::new(n.clone()).expect("valid name"),
                        )
                    })
                    .collect(),
            }
        }
    }

    impl Runner for Match {
        fn run(&mut self) -> Outcome {
            let hits = black_box(&self.pairs)
                .iter()
                .filter(|(f, n)| f.get_matcher().is_match(n))
                .count();
            outcome(self.pairs.len(), hits, None)
        }
    }
}

mod ntex_impl {
    use super::*;
    use ntex_bytes::{BytePageSize, BytePages, BytesMut};
    use ntex_codec::{Decoder, Encoder};
    use ntex_mqtt::v3::codec::{Codec, Decoded, Encoded};

    pub struct Decode {
        corpus: &'static Corpus,
        buf: BytesMut,
        codec: Codec,
    }

    impl Decode {
        pub fn new(corpus: &'static Corpus) -> Self {
            Decode {
                corpus,
                buf: BytesMut::new(),
                codec: Codec::new(),
            }
        }
    }

    /// Drains `buf`. A PUBLISH whose payload is all there comes back whole; chunks would only
    /// appear for a payload that is still arriving, which cannot happen here.
    fn decode_all(codec: &Codec, buf: &mut BytesMut, mut f: impl FnMut(Decoded)) -> Outcome {
        let start = buf.len();
        let mut n = 0;
        loop {
            match codec.decode(buf) {
                Ok(Some(d)) => {
                    if !matches!(d, Decoded::PayloadChunk(..)) {
                        n += 1;
                    }
                    f(d);
                }
                Ok(None) => return outcome(n, start - buf.len(), None),
                Err(e) => return outcome(n, start - buf.len(), Some(format!("{e:?}"))),
            }
        }
    }

    impl Runner for Decode {
        fn setup(&mut self) {
            self.codec = Codec::new();
            self.buf = BytesMut::copy_from_slice(&self.corpus.bytes[..]);
        }
        fn run(&mut self) -> Outcome {
            decode_all(&self.codec, &mut self.buf, |d| {
                black_box(&d);
            })
        }
        fn teardown(&mut self) {
            self.buf = BytesMut::new();
        }
    }

    /// `Codec::encodev` takes each packet by value: `setup` clones the list (reference counts,
    /// not timed), `run` consumes it. Output goes to ntex's paged buffer, which keeps payloads
    /// over 4 KiB as their own pages instead of copying them.
    pub struct Encode {
        decoded: Vec<Encoded>,
        items: Vec<Encoded>,
        codec: Codec,
        out: BytePages,
    }

    impl Encode {
        pub fn new(corpus: &'static Corpus) -> Result<Self, String> {
            let mut decoded = Vec::with_capacity(corpus.packets);
            let codec = Codec::new();
            let mut buf = BytesMut::copy_from_slice(&corpus.bytes[..]);
            let mut err = None;
            let o = decode_all(&codec, &mut buf, |d| match d {
                Decoded::Packet(p, _) => decoded.push(Encoded::Packet(p)),
                Decoded::Publish(p, payload, _) => decoded.push(Encoded::Publish(p, Some(payload))),
                Decoded::PayloadChunk(..) => err = Some("unexpected payload chunk".to_string()),
            });
            if let Some(e) = o.error.or(err) {
                return Err(format!("decoding the corpus failed: {e}"));
            }
            Ok(Encode {
                decoded,
                items: Vec::new(),
                codec: Codec::new(),
                out: BytePages::new(BytePageSize::Size16),
            })
        }
    }

    impl Runner for Encode {
        fn setup(&mut self) {
            self.out.clear();
            self.codec = Codec::new();
            self.items = self.decoded.clone();
        }
        fn run(&mut self) -> Outcome {
            let n = self.items.len();
            for (i, item) in self.items.drain(..).enumerate() {
                if let Err(e) = self.codec.encodev(item, &mut self.out) {
                    return outcome(i, self.out.len(), Some(format!("{e:?}")));
                }
            }
            outcome(n, self.out.len(), None)
        }
        fn output(&self) -> Option<Vec<u8>> {
            // ntex-bytes 1.10 has no iterator over the pages: a copy of the list (reference
            // counts), emptied page by page.
            let mut pages = BytePages::new(BytePageSize::Size16);
            self.out.copy_to(&mut pages);
            let mut v = Vec::with_capacity(self.out.len());
            while let Some(page) = pages.take() {
                v.extend_from_slice(page.as_ref());
            }
            Some(v)
        }
    }

    pub struct Match {
        pairs: Vec<(ntex_mqtt::TopicFilter, String)>,
    }

    impl Match {
        pub fn new(pairs: &[(String, String)]) -> Self {
            Match {
                pairs: pairs
                    .iter()
                    .map(|(f, n)| (f.parse().expect("valid filter"), n.clone()))
                    .collect(),
            }
        }
    }

    impl Runner for Match {
        fn run(&mut self) -> Outcome {
            let hits = black_box(&self.pairs)
                .iter()
                .filter(|(f, n)| f.matches_topic(n))
                .count();
            outcome(self.pairs.len(), hits, None)
        }
    }
}

/// A topic matching runner for `codec` over `pairs` of (filter, name).
pub fn make_matcher(codec: &str, pairs: &[(String, String)]) -> Option<Box<dyn Runner>> {
    Some(match codec {
        "mqttwire" => Box::new(wire::Match::new(pairs)),
        "rumqttc" => Box::new(rumqttc_impl::Match {
            pairs: pairs.to_vec(),
        }),
        "mqttbytes" => Box::new(mqttbytes_impl::Match {
            pairs: pairs.to_vec(),
        }),
        "mqtt-protocol" => Box::new(mqtt_protocol_impl::Match::new(pairs)),
        "ntex-mqtt" => Box::new(ntex_impl::Match::new(pairs)),
        _ => return None,
    })
}
