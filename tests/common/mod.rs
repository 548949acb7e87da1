//! Helpers shared by the integration test binaries.
pub mod hostile;
pub mod strategies;
pub mod strategies_v5;

use proptest::prelude::ProptestConfig;

/// `cases` cases per property, which `PROPTEST_CASES` overrides for longer runs, and room to
/// shrink a failure to a small input. The test binaries pick `cases` so that each stays well
/// under 30 s in a debug build on a shared 2-core machine.
pub fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|c| c.parse().ok())
            .unwrap_or(cases),
        max_shrink_iters: 2048,
        ..ProptestConfig::default()
    }
}
