//! The `--raw` contract, shared by the CLI and every face's tests: one JSON
//! object per record, `{"line":N,"record":"6001","fields":{"1":"...",...}}`,
//! every field of the layout by number as the bytes stand, trailing blanks
//! trimmed, written as UTF-8 (see `testdata/sample.raw.ndjson`). `record` is
//! the record key as it stands in the file (`"6001"`, `"120"`).

use eindkomst_core::field::{latin1_to_utf8, trim_end};
use eindkomst_core::Record;
use std::io::{self, Write};

/// Writes `bytes` (ISO-8859-1) as a JSON string.
pub fn write_json_str(out: &mut (impl Write + ?Sized), bytes: &[u8]) -> io::Result<()> {
    out.write_all(b"\"")?;
    let mut utf8 = [0u8; 2];
    for &b in bytes {
        match b {
            b'"' => out.write_all(b"\\\"")?,
            b'\\' => out.write_all(b"\\\\")?,
            0..=0x1F => write!(out, "\\u{b:04x}")?,
            0x20..=0x7F => out.write_all(&[b])?,
            _ => {
                let n = latin1_to_utf8(&[b], &mut utf8).unwrap_or(0);
                out.write_all(&utf8[..n])?
            }
        }
    }
    out.write_all(b"\"")
}

/// Writes one record in the `--raw` shape (without a line end).
///
/// ```
/// let mut dec = eindkomst_core::Decoder::default();
/// let (eindkomst_core::Event::Record(r), _) = dec.decode(eindkomst_core::testing::SAMPLE) else { panic!() };
/// let mut out = Vec::new();
/// eindkomst::raw::write_record(&mut out, &r).unwrap();
/// assert!(out.starts_with(br#"{"line":1,"record":"1000","fields":{"1":"0000001","2":"1000","3":"20250203""#));
/// ```
pub fn write_record(out: &mut (impl Write + ?Sized), r: &Record<'_>) -> io::Result<()> {
    write!(out, "{{\"line\":{},\"record\":\"{}\",\"fields\":{{", r.line(), r.key())?;
    for (i, (f, raw)) in r.fields().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        write!(out, "\"{}\":", f.no)?;
        write_json_str(out, trim_end(raw))?;
    }
    out.write_all(b"}}")
}
