//! Single values: check one CPR or SE-nr by a field's rules (no probe file
//! needed), and pseudonymise one CPR.

use eindkomst_core::filter::{pseudonymise, PSEUDONYM_LEN};
use eindkomst_core::layout::Role;

use crate::boundary::ffi_boundary;
use crate::decoder::{core_options, eik_options};
use crate::family::eik_role;
use crate::kinds::eik_severity;
use crate::{eik_status, slice};

/// Length of a pseudonym: 16 lowercase hex characters (64 bits of the HMAC).
pub const EIK_PSEUDONYM_LEN: usize = 16;
const _: () = assert!(EIK_PSEUDONYM_LEN == PSEUDONYM_LEN);

/// The verdict of `eik_check_field` on one value.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct eik_field_check {
    /// The kind's numbers (`eik_event.expected`).
    pub expected: u64,
    /// The kind's numbers (`eik_event.found`).
    pub found: u64,
    /// Byte position of the problem in the value.
    pub at: u32,
    /// 0 when the value is fine, else the finding's kind (`EIK_KIND_*`).
    pub kind: u16,
    /// 0 when fine, else an `eik_severity`: a warning leaves the value usable.
    pub severity: u8,
    /// The field number that was checked.
    pub field_no: u8,
}

/// Checks one value against a field of a record type by the rules the
/// decoder applies to it in a line (digits, dates, codes, mandatory, sign),
/// so a caller can check one CPR or SE-nr without making a file. The field
/// is the record type's first field with role `role` (an `eik_role`), or,
/// with `EIK_ROLE_NONE`, field number `field_no`. A numeric value must fill
/// its field; a text may be shorter (it is blank-padded, as in a record).
/// A value of an identifying field (the record's identity roles, employer:
/// CPR, SE-nr) must identify on its own: blank or all zeros is
/// `no_identity`. The family, amount scale and unknown-code rule come from `options` (NULL:
/// the defaults, employer family).
///
/// ```c
/// eik_field_check c;
/// eik_check_field(NULL, 6000, EIK_ROLE_CPR, 0, (const uint8_t *)"6101901234", 10, &c);
/// // c.kind == 0: a valid CPR field value
/// ```
///
/// Returns `EIK_STATUS_NOT_FOUND` (no such record type, role or field),
/// `EIK_STATUS_INVALID_ARGUMENT` (bad options), `EIK_STATUS_NULL_POINTER`,
/// `EIK_STATUS_PANIC`. The value is never copied or reported. Thread-safe.
///
/// # Safety
///
/// `options` must be NULL or readable; `value` readable for `len` bytes;
/// `out` writable.
#[no_mangle]
pub unsafe extern "C" fn eik_check_field(
    options: *const eik_options,
    record_type: u16,
    role: u32,
    field_no: u8,
    value: *const u8,
    len: usize,
    out: *mut eik_field_check,
) -> eik_status {
    ffi_boundary!(nonnull(out) {
        // SAFETY: NULL or readable (contract).
        let o = if options.is_null() { eik_options::default() } else { unsafe { options.read() } };
        let Some(opts) = core_options(&o) else {
            return eik_status::InvalidArgument;
        };
        // SAFETY: readable for len bytes (contract).
        let Some(value) = (unsafe { slice(value, len) }) else {
            return eik_status::NullPointer;
        };
        let Some(layout) = opts.family.get(record_type) else {
            return eik_status::NotFound;
        };
        let field = match eik_role::to_core(role) {
            Some(Role::None) => layout.field(field_no),
            Some(r) => layout.field_with(r),
            None => None,
        };
        let Some(field) = field else {
            return eik_status::NotFound;
        };
        let mut c = eik_field_check { field_no: field.no, ..eik_field_check::default() };
        match eindkomst_core::check_field(layout, field, value, &opts) {
            Ok(None) => {}
            Ok(Some(kind)) => {
                (c.expected, c.found) = kind.numbers();
                c.kind = kind.number();
                c.severity = eik_severity::from(kind.severity()) as u8;
            }
            Err((kind, at)) => {
                (c.expected, c.found) = kind.numbers();
                c.kind = kind.number();
                c.severity = eik_severity::Error as u8;
                c.at = at as u32;
            }
        }
        // SAFETY: non-null (checked), writable (contract).
        unsafe { out.write(c) };
        eik_status::Ok
    })
}

/// Writes the pseudonym of one CPR number under `key` (HMAC-SHA-256, first 8
/// bytes as 16 lowercase hex characters, not NUL-terminated) to
/// `out[0..EIK_PSEUDONYM_LEN)`: the same value a filter with this key puts in
/// place of the CPR. `cpr` is the 10 digits as they stand in the record.
///
/// Returns `EIK_STATUS_NULL_POINTER`, `EIK_STATUS_INVALID_ARGUMENT`,
/// `EIK_STATUS_PANIC`. Thread-safe.
///
/// # Safety
///
/// `key` readable for `key_len` bytes (or NULL with 0); `cpr` readable for
/// `cpr_len` bytes; `out` writable for `EIK_PSEUDONYM_LEN` bytes.
#[no_mangle]
pub unsafe extern "C" fn eik_pseudonymise(
    key: *const u8,
    key_len: usize,
    cpr: *const u8,
    cpr_len: usize,
    out: *mut u8,
) -> eik_status {
    ffi_boundary!(nonnull(cpr, out) {
        // SAFETY: readable for their lengths (contract).
        let (Some(key), Some(cpr)) = (unsafe { slice(key, key_len) }, unsafe { slice(cpr, cpr_len) }) else {
            return eik_status::InvalidArgument;
        };
        let p = pseudonymise(key, cpr);
        // SAFETY: writable for 16 bytes (contract); no overlap with p.
        unsafe { std::ptr::copy_nonoverlapping(p.0.as_ptr(), out, PSEUDONYM_LEN) };
        eik_status::Ok
    })
}
