//! What the peers' firmware binaries share: a panic handler that halts (no formatting, no heap).
#![no_std]

use core::panic::PanicInfo;

#[panic_handler]
fn panic(_: &PanicInfo) -> ! {
    loop {
        cortex_m::asm::udf();
    }
}
