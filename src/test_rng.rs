//! A deterministic source of random numbers for the unit tests (xorshift64), so that a failing
//! case comes back on every run.

/// Successive xorshift64 states from `seed` (which must not be 0).
pub(crate) fn xorshift(mut state: u64) -> impl FnMut() -> u64 {
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    }
}
