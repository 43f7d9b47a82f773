//! The `eindkomst` binary end to end: exact output, exit codes, counts.

use std::path::PathBuf;
use std::process::{Command, Output};

fn eindkomst(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_eindkomst")).args(args).output().expect("run eindkomst")
}

fn sample() -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../testdata/sample.txt").display().to_string()
}

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("eindkomst-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

#[test]
fn decode_raw_matches_the_golden_file() {
    // testdata/sample.raw.ndjson was checked by hand against the spec's tables.
    let out = eindkomst(&["decode", "--raw", &sample()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let golden =
        std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../testdata/sample.raw.ndjson"))
            .unwrap();
    assert_eq!(stdout(&out), golden);
    let lines: Vec<serde_json::Value> = stdout(&out).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 27);
    assert_eq!(lines[21]["record"], "8001");
    assert_eq!(lines[21]["fields"]["6"], "Müller, Anna");
    assert_eq!(lines[9]["fields"]["4"], "0000032500000000");
    // Every field of the layout, keyed by number.
    assert_eq!(lines[0]["fields"].as_object().unwrap().len(), 16);
}

#[test]
fn decode_typed_ndjson_json_and_csv() {
    let out = eindkomst(&["decode", &sample()]);
    let first: Vec<serde_json::Value> = stdout(&out).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(first[9]["fields"]["Beloeb"], "32500.00");
    assert_eq!(first[12]["fields"]["Beloeb"], "-1250.50");
    assert_eq!(first[8]["fields"]["Person_CPR_nr"], "6101901234");
    assert_eq!(first[7]["fields"]["Loenperiode_slut"], "2025-01-31");
    let json: serde_json::Value =
        serde_json::from_slice(&eindkomst(&["decode", "--format", "json", &sample()]).stdout).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 27);
    assert_eq!(json[9], first[9]);
    let csv = stdout(&eindkomst(&["decode", "--format", "csv", "--raw", &sample()]));
    assert_eq!(csv.lines().next(), Some("line,lb_nr,record,field_no,field_name,value"));
    assert!(csv.lines().any(|l| l == "22,22,8001,6,Navn,\"Müller, Anna\""), "{csv}");
}

#[test]
fn validate_exit_codes_and_finding_lines() {
    let out = eindkomst(&["validate", &sample()]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).starts_with("lines 27, decoded 27, rejected 0, warnings 0, errors 0\n"));

    let mut text = std::fs::read(sample()).unwrap();
    text[711 + 20] = b'X'; // line 10, 6001 Beloeb
    let bad = tmp("bad.txt");
    std::fs::write(&bad, &text).unwrap();
    let out = eindkomst(&["validate", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<&str> = std::str::from_utf8(&out.stdout).unwrap().lines().collect();
    assert_eq!(
        lines[0],
        "rejected: line 10 (Lb_nr 10), record 6001, field 4 Beloeb, offset 731: non-digit in numeric field"
    );
    assert_eq!(lines[1], "lines 27, decoded 26, rejected 1, warnings 0, errors 0");
    assert_eq!(lines.last(), Some(&"NOT clean"));

    // Strict: stop at the first error, still exit 1.
    let out = eindkomst(&["decode", "--strict", "--raw", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout(&out).lines().count(), 9);
}

#[test]
fn base64_input_from_stdin() {
    use base64::Engine;
    use std::io::Write;
    let encoded = base64::engine::general_purpose::STANDARD.encode(std::fs::read(sample()).unwrap());
    let mut child = Command::new(env!("CARGO_BIN_EXE_eindkomst"))
        .args(["decode", "--raw", "--base64", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(encoded.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    assert_eq!(stdout(&out), stdout(&eindkomst(&["decode", "--raw", &sample()])));
}

#[test]
fn stats_of_the_sample() {
    let out = eindkomst(&["stats", "--json", &sample()]);
    let s: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(s["lines"], 27);
    assert_eq!(s["persons"], 2);
    assert_eq!(s["se_numbers"], 1);
    assert_eq!(s["amounts"]["6001/0013"], "49249.50"); // 32500.00 - 1250.50 + 18000.00
    assert_eq!(s["amounts"]["6001/0015"], "15220.00");
    assert_eq!(s["by_type"]["6001"]["decoded"], 7);
}

#[test]
fn generate_is_deterministic_and_damage_is_counted_exactly() {
    let a = eindkomst(&["generate", "--records", "5000", "--seed", "3"]).stdout;
    let b = eindkomst(&["generate", "--records", "5000", "--seed", "3"]).stdout;
    assert_eq!(a, b);
    assert_eq!(a.iter().filter(|&&x| x == b'\n').count(), 5000);
    let path = tmp("gen.txt");
    std::fs::write(&path, &a).unwrap();
    let out = eindkomst(&["validate", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));

    let out =
        eindkomst(&["generate", "--records", "20000", "--seed", "4", "--errors", "0.05", "-o", path.to_str().unwrap()]);
    let said = String::from_utf8(out.stderr).unwrap();
    let damaged: u64 = said.trim().strip_prefix("damaged ").unwrap().strip_suffix(" lines").unwrap().parse().unwrap();
    assert!(damaged > 100);
    let s: serde_json::Value =
        serde_json::from_slice(&eindkomst(&["stats", "--json", path.to_str().unwrap()]).stdout).unwrap();
    assert_eq!(s["rejected"], damaged);
    assert_eq!(s["decoded"].as_u64().unwrap() + damaged, 20000);
    assert_eq!(s["errors"], 0);
}

#[test]
fn layouts_load_from_a_json_file() {
    let spec = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../core/families/employer.json");
    let with_file = eindkomst(&["decode", "--raw", "--family", spec.to_str().unwrap(), &sample()]);
    assert_eq!(stdout(&with_file), stdout(&eindkomst(&["decode", "--raw", &sample()])));
    // A family with a different 6001: the file decides, not the code.
    let mut json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&spec).unwrap()).unwrap();
    json["records"]["6001"]["fields"][2]["name"] = "Felt".into();
    let changed = tmp("layout.json");
    std::fs::write(&changed, json.to_string()).unwrap();
    let out = eindkomst(&["decode", "--layout", changed.to_str().unwrap(), &sample()]);
    let rec: serde_json::Value = serde_json::from_str(stdout(&out).lines().nth(9).unwrap()).unwrap();
    assert_eq!(rec["fields"]["Felt"], "0013");
    // The old name of the option still works.
    let out = eindkomst(&["decode", "--layout", changed.to_str().unwrap(), &sample()]);
    assert_eq!(out.status.code(), Some(0));
    // A broken layout is refused with a reason.
    json["records"]["6001"]["fields"][3]["start"] = 17.into();
    std::fs::write(&changed, json.to_string()).unwrap();
    let out = eindkomst(&["decode", "--layout", changed.to_str().unwrap(), &sample()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("record 6001: field 4 starts at 17 but 16 was expected"));
}
