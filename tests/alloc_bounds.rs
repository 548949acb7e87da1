//! Bounded memory, measured: a counting global allocator records the allocations made by the
//! measuring thread, and every section runs sequentially inside one `#[test]`, so neither the
//! test harness nor another test can disturb the counts.
//!
//! Numbers observed with bytes 1.x (stated here and asserted exactly or as bounds below):
//! - a fixed header announcing a packet over the limit: 0 allocations, 0 bytes;
//! - a fixed header announcing a packet within the limit: one reservation, of at most the
//!   announced frame length (never more than the limit), on a new buffer or one reused after
//!   a large packet or many small ones, kept or dropped (`BytesMut::reserve` alone asked up to
//!   twice the old capacity: 2,097,150 bytes for a 1 MiB frame; or the buffer's original
//!   capacity: 32,768 bytes for a 200-byte frame under a 1 KiB limit), and none at all when
//!   the room can be taken back from packets already dropped;
//! - decoding N PUBLISH packets from one buffer: 1 allocation in all (the first `split_to`
//!   turns the `BytesMut` from its `Vec` form into a shared one), 0 per packet;
//! - `Publish::new`: 1 allocation, of exactly the PUBLISH body (topic and payload together);
//!   cloning a decoded PUBLISH, sharing its topic and payload, changing its QoS: 0;
//! - encoding into a `Vec`, a `BytesMut` or a `&mut [u8]` with enough room: 0 allocations;
//! - an owned SUBSCRIBE or UNSUBSCRIBE of 1 MiB of the smallest entries: one allocation of 24 to
//!   40 bytes (the shared buffer's header) from `decode`, `decode_frame` and `MqttCodec`, one
//!   of the body (1,048,570 bytes) from `PacketRef::to_owned` (it was 10,485,680 bytes and
//!   more, a `Vec` of 40-byte entries); a SUBACK alike (its codes share the frame; it was a
//!   `Vec`, one byte per code); repaired by `lossy_utf8`, one allocation of the repaired body
//!   (at most three times the frame);
//! - the same of the MQTT 5.0 SUBSCRIBE, UNSUBSCRIBE, SUBACK and UNSUBACK (properties and list
//!   in one buffer, shared with the frame or copied once);
//! - `Subscribe::new`, `Unsubscribe::new` from a `Vec` of alike entries: 1 allocation.

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
static LARGEST: AtomicUsize = AtomicUsize::new(0);

fn measuring() -> bool {
    MEASURING.try_with(Cell::get).unwrap_or(false)
}

fn grew(bytes: usize) {
    ALLOCS.fetch_add(1, Relaxed);
    REQUESTED.fetch_add(bytes, Relaxed);
    LARGEST.fetch_max(bytes, Relaxed);
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
    /// The largest single allocation (or reallocation, counted at its new size).
    largest: usize,
}

/// No allocation at all.
const NO_ALLOCATION: Usage = Usage {
    allocs: 0,
    requested: 0,
    peak: 0,
    largest: 0,
};

/// Runs `f` with counting on for this thread and returns what it allocated.
fn measure<R>(f: impl FnOnce() -> R) -> (R, Usage) {
    ALLOCS.store(0, Relaxed);
    REQUESTED.store(0, Relaxed);
    LIVE.store(0, Relaxed);
    PEAK.store(0, Relaxed);
    LARGEST.store(0, Relaxed);
    MEASURING.with(|m| m.set(true));
    let r = std::hint::black_box(f());
    MEASURING.with(|m| m.set(false));
    let usage = Usage {
        allocs: ALLOCS.load(Relaxed),
        requested: REQUESTED.load(Relaxed),
        peak: PEAK.load(Relaxed),
        largest: LARGEST.load(Relaxed),
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
            peak: body_len,
            largest: body_len,
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
        Packet::Subscribe(
            Subscribe::new(
                PacketId::new(3).expect("non-zero"),
                [Subscription::new(
                    TopicFilter::new("a/+/#").expect("valid"),
                    QoS::ExactlyOnce,
                )],
            )
            .expect("not empty"),
        ),
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

/// The frame of a QoS 0 PUBLISH on topic `t` that is exactly `frame_len` bytes long.
fn publish_frame(frame_len: usize) -> Vec<u8> {
    let mut remaining = frame_len - 2;
    while 1 + varint(remaining).len() + remaining > frame_len {
        remaining -= 1;
    }
    assert_eq!(1 + varint(remaining).len() + remaining, frame_len);
    let mut frame = vec![0x30];
    frame.extend(varint(remaining));
    frame.extend_from_slice(&[0x00, 0x01, b't']);
    frame.resize(frame_len, 0x5a);
    frame
}

/// Decodes one packet from `buf` with counting on; `Ok(None)` must not make the decoder reserve
/// more than `waiting` (the length of the frame at the front of `buf`), in one allocation.
fn decode_within(decoder: &Decoder, buf: &mut BytesMut, waiting: usize) -> Option<Packet> {
    let (r, usage) = measure(|| decoder.decode(buf));
    assert!(
        usage.largest <= waiting && usage.requested <= waiting.max(SLACK) && usage.allocs <= 1,
        "waiting for a frame of {waiting} bytes (limit {}): {usage:?}",
        decoder.max_packet_size_limit()
    );
    r.expect("valid")
}

/// The buffer after a large packet: the reproductions. A `BytesMut` whose first packet
/// was split off and dropped (or kept) gets the start of a packet of exactly the limit; the
/// decoder reserves that frame and no more (`BytesMut::reserve` alone asked 2,097,150 bytes at
/// a 1 MiB limit, 2,000 at 1 KiB).
fn reused_buffer_after_a_large_packet() {
    for (limit, first, next) in [
        (Decoder::DEFAULT_MAX_PACKET_SIZE, 1_048_575, 1_048_576),
        (1024, 1000, 1024),
    ] {
        for keep in [false, true] {
            let decoder = Decoder::new().max_packet_size(limit);
            let mut buf = BytesMut::from(&publish_frame(first)[..]);
            let packet = decoder.decode(&mut buf).expect("valid");
            assert!(packet.is_some());
            let kept = keep.then_some(packet);
            let next_frame = publish_frame(next);
            // The user's own growth, not measured.
            buf.extend_from_slice(&next_frame[..5]);
            assert_eq!(decode_within(&decoder, &mut buf, next), None);
            assert!(buf.capacity() >= next, "room for the frame");
            // The rest arrives into the room reserved: no allocation to take it in.
            let (_, usage) = measure(|| buf.extend_from_slice(&next_frame[5..]));
            assert_eq!(usage.allocs, 0, "limit {limit}, keep {keep}: {usage:?}");
            let packet = decode_within(&decoder, &mut buf, next).expect("whole");
            assert_eq!(packet.encoded_len(), next);
            drop(kept);
        }
    }

    // When the buffer's allocation can hold the frame once the room of the packets dropped is
    // taken back, nothing is allocated: the start of the frame moves to the front.
    let decoder = Decoder::new().max_packet_size(2048);
    let mut buf = BytesMut::with_capacity(2048);
    buf.extend_from_slice(&publish_frame(1500));
    buf.extend_from_slice(&publish_frame(1024)[..5]);
    assert!(decoder.decode(&mut buf).expect("valid").is_some());
    assert!(buf.capacity() < 1024);
    let (r, usage) = measure(|| decoder.decode(&mut buf));
    assert_eq!((r, usage), (Ok(None), NO_ALLOCATION));
    assert!(buf.capacity() >= 1024);
}

/// The buffer after many small packets, kept or dropped: however its allocation was made and
/// is shared, the decoder's reservation for the next packet is that packet's frame. (With the
/// small packets kept, `BytesMut::reserve` alone allocated the buffer's original capacity,
/// 64 KiB, for a 200-byte frame under a 1 KiB limit.)
fn reused_buffer_after_many_small_packets() {
    const SMALL_FRAME: usize = 134;
    let small: Vec<u8> = (1..=400u16)
        .flat_map(|i| publish(i).to_bytes().expect("encodes"))
        .collect();
    assert_eq!(small.len(), 400 * SMALL_FRAME);
    for limit in [1024, Decoder::DEFAULT_MAX_PACKET_SIZE] {
        for next in [200, limit] {
            for keep in [false, true] {
                let decoder = Decoder::new().max_packet_size(limit);
                let next_frame = publish_frame(next);
                // A buffer exactly full: the small packets and the first 3 bytes of the next.
                let mut buf = BytesMut::with_capacity(small.len() + 3);
                buf.extend_from_slice(&small);
                buf.extend_from_slice(&next_frame[..3]);
                let mut kept = Vec::new();
                for _ in 0..400 {
                    let p = decode_within(&decoder, &mut buf, SMALL_FRAME).expect("whole");
                    if keep {
                        kept.push(p);
                    }
                }
                assert_eq!(decode_within(&decoder, &mut buf, next), None);
                buf.extend_from_slice(&next_frame[3..]);
                let packet = decode_within(&decoder, &mut buf, next);
                assert!(packet.is_some(), "limit {limit}, next {next}, keep {keep}");
            }
        }
    }
}

/// Near-limit packets arriving in reads of at most 4 KiB, as from a socket: every reservation
/// the decoder makes is at most the frame it waits for, the packets being kept or dropped as
/// they come. The reads either append to the buffer (`extend_from_slice`, which grows it as it
/// needs) or fill its spare room, as tokio-util's `FramedRead` does (`reserve(1)` when it is
/// full, then a read of what fits); either way that growth is the caller's and not counted.
fn near_limit_stream_in_4_kib_reads() {
    for limit in [64 * 1024, Decoder::DEFAULT_MAX_PACKET_SIZE] {
        let sizes = [
            limit - 1,
            limit,
            limit - 4097,
            limit - 4096,
            300,
            limit / 2 + 3,
            limit,
        ];
        let frames: Vec<Vec<u8>> = sizes.iter().map(|&n| publish_frame(n)).collect();
        let stream = frames.concat();
        for (keep, into_spare_room) in [(false, false), (true, false), (false, true), (true, true)]
        {
            let decoder = Decoder::new().max_packet_size(limit);
            let mut buf = BytesMut::new();
            let (mut next, mut kept, mut allocs, mut read) = (0, Vec::new(), 0, 0);
            while read < stream.len() {
                let mut len = 4096.min(stream.len() - read);
                if into_spare_room {
                    buf.reserve(1);
                    len = len.min(buf.capacity() - buf.len());
                }
                buf.extend_from_slice(&stream[read..read + len]);
                read += len;
                loop {
                    let waiting = sizes.get(next).copied().unwrap_or(0);
                    let (r, usage) = measure(|| decoder.decode(&mut buf));
                    assert!(
                        usage.largest <= waiting && usage.allocs <= 1,
                        "limit {limit}, keep {keep}, into spare room {into_spare_room}, \
                         frame {next} of {waiting} bytes: {usage:?}"
                    );
                    allocs += usage.allocs;
                    match r.expect("valid") {
                        Some(p) => {
                            assert_eq!(p.encoded_len(), waiting);
                            next += 1;
                            if keep {
                                kept.push(p);
                            }
                        }
                        None => break,
                    }
                }
            }
            assert_eq!((next, buf.len()), (sizes.len(), 0));
            // At most one reservation per packet, and the shared buffer's header.
            assert!(
                allocs <= 2 * sizes.len(),
                "limit {limit}, keep {keep}: {allocs}"
            );
        }
    }
}

/// The same through [`MqttCodec`], which decodes with [`Decoder::decode`] and reserves
/// nothing of its own.
#[cfg(feature = "tokio-codec")]
fn codec_reservations_are_the_decoders() {
    use tokio_util::codec::Decoder as _;
    let limit = 64 * 1024;
    let mut codec = MqttCodec::with_decoder(Decoder::new().max_packet_size(limit));
    let mut buf = BytesMut::from(&publish_frame(limit - 1)[..]);
    let packet = codec.decode(&mut buf).expect("valid");
    assert!(packet.is_some());
    drop(packet);
    buf.extend_from_slice(&publish_frame(limit)[..5]);
    let (r, usage) = measure(|| codec.decode(&mut buf));
    assert!(matches!(r, Ok(None)));
    assert!(usage.allocs <= 1 && usage.largest <= limit, "{usage:?}");
}

/// A list packet of exactly `frame_len` bytes or just under (whole entries): first byte
/// `first`, packet identifier 1, then `entry` as many times as fit.
fn list_frame(first: u8, entry: &[u8], frame_len: usize) -> Vec<u8> {
    let mut remaining = frame_len - 2;
    while 1 + varint(remaining).len() + remaining > frame_len || (remaining - 2) % entry.len() != 0
    {
        remaining -= 1;
    }
    let mut frame = vec![first];
    frame.extend(varint(remaining));
    frame.extend_from_slice(&[0x00, 0x01]);
    while frame.len() < 1 + varint(remaining).len() + remaining {
        frame.extend_from_slice(entry);
    }
    frame
}

/// Owned SUBSCRIBE, UNSUBSCRIBE and SUBACK packets at the 1 MiB limit made of the smallest
/// entries (`00 01 61 00`: one-letter filter, QoS 0): the owned decode holds at most twice the
/// frame at its peak, however it is reached (`Decoder::decode` from a `BytesMut`,
/// `Decoder::decode_frame`, `PacketRef::to_owned`, `MqttCodec`). The lists stay as they are on
/// the wire, shared with the frame or copied once; they were a `Vec` of 40-byte entries per
/// 4-byte entry (10,485,680 bytes for a 1,048,574-byte SUBSCRIBE).
///
/// Observed: sharing the frame costs one allocation of a `Bytes` header (24 to 40 bytes) when
/// the buffer was not shared yet; `PacketRef::to_owned` copies the body (the frame less its
/// fixed header; a SUBACK's less its packet identifier).
fn owned_list_packets_stay_within_twice_the_frame() {
    let limit = Decoder::DEFAULT_MAX_PACKET_SIZE;
    let decoder = Decoder::new();
    let packets = [
        (
            "SUBSCRIBE",
            list_frame(0x82, &[0x00, 0x01, b'a', 0x00], limit),
            262_142,
        ),
        (
            "UNSUBSCRIBE",
            list_frame(0xa2, &[0x00, 0x01, b'a'], limit),
            349_523,
        ),
        ("SUBACK", list_frame(0x90, &[0x01], limit), 1_048_570),
    ];
    for (name, frame, entries) in packets {
        let body = frame.len() - 4;
        let check = |how: &str, packet: Packet, usage: Usage, shares: bool| {
            let len = match &packet {
                Packet::Subscribe(s) => s.len(),
                Packet::Unsubscribe(u) => u.len(),
                Packet::SubAck(a) => a.len(),
                other => panic!("{other:?}"),
            };
            assert_eq!(len, entries, "{name} {how}");
            let context = format!("{name} of {} bytes, {how}: {usage:?}", frame.len());
            assert!(usage.peak <= 2 * frame.len(), "{context}");
            if shares {
                assert!(usage.allocs <= 1 && usage.peak <= SLACK, "{context}");
            } else {
                assert!(usage.allocs == 1 && usage.peak <= body, "{context}");
            }
        };
        let shares = true;

        let mut buf = BytesMut::from(&frame[..]);
        let (packet, usage) = measure(|| decoder.decode(&mut buf));
        check(
            "decode",
            packet.expect("valid").expect("whole"),
            usage,
            shares,
        );

        let bytes = bytes::Bytes::from(frame.clone());
        let (packet, usage) = measure(|| decoder.decode_frame(bytes));
        check("decode_frame", packet.expect("valid"), usage, shares);

        let borrowed = decoder.decode_frame_ref(&frame).expect("valid");
        let (packet, usage) = measure(|| borrowed.to_owned());
        check("PacketRef::to_owned", packet, usage, false);

        #[cfg(feature = "tokio-codec")]
        {
            use tokio_util::codec::Decoder as _;
            let mut buf = BytesMut::from(&frame[..]);
            let (packet, usage) = measure(|| MqttCodec::new().decode(&mut buf));
            let packet = packet.expect("valid").expect("whole");
            check("MqttCodec", packet, usage, shares);
        }
    }
}

/// A 5.0 list packet of exactly `frame_len` bytes or just under (whole entries): first byte
/// `first`, packet identifier 1, a Property Length of 0, then `entry` as many times as fit.
fn list_frame_v5(first: u8, entry: &[u8], frame_len: usize) -> Vec<u8> {
    let mut remaining = frame_len - 2;
    while 1 + varint(remaining).len() + remaining > frame_len || (remaining - 3) % entry.len() != 0
    {
        remaining -= 1;
    }
    let mut frame = vec![first];
    frame.extend(varint(remaining));
    frame.extend_from_slice(&[0x00, 0x01, 0x00]);
    while frame.len() < 1 + varint(remaining).len() + remaining {
        frame.extend_from_slice(entry);
    }
    frame
}

/// The MQTT 5.0 SUBSCRIBE, UNSUBSCRIBE, SUBACK and UNSUBACK at the 1 MiB limit, made of the
/// smallest entries (a one-letter filter with options 0; a code 0x00): the owned decode holds
/// at most twice the frame at its peak, however it is reached. The properties and the list
/// stay as they are on the wire, in one buffer: shared with the frame by `Decoder::decode`,
/// `Decoder::decode_frame` and `MqttCodec` (one allocation of a `Bytes` header at most),
/// copied once by `PacketRef::to_owned` (the body, less the packet identifier for the
/// acknowledgements, which keep it apart).
fn owned_v5_list_packets_stay_within_twice_the_frame() {
    let limit = Decoder::DEFAULT_MAX_PACKET_SIZE;
    let decoder = Decoder::new().protocol(Protocol::V5);
    let packets = [
        (
            "SUBSCRIBE",
            list_frame_v5(0x82, &[0x00, 0x01, b'a', 0x00], limit),
            262_142,
        ),
        (
            "UNSUBSCRIBE",
            list_frame_v5(0xa2, &[0x00, 0x01, b'a'], limit),
            349_523,
        ),
        ("SUBACK", list_frame_v5(0x90, &[0x00], limit), 1_048_569),
        ("UNSUBACK", list_frame_v5(0xb0, &[0x11], limit), 1_048_569),
    ];
    for (name, frame, entries) in packets {
        let body = frame.len() - 4;
        let check = |how: &str, packet: Packet, usage: Usage, shares: bool| {
            let len = match &packet {
                Packet::Subscribe(s) => s.len(),
                Packet::Unsubscribe(u) => u.len(),
                Packet::SubAck(a) => a.len(),
                Packet::UnsubAck(a) => a.len(),
                other => panic!("{other:?}"),
            };
            assert_eq!(len, entries, "{name} {how}");
            let context = format!("5.0 {name} of {} bytes, {how}: {usage:?}", frame.len());
            if std::env::var_os("ALLOC_BOUNDS_VERBOSE").is_some() {
                eprintln!("{context}");
            }
            assert!(usage.peak <= 2 * frame.len(), "{context}");
            if shares {
                assert!(usage.allocs <= 1 && usage.peak <= SLACK, "{context}");
            } else {
                assert!(usage.allocs == 1 && usage.peak <= body, "{context}");
            }
        };

        let mut buf = BytesMut::from(&frame[..]);
        let (packet, usage) = measure(|| decoder.decode(&mut buf));
        check(
            "decode",
            packet.expect("valid").expect("whole"),
            usage,
            true,
        );

        let bytes = bytes::Bytes::from(frame.clone());
        let (packet, usage) = measure(|| decoder.decode_frame(bytes));
        check("decode_frame", packet.expect("valid"), usage, true);

        let borrowed = decoder.decode_frame_ref(&frame).expect("valid");
        let (packet, usage) = measure(|| borrowed.to_owned());
        check("PacketRef::to_owned", packet, usage, false);

        #[cfg(feature = "tokio-codec")]
        {
            use tokio_util::codec::Decoder as _;
            let mut buf = BytesMut::from(&frame[..]);
            let mut codec = MqttCodec::with_decoder(decoder);
            let (packet, usage) = measure(|| codec.decode(&mut buf));
            let packet = packet.expect("valid").expect("whole");
            check("MqttCodec", packet, usage, true);
        }
    }
}

/// With `lossy_utf8`, a list whose filters hold ill-formed UTF-8 is written again with the
/// repairs, in one allocation of the repaired body: `00 01 ff 00` becomes `00 03 ef bf bd 00`
/// (1.5 times the frame). A repair can at most triple a filter (a lone ill-formed byte becomes
/// the three bytes of U+FFFD), so filters made of ill-formed bytes approach three times the
/// frame, the most a lossy decode holds.
fn lossy_lists_are_rewritten_once() {
    let limit = Decoder::DEFAULT_MAX_PACKET_SIZE;
    let lossy = Decoder::new().lossy_utf8(true);
    let long_ill_formed: Vec<u8> = [&[0x55, 0x55][..], &[0xff; 0x5555], &[0x00]].concat();
    let packets = [
        (list_frame(0x82, &[0x00, 0x01, 0xff, 0x00], limit), 2),
        (list_frame(0xa2, &[0x00, 0x01, 0xff], limit), 2),
        (list_frame(0x82, &long_ill_formed, limit), 3),
    ];
    for (frame, factor) in packets {
        let mut buf = BytesMut::from(&frame[..]);
        let (packet, usage) = measure(|| lossy.decode(&mut buf));
        let packet = packet.expect("repaired").expect("whole");
        let filter = match &packet {
            Packet::Subscribe(s) => s.iter().next().map(|(f, _)| f.to_owned()),
            Packet::Unsubscribe(u) => u.iter().next().map(str::to_owned),
            other => panic!("{other:?}"),
        };
        assert!(filter.expect("one at least").starts_with('\u{fffd}'));
        // The shared buffer's header, the repaired body.
        assert!(usage.allocs <= 2, "{usage:?}");
        assert!(usage.peak <= factor * frame.len(), "{usage:?}");
        let header = packet.encoded_len() - usage.largest;
        assert!((2..=5).contains(&header), "one buffer, the body: {usage:?}");
    }
}

/// `Subscribe::new` and `Unsubscribe::new` write the list once into one buffer: one
/// allocation, of the body, when the iterator knows its length and the entries are alike (or
/// there is one); reading the entries back as owned values shares that buffer (one allocation,
/// the first time, for the shared header of a buffer made from a `Vec`).
fn building_lists_allocates_once() {
    let id = PacketId::new(1).expect("non-zero");
    let filters: Vec<TopicFilter> = (0..1000)
        .map(|i| TopicFilter::new(&format!("site/{i:04}/+")).expect("valid"))
        .collect();
    let subscriptions: Vec<Subscription> = filters
        .iter()
        .map(|f| Subscription::new(f.clone(), QoS::AtLeastOnce))
        .collect();
    for n in [1, 3, 1000] {
        let subs = subscriptions[..n].to_vec();
        let (subscribe, usage) = measure(|| Subscribe::new(id, subs).expect("not empty"));
        let body = 2 + n * (2 + 11 + 1);
        assert_eq!((usage.allocs, usage.largest), (1, body), "{n}: {usage:?}");
        assert_eq!(
            subscribe.encoded_len(),
            body + 1 + if body < 128 { 1 } else { 2 }
        );

        let some = filters[..n].to_vec();
        let (unsubscribe, usage) = measure(|| Unsubscribe::new(id, some).expect("not empty"));
        assert_eq!(
            (usage.allocs, usage.largest),
            (1, 2 + n * 13),
            "{n}: {usage:?}"
        );

        let (count, usage) =
            measure(|| subscribe.subscriptions().count() + unsubscribe.filters().count());
        assert_eq!(count, 2 * n);
        assert!(usage.allocs <= 2 && usage.peak <= SLACK, "{n}: {usage:?}");
    }
}

/// An MQTT 5.0 PUBLISH with a Message Expiry Interval and four User Properties.
fn publish_v5(i: u16) -> Publish {
    let properties = Properties::new([
        Property::MessageExpiryInterval(300),
        Property::UserProperty("unit", "C"),
        Property::UserProperty("sensor", "kitchen"),
        Property::UserProperty("room", "2"),
        Property::UserProperty("seq", "1"),
    ])
    .expect("valid properties");
    publish(i)
        .with_properties(properties)
        .expect("allowed in PUBLISH")
}

/// MQTT 5.0: decoding a PUBLISH with properties allocates nothing per packet, owned or
/// borrowed: topic, properties and payload share the frame; reading the properties (typed
/// accessors, the User Properties in order) allocates nothing either, nor does re-encoding the
/// message for a 5.0 or a 3.1.1 peer into a reused buffer.
fn decoding_v5_publish_with_properties_allocates_nothing() {
    const N: usize = 1000;
    let mut stream = Vec::new();
    for i in 1..=N as u16 {
        Encoder::V5
            .encode(&publish_v5(i), &mut stream)
            .expect("encodes");
    }
    let decoder = Decoder::new().protocol(Protocol::V5);
    let mut buf = BytesMut::from(&stream[..]);
    let first = decoder.decode(&mut buf).expect("valid");
    assert_eq!(first, Some(Packet::Publish(publish_v5(1))));
    let mut out = Vec::with_capacity(1024);
    let ((count, users), usage) = measure(|| {
        let (mut count, mut users) = (0, 0);
        while let Some(Packet::Publish(p)) = decoder.decode(&mut buf).expect("valid") {
            count += 1;
            let properties = p.properties();
            assert_eq!(properties.message_expiry_interval(), Some(300));
            users += properties.user_properties().count();
            for encoder in [Encoder::V5, Encoder::V311] {
                out.clear();
                encoder.encode(&p, &mut out).expect("room");
            }
        }
        (count, users)
    });
    assert_eq!((count, users), (N - 1, 4 * (N - 1)));
    assert_eq!(usage, NO_ALLOCATION);

    let ((count, users), usage) = measure(|| {
        let (mut rest, mut count, mut users) = (&stream[..], 0, 0);
        while let Some((PacketRef::Publish(p), used)) = decoder.decode_ref(rest).expect("valid") {
            count += 1;
            users += p.properties.user_properties().count();
            rest = &rest[used..];
        }
        (count, users)
    });
    assert_eq!((count, users), (N, 4 * N));
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
    reused_buffer_after_a_large_packet();
    reused_buffer_after_many_small_packets();
    near_limit_stream_in_4_kib_reads();
    #[cfg(feature = "tokio-codec")]
    codec_reservations_are_the_decoders();
    owned_list_packets_stay_within_twice_the_frame();
    owned_v5_list_packets_stay_within_twice_the_frame();
    lossy_lists_are_rewritten_once();
    building_lists_allocates_once();
    decoding_v5_publish_with_properties_allocates_nothing();
}
