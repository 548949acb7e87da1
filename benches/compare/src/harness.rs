//! The runners of a corpus, the checks of their results and the measured call, shared by the
//! timing binary and the allocation-counting one.

use crate::codecs::{self, Outcome, Runner, BASELINES, CODECS, MATCHERS, OPS};
use crate::corpus::{self, Corpus};

/// One (codec, operation) of a corpus.
pub struct Entry {
    pub codec: &'static str,
    /// `decode`, `encode`, `both` (memcpy, a baseline of both tables) or `match`.
    pub op: &'static str,
    pub runner: Box<dyn Runner>,
    /// Problems found by the checks; empty when all agree.
    pub problems: Vec<String>,
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
        Ok(runner) => entries.push(Entry {
            codec,
            op: label,
            runner,
            problems: Vec::new(),
        }),
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
    for codec in CODECS {
        // The 5.0 corpora: mqttwire's runners only (the peers' 5.0 codecs are not in the
        // bench yet).
        if corpus.v5 && !codec.starts_with("mqttwire") {
            continue;
        }
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
            Some(Entry {
                codec,
                op: "match",
                runner: codecs::make_matcher(codec, pairs)?,
                problems: Vec::new(),
            })
        })
        .collect()
}

/// The (filter, name) pairs of the matching comparison.
pub fn match_pairs(quick: bool) -> Vec<(String, String)> {
    corpus::match_pairs(if quick { 10_000 } else { 100_000 })
}

/// Checks a run's outcome against the corpus and, for encoders, the bytes written.
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
    if o.bytes != corpus.bytes.len() {
        e.problems.push(format!(
            "{} bytes, expected {}",
            o.bytes,
            corpus.bytes.len()
        ));
    }
    if let Some(out) = e.runner.output() {
        if out != corpus.bytes {
            let first = out
                .iter()
                .zip(&corpus.bytes)
                .position(|(a, b)| a != b)
                .unwrap_or(out.len().min(corpus.bytes.len()));
            // The packet holding the first difference, for the report.
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
            e.problems.push(format!(
                "re-encoded {} bytes, differ from the corpus from byte {first}{what}",
                out.len()
            ));
        }
    }
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
        .chain(&BASELINES)
        .chain(&["mqttwire-vec", "mqttwire-twin"])
        .chain(baselines)
        .find(|c| **c == name)
        .copied()
}

/// One selection: its runner, how many packets (or pairs) one run handles, and its corpus.
pub fn single_runner(
    corpus_name: &str,
    codec: &'static str,
    op: &str,
    quick: bool,
) -> Result<(Box<dyn Runner>, usize, Option<&'static Corpus>), String> {
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
