//! The C ABI exercised from Rust, through the same `extern "C"` functions a C
//! host calls: one ordered event array, chunking, Base64, findings in place,
//! the filter inside, families loaded from JSON, options, single values,
//! statuses, the panic path.

use std::ffi::CStr;
use std::mem::MaybeUninit;
use std::ptr;

use eindkomst::*;
use eindkomst_core::testing::SAMPLE;

/// An event copied out of its view.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Ev {
    event_type: u8,
    bytes: Vec<u8>,
    pseudonym: Option<Vec<u8>>,
    line: u64,
    offset: u64,
    lb_nr: Option<u32>,
    record_type: Option<u16>,
    layout: u16,
    kind: u16,
    numbers: (u64, u64),
    field: Option<(u8, String)>,
    key: Vec<u8>,
}

fn text(s: eik_str) -> String {
    if s.len == 0 {
        return String::new();
    }
    // SAFETY: the library hands out strings that live for the process.
    String::from_utf8(unsafe { std::slice::from_raw_parts(s.ptr, s.len) }.to_vec()).unwrap()
}

fn own(e: &eik_event) -> Ev {
    assert_eq!(e.reserved, [0; 5]);
    // SAFETY: a view returned by the last call, valid until the next one.
    let bytes = unsafe { std::slice::from_raw_parts(e.bytes, e.len as usize) }.to_vec();
    let pseudonym = (e.flags & EIK_EVENT_HAS_PSEUDONYM != 0)
        // SAFETY: 16 bytes follow the record when the flag is set.
        .then(|| unsafe { std::slice::from_raw_parts(e.bytes.add(e.len as usize), EIK_PSEUDONYM_LEN) }.to_vec());
    Ev {
        event_type: e.event_type,
        key: bytes.get(e.key_start as usize..(e.key_start + e.key_len) as usize).unwrap_or_default().to_vec(),
        bytes,
        pseudonym,
        line: e.line,
        offset: e.offset,
        lb_nr: (e.flags & EIK_EVENT_HAS_LB_NR != 0).then_some(e.lb_nr),
        record_type: (e.flags & EIK_EVENT_HAS_RECORD_TYPE != 0).then_some(e.record_type),
        layout: e.layout,
        kind: e.kind,
        numbers: (e.expected, e.found),
        field: (e.flags & EIK_EVENT_HAS_FIELD != 0).then(|| (e.field_no, text(e.field_name))),
    }
}

/// The number of the finding kind `code` (the header's `EIK_KIND_*`).
fn kind(code: &str) -> u16 {
    eindkomst_core::error::KINDS.iter().find(|k| k.code == code).unwrap().number
}

const RECORD: u8 = eik_event_type::Record as u8;
const RAW: u8 = eik_event_type::Raw as u8;
const REJECTED: u8 = eik_event_type::Rejected as u8;
const ERROR: u8 = eik_event_type::Error as u8;
const WARNING: u8 = eik_event_type::Warning as u8;

struct Dec(*mut eik_decoder);

impl Dec {
    fn new(opts: Option<eik_options>) -> Dec {
        Dec::try_new(opts).unwrap()
    }

    fn try_new(opts: Option<eik_options>) -> Result<Dec, (eik_status, String)> {
        let mut d = ptr::null_mut();
        let o = opts.as_ref().map_or(ptr::null(), |o| o as *const _);
        let mut msg = [0u8; 200];
        // SAFETY: valid pointers.
        let s = unsafe { eik_decoder_new(o, &mut d, msg.as_mut_ptr(), msg.len()) };
        if s != eik_status::Ok {
            assert!(d.is_null());
            let m = CStr::from_bytes_until_nul(&msg).unwrap().to_str().unwrap().to_owned();
            return Err((s, m));
        }
        Ok(Dec(d))
    }

    /// Feeds `data` in chunks of `chunk` bytes with room for `cap` events,
    /// then finishes. Views are copied right after each call.
    fn run(&self, data: &[u8], chunk: usize, cap: usize) -> Vec<Ev> {
        let mut evs = Vec::new();
        let mut out = vec![MaybeUninit::<eik_event>::uninit(); cap];
        for piece in data.chunks(chunk.max(1)) {
            // A fresh heap copy per chunk, freed after use: a view that
            // outlived its call would be caught by valgrind/ASan/Miri.
            let piece = piece.to_vec();
            let mut off = 0;
            loop {
                let b = self.decode(&piece[off..], &mut out, &mut evs);
                off += b.consumed;
                if off == piece.len() {
                    break;
                }
            }
        }
        while self.finish(&mut out, &mut evs).done == 0 {}
        evs
    }

    fn decode(&self, input: &[u8], out: &mut [MaybeUninit<eik_event>], evs: &mut Vec<Ev>) -> eik_batch {
        let mut b = MaybeUninit::<eik_batch>::uninit();
        // SAFETY: valid buffers with their lengths.
        let s = unsafe {
            eik_decode(self.0, input.as_ptr(), input.len(), out.as_mut_ptr().cast(), out.len(), b.as_mut_ptr())
        };
        assert_eq!(s, eik_status::Ok);
        // SAFETY: written on Ok.
        let b = unsafe { b.assume_init() };
        assert!(b.n_events <= out.len() && b.consumed <= input.len());
        self.take(&out[..b.n_events], &b, evs);
        b
    }

    fn finish(&self, out: &mut [MaybeUninit<eik_event>], evs: &mut Vec<Ev>) -> eik_batch {
        let mut b = MaybeUninit::<eik_batch>::uninit();
        // SAFETY: valid buffers.
        let s = unsafe { eik_finish(self.0, out.as_mut_ptr().cast(), out.len(), b.as_mut_ptr()) };
        assert_eq!(s, eik_status::Ok);
        // SAFETY: written on Ok.
        let b = unsafe { b.assume_init() };
        self.take(&out[..b.n_events], &b, evs);
        b
    }

    fn take(&self, out: &[MaybeUninit<eik_event>], b: &eik_batch, evs: &mut Vec<Ev>) {
        for e in out {
            // SAFETY: the first n_events were written.
            let e = unsafe { e.assume_init_ref() };
            if e.flags & EIK_EVENT_IN_SCRATCH != 0 {
                let at = e.bytes as usize - b.scratch as usize;
                assert!(at + e.len as usize <= b.scratch_len, "scratch event outside the scratch area");
            }
            evs.push(own(e));
        }
    }

    fn counts(&self) -> eik_counts {
        let mut c = MaybeUninit::<eik_counts>::uninit();
        // SAFETY: valid pointers.
        assert_eq!(unsafe { eik_decoder_counts(self.0, c.as_mut_ptr()) }, eik_status::Ok);
        // SAFETY: written on Ok.
        unsafe { c.assume_init() }
    }
}

impl Drop for Dec {
    fn drop(&mut self) {
        // SAFETY: made by eik_decoder_new, freed once.
        unsafe { eik_decoder_free(self.0) }
    }
}

fn sample_lines() -> Vec<&'static [u8]> {
    SAMPLE.split(|&b| b == b'\n').filter(|l| !l.is_empty()).collect()
}

fn base64(data: &[u8]) -> Vec<u8> {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    for (i, c) in data.chunks(3).enumerate() {
        if i > 0 && i % 19 == 0 {
            out.extend_from_slice(b"\r\n"); // MIME-style line breaks are skipped
        }
        let b = [c[0], *c.get(1).unwrap_or(&0), *c.get(2).unwrap_or(&0)];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for k in 0..4 {
            out.push(if k <= c.len() { A[(n >> (18 - 6 * k) & 63) as usize] } else { b'=' });
        }
    }
    out
}

fn layout(family: *const eik_family, index: u16) -> eik_layout {
    let mut l = MaybeUninit::<eik_layout>::uninit();
    // SAFETY: valid pointers.
    assert_eq!(unsafe { eik_family_layout(family, index.into(), l.as_mut_ptr()) }, eik_status::Ok);
    // SAFETY: written on Ok.
    unsafe { l.assume_init() }
}

fn check_sample(evs: &[Ev]) {
    let lines = sample_lines();
    assert_eq!(evs.len(), 27);
    let mut off = 0;
    for (i, e) in evs.iter().enumerate() {
        assert_eq!(e.event_type, RECORD);
        assert_eq!(e.bytes, lines[i], "record {i} bytes");
        assert_eq!((e.line, e.lb_nr, e.offset), (i as u64 + 1, Some(i as u32 + 1), off));
        off += lines[i].len() as u64 + 1;
        let want: u16 = std::str::from_utf8(&lines[i][7..11]).unwrap().parse().unwrap();
        assert_eq!(e.record_type, Some(want));
        let l = layout(ptr::null(), e.layout);
        assert_eq!((l.record_type, usize::from(l.length)), (want, e.bytes.len()));
    }
    let r = &evs[9];
    assert_eq!((&r.bytes[11..15], &r.bytes[15..31], r.bytes[31]), (&b"0013"[..], &b"0000032500000000"[..], b'+'));
}

#[test]
fn whole_sample_in_one_call() {
    let d = Dec::new(None);
    let mut out = vec![MaybeUninit::<eik_event>::uninit(); 64];
    let mut evs = Vec::new();
    let input = SAMPLE.to_vec();
    let b = d.decode(&input, &mut out, &mut evs);
    assert_eq!((b.n_events, b.consumed, b.done), (27, input.len(), 0));
    // Every whole line points into the input (zero copy).
    // SAFETY: the first 27 events were written by the call.
    let first = unsafe { out[0].assume_init_ref() };
    assert_eq!(first.bytes, input.as_ptr());
    assert_eq!(first.flags & EIK_EVENT_IN_SCRATCH, 0);
    let b = d.finish(&mut out, &mut evs);
    assert_eq!((b.n_events, b.done), (0, 1));
    check_sample(&evs);
    let c = d.counts();
    assert_eq!((c.lines, c.decoded, c.rejected, c.raw, c.warnings, c.errors), (27, 27, 0, 0, 0, 0));
    assert_eq!(c.by_type.iter().map(|t| t.decoded).sum::<u64>(), 27);
}

#[test]
fn chunks_and_small_arrays_give_the_same_events() {
    let whole = Dec::new(None).run(SAMPLE, SAMPLE.len(), 1024);
    check_sample(&whole);
    for (chunk, cap) in [(1, 16), (7, 16), (100, 17), (4096, 16)] {
        assert_eq!(Dec::new(None).run(SAMPLE, chunk, cap), whole, "chunk {chunk}, cap {cap}");
    }
}

#[test]
fn base64_input() {
    let opts = eik_options { base64: 1, ..eik_options::default() };
    let evs = Dec::new(Some(opts)).run(&base64(SAMPLE), 33, 16);
    check_sample(&evs);
}

/// The sample with line 11's Beloeb damaged.
fn damaged() -> Vec<u8> {
    let mut lines: Vec<Vec<u8>> = SAMPLE.split_inclusive(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
    lines[10][20] = b'X';
    lines.concat()
}

#[test]
fn findings_stand_in_input_order() {
    let evs = Dec::new(None).run(&damaged(), 50, 16);
    assert_eq!(evs.len(), 27);
    assert_eq!(evs[9].line, 10);
    let f = &evs[10];
    assert_eq!(
        (f.event_type, f.kind, f.line, f.lb_nr, f.record_type),
        (REJECTED, kind("not_digit"), 11, Some(11), Some(6001))
    );
    assert_eq!(f.field, Some((4, "Beloeb".into())));
    // The offset of the offending byte.
    assert_eq!(f.offset, sample_lines()[..10].iter().map(|l| l.len() as u64 + 1).sum::<u64>() + 20);
    assert_eq!(
        String::from_utf8(f.bytes.clone()).unwrap(),
        format!("line 11 (Lb_nr 11), record 6001, field 4 Beloeb, offset {}: non-digit in numeric field", f.offset)
    );
    assert_eq!((evs[11].event_type, evs[11].line), (RECORD, 12));
}

#[test]
fn stream_errors_and_finish_findings() {
    // Without its 9999: the end record is missing, reported by eik_finish.
    let cut = &SAMPLE[..SAMPLE.len() - sample_lines()[26].len() - 1];
    let evs = Dec::new(None).run(cut, 64, 16);
    let last = evs.last().unwrap();
    assert_eq!((last.event_type, last.kind, last.line), (ERROR, kind("missing_end_record"), 26));
    assert_eq!(evs.iter().filter(|e| e.event_type == RECORD).count(), 26);
    // A trailer count that disagrees: an error right after the 9999 record.
    let mut wrong = SAMPLE.to_vec();
    let at = wrong.len() - 3;
    wrong[at] = b'8';
    let evs = Dec::new(None).run(&wrong, wrong.len(), 16);
    let e = evs.last().unwrap();
    assert_eq!((e.event_type, e.kind, e.numbers), (ERROR, kind("control_count"), (27, 87)));
}

#[test]
fn strict_mode_stops_and_swallows_input() {
    let opts = eik_options { strict: 1, ..eik_options::default() };
    let d = Dec::new(Some(opts));
    let input = damaged();
    let mut out = vec![MaybeUninit::<eik_event>::uninit(); 64];
    let mut evs = Vec::new();
    let b = d.decode(&input, &mut out, &mut evs);
    assert_eq!((b.n_events, b.consumed, b.done), (11, input.len(), 1));
    assert_eq!((evs[10].event_type, evs[10].kind), (REJECTED, kind("not_digit")));
    let b = d.decode(b"more", &mut out, &mut evs);
    assert_eq!((b.n_events, b.consumed, b.done), (0, 4, 1));
    let mut stopped = false;
    // SAFETY: valid pointers.
    assert_eq!(unsafe { eik_decoder_stopped(d.0, &mut stopped) }, eik_status::Ok);
    assert!(stopped);
    assert_eq!(d.finish(&mut out, &mut evs).n_events, 0);

    // Whatever the array's size, the batch with the stopping event says
    // `done` (it said "full" when the event filled the array; found by the
    // ffi_calls fuzz target with a damaged first line and 20 places).
    let control_byte_in_line = |n: usize| {
        let mut data = SAMPLE.to_vec();
        let start: usize = SAMPLE.split_inclusive(|&b| b == b'\n').take(n - 1).map(<[u8]>::len).sum();
        data[start + 12] = 0x06;
        data
    };
    // Under Miri each size costs seconds (a whole decode), all 25 of them four
    // minutes: there the smallest, the fuzz finding's 20 and the largest.
    let caps: Vec<usize> = if cfg!(miri) { vec![EIK_MIN_EVENTS, 20, 40] } else { (EIK_MIN_EVENTS..=40).collect() };
    for data in [input.clone(), control_byte_in_line(1), control_byte_in_line(17), control_byte_in_line(20)] {
        for &cap in &caps {
            let d = Dec::new(Some(opts));
            let mut out = vec![MaybeUninit::<eik_event>::uninit(); cap];
            let (mut evs, mut fed) = (Vec::new(), 0);
            for call in 0.. {
                assert!(
                    call < 100,
                    "cap {cap}: no stop after {call} calls, {fed} of {} bytes, {} events",
                    data.len(),
                    evs.len()
                );
                let b = d.decode(&data[fed..], &mut out, &mut evs);
                fed += b.consumed;
                if evs.last().is_some_and(|e| e.event_type == REJECTED) {
                    assert_eq!((b.done, fed), (1, data.len()), "cap {cap}");
                    break;
                }
                assert_eq!(b.done, 0, "cap {cap}");
            }
        }
    }
}

#[test]
fn the_filter_runs_inside() {
    let json = br#"{"cprs": ["610190-1234"], "profile": "minimal"}"#;
    let key = b"0123456789abcdef";
    let opts = eik_options {
        filter_json: json.as_ptr(),
        filter_json_len: json.len(),
        pseudonym_key: key.as_ptr(),
        pseudonym_key_len: key.len(),
        ..eik_options::default()
    };
    let d = Dec::new(Some(opts));
    let evs = d.run(SAMPLE, 100, 16);
    let types: Vec<u16> = evs.iter().map(|e| e.record_type.unwrap()).collect();
    assert_eq!(types, [1000, 2001, 5000, 6000, 6001, 6001, 6001, 9999]);
    let person = &evs[3];
    assert_eq!(&person.bytes[19..29], b"          ", "CPR blank");
    let mut want = [0u8; 16];
    // SAFETY: valid buffers.
    assert_eq!(
        unsafe { eik_pseudonymise(key.as_ptr(), 16, b"6101901234".as_ptr(), 10, want.as_mut_ptr()) },
        eik_status::Ok
    );
    assert_eq!(person.pseudonym.as_deref(), Some(&want[..]));
    assert!(evs.iter().all(|e| e.record_type == Some(6000) || e.pseudonym.is_none()));
    let mut mask = 0u64;
    // SAFETY: valid pointers.
    assert_eq!(unsafe { eik_profile_fields(d.0, 6001, &mut mask) }, eik_status::Ok);
    assert_eq!(mask, 0b111110);
    // SAFETY: valid pointers.
    assert_eq!(unsafe { eik_profile_fields(d.0, 8001, &mut mask) }, eik_status::Ok);
    assert_eq!(mask, 0b110, "8001 only as a bare header");
    let mut fc = MaybeUninit::<eik_filter_counts>::uninit();
    // SAFETY: valid pointers.
    assert_eq!(unsafe { eik_decoder_filter_counts(d.0, fc.as_mut_ptr()) }, eik_status::Ok);
    // SAFETY: written on Ok.
    let fc = unsafe { fc.assume_init() };
    assert_eq!((fc.seen, fc.passed, fc.held), (27, 8, 0));
    let rest = fc.cpr + fc.se + fc.record_type + fc.felt + fc.period + fc.parent_dropped + fc.empty_header;
    assert_eq!(fc.seen, fc.passed + rest);
    // Without a filter: every field, and no filter counts.
    let plain = Dec::new(None);
    // SAFETY: valid pointers.
    assert_eq!(unsafe { eik_profile_fields(plain.0, 6001, &mut mask) }, eik_status::Ok);
    assert_eq!(mask, u64::MAX);
    let mut fc = MaybeUninit::<eik_filter_counts>::uninit();
    // SAFETY: valid pointers.
    assert_eq!(unsafe { eik_decoder_filter_counts(plain.0, fc.as_mut_ptr()) }, eik_status::NotFound);
}

#[test]
fn bad_filters_say_why_without_the_cpr() {
    let json = br#"{"cprs": ["6101901234", "61019O1234"]}"#;
    let opts = eik_options { filter_json: json.as_ptr(), filter_json_len: json.len(), ..eik_options::default() };
    let Err((s, msg)) = Dec::try_new(Some(opts)) else { panic!("accepted") };
    assert_eq!(s, eik_status::InvalidFilter);
    assert!(msg.contains("cprs[1] is not a CPR number") && !msg.contains("61019"), "{msg}");
    let key = b"short";
    let opts = eik_options { pseudonym_key: key.as_ptr(), pseudonym_key_len: 5, ..eik_options::default() };
    let Err((s, msg)) = Dec::try_new(Some(opts)) else { panic!("accepted") };
    assert_eq!((s, msg.as_str()), (eik_status::InvalidFilter, "pseudonym_key: a key needs at least 16 bytes"));
    // A CPR where another value belongs is echoed by the parser: masked (found by scripts/test.d/85-no-cpr.sh).
    for (json, want) in [
        (&br#"{"se_nrs": [6101901234]}"#[..], "filter: invalid value: integer `**********`, expected u32 at line 1 column 22"),
        (br#"{"period": "610190-1234..x"}"#, "filter: period \"**********..x\": expected FROM..TO (YYYY-MM-DD) or last:N[@YYYY-MM-DD] at line 1 column 28"),
    ] {
        let opts = eik_options { filter_json: json.as_ptr(), filter_json_len: json.len(), ..eik_options::default() };
        let Err((s, msg)) = Dec::try_new(Some(opts)) else { panic!("accepted") };
        assert_eq!((s, msg.as_str()), (eik_status::InvalidFilter, want));
    }
}

fn load(name: &str) -> *const eik_family {
    let json = std::fs::read(format!("{}/../testdata/families/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let mut f = ptr::null();
    let mut msg = [0u8; 100];
    // SAFETY: valid buffers.
    let s = unsafe { eik_family_load(json.as_ptr(), json.len(), &mut f, msg.as_mut_ptr(), msg.len()) };
    assert_eq!(s, eik_status::Ok);
    f
}

/// A record event in the `--raw` shape, by the family's field table: what a host does.
fn raw_json(family: *const eik_family, e: &Ev) -> String {
    let l = layout(family, e.layout);
    let mut s = format!("{{\"line\":{},\"record\":\"{}\",\"fields\":{{", e.line, text(l.key));
    for i in 0..l.n_fields {
        let mut f = MaybeUninit::<eik_field>::uninit();
        // SAFETY: valid pointers.
        assert_eq!(unsafe { eik_family_field(family, l.index, i, f.as_mut_ptr()) }, eik_status::Ok);
        // SAFETY: written on Ok.
        let f = unsafe { f.assume_init() };
        let v = &e.bytes[f.start as usize..(f.start + f.len) as usize];
        let v: String = v.iter().map(|&b| b as char).collect::<String>().trim_end_matches(' ').to_owned();
        s += &format!("{}\"{}\":{}", if i > 0 { "," } else { "" }, f.no, serde_json_string(&v));
    }
    s + "}}"
}

fn serde_json_string(v: &str) -> String {
    let mut out = String::from("\"");
    for c in v.chars() {
        match c {
            '"' => out += "\\\"",
            '\\' => out += "\\\\",
            c if (c as u32) < 0x20 => out += &format!("\\u{:04x}", c as u32),
            c => out.push(c),
        }
    }
    out + "\""
}

#[test]
fn loaded_families_decode_like_the_golden_files() {
    let golden =
        std::fs::read_to_string(format!("{}/../testdata/families/demo.raw.ndjson", env!("CARGO_MANIFEST_DIR")))
            .unwrap();
    for (fam, txt) in [("demo.json", "demo.txt"), ("demo-separated.json", "demo-separated.txt")] {
        let family = load(fam);
        assert_eq!(family, load(fam), "loaded once");
        let mut info = MaybeUninit::<eik_family_info>::uninit();
        // SAFETY: valid pointers.
        assert_eq!(unsafe { eik_family_describe(family, info.as_mut_ptr()) }, eik_status::Ok);
        // SAFETY: written on Ok.
        let info = unsafe { info.assume_init() };
        assert_eq!((info.n_records, info.has_line_numbers), (6, 0));
        let input = std::fs::read(format!("{}/../testdata/families/{txt}", env!("CARGO_MANIFEST_DIR"))).unwrap();
        let d = Dec::new(Some(eik_options { family, ..eik_options::default() }));
        let mut got = String::new();
        for e in d.run(&input, 11, 16) {
            assert_eq!((e.event_type, e.lb_nr), (RECORD, None), "{e:?}");
            got += &raw_json(family, &e);
            got.push('\n');
        }
        assert_eq!(got, golden, "{txt}");
        let mut from = ptr::null();
        // SAFETY: valid pointers.
        assert_eq!(unsafe { eik_decoder_family(d.0, &mut from) }, eik_status::Ok);
        assert_eq!(from, family);
    }
    let bad = br#"{"family": {"name": "x", "key": {"start": 1, "len": 3}}, "records": {}}"#;
    let (mut f, mut msg) = (ptr::null(), [0u8; 8]);
    // SAFETY: valid buffers.
    let s = unsafe { eik_family_load(bad.as_ptr(), bad.len(), &mut f, msg.as_mut_ptr(), msg.len()) };
    assert_eq!(
        (s, CStr::from_bytes_until_nul(&msg).unwrap().to_bytes()),
        (eik_status::InvalidFamily, &b"no \"rec"[..])
    );
    assert!(f.is_null());
}

#[test]
fn unknown_keys_pass_raw() {
    let family = load("demo.json");
    let demo = std::fs::read(format!("{}/../testdata/families/demo.txt", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let mut lines: Vec<&[u8]> = demo.split_inclusive(|&b| b == b'\n').collect();
    lines.insert(3, b"150ABCDEF\n");
    let input = lines.concat();
    let opts = eik_options { family, unknown: eik_unknown::Raw as u8, ..eik_options::default() };
    let d = Dec::new(Some(opts));
    let evs = d.run(&input, 5, 16);
    let raw: Vec<_> = evs.iter().filter(|e| e.event_type == RAW).collect();
    assert_eq!(raw.len(), 1);
    assert_eq!(
        (raw[0].line, &raw[0].bytes[..], &raw[0].key[..], raw[0].layout),
        (4, &b"150ABCDEF"[..], &b"150"[..], EIK_LAYOUT_NONE)
    );
    let w = evs.iter().find(|e| e.event_type == WARNING).unwrap();
    assert_eq!((w.kind, w.line), (kind("passed_raw"), 4));
    assert_eq!(d.counts().raw, 1);
}

#[test]
fn layouts_are_forced_and_encodings_chosen() {
    // TaxCardBuilder's 99-byte 6000: forced by the person layout or by index.
    let mut tcb = 0u32;
    // SAFETY: valid pointers.
    let s = unsafe { eik_family_find_layout(ptr::null(), 6000, b"TaxCardBuilder".as_ptr(), 14, &mut tcb) };
    assert_eq!(s, eik_status::Ok);
    assert_eq!(layout(ptr::null(), tcb as u16).length, 99);
    let by_name = eik_options { person_layout: eik_person_layout::TaxCardBuilder as u8, ..eik_options::default() };
    let mut by_index = eik_options::default();
    by_index.forced_layouts[0] = tcb as u16;
    for opts in [by_name, by_index] {
        // The sample's 95-byte 6000 lines read as TaxCardBuilder's (CPR at 24): rejected.
        let evs = Dec::new(Some(opts)).run(SAMPLE, SAMPLE.len(), 64);
        let bad: Vec<_> =
            evs.iter().filter(|e| e.event_type == REJECTED && e.kind == kind("not_digit")).map(|e| e.line).collect();
        assert_eq!(bad, [9, 21, 25]);
    }
    let mut bad = eik_options::default();
    bad.forced_layouts[1] = 999;
    assert_eq!(Dec::try_new(Some(bad)).err().map(|e| e.0), Some(eik_status::InvalidArgument));
    // UTF-8: transcoded (bytes in scratch, Latin-1 again), one warning per file.
    let utf8: Vec<u8> = SAMPLE.iter().flat_map(|&b| (b as char).to_string().into_bytes()).collect();
    assert_ne!(utf8.len(), SAMPLE.len());
    let evs = Dec::new(None).run(&utf8, 64, 16);
    let records: Vec<_> = evs.iter().filter(|e| e.event_type == RECORD).map(|e| e.bytes.clone()).collect();
    assert_eq!(records, sample_lines());
    let warnings: Vec<_> = evs.iter().filter(|e| e.event_type == WARNING).map(|e| e.kind).collect();
    assert_eq!(warnings, [kind("utf8_encoded")]);
    let latin1 = eik_options { encoding: eik_encoding::Latin1 as u8, ..eik_options::default() };
    let evs = Dec::new(Some(latin1)).run(&utf8, 64, 16);
    assert!(evs.iter().any(|e| e.event_type == REJECTED && e.kind == kind("utf8_encoded")));
}

#[test]
fn single_values_are_checked() {
    let check = |rec: u16, role: eik_role, no: u8, v: &[u8]| {
        let mut c = MaybeUninit::<eik_field_check>::uninit();
        // SAFETY: valid pointers.
        let s = unsafe { eik_check_field(ptr::null(), rec, role as u32, no, v.as_ptr(), v.len(), c.as_mut_ptr()) };
        // SAFETY: written on Ok.
        (s == eik_status::Ok).then(|| unsafe { c.assume_init() }).map(|c| (c.kind, c.severity, c.at, c.field_no))
    };
    assert_eq!(check(6000, eik_role::Cpr, 0, b"6101901234"), Some((0, 0, 0, 4)));
    assert_eq!(check(6000, eik_role::Cpr, 0, b"61019O1234"), Some((kind("not_digit"), 2, 5, 4)));
    assert_eq!(check(6000, eik_role::Cpr, 0, b"610190123"), Some((kind("wrong_length"), 2, 9, 4)));
    assert_eq!(check(2001, eik_role::Se, 0, b"12345678"), Some((0, 0, 0, 4)));
    // An identifying value that identifies nobody.
    assert_eq!(check(6000, eik_role::Cpr, 0, b"0000000000"), Some((kind("no_identity"), 2, 0, 4)));
    assert_eq!(check(2001, eik_role::None, 4, b"1234567A"), Some((kind("not_digit"), 2, 7, 4)));
    assert_eq!(check(2001, eik_role::Cpr, 0, b"6101901234"), None, "2001 has no CPR");
    assert_eq!(check(4242, eik_role::Cpr, 0, b"6101901234"), None);
}

#[test]
fn bad_calls_return_statuses() {
    let d = Dec::new(None);
    let mut out = vec![MaybeUninit::<eik_event>::uninit(); 16];
    let mut b = MaybeUninit::<eik_batch>::uninit();
    let ev = out.as_mut_ptr().cast::<eik_event>();
    // SAFETY: each call gets valid pointers except the one under test.
    unsafe {
        assert_eq!(eik_decode(ptr::null_mut(), SAMPLE.as_ptr(), 1, ev, 16, b.as_mut_ptr()), eik_status::NullPointer);
        assert_eq!(eik_decode(d.0, ptr::null(), 1, ev, 16, b.as_mut_ptr()), eik_status::NullPointer);
        assert_eq!(eik_decode(d.0, ptr::null(), 0, ev, 16, b.as_mut_ptr()), eik_status::Ok);
        assert_eq!(eik_decode(d.0, SAMPLE.as_ptr(), 1, ptr::null_mut(), 16, b.as_mut_ptr()), eik_status::NullPointer);
        assert_eq!(eik_decode(d.0, SAMPLE.as_ptr(), 1, ev, 16, ptr::null_mut()), eik_status::NullPointer);
        assert_eq!(
            eik_decode(d.0, SAMPLE.as_ptr(), 1, ev, EIK_MIN_EVENTS - 1, b.as_mut_ptr()),
            eik_status::BufferTooSmall
        );
        assert_eq!(eik_decode(d.0, SAMPLE.as_ptr(), usize::MAX, ev, 16, b.as_mut_ptr()), eik_status::InvalidArgument);
        assert_eq!(eik_decode(d.0, SAMPLE.as_ptr(), 1, ev, usize::MAX, b.as_mut_ptr()), eik_status::InvalidArgument);
        assert_eq!(eik_finish(d.0, ev, 16, b.as_mut_ptr()), eik_status::Ok);
        assert_eq!(eik_decode(d.0, SAMPLE.as_ptr(), 1, ev, 16, b.as_mut_ptr()), eik_status::Finished);
        assert_eq!(eik_options_default(ptr::null_mut()), eik_status::NullPointer);
        let bad = eik_options { amount_scale: 17, ..eik_options::default() };
        let mut h = ptr::null_mut();
        assert_eq!(eik_decoder_new(&bad, &mut h, ptr::null_mut(), 0), eik_status::InvalidArgument);
        assert!(h.is_null());
        assert_eq!(eik_decoder_new(ptr::null(), ptr::null_mut(), ptr::null_mut(), 0), eik_status::NullPointer);
        let nulljson = eik_options { filter_json_len: 3, ..eik_options::default() };
        assert_eq!(eik_decoder_new(&nulljson, &mut h, ptr::null_mut(), 0), eik_status::NullPointer);
        let mut c = MaybeUninit::<eik_counts>::uninit();
        assert_eq!(eik_decoder_counts(ptr::null(), c.as_mut_ptr()), eik_status::NullPointer);
        let mut l = MaybeUninit::<eik_layout>::uninit();
        assert_eq!(eik_family_layout(ptr::null(), 9999, l.as_mut_ptr()), eik_status::NotFound);
        let mut f = MaybeUninit::<eik_field>::uninit();
        assert_eq!(eik_family_field(ptr::null(), 0, 999, f.as_mut_ptr()), eik_status::NotFound);
        let mut fam = ptr::null();
        assert_eq!(eik_family_load(ptr::null(), 3, &mut fam, ptr::null_mut(), 0), eik_status::NullPointer);
        assert_eq!(eik_family_load(b"{".as_ptr(), 1, &mut fam, ptr::null_mut(), 0), eik_status::InvalidFamily);
        eik_decoder_free(ptr::null_mut());
    }
}

#[test]
fn panic_is_caught_and_poisons() {
    let d = Dec::new(None);
    // SAFETY: live handle.
    assert_eq!(unsafe { eik_test_force_panic(d.0) }, eik_status::Panic);
    let mut out = vec![MaybeUninit::<eik_event>::uninit(); 16];
    let mut b = MaybeUninit::<eik_batch>::uninit();
    // SAFETY: valid pointers.
    let s = unsafe { eik_decode(d.0, SAMPLE.as_ptr(), SAMPLE.len(), out.as_mut_ptr().cast(), 16, b.as_mut_ptr()) };
    assert_eq!(s, eik_status::Panic);
    let mut c = MaybeUninit::<eik_counts>::uninit();
    // SAFETY: valid pointers.
    assert_eq!(unsafe { eik_decoder_counts(d.0, c.as_mut_ptr()) }, eik_status::Panic);
    // SAFETY: NULL decoder is allowed for the hook.
    assert_eq!(unsafe { eik_test_force_panic(ptr::null_mut()) }, eik_status::Panic);
}

#[test]
fn statuses_and_version() {
    // SAFETY: static strings.
    let s = |c: u32| unsafe { CStr::from_ptr(eik_status_str(c)) }.to_str().unwrap().to_owned();
    assert_eq!(s(0), "ok");
    assert_eq!(s(5), "unknown status", "5 (findings full in 0.1) is retired");
    assert_eq!(s(8), "invalid filter");
    assert_eq!(s(999), "unknown status");
    for st in eik_status::ALL {
        assert_eq!(eik_status::from_u32(st as u32), Some(st));
        assert_ne!(s(st as u32), "unknown status");
    }
    // SAFETY: static string.
    assert_eq!(unsafe { CStr::from_ptr(eik_version()) }.to_str().unwrap(), env!("CARGO_PKG_VERSION"));
}

#[test]
fn kinds_come_from_the_core_table() {
    assert_eq!(eik_kind_count(), eindkomst_core::error::KINDS.len());
    let mut k = MaybeUninit::<eik_kind_info>::uninit();
    // SAFETY: valid pointers.
    assert_eq!(unsafe { eik_kind_get(kind("not_digit"), k.as_mut_ptr()) }, eik_status::Ok);
    // SAFETY: written on Ok.
    let k = unsafe { k.assume_init() };
    assert_eq!(
        (text(k.code), text(k.name), k.severity),
        ("not_digit".into(), "NotDigit".into(), eik_severity::Error as u8)
    );
    for (i, info) in eindkomst_core::error::KINDS.iter().enumerate() {
        let mut k = MaybeUninit::<eik_kind_info>::uninit();
        // SAFETY: valid pointers.
        assert_eq!(unsafe { eik_kind_at(i, k.as_mut_ptr()) }, eik_status::Ok);
        // SAFETY: written on Ok.
        assert_eq!(unsafe { k.assume_init() }.number, info.number);
    }
    let mut none = MaybeUninit::<eik_kind_info>::uninit();
    // SAFETY: valid pointer.
    assert_eq!(unsafe { eik_kind_get(0, none.as_mut_ptr()) }, eik_status::NotFound);
}

#[test]
fn layout_tables() {
    let mut info = MaybeUninit::<eik_family_info>::uninit();
    // SAFETY: valid pointers.
    assert_eq!(unsafe { eik_family_describe(eik_family_employer(), info.as_mut_ptr()) }, eik_status::Ok);
    // SAFETY: written on Ok.
    let info = unsafe { info.assume_init() };
    let fam = &eindkomst_core::EMPLOYER;
    assert_eq!(
        (text(info.name), info.n_records as usize, info.n_layouts as usize),
        ("employer".into(), fam.records.len(), fam.layouts().count())
    );
    for (i, l) in fam.layouts().enumerate() {
        let got = layout(ptr::null(), i as u16);
        assert_eq!(
            (got.record_type, got.length, text(got.variant), text(got.key)),
            (l.rec_nr, l.length, l.variant.into(), l.key.into())
        );
        for (j, f) in l.fields.iter().enumerate() {
            let mut out = MaybeUninit::<eik_field>::uninit();
            // SAFETY: valid pointers.
            assert_eq!(unsafe { eik_family_field(ptr::null(), i as u32, j as u32, out.as_mut_ptr()) }, eik_status::Ok);
            // SAFETY: written on Ok.
            let out = unsafe { out.assume_init() };
            assert_eq!(
                (out.no, out.start, out.len, text(out.name), out.role as usize),
                (f.no, f.start, f.len, f.name.into(), f.role.index())
            );
            assert_eq!(out.personal != 0, f.personal);
        }
    }
}
