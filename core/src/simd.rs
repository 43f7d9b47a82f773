//! The bulk check of one 16-byte block in vector registers: SSE2, which
//! every x86-64 processor has, so no run-time detection is needed. This is
//! the crate's only `unsafe` code; [`scalar`] is its reference twin (used
//! on other targets and under Miri), and the test below and the fuzz target
//! `decode_split` check that both agree on every byte and class.
//!
//! A block's result is one byte of bits: 1 a byte is not ISO-8859-1
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
#[inline(always)]
pub(crate) fn block(b: &[u8; LANES], c: &[u8; LANES]) -> u8 {
    #[cfg(all(target_arch = "x86_64", not(miri)))]
    {
        sse2(b, c)
    }
    #[cfg(not(all(target_arch = "x86_64", not(miri))))]
    {
        scalar(b, c)
    }
}

#[cfg(all(target_arch = "x86_64", not(miri)))]
#[inline(always)]
fn sse2(b: &[u8; LANES], c: &[u8; LANES]) -> u8 {
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
        let any = |m: __m128i| (_mm_movemask_epi8(m) != 0) as u8;
        any(unprintable) | any(strict) << 1 | any(fast) << 2 | any(not_sign) << 3 | any(v) << 7
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
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
