#![no_main]
//! Filter specs from JSON: a spec or an error, never a panic; balanced filter accounting.
use eindkomst_fuzz::targets::filter_spec;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| filter_spec(data));
