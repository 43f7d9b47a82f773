//! The C ABI exercised from Rust, through the same `extern "C"` functions a C
//! host calls: batches, chunking, Base64, findings, statuses, the panic path.

use std::ffi::CStr;
use std::ptr;

use eindkomst::*;
use eindkomst_core::testing::SAMPLE;

/// A record copied out of its view.
#[derive(Debug, Clone, PartialEq)]
struct Rec {
    bytes: Vec<u8>,
    line: u64,
    offset: u64,
    seq: u64,
    lb_nr: u32,
    record_type: u16,
    layout_index: u16,
    source: eik_source,
}

/// A finding with its strings read.
#[derive(Debug, Clone, PartialEq)]
struct Finding {
    seq: u64,
    finding: eik_finding,
    kind: eik_error_kind,
    code: String,
    line: u64,
    lb_nr: Option<u32>,
    record: Option<u16>,
    field: Option<(u8, String)>,
    offset: u64,
    expected: u32,
    found: u32,
}

fn cstr(p: *const std::ffi::c_char) -> String {
    assert!(!p.is_null());
    // SAFETY: the library returns static NUL-terminated strings.
    unsafe { CStr::from_ptr(p) }.to_str().unwrap().to_owned()
}

fn rec(r: &eik_record) -> Rec {
    assert_eq!(r.reserved, 0);
    Rec {
        // SAFETY: a view returned by the last call, valid until the next one.
        bytes: unsafe { std::slice::from_raw_parts(r.bytes, r.len) }.to_vec(),
        line: r.line,
        offset: r.offset,
        seq: r.seq,
        lb_nr: r.lb_nr,
        record_type: r.record_type,
        layout_index: r.layout_index,
        source: r.source,
    }
}

fn finding(e: &eik_error) -> Finding {
    Finding {
        seq: e.seq,
        finding: e.finding,
        kind: e.kind,
        code: cstr(e.code),
        line: e.line,
        lb_nr: (e.has_lb_nr != 0).then_some(e.lb_nr),
        record: (e.has_record != 0).then_some(e.record),
        field: (e.has_field != 0).then(|| (e.field_no, cstr(e.field_name))),
        offset: e.offset,
        expected: e.expected,
        found: e.found,
    }
}

struct Dec(*mut eik_decoder);

impl Dec {
    fn new(opts: Option<eik_options>) -> Dec {
        let mut d = ptr::null_mut();
        let o = opts.as_ref().map_or(ptr::null(), |o| o as *const _);
        // SAFETY: valid pointers.
        assert_eq!(unsafe { eik_decoder_new(o, &mut d) }, eik_status::Ok);
        assert!(!d.is_null());
        Dec(d)
    }

    fn take(&self, out: &mut Vec<Finding>) {
        let mut buf = [std::mem::MaybeUninit::<eik_error>::uninit(); 5];
        loop {
            let mut n = usize::MAX;
            // SAFETY: live handle, buffer of 5.
            let s = unsafe { eik_take_findings(self.0, buf.as_mut_ptr().cast(), 5, &mut n) };
            assert_eq!(s, eik_status::Ok);
            assert!(n <= 5);
            for e in &buf[..n] {
                // SAFETY: the first n were written.
                out.push(finding(unsafe { e.assume_init_ref() }));
            }
            if n == 0 {
                break;
            }
        }
    }

    /// Feeds `data` in chunks of `chunk` bytes, `cap` records per call, then
    /// finishes. Views are copied right after each call.
    fn run(&self, data: &[u8], chunk: usize, cap: usize) -> (Vec<Rec>, Vec<Finding>) {
        let mut recs = Vec::new();
        let mut finds = Vec::new();
        let mut out = vec![std::mem::MaybeUninit::<eik_record>::uninit(); cap];
        for piece in data.chunks(chunk) {
            // A fresh heap copy per chunk, freed after use: a view that
            // outlived its call would be caught by valgrind/ASan/Miri.
            let piece = piece.to_vec();
            let mut off = 0;
            loop {
                let (mut n, mut used) = (usize::MAX, usize::MAX);
                // SAFETY: valid buffers with their lengths.
                let s = unsafe {
                    eik_decode(
                        self.0,
                        piece[off..].as_ptr(),
                        piece.len() - off,
                        out.as_mut_ptr().cast(),
                        cap,
                        &mut n,
                        &mut used,
                    )
                };
                assert_eq!(s, eik_status::Ok);
                assert!(n <= cap && used <= piece.len() - off);
                for r in &out[..n] {
                    // SAFETY: the first n were written.
                    recs.push(rec(unsafe { r.assume_init_ref() }));
                }
                self.take(&mut finds);
                off += used;
                // The plain loop a host writes: on to the next chunk once
                // this one is consumed, even if the batch was full.
                if off == piece.len() {
                    break;
                }
            }
        }
        loop {
            let (mut n, mut done) = (usize::MAX, false);
            // SAFETY: valid buffers.
            let s = unsafe { eik_finish(self.0, out.as_mut_ptr().cast(), cap, &mut n, &mut done) };
            assert_eq!(s, eik_status::Ok);
            for r in &out[..n] {
                // SAFETY: the first n were written.
                recs.push(rec(unsafe { r.assume_init_ref() }));
            }
            self.take(&mut finds);
            if done {
                break;
            }
        }
        (recs, finds)
    }

    fn counts(&self) -> eik_counts {
        let mut c = std::mem::MaybeUninit::<eik_counts>::uninit();
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

fn line_offsets() -> Vec<u64> {
    let mut off = 0;
    sample_lines()
        .iter()
        .map(|l| {
            let o = off;
            off += l.len() as u64 + 1;
            o
        })
        .collect()
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
            if k <= c.len() {
                out.push(A[(n >> (18 - 6 * k) & 63) as usize]);
            } else {
                out.push(b'=');
            }
        }
    }
    out
}

fn check_sample(recs: &[Rec], finds: &[Finding]) {
    let lines = sample_lines();
    let offs = line_offsets();
    assert_eq!(finds, &[], "the sample has no findings");
    assert_eq!(recs.len(), 27);
    for (i, r) in recs.iter().enumerate() {
        assert_eq!(r.bytes, lines[i], "record {i} bytes");
        assert_eq!(r.line, i as u64 + 1);
        assert_eq!(r.lb_nr, i as u32 + 1);
        assert_eq!(r.offset, offs[i]);
        assert_eq!(r.seq, i as u64);
        let want: u16 = std::str::from_utf8(&lines[i][7..11]).unwrap().parse().unwrap();
        assert_eq!(r.record_type, want);
        let mut l = std::mem::MaybeUninit::<eik_layout>::uninit();
        // SAFETY: valid pointer.
        let s = unsafe { eik_layout_at(r.layout_index.into(), l.as_mut_ptr()) };
        assert_eq!(s, eik_status::Ok, "layout of record {i}");
        // SAFETY: written on Ok.
        let l = unsafe { l.assume_init() };
        assert_eq!(l.record_type, r.record_type);
        assert_eq!(usize::from(l.length), r.bytes.len());
    }
    let r = &recs[9];
    assert_eq!(r.record_type, 6001);
    assert_eq!(&r.bytes[11..15], b"0013");
    assert_eq!(&r.bytes[15..31], b"0000032500000000");
    assert_eq!(r.bytes[31], b'+');
}

fn check_counts(c: &eik_counts, lines: u64, decoded: u64, rejected: u64) {
    assert_eq!((c.lines, c.decoded, c.rejected), (lines, decoded, rejected));
    let typed: u64 = c.by_type.iter().map(|t| t.decoded + t.rejected).sum();
    assert_eq!(typed + c.rejected_untyped, c.lines);
}

#[test]
fn whole_sample_in_one_call() {
    let d = Dec::new(None);
    let (recs, finds) = d.run(SAMPLE, SAMPLE.len(), 256);
    check_sample(&recs, &finds);
    assert!(recs.iter().all(|r| r.source == eik_source::Input));
    let c = d.counts();
    check_counts(&c, 27, 27, 0);
    assert_eq!((c.warnings, c.errors, c.bytes), (0, 0, SAMPLE.len() as u64));
    let t6001 = c.by_type.iter().find(|t| t.record_type == 6001).unwrap();
    assert_eq!((t6001.decoded, t6001.rejected), (7, 0));
}

#[test]
fn chunks_and_small_batches() {
    for chunk in [1, 2, 7, 31, 143, 4096] {
        for cap in [1, 2, 5, 256] {
            let d = Dec::new(None);
            let (recs, finds) = d.run(SAMPLE, chunk, cap);
            check_sample(&recs, &finds);
            check_counts(&d.counts(), 27, 27, 0);
            if chunk == 1 {
                assert!(recs.iter().all(|r| r.source == eik_source::Scratch));
            }
            if chunk == 4096 {
                assert!(recs.iter().all(|r| r.source == eik_source::Input));
            }
        }
    }
}

#[test]
fn base64_input() {
    let text = base64(SAMPLE);
    for chunk in [1, 7, 4096] {
        let o = eik_options { base64: 1, ..Default::default() };
        let d = Dec::new(Some(o));
        let (recs, finds) = d.run(&text, chunk, 10);
        check_sample(&recs, &finds);
        assert!(recs.iter().all(|r| r.source == eik_source::Scratch));
        check_counts(&d.counts(), 27, 27, 0);
    }
}

#[test]
fn damaged_copy_reports_exact_position() {
    let mut data = SAMPLE.to_vec();
    // Line 10 (offset 711) is a 6001; Beloeb (field 4) spans bytes 15..31.
    assert_eq!(line_offsets()[9], 711);
    data[711 + 20] = b'X';
    for chunk in [1, 7, 4096] {
        let d = Dec::new(None);
        let (recs, finds) = d.run(&data, chunk, 4);
        assert_eq!(recs.len(), 26);
        assert!(recs.iter().all(|r| r.line != 10));
        assert_eq!(
            finds,
            vec![Finding {
                seq: 9,
                finding: eik_finding::Rejected,
                kind: eik_error_kind::NotDigit,
                code: "not_digit".into(),
                line: 10,
                lb_nr: Some(10),
                record: Some(6001),
                field: Some((4, "Beloeb".into())),
                offset: 711 + 20,
                expected: 0,
                found: 0,
            }]
        );
        // Records after the rejected line continue the shared sequence.
        assert_eq!(recs[9].seq, 10);
        assert_eq!(recs[9].line, 11);
        check_counts(&d.counts(), 27, 26, 1);
    }
}

#[test]
fn stream_errors_and_finish_findings() {
    // Drop the 9999 and break the Lb_nr sequence by removing line 5.
    let lines = sample_lines();
    let mut data = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        if i == 4 || i == 26 {
            continue;
        }
        data.extend_from_slice(l);
        data.push(b'\n');
    }
    // Last line without terminator: returned by eik_finish from scratch.
    data.pop();
    let d = Dec::new(None);
    let (recs, finds) = d.run(&data, 4096, 256);
    assert_eq!(recs.len(), 25);
    let last = recs.last().unwrap();
    assert_eq!((last.line, last.lb_nr, last.source), (25, 26, eik_source::Scratch));
    let kinds: Vec<_> = finds.iter().map(|f| (f.kind, f.finding, f.line)).collect();
    assert_eq!(
        kinds,
        vec![
            (eik_error_kind::LbNrGap, eik_finding::Error, 5),
            (eik_error_kind::MissingEndRecord, eik_finding::Error, 25),
        ]
    );
    assert_eq!((finds[0].expected, finds[0].found), (5, 6));
    assert_eq!(finds[0].code, "lb_nr_gap");
    assert_eq!(finds[1].code, "missing_end_record");
    // seq orders records and findings together.
    assert_eq!(finds[0].seq, 5);
    assert_eq!(recs[4].seq, 4);
    assert_eq!(recs[5].seq, 6);
    assert_eq!(finds[1].seq, 26);
    let c = d.counts();
    check_counts(&c, 25, 25, 0);
    assert_eq!(c.errors, 2);
}

#[test]
fn strict_mode_stops_and_swallows_input() {
    let mut data = SAMPLE.to_vec();
    data[711 + 20] = b'X';
    let o = eik_options { strict: 1, ..Default::default() };
    let d = Dec::new(Some(o));
    let mut out = vec![std::mem::MaybeUninit::<eik_record>::uninit(); 64];
    let (mut n, mut used) = (0, 0);
    // SAFETY: valid buffers.
    let s = unsafe { eik_decode(d.0, data.as_ptr(), data.len(), out.as_mut_ptr().cast(), 64, &mut n, &mut used) };
    assert_eq!(s, eik_status::Ok);
    assert_eq!((n, used), (9, data.len()));
    let mut stopped = false;
    // SAFETY: valid pointers.
    assert_eq!(unsafe { eik_decoder_stopped(d.0, &mut stopped) }, eik_status::Ok);
    assert!(stopped);
    let mut f = Vec::new();
    d.take(&mut f);
    assert_eq!(f.len(), 1);
    assert_eq!((f[0].kind, f[0].line), (eik_error_kind::NotDigit, 10));
    // Later input is swallowed without records.
    // SAFETY: valid buffers.
    let s = unsafe { eik_decode(d.0, SAMPLE.as_ptr(), 10, out.as_mut_ptr().cast(), 64, &mut n, &mut used) };
    assert_eq!((s, n, used), (eik_status::Ok, 0, 10));
}

#[test]
fn findings_are_bounded() {
    // 1000 + 2000 lines of garbage: each rejected (unknown record type).
    let mut data = sample_lines()[0].to_vec();
    data.push(b'\n');
    for i in 2..=2001u32 {
        data.extend_from_slice(format!("{i:07}7777xx\n").as_bytes());
    }
    let d = Dec::new(None);
    let mut out = vec![std::mem::MaybeUninit::<eik_record>::uninit(); 8];
    let o = out.as_mut_ptr().cast::<eik_record>();
    let (mut n, mut used) = (0, 0);
    // SAFETY: valid buffers.
    let call = |n: &mut usize, used: &mut usize, off: usize| unsafe {
        eik_decode(d.0, data[off..].as_ptr(), data.len() - off, o, 8, n, used)
    };
    assert_eq!(call(&mut n, &mut used, 0), eik_status::Ok);
    assert_eq!(n, 1);
    assert!(used < data.len());
    let mut pending = 0;
    // SAFETY: valid pointers.
    assert_eq!(unsafe { eik_pending_findings(d.0, &mut pending) }, eik_status::Ok);
    assert_eq!(pending, EIK_MAX_PENDING_FINDINGS);
    let off = used;
    let (mut n2, mut used2) = (77, 77);
    assert_eq!(call(&mut n2, &mut used2, off), eik_status::FindingsFull);
    assert_eq!((n2, used2), (77, 77), "out-parameters untouched on error");
    let mut f = Vec::new();
    d.take(&mut f);
    assert_eq!(f.len(), EIK_MAX_PENDING_FINDINGS);
    assert!(f.iter().all(|x| x.kind == eik_error_kind::UnknownRecordType));
    assert_eq!(f[0].line, 2);
    assert_eq!(f[1023].line, 1025);
    assert_eq!(call(&mut n2, &mut used2, off), eik_status::Ok);
    assert_eq!(off + used2, data.len());
    d.take(&mut f);
    assert_eq!(f.len(), 2000);
    assert_eq!(d.counts().rejected, 2000);
}

#[test]
fn bad_calls_return_statuses() {
    let d = Dec::new(None);
    let mut out = [std::mem::MaybeUninit::<eik_record>::uninit(); 4];
    let o = out.as_mut_ptr().cast::<eik_record>();
    let (mut n, mut used) = (99, 99);
    // SAFETY (all calls below): each pointer is valid or deliberately NULL.
    unsafe {
        assert_eq!(eik_decoder_new(ptr::null(), ptr::null_mut()), eik_status::NullPointer);
        let mut bad = eik_options { amount_scale: 17, ..Default::default() };
        let mut h = ptr::null_mut();
        assert_eq!(eik_decoder_new(&bad, &mut h), eik_status::InvalidArgument);
        assert!(h.is_null());
        bad.amount_scale = 16;
        bad.person_layout = 0xDEAD_BEEF; // unknown enum value: falls back to auto
        assert_eq!(eik_decoder_new(&bad, &mut h), eik_status::Ok);
        eik_decoder_free(h);
        eik_decoder_free(ptr::null_mut());
        assert_eq!(eik_options_default(ptr::null_mut()), eik_status::NullPointer);

        let s = eik_decode(ptr::null_mut(), SAMPLE.as_ptr(), 1, o, 4, &mut n, &mut used);
        assert_eq!(s, eik_status::NullPointer);
        let s = eik_decode(d.0, ptr::null(), 1, o, 4, &mut n, &mut used);
        assert_eq!(s, eik_status::NullPointer);
        let s = eik_decode(d.0, SAMPLE.as_ptr(), 1, ptr::null_mut(), 4, &mut n, &mut used);
        assert_eq!(s, eik_status::NullPointer);
        let s = eik_decode(d.0, SAMPLE.as_ptr(), 1, o, 4, ptr::null_mut(), &mut used);
        assert_eq!(s, eik_status::NullPointer);
        let s = eik_decode(d.0, SAMPLE.as_ptr(), 1, o, 4, &mut n, ptr::null_mut());
        assert_eq!(s, eik_status::NullPointer);
        let s = eik_decode(d.0, SAMPLE.as_ptr(), 1, o, 0, &mut n, &mut used);
        assert_eq!(s, eik_status::BufferTooSmall);
        let s = eik_decode(d.0, SAMPLE.as_ptr(), usize::MAX, o, 4, &mut n, &mut used);
        assert_eq!(s, eik_status::InvalidArgument);
        assert_eq!((n, used), (99, 99), "out-parameters untouched on error");
        // Zero-length input, with or without a pointer: nothing happens.
        let s = eik_decode(d.0, ptr::null(), 0, o, 4, &mut n, &mut used);
        assert_eq!((s, n, used), (eik_status::Ok, 0, 0));
        let s = eik_decode(d.0, SAMPLE.as_ptr(), 0, o, 4, &mut n, &mut used);
        assert_eq!((s, n, used), (eik_status::Ok, 0, 0));

        let mut e = [std::mem::MaybeUninit::<eik_error>::uninit(); 2];
        let ep = e.as_mut_ptr().cast::<eik_error>();
        assert_eq!(eik_take_findings(d.0, ep, 0, &mut n), eik_status::BufferTooSmall);
        assert_eq!(eik_take_findings(d.0, ptr::null_mut(), 2, &mut n), eik_status::NullPointer);
        assert_eq!(eik_take_findings(ptr::null_mut(), ep, 2, &mut n), eik_status::NullPointer);
        assert_eq!(eik_pending_findings(ptr::null(), &mut n), eik_status::NullPointer);
        assert_eq!(eik_decoder_counts(d.0, ptr::null_mut()), eik_status::NullPointer);
        assert_eq!(eik_decoder_counts(ptr::null(), ptr::null_mut()), eik_status::NullPointer);
        let mut done = false;
        assert_eq!(eik_finish(d.0, o, 0, &mut n, &mut done), eik_status::BufferTooSmall);
        assert_eq!(eik_finish(d.0, o, 4, &mut n, ptr::null_mut()), eik_status::NullPointer);

        // Finish an empty stream: one EmptyInput error, then done.
        assert_eq!(eik_finish(d.0, o, 4, &mut n, &mut done), eik_status::Ok);
        assert_eq!((n, done), (0, true));
        let mut f = Vec::new();
        d.take(&mut f);
        assert_eq!(f.len(), 1);
        assert_eq!((f[0].kind, f[0].finding), (eik_error_kind::EmptyInput, eik_finding::Error));
        // Feeding after finish.
        let s = eik_decode(d.0, SAMPLE.as_ptr(), 10, o, 4, &mut n, &mut used);
        assert_eq!(s, eik_status::Finished);
        let s = eik_decode(d.0, ptr::null(), 0, o, 4, &mut n, &mut used);
        assert_eq!(s, eik_status::Finished);
        // Finishing again is harmless.
        done = false;
        assert_eq!(eik_finish(d.0, o, 4, &mut n, &mut done), eik_status::Ok);
        assert_eq!((n, done), (0, true));
    }
}

#[test]
fn panic_is_caught_and_poisons() {
    let d = Dec::new(None);
    let mut out = [std::mem::MaybeUninit::<eik_record>::uninit(); 4];
    let o = out.as_mut_ptr().cast::<eik_record>();
    let (mut n, mut used) = (0, 0);
    // SAFETY: valid pointers (or NULL where allowed).
    unsafe {
        assert_eq!(eik_test_force_panic(ptr::null_mut()), eik_status::Panic);
        assert_eq!(eik_test_force_panic(d.0), eik_status::Panic);
        let s = eik_decode(d.0, SAMPLE.as_ptr(), 10, o, 4, &mut n, &mut used);
        assert_eq!(s, eik_status::Panic);
        let mut c = std::mem::MaybeUninit::uninit();
        assert_eq!(eik_decoder_counts(d.0, c.as_mut_ptr()), eik_status::Panic);
        let mut done = false;
        assert_eq!(eik_finish(d.0, o, 4, &mut n, &mut done), eik_status::Panic);
    }
    // A fresh decoder is unaffected.
    let d2 = Dec::new(None);
    let (recs, finds) = d2.run(SAMPLE, 100, 8);
    check_sample(&recs, &finds);
}

#[test]
fn statuses_and_version() {
    assert_eq!(cstr(eik_version()), env!("CARGO_PKG_VERSION"));
    assert_eq!(cstr(eik_status_str(0)), "ok");
    assert_eq!(cstr(eik_status_str(eik_status::Panic as u32)), "internal panic caught; decoder poisoned");
    assert_eq!(cstr(eik_status_str(12345)), "unknown status");
    for code in 0..8 {
        assert!(eik_status::from_u32(code).is_some());
        assert_ne!(cstr(eik_status_str(code)), "unknown status");
    }
    assert_eq!(cstr(eik_error_kind_code(eik_error_kind::NotDigit as u32)), "not_digit");
    assert_eq!(cstr(eik_error_kind_code(9999)), "unknown");
    assert_eq!(cstr(eik_error_kind_message(eik_error_kind::SubOrePrecision as u32)), "amount has digits below 1 øre");
}

#[test]
fn layout_tables() {
    let n = eik_layout_count();
    assert_eq!(n, 20, "18 record types + 2 variants of 6000");
    let mut l = std::mem::MaybeUninit::<eik_layout>::uninit();
    // SAFETY: valid pointers.
    unsafe {
        assert_eq!(eik_layout_get(6001, l.as_mut_ptr()), eik_status::Ok);
        let l6001 = l.assume_init();
        assert_eq!((l6001.record_type, l6001.length, l6001.n_fields), (6001, 32, 5));
        assert_eq!(cstr(l6001.variant), "");
        let mut f = std::mem::MaybeUninit::<eik_field>::uninit();
        let idx = l6001.index as usize;
        assert_eq!(eik_layout_field(idx, 2, f.as_mut_ptr()), eik_status::Ok);
        let f2 = f.assume_init();
        assert_eq!(cstr(f2.name), "Feltnummer");
        assert_eq!((f2.no, f2.start, f2.len), (3, 11, 4));
        assert_eq!(eik_layout_field(idx, 3, f.as_mut_ptr()), eik_status::Ok);
        let f3 = f.assume_init();
        assert_eq!(cstr(f3.name), "Beloeb");
        assert_eq!((f3.no, f3.start, f3.len), (4, 15, 16));
        assert_eq!((f3.field_type, f3.format), (eik_field_type::Numeric, eik_field_format::Amount));
        assert_eq!(eik_layout_field(idx, 5, f.as_mut_ptr()), eik_status::NotFound);
        assert_eq!(eik_layout_get(1234, l.as_mut_ptr()), eik_status::NotFound);
        assert_eq!(eik_layout_at(n, l.as_mut_ptr()), eik_status::NotFound);
        assert_eq!(eik_layout_at(0, ptr::null_mut()), eik_status::NullPointer);
        // Every field of every layout: contiguous, covering the line; CPR marked.
        let mut personal = 0;
        for i in 0..n {
            assert_eq!(eik_layout_at(i, l.as_mut_ptr()), eik_status::Ok);
            let li = l.assume_init();
            assert_eq!(li.index as usize, i);
            let mut pos = 0;
            for k in 0..li.n_fields as usize {
                assert_eq!(eik_layout_field(i, k, f.as_mut_ptr()), eik_status::Ok);
                let fk = f.assume_init();
                assert_eq!(fk.start, pos, "layout {i} field {k}");
                assert!(!cstr(fk.name).is_empty());
                pos += fk.len;
                personal += usize::from(fk.personal);
            }
            assert_eq!(pos, li.length);
        }
        assert!(personal >= 3, "2101, 4101 and 6000 hold a CPR number");
    }
}
