#![no_main]
//! The same stream whole and in the fuzzer's chunks: identical events.
use eindkomst_fuzz::targets::{decode_split, SplitInput};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: SplitInput| decode_split(&input));
