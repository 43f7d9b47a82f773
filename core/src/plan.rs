//! Validation plans: what the decoder precomputes per layout of a family so
//! a line is checked in bulk (16-byte SSE2 blocks, `simd.rs`: first against
//! the bytes a clean line holds at each position, [`Plan::fits`]; for a line
//! that does not fit, against the class masks that name what is wrong,
//! [`Plan::pass`]) and only the fields that need more than their bytes'
//! class are looked at one by one. [`Fast`] is the part the fast path
//! (`decoder/fast.rs`) runs for a clean line.

use crate::layout::{
    Chain, Family, FieldDesc, FieldType, Format, Mandatory, RecordLayout, Role, ValueSet, NUMBER_BITS,
};

/// Layouts up to this many bytes (the longest employer record is 146) get
/// the bulk check, in blocks of [`LANES`].
pub(crate) const BULK: usize = 160;
/// Plans kept: every record type plus its variants.
pub(crate) const MAX_PLANS: usize = 40;
/// Fields per layout that need a check beyond their class.
const MAX_CHECKS: usize = 24;
/// Fields per layout that need any check at all (numeric or `checks`).
const MAX_SLOW: usize = 40;
/// Checks the fast path runs per layout.
const MAX_OPS: usize = 12;
/// Fields of a layout's identity rule the fast path takes.
const MAX_IDENTITY: usize = 4;
/// "No such field" in the index slots below.
pub(crate) const NONE: u8 = u8::MAX;

use crate::simd::{self, DIGIT, DIGIT_OR_BLANK, LANES, SIGN};

/// What the blocks of one line turned up (the finding bits of [`simd::Acc`]).
struct Lanes(simd::Acc);

impl Default for Lanes {
    fn default() -> Lanes {
        Lanes(simd::Acc::new())
    }
}

impl Lanes {
    #[inline(always)]
    fn block(&mut self, b: &[u8; LANES], c: &[u8; LANES]) {
        self.0.add(b, c);
    }
}

/// What one pass over a line found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Scan {
    /// Every byte is ISO-8859-1 printable.
    pub printable: bool,
    /// Every byte under the digit mask is a digit (the layout's numbers are whole).
    pub digits: bool,
    /// Every byte of a mandatory number is a digit, every byte of an
    /// optional number a digit or a blank.
    pub digits_or_blanks: bool,
    /// Every byte under the sign mask is `+` or `-`.
    pub signs: bool,
    /// Some byte is 0x80 or above.
    pub high: bool,
}

/// Whether every byte is ISO-8859-1 printable (0x20-0x7E, 0xA0-0xFF).
#[cfg(test)]
pub(crate) fn printable_line(line: &[u8]) -> bool {
    let mut acc = Lanes::default();
    for chunk in line.chunks(LANES) {
        let mut b = [b'0'; LANES];
        b[..chunk.len()].copy_from_slice(chunk);
        acc.block(&b, &[0; LANES]);
    }
    acc.0.bits() & 1 == 0
}

/// One bit per byte of a line of up to [`BULK`] bytes, the first byte's lowest.
pub(crate) type Bits = [u64; 3];

/// The bits of the `len` bytes from `start` (those below [`BULK`]).
fn field_bits(start: u16, len: u16) -> Bits {
    let mut bits = [0; 3];
    for i in (start as usize..start as usize + len as usize).take_while(|&i| i < BULK) {
        bits[i / 64] |= 1 << (i % 64);
    }
    bits
}

/// Which bytes of a line are blanks and which give a value (neither blank
/// nor `0`), one bit per byte ([`simd::marks`] per block), so the fast path
/// asks about all of a layout's fields at once instead of byte by byte.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Marks {
    blank: Bits,
    given: Bits,
}

impl Marks {
    /// The marks of a line of 16 to [`BULK`] bytes (`None` for others).
    #[inline(always)]
    pub fn of(line: &[u8]) -> Option<Marks> {
        let len = line.len();
        if !(LANES..=BULK).contains(&len) {
            return None;
        }
        // 16 bits per block, in line order: whole blocks, then the rest of
        // the line from a last block that ends with it.
        let (mut blank, mut given) = ([0u8; 24], [0u8; 24]);
        let mut put = |k: usize, (b, g): (u16, u16)| {
            if let (Some(bd), Some(gd)) = (blank.get_mut(2 * k..2 * k + 2), given.get_mut(2 * k..2 * k + 2)) {
                bd.copy_from_slice(&b.to_le_bytes());
                gd.copy_from_slice(&g.to_le_bytes());
            }
        };
        let blocks = line.chunks_exact(LANES);
        let rest = blocks.remainder().len();
        let n = len / LANES;
        for (k, b) in blocks.enumerate() {
            if let Ok(b) = <&[u8; LANES]>::try_from(b) {
                put(k, simd::marks(b));
            }
        }
        if rest > 0 {
            if let Some(Ok(b)) = line.get(len - LANES..).map(<&[u8; LANES]>::try_from) {
                let (b, g) = simd::marks(b);
                let drop = (LANES - rest) as u32;
                put(n, (b >> drop, g >> drop));
            }
        }
        let words = |bytes: &[u8; 24]| {
            let w = |i: usize| {
                let mut x = [0; 8];
                x.copy_from_slice(&bytes[8 * i..8 * i + 8]);
                u64::from_le_bytes(x)
            };
            [w(0), w(1), w(2)]
        };
        Some(Marks { blank: words(&blank), given: words(&given) })
    }

    /// Whether no field mixes blanks and other bytes, for fields given as
    /// `inner`: the bits of each field but its last byte ([`Fast::whole`]).
    /// A byte whose blankness differs from the next byte's is a mix.
    #[inline(always)]
    pub fn unmixed(&self, inner: &Bits) -> bool {
        let b = &self.blank;
        let next = [b[0] >> 1 | b[1] << 63, b[1] >> 1 | b[2] << 63, b[2] >> 1];
        (0..3).all(|i| (b[i] ^ next[i]) & inner[i] == 0)
    }

    /// Whether some byte under `fields` gives a value.
    #[inline(always)]
    pub fn any_given(&self, fields: &Bits) -> bool {
        (0..3).any(|i| self.given[i] & fields[i] != 0)
    }

    /// Whether byte `i` is a blank.
    fn blank_at(&self, i: usize) -> bool {
        self.blank.get(i / 64).is_some_and(|w| w >> (i % 64) & 1 == 1)
    }
}

/// A shape of a layout's lines, learned by the fast path from a clean line:
/// which of its optional numbers are blank (the others are given in full).
/// A line of the shape is checked in one pass against what each byte may
/// hold in it, a blank number's bytes only blanks, a given one's only
/// digits: every number is then whole and which are given is known, so
/// the line needs no [`Marks`] and its checks no blank tests. Lines of a
/// layout mostly repeat one shape (an employer's person records give the
/// CPR and leave the SE-nr blank).
///
/// A line of the shape is a line that [`Plan::fits`] (each byte's allowed
/// set is a part of its `Given` set), and the fast path's verdict on it is
/// the same either way: the checks kept are those a blank number does not
/// skip, and a shape is not made when a blank number would need the
/// general path ([`OnBlank::Slow`]).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Shape {
    /// The plan it is for ([`NONE`]: none learned).
    pub plan: u8,
    allowed: Allowed,
    ops: [Op; MAX_OPS],
    n_ops: u8,
    /// Its numbers of four digits with a value set (digits, by the shape's
    /// bytes): looked up without the dispatch of [`Op`]s.
    fours: [FourDigits; MAX_OPS],
    n_fours: u8,
    /// The identity rule: one of these fields (those not blank) gives a
    /// value (`n_identity` 0: no rule).
    identity: [(u16, u16); MAX_IDENTITY],
    n_identity: u8,
}

impl Shape {
    pub const NONE: Shape = Shape {
        plan: NONE,
        allowed: Allowed::NONE,
        ops: [Op::NONE; MAX_OPS],
        n_ops: 0,
        fours: [FourDigits::NONE; MAX_OPS],
        n_fours: 0,
        identity: [(0, 0); MAX_IDENTITY],
        n_identity: 0,
    };

    /// The shape of a clean line of `plan` with `marks` (`None` when the
    /// plan has no optional numbers or a blank one needs the general path).
    pub fn of(plan: &Plan, marks: &Marks) -> Option<Shape> {
        let fast = &plan.fast;
        let numbers = &fast.numbers[..fast.n_numbers as usize];
        if numbers.is_empty() || plan.allowed.n == 0 {
            return None;
        }
        let blank = |start: u16, len: u16| numbers.contains(&(start, len)) && marks.blank_at(start as usize);
        let mut shape = Shape { plan: plan.index, allowed: plan.allowed, ..Shape::NONE };
        // Every byte as when all numbers are given in full; then the blank ones' bytes only blanks.
        for b in shape.allowed.blocks.iter_mut() {
            b.alt = b.full_alt;
        }
        for &(start, len) in numbers.iter().filter(|&&(s, l)| blank(s, l)) {
            for i in start as usize..(start + len) as usize {
                shape.allowed.set(i, (b' ', 0, b' '));
            }
        }
        for op in fast.ops(Fitted::Given) {
            let op = match (numbers.contains(&(op.start, op.len)), blank(op.start, op.len)) {
                (true, true) if op.blank == OnBlank::Pass => continue,
                (true, true) => return None,
                // Given in full: no blank test; the zeros below one øre are in the bytes.
                (true, false) if matches!(op.check, Check::Nothing | Check::Zeros(_)) => continue,
                (true, false) => Op { blank: OnBlank::Never, ..*op },
                (false, _) => *op,
            };
            match FourDigits::of(&op) {
                Some(four) => push(&mut shape.fours, &mut shape.n_fours, four),
                None => push(&mut shape.ops, &mut shape.n_ops, op),
            };
        }
        if fast.identity.is_some() {
            for &(start, len) in fast.identity_fields[..fast.n_identity_fields as usize].iter() {
                if !blank(start, len) {
                    push(&mut shape.identity, &mut shape.n_identity, (start, len));
                }
            }
            if shape.n_identity == 0 {
                return None; // no line of this shape passes the rule
            }
        }
        Some(shape)
    }

    /// Whether `line` (of the plan's length) is of this shape and passes
    /// the identity rule: then [`Shape::ops`] are all its checks left.
    #[inline(always)]
    pub fn fits(&self, line: &[u8]) -> bool {
        if self.allowed.fit::<false>(line) != Fitted::Full {
            return false;
        }
        let fields = &self.identity[..self.n_identity as usize];
        if fields.is_empty() {
            return true;
        }
        for &(s, l) in fields {
            if crate::field::given(line.get(s as usize..s as usize + l as usize).unwrap_or_default()) {
                return true;
            }
        }
        false
    }

    /// The checks a line of this shape still needs, in line order, but for [`Shape::fours`].
    #[inline(always)]
    pub fn ops(&self) -> &[Op] {
        &self.ops[..self.n_ops as usize]
    }

    /// The numbers of four digits a line of this shape still needs looked up.
    #[inline(always)]
    pub fn fours(&self) -> &[FourDigits] {
        &self.fours[..self.n_fours as usize]
    }
}

/// Result of the bulk check of a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Bulk {
    /// Every numeric byte is a digit: only the listed fields need a look.
    Digits,
    /// Something else (blanks, bad bytes): check every field.
    CheckAll,
}

/// What a field's own check is, on the fast path.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Check {
    /// Nothing beyond its class (and blank handling).
    Nothing,
    /// The bytes are one of the set's codes.
    Code(&'static ValueSet),
    /// The same, for a set of numbers the field's width
    /// ([`ValueSet::numbers_decide`]): their bits ([`ValueSet::numbers`]).
    Number(&'static [u64; NUMBER_BITS]),
    /// A real date (`YYYYMMDD`).
    Date,
    /// A real time (`HHMMSS`).
    Time,
    /// The last `n` digits must all be `0` (an amount's digits below one øre).
    Zeros(u16),
}

/// What a blank field means on the fast path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum OnBlank {
    /// The class masks already rule blanks out.
    Never,
    /// Blank is fine (an optional field): skip its check.
    Pass,
    /// Blank needs the general path (a rejection or a warning).
    Slow,
}

/// One field the fast path looks at after the class masks.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Op {
    pub start: u16,
    pub len: u16,
    pub blank: OnBlank,
    /// A number whose bytes may be digits or blanks, but not both.
    pub whole: bool,
    /// All zeros passes when the check fails (an optional date or open
    /// code written as zeros: "not given").
    pub zeros_pass: bool,
    pub check: Check,
}

impl Op {
    /// A number's check (its bytes are digits, or blanks where optional).
    fn numeric(&self) -> bool {
        self.whole || self.blank == OnBlank::Never
    }

    /// What is left of the check on a line whose numbers are all given in
    /// full ([`Fitted::Full`]): a number is then neither blank nor mixed,
    /// and its sub-øre digits are zeros.
    fn when_full(self) -> Option<Op> {
        if !self.numeric() {
            return Some(self);
        }
        match self.check {
            Check::Nothing | Check::Zeros(_) => None,
            _ => Some(Op { blank: OnBlank::Never, whole: false, ..self }),
        }
    }

    const NONE: Op =
        Op { start: 0, len: 0, blank: OnBlank::Never, whole: false, zeros_pass: false, check: Check::Nothing };
}

/// What the fast path needs of a layout.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Fast {
    /// Clean lines of this layout may take the fast path.
    pub ok: bool,
    /// Grammar: bit per record slot that may hold it; 0 with `top` = a top-level record.
    pub parents: u32,
    /// Its own slot's bit in such a mask (`slot_bit`).
    pub bit: u32,
    /// Its record type as the grammar keeps the line before, taken clean
    /// (one word to store per line).
    pub me: Prev,
    /// A top-level record (closes every open record).
    pub top: bool,
    /// No place in the grammar: no order check.
    pub free: bool,
    /// Records hang under it (it goes on the grammar's stack).
    pub container: bool,
    /// The identity rule: some byte of these fields must give a value.
    pub identity: Option<Bits>,
    /// The numbers that must be whole (all digits or all blank) and are
    /// not in the checks: each one's bytes but its last ([`Marks::unmixed`]).
    pub whole: Bits,
    /// Whether the checks need [`Marks`], for a line that [`Plan::fits`]
    /// as `Full` and for others.
    pub marks_full: bool,
    pub marks: bool,
    /// A [`Fitted::Full`] line needs nothing but its `full_fours`: no
    /// marks, no other check (most clean lines: the fast path's shortest way).
    pub full_plain: bool,
    /// Its clean lines may come in runs the fast path takes in a loop of
    /// their own ([`Plan::run`]).
    pub runs: bool,
    /// The range of the family's `matches_parent` role, kept on the stack
    /// for the children that compare it.
    pub value: Option<(u16, u16)>,
    /// It must come directly after one of its parents.
    pub directly_after: bool,
    /// A record under a parent that opens nothing and depends on nothing
    /// but its parent being open: no container, not top-level or free, not
    /// `directly_after`, no value to match ([`Grammar::fast_leaf`](crate::decoder)).
    pub leaf: bool,
    /// A container as free of rules as a leaf: one that follows another
    /// of its type under the same parent replaces it on the stack in place
    /// ([`Grammar::fast_sibling`](crate::decoder)).
    pub sibling: bool,
    /// The range of its own `matches_parent` field, which must match the
    /// parent's value when both are given.
    pub matches: Option<(u16, u16)>,
    /// The records an anchor of this type needs open ([`Family::anchor_chain`]).
    pub anchor: Option<Chain>,
    /// The optional numbers (start, length): digits or blanks, not both.
    numbers: [(u16, u16); MAX_OPS],
    n_numbers: u8,
    /// The fields of the identity rule (start, length).
    identity_fields: [(u16, u16); MAX_IDENTITY],
    n_identity_fields: u8,
    ops: [Op; MAX_OPS],
    n_ops: u8,
    /// The checks left when the line is [`Fitted::Full`], but for
    /// `full_fours`: its numbers of four digits with a value set.
    full_ops: [Op; MAX_OPS],
    n_full_ops: u8,
    full_fours: [FourDigits; MAX_OPS],
    n_full_fours: u8,
}

/// A number of four digits that must be in its value set, on a line whose
/// numbers are all given in full ([`Fitted::Full`]: they are digits): a
/// check of its own, without the dispatch of [`Op`]s (most records have one).
#[derive(Clone, Copy, Debug)]
pub(crate) struct FourDigits {
    start: u16,
    /// All zeros passes too (an open code written as zeros: "not given").
    zeros_pass: bool,
    bits: &'static [u64; NUMBER_BITS],
}

impl FourDigits {
    const NONE: FourDigits = FourDigits { start: 0, zeros_pass: false, bits: &[0; NUMBER_BITS] };

    /// The check of `op` as a lookup of four digits: a number (not text
    /// holding numeric codes) of width 4 with a value set, on a line whose
    /// bytes there are digits (a full line, or a shape that gives it).
    fn of(op: &Op) -> Option<FourDigits> {
        match op.check {
            Check::Number(bits) if op.len == 4 && op.numeric() => {
                Some(FourDigits { start: op.start, zeros_pass: op.zeros_pass, bits })
            }
            _ => None,
        }
    }

    /// Whether the four digits of `line` at `start` are in the set.
    #[inline(always)]
    pub fn holds(&self, line: &[u8]) -> bool {
        let at = self.start as usize;
        line.get(at..at + 4).is_some_and(|v| crate::layout::digits_in(self.bits, v, self.zeros_pass))
    }
}

impl Fast {
    /// The checks, in line order, for a line that [`Plan::fits`] as `fitted`.
    #[inline(always)]
    pub fn ops(&self, fitted: Fitted) -> &[Op] {
        match fitted {
            Fitted::Full => &self.full_ops[..self.n_full_ops as usize],
            Fitted::Given | Fitted::No => &self.ops[..self.n_ops as usize],
        }
    }

    /// The numbers of four digits a [`Fitted::Full`] line still needs looked up.
    #[inline(always)]
    pub fn full_fours(&self) -> &[FourDigits] {
        &self.full_fours[..self.n_full_fours as usize]
    }
}

/// What [`Plan::fits`] found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fitted {
    /// Every byte is what a clean line holds there, and every number
    /// (optional ones too) is given in full.
    Full,
    /// Every byte is what a clean line holds there (optional numbers may be blank).
    Given,
    /// Look closer ([`Plan::pass`]).
    No,
}

/// A record type's slot as a bit of a plan's parent mask (0 for slots
/// from 32 on, which the fast path leaves alone).
pub(crate) const fn slot_bit(slot: u8) -> u32 {
    if slot < 32 {
        1 << slot
    } else {
        0
    }
}

/// The line before, as the grammar keeps it: its record type (0: none or
/// unread), the type's slot in the family (`u8::MAX`: none), whether it
/// was rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Prev {
    pub rec: u16,
    pub slot: u8,
    pub rejected: bool,
}

/// What is checked in bulk for one layout.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Plan {
    pub layout: &'static RecordLayout,
    /// Its index among the family's plans ([`Plans::at`]).
    pub index: u8,
    /// Index of the record type in `Counts::by_type` (its slot).
    pub slot: u8,
    /// The masks cover the layout (not longer than [`BULK`]).
    bulk: bool,
    /// Per byte of the line, its class: [`DIGIT`], [`DIGIT_OR_BLANK`] (an
    /// optional number on the fast path; a digit for the strict check),
    /// [`SIGN`], or 0 (any printable byte).
    class: [u8; BULK],
    /// Per byte of the line, what a clean line holds there, for [`Plan::fits`].
    allowed: Allowed,
    /// Field indices that need a check of their own (codes, dates, signs, ...).
    checks: [u8; MAX_CHECKS],
    n_checks: u8,
    /// After [`Bulk::CheckAll`]: `checks` plus every numeric field, in order.
    /// The other fields (plain, optional text) cannot fail. `n_slow` 0 = all.
    slow: [u8; MAX_SLOW],
    n_slow: u8,
    /// Index of the first field with each role ([`Role::index`]), or [`NONE`].
    roles: [u8; Role::ALL.len()],
    /// The fast path's view.
    pub fast: Fast,
    /// The record type has variants (the family's rules choose among them).
    pub has_variants: bool,
    /// A line that fits in full ([`Fitted::Full`]) is plain, unpadded JSON
    /// text ([`Allowed::full_json_text`]).
    full_json_text: bool,
    /// Current plan: the plans of its record type (itself first), by index.
    cands: [u8; 4],
    n_cands: u8,
    /// Current plan: the family's variant rules for its record type, by index.
    rules: [u8; 8],
    n_rules: u8,
}

/// What a line of a [`Plan::run`] must be, its context aside: one pass of
/// its first and its last 16 bytes against the plan's allowed bytes, every
/// number given in full ([`Fitted::Full`]), and its one code of four digits
/// in its set.
#[derive(Clone, Copy)]
pub(crate) struct Run<'p> {
    /// The line length (16 to 32 bytes).
    pub len: usize,
    first: &'p simd::Range,
    last: &'p simd::Range,
    four: &'p FourDigits,
    /// Its clean lines are plain, unpadded JSON text ([`crate::Record::known_plain`]).
    pub known_plain: bool,
}

impl Run<'_> {
    /// Whether `line` (of [`Run::len`] bytes) is clean, its context aside:
    /// what [`Plan::fits`] and the plan's `full_fours` decide for it.
    #[inline(always)]
    pub fn clean(&self, line: &[u8]) -> bool {
        let (Some(a), Some(b)) = (line.first_chunk::<LANES>(), line.last_chunk::<LANES>()) else {
            return false;
        };
        let mut fit = simd::Fit::new();
        fit.add::<false>(a, self.first);
        fit.add::<false>(b, self.last);
        fit.full() && self.four.holds(line)
    }
}

impl Plan {
    /// For a leaf whose clean lines need nothing but a full fit and one
    /// code of four digits looked up ([`Fast::full_plain`]), 16 to 32
    /// bytes long (a 6001; [`Fast::runs`]): what its lines must be, for the
    /// fast path's loop over runs of them. (The blocks of [`Allowed`] for
    /// such a length are its first and its last 16 bytes.) A view, not a
    /// copy: a plan's size is what the decoder's stack holds 40 times.
    #[inline(always)]
    pub fn run(&self) -> Option<Run<'_>> {
        if !self.fast.runs {
            return None;
        }
        let (blocks, last) = (&self.allowed.blocks, self.allowed.n as usize - 1);
        let [four] = self.fast.full_fours() else { return None };
        let known_plain = self.full_json_text;
        Some(Run { len: self.layout.length as usize, first: &blocks[0], last: blocks.get(last)?, four, known_plain })
    }

    /// Whether the plan takes runs ([`Plan::run`]).
    fn runs(&self) -> bool {
        let (fast, len) = (&self.fast, self.layout.length as usize);
        let covered = self.allowed.n > 0 && self.allowed.len as usize == len;
        fast.ok
            && fast.full_plain
            && fast.leaf
            && fast.n_full_fours == 1
            && covered
            && (LANES..=2 * LANES).contains(&len)
    }

    fn new(family: &Family, layout: &'static RecordLayout, slot: u8, amount_scale: u8) -> Plan {
        let mut plan = Plan {
            layout,
            index: 0,
            slot,
            bulk: false,
            class: [0; BULK],
            allowed: Allowed::NONE,
            checks: [NONE; MAX_CHECKS],
            n_checks: 0,
            slow: [NONE; MAX_SLOW],
            n_slow: 0,
            roles: [NONE; Role::ALL.len()],
            has_variants: false,
            full_json_text: false,
            cands: [NONE; 4],
            n_cands: 0,
            rules: [NONE; 8],
            n_rules: 0,
            fast: Fast {
                ok: false,
                parents: 0,
                bit: slot_bit(slot),
                me: Prev { rec: layout.rec_nr, slot, rejected: false },
                top: false,
                free: false,
                container: false,
                identity: None,
                whole: [0; 3],
                marks_full: false,
                marks: false,
                full_plain: false,
                runs: false,
                value: None,
                directly_after: false,
                leaf: false,
                sibling: false,
                matches: None,
                anchor: None,
                numbers: [(0, 0); MAX_OPS],
                n_numbers: 0,
                identity_fields: [(0, 0); MAX_IDENTITY],
                n_identity_fields: 0,
                ops: [Op::NONE; MAX_OPS],
                n_ops: 0,
                full_ops: [Op::NONE; MAX_OPS],
                n_full_ops: 0,
                full_fours: [FourDigits::NONE; MAX_OPS],
                n_full_fours: 0,
            },
        };
        let fits = layout.length as usize <= BULK && layout.fields.len() < NONE as usize;
        let (mut checks_fit, mut slow_fits, mut ops_fit) = (true, true, true);
        let mark = |class: &mut [u8; BULK], f: &FieldDesc, c: u8| {
            if let Some(bytes) = class.get_mut(f.range()) {
                bytes.fill(c);
            }
        };
        for (i, f) in layout.fields.iter().enumerate() {
            let idx = i as u8;
            if let Some(slot) = plan.roles.get_mut(f.role.index()).filter(|s| **s == NONE) {
                *slot = idx;
            }
            if f.format == Format::Filler {
                continue;
            }
            if fits && f.ty == FieldType::Numeric {
                mark(&mut plan.class, f, if f.mandatory == Mandatory::Yes { DIGIT } else { DIGIT_OR_BLANK });
            }
            if fits && f.format == Format::Sign {
                mark(&mut plan.class, f, SIGN);
            }
            let structural = matches!(f.role, Role::RecordKey | Role::LineNumber);
            let own_check = !structural
                && (f.values.is_some()
                    || !matches!(f.format, Format::Plain | Format::Quantity(_))
                    || (f.ty == FieldType::Alpha && matches!(f.mandatory, Mandatory::Yes | Mandatory::ThirdParty)));
            if own_check {
                checks_fit &= push(&mut plan.checks, &mut plan.n_checks, idx);
            }
            if !structural && (own_check || f.ty == FieldType::Numeric) {
                slow_fits &= push(&mut plan.slow, &mut plan.n_slow, idx);
            }
            if let Some(op) = fast_op(f, amount_scale).filter(|_| !structural) {
                ops_fit &= push(&mut plan.fast.ops, &mut plan.fast.n_ops, op);
            }
        }
        plan.bulk = fits && checks_fit;
        let ops = plan.fast.ops;
        let ops = &ops[..plan.fast.n_ops as usize];
        if plan.bulk {
            plan.allowed = Allowed::of(&plan.class, ops, layout.length as usize);
        }
        for op in ops.iter().filter_map(|op| op.when_full()) {
            match FourDigits::of(&op) {
                Some(four) => push(&mut plan.fast.full_fours, &mut plan.fast.n_full_fours, four),
                None => push(&mut plan.fast.full_ops, &mut plan.fast.n_full_ops, op),
            };
        }
        // A whole number is checked for all of them at once ([`Marks::unmixed`]);
        // one with no check of its own (and blank allowed) needs nothing more.
        plan.fast.n_ops = 0;
        for op in ops {
            if op.whole {
                // As many as the checks at most: always room.
                push(&mut plan.fast.numbers, &mut plan.fast.n_numbers, (op.start, op.len));
                let inner = field_bits(op.start, op.len.saturating_sub(1));
                plan.fast.whole.iter_mut().zip(inner).for_each(|(w, i)| *w |= i);
                if matches!(op.check, Check::Nothing) && op.blank == OnBlank::Pass {
                    continue;
                }
            }
            push(&mut plan.fast.ops, &mut plan.fast.n_ops, Op { whole: false, ..*op });
        }
        if !slow_fits {
            plan.n_slow = 0;
        }
        plan.fast.ok = plan.bulk && ops_fit && fast_eligible(family, layout);
        let range = |f: &FieldDesc| (f.start, f.len);
        if let Some(p) = family.placement(layout.rec_nr).filter(|p| !p.identity.is_empty()) {
            let mut bits = [0; 3];
            for f in p.identity.iter().filter_map(|r| layout.field_with(*r)) {
                bits.iter_mut().zip(field_bits(f.start, f.len)).for_each(|(b, f)| *b |= f);
                let fast = &mut plan.fast;
                if !push(&mut fast.identity_fields, &mut fast.n_identity_fields, (f.start, f.len)) {
                    fast.n_numbers = 0; // more identity fields than a shape holds: no shapes
                }
            }
            plan.fast.identity = Some(bits);
        }
        let whole = plan.fast.whole != [0; 3];
        plan.fast.marks = whole || plan.fast.identity.is_some();
        plan.fast.marks_full = plan.fast.identity.is_some();
        plan.fast.full_plain = !plan.fast.marks_full && plan.fast.n_full_ops == 0;
        // Marks need 16 bytes or more.
        plan.fast.ok &= !plan.fast.marks || layout.length as usize >= LANES;
        let match_role = family.grammar.iter().map(|p| p.matches_parent).find(|r| *r != Role::None);
        plan.fast.value = match_role.and_then(|r| layout.field_with(r)).map(range);
        if let Some(p) = family.placement(layout.rec_nr) {
            plan.fast.directly_after = p.directly_after;
            if p.matches_parent != Role::None {
                plan.fast.matches = plan.role(p.matches_parent).map(range);
            }
        }
        plan
    }

    /// The first field with `role`.
    pub fn role(&self, role: Role) -> Option<&'static FieldDesc> {
        let i = *self.roles.get(role.index())?;
        if i == NONE {
            return None;
        }
        self.layout.fields.get(i as usize)
    }

    /// The fields to check one by one after [`Bulk::Digits`].
    pub fn checks(&self) -> &[u8] {
        &self.checks[..self.n_checks as usize]
    }

    /// The fields to check one by one after [`Bulk::CheckAll`], or `None`
    /// when every field must be.
    pub fn slow(&self) -> Option<&[u8]> {
        (self.n_slow > 0).then(|| &self.slow[..self.n_slow as usize])
    }

    /// One pass over a line of the layout's length: bytes printable, numeric
    /// bytes digits (optional numbers' bytes digits or blanks for the fast
    /// path), sign bytes signs, any byte high. Blocks of 16 bytes with no
    /// branch per byte, so the compiler keeps them in vector registers.
    #[inline]
    pub fn pass(&self, line: &[u8]) -> Scan {
        let mut acc = Lanes::default();
        let covered = self.bulk && line.len() <= BULK;
        let class: &[u8] = if covered { &self.class[..line.len()] } else { &[] };
        let len = line.len();
        if len >= LANES {
            // Whole blocks, then the last 16 bytes (overlapping is harmless:
            // findings only accumulate). No copy.
            let blocks =
                line.chunks_exact(LANES).zip(class.chunks_exact(LANES).chain(core::iter::repeat(&[0; LANES][..])));
            for (b, c) in blocks {
                if let (Ok(b), Ok(c)) = (<&[u8; LANES]>::try_from(b), <&[u8; LANES]>::try_from(c)) {
                    acc.block(b, c);
                }
            }
            if len % LANES != 0 {
                let b = <&[u8; LANES]>::try_from(&line[len - LANES..]);
                let c = class.get(len - LANES..).and_then(|c| <&[u8; LANES]>::try_from(c).ok()).unwrap_or(&[0; LANES]);
                if let Ok(b) = b {
                    acc.block(b, c);
                }
            }
        } else {
            let (mut b, mut c) = ([b'0'; LANES], [0u8; LANES]);
            for (i, (&x, &k)) in line.iter().zip(class.iter().chain(core::iter::repeat(&0))).enumerate() {
                b[i] = x;
                c[i] = k;
            }
            acc.block(&b, &c);
        }
        let bits = acc.0.bits();
        Scan {
            printable: bits & 1 == 0,
            digits: covered && bits & 2 == 0,
            digits_or_blanks: covered && bits & 4 == 0,
            signs: bits & 8 == 0,
            high: bits & 0x80 != 0,
        }
    }

    /// Whether every byte of `line` (a line of the layout's length) is what
    /// a clean line holds there: ASCII printable, a digit, a digit or blank,
    /// a sign, by its class. [`Fitted::No`] says only "look closer"
    /// ([`Plan::pass`]): ISO-8859-1 letters, lines under 16 bytes and
    /// uncovered layouts land there too.
    #[inline(always)]
    pub fn fits(&self, line: &[u8]) -> Fitted {
        self.allowed.fit::<false>(line)
    }

    /// [`Plan::fits`] with ISO-8859-1 letters (0xA0 and up) taken where
    /// text is: for a line that does not fit as ASCII, before the class
    /// masks ([`Plan::pass`]).
    #[inline]
    pub fn fits_latin1(&self, line: &[u8]) -> Fitted {
        self.allowed.fit::<true>(line)
    }

    /// Checks `line` in one pass: whether every byte is printable, and
    /// whether every numeric byte (for the layout's length) is a digit.
    pub fn scan(&self, line: &[u8]) -> (bool, Bulk) {
        let s = self.pass(line);
        (s.printable, if s.digits && line.len() == self.layout.length as usize { Bulk::Digits } else { Bulk::CheckAll })
    }
}

/// Per position, the bytes a clean line holds: `lo..=lo + span`, or `alt`
/// (or `full_alt` when every optional number is given in full); one block
/// per whole 16 bytes of the layout's length, in line order, and one for
/// its last 16 bytes when the length is not a multiple of 16.
#[derive(Clone, Copy, Debug)]
struct Allowed {
    blocks: [simd::Range; BULK / LANES + 1],
    n: u8,
    /// The line length the blocks are for.
    len: u8,
}

impl Allowed {
    const NONE: Allowed = Allowed { blocks: [simd::Range::NONE; BULK / LANES + 1], n: 0, len: 0 };

    /// [`Plan::fits`] for these blocks (`LATIN1`: [`Plan::fits_latin1`]).
    #[inline(always)]
    fn fit<const LATIN1: bool>(&self, line: &[u8]) -> Fitted {
        // No blocks: not covered (`Allowed::of`, `Plan::new`).
        if self.n == 0 || line.len() != self.len as usize {
            return Fitted::No;
        }
        let mut fit = simd::Fit::new();
        // The whole blocks in line order, then the last 16 bytes (the blocks
        // are laid out so by `Allowed::of`): no offsets, no bounds to check.
        let whole = line.chunks_exact(LANES);
        let tail = !whole.remainder().is_empty();
        let mut blocks = self.blocks.iter();
        for (b, k) in whole.zip(blocks.by_ref()) {
            if let Ok(b) = <&[u8; LANES]>::try_from(b) {
                fit.add::<LATIN1>(b, k);
            }
        }
        if tail {
            match (line.last_chunk::<LANES>(), blocks.next()) {
                (Some(b), Some(k)) => fit.add::<LATIN1>(b, k),
                _ => return Fitted::No, // cannot happen: a line of `self.len` >= 16 bytes
            }
        }
        // What `full_alt` allows, `alt` allows too (`Allowed::of`): a full
        // fit is a fit, asked first as clean lines mostly are.
        if fit.full() {
            Fitted::Full
        } else if fit.given() {
            Fitted::Given
        } else {
            Fitted::No
        }
    }

    /// Whether every byte a line that fits these blocks in full can hold
    /// is printable ASCII, and none a blank, a quote or a backslash: such a
    /// line goes into JSON as it stands, nothing to escape or trim (what
    /// [`crate::field::json_text`] answers `(true, true)` for).
    fn full_json_text(&self) -> bool {
        let plain = |b: u8| (0x21..=0x7E).contains(&b) && b != b'"' && b != b'\\';
        // A byte fits `r` in full when it is `full_alt` or `lo + d` (wrapping) for a `d` up to `span`.
        let lane =
            |r: &simd::Range, i: usize| plain(r.full_alt[i]) && (0..=r.span[i]).all(|d| plain(r.lo[i].wrapping_add(d)));
        self.n > 0 && self.blocks.iter().take(self.n as usize).all(|r| (0..LANES).all(|i| lane(r, i)))
    }

    /// Byte `i` allows `lo..=lo + span` or `alt`, for both verdicts.
    fn set(&mut self, i: usize, (lo, span, alt): (u8, u8, u8)) {
        let (len, n) = (self.len as usize, self.n as usize);
        for (k, b) in self.blocks.iter_mut().take(n).enumerate() {
            // Whole blocks in line order, then one ending with the line.
            let start = if (k + 1) * LANES <= len { k * LANES } else { len - LANES };
            if let Some(lane) = i.checked_sub(start).filter(|&l| l < LANES) {
                (b.lo[lane], b.span[lane], b.alt[lane], b.full_alt[lane]) = (lo, span, alt, alt);
            }
        }
    }

    /// For a line of `len` bytes of these classes; the digits of `zeros` (an
    /// amount's digits below one øre) must be `0` (or blank, in an optional
    /// number). No blocks for a line under 16 bytes or over [`BULK`].
    fn of(class: &[u8; BULK], zeros: &[Op], len: usize) -> Allowed {
        let (mut lo, mut span, mut alt, mut full_alt) = ([0; BULK], [0; BULK], [0; BULK], [0; BULK]);
        for (i, &c) in class.iter().enumerate() {
            (lo[i], span[i], alt[i], full_alt[i]) = match c {
                DIGIT => (b'0', 9, b'0', b'0'),
                DIGIT_OR_BLANK => (b'0', 9, b' ', b'0'),
                SIGN => (b'+', 0, b'-', b'-'),
                _ => (simd::TEXT.0, simd::TEXT.1, b' ', b' '), // printable ASCII
            };
        }
        for op in zeros {
            if let (Check::Zeros(n), true) = (op.check, op.numeric()) {
                let end = (op.start + op.len) as usize;
                for i in end.saturating_sub(n as usize)..end.min(BULK) {
                    (lo[i], span[i]) = (b'0', 0);
                }
            }
        }
        let mut a = Allowed::NONE;
        if !(LANES..=BULK).contains(&len) {
            return a;
        }
        let block = |at: usize| {
            let take = |v: &[u8; BULK]| {
                let mut b = [0; LANES];
                b.copy_from_slice(&v[at..at + LANES]);
                b
            };
            simd::Range { lo: take(&lo), span: take(&span), alt: take(&alt), full_alt: take(&full_alt) }
        };
        a.len = len as u8;
        let mut at = 0;
        while at + LANES <= len {
            a.blocks[a.n as usize] = block(at);
            a.n += 1;
            at += LANES;
        }
        if at < len {
            a.blocks[a.n as usize] = block(len - LANES);
            a.n += 1;
        }
        a
    }
}

/// The fast path's look at one field after the class masks (mandatory
/// numbers and signs are settled by the masks alone).
fn fast_op(f: &FieldDesc, amount_scale: u8) -> Option<Op> {
    let numeric = f.ty == FieldType::Numeric;
    let blank = match (numeric, f.mandatory) {
        (true, Mandatory::Yes) => OnBlank::Never,
        (_, Mandatory::Yes | Mandatory::ThirdParty) => OnBlank::Slow,
        _ => OnBlank::Pass,
    };
    let check = match f.format {
        Format::Filler | Format::Sign => return None,
        _ if f.values.is_some() => match f.values {
            Some(set) => match <&[u64; NUMBER_BITS]>::try_from(set.numbers) {
                Ok(bits) if set.numbers_decide(f.len as usize) => Check::Number(bits),
                _ => Check::Code(set),
            },
            None => Check::Nothing,
        },
        Format::Date if numeric => Check::Date,
        Format::Time if numeric => Check::Time,
        Format::Amount if amount_scale > 2 => Check::Zeros((amount_scale as u16 - 2).min(f.len)),
        _ => Check::Nothing,
    };
    let trivial = matches!(check, Check::Nothing) && blank != OnBlank::Slow && !(numeric && blank == OnBlank::Pass);
    let zeros_pass = numeric
        && f.mandatory != Mandatory::Yes
        && match check {
            Check::Date => true,
            Check::Code(_) | Check::Number(_) => f.values.is_some_and(|set| !set.closed),
            _ => false,
        };
    let whole = numeric && blank != OnBlank::Never;
    (!trivial).then_some(Op { start: f.start, len: f.len, blank, whole, zeros_pass, check })
}

/// Whether clean lines of `layout` can be decoded without the family's
/// cross-record rules (the general path handles everything else).
fn fast_eligible(family: &Family, layout: &RecordLayout) -> bool {
    let rec = layout.rec_nr;
    // A counted child (`max`) needs the general path's count per parent.
    let plain_rules = family.placement(rec).map_or(true, |p| p.max == 0);
    let special =
        family.first == Some(rec) || family.last == Some(rec) || family.trailer.is_some_and(|t| t.rec_nr == rec);
    let roles_ok = layout.fields.iter().all(|f| !f.tail && f.role != Role::FileDate);
    family.separator.is_none() && plain_rules && !special && roles_ok
}

/// Appends `item` to a fixed list; false when it is full.
fn push<T: Copy, const N: usize>(list: &mut [T; N], len: &mut u8, item: T) -> bool {
    match list.get_mut(*len as usize) {
        Some(slot) => {
            *slot = item;
            *len += 1;
            true
        }
        None => false,
    }
}

/// Slots of a key table (a power of two, more than twice the layouts).
const TABLE: usize = 128;

/// The current plans by a key: open addressing, key hash → plan index + 1
/// (0 = empty), with each plan's key to compare.
#[derive(Clone, Copy, Debug)]
struct KeyTable<K> {
    slots: [u8; TABLE],
    keys: [K; MAX_PLANS],
}

impl<K: Copy + Eq + Into<u32>> KeyTable<K> {
    const fn new(none: K) -> KeyTable<K> {
        KeyTable { slots: [0; TABLE], keys: [none; MAX_PLANS] }
    }

    fn slot(key: K) -> usize {
        (key.into().wrapping_mul(0x9E37_79B1) >> 25) as usize % TABLE
    }

    fn insert(&mut self, key: K, plan: usize) {
        let mut h = Self::slot(key);
        while self.slots[h] != 0 {
            h = (h + 1) % TABLE;
        }
        self.slots[h] = plan as u8 + 1;
        self.keys[plan] = key;
    }

    #[inline(always)]
    fn find(&self, key: K) -> Option<usize> {
        let mut h = Self::slot(key);
        loop {
            let i = (*self.slots.get(h)? as usize).checked_sub(1)?;
            if self.keys.get(i) == Some(&key) {
                return Some(i);
            }
            h = (h + 1) % TABLE;
        }
    }
}

/// The plans of a family, found by record type.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Plans {
    plans: [Option<Plan>; MAX_PLANS],
    /// `rec_nr` of each plan, for a quick scan.
    keys: [u16; MAX_PLANS],
    /// Whether the plan is a variant (not the current layout of its type).
    variant: [bool; MAX_PLANS],
    n: usize,
    /// The current plans by record type.
    by_rec: KeyTable<u16>,
    /// The same by the key's bytes as a line carries them (a key of 1-4
    /// bytes, zero-filled to its width, as a little-endian word), so the
    /// fast path finds a plan without reading the key as a number.
    by_raw: KeyTable<u32>,
}

/// A record type's key as a line carries it in `width` (1-4) bytes: the
/// digits, zero-filled, as a little-endian word (0 for other widths).
fn raw_key(rec_nr: u16, width: usize) -> u32 {
    let mut digits = [0u8; 4];
    match digits.get_mut(..width) {
        Some(d) if width > 0 => crate::encode::write_digits(rec_nr as u64, d),
        _ => return 0,
    }
    u32::from_le_bytes(digits)
}

impl Plans {
    pub fn new(family: &Family, amount_scale: u8) -> Plans {
        let mut plans = Plans {
            plans: [None; MAX_PLANS],
            keys: [0; MAX_PLANS],
            variant: [false; MAX_PLANS],
            n: 0,
            by_rec: KeyTable::new(0),
            by_raw: KeyTable::new(0),
        };
        let width = family.key.len as usize;
        let slot = |rec: u16| family.records.iter().position(|r| r.rec_nr == rec);
        for (n, layout) in family.layouts().take(MAX_PLANS).enumerate() {
            let Some(s) = slot(layout.rec_nr) else { continue };
            let mut plan = Plan::new(family, layout, s.min(NONE as usize) as u8, amount_scale);
            plan.index = n as u8;
            match family.placement(layout.rec_nr) {
                None => plan.fast.free = true,
                Some(p) if p.parents.is_empty() => plan.fast.top = true,
                Some(p) => {
                    for parent in p.parents {
                        if let Some(ps) = slot(*parent).filter(|ps| *ps < 32) {
                            plan.fast.parents |= 1 << ps;
                        }
                    }
                }
            }
            plan.fast.container = family.is_container(layout.rec_nr);
            plan.fast.anchor = family.anchor_chain(layout.rec_nr);
            let f = &plan.fast;
            let plain = !(f.top || f.free || f.directly_after || f.matches.is_some());
            (plan.fast.leaf, plan.fast.sibling) = (plain && !f.container, plain && f.container);
            plan.fast.runs = plan.runs();
            plan.full_json_text = plan.allowed.full_json_text();
            plan.has_variants = family.variants.iter().any(|v| v.rec_nr == layout.rec_nr);
            plans.plans[n] = Some(plan);
            plans.keys[n] = layout.rec_nr;
            plans.variant[n] = !layout.variant.is_empty();
            plans.n = n + 1;
            if layout.variant.is_empty() {
                plans.by_rec.insert(layout.rec_nr, n);
                let raw = raw_key(layout.rec_nr, width);
                // A number too long for its width has no raw key (its lines
                // cannot carry it): the general path reports them.
                if raw != 0 && family.separator.is_none() && (layout.rec_nr as u64) < 10u64.pow(width as u32) {
                    plans.by_raw.insert(raw, n);
                }
            }
        }
        // Each current plan knows its variants and its rules.
        for i in 0..plans.n {
            if plans.variant[i] {
                continue;
            }
            let rec = plans.keys[i];
            let mut cands = [NONE; 4];
            let mut n_cands = 0u8;
            push(&mut cands, &mut n_cands, i as u8);
            for j in (0..plans.n).filter(|&j| j != i && plans.keys[j] == rec) {
                push(&mut cands, &mut n_cands, j as u8);
            }
            let mut rules = [NONE; 8];
            let mut n_rules = 0u8;
            for (r, _) in family.variant_rules.iter().enumerate().filter(|(_, r)| r.rec_nr == rec) {
                push(&mut rules, &mut n_rules, r.min(NONE as usize - 1) as u8);
            }
            if let Some(p) = plans.plans[i].as_mut() {
                (p.cands, p.n_cands, p.rules, p.n_rules) = (cands, n_cands, rules, n_rules);
            }
        }
        plans
    }

    /// The plan at `index` ([`Plan::index`]).
    #[inline]
    pub fn at(&self, index: u8) -> Option<&Plan> {
        self.plans.get(index as usize)?.as_ref()
    }

    /// The current plan for a record type.
    #[inline]
    pub fn get(&self, rec_nr: u16) -> Option<&Plan> {
        self.at(self.by_rec.find(rec_nr)? as u8)
    }

    /// The current plan for the key bytes of a line, read as
    /// [`raw_key`] writes them (`None`: no plan, or not the plain digits).
    #[inline(always)]
    pub fn by_raw_key(&self, key: u32) -> Option<&Plan> {
        self.at(self.by_raw.find(key)? as u8)
    }

    /// The plans of a current plan's record type (itself first), and the
    /// family's variant rules for it, by index (precomputed).
    pub fn choices<'a>(&'a self, current: &'a Plan) -> (impl Iterator<Item = &'a Plan>, &'a [u8]) {
        let cands = current.cands[..current.n_cands as usize].iter();
        (cands.filter_map(|&i| self.plans.get(i as usize)?.as_ref()), &current.rules[..current.n_rules as usize])
    }

    /// Every plan of a record type: the current one first, then its variants.
    pub fn all(&self, rec_nr: u16) -> impl Iterator<Item = &Plan> {
        (0..self.n).filter(move |&i| self.keys[i] == rec_nr).filter_map(|i| self.plans[i].as_ref())
    }

    /// The plan of this exact layout.
    pub fn of(&self, layout: &RecordLayout) -> Option<&Plan> {
        self.all(layout.rec_nr).find(|p| core::ptr::eq(p.layout, layout) || p.layout == layout)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `fits` only ever says what the class pass says too: a line it lets
    /// through is printable, its numbers digits (or blanks where optional),
    /// its signs signs, nothing high; `Full` also means every number is
    /// given in full and the sub-øre digits are zeros. Every line of the
    /// sample, each byte replaced by each of a set of telling bytes.
    #[test]
    #[cfg_attr(miri, ignore = "minutes under Miri; the fit itself is checked by the simd tests")]
    fn fits_never_passes_what_the_class_pass_refuses() {
        let plans = Plans::new(&crate::layout::EMPLOYER, 4);
        let probes = [
            b' ', b'0', b'9', b'5', b'+', b'-', b',', b'/', b':', b'A', b'"', 0x1F, 0x7F, 0x80, 0x9F, 0xA0, 0xE6, 0xFF,
        ];
        let (mut seen, mut seen_plain) = ([0usize; 3], 0);
        for line in crate::testing::SAMPLE.split(|&b| b == b'\n').filter(|l| l.len() >= 16) {
            let Some(plan) =
                line.get(7..11).and_then(crate::field::parse_short_number).and_then(|r| plans.get(r as u16))
            else {
                continue;
            };
            for pos in 0..line.len() {
                for &p in probes.iter() {
                    let mut l = line.to_vec();
                    l[pos] = p;
                    let fitted = plan.fits(&l);
                    seen[fitted as usize] += 1;
                    if fitted == Fitted::No {
                        continue;
                    }
                    let scan = plan.pass(&l);
                    assert!(
                        scan.printable && scan.digits_or_blanks && scan.signs && !scan.high,
                        "{fitted:?} {pos} {p:#x}"
                    );
                    if fitted == Fitted::Full {
                        // What a full fit promises of the bytes (`Record::known_plain`).
                        if plan.full_json_text {
                            assert_eq!(crate::field::json_text(&l), (true, true), "{pos} {p:#x}");
                            seen_plain += 1;
                        }
                        let numbers = plan.layout.fields.iter().filter(|f| f.ty == FieldType::Numeric);
                        for f in numbers.filter(|f| f.format != Format::Filler) {
                            assert!(l[f.range()].iter().all(u8::is_ascii_digit), "Full with a blank number at {pos}");
                        }
                        for op in plan.fast.ops(Fitted::Given) {
                            let v = &l[op.start as usize..(op.start + op.len) as usize];
                            if let Check::Zeros(n) = op.check {
                                assert!(
                                    v[v.len() - n as usize..].iter().all(|&b| b == b'0'),
                                    "Full with sub-øre digits"
                                );
                            }
                        }
                    }
                }
            }
        }
        assert!(seen.iter().all(|&n| n > 0), "every outcome happens: {seen:?}");
        // The layouts whose full lines are plain text: numbers and signs only.
        let plain: std::vec::Vec<u16> =
            plans.plans.iter().flatten().filter(|p| p.full_json_text).map(|p| p.layout.rec_nr).collect();
        assert_eq!(plain, [2111, 6001, 6005, 6102, 6111, 6202, 9999]);
        assert_eq!(seen_plain, 1353, "full fits of those layouts' lines looked at");
    }

    /// [`Plan::fits`] asks the full fit first: whatever a position allows
    /// with `full_alt`, it allows with `alt`, for every byte, in every plan
    /// of the employer family (both amount scales; `Allowed::of` reads only
    /// the classes and the sub-øre zeros).
    #[test]
    #[cfg_attr(miri, ignore = "a million compares under Miri; a property of the data, not of memory")]
    fn a_full_fit_is_a_fit() {
        let fits = |r: &simd::Range, i: usize, b: u8, alt: u8| b.wrapping_sub(r.lo[i]) <= r.span[i] || b == alt;
        let mut checked = 0;
        for scale in [4, 2] {
            // One at a time: a family's plans are large for a Wasm stack.
            let plans = Plans::new(&crate::layout::EMPLOYER, scale);
            for plan in plans.plans.iter().flatten() {
                for r in &plan.allowed.blocks[..plan.allowed.n as usize] {
                    for i in 0..LANES {
                        for b in 0..=255u8 {
                            assert!(
                                !fits(r, i, b, r.full_alt[i]) || fits(r, i, b, r.alt[i]),
                                "{} {i} {b:#x}",
                                plan.layout.rec_nr
                            );
                            checked += 1;
                        }
                    }
                }
            }
        }
        assert!(checked > 100_000, "{checked}");
    }

    /// A line's key bytes find the plan its number finds, and only the
    /// plain zero-filled digits do.
    #[test]
    fn raw_keys_find_the_plan_of_the_number() {
        let plans = Plans::new(&crate::layout::EMPLOYER, 4);
        let raw = |k: &[u8; 4]| plans.by_raw_key(u32::from_le_bytes(*k)).map(|p| p.index);
        for r in crate::layout::EMPLOYER.records {
            let key = raw_key(r.rec_nr, 4).to_le_bytes();
            assert_eq!(raw(&key), plans.get(r.rec_nr).map(|p| p.index), "{}", r.rec_nr);
            assert!(raw(&key).is_some());
        }
        assert_eq!(raw_key(601, 4).to_le_bytes(), *b"0601");
        for k in [b"6 01", b" 601", b"601 ", b"0000", b"9998", b"600\n"] {
            assert_eq!(raw(k), None, "{k:?}");
        }
    }

    /// The marks answer as the byte-by-byte definitions do, for fields at
    /// every position and of every length in lines of the lengths they cover.
    #[test]
    fn marks_answer_as_the_bytes_do() {
        let mut seed = 7u32;
        let lens: &[usize] = if cfg!(miri) { &[16, 95] } else { &[16, 17, 31, 32, 63, 64, 65, 95, 128, 146, 160] };
        for &len in lens {
            for round in 0..if cfg!(miri) { 2 } else { 8 } {
                let line: std::vec::Vec<u8> = (0..len)
                    .map(|_| {
                        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
                        // Long blank and zero runs, so whole and unmixed fields occur.
                        let r = (seed >> 16) as usize;
                        if r % 8 < round.min(6) {
                            b' '
                        } else {
                            [b' ', b'0', b'7', b'0', b'A'][r % 5]
                        }
                    })
                    .collect();
                let m = Marks::of(&line).unwrap();
                let step = if cfg!(miri) { 11 } else { 1 };
                for start in (0..len).step_by(step) {
                    for l in (1..=len - start).step_by(step) {
                        let v = &line[start..start + l];
                        let inner = field_bits(start as u16, l as u16 - 1);
                        let whole = v.iter().all(|&b| b == b' ') || !v.contains(&b' ');
                        assert_eq!(m.unmixed(&inner), whole, "{len} {start} {l}");
                        let given = v.iter().any(|&b| b != b' ' && b != b'0');
                        assert_eq!(m.any_given(&field_bits(start as u16, l as u16)), given, "{len} {start} {l}");
                    }
                }
            }
        }
        assert!(Marks::of(&[b' '; 15]).is_none() && Marks::of(&[b' '; 161]).is_none());
    }

    #[test]
    fn printable_matches_the_byte_rule() {
        for b in 0..=255u8 {
            let want = (0x20..0x7F).contains(&b) || b >= 0xA0;
            for pos in 0..9 {
                let mut line = [b'A'; 9];
                line[pos] = b;
                assert_eq!(printable_line(&line), want, "byte {b:#x} at {pos}");
            }
        }
    }
}
