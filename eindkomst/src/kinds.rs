//! The table of finding kinds, declared once in the core
//! (`eindkomst_core::error`), for generators of host enums and docs: the C#
//! and Java `ErrorKind` enums are generated from it (`ffi/tests/generated.rs`).

pub use eindkomst_core::error::{KindInfo, KINDS};

/// The kind with this stable number.
///
/// ```
/// let k = eindkomst::kinds::by_number(11).unwrap();
/// assert_eq!((k.code, k.name), ("not_digit", "NotDigit"));
/// assert!(eindkomst::kinds::by_number(0).is_none());
/// ```
pub fn by_number(number: u16) -> Option<&'static KindInfo> {
    KINDS.iter().find(|k| k.number == number)
}

/// The kind with this snake_case code.
pub fn by_code(code: &str) -> Option<&'static KindInfo> {
    KINDS.iter().find(|k| k.code == code)
}
