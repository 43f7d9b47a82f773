//! Shipped test data, for examples and tests in every front-end.

/// The sample file: synthetic (CPR day + 60), every record type, ISO-8859-1.
/// (`src/sample.txt` links to `testdata/sample.txt`, so the published crate carries the file.)
pub const SAMPLE: &[u8] = include_bytes!("sample.txt");
