//! Dataafgrænsning, owned: a [`FilterSpec`] says what a recipient may see,
//! in one JSON shape for every face (CLI `--filter` and `--profile` files,
//! the JS `filter` option, the C ABI's `eik_options.filter_json`, the C# and
//! Java `FilterOptions`); [`FilterSpec::compile`] checks it and builds the
//! core's [`Filter`](eindkomst_core::filter::Filter) over owned, sorted sets.
//!
//! ```json
//! {"cprs": ["610190-1234"], "se_nrs": [12345678], "record_types": [6001],
//!  "feltnumre": [13, 16], "period": {"from": "2025-01-01", "to": "2025-03-31"},
//!  "profile": "minimal"}
//! ```
//!
//! * `period`: `{"from", "to"}` (dates `YYYY-MM-DD`, both included),
//!   `{"months_back": N, "today": "YYYY-MM-DD"}` (`today` absent: the
//!   system's date, UTC), or the CLI's text form `"FROM..TO"` / `"last:N"` /
//!   `"last:N@YYYY-MM-DD"`.
//! * `profile`: `"full"`, `"minimal"`, or `{"name": .., "records": {"6001":
//!   [3, 4, 5]}, "feltnumre": [13, 14]}` (the CLI's profile file).
//! * `pseudonym_key`: bytes (a JS `Uint8Array`, a JSON array of numbers, or
//!   a string's UTF-8 bytes); at least 16 bytes. The CLI and the C ABI take
//!   the key apart from the JSON, from a file or a buffer.
//!
//! A set given restricts (an empty one keeps nothing of its dimension); an
//! absent one does not. Older names are accepted as deprecated aliases:
//! `seNrs`, `records` and `recordTypes` (for `record_types`), `felter` and
//! `fields` (for `feltnumre`), `pseudonymiseKey` and `pseudonymise_key`,
//! `monthsBack`.
//!
//! No error message here holds a CPR number or a key: a bad CPR is named by
//! its index in the list only.

use eindkomst_core::field::{parse_date, Date};
use eindkomst_core::filter::{
    builtin_profile, fields, Filter, FilterCounts, FilterOptions, Period, Profile, ProfileEntry, Projector,
};
use eindkomst_core::layout::Family;
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;

/// The shortest pseudonymisation key accepted.
pub const MIN_KEY_LEN: usize = 16;

/// What to keep: the owned, serde form of the core's `FilterOptions`. See
/// the [module docs](self) for the JSON shape.
#[derive(Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct FilterSpec {
    /// Persons to keep (CPR numbers, 10 digits, a hyphen allowed).
    #[serde(default)]
    pub cprs: Option<Cprs>,
    /// Employers (the SE-nr of the record with role `se`, employer 2001) to keep.
    #[serde(default, alias = "seNrs")]
    pub se_nrs: Option<Vec<u32>>,
    /// Record types to keep (the headers of kept records pass too).
    #[serde(default, alias = "records", alias = "recordTypes")]
    pub record_types: Option<Vec<u16>>,
    /// Feltnumre (role `feltnummer`: employer 3101, 6001-6005) to keep.
    #[serde(default, alias = "felter", alias = "fields")]
    pub feltnumre: Option<Vec<u16>>,
    /// Income period: reports and amounts whose period does not overlap it
    /// are dropped.
    #[serde(default)]
    pub period: Option<PeriodSpec>,
    /// Which record types and fields may be shown (default `full`).
    #[serde(default)]
    pub profile: Option<ProfileSpec>,
    /// Replace CPR numbers by keyed pseudonyms under this key.
    #[serde(default, alias = "pseudonymiseKey", alias = "pseudonymise_key")]
    pub pseudonym_key: Option<Key>,
}

impl fmt::Debug for FilterSpec {
    /// Sizes only for CPRs and the key: they are personal data and a secret.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FilterSpec")
            .field("cprs", &self.cprs)
            .field("se_nrs", &self.se_nrs)
            .field("record_types", &self.record_types)
            .field("feltnumre", &self.feltnumre)
            .field("period", &self.period)
            .field("profile", &self.profile)
            .field("pseudonym_key", &self.pseudonym_key)
            .finish()
    }
}

/// A list of CPR numbers (10 ASCII digits each). Its `Debug` shows only the
/// count.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Cprs(pub Vec<[u8; 10]>);

impl fmt::Debug for Cprs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{} CPR numbers]", self.0.len())
    }
}

/// One CPR number from text: 10 digits, one hyphen allowed (`610190-1234`).
pub fn parse_cpr(text: &[u8]) -> Option<[u8; 10]> {
    let mut out = [0u8; 10];
    let mut n = 0;
    let mut hyphens = 0;
    for &b in text {
        match b {
            b'0'..=b'9' if n < 10 => {
                out[n] = b;
                n += 1;
            }
            b'-' if hyphens == 0 => hyphens += 1,
            _ => return None,
        }
    }
    (n == 10).then_some(out)
}

/// CPR numbers, one per line (a CLI `--cpr-file`): blank lines and lines
/// starting with `#` are skipped. An error names the line, never its content.
pub fn parse_cpr_lines(text: &[u8]) -> Result<Cprs, String> {
    let mut cprs = Vec::new();
    for (i, line) in text.split(|&b| b == b'\n').enumerate() {
        let line = eindkomst_core::field::trim(line.strip_suffix(b"\r").unwrap_or(line));
        if line.is_empty() || line.starts_with(b"#") {
            continue;
        }
        cprs.push(parse_cpr(line).ok_or_else(|| format!("line {}: not a CPR number (10 digits)", i + 1))?);
    }
    Ok(Cprs(cprs))
}

impl<'de> Deserialize<'de> for Cprs {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Cprs, D::Error> {
        struct List;
        impl<'de> Visitor<'de> for List {
            type Value = Cprs;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of CPR numbers")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Cprs, A::Error> {
                let mut out = Vec::new();
                while let Some(cpr) = seq.next_element::<OneCpr>()? {
                    let i = out.len();
                    out.push(
                        cpr.0.ok_or_else(|| de::Error::custom(format!("cprs[{i}] is not a CPR number (10 digits)")))?,
                    );
                }
                Ok(Cprs(out))
            }
        }
        d.deserialize_seq(List)
    }
}

/// One element of a CPR list: `None` when it is not a CPR number. Every
/// `visit_*` that would put the value into serde's error message is
/// overridden, so a mistyped CPR never reaches a log.
struct OneCpr(Option<[u8; 10]>);

impl<'de> Deserialize<'de> for OneCpr {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<OneCpr, D::Error> {
        struct One;
        impl<'de> Visitor<'de> for One {
            type Value = OneCpr;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a CPR number")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<OneCpr, E> {
                Ok(OneCpr(parse_cpr(v.as_bytes())))
            }
            fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<OneCpr, E> {
                Ok(OneCpr(parse_cpr(v)))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<OneCpr, E> {
                Ok(OneCpr(None))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<OneCpr, E> {
                Ok(OneCpr(None))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<OneCpr, E> {
                Ok(OneCpr(None))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<OneCpr, E> {
                Ok(OneCpr(None))
            }
            fn visit_char<E: de::Error>(self, _: char) -> Result<OneCpr, E> {
                Ok(OneCpr(None))
            }
            fn visit_unit<E: de::Error>(self) -> Result<OneCpr, E> {
                Ok(OneCpr(None))
            }
            fn visit_none<E: de::Error>(self) -> Result<OneCpr, E> {
                Ok(OneCpr(None))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<OneCpr, A::Error> {
                while seq.next_element::<de::IgnoredAny>()?.is_some() {}
                Ok(OneCpr(None))
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<OneCpr, A::Error> {
                while map.next_entry::<de::IgnoredAny, de::IgnoredAny>()?.is_some() {}
                Ok(OneCpr(None))
            }
        }
        d.deserialize_any(One)
    }
}

/// A pseudonymisation key. Its `Debug` shows only the length.
#[derive(Clone, PartialEq, Eq)]
pub struct Key(pub Vec<u8>);

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[key, {} bytes]", self.0.len())
    }
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Key, D::Error> {
        struct Bytes;
        impl<'de> Visitor<'de> for Bytes {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key: bytes, an array of numbers 0-255, or a string")
            }
            fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Key, E> {
                Ok(Key(v.to_vec()))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key, E> {
                Ok(Key(v.as_bytes().to_vec()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Key, A::Error> {
                let mut out = Vec::new();
                while let Some(b) =
                    seq.next_element::<u8>().map_err(|_| de::Error::custom("pseudonym_key: bytes 0-255"))?
                {
                    out.push(b);
                }
                Ok(Key(out))
            }
        }
        d.deserialize_any(Bytes)
    }
}

/// An income period as given: see the [module docs](self).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PeriodSpec {
    /// From one day to another, both included.
    Range {
        /// First day.
        from: Date,
        /// Last day.
        to: Date,
    },
    /// The month of `today` (or of the system's date) and `months` months
    /// before it, whole months.
    MonthsBack {
        /// Months before the current one.
        months: u16,
        /// The day counted from; `None`: today (UTC).
        today: Option<Date>,
    },
}

impl PeriodSpec {
    /// The CLI's text form: `FROM..TO` (dates `YYYY-MM-DD` or `YYYYMMDD`),
    /// `last:N` or `last:N@YYYY-MM-DD`.
    pub fn parse(text: &str) -> Result<PeriodSpec, String> {
        let bad = || format!("period {text:?}: expected FROM..TO (YYYY-MM-DD) or last:N[@YYYY-MM-DD]");
        if let Some(rest) = text.strip_prefix("last:") {
            let (n, day) = match rest.split_once('@') {
                Some((n, d)) => (n, Some(date(d).ok_or_else(bad)?)),
                None => (rest, None),
            };
            return Ok(PeriodSpec::MonthsBack { months: n.parse().map_err(|_| bad())?, today: day });
        }
        let (from, to) = text.split_once("..").ok_or_else(bad)?;
        Ok(PeriodSpec::Range { from: date(from).ok_or_else(bad)?, to: date(to).ok_or_else(bad)? })
    }

    /// The period it stands for (`today` fills in a missing day).
    pub fn resolve(&self, today: Date) -> Result<Period, String> {
        match *self {
            PeriodSpec::Range { from, to } if from > to => Err(format!("period {from}..{to}: ends before it starts")),
            PeriodSpec::Range { from, to } => Ok(Period::new(from, to)),
            PeriodSpec::MonthsBack { months, today: day } => Ok(Period::months_back(day.unwrap_or(today), months)),
        }
    }
}

/// A date `YYYY-MM-DD` or `YYYYMMDD`.
pub fn date(text: &str) -> Option<Date> {
    let digits: Vec<u8> = text.bytes().filter(|&b| b != b'-').collect();
    if digits.len() != 8 {
        return None;
    }
    parse_date(&digits)
}

/// Today's date (UTC) from the system clock.
pub fn today() -> Date {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
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

impl<'de> Deserialize<'de> for PeriodSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<PeriodSpec, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Object {
            from: Option<String>,
            to: Option<String>,
            #[serde(alias = "monthsBack")]
            months_back: Option<u16>,
            today: Option<String>,
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Form {
            Text(String),
            Object(Object),
        }
        let day =
            |s: &str| date(s).ok_or_else(|| de::Error::custom(format!("period: {s:?} is not a date (YYYY-MM-DD)")));
        match Form::deserialize(d).map_err(|_| {
            de::Error::custom("period: {\"from\", \"to\"}, {\"months_back\", \"today\"} or \"FROM..TO\" / \"last:N\"")
        })? {
            Form::Text(t) => PeriodSpec::parse(&t).map_err(de::Error::custom),
            Form::Object(Object { from: Some(f), to: Some(t), months_back: None, today: None }) => {
                Ok(PeriodSpec::Range { from: day(&f)?, to: day(&t)? })
            }
            Form::Object(Object { from: None, to: None, months_back: Some(months), today }) => {
                Ok(PeriodSpec::MonthsBack { months, today: today.as_deref().map(day).transpose()? })
            }
            Form::Object(_) => Err(de::Error::custom("period: give from and to, or months_back (and today)")),
        }
    }
}

/// A profile as given: built-in by name, or a table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProfileSpec {
    /// `full` or `minimal`.
    Builtin(String),
    /// A user's table.
    Custom(CustomProfile),
}

/// A user profile: `{"name": .., "records": {"6001": [3, 4, 5]},
/// "feltnumre": [13, 14]}`.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct CustomProfile {
    /// A name for reports (`user` when absent).
    #[serde(default)]
    pub name: Option<String>,
    /// Record type (as text: `"6001"`) → permitted field numbers (1-63).
    pub records: BTreeMap<String, Vec<u8>>,
    /// Permitted feltnumre; absent: all; `[]`: none.
    #[serde(default)]
    pub feltnumre: Option<Vec<u16>>,
}

impl<'de> Deserialize<'de> for ProfileSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<ProfileSpec, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Form {
            Name(String),
            Table(CustomProfile),
        }
        Ok(
            match Form::deserialize(d).map_err(|_| {
                de::Error::custom(
                    "profile: \"full\", \"minimal\", or {\"name\", \"records\": {\"6001\": [3, 4, 5]}, \"feltnumre\"}",
                )
            })? {
                Form::Name(n) => ProfileSpec::Builtin(n),
                Form::Table(t) => ProfileSpec::Custom(t),
            },
        )
    }
}

impl ProfileSpec {
    /// A profile file's text (the CLI's `--profile FILE`).
    /// A table's error says what is wrong in it (`unknown field`, a wrong
    /// type), not only which forms a profile may take.
    pub fn from_json(text: &str) -> Result<ProfileSpec, String> {
        let result = if text.trim_start().starts_with('{') {
            serde_json::from_str(text).map(ProfileSpec::Custom)
        } else {
            serde_json::from_str(text)
        };
        result.map_err(|e| match e.to_string() {
            e if e.starts_with("profile") => e,
            e => format!("profile: {e}"),
        })
    }
}

impl FilterSpec {
    /// A filter from its JSON text (see the [module docs](self)).
    ///
    /// ```
    /// use eindkomst::filter::FilterSpec;
    /// let spec = FilterSpec::from_json(r#"{"cprs": ["610190-1234"], "felter": [13], "profile": "minimal"}"#).unwrap();
    /// assert_eq!(spec.feltnumre, Some(vec![13]));
    /// let err = FilterSpec::from_json(r#"{"cprs": ["6101901234", "61019O1234"]}"#).unwrap_err();
    /// assert!(err.contains("cprs[1] is not a CPR number") && !err.contains("61019"));
    /// ```
    pub fn from_json(text: &str) -> Result<FilterSpec, String> {
        serde_json::from_str(text).map_err(|e| format!("filter: {e}"))
    }

    /// Whether the spec restricts or changes anything at all.
    pub fn is_empty(&self) -> bool {
        *self == FilterSpec::default()
    }

    /// Checks the spec and builds its sets for `family`, with `today` for
    /// a `months_back` period without its own day.
    pub fn compile_at(&self, family: &'static Family, today: Date) -> Result<Compiled, String> {
        fn set<T: Ord + Clone>(v: &Option<Vec<T>>) -> Option<Vec<T>> {
            v.as_ref().map(|v| {
                let mut v = v.clone();
                v.sort();
                v.dedup();
                v
            })
        }
        let (profile_name, profile_records, profile_feltnumre) = match &self.profile {
            None => ("full".to_owned(), None, None),
            Some(ProfileSpec::Builtin(name)) => {
                let p = builtin_profile(name)
                    .ok_or_else(|| format!("profile {name:?}: not a built-in profile (full, minimal)"))?;
                (p.name.to_owned(), p.records.map(<[ProfileEntry]>::to_vec), p.feltnumre.map(<[u16]>::to_vec))
            }
            Some(ProfileSpec::Custom(t)) => {
                let mut records = Vec::new();
                for (rec, nos) in &t.records {
                    let rec_nr: u16 =
                        rec.parse().map_err(|_| format!("profile: record type {rec:?} is not a number"))?;
                    if let Some(no) = nos.iter().find(|&&n| n >= 64) {
                        return Err(format!("profile: record {rec}: field number {no} is above 63"));
                    }
                    records.push(ProfileEntry { rec_nr, fields: fields(nos) });
                }
                records.sort_by_key(|e| e.rec_nr);
                if records.windows(2).any(|w| w[0].rec_nr == w[1].rec_nr) {
                    return Err("profile: a record type is listed twice".into());
                }
                (t.name.clone().unwrap_or_else(|| "user".into()), Some(records), set(&t.feltnumre))
            }
        };
        let key = match &self.pseudonym_key {
            Some(k) if k.0.len() < MIN_KEY_LEN => {
                return Err(format!("pseudonym_key: a key needs at least {MIN_KEY_LEN} bytes"));
            }
            k => k.as_ref().map(|k| k.0.clone()),
        };
        Ok(Compiled {
            family,
            cprs: self.cprs.as_ref().map(|c| {
                let mut v = c.0.clone();
                v.sort();
                v.dedup();
                v
            }),
            se_nrs: set(&self.se_nrs),
            record_types: set(&self.record_types),
            feltnumre: set(&self.feltnumre),
            period: self.period.as_ref().map(|p| p.resolve(today)).transpose()?,
            profile_name,
            profile_records,
            profile_feltnumre,
            key,
        })
    }

    /// [`FilterSpec::compile_at`] with the system's date, read only when a
    /// `months_back` period has no day of its own (a WASM host passes one:
    /// there is no system clock).
    pub fn compile(&self, family: &'static Family) -> Result<Compiled, String> {
        let needs_today = matches!(self.period, Some(PeriodSpec::MonthsBack { today: None, .. }));
        self.compile_at(family, if needs_today { today() } else { Date { year: 1970, month: 1, day: 1 } })
    }
}

/// A checked [`FilterSpec`]: sorted sets the core's filter borrows.
#[derive(Clone)]
pub struct Compiled {
    family: &'static Family,
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

impl fmt::Debug for Compiled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Compiled").field("profile", &self.profile_name).finish_non_exhaustive()
    }
}

impl Compiled {
    /// The core's options, borrowing these sets.
    pub fn options(&self) -> FilterOptions<'_> {
        FilterOptions {
            family: self.family,
            cprs: self.cprs.as_deref(),
            se_nrs: self.se_nrs.as_deref(),
            record_types: self.record_types.as_deref(),
            feltnumre: self.feltnumre.as_deref(),
            period: self.period,
            profile: self.profile(),
            pseudonym_key: self.key.as_deref(),
        }
    }

    /// The profile.
    pub fn profile(&self) -> Profile<'_> {
        Profile {
            name: &self.profile_name,
            records: self.profile_records.as_deref(),
            feltnumre: self.profile_feltnumre.as_deref(),
        }
    }

    /// Whether kept records must be copied and projected (a profile that
    /// blanks fields, or pseudonyms).
    pub fn projects(&self) -> bool {
        self.profile_records.is_some() || self.key.is_some()
    }

    /// The permitted field numbers of `rec_nr` as a bit set (bit `n`: field
    /// `n`); the record key and line number fields are always permitted (a
    /// type the profile does not pass can still pass as a bare header).
    pub fn permitted(&self, rec_nr: u16) -> u64 {
        let profile = self.profile();
        let fields = self.family.layouts().filter(|l| l.rec_nr == rec_nr).flat_map(|l| l.fields);
        fields.filter(|f| f.no < 64 && profile.permits(rec_nr, f)).fold(0, |mask, f| mask | 1 << f.no)
    }
}

self_cell::self_cell!(
    /// A running filter: the core's [`Filter`] over the [`Compiled`] sets it
    /// owns (a self-referential pair, kept safe by `self_cell`).
    pub struct Filtering {
        owner: Compiled,
        #[covariant]
        dependent: Filter,
    }
);

impl Filtering {
    /// A filter over `compiled`.
    pub fn start(compiled: Compiled) -> Result<Filtering, String> {
        Filtering::try_new(compiled, |c| Filter::new(c.options()).map_err(|e| format!("filter: {e:?}")))
    }

    /// The sets.
    pub fn compiled(&self) -> &Compiled {
        self.borrow_owner()
    }

    /// The accounting so far.
    pub fn counts(&self) -> FilterCounts {
        *self.borrow_dependent().counts()
    }

    /// The projector (profile and key).
    pub fn projector(&self) -> Projector<'_> {
        self.borrow_dependent().projector()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use eindkomst_core::EMPLOYER;

    fn d(y: u16, m: u8, day: u8) -> Date {
        Date::new(y, m, day).unwrap()
    }

    #[test]
    fn days_to_dates() {
        assert_eq!(civil_from_days(0), d(1970, 1, 1));
        assert_eq!(civil_from_days(20_089), d(2025, 1, 1));
        assert_eq!(civil_from_days(19_782), d(2024, 2, 29));
    }

    #[test]
    fn periods_parse_in_every_form() {
        let today = d(2025, 2, 14);
        let p = |s: &str| PeriodSpec::parse(s).and_then(|p| p.resolve(today));
        assert_eq!(p("2025-01-01..2025-01-31"), Ok(Period { from: 20250101, to: 20250131 }));
        assert_eq!(p("20250101..20250131"), Ok(Period { from: 20250101, to: 20250131 }));
        assert_eq!(p("last:3"), Ok(Period { from: 20241101, to: 20250228 }));
        assert_eq!(p("last:0@2024-02-10"), Ok(Period { from: 20240201, to: 20240229 }));
        assert!(p("2025-02-01..2025-01-01").unwrap_err().contains("ends before it starts"));
        assert!(p("2025-02-30..2025-03-01").is_err());
        assert!(p("last:x").is_err());
        let json = |s: &str| serde_json::from_str::<PeriodSpec>(s).map_err(|e| e.to_string());
        assert_eq!(
            json(r#"{"from":"2025-01-01","to":"2025-03-31"}"#),
            Ok(PeriodSpec::Range { from: d(2025, 1, 1), to: d(2025, 3, 31) })
        );
        assert_eq!(
            json(r#"{"monthsBack":3,"today":"2025-02-14"}"#),
            Ok(PeriodSpec::MonthsBack { months: 3, today: Some(today) })
        );
        assert_eq!(json(r#"{"months_back":3}"#), Ok(PeriodSpec::MonthsBack { months: 3, today: None }));
        assert_eq!(json(r#""last:3@2025-02-14""#), Ok(PeriodSpec::MonthsBack { months: 3, today: Some(today) }));
        assert!(json(r#"{"from":"2025-01-01"}"#).unwrap_err().contains("give from and to"));
        assert!(json(r#"{"from":"2025-13-01","to":"2025-03-31"}"#).unwrap_err().contains("is not a date"));
    }

    #[test]
    fn one_shape_with_old_names_as_aliases() {
        let new = FilterSpec::from_json(
            r#"{"cprs":["610190-1234"],"se_nrs":[2],"record_types":[6001],"feltnumre":[16,13],
                "period":{"from":"2025-01-01","to":"2025-03-31"},"profile":"minimal","pseudonym_key":"0123456789abcdef"}"#,
        )
        .unwrap();
        let old = FilterSpec::from_json(
            r#"{"cprs":["6101901234"],"seNrs":[2],"records":[6001],"felter":[16,13],
                "period":{"from":"2025-01-01","to":"2025-03-31"},"profile":"minimal","pseudonymiseKey":[48,49,50,51,52,53,54,55,56,57,97,98,99,100,101,102]}"#,
        )
        .unwrap();
        assert_eq!(new, old);
        assert_eq!(new.cprs, Some(Cprs(vec![*b"6101901234"])));
        let c = new.compile_at(&EMPLOYER, d(2025, 2, 14)).unwrap();
        assert_eq!(c.options().feltnumre, Some(&[13u16, 16][..]));
        assert!(c.projects());
        assert_eq!(c.permitted(6001), 1 << 1 | 1 << 2 | 1 << 3 | 1 << 4 | 1 << 5);
        assert_eq!(c.permitted(8001), 0b110, "8001 only as a bare header: Lb_nr and Rec_nr");
        // Debug shows no CPR and no key.
        let dbg = format!("{new:?}");
        assert!(dbg.contains("[1 CPR numbers]") && dbg.contains("[key, 16 bytes]") && !dbg.contains("6101"), "{dbg}");
    }

    #[test]
    fn errors_name_the_index_never_the_cpr() {
        for bad in
            [r#"["6101901234", 6101901235]"#, r#"["6101901234", "6101901235x"]"#, r#"["6101901234", ["6101901235"]]"#]
        {
            let err = FilterSpec::from_json(&format!(r#"{{"cprs": {bad}}}"#)).unwrap_err();
            assert!(err.contains("cprs[1] is not a CPR number (10 digits)"), "{err}");
            assert!(!err.contains("6101901235"), "{err}");
        }
        let err = FilterSpec::from_json(r#"{"cprs": ["6101901234"], "extra": 1}"#).unwrap_err();
        assert!(err.contains("unknown field `extra`"), "{err}");
        let short = FilterSpec::from_json(r#"{"pseudonym_key": "short"}"#).unwrap();
        assert!(short.compile(&EMPLOYER).unwrap_err().contains("at least 16 bytes"));
        assert_eq!(
            parse_cpr_lines(b"# persons\n6101901234\r\n\n720488-1234\n"),
            Ok(Cprs(vec![*b"6101901234", *b"7204881234"]))
        );
        assert_eq!(parse_cpr_lines(b"6101901234\n61019012345\n"), Err("line 2: not a CPR number (10 digits)".into()));
    }

    #[test]
    fn an_empty_cpr_list_keeps_nobody_and_no_list_keeps_everyone() {
        let cprs = parse_cpr_lines(b"# nobody yet\n\n").unwrap();
        let spec = FilterSpec { cprs: Some(cprs), ..FilterSpec::default() };
        assert_eq!(spec.compile(&EMPLOYER).unwrap().options().cprs, Some(&[][..]));
        assert_eq!(FilterSpec::default().compile(&EMPLOYER).unwrap().options().cprs, None);
    }

    #[test]
    fn profiles_parse() {
        let user = ProfileSpec::from_json(r#"{"name":"jc","records":{"6001":[3,4,5],"6000":[4]},"feltnumre":[16,13]}"#)
            .unwrap();
        let spec = FilterSpec { profile: Some(user), ..FilterSpec::default() };
        let c = spec.compile(&EMPLOYER).unwrap();
        assert_eq!(
            c.profile().records,
            Some(&[ProfileEntry { rec_nr: 6000, fields: 1 << 4 }, ProfileEntry { rec_nr: 6001, fields: 0b111000 }][..])
        );
        assert_eq!((c.profile().name, c.profile().feltnumre), ("jc", Some(&[13u16, 16][..])));
        let bad = |s: &str| {
            FilterSpec { profile: Some(ProfileSpec::from_json(s).unwrap()), ..FilterSpec::default() }.compile(&EMPLOYER)
        };
        assert!(bad(r#"{"records":{"6001":[64]}}"#).unwrap_err().contains("above 63"));
        assert!(bad(r#"{"records":{"x":[1]}}"#).unwrap_err().contains("not a number"));
        let err = ProfileSpec::from_json(r#"{"records":{},"extra":1}"#).unwrap_err();
        assert!(err.starts_with("profile: unknown field `extra`"), "{err}");
        let err = ProfileSpec::from_json("[1]").unwrap_err();
        assert!(err.starts_with("profile: \"full\", \"minimal\", or {"), "{err}");
        assert_eq!(ProfileSpec::from_json(r#""minimal""#), Ok(ProfileSpec::Builtin("minimal".into())));
        assert!(bad(r#""strict""#).unwrap_err().contains("not a built-in profile"));
    }
}
