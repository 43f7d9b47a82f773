//! The layout tables: where each field of each record type lies, so a host
//! slices fields out of `eik_record.bytes` itself.

use std::ffi::c_char;

use eindkomst_core::layout::{FieldType, Format, Mandatory};

use crate::boundary::ffi_boundary;
use crate::eik_status;
use crate::tables::{tables, LayoutEntry, Tables};

/// A field's official type.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum eik_field_type {
    /// `N`: digits, zero-filled, right-aligned (all blanks when absent).
    Numeric = 0,
    /// `A`: ISO-8859-1 text, blank-filled.
    Alpha = 1,
}

/// How a field's bytes are read beyond its type.
#[repr(u32)]
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
    /// 16 unsigned digits, `amount_scale` of them decimals; the sign is the
    /// next field.
    Amount = 4,
    /// Unsigned digits with `decimals` decimals; the sign is the next field.
    Quantity = 5,
    /// `+` or `-` of the field before it.
    Sign = 6,
}

/// The spec's mandatory column.
#[repr(u32)]
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

/// One record layout (a record type, or a variant of one).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct eik_layout {
    /// Short name ("Beløbsfelt"), UTF-8; static.
    pub name: *const c_char,
    /// "" for the current layout, else the variant key ("v7.1"); static.
    pub variant: *const c_char,
    /// This layout's index for `eik_layout_at` / `eik_layout_field`.
    pub index: u32,
    /// Number of fields (`eik_layout_field` indexes 0..n_fields-1).
    pub n_fields: u32,
    /// `Rec_nr`.
    pub record_type: u16,
    /// Exact line length in bytes, without terminator.
    pub length: u16,
    /// Always 0 (explicit padding).
    pub reserved: u32,
}

/// One field of a layout. `bytes[start .. start+len)` of a record of this
/// layout holds the field.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct eik_field {
    /// Field name as in the spec ("Beloeb"), UTF-8; static.
    pub name: *const c_char,
    /// N or A.
    pub field_type: eik_field_type,
    /// How to read it.
    pub format: eik_field_format,
    /// The mandatory flag.
    pub mandatory: eik_mandatory,
    /// 0-based byte offset in the line.
    pub start: u16,
    /// Length in bytes.
    pub len: u16,
    /// Field number ("felt"), unique within the record.
    pub no: u8,
    /// Decimals of an `EIK_FIELD_FORMAT_QUANTITY` field, else 0.
    pub decimals: u8,
    /// 1 for a personal identifier (CPR): never log it.
    pub personal: u8,
    /// 1 when the field has a set of allowed codes.
    pub has_codes: u8,
    /// Always 0 (explicit padding).
    pub reserved: u32,
}

fn layout_of(t: &'static Tables, index: usize, e: &LayoutEntry) -> Option<eik_layout> {
    let l = e.layout?;
    Some(eik_layout {
        name: t.cstr(e.name),
        variant: t.cstr(e.variant),
        index: index as u32,
        n_fields: l.fields.len() as u32,
        record_type: l.rec_nr,
        length: l.length,
        reserved: 0,
    })
}

/// Number of built-in layouts: every record type's current layout first
/// (indexes in layout order), then the variants. Thread-safe.
#[no_mangle]
pub extern "C" fn eik_layout_count() -> usize {
    ffi_boundary!(fallback 0; { tables().n_layouts })
}

/// Fills `*out` with layout number `index` (0 .. `eik_layout_count()`-1;
/// `eik_record.layout_index` is such an index).
///
/// Returns `EIK_STATUS_NULL_POINTER`, `EIK_STATUS_NOT_FOUND` (no such index),
/// `EIK_STATUS_PANIC`. Ownership: `out` is caller-owned, its strings static.
/// Thread-safe.
///
/// # Safety
///
/// `out` must be NULL or writable for one `eik_layout`.
#[no_mangle]
pub unsafe extern "C" fn eik_layout_at(index: usize, out: *mut eik_layout) -> eik_status {
    ffi_boundary!(nonnull(out) {
        let t = tables();
        let Some(l) = t.layout(index).and_then(|e| layout_of(t, index, e)) else {
            return eik_status::NotFound;
        };
        // SAFETY: non-null (checked) and writable (contract).
        unsafe { out.write(l) };
        eik_status::Ok
    })
}

/// Fills `*out` with the current layout of record type `record_type`
/// (e.g. 6001). Variants are reached through `eik_layout_at`.
///
/// Returns `EIK_STATUS_NULL_POINTER`, `EIK_STATUS_NOT_FOUND` (unknown record
/// type), `EIK_STATUS_PANIC`. Ownership: `out` is caller-owned, its strings
/// static. Thread-safe.
///
/// # Safety
///
/// `out` must be NULL or writable for one `eik_layout`.
#[no_mangle]
pub unsafe extern "C" fn eik_layout_get(record_type: u16, out: *mut eik_layout) -> eik_status {
    ffi_boundary!(nonnull(out) {
        let t = tables();
        let found = (0..t.n_layouts).find_map(|i| {
            let e = t.layout(i)?;
            let l = e.layout?;
            (l.rec_nr == record_type && l.variant.is_empty())
                .then(|| layout_of(t, i, e))
                .flatten()
        });
        let Some(l) = found else {
            return eik_status::NotFound;
        };
        // SAFETY: non-null (checked) and writable (contract).
        unsafe { out.write(l) };
        eik_status::Ok
    })
}

/// Fills `*out` with field number `field_index` (0-based position in line
/// order, not the field's `no`) of layout `layout_index`.
///
/// Returns `EIK_STATUS_NULL_POINTER`, `EIK_STATUS_NOT_FOUND`,
/// `EIK_STATUS_PANIC`. Ownership: `out` is caller-owned, its name static.
/// Thread-safe.
///
/// # Safety
///
/// `out` must be NULL or writable for one `eik_field`.
#[no_mangle]
pub unsafe extern "C" fn eik_layout_field(layout_index: usize, field_index: usize, out: *mut eik_field) -> eik_status {
    ffi_boundary!(nonnull(out) {
        let t = tables();
        let Some(f) = t.layout(layout_index).and_then(|e| t.field(e, field_index)) else {
            return eik_status::NotFound;
        };
        let Some(d) = f.desc else {
            return eik_status::NotFound;
        };
        let (format, decimals) = match d.format {
            Format::Plain => (eik_field_format::Plain, 0),
            Format::Filler => (eik_field_format::Filler, 0),
            Format::Date => (eik_field_format::Date, 0),
            Format::Time => (eik_field_format::Time, 0),
            Format::Amount => (eik_field_format::Amount, 0),
            Format::Quantity(n) => (eik_field_format::Quantity, n),
            Format::Sign => (eik_field_format::Sign, 0),
        };
        let field = eik_field {
            name: t.cstr(f.name),
            field_type: match d.ty {
                FieldType::Numeric => eik_field_type::Numeric,
                FieldType::Alpha => eik_field_type::Alpha,
            },
            format,
            mandatory: match d.mandatory {
                Mandatory::Yes => eik_mandatory::Yes,
                Mandatory::No => eik_mandatory::No,
                Mandatory::Conditional => eik_mandatory::Conditional,
                Mandatory::ThirdParty => eik_mandatory::ThirdParty,
                Mandatory::Unknown => eik_mandatory::Unknown,
            },
            start: d.start,
            len: d.len,
            no: d.no,
            decimals,
            personal: d.personal.into(),
            has_codes: d.values.is_some().into(),
            reserved: 0,
        };
        // SAFETY: non-null (checked) and writable (contract).
        unsafe { out.write(field) };
        eik_status::Ok
    })
}
