//! Chunking must not change the output: any split of the stream, any chunk
//! size, plain or Base64, gives exactly the events of one whole feed.

mod common;

use base64::Engine;
use common::{feed_chunked, findings, run, run_batched, run_chunked, Ev};
use eindkomst_core::{Decoder, ErrorKind, Event, Options};

const SAMPLE: &[u8] = eindkomst_core::testing::SAMPLE;

/// The sample with a few problems, so findings are compared too.
fn damaged() -> Vec<u8> {
    let mut text = SAMPLE.to_vec();
    text[183 + 13] = b'X'; // line 3 (2101): inside the CPR
    text.splice(711..711, b"\n".iter().copied()); // a blank line before line 10
    text.truncate(text.len() - 4); // the 9999 cut short
    text
}

/// Decodes `input` cut in two at `split`.
fn run_split(opts: Options, input: &[u8], split: usize) -> Vec<Ev> {
    let mut dec = eindkomst_core::Decoder::new(opts);
    let mut out = Vec::new();
    for part in [&input[..split], &input[split..]] {
        let mut rest = part;
        loop {
            let (ev, used) = dec.decode(rest);
            rest = &rest[used..];
            match ev {
                eindkomst_core::Event::NeedInput => break,
                ev => out.push(common::own(ev)),
            }
        }
    }
    loop {
        match dec.finish() {
            eindkomst_core::Event::End => break,
            ev => out.push(common::own(ev)),
        }
    }
    assert!(dec.counts().balanced());
    out
}

#[test]
fn every_split_position_gives_the_whole_feed() {
    for input in [SAMPLE.to_vec(), damaged()] {
        let (whole, _) = run(&input);
        for split in 0..=input.len() {
            assert_eq!(run_split(Options::default(), &input, split), whole, "split at {split}");
        }
    }
}

#[test]
fn any_chunk_size_gives_the_whole_feed() {
    for input in [SAMPLE.to_vec(), damaged()] {
        let (whole, counts) = run(&input);
        for chunk in [1, 2, 3, 5, 31, 32, 33, 64, 143, 1000] {
            let (got, c) = run_chunked(Options::default(), &input, chunk);
            assert_eq!(got, whole, "chunk {chunk}");
            assert_eq!(c, counts);
        }
    }
}

#[test]
fn damaged_stream_findings() {
    let (events, c) = run(&damaged());
    let kinds: Vec<(ErrorKind, u64)> = findings(&events).iter().map(|e| (e.kind, e.line)).collect();
    assert_eq!(
        kinds,
        vec![
            (ErrorKind::NotDigit, 3),
            (ErrorKind::ParentRejected, 4),
            (ErrorKind::ParentRejected, 5),
            (ErrorKind::BlankLine, 10),
            (ErrorKind::TruncatedLastLine, 28),
            (ErrorKind::MissingEndRecord, 28),
        ]
    );
    assert_eq!((c.lines, c.decoded, c.rejected), (28, 23, 5));
}

#[test]
fn base64_gives_the_same_records_at_any_chunk_size() {
    let (plain, counts) = run(SAMPLE);
    let encoded = base64::engine::general_purpose::STANDARD.encode(SAMPLE);
    // Beskedfordeler XML may wrap the text: line breaks every 76 characters.
    let wrapped: String =
        encoded.as_bytes().chunks(76).map(|c| std::str::from_utf8(c).unwrap()).collect::<Vec<_>>().join("\r\n");
    let opts = Options { base64: true, ..Options::default() };
    for text in [encoded.as_bytes(), wrapped.as_bytes()] {
        for chunk in [1, 3, 4, 77, 4096, text.len()] {
            let (got, c) = run_chunked(opts, text, chunk);
            assert_eq!(got, plain, "chunk {chunk}");
            assert_eq!((c.lines, c.decoded, c.rejected), (counts.lines, counts.decoded, counts.rejected));
        }
    }
}

#[test]
fn base64_errors_stop_the_stream_with_its_position() {
    let mut encoded = base64::engine::general_purpose::STANDARD.encode(SAMPLE).into_bytes();
    encoded[400] = b'*';
    let opts = Options { base64: true, ..Options::default() };
    for chunk in [1, 64, encoded.len()] {
        let (events, c) = run_chunked(opts, &encoded, chunk);
        let f = findings(&events);
        assert_eq!(f[0].kind, ErrorKind::InvalidBase64 { byte: b'*' });
        assert_eq!(f[0].offset, 400);
        // 400 characters = 300 bytes: lines 1-2 (183 bytes) decoded, line 3 cut off.
        assert_eq!(f[1].kind, ErrorKind::TruncatedLastLine);
        assert_eq!(f[1].line, 3);
        assert_eq!((c.lines, c.decoded, c.rejected), (3, 2, 1), "chunk {chunk}");
        assert!(c.balanced());
        // The error comes after the records decoded before the bad character,
        // however the chunks fall (it once overtook them within one chunk).
        let order: Vec<&str> = events
            .iter()
            .map(|e| match e {
                Ev::Record { .. } => "record",
                Ev::Error(_) => "error",
                Ev::Rejected(_) => "rejected",
                _ => "other",
            })
            .collect();
        assert_eq!(order, ["record", "record", "error", "rejected", "error"], "chunk {chunk}");
        // last: no 9999
    }
}

#[test]
fn base64_truncated_group() {
    let mut encoded = base64::engine::general_purpose::STANDARD_NO_PAD.encode(SAMPLE).into_bytes();
    encoded.push(b'Q'); // one character of a new group
    let (events, _) = run_chunked(Options { base64: true, ..Options::default() }, &encoded, 100);
    let f = findings(&events);
    assert_eq!(f.iter().map(|e| e.kind).collect::<Vec<_>>(), vec![ErrorKind::Base64Truncated]);
    assert_eq!(f[0].offset, encoded.len() as u64);
}

/// Events until the `k`-th, then `finish` (called before the decoder asked
/// for more input): what came out, and how many input bytes were consumed.
fn stop_after(opts: Options, input: &[u8], k: usize) -> (Vec<Ev>, usize, eindkomst_core::Counts) {
    let mut dec = Decoder::new(opts);
    let mut out = Vec::new();
    let mut rest = input;
    let mut consumed = 0;
    while out.len() < k {
        let (ev, used) = dec.decode(rest);
        rest = &rest[used..];
        consumed += used;
        match ev {
            Event::NeedInput | Event::End => break,
            ev => out.push(common::own(ev)),
        }
    }
    loop {
        match dec.finish() {
            Event::End => break,
            Event::NeedInput => panic!("finish asked for input"),
            ev => out.push(common::own(ev)),
        }
    }
    (out, consumed, *dec.counts())
}

#[test]
fn finish_after_any_event_frames_everything_consumed() {
    let sample = eindkomst_core::testing::SAMPLE;
    // Plain: the same as decoding exactly the consumed bytes.
    let (all, _) = common::run(sample);
    for k in 0..=all.len() {
        let (events, consumed, counts) = stop_after(Options::default(), sample, k);
        let (want, want_counts) = common::run(&sample[..consumed]);
        assert_eq!(events, want, "plain, finish after {k} events");
        assert_eq!(counts, want_counts);
        assert!(counts.balanced());
    }
    // Base64: the decoder takes the whole message into its buffer at once;
    // every record in it comes out, whenever `finish` is called.
    let text = base64::engine::general_purpose::STANDARD.encode(sample).into_bytes();
    let opts = Options { base64: true, ..Options::default() };
    for k in 1..=all.len() {
        let (events, consumed, counts) = stop_after(opts, &text, k);
        assert_eq!(consumed, text.len());
        assert_eq!(events, all, "base64, finish after {k} events");
        assert_eq!((counts.lines, counts.decoded), (27, 27));
        assert!(counts.balanced());
    }
}

/// `decode_records` (records in batches through a callback) gives exactly
/// the events of `decode`, at every chunk size, on clean and damaged input.
#[test]
fn batched_records_equal_single_events() {
    let generated = {
        let mut v = Vec::new();
        for _ in 0..3 {
            v.extend_from_slice(SAMPLE);
        }
        v
    };
    for input in [SAMPLE.to_vec(), damaged(), generated] {
        let (want, want_counts) = run(&input);
        for chunk in [1usize, 7, 64, 4096, input.len()] {
            let mut dec = Decoder::default();
            let mut got = Vec::new();
            for piece in input.chunks(chunk) {
                let mut rest = piece;
                loop {
                    let mut batch = Vec::new();
                    let (ev, used) = dec.decode_records(rest, |r| batch.push(common::own(Event::Record(r))));
                    got.extend(batch);
                    rest = &rest[used..];
                    match ev {
                        Event::NeedInput => break,
                        Event::End => break,
                        ev => got.push(common::own(ev)),
                    }
                }
            }
            loop {
                match dec.finish() {
                    Event::End => break,
                    ev => got.push(common::own(ev)),
                }
            }
            assert_eq!(got, want, "chunk {chunk}");
            assert_eq!(*dec.counts(), want_counts);
        }
    }
}

/// Prechecked lines completed in order (`Prechecker` + `Decoder::accept`,
/// the parallel CLI's two halves) give exactly the events of one decoder,
/// whatever lines the prechecker passes (here: all it can, or every other).
#[test]
fn prechecked_lines_give_the_same_events() {
    use eindkomst_core::Prechecker;
    let mut repeated = Vec::new();
    for _ in 0..3 {
        repeated.extend_from_slice(SAMPLE);
    }
    for input in [SAMPLE.to_vec(), damaged(), repeated] {
        let (want, want_counts) = run(&input);
        for stride in [1usize, 2] {
            let mut pre = Prechecker::new(Options::default(), 20250203);
            let mut dec = Decoder::default();
            let mut got = Vec::new();
            let (mut at, mut n) = (0, 0);
            while at < input.len() {
                let rest = &input[at..];
                n += 1;
                let clean = if n % stride == 0 { pre.check(rest) } else { None };
                if let Some((r, used)) = clean.and_then(|c| dec.accept(rest, &c)) {
                    got.push(common::own(Event::Record(r)));
                    at += used;
                    continue;
                }
                let end = rest.iter().position(|&b| b == b'\n').map_or(rest.len(), |i| i + 1);
                common::decode_line(&mut dec, &rest[..end], &mut got);
                at += end;
            }
            loop {
                match dec.finish() {
                    Event::End => break,
                    ev => got.push(common::own(ev)),
                }
            }
            assert_eq!(got, want, "stride {stride}");
            assert_eq!(*dec.counts(), want_counts);
        }
    }
}

/// What a file is does not depend on how it arrives: the demo family's
/// lines read as the employer family give one `wrong_family` finding, fed
/// whole or in any chunks.
#[test]
fn family_detection_does_not_depend_on_chunking() {
    let demo = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/families/demo.txt")).unwrap();
    let (whole, _) = run(&demo);
    assert_eq!(
        findings(&whole).iter().map(|e| e.kind).collect::<Vec<_>>(),
        vec![ErrorKind::WrongFamily { detected: eindkomst_core::detect::FileKind::OtherText }]
    );
    for chunk in [1, 2, 7, 20, 33, 100] {
        let (events, _) = run_chunked(Options::default(), &demo, chunk);
        assert_eq!(events, whole, "chunk {chunk}");
    }
    // Short lines, then a control byte: the decision is made on the lines
    // read when it is due (8 lines), whatever else a chunk held (the kept
    // head once repeated bytes of a chunk that held several lines).
    let mut short = b"ab\n".repeat(20);
    short.extend_from_slice(b"\x01\n");
    let (whole, _) = run(&short);
    let other = ErrorKind::WrongFamily { detected: eindkomst_core::detect::FileKind::OtherText };
    assert_eq!(findings(&whole).iter().map(|e| e.kind).collect::<Vec<_>>(), vec![other]);
    let (binary_early, _) = run(b"ab\n\x01\n");
    let binary = ErrorKind::WrongFamily { detected: eindkomst_core::detect::FileKind::Binary };
    assert_eq!(findings(&binary_early).iter().map(|e| e.kind).collect::<Vec<_>>(), vec![binary]);
    for chunk in [1, 5, 33, 64] {
        let (events, _) = run_chunked(Options::default(), &short, chunk);
        assert_eq!(events, whole, "chunk {chunk}");
    }
    // Raw lines are passed on at once, so the first one decides: on its own
    // bytes (not yet consumed when it is delivered), in every chunking.
    let demo_json =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/families/demo.json")).unwrap();
    let demo_family = eindkomst::family::parse(&demo_json).unwrap();
    let raw = Options { family: demo_family, unknown: eindkomst_core::Unknown::Raw, ..Options::default() };
    let employer = ErrorKind::WrongFamily { detected: eindkomst_core::detect::FileKind::Employer };
    for chunk in [1, 7, 100, SAMPLE.len()] {
        let (events, counts) = run_chunked(raw, SAMPLE, chunk);
        assert!(matches!(&events[0], Ev::Error(e) if e.kind == employer), "chunk {chunk}: {:?}", events[0]);
        assert_eq!((counts.raw, counts.lines), (27, 27), "chunk {chunk}");
    }
}

/// An event is never about bytes the decoder has not consumed: a caller
/// that stops after any event has handed over everything it heard of.
#[test]
fn events_speak_only_of_consumed_bytes() {
    // A blank line is known to be one only when a line follows it: that
    // line's bytes are consumed with the rejection.
    let mut dec = Decoder::default();
    let input = b"\nabc\n";
    let (ev, used) = dec.decode(input);
    assert!(matches!(ev, Event::Rejected(e) if e.kind == ErrorKind::BlankLine), "{ev:?}");
    assert_eq!(used, 4);
    // A bad Base64 character is consumed with its error.
    let mut dec = Decoder::new(Options { base64: true, ..Options::default() });
    let mut input = base64::engine::general_purpose::STANDARD.encode(&SAMPLE[..183]).into_bytes();
    assert_eq!(input.len(), 244);
    input.push(b'*');
    let mut used = 0;
    loop {
        let (ev, n) = dec.decode(&input[used..]);
        used += n;
        match ev {
            Event::Error(e) => {
                assert!(matches!(e.kind, ErrorKind::InvalidBase64 { byte: b'*' }), "{e:?}");
                assert_eq!(used, 245, "the '*' is consumed with its error");
                break;
            }
            Event::NeedInput => panic!("no error"),
            _ => {}
        }
    }
}

/// What an earlier line queued comes before a later line's findings, in
/// every chunking: a first line of only a byte order mark queues its
/// `utf8_bom` error and is held back as a blank line; the next line break
/// must not overtake it (strict mode stops at the first rejection).
/// Found by the `decode_split` fuzz campaign.
#[test]
fn queued_findings_come_before_the_next_lines() {
    let input = b"\xEF\xBB\xBF\n\n";
    let strict = Options { strict: true, ..Options::default() };
    let (whole, _) = run_chunked(strict, input, input.len());
    let kinds: Vec<_> = findings(&whole).iter().map(|e| e.kind).collect();
    assert_eq!(kinds, vec![ErrorKind::Utf8Bom], "{whole:?}");
    for chunk in 1..input.len() {
        let (events, _) = run_chunked(strict, input, chunk);
        assert_eq!(events, whole, "chunk {chunk}");
    }
}

/// A Base64 error is not swallowed by the `wrong_family` finding that the
/// garbage decoded before it earns: both are reported, the cause first,
/// and the counts hold both.
#[test]
fn a_base64_error_survives_the_family_decision() {
    let opts = Options { base64: true, ..Options::default() };
    for chunk in [1, 3, 8] {
        let (events, counts) = run_chunked(opts, b"AAAA*AAA", chunk);
        let kinds: Vec<_> = findings(&events).iter().map(|e| e.kind).collect();
        assert_eq!(
            kinds,
            vec![
                ErrorKind::InvalidBase64 { byte: b'*' },
                ErrorKind::WrongFamily { detected: eindkomst_core::detect::FileKind::Binary }
            ],
            "chunk {chunk}"
        );
        assert_eq!((counts.errors, counts.lines), (2, 0), "chunk {chunk}");
    }
}

/// Lines held while the decoder sees whether the file is in its family are
/// never dropped: blank lines do not count towards the decision, so a run of
/// them after a bad first line filled the queue, and the blank lines' later
/// rejections and the start record that ended the hold were lost into
/// `suppressed` (counted as decoded, never reported). Found by the fuzz
/// targets decode_raw, decode_split and base64 (fuzz/regressions/*/held-lines-*).
#[test]
fn lines_held_for_the_family_decision_are_never_dropped() {
    let mut input = b"X\n".to_vec();
    input.extend_from_slice(&b"\n".repeat(45));
    input.extend_from_slice(eindkomst_core::testing::SAMPLE);
    let (whole, counts) = run(&input);
    let records = whole.iter().filter(|e| matches!(e, Ev::Record { .. })).count() as u64;
    let rejected = whole.iter().filter(|e| matches!(e, Ev::Rejected(_))).count() as u64;
    assert_eq!((records, rejected), (27, 46), "{whole:?}");
    assert_eq!((counts.decoded, counts.rejected, counts.lines), (27, 46, 73));
    assert!(matches!(&whole[0], Ev::Rejected(e) if e.kind == ErrorKind::LineTooShort), "{:?}", whole[0]);
    for (i, e) in whole[1..46].iter().enumerate() {
        assert!(matches!(e, Ev::Rejected(e) if e.kind == ErrorKind::BlankLine && e.line == i as u64 + 2), "{e:?}");
    }
    assert!(matches!(&whole[46], Ev::Record { rec: 1000, line: 47, .. }), "{:?}", whole[46]);
    for chunk in [1, 2, 7, 64, 1000] {
        let (events, c) = run_chunked(Options::default(), &input, chunk);
        assert_eq!(events, whole, "chunk {chunk}");
        assert_eq!(c, counts, "chunk {chunk}");
    }
    // So many blank lines that the held lines fill the queue: the decoder
    // stops holding and reports every line, in order, in every chunking.
    let mut other = b"ab\n".to_vec();
    other.extend_from_slice(&b"\n".repeat(60));
    other.extend_from_slice(b"cd\n");
    let (events, c) = run(&other);
    assert_eq!(c.rejected, 62);
    assert_eq!(events.iter().filter(|e| matches!(e, Ev::Rejected(_))).count(), 62, "{events:?}");
    for chunk in [1, 3, 64] {
        assert_eq!(run_chunked(Options::default(), &other, chunk).0, events, "chunk {chunk}");
    }
}

/// Counts are what was reported: blank lines reported before a
/// `wrong_family` decision stay counted, the held lines it drops do not,
/// and a strict stop does not count the lines held behind it.
#[test]
fn counts_are_what_was_reported_around_the_family_decision_and_a_strict_stop() {
    let (events, c) = run(b"\n\nX\nY\n");
    let kinds: Vec<_> = events
        .iter()
        .map(|e| match e {
            Ev::Rejected(e) | Ev::Error(e) | Ev::Warning(e) => e.kind.code(),
            _ => "record",
        })
        .collect();
    assert_eq!(kinds, ["blank_line", "blank_line", "wrong_family"]);
    assert_eq!((c.lines, c.rejected, c.rejected_untyped, c.decoded, c.errors), (2, 2, 2, 0, 1));
    assert!(c.balanced());

    // Strict: the first line is rejected while the next ones are held; the
    // decoder stops at it and counts it alone.
    let mut input = b"0000001100".to_vec();
    input.extend_from_slice(b"\n");
    input.extend_from_slice(&eindkomst_core::testing::SAMPLE[..300]);
    let opts = Options { strict: true, ..Options::default() };
    let (events, c) = run_chunked(opts, &input, 1 << 20);
    assert_eq!(events.len(), 1, "{events:?}");
    assert!(matches!(&events[0], Ev::Rejected(e) if e.kind == ErrorKind::LineTooShort), "{events:?}");
    assert_eq!((c.lines, c.rejected, c.decoded), (1, 1, 0));
    for chunk in [1, 5, 64] {
        assert_eq!(run_chunked(opts, &input, chunk), (events.clone(), c), "chunk {chunk}");
    }
}

/// A caller may stop after any event and finish with what it fed: it then
/// hears what a whole feed of exactly the consumed bytes gives. Here the
/// stop comes right after a blank line's rejection, whose proving line is
/// consumed without its line end; the family decision at the end must not
/// see that unconsumed line end (it did, and called the input another
/// family; found by the ffi_calls fuzz target).
#[test]
fn stopping_after_any_event_gives_what_the_consumed_bytes_give() {
    let mut data = b"\n".repeat(20);
    data.extend_from_slice(b"000000\n\n\n\xd7\xff\xff\x00\x00\n");
    let (whole, _) = run(&data);
    for stop in 1..=whole.len() {
        let mut dec = Decoder::new(Options::default());
        let (mut used, mut events) = (0, Vec::new());
        while events.len() < stop {
            let (ev, n) = dec.decode(&data[used..]);
            used += n;
            match ev {
                Event::NeedInput | Event::End => break,
                ev => events.push(common::own(ev)),
            }
        }
        loop {
            match dec.finish() {
                Event::End => break,
                ev => events.push(common::own(ev)),
            }
        }
        assert_eq!(events, run(&data[..used]).0, "stopped after {stop} events, {used} bytes consumed");
    }
}

/// `Decoder::reset` forgets the stream it was in, wherever it was left: the
/// next stream gives exactly the events and counts of a new decoder's, in
/// lenient, strict and Base64 mode.
#[test]
fn reset_starts_the_next_stream_as_a_new_decoder() {
    let plain = damaged();
    let encoded = base64::engine::general_purpose::STANDARD.encode(&plain).into_bytes();
    let strict = Options { strict: true, ..Options::default() };
    let b64 = Options { base64: true, ..Options::default() };
    for (opts, input) in [(Options::default(), &plain), (strict, &plain), (b64, &encoded)] {
        let fresh = run_chunked(opts, input, 64);
        assert!(fresh.1.lines >= 3, "{opts:?}");
        let garbage = b"0000042\xff\xff mid-line, no line end".to_vec();
        for before in [input[..1].to_vec(), input[..200].to_vec(), input[..input.len() - 9].to_vec(), garbage] {
            let mut dec = Decoder::new(opts);
            feed_chunked(&mut dec, &before, 64); // finished
            dec.reset();
            assert_eq!(feed_chunked(&mut dec, input, 64), fresh, "after a finished stream");
            dec.reset();
            let mut rest = &before[..];
            while !rest.is_empty() {
                let (ev, used) = dec.decode(rest);
                if matches!(ev, Event::NeedInput | Event::End) {
                    break;
                }
                rest = &rest[used..];
            }
            dec.reset(); // left mid-stream
            assert_eq!(feed_chunked(&mut dec, input, 64), fresh, "after a stream left half-way");
        }
    }
}

/// The batch loop (`decode_records`) gives the events of `decode`, also
/// once a file was found to be of another family: nothing after the
/// `wrong_family` finding (the fuzz target `ffi_calls` found the batch
/// decoding the clean lines that followed it, `fuzz/regressions/ffi_calls/`).
#[test]
fn batches_give_the_events_of_decode() {
    let demo = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/families/demo.txt")).unwrap();
    let after_other = b" \n0\nK\n0\nK\n0\n\xff\n00000011000\n00000022001                12345678 DKK\n".to_vec();
    let mut after_garbage = b"ab\n".repeat(8);
    after_garbage.extend_from_slice(SAMPLE);
    for input in [SAMPLE.to_vec(), damaged(), demo, after_other.clone(), after_garbage] {
        let whole = run(&input);
        for chunk in [1, 7, 64, input.len()] {
            assert_eq!(run_batched(Options::default(), &input, chunk), whole, "chunk {chunk}");
        }
    }
    let (events, counts) = run_batched(Options::default(), &after_other, after_other.len());
    assert_eq!((events.len(), counts.decoded), (1, 0));
    assert!(matches!(&events[0], Ev::Error(e) if matches!(e.kind, ErrorKind::WrongFamily { .. })), "{events:?}");
}

/// Speculative runs stitched in order (`Prechecker::assume` and
/// `check_accept` on a worker from some line on, `Decoder::stitch` in
/// order, the parallel CLI's way) give exactly the events of one decoder,
/// wherever the worker starts, whatever encoding it assumes; a run whose
/// assumed context is not the true one is not taken.
#[test]
fn stitched_runs_give_the_same_events() {
    use eindkomst_core::Prechecker;
    let lines = |text: &[u8]| text.split_inclusive(|&b| b == b'\n').map(<[u8]>::to_vec).collect::<Vec<_>>();
    let sample = lines(SAMPLE);
    // The 5000 (line 8) rejected: a 6000 under it must not be taken.
    let mut rejected_parent = sample.clone();
    rejected_parent[7][50] = b'X';
    let (events, _) = run(&rejected_parent.concat());
    let kinds: Vec<_> = findings(&events).iter().map(|e| (e.line, e.kind)).collect();
    assert!(kinds.contains(&(9, ErrorKind::ParentRejected)), "{kinds:?}");
    // Line 7 missing: an Lb_nr gap in front of the anchor.
    let mut gap = sample.clone();
    gap.remove(6);
    // ISO-8859-1 letters only in the 6004 (line 16): the encoding is decided there.
    let mut latin1_late = sample.clone();
    for line in [0, 21] {
        latin1_late[line].iter_mut().filter(|b| **b >= 0x80).for_each(|b| *b = b'e');
    }
    let mut repeated = Vec::new();
    for _ in 0..3 {
        repeated.extend_from_slice(SAMPLE);
    }
    let inputs = [SAMPLE.to_vec(), damaged(), repeated, rejected_parent.concat(), gap.concat(), latin1_late.concat()];
    let (mut taken, mut refused) = (0, 0);
    for input in inputs {
        let mut whole = Decoder::default();
        let (want, want_counts) = feed_chunked(&mut whole, &input, input.len());
        let starts: Vec<usize> = std::iter::once(0)
            .chain(lines(&input).iter().scan(0, |at, l| {
                *at += l.len();
                Some(*at)
            }))
            .collect();
        let n_lines = starts.len() - 1;
        for utf8 in [None, Some(false)] {
            for from in 0..n_lines {
                // The worker: runs from the anchors at or after `from`.
                let mut pre = Prechecker::new(Options::default(), 20250203);
                let mut runs = Vec::new(); // (anchor line, records, speculation)
                let mut i = from;
                while i < n_lines {
                    let rest = &input[starts[i]..];
                    let Some(clean) = pre.check(rest) else {
                        i += 1;
                        continue;
                    };
                    if !(pre.assume(rest, &clean, utf8) && pre.accept(rest, &clean)) {
                        i += 1;
                        continue;
                    }
                    let anchor = clean.record(rest, i as u64 + 1, starts[i] as u64, 2);
                    let mut records = vec![common::own(Event::Record(anchor))];
                    i += 1;
                    while i < n_lines {
                        let Some((r, _)) = pre.check_accept(&input[starts[i]..], i as u64 + 1, starts[i] as u64) else {
                            break;
                        };
                        records.push(common::own(Event::Record(r)));
                        i += 1;
                    }
                    let speculation = pre.speculation().unwrap();
                    assert_eq!(
                        (speculation.lines(), speculation.bytes()),
                        (records.len(), starts[i] - starts[i - records.len()])
                    );
                    runs.push((i - records.len(), records, speculation));
                }
                // In order: every line the ordinary way but the runs taken.
                let mut dec = Decoder::default();
                let mut got = Vec::new();
                let mut i = 0;
                while i < n_lines {
                    if let Some((_, records, speculation)) = runs.iter().find(|r| r.0 == i) {
                        if dec.stitch(speculation) {
                            got.extend(records.iter().cloned());
                            i += records.len();
                            taken += 1;
                            continue;
                        }
                        refused += 1;
                    }
                    common::decode_line(&mut dec, &input[starts[i]..starts[i + 1]], &mut got);
                    i += 1;
                }
                loop {
                    match dec.finish() {
                        Event::End => break,
                        ev => got.push(common::own(ev)),
                    }
                }
                assert_eq!(got, want, "from line {} assuming {utf8:?}", from + 1);
                assert_eq!(*dec.counts(), want_counts, "from line {} assuming {utf8:?}", from + 1);
                assert_eq!(dec.utf8(), whole.utf8(), "from line {} assuming {utf8:?}", from + 1);
            }
        }
    }
    // Both ways were taken: runs stitched, and runs refused.
    assert_eq!((taken, refused), (774, 336));
}

/// A damaged input and what it gives: the findings' (line, field number)
/// and the lines decoded and rejected.
type Case<'a> = (&'a str, Vec<u8>, &'a [(u64, u8)], u64, u64);

/// `lines` joined, with `bytes` written at `at` of line `line` (from 1).
fn changed(lines: &[Vec<u8>], line: usize, at: usize, bytes: &[u8]) -> Vec<u8> {
    let mut l = lines.to_vec();
    l[line - 1][at..at + bytes.len()].copy_from_slice(bytes);
    l.concat()
}

/// `lines` joined with CRLF line ends.
fn with_crlf(lines: &[Vec<u8>]) -> Vec<u8> {
    lines.iter().flat_map(|l| [&l[..l.len() - 1], b"\r\n"].concat()).collect()
}

/// Each case gives its findings and counts, which add up, and batched
/// decoding gives the events of `decode` at chunk sizes 1, 24, 33, 64 and
/// the whole input.
fn check_cases(cases: &[Case]) {
    for (what, input, found, decoded, rejected) in cases {
        let (want, want_counts) = run(input);
        let at: Vec<(u64, u8)> = findings(&want).iter().map(|e| (e.line, e.field.map_or(0, |f| f.no))).collect();
        assert_eq!((&at[..], want_counts.decoded, want_counts.rejected), (*found, *decoded, *rejected), "{what}");
        assert!(want_counts.balanced(), "{what}");
        for chunk in [1, 24, 33, 64, input.len()] {
            assert_eq!(
                run_batched(Options::default(), input, chunk),
                (want.clone(), want_counts),
                "{what}, chunk {chunk}"
            );
        }
    }
}

/// A run of 6001s (lines 10-13 of the sample; the batch loop takes the lines
/// after the first in a loop of their own) ends where a line of it is not
/// clean, in its bytes or in its context, and that line goes the general
/// way: the findings are those of `decode`, at the line that has them, and
/// so are all other events, at every chunk size.
#[test]
fn a_run_of_6001s_ends_at_a_line_that_is_not_clean() {
    let lines: Vec<Vec<u8>> = SAMPLE.split_inclusive(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
    check_cases(&[
        ("clean", SAMPLE.to_vec(), &[], 27, 0),
        // An error on the line and on the next (the count goes on from 99).
        ("Lb_nr out of step", changed(&lines, 12, 0, b"0000099"), &[(12, 0), (13, 0)], 27, 0),
        // A warning: the record is decoded.
        ("Feltnummer out of its set", changed(&lines, 11, 11, b"9998"), &[(11, 3)], 27, 0),
        ("amount not a number", changed(&lines, 12, 20, b"12X4"), &[(12, 4)], 26, 1),
        ("sign neither + nor -", changed(&lines, 11, 31, b"*"), &[(11, 5)], 26, 1),
        ("CRLF line ends", with_crlf(&lines), &[], 27, 0),
    ]);
}

/// Runs of two record types take turns (`Taking::run` keeps the last two
/// plans with runs): persons of a 6000, then 6001, 6005, 6001, 6005, so
/// each run is one line and the next line starts the other type's run. A
/// line that is not clean ends its run and goes the general way; all
/// events are those of `decode`, at every chunk size.
#[test]
fn runs_of_6001s_and_6005s_take_turns() {
    let sample: Vec<&[u8]> = SAMPLE.split_inclusive(|&b| b == b'\n').collect();
    let (person, amount, quantity) = (sample[8], sample[9], sample[16]);
    let mut lines: Vec<Vec<u8>> = sample[..8].iter().map(|l| l.to_vec()).collect();
    for _ in 0..4 {
        lines.extend([person, amount, quantity, amount, quantity].map(<[u8]>::to_vec));
    }
    lines.push(b"000000099990000000\n".to_vec());
    let n = lines.len();
    for (i, line) in lines.iter_mut().enumerate() {
        line[..7].copy_from_slice(format!("{:07}", i + 1).as_bytes());
    }
    lines[n - 1][11..18].copy_from_slice(format!("{n:07}").as_bytes());
    // The second person: 6000 at line 14, then 6001 15, 6005 16, 6001 17, 6005 18.
    check_cases(&[
        ("clean", lines.concat(), &[], 29, 0),
        ("6005 Feltnummer out of its set", changed(&lines, 16, 11, b"9998"), &[(16, 3)], 29, 0),
        ("6005 Antal not a number", changed(&lines, 18, 15, b"12X4"), &[(18, 4)], 28, 1),
        // An error on the line and on the next (the count goes on from 99).
        ("6001 after a 6005, Lb_nr out of step", changed(&lines, 17, 0, b"0000099"), &[(17, 0), (18, 0)], 29, 0),
        ("6005 sign neither + nor -", changed(&lines, 16, 23, b"*"), &[(16, 5)], 28, 1),
        ("CRLF line ends", with_crlf(&lines), &[], 29, 0),
    ]);
}
