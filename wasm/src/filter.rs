//! Dataafgrænsning for JavaScript: the core's [`Filter`] between the decoder
//! and the batch, so records a caller may not see never reach JS.
//!
//! JS checks the shape of its `filter` option and hands it to
//! [`RawDecoder::set_filter`](crate::RawDecoder::set_filter) as a
//! [`FilterSpec`] (CPR numbers already joined into one byte string, so no
//! error message here can contain one). Every decoded record goes through
//! [`Filter::record`]; each record it passes (held headers first, then the
//! record) is projected (forbidden fields blanked) and put into the batch like
//! an unfiltered record. With a pseudonymisation key, every record whose
//! layout has a personal field is followed in the batch text by
//! [`PSEUDONYM_LEN`] bytes: its pseudonym, or blanks when it names no CPR.
//! [`Filtering::visible`] tells JS which fields each layout may show.

use crate::{all_layouts, to_js, Batch};
use eindkomst_core::decoder::MAX_LINE;
use eindkomst_core::field::parse_date;
use eindkomst_core::filter::{
    builtin_profile, fields, Filter, FilterOptions, OptionsError, Period, Profile, ProfileEntry, Projector, Reason,
    PSEUDONYM_LEN,
};
use eindkomst_core::Record;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use wasm_bindgen::prelude::*;

/// The `filter` option as JS passes it on. A set given restricts (an empty
/// one keeps nothing of its dimension); an absent one does not.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FilterSpec {
    /// CPR numbers, 10 ASCII digits each, back to back.
    cprs: Option<Vec<u8>>,
    se_nrs: Option<Vec<u32>>,
    records: Option<Vec<u16>>,
    felter: Option<Vec<u16>>,
    period: Option<PeriodSpec>,
    profile: Option<ProfileSpec>,
    pseudonymise_key: Option<Vec<u8>>,
}

/// `{from, to}` or `{monthsBack, today}`, dates as `YYYY-MM-DD`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PeriodSpec {
    from: Option<String>,
    to: Option<String>,
    months_back: Option<u16>,
    today: Option<String>,
}

/// `"full"`, `"minimal"`, or a table like the CLI's profile file.
#[derive(Deserialize)]
#[serde(untagged)]
enum ProfileSpec {
    Builtin(String),
    Custom(CustomProfile),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CustomProfile {
    name: Option<String>,
    /// Record type ("6001") → permitted field numbers.
    records: BTreeMap<String, Vec<u8>>,
    feltnumre: Option<Vec<u16>>,
}

/// What the filter borrows, owned.
struct Sets {
    cprs: Option<Vec<[u8; 10]>>,
    se_nrs: Option<Vec<u32>>,
    record_types: Option<Vec<u16>>,
    feltnumre: Option<Vec<u16>>,
    profile_name: String,
    profile_records: Option<Vec<ProfileEntry>>,
    profile_feltnumre: Option<Vec<u16>>,
    key: Option<Vec<u8>>,
}

/// A boxed [`Sets`] lent to the filter as `&'static` while this lives.
struct Owned(*mut Sets);

impl Owned {
    fn get(&self) -> &'static Sets {
        // SAFETY: from Box::into_raw in `Filtering::new`, never mutated, and
        // freed only by Drop, after the filter borrowing it (field order of
        // `Filtering`).
        unsafe { &*self.0 }
    }
}

impl Drop for Owned {
    fn drop(&mut self) {
        // SAFETY: from Box::into_raw, freed only here.
        drop(unsafe { Box::from_raw(self.0) });
    }
}

/// A decoder's filter: the core's [`Filter`] over the sets it owns.
pub struct Filtering {
    // Field order matters: `filter` and `projector` borrow `_sets`.
    filter: Filter<'static>,
    projector: Projector<'static>,
    _sets: Owned,
    buf: Vec<u8>,
}

fn sorted<T: Ord>(mut v: Vec<T>) -> Vec<T> {
    v.sort();
    v.dedup();
    v
}

fn date(s: &str) -> Result<eindkomst_core::field::Date, String> {
    let digits: Vec<u8> = s.bytes().filter(|&b| b != b'-').collect();
    parse_date(&digits).ok_or_else(|| format!("filter.period: {s:?} is not a date (YYYY-MM-DD)"))
}

impl PeriodSpec {
    fn period(&self) -> Result<Period, String> {
        match self {
            PeriodSpec { from: Some(from), to: Some(to), months_back: None, today: None } => {
                Ok(Period::new(date(from)?, date(to)?))
            }
            PeriodSpec { from: None, to: None, months_back: Some(n), today: Some(today) } => {
                Ok(Period::months_back(date(today)?, *n))
            }
            _ => Err("filter.period must be {from, to} or {monthsBack, today}".into()),
        }
    }
}

impl Sets {
    fn new(spec: FilterSpec) -> Result<Sets, String> {
        let cprs = match spec.cprs {
            None => None,
            Some(bytes) if bytes.len() % 10 == 0 && bytes.iter().all(u8::is_ascii_digit) => {
                Some(sorted(bytes.chunks_exact(10).filter_map(|c| <[u8; 10]>::try_from(c).ok()).collect::<Vec<_>>()))
            }
            Some(_) => return Err("filter.cprs: every CPR number must be 10 digits".into()),
        };
        let mut sets = Sets {
            cprs,
            se_nrs: spec.se_nrs.map(sorted),
            record_types: spec.records.map(sorted),
            feltnumre: spec.felter.map(sorted),
            profile_name: "full".into(),
            profile_records: None,
            profile_feltnumre: None,
            key: spec.pseudonymise_key,
        };
        if sets.key.as_ref().is_some_and(|k| k.len() < 16) {
            return Err("filter.pseudonymiseKey needs at least 16 bytes".into());
        }
        match spec.profile {
            None => {}
            Some(ProfileSpec::Builtin(name)) => {
                let p = builtin_profile(&name).ok_or("filter.profile must be \"full\", \"minimal\" or a table")?;
                sets.profile_name = p.name.into();
                sets.profile_records = p.records.map(<[ProfileEntry]>::to_vec);
                sets.profile_feltnumre = p.feltnumre.map(<[u16]>::to_vec);
            }
            Some(ProfileSpec::Custom(c)) => {
                let mut table = Vec::new();
                for (rec, nos) in &c.records {
                    let bad =
                        || format!("filter.profile.records: {rec:?} is not a record type with field numbers 1-63");
                    let rec_nr = rec.parse().map_err(|_| bad())?;
                    if nos.iter().any(|&n| n >= 64) {
                        return Err(bad());
                    }
                    table.push(ProfileEntry { rec_nr, fields: fields(nos) });
                }
                table.sort_by_key(|e| e.rec_nr);
                if table.windows(2).any(|w| w[0].rec_nr == w[1].rec_nr) {
                    return Err("filter.profile.records: a record type is listed twice".into());
                }
                sets.profile_name = c.name.unwrap_or_else(|| "user".into());
                sets.profile_records = Some(table);
                sets.profile_feltnumre = c.feltnumre.map(sorted);
            }
        }
        Ok(sets)
    }

    fn options(&'static self, period: Option<Period>) -> FilterOptions<'static> {
        FilterOptions {
            cprs: self.cprs.as_deref(),
            se_nrs: self.se_nrs.as_deref(),
            record_types: self.record_types.as_deref(),
            feltnumre: self.feltnumre.as_deref(),
            period,
            profile: Profile {
                name: &self.profile_name,
                records: self.profile_records.as_deref(),
                feltnumre: self.profile_feltnumre.as_deref(),
            },
            pseudonym_key: self.key.as_deref(),
        }
    }
}

/// The filter's accounting as JS sees it; `byReason` keyed by
/// [`Reason::code`].
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CountsOut {
    seen: u64,
    passed: u64,
    held: u64,
    filtered_out: u64,
    by_reason: ByReason,
}

/// Filtered out per reason, in the order of [`Reason::ALL`].
struct ByReason([(&'static str, u64); Reason::ALL.len()]);

impl Serialize for ByReason {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().copied())
    }
}

impl Filtering {
    /// The filter `spec` asks for; the message names what is wrong, never a
    /// CPR number.
    pub fn new(spec: FilterSpec) -> Result<Filtering, String> {
        let period = spec.period.as_ref().map(PeriodSpec::period).transpose()?;
        let sets = Owned(Box::into_raw(Box::new(Sets::new(spec)?)));
        let filter = Filter::new(sets.get().options(period)).map_err(|e| match e {
            OptionsError::EmptyPeriod => "filter.period ends before it starts".to_string(),
            OptionsError::Unsorted(set) => format!("filter: {set} not sorted"), // sorted above
        })?;
        Ok(Filtering { projector: filter.projector(), filter, _sets: sets, buf: vec![0; MAX_LINE] })
    }

    /// Whether CPR numbers are replaced by pseudonyms.
    fn pseudonymising(&self) -> bool {
        self.projector.pseudonym_key.is_some()
    }

    /// Sends `r` through the filter; with `records`, puts what passes into
    /// `batch`, projected.
    pub fn pass(&mut self, r: &Record<'_>, batch: &mut Batch, records: bool) {
        let pseudonymising = self.pseudonymising();
        let kept = self.filter.record(r);
        if !records {
            return;
        }
        for rec in kept {
            // The buffer holds MAX_LINE bytes, the longest line the decoder returns.
            let Some(p) = self.projector.project(&rec, &mut self.buf) else { continue };
            batch.push_record(&p.record);
            if pseudonymising && p.record.layout().fields.iter().any(|f| f.personal) {
                batch.text.extend_from_slice(&p.pseudonym.map_or([b' '; PSEUDONYM_LEN], |p| p.0));
            }
        }
    }

    /// Ends the stream (held headers count as empty).
    pub fn finish(&mut self) {
        self.filter.finish();
    }

    /// `{seen, passed, held, filteredOut, byReason: {cpr, se, ...}}`.
    pub fn counts(&self) -> JsValue {
        let c = self.filter.counts();
        to_js(&CountsOut {
            seen: c.seen,
            passed: c.passed,
            held: c.held,
            filtered_out: c.filtered_out(),
            by_reason: ByReason(Reason::ALL.map(|r| (r.code(), c.of(r)))),
        })
    }

    /// Per layout index, the field numbers the profile lets through.
    pub fn visible(&self) -> JsValue {
        let profile = &self.projector.profile;
        let visible: Vec<Vec<u8>> = all_layouts()
            .map(|l| l.fields.iter().map(|f| f.no).filter(|&no| profile.permits(l.rec_nr, no)).collect())
            .collect();
        to_js(&visible)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(cprs: &[u8], profile: &str) -> FilterSpec {
        FilterSpec {
            cprs: Some(cprs.to_vec()),
            profile: Some(ProfileSpec::Builtin(profile.into())),
            ..FilterSpec::default()
        }
    }

    #[test]
    fn one_person_under_the_minimal_profile() {
        let mut f = Filtering::new(spec(b"6101901234", "minimal")).unwrap();
        let mut batch = Batch::default();
        let mut dec = eindkomst_core::Decoder::default();
        let mut input = eindkomst_core::testing::SAMPLE;
        loop {
            let (event, used) = dec.decode(input);
            input = &input[used..];
            match event {
                eindkomst_core::Event::Record(r) => f.pass(&r, &mut batch, true),
                eindkomst_core::Event::NeedInput => break,
                _ => {}
            }
        }
        f.finish();
        let lb_nrs: Vec<f64> = batch.meta.chunks(crate::META_STRIDE).map(|m| m[2]).collect();
        assert_eq!(lb_nrs, [1.0, 2.0, 8.0, 9.0, 10.0, 12.0, 13.0, 27.0]);
        assert!(f.filter.counts().balanced());
    }

    #[test]
    fn bad_options_are_refused_without_echoing_cprs() {
        let err = Filtering::new(spec(b"610190123", "full")).err().unwrap();
        assert_eq!(err, "filter.cprs: every CPR number must be 10 digits");
        assert!(Filtering::new(spec(b"6101901234", "nonesuch")).is_err());
        let key = FilterSpec { pseudonymise_key: Some(b"short".to_vec()), ..FilterSpec::default() };
        assert!(Filtering::new(key).is_err());
        let period = |from: &str, to: &str| FilterSpec {
            period: Some(PeriodSpec { from: Some(from.into()), to: Some(to.into()), months_back: None, today: None }),
            ..FilterSpec::default()
        };
        assert!(Filtering::new(period("2025-02-01", "2025-01-31")).is_err());
        assert!(Filtering::new(period("2025-02-30", "2025-03-31")).is_err());
        assert!(Filtering::new(period("2025-01-01", "2025-01-31")).is_ok());
    }
}
