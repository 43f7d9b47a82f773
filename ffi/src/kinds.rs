//! The kinds of finding, from the core's one table
//! (`eindkomst_core::error::KINDS`): the header's `EIK_KIND_*` numbers are
//! generated from it (`ffi/tests/header.rs`), and `eik_kind_info` reads it at
//! run time. Nothing here is a hand copy.

use eindkomst_core::error::KINDS;
use eindkomst_core::Severity;

use crate::boundary::ffi_boundary;
use crate::{eik_status, eik_str};

/// How serious a finding is.
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum eik_severity {
    /// The data is usable but uncertain.
    Warning = 1,
    /// The line is rejected or the stream is broken.
    Error = 2,
}

impl From<Severity> for eik_severity {
    fn from(s: Severity) -> eik_severity {
        match s {
            Severity::Warning => eik_severity::Warning,
            Severity::Error => eik_severity::Error,
        }
    }
}

/// One kind of finding (`eik_kind_info`).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct eik_kind_info {
    /// snake_case code, the same in every binding ("not_digit").
    pub code: eik_str,
    /// Short English description without any data value.
    pub message: eik_str,
    /// CamelCase name, as in the C# and Java enums ("NotDigit").
    pub name: eik_str,
    /// Stable number (`eik_event.kind`, `EIK_KIND_*`).
    pub number: u16,
    /// The usual `eik_severity` (`utf8_encoded` is a warning when the
    /// decoder transcoded the file; `eik_event.event_type` tells).
    pub severity: u8,
    /// Always 0.
    pub reserved: [u8; 5],
}

/// Number of kinds of finding this library knows (`eik_kind_at` takes
/// 0..count-1). Thread-safe.
#[no_mangle]
pub extern "C" fn eik_kind_count() -> usize {
    ffi_boundary!(fallback 0; { KINDS.len() })
}

fn info(k: &'static eindkomst_core::error::KindInfo) -> eik_kind_info {
    eik_kind_info {
        code: eik_str::of(k.code),
        message: eik_str::of(k.message),
        name: eik_str::of(k.name),
        number: k.number,
        severity: eik_severity::from(k.severity) as u8,
        reserved: [0; 5],
    }
}

/// The kind with stable number `number` (`eik_event.kind`).
///
/// Returns `EIK_STATUS_NOT_FOUND` for a number this library does not know
/// (a newer library's kind: treat it by its event type), and
/// `EIK_STATUS_NULL_POINTER`, `EIK_STATUS_PANIC`. Thread-safe.
///
/// # Safety
///
/// `out` must be writable.
#[no_mangle]
pub unsafe extern "C" fn eik_kind_get(number: u16, out: *mut eik_kind_info) -> eik_status {
    ffi_boundary!(nonnull(out) {
        match KINDS.iter().find(|k| k.number == number) {
            Some(k) => {
                // SAFETY: non-null (checked), writable (contract).
                unsafe { out.write(info(k)) };
                eik_status::Ok
            }
            None => eik_status::NotFound,
        }
    })
}

/// The `index`-th kind (0..`eik_kind_count()`-1), in number order.
///
/// Returns `EIK_STATUS_NOT_FOUND`, `EIK_STATUS_NULL_POINTER`,
/// `EIK_STATUS_PANIC`. Thread-safe.
///
/// # Safety
///
/// `out` must be writable.
#[no_mangle]
pub unsafe extern "C" fn eik_kind_at(index: usize, out: *mut eik_kind_info) -> eik_status {
    ffi_boundary!(nonnull(out) {
        match KINDS.get(index) {
            Some(k) => {
                // SAFETY: non-null (checked), writable (contract).
                unsafe { out.write(info(k)) };
                eik_status::Ok
            }
            None => eik_status::NotFound,
        }
    })
}
