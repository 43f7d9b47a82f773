// The public JavaScript API of the `eindkomst` package, shared by the Node
// (CommonJS) and browser (ES module) builds: each entry passes its
// wasm-bindgen bindings to createApi(). build.sh also writes a CommonJS copy
// (api.cjs), so this file must keep `export function createApi` as its only
// export. Types: index.d.ts.
//
// Design (see wasm/src/lib.rs for the Rust half):
// - one crossing into Wasm per chunk slice (≤ 1 MiB), returning a batch: a
//   Float64Array of META_STRIDE numbers per event (records, raw lines and
//   findings in input order) plus one Uint8Array holding the batch's lines;
//   findings cross only when there are some;
// - records are small objects pointing into the batch; numbers (feltnummer,
//   amountOre) are read straight from the bytes, strings are sliced out of one
//   ISO-8859-1 string of the batch made on first need (ISO-8859-1 bytes are
//   single UTF-16 code units, so layout positions are string positions);
// - a Wasm trap (a Rust panic, out of memory) resets the Wasm instance and
//   surfaces as EindkomstInternalError; decoders created before the reset
//   refuse further use, everything else keeps working.

/** Masks CPR-like digit runs (ten digits, or 6-4 with a hyphen) in a text an error echoes from the caller: the
 * engine's rule (`mask_cpr_like`), kept here for the messages made in JavaScript. */
const maskCprLike = (text) => String(text).replace(/(?<![0-9])[0-9]{6}-?[0-9]{4}(?![0-9])/g, '**********');

export function createApi(wasm) {
  const META_STRIDE = 6; // event type, layout or finding index, line, Lb_nr, offset, start in the batch text
  const RECORD = 1;
  const RAW = 2;
  const WITH_PSEUDONYM = 16; // added to RECORD when a pseudonym follows the bytes (wasm/src/lib.rs)
  const IN_INPUT = 32; // added to RECORD when the line is read where it stands in the input (the cursor's batches)
  const SLICE = 1 << 20; // bytes per crossing: bounds Wasm memory
  const SUB = 0x1a; // stands for a character outside ISO-8859-1
  const PSEUDONYM_LEN = 16; // hex characters; after the line in the batch text

  /** Bumped when the Wasm instance is reset after a trap. */
  let generation = 0;

  // ---- errors ---------------------------------------------------------------

  class EindkomstError extends Error {
    constructor(finding, options) {
      super(finding.message, options);
      this.name = 'EindkomstError';
      this.code = finding.code;
      this.kind = finding.kind;
      this.severity = finding.severity;
      this.line = finding.line;
      this.lbNr = finding.lbNr;
      this.record = finding.record;
      this.fieldNo = finding.fieldNo;
      this.fieldName = finding.fieldName;
      this.offset = finding.offset;
      this.details = finding.details;
      this.finding = finding;
    }
  }

  class EindkomstInternalError extends EindkomstError {
    constructor(message, cause) {
      super(
        {
          kind: 'error',
          severity: 'error',
          code: 'internal_error',
          description: message,
          message,
          line: null,
          lbNr: null,
          record: null,
          fieldNo: null,
          fieldName: null,
          offset: null,
          details: {},
        },
        cause === undefined ? undefined : { cause },
      );
      this.name = 'EindkomstInternalError';
    }
  }

  /** Whether `e`, thrown by a call into Wasm, means the instance is unusable. */
  function isTrap(e) {
    return (
      (typeof WebAssembly !== 'undefined' && e instanceof WebAssembly.RuntimeError) ||
      e instanceof RangeError // Wasm stack overflow
    );
  }

  /** Runs `fn` (a call into Wasm); a trap resets the instance and throws. */
  function guarded(fn) {
    try {
      return fn();
    } catch (e) {
      if (!isTrap(e)) throw e;
      generation += 1;
      try {
        wasm.__wbg_reset_state();
      } catch (resetError) {
        throw new EindkomstInternalError(
          'WebAssembly trap in the eindkomst decoder, and the instance could not be reset',
          resetError,
        );
      }
      throw new EindkomstInternalError(
        'WebAssembly trap in the eindkomst decoder (a bug: please report it); ' +
          'the module was reset, decoders created before are unusable',
        e,
      );
    }
  }

  // ---- layouts --------------------------------------------------------------

  function deepFreeze(o) {
    if (o && typeof o === 'object') {
      Object.values(o).forEach(deepFreeze);
      Object.freeze(o);
    }
    return o;
  }

  function withKeys(layouts) {
    return deepFreeze(layouts.map((l) => ({ ...l, record: l.key })));
  }

  const LAYOUTS = withKeys(guarded(() => wasm.layouts()));
  const KINDS = deepFreeze(guarded(() => wasm.findingKinds()));

  /** Per layout and amount scale: how to read each field, built once. */
  function makeView(layout, amountScale) {
    const typed = [];
    const raw = [];
    const fields = layout.fields;
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i];
      raw.push({ key: String(f.no), no: f.no, personal: f.personal, start: f.start, end: f.start + f.len });
      if (f.role === 'record_key' || f.role === 'line_number' || f.format === 'filler' || f.format === 'sign') continue;
      let read;
      // The sign of an amount (or of a signed count) is the field after it, when that is "-".
      const next = fields[i + 1];
      const signed = next !== undefined && next.format === 'sign';
      if (f.type === 'N' && f.format === 'date') read = readDate;
      else if (f.type === 'N' && f.format === 'time') read = readTime;
      else if (f.format === 'amount' || f.format === 'quantity' || (f.type === 'N' && signed)) read = readDecimal;
      else if (f.type === 'N') read = readNumber;
      else read = readText;
      typed.push({
        name: f.name,
        no: f.no,
        personal: f.personal,
        start: f.start,
        end: f.start + f.len,
        read,
        scale: f.format === 'quantity' ? f.scale : f.format === 'amount' ? amountScale : 0,
        signAt: signed ? next.start : -1,
      });
    }
    const cprField = fields.find((f) => f.role === 'cpr') || fields.find((f) => f.personal);
    const felt = fields.find((f) => f.role === 'feltnummer');
    let amount = fields.find((f) => f.role === 'amount');
    if (amount === undefined) amount = fields.find((f) => f.role === 'none' && f.format === 'amount');
    const amountSign = amount && fields[fields.indexOf(amount) + 1];
    return {
      layout,
      felt: felt ? { start: felt.start, end: felt.start + felt.len } : null,
      amount: amount
        ? {
            start: amount.start,
            end: amount.start + amount.len,
            scale: amount.format === 'quantity' ? amount.scale : amountScale,
            signAt: amountSign && amountSign.format === 'sign' ? amountSign.start : -1,
          }
        : null,
      record: layout.record,
      rec: layout.rec,
      variant: layout.variant,
      length: layout.length,
      typed,
      raw,
      cpr: cprField ? { start: cprField.start, end: cprField.start + cprField.len } : null,
      pseudonym: null,
    };
  }

  /**
   * The view of a filtered decoder's records: only the fields in `visible`
   * (the numbers the profile lets through); when pseudonymised, the CPR field
   * reads the pseudonym the engine put after the line instead.
   */
  function projectView(view, visible, pseudonymised) {
    const shown = (f) => visible.includes(f.no);
    const cprShown = view.raw.some((f) => f.personal && shown(f));
    const pseudonym = pseudonymised && cprShown ? { start: view.length, end: view.length + PSEUDONYM_LEN } : null;
    const swap = (f, read) => (pseudonym !== null && f.personal ? { ...f, ...pseudonym, ...read } : f);
    return {
      ...view,
      typed: view.typed.filter(shown).map((f) => swap(f, { read: readText })),
      raw: view.raw.filter(shown).map((f) => swap(f, {})),
      pseudonym,
    };
  }

  function isBlank(s) {
    for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) !== 32) return false;
    return true;
  }

  function trimEndSpaces(s) {
    let end = s.length;
    while (end > 0 && s.charCodeAt(end - 1) === 32) end--;
    return end === s.length ? s : s.slice(0, end);
  }

  function trimSpaces(s) {
    let start = 0;
    let end = s.length;
    while (start < end && s.charCodeAt(start) === 32) start++;
    while (end > start && s.charCodeAt(end - 1) === 32) end--;
    return s.slice(start, end);
  }

  function readText(s) {
    return isBlank(s) ? null : trimSpaces(s);
  }

  function readNumber(s) {
    return isBlank(s) ? null : s; // codes, CPR and SE-nr keep leading zeros
  }

  function readDate(s) {
    if (isBlank(s) || /^0+$/.test(s)) return null; // zeros: optional date not given
    return `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}`;
  }

  function readTime(s) {
    return isBlank(s) ? null : `${s.slice(0, 2)}:${s.slice(2, 4)}:${s.slice(4, 6)}`;
  }

  /** Exact decimal text of `digits / 10^scale`: at least two decimals, no float. */
  function decimalText(digits, scale, negative) {
    let d = digits.replace(/^0+/, '');
    if (d === '') negative = false;
    const sign = negative ? '-' : '';
    if (scale === 0) return sign + (d || '0');
    if (d.length <= scale) d = '0'.repeat(scale - d.length + 1) + d;
    let frac = d.slice(d.length - scale);
    while (frac.length > 2 && frac.charCodeAt(frac.length - 1) === 48) frac = frac.slice(0, -1);
    return `${sign}${d.slice(0, d.length - scale)}.${frac}`;
  }

  function readDecimal(s, f, text, at) {
    if (isBlank(s)) return null;
    const negative = f.signAt >= 0 && text.charCodeAt(at + f.signAt) === 45;
    return decimalText(s, f.scale, negative);
  }

  // ---- records --------------------------------------------------------------

  function typedFields(view, text, at) {
    const out = {};
    const typed = view.typed;
    for (let i = 0; i < typed.length; i++) {
      const f = typed[i];
      out[f.name] = f.read(text.slice(at + f.start, at + f.end), f, text, at);
    }
    return out;
  }

  /** Field `f` of the record at `at`, trailing blanks trimmed: one slice of the batch string. */
  function rawField(f, text, at) {
    const start = at + f.start;
    let end = at + f.end;
    while (end > start && text.charCodeAt(end - 1) === 32) end--;
    return text.slice(start, end);
  }

  function rawFields(view, text, at) {
    const out = {};
    const raw = view.raw;
    for (let i = 0; i < raw.length; i++) {
      const f = raw[i];
      out[f.key] = rawField(f, text, at);
    }
    return out;
  }

  /** One batch's lines: the bytes, and one ISO-8859-1 string of them made on first need. */
  class BatchText {
    #text = null;

    constructor(bytes) {
      this.bytes = bytes;
      this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }

    get text() {
      if (this.#text === null) this.#text = latin1Text(this.bytes);
      return this.#text;
    }
  }

  /**
   * Digits at [from..to) of the DataView `dv` as a number (at most 15 digits stay exact); -1
   * when not all digits. Four at a time: one 32-bit load, a check that every byte is 0x30..0x39
   * (high nibble 3, and still 3 after adding 6), then the four digits in small integers.
   */
  function digitsAt(dv, from, to) {
    let n = 0;
    let i = from;
    for (; to - i >= 4; i += 4) {
      const v = dv.getUint32(i, true);
      if ((((v & 0xf0f0f0f0) ^ 0x30303030) | (((v + 0x06060606) & 0xf0f0f0f0) ^ 0x30303030)) !== 0) return -1;
      n = n * 10000 + ((v & 0xf) * 1000 + ((v >>> 8) & 0xf) * 100 + ((v >>> 16) & 0xf) * 10 + ((v >>> 24) & 0xf));
    }
    for (; i < to; i++) {
      const d = dv.getUint8(i) - 48;
      if (d < 0 || d > 9) return -1;
      n = n * 10 + d;
    }
    return n;
  }

  /** A batch number as a small integer when it is one (no boxed double per record field). */
  const SMI_MAX = 0x3fffffff;
  function small(x) {
    return x >= 0 && x <= SMI_MAX ? x | 0 : x;
  }

  /** The feltnummer of the record at `at` in the batch bytes `dv` (a DataView; view `view`), or null. */
  function feltnummerAt(view, dv, at) {
    const f = view.felt;
    if (f === null) return null;
    const n = digitsAt(dv, at + f.start, at + f.end);
    return n < 0 ? null : n;
  }

  /** The first amount in øre of the record at `at` in the batch bytes `dv` (a DataView), or null (see
   * EindkomstRecord.amountOre). `owner` (the record or cursor) gives the line for the error only. */
  function amountOreAt(view, dv, at, owner) {
    const a = view.amount;
    if (a === null) return null;
    let ore;
    if (a.scale <= 2) {
      ore = digitsAt(dv, at + a.start, at + a.end);
      if (ore < 0) return null;
      for (let k = a.scale; k < 2; k++) ore *= 10;
    } else {
      // Integer part and øre exactly; the digits below 1 øre must be zeros.
      const cut = at + a.end - (a.scale - 2);
      ore = digitsAt(dv, at + a.start, cut);
      if (ore < 0) return null;
      if (digitsAt(dv, cut, at + a.end) !== 0) {
        throw new RangeError(`eindkomst: amount of record ${view.record} line ${owner.line} has digits below 1 øre`);
      }
    }
    return a.signAt >= 0 && dv.getUint8(at + a.signAt) === 45 ? -ore : ore;
  }

  class EindkomstRecord {
    #view;
    #batch;
    #at;
    #fields;

    constructor(view, batch, at, line, lbNr, offset) {
      this.line = line;
      this.lbNr = lbNr;
      this.offset = offset;
      this.#view = view;
      this.#batch = batch;
      this.#at = at;
    }

    /** The feltnummer (role feltnummer: employer 3101, 6001-6005) as a number, or null; read from the bytes. */
    get feltnummer() {
      return feltnummerAt(this.#view, this.#batch.dv, this.#at);
    }

    /**
     * The first amount (role amount) in øre, with its sign, as a number; null when the
     * record has none or it is blank; read from the bytes without a string. Throws a
     * RangeError for an amount with digits below 1 øre.
     */
    get amountOre() {
      return amountOreAt(this.#view, this.#batch.dv, this.#at, this);
    }

    /** The record type, 4 digits: "6001". */
    get record() {
      return this.#view.record;
    }

    /** The layout variant: "" for the current layout, e.g. "v7.1". */
    get variant() {
      return this.#view.variant;
    }

    /** The layout the record was decoded with. */
    get layout() {
      return this.#view.layout;
    }

    /** The whole line (without terminator). */
    get text() {
      return this.#batch.text.slice(this.#at, this.#at + this.#view.length);
    }

    /** The line's bytes (ISO-8859-1), a view into the batch. */
    get bytes() {
      return this.#batch.bytes.subarray(this.#at, this.#at + this.#view.length);
    }

    /** Typed values by field name (fillers and signs left out), built on first use. */
    get fields() {
      if (this.#fields === undefined) this.#fields = typedFields(this.#view, this.#batch.text, this.#at);
      return this.#fields;
    }

    /** Every field by number, trailing blanks removed: the CLI's `--raw` shape. */
    get raw() {
      return rawFields(this.#view, this.#batch.text, this.#at);
    }

    /** Field number `no` without trailing blanks (as in `raw`), or undefined. */
    value(no) {
      const f = this.#view.raw.find((r) => r.no === no);
      return f === undefined ? undefined : rawField(f, this.#batch.text, this.#at);
    }

    /** Every field in line order, trailing blanks trimmed: the values of `raw` as an array. */
    values() {
      const raw = this.#view.raw;
      const text = this.#batch.text;
      const at = this.#at;
      const out = new Array(raw.length);
      for (let i = 0; i < raw.length; i++) out[i] = rawField(raw[i], text, at);
      return out;
    }

    /** The CPR number (10 digits) of a 2101/4101/6000 record, or null. Personal data. */
    get cpr() {
      const c = this.#view.cpr;
      if (c === null) return null;
      const v = this.#batch.text.slice(this.#at + c.start, this.#at + c.end);
      return isBlank(v) || /^0+$/.test(v) ? null : v;
    }

    /** With `filter.pseudonymiseKey`: the pseudonym shown in place of the CPR
     * (16 hex characters), or null (no CPR, or no key). */
    get pseudonym() {
      const p = this.#view.pseudonym;
      if (p === null) return null;

      const v = this.#batch.text.slice(this.#at + p.start, this.#at + p.end);
      return isBlank(v) ? null : v;
    }

    toJSON() {
      return {
        line: this.line,
        lbNr: this.lbNr,
        offset: this.offset,
        record: this.record,
        variant: this.variant,
        fields: this.fields,
      };
    }

    /** `{line, record, fields}` exactly as the CLI's `decode --raw` prints it. */
    toRaw() {
      return { line: this.line, record: this.record, fields: this.raw };
    }

    [Symbol.for('nodejs.util.inspect.custom')]() {
      return this.toJSON();
    }
  }

  // ---- input ----------------------------------------------------------------

  /** A string is ISO-8859-1 text: one character, one byte. */
  function latin1Bytes(s) {
    const out = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      out[i] = c <= 0xff ? c : SUB;
    }
    return out;
  }

  // Decoded records hold only ISO-8859-1 printable bytes (the engine rejects
  // 0x00-0x1F and 0x7F-0x9F), where windows-1252, the WHATWG meaning of the
  // label "latin1", and ISO-8859-1 agree. Node's Buffer is faster still.
  const LATIN1 = typeof TextDecoder === 'function' ? new TextDecoder('latin1') : null;
  /** The batch text as a string, one character per byte. */
  function latin1Text(bytes) {
    if (typeof Buffer === 'function') return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
    return LATIN1.decode(bytes);
  }

  function toBytes(chunk) {
    if (chunk instanceof Uint8Array) return chunk;
    if (typeof chunk === 'string') return latin1Bytes(chunk);
    if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
    if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (typeof SharedArrayBuffer !== 'undefined' && chunk instanceof SharedArrayBuffer) {
      return new Uint8Array(chunk);
    }
    throw new TypeError('eindkomst: input must be a Uint8Array, ArrayBuffer, typed array, DataView or string');
  }

  const OPTION_KEYS = new Set([
    'strict', 'base64', 'amountScale', 'personLayout', 'unknownCodesReject', 'raw', 'filter',
    'family', 'encoding', 'unknown', 'variants',
  ]);
  // The filter is the engine's FilterSpec (docs/filtering.md): one shape for every face.
  // The older camelCase names are deprecated aliases the engine still reads.
  const FILTER_KEYS = new Set([
    'cprs', 'se_nrs', 'record_types', 'feltnumre', 'period', 'profile', 'pseudonym_key',
    'seNrs', 'records', 'recordTypes', 'felter', 'fields', 'pseudonymiseKey', 'pseudonymise_key',
  ]);

  /** Today (UTC) as YYYY-MM-DD: Wasm has no clock, so JS fills in the day of `last:N`. */
  function todayUtc() {
    return new Date().toISOString().slice(0, 10);
  }

  /** The `filter` option as the engine takes it; the engine checks the rest (an error
   * about a CPR names its index only). */
  function normalizeFilter(filter) {
    if (filter === undefined || filter === null) return null;
    if (typeof filter !== 'object') throw new TypeError('eindkomst: filter must be an object');
    const out = {};
    for (const [key, value] of Object.entries(filter)) {
      if (!FILTER_KEYS.has(key)) throw new TypeError(`eindkomst: unknown filter option "${maskCprLike(key)}"`);
      if (value !== undefined && value !== null) out[key] = value;
    }
    for (const name of ['cprs']) {
      if (out[name] !== undefined && !Array.isArray(out[name])) {
        throw new TypeError('eindkomst: filter.cprs must be an array of CPR numbers');
      }
    }
    for (const name of ['pseudonym_key', 'pseudonymiseKey', 'pseudonymise_key']) {
      if (out[name] !== undefined && !(out[name] instanceof Uint8Array)) {
        throw new TypeError(`eindkomst: filter.${name} must be a Uint8Array`);
      }
    }
    let period = out.period;
    if (typeof period === 'string' && period.startsWith('last:') && !period.includes('@')) {
      period = `${period}@${todayUtc()}`;
    } else if (period && typeof period === 'object') {
      const months = period.months_back !== undefined || period.monthsBack !== undefined;
      if (months && period.today === undefined) period = { ...period, today: todayUtc() };
    }
    if (period !== undefined) out.period = period;
    return out;
  }

  const PERSON_LAYOUTS = new Set(['auto', 'current', 'pre-tin', 'taxcardbuilder']);
  const ENCODINGS = new Set(['auto', 'latin1', 'utf8']);

  /** A family loaded from its JSON description (docs/layouts.md); pass it as `options.family`. */
  class Family {
    constructor(json) {
      if (typeof json !== 'string') throw new TypeError('eindkomst: a family is its JSON text (a string)');
      const info = guarded(() => wasm.loadFamily(json));
      this.name = info.name;
      this.separator = info.separator ?? null;
      this.lineNumbers = info.lineNumbers;
      this.layouts = withKeys(info.layouts);
      this.json = json;
      Object.freeze(this);
    }
  }

  function loadFamily(json) {
    return new Family(json);
  }

  function normalizeOptions(options) {
    if (options === undefined || options === null) options = {};
    if (typeof options !== 'object') throw new TypeError('eindkomst: options must be an object');
    for (const key of Object.keys(options)) {
      if (!OPTION_KEYS.has(key)) throw new TypeError(`eindkomst: unknown option "${maskCprLike(key)}"`);
    }
    const amountScale = options.amountScale === undefined ? 6 : options.amountScale;
    if (!Number.isInteger(amountScale) || amountScale < 0 || amountScale > 16) {
      throw new RangeError('eindkomst: amountScale must be an integer 0-16');
    }
    const personLayout = options.personLayout === undefined ? 'auto' : options.personLayout;
    if (!PERSON_LAYOUTS.has(personLayout)) {
      throw new RangeError('eindkomst: personLayout must be "auto", "current", "pre-tin" or "taxcardbuilder"');
    }
    const encoding = options.encoding === undefined ? 'auto' : options.encoding;
    if (!ENCODINGS.has(encoding)) throw new RangeError('eindkomst: encoding must be "auto", "latin1" or "utf8"');
    const unknown = options.unknown === undefined ? 'reject' : options.unknown;
    if (unknown !== 'reject' && unknown !== 'raw') throw new RangeError('eindkomst: unknown must be "reject" or "raw"');
    let family = options.family === undefined || options.family === null ? null : options.family;
    if (typeof family === 'string') family = loadFamily(family);
    if (family !== null && !(family instanceof Family)) {
      throw new TypeError('eindkomst: family must be a Family (loadFamily(json)) or its JSON text');
    }
    const variants = options.variants === undefined ? [] : options.variants;
    if (!Array.isArray(variants) || !variants.every((v) => typeof v === 'string')) {
      throw new TypeError('eindkomst: variants must be an array of "KEY@VARIANT" strings');
    }
    return {
      strict: Boolean(options.strict),
      base64: Boolean(options.base64),
      amountScale,
      personLayout,
      unknownCodesReject: Boolean(options.unknownCodesReject),
      encoding,
      unknown,
      family,
      variants,
      raw: Boolean(options.raw),
      filter: normalizeFilter(options.filter),
    };
  }

  // ---- counts ---------------------------------------------------------------

  function countsFrom(a) {
    const byType = {};
    for (let i = 9; i + 2 < a.length; i += 3) {
      byType[String(a[i]).padStart(4, '0')] = { decoded: a[i + 1], rejected: a[i + 2] };
    }
    return {
      lines: a[0],
      decoded: a[1],
      rejected: a[2],
      warnings: a[3],
      errors: a[4],
      suppressed: a[5],
      bytes: a[6],
      rejectedUntyped: a[7],
      raw: a[8],
      byType,
    };
  }

  // ---- the streaming decoder -----------------------------------------------

  const viewCache = new Map(); // family name + amount scale -> views by layout index

  function viewsFor(family, amountScale) {
    const key = `${family === null ? '' : family.json}\u0000${amountScale}`;
    let views = viewCache.get(key);
    if (views === undefined) {
      views = (family === null ? LAYOUTS : family.layouts).map((l) => makeView(l, amountScale));
      viewCache.set(key, views);
    }
    return views;
  }

  class Decoder {
    #raw;
    #generation;
    #opts;
    #views;
    #pviews; // views of pseudonymised records: the CPR field reads the pseudonym
    #records; // false: validation only
    #state = 'open'; // open | finished | failed | broken | freed
    #findings = [];
    #rawLines = [];
    #counts = null;
    #cursor = null;

    constructor(options, internal) {
      const o = normalizeOptions(options);
      this.#opts = o;
      this.#records = !(internal && internal.validateOnly);
      this.#views = viewsFor(o.family, o.amountScale);
      this.#pviews = this.#views;
      this.#generation = generation;
      this.#raw = guarded(
        () =>
          new wasm.RawDecoder({
            strict: o.strict,
            base64: o.base64,
            amountScale: o.amountScale,
            personLayout: o.personLayout,
            unknownCodesReject: o.unknownCodesReject,
            encoding: o.encoding,
            unknown: o.unknown,
            family: o.family === null ? null : o.family.json,
            variants: o.variants,
            filter: o.filter,
            records: this.#records,
          }),
      );
      if (o.filter !== null) {
        const visible = guarded(() => this.#raw.visible_fields());
        this.#views = this.#views.map((v, i) => projectView(v, visible[i], false));
        this.#pviews = this.#pviews.map((v, i) => projectView(v, visible[i], true));
      }
    }

    /** Decodes a chunk; returns the records completed by it (one array per call). */
    push(chunk) {
      const out = [];
      this.#each(chunk, out, null);
      return out;
    }

    /**
     * Decodes a chunk; returns its events in input order: `{type: 'record', record}`,
     * `{type: 'raw', raw}` or `{type: 'finding', finding}` (findings are also kept in
     * `findings`). Strict mode throws at the first rejected line or stream error, after
     * the events before it.
     */
    pushEvents(chunk) {
      const events = [];
      this.#each(chunk, null, events);
      return events;
    }

    /** Ends the input; returns the last records. The decoder is spent afterwards. */
    finish() {
      const out = [];
      this.#end(out, null);
      return out;
    }

    /** Ends the input; returns the last events (as `pushEvents`). */
    finishEvents() {
      const events = [];
      this.#end(null, events);
      return events;
    }

    #each(chunk, out, events) {
      this.#usable('push');
      const bytes = toBytes(chunk);
      let pos = 0;
      do {
        const end = Math.min(bytes.length, pos + SLICE);
        const slice = pos === 0 && end === bytes.length ? bytes : bytes.subarray(pos, end);
        this.#take(this.#call(() => this.#raw.push(slice)), out, events);
        pos = end;
      } while (pos < bytes.length);
    }

    #end(out, events) {
      this.#usable('finish');
      this.#take(this.#call(() => this.#raw.finish()), out, events);
      this.#close('finished');
    }

    /** Counts of lines, records, findings, per record type; with a filter,
     * also `filter`: seen, passed, filtered out per reason. */
    get counts() {
      if (this.#counts !== null) return this.#counts;
      if (this.#state === 'broken') return null;
      return this.#countsNow();
    }

    #countsNow() {
      const counts = countsFrom(this.#call(() => this.#raw.counts()));
      if (this.#opts.filter !== null) counts.filter = this.#call(() => this.#raw.filter_counts());
      return counts;
    }

    /** Findings so far that have not been taken (lenient mode). */
    get findings() {
      return this.#findings;
    }

    /** Returns the findings so far and forgets them. */
    takeFindings() {
      const f = this.#findings;
      this.#findings = [];
      return f;
    }

    /** Lines with an unknown record key passed through (`unknown: 'raw'`) so far:
     * `{line, lbNr, offset, key, text}`; `takeRaw()` returns and forgets them. */
    get rawLines() {
      return this.#rawLines;
    }

    /** Returns the raw lines so far and forgets them. */
    takeRaw() {
      const r = this.#rawLines;
      this.#rawLines = [];
      return r;
    }

    /** Whether the decoder accepts more input. */
    get state() {
      return this.#state;
    }

    /** Releases the Wasm memory now (otherwise on garbage collection). */
    free() {
      if (this.#state === 'open') this.#close('freed');
    }

    #usable(what) {
      if (this.#state !== 'broken' && this.#generation !== generation) this.#state = 'broken';
      if (this.#state === 'open') return;
      if (this.#state === 'broken') {
        throw new EindkomstInternalError('eindkomst: this decoder was lost to an internal error; create a new one');
      }
      throw new Error(`eindkomst: ${what}() on a decoder that is ${this.#state}`);
    }

    #call(fn) {
      try {
        return guarded(fn);
      } catch (e) {
        if (e instanceof EindkomstInternalError) {
          this.#state = 'broken';
          this.#raw = null; // belongs to the old instance: never free it
        }
        throw e;
      }
    }

    #close(state) {
      if (this.#raw !== null) {
        this.#counts = this.#countsNow();
        this.#raw.free();
        this.#raw = null;
      }
      this.#state = state;
    }

    /** Turns one batch into records (into `out`) or events (into `events`), in input order. */
    #take(meta, out, events) {
      if (meta.length === 0) return;
      let batch = null;
      let found = null;
      const views = this.#views;
      const raw = this.#opts.raw;
      for (let i = 0; i < meta.length; i += META_STRIDE) {
        const type = meta[i];
        if (type === RECORD || type === RECORD + WITH_PSEUDONYM) {
          if (batch === null) batch = new BatchText(this.#call(() => this.#raw.text()));
          const view = (type === RECORD ? views : this.#pviews)[meta[i + 1]];
          if (view === undefined) throw new EindkomstInternalError('eindkomst: record with an unknown layout');
          const rec = new EindkomstRecord(view, batch, meta[i + 5] | 0, small(meta[i + 2]), small(meta[i + 3]), small(meta[i + 4]));
          const r = raw ? rec.toRaw() : rec;
          if (events !== null) events.push({ type: 'record', record: r });
          else out.push(r);
        } else if (type === RAW) {
          if (batch === null) batch = new BatchText(this.#call(() => this.#raw.text()));
          const line = rawLineAt(meta, i, batch);
          if (events !== null) events.push({ type: 'raw', raw: line });
          this.#rawLines.push(line);
        } else {
          if (found === null) found = this.#call(() => this.#raw.findings());
          const f = found[meta[i + 1]];
          if (events !== null) events.push({ type: 'finding', finding: f });
          this.#found(f);
        }
      }
    }

    /** Keeps finding `f` of a batch; strict mode stops at a fatal one. */
    #found(f) {
      const { kind, ...details } = f.details || {};
      f.details = details;
      this.#findings.push(f);
      if (this.#opts.strict && f.kind !== 'warning') {
        this.#close('failed');
        throw new EindkomstError(f);
      }
    }

    /**
     * The decoder's event cursor (one per decoder): the fast way through a stream, with no
     * object per record. Feed it with its `push`/`finish` (not the decoder's), then walk each
     * batch with `next()`. See EventCursor.
     */
    cursor() {
      if (this.#cursor === null) {
        this.#cursor = new EventCursor(PORT, {
          views: this.#views,
          pviews: this.#pviews,
          raw: this.#opts.raw,
          push: (bytes) => this.#pushInPlace(bytes),
          pushFrom: (read, size) => this.#pushFromInPlace(read, size),
          finish: () => this.#finishInPlace(),
          findings: () => this.#call(() => this.#raw.findings()),
          batch: (n) => this.#inPlace(n),
          found: (f) => this.#found(f),
          rawLine: (line) => this.#rawLines.push(line),
        });
      }
      return this.#cursor;
    }

    /**
     * Decodes `bytes` into one batch left in Wasm memory: the chunk is written once into the
     * decoder's input buffer, where its records are then read (the whole chunk, not sliced:
     * its records stay readable until the next push). Its number of events.
     */
    #pushInPlace(bytes) {
      this.#usable('push');
      return this.#call(() => {
        const r = this.#raw;
        const at = r.input_buffer(bytes.length);
        new Uint8Array(wasm.wasmMemory().buffer, at, bytes.length).set(bytes);
        return r.push_input();
      });
    }

    /**
     * Like #pushInPlace, but `read` writes the chunk into the input buffer itself (no copy
     * through JS): it gets a Uint8Array of `size` bytes over Wasm memory and returns how many
     * it wrote. Returns [bytes read, number of events].
     */
    #pushFromInPlace(read, size) {
      this.#usable('push');
      if (!Number.isInteger(size) || size < 1) throw new RangeError('eindkomst: pushFrom size must be a positive integer');
      const at = this.#call(() => this.#raw.input_buffer(size));
      const got = read(new Uint8Array(wasm.wasmMemory().buffer, at, size));
      if (!Number.isInteger(got) || got < 0 || got > size) {
        throw new RangeError(`eindkomst: pushFrom's read returned ${got}, not a byte count from 0 to ${size}`);
      }
      return this.#call(() => {
        const r = this.#raw;
        r.input_buffer(got); // keeps the bytes read (shrinking keeps the buffer's start)
        return [got, r.push_input()];
      });
    }

    /** Ends the input: the last batch, copied out (the decoder is freed), and its findings. Its
     * records were held back by the decoder, so they are in the batch text, none in the input. */
    #finishInPlace() {
      this.#usable('finish');
      const n = this.#call(() => this.#raw.finish_in_place());
      const { meta, text } = this.#inPlace(n);
      const last = { n, meta: meta.slice(), text: text.slice(), found: this.#call(() => this.#raw.findings()) };
      this.#close('finished');
      return last;
    }

    /** Views on the batch in Wasm memory (its numbers, its text, the input it was decoded from):
     * valid until the next call into Wasm. */
    #inPlace(n) {
      return this.#call(() => {
        const r = this.#raw;
        const buffer = wasm.wasmMemory().buffer;
        return {
          meta: new Float64Array(buffer, r.meta_ptr(), n * META_STRIDE),
          text: new Uint8Array(buffer, r.text_ptr(), r.text_len()),
          input: new Uint8Array(buffer, r.input_ptr(), r.input_len()),
        };
      });
    }
  }

  /** The raw line (unknown record key passed through) of event `i` of a batch. */
  function rawLineAt(meta, i, batch) {
    const start = meta[i + 5];
    const next = nextStart(meta, i);
    const end = next < 0 ? batch.bytes.length : next;
    const keyAt = Math.floor(meta[i + 1] / 65536);
    const keyLen = meta[i + 1] % 65536;
    return {
      line: meta[i + 2],
      lbNr: meta[i + 3] < 0 ? null : meta[i + 3],
      offset: meta[i + 4],
      key: batch.text.slice(start + keyAt, start + keyAt + keyLen),
      text: batch.text.slice(start, end),
    };
  }

  /** Only a Decoder makes an EventCursor. */
  const PORT = Symbol('eindkomst.cursor');

  /**
   * A cursor over a decoder's events, in input order, read in place: no object per record
   * and no copy of the batch out of Wasm memory. `push(chunk)` decodes a chunk into a batch,
   * `finish()` ends the input; then `next()` moves through the batch's events (false at its
   * end). The current event is `type` ('record', 'raw' or 'finding'); for a record, its
   * numbers (`recordType`, `feltnummer`, `amountOre`, `line`, `lbNr`, `offset`) are read
   * straight from the batch, strings (`value(no)`, `values()`) from one ISO-8859-1 string of
   * the batch made on first need, and `toRecord()` copies it into an EindkomstRecord to keep.
   * Everything read from the cursor about a record is valid until the next `push`/`finish`.
   * Findings are also kept in the decoder's `findings`, raw lines in its `rawLines`; strict
   * mode throws from `next()` at the first rejected line or stream error, after the events
   * before it.
   */
  class EventCursor {
    #d;
    #meta = new Float64Array(0);
    #text = new BatchText(new Uint8Array(0)); // the batch text (records copied there, raw lines)
    #input = this.#text; // the input the batch was decoded from (records read where they stand)
    #inInput = false; // the current record is in #input, not in #text (a flag, not a reference:
    // storing a new batch's object in the cursor for every record would cost a write barrier)
    #n = 0;
    #i = 0; // index of the current event's numbers in #meta
    #type = null;
    #view = null;
    #at = 0; // the current record's start in #lines
    #found = null; // the batch's findings, fetched on the first one
    #finding = null;
    #raw = null;
    #live = false; // the batch is in Wasm memory (not copied out)

    #views; // the decoder's views by layout index (own fields: one load less per record)
    #pviews;

    constructor(port, decoder) {
      if (port !== PORT) throw new TypeError('eindkomst: an EventCursor comes from decoder.cursor()');
      this.#d = decoder;
      this.#views = decoder.views;
      this.#pviews = decoder.pviews;
    }

    /** Decodes a chunk (as Decoder.push); the cursor then stands before its first event. */
    push(chunk) {
      this.#start(this.#d.push(toBytes(chunk)), null, true);
      this.#load();
    }

    /**
     * Decodes the next chunk read straight into Wasm memory, with no copy: `read(target)` fills
     * the Uint8Array `target` (`size` bytes, default 1 MiB, a view of the decoder's input
     * buffer) from the front and returns how many bytes it wrote, as `fs.readSync(fd, target)`
     * does. Returns that count (0: nothing was read, the input may be at its end; call
     * `finish()`). The cursor then stands before the chunk's first event. `read` must not use
     * the decoder or its cursor.
     */
    pushFrom(read, size = SLICE) {
      if (typeof read !== 'function') throw new TypeError('eindkomst: pushFrom(read): read must be a function');
      this.#start(0, null, false); // the last batch is gone once the buffer is handed out
      const [got, n] = this.#d.pushFrom(read, size);
      this.#start(n, null, true);
      this.#load();
      return got;
    }

    /** Ends the input (as Decoder.finish); the cursor then stands before the last events. */
    finish() {
      const last = this.#d.finish();
      this.#start(last.n, last.found, false);
      this.#meta = last.meta;
      this.#text = new BatchText(last.text);
      this.#input = this.#text; // unused: no record of the last batch is in the input
    }

    #start(n, found, live) {
      this.#n = n;
      this.#i = -META_STRIDE;
      this.#type = null;
      this.#view = null;
      this.#found = found;
      this.#live = live;
    }

    /** New views on the batch in Wasm memory (after any call that may have grown it). */
    #load() {
      const { meta, text, input } = this.#d.batch(this.#n);
      this.#meta = meta;
      this.#text = new BatchText(text);
      this.#input = new BatchText(input);
    }

    /** Moves to the next event of the batch; false at its end. */
    next() {
      const i = (this.#i += META_STRIDE);
      if (i >= this.#n * META_STRIDE) {
        this.#i = this.#n * META_STRIDE;
        this.#type = null;
        this.#view = null;
        return false;
      }
      const meta = this.#meta;
      const t = meta[i];
      if (t === RECORD + IN_INPUT || t === RECORD || t === RECORD + WITH_PSEUDONYM) {
        const view = (t === RECORD + WITH_PSEUDONYM ? this.#pviews : this.#views)[meta[i + 1]];
        if (view === undefined) throw new EindkomstInternalError('eindkomst: record with an unknown layout');
        this.#type = 'record';
        this.#view = view;
        this.#inInput = t === RECORD + IN_INPUT;
        this.#at = meta[i + 5];
        return true;
      }
      this.#view = null;
      if (t === RAW) {
        this.#type = 'raw';
        this.#raw = rawLineAt(meta, i, this.#text);
        this.#d.rawLine(this.#raw);
        return true;
      }
      const k = meta[i + 1];
      if (this.#found === null) {
        this.#found = this.#d.findings();
        if (this.#live) this.#load(); // the call may have grown the memory
      }
      this.#type = 'finding';
      this.#finding = this.#found[k];
      this.#d.found(this.#finding);
      return true;
    }

    /** 'record', 'raw', 'finding', or null (before the first event, after the last). */
    get type() {
      return this.#type;
    }

    /** Whether the current event is a record. */
    get isRecord() {
      return this.#view !== null;
    }

    /** Where the current record's line is: the batch text or the input. */
    get #lines() {
      return this.#inInput ? this.#input : this.#text;
    }

    #record() {
      if (this.#view === null) throw new Error('eindkomst: the current event is not a record');
      return this.#view;
    }

    /** The record type as a number (6001); 0 when the current event is not a record. */
    get recordType() {
      return this.#view === null ? 0 : this.#view.rec;
    }

    /** The record type, 4 digits ("6001"), as EindkomstRecord.record. */
    get record() {
      return this.#record().record;
    }

    /** Physical line, 1-based. */
    get line() {
      return small(this.#meta[this.#i + 2]);
    }

    /** The Lb_nr written in the line (records), or null for a raw line without one. */
    get lbNr() {
      const n = this.#meta[this.#i + 3];
      return n < 0 ? null : small(n);
    }

    /** Byte offset of the line (or of the finding) in the stream. */
    get offset() {
      return small(this.#meta[this.#i + 4]);
    }

    /** The record's feltnummer as a number, or null (as EindkomstRecord.feltnummer). */
    get feltnummer() {
      return feltnummerAt(this.#record(), (this.#inInput ? this.#input : this.#text).dv, this.#at);
    }

    /** The record's first amount in øre, or null (as EindkomstRecord.amountOre). */
    get amountOre() {
      return amountOreAt(this.#record(), (this.#inInput ? this.#input : this.#text).dv, this.#at, this);
    }

    /** Field number `no` of the record without trailing blanks, or undefined (as EindkomstRecord.value). */
    value(no) {
      const f = this.#record().raw.find((r) => r.no === no);
      return f === undefined ? undefined : rawField(f, this.#lines.text, this.#at);
    }

    /** Every field of the record in line order, trailing blanks trimmed (as EindkomstRecord.values). */
    values() {
      const raw = this.#record().raw;
      const text = this.#lines.text;
      const out = new Array(raw.length);
      for (let i = 0; i < raw.length; i++) out[i] = rawField(raw[i], text, this.#at);
      return out;
    }

    /** The record, copied: what Decoder.push would have returned for it (kept after the batch). */
    toRecord() {
      const view = this.#record();
      const end = this.#at + (view.pseudonym === null ? view.length : view.pseudonym.end);
      const copy = new BatchText(this.#lines.bytes.slice(this.#at, end));
      const rec = new EindkomstRecord(view, copy, 0, this.line, small(this.#meta[this.#i + 3]), this.offset);
      return this.#d.raw ? rec.toRaw() : rec;
    }

    /** The current finding (also in the decoder's `findings`). */
    get finding() {
      if (this.#type !== 'finding') throw new Error('eindkomst: the current event is not a finding');
      return this.#finding;
    }

    /** The current raw line `{line, lbNr, offset, key, text}` (also in the decoder's `rawLines`). */
    get raw() {
      if (this.#type !== 'raw') throw new Error('eindkomst: the current event is not a raw line');
      return this.#raw;
    }
  }

  /** Where the next event with bytes starts after event `i`, or -1 (then the batch ends it). */
  function nextStart(meta, i) {
    for (let j = i + META_STRIDE; j < meta.length; j += META_STRIDE) {
      if (meta[j] === RECORD || meta[j] === RECORD + WITH_PSEUDONYM || meta[j] === RAW) return meta[j + 5];
    }
    return -1;
  }

  // ---- single values -----------------------------------------------------------

  /**
   * Checks one value (a CPR, an SE-nr) against a field of a record type by the rules
   * the decoder applies in a line: null when it is fine, else `{code, at, severity,
   * fieldNo, expected, found}`. `field` is a role (`'cpr'`, `'se'`) or a field number.
   */
  function checkField(recordType, field, value, family) {
    const fam = family === undefined || family === null ? null : family instanceof Family ? family : loadFamily(family);
    return guarded(() => wasm.checkField(recordType, field, toBytes(value), fam === null ? undefined : fam.json));
  }

  // ---- one-shot functions ----------------------------------------------------

  function run(input, options, internal) {
    const d = new Decoder(options, internal);
    try {
      const records = d.push(input);
      const rest = d.finish();
      for (let i = 0; i < rest.length; i++) records.push(rest[i]);
      return { records, findings: d.takeFindings(), counts: d.counts };
    } finally {
      d.free();
    }
  }

  /** Decodes a whole file: `{records, findings, counts}`; strict mode throws. */
  function decode(input, options) {
    return run(input, options);
  }

  /** Decodes Base64 text (a Beskedfordeler message body). */
  function decodeBase64(text, options) {
    return run(text, { ...(options || {}), base64: true });
  }

  /** Checks a file without building records: `{valid, findings, counts}`. */
  function validate(input, options) {
    const { findings, counts } = run(input, options, { validateOnly: true });
    return { valid: counts.rejected === 0 && counts.errors === 0, findings, counts };
  }

  // ---- stream adapters ---------------------------------------------------------

  /** Async iterable of `{records, findings}` batches over any async iterable of chunks (Node streams). */
  class DecodeStream {
    #source;
    constructor(source, options) {
      if (source == null || typeof source[Symbol.asyncIterator] !== 'function') {
        if (source == null || typeof source[Symbol.iterator] !== 'function') {
          throw new TypeError('eindkomst: decodeStream needs an (async) iterable of chunks');
        }
      }
      this.#source = source;
      this.decoder = new Decoder(options);
    }

    get counts() {
      return this.decoder.counts;
    }

    async *[Symbol.asyncIterator]() {
      const d = this.decoder;
      try {
        for await (const chunk of this.#source) {
          const records = d.push(chunk);
          const findings = d.takeFindings();
          if (records.length > 0 || findings.length > 0) yield { records, findings };
        }
        const records = d.finish();
        const findings = d.takeFindings();
        if (records.length > 0 || findings.length > 0) yield { records, findings };
      } finally {
        d.free();
      }
    }
  }

  function decodeStream(source, options) {
    return new DecodeStream(source, options);
  }

  const DecoderStream =
    typeof TransformStream === 'function'
      ? class DecoderStream extends TransformStream {
          constructor(options) {
            const decoder = new Decoder(options);
            const emit = (records, controller) => {
              const findings = decoder.takeFindings();
              if (records.length > 0 || findings.length > 0) controller.enqueue({ records, findings });
            };
            super({
              transform(chunk, controller) {
                emit(decoder.push(chunk), controller);
              },
              flush(controller) {
                emit(decoder.finish(), controller);
              },
              cancel() {
                decoder.free();
              },
            });
            this.decoder = decoder;
          }
        }
      : class DecoderStream {
          constructor() {
            throw new Error('eindkomst: DecoderStream needs a global TransformStream (Node ≥18, browsers)');
          }
        };

  // ---- formatting helpers ---------------------------------------------------------

  /** "32500.00" → "32.500,00 kr." (exact; at least two decimals). */
  function formatKroner(value, { unit = ' kr.' } = {}) {
    if (value === null || value === undefined) return '';
    const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(String(value));
    if (!m) throw new RangeError(`eindkomst: not a decimal: ${maskCprLike(value)}`);
    const int = m[2].replace(/\B(?=(\d{3})+(?!\d))/g, '.');
    let frac = m[3] || '';
    while (frac.length < 2) frac += '0';
    return `${m[1]}${int},${frac}${unit}`;
  }

  /** "6101901234" → "610190-****" (birth date kept, the rest hidden). */
  function maskCpr(cpr) {
    if (cpr === null || cpr === undefined) return '';
    const s = String(cpr);
    return s.length === 10 ? `${s.slice(0, 6)}-****` : '*'.repeat(s.length);
  }

  return Object.freeze({
    decode,
    decodeBase64,
    validate,
    Decoder,
    DecodeStream,
    decodeStream,
    DecoderStream,
    EindkomstRecord,
    EventCursor,
    EindkomstError,
    EindkomstInternalError,
    formatKroner,
    maskCpr,
    layouts: () => LAYOUTS,
    findingKinds: () => KINDS,
    loadFamily,
    Family,
    checkField,
    version: guarded(() => wasm.version()),
    // For the package's own tests: executes a Wasm trap.
    __trap: () => guarded(() => wasm.__trap()),
  });
}
