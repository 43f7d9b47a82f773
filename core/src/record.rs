//! A decoded record: a zero-copy view of one line and its layout.

use crate::field::{self, Decimal, Value};
use crate::layout::{FieldDesc, FieldType, Format, RecordLayout, Role};

/// One decoded record. It borrows the bytes of its line, either from the
/// caller's input or, for a line split across chunks, from the decoder's
/// line buffer; it lives until the next call on the decoder.
///
/// Every field was validated when the record was decoded, so the accessors
/// only convert.
#[derive(Clone, Copy, Debug)]
pub struct Record<'a> {
    pub(crate) layout: &'static RecordLayout,
    pub(crate) bytes: &'a [u8],
    pub(crate) line: u64,
    pub(crate) lb_nr: u32,
    pub(crate) offset: u64,
    pub(crate) amount_scale: u8,
    /// [`Record::known_plain`]: what the decoder learned of the bytes on
    /// the way, not part of the record (records are equal without it).
    pub(crate) known_plain: bool,
}

impl PartialEq for Record<'_> {
    fn eq(&self, other: &Self) -> bool {
        let key = |r: &Self| (r.layout, r.bytes, r.line, r.lb_nr, r.offset, r.amount_scale);
        key(self) == key(other)
    }
}

impl Eq for Record<'_> {}

impl<'a> Record<'a> {
    /// The view of a line the decoder returned earlier, rebuilt from its
    /// parts (a copy of its bytes kept in a batch, or bytes that crossed a
    /// language boundary). `None` when `bytes` does not have the layout's
    /// length or `amount_scale` is above 16.
    ///
    /// ```
    /// use eindkomst_core::{layout::EMPLOYER, Record};
    /// let line = b"0000010600100130000032500000000+";
    /// let r = Record::from_parts(EMPLOYER.get(6001).unwrap(), line, 10, 10, 711, 6).unwrap();
    /// assert_eq!((r.feltnummer(), r.line(), r.amount().unwrap().ore()), (Some(13), 10, Some(3_250_000)));
    /// ```
    pub fn from_parts(
        layout: &'static RecordLayout,
        bytes: &'a [u8],
        line: u64,
        lb_nr: u32,
        offset: u64,
        amount_scale: u8,
    ) -> Option<Record<'a>> {
        (bytes.len() == layout.length as usize && amount_scale <= 16).then_some(Record {
            layout,
            bytes,
            line,
            lb_nr,
            offset,
            amount_scale,
            known_plain: false,
        })
    }

    /// Whether the decoder already knows that the line is plain, unpadded
    /// JSON text: every byte printable ASCII, none a blank, a quote or a
    /// backslash ([`field::json_text`] would answer `(true, true)`). It
    /// knows it, at no cost, for lines its fast path took in a run of one
    /// layout whose clean lines can hold nothing else (a 6001); `false`
    /// says nothing: ask [`field::json_text`].
    ///
    /// ```
    /// use eindkomst_core::{field::json_text, Decoder, Event};
    /// let (mut dec, mut input, mut plain) = (Decoder::default(), eindkomst_core::testing::SAMPLE, 0);
    /// loop {
    ///     let (event, used) = dec.decode_records(input, |r| {
    ///         if r.known_plain() {
    ///             assert_eq!(json_text(r.bytes()), (true, true));
    ///             plain += 1;
    ///         }
    ///     });
    ///     input = &input[used..];
    ///     if event == Event::NeedInput {
    ///         break;
    ///     }
    /// }
    /// assert_eq!(plain, 6); // the 6001s after the file's first
    /// ```
    #[inline]
    pub fn known_plain(&self) -> bool {
        self.known_plain
    }

    /// The record type (employer `Rec_nr`: 1000, 2001, ..., 9999).
    pub fn record_type(&self) -> u16 {
        self.layout.rec_nr
    }

    /// The record key as it stands in the file (`"6001"`, `"120"`).
    pub fn key(&self) -> &'static str {
        self.layout.key
    }

    /// The layout the record was decoded with (variant included).
    pub fn layout(&self) -> &'static RecordLayout {
        self.layout
    }

    /// Physical line number, 1-based.
    pub fn line(&self) -> u64 {
        self.line
    }

    /// The record's line number as written in the file (employer `Lb_nr`);
    /// 0 in a family whose lines carry none.
    pub fn lb_nr(&self) -> u32 {
        self.lb_nr
    }

    /// Byte offset of the line's first byte in the (decoded) stream.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// The line's bytes (ISO-8859-1, the layout's full width), without its
    /// terminator: as received, or padded (an optional tail, trimmed
    /// blanks), transcoded from UTF-8, or the fixed-width form of a
    /// separated line.
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

    /// The fields the typed output shows, in line order, each with its
    /// value and its bytes: all but the record key and the line number
    /// (they stand apart), fillers and signs (folded into their amounts),
    /// and fields whose bytes read as no value of their kind.
    ///
    /// ```
    /// use eindkomst_core::{field::Value, Decoder, Event};
    /// let mut dec = Decoder::default();
    /// let mut input = eindkomst_core::testing::SAMPLE;
    /// loop {
    ///     match dec.decode(input) {
    ///         (Event::Record(r), _) if r.record_type() == 6001 => {
    ///             let names: Vec<_> = r.typed_fields().map(|(f, _, _)| f.name).collect();
    ///             assert_eq!(names, ["Feltnummer", "Beloeb"]);
    ///             let (_, feltnummer, bytes) = r.typed_fields().next().unwrap();
    ///             assert_eq!((feltnummer, bytes), (Value::Number(13), &b"0013"[..]));
    ///             break;
    ///         }
    ///         (Event::NeedInput, _) => panic!("no 6001"),
    ///         (_, n) => input = &input[n..],
    ///     }
    /// }
    /// ```
    pub fn typed_fields(&self) -> impl Iterator<Item = (&'static FieldDesc, Value<'a>, &'a [u8])> + '_ {
        self.fields().enumerate().filter_map(|(i, (f, raw))| {
            let apart = matches!(f.role, Role::RecordKey | Role::LineNumber)
                || matches!(f.format, Format::Filler | Format::Sign);
            if apart {
                return None;
            }
            Some((f, self.value_at(i)?, raw))
        })
    }

    /// Field `no` trimmed of blanks on both sides (ISO-8859-1 bytes).
    pub fn text(&self, no: u8) -> Option<&'a [u8]> {
        self.raw(no).map(field::trim)
    }

    /// The typed value of field `no`. Amounts, quantities and numbers
    /// followed by a sign field include that sign (a count `0000000005`
    /// with `-` is `Decimal { units: -5, scale: 0 }`).
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
        self.value_at(self.layout.fields.iter().position(|f| f.no == no)?)
    }

    /// [`Record::value`] of the layout's `idx`th field (`layout().fields[idx]`),
    /// for callers that find their fields once per layout rather than by
    /// number on every record.
    ///
    /// ```
    /// use eindkomst_core::{field::Value, Decoder, Event};
    /// let mut dec = Decoder::default();
    /// let (mut input, mut ore) = (eindkomst_core::testing::SAMPLE, Vec::new());
    /// while let (Event::Record(r), used) = dec.decode(input) {
    ///     input = &input[used..];
    ///     if let Some(Value::Decimal(d)) = r.layout().amount_index().and_then(|i| r.value_at(i)) {
    ///         ore.push(d.ore());
    ///     }
    /// }
    /// assert_eq!(ore[..2], [Some(150_000), Some(3_250_000)]); // 3101 Beloeb 1500.00, 6001 Beloeb 32500.00
    /// ```
    pub fn value_at(&self, idx: usize) -> Option<Value<'a>> {
        let f = self.layout.fields.get(idx)?;
        let raw = self.bytes.get(f.range())?;
        if field::is_blank(raw) {
            return Some(Value::Absent);
        }
        if let Some(d) = DecimalField::of(self.layout, idx) {
            return d.read(self).map(Value::Decimal);
        }
        Some(match (f.ty, f.format) {
            (FieldType::Numeric, Format::Date) => match field::parse_date(raw) {
                Some(d) => Value::Date(d),
                None => Value::Absent, // all zeros in an optional date
            },
            (FieldType::Numeric, Format::Time) => Value::Time(field::parse_time(raw)?),
            (FieldType::Numeric, _) if f.format != Format::Filler => Value::Number(field::parse_number(raw)?),
            _ => Value::Text(field::trim(raw)),
        })
    }

    /// [`Record::value_at`] for an amount, a quantity or a signed number
    /// (`None` when the field is blank or of another kind): the typed read
    /// totals make on every record, without building a [`Value`].
    ///
    /// ```
    /// use eindkomst_core::{field::Decimal, Decoder, Event};
    /// let mut dec = Decoder::default();
    /// let mut input = eindkomst_core::testing::SAMPLE;
    /// let mut sums = Vec::new();
    /// while let (Event::Record(r), used) = dec.decode(input) {
    ///     input = &input[used..];
    ///     sums.extend(r.layout().amount_index().and_then(|i| r.decimal_at(i)));
    /// }
    /// assert_eq!(sums[1], Decimal { units: 32_500_000_000, scale: 6 }); // 6001 Beloeb 32500.00
    /// ```
    #[inline]
    pub fn decimal_at(&self, idx: usize) -> Option<Decimal> {
        DecimalField::of(self.layout, idx)?.read(self)
    }

    /// The value of the first field with `role`, as [`Record::value`].
    pub fn value_of(&self, role: Role) -> Option<Value<'a>> {
        self.value(self.layout.field_with(role)?.no)
    }

    /// The field named `name` (first match), as [`Record::value`].
    pub fn value_named(&self, name: &str) -> Option<Value<'a>> {
        self.value(self.layout.field_named(name)?.no)
    }

    /// The CPR number (the field with role `cpr`: employer 2101, 4101,
    /// 6000), when given (10 digits). Personal data: never log it.
    pub fn cpr(&self) -> Option<&'a [u8]> {
        self.cpr_at(self.layout.index_with(Role::Cpr)?)
    }

    /// [`Record::cpr`] read from the layout's `idx`th field (found once per
    /// layout, with [`RecordLayout::index_with`]). Personal data: never log it.
    pub fn cpr_at(&self, idx: usize) -> Option<&'a [u8]> {
        let raw = self.bytes.get(self.layout.fields.get(idx)?.range())?;
        (!field::is_blank(raw) && raw.iter().any(|&b| b != b'0')).then_some(raw)
    }

    /// The SE-nr the record names (role `se`, `person_se` or `sender_se`:
    /// employer 2001 the employer, 6000 a company paid a fee, 1000 the sender).
    pub fn se_nr(&self) -> Option<u32> {
        let f = [Role::Se, Role::PersonSe, Role::SenderSe].into_iter().find_map(|r| self.layout.field_with(r))?;
        match self.value(f.no)? {
            Value::Number(n) if n != 0 => u32::try_from(n).ok(),
            _ => None,
        }
    }

    /// The `Feltnummer` (role `feltnummer`: employer 3101, 6001-6005).
    pub fn feltnummer(&self) -> Option<u16> {
        self.short_number_at(self.layout.index_with(Role::Feltnummer)?)
    }

    /// The field at `idx` as a number that fits a `u16` (`None`: blank, not
    /// digits, or larger): read on every amount record by totals and
    /// filters (the Feltnummer), so parsed directly (4 digits as one word).
    ///
    /// ```
    /// use eindkomst_core::{Decoder, Event};
    /// let mut dec = Decoder::default();
    /// let mut input = eindkomst_core::testing::SAMPLE;
    /// let mut felts = Vec::new();
    /// while let (Event::Record(r), used) = dec.decode(input) {
    ///     input = &input[used..];
    ///     if r.record_type() == 6001 {
    ///         felts.push(r.short_number_at(2)); // field 3, Feltnummer
    ///     }
    /// }
    /// assert_eq!(felts[0], Some(13));
    /// ```
    #[inline]
    pub fn short_number_at(&self, idx: usize) -> Option<u16> {
        let raw = self.bytes.get(self.layout.fields.get(idx)?.range())?;
        match <[u8; 4]>::try_from(raw) {
            Ok(four) => field::four_digits(four),
            Err(_) => field::parse_short_number(raw).and_then(|n| u16::try_from(n).ok()),
        }
    }

    /// The income period (roles `period_start` and `period_end`: employer
    /// 5000, 3101), when both are real dates.
    pub fn period(&self) -> Option<(field::Date, field::Date)> {
        match (self.value_of(Role::PeriodStart)?, self.value_of(Role::PeriodEnd)?) {
            (Value::Date(s), Value::Date(e)) => Some((s, e)),
            _ => None,
        }
    }

    /// The first amount of the record, with its sign: the first field with
    /// role `amount` (employer 6001 Beloeb, 3101 Beloeb, 6102/6202
    /// Beloeb_feriepenge, 6111 Beloeb).
    pub fn amount(&self) -> Option<Decimal> {
        self.decimal_at(self.layout.amount_index()?)
    }
}

/// Where a layout's records hold a decimal (an amount, a quantity, a plain
/// number followed by its sign field), found once per layout: what
/// [`Record::decimal_at`] reads, without looking up the layout on every
/// record (a total reads one per amount record).
///
/// ```
/// use eindkomst_core::{field::Decimal, record::DecimalField, Decoder, Event};
/// let mut dec = Decoder::default();
/// let mut input = eindkomst_core::testing::SAMPLE;
/// let mut amounts = Vec::new();
/// while let (Event::Record(r), used) = dec.decode(input) {
///     input = &input[used..];
///     if let Some(beloeb) = r.layout().amount_index().and_then(|i| DecimalField::of(r.layout(), i)) {
///         amounts.extend(beloeb.read(&r)); // found per record here; kept per layout in a real loop
///     }
/// }
/// assert_eq!(amounts[1], Decimal { units: 32_500_000_000, scale: 6 }); // 6001 Beloeb 32500.00
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DecimalField {
    start: u16,
    len: u16,
    /// The decimals: fixed by the format, or (`None`) the record's amount scale.
    scale: Option<u8>,
    /// Where a one-byte sign field follows: `-` there makes the value
    /// negative (a sign field of another width never reads as `-`).
    sign: Option<u16>,
}

impl DecimalField {
    /// The layout's `idx`th field, if it reads as a [`Decimal`]: amounts,
    /// quantities, plain numbers followed by their sign field (of at least
    /// one byte).
    pub fn of(layout: &RecordLayout, idx: usize) -> Option<DecimalField> {
        let f = layout.fields.get(idx).filter(|f| f.len > 0)?;
        let next = layout.fields.get(idx + 1);
        let scale = match (f.ty, f.format) {
            (_, Format::Amount) => None,
            (_, Format::Quantity(s)) => Some(s),
            (FieldType::Numeric, Format::Plain) if next.is_some_and(|s| s.format == Format::Sign) => Some(0),
            _ => return None,
        };
        let sign = next.filter(|s| s.len == 1).map(|s| s.start);
        Some(DecimalField { start: f.start, len: f.len, scale, sign })
    }

    /// The value in `r` (`None`: blank, or not digits), with its sign.
    #[inline]
    pub fn read(&self, r: &Record<'_>) -> Option<Decimal> {
        // A blank field is no number: `parse_number` refuses blanks (a
        // field of no bytes, which it would read as 0, is none: `of`).
        let raw = r.bytes.get(self.start as usize..self.start as usize + self.len as usize)?;
        let negative = self.sign.is_some_and(|s| r.bytes.get(s as usize) == Some(&b'-'));
        let units = field::parse_number(raw)? as i64;
        Some(Decimal { units: if negative { -units } else { units }, scale: self.scale.unwrap_or(r.amount_scale) })
    }
}

#[cfg(feature = "serde")]
mod serialize {
    use super::Record;
    use crate::field::{Value, ValueText};
    use serde::ser::{Serialize, SerializeMap, Serializer};

    struct Fields<'r, 'a>(&'r Record<'a>);

    /// A value: `null` when absent, else its text ([`ValueText`]).
    struct Val<'a>(Value<'a>, &'a [u8]);

    impl Serialize for Val<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            match self.0 {
                Value::Absent => s.serialize_none(),
                v => s.collect_str(&ValueText(v, self.1)),
            }
        }
    }

    impl Serialize for Fields<'_, '_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut map = s.serialize_map(None)?;
            for (f, v, raw) in self.0.typed_fields() {
                map.serialize_entry(f.name, &Val(v, raw))?;
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
            map.serialize_entry("record", self.layout.key)?;
            map.serialize_entry("fields", &Fields(self))?;
            map.end()
        }
    }
}

/// A line whose record key has no layout, passed through as it stands
/// ([`Unknown::Raw`](crate::decoder::Unknown::Raw)), so it can be decoded
/// later once its layout is known. It borrows like a [`Record`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RawLine<'a> {
    /// The key bytes as they stand (may be anything, even not digits).
    pub key: &'a [u8],
    /// The whole line, without its terminator (ISO-8859-1; transcoded when
    /// the file is UTF-8).
    pub bytes: &'a [u8],
    /// Physical line, 1-based.
    pub line: u64,
    /// The line number written in the line, when the family has one and it
    /// could be read.
    pub lb_nr: Option<u32>,
    /// Byte offset of the line's first byte in the (decoded) stream.
    pub offset: u64,
}
