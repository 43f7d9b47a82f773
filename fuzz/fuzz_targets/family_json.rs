#![no_main]
//! Family/layout JSON through the loader without its leak: a family or an error, never a panic.
use eindkomst_fuzz::targets::family_json;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| family_json(data));
