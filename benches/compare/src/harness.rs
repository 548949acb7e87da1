//! The runners of a corpus, the checks of their results and the measured call, shared by the
//! timing binary and the allocation-counting one.

use crate::codecs::{self, Outcome, Runner, BASELINES, CODECS, MATCHERS, OPS};
use crate::codecs_v5;
use crate::corpus::{self, Corpus};
use crate::seen;

/// One (codec, operation) of a corpus.
pub struct Entry {
    pub codec: &'static str,
    /// `decode`, `encode`, `both` (memcpy, a baseline of both tables) or `match`.
    pub op: &'static str,
    pub runner: Box<dyn Runner>,
    /// Problems found by the checks; empty when all agree.
    pub problems: Vec<String>,
    /// What the checks found that is not wrong (an encoder's other legal forms).
    pub notes: Vec<String>,
}

impl Entry {
    fn new(codec: &'static str, op: &'static str, runner: Box<dyn Runner>) -> Self {
        Entry {
            codec,
            op,
            runner,
            problems: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// The check column of the tables: "ok" (and any notes), or the problems.
    pub fn check_text(&self) -> String {
        if !self.problems.is_empty() {
            return self.problems.join("; ");
        }
        std::iter::once("ok".to_string())
            .chain(self.notes.iter().cloned())
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// The measured run, kept out of line so that callgrind can count it alone.
#[inline(never)]
pub fn measured_op(runner: &mut dyn Runner) -> Outcome {
    runner.run()
}

pub fn leak(c: Corpus) -> &'static Corpus {
    Box::leak(Box::new(c))
}

/// The runners of `corpus`, in the order they are built (where their buffers land depends on
/// it, so both binaries keep it), less those `COMPARE_ONLY` leaves out; and a note for each
/// codec that has no runner.
pub fn entries(corpus: &'static Corpus) -> (Vec<Entry>, Vec<String>) {
    let mut entries = Vec::new();
    let mut notes = Vec::new();
    let mut push = |codec: &'static str, op: &'static str, label: &'static str| match codecs::make(
        codec, op, corpus,
    ) {
        Ok(runner) => entries.push(Entry::new(codec, label, runner)),
        Err(e) => notes.push(format!("{codec} {op}: left out: {e}")),
    };
    push("memcpy", "decode", "both");
    push("frame-walk", "decode", "decode");
    push("frame-share", "decode", "decode");
    push("frame-copy", "encode", "encode");
    // `benches/ab.sh`: the same runners over an earlier commit, built just before mqttwire's
    // (and `baseline-twin` just after `mqttwire-twin`), so that where buffers land favours
    // neither side in both pairs.
    #[cfg(feature = "baseline")]
    for codec in ["baseline", "baseline-ref"] {
        for op in OPS {
            push(codec, op, op);
        }
    }
    // The 5.0 corpora: mqttwire's runners, then the peers' 5.0 codecs.
    let codecs: Vec<&'static str> = if corpus.v5 {
        CODECS
            .iter()
            .copied()
            .filter(|c| c.starts_with("mqttwire"))
            .chain(codecs_v5::PEERS)
            .collect()
    } else {
        CODECS.to_vec()
    };
    for codec in codecs {
        for op in OPS {
            push(codec, op, op);
        }
    }
    // mqttwire encodes into any `BufMut`: also into a `Vec<u8>`, as mqtt-protocol does.
    push("mqttwire-vec", "encode", "encode");
    // The bench's own error: an encoder identical to "mqttwire", built last. Out of the caches
    // where an encoder's buffers land makes a difference of up to ~10% (benches/NOTES.md);
    // the gap between the two rows shows how much in each run.
    push("mqttwire-twin", "encode", "encode");
    #[cfg(feature = "baseline")]
    push("baseline-twin", "encode", "encode");
    if let Ok(only) = std::env::var("COMPARE_ONLY") {
        let keep: Vec<&str> = only.split(',').collect();
        entries.retain(|e| keep.contains(&e.codec));
    }
    (entries, notes)
}

/// The topic matchers, over `pairs`.
pub fn matchers(pairs: &[(String, String)]) -> Vec<Entry> {
    MATCHERS
        .iter()
        .filter_map(|&codec| {
            Some(Entry::new(
                codec,
                "match",
                codecs::make_matcher(codec, pairs)?,
            ))
        })
        .collect()
}

/// The (filter, name) pairs of the matching comparison.
pub fn match_pairs(quick: bool) -> Vec<(String, String)> {
    corpus::match_pairs(if quick { 10_000 } else { 100_000 })
}

/// Checks a run's outcome against the corpus and, for encoders, the bytes written; on the 5.0
/// corpora, also what each decoder decoded, field by field ([`seen`]), and an encoder's output
/// that differs from the corpus for the packets it holds.
pub fn check(e: &mut Entry, corpus: &Corpus, o: &Outcome) {
    if let Some(err) = &o.error {
        e.problems
            .push(format!("error after {} packets: {err}", o.packets));
    }
    if o.packets != corpus.packets {
        e.problems.push(format!(
            "{} packets, expected {}",
            o.packets, corpus.packets
        ));
    }
    let output = e.runner.output();
    match &output {
        Some(out) if *out != corpus.bytes => {
            // MQTT 5.0 lets an encoder write a packet in more than one form (an acknowledgement's
            // Reason Code 0x00 and Property Length 0 left out or written, properties in any
            // order): the same packets, decoded again by mqttwire, are not an error.
            let same = corpus.v5
                && codecs_v5::seen("mqttwire", out)
                    .is_ok_and(|got| seen::compare(&corpus.expect, &got).is_none());
            if same {
                e.notes.push(format!(
                    "wrote the same packets in {} bytes instead of {} (other legal forms)",
                    out.len(),
                    corpus.bytes.len()
                ));
            } else {
                e.problems.push(first_difference(corpus, out));
            }
        }
        Some(_) => {}
        None if o.bytes != corpus.bytes.len() => e.problems.push(format!(
            "{} bytes, expected {}",
            o.bytes,
            corpus.bytes.len()
        )),
        None => {}
    }
    let is_codec = e.codec.starts_with("mqttwire") || codecs_v5::PEERS.contains(&e.codec);
    if corpus.v5 && e.op == "decode" && is_codec {
        match codecs_v5::seen(e.codec, &corpus.bytes) {
            Ok(got) => e.problems.extend(seen::compare(&corpus.expect, &got)),
            Err(err) => e.problems.push(err),
        }
    }
}

/// Where an encoder's output first differs from the corpus, and in which packet.
fn first_difference(corpus: &Corpus, out: &[u8]) -> String {
    let first = out
        .iter()
        .zip(&corpus.bytes)
        .position(|(a, b)| a != b)
        .unwrap_or(out.len().min(corpus.bytes.len()));
    let (mut start, mut what) = (0, String::new());
    while let Some(len) = corpus::frame_len(&corpus.bytes[start..]) {
        if start + len > first {
            let end = (start + len).min(start + 12);
            what = format!(
                " ({} packet: expected {:02x?}, got {:02x?})",
                type_name(usize::from(corpus.bytes[start] >> 4)),
                &corpus.bytes[start..end],
                out.get(start..end.min(out.len())).unwrap_or_default()
            );
            break;
        }
        start += len;
    }
    format!(
        "re-encoded {} bytes, differ from the corpus from byte {first}{what}",
        out.len()
    )
}

pub fn type_name(t: usize) -> &'static str {
    [
        "0",
        "CONNECT",
        "CONNACK",
        "PUBLISH",
        "PUBACK",
        "PUBREC",
        "PUBREL",
        "PUBCOMP",
        "SUBSCRIBE",
        "SUBACK",
        "UNSUBSCRIBE",
        "UNSUBACK",
        "PINGREQ",
        "PINGRESP",
        "DISCONNECT",
        "15",
    ][t]
}

/// The codec named `name`, as a `'static` name, if the bench has it.
pub fn codec_name(name: &str) -> Option<&'static str> {
    let baselines: &[&'static str] = if cfg!(feature = "baseline") {
        &["baseline", "baseline-ref", "baseline-twin"]
    } else {
        &[]
    };
    CODECS
        .iter()
        .chain(&codecs_v5::PEERS)
        .chain(&BASELINES)
        .chain(&["mqttwire-vec", "mqttwire-twin"])
        .chain(baselines)
        .find(|c| **c == name)
        .copied()
}

/// A selection's runner, how many packets (or pairs) one run handles, and its corpus.
pub type Single = (Box<dyn Runner>, usize, Option<&'static Corpus>);

/// One selection ([`Single`]).
pub fn single_runner(
    corpus_name: &str,
    codec: &'static str,
    op: &str,
    quick: bool,
) -> Result<Single, String> {
    if op == "match" {
        let pairs = match_pairs(quick);
        let runner =
            codecs::make_matcher(codec, &pairs).ok_or(format!("{codec} has no matcher"))?;
        return Ok((runner, pairs.len(), None));
    }
    let corpus =
        leak(corpus::build(corpus_name, quick).ok_or(format!("unknown corpus {corpus_name}"))?);
    Ok((
        codecs::make(codec, op, corpus)?,
        corpus.packets,
        Some(corpus),
    ))
}

/// The command line: `--quick` and the positional arguments.
pub struct Args {
    pub quick: bool,
    pub help: bool,
    pub positional: Vec<String>,
}

pub fn args() -> Args {
    let args: Vec<String> = std::env::args().skip(1).collect();
    Args {
        quick: args.iter().any(|a| a == "--quick"),
        help: args.iter().any(|a| a == "--help" || a == "-h"),
        positional: args
            .iter()
            .filter(|a| !a.starts_with("--"))
            .cloned()
            .collect(),
    }
}

/// Whether the corpus (or `topics`) `name` is selected by the first positional argument.
pub fn selected(only: Option<&str>, name: &str) -> bool {
    only.is_none_or(|o| o == name)
}
