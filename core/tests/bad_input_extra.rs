//! The classes of bad input that `bad_input.rs` does not cover, one test each
//! (see docs/bad-input.md): exact finding and counts that add up, whole and
//! byte by byte. Every case damages the sample file (27 lines) in one place.

mod common;

use common::{err, field, findings, join, offset_of, renumber, run, run_chunked, sample_lines, Ev};
use eindkomst_core::{Counts, ErrorKind, Options};

/// Decodes whole and byte by byte (same events); checks the invariant.
fn decode_with(opts: Options, input: &[u8]) -> (Vec<Ev>, Counts) {
    let (events, counts) = run_chunked(opts, input, input.len().max(1));
    assert!(counts.balanced(), "{counts:?}");
    let (bytewise, _) = run_chunked(opts, input, 1);
    assert_eq!(bytewise, events, "byte-by-byte feed differs");
    (events, counts)
}

fn decode(input: &[u8]) -> (Vec<Ev>, Counts) {
    decode_with(Options::default(), input)
}

/// (lines, decoded, rejected, errors, warnings)
fn totals(c: &Counts) -> (u64, u64, u64, u64, u64) {
    (c.lines, c.decoded, c.rejected, c.errors, c.warnings)
}

#[test]
fn mandatory_field_blank() {
    let mut lines = sample_lines();
    lines[7][73..75].copy_from_slice(b"  "); // 5000 Indkomsttype (official J)
    let (events, c) = decode(&join(&lines));
    let at = offset_of(&lines, 8) + 73;
    let first = err(ErrorKind::MissingMandatory, 8, Some(8), Some(5000), field(12, "Indkomsttype"), at);
    assert_eq!(findings(&events)[0], first);
    // Everything under the rejected 5000 cannot be attributed.
    assert!(findings(&events)[1..].iter().all(|e| e.kind == ErrorKind::ParentRejected));
    assert_eq!(totals(&c), (27, 8, 19, 0, 0));
}

#[test]
fn third_party_mandatory_field_blank_is_a_warning() {
    let mut lines = sample_lines();
    lines[0][25..33].copy_from_slice(b"        "); // 1000 Indberetter_SE_nr (J? in TaxCardBuilder only)
    let (events, c) = decode(&join(&lines));
    assert_eq!(
        findings(&events),
        vec![err(ErrorKind::MissingField, 1, Some(1), Some(1000), field(5, "Indberetter_SE_nr"), 25)]
    );
    assert_eq!(totals(&c), (27, 27, 0, 0, 1));
}

#[test]
fn impossible_time() {
    let mut lines = sample_lines();
    lines[0][19..25].copy_from_slice(b"246000"); // 1000 Klok_sendt
    let (events, c) = decode(&join(&lines));
    let first = err(ErrorKind::InvalidTime, 1, Some(1), Some(1000), field(4, "Klok_sendt"), 19);
    assert_eq!(findings(&events)[0], first);
    assert_eq!(totals(&c).0, 27);
    assert_eq!(c.of(1000).rejected, 1);
}

#[test]
fn amount_below_one_ore_is_a_warning() {
    let mut lines = sample_lines();
    lines[9][30] = b'1'; // 6001 Beloeb 0000032500000001: 325.000001 kr
    let (events, c) = decode(&join(&lines));
    let at = offset_of(&lines, 10) + 15;
    assert_eq!(
        findings(&events),
        vec![err(ErrorKind::SubOrePrecision, 10, Some(10), Some(6001), field(4, "Beloeb"), at)]
    );
    assert_eq!(totals(&c), (27, 27, 0, 0, 1));
}

#[test]
fn more_than_three_holiday_records_of_one_kind() {
    let mut lines = sample_lines();
    let gross = lines[18].clone(); // the one 6202 under the first 6000
    for _ in 0..3 {
        lines.insert(19, gross.clone());
    }
    renumber(&mut lines);
    let (events, c) = decode(&join(&lines));
    let at = offset_of(&lines, 22) + 11;
    assert_eq!(
        findings(&events),
        vec![err(ErrorKind::TooManyRecords { max: 3 }, 22, Some(22), Some(6202), field(3, "Beloeb_feriepenge"), at)]
    );
    assert_eq!(totals(&c), (30, 30, 0, 0, 1));
}

#[test]
fn three_of_each_holiday_record_is_fine() {
    // 6102 and 6202 are counted apart: three of each under one 6000 is allowed.
    let mut lines = sample_lines();
    let (net, gross) = (lines[17].clone(), lines[18].clone());
    for _ in 0..2 {
        lines.insert(19, gross.clone());
        lines.insert(18, net.clone());
    }
    renumber(&mut lines);
    let (events, c) = decode(&join(&lines));
    assert_eq!(findings(&events), vec![]);
    let types: Vec<u16> = events
        .iter()
        .filter_map(|e| match e {
            Ev::Record { rec, .. } => Some(*rec),
            _ => None,
        })
        .collect();
    assert_eq!(types[17..23], [6102, 6102, 6102, 6202, 6202, 6202]);
    assert_eq!(totals(&c), (31, 31, 0, 0, 0));
}

#[test]
fn second_start_record() {
    let mut lines = sample_lines();
    let start = lines[0].clone();
    lines.insert(1, start);
    renumber(&mut lines);
    let (events, c) = decode(&join(&lines));
    assert_eq!(findings(&events)[0], err(ErrorKind::DuplicateStartRecord, 2, Some(2), Some(1000), None, 143));
    assert_eq!(totals(&c).0, 28);
    assert_eq!(c.of(1000).rejected, 1);
}

#[test]
fn nul_byte_inside_a_record() {
    let mut lines = sample_lines();
    lines[15][20] = 0; // 6004 Tekst
    let (events, c) = decode(&join(&lines));
    let at = offset_of(&lines, 16) + 20;
    assert_eq!(
        findings(&events),
        vec![err(ErrorKind::ByteOutsideCharset { byte: 0 }, 16, Some(16), Some(6004), field(4, "Tekst"), at)]
    );
    assert_eq!(totals(&c), (27, 26, 1, 0, 0));
}

#[test]
fn nul_bytes_between_records() {
    // Eight NULs where a line break should be: the 6000 on line 9 runs into
    // the 6001 after it and is rejected at the first NUL; its children cannot
    // be attributed, Lb_nr 10 is missing and the 9999 count is off.
    let mut text = join(&sample_lines());
    let at = offset_of(&sample_lines(), 10) as usize - 1;
    text.splice(at..at + 1, [0u8; 8]);
    let (events, c) = decode(&text);
    let f = findings(&events);
    assert_eq!(f[0], err(ErrorKind::ByteOutsideCharset { byte: 0 }, 9, Some(9), Some(6000), None, at as u64));
    assert_eq!(f[2].kind, ErrorKind::LbNrGap { expected: 10, found: 11 });
    assert_eq!(f.iter().filter(|e| e.kind == ErrorKind::ParentRejected).count(), 10);
    assert_eq!(f.len(), 13);
    assert_eq!(totals(&c), (26, 15, 11, 2, 0));
}

/// xorshift bytes: reproducible garbage without a dependency.
fn garbage(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

#[test]
fn binary_garbage_is_one_finding() {
    // 64 KiB of pseudo-random bytes is not a file of the family at all: one
    // finding for the whole input, no line counted.
    let text = garbage(7, 64 * 1024);
    let (events, c) = decode(&text);
    let wrong = ErrorKind::WrongFamily { detected: eindkomst_core::detect::FileKind::Binary };
    assert_eq!(findings(&events), vec![err(wrong, 0, None, None, None, 0)]);
    assert_eq!(totals(&c), (0, 0, 0, 1, 0));
    // The decoder stopped after the lines it read to decide (blank ones not counted).
    let mut read = 0;
    let mut lines = 0;
    for line in text.split(|&b| b == b'\n') {
        read += line.len() + 1;
        lines += usize::from(!line.is_empty() && line != b"\r");
        if lines == usize::from(eindkomst_core::decoder::PROBATION_LINES) {
            break;
        }
    }
    assert_eq!(c.bytes, read as u64);
}

#[test]
fn binary_garbage_after_a_start_record() {
    // After a decoded start record the file is in the family: 256 lines of
    // garbage, every one rejected with the first reason found; no 9999.
    let mut text = sample_lines()[0].clone();
    text.push(b'\n');
    text.extend_from_slice(&garbage(7, 64 * 1024));
    let (events, c) = decode(&text);
    let mut kinds = std::collections::BTreeMap::new();
    for e in findings(&events) {
        *kinds.entry(e.kind.code()).or_insert(0) += 1;
    }
    let want = [
        ("bare_carriage_return", 2),
        ("byte_outside_charset", 215),
        ("line_too_long", 35),
        ("line_too_short", 1),
        ("missing_end_record", 1),
        ("utf8_encoded", 3),
    ];
    assert_eq!(kinds, want.into_iter().collect());
    assert_eq!(totals(&c), (257, 1, 256, 1, 0));
    assert_eq!(c.rejected_untyped, 256 - c.by_type.iter().map(|t| t.rejected).sum::<u64>());
}

#[test]
fn base64_padding_in_the_middle() {
    let sample = eindkomst_core::testing::SAMPLE;
    let mut text = base64(&sample[..300]); // 300 bytes: a whole number of groups
    text.extend_from_slice(b"TWE=");
    text.extend_from_slice(&base64(&sample[300..]));
    let opts = Options { base64: true, ..Options::default() };
    let (events, c) = decode_with(opts, &text);
    let f = findings(&events);
    // "TWE=" decodes to 2 bytes ("Ma"), then padding is followed by more
    // text: the Base64 stream ends there. 302 bytes reach the decoder: lines
    // 1-2 (183 bytes) decode, line 3 is cut off, and there is no 9999.
    let kinds: Vec<_> = f.iter().map(|e| (e.kind, e.line, e.offset)).collect();
    assert_eq!(
        kinds,
        vec![
            (ErrorKind::Base64Padding, 0, 404),
            (ErrorKind::TruncatedLastLine, 3, 302),
            (ErrorKind::MissingEndRecord, 3, 302)
        ]
    );
    assert_eq!(totals(&c), (3, 2, 1, 2, 0));
}

/// Standard Base64 with padding.
fn base64(data: &[u8]) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(data).into_bytes()
}

#[test]
fn stream_stops_mid_record_anywhere() {
    // Cut the sample after every byte: the last line is truncated (or, cut
    // right after a line end, simply missing), never silently dropped, and
    // the end record is always missing.
    let text = join(&sample_lines());
    for cut in 1..text.len() - 1 {
        let (events, c) = run(&text[..cut]);
        let f = findings(&events);
        let whole_lines = text[..cut].iter().filter(|&&b| b == b'\n').count() as u64;
        let mid_line = text[cut - 1] != b'\n';
        assert_eq!(c.lines, whole_lines + u64::from(mid_line), "cut {cut}");
        assert_eq!(f.last().map(|e| e.kind), Some(ErrorKind::MissingEndRecord), "cut {cut}");
        if mid_line && text[cut] != b'\n' {
            assert!(c.rejected >= 1, "cut {cut}: the cut line must be rejected");
        }
        assert!(c.balanced());
    }
}

/// What TaxCardBuilder (a public C# writer of the format) produces, line by
/// line, and what the decoder makes of it (docs/bad-input.md, "known writers").
#[test]
fn what_taxcardbuilder_writes() {
    let mut lines = sample_lines();
    // 6202 holiday days blank-padded instead of zero-filled ("  50" for 0.50 days).
    lines[18][28..32].copy_from_slice(b"  50");
    // 6111 units with the minus written into the digits.
    lines[19][15..25].copy_from_slice(b"-000000005");
    // An optional date left as zeros (5000 Dispositionsdato): "not given".
    lines[7][60..68].copy_from_slice(b"00000000");
    let (events, c) = decode(&join(&lines));
    assert_eq!(
        findings(&events),
        vec![
            err(ErrorKind::NotDigit, 19, Some(19), Some(6202), field(5, "Feriedage"), offset_of(&lines, 19) + 28),
            err(ErrorKind::NotDigit, 20, Some(20), Some(6111), field(4, "Antal_enheder"), offset_of(&lines, 20) + 15),
        ]
    );
    assert_eq!(totals(&c), (27, 25, 2, 0, 0));
    let dispositionsdato = events.iter().find_map(|e| match e {
        Ev::Record { rec: 5000, bytes, .. } => Some(bytes[60..68].to_vec()),
        _ => None,
    });
    assert_eq!(dispositionsdato.as_deref(), Some(&b"00000000"[..]));
}
