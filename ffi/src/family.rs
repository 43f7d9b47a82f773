//! Record families over the C ABI: the built-in employer family, families
//! loaded from JSON, and their layout tables (where each field lies), so a
//! host slices fields out of a record's bytes itself.

use eindkomst_core::layout::{Family, FieldType, Format, Mandatory, RecordLayout, Role, EMPLOYER};

use crate::boundary::ffi_boundary;
use crate::{eik_status, eik_str, slice, write_message};

/// A record family (opaque). `eik_family_employer()` or `eik_family_load`;
/// never freed (a family lives for the process; loading the same JSON again
/// returns the same family). Immutable: share it between threads freely.
pub struct eik_family {
    _private: [u8; 0],
}

/// `eik_event.layout` and the forced layouts of a record with no layout.
pub const EIK_LAYOUT_NONE: u16 = 0xFFFF;

/// The family behind a handle; NULL is the employer family.
pub(crate) fn family_of(f: *const eik_family) -> &'static Family {
    if f.is_null() {
        &EMPLOYER
    } else {
        // SAFETY: a non-NULL handle came from eik_family_employer or
        // eik_family_load (contract), which hand out `&'static Family`.
        unsafe { &*f.cast::<Family>() }
    }
}

fn handle(f: &'static Family) -> *const eik_family {
    (f as *const Family).cast()
}

/// A field's official type.
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum eik_field_type {
    /// `N`: digits, zero-filled, right-aligned (all blanks when absent).
    Numeric = 0,
    /// `A`: ISO-8859-1 text, blank-filled.
    Alpha = 1,
}

/// How a field's bytes are read beyond its type.
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum eik_field_format {
    /// A number or a text, read as it stands.
    Plain = 0,
    /// Unused positions.
    Filler = 1,
    /// `YYYYMMDD`.
    Date = 2,
    /// `HHMMSS`.
    Time = 3,
    /// Unsigned digits, the decoder's `amount_scale` of them decimals; the
    /// sign is the next field.
    Amount = 4,
    /// Unsigned digits with `decimals` decimals; the sign is the next field.
    Quantity = 5,
    /// `+` or `-` of the field before it.
    Sign = 6,
}

/// The mandatory column of a layout.
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum eik_mandatory {
    /// `J`: mandatory; blank rejects the record.
    Yes = 0,
    /// `N`: optional.
    No = 1,
    /// `(J)`: conditionally mandatory.
    Conditional = 2,
    /// `J?`: mandatory in TaxCardBuilder's model only (blank warns).
    ThirdParty = 3,
    /// `?`: unknown.
    Unknown = 4,
}

/// What a field means, whatever it is called (the family file's `role`).
/// Numbers are stable.
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum eik_role {
    /// No special meaning.
    None = 0,
    /// The running line number (employer `Lb_nr`).
    LineNumber = 1,
    /// The record key (employer `Rec_nr`).
    RecordKey = 2,
    /// A person's CPR number (personal data).
    Cpr = 3,
    /// The SE-nr of the reporting company.
    Se = 4,
    /// The SE-nr of the file's sender.
    SenderSe = 5,
    /// An SE/CVR-nr where a person would stand.
    PersonSe = 6,
    /// First day of an income period.
    PeriodStart = 7,
    /// Last day of an income period.
    PeriodEnd = 8,
    /// The form field number an amount belongs to ("Feltnummer").
    Feltnummer = 9,
    /// An amount (sign in the next field).
    Amount = 10,
    /// A count of units (sign in the next field).
    Count = 11,
    /// The `+`/`-` of the field before it.
    Sign = 12,
    /// A foreign tax identification number.
    Tin = 13,
    /// A country code.
    Country = 14,
    /// The trailer's count of records.
    TrailerCount = 15,
    /// The date the file was made.
    FileDate = 16,
}

impl eik_role {
    /// The core role with this number.
    pub(crate) fn to_core(n: u32) -> Option<Role> {
        Role::ALL.get(n as usize).copied()
    }
}

/// What a family is (`eik_family_describe`).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct eik_family_info {
    /// The family's name ("employer", "demo").
    pub name: eik_str,
    /// Number of layouts: current ones first (`n_records`), then variants;
    /// `eik_family_layout` takes 0..n_layouts-1.
    pub n_layouts: u32,
    /// Number of record types (current layouts).
    pub n_records: u32,
    /// The field separator of a separated family (`'`), 0 for fixed width.
    pub separator: u8,
    /// 1 when lines carry a running line number (employer `Lb_nr`).
    pub has_line_numbers: u8,
    /// Always 0.
    pub reserved: [u8; 6],
}

/// One record layout (a record type, or a variant of one).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct eik_layout {
    /// Short name ("Beløbsfelt").
    pub name: eik_str,
    /// "" for the current layout, else the variant ("v7.1", "TaxCardBuilder").
    pub variant: eik_str,
    /// The record key as it stands in the file ("6001", "120").
    pub key: eik_str,
    /// This layout's index (`eik_event.layout`).
    pub index: u32,
    /// Number of fields (`eik_family_field` takes 0..n_fields-1).
    pub n_fields: u32,
    /// The record type (the key as a number).
    pub record_type: u16,
    /// Line length in bytes (a record's `len`), without terminator.
    pub length: u16,
    /// Always 0.
    pub reserved: u32,
}

/// One field of a layout: `bytes[start .. start+len)` of a record of this
/// layout holds it.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct eik_field {
    /// Field name as in the family's documentation ("Beloeb").
    pub name: eik_str,
    /// 0-based byte offset in the line.
    pub start: u16,
    /// Length in bytes.
    pub len: u16,
    /// Field number ("felt"), unique within the record, 1-63.
    pub no: u8,
    /// An `eik_field_type`.
    pub field_type: u8,
    /// An `eik_field_format`.
    pub format: u8,
    /// An `eik_mandatory`.
    pub mandatory: u8,
    /// An `eik_role`.
    pub role: u8,
    /// Decimals of an `EIK_FIELD_FORMAT_QUANTITY` field, else 0.
    pub decimals: u8,
    /// 1 for personal data (CPR): never log it.
    pub personal: u8,
    /// 1 for a field of an optional tail (a line may end before it).
    pub tail: u8,
    /// 1 when the field has a set of allowed codes.
    pub has_codes: u8,
    /// Always 0.
    pub reserved: [u8; 3],
}

fn layout_out(index: usize, l: &'static RecordLayout) -> eik_layout {
    eik_layout {
        name: eik_str::of(l.name),
        variant: eik_str::of(l.variant),
        key: eik_str::of(l.key),
        index: index as u32,
        n_fields: l.fields.len() as u32,
        record_type: l.rec_nr,
        length: l.length,
        reserved: 0,
    }
}

/// The built-in employer reporting family (the default of `eik_options`).
///
/// Ownership: static, never freed. Thread-safe.
#[no_mangle]
pub extern "C" fn eik_family_employer() -> *const eik_family {
    ffi_boundary!(fallback std::ptr::null(); { handle(&EMPLOYER) })
}

/// Loads a family from its JSON text (`docs/layouts.md`). On success
/// `*out` holds it; loading the same text again gives the same family.
///
/// Returns `EIK_STATUS_NULL_POINTER` (`json` NULL with `len > 0`, or `out`
/// NULL), `EIK_STATUS_INVALID_FAMILY` (not valid JSON, or not a valid family:
/// `message`, if not NULL, receives the reason, NUL-terminated, cut to
/// `message_cap` bytes), `EIK_STATUS_PANIC`.
///
/// Ownership: the family lives for the process (never freed). `json` is
/// only read during the call. Thread-safe.
///
/// # Safety
///
/// `json` must be readable for `len` bytes; `out` writable; `message` NULL
/// or writable for `message_cap` bytes.
#[no_mangle]
pub unsafe extern "C" fn eik_family_load(
    json: *const u8,
    len: usize,
    out: *mut *const eik_family,
    message: *mut u8,
    message_cap: usize,
) -> eik_status {
    ffi_boundary!(nonnull(out) {
        // SAFETY: readable for len bytes (contract).
        let Some(bytes) = (unsafe { slice(json, len) }) else {
            return eik_status::NullPointer;
        };
        let parsed = std::str::from_utf8(bytes)
            .map_err(|e| format!("not UTF-8: {e}"))
            .and_then(eindkomst_std::family::parse);
        match parsed {
            Ok(f) => {
                // SAFETY: non-null (checked), writable (contract).
                unsafe { out.write(handle(f)) };
                eik_status::Ok
            }
            Err(e) => {
                // SAFETY: NULL or writable for message_cap bytes (contract).
                unsafe { write_message(message, message_cap, &e) };
                eik_status::InvalidFamily
            }
        }
    })
}

/// Describes `family` (NULL: the employer family).
///
/// Returns `EIK_STATUS_NULL_POINTER`, `EIK_STATUS_PANIC`. Thread-safe.
///
/// # Safety
///
/// `family` must be NULL or a family handle; `out` writable.
#[no_mangle]
pub unsafe extern "C" fn eik_family_describe(family: *const eik_family, out: *mut eik_family_info) -> eik_status {
    ffi_boundary!(nonnull(out) {
        let f = family_of(family);
        let info = eik_family_info {
            name: eik_str::of(f.name),
            n_layouts: f.layouts().count() as u32,
            n_records: f.records.len() as u32,
            separator: f.separator.unwrap_or(0),
            has_line_numbers: f.line_number.is_some().into(),
            reserved: [0; 6],
        };
        // SAFETY: non-null (checked), writable (contract).
        unsafe { out.write(info) };
        eik_status::Ok
    })
}

/// Layout number `index` of `family` (NULL: employer): current layouts
/// first, then variants; the index a record's `eik_event.layout` names.
///
/// Returns `EIK_STATUS_NOT_FOUND` for an index past the last,
/// `EIK_STATUS_NULL_POINTER`, `EIK_STATUS_PANIC`. Thread-safe.
///
/// # Safety
///
/// `family` must be NULL or a family handle; `out` writable.
#[no_mangle]
pub unsafe extern "C" fn eik_family_layout(family: *const eik_family, index: u32, out: *mut eik_layout) -> eik_status {
    ffi_boundary!(nonnull(out) {
        match family_of(family).layouts().nth(index as usize) {
            Some(l) => {
                // SAFETY: non-null (checked), writable (contract).
                unsafe { out.write(layout_out(index as usize, l)) };
                eik_status::Ok
            }
            None => eik_status::NotFound,
        }
    })
}

/// The index of the layout of `record_type` with variant
/// `variant[0..variant_len)` ("" or NULL with length 0: the current
/// layout), for `eik_family_layout` and `eik_options.forced_layouts`.
///
/// Returns `EIK_STATUS_NOT_FOUND`, `EIK_STATUS_NULL_POINTER`,
/// `EIK_STATUS_PANIC`. Thread-safe.
///
/// # Safety
///
/// `family` must be NULL or a family handle; `variant` readable for
/// `variant_len` bytes; `out` writable.
#[no_mangle]
pub unsafe extern "C" fn eik_family_find_layout(
    family: *const eik_family,
    record_type: u16,
    variant: *const u8,
    variant_len: usize,
    out: *mut u32,
) -> eik_status {
    ffi_boundary!(nonnull(out) {
        // SAFETY: readable for variant_len bytes (contract).
        let Some(v) = (unsafe { slice(variant, variant_len) }) else {
            return eik_status::NullPointer;
        };
        let found = family_of(family).layouts().position(|l| l.rec_nr == record_type && l.variant.as_bytes() == v);
        match found {
            Some(i) => {
                // SAFETY: non-null (checked), writable (contract).
                unsafe { out.write(i as u32) };
                eik_status::Ok
            }
            None => eik_status::NotFound,
        }
    })
}

/// Field number `field` (0-based position, not the field number) of layout
/// `layout` of `family` (NULL: employer).
///
/// Returns `EIK_STATUS_NOT_FOUND`, `EIK_STATUS_NULL_POINTER`,
/// `EIK_STATUS_PANIC`. Thread-safe.
///
/// # Safety
///
/// `family` must be NULL or a family handle; `out` writable.
#[no_mangle]
pub unsafe extern "C" fn eik_family_field(
    family: *const eik_family,
    layout: u32,
    field: u32,
    out: *mut eik_field,
) -> eik_status {
    ffi_boundary!(nonnull(out) {
        let Some(f) = family_of(family).layouts().nth(layout as usize).and_then(|l| l.fields.get(field as usize)) else {
            return eik_status::NotFound;
        };
        let desc = eik_field {
            name: eik_str::of(f.name),
            start: f.start,
            len: f.len,
            no: f.no,
            field_type: match f.ty {
                FieldType::Numeric => eik_field_type::Numeric,
                FieldType::Alpha => eik_field_type::Alpha,
            } as u8,
            format: match f.format {
                Format::Plain => eik_field_format::Plain,
                Format::Filler => eik_field_format::Filler,
                Format::Date => eik_field_format::Date,
                Format::Time => eik_field_format::Time,
                Format::Amount => eik_field_format::Amount,
                Format::Quantity(_) => eik_field_format::Quantity,
                Format::Sign => eik_field_format::Sign,
            } as u8,
            mandatory: match f.mandatory {
                Mandatory::Yes => eik_mandatory::Yes,
                Mandatory::No => eik_mandatory::No,
                Mandatory::Conditional => eik_mandatory::Conditional,
                Mandatory::ThirdParty => eik_mandatory::ThirdParty,
                Mandatory::Unknown => eik_mandatory::Unknown,
            } as u8,
            role: f.role.index() as u8,
            decimals: match f.format {
                Format::Quantity(d) => d,
                _ => 0,
            },
            personal: f.personal.into(),
            tail: f.tail.into(),
            has_codes: f.values.is_some().into(),
            reserved: [0; 3],
        };
        // SAFETY: non-null (checked), writable (contract).
        unsafe { out.write(desc) };
        eik_status::Ok
    })
}
