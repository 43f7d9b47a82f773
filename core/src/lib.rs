//! # eindkomst-core
//!
//! A `no_std`, allocation-free, streaming decoder for the Danish eIndkomst
//! fixed-length income records (as municipalities receive them through KOMBIT's
//! SF0770_E: Base64 in a Beskedfordeler message, or a daily SFTP file).
//!
//! How data flows:
//!
//! 1. Bytes arrive in chunks of any size ([`Decoder::decode`]); with
//!    [`Options::base64`] they pass through the streaming [`base64::Base64`] decoder first.
//! 2. The decoder frames lines (LF or CRLF); a line split across chunks is
//!    completed in a fixed buffer of [`decoder::MAX_LINE`] bytes.
//! 3. A record [`Family`] (data: [`layout`]) says how a line is read: where
//!    its record key and line number sit, fixed width or separated fields,
//!    the grammar, field roles and variants. The employer reporting family
//!    ([`EMPLOYER`], generated from `core/families/employer.json`) is the
//!    default; others are loaded from JSON by the std crate `eindkomst`
//!    (`eindkomst::family`).
//!    The key picks the [`layout::RecordLayout`]; every field is validated
//!    against it (digits, dates, codes, signs), the record order against the
//!    grammar (employer: 1000 → 2001 → 5000 → 6000 → 6001…, 9999), the line
//!    numbers and the trailer count.
//! 4. Out comes one [`Event`] at a time: a zero-copy [`Record`] view, a raw
//!    line (unknown key, on request), a rejected line, a stream error or a
//!    warning, each [`Error`] naming line, Lb_nr, record type, field and byte
//!    offset, never a CPR value.
//! 5. [`Decoder::counts`] accounts for every line:
//!    `lines == decoded + rejected + raw`.
//!
//! On several threads (the CLI's `--jobs`): a [`Prechecker`] runs the
//! context-free checks of a chunk's lines, and from each anchor line on
//! decodes them in a context it assumes ([`Speculation`]); the one
//! [`Decoder`] completes prechecked lines in order ([`Decoder::accept_run`])
//! and takes a run whole when its assumed context is the true one
//! ([`Decoder::stitch`]). The events are those of one decoder.
//!
//! ```
//! use eindkomst_core::{Decoder, Event};
//!
//! let mut dec = Decoder::default();
//! let mut input = eindkomst_core::testing::SAMPLE;
//! let mut ore = 0;
//! loop {
//!     let (event, used) = dec.decode(input);
//!     input = &input[used..];
//!     match event {
//!         Event::Record(r) if r.record_type() == 6001 && r.feltnummer() == Some(13) => {
//!             ore += r.amount().and_then(|a| a.ore()).unwrap();
//!         }
//!         Event::NeedInput => break,
//!         _ => {}
//!     }
//! }
//! while dec.finish() != Event::End {}
//! assert_eq!(ore, 3_250_000 - 125_050 + 1_800_000); // A-indkomst (felt 13), in øre
//! assert_eq!(dec.counts().lines, 27);
//! ```
#![no_std]
#![deny(missing_docs)]
// One audited module (`simd`) may use `unsafe`; nothing else.
#![deny(unsafe_code)]
#![deny(clippy::undocumented_unsafe_blocks)]

#[cfg(test)]
extern crate std;

pub mod base64;
pub mod decoder;
pub mod detect;
pub mod encode;
pub mod error;
pub mod field;
pub mod filter;
pub mod layout;
#[rustfmt::skip]
pub mod layouts;
mod plan;
pub mod record;
mod simd;
pub mod testing;

pub use decoder::{
    check_field, Clean, Counts, Decoder, Encoding, Event, Options, Prechecker, Speculation, TypeCount, Unknown,
};
pub use error::{Error, ErrorKind, FieldRef, Severity};
pub use layout::{Family, EMPLOYER};
pub use record::{RawLine, Record};
pub use simd::{on_this_cpu, Permute, Piece, Shuffle, PERMUTE_LINE, PERMUTE_OUT, SHUFFLE_OUT};

/// The README's Rust example runs as a doctest, so it stays true to the code.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctest;
