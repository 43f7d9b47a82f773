//! `decode` and `stats` with Dataafgrænsning: the flags become the std
//! layer's [`FilterSpec`] (the one filter shape of every face), compiled by
//! [`FilterSpec::compile`] and run as a [`Filtering`] inside the std layer's
//! [`Session`]. The decode loop here writes only what passes, projected:
//! fields the profile forbids are left out, and with a pseudonymisation key
//! the CPR is replaced by its pseudonym. The filter's accounting goes to
//! stderr.

use crate::input::{for_each_session_event, Stdout};
use crate::output::{finding_line, write_json_str};
use crate::Format;
use eindkomst::filter::{parse_cpr_lines, Compiled, FilterSpec, Filtering, Key, PeriodSpec, ProfileSpec, MIN_KEY_LEN};
use eindkomst::{Event, Session};
use eindkomst_core::field::trim_end;
use eindkomst_core::filter::{builtin_profile, FilterCounts, Profile, Pseudonym, Reason};
use eindkomst_core::{Family, Options, Record};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// The filter flags of `decode`.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct FilterArgs {
    /// Keep only these persons: a file with one CPR per line (10 digits, a
    /// hyphen allowed; blank lines and lines starting with # are skipped).
    #[arg(long, value_name = "FILE")]
    pub cpr_file: Option<PathBuf>,
    /// Keep only these employers (2001 SE-nr), comma-separated.
    #[arg(long, value_name = "SE,...", value_delimiter = ',')]
    pub se: Vec<u32>,
    /// Keep only these record types, comma-separated (headers of kept records are kept too).
    #[arg(long, value_name = "TYPE,...", value_delimiter = ',')]
    pub records: Vec<u16>,
    /// Keep only these felt numbers (Feltnummer of 3101, 6001-6005), comma-separated.
    #[arg(long, value_name = "FELT,...", value_delimiter = ',')]
    pub fields: Vec<u16>,
    /// Income period: FROM..TO (dates YYYY-MM-DD), or last:N for this month and
    /// N months back (last:N@YYYY-MM-DD counts from that day instead of today).
    #[arg(long, value_name = "PERIOD")]
    pub period: Option<String>,
    /// Profile of permitted fields: `full`, `minimal`, or a JSON file
    /// `{"name":..,"records":{"6001":[3,4,5],..},"feltnumre":[13,..]}`.
    #[arg(long, value_name = "NAME|FILE")]
    pub profile: Option<String>,
    /// Replace CPR numbers by HMAC-SHA-256 pseudonyms under the key in this
    /// file (its bytes, one trailing line end removed; at least 16 bytes).
    #[arg(long, value_name = "FILE")]
    pub pseudonymise_key_file: Option<PathBuf>,
}

impl FilterArgs {
    /// Whether any filter flag was given.
    pub fn active(&self) -> bool {
        self.cpr_file.is_some()
            || !self.se.is_empty()
            || !self.records.is_empty()
            || !self.fields.is_empty()
            || self.period.is_some()
            || self.profile.is_some()
            || self.pseudonymise_key_file.is_some()
    }

    /// The flags as the std layer's [`FilterSpec`]: reads the CPR, profile
    /// and key files and parses the period. An error names a file and a
    /// line, never a CPR.
    pub fn spec(&self) -> Result<FilterSpec, String> {
        let list = |v: &[u16]| (!v.is_empty()).then(|| v.to_vec());
        let mut spec = FilterSpec {
            se_nrs: (!self.se.is_empty()).then(|| self.se.clone()),
            record_types: list(&self.records),
            feltnumre: list(&self.fields),
            ..FilterSpec::default()
        };
        if let Some(path) = &self.cpr_file {
            let text = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
            // An empty list keeps nobody (not "no restriction").
            spec.cprs = Some(parse_cpr_lines(&text).map_err(|e| format!("{}: {e}", path.display()))?);
        }
        if let Some(p) = &self.period {
            // The std layer says `period "..": why`; the CLI names its flag.
            let why = |e: String| format!("--period {p}: {}", e.rsplit_once(": ").map_or(e.as_str(), |(_, why)| why));
            spec.period = Some(PeriodSpec::parse(p).map_err(why)?);
        }
        if let Some(p) = &self.profile {
            spec.profile = Some(if builtin_profile(p).is_some() {
                ProfileSpec::Builtin(p.clone())
            } else {
                let text = std::fs::read_to_string(p).map_err(|e| {
                    format!("--profile {p}: not a built-in profile (full, minimal) nor a readable file: {e}")
                })?;
                ProfileSpec::from_json(&text).map_err(|e| format!("{p}: {e}"))?
            });
        }
        if let Some(path) = &self.pseudonymise_key_file {
            let mut key = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
            if key.ends_with(b"\n") {
                key.pop();
                if key.ends_with(b"\r") {
                    key.pop();
                }
            }
            if key.len() < MIN_KEY_LEN {
                return Err(format!("{}: a pseudonymisation key needs at least {MIN_KEY_LEN} bytes", path.display()));
            }
            spec.pseudonym_key = Some(Key(key));
        }
        Ok(spec)
    }

    /// [`FilterArgs::spec`], checked and compiled for records of `family`.
    pub fn compile(&self, family: &'static Family) -> Result<Compiled, String> {
        self.spec()?.compile(family).map_err(|e| match &self.profile {
            // A profile file's table is checked here: name the file.
            Some(p) if e.starts_with("profile") && builtin_profile(p).is_none() => format!("{p}: {e}"),
            _ => e,
        })
    }
}

/// One line of accounting: `filter: seen 27, passed 12, filtered out 15 (cpr 0, ...)`.
pub fn summary(c: &FilterCounts) -> String {
    let reasons: Vec<String> = Reason::ALL.iter().map(|r| format!("{} {}", r.code(), c.of(*r))).collect();
    format!("filter: seen {}, passed {}, filtered out {} ({})", c.seen, c.passed, c.filtered_out(), reasons.join(", "))
}

/// The fields of a kept record to write: `(number, name, value)`, without
/// the forbidden ones, the CPR replaced by its `pseudonym` when there is one.
fn visible_fields(
    r: &Record<'_>,
    pseudonym: Option<Pseudonym>,
    profile: &Profile<'_>,
    raw: bool,
) -> io::Result<Vec<(u8, &'static str, String)>> {
    let typed = if raw { serde_json::Value::Null } else { serde_json::to_value(r)? };
    let mut out = Vec::new();
    for (f, bytes) in r.fields() {
        if !profile.permits(r.record_type(), f) {
            continue;
        }
        let value = match (f.personal, pseudonym) {
            (true, Some(pseudonym)) => pseudonym.to_string(),
            _ if raw => eindkomst_core::field::Latin1(trim_end(bytes)).to_string(),
            _ => match typed["fields"].get(f.name) {
                Some(serde_json::Value::String(s)) => s.clone(),
                _ => continue, // fillers, signs (folded into amounts), absent values
            },
        };
        out.push((f.no, f.name, value));
    }
    Ok(out)
}

fn write_record(
    out: &mut impl Write,
    r: &Record<'_>,
    fields: &[(u8, &'static str, String)],
    format: Format,
    raw: bool,
) -> io::Result<()> {
    if format == Format::Csv {
        for (no, name, value) in fields {
            write!(out, "{},{},{},{no},{name},", r.line(), r.lb_nr(), r.key())?;
            if value.contains([',', '"', '\n', '\r']) {
                write!(out, "\"{}\"", value.replace('"', "\"\""))?;
            } else {
                out.write_all(value.as_bytes())?;
            }
            out.write_all(b"\n")?;
        }
        return Ok(());
    }
    if raw {
        write!(out, "{{\"line\":{},\"record\":\"{}\",\"fields\":{{", r.line(), r.key())?;
    } else {
        write!(
            out,
            "{{\"line\":{},\"lb_nr\":{},\"offset\":{},\"record\":\"{}\",\"fields\":{{",
            r.line(),
            r.lb_nr(),
            r.offset(),
            r.key()
        )?;
    }
    for (i, (no, name, value)) in fields.iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        if raw {
            write!(out, "\"{no}\":")?;
        } else {
            write_json_str(out, name.as_bytes())?;
            out.write_all(b":")?;
        }
        serde_json::to_writer(&mut *out, value)?;
    }
    out.write_all(b"}}")
}

/// `eindkomst decode` with the filter `compiled`, run inside the std
/// layer's [`Session`]. Returns whether the input was clean.
pub fn decode(path: &Path, opts: Options, format: Format, raw: bool, compiled: Compiled) -> Result<bool, String> {
    // The session owns the running filter; the writer reads the profile from a copy.
    let shown = compiled.clone();
    let profile = shown.profile();
    let mut session = Session::with_filter(opts, Some(Filtering::start(compiled)?));
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let stderr = io::stderr();
    let mut err = stderr.lock();
    let mut first = true;
    let io = |e: io::Error| e.to_string();
    match format {
        Format::Json => out.write_all(b"[").map_err(io)?,
        Format::Csv => out.write_all(b"line,lb_nr,record,field_no,field_name,value\n").map_err(io)?,
        Format::Ndjson => {}
    }
    let counts = for_each_session_event(path, &mut session, Stdout::Streams, |event| {
        let (record, pseudonym) = match event {
            Event::Record { record, pseudonym } => (record, pseudonym),
            Event::Finding(f) => return writeln!(err, "{}", finding_line(f.finding_type.label(), &f.error)),
            // A line of unknown layout cannot be judged: a filter never passes it
            // (the session passes none).
            Event::Raw(_) => return Ok(()),
        };
        let fields = visible_fields(&record, pseudonym, &profile, raw)?;
        if format == Format::Json && !first {
            out.write_all(b",\n")?;
        }
        first = false;
        write_record(&mut out, &record, &fields, format, raw)?;
        if format == Format::Ndjson {
            out.write_all(b"\n")?;
        }
        Ok(())
    })?;
    if format == Format::Json {
        out.write_all(b"]\n").map_err(io)?;
    }
    out.flush().map_err(io)?;
    writeln!(err, "{}", summary(&session.filter_counts().unwrap_or_default())).map_err(io)?;
    Ok(counts.rejected == 0 && counts.errors == 0)
}
