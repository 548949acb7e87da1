//! Encoding throughput: one packet of each type, PUBLISH by payload size, and whole streams.
//!
//! `cargo bench --manifest-path benches/criterion/Cargo.toml --bench encode` (add a filter such
//! as `publish` to run a part).

mod common;

use bytes::BytesMut;
use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use mqttwire::{Encode, Packet, QoS};

/// `Encode::encode` into a reused buffer (cleared each time: no allocation), and
/// `Encode::to_bytes` (one allocation of the exact size).
fn per_type(c: &mut Criterion) {
    let mut group = c.benchmark_group("encode/reused_buf");
    let mut buf = BytesMut::with_capacity(4096);
    for (name, packet) in common::one_of_each() {
        group.throughput(Throughput::Bytes(packet.encoded_len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| {
                buf.clear();
                black_box(&packet).encode(&mut buf).expect("valid");
                black_box(buf.len())
            })
        });
    }
    group.finish();

    let mut group = c.benchmark_group("encode/to_bytes");
    for (name, packet) in common::one_of_each() {
        group.throughput(Throughput::Bytes(packet.encoded_len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| black_box(&packet).to_bytes().expect("valid"))
        });
    }
    group.finish();
}

fn publish_sizes(c: &mut Criterion) {
    let mut group = c.benchmark_group("encode/publish");
    let mut buf = BytesMut::with_capacity(70 * 1024);
    for qos in [QoS::AtMostOnce, QoS::AtLeastOnce] {
        for (label, len) in common::PAYLOAD_SIZES {
            let publish = common::publish(qos, len);
            group.throughput(Throughput::Bytes(publish.encoded_len() as u64));
            group.bench_function(format!("qos{}_{label}", qos as u8), |b| {
                b.iter(|| {
                    buf.clear();
                    black_box(&publish).encode(&mut buf).expect("valid");
                    black_box(buf.len())
                })
            });
        }
    }
    group.finish();
}

/// Encodes a whole stream into one reused buffer, as a writer batching packets does.
fn streams(c: &mut Criterion) {
    let mut group = c.benchmark_group("encode/stream");
    let small: Vec<Packet> = (0..10_000)
        .map(|_| common::publish(QoS::AtMostOnce, 32).into())
        .collect();
    let large: Vec<Packet> = (0..200)
        .map(|_| common::publish(QoS::AtLeastOnce, 64 * 1024).into())
        .collect();
    let corpora = [
        ("telemetry_mix_10k", common::telemetry_mix(10_000)),
        ("small_publish_10k", small),
        ("large_publish_200", large),
    ];
    for (name, packets) in corpora {
        let total: usize = packets.iter().map(Encode::encoded_len).sum();
        let mut buf = BytesMut::with_capacity(total);
        for (unit, throughput) in [
            ("packets", Throughput::Elements(packets.len() as u64)),
            ("bytes", Throughput::Bytes(total as u64)),
        ] {
            group.throughput(throughput);
            group.bench_function(format!("{name}/{unit}"), |b| {
                b.iter(|| {
                    buf.clear();
                    for p in &packets {
                        p.encode(&mut buf).expect("valid");
                    }
                    assert_eq!(buf.len(), total);
                })
            });
        }
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = per_type, publish_sizes, streams
}
criterion_main!(benches);
