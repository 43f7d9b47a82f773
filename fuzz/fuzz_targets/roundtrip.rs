#![no_main]
//! A structured valid file → encoder → decoder: no findings, same values.
use eindkomst_fuzz::model::FileModel;
use eindkomst_fuzz::targets::roundtrip;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|model: FileModel| roundtrip(&model));
