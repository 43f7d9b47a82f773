//! The `eindkomst` command's parts, as a library so tests and benches can use
//! them (the test-data generator above all).
//!
//! [`input`] reads a file in fixed chunks into the core decoder; [`output`]
//! writes records and findings; [`filter`] keeps what a recipient may see
//! (its flags build the std layer's `eindkomst::filter::FilterSpec`, run
//! inside the std layer's `Session` by `decode` and `stats` alike);
//! [`stats`] sums, and [`stats_html`] draws the sums as a page; [`generate`]
//! writes synthetic files; [`layout_tool`] helps transcribe a family's
//! layout and tells what a file is; [`parallel`] decodes one file on several
//! threads (`--jobs`).

pub mod filter;
pub mod generate;
pub mod input;
pub mod layout_tool;
pub mod output;
pub mod parallel;
pub mod stats;
pub mod stats_html;

/// Output format of `eindkomst decode`.
#[derive(Clone, Copy, Debug, clap::ValueEnum, PartialEq, Eq)]
pub enum Format {
    /// One JSON object per line.
    Ndjson,
    /// One JSON array.
    Json,
    /// Long-form CSV: one row per field.
    Csv,
}
