//! `decode` and `validate`: records out as NDJSON/JSON/CSV, findings as lines.

use crate::input::{for_each_event, Stdout};
use crate::Format;
use eindkomst_core::field::{trim_end, Latin1};
use eindkomst_core::{Counts, Error, Event, Options, Record};
use std::io::{self, BufWriter, Write};
use std::path::Path;

/// One finding as one line: `error: line 7 (Lb_nr 7), record 6001, field 4 Beloeb, offset 230: ...`.
pub fn finding_line(what: &str, e: &Error) -> String {
    format!("{what}: {e}")
}

fn label(event: &Event<'_>) -> Option<(&'static str, Error)> {
    match event {
        Event::Rejected(e) => Some(("rejected", *e)),
        Event::Error(e) => Some(("error", *e)),
        Event::Warning(e) => Some(("warning", *e)),
        _ => None,
    }
}

/// Writes `bytes` (ISO-8859-1) as a JSON string.
pub fn write_json_str(out: &mut impl Write, bytes: &[u8]) -> io::Result<()> {
    out.write_all(b"\"")?;
    let mut utf8 = [0u8; 2];
    for &b in bytes {
        match b {
            b'"' => out.write_all(b"\\\"")?,
            b'\\' => out.write_all(b"\\\\")?,
            0..=0x1F => write!(out, "\\u{b:04x}")?,
            0x20..=0x7F => out.write_all(&[b])?,
            _ => {
                let n = eindkomst_core::field::latin1_to_utf8(&[b], &mut utf8).unwrap_or(0);
                out.write_all(&utf8[..n])?
            }
        }
    }
    out.write_all(b"\"")
}

/// The `--raw` contract: `{"line":N,"record":"6001","fields":{"1":"...",...}}`,
/// every field of the layout by number, trailing blanks trimmed, UTF-8.
pub fn write_raw(out: &mut impl Write, r: &Record<'_>) -> io::Result<()> {
    write!(out, "{{\"line\":{},\"record\":\"{:04}\",\"fields\":{{", r.line(), r.record_type())?;
    for (i, (f, raw)) in r.fields().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        write!(out, "\"{}\":", f.no)?;
        write_json_str(out, trim_end(raw))?;
    }
    out.write_all(b"}}")
}

fn csv_field(out: &mut impl Write, text: &str) -> io::Result<()> {
    if text.contains([',', '"', '\n', '\r']) {
        write!(out, "\"{}\"", text.replace('"', "\"\""))
    } else {
        out.write_all(text.as_bytes())
    }
}

/// CSV in long form: one row per field, so record types of any shape mix.
fn write_csv(out: &mut impl Write, r: &Record<'_>, raw: bool) -> io::Result<()> {
    let typed = if raw { serde_json::Value::Null } else { serde_json::to_value(r)? };
    for (f, bytes) in r.fields() {
        let value = if raw {
            Latin1(trim_end(bytes)).to_string()
        } else {
            // Typed rows: only fields with a value (no fillers, signs folded into amounts).
            match typed["fields"].get(f.name) {
                Some(serde_json::Value::String(s)) => s.clone(),
                _ => continue,
            }
        };
        write!(out, "{},{},{:04},{},", r.line(), r.lb_nr(), r.record_type(), f.no)?;
        csv_field(out, f.name)?;
        out.write_all(b",")?;
        csv_field(out, &value)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// `eindkomst decode`. Returns whether the input was clean (no rejection, no error).
pub fn decode(path: &Path, opts: Options, format: Format, raw: bool) -> Result<bool, String> {
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let stderr = io::stderr();
    let mut err = stderr.lock();
    let mut first = true;
    if format == Format::Json {
        out.write_all(b"[").map_err(|e| e.to_string())?;
    } else if format == Format::Csv {
        out.write_all(b"line,lb_nr,record,field_no,field_name,value\n").map_err(|e| e.to_string())?;
    }
    let counts = for_each_event(path, opts, Stdout::Streams, |event| {
        if let Some((what, e)) = label(&event) {
            return writeln!(err, "{}", finding_line(what, &e));
        }
        let Event::Record(r) = event else {
            return Ok(());
        };
        match format {
            Format::Csv => write_csv(&mut out, &r, raw),
            Format::Ndjson | Format::Json => {
                if format == Format::Json && !first {
                    out.write_all(b",\n")?;
                }
                first = false;
                if raw {
                    write_raw(&mut out, &r)?;
                } else {
                    serde_json::to_writer(&mut out, &r)?;
                }
                if format == Format::Ndjson {
                    out.write_all(b"\n")?;
                }
                Ok(())
            }
        }
    })?;
    if format == Format::Json {
        out.write_all(b"]\n").map_err(|e| e.to_string())?;
    }
    out.flush().map_err(|e| e.to_string())?;
    Ok(clean(&counts))
}

fn clean(c: &Counts) -> bool {
    c.rejected == 0 && c.errors == 0
}

/// The counts as lines: totals, then one line per record type seen.
pub fn summary(c: &Counts) -> String {
    let mut s = format!(
        "lines {}, decoded {}, rejected {}, warnings {}, errors {}",
        c.lines, c.decoded, c.rejected, c.warnings, c.errors
    );
    if c.suppressed > 0 {
        s += &format!(", suppressed {}", c.suppressed);
    }
    for t in c.by_type.iter().filter(|t| t.decoded + t.rejected > 0) {
        s += &format!("\n  {:04}: decoded {}, rejected {}", t.rec_nr, t.decoded, t.rejected);
    }
    if c.rejected_untyped > 0 {
        s += &format!("\n  ????: rejected {}", c.rejected_untyped);
    }
    s
}

/// `eindkomst validate`: every finding on one line, then the summary.
pub fn validate(path: &Path, opts: Options) -> Result<bool, String> {
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let counts = for_each_event(path, opts, Stdout::Streams, |event| match label(&event) {
        Some((what, e)) => writeln!(out, "{}", finding_line(what, &e)),
        None => Ok(()),
    })?;
    let ok = clean(&counts);
    writeln!(out, "{}\n{}", summary(&counts), if ok { "clean" } else { "NOT clean" }).map_err(|e| e.to_string())?;
    out.flush().map_err(|e| e.to_string())?;
    Ok(ok)
}
