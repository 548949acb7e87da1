//! Budget (b): the packets of a sensor client in MQTT 3.1.1 (see `mqttwire_firmware::sensor`).
#![no_std]
#![no_main]

#[cortex_m_rt::entry]
fn main() -> ! {
    mqttwire_firmware::sensor(mqttwire::Protocol::V311)
}
