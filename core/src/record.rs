//! A decoded record: a zero-copy view of one line and its layout.

use crate::field::{self, Decimal, Value};
use crate::layout::{FieldDesc, FieldType, Format, RecordLayout};

/// One decoded record. It borrows the bytes of its line, either from the
/// caller's input or, for a line split across chunks, from the decoder's
/// line buffer; it lives until the next call on the decoder.
///
/// Every field was validated when the record was decoded, so the accessors
/// only convert.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Record<'a> {
    pub(crate) layout: &'static RecordLayout,
    pub(crate) bytes: &'a [u8],
    pub(crate) line: u64,
    pub(crate) lb_nr: u32,
    pub(crate) offset: u64,
    pub(crate) amount_scale: u8,
}

impl<'a> Record<'a> {
    /// The record type (`Rec_nr`): 1000, 2001, ..., 9999.
    pub fn record_type(&self) -> u16 {
        self.layout.rec_nr
    }

    /// The layout the record was decoded with (variant included).
    pub fn layout(&self) -> &'static RecordLayout {
        self.layout
    }

    /// Physical line number, 1-based.
    pub fn line(&self) -> u64 {
        self.line
    }

    /// The record's `Lb_nr` (running number written in the file).
    pub fn lb_nr(&self) -> u32 {
        self.lb_nr
    }

    /// Byte offset of the line's first byte in the (decoded) stream.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// The line's bytes, without its terminator.
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// Number of decimals the decoder read amounts with.
    pub fn amount_scale(&self) -> u8 {
        self.amount_scale
    }

    /// The bytes of field `no` exactly as they stand in the line.
    pub fn raw(&self, no: u8) -> Option<&'a [u8]> {
        self.layout.field(no).and_then(|f| self.bytes.get(f.range()))
    }

    /// Every field with its raw bytes, in line order.
    pub fn fields(&self) -> impl Iterator<Item = (&'static FieldDesc, &'a [u8])> + 'a {
        let bytes = self.bytes;
        self.layout.fields.iter().map(move |f| (f, bytes.get(f.range()).unwrap_or(&[])))
    }

    /// Field `no` trimmed of blanks on both sides (ISO-8859-1 bytes).
    pub fn text(&self, no: u8) -> Option<&'a [u8]> {
        self.raw(no).map(field::trim)
    }

    /// The typed value of field `no`. Amounts and quantities include the sign
    /// from the field after them.
    ///
    /// ```
    /// use eindkomst_core::{Decoder, Event, field::Value};
    /// let mut dec = Decoder::default();
    /// let file = eindkomst_core::testing::SAMPLE;
    /// let mut input = &file[..];
    /// loop {
    ///     match dec.decode(input) {
    ///         (Event::Record(r), n) if r.record_type() == 6001 => {
    ///             // Beloeb (field 4) with the sign of field 5, read as 10+6 digits
    ///             assert_eq!(r.value(4), Some(Value::Decimal(eindkomst_core::field::Decimal { units: 32_500_000_000, scale: 6 })));
    ///             break;
    ///         }
    ///         (Event::NeedInput, _) => panic!("no 6001"),
    ///         (_, n) => input = &input[n..],
    ///     }
    /// }
    /// ```
    pub fn value(&self, no: u8) -> Option<Value<'a>> {
        let idx = self.layout.fields.iter().position(|f| f.no == no)?;
        let f = self.layout.fields.get(idx)?;
        let raw = self.bytes.get(f.range())?;
        if field::is_blank(raw) {
            return Some(Value::Absent);
        }
        Some(match (f.ty, f.format) {
            (FieldType::Numeric, Format::Date) => match field::parse_date(raw) {
                Some(d) => Value::Date(d),
                None => Value::Absent, // all zeros in an optional date
            },
            (FieldType::Numeric, Format::Time) => Value::Time(field::parse_time(raw)?),
            (_, Format::Amount) | (_, Format::Quantity(_)) => {
                let scale = match f.format {
                    Format::Quantity(s) => s,
                    _ => self.amount_scale,
                };
                let negative = self.layout.fields.get(idx + 1).and_then(|s| self.bytes.get(s.range())) == Some(b"-");
                let units = field::parse_number(raw)? as i64;
                Value::Decimal(Decimal { units: if negative { -units } else { units }, scale })
            }
            (FieldType::Numeric, _) if f.format != Format::Filler => Value::Number(field::parse_number(raw)?),
            _ => Value::Text(field::trim(raw)),
        })
    }

    /// The field named `name` (first match), as [`Record::value`].
    pub fn value_named(&self, name: &str) -> Option<Value<'a>> {
        self.value(self.layout.field_named(name)?.no)
    }

    /// The CPR number of a 2101, 4101 or 6000 record, when given (10 digits).
    /// Personal data: never log it.
    pub fn cpr(&self) -> Option<&'a [u8]> {
        let f = self.layout.fields.iter().find(|f| f.personal)?;
        let raw = self.bytes.get(f.range())?;
        (!field::is_blank(raw) && raw.iter().any(|&b| b != b'0')).then_some(raw)
    }

    /// The SE-nr of a 2001 (the employer) or a 6000 (a company paid a fee).
    pub fn se_nr(&self) -> Option<u32> {
        let name = match self.layout.rec_nr {
            2001 => "Virksomhed_SE_nr",
            6000 => "Person_CVR_SE_nr",
            1000 => "Indberetter_SE_nr",
            _ => return None,
        };
        match self.value_named(name)? {
            Value::Number(n) if n != 0 => Some(n as u32),
            _ => None,
        }
    }

    /// The `Feltnummer` of a 3101 or 6001-6005 record.
    pub fn feltnummer(&self) -> Option<u16> {
        // Read on every amount record by totals and filters: parse it directly.
        let f = self.layout.field_named("Feltnummer")?;
        field::parse_short_number(self.bytes.get(f.range())?).map(|n| n as u16)
    }

    /// The first amount of the record (6001 Beloeb, 3101 Beloeb, 6102/6202
    /// Beloeb_feriepenge, 6111 Beloeb), with its sign.
    pub fn amount(&self) -> Option<Decimal> {
        let f = self.layout.fields.iter().find(|f| f.format == Format::Amount)?;
        match self.value(f.no)? {
            Value::Decimal(d) => Some(d),
            _ => None,
        }
    }
}

#[cfg(feature = "serde")]
mod serialize {
    use super::Record;
    use crate::field::{Latin1, Value};
    use crate::layout::Format;
    use serde::ser::{Serialize, SerializeMap, Serializer};

    struct Fields<'r, 'a>(&'r Record<'a>);

    /// Values as strings where a JS number would lose digits or leading zeros.
    struct Val<'a>(Value<'a>, &'a [u8]);

    impl Serialize for Val<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            match self.0 {
                Value::Absent => s.serialize_none(),
                Value::Text(t) => s.collect_str(&Latin1(t)),
                // Codes, CPR, SE-nr keep their leading zeros.
                Value::Number(_) => s.collect_str(&Latin1(self.1)),
                Value::Date(d) => s.collect_str(&d),
                Value::Time(t) => s.collect_str(&t),
                Value::Decimal(d) => s.collect_str(&d),
            }
        }
    }

    impl Serialize for Fields<'_, '_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let r = self.0;
            let mut map = s.serialize_map(None)?;
            for (f, raw) in r.fields() {
                // Lb_nr and Rec_nr are top-level keys; signs are folded into their amounts.
                if f.no <= 2 || matches!(f.format, Format::Filler | Format::Sign) {
                    continue;
                }
                if let Some(v) = r.value(f.no) {
                    map.serialize_entry(f.name, &Val(v, raw))?;
                }
            }
            map.end()
        }
    }

    impl Serialize for Record<'_> {
        /// `{"line":7,"lb_nr":7,"offset":230,"record":"6001","fields":{"Feltnummer":"0013","Beloeb":"1234.56"}}`
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut map = s.serialize_map(Some(5))?;
            map.serialize_entry("line", &self.line)?;
            map.serialize_entry("lb_nr", &self.lb_nr)?;
            map.serialize_entry("offset", &self.offset)?;
            map.serialize_entry("record", &RecNr(self.layout.rec_nr))?;
            map.serialize_entry("fields", &Fields(self))?;
            map.end()
        }
    }

    /// A record type as its 4-digit string ("0000" style, as in the file).
    pub(crate) struct RecNr(pub u16);

    impl Serialize for RecNr {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let n = self.0;
            let b =
                [(n / 1000 % 10) as u8, (n / 100 % 10) as u8, (n / 10 % 10) as u8, (n % 10) as u8].map(|d| b'0' + d);
            s.serialize_str(core::str::from_utf8(&b).unwrap_or("????"))
        }
    }
}
