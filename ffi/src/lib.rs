//! # eindkomst-ffi: the C ABI of the eindkomst decoder
//!
//! This crate (library name `eindkomst`: `libeindkomst.so` / `libeindkomst.a`)
//! lets C and every host that speaks C (.NET P/Invoke, Java JNA/JNI, Python
//! ctypes, ...) run [`eindkomst_core`]'s streaming decoder. The header
//! `include/eindkomst.h` is generated from this crate by cbindgen; the doc
//! comments here are the C reference.
//!
//! How data flows:
//!
//! 1. `eik_decoder_new(options, &dec)` makes an opaque handle: the core
//!    `Decoder`, a scratch area and a queue of findings.
//! 2. `eik_decode(dec, chunk, len, records, cap, &n, &used)` runs the core over
//!    the chunk until `cap` records are out, the chunk is used up, or
//!    [`EIK_MAX_PENDING_FINDINGS`] findings wait. Each record crosses as a
//!    fixed-size [`eik_record`]: positions plus a pointer to the line's bytes.
//!    The pointer points into the caller's chunk when the line lay whole in
//!    it (zero copy); a line the decoder had to assemble itself (split across
//!    chunks, or decoded from Base64) is copied into the handle's scratch
//!    area, which stays valid until the next call on the handle. One call
//!    moves a whole batch, so the per-call cost of a host's FFI disappears.
//! 3. Rejected lines, stream errors and warnings go to the handle's findings
//!    queue; `eik_take_findings` copies them into caller-owned [`eik_error`]s.
//!    Records and findings share one sequence number (`seq`), so a host can
//!    merge them back into the decoder's exact order.
//! 4. At end of input `eik_finish` (same batch shape) decodes a last
//!    unterminated line and runs the end-of-stream checks; `eik_counts` gives
//!    the accounting (`lines == decoded + rejected`); `eik_decoder_free` frees.
//! 5. Field positions are data: `eik_layout_*` export the layout tables, so a
//!    host slices fields out of a record's bytes itself.
//!
//! Conventions (after rustls-ffi): every function is prefixed `eik_`; every
//! fallible function returns an [`eik_status`] (`uint32_t`, stable numbers);
//! other results go through out-parameters, written only on `EIK_STATUS_OK`; a
//! buffer parameter is followed by its length; every pointer is checked for
//! NULL; enums coming from C are read as `uint32_t` and mapped with a fallback,
//! never transmuted; no thread-local state; every body runs inside one panic
//! boundary, so no panic unwinds into the caller (a caught panic returns
//! `EIK_STATUS_PANIC` and poisons the decoder it happened on).
//!
//! Thread safety: a decoder may be used from any thread, but by one thread
//! at a time (the caller serialises calls on one handle); distinct handles are
//! independent. Functions without a decoder argument are thread-safe.
#![allow(non_camel_case_types)]
#![deny(missing_docs, unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks, clippy::missing_safety_doc)]

use std::ffi::c_char;

mod boundary;
pub mod decoder;
pub mod errors;
pub mod filter;
pub mod layout;
mod tables;

pub use decoder::*;
pub use errors::*;
pub use filter::*;
pub use layout::*;

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
    /// above `PTRDIFF_MAX`). Nothing was done.
    InvalidArgument = 2,
    /// The output array cannot hold a single item (`cap == 0`). Nothing was
    /// done.
    BufferTooSmall = 3,
    /// `eik_decode` after `eik_finish`: the stream is closed. Nothing was done.
    Finished = 4,
    /// `EIK_MAX_PENDING_FINDINGS` findings are waiting: take them with
    /// `eik_take_findings`, then call again. Nothing was done.
    FindingsFull = 5,
    /// No layout or field with that index or record type.
    NotFound = 6,
    /// A panic (a bug in eindkomst) was caught at the boundary. The decoder
    /// it happened on is poisoned: every later call on it returns this
    /// status; it can still be freed.
    Panic = 7,
}

impl eik_status {
    /// The status with number `code`, if any.
    pub fn from_u32(code: u32) -> Option<eik_status> {
        use eik_status::*;
        [Ok, NullPointer, InvalidArgument, BufferTooSmall, Finished, FindingsFull, NotFound, Panic]
            .into_iter()
            .find(|s| *s as u32 == code)
    }
}

/// The library version as a static NUL-terminated string ("0.1.0"), equal to
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
        let s = match eik_status::from_u32(code) {
            Some(eik_status::Ok) => c"ok",
            Some(eik_status::NullPointer) => c"null pointer argument",
            Some(eik_status::InvalidArgument) => c"argument out of range",
            Some(eik_status::BufferTooSmall) => c"output buffer too small for one item",
            Some(eik_status::Finished) => c"decoder already finished",
            Some(eik_status::FindingsFull) => c"too many pending findings: take them first",
            Some(eik_status::NotFound) => c"no such layout or field",
            Some(eik_status::Panic) => c"internal panic caught; decoder poisoned",
            None => c"unknown status",
        };
        s.as_ptr()
    })
}
