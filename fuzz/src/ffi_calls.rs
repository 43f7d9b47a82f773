//! `ffi_calls`: the C ABI 0.2 (`eik_*`) driven by arbitrary call sequences.
//!
//! Input: `[opts, scale, n, (op, a, b) × n, data...]`.
//!
//! * `opts`: bit 0 strict, bit 1 Base64, bit 2 unknown codes reject, bit 3
//!   pass NULL options (the defaults), bits 4-5 `person_layout` (0-3), bit 6
//!   unknown keys raw, bit 7 encoding latin1 (else auto).
//! * `scale`: `amount_scale` as given; above 16 `eik_decoder_new` must return
//!   `EIK_STATUS_INVALID_ARGUMENT` and leave `*out` alone, then the run goes
//!   on with `scale % 17`.
//! * each `(op, a, b)` is one call, `op % 12` picks it (see [`Op::parse`]):
//!   `eik_decode` of the next chunk with a chosen array size (including
//!   sizes below `EIK_MIN_EVENTS`), `eik_finish`, counts, stopped, layout and
//!   field lookups with arbitrary indexes, kinds, NULL pointers, oversized
//!   sizes and the status strings.
//!
//! After the sequence the rest of the data is decoded and the stream
//! finished. Checked on the way: every status against what the header
//! promises; `consumed <= len`; out-parameters untouched unless the status
//! is OK; every event's bytes lie inside the caller's input or the batch's
//! scratch area; a record's length is its layout's; findings carry a known
//! kind and a message; counts balance after every call. At the end the
//! events equal a [`Session`] run over the bytes the decoder consumed, in
//! order.
#![allow(unsafe_code)]

use arbitrary::{Arbitrary, Result, Unstructured};
use eindkomst::{
    eik_batch, eik_counts, eik_decode, eik_decoder, eik_decoder_counts, eik_decoder_free, eik_decoder_new,
    eik_decoder_stopped, eik_event, eik_event_type, eik_family_field, eik_family_layout, eik_field, eik_finish,
    eik_kind_get, eik_kind_info, eik_layout, eik_options, eik_options_default, eik_status, eik_status_str,
    EIK_EVENT_HAS_FIELD, EIK_EVENT_HAS_LB_NR, EIK_EVENT_HAS_RECORD_TYPE, EIK_EVENT_IN_SCRATCH, EIK_LAYOUT_NONE,
    EIK_MIN_EVENTS,
};
use eindkomst_core::{Counts, Encoding, Options, Unknown, EMPLOYER};
use eindkomst_std::family::PersonLayout;
use eindkomst_std::{Event, FindingType, Session};
use std::ffi::CStr;
use std::mem::MaybeUninit;
use std::ptr::{null, null_mut};

/// Array sizes for `eik_decode`/`eik_finish` (index: 4 bits); below 16 is too small.
const CAPS: [usize; 16] = [0, 1, 15, 16, 17, 18, 20, 24, 31, 32, 64, 100, 255, 256, 1024, 4096];

/// One call of the sequence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// `eik_decode` of the next `len` bytes (fewer at the end) into `cap`
    /// events; with `len == 0` and `null_input`, `input` is NULL.
    Decode {
        /// Chunk length.
        len: usize,
        /// Array size.
        cap: usize,
        /// Pass NULL as `input` when `len == 0`.
        null_input: bool,
    },
    /// `eik_finish` into `cap` events.
    Finish {
        /// Array size.
        cap: usize,
    },
    /// `eik_decoder_counts`.
    Counts,
    /// `eik_decoder_stopped`.
    Stopped,
    /// `eik_family_layout(NULL, index)`.
    LayoutAt(u32),
    /// `eik_family_field(NULL, layout, field)`.
    LayoutField(u32, u32),
    /// `eik_kind_get(number)`.
    Kind(u16),
    /// A call with one NULL pointer (which one: the number).
    Null(u8),
    /// A call with a size too large to be a buffer (which one: the number).
    Huge(u8),
    /// `eik_status_str` with an arbitrary number.
    Strings(u32),
}

impl Op {
    /// The call that the three bytes `(op, a, b)` stand for.
    pub fn parse(op: u8, a: u8, b: u8) -> Op {
        let ab = a as u32 | (b as u32) << 8;
        match op % 12 {
            // Decode is the common case: chunk length up to 4095.
            0..=3 => Op::Decode {
                len: a as usize | ((b as usize & 0xF0) << 4),
                cap: CAPS[b as usize & 15],
                null_input: op & 0x80 != 0,
            },
            4 => Op::Finish { cap: CAPS[b as usize & 15] },
            5 => Op::Counts,
            6 => Op::Stopped,
            7 => Op::LayoutAt(ab),
            8 => Op::LayoutField(a as u32, b as u32),
            9 => Op::Kind(ab as u16),
            10 => Op::Null(a),
            _ => {
                if b & 1 == 0 {
                    Op::Huge(a)
                } else {
                    Op::Strings(ab | (a as u32) << 24)
                }
            }
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
            .field("data", &crate::harness::Bytes(&self.data))
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

/// An event as it crossed the ABI, comparable with a session's event.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Out {
    Record {
        line: u64,
        lb_nr: u32,
        rec: u16,
        layout: u16,
        offset: u64,
        bytes: Vec<u8>,
        pseudonym: bool,
    },
    Raw {
        line: u64,
        key: Vec<u8>,
        bytes: Vec<u8>,
    },
    Finding {
        ty: u8,
        kind: u16,
        message: String,
        line: u64,
        offset: u64,
        lb_nr: Option<u32>,
        record: Option<u16>,
        field: Option<u8>,
    },
}

impl Out {
    fn from_session(e: Event<'_>) -> Out {
        match e {
            Event::Record { record, pseudonym } => Out::Record {
                line: record.line(),
                lb_nr: record.lb_nr(),
                rec: record.record_type(),
                layout: eindkomst_std::family::layout_index(&EMPLOYER, record.layout()).unwrap_or(EIK_LAYOUT_NONE),
                offset: record.offset(),
                bytes: record.bytes().to_vec(),
                pseudonym: pseudonym.is_some(),
            },
            Event::Raw(r) => Out::Raw { line: r.line, key: r.key.to_vec(), bytes: r.bytes.to_vec() },
            Event::Finding(f) => Out::Finding {
                ty: match f.finding_type {
                    FindingType::Rejected => eik_event_type::Rejected,
                    FindingType::Error => eik_event_type::Error,
                    FindingType::Warning => eik_event_type::Warning,
                } as u8,
                kind: f.error.kind.number(),
                message: f.error.to_string(),
                line: f.error.line,
                offset: f.error.offset,
                lb_nr: f.error.lb_nr,
                record: f.error.record,
                field: f.error.field.map(|f| f.no),
            },
        }
    }
}

fn ok(s: eik_status, what: &str) {
    assert_eq!(s, eik_status::Ok, "{what}");
}

/// The core options the ABI options stand for.
fn core_options(o: &eik_options) -> Options {
    let opts = Options {
        strict: o.strict != 0,
        base64: o.base64 != 0,
        amount_scale: o.amount_scale,
        unknown_codes_reject: o.unknown_codes_reject != 0,
        encoding: if o.encoding == 1 { Encoding::Latin1 } else { Encoding::Auto },
        unknown: if o.unknown == 1 { Unknown::Raw } else { Unknown::Reject },
        ..Options::default()
    };
    PersonLayout::ALL[o.person_layout as usize % 4].apply(opts).expect("employer 6000 variants")
}

/// One decoder handle and what has come out of it.
struct Run {
    dec: *mut eik_decoder,
    data: Vec<u8>,
    /// Bytes of `data` consumed so far.
    fed: usize,
    outs: Vec<Out>,
    finishing: bool,
    done: bool,
    /// The decoder stopped, as the events say (see [`Run::stops`]).
    stopped: bool,
    /// Strict mode.
    strict: bool,
    /// Unknown keys pass raw.
    raw: bool,
    /// How often each status came back (index: status number).
    seen: [u32; 10],
}

impl Drop for Run {
    fn drop(&mut self) {
        // SAFETY: a live handle from eik_decoder_new, freed once here.
        unsafe { eik_decoder_free(self.dec) };
    }
}

impl Run {
    fn note(&mut self, s: eik_status) {
        self.seen[s as usize] += 1;
    }

    fn counts(&self) -> eik_counts {
        let mut c = MaybeUninit::<eik_counts>::uninit();
        // SAFETY: live handle, writable out-parameter.
        ok(unsafe { eik_decoder_counts(self.dec, c.as_mut_ptr()) }, "eik_decoder_counts");
        // SAFETY: written on OK.
        let c = unsafe { c.assume_init() };
        assert_eq!(c.lines, c.decoded + c.rejected + c.raw, "lines balance");
        let typed: u64 = c.by_type.iter().map(|t| t.decoded + t.rejected).sum();
        assert_eq!(typed + c.rejected_untyped, c.decoded + c.rejected, "per type");
        c
    }

    /// Whether the events so far stop the decoder (header, eik_decoder_stopped):
    /// strict mode at the first rejection or stream error, any mode at a
    /// `wrong_family` error, except one whose lines unknown keys raw pass on
    /// (text: employer lines, other text, separated rows; core decide_family).
    fn stops(&self) -> bool {
        use eindkomst_core::detect::FileKind;
        let wrong_family = eindkomst_core::error::KINDS.iter().find(|k| k.code == "wrong_family").map(|k| k.number);
        let passed_on = |message: &str| {
            [FileKind::Employer.describe(), FileKind::OtherText.describe(), "separated rows"]
                .iter()
                .any(|d| message.contains(d))
        };
        self.outs.iter().any(|o| match o {
            Out::Finding { ty, kind, message, .. } => {
                (Some(*kind) == wrong_family && !(self.raw && passed_on(message)))
                    || (self.strict && (*ty == eik_event_type::Rejected as u8 || *ty == eik_event_type::Error as u8))
            }
            _ => false,
        })
    }

    fn stopped(&self) -> bool {
        let mut s = false;
        // SAFETY: live handle, writable out-parameter.
        ok(unsafe { eik_decoder_stopped(self.dec, &mut s) }, "eik_decoder_stopped");
        s
    }

    /// Copies and checks the events of one batch; `input` is the call's input.
    fn events(&mut self, evs: &[MaybeUninit<eik_event>], b: &eik_batch, input: &[u8]) {
        let scratch = b.scratch as usize..b.scratch as usize + b.scratch_len;
        for e in evs {
            // SAFETY: the first n_events slots are written on OK.
            let e = unsafe { e.assume_init() };
            assert_eq!(e.reserved, [0; 5]);
            let len = e.len as usize;
            let extra = if e.flags & eindkomst::EIK_EVENT_HAS_PSEUDONYM != 0 { 16 } else { 0 };
            let at = e.bytes as usize;
            if e.flags & EIK_EVENT_IN_SCRATCH != 0 {
                assert!(
                    scratch.contains(&at) && at + len + extra <= scratch.end,
                    "scratch event outside the scratch area"
                );
            } else {
                let inp = input.as_ptr() as usize;
                assert!(at >= inp && at + len <= inp + input.len(), "input event outside the input");
            }
            // SAFETY: checked above to lie inside live memory of the call.
            let bytes = unsafe { std::slice::from_raw_parts(e.bytes, len) }.to_vec();
            let out = match e.event_type {
                1 => {
                    let mut l = MaybeUninit::<eik_layout>::uninit();
                    // SAFETY: writable out-parameter.
                    ok(unsafe { eik_family_layout(null(), e.layout.into(), l.as_mut_ptr()) }, "record layout");
                    // SAFETY: written on OK.
                    let l = unsafe { l.assume_init() };
                    assert_eq!((l.record_type, l.length as usize), (e.record_type, len), "record vs layout");
                    assert_ne!(e.flags & EIK_EVENT_HAS_RECORD_TYPE, 0);
                    Out::Record {
                        line: e.line,
                        lb_nr: e.lb_nr,
                        rec: e.record_type,
                        layout: e.layout,
                        offset: e.offset,
                        bytes,
                        pseudonym: extra > 0,
                    }
                }
                2 => {
                    let key = bytes
                        .get(e.key_start as usize..(e.key_start + e.key_len) as usize)
                        .expect("key inside the line");
                    Out::Raw { line: e.line, key: key.to_vec(), bytes }
                }
                3..=5 => {
                    let mut k = MaybeUninit::<eik_kind_info>::uninit();
                    // SAFETY: writable out-parameter.
                    ok(unsafe { eik_kind_get(e.kind, k.as_mut_ptr()) }, "a finding's kind is known");
                    assert!(e.flags & EIK_EVENT_HAS_FIELD != 0 || (e.field_no, e.field_name.len) == (0, 0));
                    assert!(e.flags & EIK_EVENT_HAS_LB_NR != 0 || e.lb_nr == 0);
                    Out::Finding {
                        ty: e.event_type,
                        kind: e.kind,
                        message: String::from_utf8(bytes).expect("UTF-8 message"),
                        line: e.line,
                        offset: e.offset,
                        lb_nr: (e.flags & EIK_EVENT_HAS_LB_NR != 0).then_some(e.lb_nr),
                        record: (e.flags & EIK_EVENT_HAS_RECORD_TYPE != 0).then_some(e.record_type),
                        field: (e.flags & EIK_EVENT_HAS_FIELD != 0).then_some(e.field_no),
                    }
                }
                t => panic!("event type {t}"),
            };
            self.outs.push(out);
        }
    }

    fn decode(&mut self, len: usize, cap: usize, null_input: bool) {
        let end = (self.fed + len).min(self.data.len());
        // A fresh copy: a view that outlived its call would be caught by ASan.
        let chunk = self.data[self.fed..end].to_vec();
        let input = if chunk.is_empty() && null_input { null() } else { chunk.as_ptr() };
        let mut out = vec![MaybeUninit::<eik_event>::uninit(); cap];
        let mut b = MaybeUninit::<eik_batch>::uninit();
        // SAFETY: live handle; input readable for its length; out writable for cap.
        let s = unsafe { eik_decode(self.dec, input, chunk.len(), out.as_mut_ptr().cast(), cap, b.as_mut_ptr()) };
        let want = if cap < EIK_MIN_EVENTS {
            eik_status::BufferTooSmall
        } else if self.finishing {
            eik_status::Finished
        } else {
            eik_status::Ok
        };
        assert_eq!(s, want, "eik_decode(len {len}, cap {cap})");
        self.note(s);
        if s != eik_status::Ok {
            return;
        }
        // SAFETY: written on OK.
        let b = unsafe { b.assume_init() };
        assert!(
            b.n_events <= cap && b.consumed <= chunk.len(),
            "eik_decode: {} events of {cap}, consumed {} of {}",
            b.n_events,
            b.consumed,
            chunk.len()
        );
        assert_eq!(b.reserved, [0; 7]);
        self.events(&out[..b.n_events], &b, &chunk);
        self.fed += b.consumed;
        self.stopped |= b.done != 0;
        assert_eq!(self.stopped(), self.stopped);
        // A strict stop ends its batch; a wrong_family error may be the
        // batch's last event with the stop (`done`) in the next call's batch.
        assert!(!self.stopped || self.stops(), "batch.done without a stopping event");
        self.counts();
    }

    fn finish(&mut self, cap: usize) {
        let mut out = vec![MaybeUninit::<eik_event>::uninit(); cap];
        let mut b = MaybeUninit::<eik_batch>::uninit();
        // SAFETY: live handle; out writable for cap.
        let s = unsafe { eik_finish(self.dec, out.as_mut_ptr().cast(), cap, b.as_mut_ptr()) };
        assert_eq!(
            s,
            if cap < EIK_MIN_EVENTS { eik_status::BufferTooSmall } else { eik_status::Ok },
            "eik_finish(cap {cap})"
        );
        self.note(s);
        if s != eik_status::Ok {
            return;
        }
        self.finishing = true;
        // SAFETY: written on OK.
        let b = unsafe { b.assume_init() };
        assert!(!self.done || (b.done == 1 && b.n_events == 0), "eik_finish after done");
        self.done = b.done != 0;
        assert_eq!(b.consumed, 0);
        self.events(&out[..b.n_events], &b, &[]);
        self.stopped = self.stops();
        assert_eq!(self.stopped(), self.stopped, "eik_decoder_stopped after eik_finish");
        self.counts();
    }

    /// A call with a NULL where the header says it is rejected.
    fn null(&mut self, which: u8) {
        let mut ev = [MaybeUninit::<eik_event>::uninit(); EIK_MIN_EVENTS];
        let mut b = MaybeUninit::<eik_batch>::uninit();
        let byte = [b'0'];
        let dec = self.dec;
        let e = ev.as_mut_ptr().cast::<eik_event>();
        let mut never = null_mut::<eik_decoder>();
        // SAFETY: every non-NULL pointer is valid; the NULL ones are what the
        // header allows the functions to reject.
        let s = unsafe {
            match which % 10 {
                0 => eik_decode(null_mut(), byte.as_ptr(), 1, e, EIK_MIN_EVENTS, b.as_mut_ptr()),
                1 => eik_decode(dec, null(), 1, e, EIK_MIN_EVENTS, b.as_mut_ptr()),
                2 => eik_decode(dec, byte.as_ptr(), 1, null_mut(), EIK_MIN_EVENTS, b.as_mut_ptr()),
                3 => eik_decode(dec, byte.as_ptr(), 1, e, EIK_MIN_EVENTS, null_mut()),
                4 => eik_finish(null_mut(), e, EIK_MIN_EVENTS, b.as_mut_ptr()),
                5 => eik_finish(dec, null_mut(), EIK_MIN_EVENTS, b.as_mut_ptr()),
                6 => eik_finish(dec, e, EIK_MIN_EVENTS, null_mut()),
                7 => eik_decoder_counts(dec, null_mut()),
                8 => eik_decoder_new(null(), null_mut(), null_mut(), 0),
                _ => {
                    eik_decoder_free(null_mut());
                    let s = eik_options_default(null_mut());
                    assert_eq!(eik_family_layout(null(), 0, null_mut()), s);
                    assert_eq!(eik_family_field(null(), 0, 0, null_mut()), s);
                    assert_eq!(eik_kind_get(1, null_mut()), s);
                    assert_eq!(eik_decoder_new(null(), &mut never, null_mut(), 0), eik_status::Ok);
                    eik_decoder_free(never);
                    s
                }
            }
        };
        // `eik_decode` after `eik_finish` is `FINISHED` once its other
        // pointers are checked: a NULL `input` (case 1) is only looked at
        // while the stream is open (ffi/src/decoder.rs, eik_decode).
        let want = if which % 10 == 1 && self.finishing { eik_status::Finished } else { eik_status::NullPointer };
        assert_eq!(s, want, "NULL pointer call {}", which % 10);
        self.note(s);
    }

    /// Sizes too large to be a buffer: rejected before anything is touched.
    fn huge(&mut self, which: u8) {
        let mut ev = [MaybeUninit::<eik_event>::uninit(); EIK_MIN_EVENTS];
        let mut b = MaybeUninit::<eik_batch>::uninit();
        let e = ev.as_mut_ptr().cast::<eik_event>();
        let byte = [b'0'];
        let dec = self.dec;
        let finishing = self.finishing;
        // SAFETY: the sizes are rejected (header: "too large to be a buffer
        // size") before the buffers are used.
        let s = unsafe {
            match which % 3 {
                0 => eik_decode(dec, byte.as_ptr(), 1, e, usize::MAX, b.as_mut_ptr()),
                1 if !finishing => eik_decode(dec, byte.as_ptr(), usize::MAX, e, EIK_MIN_EVENTS, b.as_mut_ptr()),
                _ => eik_finish(dec, e, usize::MAX / 2, b.as_mut_ptr()),
            }
        };
        assert_eq!(s, eik_status::InvalidArgument, "oversized call {}", which % 3);
        self.note(s);
    }

    fn run(&mut self, op: Op) {
        match op {
            Op::Decode { len, cap, null_input } => self.decode(len, cap, null_input),
            Op::Finish { cap } => self.finish(cap),
            Op::Counts => {
                self.counts();
            }
            Op::Stopped => assert_eq!(self.stopped(), self.stopped),
            Op::LayoutAt(i) => {
                let mut l = MaybeUninit::<eik_layout>::uninit();
                // SAFETY: writable out-parameter.
                let s = unsafe { eik_family_layout(null(), i, l.as_mut_ptr()) };
                match EMPLOYER.layouts().nth(i as usize) {
                    Some(want) => {
                        ok(s, "eik_family_layout");
                        // SAFETY: written on OK.
                        let l = unsafe { l.assume_init() };
                        assert_eq!(
                            (l.index, l.record_type, l.length, l.n_fields as usize, l.reserved),
                            (i, want.rec_nr, want.length, want.fields.len(), 0)
                        );
                    }
                    None => assert_eq!(s, eik_status::NotFound, "eik_family_layout({i})"),
                }
            }
            Op::LayoutField(li, fi) => {
                let mut f = MaybeUninit::<eik_field>::uninit();
                // SAFETY: writable out-parameter.
                let s = unsafe { eik_family_field(null(), li, fi, f.as_mut_ptr()) };
                match EMPLOYER.layouts().nth(li as usize).and_then(|l| Some((l, l.fields.get(fi as usize)?))) {
                    Some((l, want)) => {
                        ok(s, "eik_family_field");
                        // SAFETY: written on OK.
                        let f = unsafe { f.assume_init() };
                        assert_eq!(
                            (f.no, f.start, f.len, f.name.len),
                            (want.no, want.start, want.len, want.name.len())
                        );
                        assert!(f.start as usize + f.len as usize <= l.length as usize);
                        assert_eq!(f.reserved, [0; 3]);
                    }
                    None => assert_eq!(s, eik_status::NotFound, "eik_family_field({li}, {fi})"),
                }
            }
            Op::Kind(n) => {
                let mut k = MaybeUninit::<eik_kind_info>::uninit();
                // SAFETY: writable out-parameter.
                let s = unsafe { eik_kind_get(n, k.as_mut_ptr()) };
                let known = eindkomst_core::error::KINDS.iter().any(|k| k.number == n);
                assert_eq!(s, if known { eik_status::Ok } else { eik_status::NotFound }, "eik_kind_get({n})");
            }
            Op::Null(w) => self.null(w),
            Op::Huge(w) => self.huge(w),
            Op::Strings(k) => {
                // SAFETY: static NUL-terminated strings.
                let t = unsafe { CStr::from_ptr(eik_status_str(k)) }.to_str().expect("UTF-8");
                assert_eq!(t == "unknown status", eik_status::from_u32(k).is_none(), "eik_status_str({k})");
            }
        }
    }
}

/// Makes the decoder as the input says, checking `eik_decoder_new`.
fn create(input: &FfiInput) -> (*mut eik_decoder, eik_options) {
    let mut o = MaybeUninit::<eik_options>::uninit();
    // SAFETY: writable out-parameter.
    ok(unsafe { eik_options_default(o.as_mut_ptr()) }, "eik_options_default");
    // SAFETY: written on OK.
    let mut o = unsafe { o.assume_init() };
    assert_eq!(
        (o.strict, o.base64, o.amount_scale, o.person_layout, o.forced_layouts),
        (0, 0, 6, 0, [EIK_LAYOUT_NONE; 4])
    );
    let mut dec: *mut eik_decoder = null_mut();
    if input.opts & 8 != 0 {
        // SAFETY: NULL options mean the defaults; writable out-parameter.
        ok(unsafe { eik_decoder_new(null(), &mut dec, null_mut(), 0) }, "eik_decoder_new(NULL)");
        return (dec, o);
    }
    o.strict = input.opts & 1;
    o.base64 = input.opts >> 1 & 1;
    o.unknown_codes_reject = input.opts >> 2 & 1;
    o.person_layout = (input.opts >> 4) & 3;
    o.unknown = input.opts >> 6 & 1;
    o.encoding = input.opts >> 7 & 1;
    o.amount_scale = input.scale;
    if input.scale > 16 {
        let mut msg = [0u8; 64];
        // SAFETY: readable options, writable out-parameters.
        let s = unsafe { eik_decoder_new(&o, &mut dec, msg.as_mut_ptr(), msg.len()) };
        assert_eq!((s, dec), (eik_status::InvalidArgument, null_mut()), "amount_scale {}", input.scale);
        assert!(CStr::from_bytes_until_nul(&msg).is_ok_and(|m| !m.is_empty()), "a message");
        o.amount_scale = input.scale % 17;
    }
    // SAFETY: readable options, writable out-parameter.
    ok(unsafe { eik_decoder_new(&o, &mut dec, null_mut(), 0) }, "eik_decoder_new");
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
    pub statuses: [u32; 10],
    /// The decoder stopped (strict mode, or another family).
    pub stopped: bool,
}

/// `ffi_calls`: see the module documentation.
pub fn ffi_calls(input: &FfiInput) -> Summary {
    let (dec, o) = create(input);
    let mut r = Run {
        dec,
        data: input.data.clone(),
        fed: 0,
        outs: Vec::new(),
        finishing: false,
        done: false,
        stopped: false,
        strict: o.strict != 0,
        raw: o.unknown == 1,
        seen: [0; 10],
    };
    for &op in &input.ops {
        r.run(op);
    }
    // The rest of the stream, then the end.
    while !r.finishing && r.fed < r.data.len() && !r.stopped {
        r.decode(4096, 64, false);
    }
    while !r.done {
        r.finish(EIK_MIN_EVENTS);
    }
    r.finish(EIK_MIN_EVENTS); // still done, no events
    let mut ev = [MaybeUninit::<eik_event>::uninit(); EIK_MIN_EVENTS];
    let mut b = MaybeUninit::<eik_batch>::uninit();
    // SAFETY: live handle, valid buffers.
    let st = unsafe { eik_decode(r.dec, [0u8].as_ptr(), 1, ev.as_mut_ptr().cast(), EIK_MIN_EVENTS, b.as_mut_ptr()) };
    assert_eq!(st, eik_status::Finished, "eik_decode after eik_finish");

    // The same bytes through the std crate's session, whole.
    let opts = core_options(&o);
    let mut session = Session::new(opts, None).expect("no filter");
    let mut want = Vec::new();
    session.feed(&r.data[..r.fed], &mut |e: Event<'_>| want.push(Out::from_session(e)));
    while !session.finish(&mut |e: Event<'_>| want.push(Out::from_session(e))) {}
    if let Some(i) = (0..r.outs.len().max(want.len())).find(|&i| r.outs.get(i) != want.get(i)) {
        panic!("ABI vs session differ at event {i}:\n  abi:     {:?}\n  session: {:?}", r.outs.get(i), want.get(i));
    }
    let c = r.counts();
    let s: &Counts = session.counts();
    assert_eq!(
        (c.lines, c.decoded, c.rejected, c.raw, c.warnings, c.errors),
        (s.lines, s.decoded, s.rejected, s.raw, s.warnings, s.errors),
        "counts"
    );
    let records = r.outs.iter().filter(|o| matches!(o, Out::Record { .. })).count();
    Summary {
        records,
        findings: r.outs.len() - records - r.outs.iter().filter(|o| matches!(o, Out::Raw { .. })).count(),
        statuses: r.seen,
        stopped: r.stopped(),
    }
}
