//! The encoder: records back to fixed-length lines (tests, round trips, the
//! test-data generator). Like the decoder it writes into the caller's buffer.

use crate::field::Decimal;
use crate::layout::{Family, FieldType, RecordLayout, Role, EMPLOYER};

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

/// Writes records of a family as lines, numbering them (employer `Lb_nr`)
/// as it goes when the family numbers its lines.
///
/// ```
/// use eindkomst_core::{encode::Encoder, layout::EMPLOYER};
/// let mut enc = Encoder::new();
/// let mut out = [0u8; 64];
/// let n = enc.record(EMPLOYER.get(6001).unwrap(), &[(3, b"13"), (4, b"1234560000"), (5, b"+")], &mut out).unwrap();
/// assert_eq!(&out[..n], b"0000001600100130000001234560000+\n");
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Encoder {
    family: &'static Family,
    next_lb_nr: u32,
    crlf: bool,
}

impl Default for Encoder {
    fn default() -> Self {
        Encoder::new()
    }
}

impl Encoder {
    /// An encoder of the employer family writing LF line ends, starting at Lb_nr 1.
    pub fn new() -> Encoder {
        Encoder::for_family(&EMPLOYER)
    }

    /// An encoder of `family` writing LF line ends.
    pub fn for_family(family: &'static Family) -> Encoder {
        Encoder { family, next_lb_nr: 1, crlf: false }
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
    /// blank-filled; a missing or empty value leaves the field blank. The
    /// record key and line number are filled in. A separated family's
    /// fields are written as given, joined by its separator. Returns the
    /// bytes written, terminator included.
    pub fn record(
        &mut self,
        layout: &RecordLayout,
        values: &[(u8, &[u8])],
        out: &mut [u8],
    ) -> Result<usize, EncodeError> {
        let mut lb = [0u8; 10];
        let lb = match self.family.line_number {
            Some(n) => {
                let lb = &mut lb[..(n.len as usize).min(10)];
                write_digits(self.next_lb_nr as u64, lb);
                &lb[..]
            }
            None => &[][..],
        };
        let key = layout.key.as_bytes();
        let value = |f: &crate::layout::FieldDesc| -> Result<&[u8], EncodeError> {
            let v = match f.role {
                Role::RecordKey => key,
                Role::LineNumber => lb,
                _ => values.iter().find(|(no, _)| *no == f.no).map_or(&[][..], |(_, v)| *v),
            };
            if v.len() > f.len as usize {
                return Err(EncodeError::ValueTooLong(f.no));
            }
            Ok(v)
        };
        if let Some(&(no, _)) = values.iter().find(|(no, _)| layout.field(*no).is_none()) {
            return Err(EncodeError::UnknownField(no));
        }
        let end = if self.crlf { &b"\r\n"[..] } else { &b"\n"[..] };
        let mut n = 0;
        let put = |n: &mut usize, bytes: &[u8], out: &mut [u8]| -> Result<(), EncodeError> {
            let slot = out.get_mut(*n..*n + bytes.len()).ok_or(EncodeError::BufferTooSmall)?;
            slot.copy_from_slice(bytes);
            *n += bytes.len();
            Ok(())
        };
        match self.family.separator {
            Some(sep) => {
                for (i, f) in layout.fields.iter().enumerate() {
                    if i > 0 {
                        put(&mut n, &[sep], out)?;
                    }
                    put(&mut n, value(f)?, out)?;
                }
            }
            None => {
                let len = layout.length as usize;
                let line = out.get_mut(..len).ok_or(EncodeError::BufferTooSmall)?;
                line.fill(b' ');
                for f in layout.fields {
                    let v = value(f)?;
                    let slot = &mut line[f.range()];
                    if v.is_empty() {
                        continue;
                    }
                    match f.ty {
                        FieldType::Numeric => {
                            let pad = slot.len() - v.len();
                            slot[..pad].fill(b'0');
                            slot[pad..].copy_from_slice(v);
                        }
                        FieldType::Alpha => slot[..v.len()].copy_from_slice(v),
                    }
                }
                n = len;
            }
        }
        put(&mut n, end, out)?;
        self.next_lb_nr += 1;
        Ok(n)
    }

    /// Writes the family's trailer (employer 9999), whose count (role
    /// `trailer_count`) counts every line including the first and itself
    /// (the spec's primary reading).
    pub fn end(&mut self, out: &mut [u8]) -> Result<usize, EncodeError> {
        let rec = self.family.trailer.map_or(9999, |t| t.rec_nr);
        let layout = self.family.get(rec).ok_or(EncodeError::UnknownRecordType(rec))?;
        let field = layout.field_with(Role::TrailerCount).ok_or(EncodeError::UnknownRecordType(rec))?;
        let mut count = [0u8; 20];
        let count = &mut count[..(field.len as usize).min(20)];
        write_digits(self.next_lb_nr as u64, count);
        self.record(layout, &[(field.no, count)], out)
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
