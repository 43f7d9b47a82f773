//! The decoder handle and the batch calls.

use std::collections::VecDeque;
use std::mem::MaybeUninit;

use eindkomst_core::layout::{RecordLayout, BUILTIN};
use eindkomst_core::{Decoder, Event, Options, PersonLayout, Record};

use crate::boundary::ffi_boundary;
use crate::eik_status;
use crate::errors::{eik_error, eik_finding};

/// Most findings a decoder holds before `eik_decode`/`eik_finish` stop early
/// (and, if none are taken, return `EIK_STATUS_FINDINGS_FULL`).
pub const EIK_MAX_PENDING_FINDINGS: usize = 1024;

/// Number of per-record-type slots in `eik_counts`.
pub const EIK_COUNTS_TYPES: usize = 32;

/// `eik_record.layout_index` of a record whose layout is not in the
/// exported tables (cannot happen with the built-in layouts).
pub const EIK_LAYOUT_NONE: u16 = 0xFFFF;

/// Which 6000 (person) layout to decode with; passed as `uint32_t` in
/// `eik_options`; an unknown value means `EIK_PERSON_LAYOUT_AUTO`.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum eik_person_layout {
    /// By the open 5000's Lønperiode slut: before 2023-07-01 the pre-TIN
    /// layout (v7.1), else the current one.
    Auto = 0,
    /// Always the current (TIN) layout.
    Current = 1,
    /// Always the pre-TIN layout (v7.1).
    PreTin = 2,
}

/// Decoder settings. Fill with `eik_options_default`, then change fields.
/// Flags are bytes: 0 is false, any other value true.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct eik_options {
    /// Stop at the first rejected line or stream error (default 0: report
    /// and go on).
    pub strict: u8,
    /// Input is Base64 text (a Beskedfordeler message body); whitespace is
    /// skipped.
    pub base64: u8,
    /// A code outside an open value set rejects the line instead of warning.
    pub unknown_codes_reject: u8,
    /// Decimals in 16-digit amounts, 0-16 (default 6).
    pub amount_scale: u8,
    /// An `eik_person_layout` value (default `EIK_PERSON_LAYOUT_AUTO`).
    pub person_layout: u32,
}

impl Default for eik_options {
    fn default() -> Self {
        let d = Options::default();
        eik_options {
            strict: d.strict.into(),
            base64: d.base64.into(),
            unknown_codes_reject: d.unknown_codes_reject.into(),
            amount_scale: d.amount_scale,
            person_layout: eik_person_layout::Auto as u32,
        }
    }
}

impl eik_options {
    /// The core options, or `None` when a value is out of range.
    fn to_core(self) -> Option<Options> {
        if self.amount_scale > 16 {
            return None;
        }
        let person_layout = match self.person_layout {
            1 => PersonLayout::Current,
            2 => PersonLayout::PreTin,
            _ => PersonLayout::Auto,
        };
        Some(Options {
            strict: self.strict != 0,
            base64: self.base64 != 0,
            amount_scale: self.amount_scale,
            person_layout,
            unknown_codes_reject: self.unknown_codes_reject != 0,
            ..Options::default()
        })
    }
}

/// Where a record's bytes live.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum eik_source {
    /// Inside the input buffer passed to the call that returned the record.
    Input = 0,
    /// In the decoder's scratch area (the line was split across chunks,
    /// decoded from Base64, or returned by `eik_finish`).
    Scratch = 1,
}

/// One decoded record: a view, valid until the next call on the decoder
/// (for `EIK_SOURCE_INPUT`, also only while the caller keeps its input
/// buffer unchanged). Copy the bytes to keep them longer.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct eik_record {
    /// The line's bytes (ISO-8859-1), without its line terminator.
    pub bytes: *const u8,
    /// Number of bytes (the layout's length).
    pub len: usize,
    /// Physical line, 1-based.
    pub line: u64,
    /// Byte offset of the line's first byte in the (Base64-decoded) stream.
    pub offset: u64,
    /// Position in the decoder's event sequence, shared with `eik_error.seq`.
    pub seq: u64,
    /// The record's Lb_nr (running number written in the file).
    pub lb_nr: u32,
    /// The record type (`Rec_nr`): 1000, 2001, ..., 9999.
    pub record_type: u16,
    /// Index of the layout it was decoded with, for `eik_layout_at`
    /// (distinguishes variants such as the pre-TIN 6000);
    /// `EIK_LAYOUT_NONE` if not in the tables.
    pub layout_index: u16,
    /// Where `bytes` points.
    pub source: eik_source,
    /// Always 0.
    pub reserved: u32,
}

/// Accounting for one record type.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct eik_type_count {
    /// Lines of this type decoded.
    pub decoded: u64,
    /// Lines of this type rejected.
    pub rejected: u64,
    /// Record type; 0 marks an unused slot.
    pub record_type: u16,
    /// Always 0 (explicit padding).
    pub reserved: [u8; 6],
}

/// What a decoder has seen. Invariant: `lines == decoded + rejected`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct eik_counts {
    /// Lines seen (every line except one blank line at the very end).
    pub lines: u64,
    /// Records decoded.
    pub decoded: u64,
    /// Lines rejected.
    pub rejected: u64,
    /// Warnings reported.
    pub warnings: u64,
    /// Stream errors reported (not counting rejections).
    pub errors: u64,
    /// Findings beyond the core's per-line limit: counted, not reported.
    pub suppressed: u64,
    /// Bytes of record data consumed (after Base64 decoding).
    pub bytes: u64,
    /// Rejected lines whose record type could not be read.
    pub rejected_untyped: u64,
    /// Per record type, in layout order; unused slots have record_type 0.
    pub by_type: [eik_type_count; EIK_COUNTS_TYPES],
}

/// An opaque decoder handle. Made by `eik_decoder_new`, freed (once) by
/// `eik_decoder_free`.
pub struct eik_decoder {
    dec: Decoder,
    /// Bytes of this batch's records that do not live in the caller's input.
    scratch: Vec<u8>,
    /// Records of this batch whose bytes are in `scratch`: (slot, offset,
    /// record without its pointer). Their pointers are set when the batch
    /// ends, because `scratch` may move while it grows.
    pending: Vec<(usize, usize, eik_record)>,
    findings: VecDeque<eik_error>,
    seq: u64,
    /// `eik_finish` was called.
    finishing: bool,
    /// `eik_finish` drained what `eik_decode` left in the core.
    drained: bool,
    /// `eik_finish` returned done.
    done: bool,
    /// Strict mode stopped the decoder.
    stopped: bool,
    /// A panic was caught in a call on this handle.
    poisoned: bool,
}

/// Marks a decoder poisoned after a caught panic (called by the boundary).
pub(crate) fn poison(dec: *mut eik_decoder) {
    if !dec.is_null() {
        // SAFETY: the boundary only passes a handle the caller gave us, which
        // the contract requires to be live and not used concurrently; the
        // panicking body's borrow of it ended with the unwind.
        unsafe { (*dec).poisoned = true }
    }
}

/// Index of `layout` in the exported tables (current layouts, then variants).
fn layout_index(layout: &'static RecordLayout) -> u16 {
    let size = std::mem::size_of::<RecordLayout>();
    let addr = layout as *const RecordLayout as usize;
    let mut base = 0;
    for set in [BUILTIN.records, BUILTIN.variants] {
        let start = set.as_ptr() as usize;
        if addr >= start && addr < start + std::mem::size_of_val(set) {
            return u16::try_from(base + (addr - start) / size).unwrap_or(EIK_LAYOUT_NONE);
        }
        base += set.len();
    }
    EIK_LAYOUT_NONE
}

/// Whether `bytes` lies inside `input`.
fn within(input: &[u8], bytes: &[u8]) -> bool {
    let start = input.as_ptr() as usize;
    let b = bytes.as_ptr() as usize;
    !input.is_empty() && b >= start && b + bytes.len() <= start + input.len()
}

/// What a batch sees of the handle while the core decoder is borrowed.
struct Batch<'h, 'o> {
    out: &'o mut [MaybeUninit<eik_record>],
    n: usize,
    scratch: &'h mut Vec<u8>,
    pending: &'h mut Vec<(usize, usize, eik_record)>,
    findings: &'h mut VecDeque<eik_error>,
    seq: &'h mut u64,
}

impl Batch<'_, '_> {
    fn full(&self) -> bool {
        self.n >= self.out.len() || self.findings.len() >= EIK_MAX_PENDING_FINDINGS
    }

    fn next_seq(&mut self) -> u64 {
        let s = *self.seq;
        *self.seq += 1;
        s
    }

    /// Writes record `r` into the next slot; `input` is the whole caller
    /// buffer of this call (empty for `eik_finish`).
    fn record(&mut self, r: &Record<'_>, input: &[u8]) {
        let bytes = r.bytes();
        let mut rec = eik_record {
            bytes: bytes.as_ptr(),
            len: bytes.len(),
            line: r.line(),
            offset: r.offset(),
            seq: self.next_seq(),
            lb_nr: r.lb_nr(),
            record_type: r.record_type(),
            layout_index: layout_index(r.layout()),
            source: eik_source::Input,
            reserved: 0,
        };
        let Some(slot) = self.out.get_mut(self.n) else {
            return;
        };
        if within(input, bytes) {
            slot.write(rec);
        } else {
            // The bytes are in the core's line buffer, which the next decode
            // call overwrites: copy them to scratch.
            rec.source = eik_source::Scratch;
            rec.bytes = std::ptr::null();
            self.pending.push((self.n, self.scratch.len(), rec));
            self.scratch.extend_from_slice(bytes);
        }
        self.n += 1;
    }

    fn finding(&mut self, e: &eindkomst_core::Error, what: eik_finding) {
        let seq = self.next_seq();
        self.findings.push_back(eik_error::new(e, what, seq));
    }

    /// Points the scratch records at their bytes, now that scratch is final.
    fn close(self) -> usize {
        let base = self.scratch.as_ptr();
        for &(slot, off, rec) in self.pending.iter() {
            if let Some(s) = self.out.get_mut(slot) {
                s.write(eik_record { bytes: base.wrapping_add(off), ..rec });
            }
        }
        self.n
    }
}

impl eik_decoder {
    fn new(opts: Options) -> eik_decoder {
        eik_decoder {
            dec: Decoder::new(opts),
            scratch: Vec::new(),
            pending: Vec::new(),
            findings: VecDeque::new(),
            seq: 0,
            finishing: false,
            drained: false,
            done: false,
            stopped: false,
            poisoned: false,
        }
    }

    /// Splits the handle into the core decoder and a fresh batch over `out`.
    fn batch<'h, 'o>(&'h mut self, out: &'o mut [MaybeUninit<eik_record>]) -> (&'h mut Decoder, Batch<'h, 'o>) {
        self.scratch.clear();
        self.pending.clear();
        (
            &mut self.dec,
            Batch {
                out,
                n: 0,
                scratch: &mut self.scratch,
                pending: &mut self.pending,
                findings: &mut self.findings,
                seq: &mut self.seq,
            },
        )
    }

    /// One `eik_decode` batch: (records written, bytes consumed).
    pub(crate) fn decode_batch(&mut self, input: &[u8], out: &mut [MaybeUninit<eik_record>]) -> (usize, usize) {
        let stopped = self.stopped;
        let (dec, mut b) = self.batch(out);
        if stopped {
            // Strict mode stopped: nothing more will come; swallow the input.
            return (b.close(), input.len());
        }
        let mut used = 0;
        let mut now_stopped = false;
        while !b.full() {
            let rest = input.get(used..).unwrap_or_default();
            let (event, n) = dec.decode(rest);
            used += n;
            match event {
                Event::Record(r) => b.record(&r, input),
                Event::Rejected(e) => b.finding(&e, eik_finding::Rejected),
                Event::Error(e) => b.finding(&e, eik_finding::Error),
                Event::Warning(e) => b.finding(&e, eik_finding::Warning),
                Event::NeedInput => break,
                Event::End => {
                    now_stopped = true;
                    used = input.len();
                    break;
                }
            }
        }
        let n = b.close();
        self.stopped |= now_stopped;
        (n, used)
    }

    /// One `eik_finish` batch: (records written, done).
    pub(crate) fn finish_batch(&mut self, out: &mut [MaybeUninit<eik_record>]) -> (usize, bool) {
        self.finishing = true;
        let mut drained = self.drained;
        let mut done = self.done;
        let (dec, mut b) = self.batch(out);
        // An `eik_decode` batch may stop (cap reached) after consuming all of
        // its input while the core still holds decoded lines (Base64 output
        // not yet framed). The core's `finish` expects a decoder that has
        // returned NeedInput, so drain it first.
        while !drained && !b.full() {
            match dec.decode(&[]).0 {
                Event::Record(r) => b.record(&r, &[]),
                Event::Rejected(e) => b.finding(&e, eik_finding::Rejected),
                Event::Error(e) => b.finding(&e, eik_finding::Error),
                Event::Warning(e) => b.finding(&e, eik_finding::Warning),
                Event::NeedInput | Event::End => drained = true,
            }
        }
        while drained && !done && !b.full() {
            match dec.finish() {
                Event::Record(r) => b.record(&r, &[]),
                Event::Rejected(e) => b.finding(&e, eik_finding::Rejected),
                Event::Error(e) => b.finding(&e, eik_finding::Error),
                Event::Warning(e) => b.finding(&e, eik_finding::Warning),
                Event::NeedInput => {}
                Event::End => done = true,
            }
        }
        let n = b.close();
        self.drained = drained;
        self.done = done;
        (n, done)
    }
}

/// Fills `*out` with the default options (not strict, not Base64, amount
/// scale 6, person layout auto, unknown codes warn).
///
/// Returns `EIK_STATUS_NULL_POINTER` if `out` is NULL.
///
/// Ownership: `out` is caller-owned. Thread-safe.
///
/// # Safety
///
/// `out` must be NULL or point to writable memory for one `eik_options`.
#[no_mangle]
pub unsafe extern "C" fn eik_options_default(out: *mut eik_options) -> eik_status {
    ffi_boundary!(nonnull(out) {
        // SAFETY: non-null (checked) and writable per the contract.
        unsafe { out.write(eik_options::default()) };
        eik_status::Ok
    })
}

/// Makes a decoder. `options` may be NULL for the defaults. On success
/// `*out` holds the new handle; otherwise `*out` is left untouched.
///
/// Returns `EIK_STATUS_NULL_POINTER` if `out` is NULL,
/// `EIK_STATUS_INVALID_ARGUMENT` if `options->amount_scale > 16`. An unknown
/// `person_layout` falls back to `EIK_PERSON_LAYOUT_AUTO`.
///
/// Ownership: the caller owns the handle and must pass it to
/// `eik_decoder_free` exactly once. `options` is only read during the call.
/// Thread-safe.
///
/// # Safety
///
/// `options` must be NULL or point to a readable `eik_options`; `out` must be
/// NULL or point to writable memory for one pointer.
#[no_mangle]
pub unsafe extern "C" fn eik_decoder_new(options: *const eik_options, out: *mut *mut eik_decoder) -> eik_status {
    ffi_boundary!(nonnull(out) {
        let opts = if options.is_null() {
            eik_options::default()
        } else {
            // SAFETY: non-null and readable per the contract; eik_options is
            // plain integers, valid for every bit pattern.
            unsafe { options.read() }
        };
        let Some(core) = opts.to_core() else {
            return eik_status::InvalidArgument;
        };
        let handle = Box::into_raw(Box::new(eik_decoder::new(core)));
        // SAFETY: non-null (checked) and writable per the contract.
        unsafe { out.write(handle) };
        eik_status::Ok
    })
}

/// Frees a decoder and everything it owns (its scratch area: record views
/// of the last call become invalid). NULL is ignored.
///
/// Ownership: takes the handle back; do not use it afterwards or free it
/// twice. Must not run concurrently with another call on the same handle.
///
/// # Safety
///
/// `dec` must be NULL or a handle from `eik_decoder_new` not yet freed.
#[no_mangle]
pub unsafe extern "C" fn eik_decoder_free(dec: *mut eik_decoder) {
    ffi_boundary!(fallback (); {
        if !dec.is_null() {
            // SAFETY: a live handle made by Box::into_raw in eik_decoder_new,
            // freed once per the contract.
            drop(unsafe { Box::from_raw(dec) });
        }
    })
}

/// Decodes a chunk of input into a batch of records.
///
/// Runs the decoder over `input[0..len)` until one of: `cap` records are
/// written to `out`; the chunk is used up; `EIK_MAX_PENDING_FINDINGS`
/// findings wait to be taken. On `EIK_STATUS_OK`, `*n_out` is the number of
/// records written to `out[0..*n_out)` and `*consumed` the number of input
/// bytes used; pass `input + *consumed` on the next call (the rest of a chunk
/// may also come with more bytes appended: the decoder keeps no pointer into
/// `input`). Rejected lines, stream errors and warnings found meanwhile are
/// queued: fetch them with `eik_take_findings`. A line split across chunks is
/// completed across calls; `len == 0` (with `input` NULL or not) only
/// drains events still queued from an earlier call.
///
/// In strict mode the first rejected line or stream error stops the
/// decoder: that call and every later one report all input as consumed and
/// return no more records (`eik_decoder_stopped` tells).
///
/// Typical loop:
///
/// ```c
/// size_t off = 0, n, used;
/// while (off < len) {
///     if (eik_decode(dec, buf + off, len - off, recs, 256, &n, &used)) break;
///     off += used;
///     // use recs[0..n), then eik_take_findings()
/// }
/// ```
///
/// Returns `EIK_STATUS_NULL_POINTER` (`dec`, `out`, `n_out` or `consumed`
/// NULL, or `input` NULL with `len > 0`), `EIK_STATUS_BUFFER_TOO_SMALL`
/// (`cap == 0`), `EIK_STATUS_INVALID_ARGUMENT` (`len` or `cap` too large to
/// be a buffer size), `EIK_STATUS_FINISHED` (after `eik_finish`),
/// `EIK_STATUS_FINDINGS_FULL` (take findings first), `EIK_STATUS_PANIC`.
/// Out-parameters are written only on `EIK_STATUS_OK`.
///
/// Ownership: `input` and `out` stay caller-owned; the records' `bytes`
/// point into `input` (`EIK_SOURCE_INPUT`) or into the handle's scratch
/// area (`EIK_SOURCE_SCRATCH`), both valid until the next call on `dec`
/// (and the former only while `input` stays unchanged). Not thread-safe
/// for one handle: serialise calls on `dec`.
///
/// # Safety
///
/// `dec` must be a live handle; `input` must be readable for `len` bytes
/// (or NULL when `len` is 0); `out` must be writable for `cap` records; the
/// buffers must not overlap; `n_out` and `consumed` must be writable.
#[no_mangle]
pub unsafe extern "C" fn eik_decode(
    dec: *mut eik_decoder,
    input: *const u8,
    len: usize,
    out: *mut eik_record,
    cap: usize,
    n_out: *mut usize,
    consumed: *mut usize,
) -> eik_status {
    ffi_boundary!(poison dec; nonnull(out, n_out, consumed) {
        if input.is_null() && len != 0 {
            return eik_status::NullPointer;
        }
        // SAFETY: non-null live handle, not used concurrently (contract).
        let h = unsafe { &mut *dec };
        if h.poisoned {
            return eik_status::Panic;
        }
        if cap == 0 {
            return eik_status::BufferTooSmall;
        }
        if len > isize::MAX as usize
            || cap > isize::MAX as usize / std::mem::size_of::<eik_record>()
        {
            return eik_status::InvalidArgument;
        }
        if h.finishing {
            return eik_status::Finished;
        }
        if h.findings.len() >= EIK_MAX_PENDING_FINDINGS {
            return eik_status::FindingsFull;
        }
        let input: &[u8] = if len == 0 {
            &[]
        } else {
            // SAFETY: non-null, readable for len bytes (contract), len fits isize.
            unsafe { std::slice::from_raw_parts(input, len) }
        };
        // SAFETY: non-null, writable for cap records (contract), size fits
        // isize (checked); MaybeUninit makes no claim about the contents.
        let out = unsafe { std::slice::from_raw_parts_mut(out.cast::<MaybeUninit<eik_record>>(), cap) };
        let (n, used) = h.decode_batch(input, out);
        // SAFETY: non-null (checked) and writable (contract).
        unsafe {
            n_out.write(n);
            consumed.write(used);
        }
        eik_status::Ok
    })
}

/// Ends the stream: decodes a last line without terminator, runs the
/// end-of-stream checks (missing 9999, empty input, Base64 tail) and returns
/// what is left, in the same batch shape as `eik_decode`. Call until
/// `*done` is true; later calls return no records and `*done` true. After
/// the first call `eik_decode` returns `EIK_STATUS_FINISHED`.
///
/// Returns `EIK_STATUS_NULL_POINTER`, `EIK_STATUS_BUFFER_TOO_SMALL`
/// (`cap == 0`), `EIK_STATUS_INVALID_ARGUMENT`, `EIK_STATUS_FINDINGS_FULL`,
/// `EIK_STATUS_PANIC`. Out-parameters are written only on `EIK_STATUS_OK`.
///
/// Ownership and thread safety as `eik_decode`: records returned here always
/// live in the scratch area (`EIK_SOURCE_SCRATCH`), valid until the next call
/// on `dec`.
///
/// # Safety
///
/// `dec` must be a live handle; `out` writable for `cap` records; `n_out` and
/// `done` writable.
#[no_mangle]
pub unsafe extern "C" fn eik_finish(
    dec: *mut eik_decoder,
    out: *mut eik_record,
    cap: usize,
    n_out: *mut usize,
    done: *mut bool,
) -> eik_status {
    ffi_boundary!(poison dec; nonnull(out, n_out, done) {
        // SAFETY: non-null live handle, not used concurrently (contract).
        let h = unsafe { &mut *dec };
        if h.poisoned {
            return eik_status::Panic;
        }
        if cap == 0 {
            return eik_status::BufferTooSmall;
        }
        if cap > isize::MAX as usize / std::mem::size_of::<eik_record>() {
            return eik_status::InvalidArgument;
        }
        if !h.done && h.findings.len() >= EIK_MAX_PENDING_FINDINGS {
            return eik_status::FindingsFull;
        }
        // SAFETY: non-null, writable for cap records (contract), size fits isize.
        let out = unsafe { std::slice::from_raw_parts_mut(out.cast::<MaybeUninit<eik_record>>(), cap) };
        let (n, finished) = h.finish_batch(out);
        // SAFETY: non-null (checked) and writable (contract).
        unsafe {
            n_out.write(n);
            done.write(finished);
        }
        eik_status::Ok
    })
}

/// Moves up to `cap` of the oldest pending findings into `out[0..*n_out)`
/// (in order; `*n_out` is 0 when none wait). Findings stay queued in the
/// decoder until taken, across calls; each is returned once.
///
/// Returns `EIK_STATUS_NULL_POINTER`, `EIK_STATUS_BUFFER_TOO_SMALL`
/// (`cap == 0`), `EIK_STATUS_INVALID_ARGUMENT`, `EIK_STATUS_PANIC`.
///
/// Ownership: `out` is caller-owned; the strings in each `eik_error` are
/// static. Not thread-safe for one handle.
///
/// # Safety
///
/// `dec` must be a live handle; `out` writable for `cap` errors; `n_out`
/// writable.
#[no_mangle]
pub unsafe extern "C" fn eik_take_findings(
    dec: *mut eik_decoder,
    out: *mut eik_error,
    cap: usize,
    n_out: *mut usize,
) -> eik_status {
    ffi_boundary!(poison dec; nonnull(out, n_out) {
        // SAFETY: non-null live handle, not used concurrently (contract).
        let h = unsafe { &mut *dec };
        if h.poisoned {
            return eik_status::Panic;
        }
        if cap == 0 {
            return eik_status::BufferTooSmall;
        }
        if cap > isize::MAX as usize / std::mem::size_of::<eik_error>() {
            return eik_status::InvalidArgument;
        }
        // SAFETY: non-null, writable for cap errors (contract), size fits isize.
        let out = unsafe { std::slice::from_raw_parts_mut(out.cast::<MaybeUninit<eik_error>>(), cap) };
        let n = cap.min(h.findings.len());
        for (slot, e) in out.iter_mut().zip(h.findings.drain(..n)) {
            slot.write(e);
        }
        // SAFETY: non-null (checked) and writable (contract).
        unsafe { n_out.write(n) };
        eik_status::Ok
    })
}

/// Sets `*n` to the number of findings waiting in the decoder.
///
/// Returns `EIK_STATUS_NULL_POINTER`, `EIK_STATUS_PANIC`. Not thread-safe
/// for one handle.
///
/// # Safety
///
/// `dec` must be a live handle; `n` writable.
#[no_mangle]
pub unsafe extern "C" fn eik_pending_findings(dec: *const eik_decoder, n: *mut usize) -> eik_status {
    ffi_boundary!(nonnull(dec, n) {
        // SAFETY: non-null live handle (contract); only read.
        let h = unsafe { &*dec };
        if h.poisoned {
            return eik_status::Panic;
        }
        // SAFETY: non-null (checked) and writable (contract).
        unsafe { n.write(h.findings.len()) };
        eik_status::Ok
    })
}

/// Copies the decoder's accounting into `*out`.
///
/// Returns `EIK_STATUS_NULL_POINTER`, `EIK_STATUS_PANIC`.
///
/// Ownership: `out` is caller-owned. Not thread-safe for one handle.
///
/// # Safety
///
/// `dec` must be a live handle; `out` writable for one `eik_counts`.
#[no_mangle]
pub unsafe extern "C" fn eik_decoder_counts(dec: *const eik_decoder, out: *mut eik_counts) -> eik_status {
    ffi_boundary!(nonnull(dec, out) {
        // SAFETY: non-null live handle (contract); only read.
        let h = unsafe { &*dec };
        if h.poisoned {
            return eik_status::Panic;
        }
        let c = h.dec.counts();
        let mut by_type = [eik_type_count::default(); EIK_COUNTS_TYPES];
        for (slot, t) in by_type.iter_mut().zip(c.by_type.iter()) {
            *slot = eik_type_count {
                decoded: t.decoded,
                rejected: t.rejected,
                record_type: t.rec_nr,
                reserved: [0; 6],
            };
        }
        let counts = eik_counts {
            lines: c.lines,
            decoded: c.decoded,
            rejected: c.rejected,
            warnings: c.warnings,
            errors: c.errors,
            suppressed: c.suppressed,
            bytes: c.bytes,
            rejected_untyped: c.rejected_untyped,
            by_type,
        };
        // SAFETY: non-null (checked) and writable (contract).
        unsafe { out.write(counts) };
        eik_status::Ok
    })
}

/// Sets `*out` to whether strict mode stopped the decoder (after the first
/// rejected line or stream error).
///
/// Returns `EIK_STATUS_NULL_POINTER`, `EIK_STATUS_PANIC`. Not thread-safe
/// for one handle.
///
/// # Safety
///
/// `dec` must be a live handle; `out` writable.
#[no_mangle]
pub unsafe extern "C" fn eik_decoder_stopped(dec: *const eik_decoder, out: *mut bool) -> eik_status {
    ffi_boundary!(nonnull(dec, out) {
        // SAFETY: non-null live handle (contract); only read.
        let h = unsafe { &*dec };
        if h.poisoned {
            return eik_status::Panic;
        }
        // SAFETY: non-null (checked) and writable (contract).
        unsafe { out.write(h.stopped || h.dec.stopped()) };
        eik_status::Ok
    })
}

/// Test hook, not in the header: panics inside the boundary while holding
/// `dec` (which may be NULL), so tests in any language can prove that a panic
/// returns `EIK_STATUS_PANIC`, does not unwind into the caller and poisons
/// the decoder.
///
/// # Safety
///
/// `dec` must be NULL or a live handle.
#[doc(hidden)]
#[no_mangle]
pub unsafe extern "C" fn eik_test_force_panic(dec: *mut eik_decoder) -> eik_status {
    let status = ffi_boundary!(nonnull() {
        if !dec.is_null() {
            // SAFETY: live handle (contract).
            let h = unsafe { &mut *dec };
            h.seq = h.seq.wrapping_add(0);
        }
        panic!("eik_test_force_panic: deliberate panic to test the ABI boundary");
    });
    if status == eik_status::Panic {
        poison(dec);
    }
    status
}
