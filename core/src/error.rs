//! The one error type: what went wrong, and exactly where.
//!
//! An [`Error`] never holds field contents, so a CPR number cannot leak into a
//! log line through it. It names the physical line, the line number (Lb_nr),
//! the record type,
//! the field number and name, and the byte offset in the stream.

use core::fmt;

/// How serious a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum Severity {
    /// The data is usable but uncertain (unknown code, TCB-style count, ...).
    Warning,
    /// The line is rejected or the stream is broken.
    Error,
}

/// Declares [`ErrorKind`] and its table in one place: number (stable, never
/// reused; the C ABI's `eik_error_kind`), code (snake_case, the same in every
/// binding), severity and message. Adding a kind means adding one line here.
macro_rules! finding_kinds {
    ($(
        $(#[$doc:meta])*
        $name:ident $({ $($(#[$fdoc:meta])* $field:ident : $ty:ty),* $(,)? })?
            = $num:literal, $code:literal, $sev:ident, $msg:literal;
    )*) => {
        /// What went wrong. Numbers in variants are positions or counts, never data.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize))]
        #[cfg_attr(feature = "serde", serde(tag = "kind", rename_all = "snake_case"))]
        #[non_exhaustive]
        pub enum ErrorKind {
            $($(#[$doc])* $name $({ $($(#[$fdoc])* $field: $ty),* })?,)*
        }

        /// Every kind: number, code, severity and message, in number order.
        pub const KINDS: &[KindInfo] = &[$(KindInfo {
            number: $num,
            code: $code,
            severity: Severity::$sev,
            message: $msg,
            name: stringify!($name),
        },)*];

        impl ErrorKind {
            /// The kind's stable number (the C ABI's `eik_error_kind`).
            pub fn number(&self) -> u16 {
                match self { $(ErrorKind::$name { .. } => $num,)* }
            }

            /// A stable snake_case name, the same in every binding.
            pub fn code(&self) -> &'static str {
                match self { $(ErrorKind::$name { .. } => $code,)* }
            }

            /// A short English description without any data values.
            pub fn message(&self) -> &'static str {
                match self { $(ErrorKind::$name { .. } => $msg,)* }
            }

            fn listed_severity(&self) -> Severity {
                match self { $(ErrorKind::$name { .. } => Severity::$sev,)* }
            }
        }
    };
}

/// One row of the table of finding kinds ([`KINDS`]), for generating host
/// enums and documentation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KindInfo {
    /// Stable number.
    pub number: u16,
    /// snake_case code.
    pub code: &'static str,
    /// Severity (a few kinds vary; see [`ErrorKind::severity`]).
    pub severity: Severity,
    /// Short description.
    pub message: &'static str,
    /// The Rust variant name (CamelCase), for host enums.
    pub name: &'static str,
}

finding_kinds! {
    /// The stream holds no record at all.
    EmptyInput = 1, "empty_input", Error, "empty input: no records";
    /// The stream starts with a UTF-8 byte order mark (the format is ISO-8859-1).
    Utf8Bom = 2, "utf8_bom", Error, "UTF-8 byte order mark at start of stream (format is ISO-8859-1); skipped";
    /// An empty line between records.
    BlankLine = 3, "blank_line", Error, "blank line";
    /// A line longer than any record (the decoder's line buffer).
    LineTooLong {
        /// The limit in bytes.
        limit: u32,
    } = 4, "line_too_long", Error, "line longer than any record";
    /// A line too short to hold its record key (and line number).
    LineTooShort = 5, "line_too_short", Error, "line too short for its record key";
    /// A line whose length differs from its record type's length.
    WrongLength {
        /// The layout's length.
        expected: u16,
        /// The line's length.
        found: u32,
    } = 6, "wrong_length", Error, "line length differs from the record's length";
    /// The line is UTF-8 encoded (the format is ISO-8859-1). `transcoded`:
    /// the decoder read the file as UTF-8 (`--encoding auto|utf8`), a warning
    /// given once per file; otherwise the line is rejected because its
    /// positions shifted.
    Utf8Encoded {
        /// Whether the line was transcoded and decoded (a warning).
        transcoded: bool,
    } = 7, "utf8_encoded", Error, "UTF-8 encoded (format is ISO-8859-1)";
    /// A carriage return not followed by a line feed.
    BareCarriageReturn = 8, "bare_carriage_return", Error, "carriage return without line feed";
    /// A byte outside ISO-8859-1's printable range (control bytes, 0x7F-0x9F).
    ByteOutsideCharset {
        /// The byte's value.
        byte: u8,
    } = 9, "byte_outside_charset", Error, "byte outside ISO-8859-1 printable range";
    /// The record key names no record type of the family.
    UnknownRecordType = 10, "unknown_record_type", Error, "unknown record type";
    /// A numeric field holds something other than digits (or all blanks).
    NotDigit = 11, "not_digit", Error, "non-digit in numeric field";
    /// A mandatory field (official `J`) is blank.
    MissingMandatory = 12, "missing_mandatory", Error, "mandatory field is blank";
    /// A field mandatory only in TaxCardBuilder's model (`J?`) is blank: a warning.
    MissingField = 13, "missing_field", Warning, "field is blank (mandatory in TaxCardBuilder's model only)";
    /// Not a real calendar date (`YYYYMMDD`).
    InvalidDate = 14, "invalid_date", Error, "impossible date";
    /// Not a real time of day (`HHMMSS`).
    InvalidTime = 15, "invalid_time", Error, "impossible time";
    /// A value outside a closed value set.
    InvalidCode = 16, "invalid_code", Error, "value outside the field's value set";
    /// A value outside an open (incomplete) value set: a warning.
    UnknownCode = 17, "unknown_code", Warning, "value not in the field's (incomplete) value set";
    /// A sign field that is not `+` or `-`.
    InvalidSign = 18, "invalid_sign", Error, "sign is not '+' or '-'";
    /// An amount with digits below 1 øre; the value stays exact but has no øre form.
    SubOrePrecision = 19, "sub_ore_precision", Warning, "amount has digits below 1 øre";
    /// A record whose identifying fields (employer 6000: CPR, SE-nr) are all blank.
    NoIdentity = 20, "no_identity", Error, "record has none of its identifying fields (CPR, SE-nr)";
    /// A value that must equal its parent record's differs (employer: 6000
    /// TIN_landekode and the 8001 Landekode after it).
    CountryMismatch = 21, "country_mismatch", Warning, "value differs from the parent record's (country code)";
    /// A record whose parent record is not open (e.g. 6001 without a 6000).
    OutOfOrder {
        /// The record type that must come first.
        needs: u16,
    } = 22, "out_of_order", Error, "record out of order: its parent record is not open";
    /// A record under a parent that was itself rejected: it cannot be attributed.
    ParentRejected = 23, "parent_rejected", Error, "parent record was rejected; record cannot be attributed";
    /// More records of one type under one parent than the family allows
    /// (employer: 3 of each of 6102 and 6202 under one 6000).
    TooManyRecords {
        /// The most the family allows.
        max: u16,
    } = 24, "too_many_records", Warning, "more records of this type under one parent than the family allows";
    /// The first record is not the family's start record (employer: 1000).
    MissingStartRecord = 25, "missing_start_record", Error, "first record is not the start record";
    /// A second start record.
    DuplicateStartRecord = 26, "duplicate_start_record", Error, "second start record";
    /// A record after the end record (employer: 9999).
    RecordAfterEnd = 27, "record_after_end", Error, "record after the end record";
    /// The stream ended without the end record.
    MissingEndRecord = 28, "missing_end_record", Error, "stream ended without the end record";
    /// The last line has no line terminator and is shorter than its record.
    TruncatedLastLine = 29, "truncated_last_line", Error, "last line is truncated";
    /// The line number (employer: Lb_nr) skips numbers.
    LbNrGap {
        /// The number that was due.
        expected: u32,
        /// The number found.
        found: u32,
    } = 30, "lb_nr_gap", Error, "line number (Lb_nr) sequence has a gap";
    /// The line number (employer: Lb_nr) repeats or goes back.
    LbNrRepeat {
        /// The number that was due.
        expected: u32,
        /// The number found.
        found: u32,
    } = 31, "lb_nr_repeat", Error, "line number (Lb_nr) repeats or goes back";
    /// The trailer count (employer: 9999.Antal_records) disagrees with the
    /// number of records.
    ControlCount {
        /// Records counted, including the start and end records.
        counted: u32,
        /// The number in the trailer.
        stated: u32,
    } = 32, "control_count", Error, "trailer count does not match the records counted";
    /// The trailer count is one more than counted (TaxCardBuilder's reading).
    ControlCountPlusOne = 33, "control_count_plus_one", Warning, "trailer count is one more than counted (TaxCardBuilder style)";
    /// A character outside the Base64 alphabet.
    InvalidBase64 {
        /// The byte's value.
        byte: u8,
    } = 34, "invalid_base64", Error, "character outside the Base64 alphabet";
    /// Base64 padding in the wrong place.
    Base64Padding = 35, "base64_padding", Error, "misplaced Base64 padding";
    /// The Base64 text ends inside a 4-character group.
    Base64Truncated = 36, "base64_truncated", Error, "Base64 text ends inside a group";
    /// A line shorter than its layout whose missing tail lies only in fields
    /// that may be blank: padded with blanks and decoded (a warning).
    TrailingBlanksTrimmed = 37, "trailing_blanks_trimmed", Warning, "trailing blanks were trimmed; line padded back";
    /// In a UTF-8 file: a character that ISO-8859-1 cannot hold.
    CharOutsideLatin1 = 38, "char_outside_latin1", Error, "character outside ISO-8859-1";
    /// In a UTF-8 file: bytes that are not UTF-8.
    InvalidUtf8 = 39, "invalid_utf8", Error, "invalid UTF-8 in a UTF-8 file";
    /// A separated line with a different number of fields than its layout.
    WrongFieldCount {
        /// Fields in the layout (tail included).
        expected: u16,
        /// Fields in the line.
        found: u32,
    } = 40, "wrong_field_count", Error, "number of fields differs from the record's layout";
    /// A field of a separated line longer than its layout allows.
    FieldTooLong {
        /// The most the field may hold.
        limit: u16,
    } = 41, "field_too_long", Error, "field longer than its layout allows";
    /// The input is not in the decoder's family: one finding for the whole
    /// input instead of one per line.
    WrongFamily {
        /// What the input looks like instead.
        detected: crate::detect::FileKind,
    } = 42, "wrong_family", Error, "input is not in this record family";
    /// A line whose record key has no layout, passed through raw on request
    /// (`--unknown raw`); counted in `Counts::raw`.
    PassedRaw = 43, "passed_raw", Warning, "unknown record type: passed through raw";
}

impl ErrorKind {
    /// Warning or error.
    pub fn severity(&self) -> Severity {
        match self {
            ErrorKind::Utf8Encoded { transcoded: true } => Severity::Warning,
            _ => self.listed_severity(),
        }
    }

    /// The numbers a kind carries, as (expected, found): limits, lengths,
    /// counts, line numbers, the parent record type, a byte. Never data.
    pub fn numbers(&self) -> (u64, u64) {
        match *self {
            ErrorKind::LineTooLong { limit } => (limit as u64, 0),
            ErrorKind::WrongLength { expected, found } => (expected as u64, found as u64),
            ErrorKind::ByteOutsideCharset { byte } | ErrorKind::InvalidBase64 { byte } => (0, byte as u64),
            ErrorKind::OutOfOrder { needs } => (needs as u64, 0),
            ErrorKind::TooManyRecords { max } => (max as u64, 0),
            ErrorKind::LbNrGap { expected, found } | ErrorKind::LbNrRepeat { expected, found } => {
                (expected as u64, found as u64)
            }
            ErrorKind::ControlCount { counted, stated } => (counted as u64, stated as u64),
            ErrorKind::WrongFieldCount { expected, found } => (expected as u64, found as u64),
            ErrorKind::FieldTooLong { limit } => (limit as u64, 0),
            ErrorKind::WrongFamily { detected } => (0, detected.into()),
            ErrorKind::Utf8Encoded { transcoded } => (0, transcoded as u64),
            _ => (0, 0),
        }
    }
}

/// A field named in an error: number and name from the layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct FieldRef {
    /// Field number ("felt").
    pub no: u8,
    /// Field name from the layout.
    pub name: &'static str,
}

/// A finding about the input, with its position. `Copy`, no allocation, no data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Error {
    /// What went wrong.
    #[cfg_attr(feature = "serde", serde(flatten))]
    pub kind: ErrorKind,
    /// Physical line, 1-based (0 for stream-level findings before any line).
    pub line: u64,
    /// The line's Lb_nr, when it could be read.
    pub lb_nr: Option<u32>,
    /// The line's record type, when it could be read.
    pub record: Option<u16>,
    /// The field concerned, if any.
    pub field: Option<FieldRef>,
    /// Byte offset in the (decoded) stream of the offending byte or field.
    pub offset: u64,
}

impl Error {
    /// Warning or error.
    pub fn severity(&self) -> Severity {
        self.kind.severity()
    }
}

impl fmt::Display for Error {
    /// One line: `line 7 (Lb_nr 7), record 6001, field 4 Beloeb, offset 230: non-digit in numeric field`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}", self.line)?;
        if let Some(lb) = self.lb_nr {
            write!(f, " (Lb_nr {lb})")?;
        }
        if let Some(rec) = self.record {
            write!(f, ", record {rec}")?;
        }
        if let Some(field) = self.field {
            write!(f, ", field {} {}", field.no, field.name)?;
        }
        write!(f, ", offset {}: {}", self.offset, self.kind.message())?;
        match self.kind {
            ErrorKind::WrongLength { expected, found } => {
                write!(f, " (expected {expected}, found {found})")
            }
            ErrorKind::LineTooLong { limit } => write!(f, " (limit {limit})"),
            ErrorKind::ByteOutsideCharset { byte } | ErrorKind::InvalidBase64 { byte } => {
                write!(f, " (byte 0x{byte:02X})")
            }
            ErrorKind::OutOfOrder { needs } => write!(f, " (needs an open {needs})"),
            ErrorKind::TooManyRecords { max } => write!(f, " (at most {max})"),
            ErrorKind::WrongFieldCount { expected, found } => write!(f, " (expected {expected}, found {found})"),
            ErrorKind::FieldTooLong { limit } => write!(f, " (at most {limit})"),
            ErrorKind::WrongFamily { detected } => write!(f, ": it looks like {}", detected.describe()),
            ErrorKind::Utf8Encoded { transcoded: true } => f.write_str(": read as UTF-8"),
            ErrorKind::Utf8Encoded { transcoded: false } => f.write_str(": positions shifted"),
            ErrorKind::LbNrGap { expected, found } | ErrorKind::LbNrRepeat { expected, found } => {
                write!(f, " (expected {expected}, found {found})")
            }
            ErrorKind::ControlCount { counted, stated } => {
                write!(f, " (counted {counted}, stated {stated})")
            }
            _ => Ok(()),
        }
    }
}
