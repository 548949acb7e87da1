//! The packets of a sensor client in MQTT 5.0 (see `mqttwire_firmware::sensor`), beside the
//! 3.1.1 one, for the size table of the README.
#![no_std]
#![no_main]

#[cortex_m_rt::entry]
fn main() -> ! {
    mqttwire_firmware::sensor(mqttwire::Protocol::V5)
}
