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
    // Typed rows: the values as the JSON gives them, only fields with one
    // (no Lb_nr, no record key, signs folded into their amounts).
    let typed = stdout(&eindkomst(&["decode", "--format", "csv", &sample()]));
    let rows = |line: &str| typed.lines().filter(|l| l.starts_with(line)).collect::<Vec<_>>();
    assert_eq!(rows("13,"), ["13,13,6001,3,Feltnummer,0013", "13,13,6001,4,Beloeb,-1250.50"]);
    assert_eq!(rows("22,22,8001,6,"), ["22,22,8001,6,Navn,\"Müller, Anna\""]);
    assert_eq!(rows("1,1,1000,4,"), ["1,1,1000,4,Klok_sendt,06:15:00"]);
    assert_eq!(rows("8,8,5000,7,"), ["8,8,5000,7,Loenperiode_slut,2025-01-31"]);
    assert_eq!(typed.lines().count(), 1 + 94, "one header, then a row per field with a value");
}

/// `--raw` as a JSON array when the first record takes the general way
/// (a quote to escape) and others the writer's: one separator between
/// elements, none before the first; the same records as NDJSON, and the
/// same with `--jobs 2`.
#[test]
fn decode_raw_json_array_when_the_first_record_needs_escaping() {
    let mut quoted = std::fs::read(sample()).unwrap(); // ISO-8859-1
    let at = quoted.windows(10).position(|w| w == b"Kommunal L").unwrap();
    quoted[at + 9] = b'"'; // Kommunal Løn -> Kommunal "øn
    let file = tmp("quoted-first.txt");
    std::fs::write(&file, &quoted).unwrap();
    let file = file.to_str().unwrap();
    let ndjson: Vec<serde_json::Value> =
        stdout(&eindkomst(&["decode", "--raw", file])).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(ndjson.len(), 27);
    assert_eq!(ndjson[0]["fields"]["10"], "Kommunal \"øn");
    for jobs in ["1", "2"] {
        let out = eindkomst(&["decode", "--format", "json", "--raw", "--jobs", jobs, file]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let text = stdout(&out);
        assert!(text.starts_with("[{\"line\":1,"), "{}", &text[..40]);
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(json.as_array().unwrap(), &ndjson, "--jobs {jobs}");
    }
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

#[test]
fn every_help_shows_an_example() {
    let top = stdout(&eindkomst(&["--help"]));
    assert!(top.contains("\nExamples:\n  eindkomst decode testdata/sample.txt "), "{top}");
    for sub in ["decode", "validate", "stats", "generate"] {
        assert!(top.contains(&format!("\n  eindkomst {sub} ")), "top-level help lacks a {sub} example:\n{top}");
        for flag in ["--help", "-h"] {
            let help = stdout(&eindkomst(&[sub, flag]));
            let examples =
                help.split_once("\nExamples:\n").map(|(_, e)| e).unwrap_or_else(|| panic!("{sub} {flag}:\n{help}"));
            assert!(examples.starts_with(&format!("  eindkomst {sub} ")), "{sub} {flag}:\n{help}");
        }
    }
    // The first example works as shown (from the repository root).
    let out = Command::new(env!("CARGO_BIN_EXE_eindkomst"))
        .args(["decode", "testdata/sample.txt"])
        .current_dir(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".."))
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(stdout(&out).lines().count(), 27);
}

/// The sample with line 10's Beloeb damaged (a letter), line 20 cut to 30
/// bytes, and felt 0999 (not a known Feltnummer) on line 11.
fn damaged_sample() -> PathBuf {
    let text = std::fs::read(sample()).unwrap();
    let mut lines: Vec<Vec<u8>> = text.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
    lines[9][20] = b'X';
    lines[10][11..15].copy_from_slice(b"0999");
    lines[19].truncate(30);
    let path = tmp("damaged.txt");
    std::fs::write(&path, lines.join(&b'\n')).unwrap();
    path
}

#[test]
fn stats_counts_findings_per_kind() {
    let out = eindkomst(&["stats", "--json", damaged_sample().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let s: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        s["findings"],
        serde_json::json!({"rejected": {"not_digit": 1, "wrong_length": 1}, "warning": {"unknown_code": 1}})
    );
    assert_eq!(s["by_type"]["6001"], serde_json::json!({"decoded": 6, "rejected": 1}));
    let text = stdout(&eindkomst(&["stats", damaged_sample().to_str().unwrap()]));
    assert!(text.ends_with(
        "findings by kind:\n  rejected not_digit                           1\n  rejected wrong_length                        1\n  warning  unknown_code                        1\n"
    ), "{text}");
}

/// The text of the SVG bar `key` in the chart section `id` of a stats page.
fn bar<'a>(page: &'a str, id: &str, key: &str) -> &'a str {
    let section = page.split(&format!("<section id=\"{id}\">")).nth(1).unwrap().split("</section>").next().unwrap();
    let start = section.find(&format!("<g class=\"bar\" data-key=\"{key}\">")).unwrap_or_else(|| panic!("{id}/{key}"));
    let rest = &section[start..];
    &rest[..rest.find("</g>").unwrap()]
}

fn value(bar: &str) -> &str {
    bar.split("<text class=\"value\"").nth(1).unwrap().split_once('>').unwrap().1.split("</text>").next().unwrap()
}

#[test]
fn stats_html_is_one_self_contained_page() {
    let page_path = tmp("stats.html");
    let out = eindkomst(&["stats", "--html", page_path.to_str().unwrap(), &sample()]);
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
    let page = std::fs::read_to_string(&page_path).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>\n"));
    assert!(page.contains("<title>eindkomst stats: sample.txt</title>"));
    assert!(page.contains("content=\"default-src 'none'; style-src 'unsafe-inline'\""));
    // Nothing to load: no script, no link, no src, no url().
    for needle in ["<script", "<link", "src=", "url(", "http:", "https:", "@import"] {
        assert!(!page.contains(needle), "{needle}");
    }
    assert!(page.contains("<div data-key=\"lines\"><dt>Lines</dt><dd>27</dd></div>"));
    assert!(page.contains("<div data-key=\"persons\"><dt>Persons (CPR)</dt><dd>2</dd></div>"));
    assert_eq!(value(bar(&page, "records", "6001")), "7");
    assert!(bar(&page, "records", "6001").contains("<text class=\"label\" x=\"192\" y=\"191\">6001 "));
    assert_eq!(value(bar(&page, "amounts", "6001/0013")), "49249.50 kr");
    assert_eq!(value(bar(&page, "amounts", "6102")), "4500.00 kr");
    // The longest bar is the largest value: 6001/0013, 320 px.
    assert!(bar(&page, "amounts", "6001/0013").contains("width=\"320.0\""));
    assert!(page.contains("<section id=\"findings\">\n<h2>Findings per kind</h2>\n<p class=\"none\">none</p>"));
    // No CPR number of the sample anywhere.
    for cpr in ["6101901234", "7204881234", "6512851234"] {
        assert!(!page.contains(cpr), "{cpr}");
    }

    // A damaged file: rejected lines in the records chart, findings per kind; to stdout with `-`.
    let out = eindkomst(&["stats", "--html", "-", damaged_sample().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let page = stdout(&out);
    assert!(page.contains("<p id=\"verdict\" class=\"not-clean\">NOT clean</p>"));
    assert_eq!(value(bar(&page, "records", "6001")), "6 + 1 rejected");
    assert_eq!(value(bar(&page, "findings", "rejected/not_digit")), "1");
    assert_eq!(value(bar(&page, "findings", "warning/unknown_code")), "1");
    assert_eq!(value(bar(&page, "amounts", "6001/0013")), "16749.50 kr");
    // --json and --html exclude each other.
    assert_eq!(eindkomst(&["stats", "--json", "--html", "-", &sample()]).status.code(), Some(2));
}

/// Runs `command` (a shell line) under a pseudo-terminal with `script`, as a
/// user at a terminal would; returns what the terminal received.
fn at_terminal(command: &str) -> String {
    let out = Command::new("script")
        .args(["-qec", command, "/dev/null"])
        .env("EINDKOMST_PROGRESS_AFTER", "0") // every run counts as long
        .output()
        .expect("script (util-linux) runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn long_runs_show_progress_and_rate_on_a_terminal() {
    let big = tmp("progress.txt");
    let out = eindkomst(&["generate", "--records", "50000", "-o", big.to_str().unwrap()]);
    assert!(out.status.success());
    let exe = env!("CARGO_BIN_EXE_eindkomst");
    let file = big.to_str().unwrap();

    // A file: a bar with percent, bytes, rate and time left, cleared at the end
    // (one thread: it reads in small steps, so the rate is a file's).
    let shown = at_terminal(&format!("{exe} validate --jobs 1 {file} > /dev/null"));
    // Bytes in KiB or MiB: the bar redraws at most so often, and an
    // optimised build may be done before it passed 1 MiB.
    assert!(shown.contains("% ") && (shown.contains(" KiB, ") || shown.contains(" MiB, ")), "{shown:?}");
    assert!(shown.contains(" lines/s, ") && shown.contains("s left"), "{shown:?}");
    // A rate in MiB/s or, on a fast machine with the file in the page cache, GiB/s.
    assert!(shown.contains("MiB/s, ") || shown.contains("GiB/s, "), "{shown:?}");
    assert!(shown.ends_with("\r\u{1b}[2K"), "the bar is cleared at the end: {shown:?}");
    // On several threads the bar moves a chunk at a time.
    let shown = at_terminal(&format!("{exe} validate --jobs 2 {file} > /dev/null"));
    assert!(shown.contains("100% ") && shown.contains(" lines/s, "), "{shown:?}");
    // stdin: a spinner with bytes read and lines so far.
    let shown = at_terminal(&format!("{exe} stats - < {file} > /dev/null"));
    assert!(shown.contains(" read, "), "{shown:?}");
    assert!(shown.contains(" lines/s"), "{shown:?}");
    // stats writes after the last line, so its bar may share the terminal with stdout.
    let shown = at_terminal(&format!("{exe} stats {file}"));
    assert!(shown.contains(" lines/s, "), "{shown:?}");
    assert!(shown.contains("lines 50000, decoded 50000"), "{shown:?}");
    // No bar on a terminal that records stream to, and none off a terminal.
    let shown = at_terminal(&format!("{exe} validate {file}"));
    assert!(!shown.contains("lines/s"), "{shown:?}");
    let out = Command::new(exe).args(["validate", file]).env("EINDKOMST_PROGRESS_AFTER", "0").output().unwrap();
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// Error texts that echo an argument mask a CPR typed where another value
/// belongs (found by scripts/test.d/85-no-cpr.sh): clap's and our own.
#[test]
fn errors_mask_a_cpr_given_as_another_value() {
    let sample = sample();
    for (args, want) in [
        (vec!["--se", "6101901234"], "error: invalid value '**********' for '--se <SE,...>'"),
        (vec!["--period", "610190-1234..x"], "eindkomst: --period **********..x: expected FROM..TO"),
        (vec!["--variant", "6101901234@v1"], "eindkomst: family employer: no layout **********@v1"),
    ] {
        let out = eindkomst(&[&["decode"], &args[..], &[&sample]].concat());
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.starts_with(want), "{args:?}: {err}");
        assert!(!err.contains("6101901234") && !err.contains("610190-1234"), "{err}");
    }
}
