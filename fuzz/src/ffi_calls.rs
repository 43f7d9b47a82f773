//! `ffi_calls`: the C ABI (`eik_*`) driven by arbitrary call sequences.
//!
//! Input: `[opts, scale, n, (op, a, b) × n, data...]`.
//!
//! * `opts`: bit 0 strict, bit 1 Base64, bit 2 unknown codes reject, bit 3
//!   pass NULL options (the defaults), bits 4-5 `person_layout` (3 is not a
//!   defined value: it must fall back to auto).
//! * `scale`: `amount_scale` as given; above 16 `eik_decoder_new` must return
//!   `EIK_STATUS_INVALID_ARGUMENT` and leave `*out` alone, then the run goes
//!   on with `scale % 17`.
//! * each `(op, a, b)` is one call, `op % 15` picks it (see [`Op::parse`]):
//!   `eik_decode` of the next chunk with a chosen output capacity (including
//!   0 and 1), `eik_take_findings`, `eik_finish`, counts, stopped, pending,
//!   layout lookups with arbitrary indexes, NULL pointers, oversized
//!   capacities and the static string functions.
//!
//! After the sequence the rest of the data is decoded and the stream
//! finished. Checked on the way: every status against what the header
//! promises; `*consumed <= len`; out-parameters untouched unless the status is
//! OK; every record's bytes lie inside the caller's input (`EIK_SOURCE_INPUT`)
//! or are a scratch copy, have the layout's length and (plain mode) equal the
//! stream at the record's offset; `seq` numbers records and findings
//! 0, 1, 2, ... without gaps; counts balance after every call. At the end the
//! records, findings (in `seq` order) and counts equal a plain core run
//! ([`run_whole`]) over the bytes the decoder consumed.
#![allow(unsafe_code)]

use crate::harness::{run_whole, short, Bytes, Ev};
use crate::targets::b64_prefix;
use arbitrary::{Arbitrary, Result, Unstructured};
use eindkomst::{
    eik_counts, eik_decode, eik_decoder, eik_decoder_counts, eik_decoder_free, eik_decoder_new, eik_decoder_stopped,
    eik_error, eik_error_kind_code, eik_error_kind_message, eik_field, eik_finish, eik_layout, eik_layout_at,
    eik_layout_count, eik_layout_field, eik_layout_get, eik_options, eik_options_default, eik_pending_findings,
    eik_record, eik_source, eik_status, eik_status_str, eik_take_findings, EIK_MAX_PENDING_FINDINGS,
};
use eindkomst_core::layout::{RecordLayout, BUILTIN};
use eindkomst_core::{Counts, Options, PersonLayout};
use std::ffi::{c_char, CStr};
use std::mem::MaybeUninit;
use std::ptr::{null, null_mut};

/// Output capacities for `eik_decode`/`eik_finish` (index: 4 bits).
const CAPS: [usize; 16] = [0, 1, 2, 3, 4, 5, 7, 8, 16, 31, 64, 100, 255, 256, 1024, 4096];

/// One call of the sequence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// `eik_decode` of the next `len` bytes (fewer at the end) into `cap`
    /// records; with `len == 0` and `null_input`, `input` is NULL.
    Decode {
        /// Chunk length.
        len: usize,
        /// Output capacity.
        cap: usize,
        /// Pass NULL as `input` when `len == 0`.
        null_input: bool,
    },
    /// `eik_take_findings` into `cap` errors.
    Take {
        /// Output capacity.
        cap: usize,
    },
    /// `eik_finish` into `cap` records.
    Finish {
        /// Output capacity.
        cap: usize,
    },
    /// `eik_decoder_counts`.
    Counts,
    /// `eik_decoder_stopped`.
    Stopped,
    /// `eik_pending_findings`.
    Pending,
    /// `eik_layout_at(index)`.
    LayoutAt(usize),
    /// `eik_layout_get(record_type)`.
    LayoutGet(u16),
    /// `eik_layout_field(layout, field)`.
    LayoutField(usize, usize),
    /// A call with one NULL pointer (which one: the number).
    Null(u8),
    /// A call with a capacity too large to be a buffer (which one: the number).
    Huge(u8),
    /// The static string functions with an arbitrary number.
    Strings(u32),
}

impl Op {
    /// The call that the three bytes `(op, a, b)` stand for.
    pub fn parse(op: u8, a: u8, b: u8) -> Op {
        let ab = a as usize | (b as usize) << 8;
        match op % 15 {
            // Decode is the common case: chunk length up to 4095.
            0..=3 => Op::Decode {
                len: a as usize | ((b as usize & 0xF0) << 4),
                cap: CAPS[b as usize & 15],
                null_input: op & 0x80 != 0,
            },
            4 => Op::Take { cap: [0, 1, 2, 3, 5, 8, 64, 2048][a as usize % 8] },
            5 => Op::Finish { cap: CAPS[b as usize & 15] },
            6 => Op::Counts,
            7 => Op::Stopped,
            8 => Op::Pending,
            9 => Op::LayoutAt(ab),
            10 => Op::LayoutGet(ab as u16),
            11 => Op::LayoutField(a as usize, b as usize),
            12 => Op::Null(a),
            13 => Op::Huge(a),
            _ => Op::Strings(ab as u32 | (a as u32) << 24),
        }
    }
}

/// Input of `ffi_calls` (format: see the module documentation).
pub struct FfiInput {
    /// Option bits.
    pub opts: u8,
    /// `amount_scale` as passed.
    pub scale: u8,
    /// The calls.
    pub ops: Vec<Op>,
    /// The stream.
    pub data: Vec<u8>,
}

impl std::fmt::Debug for FfiInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FfiInput")
            .field("opts", &self.opts)
            .field("scale", &self.scale)
            .field("ops", &self.ops)
            .field("data", &Bytes(&self.data))
            .finish()
    }
}

impl<'a> Arbitrary<'a> for FfiInput {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let opts = u.arbitrary()?;
        let scale = u.arbitrary()?;
        let n: u8 = u.arbitrary()?;
        let mut ops = Vec::new();
        for _ in 0..n {
            if u.len() < 3 {
                break;
            }
            let [op, a, b]: [u8; 3] = u.arbitrary()?;
            ops.push(Op::parse(op, a, b));
        }
        let data = u.bytes(u.len())?.to_vec();
        Ok(FfiInput { opts, scale, ops, data })
    }
}

/// A record or finding as it crossed the ABI, comparable with a core event.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Out {
    Record {
        line: u64,
        lb_nr: u32,
        rec: u16,
        variant: &'static str,
        offset: u64,
        bytes: Vec<u8>,
    },
    Finding {
        what: u32,
        code: String,
        message: String,
        line: u64,
        offset: u64,
        lb_nr: Option<u32>,
        record: Option<u16>,
        field: Option<(u8, String)>,
    },
}

impl Out {
    fn from_core(ev: &Ev) -> Out {
        let (what, e) = match ev {
            Ev::Record { line, lb_nr, rec, variant, offset, bytes } => {
                return Out::Record {
                    line: *line,
                    lb_nr: *lb_nr,
                    rec: *rec,
                    variant,
                    offset: *offset,
                    bytes: bytes.clone(),
                }
            }
            Ev::Rejected(e) => (1, e),
            Ev::Error(e) => (2, e),
            Ev::Warning(e) => (3, e),
        };
        Out::Finding {
            what,
            code: e.kind.code().to_string(),
            message: e.kind.message().to_string(),
            line: e.line,
            offset: e.offset,
            lb_nr: e.lb_nr,
            record: e.record,
            field: e.field.map(|f| (f.no, f.name.to_string())),
        }
    }
}

/// A static C string as `&str` (checked: non-NULL, UTF-8).
fn text(p: *const c_char) -> &'static str {
    assert!(!p.is_null(), "NULL string from the ABI");
    // SAFETY: the ABI returns static NUL-terminated strings.
    unsafe { CStr::from_ptr(p) }.to_str().expect("UTF-8 string from the ABI")
}

/// The core layout with ABI index `i` (current layouts, then variants).
fn core_layout(i: usize) -> Option<&'static RecordLayout> {
    let n = BUILTIN.records.len();
    BUILTIN.records.get(i).or_else(|| i.checked_sub(n).and_then(|j| BUILTIN.variants.get(j)))
}

fn ok(s: eik_status, what: &str) {
    assert_eq!(s, eik_status::Ok, "{what}");
}

/// The core options the ABI options stand for.
fn core_options(o: &eik_options) -> Options {
    Options {
        strict: o.strict != 0,
        base64: o.base64 != 0,
        amount_scale: o.amount_scale,
        person_layout: match o.person_layout {
            1 => PersonLayout::Current,
            2 => PersonLayout::PreTin,
            _ => PersonLayout::Auto,
        },
        unknown_codes_reject: o.unknown_codes_reject != 0,
        ..Options::default()
    }
}

/// One decoder handle and what has come out of it.
struct Session {
    dec: *mut eik_decoder,
    base64: bool,
    strict: bool,
    data: Vec<u8>,
    /// Bytes of `data` consumed so far.
    fed: usize,
    /// Records and findings with their `seq`.
    outs: Vec<(u64, Out)>,
    pending: usize,
    finishing: bool,
    done: bool,
    stopped: bool,
    calls: u64,
    /// How often each status came back (index: status number).
    seen: [u32; 8],
}

impl Drop for Session {
    fn drop(&mut self) {
        // SAFETY: a live handle from eik_decoder_new, freed once here.
        unsafe { eik_decoder_free(self.dec) };
    }
}

impl Session {
    fn note(&mut self, s: eik_status) {
        self.seen[s as usize] += 1;
    }

    fn tick(&mut self) {
        self.calls += 1;
        assert!(self.calls <= 64 * (self.data.len() as u64 + 64), "no progress after {} calls", self.calls);
    }

    fn counts(&self) -> eik_counts {
        let mut c = MaybeUninit::<eik_counts>::uninit();
        // SAFETY: live handle, writable out-parameter.
        ok(unsafe { eik_decoder_counts(self.dec, c.as_mut_ptr()) }, "eik_decoder_counts");
        // SAFETY: written on OK.
        let c = unsafe { c.assume_init() };
        let typed: (u64, u64) = c.by_type.iter().fold((0, 0), |(d, r), t| (d + t.decoded, r + t.rejected));
        assert!(
            c.lines == c.decoded + c.rejected && typed == (c.decoded, c.rejected - c.rejected_untyped),
            "counts unbalanced: {c:?}"
        );
        assert!(c.by_type.iter().all(|t| t.reserved == [0; 6]));
        c
    }

    fn stopped(&mut self) -> bool {
        let mut s = false;
        // SAFETY: live handle, writable out-parameter.
        ok(unsafe { eik_decoder_stopped(self.dec, &mut s) }, "eik_decoder_stopped");
        assert!(!self.stopped || s, "stopped went back to false");
        assert!(self.strict || !s, "a lenient decoder stopped");
        self.stopped = s;
        s
    }

    fn pending(&mut self) -> usize {
        let mut n = usize::MAX;
        // SAFETY: live handle, writable out-parameter.
        ok(unsafe { eik_pending_findings(self.dec, &mut n) }, "eik_pending_findings");
        assert!(n >= self.pending, "pending findings went from {} to {n} without a take", self.pending);
        assert!(n <= EIK_MAX_PENDING_FINDINGS + 64, "{n} findings pending");
        self.pending = n;
        n
    }

    /// Checks and keeps the records of one batch; `input` is the call's
    /// input (empty for `eik_finish`).
    fn records(&mut self, recs: &[eik_record], input: &[u8]) {
        let start = input.as_ptr() as usize;
        for r in recs {
            assert_eq!(r.reserved, 0);
            assert!(!r.bytes.is_null(), "record with NULL bytes: {r:?}");
            let p = r.bytes as usize;
            match r.source {
                eik_source::Input => {
                    assert!(!self.base64, "a Base64-mode record points into the encoded input");
                    assert!(
                        p >= start && p + r.len <= start + input.len(),
                        "EIK_SOURCE_INPUT record outside the caller's input: {r:?}"
                    );
                    let base = (self.fed + (p - start)) as u64;
                    assert_eq!(r.offset, base, "a record borrows the input away from its offset");
                }
                eik_source::Scratch => assert!(
                    input.is_empty() || p + r.len <= start || p >= start + input.len(),
                    "EIK_SOURCE_SCRATCH record inside the caller's input: {r:?}"
                ),
            }
            // SAFETY: the ABI promises `len` readable bytes until the next call.
            let bytes = unsafe { std::slice::from_raw_parts(r.bytes, r.len) }.to_vec();
            let layout = core_layout(r.layout_index as usize).expect("record with an unknown layout index");
            assert_eq!((layout.rec_nr, layout.length as usize), (r.record_type, r.len), "{r:?}");
            if !self.base64 {
                let at = r.offset as usize;
                assert_eq!(self.data.get(at..at + r.len).map(Bytes), Some(Bytes(&bytes[..])), "record bytes at {at}");
            }
            let out = Out::Record {
                line: r.line,
                lb_nr: r.lb_nr,
                rec: r.record_type,
                variant: layout.variant,
                offset: r.offset,
                bytes,
            };
            self.outs.push((r.seq, out));
        }
    }

    fn decode(&mut self, len: usize, cap: usize, null_input: bool) {
        self.tick();
        let len = len.min(self.data.len() - self.fed);
        // The chunk in its own allocation: a read past it is out of bounds.
        let chunk: Vec<u8> = self.data[self.fed..self.fed + len].to_vec();
        let input = if len == 0 && null_input { null() } else { chunk.as_ptr() };
        let mut out = vec![MaybeUninit::<eik_record>::uninit(); cap];
        let (mut n, mut used) = (usize::MAX, usize::MAX);
        let pending = self.pending();
        let was_stopped = self.stopped();
        // SAFETY: live handle; input readable for len; out writable for cap.
        let s = unsafe { eik_decode(self.dec, input, len, out.as_mut_ptr().cast(), cap, &mut n, &mut used) };
        let want = if cap == 0 {
            eik_status::BufferTooSmall
        } else if self.finishing {
            eik_status::Finished
        } else if pending >= EIK_MAX_PENDING_FINDINGS {
            eik_status::FindingsFull
        } else {
            eik_status::Ok
        };
        assert_eq!(s, want, "eik_decode(len {len}, cap {cap}) with {pending} findings pending");
        self.note(s);
        if s != eik_status::Ok {
            assert_eq!((n, used), (usize::MAX, usize::MAX), "out-parameters written on {s:?}");
            return;
        }
        assert!(n <= cap && used <= len, "eik_decode: {n} records of {cap}, consumed {used} of {len}");
        if was_stopped {
            assert_eq!((n, used), (0, len), "a stopped decoder must swallow its input");
        } else if self.stopped() {
            assert_eq!(used, len, "the stopping call must report all input consumed");
        }
        // SAFETY: the first n slots are written on OK.
        let recs: Vec<eik_record> = out[..n].iter().map(|r| unsafe { r.assume_init() }).collect();
        self.records(&recs, &chunk);
        self.fed += used;
        self.pending();
        self.counts();
    }

    fn take(&mut self, cap: usize) {
        self.tick();
        let mut out = vec![MaybeUninit::<eik_error>::uninit(); cap];
        let mut n = usize::MAX;
        let pending = self.pending();
        // SAFETY: live handle; out writable for cap.
        let s = unsafe { eik_take_findings(self.dec, out.as_mut_ptr().cast(), cap, &mut n) };
        self.note(s);
        if cap == 0 {
            assert_eq!((s, n), (eik_status::BufferTooSmall, usize::MAX));
            return;
        }
        ok(s, "eik_take_findings");
        assert_eq!(n, cap.min(pending), "findings taken");
        for e in &out[..n] {
            // SAFETY: the first n slots are written on OK.
            let e = unsafe { e.assume_init() };
            assert_eq!(e.reserved, [0; 6]);
            let what = e.finding as u32;
            assert!((1..=3).contains(&what));
            let code = text(e.code);
            assert_eq!(text(eik_error_kind_code(e.kind as u32)), code, "kind number vs code");
            assert_eq!(text(eik_error_kind_message(e.kind as u32)), text(e.message));
            let field_name = text(e.field_name);
            assert!(e.has_field != 0 || (e.field_no, field_name) == (0, ""));
            assert!(e.has_lb_nr != 0 || e.lb_nr == 0);
            assert!(e.has_record != 0 || e.record == 0);
            let out = Out::Finding {
                what,
                code: code.to_string(),
                message: text(e.message).to_string(),
                line: e.line,
                offset: e.offset,
                lb_nr: (e.has_lb_nr != 0).then_some(e.lb_nr),
                record: (e.has_record != 0).then_some(e.record),
                field: (e.has_field != 0).then(|| (e.field_no, field_name.to_string())),
            };
            self.outs.push((e.seq, out));
        }
        self.pending -= n;
        assert_eq!(self.pending(), pending - n);
    }

    fn finish(&mut self, cap: usize) {
        self.tick();
        let mut out = vec![MaybeUninit::<eik_record>::uninit(); cap];
        let (mut n, mut done) = (usize::MAX, false);
        let pending = self.pending();
        // SAFETY: live handle; out writable for cap.
        let s = unsafe { eik_finish(self.dec, out.as_mut_ptr().cast(), cap, &mut n, &mut done) };
        let want = if cap == 0 {
            eik_status::BufferTooSmall
        } else if !self.done && pending >= EIK_MAX_PENDING_FINDINGS {
            eik_status::FindingsFull
        } else {
            eik_status::Ok
        };
        assert_eq!(s, want, "eik_finish(cap {cap}) with {pending} findings pending");
        self.note(s);
        if s != eik_status::Ok {
            assert_eq!(n, usize::MAX, "out-parameter written on {s:?}");
            return;
        }
        self.finishing = true;
        assert!(n <= cap);
        assert!(!self.done || (done && n == 0), "eik_finish after done");
        self.done = done;
        // SAFETY: the first n slots are written on OK.
        let recs: Vec<eik_record> = out[..n].iter().map(|r| unsafe { r.assume_init() }).collect();
        assert!(recs.iter().all(|r| r.source == eik_source::Scratch), "eik_finish record not in scratch");
        self.records(&recs, &[]);
        self.pending();
        self.counts();
    }

    /// A call with a NULL where the header says it is rejected.
    fn null(&mut self, which: u8) {
        let mut rec = [MaybeUninit::<eik_record>::uninit(); 4];
        let mut err = [MaybeUninit::<eik_error>::uninit(); 4];
        let (mut n, mut used, mut flag) = (usize::MAX, usize::MAX, false);
        let byte = [b'0'];
        let dec = self.dec;
        let r = rec.as_mut_ptr().cast::<eik_record>();
        let e = err.as_mut_ptr().cast::<eik_error>();
        // SAFETY: every non-NULL pointer is valid; the NULL ones are what the
        // header allows the functions to reject.
        let s = unsafe {
            match which % 16 {
                0 => eik_decode(null_mut(), byte.as_ptr(), 1, r, 4, &mut n, &mut used),
                1 => eik_decode(dec, null(), 1, r, 4, &mut n, &mut used),
                2 => eik_decode(dec, byte.as_ptr(), 1, null_mut(), 4, &mut n, &mut used),
                3 => eik_decode(dec, byte.as_ptr(), 1, r, 4, null_mut(), &mut used),
                4 => eik_decode(dec, byte.as_ptr(), 1, r, 4, &mut n, null_mut()),
                5 => eik_finish(null_mut(), r, 4, &mut n, &mut flag),
                6 => eik_finish(dec, null_mut(), 4, &mut n, &mut flag),
                7 => eik_finish(dec, r, 4, null_mut(), &mut flag),
                8 => eik_finish(dec, r, 4, &mut n, null_mut()),
                9 => eik_take_findings(dec, null_mut(), 4, &mut n),
                10 => eik_take_findings(dec, e, 4, null_mut()),
                11 => eik_pending_findings(dec, null_mut()),
                12 => eik_decoder_counts(dec, null_mut()),
                13 => eik_decoder_stopped(dec, null_mut()),
                14 => eik_decoder_new(null(), null_mut()),
                _ => {
                    eik_decoder_free(null_mut());
                    let s = eik_options_default(null_mut());
                    assert_eq!(eik_layout_at(0, null_mut()), s);
                    assert_eq!(eik_layout_get(1000, null_mut()), s);
                    assert_eq!(eik_layout_field(0, 0, null_mut()), s);
                    s
                }
            }
        };
        assert_eq!(s, eik_status::NullPointer, "NULL pointer call {}", which % 16);
        self.note(s);
        assert_eq!((n, used, flag), (usize::MAX, usize::MAX, false), "out-parameters written on NULL");
    }

    /// Capacities too large to be a buffer: rejected before anything is touched.
    fn huge(&mut self, which: u8) {
        let mut one_rec = [MaybeUninit::<eik_record>::uninit(); 1];
        let mut one_err = [MaybeUninit::<eik_error>::uninit(); 1];
        let (mut n, mut used, mut flag) = (usize::MAX, usize::MAX, false);
        let dec = self.dec;
        let r = one_rec.as_mut_ptr().cast::<eik_record>();
        let byte = [b'0'];
        // SAFETY: the capacities are rejected (header: "too large to be a
        // buffer size") before the buffers are used.
        let s = unsafe {
            match which % 4 {
                0 => eik_decode(dec, byte.as_ptr(), 1, r, usize::MAX, &mut n, &mut used),
                1 => eik_decode(dec, byte.as_ptr(), usize::MAX, r, 1, &mut n, &mut used),
                2 => eik_finish(dec, r, usize::MAX / 2, &mut n, &mut flag),
                _ => eik_take_findings(dec, one_err.as_mut_ptr().cast(), usize::MAX, &mut n),
            }
        };
        assert_eq!(s, eik_status::InvalidArgument, "oversized call {}", which % 4);
        self.note(s);
        assert_eq!((n, used, flag), (usize::MAX, usize::MAX, false), "out-parameters written");
    }

    fn run(&mut self, op: Op) {
        match op {
            Op::Decode { len, cap, null_input } => self.decode(len, cap, null_input),
            Op::Take { cap } => self.take(cap),
            Op::Finish { cap } => self.finish(cap),
            Op::Counts => {
                self.counts();
            }
            Op::Stopped => {
                self.stopped();
            }
            Op::Pending => {
                self.pending();
            }
            Op::LayoutAt(i) => layout_at(i),
            Op::LayoutGet(rec) => {
                let mut l = MaybeUninit::<eik_layout>::uninit();
                // SAFETY: writable out-parameter.
                let s = unsafe { eik_layout_get(rec, l.as_mut_ptr()) };
                match BUILTIN.get(rec) {
                    Some(want) => {
                        ok(s, "eik_layout_get");
                        // SAFETY: written on OK.
                        let l = unsafe { l.assume_init() };
                        assert_eq!((l.record_type, l.length, text(l.variant)), (rec, want.length, ""));
                        assert_eq!(core_layout(l.index as usize).map(|c| c.rec_nr), Some(rec));
                    }
                    None => assert_eq!(s, eik_status::NotFound, "eik_layout_get({rec})"),
                }
            }
            Op::LayoutField(li, fi) => {
                let mut f = MaybeUninit::<eik_field>::uninit();
                // SAFETY: writable out-parameter.
                let s = unsafe { eik_layout_field(li, fi, f.as_mut_ptr()) };
                match core_layout(li).and_then(|l| Some((l, l.fields.get(fi)?))) {
                    Some((l, want)) => {
                        ok(s, "eik_layout_field");
                        // SAFETY: written on OK.
                        let f = unsafe { f.assume_init() };
                        assert_eq!((text(f.name), f.no, f.start, f.len), (want.name, want.no, want.start, want.len));
                        assert!(f.start as usize + f.len as usize <= l.length as usize);
                        assert_eq!(f.reserved, 0);
                    }
                    None => assert_eq!(s, eik_status::NotFound, "eik_layout_field({li}, {fi})"),
                }
            }
            Op::Null(w) => self.null(w),
            Op::Huge(w) => self.huge(w),
            Op::Strings(k) => {
                for p in [eik_status_str(k), eik_error_kind_code(k), eik_error_kind_message(k)] {
                    assert!(!text(p).is_empty());
                }
                let known = eik_status::from_u32(k).is_some();
                assert_eq!(text(eik_status_str(k)) == "unknown status", !known, "eik_status_str({k})");
                assert_eq!(text(eik_error_kind_code(k)) == "unknown", k == 0 || k > 36, "eik_error_kind_code({k})");
            }
        }
    }
}

fn layout_at(i: usize) {
    let mut l = MaybeUninit::<eik_layout>::uninit();
    // SAFETY: writable out-parameter.
    let s = unsafe { eik_layout_at(i, l.as_mut_ptr()) };
    assert_eq!(eik_layout_count(), BUILTIN.records.len() + BUILTIN.variants.len());
    match core_layout(i) {
        Some(want) => {
            ok(s, "eik_layout_at");
            // SAFETY: written on OK.
            let l = unsafe { l.assume_init() };
            assert_eq!(
                (l.index as usize, l.record_type, l.length, l.n_fields as usize, text(l.variant), l.reserved),
                (i, want.rec_nr, want.length, want.fields.len(), want.variant, 0)
            );
            assert!(!text(l.name).is_empty());
        }
        None => assert_eq!(s, eik_status::NotFound, "eik_layout_at({i})"),
    }
}

/// Makes the decoder as the input says, checking `eik_decoder_new`.
fn create(input: &FfiInput) -> (*mut eik_decoder, eik_options) {
    let mut o = eik_options { strict: 9, base64: 9, unknown_codes_reject: 9, amount_scale: 99, person_layout: 99 };
    // SAFETY: writable out-parameter.
    ok(unsafe { eik_options_default(&mut o) }, "eik_options_default");
    assert_eq!((o.strict, o.base64, o.unknown_codes_reject, o.amount_scale, o.person_layout), (0, 0, 0, 6, 0));
    let mut dec: *mut eik_decoder = null_mut();
    if input.opts & 8 != 0 {
        // SAFETY: NULL options mean the defaults; writable out-parameter.
        ok(unsafe { eik_decoder_new(null(), &mut dec) }, "eik_decoder_new(NULL)");
        return (dec, o);
    }
    o.strict = input.opts & 1;
    o.base64 = input.opts & 2;
    o.unknown_codes_reject = input.opts & 4;
    o.person_layout = (input.opts as u32 >> 4) & 3;
    o.amount_scale = input.scale;
    if input.scale > 16 {
        // SAFETY: readable options, writable out-parameter.
        let s = unsafe { eik_decoder_new(&o, &mut dec) };
        assert_eq!((s, dec), (eik_status::InvalidArgument, null_mut()), "amount_scale {}", input.scale);
        o.amount_scale = input.scale % 17;
    }
    // SAFETY: readable options, writable out-parameter.
    ok(unsafe { eik_decoder_new(&o, &mut dec) }, "eik_decoder_new");
    assert!(!dec.is_null());
    (dec, o)
}

/// What a run of `ffi_calls` did (for tests that pin it down).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    /// Records that crossed the ABI.
    pub records: usize,
    /// Findings that crossed the ABI.
    pub findings: usize,
    /// How often each status came back from the decoder calls (index: number).
    pub statuses: [u32; 8],
    /// Strict mode stopped the decoder.
    pub stopped: bool,
}

/// `ffi_calls`: see the module documentation.
pub fn ffi_calls(input: &FfiInput) -> Summary {
    let (dec, o) = create(input);
    let mut s = Session {
        dec,
        base64: o.base64 != 0,
        strict: o.strict != 0,
        data: input.data.clone(),
        fed: 0,
        outs: Vec::new(),
        pending: 0,
        finishing: false,
        done: false,
        stopped: false,
        calls: 0,
        seen: [0; 8],
    };
    for &op in &input.ops {
        s.run(op);
    }
    // The rest of the stream, then the end, taking findings as they come.
    while !s.finishing && s.fed < s.data.len() {
        if s.pending() >= EIK_MAX_PENDING_FINDINGS {
            s.take(100);
        }
        s.decode(4096, 64, false);
    }
    while !s.done {
        if s.pending() >= EIK_MAX_PENDING_FINDINGS {
            s.take(100);
        }
        s.finish(64);
    }
    while s.pending() > 0 {
        s.take(7);
    }
    s.finish(1); // still done, no records
    let (mut n, mut used) = (usize::MAX, usize::MAX);
    let mut rec = [MaybeUninit::<eik_record>::uninit(); 1];
    // SAFETY: live handle, valid buffers.
    let st = unsafe { eik_decode(s.dec, [0u8].as_ptr(), 1, rec.as_mut_ptr().cast(), 1, &mut n, &mut used) };
    assert_eq!(st, eik_status::Finished, "eik_decode after eik_finish");

    // The same bytes through the core.
    let fed = &s.data[..s.fed];
    let opts = core_options(&o);
    let prefix = if s.base64 { b64_prefix(fed) } else { fed.to_vec() };
    let core = run_whole(opts, fed, Some(&prefix));

    s.outs.sort_by_key(|(seq, _)| *seq);
    let seqs: Vec<u64> = s.outs.iter().map(|(q, _)| *q).collect();
    assert!(seqs.iter().copied().eq(0..seqs.len() as u64), "seq numbers are not 0, 1, 2, ...: {seqs:?}");
    let records = s.outs.iter().filter(|(_, o)| matches!(o, Out::Record { .. })).count();
    let summary = Summary { records, findings: s.outs.len() - records, statuses: s.seen, stopped: s.stopped() };
    let got: Vec<&Out> = s.outs.iter().map(|(_, o)| o).collect();
    let want: Vec<Out> = core.events.iter().map(Out::from_core).collect();
    if let Some(i) = (0..got.len().max(want.len())).find(|&i| got.get(i).copied() != want.get(i)) {
        panic!("ABI vs core differ at event {i}:\n  abi:  {:?}\n  core: {:?}", got.get(i), want.get(i));
    }
    let c = s.counts();
    assert_eq!(s.stopped(), core.stopped, "stopped");
    let mut mine: Counts = core.counts;
    mine.lines = c.lines;
    mine.decoded = c.decoded;
    mine.rejected = c.rejected;
    mine.warnings = c.warnings;
    mine.errors = c.errors;
    mine.suppressed = c.suppressed;
    mine.rejected_untyped = c.rejected_untyped;
    mine.bytes = if core.stopped { core.counts.bytes } else { c.bytes };
    for (m, t) in mine.by_type.iter_mut().zip(c.by_type.iter()) {
        (m.rec_nr, m.decoded, m.rejected) = (t.record_type, t.decoded, t.rejected);
    }
    assert_eq!(short(&mine), short(&core.counts), "ABI counts vs core counts");
    assert_eq!(mine, core.counts);
    summary
}
