//! Validation plans: what the decoder precomputes per layout so a line is
//! checked in bulk (SWAR, 8 bytes at a time) and only the fields that need
//! more than "digits" are looked at one by one.

use crate::decoder::MAX_LINE;
use crate::layout::{Family, FieldType, Format, Mandatory, RecordLayout, Role};

/// Layouts up to this many 8-byte words (256 bytes) get the bulk check.
pub(crate) const WORDS: usize = 32;
/// Plans kept: every record type plus its variants.
pub(crate) const MAX_PLANS: usize = 40;
/// Fields per layout that need a check beyond digits.
const MAX_CHECKS: usize = 24;
/// Fields per layout that need any check at all (numeric or `checks`).
const MAX_SLOW: usize = 40;
/// "No such field" in the index slots below.
pub(crate) const NONE: u8 = u8::MAX;

/// A digit mask that checks nothing, for lines without a plan.
static NO_DIGITS: [u8; MAX_LINE] = [0; MAX_LINE];

/// One pass over a line: whether every byte is ISO-8859-1 printable
/// (0x20-0x7E, 0xA0-0xFF), and whether every byte under `mask` (0xFF) is an
/// ASCII digit. Branch-free over 16-byte blocks (the last one padded), so the
/// compiler vectorises it; the two checks share the loads.
fn scan(line: &[u8], mask: &[u8]) -> (bool, bool) {
    let (mask, mask_fits) = match mask.get(..line.len()) {
        Some(m) => (m, true),
        None => (NO_DIGITS.get(..line.len()).unwrap_or(&[]), false),
    };
    let bad = |b: u8| (b < 0x20) | (b.wrapping_sub(0x7F) < 0x21);
    let not_digit = |b: u8, m: u8| m & ((b.wrapping_sub(b'0') > 9) as u8).wrapping_neg();
    let block = |l: &[u8; 16], m: &[u8; 16]| {
        let (mut p, mut d) = (false, 0u8);
        for i in 0..16 {
            p |= bad(l[i]);
            d |= not_digit(l[i], m[i]);
        }
        (p, d)
    };
    let (mut p, mut d) = (false, 0u8);
    let mut lines = line.chunks_exact(16);
    let mut masks = mask.chunks_exact(16);
    for (l, m) in (&mut lines).zip(&mut masks) {
        if let (Ok(l), Ok(m)) = (l.try_into(), m.try_into()) {
            let (bp, bd) = block(l, m);
            p |= bp;
            d |= bd;
        }
    }
    let (rest, rest_mask) = (lines.remainder(), masks.remainder());
    let (mut l, mut m) = ([b'0'; 16], [0u8; 16]);
    l[..rest.len()].copy_from_slice(rest);
    m[..rest_mask.len()].copy_from_slice(rest_mask);
    let (bp, bd) = block(&l, &m);
    (!(p | bp), mask_fits && (d | bd) == 0)
}

/// Whether every byte is ISO-8859-1 printable (0x20-0x7E, 0xA0-0xFF).
#[cfg(test)]
pub(crate) fn printable_line(line: &[u8]) -> bool {
    scan(line, &[]).0
}

/// What is checked in bulk for one layout.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Plan {
    pub layout: &'static RecordLayout,
    /// Index of the record type in `Counts::by_type`.
    pub slot: u8,
    /// Words of `digits` in use; 0 = no bulk check (layout too long).
    words: u8,
    /// 0xFF at every position that belongs to a numeric field.
    digits: [u8; 8 * WORDS],
    /// Field indices that need a check of their own (codes, dates, signs, ...).
    checks: [u8; MAX_CHECKS],
    n_checks: u8,
    /// After [`Bulk::CheckAll`]: `checks` plus every numeric field, in order.
    /// The other fields (plain, optional text) cannot fail. `n_slow` 0 = all.
    slow: [u8; MAX_SLOW],
    n_slow: u8,
    /// Index of the first field with each role ([`Role::index`]), or [`NONE`].
    roles: [u8; Role::ALL.len()],
}

/// Result of the bulk check of a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Bulk {
    /// Every numeric byte is a digit: only the listed fields need a look.
    Digits,
    /// Something else (blanks, bad bytes): check every field.
    CheckAll,
}

impl Plan {
    fn new(layout: &'static RecordLayout, slot: u8) -> Plan {
        let mut plan = Plan {
            layout,
            slot,
            words: 0,
            digits: [0; 8 * WORDS],
            checks: [NONE; MAX_CHECKS],
            n_checks: 0,
            slow: [NONE; MAX_SLOW],
            n_slow: 0,
            roles: [NONE; Role::ALL.len()],
        };
        let fits = (layout.length as usize).div_ceil(8) <= WORDS && layout.fields.len() < NONE as usize;
        let mut checks_fit = true;
        let mut slow_fits = true;
        for (i, f) in layout.fields.iter().enumerate() {
            let idx = i as u8;
            if let Some(slot) = plan.roles.get_mut(f.role.index()).filter(|s| **s == NONE) {
                *slot = idx;
            }
            if f.format == Format::Filler {
                continue;
            }
            if fits && f.ty == FieldType::Numeric {
                for pos in f.range() {
                    plan.digits[pos] = 0xFF;
                }
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
        }
        if fits && checks_fit {
            plan.words = (layout.length as usize).div_ceil(8) as u8;
        }
        if !slow_fits {
            plan.n_slow = 0;
        }
        plan
    }

    /// The first field with `role`.
    pub fn role(&self, role: Role) -> Option<&'static crate::layout::FieldDesc> {
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

    /// Checks `line` in one pass: whether every byte is printable, and
    /// whether every numeric byte (for the layout's length) is a digit.
    pub fn scan(&self, line: &[u8]) -> (bool, Bulk) {
        let mask = if self.words == 0 { &[][..] } else { &self.digits[..] };
        let (printable, digits) = scan(line, mask);
        (printable, if digits && self.words != 0 { Bulk::Digits } else { Bulk::CheckAll })
    }
}

/// Appends `idx` to a fixed list; false when it is full.
fn push<const N: usize>(list: &mut [u8; N], len: &mut u8, idx: u8) -> bool {
    match list.get_mut(*len as usize) {
        Some(slot) => {
            *slot = idx;
            *len += 1;
            true
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn printable_matches_the_byte_rule() {
        for b in 0..=255u8 {
            let want = (0x20..0x7F).contains(&b) || b >= 0xA0;
            for pos in 0..9 {
                let mut line = [b'A'; 9];
                line[pos] = b;
                assert_eq!(super::printable_line(&line), want, "byte {b:#x} at {pos}");
            }
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
}

impl Plans {
    pub fn new(family: &Family) -> Plans {
        let mut plans = Plans { plans: [None; MAX_PLANS], keys: [0; MAX_PLANS], variant: [false; MAX_PLANS], n: 0 };
        let slot = |rec: u16| family.records.iter().position(|r| r.rec_nr == rec);
        for (n, layout) in family.layouts().take(MAX_PLANS).enumerate() {
            let Some(slot) = slot(layout.rec_nr) else { continue };
            plans.plans[n] = Some(Plan::new(layout, slot.min(NONE as usize) as u8));
            plans.keys[n] = layout.rec_nr;
            plans.variant[n] = !layout.variant.is_empty();
            plans.n = n + 1;
        }
        plans
    }

    /// The current plan for a record type.
    pub fn get(&self, rec_nr: u16) -> Option<&Plan> {
        let i = (0..self.n).find(|&i| self.keys[i] == rec_nr && !self.variant[i])?;
        self.plans[i].as_ref()
    }

    /// Every plan of a record type: the current one first, then its variants.
    pub fn all(&self, rec_nr: u16) -> impl Iterator<Item = &Plan> {
        (0..self.n).filter(move |&i| self.keys[i] == rec_nr).filter_map(|i| self.plans[i].as_ref())
    }

    /// The plan of this exact layout.
    pub fn of(&self, layout: &RecordLayout) -> Option<&Plan> {
        self.all(layout.rec_nr).find(|p| core::ptr::eq(p.layout, layout) || p.layout == layout)
    }

    /// Whether a record type has variants.
    pub fn has_variants(&self, rec_nr: u16) -> bool {
        (0..self.n).any(|i| self.keys[i] == rec_nr && self.variant[i])
    }
}
