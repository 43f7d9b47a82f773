//! `eindkomst stats`: counts, distinct persons and SE-numbers, amount sums.
//! With filter flags (see [`crate::filter`]) the figures are those of the
//! records the filter passes, projected: a field the profile forbids adds
//! nothing, and with a pseudonymisation key persons are told apart by
//! pseudonym. The filter's accounting is printed too. The figures come out
//! as text, as JSON, or as one self-contained HTML page with charts
//! ([`crate::stats_html`]).

use crate::filter::summary as filter_summary;
use crate::input::{for_each, for_each_session_event, Stdout};
use crate::output::{key_text, summary};
use eindkomst::filter::{Compiled, Filtering};
use eindkomst::{session, Session};
use eindkomst_core::field::{Decimal, Value};
use eindkomst_core::filter::{FilterCounts, Pseudonym, Reason, PSEUDONYM_LEN};
use eindkomst_core::layout::RecordLayout;
use eindkomst_core::layout::Role;
use eindkomst_core::record::DecimalField;
use eindkomst_core::{Counts, Error, Event, Family, Options, Record};
use std::collections::BTreeMap;
use std::io;
use std::path::Path;

/// Sums keyed `"6001/0013"` (record key / Feltnummer) or `"6102"` (one amount per record).
pub type Sums = BTreeMap<String, Decimal>;

/// Sums while counting: by record type and Feltnummer, as numbers (no
/// string hashed or compared per record), each with its record key and
/// how many records it holds (a sum whose records were all taken back by
/// `--jobs` is no sum, as with one thread). A direct-mapped table first
/// (a key keeps the slot it was first given), the map only for a key whose
/// slot another holds: a map entry per record was an eighth of `stats`.
#[derive(Default)]
struct Running {
    slots: Vec<Sum>,
    more: HashMap<SumKey, Sum>,
}

/// Record type and Feltnummer.
type SumKey = (u16, Option<u16>);

#[derive(Clone, Copy)]
struct Sum {
    key: Option<SumKey>,
    /// `key` as one word ([`Running::packed`]; 0: no key), compared per record.
    packed: u64,
    rec: &'static str,
    sum: Decimal,
    records: i64,
}

impl Running {
    const SLOTS: usize = 256;

    /// A key as one word, never 0 (the top bit is set).
    fn packed(key: SumKey) -> u64 {
        1 << 63 | u64::from(key.0) << 17 | key.1.map_or(0, |f| 1 << 16 | u64::from(f))
    }

    /// The sum of `key` (made with `rec` and `scale` when new).
    #[inline(always)]
    fn entry(&mut self, key: SumKey, rec: &'static str, scale: u8) -> &mut Sum {
        let packed = Running::packed(key);
        // The top byte of the product: a slot below `SLOTS`.
        let at = (packed.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 56) as usize;
        match self.slots.get(at) {
            Some(slot) if slot.packed == packed => &mut self.slots[at],
            _ => self.new_entry(key, at, rec, scale),
        }
    }

    /// [`Running::entry`] for a key not in its slot: the slot when free
    /// (the table made first), else the map.
    #[cold]
    fn new_entry(&mut self, key: SumKey, at: usize, rec: &'static str, scale: u8) -> &mut Sum {
        let new =
            Sum { key: Some(key), packed: Running::packed(key), rec, sum: Decimal { units: 0, scale }, records: 0 };
        if self.slots.is_empty() {
            self.slots = vec![Sum { key: None, packed: 0, ..new }; Running::SLOTS];
        }
        match self.slots.get_mut(at) {
            Some(slot) if slot.key.is_none() => {
                *slot = new;
                slot
            }
            _ => self.more.entry(key).or_insert(new),
        }
    }

    fn into_sums(self) -> impl Iterator<Item = Sum> {
        self.slots.into_iter().filter(|s| s.key.is_some()).chain(self.more.into_values())
    }
}

/// The maps of a tally: foldhash (seeded per process), not SipHash; with
/// the sums in a B-tree, hashing was 13 % of `stats`' instructions.
type HashMap<K, V> = std::collections::HashMap<K, V, Hashing>;

/// One foldhash seed for every tally of the process (still a new one per
/// run). Maps of one hash function keep their keys in the same order, so
/// merging one thread's map into another's (`--jobs`, room made first)
/// walks both in about memory order, not to a cache miss per key: the
/// merge of two threads' 158,555 persons took 5.8-6.1 ms, against
/// 7.9-10.7 with a seed per map (three runs each, 2026-12-04).
#[derive(Clone)]
struct Hashing(foldhash::fast::RandomState);

impl Default for Hashing {
    fn default() -> Hashing {
        static SEED: std::sync::OnceLock<foldhash::fast::RandomState> = std::sync::OnceLock::new();
        Hashing(SEED.get_or_init(foldhash::fast::RandomState::default).clone())
    }
}

impl std::hash::BuildHasher for Hashing {
    type Hasher = <foldhash::fast::RandomState as std::hash::BuildHasher>::Hasher;

    fn build_hasher(&self) -> Self::Hasher {
        self.0.build_hasher()
    }
}

/// Adds (`sign` 1) or takes back (-1) a decoded record's amount to
/// `sums`; `None` on overflow.
fn add_amount(sums: &mut Running, r: &Record<'_>, feltnummer: Option<u16>, amount: Decimal, sign: i32) -> Option<()> {
    let s = sums.entry((r.record_type(), feltnummer), r.key(), amount.scale);
    s.sum.units = s.sum.units.checked_add(amount.units.checked_mul(sign.into())?)?;
    s.records += i64::from(sign);
    Some(())
}

/// A sum's name: `"6001/0013"` or `"6102"`.
fn sum_key(rec: &str, felt: Option<u16>) -> String {
    match felt {
        Some(f) => format!("{rec}/{f:04}"),
        None => rec.to_string(),
    }
}

/// Findings counted by how they were reported (`rejected`, `error`,
/// `warning`) and kind code (`not_digit`, ...).
pub type Findings = BTreeMap<(&'static str, &'static str), u64>;

/// The figures gathered from the records `stats` sees. Persons and
/// employers are counted per value, so a tally can be taken back and
/// merged (`--jobs`: one thread's tally may take back what another's
/// holds, so a count may be below zero until all are merged).
#[derive(Default)]
pub struct Tally {
    /// CPR numbers (zero-padded) or pseudonyms of person records.
    persons: Persons,
    employers: HashMap<u32, i32>,
    sums: Running,
    findings: Findings,
    overflow: bool,
    /// What the layouts seen lately hold for the tally ([`Tally::role_slot`]).
    roles: RoleSlots,
}

/// Persons counted per key (a CPR or a pseudonym), in batches: with many
/// persons (158,555 in a 416 MB file) a key's count is a cache miss or
/// two, and a batch of counts lets the core wait for several misses at
/// once, rather than for one per person record in the middle of decoding.
#[derive(Default)]
struct Persons {
    counts: HashMap<[u8; PSEUDONYM_LEN], i32>,
    /// Counts not yet in `counts`.
    pending: Vec<([u8; PSEUDONYM_LEN], i32)>,
}

impl Persons {
    const BATCH: usize = 256;

    fn bump(&mut self, person: [u8; PSEUDONYM_LEN], sign: i32) {
        self.pending.push((person, sign));
        if self.pending.len() >= Persons::BATCH {
            self.flush();
        }
    }

    #[inline(never)]
    fn flush(&mut self) {
        for (person, sign) in self.pending.drain(..) {
            *self.counts.entry(person).or_insert(0) += sign;
        }
    }

    /// Every count, the pending ones in.
    fn counted(&mut self) -> &HashMap<[u8; PSEUDONYM_LEN], i32> {
        self.flush();
        &self.counts
    }

    /// Adds another thread's counts: the smaller map into the larger (a
    /// thread's tally of a big file holds most of its persons), room made
    /// first: a map grown as it goes moves its entries again, in an order
    /// of its own ([`Hashing`]).
    fn merge(&mut self, mut other: Persons) {
        self.flush();
        other.flush();
        if other.counts.len() > self.counts.len() {
            std::mem::swap(&mut self.counts, &mut other.counts);
        }
        self.counts.reserve(other.counts.len());
        for (person, n) in other.counts {
            *self.counts.entry(person).or_insert(0) += n;
        }
    }
}

/// What the layouts seen lately hold for the tally, a slot per record
/// type (modulo [`ROLE_SLOTS`]).
struct RoleSlots([Option<(&'static RecordLayout, Roles)>; ROLE_SLOTS]);

impl Default for RoleSlots {
    fn default() -> RoleSlots {
        RoleSlots([None; ROLE_SLOTS])
    }
}

/// Slots of [`Tally::role_slot`]: each employer record type has its own but
/// 2101 (which shares 6005's). With 16, 8001 and 6001 shared one, and
/// each 8001 (one line in 150) cost two lookups of roles.
const ROLE_SLOTS: usize = 64;

/// What a record type holds for the tally, looked up once per layout.
#[derive(Clone, Copy)]
struct Roles {
    /// A person record: it groups others and holds a CPR (employer 6000),
    /// at this index in the layout's fields.
    person: Option<u16>,
    /// Indices in the layout's fields: the company's SE-nr (role `se`:
    /// employer 2001) and the Feltnummer ([`Record::feltnummer`]).
    se: Option<u16>,
    feltnummer: Option<u16>,
    /// The amount ([`Record::amount`]).
    amount: Option<DecimalField>,
}

/// What `stats` prints, in whichever form.
pub struct Report {
    /// The record family read.
    pub family: &'static Family,
    /// The decoder's accounting.
    pub counts: Counts,
    /// Distinct persons (CPR, or pseudonym with a key) in person records
    /// (records that hold a CPR and group others: employer 6000).
    pub persons: usize,
    /// Distinct SE-numbers of the reporting companies (role `se`: employer 2001).
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

    /// Persons are the records that hold a CPR and group others (employer
    /// 6000); employers the records with the company's SE-nr (employer 2001).
    fn add(&mut self, r: &Record<'_>, pseudonym: Option<Pseudonym>, family: &Family) {
        self.count(r, pseudonym, family, 1);
    }

    /// Adds (`sign` 1) or takes back (`sign` -1) one record.
    fn count(&mut self, r: &Record<'_>, pseudonym: Option<Pseudonym>, family: &Family, sign: i32) {
        let slot = self.role_slot(r.layout(), family);
        let Some((_, roles)) = &self.roles.0[slot] else { return };
        if let Some(amount) = roles.amount.and_then(|a| a.read(r)) {
            let feltnummer = roles.feltnummer.and_then(|i| r.short_number_at(i.into()));
            self.overflow |= add_amount(&mut self.sums, r, feltnummer, amount, sign).is_none();
        }
        let (person, se) = (roles.person, roles.se);
        if person.is_some() || se.is_some() {
            self.count_ids(r, person, se, pseudonym, sign);
        }
    }

    /// The person (field index `person`) and the SE-nr (`se`) a record
    /// names, counted (`sign` as in [`Tally::count`]). Apart from the
    /// amounts' path, which most records take alone.
    #[inline(never)]
    fn count_ids(
        &mut self,
        r: &Record<'_>,
        person: Option<u16>,
        se: Option<u16>,
        pseudonym: Option<Pseudonym>,
        sign: i32,
    ) {
        fn bump<K: std::hash::Hash + Eq>(map: &mut HashMap<K, i32>, key: K, sign: i32) {
            *map.entry(key).or_insert(0) += sign;
        }
        if let Some(at) = person {
            let cpr = r.cpr_at(at.into()).filter(|c| c.len() <= PSEUDONYM_LEN).map(|c| {
                let mut person = [0u8; PSEUDONYM_LEN];
                person[..c.len()].copy_from_slice(c);
                person
            });
            if let Some(person) = pseudonym.map(|p| p.0).or(cpr) {
                self.persons.bump(person, sign);
            }
        }
        if let Some(Value::Number(se)) = se.and_then(|i| r.value_at(i.into())) {
            if se != 0 {
                bump(&mut self.employers, se as u32, sign);
            }
        }
    }

    /// The slot of what `layout` holds for the tally: one per record type
    /// (modulo [`ROLE_SLOTS`]), filled on first use, read in place by the
    /// caller (a copy of it, or a table moved per change of record type,
    /// read back right after its bytes were written, stalled a fifth of
    /// `stats`' time; a reference that held all of `Tally` made the
    /// compiler copy every role out first).
    #[inline(always)]
    fn role_slot(&mut self, layout: &'static RecordLayout, family: &Family) -> usize {
        let slot = layout.rec_nr as usize % ROLE_SLOTS;
        if !self.roles.0[slot].as_ref().is_some_and(|(l, _)| std::ptr::eq(*l, layout)) {
            self.new_roles(layout, family, slot);
        }
        slot
    }

    #[cold]
    fn new_roles(&mut self, layout: &'static RecordLayout, family: &Family, slot: usize) {
        let index = |role| layout.index_with(role).and_then(|i| u16::try_from(i).ok());
        let grouping = family.placement(layout.rec_nr).is_some_and(|p| p.header);
        let roles = Roles {
            person: index(Role::Cpr).filter(|_| grouping),
            se: index(Role::Se),
            amount: layout.amount_index().and_then(|i| DecimalField::of(layout, i)),
            feltnummer: index(Role::Feltnummer),
        };
        self.roles.0[slot] = Some((layout, roles));
    }

    /// The findings of one event, if it is one.
    fn event_finding(&mut self, event: &Event<'_>) {
        match event {
            Event::Rejected(e) => self.finding("rejected", e),
            Event::Error(e) => self.finding("error", e),
            Event::Warning(e) => self.finding("warning", e),
            _ => {}
        }
    }

    /// Adds another tally.
    fn merge(&mut self, other: Tally) {
        self.persons.merge(other.persons);
        for (k, n) in other.employers {
            *self.employers.entry(k).or_insert(0) += n;
        }
        for o in other.sums.into_sums() {
            let Some(key) = o.key else { continue };
            let s = self.sums.entry(key, o.rec, o.sum.scale);
            s.records += o.records;
            match s.sum.units.checked_add(o.sum.units) {
                Some(u) => s.sum.units = u,
                None => self.overflow = true,
            }
        }
        for (k, n) in other.findings {
            *self.findings.entry(k).or_insert(0) += n;
        }
        self.overflow |= other.overflow;
    }

    /// The figures, once every record is in.
    fn report(
        mut self,
        family: &'static Family,
        counts: Counts,
        filter: Option<FilterCounts>,
    ) -> Result<Report, String> {
        if self.overflow {
            return Err("an amount sum overflowed 64 bits".into());
        }
        Ok(Report {
            family,
            counts,
            persons: self.persons.counted().values().filter(|n| **n > 0).count(),
            se_numbers: self.employers.values().filter(|n| **n > 0).count(),
            sums: self
                .sums
                .into_sums()
                .filter(|s| s.records > 0)
                .filter_map(|s| Some((sum_key(s.rec, s.key?.1), s.sum)))
                .collect(),
            findings: self.findings,
            filter,
        })
    }
}

/// `stats --jobs`: each thread tallies the clean records it prechecks.
struct StatsPre {
    family: &'static Family,
}

impl crate::parallel::Pre for StatsPre {
    type Acc = Tally;
    const LINE_NUMBERS: bool = false; // a tally reads fields only

    fn pre(&self, r: &Record<'_>, _: &mut crate::parallel::Text, acc: &mut Tally) {
        acc.add(r, None, self.family);
    }
}

/// `stats --jobs` in order: the tally of the whole file.
struct StatsSink {
    family: &'static Family,
    tally: Tally,
}

impl crate::parallel::Sink<Tally> for StatsSink {
    fn accepted(&mut self, _: &[u8]) -> io::Result<()> {
        Ok(())
    }

    fn undo(&mut self, r: &Record<'_>) {
        self.tally.count(r, None, self.family, -1);
    }

    fn event(&mut self, e: Event<'_>) -> io::Result<()> {
        self.tally.event_finding(&e);
        if let Event::Record(r) = e {
            self.tally.add(&r, None, self.family);
        }
        Ok(())
    }

    fn merge(&mut self, acc: Tally) {
        self.tally.merge(acc);
    }
}

/// The filter's accounting for `--json`.
fn filter_json(c: &FilterCounts) -> serde_json::Value {
    let by_reason: serde_json::Map<String, serde_json::Value> =
        Reason::ALL.iter().map(|r| (r.code().to_string(), c.of(*r).into())).collect();
    serde_json::json!({"seen": c.seen, "passed": c.passed, "filtered_out": c.filtered_out(), "by_reason": by_reason})
}

/// `eindkomst stats`, of the records the filter `compiled` passes when given.
pub fn run(
    path: &Path,
    opts: Options,
    output: Output<'_>,
    compiled: Option<Compiled>,
    jobs: usize,
) -> Result<bool, String> {
    let report = report(path, opts, compiled, jobs)?;
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

/// Reads `path` and gathers the figures (on `jobs` threads when no filter is given).
pub fn report(path: &Path, opts: Options, compiled: Option<Compiled>, jobs: usize) -> Result<Report, String> {
    let family = opts.family;
    if compiled.is_none() {
        let mut sink = StatsSink { family, tally: Tally::default() };
        let counts = if crate::output::parallel(path, &opts, jobs) {
            crate::parallel::decode_file(path, opts, jobs, Stdout::AtEnd, &StatsPre { family }, &mut sink)?
        } else {
            // Without a filter, the decoder's batches as `validate` reads
            // them: a session's per-record hand-over was a tenth of the work.
            for_each(path, opts, Stdout::AtEnd, &mut sink)?
        };
        return sink.tally.report(family, counts, None);
    }
    // With a filter: the std layer's session, the filter inside.
    let mut session = Session::with_filter(opts, compiled.map(Filtering::start).transpose()?);
    let mut tally = Tally::default();
    let counts = for_each_session_event(path, &mut session, Stdout::AtEnd, |event| {
        match event {
            session::Event::Record { record, pseudonym } => tally.add(&record, pseudonym, family),
            session::Event::Finding(f) => tally.finding(f.finding_type.label(), &f.error),
            session::Event::Raw(_) => {}
        }
        Ok(())
    })?;
    tally.report(family, counts, session.filter_counts())
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
        .map(|t| (key_text(r.family, t.rec_nr), serde_json::json!({"decoded": t.decoded, "rejected": t.rejected})))
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
    let mut s = format!("{}\n", summary(&r.counts, r.family));
    if let Some(f) = &r.filter {
        s += &format!("{}\n", filter_summary(f));
    }
    s += &format!("distinct persons (CPR): {}\n", r.persons);
    s += &format!("distinct SE-numbers (employers): {}\n", r.se_numbers);
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Every key keeps one sum, in its slot or (its slot taken) in the map:
    /// 3,000 keys in 256 slots, each added to three times.
    #[test]
    fn running_sums_keep_one_sum_per_key() {
        let mut sums = Running::default();
        // Distinct keys, some without a Feltnummer.
        let key = |i: u16| (6000 + i % 7, (i >= 7).then_some(i));
        for round in 1..=3i64 {
            for i in 0..3000u16 {
                let s = sums.entry(key(i), "x", 2);
                s.sum.units += i64::from(i) * round;
                s.records += 1;
            }
        }
        let mut seen: Vec<_> = sums.into_sums().map(|s| (s.key.unwrap(), s.sum.units, s.records)).collect();
        seen.sort_unstable();
        let mut want: Vec<_> = (0..3000u16).map(|i| (key(i), i64::from(i) * 6, 3)).collect();
        want.sort_unstable();
        assert_eq!(seen, want);
    }

    /// Every tally's maps hash alike (what makes a merge go through both
    /// maps in memory order), also on another thread.
    #[test]
    fn tallies_share_one_hash_function() {
        use std::hash::BuildHasher;
        let here = Hashing::default().hash_one(*b"6101901234\0\0\0\0\0\0");
        let there = std::thread::spawn(|| Hashing::default().hash_one(*b"6101901234\0\0\0\0\0\0")).join();
        assert_eq!(there.ok(), Some(here));
    }

    /// Person counts add up across batches, takings back and merges: 1,000
    /// persons (several batches), each counted in one of two tallies,
    /// some taken back in the other; only those counted more than taken
    /// back remain.
    #[test]
    fn persons_add_up_across_batches_and_merges() {
        let key = |i: u32| {
            let mut k = [0u8; PSEUDONYM_LEN];
            k[..4].copy_from_slice(&i.to_le_bytes());
            k
        };
        let (mut a, mut b) = (Persons::default(), Persons::default());
        for i in 0..1000 {
            a.bump(key(i), 1);
            if i % 2 == 0 {
                a.bump(key(i), 1); // twice
            }
            if i % 5 == 0 {
                b.bump(key(i), -1); // taken back in the other tally
            }
        }
        assert!(a.pending.len() < Persons::BATCH && a.counts.len() > 500, "flushed along the way");
        a.merge(b);
        let counts = a.counted();
        let left = (0..1000).filter(|i| i % 2 == 0 || i % 5 != 0).count();
        assert_eq!(counts.values().filter(|n| **n > 0).count(), left);
        assert_eq!(counts[&key(10)], 1);
        assert_eq!(counts[&key(5)], 0);
        assert_eq!(counts[&key(3)], 1);
    }
}
