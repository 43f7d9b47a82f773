//! # eindkomst-wasm: the decoder for JavaScript (npm package `eindkomst`)
//!
//! Purpose: give Node (≥18) and browsers the same decoder as the CLI and the
//! C ABI, through one small WebAssembly module. This crate is only a thin face
//! on the std crate [`eindkomst`]: its [`Session`] is the batch loop (filter
//! inside), its `FilterSpec` the `filter` option, its `family` module the
//! family loader. The public API (`decode`, `decodeBase64`, `validate`, the
//! streaming `Decoder`, stream adapters, error classes) is the hand-written
//! JavaScript in `wasm/pkg-src/`, which wraps [`RawDecoder`].
//!
//! ## Data flow
//!
//! 1. JS hands a chunk of bytes to [`RawDecoder::push`] (one crossing per
//!    chunk; JS splits huge inputs into slices of at most 1 MiB so the Wasm
//!    memory stays small). Strings are turned into ISO-8859-1 bytes in JS.
//! 2. The chunk runs through the session until it needs more input. Nothing
//!    crosses back per record or per field.
//! 3. Every event, in input order, adds [`META_STRIDE`] numbers to the batch
//!    (event type, layout or finding index, line, Lb_nr, byte offset, start
//!    in the batch text); a record's or raw line's bytes go to the batch text
//!    (a record's pseudonym right after its bytes). JS receives the text as
//!    one `Uint8Array` per batch, and a record reads its fields from it only
//!    when asked: numbers straight from the bytes, strings from one ISO-8859-1
//!    string of the batch made on first need.
//! 4. Findings are rare; they cross as one array of plain objects per batch
//!    (serde-wasm-bindgen), carrying positions and field names, never field
//!    contents (no CPR can leak).
//! 5. [`RawDecoder::layouts`] sends the family's layout tables once, so JS
//!    knows every field's number, name, position, format and role.
//! 6. The JS `EventCursor` (the fast way) copies nothing out: it writes a
//!    chunk into the decoder's input buffer ([`RawDecoder::input_buffer`]),
//!    decodes it with [`RawDecoder::push_input`], and reads the batch where
//!    it stands in Wasm memory: the meta array, the text, and the lines of
//!    records that lie in the input (marked `IN_INPUT`, not copied).
//!
//! ## Panics
//!
//! `wasm32-unknown-unknown` aborts on panic, which is a trap in JS. Should
//! the code trap, the JS wrapper catches the `WebAssembly.RuntimeError`,
//! resets the instance (`__wbg_reset_state`, generated with
//! `--experimental-reset-state-function`) and throws an
//! `EindkomstInternalError`; later calls work on a fresh instance. [`trap`]
//! exists so the tests can prove that path.

use eindkomst::family::{layout_index, PersonLayout};
use eindkomst::filter::FilterSpec;
use eindkomst::{Event, FindingType, Progress, Session, Sink};
use eindkomst_core::layout::{Family, FieldType, Format, Mandatory, RecordLayout, EMPLOYER};
use eindkomst_core::{Encoding, Error, Options, Unknown};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

/// Numbers per event in a batch: event type, layout index (records) or
/// finding index (findings), line, Lb_nr, offset, start in the batch text.
pub const META_STRIDE: usize = 6;

/// Event types in a batch (the C ABI's numbers).
const RECORD: f64 = 1.0;
const RAW: f64 = 2.0;
const REJECTED: f64 = 3.0;
const ERROR: f64 = 4.0;
const WARNING: f64 = 5.0;
/// Added to a record's type number when a pseudonym follows its bytes.
const WITH_PSEUDONYM: f64 = 16.0;
/// Added to a record's type number when its bytes are not in the batch text
/// but where they stand in the decoder's input buffer (the in-place batch of
/// the JS `EventCursor`); its start is then the place in that buffer.
const IN_INPUT: f64 = 32.0;

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
    /// What the field means (`cpr`, `feltnummer`, `amount`, ...).
    role: &'static str,
    /// Part of an optional tail.
    tail: bool,
    /// Name of the value set, if the field has one.
    values: Option<&'static str>,
}

#[derive(Serialize)]
struct LayoutOut {
    index: u32,
    rec: u16,
    key: &'static str,
    variant: &'static str,
    name: &'static str,
    length: u16,
    fields: Vec<FieldOut>,
}

fn layout_out(index: u32, l: &'static RecordLayout) -> LayoutOut {
    LayoutOut {
        index,
        rec: l.rec_nr,
        key: l.key,
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
                role: f.role.name(),
                tail: f.tail,
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

fn layouts_of(family: &'static Family) -> JsValue {
    let all: Vec<LayoutOut> = family.layouts().enumerate().map(|(i, l)| layout_out(i as u32, l)).collect();
    to_js(&all)
}

/// The employer family's layout tables: `[{index, rec, key, variant, name,
/// length, fields: [{no, name, start, len, type, format, scale, mandatory,
/// personal, role, tail, values}]}]`.
#[wasm_bindgen]
pub fn layouts() -> JsValue {
    layouts_of(&EMPLOYER)
}

/// The instance's `WebAssembly.Memory`: the JS event cursor reads a batch
/// in place through views on its buffer.
#[wasm_bindgen(js_name = "wasmMemory")]
pub fn wasm_memory() -> JsValue {
    wasm_bindgen::memory()
}

/// The crate version (also the npm package version).
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").into()
}

/// The table of finding kinds: `[{number, code, name, severity, message}]`.
#[wasm_bindgen(js_name = "findingKinds")]
pub fn finding_kinds() -> JsValue {
    #[derive(Serialize)]
    struct Kind {
        number: u16,
        code: &'static str,
        name: &'static str,
        severity: &'static str,
        message: &'static str,
    }
    let kinds: Vec<Kind> = eindkomst::kinds::KINDS
        .iter()
        .map(|k| Kind {
            number: k.number,
            code: k.code,
            name: k.name,
            severity: match k.severity {
                eindkomst_core::Severity::Warning => "warning",
                eindkomst_core::Severity::Error => "error",
            },
            message: k.message,
        })
        .collect();
    to_js(&kinds)
}

/// An error thrown to JavaScript: every text leaves through here, CPR-like
/// runs masked (a value echoed from the caller's options never carries a CPR).
fn js_error(text: &str) -> JsError {
    JsError::new(&eindkomst::mask_cpr_like(text))
}

/// Checks a family file's JSON text and describes it: `{name, separator,
/// lineNumbers, layouts}` (the error says what is wrong and where).
#[wasm_bindgen(js_name = "loadFamily")]
pub fn load_family(json: &str) -> Result<JsValue, JsError> {
    let fam = eindkomst::family::parse(json).map_err(|e| js_error(&format!("eindkomst: family: {e}")))?;
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Info {
        name: &'static str,
        separator: Option<String>,
        line_numbers: bool,
        layouts: Vec<LayoutOut>,
    }
    Ok(to_js(&Info {
        name: fam.name,
        separator: fam.separator.map(|b| (b as char).to_string()),
        line_numbers: fam.line_number.is_some(),
        layouts: fam.layouts().enumerate().map(|(i, l)| layout_out(i as u32, l)).collect(),
    }))
}

/// Checks one value (a CPR, an SE-nr) against a field of a record type by
/// the rules the decoder applies in a line: `null` when it is fine, else
/// `{code, at, severity, fieldNo, expected, found}`. `field` is a role name
/// (`"cpr"`, `"se"`) or a field number; `familyJson` a loaded family's text
/// (`null`: employer). The value is never reported.
#[wasm_bindgen(js_name = "checkField")]
pub fn check_field(
    record_type: u16,
    field: JsValue,
    value: &[u8],
    family_json: Option<String>,
) -> Result<JsValue, JsError> {
    let family = match family_json {
        Some(j) => eindkomst::family::parse(&j).map_err(|e| js_error(&format!("eindkomst: family: {e}")))?,
        None => &EMPLOYER,
    };
    let opts = Options { family, ..Options::default() };
    let layout = family.get(record_type).ok_or_else(|| js_error("eindkomst: no such record type"))?;
    let f = if let Some(role) = field.as_string() {
        let role = eindkomst_core::layout::Role::from_name(&role)
            .ok_or_else(|| js_error(&format!("eindkomst: unknown role {role:?}")))?;
        layout.field_with(role)
    } else {
        field.as_f64().and_then(|n| layout.field(n as u8))
    };
    let f = f.ok_or_else(|| js_error(&format!("eindkomst: record {} has no such field", layout.key)))?;
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Check {
        code: &'static str,
        at: usize,
        severity: &'static str,
        field_no: u8,
        expected: u64,
        found: u64,
    }
    let out = match eindkomst_core::check_field(layout, f, value, &opts) {
        Ok(None) => return Ok(JsValue::NULL),
        Ok(Some(k)) => Check {
            code: k.code(),
            at: 0,
            severity: "warning",
            field_no: f.no,
            expected: k.numbers().0,
            found: k.numbers().1,
        },
        Err((k, at)) => Check {
            code: k.code(),
            at,
            severity: "error",
            field_no: f.no,
            expected: k.numbers().0,
            found: k.numbers().1,
        },
    };
    Ok(to_js(&out))
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
struct FindingOut {
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

impl FindingOut {
    fn new(kind: &'static str, e: &Error) -> FindingOut {
        FindingOut {
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
}

/// Where a batch collects between two calls from JS.
struct Batch {
    family: &'static Family,
    /// META_STRIDE numbers per event.
    meta: Vec<f64>,
    /// The batch's lines, ISO-8859-1 as decoded (pseudonyms after their records).
    text: Vec<u8>,
    findings: Vec<FindingOut>,
    /// false: validation only, records are not kept.
    records: bool,
    /// The sizes the last batch's meta and text reached: the next batch
    /// reserves as much at once (a taken Vec leaves an empty one behind,
    /// which would otherwise grow by reallocation, copying, every batch).
    last_meta: usize,
    last_text: usize,
    /// In place (`push_input`): the decoder's input buffer, as an address
    /// range; a record whose line lies in it is not copied to the text.
    input: core::ops::Range<usize>,
}

impl Batch {
    fn new(family: &'static Family, records: bool) -> Batch {
        Batch {
            family,
            meta: Vec::new(),
            text: Vec::new(),
            findings: Vec::new(),
            records,
            last_meta: 0,
            last_text: 0,
            input: 0..0,
        }
    }

    /// Reserves the last batch's sizes before a call fills a new batch.
    fn reserve(&mut self) {
        self.meta.reserve(self.last_meta.saturating_sub(self.meta.len()));
        self.text.reserve(self.last_text.saturating_sub(self.text.len()));
    }

    /// The batch's meta array, taken.
    fn take_meta(&mut self) -> Vec<f64> {
        self.last_meta = self.meta.len();
        core::mem::take(&mut self.meta)
    }
}

impl Sink for Batch {
    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Record { record, pseudonym } => {
                if !self.records {
                    return;
                }
                let layout = layout_index(self.family, record.layout()).map_or(-1.0, f64::from);
                let bytes = record.bytes();
                let at = bytes.as_ptr() as usize;
                if pseudonym.is_none() && at >= self.input.start && at + bytes.len() <= self.input.end {
                    self.meta.extend_from_slice(&[
                        RECORD + IN_INPUT,
                        layout,
                        record.line() as f64,
                        record.lb_nr() as f64,
                        record.offset() as f64,
                        (at - self.input.start) as f64,
                    ]);
                    return;
                }
                let ty = if pseudonym.is_some() { RECORD + WITH_PSEUDONYM } else { RECORD };
                self.meta.extend_from_slice(&[
                    ty,
                    layout,
                    record.line() as f64,
                    record.lb_nr() as f64,
                    record.offset() as f64,
                    self.text.len() as f64,
                ]);
                self.text.extend_from_slice(record.bytes());
                if let Some(p) = pseudonym {
                    self.text.extend_from_slice(&p.0);
                }
            }
            Event::Raw(raw) => {
                if !self.records {
                    return;
                }
                let key_start = (raw.key.as_ptr() as usize).saturating_sub(raw.bytes.as_ptr() as usize);
                self.meta.extend_from_slice(&[
                    RAW,
                    // The key's place and length in one number (both under 2^16).
                    (key_start * 65536 + raw.key.len()) as f64,
                    raw.line as f64,
                    raw.lb_nr.map_or(-1.0, f64::from),
                    raw.offset as f64,
                    self.text.len() as f64,
                ]);
                self.text.extend_from_slice(raw.bytes);
            }
            Event::Finding(f) => {
                let (ty, label) = match f.finding_type {
                    FindingType::Rejected => (REJECTED, "rejected"),
                    FindingType::Error => (ERROR, "error"),
                    FindingType::Warning => (WARNING, "warning"),
                };
                let e = f.error;
                self.meta.extend_from_slice(&[
                    ty,
                    self.findings.len() as f64,
                    e.line as f64,
                    e.lb_nr.map_or(-1.0, f64::from),
                    e.offset as f64,
                    self.text.len() as f64,
                ]);
                self.findings.push(FindingOut::new(label, &e));
            }
        }
    }
}

/// The decoder's options as JS passes them (normalised by the wrapper).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct OptionsIn {
    strict: bool,
    base64: bool,
    amount_scale: u8,
    /// `auto`, `current`, `pre-tin`, `taxcardbuilder`.
    person_layout: String,
    unknown_codes_reject: bool,
    /// `auto`, `latin1`, `utf8`.
    encoding: String,
    /// `reject` or `raw`.
    unknown: String,
    /// A family file's JSON text; `null`: employer.
    family: Option<String>,
    /// Forced layouts, `KEY@VARIANT` (`6000@v7.1`).
    variants: Vec<String>,
    /// The filter (`FilterSpec`), or `null`.
    filter: Option<FilterSpec>,
    /// false: validation only.
    records: bool,
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
    session: Session,
    batch: Batch,
    /// The chunk of an in-place push, written here by JS; its records are
    /// read where they stand until the next push.
    input: Vec<u8>,
}

fn core_options(o: &OptionsIn) -> Result<Options, String> {
    if o.amount_scale > 16 {
        return Err("amountScale must be 0-16".into());
    }
    let family = match &o.family {
        Some(json) => eindkomst::family::parse(json).map_err(|e| format!("family: {e}"))?,
        None => &EMPLOYER,
    };
    let mut opts = Options {
        strict: o.strict,
        base64: o.base64,
        amount_scale: o.amount_scale,
        unknown_codes_reject: o.unknown_codes_reject,
        family,
        encoding: match o.encoding.as_str() {
            "auto" => Encoding::Auto,
            "latin1" => Encoding::Latin1,
            "utf8" => Encoding::Utf8,
            other => return Err(format!("encoding {other:?}: auto, latin1 or utf8")),
        },
        unknown: Unknown::from_name(&o.unknown).ok_or_else(|| format!("unknown {:?}: reject or raw", o.unknown))?,
        ..Options::default()
    };
    for v in &o.variants {
        let (key, variant) = v.split_once('@').unwrap_or((v, ""));
        let layout = family
            .layouts()
            .find(|l| l.key == key && l.variant == variant)
            .ok_or_else(|| format!("variants: family {} has no layout {v:?}", family.name))?;
        opts = opts.with_layout(layout);
    }
    let person = PersonLayout::from_name(&o.person_layout)
        .ok_or_else(|| format!("personLayout {:?}: auto, current, pre-tin or taxcardbuilder", o.person_layout))?;
    person.apply(opts)
}

#[wasm_bindgen]
impl RawDecoder {
    /// A decoder with the wrapper's normalised options; the error message
    /// never contains a CPR number.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<RawDecoder, JsError> {
        let o: OptionsIn = serde_wasm_bindgen::from_value(options).map_err(|e| {
            let e = e.to_string();
            js_error(&format!("eindkomst: {}", e.trim_start_matches("Error: ")))
        })?;
        RawDecoder::from_options(o).map_err(|e| js_error(&format!("eindkomst: {e}")))
    }

    fn from_options(o: OptionsIn) -> Result<RawDecoder, String> {
        let opts = core_options(&o)?;
        let session = Session::new(opts, o.filter.as_ref())?;
        let batch = Batch::new(opts.family, o.records);
        Ok(RawDecoder { session, batch, input: Vec::new() })
    }

    /// The family's layout tables, indexed as in a batch.
    pub fn layouts(&self) -> JsValue {
        layouts_of(self.batch.family)
    }

    /// The filter's accounting (`null` without a filter): `{seen, passed,
    /// held, filteredOut, byReason: {cpr, se, record_type, felt, period,
    /// parent_dropped, empty_header}}`.
    pub fn filter_counts(&self) -> JsValue {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct CountsOut {
            seen: u64,
            passed: u64,
            held: u64,
            filtered_out: u64,
            by_reason: std::collections::BTreeMap<&'static str, u64>,
        }
        match self.session.filter_counts() {
            None => JsValue::NULL,
            Some(c) => to_js(&CountsOut {
                seen: c.seen,
                passed: c.passed,
                held: c.held,
                filtered_out: c.filtered_out(),
                by_reason: eindkomst_core::filter::Reason::ALL.iter().map(|r| (r.code(), c.of(*r))).collect(),
            }),
        }
    }

    /// Per layout index, the field numbers the filter shows (`null` without a filter).
    pub fn visible_fields(&self) -> JsValue {
        if self.session.filter().is_none() {
            return JsValue::NULL;
        }
        let visible: Vec<Vec<u8>> = self
            .batch
            .family
            .layouts()
            .map(|l| {
                let mask = self.session.permitted(l.rec_nr);
                l.fields.iter().map(|f| f.no).filter(|&no| no < 64 && mask >> no & 1 == 1).collect()
            })
            .collect();
        to_js(&visible)
    }

    /// Decodes `chunk` to its end. Returns the batch's meta array
    /// (META_STRIDE numbers per event).
    pub fn push(&mut self, chunk: &[u8]) -> Vec<f64> {
        self.batch.reserve();
        let mut input = chunk;
        loop {
            let (used, progress) = self.session.feed(input, &mut self.batch);
            input = input.get(used..).unwrap_or_default();
            if progress != Progress::Full {
                break;
            }
        }
        self.batch.take_meta()
    }

    /// Ends the stream (last line without terminator, end checks). Returns the
    /// meta array like [`RawDecoder::push`]; later calls return empty batches.
    pub fn finish(&mut self) -> Vec<f64> {
        self.batch.reserve();
        while !self.session.finish(&mut self.batch) {}
        self.batch.take_meta()
    }

    /// Room for the next in-place chunk of `len` bytes (the JS `EventCursor`
    /// writes it there, then calls [`RawDecoder::push_input`]): its address
    /// in Wasm memory. Forgets the last batch, whose records may stand in it.
    pub fn input_buffer(&mut self, len: usize) -> usize {
        self.clear_batch();
        // Zeroes only what the buffer grows by (chunks are mostly the same size).
        self.input.resize(len, 0);
        self.input.as_ptr() as usize
    }

    /// Decodes the input buffer to its end into a batch that stays in Wasm
    /// memory (no copy out; read it with [`RawDecoder::meta_ptr`] and
    /// [`RawDecoder::text_ptr`]): a record whose line lies in the input is
    /// not copied to the text but marked `IN_INPUT` with its place there.
    /// Returns the batch's number of events.
    pub fn push_input(&mut self) -> usize {
        self.clear_batch();
        let mut input = &self.input[..];
        let start = input.as_ptr() as usize;
        self.batch.input = start..start + input.len();
        loop {
            let (used, progress) = self.session.feed(input, &mut self.batch);
            input = input.get(used..).unwrap_or_default();
            if progress != Progress::Full {
                break;
            }
        }
        self.batch.input = 0..0;
        self.batch.meta.len() / META_STRIDE
    }

    /// Forgets the batch, keeping the buffers' room.
    fn clear_batch(&mut self) {
        self.batch.meta.clear();
        self.batch.text.clear();
        self.batch.findings.clear();
    }

    /// Ends the stream like [`RawDecoder::finish`], in place; returns the
    /// batch's number of events.
    pub fn finish_in_place(&mut self) -> usize {
        self.clear_batch();
        while !self.session.finish(&mut self.batch) {}
        self.batch.meta.len() / META_STRIDE
    }

    /// Where the batch's meta array (f64, META_STRIDE per event) starts in
    /// Wasm memory: valid until the next call that changes the batch.
    pub fn meta_ptr(&self) -> usize {
        self.batch.meta.as_ptr() as usize
    }

    /// Where the batch text starts in Wasm memory (as [`RawDecoder::meta_ptr`]).
    pub fn text_ptr(&self) -> usize {
        self.batch.text.as_ptr() as usize
    }

    /// The batch text's length in bytes.
    pub fn text_len(&self) -> usize {
        self.batch.text.len()
    }

    /// Where the input buffer of the last in-place push starts in Wasm memory.
    pub fn input_ptr(&self) -> usize {
        self.input.as_ptr() as usize
    }

    /// The input buffer's length in bytes.
    pub fn input_len(&self) -> usize {
        self.input.len()
    }

    /// The batch text: the lines, back to back, ISO-8859-1 (a `Uint8Array`
    /// in JS); taken, so the next call returns the next batch's.
    pub fn text(&mut self) -> Vec<u8> {
        self.batch.last_text = self.batch.text.len();
        core::mem::take(&mut self.batch.text)
    }

    /// The batch's findings as plain objects; taken.
    pub fn findings(&mut self) -> JsValue {
        let findings = core::mem::take(&mut self.batch.findings);
        to_js(&findings)
    }

    /// `[lines, decoded, rejected, warnings, errors, suppressed, bytes,
    /// rejected_untyped, raw, then (rec_nr, decoded, rejected) per record type]`.
    pub fn counts(&self) -> Vec<f64> {
        let c = self.session.counts();
        let mut out = vec![
            c.lines as f64,
            c.decoded as f64,
            c.rejected as f64,
            c.warnings as f64,
            c.errors as f64,
            c.suppressed as f64,
            c.bytes as f64,
            c.rejected_untyped as f64,
            c.raw as f64,
        ];
        for t in c.by_type.iter().filter(|t| t.rec_nr != 0) {
            out.extend_from_slice(&[t.rec_nr as f64, t.decoded as f64, t.rejected as f64]);
        }
        out
    }

    /// Whether strict mode (or a file of another family) stopped the decoder.
    pub fn stopped(&self) -> bool {
        self.session.stopped()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> OptionsIn {
        OptionsIn {
            strict: false,
            base64: false,
            amount_scale: 6,
            person_layout: "auto".into(),
            unknown_codes_reject: false,
            encoding: "auto".into(),
            unknown: "reject".into(),
            family: None,
            variants: Vec::new(),
            filter: None,
            records: true,
        }
    }

    #[test]
    fn batches_carry_every_record_of_the_sample() {
        let mut dec = RawDecoder::from_options(options()).unwrap();
        let mut meta = dec.push(eindkomst_core::testing::SAMPLE);
        meta.extend(dec.finish());
        assert_eq!(meta.len() / META_STRIDE, 27);
        // Line 27 is the 9999 at its byte offset.
        let last = &meta[meta.len() - META_STRIDE..];
        assert_eq!(last[0], RECORD);
        assert_eq!(EMPLOYER.layouts().nth(last[1] as usize).map(|l| l.rec_nr), Some(9999));
        assert_eq!(&last[2..4], &[27.0, 27.0]);
        let text = dec.text();
        assert_eq!(text.len(), eindkomst_core::testing::SAMPLE.len() - 27);
        assert!(text.windows(3).any(|w| w == b"\xc6r\xf8")); // "Ærø", ISO-8859-1
        assert_eq!(dec.counts()[..3], [27.0, 27.0, 0.0]);
    }

    #[test]
    fn in_place_batches_point_into_the_input() {
        let mut dec = RawDecoder::from_options(options()).unwrap();
        let sample = eindkomst_core::testing::SAMPLE;
        let (first, rest) = sample.split_at(1000); // line 15 split across the two pushes
        let mut lines = Vec::new();
        for chunk in [first, rest] {
            let at = dec.input_buffer(chunk.len());
            assert_eq!(at, dec.input_ptr());
            dec.input.copy_from_slice(chunk);
            let n = dec.push_input();
            for e in dec.batch.meta.chunks(META_STRIDE) {
                let start = e[5] as usize;
                let bytes = if e[0] == RECORD + IN_INPUT { &dec.input[start..] } else { &dec.batch.text[start..] };
                assert!(bytes.starts_with(&sample[e[4] as usize..e[4] as usize + 11]), "line {}", e[2]);
                lines.push((e[0], e[2]));
            }
            assert_eq!(n * META_STRIDE, dec.batch.meta.len());
        }
        dec.finish_in_place();
        assert_eq!(lines.len(), 27);
        // Only the line split across the pushes was copied to the batch text.
        let copied: Vec<f64> = lines.iter().filter(|l| l.0 == RECORD).map(|l| l.1).collect();
        let split = sample[..1000].iter().filter(|&&b| b == b'\n').count() as f64 + 1.0;
        assert_eq!(copied, [split]);
        assert!(lines.iter().all(|l| l.0 == RECORD || l.0 == RECORD + IN_INPUT));
    }

    #[test]
    fn options_are_checked() {
        let bad = |f: fn(&mut OptionsIn)| {
            let mut o = options();
            f(&mut o);
            RawDecoder::from_options(o).err().unwrap()
        };
        assert!(bad(|o| o.encoding = "ebcdic".into()).contains("auto, latin1 or utf8"));
        assert!(bad(|o| o.person_layout = "old".into()).contains("taxcardbuilder"));
        assert!(bad(|o| o.variants = vec!["6000@v9".into()]).contains("no layout"));
        assert!(bad(|o| o.amount_scale = 17).contains("0-16"));
        let mut o = options();
        o.person_layout = "taxcardbuilder".into();
        let mut dec = RawDecoder::from_options(o).unwrap();
        let meta = dec.push(eindkomst_core::testing::SAMPLE);
        // Line 9's 95-byte 6000 read as TaxCardBuilder's: rejected, in order.
        let ninth = &meta[8 * META_STRIDE..9 * META_STRIDE];
        assert_eq!((ninth[0], ninth[2]), (REJECTED, 9.0));
    }
}
