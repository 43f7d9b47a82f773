//! The batch loop: one ordered stream (records and findings interleaved as
//! the core gives them), the same whatever the chunk size and the sink's
//! room, the filter inside, strict stops, raw lines, loaded families, and
//! the `--raw` golden files of the demo families.

use eindkomst::filter::FilterSpec;
use eindkomst::{family, Batch, Event, FindingType, Progress, Reader, Session, Sink};
use eindkomst_core::filter::{Filter, FilterOptions, MINIMAL};
use eindkomst_core::{Decoder, ErrorKind, Options, Unknown};
use std::path::PathBuf;

fn testdata(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../testdata").join(name)
}

/// An event with its bytes copied.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Ev {
    Record { line: u64, rec: u16, bytes: Vec<u8>, pseudonym: Option<String> },
    Raw { line: u64, key: Vec<u8>, bytes: Vec<u8> },
    Finding(FindingType, ErrorKind, u64),
}

fn own(e: Event<'_>) -> Ev {
    match e {
        Event::Record { record, pseudonym } => Ev::Record {
            line: record.line(),
            rec: record.record_type(),
            bytes: record.bytes().to_vec(),
            pseudonym: pseudonym.map(|p| p.to_string()),
        },
        Event::Raw(r) => Ev::Raw { line: r.line, key: r.key.to_vec(), bytes: r.bytes.to_vec() },
        Event::Finding(f) => Ev::Finding(f.finding_type, f.error.kind, f.error.line),
    }
}

/// A sink with room for `room` events at a time, drained into `out` by the
/// driver whenever it is full.
struct Small {
    room: usize,
    held: Vec<Ev>,
}

impl Sink for Small {
    fn room(&self) -> usize {
        self.room - self.held.len()
    }
    fn event(&mut self, e: Event<'_>) {
        assert!(self.held.len() < self.room, "the loop overfilled the sink");
        self.held.push(own(e));
    }
}

/// Feeds `input` in chunks of `chunk` bytes into a sink of `room` events.
fn run(opts: Options, filter: Option<&FilterSpec>, input: &[u8], chunk: usize, room: usize) -> Vec<Ev> {
    let mut s = Session::new(opts, filter).unwrap();
    let mut sink = Small { room, held: Vec::new() };
    let mut out = Vec::new();
    for piece in input.chunks(chunk.max(1)) {
        let mut rest = piece;
        loop {
            let (used, progress) = s.feed(rest, &mut sink);
            rest = &rest[used..];
            out.append(&mut sink.held);
            match progress {
                Progress::Full => continue,
                Progress::NeedInput | Progress::Stopped => break,
            }
        }
        assert!(rest.is_empty());
    }
    while !s.finish(&mut sink) {
        out.append(&mut sink.held);
    }
    out.append(&mut sink.held);
    assert!(s.counts().balanced());
    out
}

/// The core's own event stream, for comparison.
fn core_events(opts: Options, input: &[u8]) -> Vec<Ev> {
    let mut dec = Decoder::new(opts);
    let mut out = Vec::new();
    let mut rest = input;
    let take = |e: eindkomst_core::Event<'_>, out: &mut Vec<Ev>| {
        use eindkomst_core::Event as E;
        out.push(match e {
            E::Record(r) => own(Event::Record { record: r, pseudonym: None }),
            E::Raw(r) => own(Event::Raw(r)),
            E::Rejected(e) => Ev::Finding(FindingType::Rejected, e.kind, e.line),
            E::Error(e) => Ev::Finding(FindingType::Error, e.kind, e.line),
            E::Warning(e) => Ev::Finding(FindingType::Warning, e.kind, e.line),
            E::NeedInput | E::End => return false,
        });
        true
    };
    loop {
        let (e, used) = dec.decode(rest);
        rest = &rest[used..];
        if !take(e, &mut out) {
            break;
        }
    }
    while take(dec.finish(), &mut out) {}
    out
}

/// The sample with line 11's Beloeb damaged and line 20 doubled (an Lb_nr repeat).
fn damaged() -> Vec<u8> {
    let sample = eindkomst_core::testing::SAMPLE;
    let mut lines: Vec<Vec<u8>> = sample.split_inclusive(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
    lines[10][20] = b'X';
    let twenty = lines[19].clone();
    lines.insert(20, twenty);
    lines.concat()
}

#[test]
fn events_keep_input_order_at_every_chunk_size_and_room() {
    let input = damaged();
    let want = core_events(Options::default(), &input);
    let kinds: Vec<_> =
        want.iter().filter_map(|e| if let Ev::Finding(t, k, l) = e { Some((*t, *k, *l)) } else { None }).collect();
    assert_eq!(kinds[0], (FindingType::Rejected, ErrorKind::NotDigit, 11), "{kinds:?}");
    assert!(kinds.iter().any(|k| matches!(k, (FindingType::Error, ErrorKind::LbNrRepeat { .. }, 21))), "{kinds:?}");
    // Records and findings interleave: the rejected line 11 sits between records 10 and 12.
    let at = want.iter().position(|e| matches!(e, Ev::Finding(FindingType::Rejected, _, 11))).unwrap();
    assert!(matches!(want[at - 1], Ev::Record { line: 10, .. }) && matches!(want[at + 1], Ev::Record { line: 12, .. }));
    for chunk in [1, 7, 64, input.len()] {
        for room in [1, 3, 16, 4096] {
            assert_eq!(run(Options::default(), None, &input, chunk, room), want, "chunk {chunk}, room {room}");
        }
    }
}

#[test]
fn the_filter_runs_inside_and_equals_the_core_filter() {
    let input = eindkomst_core::testing::SAMPLE;
    let spec = FilterSpec::from_json(r#"{"cprs": ["6101901234"], "profile": "minimal"}"#).unwrap();
    // The core filter by hand, projected.
    let cprs = [*b"6101901234"];
    let mut filter =
        Filter::new(FilterOptions { cprs: Some(&cprs), profile: MINIMAL, ..FilterOptions::default() }).unwrap();
    let projector = filter.projector();
    let mut want = Vec::new();
    let mut buf = [0u8; 512];
    let mut dec = Decoder::default();
    let mut rest = input;
    loop {
        let (e, used) = dec.decode(rest);
        rest = &rest[used..];
        match e {
            eindkomst_core::Event::Record(r) => {
                for kept in filter.record(&r) {
                    let p = projector.project(&kept, &mut buf).unwrap();
                    want.push(own(Event::Record { record: p.record, pseudonym: None }));
                }
            }
            eindkomst_core::Event::NeedInput => break,
            other => panic!("{other:?}"),
        }
    }
    while dec.finish() != eindkomst_core::Event::End {}
    assert_eq!(want.len(), 8);
    // A room of 1 is below what one record can release (its headers): the loop
    // asks for room before each step, so every room size gives the same.
    for (chunk, room) in [(input.len(), 4096), (13, 9), (1, 5)] {
        let got = run(Options::default(), Some(&spec), input, chunk, room.max(5));
        assert_eq!(got, want, "chunk {chunk}, room {room}");
    }
    let mut s = Session::new(Options::default(), Some(&spec)).unwrap();
    let mut n = 0;
    s.feed(input, &mut |_: Event<'_>| n += 1);
    assert!(s.finish(&mut |_: Event<'_>| n += 1));
    let c = s.filter_counts().unwrap();
    assert_eq!((n, c.seen, c.passed, c.held), (8, 27, 8, 0));
    assert!(c.balanced());
    assert_eq!(s.permitted(6001), 0b111110);
    assert_eq!(Session::new(Options::default(), None).unwrap().permitted(6001), u64::MAX);
}

#[test]
fn pseudonyms_come_with_their_records() {
    let spec = FilterSpec::from_json(r#"{"record_types": [6000], "pseudonym_key": "0123456789abcdef"}"#).unwrap();
    let got = run(Options::default(), Some(&spec), eindkomst_core::testing::SAMPLE, 100, 64);
    let persons: Vec<_> = got
        .iter()
        .filter_map(|e| match e {
            Ev::Record { rec: 6000, bytes, pseudonym, .. } => Some((bytes[19..29].to_vec(), pseudonym.clone())),
            _ => None,
        })
        .collect();
    let key = b"0123456789abcdef";
    let pseudonym = |cpr: &[u8]| Some(eindkomst_core::filter::pseudonymise(key, cpr).to_string());
    let blank = b"          ".to_vec();
    // Line 25 is a company (SE-nr, no CPR): no pseudonym.
    assert_eq!(
        persons,
        [(blank.clone(), pseudonym(b"6101901234")), (blank.clone(), pseudonym(b"7204881234")), (blank, None)]
    );
}

#[test]
fn strict_mode_ends_at_the_first_fatal_finding() {
    let input = damaged();
    let strict = Options { strict: true, ..Options::default() };
    let got = run(strict, None, &input, 50, 4096);
    assert_eq!(got.len(), 11, "{got:?}");
    assert_eq!(got[10], Ev::Finding(FindingType::Rejected, ErrorKind::NotDigit, 11));
    let mut s = Session::new(strict, None).unwrap();
    let (used, progress) = s.feed(&input, &mut |_: Event<'_>| {});
    assert_eq!((used, progress), (input.len(), Progress::Stopped));
    assert!(s.stopped());
    assert_eq!(s.feed(b"more", &mut |_: Event<'_>| panic!("nothing after a stop")), (4, Progress::Stopped));
}

#[test]
fn raw_lines_pass_without_a_filter_only() {
    let fam = family::load(testdata("families/demo.json")).unwrap();
    let mut lines: Vec<&[u8]> = Vec::new();
    let demo = std::fs::read(testdata("families/demo.txt")).unwrap();
    let mut all: Vec<&[u8]> = demo.split_inclusive(|&b| b == b'\n').collect();
    all.insert(3, b"150ABCDEF\n");
    lines.extend(all);
    let input = lines.concat();
    let opts = Options { family: fam, unknown: Unknown::Raw, ..Options::default() };
    let got = run(opts, None, &input, 9, 16);
    assert_eq!(got, core_events(opts, &input));
    assert!(got.contains(&Ev::Raw { line: 4, key: b"150".to_vec(), bytes: b"150ABCDEF".to_vec() }));
    let spec = FilterSpec::default();
    let filtered = run(opts, Some(&spec), &input, 9, 16);
    assert!(!filtered.iter().any(|e| matches!(e, Ev::Raw { .. })));
    assert!(filtered.contains(&Ev::Finding(FindingType::Warning, ErrorKind::PassedRaw, 4)));
}

#[test]
fn batches_own_their_events() {
    let input = damaged();
    let mut reader = Reader::new(&input[..], Session::new(Options::default(), None).unwrap());
    let mut batch = Batch::with_limit(16);
    let mut got = Vec::new();
    let mut sizes = Vec::new();
    while reader.read_batch(&mut batch).unwrap() {
        sizes.push(batch.len());
        got.extend(batch.iter().map(own));
    }
    assert_eq!(got, core_events(Options::default(), &input));
    assert!(sizes.iter().all(|&n| n <= 16) && sizes.len() >= 2, "{sizes:?}");
    // A batch can go to another thread.
    let mut reader = Reader::new(&input[..], Session::new(Options::default(), None).unwrap());
    let batches: Vec<Batch> = (&mut reader).map(Result::unwrap).collect();
    let lines = std::thread::spawn(move || batches.iter().flat_map(|b| b.iter().map(own).collect::<Vec<_>>()).count())
        .join()
        .unwrap();
    assert_eq!(lines, got.len());
}

/// Renders the `--raw` NDJSON of a file decoded with a family.
fn raw_ndjson(fam: &'static eindkomst_core::Family, input: &[u8]) -> String {
    let mut out = Vec::new();
    let opts = Options { family: fam, ..Options::default() };
    Reader::new(input, Session::new(opts, None).unwrap())
        .for_each_event(|e| match e {
            Event::Record { record, .. } => {
                eindkomst::raw::write_record(&mut out, &record).unwrap();
                out.push(b'\n');
            }
            other => panic!("{other:?}"),
        })
        .unwrap();
    String::from_utf8(out).unwrap()
}

/// The demo families' `--raw` output is committed (reviewed by hand) and
/// shared by every face's tests; the separated family gives the same fields.
/// `EINDKOMST_BLESS=1` rewrites the files.
#[test]
fn demo_families_raw_golden_files() {
    for (fam, txt) in [("demo.json", "demo.txt"), ("demo-separated.json", "demo-separated.txt")] {
        let f = family::load(testdata(&format!("families/{fam}"))).unwrap();
        let got = raw_ndjson(f, &std::fs::read(testdata(&format!("families/{txt}"))).unwrap());
        let path = testdata(&format!("families/{}", txt.replace(".txt", ".raw.ndjson")));
        if std::env::var_os("EINDKOMST_BLESS").is_some() {
            std::fs::write(&path, &got).unwrap();
        }
        assert_eq!(got, std::fs::read_to_string(&path).unwrap(), "{} is stale", path.display());
        assert_eq!(got.lines().count(), 10);
    }
    let fixed = std::fs::read_to_string(testdata("families/demo.raw.ndjson")).unwrap();
    let separated = std::fs::read_to_string(testdata("families/demo-separated.raw.ndjson")).unwrap();
    assert_eq!(fixed, separated);
    assert!(fixed
        .contains(r#"{"line":3,"record":"120","fields":{"1":"120","2":"6101901234","3":"Søren Ærø","4":"","5":""}}"#));
}

#[test]
fn families_load_once_and_errors_name_the_file() {
    let a = family::load(testdata("families/demo.json")).unwrap();
    let b = family::parse(&std::fs::read_to_string(testdata("families/demo.json")).unwrap()).unwrap();
    assert!(std::ptr::eq(a, b));
    let err = family::load(testdata("families/missing.json")).unwrap_err();
    assert!(err.contains("missing.json"), "{err}");
    let err = family::parse(r#"{"family": {"name": "x", "key": {"start": 1, "len": 3}}, "records": {}}"#).unwrap_err();
    assert_eq!(err, "no \"records\"");
}
