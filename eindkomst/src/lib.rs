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
