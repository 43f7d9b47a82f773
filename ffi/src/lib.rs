//! # eindkomst-ffi: the C ABI of the eindkomst decoder (version 0.2)
//!
//! This crate (library name `eindkomst`: `libeindkomst.so` / `libeindkomst.a`)
//! lets C and every host that speaks C (.NET P/Invoke, Java JNA, Python
//! ctypes, ...) run the decoder. It is a thin face on the std crate
//! [`eindkomst_std`] (the std crate `eindkomst`): its [`Session`](eindkomst_std::Session) is the batch loop, its
//! `FilterSpec` the filter, its `family` module the family loader. The
//! header `include/eindkomst.h` is generated from this crate by cbindgen
//! (plus `_Static_assert`s on every struct's size and field offsets, see
//! `ffi/tests/header.rs`); the doc comments here are the C reference.
//!
//! How data flows:
//!
//! 1. `eik_options_default(&o)`, then set fields: the family (NULL: the
//!    employer family; others from `eik_family_load`), the filter as JSON
//!    text (the one `FilterSpec` shape of every face), the encoding, what to
//!    do with unknown record keys, forced layouts. `eik_decoder_new(&o,
//!    &dec, msg, cap)` checks them (a bad filter says why in `msg`).
//! 2. `eik_decode(dec, chunk, len, events, cap, &batch)` runs the decoder,
//!    with the filter inside, over the chunk and fills one array of
//!    [`eik_event`]s in input order: records, raw lines and findings
//!    interleaved, exactly as the decoder found them. It stops when the
//!    chunk is used up, the array is full, or (strict mode) after the first
//!    rejected line or stream error. A record's `bytes` point into the
//!    caller's chunk when the line lay whole in it (zero copy), else into
//!    the decoder's scratch area (`EIK_EVENT_IN_SCRATCH`: a line split
//!    across chunks, Base64, a projected record); both stay valid until the
//!    next call on the decoder.
//! 3. At end of input `eik_finish` (same batch shape) frames what is left and
//!    runs the end-of-stream checks; call it until `batch.done`.
//!    `eik_decoder_counts` gives the accounting (`lines == decoded + rejected
//!    + raw`); `eik_decoder_free` frees.
//! 4. Field positions are data: `eik_family_layout` / `eik_family_field`
//!    describe every layout of a family, so a host slices fields out of a
//!    record's bytes itself; `eik_profile_fields` says which fields the
//!    filter lets through; `eik_check_field` checks one value (a CPR, an
//!    SE-nr) by a field's rules.
//!
//! Conventions (after rustls-ffi): every function is prefixed `eik_`; every
//! fallible function returns an [`eik_status`] (`uint32_t`, stable numbers);
//! other results go through out-parameters, written only on `EIK_STATUS_OK`;
//! a buffer parameter is followed by its length; every pointer is checked
//! for NULL; enum values coming from C are read as integers and mapped with a
//! fallback, never transmuted; strings are [`eik_str`] (pointer and length,
//! UTF-8, not NUL-terminated) that live for the process (static, or a loaded
//! family's); no thread-local state; every body runs inside one panic
//! boundary, so no panic unwinds into the caller (a caught panic returns
//! `EIK_STATUS_PANIC` and poisons the decoder it happened on).
//!
//! Thread safety: a decoder may be used from any thread, but by one thread
//! at a time (the caller serialises calls on one handle); distinct handles are
//! independent. Families are immutable and may be shared by any threads.
//! Functions without a decoder argument are thread-safe.
#![allow(non_camel_case_types)]
#![deny(missing_docs, unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks, clippy::missing_safety_doc)]

use std::ffi::c_char;

#[doc(hidden)]
pub mod abi;
mod boundary;
pub mod decoder;
pub mod family;
pub mod kinds;
pub mod values;

pub use decoder::*;
pub use family::*;
pub use kinds::*;
pub use values::*;

use boundary::ffi_boundary;

/// Result of every fallible function. Numbers are stable and never reused;
/// read them as `uint32_t` (an unknown value is possible from a newer
/// library).
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum eik_status {
    /// Success; out-parameters are written.
    Ok = 0,
    /// A required pointer argument is NULL. Nothing was done.
    NullPointer = 1,
    /// An argument is out of range (e.g. `amount_scale` above 16, a length
    /// above `PTRDIFF_MAX`, a forced layout index the family does not
    /// have). Nothing was done.
    InvalidArgument = 2,
    /// The output array is shorter than `EIK_MIN_EVENTS`. Nothing was done.
    BufferTooSmall = 3,
    /// `eik_decode` after `eik_finish`: the stream is closed. Nothing was done.
    Finished = 4,
    // 5 was EIK_STATUS_FINDINGS_FULL in 0.1: findings are events now.
    /// No such layout, field, record type, or no filter.
    NotFound = 6,
    /// A panic (a bug in eindkomst) was caught at the boundary. The decoder
    /// it happened on is poisoned: every later call on it returns this
    /// status; it can still be freed.
    Panic = 7,
    /// The filter JSON is not a valid filter (the message says why).
    InvalidFilter = 8,
    /// The family JSON is not a valid family (the message says why).
    InvalidFamily = 9,
}

impl eik_status {
    /// Every status, in number order.
    pub const ALL: [eik_status; 9] = [
        eik_status::Ok,
        eik_status::NullPointer,
        eik_status::InvalidArgument,
        eik_status::BufferTooSmall,
        eik_status::Finished,
        eik_status::NotFound,
        eik_status::Panic,
        eik_status::InvalidFilter,
        eik_status::InvalidFamily,
    ];

    /// The status with number `code`, if any.
    pub fn from_u32(code: u32) -> Option<eik_status> {
        eik_status::ALL.into_iter().find(|s| *s as u32 == code)
    }

    fn text(&self) -> &'static std::ffi::CStr {
        match self {
            eik_status::Ok => c"ok",
            eik_status::NullPointer => c"null pointer argument",
            eik_status::InvalidArgument => c"argument out of range",
            eik_status::BufferTooSmall => c"output array shorter than EIK_MIN_EVENTS",
            eik_status::Finished => c"decoder already finished",
            eik_status::NotFound => c"no such layout, field, record type or filter",
            eik_status::Panic => c"internal panic caught; decoder poisoned",
            eik_status::InvalidFilter => c"invalid filter",
            eik_status::InvalidFamily => c"invalid family",
        }
    }
}

/// A string: `len` bytes of UTF-8 at `ptr`, not NUL-terminated (print with
/// `printf("%.*s", (int)s.len, (const char *)s.ptr)`). Never freed by the
/// caller: static, or owned by a loaded family (which lives for the
/// process). An empty string may have any `ptr`, even NULL.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct eik_str {
    /// The bytes.
    pub ptr: *const u8,
    /// Number of bytes.
    pub len: usize,
}

impl eik_str {
    /// A view of a string that lives for the process.
    pub fn of(s: &'static str) -> eik_str {
        eik_str { ptr: s.as_ptr(), len: s.len() }
    }

    /// The empty string.
    pub const EMPTY: eik_str = eik_str { ptr: std::ptr::null(), len: 0 };
}

/// The library version as a static NUL-terminated string ("0.2.0"), equal to
/// the header's `EIK_VERSION`.
///
/// Ownership: static, never free it. Thread-safe.
#[no_mangle]
pub extern "C" fn eik_version() -> *const c_char {
    ffi_boundary!(fallback c"?".as_ptr(); {
        concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
    })
}

/// A short English description of a status code ("null pointer argument"),
/// "unknown status" for a number this library does not define.
///
/// Ownership: static NUL-terminated string, never free it. Thread-safe.
#[no_mangle]
pub extern "C" fn eik_status_str(code: u32) -> *const c_char {
    ffi_boundary!(fallback c"unknown status".as_ptr(); {
        eik_status::from_u32(code).map_or(c"unknown status", |s| s.text()).as_ptr()
    })
}

/// Writes `text`, CPR-like runs masked (`eindkomst_std::mask_cpr_like`),
/// NUL-terminated into `buf[0..cap)` (cut to fit), if `buf` is not NULL and
/// `cap > 0`.
///
/// # Safety
///
/// `buf` must be NULL or writable for `cap` bytes.
pub(crate) unsafe fn write_message(buf: *mut u8, cap: usize, text: &str) {
    if buf.is_null() || cap == 0 {
        return;
    }
    let text = eindkomst_std::mask_cpr_like(text);
    let n = text.len().min(cap - 1);
    // SAFETY: buf is writable for cap > n bytes (contract); text is n+ bytes;
    // the regions cannot overlap (text is ours).
    unsafe {
        std::ptr::copy_nonoverlapping(text.as_ptr(), buf, n);
        buf.add(n).write(0);
    }
}

/// Whether `n` items of `T` are too many for one buffer (`PTRDIFF_MAX` bytes).
pub(crate) fn too_long<T>(n: usize) -> bool {
    n > isize::MAX as usize / std::mem::size_of::<T>().max(1)
}

/// `p[0..n)` as a slice: empty for `n == 0` (any `p`), `None` for a NULL
/// `p` with `n > 0` or a length above `PTRDIFF_MAX`.
///
/// # Safety
///
/// A non-NULL `p` must be readable for `n` items for the returned lifetime.
pub(crate) unsafe fn slice<'a, T>(p: *const T, n: usize) -> Option<&'a [T]> {
    if n == 0 {
        return Some(&[]);
    }
    if p.is_null() || too_long::<T>(n) {
        return None;
    }
    // SAFETY: non-null, readable for n items (contract), size fits isize.
    Some(unsafe { std::slice::from_raw_parts(p, n) })
}
