//! `decode` with Dataafgrænsning: the flags that build the core's
//! [`FilterOptions`], and the decode loop that sends every record through
//! the [`Filter`] and writes only what passes, projected: fields the profile
//! forbids are left out, and with a pseudonymisation key the CPR is replaced
//! by its pseudonym. The filter's accounting goes to stderr.

use crate::input::for_each_event;
use crate::output::{finding_line, write_json_str};
use crate::Format;
use eindkomst_core::field::{trim_end, Date};
use eindkomst_core::filter::{
    builtin_profile, Filter, FilterCounts, FilterOptions, Period, Profile, ProfileEntry, Projection, Reason,
};
use eindkomst_core::{Event, Options};
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

/// The filter's sets and profile, owned; [`Selection::options`] lends them
/// to the core.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    cprs: Option<Vec<[u8; 10]>>,
    se_nrs: Option<Vec<u32>>,
    record_types: Option<Vec<u16>>,
    feltnumre: Option<Vec<u16>>,
    period: Option<Period>,
    profile_name: String,
    profile_records: Option<Vec<ProfileEntry>>,
    profile_feltnumre: Option<Vec<u16>>,
    key: Option<Vec<u8>>,
}

/// Sorted, without repeats; `None` when empty (no restriction).
fn set<T: Ord>(mut v: Vec<T>) -> Option<Vec<T>> {
    v.sort();
    v.dedup();
    (!v.is_empty()).then_some(v)
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

    /// Reads the files and parses the flags.
    pub fn selection(&self) -> Result<Selection, String> {
        let mut s = Selection {
            se_nrs: set(self.se.clone()),
            record_types: set(self.records.clone()),
            feltnumre: set(self.fields.clone()),
            profile_name: "full".into(),
            ..Selection::default()
        };
        if let Some(path) = &self.cpr_file {
            let text = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
            // Empty list: keep nobody (not "no restriction").
            let mut cprs = parse_cprs(&text).map_err(|e| format!("{}: {e}", path.display()))?;
            cprs.sort();
            cprs.dedup();
            s.cprs = Some(cprs);
        }
        if let Some(p) = &self.period {
            s.period = Some(parse_period(p, today())?);
        }
        if let Some(p) = &self.profile {
            match builtin_profile(p) {
                Some(profile) => {
                    s.profile_name = profile.name.into();
                    s.profile_records = profile.records.map(<[ProfileEntry]>::to_vec);
                    s.profile_feltnumre = profile.feltnumre.map(<[u16]>::to_vec);
                }
                None => {
                    let text = std::fs::read_to_string(p).map_err(|e| {
                        format!("--profile {p}: not a built-in profile (full, minimal) nor a readable file: {e}")
                    })?;
                    let user = parse_profile(&text).map_err(|e| format!("{p}: {e}"))?;
                    s.profile_name = user.name;
                    s.profile_records = Some(user.records);
                    s.profile_feltnumre = user.feltnumre;
                }
            }
        }
        if let Some(path) = &self.pseudonymise_key_file {
            let mut key = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
            if key.ends_with(b"\n") {
                key.pop();
                if key.ends_with(b"\r") {
                    key.pop();
                }
            }
            if key.len() < 16 {
                return Err(format!("{}: a pseudonymisation key needs at least 16 bytes", path.display()));
            }
            s.key = Some(key);
        }
        Ok(s)
    }
}

impl Selection {
    /// The core's options, borrowing this selection, for records of `family`.
    pub fn options(&self, family: &'static eindkomst_core::Family) -> FilterOptions<'_> {
        FilterOptions {
            family,
            cprs: self.cprs.as_deref(),
            se_nrs: self.se_nrs.as_deref(),
            record_types: self.record_types.as_deref(),
            feltnumre: self.feltnumre.as_deref(),
            period: self.period,
            profile: Profile {
                name: &self.profile_name,
                records: self.profile_records.as_deref(),
                feltnumre: self.profile_feltnumre.as_deref(),
            },
            pseudonym_key: self.key.as_deref(),
        }
    }
}

/// CPR numbers, one per line. An error names the line, never its content.
pub fn parse_cprs(text: &[u8]) -> Result<Vec<[u8; 10]>, String> {
    let mut cprs = Vec::new();
    for (i, line) in text.split(|&b| b == b'\n').enumerate() {
        let line = eindkomst_core::field::trim(line.strip_suffix(b"\r").unwrap_or(line));
        if line.is_empty() || line.starts_with(b"#") {
            continue;
        }
        let digits: Vec<u8> = line.iter().copied().filter(|&b| b != b'-').collect();
        let cpr: [u8; 10] = digits
            .try_into()
            .ok()
            .filter(|d: &[u8; 10]| d.iter().all(u8::is_ascii_digit))
            .ok_or_else(|| format!("line {}: not a CPR number (10 digits)", i + 1))?;
        cprs.push(cpr);
    }
    Ok(cprs)
}

fn parse_date(s: &str) -> Option<Date> {
    let digits: String = s.chars().filter(|c| *c != '-').collect();
    if digits.len() != 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Date::new(digits[..4].parse().ok()?, digits[4..6].parse().ok()?, digits[6..].parse().ok()?)
}

/// `FROM..TO` or `last:N[@DATE]`, relative to `today`.
pub fn parse_period(spec: &str, today: Date) -> Result<Period, String> {
    let bad = || format!("--period {spec}: expected FROM..TO (YYYY-MM-DD) or last:N[@YYYY-MM-DD]");
    if let Some(rest) = spec.strip_prefix("last:") {
        let (n, day) = match rest.split_once('@') {
            Some((n, d)) => (n, parse_date(d).ok_or_else(bad)?),
            None => (rest, today),
        };
        return Ok(Period::months_back(day, n.parse().map_err(|_| bad())?));
    }
    let (from, to) = spec.split_once("..").ok_or_else(bad)?;
    let period = Period::new(parse_date(from).ok_or_else(bad)?, parse_date(to).ok_or_else(bad)?);
    if period.from > period.to {
        return Err(format!("--period {spec}: ends before it starts"));
    }
    Ok(period)
}

/// Today's date (UTC) from the system clock.
fn today() -> Date {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    civil_from_days((secs / 86_400) as i64)
}

/// The calendar date `days` days after 1970-01-01 (H. Hinnant's algorithm).
fn civil_from_days(days: i64) -> Date {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let year = (yoe + era * 400 + i64::from(month <= 2)) as u16;
    Date::new(year, month, day).unwrap_or(Date { year: 1970, month: 1, day: 1 })
}

/// A profile read from a file (the owned form of [`Profile`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserProfile {
    /// Its name (`user` when the file gives none).
    pub name: String,
    /// Record type → permitted fields, sorted.
    pub records: Vec<ProfileEntry>,
    /// Permitted felt numbers, sorted; `None`: all.
    pub feltnumre: Option<Vec<u16>>,
}

/// A user profile from JSON: `{"name": "..", "records": {"6001": [3, 4, 5]},
/// "feltnumre": [13, 14]}` (`feltnumre` optional: all).
pub fn parse_profile(text: &str) -> Result<UserProfile, String> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct File {
        name: Option<String>,
        records: std::collections::BTreeMap<String, Vec<u8>>,
        feltnumre: Option<Vec<u16>>,
    }
    let file: File = serde_json::from_str(text).map_err(|e| format!("profile: {e}"))?;
    let mut records = Vec::new();
    for (rec, nos) in &file.records {
        let rec_nr: u16 = rec.parse().map_err(|_| format!("profile: record type {rec:?} is not a number"))?;
        if let Some(no) = nos.iter().find(|&&n| n >= 64) {
            return Err(format!("profile: record {rec}: field number {no} is above 63"));
        }
        records.push(ProfileEntry { rec_nr, fields: eindkomst_core::filter::fields(nos) });
    }
    records.sort_by_key(|e| e.rec_nr);
    if records.windows(2).any(|w| w[0].rec_nr == w[1].rec_nr) {
        return Err("profile: a record type is listed twice".into());
    }
    // An empty list permits no felt number (unlike an absent one).
    let feltnumre = file.feltnumre.map(|mut v| {
        v.sort();
        v.dedup();
        v
    });
    Ok(UserProfile { name: file.name.unwrap_or_else(|| "user".into()), records, feltnumre })
}

/// One line of accounting: `filter: seen 27, passed 12, filtered out 15 (cpr 0, ...)`.
pub fn summary(c: &FilterCounts) -> String {
    let reasons: Vec<String> = Reason::ALL.iter().map(|r| format!("{} {}", r.code(), c.of(*r))).collect();
    format!("filter: seen {}, passed {}, filtered out {} ({})", c.seen, c.passed, c.filtered_out(), reasons.join(", "))
}

/// The fields of a projected record to write: `(number, name, value)`,
/// without the forbidden ones, the CPR replaced by its pseudonym.
fn visible_fields(p: &Projection<'_>, profile: &Profile<'_>, raw: bool) -> io::Result<Vec<(u8, &'static str, String)>> {
    let r = &p.record;
    let typed = if raw { serde_json::Value::Null } else { serde_json::to_value(r)? };
    let mut out = Vec::new();
    for (f, bytes) in r.fields() {
        if !profile.permits(r.record_type(), f) {
            continue;
        }
        let value = match (f.personal, p.pseudonym) {
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
    p: &Projection<'_>,
    fields: &[(u8, &'static str, String)],
    format: Format,
    raw: bool,
) -> io::Result<()> {
    let r = &p.record;
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

/// `eindkomst decode` with a filter. Returns whether the input was clean.
pub fn decode(path: &Path, opts: Options, format: Format, raw: bool, selection: &Selection) -> Result<bool, String> {
    let mut filter = Filter::new(selection.options(opts.family)).map_err(|e| format!("filter: {e:?}"))?;
    let projector = filter.projector();
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let stderr = io::stderr();
    let mut err = stderr.lock();
    let mut buf = [0u8; eindkomst_core::decoder::MAX_LINE];
    let mut first = true;
    let io = |e: io::Error| e.to_string();
    match format {
        Format::Json => out.write_all(b"[").map_err(io)?,
        Format::Csv => out.write_all(b"line,lb_nr,record,field_no,field_name,value\n").map_err(io)?,
        Format::Ndjson => {}
    }
    let counts = for_each_event(path, opts, |event| {
        let r = match event {
            Event::Record(r) => r,
            Event::Rejected(e) => return writeln!(err, "{}", finding_line("rejected", &e)),
            Event::Error(e) => return writeln!(err, "{}", finding_line("error", &e)),
            Event::Warning(e) => return writeln!(err, "{}", finding_line("warning", &e)),
            // A line of unknown layout cannot be judged: a filter never passes it.
            Event::Raw(_) | Event::NeedInput | Event::End => return Ok(()),
        };
        for kept in filter.record(&r) {
            let p = projector.project(&kept, &mut buf).ok_or_else(|| io::Error::other("line too long"))?;
            let fields = visible_fields(&p, &projector.profile, raw)?;
            if format == Format::Json && !first {
                out.write_all(b",\n")?;
            }
            first = false;
            write_record(&mut out, &p, &fields, format, raw)?;
            if format == Format::Ndjson {
                out.write_all(b"\n")?;
            }
        }
        Ok(())
    })?;
    filter.finish();
    if format == Format::Json {
        out.write_all(b"]\n").map_err(io)?;
    }
    out.flush().map_err(io)?;
    writeln!(err, "{}", summary(filter.counts())).map_err(io)?;
    Ok(counts.rejected == 0 && counts.errors == 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_to_dates() {
        assert_eq!(civil_from_days(0), Date::new(1970, 1, 1).unwrap());
        assert_eq!(civil_from_days(20_089), Date::new(2025, 1, 1).unwrap());
        assert_eq!(civil_from_days(19_782), Date::new(2024, 2, 29).unwrap());
    }

    #[test]
    fn periods_parse() {
        let today = Date::new(2025, 2, 14).unwrap();
        assert_eq!(parse_period("2025-01-01..2025-01-31", today), Ok(Period { from: 20250101, to: 20250131 }));
        assert_eq!(parse_period("20250101..20250131", today), Ok(Period { from: 20250101, to: 20250131 }));
        assert_eq!(parse_period("last:3", today), Ok(Period { from: 20241101, to: 20250228 }));
        assert_eq!(parse_period("last:0@2024-02-10", today), Ok(Period { from: 20240201, to: 20240229 }));
        assert!(parse_period("2025-02-01..2025-01-01", today).is_err());
        assert!(parse_period("2025-02-30..2025-03-01", today).is_err());
        assert!(parse_period("last:x", today).is_err());
    }

    #[test]
    fn cpr_lists_parse_and_errors_name_the_line_only() {
        assert_eq!(parse_cprs(b"# persons\n6101901234\r\n\n720488-1234\n"), Ok(vec![*b"6101901234", *b"7204881234"]));
        let err = parse_cprs(b"6101901234\n61019012345\n").unwrap_err();
        assert_eq!(err, "line 2: not a CPR number (10 digits)");
    }

    #[test]
    fn user_profiles_parse() {
        let user = parse_profile(r#"{"name":"jc","records":{"6001":[3,4,5],"6000":[4]},"feltnumre":[16,13]}"#).unwrap();
        assert_eq!(
            user,
            UserProfile {
                name: "jc".into(),
                records: vec![
                    ProfileEntry { rec_nr: 6000, fields: 1 << 4 },
                    ProfileEntry { rec_nr: 6001, fields: 0b111000 }
                ],
                feltnumre: Some(vec![13, 16]),
            }
        );
        assert!(parse_profile(r#"{"records":{"6001":[64]}}"#).is_err());
        assert!(parse_profile(r#"{"records":{"x":[1]}}"#).is_err());
        assert!(parse_profile(r#"{"records":{},"extra":1}"#).is_err());
    }
}
