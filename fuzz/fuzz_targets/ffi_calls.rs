#![no_main]
//! The C ABI: arbitrary call sequences, chunk splits and buffer sizes.
use eindkomst_fuzz::ffi_calls::{ffi_calls, FfiInput};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: FfiInput| {
    ffi_calls(&input);
});
