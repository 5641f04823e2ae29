//! What the bridge's property tests share: proptest's configuration and the generators of
//! values, messages and JSON documents ([`strategies`]).
//!
//! Each test file (`fuzz_decoders.rs`, `round_trips.rs`, `ffi_framing.rs`) is its own crate
//! and includes this module with `mod support;`.
// Each test binary uses part of the generators (`ffi_framing` no message, `fuzz_decoders` no
// plain-only tree): the rest would be dead code in that binary.
#![allow(dead_code)]

pub mod strategies;

use proptest::test_runner::Config;

/// proptest's defaults (`PROPTEST_CASES` included), without regression files.
pub fn config() -> Config {
    Config {
        failure_persistence: None,
        ..Config::default()
    }
}
