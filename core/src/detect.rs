//! What a file is, from its first bytes: the decoder's own family, the
//! employer family, separated rows, gzip, zip, XML or something else. The
//! decoder uses it to report a file of another kind in one finding
//! ([`ErrorKind::WrongFamily`](crate::ErrorKind::WrongFamily)) instead of
//! rejecting every line.
//!
//! ```
//! use eindkomst_core::detect::{detect, FileKind};
//! use eindkomst_core::layout::EMPLOYER;
//! assert_eq!(detect(eindkomst_core::testing::SAMPLE, &EMPLOYER), FileKind::ThisFamily);
//! assert_eq!(detect(b"\x1f\x8b\x08\x00", &EMPLOYER), FileKind::Gzip);
//! assert_eq!(detect(b"<?xml version=\"1.0\"?><a/>", &EMPLOYER), FileKind::Xml);
//! assert_eq!(detect(b"120'Jensen'2024\n", &EMPLOYER), FileKind::Separated { separator: b'\'' });
//! ```

use crate::field;
use crate::layout::{Family, EMPLOYER};

/// What a stream looks like.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum FileKind {
    /// Lines of the family the caller asked about.
    ThisFamily,
    /// Lines of the employer reporting family.
    Employer,
    /// Text rows whose fields are separated by one punctuation character.
    Separated {
        /// The separator.
        separator: u8,
    },
    /// Text lines of some fixed-width layout this family does not describe.
    OtherText,
    /// gzip-compressed data.
    Gzip,
    /// A zip archive.
    Zip,
    /// An XML document.
    Xml,
    /// Binary data.
    Binary,
    /// Nothing to look at.
    Empty,
}

impl FileKind {
    /// A short phrase for messages: "gzip data", "the employer family", ...
    pub fn describe(&self) -> &'static str {
        match self {
            FileKind::ThisFamily => "this family",
            FileKind::Employer => "the employer reporting family (load no layout, or the employer one)",
            FileKind::Separated { separator: b'\'' } => "apostrophe-separated rows (load the family's layout file)",
            FileKind::Separated { .. } => "separated rows (load the family's layout file)",
            FileKind::OtherText => "text lines of another layout (load the family's layout file)",
            FileKind::Gzip => "gzip data (decompress it first)",
            FileKind::Zip => "a zip archive (unpack it first)",
            FileKind::Xml => "an XML document (take the Base64 records out of it first)",
            FileKind::Binary => "binary data",
            FileKind::Empty => "empty input",
        }
    }

    /// The kind's stable number (`WrongFamily`'s `found` in the C ABI).
    pub fn number(&self) -> u8 {
        match self {
            FileKind::ThisFamily => 0,
            FileKind::Employer => 1,
            FileKind::Separated { .. } => 2,
            FileKind::OtherText => 3,
            FileKind::Gzip => 4,
            FileKind::Zip => 5,
            FileKind::Xml => 6,
            FileKind::Binary => 7,
            FileKind::Empty => 8,
        }
    }
}

impl From<FileKind> for u64 {
    fn from(k: FileKind) -> u64 {
        k.number() as u64
    }
}

/// The first line of `head` (without CR), at most `head` long.
fn first_line(head: &[u8]) -> &[u8] {
    let line = head.split(|&b| b == b'\n').next().unwrap_or(&[]);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// Whether `line` reads as a whole line of `family`: its key names a record
/// type, its line number (if any) is digits, and its length (or field count)
/// fits the record's layout. `whole` says whether the line is complete.
pub fn fits(line: &[u8], family: &Family, whole: bool) -> bool {
    if let Some(sep) = family.separator {
        let key = line.split(|&b| b == sep).next().unwrap_or(&[]);
        let Some(layout) = field::parse_short_number(key).and_then(|k| family.get(k as u16)) else { return false };
        let fields = line.iter().filter(|&&b| b == sep).count() + 1;
        let base = layout.fields.iter().filter(|f| !f.tail).count();
        return key.len() <= family.key.len as usize && (!whole || (base..=layout.fields.len()).contains(&fields));
    }
    // An unfinished line (the stream ends inside it) fits when what is there
    // could begin a line of the family.
    let digits_so_far = |r: core::ops::Range<usize>| {
        let part = line.get(r.start.min(line.len())..r.end.min(line.len())).unwrap_or(&[]);
        part.iter().all(u8::is_ascii_digit) && (!whole || part.len() == r.len())
    };
    if family.line_number.is_some_and(|n| !digits_so_far(n.range())) || !digits_so_far(family.key.range()) {
        return false;
    }
    let Some(key) = line.get(family.key.range()).and_then(field::parse_short_number) else { return !whole };
    let mut layouts = family.layouts().filter(|l| l.rec_nr == key as u16).peekable();
    if layouts.peek().is_none() {
        return false;
    }
    let len = line.len();
    !whole || layouts.any(|l| l.whole_at(len) || (family.pad_trimmed && len < l.length as usize))
}

/// What `head` (the first bytes of a stream, as many as are at hand) is, as
/// seen from `family`.
pub fn detect(head: &[u8], family: &Family) -> FileKind {
    let start = head.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(head);
    if start.is_empty() {
        return FileKind::Empty;
    }
    if start.starts_with(&[0x1F, 0x8B]) {
        return FileKind::Gzip;
    }
    if start.starts_with(b"PK\x03\x04") {
        return FileKind::Zip;
    }
    let text = start.iter().position(|b| !b.is_ascii_whitespace()).map_or(&[][..], |i| &start[i..]);
    if text.first() == Some(&b'<') {
        return FileKind::Xml;
    }
    if start.iter().any(|&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t')) {
        return FileKind::Binary;
    }
    // Blank lines say nothing: look at the first line with something in it.
    let lines_at = start.iter().position(|&b| b != b'\n' && b != b'\r').unwrap_or(start.len());
    let start = &start[lines_at..];
    if start.is_empty() {
        return FileKind::Empty;
    }
    let line = first_line(start);
    let whole = start.len() > line.len();
    if fits(line, family, whole) {
        return FileKind::ThisFamily;
    }
    if !core::ptr::eq(family, &EMPLOYER) && fits(line, &EMPLOYER, whole) {
        return FileKind::Employer;
    }
    // A separated row: some punctuation character splits it at least twice.
    for sep in [b'\'', b';', b'|', b'\t', b','] {
        if line.iter().filter(|&&b| b == sep).count() >= 2 {
            return FileKind::Separated { separator: sep };
        }
    }
    FileKind::OtherText
}
