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
use eindkomst_core::{Event, Family, Options, Record};
use std::collections::{BTreeMap, HashSet};
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

/// The figures gathered from the records `stats` sees.
#[derive(Default)]
struct Tally {
    /// CPR numbers (zero-padded) or pseudonyms of 6000 records.
    persons: HashSet<[u8; PSEUDONYM_LEN]>,
    employers: HashSet<u32>,
    sums: Sums,
    overflow: bool,
}

impl Tally {
    /// Persons are the records that hold a CPR and group others (employer
    /// 6000); employers the records with the company's SE-nr (employer 2001).
    fn add(&mut self, r: &Record<'_>, pseudonym: Option<Pseudonym>, family: &Family) {
        let layout = r.layout();
        let grouping = family.placement(r.record_type()).is_some_and(|p| p.header);
        if grouping && layout.field_with(Role::Cpr).is_some() {
            let cpr = r.cpr().filter(|c| c.len() <= PSEUDONYM_LEN).map(|c| {
                let mut person = [0u8; PSEUDONYM_LEN];
                person[..c.len()].copy_from_slice(c);
                person
            });
            if let Some(person) = pseudonym.map(|p| p.0).or(cpr) {
                self.persons.insert(person);
            }
        }
        if let Some(f) = layout.field_with(Role::Se) {
            if let Some(Value::Number(se)) = r.value(f.no).filter(|_| f.role == Role::Se) {
                if se != 0 {
                    self.employers.insert(se as u32);
                }
            }
        }
        if let Some(amount) = r.amount() {
            self.overflow |= add_amount(&mut self.sums, r.key(), r.feltnummer(), amount).is_none();
        }
    }
}

/// The filter's accounting for `--json`.
fn filter_json(c: &FilterCounts) -> serde_json::Value {
    let by_reason: serde_json::Map<String, serde_json::Value> =
        Reason::ALL.iter().map(|r| (r.code().to_string(), c.of(*r).into())).collect();
    serde_json::json!({"seen": c.seen, "passed": c.passed, "filtered_out": c.filtered_out(), "by_reason": by_reason})
}

/// `eindkomst stats`, of the records `selection` passes when given.
pub fn run(path: &Path, opts: Options, json: bool, selection: Option<&Selection>) -> Result<bool, String> {
    let family = opts.family;
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
    let Tally { persons, employers, sums, overflow } = tally;
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
            "by_type": by_type, "persons": persons.len(), "se_numbers": employers.len(), "amounts": amounts,
        });
        if let Some(f) = &filter {
            doc["filter"] = filter_json(f.counts());
        }
        println!("{doc}");
    } else {
        println!("{}", summary(&counts, family));
        if let Some(f) = &filter {
            println!("{}", filter_summary(f.counts()));
        }
        println!("distinct persons (CPR): {}", persons.len());
        println!("distinct SE-numbers (employers): {}", employers.len());
        println!("amount sums (kr):");
        for (k, v) in &sums {
            println!("  {:<10} {v:>20}", sum_key(k));
        }
    }
    Ok(counts.rejected == 0 && counts.errors == 0)
}
