//! The one error type: what went wrong, and exactly where.
//!
//! An [`Error`] never holds field contents, so a CPR number cannot leak into a
//! log line through it. It names the physical line, the Lb_nr, the record type,
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

/// What went wrong. Numbers in variants are positions or counts, never data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(tag = "kind", rename_all = "snake_case"))]
#[non_exhaustive]
pub enum ErrorKind {
    /// The stream holds no record at all.
    EmptyInput,
    /// The stream starts with a UTF-8 byte order mark (the format is ISO-8859-1).
    Utf8Bom,
    /// An empty line between records.
    BlankLine,
    /// A line longer than any record (the decoder's line buffer).
    LineTooLong {
        /// The limit in bytes.
        limit: u32,
    },
    /// A line too short to hold Lb_nr and Rec_nr (11 bytes).
    LineTooShort,
    /// A line whose length differs from its record type's length.
    WrongLength {
        /// The layout's length.
        expected: u16,
        /// The line's length.
        found: u32,
    },
    /// The line length is off and the line holds UTF-8 sequences: the file was
    /// re-encoded as UTF-8, so positions shifted.
    Utf8Encoded,
    /// A carriage return not followed by a line feed.
    BareCarriageReturn,
    /// A byte outside ISO-8859-1's printable range (control bytes, 0x7F-0x9F).
    ByteOutsideCharset {
        /// The byte's value.
        byte: u8,
    },
    /// `Rec_nr` names no known record type.
    UnknownRecordType,
    /// A numeric field holds something other than digits (or all blanks).
    NotDigit,
    /// A mandatory field (official `J`) is blank.
    MissingMandatory,
    /// A field mandatory only in TaxCardBuilder's model (`J?`) is blank: a warning.
    MissingField,
    /// Not a real calendar date (`YYYYMMDD`).
    InvalidDate,
    /// Not a real time of day (`HHMMSS`).
    InvalidTime,
    /// A value outside a closed value set.
    InvalidCode,
    /// A value outside an open (incomplete) value set: a warning.
    UnknownCode,
    /// A sign field that is not `+` or `-`.
    InvalidSign,
    /// An amount with digits below 1 øre; the value stays exact but has no øre form.
    SubOrePrecision,
    /// A 6000 with neither CPR nor SE-nr.
    NoIdentity,
    /// 6000 TIN_landekode differs from the following 8001 Landekode.
    CountryMismatch,
    /// A record whose parent record is missing (e.g. 6001 without an open 6000).
    OutOfOrder {
        /// The record type that must come first.
        needs: u16,
    },
    /// A record under a parent that was itself rejected: it cannot be attributed.
    ParentRejected,
    /// More 6102/6202 records under one 6000 than TaxCardBuilder's model allows (3).
    TooManyHolidayRecords,
    /// The first record is not a 1000.
    MissingStartRecord,
    /// A second 1000.
    DuplicateStartRecord,
    /// A record after the 9999.
    RecordAfterEnd,
    /// The stream ended without a 9999.
    MissingEndRecord,
    /// The last line has no line terminator and is shorter than its record.
    TruncatedLastLine,
    /// `Lb_nr` skips numbers.
    LbNrGap {
        /// The number that was due.
        expected: u32,
        /// The number found.
        found: u32,
    },
    /// `Lb_nr` repeats or goes back.
    LbNrRepeat {
        /// The number that was due.
        expected: u32,
        /// The number found.
        found: u32,
    },
    /// 9999.Antal_records disagrees with the number of records.
    ControlCount {
        /// Records counted, including 1000 and 9999.
        counted: u32,
        /// The number in the 9999.
        stated: u32,
    },
    /// 9999.Antal_records is one more than counted (TaxCardBuilder's reading).
    ControlCountPlusOne,
    /// A character outside the Base64 alphabet.
    InvalidBase64 {
        /// The byte's value.
        byte: u8,
    },
    /// Base64 padding in the wrong place.
    Base64Padding,
    /// The Base64 text ends inside a 4-character group.
    Base64Truncated,
}

impl ErrorKind {
    /// Warning or error.
    pub fn severity(&self) -> Severity {
        match self {
            ErrorKind::UnknownCode
            | ErrorKind::MissingField
            | ErrorKind::SubOrePrecision
            | ErrorKind::CountryMismatch
            | ErrorKind::TooManyHolidayRecords
            | ErrorKind::ControlCountPlusOne => Severity::Warning,
            _ => Severity::Error,
        }
    }

    /// A short English description without any data values.
    pub fn message(&self) -> &'static str {
        match self {
            ErrorKind::EmptyInput => "empty input: no records",
            ErrorKind::Utf8Bom => "UTF-8 byte order mark at start of stream (format is ISO-8859-1); skipped",
            ErrorKind::BlankLine => "blank line",
            ErrorKind::LineTooLong { .. } => "line longer than any record",
            ErrorKind::LineTooShort => "line too short for Lb_nr and Rec_nr",
            ErrorKind::WrongLength { .. } => "line length differs from the record's length",
            ErrorKind::Utf8Encoded => "line is UTF-8 encoded (format is ISO-8859-1): positions shifted",
            ErrorKind::BareCarriageReturn => "carriage return without line feed",
            ErrorKind::ByteOutsideCharset { .. } => "byte outside ISO-8859-1 printable range",
            ErrorKind::UnknownRecordType => "unknown record type",
            ErrorKind::NotDigit => "non-digit in numeric field",
            ErrorKind::MissingMandatory => "mandatory field is blank",
            ErrorKind::MissingField => "field is blank (mandatory in TaxCardBuilder's model only)",
            ErrorKind::InvalidDate => "impossible date",
            ErrorKind::InvalidTime => "impossible time",
            ErrorKind::InvalidCode => "value outside the field's value set",
            ErrorKind::UnknownCode => "value not in the field's (incomplete) value set",
            ErrorKind::InvalidSign => "sign is not '+' or '-'",
            ErrorKind::SubOrePrecision => "amount has digits below 1 øre",
            ErrorKind::NoIdentity => "person record has neither CPR nor SE-nr",
            ErrorKind::CountryMismatch => "TIN_landekode differs from the 8001 Landekode",
            ErrorKind::OutOfOrder { .. } => "record out of order: its parent record is not open",
            ErrorKind::ParentRejected => "parent record was rejected; record cannot be attributed",
            ErrorKind::TooManyHolidayRecords => "more than 3 holiday-pay records under one person",
            ErrorKind::MissingStartRecord => "first record is not a 1000 start record",
            ErrorKind::DuplicateStartRecord => "second 1000 start record",
            ErrorKind::RecordAfterEnd => "record after the 9999 end record",
            ErrorKind::MissingEndRecord => "stream ended without a 9999 end record",
            ErrorKind::TruncatedLastLine => "last line is truncated",
            ErrorKind::LbNrGap { .. } => "Lb_nr sequence has a gap",
            ErrorKind::LbNrRepeat { .. } => "Lb_nr repeats or goes back",
            ErrorKind::ControlCount { .. } => "9999 Antal_records does not match the records counted",
            ErrorKind::ControlCountPlusOne => "9999 Antal_records is one more than counted (TaxCardBuilder style)",
            ErrorKind::InvalidBase64 { .. } => "character outside the Base64 alphabet",
            ErrorKind::Base64Padding => "misplaced Base64 padding",
            ErrorKind::Base64Truncated => "Base64 text ends inside a group",
        }
    }

    /// A stable snake_case name, the same in every binding.
    pub fn code(&self) -> &'static str {
        match self {
            ErrorKind::EmptyInput => "empty_input",
            ErrorKind::Utf8Bom => "utf8_bom",
            ErrorKind::BlankLine => "blank_line",
            ErrorKind::LineTooLong { .. } => "line_too_long",
            ErrorKind::LineTooShort => "line_too_short",
            ErrorKind::WrongLength { .. } => "wrong_length",
            ErrorKind::Utf8Encoded => "utf8_encoded",
            ErrorKind::BareCarriageReturn => "bare_carriage_return",
            ErrorKind::ByteOutsideCharset { .. } => "byte_outside_charset",
            ErrorKind::UnknownRecordType => "unknown_record_type",
            ErrorKind::NotDigit => "not_digit",
            ErrorKind::MissingMandatory => "missing_mandatory",
            ErrorKind::MissingField => "missing_field",
            ErrorKind::InvalidDate => "invalid_date",
            ErrorKind::InvalidTime => "invalid_time",
            ErrorKind::InvalidCode => "invalid_code",
            ErrorKind::UnknownCode => "unknown_code",
            ErrorKind::InvalidSign => "invalid_sign",
            ErrorKind::SubOrePrecision => "sub_ore_precision",
            ErrorKind::NoIdentity => "no_identity",
            ErrorKind::CountryMismatch => "country_mismatch",
            ErrorKind::OutOfOrder { .. } => "out_of_order",
            ErrorKind::ParentRejected => "parent_rejected",
            ErrorKind::TooManyHolidayRecords => "too_many_holiday_records",
            ErrorKind::MissingStartRecord => "missing_start_record",
            ErrorKind::DuplicateStartRecord => "duplicate_start_record",
            ErrorKind::RecordAfterEnd => "record_after_end",
            ErrorKind::MissingEndRecord => "missing_end_record",
            ErrorKind::TruncatedLastLine => "truncated_last_line",
            ErrorKind::LbNrGap { .. } => "lb_nr_gap",
            ErrorKind::LbNrRepeat { .. } => "lb_nr_repeat",
            ErrorKind::ControlCount { .. } => "control_count",
            ErrorKind::ControlCountPlusOne => "control_count_plus_one",
            ErrorKind::InvalidBase64 { .. } => "invalid_base64",
            ErrorKind::Base64Padding => "base64_padding",
            ErrorKind::Base64Truncated => "base64_truncated",
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
            write!(f, ", record {rec:04}")?;
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
            ErrorKind::OutOfOrder { needs } => write!(f, " (needs an open {needs:04})"),
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
