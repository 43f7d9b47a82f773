//! The decoder's work per byte does not grow with the input: adversarial
//! streams of 1 MiB and 8 MiB, fed in 1-byte, 4093-byte and 64 KiB chunks.
//!
//! Work is counted, not timed: every `decode` call either consumes the rest of
//! its chunk (`NeedInput`, once per chunk) or returns an event, and every
//! `finish` call returns an event or `End`. So `calls == chunks + events + 1`
//! holds exactly (checked), and since no byte is handed to the decoder twice
//! and a line never occupies more than `MAX_LINE` bytes of its buffer, the work
//! is linear when the number of events is. Each test pins the exact number of
//! events as a function of the input size, the same formula at 1 and 8 MiB.
//! (Wall-clock time per byte is printed for information, never asserted.)

use eindkomst_core::decoder::MAX_LINE;
use eindkomst_core::{Counts, Decoder, Event, Options};
use std::time::Instant;

const MIB: usize = 1 << 20;
const SIZES: [usize; 2] = [MIB, 8 * MIB];

/// What one feed cost.
#[derive(Debug, Default, PartialEq, Eq)]
struct Work {
    chunks: u64,
    calls: u64,
    events: u64,
    consumed: u64,
}

/// Feeds `input` in `chunk`-byte pieces, then finishes; counts the work and
/// checks that each call made progress.
fn feed(opts: Options, input: &[u8], chunk: usize) -> (Work, Counts) {
    let mut dec = Decoder::new(opts);
    let mut w = Work::default();
    let t = Instant::now();
    for piece in input.chunks(chunk) {
        w.chunks += 1;
        let mut rest = piece;
        loop {
            w.calls += 1;
            let (ev, used) = dec.decode(rest);
            assert!(used <= rest.len());
            w.consumed += used as u64;
            rest = &rest[used..];
            match ev {
                Event::NeedInput => {
                    assert!(rest.is_empty(), "NeedInput with input left");
                    break;
                }
                Event::End => panic!("lenient decoder ended"),
                _ => w.events += 1,
            }
        }
    }
    loop {
        w.calls += 1;
        match dec.finish() {
            Event::End => break,
            Event::NeedInput => panic!("finish asked for input"),
            _ => w.events += 1,
        }
    }
    let ns = t.elapsed().as_nanos() as f64 / input.len().max(1) as f64;
    println!("{} bytes in {chunk}-byte chunks: {w:?}, {ns:.2} ns/byte", input.len());
    assert_eq!(w.consumed, input.len() as u64, "every byte consumed once");
    assert_eq!(w.calls, w.chunks + w.events + 1, "a call without progress");
    let counts = *dec.counts();
    assert!(counts.balanced(), "{counts:?}");
    (w, counts)
}

/// (lines, decoded, rejected, errors, warnings)
fn totals(c: &Counts) -> (u64, u64, u64, u64, u64) {
    (c.lines, c.decoded, c.rejected, c.errors, c.warnings)
}

/// Runs `make(size)` at 1 MiB in 1-byte, 4093-byte and 64 KiB chunks and at
/// 8 MiB in 64 KiB chunks (byte by byte too with `bytewise_8`; a debug build
/// takes about a microsecond per call);
/// `want(len)` gives the exact events and totals for an input of `len` bytes.
fn linear(opts: Options, bytewise_8: bool, make: impl Fn(usize) -> Vec<u8>, want: impl Fn(usize) -> (u64, [u64; 5])) {
    for size in SIZES {
        let input = make(size);
        for chunk in [1, 4093, 64 * 1024] {
            if size > MIB && (chunk == 4093 || chunk == 1 && !bytewise_8) {
                continue;
            }
            let (w, c) = feed(opts, &input, chunk);
            let (events, t) = want(input.len());
            let got = totals(&c);
            assert_eq!(
                (w.events, [got.0, got.1, got.2, got.3, got.4]),
                (events, t),
                "{} bytes, chunk {chunk}",
                input.len()
            );
        }
    }
}

fn sample_lines() -> Vec<&'static [u8]> {
    eindkomst_core::testing::SAMPLE.split(|&b| b == b'\n').filter(|l| !l.is_empty()).collect()
}

#[test]
#[cfg_attr(miri, ignore)]
fn very_long_line_without_newline() {
    // Not a file of the family: one `wrong_family` finding, whatever the size.
    linear(Options::default(), true, |n| vec![b'7'; n], |_| (1, [0, 0, 0, 1, 0]));
    assert_eq!(MAX_LINE, 512);
}

#[test]
#[cfg_attr(miri, ignore)]
fn nul_bytes_and_carriage_returns_only() {
    // Binary data and a line of carriage returns are no file of the family:
    // one `wrong_family` finding each, whatever the size.
    linear(Options::default(), false, |n| vec![0u8; n], |_| (1, [0, 0, 0, 1, 0]));
    linear(Options::default(), false, |n| vec![b'\r'; n], |_| (1, [0, 0, 0, 1, 0]));
}

#[test]
#[cfg_attr(miri, ignore)]
fn millions_of_blank_lines() {
    // n line feeds: n - 1 blank lines (the last one ends the stream and is
    // ignored), one rejection each, plus "no 9999".
    linear(
        Options::default(),
        false,
        |n| vec![b'\n'; n],
        |len| {
            let n = len as u64 - 1;
            (n + 1, [n, 0, n, 1, 0])
        },
    );
    // CRLF blank lines: the same per line.
    linear(
        Options::default(),
        false,
        |n| b"\r\n".repeat(n / 2),
        |len| {
            let n = len as u64 / 2 - 1;
            (n + 1, [n, 0, n, 1, 0])
        },
    );
}

#[test]
#[cfg_attr(miri, ignore)]
fn one_valid_record_repeated() {
    // The sample's first 9 lines (1000 .. 6000), then its first 6001 line
    // again and again: each is decoded, each repeats Lb_nr 10 (a stream error
    // per repeat), and the stream has no 9999.
    let lines = sample_lines();
    let head: Vec<u8> = lines[..9].iter().flat_map(|l| l.iter().copied().chain([b'\n'])).collect();
    let rec: Vec<u8> = lines[9].iter().copied().chain([b'\n']).collect();
    assert_eq!(rec.len(), 33);
    let make = |n: usize| {
        let mut v = head.clone();
        while v.len() + rec.len() <= n {
            v.extend_from_slice(&rec);
        }
        v
    };
    linear(Options::default(), false, make, |len| {
        let k = ((len - head.len()) / rec.len()) as u64;
        (9 + k + (k - 1) + 1, [9 + k, 9 + k, 0, k, 0])
    });
}

#[test]
#[cfg_attr(miri, ignore)]
fn base64_of_mostly_whitespace() {
    // The sample in Base64 with runs of whitespace between every group: the
    // whitespace is skipped, the 27 records come out, nothing else.
    let b64 = base64(eindkomst_core::testing::SAMPLE);
    let groups = b64.len() / 4;
    let make = |n: usize| {
        let gap = (n - b64.len()) / groups;
        let mut v = Vec::with_capacity(n);
        for g in b64.chunks(4) {
            v.extend_from_slice(g);
            v.extend((0..gap).map(|i| b" \t\r\n"[i % 4]));
        }
        v
    };
    let opts = Options { base64: true, ..Options::default() };
    linear(opts, false, make, |_| (27, [27, 27, 0, 0, 0]));
}

#[test]
#[cfg_attr(miri, ignore)]
fn base64_with_invalid_characters() {
    // The first invalid character ends the Base64 stream (one error); the
    // rest is skipped in constant work per byte, and the records decoded so
    // far (none) stay counted; "no records" is the second error.
    let opts = Options { base64: true, ..Options::default() };
    linear(opts, false, |n| vec![b'*'; n], |_| (2, [0, 0, 0, 2, 0]));
    // Valid Base64 of the sample, then garbage: 27 records, one error.
    let b64 = base64(eindkomst_core::testing::SAMPLE);
    let make = |n: usize| {
        let mut v = b64.clone();
        v.extend((0..n - b64.len()).map(|i| b"*=!\x00"[i % 4]));
        v
    };
    linear(opts, false, make, |_| (28, [27, 27, 0, 1, 0]));
}

/// Standard Base64 with padding.
fn base64(data: &[u8]) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(data).into_bytes()
}
