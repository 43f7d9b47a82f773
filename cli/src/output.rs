//! `decode` and `validate`: records out as NDJSON/JSON/CSV, findings as lines.

use crate::input::for_each_event;
use crate::Format;
use eindkomst_core::field::{trim_end, Latin1};
use eindkomst_core::{Counts, Error, Event, Family, Options, RawLine, Record};
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

/// Appends `bytes` (ISO-8859-1) to `out` as a JSON string, copying runs
/// of plain ASCII at once.
pub fn push_json_str(out: &mut Vec<u8>, bytes: &[u8]) {
    out.push(b'"');
    if plain(bytes) {
        out.extend_from_slice(bytes);
        out.push(b'"');
        return;
    }
    let mut run = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if (0x20..0x80).contains(&b) && b != b'"' && b != b'\\' {
            continue;
        }
        out.extend_from_slice(&bytes[run..i]);
        run = i + 1;
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            0..=0x1F => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(&[b'\\', b'u', b'0', b'0', HEX[(b >> 4) as usize], HEX[(b & 15) as usize]]);
            }
            // ISO-8859-1 0x80-0xFF is U+0080-U+00FF: two UTF-8 bytes.
            _ => out.extend_from_slice(&[0xC0 | (b >> 6), 0x80 | (b & 0x3F)]),
        }
    }
    out.extend_from_slice(&bytes[run..]);
    out.push(b'"');
}

/// Whether `bytes` go into a JSON string as they stand (printable ASCII,
/// no quote or backslash): one pass without branches.
fn plain(bytes: &[u8]) -> bool {
    bytes.iter().fold(true, |all, &b| all & (0x20..0x80).contains(&b) & (b != b'"') & (b != b'\\'))
}

/// Writes `bytes` (ISO-8859-1) as a JSON string.
pub fn write_json_str(out: &mut impl Write, bytes: &[u8]) -> io::Result<()> {
    let mut buf = Vec::with_capacity(bytes.len() + 2);
    push_json_str(&mut buf, bytes);
    out.write_all(&buf)
}

/// Appends `n` in decimal.
pub fn push_number(out: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}

/// The `--raw` contract: `{"line":N,"record":"6001","fields":{"1":"...",...}}`,
/// every field of the layout by number, trailing blanks trimmed, UTF-8.
pub fn write_raw(out: &mut impl Write, r: &Record<'_>) -> io::Result<()> {
    let mut buf = Vec::with_capacity(256);
    push_raw(&mut buf, r);
    out.write_all(&buf)
}

/// [`write_raw`] into a buffer (the decode loop reuses one).
pub fn push_raw(out: &mut Vec<u8>, r: &Record<'_>) {
    out.extend_from_slice(b"{\"line\":");
    push_number(out, r.line());
    out.extend_from_slice(b",\"record\":\"");
    out.extend_from_slice(r.key().as_bytes());
    out.extend_from_slice(b"\",\"fields\":{");
    // Most lines are plain ASCII: checked once, fields then copied as they stand.
    let whole_line_plain = plain(r.bytes());
    for (i, (f, raw)) in r.fields().enumerate() {
        // `,"12":` from a table: field numbers are 1-63.
        let key = FIELD_KEYS.get(f.no as usize).copied().unwrap_or(",\"?\":").as_bytes();
        out.extend_from_slice(if i == 0 { &key[1..] } else { key });
        if whole_line_plain {
            out.push(b'"');
            out.extend_from_slice(trim_end(raw));
            out.push(b'"');
        } else {
            push_json_str(out, trim_end(raw));
        }
    }
    out.extend_from_slice(b"}}");
}

/// `,"N":` for every field number 0-63.
const FIELD_KEYS: [&str; 64] = [
    ",\"0\":", ",\"1\":", ",\"2\":", ",\"3\":", ",\"4\":", ",\"5\":", ",\"6\":", ",\"7\":", ",\"8\":", ",\"9\":",
    ",\"10\":", ",\"11\":", ",\"12\":", ",\"13\":", ",\"14\":", ",\"15\":", ",\"16\":", ",\"17\":", ",\"18\":",
    ",\"19\":", ",\"20\":", ",\"21\":", ",\"22\":", ",\"23\":", ",\"24\":", ",\"25\":", ",\"26\":", ",\"27\":",
    ",\"28\":", ",\"29\":", ",\"30\":", ",\"31\":", ",\"32\":", ",\"33\":", ",\"34\":", ",\"35\":", ",\"36\":",
    ",\"37\":", ",\"38\":", ",\"39\":", ",\"40\":", ",\"41\":", ",\"42\":", ",\"43\":", ",\"44\":", ",\"45\":",
    ",\"46\":", ",\"47\":", ",\"48\":", ",\"49\":", ",\"50\":", ",\"51\":", ",\"52\":", ",\"53\":", ",\"54\":",
    ",\"55\":", ",\"56\":", ",\"57\":", ",\"58\":", ",\"59\":", ",\"60\":", ",\"61\":", ",\"62\":", ",\"63\":",
];

fn csv_field(out: &mut impl Write, text: &str) -> io::Result<()> {
    if text.contains([',', '"', '\n', '\r']) {
        write!(out, "\"{}\"", text.replace('"', "\"\""))
    } else {
        out.write_all(text.as_bytes())
    }
}

/// A line passed through raw (`--unknown raw`): `{"line":N,"raw":true,"key":"150","bytes":"..."}`.
pub fn write_raw_line(out: &mut impl Write, r: &RawLine<'_>) -> io::Result<()> {
    write!(out, "{{\"line\":{},\"raw\":true,\"key\":", r.line)?;
    write_json_str(out, r.key)?;
    out.write_all(b",\"bytes\":")?;
    write_json_str(out, r.bytes)?;
    out.write_all(b"}")
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
        write!(out, "{},{},{},{},", r.line(), r.lb_nr(), r.key(), f.no)?;
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
    let mut line = Vec::with_capacity(512);
    if format == Format::Json {
        out.write_all(b"[").map_err(|e| e.to_string())?;
    } else if format == Format::Csv {
        out.write_all(b"line,lb_nr,record,field_no,field_name,value\n").map_err(|e| e.to_string())?;
    }
    let counts = for_each_event(path, opts, |event| {
        if let Some((what, e)) = label(&event) {
            return writeln!(err, "{}", finding_line(what, &e));
        }
        if let Event::Raw(line) = event {
            return match format {
                Format::Csv => {
                    write!(out, "{},,", line.line)?;
                    csv_field(&mut out, &Latin1(line.key).to_string())?;
                    out.write_all(b",,raw,")?;
                    csv_field(&mut out, &Latin1(line.bytes).to_string())?;
                    out.write_all(b"\n")
                }
                Format::Ndjson | Format::Json => {
                    if format == Format::Json && !first {
                        out.write_all(b",\n")?;
                    }
                    first = false;
                    write_raw_line(&mut out, &line)?;
                    if format == Format::Ndjson {
                        out.write_all(b"\n")?;
                    }
                    Ok(())
                }
            };
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
                    line.clear();
                    push_raw(&mut line, &r);
                    out.write_all(&line)?;
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

/// A record type's key as the family writes it (`6001`, `120`).
pub fn key_text(family: &Family, rec_nr: u16) -> String {
    family.get(rec_nr).map_or_else(|| rec_nr.to_string(), |l| l.key.to_string())
}

/// The counts as lines: totals, then one line per record type seen.
pub fn summary(c: &Counts, family: &Family) -> String {
    let mut s = format!(
        "lines {}, decoded {}, rejected {}, warnings {}, errors {}",
        c.lines, c.decoded, c.rejected, c.warnings, c.errors
    );
    if c.raw > 0 {
        s += &format!(", passed raw {}", c.raw);
    }
    if c.suppressed > 0 {
        s += &format!(", suppressed {}", c.suppressed);
    }
    for t in c.by_type.iter().filter(|t| t.decoded + t.rejected > 0) {
        s += &format!("\n  {}: decoded {}, rejected {}", key_text(family, t.rec_nr), t.decoded, t.rejected);
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
    let counts = for_each_event(path, opts, |event| match label(&event) {
        Some((what, e)) => writeln!(out, "{}", finding_line(what, &e)),
        None => Ok(()),
    })?;
    let ok = clean(&counts);
    writeln!(out, "{}\n{}", summary(&counts, opts.family), if ok { "clean" } else { "NOT clean" })
        .map_err(|e| e.to_string())?;
    out.flush().map_err(|e| e.to_string())?;
    Ok(ok)
}
