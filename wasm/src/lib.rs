//! # eindkomst-wasm: the decoder for JavaScript (npm package `eindkomst`)
//!
//! Purpose: give Node (≥18) and browsers the same decoder as the CLI and the
//! C ABI, through one small WebAssembly module. This crate is only the thin
//! Rust side; the public API (`decode`, `decodeBase64`, `validate`, the
//! streaming `Decoder`, stream adapters, error classes) is the hand-written
//! JavaScript in `wasm/pkg-src/`, which wraps [`RawDecoder`].
//!
//! ## Data flow
//!
//! 1. JS hands a chunk of bytes to [`RawDecoder::push`] (one crossing per
//!    chunk; JS splits huge inputs into slices of at most 1 MiB so the Wasm
//!    memory stays small). Strings are turned into ISO-8859-1 bytes in JS.
//! 2. The chunk runs through [`eindkomst_core::Decoder`] until it needs more
//!    input. Nothing crosses back per record or per field.
//! 3. Each decoded record adds five numbers to a batch (layout index, line,
//!    Lb_nr, byte offset, start in the batch text) and its line's bytes to the
//!    batch text. JS turns the text into one string per batch (ISO-8859-1 is
//!    V8's one-byte string form, so that is a copy, not a transcoding), and a
//!    record's fields are `String.slice`s of it at the layout's positions,
//!    made only when read. With a filter ([`RawDecoder::set_filter`], the
//!    `filter` option in JS) only the records it passes get there, projected
//!    (see `filter.rs`).
//! 4. Findings (rejected lines, stream errors, warnings) are rare; they cross
//!    as one array of plain objects per batch (serde-wasm-bindgen), carrying
//!    positions and field names, never field contents (no CPR can leak).
//! 5. [`layouts`] sends the layout tables once, so JS knows every field's
//!    number, name, position and format.
//!
//! ## Panics
//!
//! `wasm32-unknown-unknown` aborts on panic, which is a trap in JS. This crate
//! does no indexing and no unwrapping; allocation is bounded by the slice size
//! JS uses. Should the core trap anyway, the JS wrapper catches the
//! `WebAssembly.RuntimeError`, resets the instance (`__wbg_reset_state`,
//! generated with `--experimental-reset-state-function`) and throws an
//! `EindkomstInternalError`; later calls work on a fresh instance. [`trap`]
//! exists so the tests can prove that path.

mod filter;

use eindkomst_core::layout::{FieldType, Format, Mandatory, RecordLayout, BUILTIN};
use eindkomst_core::{Counts, Decoder, Error, Event, Options, PersonLayout, Record};
use filter::{FilterSpec, Filtering};
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// Numbers per record in a batch: layout index, line, Lb_nr, offset, and
/// where the line starts in the batch text.
pub const META_STRIDE: usize = 5;

/// Upper bound on events per input byte (a line of at least one byte yields
/// its record plus at most a queue of diagnostics). Exceeding it means the core
/// stopped making progress; the decoder then stops with an internal finding
/// instead of spinning forever in the page.
const EVENTS_PER_BYTE: usize = 24;

/// Every built-in layout: the current ones first, then the variants. A
/// record's layout index in a batch is its position here.
fn all_layouts() -> impl Iterator<Item = &'static RecordLayout> {
    BUILTIN.records.iter().chain(BUILTIN.variants.iter())
}

/// Position of `layout` in [`all_layouts`] (by identity, else by type and
/// variant; `u32::MAX` for a layout from elsewhere, which JS reports).
fn layout_index(layout: &'static RecordLayout) -> u32 {
    let found = all_layouts()
        .position(|l| core::ptr::eq(l, layout))
        .or_else(|| all_layouts().position(|l| l.rec_nr == layout.rec_nr && l.variant == layout.variant));
    found.map_or(u32::MAX, |i| i as u32)
}

#[derive(Serialize)]
struct FieldOut {
    no: u8,
    name: &'static str,
    start: u16,
    len: u16,
    /// `"N"` or `"A"`.
    #[serde(rename = "type")]
    ty: &'static str,
    /// plain, filler, date, time, amount, quantity, sign.
    format: &'static str,
    /// Decimals of a quantity (amounts use the decoder's `amountScale`).
    scale: Option<u8>,
    mandatory: &'static str,
    personal: bool,
    /// Name of the value set, if the field has one.
    values: Option<&'static str>,
}

#[derive(Serialize)]
struct LayoutOut {
    index: u32,
    rec: u16,
    variant: &'static str,
    name: &'static str,
    length: u16,
    fields: Vec<FieldOut>,
}

fn layout_out(index: u32, l: &'static RecordLayout) -> LayoutOut {
    LayoutOut {
        index,
        rec: l.rec_nr,
        variant: l.variant,
        name: l.name,
        length: l.length,
        fields: l
            .fields
            .iter()
            .map(|f| FieldOut {
                no: f.no,
                name: f.name,
                start: f.start,
                len: f.len,
                ty: match f.ty {
                    FieldType::Numeric => "N",
                    FieldType::Alpha => "A",
                },
                format: match f.format {
                    Format::Plain => "plain",
                    Format::Filler => "filler",
                    Format::Date => "date",
                    Format::Time => "time",
                    Format::Amount => "amount",
                    Format::Quantity(_) => "quantity",
                    Format::Sign => "sign",
                },
                scale: match f.format {
                    Format::Quantity(s) => Some(s),
                    _ => None,
                },
                mandatory: match f.mandatory {
                    Mandatory::Yes => "yes",
                    Mandatory::No => "no",
                    Mandatory::Conditional => "conditional",
                    Mandatory::ThirdParty => "third_party",
                    Mandatory::Unknown => "unknown",
                },
                personal: f.personal,
                values: f.values.map(|v| v.name),
            })
            .collect(),
    }
}

fn to_js<T: Serialize>(value: &T) -> JsValue {
    let ser = serde_wasm_bindgen::Serializer::json_compatible();
    // Only numbers above 2^53 can fail, and positions never get there; an
    // empty value is still better than a trap.
    value.serialize(&ser).unwrap_or(JsValue::NULL)
}

/// The layout tables, indexed as in a batch: `[{index, rec, variant, name,
/// length, fields: [{no, name, start, len, type, format, scale, mandatory,
/// personal, values}]}]`.
#[wasm_bindgen]
pub fn layouts() -> JsValue {
    let all: Vec<LayoutOut> = all_layouts().enumerate().map(|(i, l)| layout_out(i as u32, l)).collect();
    to_js(&all)
}

/// The crate version (also the npm package version).
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").into()
}

/// Executes `unreachable` (a Wasm trap, what a panic becomes), so tests can
/// check that the JS wrapper recovers. Not part of the public API.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen(js_name = "__trap")]
pub fn trap() {
    core::arch::wasm32::unreachable()
}

/// One finding as JS sees it (field names are camelCase there).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Finding {
    /// `rejected` (a line was dropped), `error` (stream problem) or `warning`.
    kind: &'static str,
    severity: &'static str,
    code: &'static str,
    /// The short description of the kind.
    description: &'static str,
    /// The one-line `Display` form: position, then description.
    message: String,
    line: u64,
    lb_nr: Option<u32>,
    record: Option<u16>,
    field_no: Option<u8>,
    field_name: Option<&'static str>,
    offset: u64,
    /// The kind's numbers (`expected`, `found`, `byte`, ...), under `kind`'s tag.
    details: eindkomst_core::ErrorKind,
}

impl Finding {
    fn new(kind: &'static str, e: &Error) -> Finding {
        Finding {
            kind,
            severity: match e.severity() {
                eindkomst_core::Severity::Warning => "warning",
                eindkomst_core::Severity::Error => "error",
            },
            code: e.kind.code(),
            description: e.kind.message(),
            message: e.to_string(),
            line: e.line,
            lb_nr: e.lb_nr,
            record: e.record,
            field_no: e.field.map(|f| f.no),
            field_name: e.field.map(|f| f.name),
            offset: e.offset,
            details: e.kind,
        }
    }

    /// The core stopped making progress (a bug): reported, never looped on.
    fn stalled(counts: &Counts) -> Finding {
        Finding {
            kind: "error",
            severity: "error",
            code: "internal_error",
            description: "decoder made no progress; stopped",
            message: format!("line {}, offset {}: decoder made no progress; stopped", counts.lines, counts.bytes),
            line: counts.lines,
            lb_nr: None,
            record: None,
            field_no: None,
            field_name: None,
            offset: counts.bytes,
            details: eindkomst_core::ErrorKind::EmptyInput,
        }
    }
}

/// Where decoded output collects between two calls from JS.
#[derive(Default)]
struct Batch {
    /// `[findings pending, then META_STRIDE numbers per record]`.
    meta: Vec<f64>,
    /// The batch's record lines, ISO-8859-1 as in the input.
    text: Vec<u8>,
    findings: Vec<Finding>,
}

impl Batch {
    fn push_record(&mut self, r: &Record<'_>) {
        self.meta.extend_from_slice(&[
            layout_index(r.layout()) as f64,
            r.line() as f64,
            r.lb_nr() as f64,
            r.offset() as f64,
            self.text.len() as f64,
        ]);
        self.text.extend_from_slice(r.bytes());
    }

    fn take(&mut self, event: Event<'_>, records: bool, filter: Option<&mut Filtering>) {
        match event {
            Event::Record(r) => match filter {
                Some(f) => f.pass(&r, self, records),
                None if records => self.push_record(&r),
                None => {}
            },
            Event::Rejected(e) => self.findings.push(Finding::new("rejected", &e)),
            Event::Error(e) => self.findings.push(Finding::new("error", &e)),
            Event::Warning(e) => self.findings.push(Finding::new("warning", &e)),
            _ => {}
        }
    }

    fn start(&mut self) {
        if self.meta.is_empty() {
            self.meta.push(0.0);
        }
    }

    /// The meta array to hand out; the text and findings stay until taken.
    fn take_meta(&mut self) -> Vec<f64> {
        self.start();
        if let Some(n) = self.meta.first_mut() {
            *n = self.findings.len() as f64;
        }
        core::mem::take(&mut self.meta)
    }
}

/// The streaming decoder behind the JS `Decoder` class. Call [`push`] per
/// chunk and [`finish`] once; each returns the batch's meta array, after
/// which [`text`] and [`findings`] hand out the rest of the batch.
///
/// [`push`]: RawDecoder::push
/// [`finish`]: RawDecoder::finish
/// [`text`]: RawDecoder::text
/// [`findings`]: RawDecoder::findings
#[wasm_bindgen]
pub struct RawDecoder {
    inner: Decoder,
    records: bool,
    batch: Batch,
    finished: bool,
    stalled: bool,
    filter: Option<Filtering>,
}

#[wasm_bindgen]
impl RawDecoder {
    /// `person_layout`: 0 auto, 1 current, 2 pre-TIN. `records`: false for
    /// validation only (no batch text). `amount_scale` must be 0-16.
    #[wasm_bindgen(constructor)]
    pub fn new(
        strict: bool,
        base64: bool,
        amount_scale: u8,
        person_layout: u8,
        unknown_codes_reject: bool,
        records: bool,
    ) -> Result<RawDecoder, JsError> {
        let person_layout = match person_layout {
            0 => PersonLayout::Auto,
            1 => PersonLayout::Current,
            2 => PersonLayout::PreTin,
            _ => return Err(JsError::new("personLayout must be 0, 1 or 2")),
        };
        if amount_scale > 16 {
            return Err(JsError::new("amountScale must be 0-16"));
        }
        Ok(RawDecoder {
            inner: Decoder::new(Options {
                strict,
                base64,
                amount_scale,
                person_layout,
                unknown_codes_reject,
                ..Options::default()
            }),
            records,
            batch: Batch::default(),
            finished: false,
            stalled: false,
            filter: None,
        })
    }

    /// Sends every record through a filter (Dataafgrænsning, see
    /// `filter.rs`): only what passes reaches the batch, projected. `spec` is
    /// the JS wrapper's normalised `filter` option. Call before the first
    /// push; the error message never contains a CPR number.
    pub fn set_filter(&mut self, spec: JsValue) -> Result<(), JsError> {
        if self.inner.counts().bytes > 0 || self.finished {
            return Err(JsError::new("eindkomst: the filter must be set before any input"));
        }
        let spec: FilterSpec =
            serde_wasm_bindgen::from_value(spec).map_err(|e| JsError::new(&format!("eindkomst: filter: {e}")))?;
        self.filter = Some(Filtering::new(spec).map_err(|e| JsError::new(&format!("eindkomst: {e}")))?);
        Ok(())
    }

    /// The filter's accounting (`null` without a filter): `{seen, passed,
    /// held, filteredOut, byReason: {cpr, se, record_type, felt, period,
    /// parent_dropped, empty_header}}`.
    pub fn filter_counts(&self) -> JsValue {
        self.filter.as_ref().map_or(JsValue::NULL, Filtering::counts)
    }

    /// Per layout index, the field numbers the filter's profile lets through
    /// (`null` without a filter).
    pub fn visible_fields(&self) -> JsValue {
        self.filter.as_ref().map_or(JsValue::NULL, Filtering::visible)
    }

    /// Decodes `chunk` to its end. Returns `[findings, (layout, line, lb_nr,
    /// offset, start in the batch text) per record]`.
    pub fn push(&mut self, chunk: &[u8]) -> Vec<f64> {
        self.batch.start();
        if self.finished || self.stalled {
            return self.batch.take_meta();
        }
        let budget = chunk.len().saturating_add(64).saturating_mul(EVENTS_PER_BYTE);
        let mut input = chunk;
        let mut events = 0usize;
        loop {
            let (event, used) = self.inner.decode(input);
            input = input.get(used..).unwrap_or(&[]);
            if matches!(event, Event::NeedInput | Event::End) {
                break;
            }
            self.batch.take(event, self.records, self.filter.as_mut());
            events += 1;
            if events > budget {
                self.stall();
                break;
            }
        }
        self.batch.take_meta()
    }

    /// Ends the stream (last line without terminator, end checks). Returns the
    /// meta array like [`RawDecoder::push`]; later calls return empty batches.
    pub fn finish(&mut self) -> Vec<f64> {
        self.batch.start();
        if self.finished || self.stalled {
            return self.batch.take_meta();
        }
        self.finished = true;
        // A full Base64 buffer of one-byte lines is the most finish can yield.
        let budget = 4096 * EVENTS_PER_BYTE;
        let mut events = 0usize;
        loop {
            let event = self.inner.finish();
            if event == Event::End {
                break;
            }
            self.batch.take(event, self.records, self.filter.as_mut());
            events += 1;
            if events > budget {
                self.stall();
                break;
            }
        }
        if let Some(f) = self.filter.as_mut() {
            f.finish();
        }
        self.batch.take_meta()
    }

    fn stall(&mut self) {
        self.stalled = true;
        let counts = self.inner.counts();
        self.batch.findings.push(Finding::stalled(counts));
    }

    /// The batch text: the record lines, concatenated, as ISO-8859-1 bytes
    /// (JS turns them into one string, a byte per character); taken, so the
    /// next call returns the next batch's.
    pub fn text(&mut self) -> Vec<u8> {
        core::mem::take(&mut self.batch.text)
    }

    /// The batch's findings as plain objects; taken.
    pub fn findings(&mut self) -> JsValue {
        let findings = core::mem::take(&mut self.batch.findings);
        to_js(&findings)
    }

    /// `[lines, decoded, rejected, warnings, errors, suppressed, bytes,
    /// rejected_untyped, then (rec_nr, decoded, rejected) per record type]`.
    pub fn counts(&self) -> Vec<f64> {
        let c = self.inner.counts();
        let mut out = vec![
            c.lines as f64,
            c.decoded as f64,
            c.rejected as f64,
            c.warnings as f64,
            c.errors as f64,
            c.suppressed as f64,
            c.bytes as f64,
            c.rejected_untyped as f64,
        ];
        for t in c.by_type.iter().filter(|t| t.rec_nr != 0) {
            out.extend_from_slice(&[t.rec_nr as f64, t.decoded as f64, t.rejected as f64]);
        }
        out
    }

    /// Whether strict mode (or a stall) stopped the decoder.
    pub fn stopped(&self) -> bool {
        self.inner.stopped() || self.stalled
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_layout_has_an_index() {
        for (i, l) in all_layouts().enumerate() {
            assert_eq!(layout_index(l), i as u32);
        }
        assert!(all_layouts().any(|l| l.rec_nr == 6000 && l.variant == "v7.1"));
    }

    #[test]
    fn batches_carry_every_record_of_the_sample() {
        let mut dec = RawDecoder::new(false, false, 6, 0, false, true).unwrap();
        let mut meta = dec.push(eindkomst_core::testing::SAMPLE);
        meta.extend(dec.finish().into_iter().skip(1));
        assert_eq!(meta.first(), Some(&0.0));
        assert_eq!((meta.len() - 1) / META_STRIDE, 27);
        // Line 27 is the 9999 at its byte offset.
        let last = &meta[meta.len() - META_STRIDE..];
        let idx = last[0] as usize;
        assert_eq!(all_layouts().nth(idx).map(|l| l.rec_nr), Some(9999));
        assert_eq!(&last[1..3], &[27.0, 27.0]);
        let text = dec.text();
        assert_eq!(text.len(), eindkomst_core::testing::SAMPLE.len() - 27);
        assert!(text.windows(3).any(|w| w == b"\xc6r\xf8")); // "Ærø", ISO-8859-1
        assert_eq!(dec.counts()[..3], [27.0, 27.0, 0.0]);
    }
}
