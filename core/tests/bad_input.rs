//! One test per class of bad input: the exact finding (kind, line, Lb_nr,
//! record, field, offset) and counts that add up.
//!
//! Every case starts from the sample file (27 lines, see testdata/sample.txt)
//! and damages it in one place.

mod common;

use common::{err, field, findings, join, offset_of, renumber, run, run_chunked, sample_lines, Ev};
use eindkomst_core::{Encoding, ErrorKind, Options};

/// Decodes and checks the invariant, whole and byte by byte (same findings).
fn decode(input: &[u8]) -> (Vec<Ev>, eindkomst_core::Counts) {
    let (events, counts) = run(input);
    assert!(counts.balanced(), "{counts:?}");
    let (bytewise, _) = run_chunked(Options::default(), input, 1);
    assert_eq!(bytewise, events, "byte-by-byte feed differs");
    (events, counts)
}

fn totals(c: &eindkomst_core::Counts) -> (u64, u64, u64, u64, u64) {
    (c.lines, c.decoded, c.rejected, c.errors, c.warnings)
}

#[test]
fn clean_sample_has_no_findings() {
    let (events, c) = decode(&join(&sample_lines()));
    assert_eq!(findings(&events), vec![]);
    assert_eq!(totals(&c), (27, 27, 0, 0, 0));
}

#[test]
fn wrong_line_length() {
    let mut lines = sample_lines();
    lines[9].insert(20, b'0');
    let (events, c) = decode(&join(&lines));
    let at = offset_of(&lines, 10);
    assert_eq!(
        findings(&events),
        vec![err(ErrorKind::WrongLength { expected: 32, found: 33 }, 10, Some(10), Some(6001), None, at + 32)]
    );
    assert_eq!(totals(&c), (27, 26, 1, 0, 0));
    assert_eq!((c.of(6001).decoded, c.of(6001).rejected), (6, 1));
}

#[test]
fn non_digit_in_numeric_field() {
    let mut lines = sample_lines();
    lines[9][20] = b'X';
    let (events, c) = decode(&join(&lines));
    let at = offset_of(&lines, 10);
    assert_eq!(
        findings(&events),
        vec![err(ErrorKind::NotDigit, 10, Some(10), Some(6001), field(4, "Beloeb"), at + 20)]
    );
    assert_eq!(totals(&c), (27, 26, 1, 0, 0));
}

#[test]
fn impossible_date() {
    let mut lines = sample_lines();
    lines[17][37..45].copy_from_slice(b"20250230"); // 6102 Fratraedelsesdato
    let (events, c) = decode(&join(&lines));
    let at = offset_of(&lines, 18);
    assert_eq!(
        findings(&events),
        vec![err(ErrorKind::InvalidDate, 18, Some(18), Some(6102), field(8, "Fratraedelsesdato"), at + 37)]
    );
    assert_eq!(totals(&c), (27, 26, 1, 0, 0));
}

#[test]
fn unknown_record_type() {
    let mut lines = sample_lines();
    lines[14][7..11].copy_from_slice(b"6009");
    let (events, c) = decode(&join(&lines));
    let at = offset_of(&lines, 15);
    assert_eq!(
        findings(&events),
        vec![err(ErrorKind::UnknownRecordType, 15, Some(15), Some(6009), field(2, "Rec_nr"), at + 7)]
    );
    assert_eq!(totals(&c), (27, 26, 1, 0, 0));
    assert_eq!(c.rejected_untyped, 1);
}

#[test]
fn record_out_of_order_rejects_the_orphans() {
    let mut lines = sample_lines();
    lines.remove(8); // the first 6000: its 11 child records have no person
    renumber(&mut lines);
    let (events, c) = decode(&join(&lines));
    let found = findings(&events);
    assert_eq!(found.len(), 11);
    assert_eq!(
        found[0],
        err(ErrorKind::OutOfOrder { needs: 6000 }, 9, Some(9), Some(6001), None, offset_of(&lines, 9))
    );
    assert!(found.iter().all(|e| e.kind == ErrorKind::OutOfOrder { needs: 6000 }));
    assert_eq!(found.iter().map(|e| e.line).collect::<Vec<_>>(), (9..=19).collect::<Vec<u64>>());
    assert_eq!(totals(&c), (26, 15, 11, 0, 0));
}

#[test]
fn children_of_a_rejected_parent_are_rejected_too() {
    let mut lines = sample_lines();
    lines[8][19] = b'A'; // CPR of the first 6000
    let (events, c) = decode(&join(&lines));
    let found = findings(&events);
    assert_eq!(
        found[0],
        err(ErrorKind::NotDigit, 9, Some(9), Some(6000), field(4, "Person_CPR_nr"), offset_of(&lines, 9) + 19)
    );
    assert_eq!(found[1], err(ErrorKind::ParentRejected, 10, Some(10), Some(6001), None, offset_of(&lines, 10)));
    assert_eq!(found.len(), 12);
    assert_eq!(totals(&c), (27, 15, 12, 0, 0));
}

#[test]
fn lb_nr_gap() {
    let mut lines = sample_lines();
    lines.remove(11); // a line lost in transit: Lb_nr jumps, the count is off
    let (events, c) = decode(&join(&lines));
    let last = offset_of(&lines, 26);
    assert_eq!(
        findings(&events),
        vec![
            err(ErrorKind::LbNrGap { expected: 12, found: 13 }, 12, Some(13), Some(6001), None, offset_of(&lines, 12)),
            err(
                ErrorKind::ControlCount { counted: 26, stated: 27 },
                26,
                Some(27),
                Some(9999),
                field(3, "Antal_records"),
                last + 11
            ),
        ]
    );
    assert_eq!(totals(&c), (26, 26, 0, 2, 0));
}

#[test]
fn lb_nr_repeat() {
    let mut lines = sample_lines();
    let dup = lines[11].clone();
    lines.insert(12, dup); // the same line twice
    let (events, c) = decode(&join(&lines));
    assert_eq!(
        findings(&events),
        vec![
            err(
                ErrorKind::LbNrRepeat { expected: 13, found: 12 },
                13,
                Some(12),
                Some(6001),
                None,
                offset_of(&lines, 13)
            ),
            err(
                ErrorKind::ControlCount { counted: 28, stated: 27 },
                28,
                Some(27),
                Some(9999),
                field(3, "Antal_records"),
                offset_of(&lines, 28) + 11
            ),
        ]
    );
    assert_eq!(totals(&c), (28, 28, 0, 2, 0));
}

#[test]
fn control_figures_that_do_not_match() {
    let mut lines = sample_lines();
    lines[26][11..18].copy_from_slice(b"0000030");
    let (events, c) = decode(&join(&lines));
    let at = offset_of(&lines, 27) + 11;
    assert_eq!(
        findings(&events),
        vec![err(
            ErrorKind::ControlCount { counted: 27, stated: 30 },
            27,
            Some(27),
            Some(9999),
            field(3, "Antal_records"),
            at
        )]
    );
    assert_eq!(totals(&c), (27, 27, 0, 1, 0));
}

#[test]
fn control_count_plus_one_is_a_warning() {
    let mut lines = sample_lines();
    lines[26][11..18].copy_from_slice(b"0000028"); // TaxCardBuilder's reading
    let (events, c) = decode(&join(&lines));
    let at = offset_of(&lines, 27) + 11;
    assert_eq!(
        findings(&events),
        vec![err(ErrorKind::ControlCountPlusOne, 27, Some(27), Some(9999), field(3, "Antal_records"), at)]
    );
    assert!(matches!(events.last(), Some(Ev::Warning(_))));
    assert_eq!(totals(&c), (27, 27, 0, 0, 1));
}

#[test]
fn byte_outside_latin1_printable_range() {
    for byte in [0x01u8, 0x7F, 0x85, 0x9F] {
        let mut lines = sample_lines();
        lines[15][20] = byte; // inside 6004 Tekst
        let (events, c) = decode(&join(&lines));
        let at = offset_of(&lines, 16) + 20;
        assert_eq!(
            findings(&events),
            vec![err(ErrorKind::ByteOutsideCharset { byte }, 16, Some(16), Some(6004), field(4, "Tekst"), at)]
        );
        assert_eq!(totals(&c), (27, 26, 1, 0, 0));
    }
}

#[test]
fn carriage_return_without_line_feed() {
    let mut lines = sample_lines();
    lines[15][20] = b'\r';
    let (events, c) = decode(&join(&lines));
    let at = offset_of(&lines, 16) + 20;
    assert_eq!(
        findings(&events),
        vec![err(ErrorKind::BareCarriageReturn, 16, Some(16), Some(6004), field(4, "Tekst"), at)]
    );
    assert_eq!(totals(&c), (27, 26, 1, 0, 0));
}

#[test]
fn cr_only_line_ends_make_one_overlong_line() {
    let text: Vec<u8> = join(&sample_lines()).iter().map(|&b| if b == b'\n' { b'\r' } else { b }).collect();
    let (events, c) = decode(&text);
    assert_eq!(
        findings(&events),
        vec![
            err(ErrorKind::LineTooLong { limit: 512 }, 1, None, None, None, 0),
            err(ErrorKind::MissingEndRecord, 1, None, None, None, text.len() as u64),
        ]
    );
    assert_eq!(totals(&c), (1, 0, 1, 1, 0));
}

#[test]
fn crlf_line_ends_are_accepted() {
    let text: Vec<u8> = sample_lines().iter().flat_map(|l| l.iter().copied().chain(*b"\r\n")).collect();
    let (events, c) = decode(&text);
    assert_eq!(findings(&events), vec![]);
    assert_eq!(totals(&c), (27, 27, 0, 0, 0));
    let Some(Ev::Record { offset, .. }) = events.get(1) else { panic!() };
    assert_eq!(*offset, 144); // 142 bytes + CRLF
}

#[test]
fn empty_input() {
    let (events, c) = decode(b"");
    assert_eq!(findings(&events), vec![err(ErrorKind::EmptyInput, 0, None, None, None, 0)]);
    assert_eq!(totals(&c), (0, 0, 0, 1, 0));
}

#[test]
fn missing_end_record() {
    let mut lines = sample_lines();
    lines.pop();
    let text = join(&lines);
    let (events, c) = decode(&text);
    assert_eq!(findings(&events), vec![err(ErrorKind::MissingEndRecord, 26, None, None, None, text.len() as u64)]);
    assert_eq!(totals(&c), (26, 26, 0, 1, 0));
}

#[test]
fn truncated_last_line() {
    let mut text = join(&sample_lines());
    text.truncate(text.len() - 6); // cut inside the 9999, no line end
    let at = offset_of(&sample_lines(), 27);
    let (events, c) = decode(&text);
    assert_eq!(
        findings(&events),
        vec![
            err(ErrorKind::TruncatedLastLine, 27, Some(27), Some(9999), None, at + 13),
            err(ErrorKind::MissingEndRecord, 27, None, None, None, text.len() as u64),
        ]
    );
    assert_eq!(totals(&c), (27, 26, 1, 1, 0));
}

#[test]
fn last_line_without_line_end_is_fine() {
    let mut text = join(&sample_lines());
    text.pop();
    let (events, c) = decode(&text);
    assert_eq!(findings(&events), vec![]);
    assert_eq!(totals(&c), (27, 27, 0, 0, 0));
}

#[test]
fn utf8_byte_order_mark() {
    let text: Vec<u8> = [0xEF, 0xBB, 0xBF].into_iter().chain(join(&sample_lines())).collect();
    let (events, c) = decode(&text);
    assert_eq!(findings(&events), vec![err(ErrorKind::Utf8Bom, 1, None, None, None, 0)]);
    assert_eq!(totals(&c), (27, 27, 0, 1, 0));
    let Some(Ev::Record { offset, line, .. }) = events.first() else { panic!() };
    assert_eq!((*line, *offset), (1, 3));
}

#[test]
fn utf8_encoded_file_read_as_latin1_only() {
    let text: Vec<u8> = String::from_iter(join(&sample_lines()).iter().map(|&b| b as char)).into_bytes();
    let opts = Options { encoding: Encoding::Latin1, ..Options::default() };
    let (events, c) = run_chunked(opts, &text, text.len());
    let found = findings(&events);
    let shifted = ErrorKind::Utf8Encoded { transcoded: false };
    assert_eq!(
        found.iter().map(|e| (e.kind, e.line)).collect::<Vec<_>>(),
        vec![(shifted, 1), (shifted, 16), (shifted, 22)]
    );
    // 8001 follows a decoded 6000, so only the three re-encoded lines are lost.
    assert_eq!(totals(&c), (27, 24, 3, 0, 0));
}

#[test]
fn utf8_encoded_file_is_transcoded_by_default() {
    let latin1 = join(&sample_lines());
    let text: Vec<u8> = String::from_iter(latin1.iter().map(|&b| b as char)).into_bytes();
    let (events, c) = decode(&text);
    // One warning for the file, at its first line with a non-ASCII character.
    let read_as_utf8 = ErrorKind::Utf8Encoded { transcoded: true };
    assert_eq!(
        findings(&events).iter().map(|e| (e.kind, e.line, e.offset)).collect::<Vec<_>>(),
        vec![(read_as_utf8, 1, 0)]
    );
    assert_eq!(totals(&c), (27, 27, 0, 0, 1));
    // Every record has exactly the bytes of the ISO-8859-1 original.
    let (want, _) = decode(&latin1);
    let bytes = |evs: &[Ev]| -> Vec<Vec<u8>> {
        evs.iter()
            .filter_map(|e| match e {
                Ev::Record { bytes, .. } => Some(bytes.clone()),
                _ => None,
            })
            .collect()
    };
    assert_eq!(bytes(&events), bytes(&want));
}

#[test]
fn blank_lines() {
    let mut lines = sample_lines();
    lines.insert(5, Vec::new());
    let mut text = join(&lines);
    text.push(b'\n'); // one final empty line: ignored
    let (events, c) = decode(&text);
    assert_eq!(findings(&events), vec![err(ErrorKind::BlankLine, 6, None, None, None, offset_of(&lines, 6))]);
    assert_eq!(totals(&c), (28, 27, 1, 0, 0));
}

#[test]
fn blank_line_runs_come_in_line_order_and_crlf_blanks_split_anywhere() {
    let mut lines = sample_lines();
    lines.insert(5, Vec::new());
    lines.insert(6, Vec::new());
    let blank = |n| err(ErrorKind::BlankLine, n, None, None, None, offset_of(&lines, n as usize));
    let (events, c) = decode(&join(&lines));
    assert_eq!(findings(&events), vec![blank(6), blank(7)]);
    assert_eq!(totals(&c), (29, 27, 2, 0, 0));

    // The same with CRLF endings: `decode` also feeds it byte by byte, which
    // splits every blank line between its CR and LF.
    let crlf: Vec<u8> =
        join(&lines).iter().flat_map(|&b| if b == b'\n' { vec![b'\r', b'\n'] } else { vec![b] }).collect();
    let (events, c) = decode(&crlf);
    let at = |n: usize| lines[..n - 1].iter().map(|l| l.len() as u64 + 2).sum::<u64>();
    let kinds: Vec<_> = findings(&events).iter().map(|e| (e.kind, e.line, e.offset)).collect();
    assert_eq!(kinds, vec![(ErrorKind::BlankLine, 6, at(6)), (ErrorKind::BlankLine, 7, at(7))]);
    assert_eq!(totals(&c), (29, 27, 2, 0, 0));

    // Strict mode stops at the first one, and counts only what it reported.
    let opts = Options { strict: true, ..Options::default() };
    for chunk in [1, 5, crlf.len()] {
        let (events, c) = run_chunked(opts, &crlf, chunk);
        assert_eq!(findings(&events).len(), 1, "chunk {chunk}");
        assert_eq!(findings(&events)[0].line, 6);
        assert_eq!(totals(&c), (6, 5, 1, 0, 0));
    }
}

#[test]
fn overlong_and_short_lines() {
    let mut lines = sample_lines();
    lines[13] = vec![b'7'; 600];
    lines[14] = b"00000".to_vec();
    let (events, c) = decode(&join(&lines));
    assert_eq!(
        findings(&events),
        vec![
            err(ErrorKind::LineTooLong { limit: 512 }, 14, None, None, None, offset_of(&lines, 14)),
            err(ErrorKind::LineTooShort, 15, None, None, None, offset_of(&lines, 15)),
        ]
    );
    assert_eq!(totals(&c), (27, 25, 2, 0, 0));
}

#[test]
fn codes_signs_and_identity() {
    let mut lines = sample_lines();
    lines[9][11..15].copy_from_slice(b"0999"); // unknown Feltnummer: a warning
    lines[10][31] = b'*'; // sign
    lines[21][19] = b'4'; // 8001 Koen: closed set
    lines[24][29..37].copy_from_slice(b"00000000"); // 6000 with neither CPR nor SE
    let (events, c) = decode(&join(&lines));
    let o = |n| offset_of(&lines, n);
    assert_eq!(
        findings(&events),
        vec![
            err(ErrorKind::UnknownCode, 10, Some(10), Some(6001), field(3, "Feltnummer"), o(10) + 11),
            err(ErrorKind::InvalidSign, 11, Some(11), Some(6001), field(5, "Fortegn"), o(11) + 31),
            err(ErrorKind::InvalidCode, 22, Some(22), Some(8001), field(4, "Koen"), o(22) + 19),
            err(ErrorKind::NoIdentity, 25, Some(25), Some(6000), field(4, "Person_CPR_nr"), o(25) + 19),
            err(ErrorKind::ParentRejected, 26, Some(26), Some(6001), None, o(26)),
        ]
    );
    assert_eq!(totals(&c), (27, 23, 4, 0, 1));
}

#[test]
fn unknown_codes_can_reject() {
    let mut lines = sample_lines();
    lines[9][11..15].copy_from_slice(b"0999");
    let opts = Options { unknown_codes_reject: true, ..Options::default() };
    let (events, c) = run_chunked(opts, &join(&lines), 4096);
    let at = offset_of(&lines, 10) + 11;
    assert_eq!(
        findings(&events),
        vec![err(ErrorKind::InvalidCode, 10, Some(10), Some(6001), field(3, "Feltnummer"), at)]
    );
    assert_eq!(totals(&c), (27, 26, 1, 0, 0));
}

#[test]
fn country_mismatch_is_a_warning() {
    let mut lines = sample_lines();
    lines[21][20..22].copy_from_slice(b"SE"); // 8001 Landekode, 6000 TIN_landekode is DE
    let (events, c) = decode(&join(&lines));
    let at = offset_of(&lines, 22) + 20;
    assert_eq!(
        findings(&events),
        vec![err(ErrorKind::CountryMismatch, 22, Some(22), Some(8001), field(5, "Landekode"), at)]
    );
    assert_eq!(totals(&c), (27, 27, 0, 0, 1));
}

#[test]
fn start_and_end_records_out_of_place() {
    let mut lines = sample_lines();
    lines.push(lines[9].clone()); // a 6001 after the 9999
    lines.remove(0); // no 1000
    for (i, l) in lines.iter_mut().enumerate() {
        l[..7].copy_from_slice(format!("{:07}", i + 1).as_bytes());
    }
    lines[25][11..18].copy_from_slice(b"0000026");
    let (events, c) = decode(&join(&lines));
    assert_eq!(
        findings(&events),
        vec![
            err(ErrorKind::MissingStartRecord, 1, Some(1), Some(2001), None, 0),
            err(ErrorKind::RecordAfterEnd, 27, Some(27), Some(6001), None, offset_of(&lines, 27)),
        ]
    );
    assert_eq!(totals(&c), (27, 26, 1, 1, 0));
}

#[test]
fn strict_mode_stops_at_the_first_error() {
    let mut lines = sample_lines();
    lines[9][20] = b'X';
    lines[12][20] = b'X';
    let opts = Options { strict: true, ..Options::default() };
    let text = join(&lines);
    for chunk in [1, 7, text.len()] {
        let (events, c) = run_chunked(opts, &text, chunk);
        assert_eq!(events.len(), 10, "chunk {chunk}");
        assert_eq!(
            findings(&events),
            vec![err(ErrorKind::NotDigit, 10, Some(10), Some(6001), field(4, "Beloeb"), offset_of(&lines, 10) + 20)]
        );
        assert_eq!(totals(&c), (10, 9, 1, 0, 0));
        assert!(c.balanced());
    }
}

#[test]
fn error_text_names_the_place_and_never_the_cpr() {
    let mut lines = sample_lines();
    lines[8][21] = b'#'; // inside the CPR 6101901234
    let (events, _) = decode(&join(&lines));
    let e = findings(&events)[0];
    let text = e.to_string();
    assert_eq!(text, "line 9 (Lb_nr 9), record 6000, field 4 Person_CPR_nr, offset 636: non-digit in numeric field");
    for e in findings(&events) {
        let s = e.to_string();
        assert!(!s.contains("6101901234") && !s.contains("61#1901234") && !s.contains("610190"), "{s}");
    }
}

/// An 8001 must come directly after its 6000 (or 2101): after a 6001, and
/// a second one in a row, it is out of order, whole and byte by byte.
#[test]
fn supplementary_record_not_directly_after_its_parent() {
    let renumber = |lines: &mut Vec<Vec<u8>>| {
        for (i, l) in lines.iter_mut().enumerate() {
            l[..7].copy_from_slice(format!("{:07}", i + 1).as_bytes());
        }
    };
    let mut after_6001 = sample_lines();
    after_6001.swap(21, 22); // 6000, 6001, 8001
    renumber(&mut after_6001);
    let mut twice = sample_lines();
    let again = twice[21].clone();
    twice.insert(22, again); // 6000, 8001, 8001
    renumber(&mut twice);
    let trailer = twice.len() - 1;
    twice[trailer][11..18].copy_from_slice(b"0000028");
    for (lines, line) in [(after_6001, 23), (twice, 23)] {
        let (events, c) = decode(&join(&lines));
        let at = offset_of(&lines, line);
        let needs = ErrorKind::OutOfOrder { needs: 6000 };
        assert_eq!(findings(&events), vec![err(needs, line as u64, Some(line as u32), Some(8001), None, at)]);
        assert_eq!(totals(&c), (lines.len() as u64, lines.len() as u64 - 1, 1, 0, 0));
    }
}
