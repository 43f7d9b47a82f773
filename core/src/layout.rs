//! Record families as data: where the record key sits, how lines are
//! numbered and split, which record opens and closes a file, the grammar,
//! the meaning (role) of each field, variants and optional tails.
//!
//! A [`Family`] is plain `'static` data read by one decoder. The employer
//! reporting family ([`EMPLOYER`]) is generated from `families/employer.json`
//! (the spec's `eindkomst-layout.json` plus its family section; test
//! `layout_json` regenerates it and fails when the tables differ). Any other
//! family, such as SKAT's subscriber flat file that SF0770_E delivers, is a
//! file of the same shape that a user loads at run time
//! (`eindkomst::family`, the std crate); see `docs/layouts.md`.

/// Official field type: `N` numeric (zero-filled, right-aligned) or `A`
/// alphanumeric (blank-filled).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldType {
    /// `N`: digits, or all blanks when absent.
    Numeric,
    /// `A`: any ISO-8859-1 printable text.
    Alpha,
}

/// How a field's bytes are read beyond its type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// A number (N) or a text (A), read as it stands.
    Plain,
    /// Unused positions; never validated beyond the character set.
    Filler,
    /// `YYYYMMDD`, a real calendar date.
    Date,
    /// `HHMMSS`.
    Time,
    /// Unsigned digits whose sign is the next field; the scale is a decoder
    /// option (employer spec: 10 integer + 6 decimal digits, unconfirmed).
    Amount,
    /// Unsigned digits with the given number of decimals; sign in the next field.
    Quantity(u8),
    /// `+` or `-` belonging to the field before it.
    Sign,
}

/// The mandatory column of the spec.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mandatory {
    /// `J`: official, mandatory. A blank value rejects the record.
    Yes,
    /// `N`: optional.
    No,
    /// `(J)`: conditionally mandatory (rules checked per record type).
    Conditional,
    /// `J?`: mandatory in TaxCardBuilder's model only; blank gives a warning.
    ThirdParty,
    /// `?`: unknown.
    Unknown,
}

impl Mandatory {
    /// Whether a blank value is allowed without any finding.
    pub fn may_be_blank(&self) -> bool {
        !matches!(self, Mandatory::Yes | Mandatory::ThirdParty)
    }
}

/// What a field means, whatever it is called. Every check, filter and
/// projection that needs "the CPR" or "the period" finds it by role, so a
/// family may name its fields as its own documentation does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// No special meaning.
    None,
    /// The running line number (employer: `Lb_nr`).
    LineNumber,
    /// The record key that selects the layout (employer: `Rec_nr`).
    RecordKey,
    /// A person's CPR number (personal data: masked, pseudonymised).
    Cpr,
    /// The SE-nr of the reporting company (employer: 2001 `Virksomhed_SE_nr`).
    Se,
    /// The SE-nr of the sender of the file (employer: 1000 `Indberetter_SE_nr`).
    SenderSe,
    /// The SE/CVR-nr naming a company where a person would stand (employer: 6000).
    PersonSe,
    /// First day of an income period.
    PeriodStart,
    /// Last day of an income period.
    PeriodEnd,
    /// The form field number ("Feltnummer") an amount or code belongs to.
    Feltnummer,
    /// An amount (its sign is the sign field after it).
    Amount,
    /// A count of units (its sign is the sign field after it).
    Count,
    /// The `+`/`-` of the field before it.
    Sign,
    /// A foreign tax identification number.
    Tin,
    /// A country code.
    Country,
    /// The trailer's count of records.
    TrailerCount,
    /// The date the file was made (selects variants by delivery date).
    FileDate,
}

impl Role {
    /// Every role, in a fixed order (index = [`Role::index`]).
    pub const ALL: [Role; 17] = [
        Role::None,
        Role::LineNumber,
        Role::RecordKey,
        Role::Cpr,
        Role::Se,
        Role::SenderSe,
        Role::PersonSe,
        Role::PeriodStart,
        Role::PeriodEnd,
        Role::Feltnummer,
        Role::Amount,
        Role::Count,
        Role::Sign,
        Role::Tin,
        Role::Country,
        Role::TrailerCount,
        Role::FileDate,
    ];

    /// The role's name in layout files (`"cpr"`, `"period_end"`, ...).
    pub fn name(&self) -> &'static str {
        match self {
            Role::None => "none",
            Role::LineNumber => "line_number",
            Role::RecordKey => "record_key",
            Role::Cpr => "cpr",
            Role::Se => "se",
            Role::SenderSe => "sender_se",
            Role::PersonSe => "person_se",
            Role::PeriodStart => "period_start",
            Role::PeriodEnd => "period_end",
            Role::Feltnummer => "feltnummer",
            Role::Amount => "amount",
            Role::Count => "count",
            Role::Sign => "sign",
            Role::Tin => "tin",
            Role::Country => "country",
            Role::TrailerCount => "trailer_count",
            Role::FileDate => "file_date",
        }
    }

    /// The role called `name` in layout files.
    pub fn from_name(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.name() == name)
    }

    /// Position in [`Role::ALL`].
    pub fn index(&self) -> usize {
        *self as usize
    }
}

/// A value that is not a literal code but a shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodePattern {
    /// Two capital letters A-Z (ISO 3166-1 alpha-2, plus XU/XI/EL).
    CountryCode,
    /// Any four-digit year.
    Year,
}

/// A set of allowed codes for a field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ValueSet {
    /// Name of the set in the JSON (`value_sets`), or the field's inline list.
    pub name: &'static str,
    /// Literal codes, as they stand in the record (zero-filled), sorted
    /// (so lookups are a binary search).
    pub codes: &'static [&'static str],
    /// The codes packed into integers by [`code_key`], in the same order;
    /// empty when a code is longer than 8 bytes.
    pub keys: &'static [u64],
    /// Shapes also accepted.
    pub patterns: &'static [CodePattern],
    /// Closed: a value outside the set rejects the record. Open (the spec's
    /// lists are incomplete): an unknown value is a warning.
    pub closed: bool,
    /// When every code is the same number (1-4) of digits: one bit per
    /// number 0-9999 ([`NUMBER_BITS`] words), so a lookup is a bit test;
    /// else empty. Built by [`number_bits`].
    pub numbers: &'static [u64],
}

/// Words of [`ValueSet::numbers`]: a bit for each of 0-9999.
pub const NUMBER_BITS: usize = 157;

/// Whether `value`, 1-4 digits, is a number whose bit is set in `bits` (a
/// [`ValueSet::numbers`]), or with `zero` all zeros.
#[inline(always)]
pub(crate) fn number_in(bits: &[u64; NUMBER_BITS], value: &[u8], zero: bool) -> bool {
    let n = match *value {
        // The common width as one word.
        [a, b, c, d] => crate::field::four_digits([a, b, c, d]),
        _ => short_digits(value),
    };
    // Up to 9999: the word's index is in the table (`min` spares the bounds check).
    n.is_some_and(|n| (zero && n == 0) || bits[(n as usize / 64).min(NUMBER_BITS - 1)] >> (n % 64) & 1 == 1)
}

/// [`number_in`] for a value known to be digits: no digit test.
#[inline(always)]
pub(crate) fn digits_in(bits: &[u64; NUMBER_BITS], value: &[u8], zero: bool) -> bool {
    let n = match *value {
        [a, b, c, d] => {
            let x = u32::from_be_bytes([a, b, c, d]) & 0x0F0F_0F0F;
            let pairs = (x >> 8 & 0x00FF_00FF) * 10 + (x & 0x00FF_00FF);
            ((pairs >> 16) * 100 + (pairs & 0xFFFF)) as usize
        }
        _ => return number_in(bits, value, zero),
    };
    (zero && n == 0) || bits[(n / 64).min(NUMBER_BITS - 1)] >> (n % 64) & 1 == 1
}

/// 1-3 ASCII digits as a number, no loop (apart: inlined, the choice by
/// width became a jump table in the fast path's common 4-digit case).
#[cold]
#[inline(never)]
fn short_digits(value: &[u8]) -> Option<u16> {
    let d = |i: usize| value.get(i).map_or(0, |b| b.wrapping_sub(b'0'));
    let (b, c, e) = match value.len() {
        3 => (d(0), d(1), d(2)),
        2 => (0, d(0), d(1)),
        1 => (0, 0, d(0)),
        _ => return None,
    };
    (b.max(c).max(e) <= 9).then(|| b as u16 * 100 + c as u16 * 10 + e as u16)
}

/// The [`ValueSet::numbers`] of `codes`, when they are all the same number
/// of digits (1-4).
pub fn number_bits(codes: &[&str]) -> Option<[u64; NUMBER_BITS]> {
    let width = codes.first()?.len();
    let mut bits = [0u64; NUMBER_BITS];
    for c in codes {
        let n: usize = c
            .parse()
            .ok()
            .filter(|_| c.len() == width && (1..=4).contains(&width) && c.bytes().all(|b| b.is_ascii_digit()))?;
        bits[n / 64] |= 1 << (n % 64);
    }
    Some(bits)
}

impl ValueSet {
    /// Whether `value` (the field's bytes, trailing blanks kept) is in the set.
    #[inline]
    pub fn contains(&self, value: &[u8]) -> bool {
        // A pattern first: a set whose codes a pattern covers (countries:
        // any two capitals) needs no search for the values it admits.
        let patterned = self.patterns.iter().any(|p| match p {
            CodePattern::CountryCode => value.len() == 2 && value.iter().all(u8::is_ascii_uppercase),
            CodePattern::Year => value.len() == 4 && value.iter().all(u8::is_ascii_digit),
        });
        if patterned {
            return true;
        }
        let width = self.codes.first().map_or(0, |c| c.len());
        if self.numbers.len() == NUMBER_BITS && value.len() == width {
            self.has_number(value)
        } else if value.len() <= 8 && self.keys.len() == self.codes.len() {
            // Lower bound without a branch on the data: ~log2(n) steps.
            let key = code_key(value);
            let keys = self.keys;
            let (mut lo, mut n) = (0usize, keys.len());
            while n > 1 {
                let half = n / 2;
                lo = if keys[lo + half] <= key { lo + half } else { lo };
                n -= half;
            }
            keys.get(lo) == Some(&key)
        } else {
            self.codes.binary_search_by(|c| c.as_bytes().cmp(value)).is_ok()
        }
    }

    /// Whether `value`, the code width's digits, is one of a numeric set's
    /// codes ([`ValueSet::numbers`]): a bit test, for the fast path.
    #[inline(always)]
    pub fn has_number(&self, value: &[u8]) -> bool {
        self.has_number_or_zero(value, false)
    }

    /// [`ValueSet::has_number`], or with `zero` all zeros too (an open
    /// code's "not given", in the same step as the lookup).
    #[inline(always)]
    pub fn has_number_or_zero(&self, value: &[u8], zero: bool) -> bool {
        <&[u64; NUMBER_BITS]>::try_from(self.numbers).is_ok_and(|bits| number_in(bits, value, zero))
    }

    /// Whether [`ValueSet::has_number`] alone decides for values of `len` bytes.
    pub fn numbers_decide(&self, len: usize) -> bool {
        self.numbers.len() == NUMBER_BITS
            && self.patterns.is_empty()
            && self.codes.first().is_some_and(|c| c.len() == len)
    }
}

/// A code of up to 8 bytes as one integer: big-endian, zero-padded, so
/// integers order like the codes' bytes (codes hold no zero bytes).
///
/// ```
/// use eindkomst_core::layout::code_key;
/// assert!(code_key(b"0013") < code_key(b"0015"));
/// assert_eq!(code_key(b"AB"), 0x4142 << 48);
/// assert_eq!(code_key(b""), 0);
/// ```
#[inline]
pub fn code_key(code: &[u8]) -> u64 {
    let n = code.len().min(8);
    let key = code[..n].iter().fold(0u64, |k, &b| k << 8 | b as u64);
    // Padded with zero bytes on the right; `checked_shl` because an empty
    // code would shift by all 64 bits.
    key.checked_shl(8 * (8 - n) as u32).unwrap_or(0)
}

/// One field of a record layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldDesc {
    /// Field number ("felt"), unique within the record.
    pub no: u8,
    /// Field name as in the family's documentation (`Person_CPR_nr`, `Beloeb`, ...).
    pub name: &'static str,
    /// 0-based byte offset in the (canonical) line: the spec's 1-based start
    /// minus 1. In a separated family, the field's place once every field is
    /// padded to its length.
    pub start: u16,
    /// Length in bytes (in a separated family: the most it may hold).
    pub len: u16,
    /// `N` or `A`.
    pub ty: FieldType,
    /// How the bytes are read.
    pub format: Format,
    /// The spec's mandatory flag.
    pub mandatory: Mandatory,
    /// Allowed codes, if the spec names any.
    pub values: Option<&'static ValueSet>,
    /// Personal data (CPR): never shown in errors, masked by front-ends.
    pub personal: bool,
    /// What the field means.
    pub role: Role,
    /// Part of an optional tail: a line may end before this field (and then
    /// holds none of the tail fields after it either).
    pub tail: bool,
}

impl FieldDesc {
    /// The byte range of this field within a (canonical) line.
    pub fn range(&self) -> core::ops::Range<usize> {
        self.start as usize..self.start as usize + self.len as usize
    }
}

/// The layout of one record type (or one variant of it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecordLayout {
    /// The record key as a number (employer: `Rec_nr`, 1000 ... 9999).
    pub rec_nr: u16,
    /// The key as it stands in the file (`"6001"`, `"120"`).
    pub key: &'static str,
    /// Variant key: `""` for the current layout, else e.g. `"v7.1"`.
    pub variant: &'static str,
    /// Short name (`Person`, `Beløb`, ...).
    pub name: &'static str,
    /// Line length in bytes without the terminator, optional tail included
    /// (in a separated family: the canonical width, every field padded).
    pub length: u16,
    /// Fields in line order; contiguous, covering the whole (canonical) line.
    pub fields: &'static [FieldDesc],
}

impl RecordLayout {
    /// The field with number `no`.
    pub fn field(&self, no: u8) -> Option<&'static FieldDesc> {
        self.fields.iter().find(|f| f.no == no)
    }

    /// The first field called `name`.
    pub fn field_named(&self, name: &str) -> Option<&'static FieldDesc> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The first field with this role.
    pub fn field_with(&self, role: Role) -> Option<&'static FieldDesc> {
        self.fields.iter().find(|f| f.role == role)
    }

    /// The index in `fields` of the first field with this role (for the
    /// `*_at` reads of a [`Record`](crate::Record), found once per layout).
    ///
    /// ```
    /// use eindkomst_core::layout::{Role, EMPLOYER};
    /// let l6001 = EMPLOYER.get(6001).unwrap();
    /// assert_eq!(l6001.index_with(Role::Feltnummer), Some(2)); // field 3
    /// assert_eq!(l6001.index_with(Role::Cpr), None);
    /// ```
    pub fn index_with(&self, role: Role) -> Option<usize> {
        self.fields.iter().position(|f| f.role == role)
    }

    /// Where [`Record::amount`](crate::Record::amount) reads: the index in
    /// `fields` of the first field with role `amount`, else of the first
    /// field in amount format.
    pub fn amount_index(&self) -> Option<usize> {
        self.index_with(Role::Amount).or_else(|| self.fields.iter().position(|f| f.format == Format::Amount))
    }

    /// Length without the optional tail: the shortest line that is whole.
    pub fn base_length(&self) -> u16 {
        self.fields.iter().find(|f| f.tail).map_or(self.length, |f| f.start)
    }

    /// Whether a line of `len` bytes ends exactly at the end of the layout
    /// or before one of its tail fields.
    pub fn whole_at(&self, len: usize) -> bool {
        len == self.length as usize || self.fields.iter().any(|f| f.tail && f.start as usize == len)
    }
}

/// Where a piece of every line sits: a 0-based byte range (fixed-width
/// families) or a field index (separated families).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    /// 0-based byte offset (fixed width) or 0-based field index (separated).
    pub start: u16,
    /// Bytes (fixed width); in a separated family, the most digits allowed.
    pub len: u16,
}

impl Span {
    /// The byte range (fixed-width families).
    pub fn range(&self) -> core::ops::Range<usize> {
        self.start as usize..self.start as usize + self.len as usize
    }
}

/// What the trailer's count must equal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Trailer {
    /// The record type holding the count (its field with role
    /// [`Role::TrailerCount`]).
    pub rec_nr: u16,
    /// A count one higher than the records is only a warning
    /// (TaxCardBuilder counts that way); otherwise it is an error.
    pub plus_one_warns: bool,
}

/// Where a record type may stand: the grammar of a family, one entry per
/// record type that has a place in the tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Placement {
    /// The record type.
    pub rec_nr: u16,
    /// Record types that may hold it; empty = a top-level record (it closes
    /// every open record).
    pub parents: &'static [u16],
    /// Only directly after its parent (no other record between them).
    pub directly_after: bool,
    /// Most records of this type under one parent; 0 = no limit. More is a
    /// warning (the records are still decoded).
    pub max: u16,
    /// At least one field with one of these roles must be given (not blank,
    /// not all zeros), else the record is rejected (`no_identity`).
    pub identity: &'static [Role],
    /// This role's value must equal the parent's value of the same role when
    /// both are given; a difference is a warning (`country_mismatch`).
    pub matches_parent: Role,
    /// A record that only groups others (employer: 2001, 5000, 6000): a
    /// filter passes it only in front of a kept record under it.
    pub header: bool,
}

/// Record types that are open, outermost first ([`Family::anchor_chain`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Chain {
    types: [u16; Chain::MAX],
    len: u8,
}

impl Chain {
    /// The deepest chain (the decoder's stack holds one record more).
    pub const MAX: usize = 7;

    /// The types, outermost first.
    pub fn types(&self) -> &[u16] {
        &self.types[..self.len as usize]
    }
}

/// A condition on a line, its file, or its place.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Condition {
    /// Always true.
    Always,
    /// The file date (field with [`Role::FileDate`], from the first record
    /// that has one) is on or after this `YYYYMMDD`.
    FileDateFrom(u32),
    /// The file date is known and before this `YYYYMMDD`.
    FileDateBefore(u32),
    /// These bytes of the line are all blanks (or absent).
    Blank(Span),
    /// These bytes of the line are not all blanks.
    NotBlank(Span),
}

/// Which layout of a record type to use when several fit a line: the rules
/// of a record type are tried in order; the first whose condition holds and
/// whose layout fits the line's length wins.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VariantRule {
    /// The record type.
    pub rec_nr: u16,
    /// When the rule applies.
    pub when: Condition,
    /// The variant to use (`""` = the current layout).
    pub variant: &'static str,
}

/// A record family: everything that makes a family of fixed-length (or
/// separated) records what it is. See `docs/layouts.md` for the file format.
#[derive(Clone, Copy, Debug)]
pub struct Family {
    /// Short name (`employer`).
    pub name: &'static str,
    /// Where the record key sits.
    pub key: Span,
    /// Where the running line number sits, if lines carry one; it must run
    /// 1, 2, 3 ... over every line.
    pub line_number: Option<Span>,
    /// The field separator of a separated family (`'`); `None` = fixed width.
    pub separator: Option<u8>,
    /// The record type that must open the file, if any.
    pub first: Option<u16>,
    /// The record type that must close the file, if any.
    pub last: Option<u16>,
    /// The trailer count rule, if the family has one.
    pub trailer: Option<Trailer>,
    /// Lines whose trailing blanks were trimmed in transit are padded back
    /// (with a warning) when the missing part may be blank.
    pub pad_trimmed: bool,
    /// Current layouts, one per record type.
    pub records: &'static [RecordLayout],
    /// Other layouts of the same record types.
    pub variants: &'static [RecordLayout],
    /// Where each record type may stand.
    pub grammar: &'static [Placement],
    /// How a variant is chosen.
    pub variant_rules: &'static [VariantRule],
}

impl Family {
    /// The current layout for `rec_nr`.
    pub fn get(&self, rec_nr: u16) -> Option<&'static RecordLayout> {
        self.records.iter().find(|r| r.rec_nr == rec_nr)
    }

    /// A named variant of `rec_nr` (`""` is the current layout).
    pub fn variant(&self, rec_nr: u16, variant: &str) -> Option<&'static RecordLayout> {
        if variant.is_empty() {
            return self.get(rec_nr);
        }
        self.variants.iter().find(|r| r.rec_nr == rec_nr && r.variant == variant)
    }

    /// Where `rec_nr` may stand, if the grammar says.
    pub fn placement(&self, rec_nr: u16) -> Option<&'static Placement> {
        self.grammar.iter().find(|p| p.rec_nr == rec_nr)
    }

    /// Whether records of this type hold other records.
    pub fn is_container(&self, rec_nr: u16) -> bool {
        self.first == Some(rec_nr) || self.grammar.iter().any(|p| p.parents.contains(&rec_nr))
    }

    /// The open records an *anchor* record of type `rec_nr` needs under it:
    /// its one parent type, that one's one parent type, and so on up to a
    /// top-level type (outermost first; employer: 6000 needs 2001, 5000).
    /// `None` when that is not one line of types (several parents, a record
    /// that must come directly after its parent, a counted one, the start
    /// record, a leaf, no place in the grammar) or is deeper than
    /// [`Chain::MAX`]. At an anchor line a worker of `--jobs` may assume
    /// its context ([`Speculation`](crate::Speculation)).
    ///
    /// ```
    /// let fam = &eindkomst_core::layout::EMPLOYER;
    /// assert_eq!(fam.anchor_chain(6000).unwrap().types(), &[2001, 5000]);
    /// assert_eq!(fam.anchor_chain(2001).unwrap().types(), &[] as &[u16]);
    /// assert!(fam.anchor_chain(6001).is_none() && fam.anchor_chain(1000).is_none());
    /// ```
    pub fn anchor_chain(&self, rec_nr: u16) -> Option<Chain> {
        let mut chain = Chain { types: [0; Chain::MAX], len: 0 };
        let mut at = self.placement(rec_nr)?;
        if !self.is_container(rec_nr) || self.first == Some(rec_nr) || at.directly_after || at.max != 0 {
            return None;
        }
        while let Some(&parent) = at.parents.first() {
            let len = chain.len as usize;
            if at.parents.len() > 1
                || len == Chain::MAX
                || chain.types().contains(&parent)
                || self.first == Some(parent)
            {
                return None;
            }
            chain.types[len] = parent;
            chain.len += 1;
            at = self.placement(parent)?;
        }
        chain.types[..chain.len as usize].reverse();
        Some(chain)
    }

    /// Every layout: current ones first, then variants.
    pub fn layouts(&self) -> impl Iterator<Item = &'static RecordLayout> {
        self.records.iter().chain(self.variants.iter())
    }

    /// Key width in the file (the digits of a record key).
    pub fn key_width(&self) -> usize {
        self.key.len as usize
    }
}

/// The employer reporting family (the spec's published format), generated
/// from `families/employer.json`.
pub static EMPLOYER: Family = crate::layouts::FAMILY;

#[cfg(test)]
mod tests {
    /// The bit test of a numeric set answers as the list of codes does, for
    /// every 4-digit value and for each with a non-digit at each position
    /// (the neighbours of `0` and `9`, a blank, the extremes).
    #[test]
    fn has_number_matches_the_codes() {
        let set = &crate::layouts::VS_FELTNR_6001;
        let step = if cfg!(miri) { 97 } else { 1 };
        for n in (0..10_000u32).step_by(step) {
            let mut v = [0u8; 4];
            crate::encode::write_digits(n as u64, &mut v);
            let listed = set.codes.iter().any(|c| c.as_bytes() == v);
            assert_eq!(set.has_number(&v), listed, "{n}");
            for pos in 0..4 {
                for bad in [b'/', b':', b' ', 0, 0xFF, b'A', 0x80, 0x2F + 0x80] {
                    let mut w = v;
                    w[pos] = bad;
                    assert!(!set.has_number(&w), "{w:?}");
                }
            }
        }
        assert!(set.has_number(b"0013") && !set.has_number(b"0012"));
    }

    /// A set with a pattern (countries: any two capitals) admits what the
    /// pattern or the list admits, and nothing else: every pair of bytes
    /// from a set of telling ones, against a reference written here.
    #[test]
    fn a_patterned_set_admits_the_pattern_or_the_list() {
        let set = &crate::layouts::VS_LANDEKODE;
        let bytes = [b'A', b'E', b'L', b'Z', b'a', b'z', b'0', b' ', b'@', b'[', 0xC6, 0xFF];
        let mut admitted = 0;
        for a in bytes {
            for b in bytes {
                let v = [a, b];
                let want = v.iter().all(u8::is_ascii_uppercase) || set.codes.iter().any(|c| c.as_bytes() == v);
                assert_eq!(set.contains(&v), want, "{v:?}");
                admitted += usize::from(want);
            }
        }
        assert_eq!(admitted, 16);
        assert!(!set.contains(b"DEU") && !set.contains(b"D") && !set.contains(b""));
    }

    /// Numbers of 1-3 digits: every value of the width, a non-digit at each
    /// place, zeros with and without `zero`, and widths outside 1-4.
    #[test]
    fn number_in_reads_short_numbers() {
        use super::{number_bits, number_in};
        for codes in [&["3", "7"][..], &["07", "42", "99"], &["001", "500", "999"]] {
            let width = codes[0].len();
            let bits = number_bits(codes).unwrap();
            for n in 0..10u32.pow(width as u32) {
                let mut v = [0u8; 3];
                crate::encode::write_digits(n as u64, &mut v[..width]);
                let listed = codes.iter().any(|c| c.as_bytes() == &v[..width]);
                assert_eq!(number_in(&bits, &v[..width], false), listed, "{n}");
                assert_eq!(number_in(&bits, &v[..width], true), listed || n == 0, "{n}");
                for pos in 0..width {
                    let mut w = v;
                    w[pos] = if n % 2 == 0 { b' ' } else { b':' };
                    assert!(!number_in(&bits, &w[..width], true), "{w:?}");
                }
            }
            assert!(!number_in(&bits, b"", true) && !number_in(&bits, b"00000", true));
        }
    }

    /// On digits, [`super::digits_in`] answers as [`number_in`]: every
    /// 4-digit value, with and without `zero`, and a short number.
    #[test]
    fn digits_in_is_number_in_on_digits() {
        use super::{digits_in, number_bits, number_in};
        let bits = number_bits(&["0000", "0013", "0064", "4096", "9999"]).unwrap();
        let mut listed = 0;
        let step = if cfg!(miri) { 97 } else { 1 };
        for n in (0..10_000u32).step_by(step).chain([13, 64, 4096, 9999]) {
            let mut v = [0u8; 4];
            crate::encode::write_digits(n as u64, &mut v);
            for zero in [false, true] {
                assert_eq!(digits_in(&bits, &v, zero), number_in(&bits, &v, zero), "{n} {zero}");
            }
            listed += digits_in(&bits, &v, false) as u32;
        }
        // Those of the range (all five; under Miri 0000 alone), then the four again.
        assert_eq!(listed, if cfg!(miri) { 5 } else { 9 });
        let short = number_bits(&["07", "42"]).unwrap();
        assert!(digits_in(&short, b"42", false) && !digits_in(&short, b"43", false) && digits_in(&short, b"00", true));
    }
}
