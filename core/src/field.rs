//! Field values and their parsers (built with `nom`).
//!
//! Numbers are exact integers; amounts are [`Decimal`]s (an integer of units
//! and a scale), never floating point. Text stays ISO-8859-1 bytes; use
//! [`latin1_to_utf8`] to write it as UTF-8 into a caller's buffer.

use core::fmt;
use nom::bytes::complete::take_while_m_n;
use nom::combinator::{all_consuming, map_opt};
use nom::{IResult, Parser};

/// A calendar date (`YYYYMMDD` in the record).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Year, four digits.
    pub year: u16,
    /// Month 1-12.
    pub month: u8,
    /// Day 1-31, valid for the month.
    pub day: u8,
}

impl Date {
    /// A checked date.
    pub fn new(year: u16, month: u8, day: u8) -> Option<Date> {
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (day >= 1 && day <= days).then_some(Date { year, month, day })
    }

    /// The date as the number `YYYYMMDD` (orders like the date).
    pub fn yyyymmdd(&self) -> u32 {
        self.year as u32 * 10_000 + self.month as u32 * 100 + self.day as u32
    }

    /// Its ISO 8601 text (`2024-01-31`, as [`Display`](fmt::Display)
    /// writes it) handed to `put` in pieces: no formatter (typed `decode`
    /// writes it straight into its output).
    ///
    /// ```
    /// use eindkomst_core::field::Date;
    /// let mut text = String::new();
    /// Date { year: 2024, month: 1, day: 31 }.pieces(|s| Ok::<_, ()>(text.push_str(s))).unwrap();
    /// assert_eq!(text, "2024-01-31");
    /// ```
    pub fn pieces<E>(&self, put: impl FnMut(&str) -> Result<(), E>) -> Result<(), E> {
        three_parts([(self.year, 4), (self.month.into(), 2), (self.day.into(), 2)], "-", put)
    }
}

impl fmt::Display for Date {
    /// ISO 8601: `2024-01-31`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.pieces(|s| f.write_str(s))
    }
}

/// Three numbers, each with zeros in front up to its width, `between` them.
fn three_parts<E>(
    parts: [(u16, usize); 3],
    between: &str,
    mut put: impl FnMut(&str) -> Result<(), E>,
) -> Result<(), E> {
    for (i, (n, width)) in parts.into_iter().enumerate() {
        if i > 0 {
            put(between)?;
        }
        padded(n.into(), width, &mut put)?;
    }
    Ok(())
}

/// `n` in decimal, zeros in front up to `width` digits, handed to `put`.
fn padded<E>(n: u64, width: usize, put: &mut impl FnMut(&str) -> Result<(), E>) -> Result<(), E> {
    const ZEROS: &str = "00000000000000000000000000000000";
    let mut digits = itoa::Buffer::new();
    let digits = digits.format(n);
    let mut zeros = width.saturating_sub(digits.len());
    while zeros > 0 {
        let n = zeros.min(ZEROS.len());
        put(&ZEROS[..n])?;
        zeros -= n;
    }
    put(digits)
}

/// A time of day (`HHMMSS`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Time {
    /// 0-23.
    pub hour: u8,
    /// 0-59.
    pub minute: u8,
    /// 0-59.
    pub second: u8,
}

impl Time {
    /// Its text (`13:45:00`, as [`Display`](fmt::Display) writes it)
    /// handed to `put` in pieces, like [`Date::pieces`].
    ///
    /// ```
    /// use eindkomst_core::field::Time;
    /// let mut text = String::new();
    /// Time { hour: 13, minute: 45, second: 0 }.pieces(|s| Ok::<_, ()>(text.push_str(s))).unwrap();
    /// assert_eq!(text, "13:45:00");
    /// ```
    pub fn pieces<E>(&self, put: impl FnMut(&str) -> Result<(), E>) -> Result<(), E> {
        three_parts([(self.hour.into(), 2), (self.minute.into(), 2), (self.second.into(), 2)], ":", put)
    }
}

impl fmt::Display for Time {
    /// `13:45:00`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.pieces(|s| f.write_str(s))
    }
}

/// An exact decimal number: `units / 10^scale`.
///
/// ```
/// use eindkomst_core::field::Decimal;
/// let d = Decimal { units: -1_234_560_000, scale: 6 };
/// assert_eq!(d.ore(), Some(-123_456));
/// assert_eq!(format!("{d}"), "-1234.56");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Decimal {
    /// The digits as an integer, with the sign applied.
    pub units: i64,
    /// Number of decimal digits.
    pub scale: u8,
}

impl Decimal {
    /// The value in hundredths (øre for amounts), if it has no finer digits.
    pub fn ore(&self) -> Option<i64> {
        if self.scale <= 2 {
            return self.units.checked_mul(10i64.pow(2 - self.scale as u32));
        }
        let div = 10i64.pow(self.scale as u32 - 2);
        (self.units % div == 0).then_some(self.units / div)
    }

    /// Its text (as [`Display`](fmt::Display) writes it: the shortest
    /// exact form with at least two decimals) handed to `put` in pieces,
    /// like [`Date::pieces`].
    ///
    /// ```
    /// use eindkomst_core::field::Decimal;
    /// let mut text = String::new();
    /// Decimal { units: -50_000, scale: 5 }.pieces(|s| Ok::<_, ()>(text.push_str(s))).unwrap();
    /// assert_eq!(text, "-0.50");
    /// ```
    pub fn pieces<E>(&self, mut put: impl FnMut(&str) -> Result<(), E>) -> Result<(), E> {
        let abs = self.units.unsigned_abs();
        if self.units < 0 {
            put("-")?;
        }
        if self.scale == 0 {
            return padded(abs, 0, &mut put);
        }
        // A scale past 10^19 leaves every digit a decimal.
        let (int, mut frac) = match 10u64.checked_pow(self.scale.into()) {
            Some(div) => (abs / div, abs % div),
            None => (0, abs),
        };
        let mut digits = self.scale as usize;
        while digits > 2 && frac % 10 == 0 {
            frac /= 10;
            digits -= 1;
        }
        padded(int, 0, &mut put)?;
        put(".")?;
        padded(frac, digits, &mut put)
    }
}

impl fmt::Display for Decimal {
    /// Shortest exact form with at least two decimals: `1234.56`, `-0.50`, `789.123`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.pieces(|s| f.write_str(s))
    }
}

/// A decoded field value. Text borrows the record's bytes (ISO-8859-1, trimmed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Value<'a> {
    /// All blanks (or, for optional dates, all zeros): not given.
    Absent,
    /// Alphanumeric text, blanks trimmed on both sides, ISO-8859-1.
    Text(&'a [u8]),
    /// A plain numeric field.
    Number(u64),
    /// A `YYYYMMDD` field.
    Date(Date),
    /// An `HHMMSS` field.
    Time(Time),
    /// An amount or quantity with its sign applied.
    Decimal(Decimal),
}

fn digits(n: usize) -> impl Fn(&[u8]) -> IResult<&[u8], u64> {
    move |input| {
        map_opt(take_while_m_n(n, n, |b: u8| b.is_ascii_digit()), |d: &[u8]| {
            d.iter().try_fold(0u64, |acc, &b| acc.checked_mul(10)?.checked_add((b - b'0') as u64))
        })
        .parse(input)
    }
}

/// Parses a numeric field of any length (1-19 digits) to an integer.
///
/// ```
/// use eindkomst_core::field::parse_number;
/// assert_eq!(parse_number(b"0000049784560000"), Some(49_784_560_000));
/// assert_eq!(parse_number(b"9999999999999999999"), Some(9_999_999_999_999_999_999));
/// assert_eq!(parse_number(b"99999999999999999999"), None); // over u64
/// assert_eq!(parse_number(b"12 4"), None);
/// ```
#[inline(always)]
pub fn parse_number(bytes: &[u8]) -> Option<u64> {
    if bytes.len() > 19 {
        return parse_long_number(bytes);
    }
    // Amounts are 16 digits, read for every amount record: one vector.
    if let Ok(sixteen) = <&[u8; 16]>::try_from(bytes) {
        return crate::simd::sixteen_digits(sixteen);
    }
    // 19 digits cannot overflow: no check per byte, one branch at the end:
    // eight digits at a time as one word, then the rest one by one.
    let (mut n, mut rest) = (0u64, bytes);
    while let Some((w, tail)) = rest.split_first_chunk::<8>() {
        let w = u64::from_le_bytes(*w);
        n = n * 100_000_000 + all_digits(w).then(|| eight_value(w))?;
        rest = tail;
    }
    let (n, bad) = rest.iter().fold((n, 0u8), |(n, bad), &b| {
        let d = b.wrapping_sub(b'0');
        // Wrapping: a bad byte makes the result `None` anyway.
        (n.wrapping_mul(10).wrapping_add(d as u64), bad | (d > 9) as u8)
    });
    (bad == 0).then_some(n)
}

/// [`parse_number`] past 19 digits, where a `u64` may overflow (rare).
#[cold]
fn parse_long_number(bytes: &[u8]) -> Option<u64> {
    all_consuming(digits(bytes.len())).parse(bytes).ok().map(|(_, n)| n)
}

/// Whether every byte of a word is an ASCII digit (0x30-0x39: its high
/// nibble is 3, and adding 6 keeps it 3).
#[inline]
fn all_digits(w: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    ((w & (0xF0 * ONES)) ^ (0x30 * ONES)) | ((w.wrapping_add(0x06 * ONES) & (0xF0 * ONES)) ^ (0x30 * ONES)) == 0
}

/// The number eight ASCII digits in a little-endian word stand for (the
/// first digit in the lowest byte; [`all_digits`] checked).
#[inline]
fn eight_value(w: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let d = w.wrapping_sub(0x30 * ONES);
    // Pairs, then fours, then all eight: each step joins neighbouring lanes.
    let d = (d.wrapping_mul(10) + (d >> 8)) & 0x00FF_00FF_00FF_00FF;
    let d = (d.wrapping_mul(100) + (d >> 16)) & 0x0000_FFFF_0000_FFFF;
    (d.wrapping_mul(10_000) + (d >> 32)) & 0xFFFF_FFFF
}

/// Sixteen ASCII digits as the number they stand for (`None`: some byte
/// is not a digit), as two words: the scalar twin of
/// [`crate::simd::sixteen_digits`] (other targets, Miri) and its tests'
/// reference.
#[cfg_attr(
    all(
        any(all(target_arch = "x86_64", not(miri)), all(target_arch = "wasm32", target_feature = "simd128")),
        not(test)
    ),
    allow(dead_code)
)]
pub(crate) fn sixteen_digits_swar(b: &[u8; 16]) -> Option<u64> {
    let [a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p] = *b;
    let (high, low) = (u64::from_le_bytes([a, b, c, d, e, f, g, h]), u64::from_le_bytes([i, j, k, l, m, n, o, p]));
    (all_digits(high) & all_digits(low)).then(|| eight_value(high) * 100_000_000 + eight_value(low))
}

/// Four ASCII digits as the number they stand for (`None`: some byte is
/// not a digit), in a few operations on one word: the common width of
/// codes and Feltnumre.
///
/// ```
/// use eindkomst_core::field::four_digits;
/// assert_eq!(four_digits(*b"0013"), Some(13));
/// assert_eq!(four_digits(*b"9999"), Some(9999));
/// assert_eq!(four_digits(*b"00 3"), None);
/// assert_eq!(four_digits(*b"00:3"), None);
/// ```
#[inline(always)]
pub fn four_digits(four: [u8; 4]) -> Option<u16> {
    let x = u32::from_be_bytes(four).wrapping_sub(0x3030_3030);
    // A byte above 9 gets its top bit from the add, one below `0` from the
    // subtraction (a borrow only runs on from such a byte, which is caught).
    if (x | x.wrapping_add(0x7676_7676)) & 0x8080_8080 != 0 {
        return None;
    }
    let pairs = (x >> 8 & 0x00FF_00FF) * 10 + (x & 0x00FF_00FF);
    Some(((pairs >> 16) * 100 + (pairs & 0xFFFF)) as u16)
}

/// Parses the short numbers every line starts with (Lb_nr: 7 digits, Rec_nr:
/// 4): [`parse_number`], but an empty field is no number and the result
/// fits a `u32`.
///
/// ```
/// use eindkomst_core::field::parse_short_number;
/// assert_eq!(parse_short_number(b"0000042"), Some(42));
/// assert_eq!(parse_short_number(b"00 0042"), None);
/// assert_eq!(parse_short_number(b""), None);
/// ```
#[inline]
pub fn parse_short_number(bytes: &[u8]) -> Option<u32> {
    if bytes.is_empty() {
        return None;
    }
    parse_number(bytes).and_then(|n| u32::try_from(n).ok())
}

/// Parses `YYYYMMDD` into a checked [`Date`].
pub fn parse_date(bytes: &[u8]) -> Option<Date> {
    all_consuming(map_opt((digits(4), digits(2), digits(2)), |(y, m, d)| Date::new(y as u16, m as u8, d as u8)))
        .parse(bytes)
        .ok()
        .map(|(_, d)| d)
}

/// Parses `HHMMSS` into a checked [`Time`].
pub fn parse_time(bytes: &[u8]) -> Option<Time> {
    all_consuming(map_opt((digits(2), digits(2), digits(2)), |(h, m, s)| {
        (h < 24 && m < 60 && s < 60).then_some(Time { hour: h as u8, minute: m as u8, second: s as u8 })
    }))
    .parse(bytes)
    .ok()
    .map(|(_, t)| t)
}

/// Bytes with leading and trailing blanks removed.
pub fn trim(bytes: &[u8]) -> &[u8] {
    trim_end(trim_start(bytes))
}

/// Bytes with trailing blanks removed (the `--raw` contract).
pub fn trim_end(bytes: &[u8]) -> &[u8] {
    // Most values end in a byte that is not a blank: one test.
    if bytes.last() != Some(&b' ') {
        return bytes;
    }
    // Eight blanks at a time first: text fields are padded with long runs.
    let mut rest = bytes;
    while let Some((head, last)) = rest.split_last_chunk::<8>() {
        if u64::from_ne_bytes(*last) != u64::from_ne_bytes([b' '; 8]) {
            break;
        }
        rest = head;
    }
    while let [head @ .., b' '] = rest {
        rest = head;
    }
    rest
}

/// How many of the first `len` bytes (at most 16) of `block` are left
/// when trailing blanks are trimmed ([`trim_end`] of `block[..len]`): one
/// compare of the whole block, no loop (`--raw` trims short padded values
/// in their block).
///
/// ```
/// use eindkomst_core::field::trimmed_len;
/// assert_eq!(trimmed_len(b"M-0002    7     ", 10), 6);
/// assert_eq!(trimmed_len(b"M-0002    7     ", 11), 11);
/// assert_eq!(trimmed_len(b"          7     ", 10), 0);
/// assert_eq!(trimmed_len(b"0000000012345678", 16), 16);
/// ```
#[inline]
pub fn trimmed_len(block: &[u8; 16], len: usize) -> usize {
    let (blanks, _) = crate::simd::marks(block);
    let kept = u32::from(!blanks) & ((1u32 << len.min(16)) - 1);
    (u32::BITS - kept.leading_zeros()) as usize
}

fn trim_start(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|&b| b != b' ').unwrap_or(bytes.len());
    &bytes[start..]
}

/// Whether a field's bytes give a value (not blank, not all zeros).
#[inline(always)]
pub(crate) fn given(v: &[u8]) -> bool {
    // A loop, not `any`: in the fast path that was a call per line.
    for &b in v {
        if b != b' ' && b != b'0' {
            return true;
        }
    }
    false
}

/// Whether `bytes` go into a JSON string as they stand: every byte
/// 0x20-0x7F, none a quote or a backslash (a writer of JSON checks a
/// whole line at once; SSE2 or Wasm SIMD where the build has it).
///
/// ```
/// use eindkomst_core::field::json_plain;
/// assert!(json_plain(b"0000001600100130000001234560000+"));
/// assert!(!json_plain(b"M\\ller") && !json_plain(b"say \"hi\"") && !json_plain(&[b'A', 0xE6]));
/// ```
pub fn json_plain(bytes: &[u8]) -> bool {
    crate::simd::json_plain(bytes)
}

/// [`json_plain`]'s answer, and whether besides no byte is a blank (then
/// no value of a line needs trimming): `(plain, unpadded)`, in one pass.
///
/// ```
/// use eindkomst_core::field::json_text;
/// assert_eq!(json_text(b"0000001600100130000001234560000+"), (true, true));
/// assert_eq!(json_text(b"M-0001  "), (true, false));
/// assert_eq!(json_text(b"M\\ller"), (false, false));
/// ```
#[inline(always)]
pub fn json_text(bytes: &[u8]) -> (bool, bool) {
    crate::simd::json_text(bytes)
}

/// Whether every byte is a blank (an absent value).
pub fn is_blank(bytes: &[u8]) -> bool {
    bytes.iter().all(|&b| b == b' ')
}

/// Writes ISO-8859-1 `src` as UTF-8 into `dst`; returns the bytes written, or
/// `None` when `dst` is too small (it needs at most `2 * src.len()`).
///
/// ```
/// let mut buf = [0u8; 16];
/// let n = eindkomst_core::field::latin1_to_utf8(b"K\xf8ge", &mut buf).unwrap();
/// assert_eq!(core::str::from_utf8(&buf[..n]).unwrap(), "Køge");
/// ```
pub fn latin1_to_utf8(src: &[u8], dst: &mut [u8]) -> Option<usize> {
    let mut n = 0;
    for &b in src {
        if b < 0x80 {
            *dst.get_mut(n)? = b;
            n += 1;
        } else {
            *dst.get_mut(n)? = 0xC0 | (b >> 6);
            *dst.get_mut(n + 1)? = 0x80 | (b & 0x3F);
            n += 2;
        }
    }
    Some(n)
}

/// ISO-8859-1 text as `char`s, for `Display` without a buffer.
pub fn latin1_chars(src: &[u8]) -> impl Iterator<Item = char> + '_ {
    src.iter().map(|&b| b as char)
}

/// Writes ISO-8859-1 bytes to a formatter as UTF-8.
pub struct Latin1<'a>(pub &'a [u8]);

impl fmt::Display for Latin1<'_> {
    /// Runs of ASCII as one `str` each, the other bytes one `char` each:
    /// a call per byte was a sixth of typed `decode`'s time (its writer
    /// escapes per call).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use fmt::Write;
        // Each piece is a run of ASCII (UTF-8 as it stands), then at most one other byte.
        for piece in self.0.split_inclusive(|&b| b >= 0x80) {
            let (run, high) = match piece.split_last() {
                Some((&b, run)) if b >= 0x80 => (run, Some(b)),
                _ => (piece, None),
            };
            f.write_str(core::str::from_utf8(run).unwrap_or_default())?;
            if let Some(b) = high {
                f.write_char(char::from(b))?;
            }
        }
        Ok(())
    }
}

/// A field's value as the typed output writes it (JSON `fields`, CSV
/// rows): codes, CPR and SE-nr as their digits, leading zeros kept; text
/// as UTF-8; dates `YYYY-MM-DD`, times `HH:MM:SS`; amounts with their
/// decimals and sign. `Absent` writes nothing. The second member is the
/// field's bytes as they stand.
///
/// ```
/// use eindkomst_core::field::{Decimal, Value, ValueText};
/// assert_eq!(ValueText(Value::Number(13), b"0013").to_string(), "0013");
/// assert_eq!(ValueText(Value::Decimal(Decimal { units: -150_000, scale: 2 }), b"").to_string(), "-1500.00");
/// assert_eq!(ValueText(Value::Text(b"K\xf8ge"), b"").to_string(), "Køge");
/// ```
pub struct ValueText<'a>(pub Value<'a>, pub &'a [u8]);

impl fmt::Display for ValueText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Value::Absent => Ok(()),
            Value::Text(t) => Latin1(t).fmt(f),
            Value::Number(_) => Latin1(self.1).fmt(f),
            Value::Date(d) => d.fmt(f),
            Value::Time(t) => t.fmt(f),
            Value::Decimal(d) => d.fmt(f),
        }
    }
}

#[cfg(test)]
mod tests {

    /// Word-at-a-time trimming gives what a byte-by-byte scan gives: every
    /// length to 40 (17 under Miri), one non-blank byte at every place or none.
    #[test]
    fn trim_end_is_the_bytewise_trim() {
        let bytewise = |b: &[u8]| b.len() - b.iter().rev().take_while(|&&c| c == b' ').count();
        let mut checked = 0;
        let longest = if cfg!(miri) { 17 } else { 40 }; // two words and a byte
        for len in 0..=longest {
            for mark in 0..=len {
                let mut v = std::vec![b' '; len];
                if let Some(b) = v.get_mut(mark) {
                    *b = b'x';
                }
                assert_eq!(trim_end(&v).len(), bytewise(&v), "{len} {mark}");
                checked += 1;
            }
        }
        assert_eq!(checked, (longest + 1) * (longest + 2) / 2);
    }
    use super::*;
    use std::string::ToString;

    /// `Latin1` writes each byte as the `char` of that code point: every
    /// byte value, alone and amid ASCII, at the start, middle and end.
    #[test]
    fn latin1_writes_each_byte_as_its_char() {
        for b in 0..=255u8 {
            for bytes in [&[b][..], &[b'a', b, b'b'], &[b, b'x', b], &[0xE6, b, 0xF8, b'z']] {
                let want: std::string::String = bytes.iter().map(|&c| char::from(c)).collect();
                assert_eq!(Latin1(bytes).to_string(), want, "{bytes:?}");
            }
        }
        assert_eq!(Latin1(b"").to_string(), "");
        assert_eq!(Latin1(b"Hauptstra\xdfe 5").to_string(), "Hauptstraße 5");
    }

    /// The word-at-a-time parse against the plain definition, for every
    /// length up to 19 and a non-digit (each neighbour of '0'-'9') at every
    /// position.
    #[test]
    fn parse_number_reads_digits_at_every_length_and_refuses_any_other_byte() {
        let reference =
            |b: &[u8]| b.iter().try_fold(0u64, |n, &c| c.is_ascii_digit().then(|| n * 10 + (c - b'0') as u64));
        // Few under Miri (the core's unit tests run there; 50 took minutes).
        let seeds = if cfg!(miri) { 2 } else { 50 };
        for len in 0..=19 {
            for seed in 0..seeds {
                let digits: std::vec::Vec<u8> =
                    (0..len).map(|i| b'0' + ((seed * 7 + i as u64 * 13 + seed * i as u64) % 10) as u8).collect();
                assert_eq!(parse_number(&digits), reference(&digits), "{digits:?}");
                for at in 0..len {
                    for bad in [b'/', b':', b' ', b'0' + 0x80, b'0' - 0x10, 0xFF] {
                        let mut other = digits.clone();
                        other[at] = bad;
                        assert_eq!(parse_number(&other), None, "{other:?}");
                    }
                }
            }
        }
        assert_eq!(parse_number(b"1234567890123456"), Some(1_234_567_890_123_456));
        assert_eq!(parse_number(b"9999999999999999999"), Some(9_999_999_999_999_999_999));
    }

    /// The block's trim against [`trim_end`], for every length and every
    /// mix of blanks and other bytes in a block.
    #[test]
    fn trimmed_len_is_trim_end_of_the_block() {
        let step = if cfg!(miri) { 4093 } else { 1 };
        for bits in (0..1u32 << 16).step_by(step) {
            let block: [u8; 16] = core::array::from_fn(|i| if bits >> i & 1 == 1 { b'A' + i as u8 } else { b' ' });
            for len in 0..=16 {
                assert_eq!(trimmed_len(&block, len), trim_end(&block[..len]).len(), "{block:?} {len}");
            }
        }
    }

    /// The pieces writers give what `format!` gave before them (the
    /// reference below): every scale to 19, units around each power of ten
    /// and their negatives; dates and times with every width of each part.
    #[test]
    fn pieces_write_what_the_formatter_wrote() {
        let decimal = |d: Decimal| {
            let (neg, abs) = (if d.units < 0 { "-" } else { "" }, d.units.unsigned_abs());
            if d.scale == 0 {
                return std::format!("{neg}{abs}");
            }
            let div = 10u64.pow(d.scale as u32);
            let (int, mut frac, mut digits) = (abs / div, abs % div, d.scale as usize);
            while digits > 2 && frac % 10 == 0 {
                frac /= 10;
                digits -= 1;
            }
            std::format!("{neg}{int}.{frac:0digits$}")
        };
        let (mut checked, step) = (0, if cfg!(miri) { 6 } else { 1 });
        let (scales, powers) = ((0..20u8).step_by(step), (0..19u32).step_by(step));
        let expected = scales.len() * powers.len() * 7 * 2;
        for scale in scales {
            for p in powers.clone() {
                for delta in [-11i64, -1, 0, 1, 7, 50, 123_456] {
                    for sign in [1i64, -1] {
                        let units = (10i64.pow(p) + delta) * sign;
                        let d = Decimal { units, scale };
                        assert_eq!(d.to_string(), decimal(d), "{units} {scale}");
                        checked += 1;
                    }
                }
            }
        }
        let extreme = Decimal { units: i64::MIN, scale: 19 };
        assert_eq!(extreme.to_string(), "-0.9223372036854775808");
        assert_eq!(Decimal { units: 5, scale: 25 }.to_string(), "0.0000000000000000000000005");
        assert_eq!(checked, expected);
        assert_eq!(expected, if cfg!(miri) { 4 * 4 * 14 } else { 20 * 19 * 14 });
        for (year, month, day) in [(2024, 1, 31), (7, 12, 5), (999, 10, 10), (12345, 255, 0)] {
            let d = Date { year, month, day };
            assert_eq!(d.to_string(), std::format!("{year:04}-{month:02}-{day:02}"));
        }
        for (hour, minute, second) in [(13, 45, 0), (0, 0, 0), (9, 5, 255)] {
            let t = Time { hour, minute, second };
            assert_eq!(t.to_string(), std::format!("{hour:02}:{minute:02}:{second:02}"));
        }
    }

    #[test]
    fn dates_are_checked_against_the_calendar() {
        assert_eq!(parse_date(b"20240229"), Some(Date { year: 2024, month: 2, day: 29 }));
        assert_eq!(parse_date(b"20230229"), None);
        assert_eq!(parse_date(b"20240431"), None);
        assert_eq!(parse_date(b"20241301"), None);
        assert_eq!(parse_date(b"2024010"), None);
        assert_eq!(parse_date(b"2024O101"), None);
        assert_eq!(parse_date(b"19000229"), None);
        assert_eq!(parse_date(b"20000229").map(|d| d.yyyymmdd()), Some(20000229));
    }

    #[test]
    fn numbers_and_times() {
        assert_eq!(parse_number(b"0000000789123000"), Some(789_123_000));
        assert_eq!(parse_number(b"9999999999999999"), Some(9_999_999_999_999_999));
        assert_eq!(parse_number(b"00 1"), None);
        assert_eq!(parse_time(b"235959"), Some(Time { hour: 23, minute: 59, second: 59 }));
        assert_eq!(parse_time(b"240000"), None);
    }

    #[test]
    fn decimals_print_exactly() {
        let d = |units, scale| Decimal { units, scale };
        assert_eq!(d(789_123_000, 6).to_string(), "789.123");
        assert_eq!(d(789_123_000, 6).ore(), None);
        assert_eq!(d(1_234_560_000, 6).ore(), Some(123_456));
        assert_eq!(d(0, 6).to_string(), "0.00");
        assert_eq!(d(-50, 2).to_string(), "-0.50");
        assert_eq!(d(150, 2).ore(), Some(150));
        assert_eq!(d(7, 0).to_string(), "7");
    }
}
