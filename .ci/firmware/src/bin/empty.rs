//! The baseline: the runtime alone (vector table, reset handler, panic handler), so that the
//! sizes of the other binaries can be given as what mqttwire adds.
#![no_std]
#![no_main]

use mqttwire_firmware as _;

#[cortex_m_rt::entry]
fn main() -> ! {
    loop {
        core::hint::black_box(0u8);
    }
}
