#![no_main]
//! Base64 mode: encoded bytes decode like the plain bytes; raw text is safe.
use eindkomst_fuzz::targets::{base64, B64Input};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: B64Input| base64(&input));
