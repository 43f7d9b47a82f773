//! The fast path: a clean line of a fixed-width family decoded without the
//! general machinery. The plan is found by the key's bytes as one word (or
//! is the line before's, for the same word: [`LastPlan`]; or one found
//! lately, a variant choice too: [`PlanCache`]), the
//! line framed by its record's known length (the terminator is checked
//! where the layout says it must be; no search), every byte checked in one
//! SSE2 pass against what a clean line holds there
//! ([`Plan::fits`](crate::plan::Plan::fits), then with ISO-8859-1 letters
//! in text; the class masks only for a line that fits neither); when some
//! numbers may be blank, one more pass marks blanks and value bytes so that
//! every number's wholeness and the identity rule are one test each for
//! the whole line ([`Marks`]), unless the line
//! is of a shape learned from an earlier line of its layout (which numbers
//! are blank: [`Shape`], one pass, no marks); then only the fields that
//! need more (codes, dates, mandatory text). Its line number is
//! compared as one ASCII word against a running counter, a leaf under
//! the open record on top costs the grammar one bit test, and a container
//! after one of its type replaces it on the stack in place. No error context,
//! no queue traffic, no copy.
//!
//! Anything unusual (a finding of any kind, a variant, the start or end
//! record, a rule that spans records) returns `None`, and the general path
//! (`line.rs`) reads the line from the start: the fast path never reports,
//! so both paths give the same events by construction, and the fuzz target
//! `decode_split` and every core test compare them.

use super::{Meta, Src, State};
use crate::field;
use crate::field::given;
use crate::plan::{Check, Fitted, Marks, OnBlank, Plan, Plans, Shape};

/// The running line number (Lb_nr) the next line must carry, as a number
/// and as the ASCII digits the fast path compares, with where the family's
/// lines carry it. The one place the decoder keeps it: every change goes
/// through [`LineNumber::set`] or [`LineNumber::step`], which keep the
/// digits in step.
#[derive(Clone, Copy, Debug)]
pub(super) struct LineNumber {
    /// The number.
    of: u32,
    /// Its digits, zero-filled, right-aligned in the field's width.
    digits: [u8; 10],
    /// The field's start and width (0: lines carry no number; over 10:
    /// never taken by the fast path).
    at: u16,
    width: u16,
    /// The first 8 bytes of `digits` as a little-endian word, under `mask`
    /// (the bytes of a width of 1 to 8; 0 for wider fields and while `of`
    /// does not fit: compared as bytes, where `fits` is asked). While
    /// `mask` is 0, `word` means nothing and is not compared.
    word: u64,
    mask: u64,
    /// Where `word` is compared: `at`, or past any line while `mask` is 0
    /// (then the bytes' compare decides), so that the per-line compare
    /// asks one bound only.
    word_at: u16,
    /// One in the last digit's byte of `word`.
    last: u64,
    /// The last digit's index in `digits` (`usize::MAX`: no digits).
    tail: usize,
    /// `of` has no more digits than the field: a number past the field's
    /// width is carried by no line (its cut-off digits are a repeat, which
    /// the general path reports).
    fits: bool,
}

impl LineNumber {
    /// Lines carrying their number in `field` (`None`: no number), the
    /// first one 1.
    pub fn new(field: Option<crate::layout::Span>) -> LineNumber {
        let (at, width) = match field {
            Some(f) => (f.start, f.len),
            None => (0, 0),
        };
        let last = if width == 0 || width > 8 { 0 } else { 1 << (8 * (width - 1)) };
        let tail = (width.min(10) as usize).wrapping_sub(1);
        let mut n = LineNumber {
            of: 0,
            digits: [b'0'; 10],
            at,
            width,
            word: 0,
            mask: 0,
            word_at: u16::MAX,
            last,
            tail,
            fits: false,
        };
        n.build(1);
        n
    }

    /// Lines carry a number.
    #[inline(always)]
    pub(super) fn present(&self) -> bool {
        self.width > 0
    }

    /// The number the next line must carry.
    #[inline(always)]
    pub(super) fn number(&self) -> u32 {
        self.of
    }

    /// The next line must carry `n`.
    pub(super) fn set(&mut self, n: u32) {
        if n == self.of.wrapping_add(1) {
            self.step();
        } else if n != self.of {
            self.build(n);
        }
    }

    /// The digits of `n`, and the word of them.
    fn build(&mut self, n: u32) {
        let width = (self.width as usize).min(10);
        crate::encode::write_digits(n as u64, &mut self.digits[..width]);
        self.of = n;
        self.fits = width >= 10 || u64::from(n) < 10u64.pow(width as u32);
        // The one-word compare only for a number that fits: the bytes'
        // compare asks `fits`, so the per-line word compare need not.
        let word_width = self.fits && (1..=8).contains(&width);
        self.mask = if word_width { u64::MAX >> (64 - 8 * width as u32) } else { 0 };
        self.word_at = if word_width { self.at } else { u16::MAX };
        let mut w = [0u8; 8];
        w.copy_from_slice(&self.digits[..8]);
        self.word = u64::from_le_bytes(w) & self.mask;
    }

    /// Whether `line` carries the number: as one word where the field is
    /// 8 bytes or less and 8 bytes from its start lie in the line.
    #[inline(always)]
    fn carries(&self, line: &[u8]) -> bool {
        let word_at = self.word_at as usize;
        match line.get(word_at..word_at + 8) {
            Some(w) => u64::from_le_bytes(w.try_into().unwrap_or_default()) & self.mask == self.word,
            _ => {
                let (at, width) = (self.at as usize, self.width as usize);
                self.fits && self.digits.get(..width).is_some_and(|d| line.get(at..at + width) == Some(d))
            }
        }
    }

    /// Counts on by one, in ASCII. The word follows by arithmetic: read
    /// back from `digits` right after a byte was written, it would wait for
    /// that store (a store-forwarding stall, a fifth of a clean line's time).
    #[inline(always)]
    pub(super) fn step(&mut self) {
        // Nine steps in ten change the last digit only (and no byte of
        // `word` past it: no mask; `word` counts only under one).
        if let Some(d) = self.digits.get_mut(self.tail).filter(|d| **d < b'9') {
            *d += 1;
            self.of = self.of.wrapping_add(1);
            self.word = self.word.wrapping_add(self.last);
            return;
        }
        let width = self.tail.wrapping_add(1);
        for (i, d) in self.digits.iter_mut().take(width).enumerate().rev() {
            let unit = if i < 8 { 1u64 << (8 * i) } else { 0 };
            if *d < b'9' {
                *d += 1;
                self.of = self.of.wrapping_add(1);
                self.word = self.word.wrapping_add(unit) & self.mask;
                return;
            }
            *d = b'0';
            self.word = self.word.wrapping_sub(9 * unit) & self.mask;
        }
        // Past the field's width (or no digits): built from the number.
        self.build(self.of.wrapping_add(1));
    }
}

/// A date of digits known to be digits: a real calendar date.
#[inline]
fn date_ok(v: &[u8]) -> bool {
    let d = |i: usize| (v[i] - b'0') as u32;
    if v.len() < 8 {
        return false;
    }
    let year = d(0) * 1000 + d(1) * 100 + d(2) * 10 + d(3);
    let (month, day) = (d(4) * 10 + d(5), d(6) * 10 + d(7));
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    const DAYS: [u32; 13] = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let max = if month == 2 && leap { 29 } else { DAYS.get(month as usize).copied().unwrap_or(0) };
    day >= 1 && day <= max
}

/// The plan the fast path last found by a 4-byte key alone (no variant
/// chosen, the fast path on): the same key word gives the same plan, with
/// one compare (lines of a type mostly come in runs).
#[derive(Clone, Copy, Debug)]
pub(super) struct LastPlan {
    key: u32,
    plan: u8,
}

impl LastPlan {
    /// None yet: a line whose key bytes are four NULs meets no plan
    /// ([`crate::plan::NONE`] is no index) and goes the general way.
    pub const NONE: LastPlan = LastPlan { key: 0, plan: crate::plan::NONE };
}

/// The plans the fast path found lately by a 4-byte key, one per slot
/// of the key's last byte (mod 8: the record types of a run, such as a
/// person's 6000 and its 6001s, mostly differ in their last digit): the
/// same key word gives the same plan, with no hash and no variant choice.
#[derive(Clone, Copy, Debug)]
pub(super) struct PlanCache {
    slots: [Cached; 8],
}

/// One slot of a [`PlanCache`].
#[derive(Clone, Copy, Debug)]
struct Cached {
    key: u32,
    plan: u8,
    /// 0: found by the key alone. Else a variant chosen without reading the
    /// line (as [`Choices`] keeps it): for lines of this length, ended here
    /// (a newline at `len`), of a file of `date`.
    len: u16,
    date: u32,
}

impl PlanCache {
    /// None yet: every slot holds key 0, which only a line whose key bytes
    /// are four NULs has; it meets no plan ([`crate::plan::NONE`] is no
    /// index) and goes the general way.
    pub const NONE: PlanCache = PlanCache { slots: [Cached { key: 0, plan: crate::plan::NONE, len: 0, date: 0 }; 8] };

    #[inline(always)]
    fn slot(key: u32) -> usize {
        (key >> 24) as usize & 7
    }

    /// The plan cached for `key` on the line at the start of `rest` (of a
    /// file of `date`), and whether it is a variant choice.
    #[inline(always)]
    fn of(&self, key: u32, rest: &[u8], date: u32) -> Option<(u8, bool)> {
        let c = &self.slots[Self::slot(key)];
        if c.key != key {
            return None;
        }
        if c.len == 0 {
            return Some((c.plan, false));
        }
        (c.date == date && ends_at(rest, c.len)).then_some((c.plan, true))
    }

    fn keep(&mut self, key: u32, plan: u8, len: u16, date: u32) {
        self.slots[Self::slot(key)] = Cached { key, plan, len, date };
    }
}

/// The bytes a line of `len` bytes at the start of `rest` uses with its
/// terminator (LF or CRLF) where its layout says it ends; `None`: not there.
#[inline(always)]
fn framed(rest: &[u8], len: usize) -> Option<usize> {
    match rest.get(len) {
        Some(b'\n') => Some(len + 1),
        Some(b'\r') if rest.get(len + 1) == Some(&b'\n') => Some(len + 2),
        _ => None,
    }
}

/// Whether the line at the start of `rest` ends after `len` bytes (LF or
/// CRLF): what a remembered variant choice, made for lines of that length,
/// asks of a line before it is reused.
#[inline(always)]
fn ends_at(rest: &[u8], len: u16) -> bool {
    matches!(rest.get(len as usize), Some(b'\n' | b'\r'))
}

/// Variant choices that did not read the line's content, for reuse.
#[derive(Clone, Copy, Debug)]
pub(super) struct Choices {
    /// (record type, line length, file date, plan index); record type 0 = empty.
    seen: [(u16, u16, u32, u8); 4],
    next: usize,
    /// The one used last, asked first.
    last: (u16, u16, u32, u8),
}

impl Choices {
    pub const fn new() -> Choices {
        Choices { seen: [(0, 0, 0, 0); 4], next: 0, last: (0, 0, 0, 0) }
    }
}

/// The shapes of lines the fast path learned, two at a time (for one
/// layout or two), and when it may learn the next.
#[derive(Clone, Copy, Debug)]
pub(super) struct Shapes {
    learned: [Shape; 2],
    /// A bit per plan index with a shape learned: one test for the others.
    plans: u64,
    /// The slot the next shape goes to.
    next: u8,
    /// Lines of no shape to pass before the next is learned: a file whose
    /// lines change shape all the time learns now and then, not per line.
    wait: u8,
}

impl Shapes {
    /// Lines of no shape between two learnings.
    const WAIT: u8 = 16;

    pub const fn new() -> Shapes {
        Shapes { learned: [Shape::NONE; 2], plans: 0, next: 0, wait: 0 }
    }

    /// The shape learned for `plan` that `line` is of: its checks are what the line still needs.
    #[inline(always)]
    fn of(&self, plan: &Plan, line: &[u8]) -> Option<&Shape> {
        if self.plans >> (plan.index & 63) & 1 == 0 {
            return None;
        }
        let [a, b] = &self.learned;
        if a.plan == plan.index && a.fits(line) {
            Some(a)
        } else if b.plan == plan.index && b.fits(line) {
            Some(b)
        } else {
            None
        }
    }

    /// A clean line of `plan` with `marks`, of no shape learned: learned
    /// (now and then).
    #[cold]
    fn learn(&mut self, plan: &Plan, marks: &Marks) {
        if self.wait > 0 {
            self.wait -= 1;
            return;
        }
        // Waits after a try that made no shape too: no shape built per line.
        self.wait = Shapes::WAIT;
        if let Some(shape) = Shape::of(plan, marks) {
            self.learned[self.next as usize & 1] = shape;
            self.next ^= 1;
            self.plans = self.learned.iter().filter(|s| s.plan < 64).fold(0, |m, s| m | 1 << s.plan);
        }
    }
}

impl State {
    /// The layout of a record type with variants (or a forced one) for the
    /// line at the start of `rest`: remembered when the choice did not
    /// depend on the line's content.
    fn variant<'p>(&mut self, plans: &'p Plans, rec: u16, rest: &[u8]) -> Option<&'p crate::plan::Plan> {
        // A remembered choice whose length ends the line here. (A line end
        // earlier than that is an unprintable byte inside the line: the
        // class check sends it to the general path.)
        let date = self.file_date;
        let remembered = self.choices.seen.iter().find(|&&(r, len, d, _)| r == rec && d == date && ends_at(rest, len));
        if let Some(&choice) = remembered {
            self.choices.last = choice;
            return plans.at(choice.3);
        }
        let end = memchr::memchr(b'\n', rest)?;
        let text = rest[..end].strip_suffix(b"\r").unwrap_or(&rest[..end]);
        let len = u16::try_from(text.len()).ok()?;
        let key = (rec, len, self.file_date);
        if let Some(&(_, _, _, i)) = self.choices.seen.iter().find(|c| (c.0, c.1, c.2) == key) {
            return plans.at(i);
        }
        let (plan, content) = self.choose_why(plans, rec, text)?;
        if !content {
            self.choices.seen[self.choices.next] = (rec, len, self.file_date, plan.index);
            self.choices.next = (self.choices.next + 1) % self.choices.seen.len();
        }
        Some(plan)
    }

    /// Whether the fast path may try the next line at all.
    #[inline]
    pub(super) fn fast_ready(&self) -> bool {
        // Not once a `wrong_family` finding waits for the stop: `stopped` is
        // only set by the next pop, and a batch must not read on before it.
        self.probation == 0
            && !self.stopped
            && !self.stop_when_drained
            && self.blank_pending.is_none()
            && self.opts.family.separator.is_none()
    }

    /// Decodes the line at the start of `rest` if it is clean: the record
    /// and the bytes used (terminator included), or `None`.
    #[inline(always)]
    pub(super) fn fast(&mut self, plans: &Plans, rest: &[u8], src: Src, at: usize) -> Option<(Meta, usize)> {
        let (plan, clean) = self.precheck_plan(plans, rest, self.opts.family.key.range())?;
        self.commit_plan(plan, &clean, rest, src, at)
    }

    /// [`State::fast`] for a line completed in the carry buffer, `line`
    /// with its line end (its end is consumed by the caller). The record,
    /// or `None` (then the general path reads it).
    #[inline(never)]
    pub(super) fn fast_carried(&mut self, plans: &Plans, line: &[u8]) -> Option<Meta> {
        if !self.fast_ready() {
            return None;
        }
        // Its start was consumed with an earlier chunk, at `line_start`: kept.
        let start = self.line_start;
        let (meta, _) = self.fast(plans, line, Src::Carry, 0)?;
        self.line_start = start;
        Some(Meta { offset: start, ..meta })
    }

    /// The context-free half of the fast path: the line at the start of
    /// `rest` is framed by its layout's length, its bytes are of their
    /// classes and its fields pass their checks. Depends only on the
    /// options, the plans and the file date (variant rules).
    #[inline(always)]
    pub(super) fn precheck(&mut self, plans: &Plans, rest: &[u8]) -> Option<Clean> {
        self.precheck_plan(plans, rest, self.opts.family.key.range()).map(|(_, clean)| clean)
    }

    /// The plan for a line with `key` at the start of `rest`, if the fast
    /// path takes its record type, and whether a variant was chosen.
    #[inline(always)]
    fn plan_by_key<'p>(&mut self, plans: &'p Plans, key: &[u8], rest: &[u8]) -> Option<(&'p Plan, bool)> {
        let mut plan = match *key {
            [a, b, c, d] => plans.by_raw_key(u32::from_le_bytes([a, b, c, d]))?,
            _ => plans.get(u16::try_from(field::parse_short_number(key)?).ok()?)?,
        };
        let rec = plan.layout.rec_nr;
        let chosen = plan.has_variants || self.opts.forced[0].is_some();
        if chosen {
            // The choice used last, when it fits this line (as in `variant`).
            let (r, len, d, i) = self.choices.last;
            plan = if r == rec && d == self.file_date && ends_at(rest, len) {
                plans.at(i)?
            } else {
                self.variant(plans, rec, rest)?
            };
        }
        if !plan.fast.ok {
            return None;
        }
        // Found by its key alone, or by a choice that did not read the line
        // (`choices.last` is now this line's, as the test above asks): the
        // next line of this key needs no lookup.
        if let &[a, b, c, d] = key {
            let word = u32::from_le_bytes([a, b, c, d]);
            let (r, len, date, i) = self.choices.last;
            if !chosen {
                self.plan_cache.keep(word, plan.index, 0, 0);
                self.last_plan = LastPlan { key: word, plan: plan.index };
            } else if (r, date, i) == (rec, self.file_date, plan.index) && len > 0 && ends_at(rest, len) {
                self.plan_cache.keep(word, plan.index, len, date);
            }
        }
        Some((plan, chosen))
    }

    /// [`State::precheck`] with the plan it found; `key` is where the
    /// family's lines hold the record key (a batch asks it once).
    #[inline(always)]
    pub(super) fn precheck_plan<'p>(
        &mut self,
        plans: &'p Plans,
        rest: &[u8],
        key: core::ops::Range<usize>,
    ) -> Option<(&'p crate::plan::Plan, Clean)> {
        let fam = self.opts.family;
        let key = rest.get(key)?;
        // The key as one word (one load, not four bytes).
        let word = <[u8; 4]>::try_from(key).ok().map(u32::from_le_bytes);
        let (plan, chosen) = match word {
            Some(w) if w == self.last_plan.key => (plans.at(self.last_plan.plan)?, false),
            // A key seen lately: no lookup.
            _ => match word.and_then(|w| self.plan_cache.of(w, rest, self.file_date).map(|c| (w, c))) {
                Some((w, (i, chosen))) => {
                    if !chosen {
                        self.last_plan = LastPlan { key: w, plan: i };
                    }
                    (plans.at(i)?, chosen)
                }
                None => self.plan_by_key(plans, key, rest)?,
            },
        };
        let fast = &plan.fast;
        let len = plan.layout.length as usize;
        let used = framed(rest, len)?;
        let line = &rest[..len];
        // A line of a learned shape: its bytes and identity in one pass, fewer checks.
        let (ops, high, learn) = match self.shapes.of(plan, line) {
            Some(shape) => {
                if !shape.fours().iter().all(|four| four.holds(line)) {
                    return None;
                }
                (shape.ops(), false, None)
            }
            None => {
                let (mut fitted, mut high) = (plan.fits(line), false);
                // Numbers given in full and nothing but codes of four digits
                // to look up: most clean lines, the shortest way.
                if fitted == Fitted::Full && fast.full_plain {
                    // Mostly one code (no loop for it).
                    let fours_hold = match fast.full_fours() {
                        [four] => four.holds(line),
                        fours => fours.iter().all(|four| four.holds(line)),
                    };
                    if !fours_hold {
                        return None;
                    }
                    // The next lines of its key may come in a run (`Taking::run`).
                    if let (Some(w), false, true) = (word, chosen, fast.runs) {
                        if self.run_keys[0].key != w {
                            self.run_keys = [LastPlan { key: w, plan: plan.index }, self.run_keys[0]];
                        }
                    }
                    (&[][..], false, None)
                } else {
                    if fitted == Fitted::No {
                        // ISO-8859-1 letters in text: then it fits with them (some byte is one).
                        (fitted, high) = (plan.fits_latin1(line), true);
                        if fitted == Fitted::No {
                            let scan = plan.pass(line);
                            if !(scan.printable && scan.digits_or_blanks && scan.signs) {
                                return None;
                            }
                            high = scan.high;
                        }
                    }
                    let mut learn = None;
                    if if fitted == Fitted::Full { fast.marks_full } else { fast.marks } {
                        let marks = Marks::of(line)?;
                        // Numbers in full (`Full`) are whole already.
                        if fitted != Fitted::Full && !marks.unmixed(&fast.whole) {
                            return None;
                        }
                        if fast.identity.is_some_and(|id| !marks.any_given(&id)) {
                            return None;
                        }
                        learn = (fitted == Fitted::Given).then_some(marks);
                    }
                    let fours = if fitted == Fitted::Full { fast.full_fours() } else { &[] };
                    if !fours.iter().all(|four| four.holds(line)) {
                        return None;
                    }
                    (fast.ops(fitted), high, learn)
                }
            }
        };
        for op in ops {
            let v = line.get(op.start as usize..op.start as usize + op.len as usize)?;
            if op.blank != OnBlank::Never && field::is_blank(v) {
                if op.blank == OnBlank::Slow {
                    return None;
                }
                continue;
            }
            let ok = match op.check {
                Check::Nothing => true,
                Check::Code(set) => set.contains(v),
                Check::Number(bits) => crate::layout::number_in(bits, v, op.zeros_pass),
                Check::Date => date_ok(v),
                Check::Time => field::parse_time(v).is_some(),
                Check::Zeros(n) => v[v.len() - n as usize..].iter().all(|&b| b == b'0'),
            };
            if !(ok || op.zeros_pass && v.iter().all(|&b| b == b'0')) {
                return None;
            }
        }
        if let Some(marks) = learn {
            self.shapes.learn(plan, &marks);
        }
        let clean = Clean {
            layout: plan.layout,
            plan: plan.index,
            lb_nr: fam.line_number.map(|n| (n.start, n.len)),
            len: len as u32,
            used: used as u32,
            high,
            file_date: if chosen { Some(self.file_date) } else { None },
        };
        Some((plan, clean))
    }

    /// The contextual half: the line number, the encoding, the file date the
    /// variant was chosen with, the grammar; then the record is committed
    /// as the general path would.
    #[inline(always)]
    pub(super) fn commit(
        &mut self,
        plans: &Plans,
        clean: &Clean,
        rest: &[u8],
        src: Src,
        at: usize,
    ) -> Option<(Meta, usize)> {
        self.commit_plan(plans.at(clean.plan)?, clean, rest, src, at)
    }

    /// [`State::commit`] with the line's plan at hand.
    #[inline(always)]
    fn commit_plan(
        &mut self,
        plan: &crate::plan::Plan,
        clean: &Clean,
        rest: &[u8],
        src: Src,
        at: usize,
    ) -> Option<(Meta, usize)> {
        let lb_nr = self.take(plan, clean, rest)?;
        let (len, used) = (clean.len as usize, clean.used as usize);
        self.count_taken(1, 0, 0);
        let meta = Meta { layout: plan.layout, src, start: at, len, line: self.line, lb_nr, offset: self.line_start };
        Some((meta, used))
    }

    /// The contextual checks of a clean line of `plan` at the start of
    /// `rest` (the line number, the encoding, the file date the variant
    /// was chosen with, the grammar): when it passes, the line is taken as
    /// the general path would take it (the grammar's step, the next line
    /// number, its record type's count) and its Lb_nr returned. The line
    /// itself is not counted: [`Taking`] counts a batch of lines at once.
    #[inline(always)]
    fn take(&mut self, plan: &crate::plan::Plan, clean: &Clean, rest: &[u8]) -> Option<u32> {
        let fast = &plan.fast;
        let line = rest.get(..clean.len as usize)?;
        if clean.file_date.is_some_and(|d| d != self.file_date) {
            return None;
        }
        // High bytes are ISO-8859-1 letters only once the file is known not to be UTF-8.
        if clean.high && self.utf8 != Some(false) {
            return None;
        }
        let numbered = self.lb.present();
        let lb_nr = if numbered {
            if !self.lb.carries(line) {
                return None;
            }
            self.lb.number()
        } else {
            0
        };
        if !self.grammar.fast_leaf(fast) {
            let value = fast.value.and_then(|(s, l)| line.get(s as usize..(s + l) as usize)).filter(|v| given(v));
            let value = value.unwrap_or(&[]);
            if !self.grammar.fast_sibling(fast, value) {
                let parent = self.grammar.fast_parent(fast)?;
                // A value that must match the parent's and does not is a warning.
                if let Some((s, l)) = fast.matches.filter(|_| parent != usize::MAX) {
                    let mine = line.get(s as usize..(s + l) as usize)?;
                    let at = self.grammar.checked_parent(fast, parent);
                    if self.grammar.assumed(at) {
                        return None; // the parent's value is not known here (speculation)
                    }
                    let theirs = self.grammar.value_at(at);
                    if given(mine) && !theirs.is_empty() && mine != theirs {
                        return None;
                    }
                }
                self.grammar.fast_update(parent, fast, value);
            }
        }

        // Clean: take it as the general path would.
        if numbered {
            self.lb.step();
        }
        if let Some(t) = self.counts.by_type.get_mut(plan.slot as usize) {
            t.decoded += 1;
        }
        Some(lb_nr)
    }

    /// Counts `lines` lines taken ([`State::take`]) in a row as decoded,
    /// the last of them `last` bytes long, and consumes `bytes` with
    /// them (0: the caller consumes).
    #[inline(always)]
    fn count_taken(&mut self, lines: u64, bytes: u64, last: u64) {
        if lines == 0 {
            return;
        }
        self.line += lines;
        self.line_start = self.offset + bytes - last;
        self.counts.lines += lines;
        self.counts.decoded += lines;
        self.consume(bytes as usize);
    }
}

/// Lines the fast path takes in a row from the start of one stretch of
/// input ([`State::take`]): each one's record, with its line number and
/// offset counted on from the first one's, and the lines counted into the
/// state once, at the end ([`Taking::end`]). The one way a batch takes
/// lines (the decoder's batches, a run of prechecked lines, a worker's
/// speculative run).
pub(super) struct Taking {
    /// The first line's physical line number and stream offset.
    line: u64,
    offset: u64,
    scale: u8,
    /// Lines taken, and the bytes they used.
    pub lines: usize,
    pub used: usize,
    /// The last line's bytes.
    last: usize,
}

impl Taking {
    /// A stretch whose first line is physical line `line` at stream offset `offset`.
    #[inline(always)]
    pub fn new(line: u64, offset: u64, amount_scale: u8) -> Taking {
        Taking { line, offset, scale: amount_scale, lines: 0, used: 0, last: 0 }
    }

    /// Where the next line starts in `input` (the stretch's bytes).
    #[inline(always)]
    pub fn rest<'a>(&self, input: &'a [u8]) -> &'a [u8] {
        input.get(self.used..).unwrap_or(&[])
    }

    /// Takes the runs of lines that start here, each a run of clean lines
    /// of the plan of one of `State::run_keys` (the last two plans with
    /// runs the fast path took its shortest way: a person's 6001s and its
    /// 6005, whose runs take turns) ([`Plan::run`]), handing each record
    /// to `on_record` while it returns true: in a loop of their own, with
    /// the plan, its blocks and its code set found once per run. The same
    /// lines, records and state as [`State::precheck_plan`] and
    /// [`Taking::take`] line by line (the way for every other line).
    /// Returns false when `on_record` did.
    #[inline(always)]
    pub fn run<'a>(
        &mut self,
        state: &mut State,
        plans: &Plans,
        input: &'a [u8],
        key_at: usize,
        mut on_record: impl FnMut(crate::Record<'a>) -> bool,
    ) -> bool {
        let key_of = |here: &[u8]| here.get(key_at..key_at + 4).and_then(|k| k.try_into().ok()).map(u32::from_le_bytes);
        loop {
            let Some(word) = key_of(self.rest(input)) else { return true };
            let [a, b] = state.run_keys;
            let run_key = if word == a.key {
                a
            } else if word == b.key {
                b
            } else {
                return true;
            };
            let Some(plan) = plans.at(run_key.plan) else { return true };
            let Some(run) = plan.run() else { return true };
            // Nothing opens or closes in a run: the grammar is asked once.
            if !state.grammar.leaf_fits(&plan.fast) {
                return true;
            }
            let lb = &mut state.lb;
            let (len, numbered) = (run.len, lb.present());
            let (mut taken, mut go_on) = (0, true);
            while go_on {
                let here = self.rest(input);
                let Some(used) = framed(here, len) else { break };
                let line = &here[..len];
                if key_of(here) != Some(run_key.key) || !run.clean(line) || numbered && !lb.carries(line) {
                    break;
                }
                let lb_nr = if numbered { lb.number() } else { 0 };
                if numbered {
                    lb.step();
                }
                taken += 1;
                go_on = on_record(self.taken(plan, here, len, used, lb_nr, run.known_plain));
            }
            if taken > 0 {
                state.grammar.leaf_taken(&plan.fast);
            }
            if let Some(t) = state.counts.by_type.get_mut(plan.slot as usize) {
                t.decoded += taken;
            }
            // A line of the run's key that is not clean goes the general way.
            if taken == 0 || !go_on {
                return go_on;
            }
        }
    }

    /// Takes the next line, which `clean` found clean with `plan`, when it
    /// is clean in `state`'s context: its record.
    #[inline(always)]
    pub fn take<'a>(
        &mut self,
        state: &mut State,
        plan: &Plan,
        clean: &Clean,
        input: &'a [u8],
    ) -> Option<crate::Record<'a>> {
        let here = self.rest(input);
        let lb_nr = state.take(plan, clean, here)?;
        Some(self.taken(plan, here, clean.len as usize, clean.used(), lb_nr, false))
    }

    /// Counts on past a line taken (`len` bytes at the start of `here`,
    /// `used` with its terminator): its record.
    #[inline(always)]
    fn taken<'a>(
        &mut self,
        plan: &Plan,
        here: &'a [u8],
        len: usize,
        used: usize,
        lb_nr: u32,
        known_plain: bool,
    ) -> crate::Record<'a> {
        let record = crate::Record {
            layout: plan.layout,
            bytes: here.get(..len).unwrap_or(&[]),
            line: self.line + self.lines as u64,
            lb_nr,
            offset: self.offset + self.used as u64,
            amount_scale: self.scale,
            known_plain,
        };
        self.lines += 1;
        self.last = used;
        self.used += used;
        record
    }

    /// Counts the lines taken into `state` (and consumes their bytes):
    /// the lines and the bytes.
    #[inline(always)]
    pub fn end(self, state: &mut State) -> (usize, usize) {
        state.count_taken(self.lines as u64, self.used as u64, self.last as u64);
        (self.lines, self.used)
    }
}

/// A line whose context-free checks passed: the first half of the fast
/// path, which [`Prechecker`](super::Prechecker) runs on other threads and
/// [`Decoder::accept`](super::Decoder::accept) completes in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Clean {
    layout: &'static crate::layout::RecordLayout,
    pub(super) plan: u8,
    /// Where the line number stands (read only when a record is made).
    lb_nr: Option<(u16, u16)>,
    pub(super) len: u32,
    used: u32,
    high: bool,
    /// The file date a variant rule chose with (`None`: no choice made).
    file_date: Option<u32>,
}

impl Clean {
    /// Bytes of the line, terminator included.
    pub fn used(&self) -> usize {
        self.used as usize
    }

    /// The layout the line is read with.
    pub fn layout(&self) -> &'static crate::layout::RecordLayout {
        self.layout
    }

    /// The record the line will be, if the decoder accepts it: its bytes
    /// are at the start of `rest`; `line` and `offset` are its physical line
    /// number and stream offset; `amount_scale` as in the options.
    pub fn record<'a>(&self, rest: &'a [u8], line: u64, offset: u64, amount_scale: u8) -> crate::Record<'a> {
        let bytes = rest.get(..self.len as usize).unwrap_or(&[]);
        let lb_nr = self
            .lb_nr
            .and_then(|(s, l)| bytes.get(s as usize..(s + l) as usize))
            .and_then(field::parse_short_number)
            .unwrap_or(0);
        crate::Record { layout: self.layout, bytes, line, lb_nr, offset, amount_scale, known_plain: false }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A learned shape gives every line the verdict it gets without one:
    /// the sample's three person records (CPR given, with a TIN, SE-nr
    /// given), each byte of each replaced by each probe.
    #[test]
    fn a_learned_shape_changes_no_verdict() {
        use super::super::Prechecker;
        let opts = crate::Options::default();
        let persons: std::vec::Vec<&[u8]> =
            crate::testing::SAMPLE.split_inclusive(|&b| b == b'\n').filter(|l| &l[7..11] == b"6000").collect();
        assert_eq!(persons.len(), 3);
        let probes: &[u8] = if cfg!(miri) { b" 7" } else { &[b' ', b'0', b'7', b'A', b'-', 0xE6, 0x1F] };
        for base in persons {
            let mut learned = Prechecker::new(opts, 20250203);
            assert!(learned.check(base).is_some());
            let shapes = learned.state.shapes;
            let plan = *learned.plans.at(shapes.learned[0].plan).unwrap();
            assert_eq!((shapes.learned[1].plan, plan.layout.rec_nr), (crate::plan::NONE, 6000));
            let len = plan.layout.length as usize;
            assert!(shapes.of(&plan, &base[..len]).is_some());
            // Each line checked with this shape learned, and with none.
            let mut plain = Prechecker::new(opts, 20250203);
            let mut both = |line: &[u8]| {
                (learned.state.shapes, plain.state.shapes) = (shapes, Shapes::new());
                let fresh = plain.check(line);
                (learned.check(line), fresh)
            };
            let (mut of_shape, mut clean) = (0, 0);
            let step = if cfg!(miri) { 17 } else { 1 };
            for i in (0..len).step_by(step) {
                for &probe in probes {
                    let mut line = base.to_vec();
                    line[i] = probe;
                    let (learned, fresh) = both(&line);
                    assert_eq!(learned, fresh, "byte {i} = {probe:#x} of {:?}", &base[..len]);
                    of_shape += shapes.of(&plan, &line[..len]).is_some() as u32;
                    clean += fresh.is_some() as u32;
                }
            }
            // The probes that keep the shape, and those that leave it clean but of another shape.
            assert!(of_shape > 0 && (clean > of_shape || cfg!(miri)), "{of_shape} {clean}");
            // A CPR of zeros is of the shape but gives no identity (unless the SE-nr does).
            let mut zeros = base.to_vec();
            zeros[19..29].fill(b'0');
            let (learned, fresh) = both(&zeros);
            assert_eq!((learned, fresh.is_some()), (fresh, base[29] != b' '));
        }
    }

    /// The plan reused for a key like the line before's is that key's: a
    /// run of one type, another type, back again; four NUL key bytes
    /// before any lookup (the initial key word) find no plan.
    #[test]
    fn the_last_plan_is_reused_for_its_key_only() {
        use super::super::Prechecker;
        let lines: std::vec::Vec<&[u8]> = crate::testing::SAMPLE.split_inclusive(|&b| b == b'\n').collect();
        let of_type = |rec: &[u8]| *lines.iter().find(|l| &l[7..11] == rec).expect("a line of the type");
        let mut pre = Prechecker::new(crate::Options::default(), 20250203);
        let mut nul = of_type(b"6001").to_vec();
        nul[7..11].fill(0);
        assert_eq!(pre.check(&nul), None);
        let order: [&[u8]; 6] = [b"6001", b"6001", b"6002", b"6001", b"6003", b"6003"];
        let got: std::vec::Vec<u16> =
            order.iter().map(|&rec| pre.check(of_type(rec)).map_or(0, |c| c.layout().rec_nr)).collect();
        assert_eq!(got, [6001, 6001, 6002, 6001, 6003, 6003]);
        assert_eq!(pre.check(&nul), None);
    }

    /// Every line gets from the cached plans what a fresh prechecker gives
    /// it: the sample's lines forth and back (types sharing a slot: 2001,
    /// 6001, 8001), a 6000 (a variant chosen by the file date) under two
    /// dates, one a byte short and one a byte long.
    #[test]
    #[cfg_attr(miri, ignore = "a fresh prechecker per line: minutes under Miri, and safe code")]
    fn the_plan_cache_gives_each_line_its_plan() {
        use super::super::Prechecker;
        let opts = crate::Options::default();
        let lines: std::vec::Vec<&[u8]> = crate::testing::SAMPLE.split_inclusive(|&b| b == b'\n').collect();
        let person = *lines.iter().find(|l| &l[7..11] == b"6000").expect("a person");
        let short = [&person[..90], &person[91..]].concat();
        let long = [&person[..90], b" ", &person[90..]].concat();
        let mut pre = Prechecker::new(opts, 20250203);
        let mut layouts = std::collections::BTreeSet::new();
        let (mut clean, mut checked) = (0, 0);
        for date in [20250203, 20100101, 20250203] {
            pre.state.file_date = date;
            // A person first: the slot of the last round's persons is still there.
            let order = lines.iter().chain(lines.iter().rev()).copied();
            for line in [person].into_iter().chain(order).chain([person, &short, &long, person, person]) {
                let got = pre.check(line);
                assert_eq!(got, Prechecker::new(opts, date).check(line), "{date} {:?}", &line[..11]);
                if let Some(c) = got.filter(|c| c.layout().rec_nr == 6000) {
                    layouts.insert((date, c.layout().fields.len()));
                }
                (clean, checked) = (clean + got.is_some() as u32, checked + 1);
            }
        }
        // The two dates chose two layouts; most lines were clean.
        assert_eq!(layouts.len(), 2, "{layouts:?}");
        assert!(clean > checked / 2, "{clean} of {checked}");
    }

    #[test]
    fn a_plan_cache_slot_holds_its_key_and_choice() {
        let mut cache = PlanCache::NONE;
        let key = u32::from_le_bytes(*b"6000");
        let mut line = [b'0'; 100];
        line[95] = b'\n';
        assert_eq!(cache.of(key, &line, 20250203), None);
        cache.keep(key, 7, 95, 20250203);
        assert_eq!(cache.of(key, &line, 20250203), Some((7, true)));
        line[95] = b'\r';
        assert_eq!(cache.of(key, &line, 20250203), Some((7, true)));
        assert_eq!(cache.of(key, &line, 20100101), None); // another file date
        assert_eq!(cache.of(key, &line[..95], 20250203), None); // no line end there
        line[95] = b'0';
        assert_eq!(cache.of(key, &line, 20250203), None);
        // A key of the same slot (last byte '8': slot 0 as '0') replaces it.
        let other = u32::from_le_bytes(*b"6008");
        cache.keep(other, 3, 0, 0);
        assert_eq!((cache.of(key, &line, 20250203), cache.of(other, &line, 1)), (None, Some((3, false))));
    }

    #[test]
    fn dates_and_line_numbers() {
        assert!(date_ok(b"20240229") && !date_ok(b"20230229") && !date_ok(b"20241301") && !date_ok(b"20240100"));
        assert!(date_ok(b"20000229") && !date_ok(b"19000229"));
        let span = |start, len| Some(crate::layout::Span { start, len });
        let mut n = LineNumber::new(span(2, 7));
        assert_eq!((n.number(), &n.digits[..7]), (1, &b"0000001"[..]));
        n.set(9);
        assert_eq!((n.number(), &n.digits[..7]), (9, &b"0000009"[..]));
        n.step();
        assert_eq!((n.number(), &n.digits[..7]), (10, &b"0000010"[..]));
        n.set(11); // one on: a step
        assert_eq!((n.number(), &n.digits[..7]), (11, &b"0000011"[..]));
        assert!(n.carries(b"AB0000011XY") && !n.carries(b"AB0000012XY") && !n.carries(b"AB0000010XY"));
        assert!(n.carries(b"AB0000011") && !n.carries(b"AB000001")); // no 8 bytes: compared as bytes
        n.step();
        assert!(n.carries(b"  0000012       "));
        n.set(5); // back: built anew
        assert!(n.carries(b"  0000005       ") && !n.carries(b"  0000013       "));
        let mut one = LineNumber::new(span(0, 1));
        one.step();
        assert!(one.carries(b"2       ") && !one.carries(b"3       "));
        // The word and the number follow the digits through every carry,
        // by steps and by `set` one on.
        let mut m = LineNumber::new(span(0, 7));
        for k in 1..if cfg!(miri) { 1_200 } else { 120_000 } {
            let mut line = [b' '; 9];
            crate::encode::write_digits(k as u64, &mut line[..7]);
            assert!(m.carries(&line) && m.number() == k, "{k}");
            line[6] ^= 1;
            assert!(!m.carries(&line), "{k}");
            if k % 2 == 0 {
                m.step()
            } else {
                m.set(k + 1)
            }
        }
        // Ten digits: compared as bytes.
        let mut wide = LineNumber::new(span(0, 10));
        wide.set(42);
        assert!(wide.carries(b"0000000042") && !wide.carries(b"0000000043"));
        wide.step();
        assert!(wide.carries(b"0000000043"));
        let mut full = LineNumber::new(span(0, 2));
        full.set(99);
        full.step();
        assert_eq!((full.number(), &full.digits[..2]), (100, &b"00"[..])); // past the width
                                                                           // Past the width: no line carries it, as a word or as bytes.
        assert!(!full.carries(b"00      ") && !full.carries(b"00"));
        full.set(0);
        assert!(full.carries(b"00      ") && full.carries(b"00"));
        // Past u32::MAX the number wraps to 0; the digits of a number past
        // the width are not rebuilt by a step, so the fast path leaves such
        // lines to the general path (which reads them against `number`).
        full.set(u32::MAX);
        full.step();
        assert_eq!(full.number(), 0);
        assert!(!full.carries(b"00      ") && !full.carries(b"96      "));
        let mut none = LineNumber::new(None);
        none.step();
        assert!(!none.present() && none.number() == 2);
        let mut long = LineNumber::new(span(0, 11));
        long.set(42);
        assert!(!long.carries(b"00000000042") && !long.carries(b"0000000042 "));
    }
}
