//! Decoding throughput: one packet of each type (owned and borrowed), PUBLISH by payload size,
//! and whole streams (owned and borrowed).
//!
//! `cargo bench --manifest-path benches/criterion/Cargo.toml --bench decode` (add a filter such
//! as `publish` to run a part).

mod common;

use bytes::{Bytes, BytesMut};
use criterion::{black_box, criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use mqttwire::{Decoder, Encode, QoS};

/// `Decoder::decode_frame` on one frame (the frame's `Bytes` is cloned, a reference count),
/// and the borrowed `Decoder::decode_frame_ref` on the same bytes.
fn per_type(c: &mut Criterion) {
    let decoder = Decoder::new();
    let frames: Vec<_> = common::one_of_each()
        .into_iter()
        .map(|(name, packet)| (name, packet.to_bytes().expect("valid packet")))
        .collect();
    let mut group = c.benchmark_group("decode/frame");
    for (name, frame) in &frames {
        group.throughput(Throughput::Bytes(frame.len() as u64));
        group.bench_function(*name, |b| {
            b.iter(|| {
                decoder
                    .decode_frame(black_box(frame.clone()))
                    .expect("valid")
            })
        });
    }
    group.finish();
    let mut group = c.benchmark_group("decode/frame_ref");
    for (name, frame) in &frames {
        group.throughput(Throughput::Bytes(frame.len() as u64));
        group.bench_function(*name, |b| {
            b.iter(|| decoder.decode_frame_ref(black_box(frame)).expect("valid"))
        });
    }
    group.finish();
}

/// PUBLISH at QoS 0 and 1 by payload size, through `decode_frame`.
fn publish_sizes(c: &mut Criterion) {
    let decoder = Decoder::new().max_packet_size(Decoder::PROTOCOL_MAX_PACKET_SIZE);
    let mut group = c.benchmark_group("decode/publish");
    for qos in [QoS::AtMostOnce, QoS::AtLeastOnce] {
        for (label, len) in common::PAYLOAD_SIZES {
            let frame = common::publish(qos, len).to_bytes().expect("valid packet");
            group.throughput(Throughput::Bytes(frame.len() as u64));
            group.bench_function(format!("qos{}_{label}", qos as u8), |b| {
                b.iter(|| {
                    decoder
                        .decode_frame(black_box(frame.clone()))
                        .expect("valid")
                })
            });
        }
    }
    group.finish();
}

/// Drains a whole stream with `Decoder::decode`, as a server's read loop does. Filling the
/// `BytesMut` is setup and is not timed.
fn drain(decoder: &Decoder, buf: &mut BytesMut) -> usize {
    let mut count = 0;
    while let Some(packet) = decoder.decode(buf).expect("valid stream") {
        black_box(packet);
        count += 1;
    }
    count
}

/// Walks a whole stream with the borrowed `Decoder::decode_ref`, which consumes nothing: the
/// caller steps over each frame (no setup to time apart).
fn walk_ref(decoder: &Decoder, stream: &[u8]) -> usize {
    let (mut pos, mut count) = (0, 0);
    while let Some((packet, len)) = decoder
        .decode_ref(stream.get(pos..).unwrap_or_default())
        .expect("valid stream")
    {
        black_box(packet);
        pos += len;
        count += 1;
    }
    count
}

fn streams(c: &mut Criterion) {
    let decoder = Decoder::new();
    let mut group = c.benchmark_group("decode/stream");
    let small: Vec<_> = (0..10_000)
        .map(|_| common::publish(QoS::AtMostOnce, 32).into())
        .collect();
    let large: Vec<_> = (0..200)
        .map(|_| common::publish(QoS::AtLeastOnce, 64 * 1024).into())
        .collect();
    let corpora = [
        ("telemetry_mix_10k", common::telemetry_mix(10_000)),
        ("small_publish_10k", small),
        ("large_publish_200", large),
    ];
    for (name, packets) in corpora {
        let stream: Bytes = common::encode_all(&packets);
        let n = packets.len();
        group.throughput(Throughput::Elements(n as u64));
        group.bench_function(format!("{name}/packets"), |b| {
            b.iter_batched_ref(
                || BytesMut::from(&stream[..]),
                |buf| assert_eq!(drain(&decoder, buf), n),
                BatchSize::LargeInput,
            )
        });
        group.bench_function(format!("{name}/packets_ref"), |b| {
            b.iter(|| assert_eq!(walk_ref(&decoder, black_box(&stream)), n))
        });
        group.throughput(Throughput::Bytes(stream.len() as u64));
        group.bench_function(format!("{name}/bytes"), |b| {
            b.iter_batched_ref(
                || BytesMut::from(&stream[..]),
                |buf| assert_eq!(drain(&decoder, buf), n),
                BatchSize::LargeInput,
            )
        });
    }
    // Sanity: the sample packets round-trip.
    for (_, p) in common::one_of_each() {
        assert_eq!(decoder.decode_frame(p.to_bytes().expect("valid")), Ok(p));
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = per_type, publish_sizes, streams
}
criterion_main!(benches);
