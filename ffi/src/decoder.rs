//! The decoder handle and the batch calls: one ordered array of events.

use std::io::Write as _;
use std::mem::MaybeUninit;

use eindkomst_core::layout::Family;
use eindkomst_core::{Encoding, Options, Unknown};
use eindkomst_std::family::{layout_index, PersonLayout};
use eindkomst_std::filter::{FilterSpec, Key};
use eindkomst_std::{Event, FindingType, Progress, Session, Sink};

use crate::boundary::ffi_boundary;
use crate::family::{eik_family, family_of, EIK_LAYOUT_NONE};
use crate::{eik_status, eik_str, slice, too_long, write_message};

/// Fewest events `eik_decode`/`eik_finish` accept room for (one record can
/// release up to eight held headers before itself).
pub const EIK_MIN_EVENTS: usize = 16;

/// Number of per-record-type slots in `eik_counts`.
pub const EIK_COUNTS_TYPES: usize = 32;

/// Layouts `eik_options.forced_layouts` can force.
pub const EIK_MAX_FORCED: usize = 4;

/// `eik_event.flags`: `lb_nr` holds the line's number (the family numbers lines).
pub const EIK_EVENT_HAS_LB_NR: u8 = 1;
/// `eik_event.flags`: `record_type` is known (always for records).
pub const EIK_EVENT_HAS_RECORD_TYPE: u8 = 2;
/// `eik_event.flags`: the finding names a field (`field_no`, `field_name`).
pub const EIK_EVENT_HAS_FIELD: u8 = 4;
/// `eik_event.flags`: a pseudonym of `EIK_PSEUDONYM_LEN` characters follows
/// the record's bytes (`bytes[len .. len+16)`); its CPR field is blank.
pub const EIK_EVENT_HAS_PSEUDONYM: u8 = 8;
/// `eik_event.flags`: `bytes` point into the decoder's scratch area
/// (`eik_batch.scratch`), not into the caller's input.
pub const EIK_EVENT_IN_SCRATCH: u8 = 16;

/// What an event is.
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum eik_event_type {
    /// A decoded record (kept by the filter, if any).
    Record = 1,
    /// A line with an unknown record key passed through
    /// (`EIK_UNKNOWN_RAW`); `key_start`/`key_len` locate its key.
    Raw = 2,
    /// A line that could not be decoded (counted in `eik_counts.rejected`).
    Rejected = 3,
    /// A problem of the stream, not of one line's content.
    Error = 4,
    /// Something uncertain; the record it names was decoded.
    Warning = 5,
}

/// How characters are encoded (`eik_options.encoding`).
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum eik_encoding {
    /// ISO-8859-1, unless the file is UTF-8 (decided per file; one
    /// `utf8_encoded` warning).
    Auto = 0,
    /// Always ISO-8859-1 (the format's encoding).
    Latin1 = 1,
    /// Always UTF-8, transcoded to ISO-8859-1 before slicing.
    Utf8 = 2,
}

/// What to do with a line whose record key has no layout
/// (`eik_options.unknown`).
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum eik_unknown {
    /// Reject it (`unknown_record_type`).
    Reject = 0,
    /// Pass it through as an `EIK_EVENT_RAW` event, with a `passed_raw`
    /// warning (not with a filter: a filter cannot judge it).
    Raw = 1,
}

/// The employer family's 6000 layout (`eik_options.person_layout`), a
/// convenience over `forced_layouts`.
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum eik_person_layout {
    /// The family's rules: line length, delivery date, content.
    Auto = 0,
    /// Always the current layout (with TIN).
    Current = 1,
    /// Always the pre-TIN layout (v7.1).
    PreTin = 2,
    /// Always TaxCardBuilder's 99-byte 6000.
    TaxCardBuilder = 3,
}

/// Decoder settings. Fill with `eik_options_default`, then change fields.
/// Flags are bytes: 0 is false, any other value true.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct eik_options {
    /// The record family; NULL: the employer family.
    pub family: *const eik_family,
    /// The filter (Dataafgrænsning) as JSON text, UTF-8: the `FilterSpec`
    /// shape of every face (docs/filtering.md), e.g. `{"cprs":
    /// ["6101901234"], "profile": "minimal"}`. NULL: no filter. Copied by
    /// `eik_decoder_new`.
    pub filter_json: *const u8,
    /// Length of `filter_json` in bytes.
    pub filter_json_len: usize,
    /// Pseudonymisation key (at least 16 bytes); NULL: none. With a key, a
    /// filter is set even without `filter_json`. Copied.
    pub pseudonym_key: *const u8,
    /// Key length in bytes.
    pub pseudonym_key_len: usize,
    /// Layout indexes (`eik_family_find_layout`) forced for their record
    /// type instead of the family's variant rules; `EIK_LAYOUT_NONE`: unused.
    pub forced_layouts: [u16; EIK_MAX_FORCED],
    /// An `eik_encoding` (default `EIK_ENCODING_AUTO`).
    pub encoding: u8,
    /// An `eik_unknown` (default `EIK_UNKNOWN_REJECT`).
    pub unknown: u8,
    /// An `eik_person_layout` (default auto); applied after `forced_layouts`.
    pub person_layout: u8,
    /// Stop at the first rejected line or stream error.
    pub strict: u8,
    /// Input is Base64 text (a Beskedfordeler message body).
    pub base64: u8,
    /// A code outside an open value set rejects the line instead of warning.
    pub unknown_codes_reject: u8,
    /// Decimals in amounts, 0-16 (default 6).
    pub amount_scale: u8,
    /// Always 0.
    pub reserved: u8,
}

impl Default for eik_options {
    fn default() -> Self {
        let d = Options::default();
        eik_options {
            family: std::ptr::null(),
            filter_json: std::ptr::null(),
            filter_json_len: 0,
            pseudonym_key: std::ptr::null(),
            pseudonym_key_len: 0,
            forced_layouts: [EIK_LAYOUT_NONE; EIK_MAX_FORCED],
            encoding: eik_encoding::Auto as u8,
            unknown: eik_unknown::Reject as u8,
            person_layout: eik_person_layout::Auto as u8,
            strict: d.strict.into(),
            base64: d.base64.into(),
            unknown_codes_reject: d.unknown_codes_reject.into(),
            amount_scale: d.amount_scale,
            reserved: 0,
        }
    }
}

/// The core options `o` stands for (without the filter), or `None` when a
/// value is out of range. Unknown enum values fall back to the default.
pub(crate) fn core_options(o: &eik_options) -> Option<Options> {
    if o.amount_scale > 16 {
        return None;
    }
    let family: &'static Family = family_of(o.family);
    let mut opts = Options {
        strict: o.strict != 0,
        base64: o.base64 != 0,
        amount_scale: o.amount_scale,
        unknown_codes_reject: o.unknown_codes_reject != 0,
        family,
        encoding: match o.encoding {
            1 => Encoding::Latin1,
            2 => Encoding::Utf8,
            _ => Encoding::Auto,
        },
        unknown: if o.unknown == eik_unknown::Raw as u8 { Unknown::Raw } else { Unknown::Reject },
        ..Options::default()
    };
    for &i in o.forced_layouts.iter().filter(|&&i| i != EIK_LAYOUT_NONE) {
        opts = opts.with_layout(family.layouts().nth(i as usize)?);
    }
    let person = PersonLayout::ALL.get(o.person_layout as usize).copied().unwrap_or_default();
    person.apply(opts).ok()
}

/// The filter `o` asks for: its JSON and key.
///
/// # Safety
///
/// The pointers in `o` must be readable for their lengths.
unsafe fn filter_spec(o: &eik_options) -> Result<Option<FilterSpec>, (eik_status, String)> {
    let null = || (eik_status::NullPointer, String::from("filter_json or pseudonym_key is NULL with a length"));
    // SAFETY: readable for their lengths (contract).
    let json = unsafe { slice(o.filter_json, o.filter_json_len) }.ok_or_else(null)?;
    // SAFETY: as above.
    let key = unsafe { slice(o.pseudonym_key, o.pseudonym_key_len) }.ok_or_else(null)?;
    if o.filter_json.is_null() && o.pseudonym_key.is_null() {
        return Ok(None);
    }
    let mut spec = if o.filter_json.is_null() {
        FilterSpec::default()
    } else {
        let text = std::str::from_utf8(json).map_err(|_| (eik_status::InvalidFilter, "filter: not UTF-8".into()))?;
        FilterSpec::from_json(text).map_err(|e| (eik_status::InvalidFilter, e))?
    };
    if !o.pseudonym_key.is_null() {
        spec.pseudonym_key = Some(Key(key.to_vec()));
    }
    Ok(Some(spec))
}

/// One event: a record, a raw line or a finding, in input order.
///
/// Records and raw lines: `bytes[0..len)` is the line (ISO-8859-1, the
/// layout's full width, without terminator), `line`/`offset` where it
/// stands, `layout` its layout index (`eik_family_layout`; a raw line:
/// `EIK_LAYOUT_NONE`). Findings (`EIK_EVENT_REJECTED`, `_ERROR`,
/// `_WARNING`): `kind` (`EIK_KIND_*`), `bytes[0..len)` the one-line message
/// in UTF-8 ("line 11 (Lb_nr 11), record 6001, field 4 Beloeb, offset 657:
/// non-digit in numeric field"; never a field's value), `expected`/`found`
/// the kind's numbers, and the line, Lb_nr, record type and field it names.
/// Valid until the next call on the decoder (bytes in the caller's input:
/// while the input stays unchanged).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct eik_event {
    /// The line (records, raw lines) or the message (findings).
    pub bytes: *const u8,
    /// Physical line, 1-based (0 for a finding about the whole stream).
    pub line: u64,
    /// Byte offset of the line (or of the offending byte) in the stream.
    pub offset: u64,
    /// Finding: the kind's first number (a limit, an expected length or
    /// count); else 0.
    pub expected: u64,
    /// Finding: the kind's second number (a length, count or byte found);
    /// else 0.
    pub found: u64,
    /// Finding with `EIK_EVENT_HAS_FIELD`: the field's name.
    pub field_name: eik_str,
    /// Number of bytes at `bytes`.
    pub len: u32,
    /// The line number written in the line (employer `Lb_nr`) when
    /// `EIK_EVENT_HAS_LB_NR`; else 0.
    pub lb_nr: u32,
    /// The record type when `EIK_EVENT_HAS_RECORD_TYPE`.
    pub record_type: u16,
    /// A record's layout index; `EIK_LAYOUT_NONE` otherwise.
    pub layout: u16,
    /// A finding's kind (`EIK_KIND_*`); 0 for records and raw lines.
    pub kind: u16,
    /// An `eik_event_type`.
    pub event_type: u8,
    /// `EIK_EVENT_HAS_*` and `EIK_EVENT_IN_SCRATCH` bits.
    pub flags: u8,
    /// A finding's field number when `EIK_EVENT_HAS_FIELD`.
    pub field_no: u8,
    /// A raw line's key: `bytes[key_start .. key_start+key_len)`.
    pub key_start: u8,
    /// The key's length.
    pub key_len: u8,
    /// Always 0.
    pub reserved: [u8; 5],
}

/// What one `eik_decode` / `eik_finish` call did.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct eik_batch {
    /// Events written to the array.
    pub n_events: usize,
    /// `eik_decode`: input bytes used; pass `input + consumed` next (alone
    /// or with more bytes after it). `eik_finish`: 0.
    pub consumed: usize,
    /// The scratch area events with `EIK_EVENT_IN_SCRATCH` point into
    /// (valid until the next call on the decoder).
    pub scratch: *const u8,
    /// Bytes in the scratch area.
    pub scratch_len: usize,
    /// `eik_finish`: 1 when everything was delivered (call again while 0).
    /// `eik_decode`: 1 when the decoder stopped (strict mode after a fatal
    /// finding, or a file of another family): later input is ignored.
    pub done: u8,
    /// Always 0.
    pub reserved: [u8; 7],
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
    /// Always 0.
    pub reserved: [u8; 6],
}

/// What a decoder has seen. Invariant: `lines == decoded + rejected + raw`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct eik_counts {
    /// Lines seen (every line except one blank line at the very end).
    pub lines: u64,
    /// Records decoded (before the filter).
    pub decoded: u64,
    /// Lines rejected.
    pub rejected: u64,
    /// Lines passed through raw.
    pub raw: u64,
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
    /// Per record type, in the family's order; unused slots have record_type 0.
    pub by_type: [eik_type_count; EIK_COUNTS_TYPES],
}

/// The filter's accounting. After `eik_finish` is done: `seen == passed +
/// cpr + se + record_type + felt + period + parent_dropped + empty_header`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct eik_filter_counts {
    /// Records given to the filter.
    pub seen: u64,
    /// Records passed on (headers included).
    pub passed: u64,
    /// Headers held now, waiting for a record under them.
    pub held: u64,
    /// Filtered out: CPR not in the set.
    pub cpr: u64,
    /// Filtered out: employer's SE-nr not in the set.
    pub se: u64,
    /// Filtered out: record type not selected.
    pub record_type: u64,
    /// Filtered out: feltnummer not selected.
    pub felt: u64,
    /// Filtered out: income period outside the period.
    pub period: u64,
    /// Filtered out: the record it belongs to was dropped.
    pub parent_dropped: u64,
    /// Filtered out: a header with nothing kept under it.
    pub empty_header: u64,
}

/// An opaque decoder handle. Made by `eik_decoder_new`, freed (once) by
/// `eik_decoder_free`.
pub struct eik_decoder {
    session: Session,
    family: &'static Family,
    /// Bytes of this batch that do not live in the caller's input.
    scratch: Vec<u8>,
    /// Events whose bytes are in `scratch`: (slot, offset). Their pointers
    /// are set when the batch ends, because `scratch` may move as it grows.
    pending: Vec<(usize, usize)>,
    /// `eik_finish` was called.
    finishing: bool,
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

/// The array a batch fills.
struct Out<'a> {
    out: &'a mut [MaybeUninit<eik_event>],
    n: usize,
    input: &'a [u8],
    scratch: &'a mut Vec<u8>,
    pending: &'a mut Vec<(usize, usize)>,
    family: &'static Family,
}

/// Whether `bytes` lies inside `input`.
fn within(input: &[u8], bytes: &[u8]) -> bool {
    let start = input.as_ptr() as usize;
    let b = bytes.as_ptr() as usize;
    !input.is_empty() && b >= start && b + bytes.len() <= start + input.len()
}

impl Out<'_> {
    fn blank(&self) -> eik_event {
        eik_event {
            bytes: std::ptr::null(),
            line: 0,
            offset: 0,
            expected: 0,
            found: 0,
            field_name: eik_str::EMPTY,
            len: 0,
            lb_nr: 0,
            record_type: 0,
            layout: EIK_LAYOUT_NONE,
            kind: 0,
            event_type: 0,
            flags: 0,
            field_no: 0,
            key_start: 0,
            key_len: 0,
            reserved: [0; 5],
        }
    }

    /// Writes `ev` into the next slot; `bytes` in the input are pointed at,
    /// others copied to scratch (with `extra` after them).
    fn put(&mut self, mut ev: eik_event, bytes: &[u8], extra: &[u8]) {
        let Some(slot) = self.out.get_mut(self.n) else {
            // The batch loop asks for room before every step; an event past
            // the end would be lost, so this is a bug: the boundary turns it
            // into EIK_STATUS_PANIC and poisons the decoder.
            panic!("eik_decode: event array overflow");
        };
        if extra.is_empty() && within(self.input, bytes) {
            ev.bytes = bytes.as_ptr();
        } else {
            ev.flags |= EIK_EVENT_IN_SCRATCH;
            self.pending.push((self.n, self.scratch.len()));
            self.scratch.extend_from_slice(bytes);
            self.scratch.extend_from_slice(extra);
        }
        ev.len = bytes.len() as u32;
        slot.write(ev);
        self.n += 1;
    }

    /// Points the scratch events at their bytes, now that scratch is final.
    fn close(self) -> usize {
        let base = self.scratch.as_ptr();
        for &(slot, off) in self.pending.iter() {
            if let Some(s) = self.out.get_mut(slot) {
                // SAFETY: every slot in `pending` was written by `put`.
                let ev = unsafe { s.assume_init_mut() };
                ev.bytes = base.wrapping_add(off);
            }
        }
        self.n
    }
}

impl Sink for Out<'_> {
    fn room(&self) -> usize {
        self.out.len() - self.n
    }

    fn event(&mut self, event: Event<'_>) {
        let lb_flag = if self.family.line_number.is_some() { EIK_EVENT_HAS_LB_NR } else { 0 };
        // Most events: a record whose line is in the input. Written straight into
        // its slot, without the blank event and the move through `put` (the hosts
        // pay for every instruction here on every record).
        if let Event::Record { record, pseudonym: None } = &event {
            let bytes = record.bytes();
            if within(self.input, bytes) {
                let Some(slot) = self.out.get_mut(self.n) else {
                    panic!("eik_decode: event array overflow"); // as in `put`
                };
                slot.write(eik_event {
                    bytes: bytes.as_ptr(),
                    line: record.line(),
                    offset: record.offset(),
                    expected: 0,
                    found: 0,
                    field_name: eik_str::EMPTY,
                    len: bytes.len() as u32,
                    lb_nr: record.lb_nr(),
                    record_type: record.record_type(),
                    layout: layout_index(self.family, record.layout()).unwrap_or(EIK_LAYOUT_NONE),
                    kind: 0,
                    event_type: eik_event_type::Record as u8,
                    flags: EIK_EVENT_HAS_RECORD_TYPE | lb_flag,
                    field_no: 0,
                    key_start: 0,
                    key_len: 0,
                    reserved: [0; 5],
                });
                self.n += 1;
                return;
            }
        }
        let mut ev = self.blank();
        match event {
            Event::Record { record, pseudonym } => {
                ev.event_type = eik_event_type::Record as u8;
                ev.line = record.line();
                ev.offset = record.offset();
                ev.lb_nr = record.lb_nr();
                ev.record_type = record.record_type();
                ev.layout = layout_index(self.family, record.layout()).unwrap_or(EIK_LAYOUT_NONE);
                ev.flags = EIK_EVENT_HAS_RECORD_TYPE | lb_flag;
                let extra: &[u8] = match &pseudonym {
                    Some(p) => {
                        ev.flags |= EIK_EVENT_HAS_PSEUDONYM;
                        &p.0
                    }
                    None => &[],
                };
                self.put(ev, record.bytes(), extra);
            }
            Event::Raw(raw) => {
                ev.event_type = eik_event_type::Raw as u8;
                ev.line = raw.line;
                ev.offset = raw.offset;
                if let Some(n) = raw.lb_nr {
                    ev.lb_nr = n;
                    ev.flags |= EIK_EVENT_HAS_LB_NR;
                }
                let key_start = (raw.key.as_ptr() as usize).saturating_sub(raw.bytes.as_ptr() as usize);
                ev.key_start = u8::try_from(key_start).unwrap_or(0);
                ev.key_len = u8::try_from(raw.key.len()).unwrap_or(0);
                self.put(ev, raw.bytes, &[]);
            }
            Event::Finding(f) => {
                let e = f.error;
                ev.event_type = match f.finding_type {
                    FindingType::Rejected => eik_event_type::Rejected,
                    FindingType::Error => eik_event_type::Error,
                    FindingType::Warning => eik_event_type::Warning,
                } as u8;
                ev.kind = e.kind.number();
                (ev.expected, ev.found) = e.kind.numbers();
                ev.line = e.line;
                ev.offset = e.offset;
                if let Some(n) = e.lb_nr {
                    ev.lb_nr = n;
                    ev.flags |= EIK_EVENT_HAS_LB_NR;
                }
                if let Some(r) = e.record {
                    ev.record_type = r;
                    ev.flags |= EIK_EVENT_HAS_RECORD_TYPE;
                }
                if let Some(field) = e.field {
                    ev.field_no = field.no;
                    ev.field_name = eik_str::of(field.name);
                    ev.flags |= EIK_EVENT_HAS_FIELD;
                }
                // The message goes straight to scratch (findings are rare).
                let at = self.scratch.len();
                let _ = write!(self.scratch, "{e}");
                let message = self.scratch.split_off(at);
                self.put(ev, &message, &[]);
            }
        }
    }
}

impl eik_decoder {
    /// Splits the handle into its session and a fresh batch over `out`.
    fn batch<'a>(&'a mut self, input: &'a [u8], out: &'a mut [MaybeUninit<eik_event>]) -> (&'a mut Session, Out<'a>) {
        self.scratch.clear();
        self.pending.clear();
        let family = self.family;
        (&mut self.session, Out { out, n: 0, input, scratch: &mut self.scratch, pending: &mut self.pending, family })
    }

    fn batch_out(&self, n: usize, consumed: usize, done: bool) -> eik_batch {
        eik_batch {
            n_events: n,
            consumed,
            scratch: self.scratch.as_ptr(),
            scratch_len: self.scratch.len(),
            done: done.into(),
            reserved: [0; 7],
        }
    }
}

/// Fills `*out` with the default options (employer family, no filter,
/// encoding auto, unknown keys rejected, no forced layout, person layout
/// auto, not strict, not Base64, amount scale 6, unknown codes warn).
///
/// Returns `EIK_STATUS_NULL_POINTER` if `out` is NULL. Thread-safe.
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
/// `*out` holds the new handle; otherwise `*out` is left untouched and, for
/// `EIK_STATUS_INVALID_FILTER` / `EIK_STATUS_INVALID_ARGUMENT`, `message`
/// (if not NULL) receives the reason, NUL-terminated, cut to `message_cap`
/// bytes. A reason never holds a CPR number or the key.
///
/// Returns `EIK_STATUS_NULL_POINTER` (`out` NULL, or a NULL pointer with a
/// length in `options`), `EIK_STATUS_INVALID_ARGUMENT` (`amount_scale >
/// 16`, a forced layout index the family does not have, a person layout the
/// family does not have), `EIK_STATUS_INVALID_FILTER` (bad filter JSON, a
/// key shorter than 16 bytes), `EIK_STATUS_PANIC`. Unknown values of
/// `encoding`, `unknown` and `person_layout` fall back to the defaults.
///
/// Ownership: the caller owns the handle and must pass it to
/// `eik_decoder_free` exactly once. `options` and what it points to are only
/// read during the call. Thread-safe.
///
/// # Safety
///
/// `options` must be NULL or readable, its pointers readable for their
/// lengths; `out` writable; `message` NULL or writable for `message_cap` bytes.
#[no_mangle]
pub unsafe extern "C" fn eik_decoder_new(
    options: *const eik_options,
    out: *mut *mut eik_decoder,
    message: *mut u8,
    message_cap: usize,
) -> eik_status {
    ffi_boundary!(nonnull(out) {
        // SAFETY: NULL or readable (contract).
        let o = if options.is_null() { eik_options::default() } else { unsafe { options.read() } };
        let fail = |status: eik_status, text: &str| {
            // SAFETY: NULL or writable for message_cap bytes (contract).
            unsafe { write_message(message, message_cap, text) };
            status
        };
        let Some(opts) = core_options(&o) else {
            return fail(eik_status::InvalidArgument, "options: amount_scale above 16, or a forced layout the family does not have");
        };
        // SAFETY: the options' pointers are readable for their lengths (contract).
        let spec = match unsafe { filter_spec(&o) } {
            Ok(spec) => spec,
            Err((status, text)) => return fail(status, &text),
        };
        let session = match Session::new(opts, spec.as_ref()) {
            Ok(s) => s,
            Err(text) => return fail(eik_status::InvalidFilter, &text),
        };
        let dec = Box::new(eik_decoder {
            session,
            family: opts.family,
            scratch: Vec::new(),
            pending: Vec::new(),
            finishing: false,
            poisoned: false,
        });
        // SAFETY: non-null (checked), writable (contract).
        unsafe { out.write(Box::into_raw(dec)) };
        eik_status::Ok
    })
}

/// Frees a decoder (its filter, scratch area; event views of the last call
/// become invalid). NULL is ignored.
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

/// Checks the arguments shared by `eik_decode` and `eik_finish`.
fn check_events(h: &eik_decoder, cap: usize) -> Option<eik_status> {
    if h.poisoned {
        Some(eik_status::Panic)
    } else if cap < EIK_MIN_EVENTS {
        Some(eik_status::BufferTooSmall)
    } else if too_long::<eik_event>(cap) {
        Some(eik_status::InvalidArgument)
    } else {
        None
    }
}

/// Decodes a chunk of input into one array of events, in input order.
///
/// Runs the decoder (and the filter, if any) over `input[0..len)` and writes
/// the events it finds (records, raw lines, rejected lines, stream errors,
/// warnings, interleaved as in the input) to `events[0..batch.n_events)`,
/// until the chunk is used up or `events` is full (then call again with
/// `input + batch.consumed`). A line split across chunks is completed across
/// calls: the rest of a chunk may come with more bytes after it, the decoder
/// keeps no pointer into `input`. `len == 0` only delivers what is waiting.
///
/// In strict mode the first rejected line or stream error is the batch's
/// last event: the decoder stops, `batch.done` is 1, all input counts as
/// consumed, and later calls return no events.
///
/// ```c
/// eik_event ev[1024];
/// eik_batch b;
/// for (size_t off = 0; off < len; off += b.consumed) {
///     if (eik_decode(dec, buf + off, len - off, ev, 1024, &b)) break;
///     for (size_t i = 0; i < b.n_events; i++) handle(&ev[i]);
/// }
/// ```
///
/// Returns `EIK_STATUS_NULL_POINTER` (`dec`, `events` or `out` NULL, or
/// `input` NULL with `len > 0`), `EIK_STATUS_BUFFER_TOO_SMALL` (`cap <
/// EIK_MIN_EVENTS`), `EIK_STATUS_INVALID_ARGUMENT` (`len` or `cap` too large
/// to be a buffer size), `EIK_STATUS_FINISHED` (after `eik_finish`),
/// `EIK_STATUS_PANIC`. `*out` is written only on `EIK_STATUS_OK`.
///
/// Ownership: `input`, `events` and `out` stay caller-owned; events point
/// into `input` or into the scratch area, valid until the next call on `dec`
/// (and the former only while `input` stays unchanged). Not thread-safe for
/// one handle: serialise calls on `dec`.
///
/// # Safety
///
/// `dec` must be a live handle; `input` readable for `len` bytes (or NULL
/// when `len` is 0); `events` writable for `cap` events; `out` writable; the
/// buffers must not overlap.
#[no_mangle]
pub unsafe extern "C" fn eik_decode(
    dec: *mut eik_decoder,
    input: *const u8,
    len: usize,
    events: *mut eik_event,
    cap: usize,
    out: *mut eik_batch,
) -> eik_status {
    ffi_boundary!(poison dec; nonnull(events, out) {
        // SAFETY: non-null live handle, not used concurrently (contract).
        let h = unsafe { &mut *dec };
        if let Some(status) = check_events(h, cap) {
            return status;
        }
        if h.finishing {
            return eik_status::Finished;
        }
        // SAFETY: readable for len bytes (contract).
        let Some(input) = (unsafe { slice(input, len) }) else {
            return if input.is_null() { eik_status::NullPointer } else { eik_status::InvalidArgument };
        };
        // SAFETY: non-null, writable for cap events (contract), size fits
        // isize (checked); MaybeUninit makes no claim about the contents.
        let events = unsafe { std::slice::from_raw_parts_mut(events.cast::<MaybeUninit<eik_event>>(), cap) };
        let (session, mut sink) = h.batch(input, events);
        let (used, progress) = session.feed(input, &mut sink);
        let n = sink.close();
        let batch = h.batch_out(n, used, progress == Progress::Stopped);
        // SAFETY: non-null (checked) and writable (contract).
        unsafe { out.write(batch) };
        eik_status::Ok
    })
}

/// Ends the stream: frames what the decoder still holds (a last line
/// without terminator, Base64 bytes), runs the end-of-stream checks
/// (missing end record, empty input, trailer count) and ends the filter, in
/// the same batch shape as `eik_decode`. Call until `batch.done` is 1;
/// later calls return no events and `done` 1. After the first call
/// `eik_decode` returns `EIK_STATUS_FINISHED`.
///
/// Returns `EIK_STATUS_NULL_POINTER`, `EIK_STATUS_BUFFER_TOO_SMALL`,
/// `EIK_STATUS_INVALID_ARGUMENT`, `EIK_STATUS_PANIC`. `*out` is written only
/// on `EIK_STATUS_OK`. Events returned here live in the scratch area.
///
/// # Safety
///
/// `dec` must be a live handle; `events` writable for `cap` events; `out`
/// writable.
#[no_mangle]
pub unsafe extern "C" fn eik_finish(
    dec: *mut eik_decoder,
    events: *mut eik_event,
    cap: usize,
    out: *mut eik_batch,
) -> eik_status {
    ffi_boundary!(poison dec; nonnull(events, out) {
        // SAFETY: non-null live handle, not used concurrently (contract).
        let h = unsafe { &mut *dec };
        if let Some(status) = check_events(h, cap) {
            return status;
        }
        h.finishing = true;
        // SAFETY: non-null, writable for cap events (contract), size fits isize.
        let events = unsafe { std::slice::from_raw_parts_mut(events.cast::<MaybeUninit<eik_event>>(), cap) };
        let (session, mut sink) = h.batch(&[], events);
        let done = session.finish(&mut sink);
        let n = sink.close();
        let batch = h.batch_out(n, 0, done);
        // SAFETY: non-null (checked) and writable (contract).
        unsafe { out.write(batch) };
        eik_status::Ok
    })
}

/// Runs `f` on a live, unpoisoned decoder and writes its result to `out`.
///
/// # Safety
///
/// `dec` must be NULL or a live handle; `out` NULL or writable.
unsafe fn read_decoder<T>(
    dec: *const eik_decoder,
    out: *mut T,
    f: impl FnOnce(&eik_decoder) -> Result<T, eik_status>,
) -> eik_status {
    ffi_boundary!(nonnull(dec, out) {
        // SAFETY: non-null live handle (contract); only read.
        let h = unsafe { &*dec };
        if h.poisoned {
            return eik_status::Panic;
        }
        match f(h) {
            Ok(v) => {
                // SAFETY: non-null (checked) and writable (contract).
                unsafe { out.write(v) };
                eik_status::Ok
            }
            Err(status) => status,
        }
    })
}

/// Copies the decoder's accounting into `*out`.
///
/// Returns `EIK_STATUS_NULL_POINTER`, `EIK_STATUS_PANIC`. Not thread-safe
/// for one handle.
///
/// # Safety
///
/// `dec` must be a live handle; `out` writable for one `eik_counts`.
#[no_mangle]
pub unsafe extern "C" fn eik_decoder_counts(dec: *const eik_decoder, out: *mut eik_counts) -> eik_status {
    // SAFETY: as the contract above.
    unsafe {
        read_decoder(dec, out, |h| {
            let c = h.session.counts();
            let mut by_type = [eik_type_count::default(); EIK_COUNTS_TYPES];
            for (slot, t) in by_type.iter_mut().zip(c.by_type.iter()) {
                *slot = eik_type_count {
                    decoded: t.decoded,
                    rejected: t.rejected,
                    record_type: t.rec_nr,
                    reserved: [0; 6],
                };
            }
            Ok(eik_counts {
                lines: c.lines,
                decoded: c.decoded,
                rejected: c.rejected,
                raw: c.raw,
                warnings: c.warnings,
                errors: c.errors,
                suppressed: c.suppressed,
                bytes: c.bytes,
                rejected_untyped: c.rejected_untyped,
                by_type,
            })
        })
    }
}

/// Copies the filter's accounting into `*out`.
///
/// Returns `EIK_STATUS_NOT_FOUND` when the decoder has no filter,
/// `EIK_STATUS_NULL_POINTER`, `EIK_STATUS_PANIC`. Not thread-safe for one
/// handle.
///
/// # Safety
///
/// `dec` must be a live handle; `out` writable.
#[no_mangle]
pub unsafe extern "C" fn eik_decoder_filter_counts(dec: *const eik_decoder, out: *mut eik_filter_counts) -> eik_status {
    // SAFETY: as the contract above.
    unsafe {
        read_decoder(dec, out, |h| {
            let c = h.session.filter_counts().ok_or(eik_status::NotFound)?;
            use eindkomst_core::filter::Reason as R;
            Ok(eik_filter_counts {
                seen: c.seen,
                passed: c.passed,
                held: c.held,
                cpr: c.of(R::Cpr),
                se: c.of(R::Se),
                record_type: c.of(R::RecordType),
                felt: c.of(R::Felt),
                period: c.of(R::Period),
                parent_dropped: c.of(R::ParentDropped),
                empty_header: c.of(R::EmptyHeader),
            })
        })
    }
}

/// Sets `*out` to whether the decoder stopped (strict mode after the first
/// rejected line or stream error, or a file of another family).
///
/// Returns `EIK_STATUS_NULL_POINTER`, `EIK_STATUS_PANIC`.
///
/// # Safety
///
/// `dec` must be a live handle; `out` writable.
#[no_mangle]
pub unsafe extern "C" fn eik_decoder_stopped(dec: *const eik_decoder, out: *mut bool) -> eik_status {
    // SAFETY: as the contract above.
    unsafe { read_decoder(dec, out, |h| Ok(h.session.stopped())) }
}

/// The decoder's family (the one its options named; the employer family
/// by default).
///
/// Returns `EIK_STATUS_NULL_POINTER`, `EIK_STATUS_PANIC`.
///
/// # Safety
///
/// `dec` must be a live handle; `out` writable.
#[no_mangle]
pub unsafe extern "C" fn eik_decoder_family(dec: *const eik_decoder, out: *mut *const eik_family) -> eik_status {
    // SAFETY: as the contract above.
    unsafe { read_decoder(dec, out, |h| Ok((h.family as *const Family).cast())) }
}

/// The field numbers the decoder's filter lets through for `record_type`,
/// as a bit set (bit `n` set: field number `n` is shown; the record key and
/// line number always are: a record type the profile does not pass may
/// still pass as a bare header). Without a filter every bit is set. A host leaves the other
/// fields out (they are blank in the record's bytes).
///
/// Returns `EIK_STATUS_NULL_POINTER`, `EIK_STATUS_PANIC`.
///
/// # Safety
///
/// `dec` must be a live handle; `out` writable.
#[no_mangle]
pub unsafe extern "C" fn eik_profile_fields(dec: *const eik_decoder, record_type: u16, out: *mut u64) -> eik_status {
    // SAFETY: as the contract above.
    unsafe { read_decoder(dec, out, |h| Ok(h.session.permitted(record_type))) }
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
            h.scratch.clear();
        }
        panic!("eik_test_force_panic: deliberate panic to test the ABI boundary");
    });
    if status == eik_status::Panic {
        poison(dec);
    }
    status
}
