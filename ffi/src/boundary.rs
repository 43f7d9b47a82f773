//! The panic boundary: nothing unwinds across the C ABI.
//!
//! Every `extern "C"` function runs its body inside [`ffi_boundary!`], which
//! checks the listed pointers for NULL and runs the body under
//! [`std::panic::catch_unwind`]. A caught panic becomes
//! [`eik_status::Panic`](crate::eik_status::Panic) (or a fixed fallback value
//! for functions that return no status) and, for calls on a decoder, poisons
//! that decoder so every later call on it returns the same status.
//!
//! This does not depend on the build profile: with `panic = "unwind"` (the
//! default, and what the workspace uses) panics are caught here; a host that
//! builds the library with `panic = "abort"` gets an abort instead, which is
//! equally unable to unwind into C frames.

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::eik_status;

/// Runs `f`, turning a panic into [`eik_status::Panic`].
pub(crate) fn guard<F: FnOnce() -> eik_status>(f: F) -> eik_status {
    guard_or(eik_status::Panic, f)
}

/// Runs `f`, turning a panic into `fallback`.
pub(crate) fn guard_or<T, F: FnOnce() -> T>(fallback: T, f: F) -> T {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(v) => v,
        Err(payload) => {
            drop_payload(payload);
            fallback
        }
    }
}

/// Drops a panic payload; a payload whose destructor panics in turn is leaked
/// rather than allowed to unwind out of the boundary.
fn drop_payload(payload: Box<dyn Any + Send>) {
    if let Err(again) = catch_unwind(AssertUnwindSafe(move || drop(payload))) {
        std::mem::forget(again);
    }
}

/// The one wrapper around every exported function body.
///
/// * `ffi_boundary!(nonnull(a, b) { body })` returns
///   [`eik_status::NullPointer`] if any listed pointer is NULL, else runs
///   `body` (which evaluates to an `eik_status`; `return` leaves the body)
///   and maps a panic to [`eik_status::Panic`].
/// * `ffi_boundary!(poison dec; nonnull(a, b) { body })` does the same with
///   `dec` also checked, and marks the decoder `dec` poisoned when the body
///   panicked.
/// * `ffi_boundary!(fallback value; { body })` for functions that return a
///   plain value: a panic yields `value`.
macro_rules! ffi_boundary {
    (nonnull($($p:expr),*) $body:block) => {
        $crate::boundary::guard(|| -> $crate::eik_status {
            $( if $p.is_null() { return $crate::eik_status::NullPointer; } )*
            $body
        })
    };
    (poison $h:ident; nonnull($($p:expr),*) $body:block) => {{
        let status = ffi_boundary!(nonnull($h $(, $p)*) $body);
        if status == $crate::eik_status::Panic {
            $crate::decoder::poison($h);
        }
        status
    }};
    (fallback $d:expr; $body:block) => {
        $crate::boundary::guard_or($d, || $body)
    };
}
pub(crate) use ffi_boundary;
