//! The bulk check of one 16-byte block in vector registers: SSE2 on
//! x86-64 (part of its baseline, so no run-time detection is needed) and
//! WebAssembly SIMD when the Wasm build turns `simd128` on. This is the
//! crate's only `unsafe` code (the loads and stores, and the calls into
//! code built for AVX2 or AVX-512); [`scalar`] and [`fit_scalar`]
//! are its reference twins (used on other targets and under Miri), and the
//! tests below and the fuzz target `decode_split` check that both agree on
//! every byte and class.
//!
//! Two checks: [`Fit`], the fast path's, asks whether every byte lies in
//! its position's allowed range (or is its one alternative byte), the few
//! instructions a clean line needs; [`Acc`] names what is wrong, for the
//! lines that do not fit. And one for writers of JSON: [`json_plain`],
//! whether bytes go into a JSON string as they stand, [`json_text`]
//! also whether none is a blank. [`Acc`]'s block result is one byte of bits: 1 a byte is not ISO-8859-1
//! printable, 2 a number's byte is not a digit, 4 the same but an optional
//! number's blank is allowed, 8 a sign's byte is neither `+` nor `-`,
//! 0x80 some byte is 0x80 or above.
//!
//! [`on_this_cpu`] runs a caller's batch loop compiled for AVX2 and BMI
//! where the CPU has them (run-time detection): the same source, the
//! compiler's wider instructions.
//!
//! And two for writers of fixed text: [`Shuffle`] places a short line's
//! bytes into a text built once per layout, with AVX2's byte shuffle where
//! the CPU has it (run-time detection, as [`on_this_cpu`]); [`Permute`]
//! does the same for lines of up to 128 bytes with AVX-512 VBMI's byte
//! permute (in builds by Rust 1.89 or newer), one per pattern of blanks
//! ([`Permute::plain_blanks`]). [`Shuffle::apply_scalar`],
//! [`Permute::apply_scalar`] and [`Permute::plain_blanks_scalar`] are
//! their reference twins (other targets and CPUs, Miri), and their tests
//! and the fuzz target `decode_raw` check that both write the pieces' text.
#![allow(unsafe_code)]

/// Byte classes of a layout's positions (see `plan.rs`).
pub(crate) const DIGIT: u8 = 1;
pub(crate) const DIGIT_OR_BLANK: u8 = 2;
pub(crate) const SIGN: u8 = 4;

/// Bytes per block.
pub(crate) const LANES: usize = 16;

/// What [`Fit`] allows at the 16 positions of a block: a byte in
/// `lo..=lo + span`, or the byte `alt` (`full_alt` for the second verdict).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Range {
    pub lo: [u8; LANES],
    pub span: [u8; LANES],
    pub alt: [u8; LANES],
    pub full_alt: [u8; LANES],
}

impl Range {
    pub const NONE: Range = Range { lo: [0; LANES], span: [0; LANES], alt: [0; LANES], full_alt: [0; LANES] };
}

/// The reference: one byte at a time.
#[cfg_attr(
    all(
        any(all(target_arch = "x86_64", not(miri)), all(target_arch = "wasm32", target_feature = "simd128")),
        not(test)
    ),
    allow(dead_code)
)]
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
    v: imp::Vector,
}

impl Acc {
    #[inline(always)]
    pub fn new() -> Acc {
        Acc { v: imp::no_findings() }
    }

    /// Adds one block's findings.
    #[inline(always)]
    pub fn add(&mut self, b: &[u8; LANES], c: &[u8; LANES]) {
        self.v = imp::acc_add(self.v, b, c);
    }

    /// The or'ed finding bits.
    #[inline(always)]
    pub fn bits(&self) -> u8 {
        imp::acc_bits(self.v)
    }
}

/// The reference of [`Fit`]: whether every byte `b[i]` is in
/// `lo[i]..=lo[i] + span[i]` or is `alt[i]`; and the same with `full_alt`.
#[cfg_attr(
    all(
        any(all(target_arch = "x86_64", not(miri)), all(target_arch = "wasm32", target_feature = "simd128")),
        not(test)
    ),
    allow(dead_code)
)]
pub(crate) fn fit_scalar<const LATIN1: bool>(b: &[u8; LANES], r: &Range) -> (bool, bool) {
    let letter = |i: usize| LATIN1 && r.lo[i] == TEXT.0 && r.span[i] == TEXT.1 && b[i] >= 0xA0;
    let inside = |i: usize| b[i].wrapping_sub(r.lo[i]) <= r.span[i] || letter(i);
    ((0..LANES).all(|i| inside(i) || b[i] == r.alt[i]), (0..LANES).all(|i| inside(i) || b[i] == r.full_alt[i]))
}

/// The range of a text position (printable ASCII, `lo` and `span`); with
/// `LATIN1` ([`Fit::add`]) such a position takes ISO-8859-1 letters too
/// (0xA0 and up), as [`scalar`]'s "printable" does.
pub(crate) const TEXT: (u8, u8) = (0x20, 0x7E - 0x20);

/// Whether every block so far fits its allowed bytes (per position: a
/// range `lo..=lo + span`, or the byte `alt`), and whether it does with
/// the alternatives `full_alt`.
#[derive(Clone, Copy)]
pub(crate) struct Fit {
    v: (imp::Fits, imp::Fits),
}

impl Fit {
    #[inline(always)]
    pub fn new() -> Fit {
        Fit { v: (imp::all_fit(), imp::all_fit()) }
    }

    /// Adds one block: bytes `b` against what its positions allow (and,
    /// with `LATIN1`, ISO-8859-1 letters where text is allowed: [`TEXT`]).
    #[inline(always)]
    pub fn add<const LATIN1: bool>(&mut self, b: &[u8; LANES], r: &Range) {
        self.v = imp::fit_add::<LATIN1>(self.v, b, r);
    }

    /// Every byte of every block fitted with `alt`.
    #[inline(always)]
    pub fn given(&self) -> bool {
        imp::all(self.v.0)
    }

    /// Every byte of every block fitted with `full_alt`.
    #[inline(always)]
    pub fn full(&self) -> bool {
        imp::all(self.v.1)
    }
}

/// Which bytes of a block are blanks (bit `i` of the first mask for
/// `b[i]`) and which give a value, being neither a blank nor `0` (the second).
#[inline(always)]
pub(crate) fn marks(b: &[u8; LANES]) -> (u16, u16) {
    imp::marks(b)
}

/// The reference of [`marks`].
#[cfg_attr(
    all(
        any(all(target_arch = "x86_64", not(miri)), all(target_arch = "wasm32", target_feature = "simd128")),
        not(test)
    ),
    allow(dead_code)
)]
pub(crate) fn marks_scalar(b: &[u8; LANES]) -> (u16, u16) {
    let mask = |f: fn(u8) -> bool| b.iter().rev().fold(0u16, |m, &x| m << 1 | f(x) as u16);
    (mask(|x| x == b' '), mask(|x| x != b' ' && x != b'0'))
}

/// Whether every byte of `bytes` goes into a JSON string as it stands
/// (0x20-0x7F, but not `"` or `\`), and whether, besides, none is a blank
/// (no value needs trimming): blocks of 16, the last one ending with the
/// bytes (overlapping the one before); under 16 bytes, byte by byte
/// ([`json_text_scalar`]). Up to 32 bytes (a 6001 line) the first and the
/// last block, without a loop.
#[inline(always)]
pub(crate) fn json_text(bytes: &[u8]) -> (bool, bool) {
    let (Some(first), Some(last)) = (bytes.first_chunk::<LANES>(), bytes.last_chunk::<LANES>()) else {
        return json_text_scalar(bytes);
    };
    let none = (imp::no_findings(), imp::no_findings());
    let mut acc = imp::json_add(none, first);
    if bytes.len() > 2 * LANES {
        for b in bytes[LANES..].chunks_exact(LANES) {
            if let Ok(b) = <&[u8; LANES]>::try_from(b) {
                acc = imp::json_add(acc, b);
            }
        }
    }
    let (escaped, blank) = imp::json_add(acc, last);
    let plain = imp::json_none(escaped);
    (plain, plain && imp::json_none(blank))
}

/// Whether every byte of `bytes` goes into a JSON string as it stands
/// ([`json_text`]'s first answer).
#[inline]
pub(crate) fn json_plain(bytes: &[u8]) -> bool {
    json_text(bytes).0
}

/// The reference of [`json_text`].
pub(crate) fn json_text_scalar(bytes: &[u8]) -> (bool, bool) {
    let plain = bytes.iter().all(|&b| (0x20..0x80).contains(&b) && b != b'"' && b != b'\\');
    (plain, plain && !bytes.contains(&b' '))
}

/// Sixteen ASCII digits as a number, or `None` if a byte is not a digit:
/// an amount (16 digits in the employer family), read by every total.
/// Its scalar twin is [`crate::field::sixteen_digits_swar`].
#[inline(always)]
pub(crate) fn sixteen_digits(b: &[u8; LANES]) -> Option<u64> {
    imp::sixteen_digits(b)
}

/// SSE2, part of the x86_64 baseline: no run-time detection.
#[cfg(all(target_arch = "x86_64", not(miri)))]
mod imp {
    use super::*;
    use core::arch::x86_64::*;

    pub type Vector = __m128i;
    /// Per lane: zero where every byte so far fitted (a byte's distance
    /// past its range, or'ed: no mask, so the compiler keeps no vector of
    /// bools across blocks, which it rebuilds into a mask at the end).
    pub type Fits = __m128i;

    #[inline(always)]
    pub fn no_findings() -> __m128i {
        // SAFETY: SSE2 is part of the x86_64 baseline; register-only.
        unsafe { _mm_setzero_si128() }
    }

    #[inline(always)]
    pub fn all_fit() -> __m128i {
        no_findings()
    }

    #[inline(always)]
    fn load(a: &[u8; LANES]) -> __m128i {
        // SAFETY: reads exactly the 16 bytes of a 16-byte array
        // (`_mm_loadu_si128` needs no alignment).
        unsafe { _mm_loadu_si128(a.as_ptr().cast::<__m128i>()) }
    }

    /// One block into the accumulator: each lane gets its finding bits.
    #[inline(always)]
    pub fn acc_add(acc: __m128i, b: &[u8; LANES], c: &[u8; LANES]) -> __m128i {
        // SAFETY: SSE2 is part of the x86_64 baseline, so every intrinsic
        // below is available; register-only after the two loads.
        unsafe {
            let v = load(b);
            let c = load(c);
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

    #[inline(always)]
    pub fn acc_bits(v: __m128i) -> u8 {
        // SAFETY: SSE2, register-only. The lanes are or'ed by halving: 16 → 8 → 4 → 2 → 1.
        unsafe {
            let v = _mm_or_si128(v, _mm_srli_si128(v, 8));
            let v = _mm_or_si128(v, _mm_srli_si128(v, 4));
            let v = _mm_or_si128(v, _mm_srli_si128(v, 2));
            let v = _mm_or_si128(v, _mm_srli_si128(v, 1));
            _mm_cvtsi128_si32(v) as u8
        }
    }

    #[inline(always)]
    pub fn fit_add<const LATIN1: bool>(
        (given, full): (__m128i, __m128i),
        b: &[u8; LANES],
        r: &Range,
    ) -> (__m128i, __m128i) {
        // SAFETY: SSE2, register-only after the loads.
        unsafe {
            let v = load(b);
            let (lo, span) = (load(&r.lo), load(&r.span));
            // How far past `lo + span` (saturating): zero inside the range.
            let mut over = _mm_subs_epu8(_mm_sub_epi8(v, lo), span);
            if LATIN1 {
                let splat = |x: u8| _mm_set1_epi8(x as i8);
                let text = _mm_and_si128(_mm_cmpeq_epi8(lo, splat(TEXT.0)), _mm_cmpeq_epi8(span, splat(TEXT.1)));
                let letter = _mm_cmpeq_epi8(_mm_max_epu8(v, splat(0xA0)), v); // v >= 0xA0
                over = _mm_andnot_si128(_mm_and_si128(text, letter), over);
            }
            let other = _mm_cmpeq_epi8(v, load(&r.alt));
            let full_other = _mm_cmpeq_epi8(v, load(&r.full_alt));
            (_mm_or_si128(given, _mm_andnot_si128(other, over)), _mm_or_si128(full, _mm_andnot_si128(full_other, over)))
        }
    }

    #[inline(always)]
    pub fn all(v: __m128i) -> bool {
        // SAFETY: SSE2, register-only.
        unsafe { _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_setzero_si128())) == 0xFFFF }
    }

    /// One block into [`super::json_text`]'s accumulators: per lane, not
    /// zero where a byte needs escaping; and where a byte is a blank.
    #[inline(always)]
    pub fn json_add((escaped, blank): (__m128i, __m128i), b: &[u8; LANES]) -> (__m128i, __m128i) {
        // SAFETY: SSE2, register-only after the load.
        unsafe {
            let v = load(b);
            let splat = |x: u8| _mm_set1_epi8(x as i8);
            let outside = _mm_subs_epu8(_mm_sub_epi8(v, splat(0x20)), splat(0x5F)); // not 0x20-0x7F
            let quote = _mm_cmpeq_epi8(v, splat(b'"'));
            let backslash = _mm_cmpeq_epi8(v, splat(b'\\'));
            let escaped = _mm_or_si128(escaped, _mm_or_si128(outside, _mm_or_si128(quote, backslash)));
            (escaped, _mm_or_si128(blank, _mm_cmpeq_epi8(v, splat(b' '))))
        }
    }

    #[inline(always)]
    pub fn json_none(acc: __m128i) -> bool {
        all(acc)
    }

    /// Digits less `'0'` (any other byte wraps past 9), then neighbours
    /// joined by multiply-adds of 16-bit lanes: pairs, fours, eights.
    #[inline(always)]
    pub fn sixteen_digits(b: &[u8; LANES]) -> Option<u64> {
        // SAFETY: SSE2, register-only after the load.
        unsafe {
            let d = _mm_sub_epi8(load(b), _mm_set1_epi8(b'0' as i8));
            let zero = _mm_setzero_si128();
            if !all(_mm_subs_epu8(d, _mm_set1_epi8(9))) {
                return None;
            }
            // Each 32-bit constant is a pair of 16-bit factors [high digit's, 1].
            let pair = _mm_set1_epi32(0x0001_000A);
            let pairs = _mm_packs_epi32(
                _mm_madd_epi16(_mm_unpacklo_epi8(d, zero), pair),
                _mm_madd_epi16(_mm_unpackhi_epi8(d, zero), pair),
            );
            let fours = _mm_madd_epi16(pairs, _mm_set1_epi32(0x0001_0064));
            let eights = _mm_madd_epi16(_mm_packs_epi32(fours, fours), _mm_set1_epi32(0x0001_2710));
            let both = _mm_cvtsi128_si64(eights) as u64;
            Some((both & 0xFFFF_FFFF) * 100_000_000 + (both >> 32))
        }
    }

    #[inline(always)]
    pub fn marks(b: &[u8; LANES]) -> (u16, u16) {
        // SAFETY: SSE2, register-only after the load.
        unsafe {
            let v = load(b);
            let blank = _mm_cmpeq_epi8(v, _mm_set1_epi8(b' ' as i8));
            let zero = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'0' as i8));
            (_mm_movemask_epi8(blank) as u16, !(_mm_movemask_epi8(_mm_or_si128(blank, zero)) as u16))
        }
    }
}

/// WebAssembly SIMD (`simd128`, which `wasm/build.sh` turns on; every
/// engine the npm package supports has it). The operations are safe
/// functions; only the loads read memory.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod imp {
    use super::*;
    use core::arch::wasm32::*;

    pub type Vector = v128;
    /// As in the SSE2 code: zero where every byte so far fitted.
    pub type Fits = v128;

    #[inline(always)]
    pub fn no_findings() -> v128 {
        u8x16_splat(0)
    }

    #[inline(always)]
    pub fn all_fit() -> v128 {
        no_findings()
    }

    #[inline(always)]
    fn load(a: &[u8; LANES]) -> v128 {
        // SAFETY: reads exactly the 16 bytes of a 16-byte array
        // (`v128_load` needs no alignment).
        unsafe { v128_load(a.as_ptr().cast::<v128>()) }
    }

    #[inline(always)]
    pub fn acc_add(acc: v128, b: &[u8; LANES], c: &[u8; LANES]) -> v128 {
        let v = load(b);
        let c = load(c);
        let splat = u8x16_splat;
        let unprintable = v128_andnot(u8x16_ge(u8x16_sub(v, splat(0x20)), splat(0x5F)), u8x16_ge(v, splat(0xA0)));
        let digit = u8x16_le(u8x16_sub(v, splat(b'0')), splat(9));
        let number = v128_any_lanes(v128_and(c, splat(DIGIT | DIGIT_OR_BLANK)));
        let optional = v128_any_lanes(v128_and(c, splat(DIGIT_OR_BLANK)));
        let blank = u8x16_eq(v, splat(b' '));
        let strict = v128_andnot(number, digit);
        let fast = v128_andnot(number, v128_or(digit, v128_and(optional, blank)));
        let sign = v128_any_lanes(v128_and(c, splat(SIGN)));
        let not_sign = v128_andnot(sign, v128_or(u8x16_eq(v, splat(b'+')), u8x16_eq(v, splat(b'-'))));
        let bits = v128_or(
            v128_or(v128_and(unprintable, splat(1)), v128_and(strict, splat(2))),
            v128_or(v128_or(v128_and(fast, splat(4)), v128_and(not_sign, splat(8))), v128_and(v, splat(0x80))),
        );
        v128_or(acc, bits)
    }

    /// All ones in the lanes that are not zero.
    #[inline(always)]
    fn v128_any_lanes(v: v128) -> v128 {
        u8x16_ne(v, u8x16_splat(0))
    }

    #[inline(always)]
    pub fn acc_bits(v: v128) -> u8 {
        let x = u64x2_extract_lane::<0>(v) | u64x2_extract_lane::<1>(v);
        let x = x | x >> 32;
        let x = x | x >> 16;
        (x | x >> 8) as u8
    }

    #[inline(always)]
    pub fn fit_add<const LATIN1: bool>((given, full): (v128, v128), b: &[u8; LANES], r: &Range) -> (v128, v128) {
        let v = load(b);
        let (lo, span) = (load(&r.lo), load(&r.span));
        let mut over = u8x16_sub_sat(u8x16_sub(v, lo), span);
        if LATIN1 {
            let text = v128_and(u8x16_eq(lo, u8x16_splat(TEXT.0)), u8x16_eq(span, u8x16_splat(TEXT.1)));
            over = v128_andnot(over, v128_and(text, u8x16_ge(v, u8x16_splat(0xA0))));
        }
        let other = u8x16_eq(v, load(&r.alt));
        let full_other = u8x16_eq(v, load(&r.full_alt));
        (v128_or(given, v128_andnot(over, other)), v128_or(full, v128_andnot(over, full_other)))
    }

    #[inline(always)]
    pub fn all(v: v128) -> bool {
        !v128_any_true(v)
    }

    #[inline(always)]
    pub fn json_add((escaped, blank): (v128, v128), b: &[u8; LANES]) -> (v128, v128) {
        let v = load(b);
        let outside = u8x16_sub_sat(u8x16_sub(v, u8x16_splat(0x20)), u8x16_splat(0x5F));
        let quoted = v128_or(u8x16_eq(v, u8x16_splat(b'"')), u8x16_eq(v, u8x16_splat(b'\\')));
        (v128_or(escaped, v128_or(outside, quoted)), v128_or(blank, u8x16_eq(v, u8x16_splat(b' '))))
    }

    #[inline(always)]
    pub fn json_none(acc: v128) -> bool {
        all(acc)
    }

    /// As in the SSE2 code: pairs, fours, eights by dot products.
    #[inline(always)]
    pub fn sixteen_digits(b: &[u8; LANES]) -> Option<u64> {
        let d = u8x16_sub(load(b), u8x16_splat(b'0'));
        if v128_any_true(u8x16_sub_sat(d, u8x16_splat(9))) {
            return None;
        }
        let pair = u32x4_splat(0x0001_000A);
        let pairs = i16x8_narrow_i32x4(
            i32x4_dot_i16x8(u16x8_extend_low_u8x16(d), pair),
            i32x4_dot_i16x8(u16x8_extend_high_u8x16(d), pair),
        );
        let fours = i32x4_dot_i16x8(pairs, u32x4_splat(0x0001_0064));
        let eights = i32x4_dot_i16x8(i16x8_narrow_i32x4(fours, fours), u32x4_splat(0x0001_2710));
        let (high, low) = (u32x4_extract_lane::<0>(eights), u32x4_extract_lane::<1>(eights));
        Some(u64::from(high) * 100_000_000 + u64::from(low))
    }

    #[inline(always)]
    pub fn marks(b: &[u8; LANES]) -> (u16, u16) {
        let v = load(b);
        let blank = u8x16_eq(v, u8x16_splat(b' '));
        let zero = u8x16_eq(v, u8x16_splat(b'0'));
        (u8x16_bitmask(blank), !u8x16_bitmask(v128_or(blank, zero)))
    }
}

/// The scalar twin: other targets, and Miri.
#[cfg(not(any(all(target_arch = "x86_64", not(miri)), all(target_arch = "wasm32", target_feature = "simd128"))))]
mod imp {
    use super::*;

    pub type Vector = u8;
    pub type Fits = bool;

    #[inline(always)]
    pub fn no_findings() -> u8 {
        0
    }

    #[inline(always)]
    pub fn all_fit() -> bool {
        true
    }

    #[inline(always)]
    pub fn acc_add(acc: u8, b: &[u8; LANES], c: &[u8; LANES]) -> u8 {
        acc | scalar(b, c)
    }

    #[inline(always)]
    pub fn acc_bits(v: u8) -> u8 {
        v
    }

    #[inline(always)]
    pub fn fit_add<const LATIN1: bool>((given, full): (bool, bool), b: &[u8; LANES], r: &Range) -> (bool, bool) {
        let (g, f) = fit_scalar::<LATIN1>(b, r);
        (given & g, full & f)
    }

    #[inline(always)]
    pub fn all(v: bool) -> bool {
        v
    }

    #[inline(always)]
    pub fn json_add((escaped, blank): (u8, u8), b: &[u8; LANES]) -> (u8, u8) {
        (escaped | u8::from(!json_text_scalar(b).0), blank | u8::from(b.contains(&b' ')))
    }

    #[inline(always)]
    pub fn json_none(acc: u8) -> bool {
        acc == 0
    }

    #[inline(always)]
    pub fn marks(b: &[u8; LANES]) -> (u16, u16) {
        marks_scalar(b)
    }

    #[inline(always)]
    pub fn sixteen_digits(b: &[u8; LANES]) -> Option<u64> {
        crate::field::sixteen_digits_swar(b)
    }
}

/// Bytes [`Shuffle::apply`] writes: four blocks of 32.
pub const SHUFFLE_OUT: usize = 128;

/// A piece of the text a [`Shuffle`] writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Piece<'a> {
    /// Bytes as they stand.
    Text(&'a [u8]),
    /// The line's bytes `start..start + len`.
    Line {
        /// Where they start in the line.
        start: u16,
        /// How many.
        len: u16,
    },
}

/// A text of up to [`SHUFFLE_OUT`] bytes made of fixed bytes and bytes of
/// a line of 16 to 32 bytes, each at a place fixed for the line's layout,
/// written in one pass of byte shuffles (AVX2 where the CPU has it, else
/// byte by byte: [`Shuffle::apply_scalar`], the reference). Built once per
/// layout; the CLI's `decode --raw` writes a line with nothing to trim or
/// escape with it.
///
/// ```
/// use eindkomst_core::{Piece, Shuffle, SHUFFLE_OUT};
/// let pieces = [Piece::Text(b"["), Piece::Line { start: 16, len: 4 }, Piece::Text(b"|"), Piece::Line { start: 0, len: 3 }, Piece::Text(b"]")];
/// let (shuffle, len) = Shuffle::new(20, &pieces).unwrap();
/// let mut out = [0u8; SHUFFLE_OUT];
/// shuffle.apply(b"abcdefghijklmnop6001", &mut out);
/// assert_eq!(&out[..len], b"[6001|abc]");
/// ```
#[derive(Clone, Debug)]
pub struct Shuffle {
    /// The line's length.
    len: usize,
    /// Per byte written: the byte of the line's first 16 it is (0x80: none).
    first: [u8; SHUFFLE_OUT],
    /// The same of the line's last 16 bytes.
    last: [u8; SHUFFLE_OUT],
    /// The fixed bytes (0 where a byte of the line goes).
    text: [u8; SHUFFLE_OUT],
}

impl Shuffle {
    /// The shuffle that writes `pieces` in turn for lines of `len` bytes,
    /// and how many bytes it writes. `None`: `len` is not 16 to 32, a
    /// piece lies outside the line, or the text is longer than
    /// [`SHUFFLE_OUT`].
    pub fn new(len: usize, pieces: &[Piece<'_>]) -> Option<(Shuffle, usize)> {
        if !(LANES..=2 * LANES).contains(&len) {
            return None;
        }
        let mut s = Shuffle { len, first: [0x80; SHUFFLE_OUT], last: [0x80; SHUFFLE_OUT], text: [0; SHUFFLE_OUT] };
        let mut at = 0;
        for piece in pieces {
            match *piece {
                Piece::Text(bytes) => {
                    s.text.get_mut(at..at + bytes.len())?.copy_from_slice(bytes);
                    at += bytes.len();
                }
                Piece::Line { start, len: n } => {
                    let (start, n) = (start as usize, n as usize);
                    if start + n > len || at + n > SHUFFLE_OUT {
                        return None;
                    }
                    for (i, p) in (start..start + n).enumerate() {
                        // From the first block where it lies there, else from the last.
                        match p.checked_sub(len - LANES).filter(|_| p >= LANES) {
                            Some(q) => s.last[at + i] = q as u8,
                            None => s.first[at + i] = p as u8,
                        }
                    }
                    at += n;
                }
            }
        }
        Some((s, at))
    }

    /// Whether [`Shuffle::apply`] runs as byte shuffles on this CPU (x86-64
    /// with AVX2): else it writes byte by byte, slower than a writer's own
    /// copies, so a writer asks first.
    ///
    /// ```
    /// # #[cfg(target_arch = "x86_64")]
    /// assert_eq!(eindkomst_core::Shuffle::vectorised(), std::arch::is_x86_feature_detected!("avx2"));
    /// ```
    #[inline(always)]
    pub fn vectorised() -> bool {
        #[cfg(all(target_arch = "x86_64", not(miri)))]
        {
            cpufeatures::new!(avx2, "avx2");
            avx2::get()
        }
        #[cfg(not(all(target_arch = "x86_64", not(miri))))]
        false
    }

    /// Writes the text for `line` (of the length the shuffle is for; any
    /// other line: nothing) into `out`: its first bytes are the text,
    /// the rest zeros.
    #[inline(always)]
    pub fn apply(&self, line: &[u8], out: &mut [u8; SHUFFLE_OUT]) {
        let (Some(first), Some(last)) = (line.first_chunk::<LANES>(), line.last_chunk::<LANES>()) else { return };
        if line.len() != self.len {
            return;
        }
        #[cfg(all(target_arch = "x86_64", not(miri)))]
        if Self::vectorised() {
            // SAFETY: the CPU has AVX2 (`vectorised` on x86-64: CPUID, and
            // XGETBV for the OS's saving of the YMM registers, by `cpufeatures`).
            return unsafe { shuffle_avx2(self, first, last, out) };
        }
        self.apply_scalar(first, last, out);
    }

    /// [`Shuffle::apply`] byte by byte: the reference (other targets, Miri).
    pub fn apply_scalar(&self, first: &[u8; LANES], last: &[u8; LANES], out: &mut [u8; SHUFFLE_OUT]) {
        // As a byte shuffle: an index with its top bit set gives 0, else its low four bits pick.
        let pick = |i: u8, block: &[u8; LANES]| if i & 0x80 == 0 { block[(i & 15) as usize] } else { 0 };
        for (i, o) in out.iter_mut().enumerate() {
            *o = self.text[i] | pick(self.first[i], first) | pick(self.last[i], last);
        }
    }
}

/// [`Shuffle::apply`] in four blocks of 32: each the or of two byte
/// shuffles (of the line's first and last 16 bytes, in both halves of a
/// register) and the fixed bytes.
///
/// # Safety
/// The CPU must have AVX2.
#[cfg(all(target_arch = "x86_64", not(miri)))]
#[target_feature(enable = "avx2")]
#[inline]
unsafe fn shuffle_avx2(s: &Shuffle, first: &[u8; LANES], last: &[u8; LANES], out: &mut [u8; SHUFFLE_OUT]) {
    use core::arch::x86_64::*;
    const BLOCK: usize = 32;
    let load = |a: &[u8; BLOCK]| {
        // SAFETY: reads exactly the 32 bytes of a 32-byte array (no alignment needed).
        unsafe { _mm256_loadu_si256(a.as_ptr().cast::<__m256i>()) }
    };
    let both_halves = |a: &[u8; LANES]| {
        // SAFETY: reads exactly the 16 bytes of a 16-byte array (no alignment needed).
        unsafe { _mm256_broadcastsi128_si256(_mm_loadu_si128(a.as_ptr().cast::<__m128i>())) }
    };
    let (first, last) = (both_halves(first), both_halves(last));
    for at in (0..SHUFFLE_OUT).step_by(BLOCK) {
        let block = |a: &[u8; SHUFFLE_OUT]| a[at..].first_chunk::<BLOCK>().map(load);
        let (Some(from_first), Some(from_last), Some(text)) = (block(&s.first), block(&s.last), block(&s.text)) else {
            return;
        };
        let Some(o) = out[at..].first_chunk_mut::<BLOCK>() else { return };
        // SAFETY: AVX2 (this function's features); register-only. (Safe to
        // call here since Rust 1.87, not in 1.80: the block is for the MSRV.)
        #[allow(unused_unsafe)]
        let v = unsafe {
            _mm256_or_si256(
                _mm256_or_si256(_mm256_shuffle_epi8(first, from_first), _mm256_shuffle_epi8(last, from_last)),
                text,
            )
        };
        // SAFETY: writes exactly the 32 bytes of a 32-byte array (no alignment needed).
        unsafe { _mm256_storeu_si256(o.as_mut_ptr().cast::<__m256i>(), v) };
    }
}

/// Bytes [`Permute::apply`] writes: four blocks of 64.
pub const PERMUTE_OUT: usize = 256;

/// The longest line a [`Permute`] reads: two blocks of 64.
pub const PERMUTE_LINE: usize = 128;

/// A text of up to [`PERMUTE_OUT`] bytes made of fixed bytes and bytes of
/// a line of up to [`PERMUTE_LINE`] bytes, each at a place fixed when it is
/// built, written in one pass of byte permutes over the whole line
/// (AVX-512 VBMI where the CPU has it and the build is Rust 1.89 or newer;
/// else byte by byte: [`Permute::apply_scalar`], the reference). What
/// [`Shuffle`] is for lines of 16 to 32 bytes, for longer ones: the CLI's
/// `decode --raw` builds one per layout and pattern of blanks
/// ([`Permute::plain_blanks`]: values trimmed to the same lengths) and
/// writes the lines of that pattern with it.
///
/// ```
/// use eindkomst_core::{Permute, Piece, PERMUTE_OUT};
/// let line = b"0000004600000000000831057380  M-0001   ";
/// let pieces = [Piece::Text(b"["), Piece::Line { start: 30, len: 6 }, Piece::Text(b"|"), Piece::Line { start: 7, len: 4 }, Piece::Text(b"]")];
/// let (permute, len) = Permute::new(line.len(), &pieces).unwrap();
/// let mut out = [0u8; PERMUTE_OUT];
/// permute.apply(line, &mut out);
/// assert_eq!(&out[..len], b"[M-0001|6000]");
/// ```
#[derive(Clone, Debug)]
pub struct Permute {
    /// The line's length.
    len: usize,
    /// Per byte written: the byte of the line it is (when it is one).
    index: [u8; PERMUTE_OUT],
    /// Per block of 64 bytes written: a bit for each byte that is the line's.
    from_line: [u64; PERMUTE_OUT / 64],
    /// The fixed bytes (0 where a byte of the line goes).
    text: [u8; PERMUTE_OUT],
}

impl Permute {
    /// The permute that writes `pieces` in turn for lines of `len` bytes,
    /// and how many bytes it writes. `None`: `len` is over
    /// [`PERMUTE_LINE`], a piece lies outside the line, or the text is
    /// longer than [`PERMUTE_OUT`].
    pub fn new(len: usize, pieces: &[Piece<'_>]) -> Option<(Permute, usize)> {
        if len > PERMUTE_LINE {
            return None;
        }
        let mut p = Permute { len, index: [0; PERMUTE_OUT], from_line: [0; PERMUTE_OUT / 64], text: [0; PERMUTE_OUT] };
        let mut at = 0;
        for piece in pieces {
            match *piece {
                Piece::Text(bytes) => {
                    p.text.get_mut(at..at + bytes.len())?.copy_from_slice(bytes);
                    at += bytes.len();
                }
                Piece::Line { start, len: n } => {
                    let (start, n) = (start as usize, n as usize);
                    if start + n > len || at + n > PERMUTE_OUT {
                        return None;
                    }
                    for (i, q) in (at..at + n).zip(start..) {
                        p.index[i] = q as u8;
                        p.from_line[i / 64] |= 1 << (i % 64);
                    }
                    at += n;
                }
            }
        }
        Some((p, at))
    }

    /// Whether [`Permute::apply`] and [`Permute::plain_blanks`] run as byte
    /// permutes on this CPU (x86-64 with AVX-512 F, BW and VBMI, in a build
    /// of Rust 1.89 or newer): else they go byte by byte, slower than a
    /// writer's own copies, so a writer asks first.
    ///
    /// ```
    /// # #[cfg(target_arch = "x86_64")]
    /// assert_eq!(
    ///     eindkomst_core::Permute::vectorised(),
    ///     ["avx512f", "avx512bw", "avx512vbmi"].iter().all(|f| match *f {
    ///         "avx512f" => std::arch::is_x86_feature_detected!("avx512f"),
    ///         "avx512bw" => std::arch::is_x86_feature_detected!("avx512bw"),
    ///         _ => std::arch::is_x86_feature_detected!("avx512vbmi"),
    ///     })
    /// );
    /// ```
    #[inline(always)]
    pub fn vectorised() -> bool {
        #[cfg(all(target_arch = "x86_64", not(miri)))]
        return avx512::vbmi();
        #[cfg(not(all(target_arch = "x86_64", not(miri))))]
        false
    }

    /// Writes the text for `line` (of the length the permute is for; any
    /// other line: nothing) into `out`: its first bytes are the text, the
    /// rest zeros.
    #[inline(always)]
    pub fn apply(&self, line: &[u8], out: &mut [u8; PERMUTE_OUT]) {
        if line.len() != self.len {
            return;
        }
        #[cfg(all(target_arch = "x86_64", not(miri)))]
        if avx512::permute(self, line, out) {
            return;
        }
        self.apply_scalar(line, out);
    }

    /// [`Permute::apply`] byte by byte: the reference (other CPUs, Miri).
    pub fn apply_scalar(&self, line: &[u8], out: &mut [u8; PERMUTE_OUT]) {
        for (i, o) in out.iter_mut().enumerate() {
            let from_line = self.from_line[i / 64] >> (i % 64) & 1 == 1;
            let byte = if from_line { line.get(self.index[i] as usize).copied().unwrap_or(0) } else { 0 };
            *o = self.text[i] | byte;
        }
    }

    /// Whether `line` (up to [`PERMUTE_LINE`] bytes) goes into a JSON
    /// string as it stands (every byte 0x20-0x7F, none `"` or `\`), and if
    /// so which of its bytes are blanks: bit `i` for `line[i]`. `None`: not
    /// plain, or longer. Lines with the same blanks have values trimmed to
    /// the same lengths, so one [`Permute`] writes them all.
    ///
    /// ```
    /// use eindkomst_core::Permute;
    /// assert_eq!(Permute::plain_blanks(b"M-0001    X     0"), Some(0b0_1111_1011_1100_0000));
    /// assert_eq!(Permute::plain_blanks(b"say \"hi\""), None);
    /// assert_eq!(Permute::plain_blanks(&[b' '; 129]), None);
    /// ```
    #[inline(always)]
    pub fn plain_blanks(line: &[u8]) -> Option<u128> {
        #[cfg(all(target_arch = "x86_64", not(miri)))]
        if let Some(found) = avx512::plain_blanks(line) {
            return found;
        }
        Self::plain_blanks_scalar(line)
    }

    /// [`Permute::plain_blanks`] byte by byte: the reference.
    pub fn plain_blanks_scalar(line: &[u8]) -> Option<u128> {
        if line.len() > PERMUTE_LINE {
            return None;
        }
        let mut blanks = 0u128;
        for (i, &b) in line.iter().enumerate() {
            if !(0x20..0x80).contains(&b) || b == b'"' || b == b'\\' {
                return None;
            }
            blanks |= u128::from(b == b' ') << i;
        }
        Some(blanks)
    }
}

/// [`Permute`] in AVX-512: its intrinsics are stable since Rust 1.89, so
/// a build by an older compiler (the core's MSRV is 1.80) has the byte-by-byte
/// reference only.
#[cfg(all(target_arch = "x86_64", not(miri)))]
#[allow(unused_imports)] // not all of them before Rust 1.89
mod avx512 {
    use super::{Permute, PERMUTE_LINE, PERMUTE_OUT};

    /// The CPU has AVX-512 F, BW and VBMI (CPUID, and XGETBV for the OS's
    /// saving of the ZMM registers, by `cpufeatures`).
    #[rustversion::since(1.89)]
    #[inline(always)]
    pub fn vbmi() -> bool {
        cpufeatures::new!(cpu_vbmi, "avx512f", "avx512bw", "avx512vbmi");
        cpu_vbmi::get()
    }

    #[rustversion::before(1.89)]
    #[inline(always)]
    pub fn vbmi() -> bool {
        false
    }

    /// [`Permute::apply`] where the CPU has VBMI (`line` of the permute's
    /// length); false: not done here.
    #[rustversion::since(1.89)]
    #[inline(always)]
    pub fn permute(p: &Permute, line: &[u8], out: &mut [u8; PERMUTE_OUT]) -> bool {
        if !vbmi() || line.len() > PERMUTE_LINE {
            return false;
        }
        // SAFETY: the CPU has AVX-512 F, BW and VBMI (`vbmi`); the line is
        // at most 128 bytes (asked above).
        unsafe { permute_vbmi(p, line, out) };
        true
    }

    #[rustversion::before(1.89)]
    #[inline(always)]
    pub fn permute(_: &Permute, _: &[u8], _: &mut [u8; PERMUTE_OUT]) -> bool {
        false
    }

    /// [`Permute::plain_blanks`] where the CPU has VBMI; `None`: not done here.
    #[rustversion::since(1.89)]
    #[inline(always)]
    pub fn plain_blanks(line: &[u8]) -> Option<Option<u128>> {
        if !vbmi() {
            return None;
        }
        if line.len() > PERMUTE_LINE {
            return Some(None);
        }
        // SAFETY: as in `permute`.
        Some(unsafe { plain_blanks_vbmi(line) })
    }

    #[rustversion::before(1.89)]
    #[inline(always)]
    pub fn plain_blanks(_: &[u8]) -> Option<Option<u128>> {
        None
    }

    /// The line in two registers of 64 bytes, zeros past its end, and
    /// their masks of the line's bytes: masked loads, which read no byte
    /// outside the line.
    ///
    /// # Safety
    /// The CPU must have AVX-512 F and BW; `line` at most 128 bytes.
    #[rustversion::since(1.89)]
    #[target_feature(enable = "avx512f,avx512bw")]
    #[inline]
    unsafe fn load_line(line: &[u8]) -> ([core::arch::x86_64::__m512i; 2], [u64; 2]) {
        use core::arch::x86_64::*;
        let bytes = |n: usize| if n >= 64 { u64::MAX } else { (1u64 << n) - 1 };
        let (lo, hi) = (bytes(line.len()), bytes(line.len().saturating_sub(64)));
        let at = line.as_ptr().cast::<i8>();
        // SAFETY: a masked load touches only the bytes whose mask bit is
        // set: the line's first `min(len, 64)` bytes, then its bytes from
        // 64 on (none for a shorter line; the pointer is not read then).
        let loaded = unsafe { [_mm512_maskz_loadu_epi8(lo, at), _mm512_maskz_loadu_epi8(hi, at.wrapping_add(64))] };
        (loaded, [lo, hi])
    }

    /// # Safety
    /// The CPU must have AVX-512 F, BW and VBMI; `line` at most 128 bytes.
    #[rustversion::since(1.89)]
    #[target_feature(enable = "avx512f,avx512bw,avx512vbmi")]
    #[inline]
    unsafe fn permute_vbmi(p: &Permute, line: &[u8], out: &mut [u8; PERMUTE_OUT]) {
        use core::arch::x86_64::*;
        const BLOCK: usize = 64;
        // SAFETY: this function's features; `line` at most 128 bytes (the caller's promise).
        let ([a, b], _) = unsafe { load_line(line) };
        let load = |bytes: &[u8; BLOCK]| {
            // SAFETY: reads exactly the 64 bytes of a 64-byte array (no alignment needed).
            unsafe { _mm512_loadu_si512(bytes.as_ptr().cast::<__m512i>()) }
        };
        for (k, at) in (0..PERMUTE_OUT).step_by(BLOCK).enumerate() {
            let block = |a: &[u8; PERMUTE_OUT]| a[at..].first_chunk::<BLOCK>().map(load);
            let (Some(index), Some(text), Some(&from_line)) = (block(&p.index), block(&p.text), p.from_line.get(k))
            else {
                return;
            };
            let Some(o) = out[at..].first_chunk_mut::<BLOCK>() else { return };
            // An index picks from the first 64 bytes (bit 6 clear) or the next 64.
            let v = _mm512_or_si512(_mm512_maskz_permutex2var_epi8(from_line, a, index, b), text);
            // SAFETY: writes exactly the 64 bytes of a 64-byte array (no alignment needed).
            unsafe { _mm512_storeu_si512(o.as_mut_ptr().cast::<__m512i>(), v) };
        }
    }

    /// # Safety
    /// The CPU must have AVX-512 F and BW; `line` at most 128 bytes.
    #[rustversion::since(1.89)]
    #[target_feature(enable = "avx512f,avx512bw")]
    #[inline]
    unsafe fn plain_blanks_vbmi(line: &[u8]) -> Option<u128> {
        use core::arch::x86_64::*;
        // SAFETY: this function's features; `line` at most 128 bytes (the caller's promise).
        let (loaded, in_line) = unsafe { load_line(line) };
        let (mut blanks, mut bad) = (0u128, 0u64);
        let byte = |b: u8| _mm512_set1_epi8(b as i8);
        for (k, (v, in_line)) in loaded.into_iter().zip(in_line).enumerate() {
            // Below 0x20 (past the line's end every byte is 0: not asked),
            // 0x80 or above (the sign bit), a quote, a backslash.
            bad |= _mm512_mask_cmplt_epu8_mask(in_line, v, byte(0x20))
                | _mm512_movepi8_mask(v)
                | _mm512_cmpeq_epi8_mask(v, byte(b'"'))
                | _mm512_cmpeq_epi8_mask(v, byte(b'\\'));
            blanks |= u128::from(_mm512_cmpeq_epi8_mask(v, byte(b' '))) << (64 * k);
        }
        (bad == 0).then_some(blanks)
    }
}

/// Runs `f` compiled for the wider instruction set of most x86-64 CPUs
/// since 2013 when this CPU has it (AVX2, BMI1/2, FMA, POPCNT, SSE4.2:
/// x86-64-v3 less LZCNT, MOVBE and F16C, which `cpufeatures` does not
/// ask), else as built; on other targets and under Miri, as built. The
/// same source either way, so the same results (the batch tests and the
/// fuzz target `decode_split` compare the two): what `f` inlines is
/// compiled twice, and the compiler's choice of instructions for it is
/// wider (`validate`: 224 → 210 instructions a record, 2026-12-04). Only
/// what is inlined into `f` gains: mark a closure that calls the batch
/// loop (itself `#[inline(always)]`) `#[inline(always)]`, and the
/// per-record closure handed to it too when it does real work (the CLI's
/// `--raw` writer: 628 → 617 instructions a record; else it stays a call
/// into the build as built).
///
/// ```
/// use eindkomst_core::{on_this_cpu, testing::SAMPLE, Decoder, Event};
/// let (mut dec, mut input, mut records) = (Decoder::default(), SAMPLE, 0);
/// loop {
///     // The batch loop in the wider build; its other events as they come.
///     let (event, used) = on_this_cpu(
///         #[inline(always)]
///         || dec.decode_records(input, #[inline(always)] |_record| records += 1),
///     );
///     input = &input[used..];
///     match event {
///         Event::Record(_) => records += 1,
///         Event::NeedInput => break,
///         _ => {}
///     }
/// }
/// while dec.finish() != Event::End {}
/// assert_eq!(records, 27);
/// ```
#[inline(always)]
pub fn on_this_cpu<R>(f: impl FnOnce() -> R) -> R {
    #[cfg(all(target_arch = "x86_64", not(miri)))]
    {
        cpufeatures::new!(
            x86_64_v3, "avx", "avx2", "bmi1", "bmi2", "fma", "popcnt", "sse3", "ssse3", "sse4.1", "sse4.2"
        );
        /// # Safety
        /// The CPU must have every feature it is compiled for. (`unsafe`
        /// as Rust 1.80, the MSRV, asks of a function with target features.)
        #[target_feature(enable = "avx,avx2,bmi1,bmi2,fma,popcnt,sse3,ssse3,sse4.1,sse4.2")]
        unsafe fn wide<R>(f: impl FnOnce() -> R) -> R {
            f()
        }
        if x86_64_v3::get() {
            // SAFETY: the CPU has every feature `wide` is compiled for
            // (CPUID, and XGETBV for the OS's saving of the YMM registers:
            // `cpufeatures`).
            return unsafe { wide(f) };
        }
    }
    f()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg_attr(miri, ignore = "under Miri both sides are the scalar twin")]
    fn sixteen_digits_agree_with_the_scalar_twin_on_every_byte_at_every_place() {
        let mut digits = *b"9876543210123456";
        assert_eq!(sixteen_digits(&digits), Some(9_876_543_210_123_456));
        assert_eq!(sixteen_digits(b"0000000000000000"), Some(0));
        assert_eq!(sixteen_digits(b"9999999999999999"), Some(9_999_999_999_999_999));
        assert_eq!(sixteen_digits(b"0000049784560000"), Some(49_784_560_000));
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..10_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let n = x % 10_000_000_000_000_000;
            let mut text = [0u8; LANES];
            text.iter_mut().rev().fold(n, |n, b| {
                *b = b'0' + (n % 10) as u8;
                n / 10
            });
            assert_eq!(sixteen_digits(&text), Some(n), "{n}");
        }
        for pos in 0..LANES {
            for b in 0..=255u8 {
                let kept = digits[pos];
                digits[pos] = b;
                let want = crate::field::sixteen_digits_swar(&digits);
                assert_eq!(want.is_some(), b.is_ascii_digit(), "byte {b:#x} at {pos}");
                assert_eq!(sixteen_digits(&digits), want, "byte {b:#x} at {pos}");
                digits[pos] = kept;
            }
        }
    }

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

    /// The text of `pieces` for `line`, written out piece by piece: what a
    /// [`Shuffle`] must write.
    fn spliced(line: &[u8], pieces: &[Piece<'_>]) -> std::vec::Vec<u8> {
        let mut out = std::vec::Vec::new();
        for piece in pieces {
            match *piece {
                Piece::Text(t) => out.extend_from_slice(t),
                Piece::Line { start, len } => out.extend_from_slice(&line[start as usize..(start + len) as usize]),
            }
        }
        out
    }

    /// Checks a writer of pieces (a [`Shuffle`] or a [`Permute`]) on lines
    /// of `lens`: for each, the pieces of each byte of the line on its own,
    /// then `rounds` of generated pieces. `write` builds the writer for a
    /// line's length and pieces and returns what it writes with its vector
    /// code and with its scalar twin (`None`: refused); both must be the
    /// pieces' text, then zeros, and a refusal must be of a text too long
    /// for `OUT`. Returns the cases written.
    fn writes_the_pieces_text<const OUT: usize>(
        lens: &[usize],
        rounds: usize,
        write: impl Fn(&[u8], &[Piece<'_>]) -> Option<(usize, [u8; OUT], [u8; OUT])>,
    ) -> usize {
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = |n: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % n
        };
        let mut checked = 0;
        for &len in lens {
            let line: std::vec::Vec<u8> = (0..len).map(|i| 0x21 + (i % 90) as u8).collect();
            let one_each: std::vec::Vec<Piece<'_>> =
                (0..len as u16).rev().flat_map(|p| [Piece::Line { start: p, len: 1 }, Piece::Text(b"-")]).collect();
            let mut cases = std::vec![one_each];
            for _ in 0..rounds {
                let mut pieces = std::vec::Vec::new();
                while pieces.len() < 12 {
                    let start = next(len as u64 + 1) as u16;
                    let n = next(len as u64 - start as u64 + 1) as u16;
                    pieces.push(Piece::Line { start, len: n });
                    pieces.push(Piece::Text(&b"\",\"17\":\""[..next(8) as usize]));
                }
                cases.push(pieces);
            }
            for pieces in &cases {
                let want = spliced(&line, pieces);
                let Some((n, fast, reference)) = write(&line, pieces) else {
                    assert!(want.len() > OUT, "{len}: {pieces:?}");
                    continue;
                };
                assert_eq!(fast, reference, "{len}: {pieces:?}");
                assert_eq!((n, &fast[..n]), (want.len(), &want[..]), "{len}: {pieces:?}");
                assert!(fast[n..].iter().all(|&b| b == 0), "{len}: {pieces:?}");
                checked += 1;
            }
        }
        checked
    }

    /// [`Shuffle`] (AVX2 where the CPU has it) and its scalar twin write
    /// the pieces' text for every line length it takes; and it refuses
    /// what does not fit.
    #[test]
    fn shuffle_writes_the_pieces_text() {
        let lens: std::vec::Vec<usize> = (LANES..=2 * LANES).collect();
        let checked = writes_the_pieces_text::<SHUFFLE_OUT>(&lens, if cfg!(miri) { 3 } else { 300 }, |line, pieces| {
            let (shuffle, n) = Shuffle::new(line.len(), pieces)?;
            let (mut fast, mut reference) = ([0xEEu8; SHUFFLE_OUT], [0xEEu8; SHUFFLE_OUT]);
            shuffle.apply(line, &mut fast);
            shuffle.apply_scalar(line.first_chunk()?, line.last_chunk()?, &mut reference);
            Some((n, fast, reference))
        });
        assert!(checked > (if cfg!(miri) { 40 } else { 4_000 }), "{checked}");
        // Refused: lines of another length, pieces outside the line, a text too long.
        let line = Piece::Line { start: 0, len: 16 };
        assert!(Shuffle::new(15, &[]).is_none() && Shuffle::new(33, &[]).is_none());
        assert!(Shuffle::new(20, &[Piece::Line { start: 10, len: 11 }]).is_none());
        assert!(Shuffle::new(16, &[line; 8]).is_some() && Shuffle::new(16, &[line; 9]).is_none());
        assert!(Shuffle::new(16, &[Piece::Text(&[b'x'; SHUFFLE_OUT + 1])]).is_none());
        // A line of another length than the shuffle's: nothing written.
        let (shuffle, _) = Shuffle::new(20, &[line]).unwrap();
        let mut out = [0xEEu8; SHUFFLE_OUT];
        shuffle.apply(&[b'a'; 21], &mut out);
        assert!(out.iter().all(|&b| b == 0xEE));
    }

    /// [`Permute`] (AVX-512 VBMI where the CPU has it) and its scalar twin
    /// write the pieces' text for lines of 0 to 128 bytes; and it refuses
    /// what does not fit.
    #[test]
    fn permute_writes_the_pieces_text() {
        let (lens, rounds): (std::vec::Vec<usize>, usize) =
            if cfg!(miri) { ([0, 1, 63, 64, 65, 128].into(), 2) } else { ((0..=PERMUTE_LINE).collect(), 40) };
        let checked = writes_the_pieces_text::<PERMUTE_OUT>(&lens, rounds, |line, pieces| {
            let (permute, n) = Permute::new(line.len(), pieces)?;
            let (mut fast, mut reference) = ([0xEEu8; PERMUTE_OUT], [0xEEu8; PERMUTE_OUT]);
            permute.apply(line, &mut fast);
            permute.apply_scalar(line, &mut reference);
            Some((n, fast, reference))
        });
        assert!(checked > (if cfg!(miri) { 10 } else { 4_000 }), "{checked}");
        // Refused: a line too long, pieces outside the line, a text too long.
        let line = Piece::Line { start: 0, len: 64 };
        assert!(Permute::new(PERMUTE_LINE + 1, &[]).is_none());
        assert!(Permute::new(20, &[Piece::Line { start: 10, len: 11 }]).is_none());
        assert!(Permute::new(64, &[line; 4]).is_some() && Permute::new(64, &[line; 5]).is_none());
        assert!(Permute::new(16, &[Piece::Text(&[b'x'; PERMUTE_OUT + 1])]).is_none());
        // A line of another length than the permute's: nothing written.
        let (permute, _) = Permute::new(64, &[line]).unwrap();
        let mut out = [0xEEu8; PERMUTE_OUT];
        permute.apply(&[b'a'; 65], &mut out);
        assert!(out.iter().all(|&b| b == 0xEE));
    }

    /// [`Permute::plain_blanks`] against its reference: every byte value at
    /// the first, a middle and the last place of lines of 0 to 129 bytes
    /// (the blanks, and the refusals: control bytes, 0x80 up, quotes,
    /// backslashes, a line too long).
    #[test]
    fn plain_blanks_agrees_with_its_reference() {
        let (lens, bytes): (std::vec::Vec<usize>, std::vec::Vec<u8>) = if cfg!(miri) {
            ([1, 65, 129].into(), [0, 0x1F, b' ', b'"', b'0', b'\\', 0x7F, 0x80, 0xFF].into())
        } else {
            ((0..=PERMUTE_LINE + 1).collect(), (0..=255).collect())
        };
        let is_plain = |b: u8| (0x20..0x80).contains(&b) && b != b'"' && b != b'\\';
        let (mut plain, mut places, mut checked) = (0, 0, 0);
        for &len in &lens {
            let base: std::vec::Vec<u8> =
                (0..len).map(|i| if i % 3 == 0 { b' ' } else { b'0' + (i % 10) as u8 }).collect();
            for place in [0, len / 2, len.saturating_sub(1)].into_iter().filter(|&p| p < len) {
                places += usize::from(len <= PERMUTE_LINE);
                for &b in &bytes {
                    let mut line = base.clone();
                    line[place] = b;
                    let want = Permute::plain_blanks_scalar(&line);
                    assert_eq!(Permute::plain_blanks(&line), want, "{len} {place} {b:#x}");
                    if let Some(blanks) = want {
                        let bytewise = line.iter().enumerate().fold(0u128, |m, (i, &c)| m | u128::from(c == b' ') << i);
                        assert_eq!(blanks, bytewise, "{len} {place} {b:#x}");
                        plain += 1;
                    }
                    checked += 1;
                }
            }
        }
        // Of the bytes at each place of a line short enough, the plain ones
        // (0x20-0x7F less `"` and `\`: 94 of all 256).
        assert_eq!(plain, bytes.iter().filter(|&&b| is_plain(b)).count() * places);
        assert!(checked > (if cfg!(miri) { 60 } else { 90_000 }), "{checked}");
        assert_eq!(Permute::plain_blanks(&[]), Some(0));
    }

    /// [`json_text`] against its reference: every byte at the first, a
    /// middle and the last place of lines of 0 to 40 bytes and of 95 (the
    /// overlapping last block, and the byte-by-byte short ones).
    #[test]
    fn json_text_agrees_with_its_reference() {
        let lens: &[usize] = if cfg!(miri) { &[0, 5, 16, 17, 33] } else { &[0, 1, 5, 15, 16, 17, 31, 32, 33, 40, 95] };
        let (mut plain, mut unpadded, mut checked) = (0, 0, 0);
        let step = if cfg!(miri) { 7 } else { 1 };
        for &len in lens {
            for b in (0..=255u8).step_by(step).chain([b'"', b'\\', b' ', 0x1F, 0x7F, 0x80]) {
                for at in [0, len / 2, len.saturating_sub(1)] {
                    let mut bytes = std::vec![b'a'; len];
                    if let Some(x) = bytes.get_mut(at) {
                        *x = b;
                    }
                    let want = json_text_scalar(&bytes);
                    assert_eq!(json_text(&bytes), want, "byte {b:#x} at {at} of {len}");
                    assert_eq!(json_plain(&bytes), want.0);
                    assert_eq!(want.0, len == 0 || ((0x20..0x80).contains(&b) && b != b'"' && b != b'\\'));
                    assert_eq!(want.1, want.0 && (len == 0 || b != b' '));
                    (plain, unpadded, checked) = (plain + want.0 as u32, unpadded + want.1 as u32, checked + 1);
                }
            }
        }
        assert!(unpadded > 0 && unpadded < plain && plain < checked);
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
                    let r = Range { lo, span, alt, full_alt };
                    let mut fit = Fit::new();
                    fit.add::<false>(&bytes, &r);
                    let want = fit_scalar::<false>(&bytes, &r);
                    assert_eq!((fit.given(), fit.full()), want, "byte {b:#x} shape {l} {s} {a} at {pos}");
                    // Blocks accumulate: a block that fits, before and after, changes no verdict.
                    let clean =
                        Range { lo: [b'0'; LANES], span: [9; LANES], alt: [b'0'; LANES], full_alt: [b'0'; LANES] };
                    let (mut before, mut after) = (Fit::new(), fit);
                    before.add::<false>(&[b'7'; LANES], &clean);
                    before.add::<false>(&bytes, &r);
                    after.add::<false>(&[b'7'; LANES], &clean);
                    assert_eq!([(before.given(), before.full()), (after.given(), after.full())], [want; 2]);
                    assert_eq!(want, (b.wrapping_sub(l) <= s || b == a, b.wrapping_sub(l) <= s || b == l));
                    // With ISO-8859-1 letters: the text shape also takes 0xA0 and up, no other shape more.
                    let mut latin1 = Fit::new();
                    latin1.add::<true>(&bytes, &r);
                    let want = fit_scalar::<true>(&bytes, &r);
                    assert_eq!((latin1.given(), latin1.full()), want, "latin1: byte {b:#x} shape {l} {s} {a} at {pos}");
                    let letter = (l, s) == TEXT && b >= 0xA0;
                    let inside = b.wrapping_sub(l) <= s || letter;
                    assert_eq!(want, (inside || b == a, inside || b == l));
                }
            }
        }
    }

    #[test]
    #[cfg_attr(miri, ignore = "under Miri both sides are the scalar twin")]
    fn marks_vector_and_scalar_agree_on_every_byte() {
        for b in 0..=255u8 {
            for pos in 0..LANES {
                let mut bytes = [b' '; LANES];
                bytes[(pos + 5) % LANES] = b'0';
                bytes[pos] = b;
                assert_eq!(marks(&bytes), marks_scalar(&bytes), "byte {b:#x} at {pos}");
            }
        }
    }

    #[test]
    fn scalar_marks_match_the_byte_rules() {
        let (blank, given) = marks_scalar(b"0 0 x  00  A0  0");
        assert_eq!((blank, given), (0b0110_0110_0110_1010, 0b0000_1000_0001_0000));
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
