//! The MQTT 5.0 codecs of other crates, on the `v5-` corpora, and what each codec's decoded
//! packets hold ([`seen`]), to check every codec's decoding against the corpus.
//!
//! The runners follow `codecs.rs`: decoders start each run from a fresh copy of the corpus in
//! the input type the codec takes; encoders encode the packets their own decoder made from the
//! corpus into an output buffer reused from run to run.

use crate::codecs::{outcome, source_bytes_mut, source_copy, Outcome, Runner};
use crate::corpus::{frame_len, Corpus};
use crate::seen::{options_byte, Seen};
use std::hint::black_box;

#[path = "codecs_v5/protocol_core.rs"]
mod core5;
#[path = "codecs_v5/mqtt5_protocol.rs"]
mod m5p;
#[path = "codecs_v5/ntex.rs"]
mod ntex5;
#[path = "codecs_v5/mqtt_proto.rs"]
mod proto5;
#[path = "codecs_v5/rumqttc.rs"]
mod rumqttc5;
#[path = "codecs_v5/mqttwire.rs"]
mod wire5;

/// The 5.0 peers, as the tables name them.
pub const PEERS: [&str; 5] = [
    "rumqttc",
    "ntex-mqtt",
    "mqtt-proto",
    "mqtt5-protocol",
    "mqtt-protocol-core",
];

/// A runner for the 5.0 peer `codec` doing `op`.
pub fn make(codec: &str, op: &str, corpus: &'static Corpus) -> Result<Box<dyn Runner>, String> {
    Ok(match (codec, op) {
        ("rumqttc", "decode") => Box::new(rumqttc5::Decode::new(corpus)),
        ("rumqttc", "encode") => Box::new(rumqttc5::Encode::new(corpus)?),
        ("ntex-mqtt", "decode") => Box::new(ntex5::Decode::new(corpus)),
        ("ntex-mqtt", "encode") => Box::new(ntex5::Encode::new(corpus)?),
        ("mqtt-proto", "decode") => Box::new(proto5::Decode::new(corpus)),
        ("mqtt-proto", "encode") => Box::new(proto5::Encode::new(corpus)?),
        ("mqtt5-protocol", "decode") => Box::new(m5p::Decode::new(corpus)),
        ("mqtt5-protocol", "encode") => Box::new(m5p::Encode::new(corpus)?),
        ("mqtt-protocol-core", "decode") => Box::new(core5::Decode::new(corpus)),
        ("mqtt-protocol-core", "encode") => Box::new(core5::Encode::new(corpus)?),
        _ => return Err(format!("no MQTT 5.0 runner for {codec} {op}")),
    })
}

/// What `codec` decodes from `bytes`, packet by packet (untimed), or the error that stopped it
/// and after how many packets.
pub fn seen(codec: &str, bytes: &[u8]) -> Result<Vec<Seen>, String> {
    let mut all = Vec::new();
    let o = match codec {
        "mqttwire" => wire5::decode_all(bytes, |p| all.push(wire5::seen(&p))),
        "mqttwire-ref" => wire5::decode_all_ref(bytes, |p| all.push(wire5::seen(&p.to_owned()))),
        "rumqttc" => rumqttc5::decode_all(&mut bytes::BytesMut::from(bytes), |p| {
            all.push(rumqttc5::seen(&p))
        }),
        "ntex-mqtt" => ntex5::decode_all(
            &ntex5::Codec::new(),
            &mut ntex_bytes::BytesMut::copy_from_slice(bytes),
            |d| all.push(ntex5::seen(&d)),
        ),
        "mqtt-proto" => proto5::decode_all(bytes, |p| all.push(proto5::seen(&p))),
        "mqtt5-protocol" => m5p::decode_all(&mut bytes::BytesMut::from(bytes), |p| {
            all.push(m5p::seen(&p))
        }),
        "mqtt-protocol-core" => core5::decode_all(bytes, |p| all.push(core5::seen(&p))),
        _ => return Err(format!("no MQTT 5.0 decoder check for {codec}")),
    };
    match o.error {
        Some(e) => Err(format!("error after {} packets: {e}", o.packets)),
        None => Ok(all),
    }
}

/// The checks must catch a codec that decodes a field wrongly: every codec's packets are
/// compared with what the corpus writer put in, then the corpus is changed in one field and
/// every codec's packets must differ there.
#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus;
    use crate::seen::compare;

    fn all_codecs() -> impl Iterator<Item = &'static str> {
        ["mqttwire", "mqttwire-ref"].into_iter().chain(PEERS)
    }

    /// Where each frame of `bytes` starts, with its first byte.
    fn frames(bytes: &[u8]) -> Vec<(usize, u8)> {
        let mut out = Vec::new();
        let mut pos = 0;
        while let Some(len) = frame_len(&bytes[pos..]) {
            out.push((pos, bytes[pos]));
            pos += len;
            if pos >= bytes.len() {
                break;
            }
        }
        out
    }

    /// Each codec decodes `bytes`, which differ from the corpus in one field: the check must
    /// name that field.
    fn each_codec_reports(expected: &[Seen], bytes: &[u8], field: &str) {
        for codec in all_codecs() {
            let got = seen(codec, bytes).unwrap_or_else(|e| panic!("{codec}: {e}"));
            let report =
                compare(expected, &got).unwrap_or_else(|| panic!("{codec}: no difference"));
            assert!(report.contains(field), "{codec}: {report}");
        }
    }

    #[test]
    fn every_codec_decodes_the_corpus_as_written() {
        for name in [
            "v5-telemetry-mix",
            "v5-small-publish",
            "v5-small-publish-props",
        ] {
            let corpus = corpus::build(name, true).expect("corpus");
            assert_eq!(corpus.expect.len(), corpus.packets);
            for codec in all_codecs() {
                let got = seen(codec, &corpus.bytes).unwrap_or_else(|e| panic!("{codec}: {e}"));
                assert_eq!(compare(&corpus.expect, &got), None, "{codec} on {name}");
            }
        }
    }

    #[test]
    fn a_changed_user_property_is_reported() {
        let corpus = corpus::build("v5-telemetry-mix", true).expect("corpus");
        let mut bytes = corpus.bytes.clone();
        let at = bytes
            .windows(7)
            .position(|w| w == b"celsius")
            .expect("a unit");
        bytes[at..at + 7].copy_from_slice(b"kelvins");
        each_codec_reports(&corpus.expect, &bytes, "user properties");
    }

    #[test]
    fn a_changed_packet_identifier_is_reported() {
        let corpus = corpus::build("v5-telemetry-mix", true).expect("corpus");
        let mut bytes = corpus.bytes.clone();
        // The first PUBACK in its short form: 0x40, Remaining Length 2, the identifier.
        let (at, _) = frames(&bytes)
            .into_iter()
            .find(|&(at, first)| first == 0x40 && bytes[at + 1] == 2)
            .expect("a short PUBACK");
        bytes[at + 3] ^= 0x01;
        each_codec_reports(&corpus.expect, &bytes, "packet id");
    }

    #[test]
    fn a_changed_topic_is_reported() {
        let corpus = corpus::build("v5-small-publish", true).expect("corpus");
        let mut bytes = corpus.bytes.clone();
        // The first PUBLISH: fixed header (2 bytes here), topic length (2), then "site/...".
        assert_eq!(&bytes[4..8], b"site");
        bytes[4] = b'S';
        each_codec_reports(&corpus.expect, &bytes, "topic");
    }
}
