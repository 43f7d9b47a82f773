//! # eindkomst: the std layer between the core and its faces
//!
//! [`eindkomst_core`] decodes without `std` and without allocating. This
//! crate adds what every face (CLI, C ABI, WASM) needs on top, once:
//!
//! * [`Session`]: the one batch loop. The core's decoder with an optional
//!   filter inside, giving one ordered stream of [`Event`]s (records, raw
//!   lines and [`Finding`]s interleaved in input order) to a [`Sink`].
//! * [`Batch`]: owned, reusable, `Send` events (for threads, for hosts).
//! * [`Reader`]: a session over any `Read`, as an iterator of batches or a
//!   zero-copy `for_each_event`.
//! * [`filter::FilterSpec`]: the owned, serde filter in one JSON shape for
//!   every face.
//! * [`family`]: record families loaded from JSON (`docs/layouts.md`).
//! * [`kinds`]: the table of finding kinds, for generators of host enums.
//! * [`raw`]: the `--raw` NDJSON record shape every face's tests compare.
//! * [`mask_cpr_like`]: the mask every face puts on an error text before it
//!   leaves the engine.
//!
//! ```
//! use eindkomst::{filter::FilterSpec, Event, Reader, Session};
//! use eindkomst_core::Options;
//!
//! let spec = FilterSpec::from_json(r#"{"cprs": ["610190-1234"], "profile": "minimal"}"#).unwrap();
//! let session = Session::new(Options::default(), Some(&spec)).unwrap();
//! let mut reader = Reader::new(eindkomst_core::testing::SAMPLE, session);
//! let mut kept = Vec::new();
//! reader.for_each_event(|e| match e {
//!     Event::Record { record, .. } => kept.push((record.record_type(), record.feltnummer())),
//!     Event::Raw(_) => {}
//!     Event::Finding(f) => panic!("{f}"),
//! }).unwrap();
//! assert_eq!(kept, [(1000, None), (2001, None), (5000, None), (6000, None),
//!                   (6001, Some(13)), (6001, Some(16)), (6001, Some(13)), (9999, None)]);
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod batch;
pub mod family;
pub mod filter;
pub mod kinds;
pub mod raw;
pub mod reader;
pub mod session;

pub use batch::Batch;
pub use eindkomst_core;
pub use reader::Reader;
pub use session::{Event, Finding, FindingType, Progress, Session, Sink};

use std::borrow::Cow;

/// Masks CPR-like digit runs in an error text: ten digits, or six, a hyphen
/// and four, with no digit either side, each become `**********`. The faces
/// (CLI, C ABI, WASM) put every error text through it before it leaves the
/// engine: a text that echoes a caller's value (a CPR given where an SE-nr,
/// a period or a record key belongs) must not carry a CPR number into a log.
/// The rule is the transports' (`Redact.maskCprLike`, `maskCprLike`).
///
/// ```
/// assert_eq!(eindkomst::mask_cpr_like("se_nrs: 610190-1234 and 6101901234"), "se_nrs: ********** and **********");
/// assert_eq!(eindkomst::mask_cpr_like("line 61019012345, Lb_nr 1234567"), "line 61019012345, Lb_nr 1234567");
/// ```
pub fn mask_cpr_like(text: &str) -> Cow<'_, str> {
    let b = text.as_bytes();
    let digit = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    let all_digits = |from: usize, n: usize| (from..from + n).all(digit);
    // The length of a CPR-like run starting at i (a digit run start), if any.
    let cpr_at = |i: usize| {
        if i > 0 && digit(i - 1) || !all_digits(i, 6) {
            return None;
        }
        [(10, all_digits(i + 6, 4)), (11, b.get(i + 6) == Some(&b'-') && all_digits(i + 7, 4))]
            .into_iter()
            .find(|&(n, shape)| shape && !digit(i + n))
            .map(|(n, _)| n)
    };
    if !(0..b.len()).any(|i| cpr_at(i).is_some()) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < b.len() {
        match cpr_at(i) {
            Some(n) => {
                out.push_str("**********");
                i += n;
            }
            None => {
                let ch = text[i..].chars().next().expect("i is at a char boundary");
                out.push(ch);
                i += ch.len_utf8();
            }
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::mask_cpr_like;

    #[test]
    fn cpr_like_runs_are_masked_and_nothing_else() {
        for (text, want) in [
            ("6101901234", "**********"),
            ("610190-1234", "**********"),
            ("integer `6101901234`, expected u32", "integer `**********`, expected u32"),
            ("record key \"7204881234\": must be 4 digits", "record key \"**********\": must be 4 digits"),
            ("a6101901234b 610190-1234-9", "a**********b **********-9"),
            ("æ6101901234ø", "æ**********ø"),
            // Not CPR-shaped: 9 or 11 digits, a hyphen elsewhere, other numbers.
            ("610190123 61019012345 6101-901234 12345678 line 7", "610190123 61019012345 6101-901234 12345678 line 7"),
            ("", ""),
        ] {
            assert_eq!(mask_cpr_like(text), want, "{text}");
        }
    }
}
