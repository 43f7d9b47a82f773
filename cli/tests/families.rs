//! The family options of the command line: loaded families (fixed width and
//! separated), raw passthrough, encodings, the employer's 6000 variants,
//! trimmed trailing blanks, and the layout tools.

use std::path::PathBuf;
use std::process::{Command, Output};

fn eindkomst(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_eindkomst")).args(args).output().expect("run eindkomst")
}

fn data(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../testdata").join(name).display().to_string()
}

fn tmp(name: &str, bytes: &[u8]) -> String {
    let dir = std::env::temp_dir().join(format!("eindkomst-cli-families-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path.display().to_string()
}

fn text(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn err(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

#[test]
fn a_loaded_family_decodes_fixed_width_and_separated_alike() {
    let fixed = eindkomst(&["decode", "--family", &data("families/demo.json"), &data("families/demo.txt")]);
    assert_eq!(fixed.status.code(), Some(0), "{}", err(&fixed));
    let lines: Vec<serde_json::Value> = text(&fixed).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 10);
    assert_eq!(lines[2]["record"], "120");
    assert_eq!(lines[2]["lb_nr"], 0);
    assert_eq!(lines[2]["fields"]["Navn"], "Søren Ærø");
    assert_eq!(lines[2]["fields"]["TIN"], serde_json::Value::Null);
    assert_eq!(lines[5]["fields"]["Beloeb"], "-987.50");
    assert_eq!(lines[6]["fields"]["TIN_landekode"], "DE");
    let sep =
        eindkomst(&["decode", "--family", &data("families/demo-separated.json"), &data("families/demo-separated.txt")]);
    assert_eq!(sep.status.code(), Some(0), "{}", err(&sep));
    // The same records, at other byte offsets.
    let without_offsets = |o: &Output| -> Vec<serde_json::Value> {
        text(o)
            .lines()
            .map(|l| {
                let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
                v.as_object_mut().unwrap().remove("offset");
                v
            })
            .collect()
    };
    assert_eq!(without_offsets(&sep), without_offsets(&fixed));
    assert_eq!(lines[9]["offset"], 299);
    let raw = eindkomst(&["decode", "--raw", "--family", &data("families/demo.json"), &data("families/demo.txt")]);
    let first: serde_json::Value = serde_json::from_str(text(&raw).lines().next().unwrap()).unwrap();
    assert_eq!(first, serde_json::json!({"line":1,"record":"100","fields":{"1":"100","2":"20240703","3":"12345678"}}));
}

#[test]
fn unknown_keys_pass_through_raw_on_request() {
    let demo = std::fs::read(data("families/demo.txt")).unwrap();
    let mut with_new = b"100".to_vec();
    with_new.extend_from_slice(&demo[3..20]);
    with_new.extend_from_slice(b"777 a record of a later layout\n");
    with_new.extend_from_slice(&demo[20..]);
    let s: String = with_new.iter().map(|&b| b as char).collect();
    let with_new: Vec<u8> = s.replace("1900000010", "1900000011").chars().map(|c| c as u32 as u8).collect();
    let file = tmp("raw.txt", &with_new);
    let family = data("families/demo.json");
    let rejected = eindkomst(&["validate", "--family", &family, &file]);
    assert_eq!(rejected.status.code(), Some(1));
    assert!(text(&rejected).contains("rejected: line 2, record 777, field 1 Rec, offset 20: unknown record type"));
    let out = eindkomst(&["decode", "--unknown", "raw", "--family", &family, &file]);
    assert_eq!(out.status.code(), Some(0), "{}", err(&out));
    let second: serde_json::Value = serde_json::from_str(text(&out).lines().nth(1).unwrap()).unwrap();
    assert_eq!(second, serde_json::json!({"line":2,"raw":true,"key":"777","bytes":"777 a record of a later layout"}));
    assert!(err(&out).contains("warning: line 2, record 777, offset 20: unknown record type: passed through raw"));
    let v = eindkomst(&["validate", "--unknown", "raw", "--family", &family, &file]);
    assert!(text(&v).contains("lines 11, decoded 10, rejected 0, warnings 1, errors 0, passed raw 1"), "{}", text(&v));
}

#[test]
fn utf8_files_are_read_and_latin1_files_never_misread() {
    let sample = std::fs::read(data("sample.txt")).unwrap();
    let utf8: Vec<u8> = sample.iter().map(|&b| b as char).collect::<String>().into_bytes();
    let file = tmp("utf8.txt", &utf8);
    let want = eindkomst(&["decode", "--raw", &data("sample.txt")]);
    let got = eindkomst(&["decode", "--raw", &file]);
    assert_eq!(text(&got), text(&want));
    assert_eq!(
        err(&got).lines().collect::<Vec<_>>(),
        ["warning: line 1, offset 0: UTF-8 encoded (format is ISO-8859-1): read as UTF-8"]
    );
    let strict_latin1 = eindkomst(&["validate", "--encoding", "latin1", &file]);
    assert_eq!(strict_latin1.status.code(), Some(1));
    // A Latin-1 file whose bytes happen to form a valid UTF-8 pair ("Ã©" in a
    // name) keeps its length only as Latin-1: it is read as Latin-1.
    let s: String = sample.iter().map(|&b| b as char).collect();
    let tricky = s.replacen("Kommunal L\u{f8}n", "Kommunal \u{c3}\u{a9}n", 1);
    let tricky: Vec<u8> = tricky.chars().map(|c| c as u32 as u8).collect();
    assert_eq!(tricky.len(), sample.len());
    let out = eindkomst(&["validate", &tmp("tricky.txt", &tricky)]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(!text(&out).contains("utf8_encoded") && !text(&out).contains("UTF-8"));
    // A character ISO-8859-1 cannot hold is an error on its line.
    let euro = String::from_utf8(utf8.clone()).unwrap().replacen("Kommunal Løn", "Kommunal €øn", 1);
    let out = eindkomst(&["validate", &tmp("euro.txt", euro.as_bytes())]);
    assert!(
        text(&out).contains("rejected: line 1 (Lb_nr 1), record 1000, offset 58: character outside ISO-8859-1"),
        "{}",
        text(&out)
    );
}

/// The sample with its 6000 lines as TaxCardBuilder writes them: filler 12,
/// CPR at 24 (99 bytes).
fn taxcardbuilder_sample() -> Vec<u8> {
    let sample = std::fs::read(data("sample.txt")).unwrap();
    let mut out = Vec::new();
    for line in sample.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        if &line[7..11] == b"6000" {
            out.extend_from_slice(&line[..11]);
            out.extend_from_slice(&[b' '; 12]);
            out.extend_from_slice(&line[19..95]);
        } else {
            out.extend_from_slice(line);
        }
        out.push(b'\n');
    }
    out
}

#[test]
fn taxcardbuilder_person_records_are_read_by_their_length() {
    let file = tmp("tcb.txt", &taxcardbuilder_sample());
    let want = eindkomst(&["decode", &data("sample.txt")]);
    let got = eindkomst(&["decode", &file]);
    assert_eq!(got.status.code(), Some(0), "{}", err(&got));
    let people = |o: &Output| -> Vec<serde_json::Value> {
        text(o)
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .filter(|v| v["record"] == "6000")
            .map(|v| v["fields"].clone())
            .collect()
    };
    // The same values under the same (official) names.
    assert_eq!(people(&got), people(&want));
    assert_eq!(people(&got)[0]["Person_CPR_nr"], "6101901234");
    // Its CPRs are found by the filter like any other.
    let cprs = tmp("cprs.txt", b"7204881234\n");
    let kept = eindkomst(&["decode", "--cpr-file", &cprs, &file]);
    assert_eq!(people(&kept).len(), 1);
    // Forcing today's 95-byte layout on them rejects all three.
    let forced = eindkomst(&["validate", "--person-layout", "current", &file]);
    let e = text(&forced);
    assert_eq!(e.matches("record 6000, offset").count(), 3, "{e}");
    assert!(e.contains("line length differs from the record's length (expected 95, found 99)"));
    let auto = eindkomst(&["validate", "--person-layout", "taxcardbuilder", &file]);
    assert_eq!(auto.status.code(), Some(0));
    let bad = eindkomst(&["decode", "--variant", "6000@nope", &data("sample.txt")]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(err(&bad).contains("family employer: no layout 6000@nope"));
}

#[test]
fn trailing_blanks_trimmed_in_transit_are_padded_back() {
    let sample = std::fs::read(data("sample.txt")).unwrap();
    let trimmed: Vec<u8> = sample
        .split(|&b| b == b'\n')
        .flat_map(|l| {
            let end = l.iter().rposition(|&b| b != b' ').map_or(0, |i| i + 1);
            l[..end].iter().copied().chain([b'\n'])
        })
        .collect();
    let trimmed = &trimmed[..trimmed.len() - 1];
    let file = tmp("trimmed.txt", trimmed);
    let want = eindkomst(&["decode", "--raw", &data("sample.txt")]);
    let got = eindkomst(&["decode", "--raw", &file]);
    assert_eq!(text(&got), text(&want));
    // The sample's lines that end in blanks: a text field padded, each named.
    let said = err(&got);
    let warned: Vec<&str> = said.lines().filter(|l| l.contains("trailing blanks were trimmed")).collect();
    assert_eq!(
        warned,
        [
            "warning: line 3 (Lb_nr 3), record 2101, field 11 Supplerende_oplysninger_medarbejdernr, offset 276: trailing blanks were trimmed; line padded back",
            "warning: line 16 (Lb_nr 16), record 6004, field 4 Tekst, offset 882: trailing blanks were trimmed; line padded back",
            "warning: line 22 (Lb_nr 22), record 8001, field 9 Postby, offset 1257: trailing blanks were trimmed; line padded back",
        ]
    );
    // A cut into a number is no trimming: the line stays wrong_length.
    let sample = std::fs::read(data("sample.txt")).unwrap();
    let cut: Vec<u8> = [&sample[..710 - 3], &sample[710..]].concat(); // line 9 (6000) loses 3 digits of its P-number
    let out = eindkomst(&["validate", &tmp("cut.txt", &cut)]);
    assert!(text(&out).contains("rejected: line 9 (Lb_nr 9), record 6000, offset 707: line length differs from the record's length (expected 95, found 92)"), "{}", text(&out));
}

#[test]
fn layout_infer_drafts_a_family_that_check_accepts() {
    let draft = eindkomst(&["layout", "infer", &data("families/demo.txt")]);
    assert_eq!(draft.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&draft.stdout).unwrap();
    assert_eq!(json["family"]["key"], serde_json::json!({"start": 1, "len": 3}));
    assert_eq!(json["records"]["120"]["lengths_seen"], serde_json::json!({"47": 1, "69": 1}));
    assert_eq!(json["records"]["100"]["fields"][1]["format"], "date");
    let file = tmp("draft.json", &draft.stdout);
    let fit = eindkomst(&["layout", "check", &file, &data("families/demo.txt")]);
    assert_eq!(fit.status.code(), Some(0), "{}", text(&fit));
    assert!(text(&fit).ends_with("full fit\n"));
    let misfit = eindkomst(&["layout", "check", &data("families/demo.json"), &data("sample.txt")]);
    assert_eq!(misfit.status.code(), Some(1));
    assert!(
        text(&misfit).starts_with("the samples are not in this family: they look like the employer reporting family")
    );
    // A wrong field shows where it fails.
    let demo = std::fs::read_to_string(data("families/demo.json")).unwrap();
    let wrong = demo.replacen("\"name\": \"Abonnent_CVR\",\n     \"start\": 12,\n     \"len\": 8,\n     \"type\": \"N\"", "\"name\": \"Abonnent_CVR\",\n     \"start\": 12,\n     \"len\": 8,\n     \"type\": \"N\", \"format\": \"date\"", 1);
    assert_ne!(wrong, demo);
    let out = eindkomst(&["layout", "check", &tmp("wrong.json", wrong.as_bytes()), &data("families/demo.txt")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("  100 field 3 Abonnent_CVR: invalid_date x1 (first at line 1)"), "{}", text(&out));
}

#[test]
fn detect_says_what_files_are() {
    let out = eindkomst(&[
        "detect",
        "--family",
        &data("families/demo.json"),
        &data("sample.txt"),
        &data("families/demo.txt"),
        &data("families/demo-separated.txt"),
    ]);
    assert_eq!(
        text(&out),
        format!(
            "{}: family employer\n{}: family demo\n{}: apostrophe-separated rows (load the family's layout file)\n",
            data("sample.txt"),
            data("families/demo.txt"),
            data("families/demo-separated.txt")
        )
    );
}
