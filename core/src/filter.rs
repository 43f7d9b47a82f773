//! Dataafgrænsning: keep only the records and fields a recipient may see.
//!
//! A [`Filter`] is a layer over the [`Decoder`](crate::Decoder)'s events: the
//! caller hands it each decoded [`Record`] and gets back the records to pass
//! on ([`Kept`]): the record itself when it is kept, preceded by the headers
//! it needs (1000, 2001, 5000, 6000) that were held back until then. Like the
//! decoder it allocates nothing: every set is a sorted slice borrowed from the
//! caller (searched by binary search) and a held header is copied into one of
//! four fixed line buffers.
//!
//! The dimensions, tested in this order (the first that fails names the
//! reason a record is dropped):
//!
//! 1. **record type** ([`FilterOptions::record_types`] and the profile's
//!    table): a record of another type is dropped; a *container* of another
//!    type (1000, 2001, 5000, 2101, 6000) is only held as a header;
//! 2. **CPR** ([`FilterOptions::cprs`]): 2101 and 6000, and 4101 when its
//!    CPR is filled in, are kept when their CPR is in the set (a 6000 that
//!    names a company by SE-nr has no CPR and is dropped);
//! 3. **SE-nr** ([`FilterOptions::se_nrs`]): a 2001 whose Virksomhed_SE_nr is
//!    not in the set is dropped, with all it holds;
//! 4. **income period** ([`FilterOptions::period`]): a 5000 (Lønperiode) or
//!    3101 (Periode) whose period does not overlap it is dropped;
//! 5. **felt number** ([`FilterOptions::feltnumre`] and the profile's
//!    [`Profile::feltnumre`]): a 3101 or 6001–6005 whose Feltnummer is not in
//!    the set is dropped.
//!
//! Coherence: dropping a container drops everything under it (a person's
//! 6001–6005, 6102, 6202, 6111 and 8001; a 2101's 2111 and 8001), counted as
//! [`Reason::ParentDropped`]. Headers 1000, 2001, 5000 and (unless 6000 is
//! named in `record_types`) 6000 are passed only when a record under them is
//! kept; a header whose group ends with nothing kept is counted as
//! [`Reason::EmptyHeader`]. The 9999 passes (its control count is the
//! decoder's check on the unfiltered stream; the decoder reports a mismatch
//! as usual). Accounting: [`FilterCounts::balanced`].
//!
//! Projection ([`Projector::project`]) blanks, in a copy of the line in the
//! caller's buffer, every field the [`Profile`] does not permit; the record
//! keeps its fixed width. With a pseudonymisation key the CPR is blanked too
//! and a [`Pseudonym`] is returned to put in its place.
//!
//! ```
//! use eindkomst_core::filter::{Filter, FilterOptions, MINIMAL};
//! use eindkomst_core::{Decoder, Event};
//!
//! let cprs = [*b"6101901234"];
//! let opts = FilterOptions { cprs: Some(&cprs), profile: MINIMAL, ..FilterOptions::default() };
//! let mut filter = Filter::new(opts).unwrap();
//! let mut dec = Decoder::default();
//! let mut input = eindkomst_core::testing::SAMPLE;
//! let mut kept = Vec::new();
//! let mut buf = [0u8; eindkomst_core::decoder::MAX_LINE];
//! let projector = filter.projector();
//! loop {
//!     let (event, used) = dec.decode(input);
//!     input = &input[used..];
//!     match event {
//!         Event::Record(r) => {
//!             for rec in filter.record(&r) {
//!                 let p = projector.project(&rec, &mut buf).unwrap();
//!                 kept.push((p.record.record_type(), p.record.feltnummer()));
//!             }
//!         }
//!         Event::NeedInput => break,
//!         _ => {}
//!     }
//! }
//! filter.finish();
//! // The person's A-indkomst (felt 13, twice) and am-bidrag (16), under its headers.
//! assert_eq!(kept, [(1000, None), (2001, None), (5000, None), (6000, None),
//!                   (6001, Some(13)), (6001, Some(16)), (6001, Some(13)), (9999, None)]);
//! assert!(filter.counts().balanced());
//! ```

use crate::decoder::MAX_LINE;
use crate::field::{Date, Value};
use crate::layout::{Family, FieldDesc, RecordLayout, Role, EMPLOYER};
use crate::record::Record;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Hex characters of a [`Pseudonym`]: 64 bits of the HMAC. Enough that two
/// of Denmark's ~10 million CPR numbers collide with a chance of about 3 in a
/// million (birthday bound n²/2⁶⁵); more would only make outputs wider. The
/// truncation costs no secrecy: guessing CPRs needs the key, whatever the
/// length.
pub const PSEUDONYM_LEN: usize = 16;

/// A keyed pseudonym of a CPR number: the first 8 bytes of
/// HMAC-SHA-256(key, CPR) as 16 lowercase hex characters.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Pseudonym(pub [u8; PSEUDONYM_LEN]);

impl Pseudonym {
    /// The pseudonym as text.
    pub fn as_str(&self) -> &str {
        core::str::from_utf8(&self.0).unwrap_or("")
    }
}

impl core::fmt::Debug for Pseudonym {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl core::fmt::Display for Pseudonym {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// HMAC-SHA-256 of `cpr` (the 10 digits as they stand in the record) under
/// `key`, truncated to [`PSEUDONYM_LEN`] hex characters. The same key gives
/// the same pseudonym for the same CPR, so records of one person can be
/// joined without the CPR; without the key a pseudonym cannot be turned back
/// (a plain hash could: there are only about 10¹⁰ CPR numbers to try).
///
/// ```
/// use eindkomst_core::filter::pseudonymise;
/// let a = pseudonymise(b"key one", b"6101901234");
/// assert_eq!(a, pseudonymise(b"key one", b"6101901234"));
/// assert_ne!(a, pseudonymise(b"key two", b"6101901234"));
/// assert_eq!(a.as_str().len(), 16);
/// ```
pub fn pseudonymise(key: &[u8], cpr: &[u8]) -> Pseudonym {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = match <Hmac<Sha256> as Mac>::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => return Pseudonym([b'0'; PSEUDONYM_LEN]),
    };
    mac.update(cpr);
    let digest = mac.finalize().into_bytes();
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = [0u8; PSEUDONYM_LEN];
    for (pair, byte) in out.chunks_exact_mut(2).zip(digest.iter()) {
        pair[0] = HEX[(byte >> 4) as usize];
        pair[1] = HEX[(byte & 0xF) as usize];
    }
    Pseudonym(out)
}

/// An income period, both ends included, as `YYYYMMDD` numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Period {
    /// First day.
    pub from: u32,
    /// Last day.
    pub to: u32,
}

impl Period {
    /// From `from` to `to`, both included.
    pub fn new(from: Date, to: Date) -> Period {
        Period { from: from.yyyymmdd(), to: to.yyyymmdd() }
    }

    /// The month of `today` and the `months` months before it, whole months
    /// (as SF2860 TerminalAdgang: "current month plus three months back" is
    /// `months_back(today, 3)`).
    ///
    /// ```
    /// use eindkomst_core::{field::Date, filter::Period};
    /// let p = Period::months_back(Date::new(2025, 2, 14).unwrap(), 3);
    /// assert_eq!(p, Period { from: 20241101, to: 20250228 });
    /// ```
    pub fn months_back(today: Date, months: u16) -> Period {
        let index = today.year as u32 * 12 + (today.month as u32 - 1);
        let first = index.saturating_sub(months as u32);
        let from = (first / 12) * 10_000 + (first % 12 + 1) * 100 + 1;
        let last_day = (28..=31).rev().find(|&d| Date::new(today.year, today.month, d).is_some()).unwrap_or(28);
        let to = (today.yyyymmdd() / 100) * 100 + last_day as u32;
        Period { from, to }
    }

    /// Whether the period `start..=end` shares at least one day with this one.
    pub fn overlaps(&self, start: u32, end: u32) -> bool {
        start <= self.to && end >= self.from
    }
}

/// The fields a profile permits in one record type: bit `n` set permits
/// field number `n` (1–63). Lb_nr and Rec_nr are always kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProfileEntry {
    /// Record type.
    pub rec_nr: u16,
    /// Permitted field numbers as a bit set.
    pub fields: u64,
}

/// Which record types and fields a recipient may see: data, not code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Profile<'a> {
    /// A name for reports (`full`, `minimal`, or the user's).
    pub name: &'a str,
    /// Record type → permitted fields, sorted by record type. `None`: every
    /// type with every field. A type missing from the table is not passed
    /// (a container of that type may still be passed as a header, with only
    /// Lb_nr and Rec_nr).
    pub records: Option<&'a [ProfileEntry]>,
    /// Permitted felt numbers (Feltnummer of 3101 and 6001–6005), sorted;
    /// `None`: all.
    pub feltnumre: Option<&'a [u16]>,
}

impl Profile<'_> {
    /// The permitted fields of `rec_nr` as a bit set, `None` when the type is
    /// not in the profile.
    pub fn fields(&self, rec_nr: u16) -> Option<u64> {
        match self.records {
            None => Some(u64::MAX),
            Some(table) => {
                table.binary_search_by_key(&rec_nr, |e| e.rec_nr).ok().and_then(|i| table.get(i)).map(|e| e.fields)
            }
        }
    }

    /// Whether field `f` of `rec_nr` may be shown. The record key and line
    /// number are always kept (without them the line is no record).
    pub fn permits(&self, rec_nr: u16, f: &FieldDesc) -> bool {
        let mask = self.fields(rec_nr).unwrap_or(0);
        matches!(f.role, Role::RecordKey | Role::LineNumber) || (f.no < 64 && mask >> f.no & 1 == 1)
    }
}

/// A bit set of field numbers (for [`ProfileEntry::fields`]).
pub const fn fields(nos: &[u8]) -> u64 {
    let mut mask = 0u64;
    let mut i = 0;
    while i < nos.len() {
        if nos[i] < 64 {
            mask |= 1 << nos[i];
        }
        i += 1;
    }
    mask
}

/// Everything: every record type, every field, every felt number.
pub const FULL: Profile<'static> = Profile { name: "full", records: None, feltnumre: None };

const MINIMAL_RECORDS: [ProfileEntry; 6] = [
    // 1000: the sender's identity (SE-nr, CVR-nr).
    ProfileEntry { rec_nr: 1000, fields: fields(&[5, 6]) },
    // 2001: the employer's identity (Virksomhed_SE_nr).
    ProfileEntry { rec_nr: 2001, fields: fields(&[4]) },
    // 5000: the pay period (Loenperiode_start, Loenperiode_slut).
    ProfileEntry { rec_nr: 5000, fields: fields(&[6, 7]) },
    // 6000: the person's identity (Person_CPR_nr, or Person_CVR_SE_nr of a
    // company paid a fee). Not the employee number, TIN or production unit.
    ProfileEntry { rec_nr: 6000, fields: fields(&[4, 5]) },
    // 6001: Feltnummer, Beloeb, Fortegn (only the felt numbers below).
    ProfileEntry { rec_nr: 6001, fields: fields(&[3, 4, 5]) },
    // 3101 is company level, 8001 holds a name and an address: not minimal.
    // 9999: the control count (no personal data).
    ProfileEntry { rec_nr: 9999, fields: fields(&[3]) },
];

/// *Assumption* (spec §7, `feltnr_6001`): A-indkomst is felt 0013
/// (am-bidragspligtig) and 0014 (without am-bidrag); AM-bidrag is felt 0016
/// (indeholdt am-bidrag). A-skat (0015) and the am-bidrag of pension
/// contributions (0023, 0042) are left out: the minimal profile is strict.
pub const MINIMAL_FELTNUMRE: [u16; 3] = [13, 14, 16];

/// The strict minimum: the identity of employer and person, the pay period,
/// and the amounts of A-indkomst and AM-bidrag (6001 felt
/// [`MINIMAL_FELTNUMRE`]). See `docs/filtering.md` for the field list.
pub const MINIMAL: Profile<'static> =
    Profile { name: "minimal", records: Some(&MINIMAL_RECORDS), feltnumre: Some(&MINIMAL_FELTNUMRE) };

/// The built-in profile called `name` (`full` or `minimal`).
pub fn builtin_profile(name: &str) -> Option<Profile<'static>> {
    match name {
        "full" => Some(FULL),
        "minimal" => Some(MINIMAL),
        _ => None,
    }
}

/// What to keep. Every set is sorted ascending without repeats (checked by
/// [`Filter::new`]); `None` does not restrict.
#[derive(Clone, Copy, Debug)]
pub struct FilterOptions<'a> {
    /// The family of the records (its grammar says what holds what).
    pub family: &'static Family,
    /// Persons to keep, CPR as 10 digits.
    pub cprs: Option<&'a [[u8; 10]]>,
    /// Employers (2001 Virksomhed_SE_nr) to keep.
    pub se_nrs: Option<&'a [u32]>,
    /// Record types to keep.
    pub record_types: Option<&'a [u16]>,
    /// Felt numbers (Feltnummer of 3101, 6001–6005) to keep.
    pub feltnumre: Option<&'a [u16]>,
    /// Income period: reports (5000) and company-level amounts (3101) outside
    /// it are dropped.
    pub period: Option<Period>,
    /// Which record types and fields may be shown.
    pub profile: Profile<'a>,
    /// Replace the CPR by [`pseudonymise`] under this key in projections.
    pub pseudonym_key: Option<&'a [u8]>,
}

impl Default for FilterOptions<'_> {
    fn default() -> Self {
        FilterOptions {
            family: &EMPLOYER,
            cprs: None,
            se_nrs: None,
            record_types: None,
            feltnumre: None,
            period: None,
            profile: FULL,
            pseudonym_key: None,
        }
    }
}

/// Why [`Filter::new`] refused its options.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptionsError {
    /// A set is not sorted ascending without repeats (the name of the set).
    Unsorted(&'static str),
    /// The period ends before it starts.
    EmptyPeriod,
}

fn strictly_sorted<T: Ord>(set: Option<&[T]>) -> bool {
    set.map_or(true, |s| s.windows(2).all(|w| w[0] < w[1]))
}

/// Why a record was filtered out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Reason {
    /// Its CPR is not in the set (or it names no CPR).
    Cpr,
    /// Its employer's SE-nr is not in the set.
    Se,
    /// Its record type is not selected (by the options or the profile).
    RecordType,
    /// Its felt number is not selected (by the options or the profile).
    Felt,
    /// Its income period lies outside the period.
    Period,
    /// The record it belongs to was dropped.
    ParentDropped,
    /// A header none of whose records was kept.
    EmptyHeader,
}

impl Reason {
    /// Every reason, in the order of [`FilterCounts`].
    pub const ALL: [Reason; 7] = [
        Reason::Cpr,
        Reason::Se,
        Reason::RecordType,
        Reason::Felt,
        Reason::Period,
        Reason::ParentDropped,
        Reason::EmptyHeader,
    ];

    /// A stable snake_case name, the same in every binding.
    pub fn code(&self) -> &'static str {
        match self {
            Reason::Cpr => "cpr",
            Reason::Se => "se",
            Reason::RecordType => "record_type",
            Reason::Felt => "felt",
            Reason::Period => "period",
            Reason::ParentDropped => "parent_dropped",
            Reason::EmptyHeader => "empty_header",
        }
    }
}

/// What the filter did. After [`Filter::finish`]:
/// `seen == passed + filtered_out()` ([`FilterCounts::balanced`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FilterCounts {
    /// Records given to the filter (the decoder's `decoded`).
    pub seen: u64,
    /// Records passed on (headers included).
    pub passed: u64,
    /// Headers held right now, waiting for a record under them.
    pub held: u64,
    /// Filtered out: CPR not in the set.
    pub cpr: u64,
    /// Filtered out: employer's SE-nr not in the set.
    pub se: u64,
    /// Filtered out: record type not selected.
    pub record_type: u64,
    /// Filtered out: felt number not selected.
    pub felt: u64,
    /// Filtered out: income period outside the period.
    pub period: u64,
    /// Filtered out: the record it belongs to was dropped.
    pub parent_dropped: u64,
    /// Filtered out: a header with nothing kept under it.
    pub empty_header: u64,
}

impl FilterCounts {
    /// Records filtered out for `reason`.
    pub fn of(&self, reason: Reason) -> u64 {
        match reason {
            Reason::Cpr => self.cpr,
            Reason::Se => self.se,
            Reason::RecordType => self.record_type,
            Reason::Felt => self.felt,
            Reason::Period => self.period,
            Reason::ParentDropped => self.parent_dropped,
            Reason::EmptyHeader => self.empty_header,
        }
    }

    fn add(&mut self, reason: Reason) {
        let slot = match reason {
            Reason::Cpr => &mut self.cpr,
            Reason::Se => &mut self.se,
            Reason::RecordType => &mut self.record_type,
            Reason::Felt => &mut self.felt,
            Reason::Period => &mut self.period,
            Reason::ParentDropped => &mut self.parent_dropped,
            Reason::EmptyHeader => &mut self.empty_header,
        };
        *slot += 1;
    }

    /// Records filtered out, all reasons.
    pub fn filtered_out(&self) -> u64 {
        Reason::ALL.iter().map(|r| self.of(*r)).sum()
    }

    /// Whether every record is accounted for: passed, filtered out, or held.
    pub fn balanced(&self) -> bool {
        self.seen == self.passed + self.filtered_out() + self.held
    }
}

/// What became of one record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Passed on (after the headers it released).
    Pass,
    /// A header held until a record under it is kept.
    Hold,
    /// Filtered out.
    Drop(Reason),
}

/// Levels of open containers kept (employer: 1000, 2001, 5000/2101, 6000).
const DEPTHS: usize = 8;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Empty,
    Held,
    Passed,
    Dropped,
}

/// One open container, with a copy of its line while it is held.
#[derive(Clone, Copy)]
struct Slot {
    state: State,
    rec_nr: u16,
    layout: Option<&'static RecordLayout>,
    line: u64,
    lb_nr: u32,
    offset: u64,
    amount_scale: u8,
    len: usize,
    buf: [u8; MAX_LINE],
}

impl Slot {
    const EMPTY: Slot = Slot {
        state: State::Empty,
        rec_nr: 0,
        layout: None,
        line: 0,
        lb_nr: 0,
        offset: 0,
        amount_scale: 0,
        len: 0,
        buf: [0; MAX_LINE],
    };

    fn open(&mut self, state: State, r: &Record<'_>) {
        self.state = state;
        self.rec_nr = r.record_type();
        self.layout = None;
        if state == State::Held {
            let bytes = r.bytes();
            let len = bytes.len().min(MAX_LINE);
            if let (Some(dst), Some(src)) = (self.buf.get_mut(..len), bytes.get(..len)) {
                dst.copy_from_slice(src);
            }
            *self = Slot {
                layout: Some(r.layout),
                line: r.line,
                lb_nr: r.lb_nr,
                offset: r.offset,
                amount_scale: r.amount_scale,
                len,
                ..*self
            };
        }
    }

    fn record(&self) -> Option<Record<'_>> {
        Some(Record {
            layout: self.layout?,
            bytes: self.buf.get(..self.len)?,
            line: self.line,
            lb_nr: self.lb_nr,
            offset: self.offset,
            amount_scale: self.amount_scale,
            known_plain: false,
        })
    }
}

/// Where a record sits in the family's tree, from its grammar: its depth
/// under the open containers, and whether records hang under it. `None`: a
/// record type without a place in the grammar.
fn place(fam: &Family, slots: &[Slot; DEPTHS], rec_nr: u16) -> Option<(usize, bool)> {
    let top = usize::from(fam.first.is_some());
    if fam.first == Some(rec_nr) {
        return Some((0, true));
    }
    if fam.last == Some(rec_nr) {
        return Some((0, false));
    }
    let p = fam.placement(rec_nr)?;
    let depth = if p.parents.is_empty() {
        top
    } else {
        let open = |s: &Slot| s.state != State::Empty && p.parents.contains(&s.rec_nr);
        slots.iter().rposition(open)? + 1
    };
    (depth < DEPTHS).then(|| (depth, fam.is_container(rec_nr)))
}

/// The filter: see the [module documentation](self).
pub struct Filter<'a> {
    opts: FilterOptions<'a>,
    slots: [Slot; DEPTHS],
    counts: FilterCounts,
}

impl<'a> Filter<'a> {
    /// A filter with these options; refuses unsorted sets.
    pub fn new(opts: FilterOptions<'a>) -> Result<Filter<'a>, OptionsError> {
        let checks = [
            (strictly_sorted(opts.cprs), "cprs"),
            (strictly_sorted(opts.se_nrs), "se_nrs"),
            (strictly_sorted(opts.record_types), "record_types"),
            (strictly_sorted(opts.feltnumre), "feltnumre"),
            (strictly_sorted(opts.profile.feltnumre), "profile feltnumre"),
            (opts.profile.records.map_or(true, |t| t.windows(2).all(|w| w[0].rec_nr < w[1].rec_nr)), "profile records"),
        ];
        if let Some((_, name)) = checks.iter().find(|(ok, _)| !ok) {
            return Err(OptionsError::Unsorted(name));
        }
        if opts.period.is_some_and(|p| p.from > p.to) {
            return Err(OptionsError::EmptyPeriod);
        }
        Ok(Filter { opts, slots: [Slot::EMPTY; DEPTHS], counts: FilterCounts::default() })
    }

    /// The options.
    pub fn options(&self) -> &FilterOptions<'a> {
        &self.opts
    }

    /// The accounting so far.
    pub fn counts(&self) -> &FilterCounts {
        &self.counts
    }

    /// Decides on one decoded record; the returned [`Kept`] yields the
    /// records to pass on, in order: held headers first, then the record.
    pub fn record<'f>(&'f mut self, r: &Record<'f>) -> Kept<'f> {
        self.counts.seen += 1;
        let rec_nr = r.record_type();
        let (verdict, release) = match place(self.opts.family, &self.slots, rec_nr) {
            None => (self.leaf_verdict(r), 0),
            Some((depth, container)) => {
                self.close_from(depth);
                let verdict = self.judge(r, depth, container);
                let mut release = 0u8;
                if verdict == Verdict::Pass {
                    for (i, slot) in self.slots.iter_mut().enumerate().take(depth) {
                        if slot.state == State::Held {
                            slot.state = State::Passed;
                            release |= 1 << i;
                            self.counts.held -= 1;
                            self.counts.passed += 1;
                        }
                    }
                }
                if let (true, Some(slot)) = (container, self.slots.get_mut(depth)) {
                    let state = match verdict {
                        Verdict::Pass => State::Passed,
                        Verdict::Hold => State::Held,
                        Verdict::Drop(_) => State::Dropped,
                    };
                    slot.open(state, r);
                }
                (verdict, release)
            }
        };
        match verdict {
            Verdict::Pass => self.counts.passed += 1,
            Verdict::Hold => self.counts.held += 1,
            Verdict::Drop(reason) => self.counts.add(reason),
        }
        Kept { slots: &self.slots, release, record: (verdict == Verdict::Pass).then_some(*r), verdict }
    }

    /// Ends the stream: headers still held are counted as
    /// [`Reason::EmptyHeader`]. Call once after the decoder's last record.
    pub fn finish(&mut self) {
        self.close_from(0);
    }

    /// Closes the containers at `depth` and below.
    fn close_from(&mut self, depth: usize) {
        for slot in self.slots.iter_mut().skip(depth) {
            if slot.state == State::Held {
                self.counts.held -= 1;
                self.counts.add(Reason::EmptyHeader);
            }
            slot.state = State::Empty;
            slot.rec_nr = 0;
        }
    }

    /// Whether the options and the profile select `rec_nr` for its own sake.
    fn selected(&self, rec_nr: u16) -> bool {
        self.opts.record_types.map_or(true, |t| t.binary_search(&rec_nr).is_ok())
            && self.opts.profile.fields(rec_nr).is_some()
    }

    fn judge(&self, r: &Record<'_>, depth: usize, container: bool) -> Verdict {
        if self.slots.iter().take(depth).any(|s| s.state == State::Dropped) {
            return Verdict::Drop(Reason::ParentDropped);
        }
        let rec_nr = r.record_type();
        let selected = self.selected(rec_nr);
        if !container && !selected {
            return Verdict::Drop(Reason::RecordType);
        }
        if let Some(reason) = self.identity_reason(r) {
            return Verdict::Drop(reason);
        }
        if !container {
            return Verdict::Pass;
        }
        // Headers (the family's first record and records marked `header`)
        // pass only with a kept record under them, or when the caller names
        // their type explicitly.
        let fam = self.opts.family;
        let header = fam.first == Some(rec_nr) || fam.placement(rec_nr).is_some_and(|p| p.header);
        let own_merit = !header || self.opts.record_types.is_some();
        if own_merit && selected {
            Verdict::Pass
        } else {
            Verdict::Hold
        }
    }

    /// A record outside the record tree: only its type is tested.
    fn leaf_verdict(&self, r: &Record<'_>) -> Verdict {
        if self.selected(r.record_type()) {
            Verdict::Pass
        } else {
            Verdict::Drop(Reason::RecordType)
        }
    }

    /// The CPR, SE-nr, period and felt tests, on the fields' roles.
    fn identity_reason(&self, r: &Record<'_>) -> Option<Reason> {
        let layout = r.layout;
        if let (Some(set), Some(_)) = (self.opts.cprs, layout.field_with(Role::Cpr)) {
            // A container names its person (no CPR: not one of them); a leaf
            // only when it holds a CPR.
            let cpr = r.cpr();
            if cpr.is_some() || self.opts.family.is_container(r.record_type()) {
                let cpr: Option<[u8; 10]> = cpr.and_then(|c| c.try_into().ok());
                if !cpr.is_some_and(|c| set.binary_search(&c).is_ok()) {
                    return Some(Reason::Cpr);
                }
            }
        }
        if let (Some(set), Some(f)) = (self.opts.se_nrs, layout.field_with(Role::Se)) {
            let se = match r.value(f.no) {
                Some(Value::Number(n)) => u32::try_from(n).ok(),
                _ => None,
            };
            if !se.is_some_and(|se| set.binary_search(&se).is_ok()) {
                return Some(Reason::Se);
            }
        }
        if let Some(period) = self.opts.period {
            if layout.field_with(Role::PeriodStart).is_some() && layout.field_with(Role::PeriodEnd).is_some() {
                match r.period() {
                    Some((s, e)) if period.overlaps(s.yyyymmdd(), e.yyyymmdd()) => {}
                    _ => return Some(Reason::Period),
                }
            }
        }
        if layout.field_with(Role::Feltnummer).is_some() {
            let felt = r.feltnummer();
            let sets = [self.opts.feltnumre, self.opts.profile.feltnumre];
            let outside = |set: Option<&[u16]>| set.is_some_and(|s| !felt.is_some_and(|f| s.binary_search(&f).is_ok()));
            if sets.into_iter().any(outside) {
                return Some(Reason::Felt);
            }
        }
        None
    }

    /// The projection of this filter's profile and pseudonymisation key (a
    /// copy, so it can be used while records are passing).
    pub fn projector(&self) -> Projector<'a> {
        Projector { profile: self.opts.profile, pseudonym_key: self.opts.pseudonym_key }
    }
}

/// Blanks the fields a [`Profile`] does not permit (and the CPR, when
/// pseudonymising).
#[derive(Clone, Copy, Debug)]
pub struct Projector<'a> {
    /// Which fields may be shown.
    pub profile: Profile<'a>,
    /// Replace the CPR by [`pseudonymise`] under this key.
    pub pseudonym_key: Option<&'a [u8]>,
}

impl Projector<'_> {
    /// Copies `r` into `buf` with every field the profile does not permit
    /// blanked (and, with a pseudonymisation key, the CPR blanked and its
    /// pseudonym returned). `None` when `buf` is shorter than the line.
    ///
    /// ```
    /// use eindkomst_core::filter::{Filter, FilterOptions, MINIMAL};
    /// use eindkomst_core::{Decoder, Event};
    /// let mut dec = Decoder::default();
    /// let (Event::Record(start), _) = dec.decode(eindkomst_core::testing::SAMPLE) else { panic!() };
    /// let filter = Filter::new(FilterOptions { profile: MINIMAL, ..FilterOptions::default() }).unwrap();
    /// let mut buf = [0u8; 512];
    /// let p = filter.projector().project(&start, &mut buf).unwrap();
    /// assert_eq!(p.record.bytes().len(), 142); // still fixed width
    /// assert_eq!(p.record.text(10), Some(&b""[..])); // Edb_system blanked
    /// assert_eq!(p.record.se_nr(), Some(12345678)); // Indberetter_SE_nr kept
    /// ```
    pub fn project<'b>(&self, r: &Record<'_>, buf: &'b mut [u8]) -> Option<Projection<'b>> {
        let bytes = r.bytes();
        let out = buf.get_mut(..bytes.len())?;
        out.copy_from_slice(bytes);
        let rec_nr = r.record_type();
        let key = self.pseudonym_key;
        let pseudonym = key.and_then(|k| r.cpr().map(|cpr| pseudonymise(k, cpr)));
        for f in r.layout.fields {
            let forbidden = !self.profile.permits(rec_nr, f) || (f.personal && key.is_some());
            if forbidden {
                if let Some(field) = out.get_mut(f.range()) {
                    field.fill(b' ');
                }
            }
        }
        // Blanked fields: the bytes are not those the decoder saw.
        let record = Record { bytes: out, known_plain: false, ..*r };
        Some(Projection { record, pseudonym })
    }
}

/// A projected record: its line with forbidden fields blanked, and the
/// pseudonym to show instead of its CPR.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Projection<'b> {
    /// The record over the blanked copy of its line.
    pub record: Record<'b>,
    /// [`pseudonymise`] of the record's CPR, when a key is set and the
    /// record holds a CPR.
    pub pseudonym: Option<Pseudonym>,
}

/// The records to pass on after one [`Filter::record`] call: held headers
/// it releases, in file order, then the record itself if kept.
pub struct Kept<'f> {
    slots: &'f [Slot; DEPTHS],
    release: u8,
    record: Option<Record<'f>>,
    verdict: Verdict,
}

impl Kept<'_> {
    /// What became of the record given to [`Filter::record`].
    pub fn verdict(&self) -> Verdict {
        self.verdict
    }
}

impl<'f> Iterator for Kept<'f> {
    type Item = Record<'f>;

    fn next(&mut self) -> Option<Record<'f>> {
        while self.release != 0 {
            let i = self.release.trailing_zeros() as usize;
            self.release &= self.release - 1;
            if let Some(r) = self.slots.get(i).and_then(Slot::record) {
                return Some(r);
            }
        }
        self.record.take()
    }
}
