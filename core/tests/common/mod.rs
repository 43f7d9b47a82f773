//! Helpers shared by the core's integration tests.
#![allow(dead_code)]

use eindkomst_core::{Counts, Decoder, Error, ErrorKind, Event, FieldRef, Options, Record};

/// One event with its bytes copied, so a whole stream can be compared.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ev {
    Record { line: u64, lb_nr: u32, rec: u16, offset: u64, bytes: Vec<u8> },
    Raw { line: u64, key: Vec<u8>, bytes: Vec<u8> },
    Rejected(Error),
    Error(Error),
    Warning(Error),
}

/// Decodes `input` fed in chunks of `chunk` bytes; returns events and counts.
pub fn run_chunked(opts: Options, input: &[u8], chunk: usize) -> (Vec<Ev>, Counts) {
    feed_chunked(&mut Decoder::new(opts), input, chunk)
}

/// As [`run_chunked`], with a decoder the caller made (and may have used).
pub fn feed_chunked(dec: &mut Decoder, input: &[u8], chunk: usize) -> (Vec<Ev>, Counts) {
    let mut out = Vec::new();
    for piece in input.chunks(chunk.max(1)) {
        let mut rest = piece;
        loop {
            let (ev, used) = dec.decode(rest);
            rest = &rest[used..];
            match push(&mut out, ev) {
                Some(()) => {}
                None => break,
            }
        }
        assert!(rest.is_empty() || dec.stopped());
    }
    loop {
        let ev = dec.finish();
        if push(&mut out, ev).is_none() {
            break;
        }
    }
    (out, *dec.counts())
}

/// Decodes `input` in chunks of `chunk` bytes with [`Decoder::decode_records`]
/// (the batch loop of the CLI and the std crate); returns events and counts.
/// The batch loop as built and in `on_this_cpu`'s wider build (the CLI's
/// and the std crate's) must give the same.
pub fn run_batched(opts: Options, input: &[u8], chunk: usize) -> (Vec<Ev>, Counts) {
    let built = batched(opts, input, chunk, false);
    assert_eq!(batched(opts, input, chunk, true), built, "on_this_cpu, chunk {chunk}");
    built
}

fn batched(opts: Options, input: &[u8], chunk: usize, on_this_cpu: bool) -> (Vec<Ev>, Counts) {
    let mut dec = Decoder::new(opts);
    let mut out = Vec::new();
    for piece in input.chunks(chunk.max(1)) {
        let mut rest = piece;
        loop {
            let mut records = Vec::new();
            let on_record = |r: Record<'_>| records.push(own(Event::Record(r)));
            let (ev, used) = if on_this_cpu {
                eindkomst_core::on_this_cpu(
                    #[inline(always)]
                    || dec.decode_records(rest, on_record),
                )
            } else {
                dec.decode_records(rest, on_record)
            };
            rest = &rest[used..];
            out.extend(records);
            if push(&mut out, ev).is_none() {
                break;
            }
        }
    }
    loop {
        let ev = dec.finish();
        if push(&mut out, ev).is_none() {
            break;
        }
    }
    (out, *dec.counts())
}

/// Decodes one line (or any bytes) the ordinary way, its events into `out`.
pub fn decode_line(dec: &mut Decoder, mut line: &[u8], out: &mut Vec<Ev>) {
    loop {
        let (ev, used) = dec.decode(line);
        line = &line[used..];
        match ev {
            Event::NeedInput | Event::End => break,
            ev => out.push(own(ev)),
        }
    }
}

/// Copies an event out of the decoder's borrow. Panics on NeedInput/End.
pub fn own(ev: Event<'_>) -> Ev {
    match ev {
        Event::Record(r) => Ev::Record {
            line: r.line(),
            lb_nr: r.lb_nr(),
            rec: r.record_type(),
            offset: r.offset(),
            bytes: r.bytes().to_vec(),
        },
        Event::Raw(r) => Ev::Raw { line: r.line, key: r.key.to_vec(), bytes: r.bytes.to_vec() },
        Event::Rejected(e) => Ev::Rejected(e),
        Event::Error(e) => Ev::Error(e),
        Event::Warning(e) => Ev::Warning(e),
        Event::NeedInput | Event::End => panic!("not a finding or record"),
    }
}

fn push(out: &mut Vec<Ev>, ev: Event<'_>) -> Option<()> {
    if matches!(ev, Event::NeedInput | Event::End) {
        return None;
    }
    out.push(own(ev));
    Some(())
}

/// Decodes the whole input in one feed.
pub fn run(input: &[u8]) -> (Vec<Ev>, Counts) {
    run_chunked(Options::default(), input, input.len().max(1))
}

/// Only the findings (rejections, errors, warnings).
pub fn findings(events: &[Ev]) -> Vec<Error> {
    events
        .iter()
        .filter_map(|e| match e {
            Ev::Rejected(e) | Ev::Error(e) | Ev::Warning(e) => Some(*e),
            Ev::Record { .. } | Ev::Raw { .. } => None,
        })
        .collect()
}

/// The sample file's lines, without terminators.
pub fn sample_lines() -> Vec<Vec<u8>> {
    eindkomst_core::testing::SAMPLE.split(|&b| b == b'\n').filter(|l| !l.is_empty()).map(<[u8]>::to_vec).collect()
}

/// The lines joined with LF.
pub fn join(lines: &[Vec<u8>]) -> Vec<u8> {
    lines.iter().flat_map(|l| l.iter().copied().chain([b'\n'])).collect()
}

/// Stream offset of 1-based line `n` in `join(lines)`.
pub fn offset_of(lines: &[Vec<u8>], n: usize) -> u64 {
    lines[..n - 1].iter().map(|l| l.len() as u64 + 1).sum()
}

/// Rewrites Lb_nr 1, 2, 3, ... and the 9999 count, as a careful sender would.
pub fn renumber(lines: &mut [Vec<u8>]) {
    let n = lines.len();
    for (i, l) in lines.iter_mut().enumerate() {
        l[..7].copy_from_slice(format!("{:07}", i + 1).as_bytes());
    }
    lines[n - 1][11..18].copy_from_slice(format!("{n:07}").as_bytes());
}

/// A field reference, for expected errors.
pub fn field(no: u8, name: &'static str) -> Option<FieldRef> {
    Some(FieldRef { no, name })
}

/// An expected error.
pub fn err(
    kind: ErrorKind,
    line: u64,
    lb_nr: Option<u32>,
    record: Option<u16>,
    field: Option<FieldRef>,
    offset: u64,
) -> Error {
    Error { kind, line, lb_nr, record, field, offset }
}
