//! `eindkomst decode` with filter flags: exact output on the sample, the
//! accounting line, pseudonyms, bad flags; and a property test over files
//! from the generator: random profiles and sets never let a forbidden field
//! or a CPR through, and every record is accounted for.

use eindkomst_cli::generate::{self, Spec};
use eindkomst_core::decoder::MAX_LINE;
use eindkomst_core::filter::{Filter, FilterOptions, Profile, ProfileEntry};
use eindkomst_core::layout::EMPLOYER;
use eindkomst_core::{Decoder, Event};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::path::PathBuf;
use std::process::{Command, Output};

fn eindkomst(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_eindkomst")).args(args).output().expect("run eindkomst")
}

fn sample() -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../testdata/sample.txt").display().to_string()
}

fn tmp(name: &str, contents: &[u8]) -> String {
    let dir = std::env::temp_dir().join(format!("eindkomst-filter-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path.display().to_string()
}

/// Runs `decode` with `args` on the sample; returns (stdout, stderr), asserting success.
fn decode(args: &[&str]) -> (String, String) {
    let sample = sample();
    let mut all = vec!["decode"];
    all.extend_from_slice(args);
    all.push(&sample);
    let out = eindkomst(&all);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "{stderr}");
    (String::from_utf8(out.stdout).unwrap(), stderr)
}

/// The `line` of every NDJSON record.
fn lines_of(stdout: &str) -> Vec<u64> {
    stdout.lines().map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["line"].as_u64().unwrap()).collect()
}

#[test]
fn minimal_profile_output_is_exact() {
    let (out, err) = decode(&["--profile", "minimal"]);
    let expected = r#"{"line":1,"lb_nr":1,"offset":0,"record":"1000","fields":{"Indberetter_SE_nr":"12345678","Indberetter_CVR_nr":"12345678"}}
{"line":2,"lb_nr":2,"offset":143,"record":"2001","fields":{"Virksomhed_SE_nr":"12345678"}}
{"line":8,"lb_nr":8,"offset":539,"record":"5000","fields":{"Loenperiode_start":"2025-01-01","Loenperiode_slut":"2025-01-31"}}
{"line":9,"lb_nr":9,"offset":615,"record":"6000","fields":{"Person_CPR_nr":"6101901234"}}
{"line":10,"lb_nr":10,"offset":711,"record":"6001","fields":{"Feltnummer":"0013","Beloeb":"32500.00"}}
{"line":12,"lb_nr":12,"offset":777,"record":"6001","fields":{"Feltnummer":"0016","Beloeb":"2600.00"}}
{"line":13,"lb_nr":13,"offset":810,"record":"6001","fields":{"Feltnummer":"0013","Beloeb":"-1250.50"}}
{"line":21,"lb_nr":21,"offset":1121,"record":"6000","fields":{"Person_CPR_nr":"7204881234"}}
{"line":23,"lb_nr":23,"offset":1364,"record":"6001","fields":{"Feltnummer":"0013","Beloeb":"18000.00"}}
{"line":25,"lb_nr":25,"offset":1430,"record":"6000","fields":{"Person_CVR_SE_nr":"87654321"}}
{"line":26,"lb_nr":26,"offset":1526,"record":"6001","fields":{"Feltnummer":"0014","Beloeb":"2000.00"}}
{"line":27,"lb_nr":27,"offset":1559,"record":"9999","fields":{"Antal_records":"0000027"}}
"#;
    assert_eq!(out, expected);
    assert_eq!(
        err,
        "filter: seen 27, passed 12, filtered out 15 (cpr 0, se 0, record_type 12, felt 2, period 0, \
         parent_dropped 0, empty_header 1)\n"
    );
}

#[test]
fn full_profile_raw_output_equals_the_unfiltered_golden_file() {
    let (out, _) = decode(&["--raw", "--profile", "full"]);
    let golden =
        std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../testdata/sample.raw.ndjson"))
            .unwrap();
    assert_eq!(out, golden);
}

#[test]
fn each_dimension_by_its_lines() {
    let cprs = tmp("cprs.txt", b"# one person\n610190-1234\n");
    let cases: [(&[&str], Vec<u64>, &str); 5] = [
        (
            &["--cpr-file", &cprs],
            [1, 2, 3, 4, 5, 6].into_iter().chain(8..=20).chain([27]).collect(),
            "seen 27, passed 20, filtered out 7 (cpr 3, se 0, record_type 0, felt 0, period 0, parent_dropped 4, empty_header 0)",
        ),
        (
            &["--se", "99999999,1"],
            vec![27],
            "seen 27, passed 1, filtered out 26 (cpr 0, se 1, record_type 0, felt 0, period 0, parent_dropped 24, empty_header 1)",
        ),
        (
            &["--records", "6001"],
            vec![1, 2, 8, 9, 10, 11, 12, 13, 21, 23, 24, 25, 26],
            "seen 27, passed 13, filtered out 14 (cpr 0, se 0, record_type 13, felt 0, period 0, parent_dropped 0, empty_header 1)",
        ),
        (
            &["--fields", "15", "--records", "6001"],
            vec![1, 2, 8, 9, 11, 21, 24],
            "seen 27, passed 7, filtered out 20 (cpr 0, se 0, record_type 13, felt 5, period 0, parent_dropped 0, empty_header 2)",
        ),
        (
            &["--period", "2024-12-01..2024-12-31"],
            vec![1, 2, 3, 4, 5, 7, 27],
            "seen 27, passed 7, filtered out 20 (cpr 0, se 0, record_type 0, felt 0, period 2, parent_dropped 18, empty_header 0)",
        ),
    ];
    for (args, lines, summary) in cases {
        let (out, err) = decode(args);
        assert_eq!(lines_of(&out), lines, "{args:?}");
        assert_eq!(err, format!("filter: {summary}\n"), "{args:?}");
    }
    let (out, _) = decode(&["--period", "last:3@2025-04-30"]);
    assert_eq!(lines_of(&out).len(), 27);
    let (out, _) = decode(&["--period", "last:3@2025-05-01"]);
    assert_eq!(lines_of(&out), vec![1, 2, 3, 4, 5, 7, 27]);
}

#[test]
fn user_profile_file_omits_forbidden_fields() {
    let profile = tmp("profile.json", br#"{"name":"tax","records":{"6000":[5],"6001":[3,4,5]},"feltnumre":[15]}"#);
    let (out, err) = decode(&["--profile", &profile]);
    let expected = r#"{"line":1,"lb_nr":1,"offset":0,"record":"1000","fields":{}}
{"line":2,"lb_nr":2,"offset":143,"record":"2001","fields":{}}
{"line":8,"lb_nr":8,"offset":539,"record":"5000","fields":{}}
{"line":9,"lb_nr":9,"offset":615,"record":"6000","fields":{}}
{"line":11,"lb_nr":11,"offset":744,"record":"6001","fields":{"Feltnummer":"0015","Beloeb":"9100.00"}}
{"line":21,"lb_nr":21,"offset":1121,"record":"6000","fields":{}}
{"line":24,"lb_nr":24,"offset":1397,"record":"6001","fields":{"Feltnummer":"0015","Beloeb":"6120.00"}}
"#;
    assert_eq!(out, expected);
    assert!(err.contains("passed 7,"), "{err}");
    // CSV leaves the forbidden rows out too.
    let (csv, _) = decode(&["--format", "csv", "--profile", &profile]);
    assert_eq!(
        csv,
        "line,lb_nr,record,field_no,field_name,value\n11,11,6001,3,Feltnummer,0015\n11,11,6001,4,Beloeb,9100.00\n\
         24,24,6001,3,Feltnummer,0015\n24,24,6001,4,Beloeb,6120.00\n"
    );
}

#[test]
fn pseudonyms_replace_cprs_stably_per_key() {
    let key1 = tmp("key1", b"first key, 32 bytes long.......\n");
    let key2 = tmp("key2", b"second key, 32 bytes long......\n");
    let run = |key: &str| decode(&["--raw", "--pseudonymise-key-file", key]).0;
    let a = run(&key1);
    assert_eq!(a, run(&key1));
    let b = run(&key2);
    assert_ne!(a, b);
    for cpr in ["6101901234", "7204881234", "6512851234"] {
        assert!(!a.contains(cpr) && !b.contains(cpr), "CPR {cpr} in the output");
    }
    let records: Vec<serde_json::Value> = a.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let pseudonym = |i: usize, no: &str| records[i]["fields"][no].as_str().unwrap().to_string();
    // The key file's bytes without the trailing line end.
    let expect = eindkomst_core::filter::pseudonymise(b"first key, 32 bytes long.......", b"6101901234");
    assert_eq!(pseudonym(8, "4"), expect.as_str());
    assert_eq!(pseudonym(2, "3"), expect.as_str()); // the same person's 2101
    assert_eq!(pseudonym(8, "4").len(), 16);
    assert_eq!(pseudonym(24, "4"), ""); // no CPR: nothing to replace
                                        // Everything else is unchanged.
    let golden =
        std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../testdata/sample.raw.ndjson"))
            .unwrap();
    let changed = a.lines().zip(golden.lines()).filter(|(x, y)| x != y).count();
    assert_eq!(changed, 4); // 2101, 4101, 6000, 6000
}

#[test]
fn bad_flags_exit_2_without_echoing_personal_data() {
    let cprs = tmp("bad-cprs.txt", b"6101901234\n61019012\n");
    let out = eindkomst(&["decode", "--cpr-file", &cprs, &sample()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.ends_with("bad-cprs.txt: line 2: not a CPR number (10 digits)\n"), "{err}");
    assert!(!err.contains("61019012\n") && !err.contains("6101901234"));
    let short = tmp("short-key", b"too short\n");
    let out = eindkomst(&["decode", "--pseudonymise-key-file", &short, &sample()]);
    assert_eq!(out.status.code(), Some(2));
    let out = eindkomst(&["decode", "--profile", "nonesuch", &sample()]);
    assert_eq!(out.status.code(), Some(2));
    let out = eindkomst(&["decode", "--period", "2025-13-01..2025-12-31", &sample()]);
    assert_eq!(out.status.code(), Some(2));
}

/// Random subset of `from`, sorted; `None` half of the time.
fn maybe_subset<T: Copy + Ord>(rng: &mut ChaCha8Rng, from: &[T]) -> Option<Vec<T>> {
    rng.random_bool(0.5).then(|| {
        let mut v: Vec<T> = from.iter().copied().filter(|_| rng.random_bool(0.5)).collect();
        v.sort();
        v.dedup();
        v
    })
}

#[test]
fn property_random_profiles_on_generated_files_never_leak() {
    let types: Vec<u16> = EMPLOYER.records.iter().map(|l| l.rec_nr).collect();
    let felts = [13u16, 14, 15, 16, 19, 63, 68, 200, 209];
    let mut rng = ChaCha8Rng::seed_from_u64(0xF11E);
    let (mut total_passed, mut total_blanked) = (0u64, 0u64);
    for case in 0..60 {
        let mut file = Vec::new();
        let records = rng.random_range(2..400);
        generate::write(&Spec { records, seed: case, errors: 0.0, crlf: false }, &mut file).unwrap();
        // CPRs of some persons in the file, to select by.
        let all_cprs: Vec<[u8; 10]> = file
            .split(|&b| b == b'\n')
            .filter(|l| l.get(7..11) == Some(b"6000"))
            .filter_map(|l| l.get(19..29)?.try_into().ok())
            .collect();
        let mut table = Vec::new();
        for &rec_nr in &types {
            if rng.random_bool(0.6) {
                table.push(ProfileEntry { rec_nr, fields: rng.random() });
            }
        }
        let profile_felts = maybe_subset(&mut rng, &felts);
        let profile = Profile { name: "random", records: Some(&table), feltnumre: profile_felts.as_deref() };
        let cprs = maybe_subset(&mut rng, &all_cprs);
        let record_types = maybe_subset(&mut rng, &types);
        let key: Option<&[u8]> = rng.random_bool(0.5).then_some(b"property key");
        let opts = FilterOptions {
            cprs: cprs.as_deref(),
            record_types: record_types.as_deref(),
            profile,
            pseudonym_key: key,
            ..FilterOptions::default()
        };
        let mut filter = Filter::new(opts).unwrap();
        let projector = filter.projector();
        let mut dec = Decoder::default();
        let mut buf = [0u8; MAX_LINE];
        let mut input = &file[..];
        let mut passed = 0u64;
        loop {
            let (event, used) = dec.decode(input);
            input = &input[used..];
            let r = match event {
                Event::Record(r) => r,
                Event::NeedInput => break,
                Event::Rejected(e) | Event::Error(e) => panic!("case {case}: generated file has a finding: {e}"),
                _ => continue,
            };
            for kept in filter.record(&r) {
                passed += 1;
                let p = projector.project(&kept, &mut buf).unwrap();
                let rec = p.record.record_type();
                if profile.fields(rec).is_none() {
                    assert!([1000, 2001, 5000, 2101, 6000].contains(&rec), "case {case}: {rec} outside the profile");
                }
                if let (Some(set), Some(cpr)) = (&cprs, kept.cpr()) {
                    assert!(rec == 4101 || set.iter().any(|c| c == cpr), "case {case}: unlisted person passed");
                }
                for f in p.record.layout().fields {
                    let bytes = &p.record.bytes()[f.range()];
                    let permitted = profile.permits(rec, f) && !(f.personal && key.is_some());
                    if !permitted {
                        total_blanked += 1;
                        assert!(bytes.iter().all(|&b| b == b' '), "case {case}: {rec} field {} let through", f.no);
                    } else {
                        assert_eq!(bytes, &kept.bytes()[f.range()]);
                    }
                }
            }
        }
        filter.finish();
        let c = filter.counts();
        assert_eq!(c.seen, dec.counts().decoded, "case {case}");
        assert_eq!(c.seen, c.passed + c.filtered_out(), "case {case}");
        assert_eq!(c.passed, passed);
        total_passed += passed;
    }
    // The cases did exercise the filter.
    assert!(total_passed > 1000 && total_blanked > 1000, "{total_passed} {total_blanked}");
}

/// Runs `stats --json` with `args` on the sample.
fn stats_json(args: &[&str]) -> serde_json::Value {
    let sample = sample();
    let mut all = vec!["stats", "--json"];
    all.extend_from_slice(args);
    all.push(&sample);
    let out = eindkomst(&all);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn stats_counts_only_what_the_filter_passes() {
    let cprs = tmp("stats-cprs.txt", b"6101901234\n");
    let no_amounts = tmp("stats-profile.json", br#"{"records":{"6000":[5],"6001":[3]}}"#);
    let cases: [(&[&str], u64, u64, serde_json::Value, serde_json::Value); 4] = [
        (
            &["--profile", "minimal"],
            2,
            1,
            serde_json::json!({"6001/0013": "49249.50", "6001/0014": "2000.00", "6001/0016": "2600.00"}),
            serde_json::json!({"seen": 27, "passed": 12, "filtered_out": 15, "by_reason": {"cpr": 0, "se": 0,
                "record_type": 12, "felt": 2, "period": 0, "parent_dropped": 0, "empty_header": 1}}),
        ),
        (
            &["--cpr-file", &cprs],
            1,
            1,
            serde_json::json!({"3101/0059": "1500.00", "6001/0013": "31249.50", "6001/0015": "9100.00",
                "6001/0016": "2600.00", "6102": "4500.00", "6111": "32500.00", "6202": "5100.00"}),
            serde_json::json!({"seen": 27, "passed": 20, "filtered_out": 7, "by_reason": {"cpr": 3, "se": 0,
                "record_type": 0, "felt": 0, "period": 0, "parent_dropped": 4, "empty_header": 0}}),
        ),
        (
            &["--se", "99999999"],
            0,
            0,
            serde_json::json!({}),
            serde_json::json!({"seen": 27, "passed": 1, "filtered_out": 26, "by_reason": {"cpr": 0, "se": 1,
                "record_type": 0, "felt": 0, "period": 0, "parent_dropped": 24, "empty_header": 1}}),
        ),
        // Forbidden fields add nothing: no CPR (persons 0), no Beloeb (no sums).
        (
            &["--profile", &no_amounts],
            0,
            0,
            serde_json::json!({}),
            serde_json::json!({"seen": 27, "passed": 13, "filtered_out": 14, "by_reason": {"cpr": 0, "se": 0,
                "record_type": 13, "felt": 0, "period": 0, "parent_dropped": 0, "empty_header": 1}}),
        ),
    ];
    for (args, persons, se_numbers, amounts, filter) in cases {
        let s = stats_json(args);
        assert_eq!(s["persons"], persons, "{args:?}");
        assert_eq!(s["se_numbers"], se_numbers, "{args:?}");
        assert_eq!(s["amounts"], amounts, "{args:?}");
        assert_eq!(s["filter"], filter, "{args:?}");
        // The decoder's counts are those of the whole file.
        assert_eq!((s["lines"].as_u64(), s["decoded"].as_u64()), (Some(27), Some(27)), "{args:?}");
        let f = &s["filter"];
        let out: u64 = f["by_reason"].as_object().unwrap().values().map(|v| v.as_u64().unwrap()).sum();
        assert_eq!(f["filtered_out"].as_u64(), Some(out));
        assert_eq!(f["seen"].as_u64(), Some(f["passed"].as_u64().unwrap() + out));
    }
    assert_eq!(stats_json(&[]).get("filter"), None);
}

#[test]
fn stats_prints_the_filter_line_and_counts_persons_by_pseudonym() {
    let key = tmp("stats-key", b"first key, 32 bytes long.......\n");
    let out = eindkomst(&["stats", "--pseudonymise-key-file", &key, "--records", "6000", &sample()]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(
            "\nfilter: seen 27, passed 6, filtered out 21 (cpr 0, se 0, record_type 20, felt 0, period 0, \
             parent_dropped 0, empty_header 1)\ndistinct persons (CPR): 2\n"
        ),
        "{text}"
    );
    assert!(!text.contains("6101901234") && !text.contains("7204881234"));
    let out = eindkomst(&["stats", "--period", "2025-13-01..2025-12-31", &sample()]);
    assert_eq!(out.status.code(), Some(2));
}
