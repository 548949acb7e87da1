//! Run on QEMU's lm3s6965evb (Cortex-M3, `thumbv7m-none-eabi`) by `.ci/firmware.sh`: decodes
//! and encodes again a packet of every type in MQTT 3.1.1 and 5.0, checks malformed ones get
//! the right error, from an odd offset too (no alignment assumed), on a 32-bit `usize`,
//! without a heap (no global allocator is linked: one would fail the link). Measures the stack
//! `decode_ref` and `encode_to_slice` use by painting it. Exits with a failure code when a
//! check fails.
#![no_std]
#![no_main]

use core::hint::black_box;
use cortex_m_semihosting::{debug, hprintln};
use mqttwire::{DecodeError, Decoder, Encoder, PacketRef, Protocol};
use mqttwire_firmware as _;

/// Well-formed packets of every type, as (version, frame): each must decode and encode again
/// to the same bytes.
const PACKETS: &[(Protocol, &[u8])] = &[
    // 3.1.1
    (
        Protocol::V311,
        b"\x10\x11\x00\x04MQTT\x04\x02\x00\x3c\x00\x05s-17a",
    ),
    (Protocol::V311, b"\x20\x02\x00\x00"),
    (Protocol::V311, b"\x32\x0c\x00\x03a/b\x00\x0721.5x"),
    (Protocol::V311, b"\x40\x02\x00\x07"),
    (Protocol::V311, b"\x50\x02\x00\x07"),
    (Protocol::V311, b"\x62\x02\x00\x07"),
    (Protocol::V311, b"\x70\x02\x00\x07"),
    (Protocol::V311, b"\x82\x08\x00\x01\x00\x03a/+\x01"),
    (Protocol::V311, b"\x90\x03\x00\x01\x01"),
    (Protocol::V311, b"\xa2\x07\x00\x01\x00\x03a/+"),
    (Protocol::V311, b"\xb0\x02\x00\x01"),
    (Protocol::V311, b"\xc0\x00"),
    (Protocol::V311, b"\xd0\x00"),
    (Protocol::V311, b"\xe0\x00"),
    // 5.0
    (
        Protocol::V5,
        b"\x10\x12\x00\x04MQTT\x05\x02\x00\x3c\x00\x00\x05s-17a",
    ),
    (Protocol::V5, b"\x20\x03\x00\x00\x00"),
    (Protocol::V5, b"\x30\x0c\x00\x03a/b\x02\x01\x0121.5"),
    (Protocol::V5, b"\x40\x03\x00\x07\x10"),
    (Protocol::V5, b"\x50\x02\x00\x07"),
    (Protocol::V5, b"\x62\x03\x00\x07\x92"),
    (Protocol::V5, b"\x70\x02\x00\x07"),
    (Protocol::V5, b"\x82\x09\x00\x01\x00\x00\x03a/+\x01"),
    (Protocol::V5, b"\x90\x04\x00\x01\x00\x01"),
    (Protocol::V5, b"\xa2\x08\x00\x01\x00\x00\x03a/+"),
    (Protocol::V5, b"\xb0\x04\x00\x01\x00\x00"),
    (Protocol::V5, b"\xc0\x00"),
    (Protocol::V5, b"\xd0\x00"),
    (Protocol::V5, b"\xe0\x01\x04"),
    (Protocol::V5, b"\xf0\x00"),
];

/// Malformed packets and the error each must get.
const MALFORMED: &[(Protocol, &[u8], DecodeError)] = &[
    // A packet identifier of 0 [MQTT-2.3.1-1].
    (
        Protocol::V311,
        b"\x40\x02\x00\x00",
        DecodeError::ZeroPacketId,
    ),
    // Reserved flags of SUBSCRIBE not 0010 [MQTT-3.8.1-1].
    (
        Protocol::V311,
        b"\x80\x08\x00\x01\x00\x03a/+\x01",
        DecodeError::InvalidFlags {
            packet_type: mqttwire::PacketType::Subscribe,
            flags: 0,
        },
    ),
    // AUTH does not exist in 3.1.1.
    (
        Protocol::V311,
        b"\xf0\x00",
        DecodeError::ReservedPacketType(15),
    ),
    // A PUBLISH at QoS 3 [MQTT-3.3.1-4].
    (
        Protocol::V311,
        b"\x36\x05\x00\x01a\x00\x01",
        DecodeError::InvalidPublishQos,
    ),
    // A Remaining Length of five bytes.
    (
        Protocol::V311,
        b"\x30\xff\xff\xff\xff\x01",
        DecodeError::MalformedRemainingLength,
    ),
    // 5.0: a non-minimal Variable Byte Integer [MQTT-1.5.5-1].
    (
        Protocol::V5,
        b"\xe0\x80\x00",
        DecodeError::NonMinimalVariableByteInteger,
    ),
];

/// Bytes painted below the stack pointer before each measured call.
const PAINT: usize = 4096;
const PATTERN: u32 = 0xa5a5_5a5a;

static mut FAILURES: u32 = 0;

fn fail(what: &str, index: usize) {
    hprintln!("FAIL: {} #{}", what, index);
    // Single-threaded, no interrupts: the only access at a time.
    unsafe { FAILURES += 1 };
}

/// Fills the `PAINT` bytes below the current stack pointer with `PATTERN`.
#[inline(never)]
fn paint() {
    let sp = cortex_m::register::msp::read() as usize;
    let bottom = sp - PAINT;
    let mut at = bottom;
    while at < sp - 64 {
        // The region is below the live stack and inside RAM (64 KiB, the stack starts at its top).
        unsafe { core::ptr::write_volatile(at as *mut u32, PATTERN) };
        at += 4;
    }
}

/// Bytes of the painted region the last call overwrote, seen from the stack pointer now
/// (the same as when `paint` ran).
#[inline(never)]
fn high_water() -> usize {
    let sp = cortex_m::register::msp::read() as usize;
    let bottom = sp - PAINT;
    let mut at = bottom;
    while at < sp && unsafe { core::ptr::read_volatile(at as *const u32) } == PATTERN {
        at += 4;
    }
    sp - at
}

#[cortex_m_rt::entry]
fn main() -> ! {
    if core::mem::size_of::<usize>() != 4 {
        fail("usize is not 32 bits", 0);
    }
    let mut worst_decode = 0;
    let mut worst_encode = 0;
    // One byte more than the largest frame, so each can be placed at an odd address.
    let mut rx = [0u8; 65];
    let mut tx = [0u8; 64];
    for (index, &(protocol, frame)) in PACKETS.iter().enumerate() {
        let decoder = Decoder::new().protocol(protocol);
        let encoder = Encoder::new(protocol);
        for offset in [0usize, 1] {
            let input = &mut rx[offset..offset + frame.len()];
            input.copy_from_slice(frame);
            let input: &[u8] = black_box(input);
            paint();
            let decoded = decoder.decode_ref(input);
            worst_decode = worst_decode.max(high_water());
            let packet: PacketRef<'_> = match decoded {
                Ok(Some((packet, consumed))) if consumed == frame.len() => packet,
                _ => {
                    fail("decode", index);
                    continue;
                }
            };
            tx.fill(0);
            paint();
            let encoded = encoder.encode_to_slice(&packet, &mut tx[offset..]);
            worst_encode = worst_encode.max(high_water());
            if encoded != Ok(frame.len()) || &tx[offset..offset + frame.len()] != frame {
                fail("encode", index);
            }
            // Too small by one byte: refused, nothing written.
            let mut short = [0u8; 64];
            let result = encoder.encode_to_slice(&packet, &mut short[..frame.len() - 1]);
            if result.is_ok() || short.iter().any(|&b| b != 0) {
                fail("short buffer", index);
            }
        }
    }
    for (index, &(protocol, frame, ref expected)) in MALFORMED.iter().enumerate() {
        let input = &mut rx[1..1 + frame.len()];
        input.copy_from_slice(frame);
        if Decoder::new()
            .protocol(protocol)
            .decode_ref(black_box(input))
            != Err(*expected)
        {
            fail("malformed", index);
        }
    }
    hprintln!(
        "stack high-water mark: decode_ref {} bytes, encode_to_slice {} bytes",
        worst_decode,
        worst_encode
    );
    if worst_decode >= 1024 || worst_encode >= 1024 {
        fail("stack of 1 KiB or more", 0);
    }
    let failures = unsafe { FAILURES };
    hprintln!(
        "{} packets, {} malformed, {} failures",
        PACKETS.len(),
        MALFORMED.len(),
        failures
    );
    debug::exit(if failures == 0 {
        debug::EXIT_SUCCESS
    } else {
        debug::EXIT_FAILURE
    });
    // Not reached: semihosting's exit stops QEMU.
    loop {
        cortex_m::asm::wfi();
    }
}
