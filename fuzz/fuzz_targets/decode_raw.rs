#![no_main]
//! Raw bytes; the first byte picks the options (bit 0: strict).
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| eindkomst_fuzz::targets::decode_raw(data));
