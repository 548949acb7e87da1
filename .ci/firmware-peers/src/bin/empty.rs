//! The runtime alone, subtracted from the other binaries.
#![no_std]
#![no_main]
use peers_firmware as _;
#[cortex_m_rt::entry]
fn main() -> ! {
    loop {
        core::hint::black_box(0u8);
    }
}
