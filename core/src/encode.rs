//! The encoder: records back to fixed-length lines (tests, round trips, the
//! test-data generator). Like the decoder it writes into the caller's buffer.

use crate::field::Decimal;
use crate::layout::{FieldType, LayoutSet, RecordLayout};

/// Why a record could not be written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EncodeError {
    /// The layout set has no such record type.
    UnknownRecordType(u16),
    /// The layout has no field with this number.
    UnknownField(u8),
    /// The value is longer than its field.
    ValueTooLong(u8),
    /// The output buffer cannot hold the line.
    BufferTooSmall,
}

/// Writes records as lines, numbering them (`Lb_nr`) as it goes.
///
/// ```
/// use eindkomst_core::{encode::Encoder, layout::BUILTIN};
/// let mut enc = Encoder::new();
/// let mut out = [0u8; 64];
/// let n = enc.record(BUILTIN.get(6001).unwrap(), &[(3, b"13"), (4, b"1234560000"), (5, b"+")], &mut out).unwrap();
/// assert_eq!(&out[..n], b"0000001600100130000001234560000+\n");
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Encoder {
    next_lb_nr: u32,
    crlf: bool,
}

impl Default for Encoder {
    fn default() -> Self {
        Encoder::new()
    }
}

impl Encoder {
    /// An encoder writing LF line ends, starting at Lb_nr 1.
    pub fn new() -> Encoder {
        Encoder { next_lb_nr: 1, crlf: false }
    }

    /// Writes CRLF line ends instead.
    pub fn with_crlf(self) -> Encoder {
        Encoder { crlf: true, ..self }
    }

    /// Lines written so far.
    pub fn lines(&self) -> u32 {
        self.next_lb_nr - 1
    }

    /// Writes one record. `values` gives field bytes by field number: numeric
    /// fields are right-aligned and zero-filled, text is left-aligned and
    /// blank-filled; a missing or empty value leaves the field blank. Lb_nr and
    /// Rec_nr are filled in. Returns the bytes written, terminator included.
    pub fn record(
        &mut self,
        layout: &RecordLayout,
        values: &[(u8, &[u8])],
        out: &mut [u8],
    ) -> Result<usize, EncodeError> {
        let len = layout.length as usize;
        let total = len + if self.crlf { 2 } else { 1 };
        let line = out.get_mut(..total).ok_or(EncodeError::BufferTooSmall)?;
        line.fill(b' ');
        let mut lb = [0u8; 7];
        write_digits(self.next_lb_nr as u64, &mut lb);
        let mut rec = [0u8; 4];
        write_digits(layout.rec_nr as u64, &mut rec);
        let fixed: [(u8, &[u8]); 2] = [(1, &lb), (2, &rec)];
        for &(no, value) in fixed.iter().chain(values) {
            let f = layout.field(no).ok_or(EncodeError::UnknownField(no))?;
            let slot = line.get_mut(f.range()).ok_or(EncodeError::UnknownField(no))?;
            if value.len() > slot.len() {
                return Err(EncodeError::ValueTooLong(no));
            }
            if value.is_empty() {
                continue;
            }
            match f.ty {
                FieldType::Numeric => {
                    let pad = slot.len() - value.len();
                    slot[..pad].fill(b'0');
                    slot[pad..].copy_from_slice(value);
                }
                FieldType::Alpha => slot[..value.len()].copy_from_slice(value),
            }
        }
        if self.crlf {
            line[len] = b'\r';
        }
        line[total - 1] = b'\n';
        self.next_lb_nr += 1;
        Ok(total)
    }

    /// Writes the 9999 end record, whose Antal_records counts every line
    /// including the 1000 and itself (the spec's primary reading).
    pub fn end(&mut self, layouts: &LayoutSet, out: &mut [u8]) -> Result<usize, EncodeError> {
        let layout = layouts.get(9999).ok_or(EncodeError::UnknownRecordType(9999))?;
        let mut count = [0u8; 7];
        write_digits(self.next_lb_nr as u64, &mut count);
        self.record(layout, &[(3, &count)], out)
    }
}

/// Writes `n` as zero-filled digits filling `out` (high digits cut off).
pub fn write_digits(mut n: u64, out: &mut [u8]) {
    for d in out.iter_mut().rev() {
        *d = b'0' + (n % 10) as u8;
        n /= 10;
    }
}

/// An amount as its 16 digits and sign, at `scale` decimals.
///
/// ```
/// use eindkomst_core::{encode::amount_digits, field::Decimal};
/// let (digits, sign) = amount_digits(Decimal { units: -123_456, scale: 2 }, 6);
/// assert_eq!((&digits[..], sign), (&b"0000001234560000"[..], b'-'));
/// ```
pub fn amount_digits(value: Decimal, scale: u8) -> ([u8; 16], u8) {
    let mut units = value.units.unsigned_abs();
    if scale >= value.scale {
        units = units.saturating_mul(10u64.saturating_pow((scale - value.scale) as u32));
    } else {
        units /= 10u64.pow((value.scale - scale) as u32);
    }
    let mut digits = [0u8; 16];
    write_digits(units, &mut digits);
    (digits, if value.units < 0 { b'-' } else { b'+' })
}
