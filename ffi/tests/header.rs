//! The committed header must be exactly what cbindgen generates from the
//! current sources, and its version macros must equal the crate version.
//!
//! `EINDKOMST_BLESS=1 cargo test -p eindkomst-ffi --test header` rewrites
//! `include/eindkomst.h` instead of failing.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The cbindgen version the header is generated with (see scripts/setup.sh).
const CBINDGEN_VERSION: &str = "0.29.4";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn header_path() -> PathBuf {
    root().join("include").join("eindkomst.h")
}

/// `$CBINDGEN`, else `cbindgen` on PATH, else `~/.cargo/bin/cbindgen`.
fn cbindgen() -> PathBuf {
    let candidates = std::env::var_os("CBINDGEN")
        .map(PathBuf::from)
        .into_iter()
        .chain(std::iter::once(PathBuf::from("cbindgen")))
        .chain(std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo/bin/cbindgen")));
    for c in candidates {
        if let Ok(out) = Command::new(&c).arg("--version").output() {
            if out.status.success() {
                let v = String::from_utf8_lossy(&out.stdout);
                assert!(
                    v.contains(CBINDGEN_VERSION),
                    "{} is `{}`, but the header is generated with cbindgen {CBINDGEN_VERSION}; \
                     run scripts/setup.sh or `cargo install cbindgen --version {CBINDGEN_VERSION}`",
                    c.display(),
                    v.trim()
                );
                return c;
            }
        }
    }
    panic!(
        "cbindgen not found (looked at $CBINDGEN, PATH and ~/.cargo/bin). \
         scripts/setup.sh installs it: `cargo install cbindgen --version {CBINDGEN_VERSION}`"
    );
}

#[test]
fn header_matches_cbindgen_output() {
    let out_dir = std::env::temp_dir().join(format!("eindkomst-header-{}", std::process::id()));
    std::fs::create_dir_all(&out_dir).unwrap();
    let generated = out_dir.join("eindkomst.h");
    let root = root();
    let run = Command::new(cbindgen())
        .current_dir(&root)
        .args(["--config", "ffi/cbindgen.toml", "--quiet", "--output"])
        .arg(&generated)
        .arg("ffi")
        .output()
        .expect("running cbindgen");
    assert!(run.status.success(), "cbindgen failed:\n{}", String::from_utf8_lossy(&run.stderr));
    let fresh = std::fs::read_to_string(&generated).unwrap();
    let _ = std::fs::remove_dir_all(&out_dir);
    let path = header_path();
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if fresh == committed {
        return;
    }
    if std::env::var_os("EINDKOMST_BLESS").is_some() {
        std::fs::write(&path, &fresh).unwrap();
        return;
    }
    let first = fresh
        .lines()
        .zip(committed.lines())
        .position(|(a, b)| a != b)
        .unwrap_or_else(|| fresh.lines().count().min(committed.lines().count()));
    panic!(
        "include/eindkomst.h is stale: it differs from cbindgen's output from line {}\n\
         committed: {:?}\n\
         generated: {:?}\n\
         Regenerate: cbindgen --config ffi/cbindgen.toml --output include/eindkomst.h ffi\n\
         (or EINDKOMST_BLESS=1 cargo test -p eindkomst-ffi --test header), then commit it.",
        first + 1,
        committed.lines().nth(first).unwrap_or("<end of file>"),
        fresh.lines().nth(first).unwrap_or("<end of file>"),
    );
}

/// The value of `#define NAME value` in the header.
fn define(header: &str, name: &str) -> String {
    header
        .lines()
        .find_map(|l| {
            let rest = l.trim().strip_prefix("#define ")?;
            let (n, v) = rest.split_once(char::is_whitespace)?;
            (n == name).then(|| v.trim().to_owned())
        })
        .unwrap_or_else(|| panic!("#define {name} missing from include/eindkomst.h"))
}

#[test]
fn header_version_equals_cargo_version() {
    let header = std::fs::read_to_string(header_path()).unwrap();
    let version = env!("CARGO_PKG_VERSION");
    assert_eq!(
        define(&header, "EIK_VERSION"),
        format!("\"{version}\""),
        "EIK_VERSION in ffi/cbindgen.toml (after_includes) must equal Cargo.toml's version"
    );
    let parts = [
        ("EIK_VERSION_MAJOR", env!("CARGO_PKG_VERSION_MAJOR")),
        ("EIK_VERSION_MINOR", env!("CARGO_PKG_VERSION_MINOR")),
        ("EIK_VERSION_PATCH", env!("CARGO_PKG_VERSION_PATCH")),
    ];
    for (name, want) in parts {
        assert_eq!(define(&header, name), want, "{name} vs Cargo.toml");
    }
    // And the library reports the same.
    // SAFETY: static NUL-terminated string.
    let lib = unsafe { std::ffi::CStr::from_ptr(eindkomst::eik_version()) };
    assert_eq!(lib.to_str().unwrap(), version);
}
