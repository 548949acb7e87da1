//! Bounded memory, measured: a counting global allocator records the allocations made by the
//! measuring thread, and every section runs sequentially inside one `#[test]`, so neither the
//! test harness nor another test can disturb the counts.
//!
//! Numbers observed with bytes 1.x (stated here and asserted exactly or as bounds below):
//! - a fixed header announcing a packet over the limit: 0 allocations, 0 bytes;
//! - a fixed header announcing a packet within the limit: one reservation, of at most the
//!   announced frame length (never more than the limit);
//! - decoding N PUBLISH packets from one buffer: 1 allocation in all (the first `split_to`
//!   turns the `BytesMut` from its `Vec` form into a shared one), 0 per packet;
//! - `Publish::new`: 1 allocation, of exactly the PUBLISH body (topic and payload together);
//!   cloning a decoded PUBLISH, sharing its topic and payload, changing its QoS: 0;
//! - encoding into a `Vec`, a `BytesMut` or a `&mut [u8]` with enough room: 0 allocations.

use bytes::{BufMut, BytesMut};
use mqttwire::*;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

/// Counts what the thread that turned counting on allocates; other threads pass through.
struct Counting;

thread_local! {
    static MEASURING: Cell<bool> = const { Cell::new(false) };
}

static ALLOCS: AtomicUsize = AtomicUsize::new(0);
static REQUESTED: AtomicUsize = AtomicUsize::new(0);
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn measuring() -> bool {
    MEASURING.try_with(Cell::get).unwrap_or(false)
}

fn grew(bytes: usize) {
    ALLOCS.fetch_add(1, Relaxed);
    REQUESTED.fetch_add(bytes, Relaxed);
    let live = LIVE.fetch_add(bytes, Relaxed) + bytes;
    PEAK.fetch_max(live, Relaxed);
}

fn shrank(bytes: usize) {
    // Frees of memory allocated before measuring started may exceed what was counted.
    let _ = LIVE.fetch_update(Relaxed, Relaxed, |l| Some(l.saturating_sub(bytes)));
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if measuring() {
            grew(layout.size());
        }
        System.alloc(layout)
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if measuring() {
            grew(layout.size());
        }
        System.alloc_zeroed(layout)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if measuring() {
            shrank(layout.size());
        }
        System.dealloc(ptr, layout)
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if measuring() {
            // Counted as a new request of the new size while the old block is still live:
            // the worst case of a moving realloc.
            grew(new_size);
            shrank(layout.size());
        }
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Usage {
    allocs: usize,
    requested: usize,
    /// Highest live bytes above what was live when measuring started.
    peak: usize,
}

/// No allocation at all.
const NO_ALLOCATION: Usage = Usage {
    allocs: 0,
    requested: 0,
    peak: 0,
};

/// Runs `f` with counting on for this thread and returns what it allocated.
fn measure<R>(f: impl FnOnce() -> R) -> (R, Usage) {
    ALLOCS.store(0, Relaxed);
    REQUESTED.store(0, Relaxed);
    LIVE.store(0, Relaxed);
    PEAK.store(0, Relaxed);
    MEASURING.with(|m| m.set(true));
    let r = std::hint::black_box(f());
    MEASURING.with(|m| m.set(false));
    let usage = Usage {
        allocs: ALLOCS.load(Relaxed),
        requested: REQUESTED.load(Relaxed),
        peak: PEAK.load(Relaxed),
    };
    if std::env::var_os("ALLOC_BOUNDS_VERBOSE").is_some() {
        eprintln!("{usage:?}");
    }
    (r, usage)
}

/// Slack for the allocator's bookkeeping-free rounding: `Vec` never asks less than 8 bytes.
const SLACK: usize = 64;

const HOSTILE_HEADERS: [[u8; 5]; 3] = [
    [0x10, 0xff, 0xff, 0xff, 0x7f], // CONNECT of 268,435,455 bytes
    [0x30, 0xff, 0xff, 0xff, 0x7f], // PUBLISH of 268,435,455 bytes
    [0x82, 0xff, 0xff, 0xff, 0x7f], // SUBSCRIBE of 268,435,455 bytes
];

fn hostile_headers_allocate_nothing() {
    for limit in [Decoder::DEFAULT_MAX_PACKET_SIZE, 1024] {
        let decoder = Decoder::new().max_packet_size(limit);
        for header in HOSTILE_HEADERS {
            // The whole header at once.
            let mut buf = BytesMut::from(&header[..]);
            let (r, usage) = measure(|| decoder.decode(&mut buf));
            assert_eq!(
                r,
                Err(DecodeError::PacketTooLarge {
                    size: 268_435_460,
                    max: limit
                })
            );
            assert_eq!(usage, NO_ALLOCATION, "{header:02x?}");

            // Byte by byte into a buffer with room: Ok(None) until the header is whole, and
            // no reservation on the way.
            let mut buf = BytesMut::with_capacity(8);
            let (results, usage) = measure(|| {
                header
                    .iter()
                    .map(|b| {
                        buf.put_u8(*b);
                        decoder.decode(&mut buf)
                    })
                    .collect::<Vec<_>>()
            });
            assert_eq!(&results[..4], &[Ok(None), Ok(None), Ok(None), Ok(None)]);
            assert!(matches!(
                results[4],
                Err(DecodeError::PacketTooLarge { .. })
            ));
            // The one allocation is the `Vec` of results this closure collects.
            assert_eq!(usage.allocs, 1, "{header:02x?}: {usage:?}");
            assert!(buf.capacity() <= 8);
        }
    }
}

/// A header announcing a packet just within the limit reserves that packet's size once, and
/// no more; just over the limit, nothing.
fn announced_size_bounds_the_reservation() {
    for limit in [1024usize, Decoder::DEFAULT_MAX_PACKET_SIZE] {
        let decoder = Decoder::new().max_packet_size(limit);
        for first in [0x10u8, 0x30, 0x82] {
            // The largest Remaining Length whose frame still fits the limit.
            let mut remaining = limit - 2;
            while 1 + varint(remaining).len() + remaining > limit {
                remaining -= 1;
            }
            let frame_len = 1 + varint(remaining).len() + remaining;
            let mut header = vec![first];
            header.extend(varint(remaining));

            let mut buf = BytesMut::from(&header[..]);
            let (r, usage) = measure(|| decoder.decode(&mut buf));
            assert_eq!(r, Ok(None));
            assert!(usage.allocs <= 1, "{usage:?}");
            assert!(usage.requested <= limit + SLACK, "limit {limit}: {usage:?}");
            assert!(usage.peak <= limit + SLACK, "limit {limit}: {usage:?}");
            assert!(
                buf.capacity() >= frame_len,
                "room for the whole frame was reserved"
            );

            // The body trickling in needs no further allocation: it was reserved.
            let (_, usage) = measure(|| {
                while buf.len() < frame_len - 1 {
                    buf.put_u8(0);
                    assert_eq!(decoder.decode(&mut buf), Ok(None));
                }
            });
            assert_eq!(usage.allocs, 0, "limit {limit}: {usage:?}");

            // One byte more than the limit: refused from the header, nothing reserved.
            let mut over = vec![first];
            over.extend(varint(remaining + 1));
            let mut buf = BytesMut::from(&over[..]);
            let (r, usage) = measure(|| decoder.decode(&mut buf));
            assert_eq!(
                r,
                Err(DecodeError::PacketTooLarge {
                    size: frame_len + 1,
                    max: limit
                })
            );
            assert_eq!(usage.allocs, 0);
        }
    }
}

fn varint(mut n: usize) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let b = (n % 128) as u8;
        n /= 128;
        out.push(if n > 0 { b | 0x80 } else { b });
        if n == 0 {
            return out;
        }
    }
}

fn publish(i: u16) -> Publish {
    Publish::new(
        TopicName::new("sensors/kitchen/temperature").expect("valid"),
        QosPid::AtLeastOnce(PacketId::new(i).expect("non-zero")),
        vec![i as u8; 100],
    )
}

/// Decoding PUBLISH packets allocates nothing per packet: topic and payload share the frame.
fn decoding_publish_allocates_nothing_per_packet() {
    const N: usize = 1000;
    let mut stream = Vec::new();
    for i in 1..=N as u16 {
        publish(i).encode(&mut stream).expect("encodes");
    }
    let decoder = Decoder::new();

    // Packets dropped as they come, and packets kept: the same count either way.
    for keep in [false, true] {
        let mut buf = BytesMut::from(&stream[..]);
        let mut kept = Vec::with_capacity(N);
        let (count, usage) = measure(|| {
            let mut count = 0;
            while let Some(p) = decoder.decode(&mut buf).expect("valid") {
                count += 1;
                if keep {
                    kept.push(p);
                }
            }
            count
        });
        assert_eq!(count, N);
        // Observed: exactly 1 allocation for all N packets, the first `split_to` promoting the
        // `Vec`-backed `BytesMut` to a shared buffer (a small `Shared` header); every later
        // `split_to(..).freeze()` only bumps a reference count, and each PUBLISH keeps that
        // frame as its body (topic and payload included) without taking another.
        assert_eq!(usage.allocs, 1, "keep={keep}: {usage:?}");
        assert!(usage.requested <= SLACK, "keep={keep}: {usage:?}");
        if keep {
            assert_eq!(kept[N - 1], Packet::Publish(publish(N as u16)));
        }
    }

    // A buffer that is already shared (the usual state of a read loop after its first
    // packet): 0 allocations per packet.
    let mut buf = BytesMut::from(&stream[..]);
    let first = decoder.decode(&mut buf).expect("valid");
    assert!(first.is_some());
    let (count, usage) = measure(|| {
        let mut count = 0;
        while decoder.decode(&mut buf).expect("valid").is_some() {
            count += 1;
        }
        count
    });
    assert_eq!(count, N - 1);
    assert_eq!(usage.allocs, 0, "{usage:?}");
}

/// `Publish::new` copies the topic and the payload into one new buffer laid out as the PUBLISH
/// body: exactly one allocation, of topic length (2) + topic + packet identifier (2) + payload
/// bytes; `BytesMut::freeze` turns it into `Bytes` without another, since its length is its
/// capacity. A decoded PUBLISH keeps its frame as that buffer: cloning it, reading its topic and
/// payload as shared `Bytes`, changing its QoS and sizing its encoding allocate nothing.
fn publish_new_allocates_once_and_decoded_publish_shares() {
    let topic = TopicName::new("sensors/kitchen/temperature").expect("valid");
    let payload = [7u8; 100];
    let qos = QosPid::AtLeastOnce(PacketId::new(1).expect("non-zero"));
    // Cloned before measuring: cloning a `Bytes` made from a `Vec` allocates its shared header.
    let name = topic.clone();
    let (p, usage) = measure(|| Publish::new(name, qos, &payload[..]));
    let body_len = 2 + "sensors/kitchen/temperature".len() + 2 + payload.len();
    assert_eq!(
        usage,
        Usage {
            allocs: 1,
            requested: body_len,
            peak: body_len
        }
    );
    assert_eq!((p.topic(), p.payload()), (topic.as_str(), &payload[..]));

    // Decoded from a buffer already shared (its first packet taken): the frame is the body.
    let mut stream = Vec::new();
    for i in 1..=2 {
        publish(i).encode(&mut stream).expect("encodes");
    }
    let mut buf = BytesMut::from(&stream[..]);
    assert!(decode(&mut buf).expect("valid").is_some());
    let (lengths, usage) = measure(|| {
        let Some(Packet::Publish(mut p)) = decode(&mut buf).expect("valid") else {
            panic!("PUBLISH expected")
        };
        let copy = p.clone();
        let (topic, payload) = (p.topic_name().expect("a topic"), p.payload_bytes());
        p.set_qos(QosPid::ExactlyOnce(PacketId::new(9).expect("non-zero")));
        (
            topic.len(),
            payload.len(),
            p.encoded_len(),
            copy.encoded_len(),
        )
    });
    // 134 = first byte + 2 bytes of Remaining Length + a body of 131, at QoS 1 and 2 alike.
    assert_eq!(lengths, (27, 100, 134, 134));
    assert_eq!(usage, NO_ALLOCATION);
}

/// Encoding into a buffer with enough room allocates nothing.
fn encoding_into_reused_buffers_allocates_nothing() {
    let packets: Vec<Packet> = vec![
        Packet::Publish(publish(7)),
        Packet::Subscribe(Subscribe::new(
            PacketId::new(3).expect("non-zero"),
            vec![Subscription::new(
                TopicFilter::new("a/+/#").expect("valid"),
                QoS::ExactlyOnce,
            )],
        )),
        Packet::from(Connect::new(MqttString::new("client").expect("valid"))),
        Packet::SubAck(SubAck::new(
            PacketId::new(3).expect("non-zero"),
            vec![SubscribeReturnCode::Failure],
        )),
        Packet::PingReq,
    ];
    let mut vec = Vec::with_capacity(4096);
    let mut bytes_mut = BytesMut::with_capacity(4096);
    let mut array = [0u8; 4096];
    let (total, usage) = measure(|| {
        let mut total = 0;
        for _round in 0..100 {
            for p in &packets {
                vec.clear();
                p.encode(&mut vec).expect("room");
                bytes_mut.clear();
                p.encode(&mut bytes_mut).expect("room");
                let mut slice = &mut array[..];
                p.encode(&mut slice).expect("room");
                total += vec.len() + bytes_mut.len() + (4096 - slice.len());
                assert_eq!(&vec[..], &bytes_mut[..]);
            }
        }
        total
    });
    let one_round: usize = packets.iter().map(Encode::encoded_len).sum();
    assert_eq!(total, 100 * 3 * one_round);
    assert_eq!(usage, NO_ALLOCATION);
}

/// One test, sections in sequence: the counters are global, so nothing may run beside them.
#[test]
fn allocation_bounds() {
    hostile_headers_allocate_nothing();
    announced_size_bounds_the_reservation();
    decoding_publish_allocates_nothing_per_packet();
    publish_new_allocates_once_and_decoded_publish_shares();
    encoding_into_reused_buffers_allocates_nothing();
}
