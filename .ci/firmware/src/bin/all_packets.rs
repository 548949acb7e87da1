//! Budget (a): decode any of the 14 packets of 3.1.1 or 5.0 with `decode_ref` and encode it
//! again with `encode_to_slice`, the version chosen at run time (both linked).
#![no_std]
#![no_main]

use core::hint::black_box;
use mqttwire::Protocol;

#[cortex_m_rt::entry]
fn main() -> ! {
    // Opaque to the optimiser: the version of the connection.
    let protocol = if black_box(false) {
        Protocol::V5
    } else {
        Protocol::V311
    };
    mqttwire_firmware::all_packets(protocol)
}
