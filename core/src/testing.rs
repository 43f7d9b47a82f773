//! Shipped test data, for examples and tests in every front-end.

/// The sample file: synthetic (CPR day + 60), every record type, ISO-8859-1.
pub const SAMPLE: &[u8] = include_bytes!("../../testdata/sample.txt");
