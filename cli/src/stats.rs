//! `eindkomst stats`: counts, distinct persons and SE-numbers, amount sums.
//! With filter flags (see [`crate::filter`]) the figures are those of the
//! records the filter passes, projected: a field the profile forbids adds
//! nothing, and with a pseudonymisation key persons are told apart by
//! pseudonym. The filter's accounting is printed too.

use crate::filter::{summary as filter_summary, Selection};
use crate::input::for_each_event;
use crate::output::{key_text, summary};
use eindkomst_core::decoder::MAX_LINE;
use eindkomst_core::field::Decimal;
use eindkomst_core::field::Value;
use eindkomst_core::filter::{Filter, FilterCounts, Pseudonym, Reason, PSEUDONYM_LEN};
use eindkomst_core::layout::Role;
use eindkomst_core::{Counts, Event, Family, Options, Record};
use std::collections::{BTreeMap, HashMap};
use std::io;
use std::path::Path;

/// Sums by record key and Feltnummer (none when the record has one amount
/// of its own, like 6102); printed as `"6001/0013"` or `"6102"`.
type Sums = BTreeMap<(&'static str, Option<u16>), Decimal>;

/// Adds each decoded record's amount to `sums`; `None` on overflow.
pub fn add_amount(sums: &mut Sums, rec: &'static str, feltnummer: Option<u16>, amount: Decimal) -> Option<()> {
    let sum = sums.entry((rec, feltnummer)).or_insert(Decimal { units: 0, scale: amount.scale });
    sum.units = sum.units.checked_add(amount.units)?;
    Some(())
}

/// A sum's name: `"6001/0013"` or `"6102"`.
fn sum_key(&(rec, felt): &(&'static str, Option<u16>)) -> String {
    match felt {
        Some(f) => format!("{rec}/{f:04}"),
        None => rec.to_string(),
    }
}

/// The figures gathered from the records `stats` sees. Persons and
/// employers are counted per value, so a tally can be taken back and
/// merged (`--jobs`).
#[derive(Default)]
pub struct Tally {
    /// CPR numbers (zero-padded) or pseudonyms of 6000 records.
    persons: HashMap<[u8; PSEUDONYM_LEN], u32>,
    employers: HashMap<u32, u32>,
    sums: Sums,
    overflow: bool,
}

impl Tally {
    /// Persons are the records that hold a CPR and group others (employer
    /// 6000); employers the records with the company's SE-nr (employer 2001).
    fn add(&mut self, r: &Record<'_>, pseudonym: Option<Pseudonym>, family: &Family) {
        self.count(r, pseudonym, family, 1);
    }

    /// Adds (`sign` 1) or takes back (`sign` -1) one record.
    fn count(&mut self, r: &Record<'_>, pseudonym: Option<Pseudonym>, family: &Family, sign: i32) {
        fn bump<K: std::hash::Hash + Eq>(map: &mut HashMap<K, u32>, key: K, sign: i32) {
            let n = map.entry(key).or_insert(0);
            *n = n.saturating_add_signed(sign);
        }
        let layout = r.layout();
        let grouping = family.placement(r.record_type()).is_some_and(|p| p.header);
        if grouping && layout.field_with(Role::Cpr).is_some() {
            let cpr = r.cpr().filter(|c| c.len() <= PSEUDONYM_LEN).map(|c| {
                let mut person = [0u8; PSEUDONYM_LEN];
                person[..c.len()].copy_from_slice(c);
                person
            });
            if let Some(person) = pseudonym.map(|p| p.0).or(cpr) {
                bump(&mut self.persons, person, sign);
            }
        }
        if let Some(f) = layout.field_with(Role::Se) {
            if let Some(Value::Number(se)) = r.value(f.no).filter(|_| f.role == Role::Se) {
                if se != 0 {
                    bump(&mut self.employers, se as u32, sign);
                }
            }
        }
        if let Some(mut amount) = r.amount() {
            amount.units *= sign as i64;
            self.overflow |= add_amount(&mut self.sums, r.key(), r.feltnummer(), amount).is_none();
        }
    }

    /// Adds another tally.
    fn merge(&mut self, other: Tally) {
        for (k, n) in other.persons {
            *self.persons.entry(k).or_insert(0) += n;
        }
        for (k, n) in other.employers {
            *self.employers.entry(k).or_insert(0) += n;
        }
        for (k, v) in other.sums {
            let sum = self.sums.entry(k).or_insert(Decimal { units: 0, scale: v.scale });
            match sum.units.checked_add(v.units) {
                Some(u) => sum.units = u,
                None => self.overflow = true,
            }
        }
        self.overflow |= other.overflow;
    }

    /// Distinct persons and employers (those counted more than taken back).
    fn distinct(&self) -> (usize, usize) {
        (self.persons.values().filter(|n| **n > 0).count(), self.employers.values().filter(|n| **n > 0).count())
    }
}

/// `stats --jobs`: the workers tally the clean records of their chunk.
struct StatsPre {
    family: &'static Family,
}

impl crate::parallel::Pre for StatsPre {
    type Acc = Tally;

    fn pre(&self, r: &Record<'_>, _: &mut Vec<u8>, acc: &mut Tally) {
        acc.add(r, None, self.family);
    }
}

/// `stats --jobs` in order: the tally of the whole file.
struct StatsSink {
    family: &'static Family,
    tally: Tally,
}

impl crate::parallel::Sink<Tally> for StatsSink {
    fn accepted(&mut self, _: &Record<'_>, _: &[u8]) -> io::Result<()> {
        Ok(())
    }

    fn undo(&mut self, r: &Record<'_>, acc: &mut Tally) {
        acc.count(r, None, self.family, -1);
    }

    fn event(&mut self, e: Event<'_>) -> io::Result<()> {
        if let Event::Record(r) = e {
            self.tally.add(&r, None, self.family);
        }
        Ok(())
    }

    fn chunk_done(&mut self, acc: Tally) {
        self.tally.merge(acc);
    }
}

/// The filter's accounting for `--json`.
fn filter_json(c: &FilterCounts) -> serde_json::Value {
    let by_reason: serde_json::Map<String, serde_json::Value> =
        Reason::ALL.iter().map(|r| (r.code().to_string(), c.of(*r).into())).collect();
    serde_json::json!({"seen": c.seen, "passed": c.passed, "filtered_out": c.filtered_out(), "by_reason": by_reason})
}

/// `eindkomst stats`, of the records `selection` passes when given.
pub fn run(path: &Path, opts: Options, json: bool, selection: Option<&Selection>, jobs: usize) -> Result<bool, String> {
    let family = opts.family;
    if selection.is_none() && crate::output::parallel(path, &opts, jobs) {
        let mut sink = StatsSink { family, tally: Tally::default() };
        let counts = crate::parallel::decode_file(path, opts, jobs, &StatsPre { family }, &mut sink)?;
        return report(&counts, sink.tally, None, json, family);
    }
    let mut filter =
        selection.map(|s| Filter::new(s.options(family))).transpose().map_err(|e| format!("filter: {e:?}"))?;
    let projector = filter.as_ref().map(Filter::projector);
    let mut buf = [0u8; MAX_LINE];
    let mut tally = Tally::default();
    let counts = for_each_event(path, opts, |event| {
        if let Event::Record(r) = event {
            match (filter.as_mut(), projector) {
                (Some(filter), Some(projector)) => {
                    for kept in filter.record(&r) {
                        let p = projector.project(&kept, &mut buf).ok_or_else(|| io::Error::other("line too long"))?;
                        tally.add(&p.record, p.pseudonym, family);
                    }
                }
                _ => tally.add(&r, None, family),
            }
        }
        Ok(())
    })?;
    if let Some(f) = filter.as_mut() {
        f.finish();
    }
    report(&counts, tally, filter.as_ref().map(Filter::counts), json, family)
}

/// Prints the figures.
fn report(
    counts: &Counts,
    tally: Tally,
    filter: Option<&FilterCounts>,
    json: bool,
    family: &Family,
) -> Result<bool, String> {
    let (persons, employers) = tally.distinct();
    let Tally { sums, overflow, .. } = tally;
    if overflow {
        return Err("an amount sum overflowed 64 bits".into());
    }
    if json {
        let amounts: serde_json::Map<String, serde_json::Value> =
            sums.iter().map(|(k, v)| (sum_key(k), v.to_string().into())).collect();
        let by_type: serde_json::Map<String, serde_json::Value> = counts
            .by_type
            .iter()
            .filter(|t| t.decoded + t.rejected > 0)
            .map(|t| (key_text(family, t.rec_nr), serde_json::json!({"decoded": t.decoded, "rejected": t.rejected})))
            .collect();
        let mut doc = serde_json::json!({
            "lines": counts.lines, "decoded": counts.decoded, "rejected": counts.rejected,
            "warnings": counts.warnings, "errors": counts.errors, "rejected_untyped": counts.rejected_untyped,
            "by_type": by_type, "persons": persons, "se_numbers": employers, "amounts": amounts,
        });
        if let Some(f) = filter {
            doc["filter"] = filter_json(f);
        }
        println!("{doc}");
    } else {
        println!("{}", summary(counts, family));
        if let Some(f) = filter {
            println!("{}", filter_summary(f));
        }
        println!("distinct persons (CPR): {persons}");
        println!("distinct SE-numbers (employers): {employers}");
        println!("amount sums (kr):");
        for (k, v) in &sums {
            println!("  {:<10} {v:>20}", sum_key(k));
        }
    }
    Ok(counts.rejected == 0 && counts.errors == 0)
}
