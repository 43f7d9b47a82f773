//! The bulk check of one 16-byte block in vector registers: SSE2, which
//! every x86-64 processor has, so no run-time detection is needed. This is
//! the crate's only `unsafe` code; [`scalar`] is its reference twin (used
//! on other targets and under Miri), and the test below and the fuzz target
//! `decode_split` check that both agree on every byte and class.
//!
//! Two checks: [`Fit`], the fast path's, asks whether every byte lies in
//! its position's allowed range (or is its one alternative byte), the few
//! instructions a clean line needs; [`Acc`] names what is wrong, for the
//! lines that do not fit. [`Acc`]'s block result is one byte of bits: 1 a byte is not ISO-8859-1
//! printable, 2 a number's byte is not a digit, 4 the same but an optional
//! number's blank is allowed, 8 a sign's byte is neither `+` nor `-`,
//! 0x80 some byte is 0x80 or above.
#![allow(unsafe_code)]

/// Byte classes of a layout's positions (see `plan.rs`).
pub(crate) const DIGIT: u8 = 1;
pub(crate) const DIGIT_OR_BLANK: u8 = 2;
pub(crate) const SIGN: u8 = 4;

/// Bytes per block.
pub(crate) const LANES: usize = 16;

/// The reference: one byte at a time.
#[cfg_attr(all(target_arch = "x86_64", not(miri), not(test)), allow(dead_code))]
pub(crate) fn scalar(b: &[u8; LANES], c: &[u8; LANES]) -> u8 {
    let mut acc = 0u8;
    for i in 0..LANES {
        let (b, c) = (b[i], c[i]);
        let unprintable = (b.wrapping_sub(0x20) >= 0x5F) & (b < 0xA0);
        let not_digit = b.wrapping_sub(b'0') > 9;
        let number = c & (DIGIT | DIGIT_OR_BLANK) != 0;
        let optional_blank = (c & DIGIT_OR_BLANK != 0) & (b == b' ');
        let not_sign = (c & SIGN != 0) & (b != b'+') & (b != b'-');
        acc |= (unprintable as u8)
            | ((not_digit & number) as u8) << 1
            | ((not_digit & number & !optional_blank) as u8) << 2
            | (not_sign as u8) << 3
            | (b & 0x80);
    }
    acc
}

/// One block of bytes `b` against classes `c`: the finding bits.
#[cfg(test)]
pub(crate) fn block(b: &[u8; LANES], c: &[u8; LANES]) -> u8 {
    let mut acc = Acc::new();
    acc.add(b, c);
    acc.bits()
}

/// The finding bits of many blocks, or'ed: kept in a vector register
/// until [`Acc::bits`].
#[derive(Clone, Copy)]
pub(crate) struct Acc {
    #[cfg(all(target_arch = "x86_64", not(miri)))]
    v: core::arch::x86_64::__m128i,
    #[cfg(not(all(target_arch = "x86_64", not(miri))))]
    v: u8,
}

impl Acc {
    #[inline(always)]
    pub fn new() -> Acc {
        #[cfg(all(target_arch = "x86_64", not(miri)))]
        // SAFETY: SSE2 is part of the x86_64 baseline.
        let v = unsafe { core::arch::x86_64::_mm_setzero_si128() };
        #[cfg(not(all(target_arch = "x86_64", not(miri))))]
        let v = 0;
        Acc { v }
    }

    /// Adds one block's findings.
    #[inline(always)]
    pub fn add(&mut self, b: &[u8; LANES], c: &[u8; LANES]) {
        #[cfg(all(target_arch = "x86_64", not(miri)))]
        {
            self.v = sse2(self.v, b, c);
        }
        #[cfg(not(all(target_arch = "x86_64", not(miri))))]
        {
            self.v |= scalar(b, c);
        }
    }

    /// The or'ed finding bits.
    #[inline(always)]
    pub fn bits(&self) -> u8 {
        #[cfg(all(target_arch = "x86_64", not(miri)))]
        {
            use core::arch::x86_64::*;
            // SAFETY: SSE2 is part of the x86_64 baseline; register-only
            // operations. The lanes are or'ed by halving: 16 → 8 → 4 → 2 → 1.
            unsafe {
                let v = _mm_or_si128(self.v, _mm_srli_si128(self.v, 8));
                let v = _mm_or_si128(v, _mm_srli_si128(v, 4));
                let v = _mm_or_si128(v, _mm_srli_si128(v, 2));
                let v = _mm_or_si128(v, _mm_srli_si128(v, 1));
                _mm_cvtsi128_si32(v) as u8
            }
        }
        #[cfg(not(all(target_arch = "x86_64", not(miri))))]
        {
            self.v
        }
    }
}

/// One block into the accumulator: each lane gets its finding bits.
#[cfg(all(target_arch = "x86_64", not(miri)))]
#[inline(always)]
fn sse2(acc: core::arch::x86_64::__m128i, b: &[u8; LANES], c: &[u8; LANES]) -> core::arch::x86_64::__m128i {
    use core::arch::x86_64::*;
    // SAFETY: SSE2 is part of the x86_64 baseline, so every intrinsic below
    // is available on every x86_64 target. The two loads read exactly 16
    // bytes each from 16-byte arrays (`_mm_loadu_si128` needs no alignment);
    // nothing else touches memory.
    unsafe {
        let v = _mm_loadu_si128(b.as_ptr().cast::<__m128i>());
        let c = _mm_loadu_si128(c.as_ptr().cast::<__m128i>());
        let splat = |x: u8| _mm_set1_epi8(x as i8);
        let zero = _mm_setzero_si128();
        let ones = _mm_cmpeq_epi8(zero, zero);
        // Unsigned x <= y is min(x, y) == x; x >= y is max(x, y) == x.
        let t = _mm_sub_epi8(v, splat(0x20));
        let above_7e = _mm_cmpeq_epi8(_mm_max_epu8(t, splat(0x5F)), t); // b - 0x20 >= 0x5F
        let from_a0 = _mm_cmpeq_epi8(_mm_max_epu8(v, splat(0xA0)), v); // b >= 0xA0
        let unprintable = _mm_andnot_si128(from_a0, above_7e);
        let d = _mm_sub_epi8(v, splat(b'0'));
        let digit = _mm_cmpeq_epi8(_mm_min_epu8(d, splat(9)), d);
        let number = _mm_xor_si128(_mm_cmpeq_epi8(_mm_and_si128(c, splat(DIGIT | DIGIT_OR_BLANK)), zero), ones);
        let optional = _mm_cmpeq_epi8(_mm_and_si128(c, splat(DIGIT_OR_BLANK)), splat(DIGIT_OR_BLANK));
        let blank = _mm_cmpeq_epi8(v, splat(b' '));
        let strict = _mm_andnot_si128(digit, number);
        let fast = _mm_andnot_si128(_mm_or_si128(digit, _mm_and_si128(optional, blank)), number);
        let sign = _mm_cmpeq_epi8(_mm_and_si128(c, splat(SIGN)), splat(SIGN));
        let is_sign = _mm_or_si128(_mm_cmpeq_epi8(v, splat(b'+')), _mm_cmpeq_epi8(v, splat(b'-')));
        let not_sign = _mm_andnot_si128(is_sign, sign);
        let bits = _mm_or_si128(
            _mm_or_si128(_mm_and_si128(unprintable, splat(1)), _mm_and_si128(strict, splat(2))),
            _mm_or_si128(
                _mm_or_si128(_mm_and_si128(fast, splat(4)), _mm_and_si128(not_sign, splat(8))),
                _mm_and_si128(v, splat(0x80)),
            ),
        );
        _mm_or_si128(acc, bits)
    }
}

/// The reference of [`Fit`]: whether every byte `b[i]` is in
/// `lo[i]..=lo[i] + span[i]` or is `alt[i]`; and the same with `full_alt`.
#[cfg_attr(all(target_arch = "x86_64", not(miri), not(test)), allow(dead_code))]
pub(crate) fn fit_scalar(
    b: &[u8; LANES],
    lo: &[u8; LANES],
    span: &[u8; LANES],
    alt: &[u8; LANES],
    full_alt: &[u8; LANES],
) -> (bool, bool) {
    let inside = |i: usize| b[i].wrapping_sub(lo[i]) <= span[i];
    ((0..LANES).all(|i| inside(i) || b[i] == alt[i]), (0..LANES).all(|i| inside(i) || b[i] == full_alt[i]))
}

/// Whether every block so far fits its allowed bytes (per position: a
/// range `lo..=lo + span`, or the byte `alt`), and whether it does with
/// the alternatives `full_alt`.
#[derive(Clone, Copy)]
pub(crate) struct Fit {
    #[cfg(all(target_arch = "x86_64", not(miri)))]
    v: (core::arch::x86_64::__m128i, core::arch::x86_64::__m128i),
    #[cfg(not(all(target_arch = "x86_64", not(miri))))]
    v: (bool, bool),
}

impl Fit {
    #[inline(always)]
    pub fn new() -> Fit {
        #[cfg(all(target_arch = "x86_64", not(miri)))]
        // SAFETY: SSE2 is part of the x86_64 baseline; register-only.
        let v = unsafe {
            use core::arch::x86_64::*;
            let ones = _mm_cmpeq_epi8(_mm_setzero_si128(), _mm_setzero_si128());
            (ones, ones)
        };
        #[cfg(not(all(target_arch = "x86_64", not(miri))))]
        let v = (true, true);
        Fit { v }
    }

    /// Adds one block: bytes `b` against the positions' `lo`, `span`, `alt`
    /// and `full_alt`.
    #[inline(always)]
    pub fn add(
        &mut self,
        b: &[u8; LANES],
        lo: &[u8; LANES],
        span: &[u8; LANES],
        alt: &[u8; LANES],
        full_alt: &[u8; LANES],
    ) {
        #[cfg(all(target_arch = "x86_64", not(miri)))]
        // SAFETY: SSE2 is part of the x86_64 baseline. The five loads read
        // exactly 16 bytes each from 16-byte arrays (`_mm_loadu_si128` needs
        // no alignment); nothing else touches memory.
        unsafe {
            use core::arch::x86_64::*;
            let load = |a: &[u8; LANES]| _mm_loadu_si128(a.as_ptr().cast::<__m128i>());
            let v = load(b);
            let t = _mm_sub_epi8(v, load(lo));
            // Unsigned t <= span is min(t, span) == t.
            let inside = _mm_cmpeq_epi8(_mm_min_epu8(t, load(span)), t);
            let other = _mm_cmpeq_epi8(v, load(alt));
            let full_other = _mm_cmpeq_epi8(v, load(full_alt));
            self.v.0 = _mm_and_si128(self.v.0, _mm_or_si128(inside, other));
            self.v.1 = _mm_and_si128(self.v.1, _mm_or_si128(inside, full_other));
        }
        #[cfg(not(all(target_arch = "x86_64", not(miri))))]
        {
            let (given, full) = fit_scalar(b, lo, span, alt, full_alt);
            self.v = (self.v.0 & given, self.v.1 & full);
        }
    }

    /// Every byte of every block fitted (with `alt`, with `full_alt`).
    #[inline(always)]
    pub fn all(&self) -> (bool, bool) {
        #[cfg(all(target_arch = "x86_64", not(miri)))]
        // SAFETY: SSE2 is part of the x86_64 baseline; register-only.
        unsafe {
            use core::arch::x86_64::_mm_movemask_epi8;
            (_mm_movemask_epi8(self.v.0) == 0xFFFF, _mm_movemask_epi8(self.v.1) == 0xFFFF)
        }
        #[cfg(not(all(target_arch = "x86_64", not(miri))))]
        {
            self.v
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg_attr(miri, ignore = "under Miri both sides are the scalar twin")]
    fn vector_and_scalar_agree_on_every_byte_and_class() {
        let classes = [0, DIGIT, DIGIT_OR_BLANK, SIGN];
        for b in 0..=255u8 {
            for pos in 0..LANES {
                for class in classes {
                    let mut bytes = [b'5'; LANES];
                    bytes[pos] = b;
                    let mut c = [0u8; LANES];
                    c[pos] = class;
                    assert_eq!(block(&bytes, &c), scalar(&bytes, &c), "byte {b:#x} class {class} at {pos}");
                }
            }
        }
    }

    #[test]
    #[cfg_attr(miri, ignore = "under Miri both sides are the scalar twin")]
    fn fit_vector_and_scalar_agree_on_every_byte() {
        // The shapes plans use (printable, digit, digit or blank, sign, literal zero) and edge ranges.
        let shapes = [
            (0x20, 0x5E, 0x20),
            (b'0', 9, b'0'),
            (b'0', 9, b' '),
            (b'+', 0, b'-'),
            (b'0', 0, b' '),
            (0, 255, 0),
            (0xF0, 0x20, 0),
        ];
        for b in 0..=255u8 {
            for pos in [0, 7, 15] {
                for (l, s, a) in shapes {
                    let mut bytes = [b'5'; LANES];
                    bytes[pos] = b;
                    let (mut lo, mut span, mut alt) = ([b'0'; LANES], [9; LANES], [b'0'; LANES]);
                    (lo[pos], span[pos], alt[pos]) = (l, s, a);
                    let mut full_alt = alt;
                    full_alt[pos] = l;
                    let mut fit = Fit::new();
                    fit.add(&bytes, &lo, &span, &alt, &full_alt);
                    let want = fit_scalar(&bytes, &lo, &span, &alt, &full_alt);
                    assert_eq!(fit.all(), want, "byte {b:#x} shape {l} {s} {a} at {pos}");
                    assert_eq!(want, (b.wrapping_sub(l) <= s || b == a, b.wrapping_sub(l) <= s || b == l));
                }
            }
        }
    }

    #[test]
    fn scalar_bits_match_the_byte_rules() {
        for b in 0..=255u8 {
            let mut bytes = [b'5'; LANES];
            bytes[3] = b;
            let bits = |class: u8| {
                let mut c = [0u8; LANES];
                c[3] = class;
                scalar(&bytes, &c)
            };
            assert_eq!(bits(DIGIT) & 2 != 0, !b.is_ascii_digit());
            assert_eq!(bits(DIGIT_OR_BLANK) & 4 != 0, !b.is_ascii_digit() && b != b' ');
            assert_eq!(bits(SIGN) & 8 != 0, b != b'+' && b != b'-');
            assert_eq!(bits(0) & 0x80 != 0, b >= 0x80);
            assert_eq!(bits(0) & 1 != 0, !((0x20..0x7F).contains(&b) || b >= 0xA0));
        }
    }
}
