//! `eindkomst stats`: counts, distinct persons and SE-numbers, amount sums.
//! With filter flags (see [`crate::filter`]) the figures are those of the
//! records the filter passes, projected: a field the profile forbids adds
//! nothing, and with a pseudonymisation key persons are told apart by
//! pseudonym. The filter's accounting is printed too. The figures come out
//! as text, as JSON, or as one self-contained HTML page with charts
//! ([`crate::stats_html`]).

use crate::filter::{summary as filter_summary, Selection};
use crate::input::{for_each_event, Stdout};
use crate::output::summary;
use eindkomst_core::decoder::MAX_LINE;
use eindkomst_core::field::Decimal;
use eindkomst_core::filter::{Filter, FilterCounts, Pseudonym, Reason, PSEUDONYM_LEN};
use eindkomst_core::{Counts, Error, Event, Options, Record};
use std::collections::{BTreeMap, HashSet};
use std::io;
use std::path::Path;

/// Sums keyed `"6001/0013"` (record type / Feltnummer) or `"6102"` (one amount per record).
type Sums = BTreeMap<String, Decimal>;

/// Adds each decoded record's amount to `sums`; `None` on overflow.
pub fn add_amount(sums: &mut Sums, rec: u16, feltnummer: Option<u16>, amount: Decimal) -> Option<()> {
    let key = match feltnummer {
        Some(f) => format!("{rec:04}/{f:04}"),
        None => format!("{rec:04}"),
    };
    let sum = sums.entry(key).or_insert(Decimal { units: 0, scale: amount.scale });
    sum.units = sum.units.checked_add(amount.units)?;
    Some(())
}

/// Findings counted by how they were reported (`rejected`, `error`,
/// `warning`) and kind code (`not_digit`, ...).
pub type Findings = BTreeMap<(&'static str, &'static str), u64>;

/// The figures gathered from the records `stats` sees.
#[derive(Default)]
struct Tally {
    /// CPR numbers (zero-padded) or pseudonyms of 6000 records.
    persons: HashSet<[u8; PSEUDONYM_LEN]>,
    employers: HashSet<u32>,
    sums: Sums,
    findings: Findings,
    overflow: bool,
}

/// What `stats` prints, in whichever form.
pub struct Report {
    /// The decoder's accounting.
    pub counts: Counts,
    /// Distinct persons (CPR, or pseudonym with a key) in 6000 records.
    pub persons: usize,
    /// Distinct SE-numbers in 2001 records.
    pub se_numbers: usize,
    /// Amount sums per record type and Feltnummer.
    pub sums: Sums,
    /// Findings per kind.
    pub findings: Findings,
    /// The filter's accounting, when a filter was given.
    pub filter: Option<FilterCounts>,
}

/// How `stats` writes its report.
pub enum Output<'a> {
    /// A table on stdout.
    Text,
    /// One JSON object on stdout.
    Json,
    /// An HTML page written to this file (`-`: stdout).
    Html(&'a Path),
}

impl Tally {
    fn finding(&mut self, reported_as: &'static str, e: &Error) {
        *self.findings.entry((reported_as, e.kind.code())).or_insert(0) += 1;
    }

    fn add(&mut self, r: &Record<'_>, pseudonym: Option<Pseudonym>) {
        match r.record_type() {
            6000 => {
                let cpr = r.cpr().filter(|c| c.len() <= PSEUDONYM_LEN).map(|c| {
                    let mut person = [0u8; PSEUDONYM_LEN];
                    person[..c.len()].copy_from_slice(c);
                    person
                });
                if let Some(person) = pseudonym.map(|p| p.0).or(cpr) {
                    self.persons.insert(person);
                }
            }
            2001 => {
                if let Some(se) = r.se_nr() {
                    self.employers.insert(se);
                }
            }
            _ => {}
        }
        if let Some(amount) = r.amount() {
            self.overflow |= add_amount(&mut self.sums, r.record_type(), r.feltnummer(), amount).is_none();
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
pub fn run(path: &Path, opts: Options, output: Output<'_>, selection: Option<&Selection>) -> Result<bool, String> {
    let report = report(path, opts, selection)?;
    match output {
        Output::Json => println!("{}", json(&report)),
        Output::Text => print!("{}", text(&report)),
        Output::Html(to) => {
            let source = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into());
            let page = crate::stats_html::page(&source, &report);
            if to == Path::new("-") {
                print!("{page}");
            } else {
                std::fs::write(to, page).map_err(|e| format!("{}: {e}", to.display()))?;
            }
        }
    }
    Ok(report.counts.rejected == 0 && report.counts.errors == 0)
}

/// Reads `path` and gathers the figures.
pub fn report(path: &Path, opts: Options, selection: Option<&Selection>) -> Result<Report, String> {
    let mut filter = selection.map(|s| Filter::new(s.options())).transpose().map_err(|e| format!("filter: {e:?}"))?;
    let projector = filter.as_ref().map(Filter::projector);
    let mut buf = [0u8; MAX_LINE];
    let mut tally = Tally::default();
    let counts = for_each_event(path, opts, Stdout::AtEnd, |event| {
        match event {
            Event::Record(r) => match (filter.as_mut(), projector) {
                (Some(filter), Some(projector)) => {
                    for kept in filter.record(&r) {
                        let p = projector.project(&kept, &mut buf).ok_or_else(|| io::Error::other("line too long"))?;
                        tally.add(&p.record, p.pseudonym);
                    }
                }
                _ => tally.add(&r, None),
            },
            Event::Rejected(e) => tally.finding("rejected", &e),
            Event::Error(e) => tally.finding("error", &e),
            Event::Warning(e) => tally.finding("warning", &e),
            Event::NeedInput | Event::End => {}
        }
        Ok(())
    })?;
    if let Some(f) = filter.as_mut() {
        f.finish();
    }
    let Tally { persons, employers, sums, findings, overflow } = tally;
    if overflow {
        return Err("an amount sum overflowed 64 bits".into());
    }
    Ok(Report {
        counts,
        persons: persons.len(),
        se_numbers: employers.len(),
        sums,
        findings,
        filter: filter.map(|f| *f.counts()),
    })
}

/// The report as one JSON object.
fn json(r: &Report) -> serde_json::Value {
    let amounts: serde_json::Map<String, serde_json::Value> =
        r.sums.iter().map(|(k, v)| (k.clone(), v.to_string().into())).collect();
    let counts = &r.counts;
    let by_type: serde_json::Map<String, serde_json::Value> = counts
        .by_type
        .iter()
        .filter(|t| t.decoded + t.rejected > 0)
        .map(|t| (format!("{:04}", t.rec_nr), serde_json::json!({"decoded": t.decoded, "rejected": t.rejected})))
        .collect();
    let mut findings = serde_json::Map::new();
    for ((as_, code), n) in &r.findings {
        let entry = findings.entry(*as_).or_insert_with(|| serde_json::json!({}));
        entry[*code] = (*n).into();
    }
    let mut doc = serde_json::json!({
        "lines": counts.lines, "decoded": counts.decoded, "rejected": counts.rejected,
        "warnings": counts.warnings, "errors": counts.errors, "rejected_untyped": counts.rejected_untyped,
        "by_type": by_type, "persons": r.persons, "se_numbers": r.se_numbers, "amounts": amounts,
        "findings": findings,
    });
    if let Some(f) = &r.filter {
        doc["filter"] = filter_json(f);
    }
    doc
}

/// The report as the table `stats` prints by default.
fn text(r: &Report) -> String {
    let mut s = format!("{}\n", summary(&r.counts));
    if let Some(f) = &r.filter {
        s += &format!("{}\n", filter_summary(f));
    }
    s += &format!("distinct persons (CPR in 6000): {}\n", r.persons);
    s += &format!("distinct SE-numbers (2001): {}\n", r.se_numbers);
    s += "amount sums (kr):\n";
    for (k, v) in &r.sums {
        s += &format!("  {k:<10} {v:>20}\n");
    }
    if !r.findings.is_empty() {
        s += "findings by kind:\n";
        for ((as_, code), n) in &r.findings {
            s += &format!("  {as_:<8} {code:<26} {n:>10}\n");
        }
    }
    s
}
