//! mqttwire's runners. `codecs.rs` compiles this file once over the mqttwire being built and,
//! with the `baseline` feature (`benches/ab.sh`), once more over an earlier commit's, as
//! `super::mw` in each case.

use super::mw::{self as mqttwire, Decoder, Encoder, Packet, PacketRef, Protocol};
use crate::codecs::*;
use bytes::BytesMut;

/// The decoder for `corpus`: MQTT 5.0 for the `v5-` corpora, 3.1.1 otherwise.
fn decoder(corpus: &Corpus) -> Decoder {
    Decoder::new().protocol(if corpus.v5 {
        Protocol::V5
    } else {
        Protocol::V311
    })
}

pub struct Decode {
    corpus: &'static Corpus,
    buf: BytesMut,
    decoder: Decoder,
}

impl Decode {
    pub fn new(corpus: &'static Corpus) -> Self {
        Decode {
            corpus,
            buf: BytesMut::new(),
            decoder: decoder(corpus),
        }
    }
}

pub fn decode_all(decoder: &Decoder, buf: &mut BytesMut, mut f: impl FnMut(Packet)) -> Outcome {
    let start = buf.len();
    let mut n = 0;
    loop {
        match decoder.decode(buf) {
            Ok(Some(p)) => {
                f(p);
                n += 1;
            }
            Ok(None) => return outcome(n, start - buf.len(), None),
            Err(e) => return outcome(n, start - buf.len(), Some(e.to_string())),
        }
    }
}

impl Runner for Decode {
    fn setup(&mut self) {
        self.buf = BytesMut::from(&self.corpus.bytes[..]);
    }
    fn run(&mut self) -> Outcome {
        decode_all(&self.decoder, &mut self.buf, |p| {
            black_box(&p);
        })
    }
    fn teardown(&mut self) {
        self.buf = BytesMut::new();
    }
}

/// `Decoder::decode_ref`: packets borrowed from a plain slice, as mqttrs decodes.
pub struct DecodeRef {
    corpus: &'static Corpus,
    buf: Vec<u8>,
    decoder: Decoder,
}

impl DecodeRef {
    pub fn new(corpus: &'static Corpus) -> Self {
        DecodeRef {
            corpus,
            buf: Vec::new(),
            decoder: decoder(corpus),
        }
    }
}

pub fn decode_all_ref<'a>(
    decoder: &Decoder,
    data: &'a [u8],
    mut f: impl FnMut(PacketRef<'a>),
) -> Outcome {
    let (mut pos, mut n) = (0, 0);
    loop {
        match decoder.decode_ref(&data[pos..]) {
            Ok(Some((p, consumed))) => {
                f(p);
                pos += consumed;
                n += 1;
            }
            Ok(None) => return outcome(n, pos, None),
            Err(e) => return outcome(n, pos, Some(e.to_string())),
        }
    }
}

impl Runner for DecodeRef {
    fn setup(&mut self) {
        self.buf = self.corpus.bytes.clone();
    }
    fn run(&mut self) -> Outcome {
        decode_all_ref(&self.decoder, black_box(&self.buf[..]), |p| {
            black_box(&p);
        })
    }
    fn teardown(&mut self) {
        self.buf = Vec::new();
    }
}

/// Encodes the borrowed packets `decode_ref` made from the corpus (forwarding without
/// copying into owned packets first) into a reused `BytesMut`.
///
/// `V5`: encode in MQTT 5.0 (`Encoder::V5`), for the `v5-` corpora; 3.1.1 (`Encode::encode`)
/// otherwise. (A type each, so that the 3.1.1 loop is compiled as it was before 5.0.)
pub struct EncodeRef<const V5: bool = false> {
    packets: Vec<PacketRef<'static>>,
    out: BytesMut,
}

impl<const V5: bool> EncodeRef<V5> {
    pub fn new(corpus: &'static Corpus) -> Result<Self, String> {
        let out = BytesMut::with_capacity(corpus.bytes.len());
        let source = source_static(&corpus.bytes, out.as_ptr());
        let mut packets = Vec::with_capacity(corpus.packets);
        let o = decode_all_ref(&decoder(corpus), source, |p| packets.push(p));
        if let Some(e) = o.error {
            return Err(format!("decoding the corpus failed: {e}"));
        }
        Ok(EncodeRef { packets, out })
    }
}

impl<const V5: bool> Runner for EncodeRef<V5> {
    fn setup(&mut self) {
        self.out.clear();
    }
    fn run(&mut self) -> Outcome {
        use mqttwire::Encode as _;
        if V5 {
            // Through `&mut BytesMut`, another `BufMut` type: see `Encode`.
            let mut out = &mut self.out;
            for (i, p) in self.packets.iter().enumerate() {
                if let Err(e) = Encoder::V5.encode(p, &mut out) {
                    return outcome(i, out.len(), Some(e.to_string()));
                }
            }
            return outcome(self.packets.len(), out.len(), None);
        }
        for (i, p) in self.packets.iter().enumerate() {
            if let Err(e) = p.encode(&mut self.out) {
                return outcome(i, self.out.len(), Some(e.to_string()));
            }
        }
        outcome(self.packets.len(), self.out.len(), None)
    }
    fn output(&self) -> Option<Vec<u8>> {
        Some(self.out.to_vec())
    }
}

/// Encodes into a reused `BytesMut` (the default) or `Vec<u8>` (`mqttwire-vec`): any
/// `BufMut` will do. `V5`: in MQTT 5.0, as [`EncodeRef`].
pub struct Encode<B = BytesMut, const V5: bool = false> {
    packets: Vec<Packet>,
    out: B,
}

/// The decoded corpus, to encode into `out` (see [`source_copy`]).
fn packets(corpus: &'static Corpus, out: *const u8) -> Result<Vec<Packet>, String> {
    let mut packets = Vec::with_capacity(corpus.packets);
    let mut buf = source_bytes_mut(&corpus.bytes, out);
    let o = decode_all(&decoder(corpus), &mut buf, |p| packets.push(p));
    match o.error {
        Some(e) => Err(format!("decoding the corpus failed: {e}")),
        None => Ok(packets),
    }
}

/// An output buffer an encoder runner reuses from run to run.
pub trait Output: bytes::BufMut + AsRef<[u8]> + 'static {
    fn with_capacity(capacity: usize) -> Self;
    fn clear(&mut self);
}

impl Output for BytesMut {
    fn with_capacity(capacity: usize) -> Self {
        BytesMut::with_capacity(capacity)
    }
    fn clear(&mut self) {
        BytesMut::clear(self);
    }
}

impl Output for Vec<u8> {
    fn with_capacity(capacity: usize) -> Self {
        Vec::with_capacity(capacity)
    }
    fn clear(&mut self) {
        Vec::clear(self);
    }
}

impl<B: Output, const V5: bool> Encode<B, V5> {
    pub fn new(corpus: &'static Corpus) -> Result<Self, String> {
        let out = B::with_capacity(corpus.bytes.len());
        Ok(Encode {
            packets: packets(corpus, out.as_ref().as_ptr())?,
            out,
        })
    }
}

impl<B: Output, const V5: bool> Runner for Encode<B, V5> {
    fn setup(&mut self) {
        self.out.clear();
    }
    fn run(&mut self) -> Outcome {
        use mqttwire::Encode as _;
        if V5 {
            // Through `&mut B`, another `BufMut` type, so that the encoder is compiled apart
            // from the 3.1.1 runners': called for both from one function, it was no longer
            // inlined there, and 3.1.1 encode counted 115 instructions per small PUBLISH
            // instead of 86.
            let mut out = &mut self.out;
            for (i, p) in self.packets.iter().enumerate() {
                if let Err(e) = Encoder::V5.encode(p, &mut out) {
                    return outcome(i, out.as_ref().len(), Some(e.to_string()));
                }
            }
            return outcome(self.packets.len(), out.as_ref().len(), None);
        }
        for (i, p) in self.packets.iter().enumerate() {
            if let Err(e) = p.encode(&mut self.out) {
                return outcome(i, self.out.as_ref().len(), Some(e.to_string()));
            }
        }
        outcome(self.packets.len(), self.out.as_ref().len(), None)
    }
    fn output(&self) -> Option<Vec<u8>> {
        Some(self.out.as_ref().to_vec())
    }
}

/// `TopicFilter::matches` on validated filters and names.
pub struct Match {
    pairs: Vec<(mqttwire::TopicFilter, mqttwire::TopicName)>,
}

impl Match {
    pub fn new(pairs: &[(String, String)]) -> Self {
        Match {
            pairs: pairs
                .iter()
                .map(|(f, n)| {
                    (
                        mqttwire::TopicFilter::new(f).expect("valid filter"),
                        mqttwire::TopicName::new(n).expect("valid name"),
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
            .filter(|(f, n)| f.matches(n))
            .count();
        outcome(self.pairs.len(), hits, None)
    }
}
