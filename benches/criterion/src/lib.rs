//! Nothing: the benchmarks are in `benches/` (`cargo bench --manifest-path
//! benches/criterion/Cargo.toml`).
