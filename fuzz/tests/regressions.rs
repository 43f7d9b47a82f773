//! The fuzz targets' checks as plain tests (stable Rust, no libFuzzer):
//!
//! * every file in `fuzz/regressions/<target>/` (minimized crashers), in
//!   `fuzz/seeds/<target>/` and in `fuzz/corpus/<target>/` (the campaign's
//!   minimised corpus) replays through its target;
//! * the sample file goes through every target in many chunkings;
//! * a few hundred pseudo-random models make the round trip;
//! * the checks themselves can fail (a corrupted file, a different run).

use eindkomst_core::testing::SAMPLE;
use eindkomst_core::{Error, ErrorKind};
use eindkomst_fuzz::harness::{assert_same_run, run_chunks, run_whole, small_numbers, ten_digits};
use eindkomst_fuzz::model::FileModel;
use eindkomst_fuzz::targets::{self, replay, B64Input, SplitInput, TARGETS};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

fn dir(kind: &str, target: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(kind).join(target)
}

/// Replays every file of `kind/<target>/`; returns how many ran.
fn replay_dir(kind: &str) -> usize {
    let mut n = 0;
    let mut failed = Vec::new();
    for target in TARGETS {
        let Ok(entries) = std::fs::read_dir(dir(kind, target)) else {
            continue;
        };
        let mut files: Vec<_> = entries.map(|e| e.expect("dir entry").path()).collect();
        files.sort();
        for f in files {
            if f.extension().is_some_and(|e| e == "md") {
                continue;
            }
            let bytes = std::fs::read(&f).expect("read");
            n += 1;
            if catch_unwind(|| replay(target, &bytes)).is_err() {
                failed.push(format!("{target}: {}", f.display()));
            }
        }
    }
    assert!(failed.is_empty(), "failing inputs:\n{}", failed.join("\n"));
    n
}

#[test]
#[cfg_attr(miri, ignore)] // file access and many inputs: too slow under Miri
fn regressions_replay() {
    replay_dir("regressions");
}

#[test]
#[cfg_attr(miri, ignore)]
fn seeds_replay() {
    assert!(replay_dir("seeds") >= TARGETS.len());
}

/// The minimised corpus of the last campaign (`scripts/fuzz-campaign.sh`).
#[test]
#[cfg_attr(miri, ignore)]
fn corpus_replay() {
    assert!(replay_dir("corpus") >= TARGETS.len());
}

#[test]
fn sample_whole_and_in_chunks() {
    for flags in [0u8, 1, 2, 4, 8, 0x20] {
        let mut raw = vec![flags];
        raw.extend_from_slice(SAMPLE);
        targets::decode_raw(&raw);
        for cuts in [vec![1], vec![2, 3], vec![146, 1], vec![0, 200]] {
            targets::decode_split(&SplitInput { flags, cuts, data: SAMPLE.to_vec() });
        }
    }
}

#[test]
fn sample_in_base64() {
    for (wrap, ws) in [(19u8, vec![]), (0, vec![(3u16, 4u8), (700, 2), (9, 0)])] {
        targets::base64(&B64Input::Encoded {
            flags: 0,
            no_pad: wrap == 0,
            crlf: wrap != 0,
            wrap,
            cuts: vec![5, 77],
            ws,
            data: SAMPLE.to_vec(),
        });
    }
}

/// xorshift: reproducible bytes without a dependency.
fn noise(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

fn model(seed: u64, len: usize) -> FileModel {
    let bytes = noise(seed, len);
    arbitrary::Arbitrary::arbitrary_take_rest(arbitrary::Unstructured::new(&bytes)).expect("any bytes make a model")
}

#[test]
fn random_models_round_trip() {
    let n = if cfg!(miri) { 3 } else { 300 };
    for seed in 0..n {
        targets::roundtrip(&model(seed, 64 + (seed as usize % 8) * 256));
    }
}

#[test]
fn random_bytes_keep_the_invariants() {
    let n = if cfg!(miri) { 3 } else { 300 };
    for seed in 0..n {
        let mut data = noise(seed, 300);
        // Mostly digits and line breaks, so some lines get far.
        for b in data.iter_mut() {
            *b = match *b % 16 {
                0 => b'\n',
                1 => b' ',
                2 => b'\r',
                _ => b'0' + *b % 10,
            };
        }
        let mut with_flags = vec![seed as u8];
        with_flags.extend_from_slice(&data);
        targets::decode_raw(&with_flags);
    }
}

#[test]
fn the_checks_can_fail() {
    // A run differs from itself with one record changed.
    let opts = eindkomst_core::Options::default();
    let a = run_whole(opts, SAMPLE, Some(SAMPLE));
    let mut other = SAMPLE.to_vec();
    other[200] = b'9';
    let b = run_chunks(opts, &other, Some(&other), &[10]);
    assert!(catch_unwind(AssertUnwindSafe(|| assert_same_run("t", &a, &b))).is_err());

    // A record claimed at the wrong offset of the stream is caught.
    let shifted = &SAMPLE[1..];
    assert!(catch_unwind(|| run_whole(opts, SAMPLE, Some(shifted))).is_err());

    // A file read as UTF-8: its records are its lines transcoded, with one
    // utf8_encoded warning; a record that is neither its line nor the
    // line's UTF-8 reading is caught.
    let utf8: Vec<u8> = SAMPLE.iter().flat_map(|&b| (b as char).to_string().into_bytes()).collect();
    assert_ne!(utf8, SAMPLE);
    let run = run_whole(opts, &utf8, Some(&utf8));
    assert_eq!(run.counts.warnings, 1);
    let at = utf8.windows(2).position(|w| w == "ø".as_bytes()).expect("an ø");
    let mut other = utf8.clone();
    other[at + 1] = 0xA5; // "å": same length, another letter
    assert!(catch_unwind(|| run_whole(opts, &utf8, Some(&other))).is_err());

    // Not a file of the family (the decode_raw regression
    // blank-run-out-of-order): two blank lines' rejections, then the one
    // wrong_family error; the two reported blank lines counted (rejected),
    // the held line "X" not, the decoder stopped.
    let run = run_whole(opts, b"\n\nX\n", Some(b"\n\nX\n"));
    assert_eq!((run.events.len(), run.counts.lines, run.counts.rejected, run.stopped), (3, 2, 2, true));

    // The round trip notices a file that is not the model's.
    let m = model(7, 2048);
    let mut enc = m.encode();
    let at = enc.offsets[0] as usize + 20; // 1000 Klok_sendt, a digit
    enc.bytes[at] = if enc.bytes[at] == b'1' { b'2' } else { b'1' };
    assert!(catch_unwind(AssertUnwindSafe(|| targets::roundtrip_encoded(&m, &enc))).is_err());

    // The CPR check sees 10 digits in a row wherever they start, and only then.
    for at in 0..12 {
        let mut text = b"x".repeat(25);
        text[at..at + 10].copy_from_slice(b"0101604321");
        assert!(ten_digits(&text), "{at}");
        text[at + 4] = b'-';
        assert!(!ten_digits(&text), "{at}");
    }
    assert!(!ten_digits(b"line 123456789, offset 1234567890"[..29].as_ref()));
    assert!(ten_digits(b"line 123456789, offset 1234567890"));

    // So does the check on every finding's numbers (its text is formatted
    // only for the first finding of each kind and shape).
    let finding = |found| Error {
        kind: ErrorKind::LbNrGap { expected: 8, found },
        line: 8,
        lb_nr: Some(found),
        record: Some(6001),
        field: None,
        offset: 420,
    };
    small_numbers(&finding(999_999_999));
    assert!(catch_unwind(|| small_numbers(&finding(1_000_000_000))).is_err());
}

/// The ABI target on its seeds: what each run did, pinned down exactly
/// (records, findings, statuses OK / NULL / invalid / too small / finished /
/// findings full, stopped).
#[test]
#[cfg_attr(miri, ignore)]
fn abi_seeds_do_what_they_say() {
    use eindkomst_fuzz::ffi_calls::{ffi_calls, FfiInput};
    // name: records, findings, statuses [ok, null, invalid, too small,
    // finished, (5 retired), not found, panic, invalid filter, invalid
    // family], stopped. The seeds were written for ABI 0.1: their call bytes
    // mean other calls now (op % 12), so each is pinned as it runs in 0.2.
    let want: &[(&str, usize, usize, [u32; 10], bool)] = &[
        // The pre-TIN 6000 forced: the three 6000s of the sample and the 6001 under one rejected.
        ("bad_scale_pretin", 23, 4, [4, 0, 0, 0, 0, 0, 0, 0, 0, 0], false),
        ("base64", 27, 0, [4, 0, 0, 9, 0, 0, 0, 0, 0, 0], false),
        ("base64_bad_char", 2, 3, [3, 0, 0, 1, 0, 0, 0, 0, 0, 0], false),
        ("long_line_split", 27, 3, [3, 0, 0, 2, 0, 0, 0, 0, 0, 0], false),
        // 1500 findings, no FINDINGS_FULL any more: they are events like records.
        ("many_findings", 0, 1500, [27, 0, 0, 1, 0, 0, 0, 0, 0, 0], false),
        ("null_options", 27, 0, [4, 0, 0, 0, 0, 0, 0, 0, 0, 0], false),
        ("sample", 27, 0, [3, 0, 0, 0, 0, 0, 0, 0, 0, 0], false),
        ("sample_lookups_nulls", 27, 0, [4, 4, 2, 33, 0, 0, 0, 0, 0, 0], false),
        ("sample_small_calls", 27, 0, [4, 0, 0, 10, 0, 0, 0, 0, 0, 0], false),
        ("strict_bad_date", 7, 1, [4, 0, 0, 9, 0, 0, 0, 0, 0, 0], true),
        ("strict_blank_lines", 5, 1, [4, 0, 0, 0, 0, 0, 0, 0, 0, 0], true),
        ("unknown_reject_control", 26, 1, [4, 0, 0, 9, 0, 0, 0, 0, 0, 0], false),
    ];

    let mut names: Vec<_> =
        std::fs::read_dir(dir("seeds", "ffi_calls")).expect("seeds").map(|e| e.expect("entry").path()).collect();
    names.sort();
    let print = std::env::var_os("EINDKOMST_PRINT").is_some();
    assert!(print || names.len() == want.len());
    for (i, f) in names.iter().enumerate() {
        let (name, records, findings, statuses, stopped) = if print { want[0] } else { want[i] };
        if !print {
            assert_eq!(f.file_name().expect("name").to_string_lossy(), name);
        }
        let bytes = std::fs::read(f).expect("read");
        let input: FfiInput =
            arbitrary::Arbitrary::arbitrary_take_rest(arbitrary::Unstructured::new(&bytes)).expect("input");
        let s = ffi_calls(&input);
        if std::env::var_os("EINDKOMST_PRINT").is_some() {
            println!(
                "(\"{}\", {}, {}, {:?}, {}),",
                f.file_name().unwrap().to_string_lossy(),
                s.records,
                s.findings,
                s.statuses,
                s.stopped
            );
            continue;
        }
        assert_eq!((s.records, s.findings, s.statuses, s.stopped), (records, findings, statuses, stopped), "{name}");
    }
}

#[test]
fn sample_through_the_abi() {
    use eindkomst_fuzz::ffi_calls::{ffi_calls, FfiInput, Op};
    let every_call: Vec<Op> = (0..=255u8).map(|i| Op::parse(i, i.wrapping_mul(37), i.wrapping_mul(101))).collect();
    for opts in [0u8, 1, 2, 4, 8, 0x10, 0x20, 0x30] {
        for scale in [0u8, 6, 16, 17, 255] {
            let data = if opts & 2 != 0 { targets::encode_b64(SAMPLE, true) } else { SAMPLE.to_vec() };
            for ops in [vec![], every_call.clone()] {
                let s = ffi_calls(&FfiInput { opts, scale, ops, data: data.clone() });
                // The pre-TIN 6000 layout (bits 4-5 = 2) rejects four of the sample's lines;
                // TaxCardBuilder's (3) its three 6000s and the 15 lines under them.
                let records = match opts & 0x30 {
                    0x20 => 23,
                    0x30 => 9,
                    _ => 27,
                };
                assert_eq!((s.records, s.stopped), (records, false), "opts {opts:#x} scale {scale}");
            }
        }
    }
}

/// The family target's seeds load through the non-leaking `check` as through
/// `parse`; a record key that looks like a CPR is refused with the number
/// masked (the check `family_json` runs on every error).
#[test]
#[cfg_attr(miri, ignore)]
fn family_seeds_load_and_errors_are_masked() {
    let mut names = Vec::new();
    for e in std::fs::read_dir(dir("seeds", "family_json")).expect("seeds") {
        let path = e.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("read");
        let checked = eindkomst_std::family::check(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let family = eindkomst_std::family::parse(&text).expect("parse");
        assert_eq!(checked.layouts().count(), family.layouts().count());
        names.push(checked.name().to_string());
    }
    names.sort();
    assert_eq!(names, ["demo", "demo-separated", "employer", "employer"]); // employer-small: 4 record types

    let employer = std::fs::read_to_string(dir("seeds", "family_json").join("employer.json")).expect("read");
    let bad = employer.replacen("\"first\": \"1000\"", "\"first\": \"0101604321\"", 1);
    assert_ne!(bad, employer);
    for cpr in ["0101604321", "010160-4321"] {
        let err = eindkomst_std::family::check(&bad.replace("0101604321", cpr)).err().expect("refused");
        assert_eq!(err, "record key \"**********\": must be 4 digits (at most 65535)");
        targets::family_json(bad.replace("0101604321", cpr).as_bytes());
    }
}
