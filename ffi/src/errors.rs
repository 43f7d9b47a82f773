//! Findings (rejected lines, stream errors, warnings) as C structs.

use std::ffi::c_char;

use eindkomst_core::{Error, ErrorKind};

use crate::boundary::ffi_boundary;
use crate::tables::tables;

/// What kind of finding an `eik_error` is.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum eik_finding {
    /// A line that could not be decoded; it is counted in
    /// `eik_counts.rejected` and produces no record.
    Rejected = 1,
    /// A problem of the stream rather than of one line (Lb_nr sequence,
    /// control count, missing end record, Base64); no line is dropped by it.
    Error = 2,
    /// Something uncertain about a record that was decoded.
    Warning = 3,
}

/// What went wrong: one value per kind of the core's `ErrorKind`. Numbers
/// are stable and never reused. `eik_error.code` holds the same kind as a
/// snake_case string, identical in every binding.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum eik_error_kind {
    /// A kind this version of the C API does not know (a newer core); see
    /// `eik_error.code`.
    Unknown = 0,
    /// The stream holds no record at all.
    EmptyInput = 1,
    /// The stream starts with a UTF-8 byte order mark (the format is ISO-8859-1).
    Utf8Bom = 2,
    /// An empty line between records.
    BlankLine = 3,
    /// A line longer than any record; `expected` = the limit in bytes.
    LineTooLong = 4,
    /// A line too short to hold Lb_nr and Rec_nr (11 bytes).
    LineTooShort = 5,
    /// The line length differs from the record type's; `expected`/`found` = lengths.
    WrongLength = 6,
    /// The line is UTF-8 encoded, so positions shifted.
    Utf8Encoded = 7,
    /// A carriage return not followed by a line feed.
    BareCarriageReturn = 8,
    /// A byte outside ISO-8859-1's printable range; `found` = the byte.
    ByteOutsideCharset = 9,
    /// `Rec_nr` names no known record type.
    UnknownRecordType = 10,
    /// A numeric field holds something other than digits.
    NotDigit = 11,
    /// A mandatory field is blank.
    MissingMandatory = 12,
    /// A field mandatory only in TaxCardBuilder's model is blank (warning).
    MissingField = 13,
    /// Not a real calendar date.
    InvalidDate = 14,
    /// Not a real time of day.
    InvalidTime = 15,
    /// A value outside a closed value set.
    InvalidCode = 16,
    /// A value outside an open value set (warning).
    UnknownCode = 17,
    /// A sign field that is not `+` or `-`.
    InvalidSign = 18,
    /// An amount with digits below 1 øre (warning).
    SubOrePrecision = 19,
    /// A 6000 with neither CPR nor SE-nr.
    NoIdentity = 20,
    /// 6000 TIN_landekode differs from the following 8001 Landekode (warning).
    CountryMismatch = 21,
    /// A record whose parent is missing; `expected` = the parent record type.
    OutOfOrder = 22,
    /// A record under a rejected parent.
    ParentRejected = 23,
    /// More than 3 holiday-pay records under one person (warning).
    TooManyHolidayRecords = 24,
    /// The first record is not a 1000.
    MissingStartRecord = 25,
    /// A second 1000.
    DuplicateStartRecord = 26,
    /// A record after the 9999.
    RecordAfterEnd = 27,
    /// The stream ended without a 9999.
    MissingEndRecord = 28,
    /// The last line has no terminator and is shorter than its record.
    TruncatedLastLine = 29,
    /// Lb_nr skips numbers; `expected`/`found` = Lb_nr due / found.
    LbNrGap = 30,
    /// Lb_nr repeats or goes back; `expected`/`found` = Lb_nr due / found.
    LbNrRepeat = 31,
    /// 9999 Antal_records is wrong; `expected` = records counted, `found` = stated.
    ControlCount = 32,
    /// 9999 Antal_records is one more than counted (warning).
    ControlCountPlusOne = 33,
    /// A character outside the Base64 alphabet; `found` = the byte.
    InvalidBase64 = 34,
    /// Misplaced Base64 padding.
    Base64Padding = 35,
    /// The Base64 text ends inside a 4-character group.
    Base64Truncated = 36,
}

/// Every kind, in numeric order (`ALL_KINDS[k as usize] == k`).
pub(crate) const ALL_KINDS: [eik_error_kind; 37] = {
    use eik_error_kind::*;
    [
        Unknown,
        EmptyInput,
        Utf8Bom,
        BlankLine,
        LineTooLong,
        LineTooShort,
        WrongLength,
        Utf8Encoded,
        BareCarriageReturn,
        ByteOutsideCharset,
        UnknownRecordType,
        NotDigit,
        MissingMandatory,
        MissingField,
        InvalidDate,
        InvalidTime,
        InvalidCode,
        UnknownCode,
        InvalidSign,
        SubOrePrecision,
        NoIdentity,
        CountryMismatch,
        OutOfOrder,
        ParentRejected,
        TooManyHolidayRecords,
        MissingStartRecord,
        DuplicateStartRecord,
        RecordAfterEnd,
        MissingEndRecord,
        TruncatedLastLine,
        LbNrGap,
        LbNrRepeat,
        ControlCount,
        ControlCountPlusOne,
        InvalidBase64,
        Base64Padding,
        Base64Truncated,
    ]
};

/// The kind with number `k`, or `Unknown`.
pub(crate) fn kind_from_u32(k: u32) -> eik_error_kind {
    ALL_KINDS.get(k as usize).copied().unwrap_or(eik_error_kind::Unknown)
}

/// The C kind of a core kind, with its two numeric details
/// (`expected`, `found`).
pub(crate) fn map_kind(kind: &ErrorKind) -> (eik_error_kind, u32, u32) {
    use eik_error_kind as K;
    match *kind {
        ErrorKind::EmptyInput => (K::EmptyInput, 0, 0),
        ErrorKind::Utf8Bom => (K::Utf8Bom, 0, 0),
        ErrorKind::BlankLine => (K::BlankLine, 0, 0),
        ErrorKind::LineTooLong { limit } => (K::LineTooLong, limit, 0),
        ErrorKind::LineTooShort => (K::LineTooShort, 0, 0),
        ErrorKind::WrongLength { expected, found } => (K::WrongLength, expected.into(), found),
        ErrorKind::Utf8Encoded => (K::Utf8Encoded, 0, 0),
        ErrorKind::BareCarriageReturn => (K::BareCarriageReturn, 0, 0),
        ErrorKind::ByteOutsideCharset { byte } => (K::ByteOutsideCharset, 0, byte.into()),
        ErrorKind::UnknownRecordType => (K::UnknownRecordType, 0, 0),
        ErrorKind::NotDigit => (K::NotDigit, 0, 0),
        ErrorKind::MissingMandatory => (K::MissingMandatory, 0, 0),
        ErrorKind::MissingField => (K::MissingField, 0, 0),
        ErrorKind::InvalidDate => (K::InvalidDate, 0, 0),
        ErrorKind::InvalidTime => (K::InvalidTime, 0, 0),
        ErrorKind::InvalidCode => (K::InvalidCode, 0, 0),
        ErrorKind::UnknownCode => (K::UnknownCode, 0, 0),
        ErrorKind::InvalidSign => (K::InvalidSign, 0, 0),
        ErrorKind::SubOrePrecision => (K::SubOrePrecision, 0, 0),
        ErrorKind::NoIdentity => (K::NoIdentity, 0, 0),
        ErrorKind::CountryMismatch => (K::CountryMismatch, 0, 0),
        ErrorKind::OutOfOrder { needs } => (K::OutOfOrder, needs.into(), 0),
        ErrorKind::ParentRejected => (K::ParentRejected, 0, 0),
        ErrorKind::TooManyHolidayRecords => (K::TooManyHolidayRecords, 0, 0),
        ErrorKind::MissingStartRecord => (K::MissingStartRecord, 0, 0),
        ErrorKind::DuplicateStartRecord => (K::DuplicateStartRecord, 0, 0),
        ErrorKind::RecordAfterEnd => (K::RecordAfterEnd, 0, 0),
        ErrorKind::MissingEndRecord => (K::MissingEndRecord, 0, 0),
        ErrorKind::TruncatedLastLine => (K::TruncatedLastLine, 0, 0),
        ErrorKind::LbNrGap { expected, found } => (K::LbNrGap, expected, found),
        ErrorKind::LbNrRepeat { expected, found } => (K::LbNrRepeat, expected, found),
        ErrorKind::ControlCount { counted, stated } => (K::ControlCount, counted, stated),
        ErrorKind::ControlCountPlusOne => (K::ControlCountPlusOne, 0, 0),
        ErrorKind::InvalidBase64 { byte } => (K::InvalidBase64, 0, byte.into()),
        ErrorKind::Base64Padding => (K::Base64Padding, 0, 0),
        ErrorKind::Base64Truncated => (K::Base64Truncated, 0, 0),
        _ => (K::Unknown, 0, 0),
    }
}

/// A core kind of each C kind (details zero): the source of the static
/// code and message text, so the text is the core's, never a copy.
pub(crate) fn sample_kind(kind: eik_error_kind) -> Option<ErrorKind> {
    use eik_error_kind as K;
    Some(match kind {
        K::Unknown => return None,
        K::EmptyInput => ErrorKind::EmptyInput,
        K::Utf8Bom => ErrorKind::Utf8Bom,
        K::BlankLine => ErrorKind::BlankLine,
        K::LineTooLong => ErrorKind::LineTooLong { limit: 0 },
        K::LineTooShort => ErrorKind::LineTooShort,
        K::WrongLength => ErrorKind::WrongLength { expected: 0, found: 0 },
        K::Utf8Encoded => ErrorKind::Utf8Encoded,
        K::BareCarriageReturn => ErrorKind::BareCarriageReturn,
        K::ByteOutsideCharset => ErrorKind::ByteOutsideCharset { byte: 0 },
        K::UnknownRecordType => ErrorKind::UnknownRecordType,
        K::NotDigit => ErrorKind::NotDigit,
        K::MissingMandatory => ErrorKind::MissingMandatory,
        K::MissingField => ErrorKind::MissingField,
        K::InvalidDate => ErrorKind::InvalidDate,
        K::InvalidTime => ErrorKind::InvalidTime,
        K::InvalidCode => ErrorKind::InvalidCode,
        K::UnknownCode => ErrorKind::UnknownCode,
        K::InvalidSign => ErrorKind::InvalidSign,
        K::SubOrePrecision => ErrorKind::SubOrePrecision,
        K::NoIdentity => ErrorKind::NoIdentity,
        K::CountryMismatch => ErrorKind::CountryMismatch,
        K::OutOfOrder => ErrorKind::OutOfOrder { needs: 0 },
        K::ParentRejected => ErrorKind::ParentRejected,
        K::TooManyHolidayRecords => ErrorKind::TooManyHolidayRecords,
        K::MissingStartRecord => ErrorKind::MissingStartRecord,
        K::DuplicateStartRecord => ErrorKind::DuplicateStartRecord,
        K::RecordAfterEnd => ErrorKind::RecordAfterEnd,
        K::MissingEndRecord => ErrorKind::MissingEndRecord,
        K::TruncatedLastLine => ErrorKind::TruncatedLastLine,
        K::LbNrGap => ErrorKind::LbNrGap { expected: 0, found: 0 },
        K::LbNrRepeat => ErrorKind::LbNrRepeat { expected: 0, found: 0 },
        K::ControlCount => ErrorKind::ControlCount { counted: 0, stated: 0 },
        K::ControlCountPlusOne => ErrorKind::ControlCountPlusOne,
        K::InvalidBase64 => ErrorKind::InvalidBase64 { byte: 0 },
        K::Base64Padding => ErrorKind::Base64Padding,
        K::Base64Truncated => ErrorKind::Base64Truncated,
    })
}

/// A finding with its position, filled in caller-owned memory by
/// `eik_take_findings`. It never holds field contents (so no CPR number);
/// all strings are static (valid for the life of the process, UTF-8, never
/// freed by the caller).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct eik_error {
    /// Position of this finding in the decoder's event sequence; records
    /// (`eik_record.seq`) and findings share the numbering, so ordering by
    /// `seq` restores the decoder's exact order.
    pub seq: u64,
    /// Physical line, 1-based (0 for a finding before any line).
    pub line: u64,
    /// Byte offset in the (Base64-decoded) stream of the offending byte or
    /// field, 0-based.
    pub offset: u64,
    /// The kind as a stable snake_case string ("not_digit"); static.
    pub code: *const c_char,
    /// A short English description without data values; static.
    pub message: *const c_char,
    /// The field's name from the layout when `has_field`, else ""; static.
    pub field_name: *const c_char,
    /// Rejected line, stream error or warning.
    pub finding: eik_finding,
    /// What went wrong.
    pub kind: eik_error_kind,
    /// The line's Lb_nr when `has_lb_nr`, else 0.
    pub lb_nr: u32,
    /// A number the kind carries (see `eik_error_kind`), else 0.
    pub expected: u32,
    /// A number the kind carries (see `eik_error_kind`), else 0.
    pub found: u32,
    /// The line's record type when `has_record`, else 0.
    pub record: u16,
    /// The field number ("felt") when `has_field`, else 0.
    pub field_no: u8,
    /// 1 when `lb_nr` is known.
    pub has_lb_nr: u8,
    /// 1 when `record` is known.
    pub has_record: u8,
    /// 1 when `field_no`/`field_name` name a field.
    pub has_field: u8,
    /// Always 0 (explicit padding).
    pub reserved: [u8; 6],
}

impl eik_error {
    /// The C form of a core finding.
    pub(crate) fn new(e: &Error, finding: eik_finding, seq: u64) -> eik_error {
        let t = tables();
        let (kind, expected, found) = map_kind(&e.kind);
        // A kind newer than this ABI maps to Unknown ("unknown"): its text is
        // not in the static tables, and guessing would mislead.
        let (code, message) = t.kind_text(kind);
        eik_error {
            seq,
            line: e.line,
            offset: e.offset,
            code,
            message,
            field_name: e.field.map_or(t.empty(), |f| t.field_name(f.name)),
            finding,
            kind,
            lb_nr: e.lb_nr.unwrap_or(0),
            expected,
            found,
            record: e.record.unwrap_or(0),
            field_no: e.field.map_or(0, |f| f.no),
            has_lb_nr: e.lb_nr.is_some().into(),
            has_record: e.record.is_some().into(),
            has_field: e.field.is_some().into(),
            reserved: [0; 6],
        }
    }
}

/// The snake_case code of error kind number `kind` ("unknown" for a number
/// this library does not define), as in `eik_error.code`.
///
/// Ownership: static NUL-terminated string. Thread-safe.
#[no_mangle]
pub extern "C" fn eik_error_kind_code(kind: u32) -> *const c_char {
    ffi_boundary!(fallback c"unknown".as_ptr(); {
        tables().kind_text(kind_from_u32(kind)).0
    })
}

/// The English message of error kind number `kind` (static).
///
/// Ownership: static NUL-terminated string. Thread-safe.
#[no_mangle]
pub extern "C" fn eik_error_kind_message(kind: u32) -> *const c_char {
    ffi_boundary!(fallback c"unknown error kind".as_ptr(); {
        tables().kind_text(kind_from_u32(kind)).1
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::tables;
    use std::ffi::CStr;

    #[test]
    fn kinds_are_numbered_in_order_and_round_trip() {
        for (i, &k) in ALL_KINDS.iter().enumerate() {
            assert_eq!(k as usize, i);
            assert_eq!(kind_from_u32(i as u32), k);
            match sample_kind(k) {
                None => assert_eq!(k, eik_error_kind::Unknown),
                Some(core) => assert_eq!(map_kind(&core).0, k, "{core:?}"),
            }
        }
        assert_eq!(kind_from_u32(ALL_KINDS.len() as u32), eik_error_kind::Unknown);
    }

    #[test]
    fn static_text_is_the_cores() {
        let t = tables();
        assert_eq!(t.overflow, 0, "tables too small for the layouts");
        for &k in &ALL_KINDS[1..] {
            let core = sample_kind(k).unwrap();
            let (code, msg) = t.kind_text(k);
            // SAFETY: static NUL-terminated strings from the arena.
            let (code, msg) = unsafe { (CStr::from_ptr(code), CStr::from_ptr(msg)) };
            assert_eq!(code.to_str().unwrap(), core.code());
            assert_eq!(msg.to_str().unwrap(), core.message());
        }
    }

    #[test]
    fn kind_details_carry_numbers_not_data() {
        let e = map_kind(&ErrorKind::WrongLength { expected: 32, found: 33 });
        assert_eq!(e, (eik_error_kind::WrongLength, 32, 33));
        let e = map_kind(&ErrorKind::ControlCount { counted: 27, stated: 28 });
        assert_eq!(e, (eik_error_kind::ControlCount, 27, 28));
        let e = map_kind(&ErrorKind::ByteOutsideCharset { byte: 0x81 });
        assert_eq!(e, (eik_error_kind::ByteOutsideCharset, 0, 0x81));
    }
}
