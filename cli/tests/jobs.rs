//! `--jobs N` gives exactly the output, counts and finding order of one
//! thread: every command and format, clean and damaged files, many chunk
//! boundaries (EINDKOMST_CHUNK makes chunks of a few hundred bytes).

use std::path::PathBuf;
use std::process::{Command, Output};

fn eindkomst(args: &[&str], chunk: Option<usize>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_eindkomst"));
    cmd.args(args);
    if let Some(c) = chunk {
        cmd.env("EINDKOMST_CHUNK", c.to_string());
    }
    cmd.output().expect("run eindkomst")
}

fn data(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../testdata").join(name).display().to_string()
}

fn tmp(name: &str) -> String {
    let dir = std::env::temp_dir().join(format!("eindkomst-cli-jobs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name).display().to_string()
}

#[test]
fn every_command_gives_the_same_output_on_any_number_of_threads() {
    let damaged = tmp("damaged.txt");
    let out = eindkomst(&["generate", "--records", "6000", "--seed", "9", "--errors", "0.03", "-o", &damaged], None);
    assert!(out.status.success());
    let clean = tmp("clean.txt");
    assert!(eindkomst(&["generate", "--records", "6000", "--seed", "5", "-o", &clean], None).status.success());
    // Only the start record and amount records (no 5000 or 6000 to hang
    // under): every amount line prechecks clean and is rejected in order,
    // so the workers' sums are all taken back and no sum may remain.
    let orphans = tmp("orphans.txt");
    let bytes = std::fs::read(&clean).unwrap();
    let kept: Vec<u8> = bytes
        .split_inclusive(|&b| b == b'\n')
        .enumerate()
        .filter(|(i, l)| *i == 0 || l.get(7..11) == Some(&b"6001"[..]))
        .flat_map(|(_, l)| l.iter().copied())
        .collect();
    std::fs::write(&orphans, kept).unwrap();
    // A line longer than many chunks (no line starts in their ranges), CRLF
    // line ends, and no line end after the last line.
    let long = tmp("long.txt");
    let mut bytes: Vec<u8> = Vec::new();
    for (i, l) in std::fs::read(&clean).unwrap().split_inclusive(|&b| b == b'\n').enumerate() {
        if i == 700 {
            bytes.extend_from_slice(&[b'7'; 5_000]);
            bytes.extend_from_slice(b"\r\n");
        }
        bytes.extend_from_slice(&l[..l.len() - 1]);
        bytes.extend_from_slice(b"\r\n");
    }
    bytes.truncate(bytes.len() - 2);
    std::fs::write(&long, bytes).unwrap();
    let demo = data("families/demo.json");
    let cases: Vec<Vec<String>> = vec![
        vec!["validate".into(), damaged.clone()],
        vec!["validate".into(), clean.clone()],
        vec!["decode".into(), "--raw".into(), damaged.clone()],
        vec!["decode".into(), damaged.clone()],
        vec!["decode".into(), "--format".into(), "json".into(), damaged.clone()],
        vec!["decode".into(), "--format".into(), "csv".into(), clean.clone()],
        vec!["stats".into(), "--json".into(), damaged.clone()],
        vec!["stats".into(), clean.clone()],
        vec!["stats".into(), orphans.clone()],
        // A decoder that stops (at the first rejection) while the workers
        // have tallied lines past it: those are taken back.
        vec!["stats".into(), "--strict".into(), damaged.clone()],
        vec!["decode".into(), "--raw".into(), "--strict".into(), damaged.clone()],
        vec!["validate".into(), data("sample.txt")],
        vec!["validate".into(), long.clone()],
        vec!["decode".into(), "--raw".into(), long.clone()],
        vec!["stats".into(), long.clone()],
        vec!["decode".into(), "--family".into(), demo, data("families/demo.txt")],
    ];
    for case in cases {
        let args: Vec<&str> = case.iter().map(String::as_str).collect();
        let one = eindkomst(&[&args[..], &["--jobs", "1"]].concat(), None);
        for (jobs, chunk) in [("2", 300), ("3", 997), ("2", 65536)] {
            let many = eindkomst(&[&args[..], &["--jobs", jobs]].concat(), Some(chunk));
            assert_eq!(many.status.code(), one.status.code(), "{args:?} --jobs {jobs}");
            assert!(many.stdout == one.stdout, "{args:?} --jobs {jobs} chunk {chunk}: stdout differs");
            assert!(many.stderr == one.stderr, "{args:?} --jobs {jobs} chunk {chunk}: stderr differs");
        }
        assert!(!one.stdout.is_empty());
    }
    // The orphans are all rejected: no sum, one thread or many.
    let s = eindkomst(&["stats", "--jobs", "2", &orphans], Some(300));
    let text = String::from_utf8_lossy(&s.stdout);
    assert!(text.contains("decoded 1, rejected") && !text.contains("6001/"), "{text}");
    // Stopped at the first rejection, past the first amount records: their
    // sums are there (a chunk's tally was once lost at the stop).
    let s = eindkomst(&["stats", "--strict", "--jobs", "2", &damaged], Some(300));
    let text = String::from_utf8_lossy(&s.stdout);
    assert!(text.contains("rejected 1,") && text.contains("6001/0013"), "{text}");
    // The damaged file really has findings, in both.
    let v = eindkomst(&["validate", "--jobs", "2", &damaged], Some(500));
    assert_eq!(v.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&v.stdout).matches("rejected: ").count() > 100);
}

/// A huge `--jobs` is refused as a usage error; it once aborted on allocating
/// its queue (found by scripts/test.d/85-no-cpr.sh with `--jobs 6101901234`).
#[test]
fn too_many_jobs_is_a_usage_error() {
    let sample = data("sample.txt");
    for jobs in ["257", "6101901234"] {
        let out = eindkomst(&["validate", "--jobs", jobs, &sample], None);
        assert_eq!(out.status.code(), Some(2), "--jobs {jobs}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("--jobs") && err.contains("0..=256"), "{err}");
        assert!(!err.contains("6101901234"), "{err}");
    }
    assert_eq!(eindkomst(&["validate", "--jobs", "256", &sample], None).status.code(), Some(0));
}
