// The public JavaScript API of the `eindkomst` package, shared by the Node
// (CommonJS) and browser (ES module) builds: each entry passes its
// wasm-bindgen bindings to createApi(). build.sh also writes a CommonJS copy
// (api.cjs), so this file must keep `export function createApi` as its only
// export. Types: index.d.ts.
//
// Design (see wasm/src/lib.rs for the Rust half):
// - one crossing into Wasm per chunk slice (≤ 1 MiB), returning a batch: a
//   Float64Array of META_STRIDE numbers per record plus one string holding the
//   batch's record lines; findings cross only when there are some;
// - records are small objects pointing into the batch string; their fields
//   are sliced out and converted when first read (ISO-8859-1 bytes are single
//   UTF-16 code units, so layout positions are string positions);
// - a Wasm trap (a Rust panic, out of memory) resets the Wasm instance and
//   surfaces as EindkomstInternalError; decoders created before the reset
//   refuse further use, everything else keeps working.

export function createApi(wasm) {
  const META_STRIDE = 5; // layout index, line, Lb_nr, offset, start in the batch text
  const SLICE = 1 << 20; // bytes per crossing: bounds Wasm memory
  const SUB = 0x1a; // stands for a character outside ISO-8859-1
  const PSEUDONYM_LEN = 16; // hex characters; after the line in the batch text (wasm/src/filter.rs)

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

  const LAYOUTS = deepFreeze(
    guarded(() => wasm.layouts()).map((l) => ({
      ...l,
      record: String(l.rec).padStart(4, '0'),
    })),
  );

  /** Per layout and amount scale: how to read each field, built once. */
  function makeView(layout, amountScale) {
    const typed = [];
    const raw = [];
    const fields = layout.fields;
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i];
      raw.push({ key: String(f.no), no: f.no, personal: f.personal, start: f.start, end: f.start + f.len });
      if (f.no <= 2 || f.format === 'filler' || f.format === 'sign') continue;
      let read;
      if (f.type === 'N' && f.format === 'date') read = readDate;
      else if (f.type === 'N' && f.format === 'time') read = readTime;
      else if (f.format === 'amount' || f.format === 'quantity') read = readDecimal;
      else if (f.type === 'N') read = readNumber;
      else read = readText;
      // The sign of an amount is the field after it, when that is "-".
      const next = fields[i + 1];
      typed.push({
        name: f.name,
        no: f.no,
        personal: f.personal,
        start: f.start,
        end: f.start + f.len,
        read,
        scale: f.format === 'quantity' ? f.scale : amountScale,
        signAt: next && next.len === 1 ? next.start : -1,
      });
    }
    const cprField = fields.find((f) => f.personal);
    return {
      layout,
      record: layout.record,
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

  function rawFields(view, text, at) {
    const out = {};
    const raw = view.raw;
    for (let i = 0; i < raw.length; i++) {
      const f = raw[i];
      out[f.key] = trimEndSpaces(text.slice(at + f.start, at + f.end));
    }
    return out;
  }

  class EindkomstRecord {
    #view;
    #text;
    #at;
    #fields;

    constructor(view, text, at, line, lbNr, offset) {
      this.line = line;
      this.lbNr = lbNr;
      this.offset = offset;
      this.#view = view;
      this.#text = text;
      this.#at = at;
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
      return this.#text.slice(this.#at, this.#at + this.#view.length);
    }

    /** Typed values by field name (fillers and signs left out), built on first use. */
    get fields() {
      if (this.#fields === undefined) this.#fields = typedFields(this.#view, this.#text, this.#at);
      return this.#fields;
    }

    /** Every field by number, trailing blanks removed: the CLI's `--raw` shape. */
    get raw() {
      return rawFields(this.#view, this.#text, this.#at);
    }

    /** The CPR number (10 digits) of a 2101/4101/6000 record, or null. Personal data. */
    get cpr() {
      const c = this.#view.cpr;
      if (c === null) return null;
      const v = this.#text.slice(this.#at + c.start, this.#at + c.end);
      return isBlank(v) || /^0+$/.test(v) ? null : v;
    }

    /** With `filter.pseudonymiseKey`: the pseudonym shown in place of the CPR
     * (16 hex characters), or null (no CPR, or no key). */
    get pseudonym() {
      const p = this.#view.pseudonym;
      if (p === null) return null;
      const v = this.#text.slice(this.#at + p.start, this.#at + p.end);
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

  const OPTION_KEYS = new Set(['strict', 'base64', 'amountScale', 'personLayout', 'unknownCodesReject', 'raw', 'filter']);
  const FILTER_KEYS = new Set(['cprs', 'seNrs', 'records', 'felter', 'period', 'profile', 'pseudonymiseKey']);

  function integers(name, v, max) {
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v) || !v.every((n) => Number.isInteger(n) && n >= 0 && n <= max)) {
      throw new TypeError(`eindkomst: filter.${name} must be an array of integers 0-${max}`);
    }
    return v;
  }

  /** The `filter` option as the engine takes it (RawDecoder.set_filter, which
   * checks the rest); CPR numbers are checked here, and an error names only
   * their index. */
  function normalizeFilter(filter) {
    if (filter === undefined || filter === null) return null;
    if (typeof filter !== 'object') throw new TypeError('eindkomst: filter must be an object');
    for (const key of Object.keys(filter)) {
      if (!FILTER_KEYS.has(key)) throw new TypeError(`eindkomst: unknown filter option "${key}"`);
    }
    let cprs;
    if (filter.cprs !== undefined && filter.cprs !== null) {
      if (!Array.isArray(filter.cprs)) throw new TypeError('eindkomst: filter.cprs must be an array of CPR numbers');
      cprs = new Uint8Array(filter.cprs.length * 10);
      filter.cprs.forEach((cpr, i) => {
        const digits = typeof cpr === 'string' ? cpr.replace('-', '') : '';
        if (!/^[0-9]{10}$/.test(digits)) throw new TypeError(`eindkomst: filter.cprs[${i}] is not a CPR number (10 digits)`);
        for (let j = 0; j < 10; j++) cprs[i * 10 + j] = digits.charCodeAt(j);
      });
    }
    const key = filter.pseudonymiseKey;
    if (key !== undefined && key !== null && !(key instanceof Uint8Array)) {
      throw new TypeError('eindkomst: filter.pseudonymiseKey must be a Uint8Array');
    }
    let period = filter.period;
    if (period && typeof period === 'object' && period.monthsBack !== undefined && period.today === undefined) {
      period = { ...period, today: new Date().toISOString().slice(0, 10) }; // today, UTC
    }
    return {
      cprs,
      seNrs: integers('seNrs', filter.seNrs, 0xffffffff),
      records: integers('records', filter.records, 9999),
      felter: integers('felter', filter.felter, 9999),
      period: period === null ? undefined : period,
      profile: filter.profile === null ? undefined : filter.profile,
      pseudonymiseKey: key === null ? undefined : key,
    };
  }
  const PERSON_LAYOUTS = { auto: 0, current: 1, 'pre-tin': 2 };

  function normalizeOptions(options) {
    if (options === undefined || options === null) options = {};
    if (typeof options !== 'object') throw new TypeError('eindkomst: options must be an object');
    for (const key of Object.keys(options)) {
      if (!OPTION_KEYS.has(key)) throw new TypeError(`eindkomst: unknown option "${key}"`);
    }
    const amountScale = options.amountScale === undefined ? 6 : options.amountScale;
    if (!Number.isInteger(amountScale) || amountScale < 0 || amountScale > 16) {
      throw new RangeError('eindkomst: amountScale must be an integer 0-16');
    }
    const personLayout = options.personLayout === undefined ? 'auto' : options.personLayout;
    if (!Object.prototype.hasOwnProperty.call(PERSON_LAYOUTS, personLayout)) {
      throw new RangeError('eindkomst: personLayout must be "auto", "current" or "pre-tin"');
    }
    return {
      strict: Boolean(options.strict),
      base64: Boolean(options.base64),
      amountScale,
      personLayout: PERSON_LAYOUTS[personLayout],
      unknownCodesReject: Boolean(options.unknownCodesReject),
      raw: Boolean(options.raw),
      filter: normalizeFilter(options.filter),
    };
  }

  // ---- counts ---------------------------------------------------------------

  function countsFrom(a) {
    const byType = {};
    for (let i = 8; i + 2 < a.length; i += 3) {
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
      byType,
    };
  }

  // ---- the streaming decoder -----------------------------------------------

  const viewCache = new Map(); // amount scale -> views by layout index

  function viewsFor(amountScale) {
    let views = viewCache.get(amountScale);
    if (views === undefined) {
      views = LAYOUTS.map((l) => makeView(l, amountScale));
      viewCache.set(amountScale, views);
    }
    return views;
  }

  class Decoder {
    #raw;
    #generation;
    #opts;
    #views;
    #records; // false: validation only
    #state = 'open'; // open | finished | failed | broken | freed
    #findings = [];
    #counts = null;

    constructor(options, internal) {
      const o = normalizeOptions(options);
      this.#opts = o;
      this.#records = !(internal && internal.validateOnly);
      this.#views = viewsFor(o.amountScale);
      this.#generation = generation;
      this.#raw = guarded(
        () =>
          new wasm.RawDecoder(o.strict, o.base64, o.amountScale, o.personLayout, o.unknownCodesReject, this.#records),
      );
      if (o.filter !== null) {
        try {
          guarded(() => this.#raw.set_filter(o.filter));
        } catch (e) {
          if (!(e instanceof EindkomstInternalError)) this.#raw.free();
          this.#raw = null;
          throw e;
        }
        const visible = guarded(() => this.#raw.visible_fields());
        const pseudonymised = o.filter.pseudonymiseKey !== undefined;
        this.#views = this.#views.map((v, i) => projectView(v, visible[i], pseudonymised));
      }
    }

    /** Decodes a chunk; returns the records completed by it (one array per call). */
    push(chunk) {
      this.#usable('push');
      const bytes = toBytes(chunk);
      const out = [];
      let pos = 0;
      do {
        const end = Math.min(bytes.length, pos + SLICE);
        const slice = pos === 0 && end === bytes.length ? bytes : bytes.subarray(pos, end);
        this.#take(this.#call(() => this.#raw.push(slice)), out);
        pos = end;
      } while (pos < bytes.length);
      return out;
    }

    /** Ends the input; returns the last records. The decoder is spent afterwards. */
    finish() {
      this.#usable('finish');
      const out = [];
      this.#take(this.#call(() => this.#raw.finish()), out);
      this.#close('finished');
      return out;
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

    #take(meta, out) {
      const nRecords = (meta.length - 1) / META_STRIDE;
      if (nRecords > 0) {
        const text = latin1Text(this.#call(() => this.#raw.text()));
        const views = this.#views;
        const raw = this.#opts.raw;
        for (let i = 1; i < meta.length; i += META_STRIDE) {
          const view = views[meta[i]];
          if (view === undefined) throw new EindkomstInternalError('eindkomst: record with an unknown layout');
          const rec = new EindkomstRecord(view, text, meta[i + 4], meta[i + 1], meta[i + 2], meta[i + 3]);
          out.push(raw ? rec.toRaw() : rec);
        }
      }
      if (meta[0] > 0) {
        const found = this.#call(() => this.#raw.findings());
        let first = null;
        for (const f of found) {
          const { kind, ...details } = f.details || {};
          f.details = details;
          if (first === null && f.severity === 'error') first = f;
          this.#findings.push(f);
        }
        if (this.#opts.strict && first !== null) {
          this.#close('failed');
          throw new EindkomstError(first);
        }
      }
    }
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
    if (!m) throw new RangeError(`eindkomst: not a decimal: ${value}`);
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
    EindkomstError,
    EindkomstInternalError,
    formatKroner,
    maskCpr,
    layouts: () => LAYOUTS,
    version: guarded(() => wasm.version()),
    // For the package's own tests: executes a Wasm trap.
    __trap: () => guarded(() => wasm.__trap()),
  });
}
