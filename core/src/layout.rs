//! Record layouts as data: one table of field descriptors per record type.
//!
//! The built-in tables in [`crate::layouts`] are generated from
//! `shared/spec/eindkomst-layout.json` (the test `layout_json` regenerates them
//! and fails when they differ). Callers may build their own [`LayoutSet`] at run
//! time, e.g. for the municipal distribution family the spec calls "1'2'0".

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
    /// 16 unsigned digits whose sign is the next field; scale is a decoder
    /// option (spec: 10 integer + 6 decimal digits, unconfirmed).
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
}

impl ValueSet {
    /// Whether `value` (the field's bytes, trailing blanks kept) is in the set.
    pub fn contains(&self, value: &[u8]) -> bool {
        let listed = if value.len() <= 8 && self.keys.len() == self.codes.len() {
            self.keys.binary_search(&code_key(value)).is_ok()
        } else {
            self.codes.binary_search_by(|c| c.as_bytes().cmp(value)).is_ok()
        };
        listed
            || self.patterns.iter().any(|p| match p {
                CodePattern::CountryCode => value.len() == 2 && value.iter().all(u8::is_ascii_uppercase),
                CodePattern::Year => value.len() == 4 && value.iter().all(u8::is_ascii_digit),
            })
    }
}

/// A code of up to 8 bytes as one integer: big-endian, zero-padded, so
/// integers order like the codes' bytes (codes hold no zero bytes).
///
/// ```
/// use eindkomst_core::layout::code_key;
/// assert!(code_key(b"0013") < code_key(b"0015"));
/// assert_eq!(code_key(b"AB"), 0x4142 << 48);
/// ```
#[inline]
pub fn code_key(code: &[u8]) -> u64 {
    let key = code.iter().take(8).fold(0u64, |k, &b| k << 8 | b as u64);
    key << (8 * (8 - code.len().min(8))) as u32
}

/// One field of a record layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldDesc {
    /// Field number ("felt"), unique within the record.
    pub no: u8,
    /// Field name as in the spec (`Person_CPR_nr`, `Beloeb`, ...).
    pub name: &'static str,
    /// 0-based byte offset in the line (the spec's 1-based start minus 1).
    pub start: u16,
    /// Length in bytes.
    pub len: u16,
    /// `N` or `A`.
    pub ty: FieldType,
    /// How the bytes are read.
    pub format: Format,
    /// The spec's mandatory flag.
    pub mandatory: Mandatory,
    /// Allowed codes, if the spec names any.
    pub values: Option<&'static ValueSet>,
    /// Personal identifier (CPR): never shown in errors, masked by front-ends.
    pub personal: bool,
}

impl FieldDesc {
    /// The byte range of this field within a line.
    pub fn range(&self) -> core::ops::Range<usize> {
        self.start as usize..self.start as usize + self.len as usize
    }
}

/// The layout of one record type (or one variant of it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecordLayout {
    /// `Rec_nr`, the 4-digit record type.
    pub rec_nr: u16,
    /// Variant key: `""` for the current layout, else e.g. `"v7.1"`.
    pub variant: &'static str,
    /// Short name (`Person`, `Beløb`, ...).
    pub name: &'static str,
    /// Exact line length in bytes, without the line terminator.
    pub length: u16,
    /// Fields in line order; contiguous, covering the whole line.
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
}

/// The set of layouts a decoder uses: the current layout per record type,
/// plus variants selectable by option.
#[derive(Clone, Copy, Debug)]
pub struct LayoutSet {
    /// Current layouts, one per record type.
    pub records: &'static [RecordLayout],
    /// Other layouts of the same record types (e.g. 6000 before TIN).
    pub variants: &'static [RecordLayout],
}

impl LayoutSet {
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
}

/// The layouts of the published eIndkomst format, generated from the JSON.
pub static BUILTIN: LayoutSet = LayoutSet { records: crate::layouts::RECORDS, variants: crate::layouts::VARIANTS };
