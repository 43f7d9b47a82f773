//! The committed header must be exactly what cbindgen generates from the
//! current sources plus the generated block (the finding kinds from the
//! core's table, `_Static_assert`s from `ffi/src/abi.rs`), and its version
//! macros must equal the crate version.
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

/// SCREAMING_SNAKE_CASE of a snake_case code.
fn upper(code: &str) -> String {
    code.to_ascii_uppercase()
}

/// The finding kinds and the layout checks, one source each.
fn generated_block() -> String {
    let mut out = String::from(
        "/* Finding kinds (eik_event.kind, eik_kind_get), generated from the core's\n \
         * table eindkomst_core::error::KINDS; numbers are stable, never reused. */\n",
    );
    for k in eindkomst_core::error::KINDS {
        out += &format!("#define EIK_KIND_{} {}\n", upper(k.code), k.number);
    }
    out += "\n/* Struct layouts, generated from ffi/src/abi.rs: a compiler that would lay\n \
            * a struct out otherwise than the library stops here. */\n\
            #ifdef __cplusplus\n#define EIK_STATIC_ASSERT(c, m) static_assert(c, m)\n#else\n\
            #define EIK_STATIC_ASSERT(c, m) _Static_assert(c, m)\n#endif\n";
    for st in eindkomst::abi::structs() {
        out += &format!("EIK_STATIC_ASSERT(sizeof({0}) == {1}, \"{0}: size\");\n", st.name, st.size);
        for f in &st.fields {
            out += &format!(
                "EIK_STATIC_ASSERT(offsetof({0}, {1}) == {2}, \"{0}.{1}: offset\");\n",
                st.name, f.name, f.offset
            );
        }
    }
    out
}

/// cbindgen's header with the generated block before its last `#endif`.
fn with_generated(cbindgen: &str) -> String {
    let at = cbindgen.rfind("#endif").expect("an include guard");
    format!("{}{}\n{}", &cbindgen[..at], generated_block(), &cbindgen[at..])
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
    let fresh = with_generated(&std::fs::read_to_string(&generated).unwrap());
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
         Regenerate: EINDKOMST_BLESS=1 cargo test -p eindkomst-ffi --test header, then commit it.",
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
