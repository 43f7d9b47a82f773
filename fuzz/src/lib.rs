//! Fuzzing harness for eindkomst: the checks every fuzz target runs, the
//! structured model of a valid file, and the targets' inputs. The binaries in
//! `fuzz_targets/` are one-line wrappers around [`targets`], so a stored
//! crasher can be replayed as a plain unit test (`tests/regressions.rs`).
// Only `ffi_calls` (which calls the C ABI) may use unsafe code.
#![deny(unsafe_code)]

pub mod ffi_calls;
pub mod harness;
pub mod model;
pub mod targets;
