//! Dataafgrænsning over the C ABI: a filter handle that takes the records
//! `eik_decode`/`eik_finish` returned and gives back the ones to pass on,
//! projected (fields the profile forbids blanked), with held headers put back
//! in front of the first record kept under them.
//!
//! ```c
//! eik_filter_options fo;
//! eik_filter_options_default(&fo);
//! fo.profile = EIK_PROFILE_MINIMAL;
//! eik_filter *f;
//! eik_filter_new(&fo, &f);
//! // after each eik_decode/eik_finish batch recs[0..n):
//! size_t off = 0, kn, used;
//! while (off < n) {
//!     eik_filter_records(f, recs + off, n - off, kept, 64, &kn, &used);
//!     off += used;   // use kept[0..kn)
//! }
//! eik_filter_finish(f);   // at the end: held headers count as empty
//! eik_filter_get_counts(f, &counts);
//! eik_filter_free(f);
//! ```
//!
//! The filter copies every set from its options, so the caller's arrays may
//! be freed after `eik_filter_new`.

use std::mem::MaybeUninit;

use eindkomst_core::filter::{
    pseudonymise, Filter, FilterOptions, Period, Profile, ProfileEntry, Projector, FULL, MINIMAL, PSEUDONYM_LEN,
};
use eindkomst_core::layout::{RecordLayout, BUILTIN};
use eindkomst_core::Record;

use crate::boundary::ffi_boundary;
use crate::decoder::{eik_record, eik_source};
use crate::eik_status;

/// Fewest output slots `eik_filter_records` needs: one record can release
/// four held headers (1000, 2001, 5000/2101, 6000) and pass itself.
pub const EIK_FILTER_MIN_CAP: usize = 5;

/// Length of `eik_kept_record.pseudonym`: 16 hex characters (64 bits of
/// the HMAC).
pub const EIK_PSEUDONYM_LEN: usize = 16;
const _: () = assert!(EIK_PSEUDONYM_LEN == PSEUDONYM_LEN);

/// `eik_filter_options.profile`: every record type, every field.
pub const EIK_PROFILE_FULL: u32 = 0;
/// `eik_filter_options.profile`: identity of employer and person, pay
/// period, A-indkomst (6001 felt 13, 14) and AM-bidrag (felt 16); see
/// docs/filtering.md.
pub const EIK_PROFILE_MINIMAL: u32 = 1;
/// `eik_filter_options.profile`: the caller's table, `profile_records` (and
/// `profile_feltnumre`).
pub const EIK_PROFILE_CUSTOM: u32 = 2;

/// Permitted fields of one record type in a custom profile.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct eik_profile_entry {
    /// Bit `n` set permits field number `n` (1-63); Lb_nr and Rec_nr are
    /// always kept.
    pub fields: u64,
    /// Record type.
    pub record_type: u16,
    /// Always 0.
    pub reserved: [u8; 6],
}

/// What to keep. Fill with `eik_filter_options_default`, then set fields.
/// Each set is a pointer and a count, sorted ascending without repeats; a
/// NULL pointer does not restrict (a non-NULL pointer with count 0 keeps
/// nothing of that dimension).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct eik_filter_options {
    /// CPR numbers to keep: `n_cprs` × 10 ASCII digits, back to back.
    pub cprs: *const u8,
    /// Number of CPR numbers.
    pub n_cprs: usize,
    /// Employers (2001 Virksomhed_SE_nr) to keep.
    pub se_nrs: *const u32,
    /// Number of SE-nrs.
    pub n_se_nrs: usize,
    /// Record types to keep (headers of kept records pass too).
    pub record_types: *const u16,
    /// Number of record types.
    pub n_record_types: usize,
    /// Felt numbers (Feltnummer of 3101, 6001-6005) to keep.
    pub feltnumre: *const u16,
    /// Number of felt numbers.
    pub n_feltnumre: usize,
    /// Custom profile table (`profile == EIK_PROFILE_CUSTOM`), sorted by
    /// record type; types not listed are not passed.
    pub profile_records: *const eik_profile_entry,
    /// Number of profile entries.
    pub n_profile_records: usize,
    /// Custom profile's permitted felt numbers; NULL: all.
    pub profile_feltnumre: *const u16,
    /// Number of profile felt numbers.
    pub n_profile_feltnumre: usize,
    /// Pseudonymisation key; NULL: CPRs are not pseudonymised.
    pub pseudonym_key: *const u8,
    /// Key length in bytes.
    pub pseudonym_key_len: usize,
    /// Income period, first day as YYYYMMDD; 0 together with `period_to`
    /// 0: no period restriction.
    pub period_from: u32,
    /// Income period, last day as YYYYMMDD.
    pub period_to: u32,
    /// `EIK_PROFILE_FULL` (default), `EIK_PROFILE_MINIMAL` or
    /// `EIK_PROFILE_CUSTOM`.
    pub profile: u32,
    /// Always 0.
    pub reserved: u32,
}

impl Default for eik_filter_options {
    fn default() -> Self {
        eik_filter_options {
            cprs: std::ptr::null(),
            n_cprs: 0,
            se_nrs: std::ptr::null(),
            n_se_nrs: 0,
            record_types: std::ptr::null(),
            n_record_types: 0,
            feltnumre: std::ptr::null(),
            n_feltnumre: 0,
            profile_records: std::ptr::null(),
            n_profile_records: 0,
            profile_feltnumre: std::ptr::null(),
            n_profile_feltnumre: 0,
            pseudonym_key: std::ptr::null(),
            pseudonym_key_len: 0,
            period_from: 0,
            period_to: 0,
            profile: EIK_PROFILE_FULL,
            reserved: 0,
        }
    }
}

/// One record to pass on.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct eik_kept_record {
    /// The record: `bytes` points at its projected copy in the filter's
    /// scratch area (`source` is `EIK_SOURCE_SCRATCH`), valid until the next
    /// call on the filter; forbidden fields are blanks. `seq` is the one the
    /// decoder gave it (a held header keeps its own).
    pub record: eik_record,
    /// The CPR's pseudonym, 16 lowercase hex characters (not NUL-terminated),
    /// when `has_pseudonym`; the CPR field itself is blank.
    pub pseudonym: [u8; EIK_PSEUDONYM_LEN],
    /// 1 when `pseudonym` is set.
    pub has_pseudonym: u8,
    /// Always 0.
    pub reserved: [u8; 7],
}

/// The filter's accounting. After `eik_filter_finish`:
/// `seen == passed + cpr + se + record_type + felt + period +
/// parent_dropped + empty_header`.
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
    /// Filtered out: felt number not selected.
    pub felt: u64,
    /// Filtered out: income period outside the period.
    pub period: u64,
    /// Filtered out: the record it belongs to was dropped.
    pub parent_dropped: u64,
    /// Filtered out: a header with nothing kept under it.
    pub empty_header: u64,
}

/// A copy of a caller's array on the heap, lent to the filter as
/// `&'static` while the handle lives and freed with it.
struct Leaked<T>(*mut [T]);

impl<T: Copy> Leaked<T> {
    /// Copies `n` items at `p`; `None` for NULL.
    ///
    /// # Safety
    ///
    /// `p` must be NULL or readable for `n` items.
    unsafe fn copy(p: *const T, n: usize) -> Option<Leaked<T>> {
        if p.is_null() {
            return None;
        }
        let items: Box<[T]> = if n == 0 {
            Box::new([])
        } else {
            // SAFETY: non-null and readable for n items (contract).
            unsafe { std::slice::from_raw_parts(p, n) }.into()
        };
        Some(Leaked(Box::into_raw(items)))
    }

    fn from_box(items: Box<[T]>) -> Leaked<T> {
        Leaked(Box::into_raw(items))
    }

    /// The items, for as long as the handle owning this lives.
    fn get(&self) -> &'static [T] {
        // SAFETY: the pointer came from Box::into_raw and is freed only by
        // Drop; `eik_filter` drops the filter that holds this reference
        // before its `Leaked` fields (field order), and never mutates them.
        unsafe { &*self.0 }
    }
}

impl<T> Drop for Leaked<T> {
    fn drop(&mut self) {
        // SAFETY: from Box::into_raw in `copy`/`from_box`, freed only here.
        drop(unsafe { Box::from_raw(self.0) });
    }
}

/// The caller's sets, copied.
struct Owned {
    _cprs: Option<Leaked<[u8; 10]>>,
    _se_nrs: Option<Leaked<u32>>,
    _record_types: Option<Leaked<u16>>,
    _feltnumre: Option<Leaked<u16>>,
    _profile_records: Option<Leaked<ProfileEntry>>,
    _profile_feltnumre: Option<Leaked<u16>>,
    _key: Option<Leaked<u8>>,
}

/// A filter handle. Made by `eik_filter_new`, freed (once) by
/// `eik_filter_free`.
pub struct eik_filter {
    // Field order matters: `filter` and `projector` borrow `_owned`, so they
    // are dropped first.
    filter: Filter<'static>,
    projector: Projector<'static>,
    _owned: Owned,
    /// Per container type, the decoder's seq and layout index of the last
    /// one seen (a held header is always the latest of its type):
    /// (record type, seq, layout index).
    containers: [(u16, u64, u16); 5],
    scratch: Vec<u8>,
    /// Records of this call whose bytes are in `scratch`: (slot, offset).
    pending: Vec<(usize, usize)>,
}

const CONTAINERS: [u16; 5] = [1000, 2001, 5000, 2101, 6000];

fn too_long<T>(n: usize) -> bool {
    n > isize::MAX as usize / std::mem::size_of::<T>().max(1)
}

/// The layout with export index `i` (current layouts, then variants, as
/// `eik_record.layout_index`).
fn layout_at(i: u16) -> Option<&'static RecordLayout> {
    let i = i as usize;
    BUILTIN.records.get(i).or_else(|| BUILTIN.variants.get(i.checked_sub(BUILTIN.records.len())?))
}

/// Fills `*out` with the default filter options (no restriction, full
/// profile, no pseudonymisation).
///
/// Returns `EIK_STATUS_NULL_POINTER` if `out` is NULL. Thread-safe.
///
/// # Safety
///
/// `out` must be NULL or writable for one `eik_filter_options`.
#[no_mangle]
pub unsafe extern "C" fn eik_filter_options_default(out: *mut eik_filter_options) -> eik_status {
    ffi_boundary!(nonnull(out) {
        // SAFETY: non-null (checked) and writable per the contract.
        unsafe { out.write(eik_filter_options::default()) };
        eik_status::Ok
    })
}

/// Makes a filter; the sets and the key are copied, so the caller's arrays
/// may be freed afterwards.
///
/// Returns `EIK_STATUS_NULL_POINTER` (`options` or `out` NULL),
/// `EIK_STATUS_INVALID_ARGUMENT` (a set not sorted ascending without
/// repeats, a count too large, a period ending before it starts, an unknown
/// `profile`, or `EIK_PROFILE_CUSTOM` without `profile_records`). `*out` is
/// written only on success.
///
/// Ownership: the caller owns the handle and frees it with
/// `eik_filter_free`. Thread-safe.
///
/// # Safety
///
/// `options` must be NULL or readable; every non-NULL pointer in it readable
/// for its count of items; `out` NULL or writable for one pointer.
#[no_mangle]
pub unsafe extern "C" fn eik_filter_new(options: *const eik_filter_options, out: *mut *mut eik_filter) -> eik_status {
    ffi_boundary!(nonnull(options, out) {
        // SAFETY: non-null and readable (contract); plain pointers and integers.
        let o = unsafe { options.read() };
        if too_long::<[u8; 10]>(o.n_cprs)
            || too_long::<u32>(o.n_se_nrs)
            || too_long::<u16>(o.n_record_types)
            || too_long::<u16>(o.n_feltnumre)
            || too_long::<eik_profile_entry>(o.n_profile_records)
            || too_long::<u16>(o.n_profile_feltnumre)
            || too_long::<u8>(o.pseudonym_key_len)
        {
            return eik_status::InvalidArgument;
        }
        // SAFETY: each pointer is NULL or readable for its count (contract);
        // the item types are plain bytes and integers, valid for any bits.
        let (entries, mut owned) = unsafe {
            (
                Leaked::copy(o.profile_records, o.n_profile_records),
                Owned {
                    _cprs: Leaked::copy(o.cprs.cast::<[u8; 10]>(), o.n_cprs),
                    _se_nrs: Leaked::copy(o.se_nrs, o.n_se_nrs),
                    _record_types: Leaked::copy(o.record_types, o.n_record_types),
                    _feltnumre: Leaked::copy(o.feltnumre, o.n_feltnumre),
                    _profile_records: None,
                    _profile_feltnumre: Leaked::copy(o.profile_feltnumre, o.n_profile_feltnumre),
                    _key: Leaked::copy(o.pseudonym_key, o.pseudonym_key_len),
                },
            )
        };
        owned._profile_records = entries.map(|e| {
            Leaked::from_box(e.get().iter().map(|e| ProfileEntry { rec_nr: e.record_type, fields: e.fields }).collect())
        });
        let profile = match o.profile {
            EIK_PROFILE_FULL => FULL,
            EIK_PROFILE_MINIMAL => MINIMAL,
            EIK_PROFILE_CUSTOM if owned._profile_records.is_some() => Profile {
                name: "custom",
                records: owned._profile_records.as_ref().map(Leaked::get),
                feltnumre: owned._profile_feltnumre.as_ref().map(Leaked::get),
            },
            _ => return eik_status::InvalidArgument,
        };
        let opts = FilterOptions {
            cprs: owned._cprs.as_ref().map(Leaked::get),
            se_nrs: owned._se_nrs.as_ref().map(Leaked::get),
            record_types: owned._record_types.as_ref().map(Leaked::get),
            feltnumre: owned._feltnumre.as_ref().map(Leaked::get),
            period: match (o.period_from, o.period_to) {
                (0, 0) => None,
                (from, to) => Some(Period { from, to }),
            },
            profile,
            pseudonym_key: owned._key.as_ref().map(Leaked::get),
        };
        let Ok(filter) = Filter::new(opts) else {
            return eik_status::InvalidArgument;
        };
        let handle = Box::new(eik_filter {
            projector: filter.projector(),
            filter,
            _owned: owned,
            containers: CONTAINERS.map(|t| (t, 0, 0)),
            scratch: Vec::new(),
            pending: Vec::new(),
        });
        // SAFETY: non-null (checked) and writable (contract).
        unsafe { out.write(Box::into_raw(handle)) };
        eik_status::Ok
    })
}

/// Frees a filter (and its scratch area: kept records of the last call
/// become invalid). NULL is ignored.
///
/// # Safety
///
/// `f` must be NULL or a handle from `eik_filter_new` not yet freed.
#[no_mangle]
pub unsafe extern "C" fn eik_filter_free(f: *mut eik_filter) {
    ffi_boundary!(fallback (); {
        if !f.is_null() {
            // SAFETY: a live handle from Box::into_raw, freed once (contract).
            drop(unsafe { Box::from_raw(f) });
        }
    })
}

impl eik_filter {
    /// Filters `input` into `out`; returns (kept written, input records used).
    fn run(&mut self, input: &[eik_record], out: &mut [MaybeUninit<eik_kept_record>]) -> (usize, usize) {
        self.scratch.clear();
        self.pending.clear();
        let mut n = 0;
        let mut used = 0;
        for rec in input {
            if out.len() - n < EIK_FILTER_MIN_CAP {
                break;
            }
            used += 1;
            let bytes: &[u8] = if rec.bytes.is_null() || rec.len == 0 {
                &[]
            } else {
                // SAFETY: a record from eik_decode/eik_finish whose bytes are
                // still valid (contract of eik_filter_records).
                unsafe { std::slice::from_raw_parts(rec.bytes, rec.len) }
            };
            let Some(r) = layout_at(rec.layout_index)
                .and_then(|l| Record::from_decoded(l, bytes, rec.line, rec.lb_nr, rec.offset))
            else {
                continue; // not a record the decoder returned: nothing to pass
            };
            if let Some(c) = self.containers.iter_mut().find(|c| c.0 == rec.record_type) {
                *c = (rec.record_type, rec.seq, rec.layout_index);
            }
            let projector = self.projector;
            for kept in self.filter.record(&r) {
                let (seq, layout_index) = if kept.line() == rec.line {
                    (rec.seq, rec.layout_index)
                } else {
                    let c = self.containers.iter().find(|c| c.0 == kept.record_type());
                    c.map_or((0, crate::decoder::EIK_LAYOUT_NONE), |c| (c.1, c.2))
                };
                let off = self.scratch.len();
                self.scratch.resize(off + kept.bytes().len(), b' ');
                let Some(p) = self.scratch.get_mut(off..).and_then(|buf| projector.project(&kept, buf)) else {
                    continue;
                };
                let pseudonym = p.pseudonym.map(|p| p.0);
                let Some(slot) = out.get_mut(n) else { break };
                slot.write(eik_kept_record {
                    record: eik_record {
                        bytes: std::ptr::null(),
                        len: kept.bytes().len(),
                        line: kept.line(),
                        offset: kept.offset(),
                        seq,
                        lb_nr: kept.lb_nr(),
                        record_type: kept.record_type(),
                        layout_index,
                        source: eik_source::Scratch,
                        reserved: 0,
                    },
                    pseudonym: pseudonym.unwrap_or([0; PSEUDONYM_LEN]),
                    has_pseudonym: pseudonym.is_some().into(),
                    reserved: [0; 7],
                });
                self.pending.push((n, off));
                n += 1;
            }
        }
        // Scratch is final: point the records at their bytes.
        let base = self.scratch.as_ptr();
        for &(slot, off) in &self.pending {
            if let Some(s) = out.get_mut(slot) {
                // SAFETY: written above in this call.
                let rec = unsafe { s.assume_init_mut() };
                rec.record.bytes = base.wrapping_add(off);
            }
        }
        (n, used)
    }
}

/// Filters a batch of records from `eik_decode`/`eik_finish`.
///
/// Takes records from `input[0..n_in)` in order while at least
/// `EIK_FILTER_MIN_CAP` slots of `out` are free; writes the records to pass
/// on to `out[0..*n_out)` (held headers first, in file order) and the number
/// of input records used to `*n_used`: pass `input + *n_used` next.
///
/// Returns `EIK_STATUS_NULL_POINTER` (`f`, `out`, `n_out`, `n_used` NULL, or
/// `input` NULL with `n_in > 0`), `EIK_STATUS_BUFFER_TOO_SMALL` (`cap <
/// EIK_FILTER_MIN_CAP`), `EIK_STATUS_INVALID_ARGUMENT` (a count too large),
/// `EIK_STATUS_PANIC`.
///
/// Ownership: the kept records' bytes live in the filter's scratch area until
/// the next call on `f`. The input records' bytes must still be valid (call
/// this before the next call on their decoder). Not thread-safe for one
/// handle.
///
/// # Safety
///
/// `f` must be a live handle; `input` readable for `n_in` records returned
/// by a decoder, their bytes still valid; `out` writable for `cap` records;
/// `n_out` and `n_used` writable.
#[no_mangle]
pub unsafe extern "C" fn eik_filter_records(
    f: *mut eik_filter,
    input: *const eik_record,
    n_in: usize,
    out: *mut eik_kept_record,
    cap: usize,
    n_out: *mut usize,
    n_used: *mut usize,
) -> eik_status {
    ffi_boundary!(nonnull(f, out, n_out, n_used) {
        if input.is_null() && n_in != 0 {
            return eik_status::NullPointer;
        }
        if cap < EIK_FILTER_MIN_CAP {
            return eik_status::BufferTooSmall;
        }
        if too_long::<eik_record>(n_in) || too_long::<eik_kept_record>(cap) {
            return eik_status::InvalidArgument;
        }
        // SAFETY: live handle, not used concurrently (contract).
        let h = unsafe { &mut *f };
        let input: &[eik_record] = if n_in == 0 {
            &[]
        } else {
            // SAFETY: non-null, readable for n_in records (contract), size checked.
            unsafe { std::slice::from_raw_parts(input, n_in) }
        };
        // SAFETY: non-null, writable for cap records (contract), size checked.
        let out = unsafe { std::slice::from_raw_parts_mut(out.cast::<MaybeUninit<eik_kept_record>>(), cap) };
        let (n, used) = h.run(input, out);
        // SAFETY: non-null (checked) and writable (contract).
        unsafe {
            n_out.write(n);
            n_used.write(used);
        }
        eik_status::Ok
    })
}

/// Ends the stream for the filter: headers still held are counted as
/// empty. Call once after the decoder's last records were filtered.
///
/// Returns `EIK_STATUS_NULL_POINTER`, `EIK_STATUS_PANIC`.
///
/// # Safety
///
/// `f` must be a live handle.
#[no_mangle]
pub unsafe extern "C" fn eik_filter_finish(f: *mut eik_filter) -> eik_status {
    ffi_boundary!(nonnull(f) {
        // SAFETY: live handle, not used concurrently (contract).
        unsafe { (*f).filter.finish() };
        eik_status::Ok
    })
}

/// Copies the filter's accounting into `*out`.
///
/// Returns `EIK_STATUS_NULL_POINTER`, `EIK_STATUS_PANIC`.
///
/// # Safety
///
/// `f` must be a live handle; `out` writable for one `eik_filter_counts`.
#[no_mangle]
pub unsafe extern "C" fn eik_filter_get_counts(f: *const eik_filter, out: *mut eik_filter_counts) -> eik_status {
    ffi_boundary!(nonnull(f, out) {
        // SAFETY: live handle (contract); only read.
        let c = unsafe { (*f).filter.counts() };
        let counts = eik_filter_counts {
            seen: c.seen,
            passed: c.passed,
            held: c.held,
            cpr: c.cpr,
            se: c.se,
            record_type: c.record_type,
            felt: c.felt,
            period: c.period,
            parent_dropped: c.parent_dropped,
            empty_header: c.empty_header,
        };
        // SAFETY: non-null (checked) and writable (contract).
        unsafe { out.write(counts) };
        eik_status::Ok
    })
}

/// Writes the pseudonym of `cpr` under `key` (HMAC-SHA-256, first 8 bytes as
/// 16 lowercase hex characters, not NUL-terminated) to `out`, the same value
/// `eik_kept_record.pseudonym` carries.
///
/// Returns `EIK_STATUS_NULL_POINTER`, `EIK_STATUS_INVALID_ARGUMENT` (a
/// length too large). Thread-safe.
///
/// # Safety
///
/// `key` readable for `key_len` bytes (or NULL when 0), `cpr` readable for
/// `cpr_len` bytes, `out` writable for 16 bytes.
#[no_mangle]
pub unsafe extern "C" fn eik_pseudonymise(
    key: *const u8,
    key_len: usize,
    cpr: *const u8,
    cpr_len: usize,
    out: *mut u8,
) -> eik_status {
    ffi_boundary!(nonnull(cpr, out) {
        if (key.is_null() && key_len != 0) || too_long::<u8>(key_len) || too_long::<u8>(cpr_len) {
            return eik_status::InvalidArgument;
        }
        let key: &[u8] = if key_len == 0 {
            &[]
        } else {
            // SAFETY: non-null, readable for key_len bytes (contract).
            unsafe { std::slice::from_raw_parts(key, key_len) }
        };
        // SAFETY: non-null, readable for cpr_len bytes (contract).
        let cpr = unsafe { std::slice::from_raw_parts(cpr, cpr_len) };
        let p = pseudonymise(key, cpr);
        // SAFETY: non-null, writable for 16 bytes (contract); no overlap with p.
        unsafe { std::ptr::copy_nonoverlapping(p.0.as_ptr(), out, PSEUDONYM_LEN) };
        eik_status::Ok
    })
}
