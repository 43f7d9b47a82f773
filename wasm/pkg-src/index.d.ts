// Types of the `eindkomst` package. The API part is written by hand; the
// record part at the end is generated from the layout tables by
// `node scripts/gen-types.mjs` (a test fails when it is out of date).

/** Bytes of an eIndkomst file (ISO-8859-1), or a string read as ISO-8859-1
 * (one character, one byte; characters above U+00FF stand for byte 0x1A and
 * get their line rejected). */
export type Input = Uint8Array | ArrayBuffer | ArrayBufferView | string;

export interface DecodeOptions {
  /** Throw an {@link EindkomstError} at the first rejected line or stream error. Default false. */
  strict?: boolean;
  /** The input is Base64 text (a Beskedfordeler message body). Default false. */
  base64?: boolean;
  /** Decimals in 16-digit amounts, 0-16. Default 6 (10 + 6 digits; the spec is unsure). */
  amountScale?: number;
  /** Which employer 6000 layout: by the family's rules ("auto", default: line length, then
   * the 1000's Dato_sendt, then content), or always "current", "pre-tin" or "taxcardbuilder". */
  personLayout?: 'auto' | 'current' | 'pre-tin' | 'taxcardbuilder';
  /** The record family: a {@link Family} from {@link loadFamily}, or its JSON text. Default: employer. */
  family?: Family | string;
  /** How characters are encoded: "auto" (default: ISO-8859-1, or UTF-8 decided once per file
   * with one utf8_encoded warning), "latin1" or "utf8". */
  encoding?: 'auto' | 'latin1' | 'utf8';
  /** A line whose record key has no layout: "reject" (default) or "raw" (passed through:
   * {@link Decoder.rawLines}, `pushEvents`, with a passed_raw warning). */
  unknown?: 'reject' | 'raw';
  /** Layouts forced for their record type, "KEY@VARIANT" (e.g. "6000@v7.1"). */
  variants?: readonly string[];
  /** A code outside an open value set rejects the line instead of warning. Default false. */
  unknownCodesReject?: boolean;
  /** Return plain `{line, record, fields}` objects keyed by field number, as the CLI's `decode --raw`. */
  raw?: boolean;
  /** Dataafgrænsning: only the records and fields this lets through reach JS. */
  filter?: FilterOptions;
}

/**
 * Dataafgrænsning (docs/filtering.md), done inside the engine: records a
 * recipient may not see never cross into JS. A set restricts when given (an
 * empty array keeps nothing of its dimension); dropping a person drops their
 * amounts, and headers (1000, 2001, 5000, 6000) come only in front of a kept
 * record. Kept records are projected: fields the profile forbids are absent
 * from `fields` and `raw` and blank in `text`. Invalid options throw an
 * `Error` whose message never contains a CPR number.
 */
export interface FilterOptions {
  /** Keep only these persons (2101, 6000, 4101 with a CPR): 10 digits, "6101901234" or "610190-1234". */
  cprs?: readonly string[];
  /** Keep only these employers (2001 Virksomhed_SE_nr). */
  se_nrs?: readonly number[];
  /** Keep only these record types, e.g. `[6001]` (their headers come along). */
  record_types?: readonly number[];
  /** Keep only these feltnumre (Feltnummer of 3101, 6001-6005). */
  feltnumre?: readonly number[];
  /** Income period (5000 Lønperiode, 3101 Periode must overlap it), dates "YYYY-MM-DD":
   * `{from, to}` both included, or the month of `today` (default: today, UTC) and
   * `months_back` whole months before it (SF2860's "current month + 3 back": `{months_back: 3}`),
   * or the CLI's text "FROM..TO" / "last:N" / "last:N@YYYY-MM-DD". */
  period?: { from: string; to: string } | { months_back: number; today?: string } | { monthsBack: number; today?: string } | string;
  /** Which record types and fields may be shown: "full" (default), "minimal"
   * (identity of employer and person, pay period, A-indkomst and AM-bidrag), or a table. */
  profile?: 'full' | 'minimal' | CustomProfile;
  /** Replace CPR numbers by HMAC-SHA-256(key, CPR), 16 hex characters (at least 16 key bytes).
   * The same key gives the same pseudonym; see {@link EindkomstRecord.pseudonym}. */
  pseudonym_key?: Uint8Array;
  /** @deprecated Use `se_nrs`. */
  seNrs?: readonly number[];
  /** @deprecated Use `record_types`. */
  records?: readonly number[];
  /** @deprecated Use `feltnumre`. */
  felter?: readonly number[];
  /** @deprecated Use `pseudonym_key`. */
  pseudonymiseKey?: Uint8Array;
}

/** A profile of one's own, as the CLI's `--profile FILE`. */
export interface CustomProfile {
  /** Default "user". */
  name?: string;
  /** Record type ("6001") → permitted field numbers (1-63); Lb_nr and Rec_nr always pass.
   * A type not listed is not passed (a header of that type passes bare). */
  records: { [record: string]: readonly number[] };
  /** Permitted felt numbers; absent: all, `[]`: none. */
  feltnumre?: readonly number[];
}

/** What the filter did: `seen === passed + filteredOut` (after the end of input), and
 * `filteredOut` is the sum of `byReason`. */
export interface FilterCounts {
  /** Records given to the filter (`counts.decoded`). */
  seen: number;
  /** Records passed on, headers included. */
  passed: number;
  /** Headers waiting for a record under them (0 after the end of input). */
  held: number;
  filteredOut: number;
  /** Filtered out per reason (the first dimension that failed). */
  byReason: {
    cpr: number;
    se: number;
    record_type: number;
    felt: number;
    period: number;
    /** The person, employer or report it belongs to was dropped. */
    parent_dropped: number;
    /** A header none of whose records was kept. */
    empty_header: number;
  };
}

export type RawOptions = DecodeOptions & { raw: true };

/** What the decoder reports besides records. Never contains field contents. */
export interface Finding {
  /** `rejected`: the line was dropped; `error`: a stream problem; `warning`: the record was kept. */
  kind: 'rejected' | 'error' | 'warning';
  severity: 'error' | 'warning';
  /** Stable snake_case code, the same in every binding: "not_digit", "wrong_length", ... */
  code: string;
  /** The short description of the code. */
  description: string;
  /** One line: "line 10 (Lb_nr 10), record 6001, field 4 Beloeb, offset 730: non-digit in numeric field". */
  message: string;
  /** Physical line, 1-based (0 before any line). */
  line: number;
  lbNr: number | null;
  /** Record type as a number (6001), when it could be read. */
  record: number | null;
  fieldNo: number | null;
  fieldName: string | null;
  /** Byte offset in the (Base64-decoded) stream; in the Base64 text for Base64 errors. */
  offset: number;
  /** The numbers of some codes: `{expected, found}`, `{byte}`, `{limit}`, `{needs}`, `{counted, stated}`. */
  details: Record<string, number>;
}

export interface TypeCounts {
  decoded: number;
  rejected: number;
}

/** Accounting: `lines === decoded + rejected + raw`. */
export interface Counts {
  /** Lines with an unknown record key passed through (`unknown: "raw"`). */
  raw: number;
  lines: number;
  decoded: number;
  rejected: number;
  warnings: number;
  /** Stream errors (not counting rejected lines). */
  errors: number;
  /** Findings beyond the per-line limit, counted but not reported. */
  suppressed: number;
  /** Bytes of record data (after Base64 decoding). */
  bytes: number;
  /** Rejected lines whose record type could not be read. */
  rejectedUntyped: number;
  /** Per record type ("6001"), every type of the layout set. */
  byType: { [record in RecordType]: TypeCounts };
  /** With the `filter` option: what the filter passed and dropped. */
  filter?: FilterCounts;
}

export interface DecodeResult<R = EindkomstRecordUnion> {
  records: R[];
  /** Empty unless something was found (strict mode throws instead). */
  findings: Finding[];
  counts: Counts;
}

export interface ValidateResult {
  /** No rejected line and no stream error (warnings allowed). */
  valid: boolean;
  findings: Finding[];
  counts: Counts;
}

/** A decoder finding as an exception (strict mode), with its position. */
export class EindkomstError extends Error {
  readonly name: 'EindkomstError' | 'EindkomstInternalError';
  readonly code: string;
  readonly kind: Finding['kind'];
  readonly severity: Finding['severity'];
  readonly line: number | null;
  readonly lbNr: number | null;
  readonly record: number | null;
  readonly fieldNo: number | null;
  readonly fieldName: string | null;
  readonly offset: number | null;
  readonly details: Record<string, number>;
  readonly finding: Finding;
}

/** A WebAssembly trap (a bug). The module has been reset: decoders created
 * before are unusable, new ones work. `code` is "internal_error". */
export class EindkomstInternalError extends EindkomstError {
  readonly name: 'EindkomstInternalError';
}

/** One field of a layout. */
export interface LayoutField {
  no: number;
  name: string;
  /** 0-based position in the line. */
  start: number;
  len: number;
  type: 'N' | 'A';
  format: 'plain' | 'filler' | 'date' | 'time' | 'amount' | 'quantity' | 'sign';
  /** Decimals of a quantity. */
  scale: number | null;
  mandatory: 'yes' | 'no' | 'conditional' | 'third_party' | 'unknown';
  /** A CPR number: mask it when showing it. */
  personal: boolean;
  /** What the field means: "cpr", "se", "feltnummer", "amount", "period_start", ... ("none"). */
  role: string;
  /** Part of an optional tail: a line may end before it. */
  tail: boolean;
  /** Name of the field's value set. */
  values: string | null;
}

export interface Layout {
  index: number;
  rec: number;
  /** The record key as it stands in the file: "6001" (employer), "120" (another family). */
  record: RecordType;
  /** The same key. */
  key: string;
  /** "" for the current layout, else e.g. "v7.1". */
  variant: string;
  name: string;
  length: number;
  fields: readonly LayoutField[];
}

/** What every record has. The class is {@link EindkomstRecord}. */
export interface RecordBase<T extends RecordType, V extends string, F, RF> {
  /** The record key as it stands in the file ("6001"; "120" in another family). */
  readonly record: T;
  /** Layout variant: "" for the current one. */
  readonly variant: V;
  /** Physical line, 1-based. */
  readonly line: number;
  readonly lbNr: number;
  /** Byte offset of the line in the (decoded) stream. */
  readonly offset: number;
  /** The whole line, without terminator. */
  readonly text: string;
  readonly layout: Layout;
  /** Values by field name; fillers and signs left out (amounts carry their sign).
   * Blank values are null; dates "2025-01-31", times "06:15:00", amounts exact
   * decimals "32500.00", numbers as digits with leading zeros. */
  readonly fields: F;
  /** Every field by number, trailing blanks removed (the CLI's `--raw`). */
  readonly raw: RF;
  /** The CPR number of a 2101/4101/6000 record, or null. Personal data. */
  readonly cpr: string | null;
  /** With `filter.pseudonym_key`: the pseudonym standing in the CPR field
   * (16 hex characters; `cpr` is then null), else null. */
  readonly pseudonym: string | null;
  /** The feltnummer (role feltnummer: employer 3101, 6001-6005), read from the bytes; null when none. */
  readonly feltnummer: number | null;
  /** The first amount (role amount) in øre with its sign, read from the bytes; null when none.
   * Throws a RangeError for an amount with digits below 1 øre. */
  readonly amountOre: number | null;
  /** The line's bytes (ISO-8859-1), a view into the batch. */
  readonly bytes: Uint8Array;
  /** Field number `no` without trailing blanks (as in `raw`), or undefined. */
  value(no: number): string | undefined;
  /** Every field in line order, trailing blanks trimmed: the values of `raw` as an array. */
  values(): string[];
  toJSON(): { line: number; lbNr: number; offset: number; record: T; variant: V; fields: F };
  toRaw(): RawRecord<T, RF>;
}

/** The CLI's `decode --raw` object. */
export interface RawRecord<T extends RecordType = RecordType, RF = { [no: string]: string }> {
  line: number;
  record: T;
  fields: RF;
}

/** The class of decoded records (for `instanceof`); see {@link EindkomstRecordUnion}. */
export class EindkomstRecord {
  private constructor();
  readonly record: RecordType;
  readonly variant: string;
  readonly line: number;
  readonly lbNr: number;
  readonly offset: number;
  readonly text: string;
  readonly layout: Layout;
  readonly fields: { [name: string]: string | null };
  readonly raw: { [no: string]: string };
  readonly cpr: string | null;
  readonly pseudonym: string | null;
  readonly feltnummer: number | null;
  readonly amountOre: number | null;
  readonly bytes: Uint8Array;
  value(no: number): string | undefined;
  values(): string[];
  toJSON(): object;
  toRaw(): RawRecord;
}

/** A line with an unknown record key, passed through (`unknown: "raw"`). Personal data possible. */
export interface RawLine {
  line: number;
  lbNr: number | null;
  offset: number;
  /** The record key as it stands. */
  key: string;
  /** The whole line. */
  text: string;
}

/** One event of the ordered stream (`pushEvents`). */
export type DecodeEvent<R = EindkomstRecordUnion> =
  | { type: 'record'; record: R }
  | { type: 'raw'; raw: RawLine }
  | { type: 'finding'; finding: Finding };

/** A record family loaded from its JSON description (docs/layouts.md). */
export class Family {
  private constructor();
  readonly name: string;
  /** The field separator of a separated family ("'"), or null. */
  readonly separator: string | null;
  /** Whether lines carry a running line number. */
  readonly lineNumbers: boolean;
  readonly layouts: readonly Layout[];
  /** The JSON text it was loaded from. */
  readonly json: string;
}

/** Loads a family from its JSON text; throws an Error saying what is wrong. */
export function loadFamily(json: string): Family;

/** The verdict of {@link checkField} on a value that is not fine. */
export interface FieldCheck {
  code: string;
  /** Byte position of the problem in the value. */
  at: number;
  severity: 'error' | 'warning';
  fieldNo: number;
  expected: number;
  found: number;
}

/** Checks one value (a CPR, an SE-nr) against a field of a record type (by role, e.g. "cpr",
 * or by field number) by the rules the decoder applies in a line: null when it is fine. */
export function checkField(recordType: number, field: string | number, value: Input, family?: Family | string): FieldCheck | null;

/** One kind of finding, from the engine's table. */
export interface FindingKind {
  number: number;
  code: string;
  name: string;
  severity: 'error' | 'warning';
  message: string;
}

/** Every kind of finding (frozen). */
export function findingKinds(): readonly FindingKind[];

/** A batch from a stream adapter: the records and findings of one chunk. */
export interface Batch<R = EindkomstRecordUnion> {
  records: R[];
  findings: Finding[];
}

/** Streaming decoder: feed chunks of any size, split anywhere. */
export class Decoder<R = EindkomstRecordUnion> {
  /** With `raw: true`, write `new Decoder<RawRecordUnion>({ raw: true })`. */
  constructor(options?: DecodeOptions);
  /** Decodes a chunk; returns the records it completed (lines split across
   * chunks come with the chunk that ends them). Strict mode throws. */
  push(chunk: Input): R[];
  /** Ends the input (a last line without line feed, end checks); returns the last records. */
  finish(): R[];
  /** Decodes a chunk; returns its events in input order (records, raw lines, findings). */
  pushEvents(chunk: Input): DecodeEvent<R>[];
  /** Ends the input; returns the last events in order. */
  finishEvents(): DecodeEvent<R>[];
  /** Raw lines (`unknown: "raw"`) not yet taken. */
  readonly rawLines: RawLine[];
  /** Returns the raw lines so far and forgets them. */
  takeRaw(): RawLine[];
  /** Counts so far (final after finish). */
  readonly counts: Counts;
  /** Findings not yet taken. */
  readonly findings: Finding[];
  /** Returns the findings so far and forgets them. */
  takeFindings(): Finding[];
  /** "open" until finish() (then "finished"), a strict-mode stop ("failed"),
   * free() ("freed") or an internal error ("broken"). */
  readonly state: 'open' | 'finished' | 'failed' | 'freed' | 'broken';
  /** Releases the Wasm memory now instead of at garbage collection. */
  free(): void;
  /** The decoder's event cursor (one per decoder): the fast way through a stream, no object
   * per record. Feed it with its own push/finish, not the decoder's. */
  cursor(): EventCursor<R>;
}

/**
 * A decoder's events in input order, read in place from the batch in Wasm memory.
 * `push(chunk)` / `finish()` decode, `next()` walks the batch (false at its end). A record's
 * numbers come straight from its bytes; everything read is valid until the next push/finish.
 * `for await (const c of stream) { cur.push(c); while (cur.next()) if (cur.recordType === 6001) sum += cur.amountOre ?? 0; }`
 */
export class EventCursor<R = EindkomstRecordUnion> {
  private constructor();
  /** Decodes a chunk; the cursor stands before its first event. Strict mode throws from next(). */
  push(chunk: Input): void;
  /**
   * Decodes the next chunk read straight into Wasm memory (no copy): `read(target)` fills the
   * view `target` (`size` bytes, default 1 MiB) from the front and returns the bytes written,
   * as `fs.readSync(fd, target)`. Returns that count (0: nothing read; call finish()). `read`
   * must not use the decoder. E.g. `while (cur.pushFrom((b) => fs.readSync(fd, b)) > 0) walk();`
   */
  pushFrom(read: (target: Uint8Array) => number, size?: number): number;
  /** Ends the input; the cursor stands before the last events. */
  finish(): void;
  /** Moves to the next event of the batch; false at its end. */
  next(): boolean;
  /** The current event's type; null before the first and after the last. */
  readonly type: 'record' | 'raw' | 'finding' | null;
  readonly isRecord: boolean;
  /** The record type as a number (6001); 0 when the event is not a record. */
  readonly recordType: number;
  /** The record type, 4 digits ("6001"). */
  readonly record: string;
  readonly line: number;
  readonly lbNr: number | null;
  readonly offset: number;
  /** The feltnummer, or null. */
  readonly feltnummer: number | null;
  /** The first amount in øre with its sign, or null; RangeError for digits below 1 øre. */
  readonly amountOre: number | null;
  /** Field `no` without trailing blanks, or undefined. */
  value(no: number): string | undefined;
  /** Every field in line order, trailing blanks trimmed. */
  values(): string[];
  /** The record copied, as Decoder.push returns it. */
  toRecord(): R;
  /** The current finding (also in the decoder's findings). */
  readonly finding: Finding;
  /** The current raw line (also in the decoder's rawLines). */
  readonly raw: RawLine;
}

/** Async iterable of batches over an (async) iterable of chunks, e.g. a Node
 * `Readable` or a web `ReadableStream`. */
export class DecodeStream<R = EindkomstRecordUnion> implements AsyncIterable<Batch<R>> {
  constructor(source: AsyncIterable<Input> | Iterable<Input>, options?: DecodeOptions);
  readonly decoder: Decoder<R>;
  readonly counts: Counts;
  [Symbol.asyncIterator](): AsyncIterator<Batch<R>>;
}

/** `for await (const {records, findings} of decodeStream(fs.createReadStream(path))) ...` */
export function decodeStream(source: AsyncIterable<Input> | Iterable<Input>, options: RawOptions): DecodeStream<RawRecordUnion>;
export function decodeStream(source: AsyncIterable<Input> | Iterable<Input>, options?: DecodeOptions): DecodeStream;

/** `file.stream().pipeThrough(new DecoderStream())`: chunks in, batches out. */
export class DecoderStream<R = EindkomstRecordUnion> extends TransformStream<Input, Batch<R>> {
  constructor(options?: DecodeOptions);
  readonly decoder: Decoder<R>;
}

/** Decodes a whole file. Lenient by default: findings come with the records. */
export function decode(input: Input, options: RawOptions): DecodeResult<RawRecordUnion>;
export function decode(input: Input, options?: DecodeOptions): DecodeResult;

/** Decodes Base64 text (a Beskedfordeler message body); whitespace is skipped. */
export function decodeBase64(text: Input, options: Omit<RawOptions, 'base64'>): DecodeResult<RawRecordUnion>;
export function decodeBase64(text: Input, options?: Omit<DecodeOptions, 'base64'>): DecodeResult;

/** Checks a file without building records. */
export function validate(input: Input, options?: Omit<DecodeOptions, 'raw'>): ValidateResult;

/** "32500.00" → "32.500,00 kr." (Danish, exact). `unit` defaults to " kr.". */
export function formatKroner(value: string | null | undefined, options?: { unit?: string }): string;

/** "6101901234" → "610190-****". */
export function maskCpr(cpr: string | null | undefined): string;

/** The layout tables (frozen). */
export function layouts(): readonly Layout[];

/** Package (and crate) version. */
export const version: string;

declare const api: {
  decode: typeof decode;
  decodeBase64: typeof decodeBase64;
  validate: typeof validate;
  Decoder: typeof Decoder;
  DecodeStream: typeof DecodeStream;
  decodeStream: typeof decodeStream;
  DecoderStream: typeof DecoderStream;
  EindkomstRecord: typeof EindkomstRecord;
  EventCursor: typeof EventCursor;
  EindkomstError: typeof EindkomstError;
  EindkomstInternalError: typeof EindkomstInternalError;
  formatKroner: typeof formatKroner;
  maskCpr: typeof maskCpr;
  layouts: typeof layouts;
  findingKinds: typeof findingKinds;
  loadFamily: typeof loadFamily;
  Family: typeof Family;
  checkField: typeof checkField;
  version: string;
};
export default api;

// ---- records: generated by scripts/gen-types.mjs, do not edit below ----

/** Fields of 1000 Startrecord, 142 bytes. */
export interface Fields1000 {
  /** felt 3, pos 12-19, N, date */
  Dato_sendt: string | null;
  /** felt 4, pos 20-25, N, time */
  Klok_sendt: string | null;
  /** felt 5, pos 26-33, N, plain, mandatory: third_party */
  Indberetter_SE_nr: string | null;
  /** felt 6, pos 34-41, N, plain */
  Indberetter_CVR_nr: string | null;
  /** felt 7, pos 42-43, N, plain, mandatory: third_party, values: indberettertype */
  Indberettertype: string | null;
  /** felt 9, pos 49-49, N, plain */
  "Indberetningsmetode (name uncertain)": string | null;
  /** felt 10, pos 50-69, A, plain */
  Edb_system: string | null;
  /** felt 11, pos 70-89, A, plain */
  Edb_system_version: string | null;
  /** felt 12, pos 90-105, A, plain */
  HovedindberetningsID: string | null;
  /** felt 13, pos 106-108, A, plain */
  "Version (name uncertain)": string | null;
  /** felt 14, pos 109-109, A, plain, mandatory: third_party, values: test_prod */
  Test_produktion: string | null;
  /** felt 16, pos 142-142, A, plain, mandatory: third_party, values: system */
  System: string | null;
}

/** Raw fields of 1000 Startrecord, 142 bytes, by field number. */
export interface RawFields1000 {
  /** Lb_nr */
  "1": string;
  /** Rec_nr */
  "2": string;
  /** Dato_sendt */
  "3": string;
  /** Klok_sendt */
  "4": string;
  /** Indberetter_SE_nr */
  "5": string;
  /** Indberetter_CVR_nr */
  "6": string;
  /** Indberettertype */
  "7": string;
  /** Fillerfelt */
  "8": string;
  /** Indberetningsmetode (name uncertain) */
  "9": string;
  /** Edb_system */
  "10": string;
  /** Edb_system_version */
  "11": string;
  /** HovedindberetningsID */
  "12": string;
  /** Version (name uncertain) */
  "13": string;
  /** Test_produktion */
  "14": string;
  /** Fillerfelt */
  "15": string;
  /** System */
  "16": string;
}

/** 1000 Startrecord, 142 bytes. */
export interface Record1000 extends RecordBase<"1000", "", Fields1000, RawFields1000> {}

/** Fields of 2001 Virksomhedsrecord, 39 bytes. */
export interface Fields2001 {
  /** felt 4, pos 28-35, N, plain, mandatory: third_party */
  Virksomhed_SE_nr: string | null;
  /** felt 5, pos 36-36, A, plain, mandatory: no, values: ophoer_lsb */
  Ophoer_hos_LSB: string | null;
  /** felt 6, pos 37-39, A, plain */
  Valutakode: string | null;
}

/** Raw fields of 2001 Virksomhedsrecord, 39 bytes, by field number. */
export interface RawFields2001 {
  /** Lb_nr */
  "1": string;
  /** Rec_nr */
  "2": string;
  /** Fillerfelt */
  "3": string;
  /** Virksomhed_SE_nr */
  "4": string;
  /** Ophoer_hos_LSB */
  "5": string;
  /** Valutakode */
  "6": string;
}

/** 2001 Virksomhedsrecord, 39 bytes. */
export interface Record2001 extends RecordBase<"2001", "", Fields2001, RawFields2001> {}

/** Fields of 2101 Skattekortrekvisition, 144 bytes. */
export interface Fields2101 {
  /** felt 3, pos 12-21, N, plain, mandatory: third_party, PERSONAL (CPR) */
  Person_CPR_nr: string | null;
  /** felt 5, pos 30-44, A, plain */
  Medarbejder_nr: string | null;
  /** felt 6, pos 45-52, N, date, mandatory: third_party */
  Ansaettelsesdato: string | null;
  /** felt 7, pos 53-60, N, date, mandatory: no */
  Fratraedelsesdato: string | null;
  /** felt 9, pos 85-85, N, plain, mandatory: third_party, values: skattekorttype */
  Skattekorttype: string | null;
  /** felt 10, pos 86-93, N, date, mandatory: third_party */
  Anvendes_fra_dato: string | null;
  /** felt 11, pos 94-143, A, plain, mandatory: no */
  Supplerende_oplysninger_medarbejdernr: string | null;
  /** felt 12, pos 144-144, A, plain, mandatory: no, values: genrekvisition */
  Genrekvisition: string | null;
}

/** Raw fields of 2101 Skattekortrekvisition, 144 bytes, by field number. */
export interface RawFields2101 {
  /** Lb_nr */
  "1": string;
  /** Rec_nr */
  "2": string;
  /** Person_CPR_nr */
  "3": string;
  /** Fillerfelt */
  "4": string;
  /** Medarbejder_nr */
  "5": string;
  /** Ansaettelsesdato */
  "6": string;
  /** Fratraedelsesdato */
  "7": string;
  /** Fillerfelt */
  "8": string;
  /** Skattekorttype */
  "9": string;
  /** Anvendes_fra_dato */
  "10": string;
  /** Supplerende_oplysninger_medarbejdernr */
  "11": string;
  /** Genrekvisition */
  "12": string;
}

/** 2101 Skattekortrekvisition, 144 bytes. */
export interface Record2101 extends RecordBase<"2101", "", Fields2101, RawFields2101> {}

/** Fields of 2111 Personoplysning, 35 bytes. */
export interface Fields2111 {
  /** felt 3, pos 12-15, N, plain, mandatory: third_party, values: ip_indholdstype */
  IP_indholdstype: string | null;
  /** felt 4, pos 16-27, N, plain */
  Indhold: string | null;
  /** felt 5, pos 28-35, N, date, mandatory: no */
  Ikraft_dato: string | null;
}

/** Raw fields of 2111 Personoplysning, 35 bytes, by field number. */
export interface RawFields2111 {
  /** Lb_nr */
  "1": string;
  /** Rec_nr */
  "2": string;
  /** IP_indholdstype */
  "3": string;
  /** Indhold */
  "4": string;
  /** Ikraft_dato */
  "5": string;
}

/** 2111 Personoplysning, 35 bytes. */
export interface Record2111 extends RecordBase<"2111", "", Fields2111, RawFields2111> {}

/** Fields of 3101 Virksomhedsniveau-indberetning, 82 bytes. */
export interface Fields3101 {
  /** felt 3, pos 12-12, A, plain, values: forud_bagud */
  Forud_bagud: string | null;
  /** felt 4, pos 13-28, A, plain, mandatory: third_party */
  IndberetningsID: string | null;
  /** felt 5, pos 29-44, A, plain */
  ReferenceID: string | null;
  /** felt 6, pos 45-52, N, date, mandatory: third_party */
  Periode_start: string | null;
  /** felt 7, pos 53-60, N, date, mandatory: third_party */
  Periode_slut: string | null;
  /** felt 8, pos 61-61, A, plain, mandatory: no, values: nulangivelse */
  Nulangivelse: string | null;
  /** felt 9, pos 62-65, N, plain, values: feltnr_3101 */
  Feltnummer: string | null;
  /** felt 10, pos 66-81, N, amount */
  Beloeb: string | null;
}

/** Raw fields of 3101 Virksomhedsniveau-indberetning, 82 bytes, by field number. */
export interface RawFields3101 {
  /** Lb_nr */
  "1": string;
  /** Rec_nr */
  "2": string;
  /** Forud_bagud */
  "3": string;
  /** IndberetningsID */
  "4": string;
  /** ReferenceID */
  "5": string;
  /** Periode_start */
  "6": string;
  /** Periode_slut */
  "7": string;
  /** Nulangivelse */
  "8": string;
  /** Feltnummer */
  "9": string;
  /** Beloeb */
  "10": string;
  /** Fortegn */
  "11": string;
}

/** 3101 Virksomhedsniveau-indberetning, 82 bytes. */
export interface Record3101 extends RecordBase<"3101", "", Fields3101, RawFields3101> {}

/** Fields of 4101 Tilbageførsel, 55 bytes. */
export interface Fields4101 {
  /** felt 3, pos 12-27, A, plain, mandatory: third_party */
  IndberetningsID: string | null;
  /** felt 4, pos 28-43, A, plain */
  ReferenceID: string | null;
  /** felt 6, pos 45-45, A, plain, mandatory: third_party, values: j_n */
  Tilbagefoersel: string | null;
  /** felt 7, pos 46-55, N, plain, mandatory: no, PERSONAL (CPR) */
  Person_CPR_nr: string | null;
}

/** Raw fields of 4101 Tilbageførsel, 55 bytes, by field number. */
export interface RawFields4101 {
  /** Lb_nr */
  "1": string;
  /** Rec_nr */
  "2": string;
  /** IndberetningsID */
  "3": string;
  /** ReferenceID */
  "4": string;
  /** Fillerfelt */
  "5": string;
  /** Tilbagefoersel */
  "6": string;
  /** Person_CPR_nr */
  "7": string;
}

/** 4101 Tilbageførsel, 55 bytes. */
export interface Record4101 extends RecordBase<"4101", "", Fields4101, RawFields4101> {}

/** Fields of 5000 Indberetningsrecord / lønperiode, 75 bytes. */
export interface Fields5000 {
  /** felt 3, pos 12-12, A, plain, mandatory: no, values: rettelse */
  Rettelse_tidl_periode: string | null;
  /** felt 4, pos 13-28, A, plain, mandatory: third_party */
  IndberetningsID: string | null;
  /** felt 5, pos 29-44, A, plain */
  ReferenceID: string | null;
  /** felt 6, pos 45-52, N, date, mandatory: third_party */
  Loenperiode_start: string | null;
  /** felt 7, pos 53-60, N, date, mandatory: third_party */
  Loenperiode_slut: string | null;
  /** felt 8, pos 61-68, N, date */
  Dispositionsdato: string | null;
  /** felt 10, pos 70-70, A, plain, values: forud_bagud */
  Forud_bagud: string | null;
  /** felt 11, pos 71-73, N, plain, mandatory: no, values: groenlandsk_kommune */
  Groenlandsk_kommune: string | null;
  /** felt 12, pos 74-75, N, plain, mandatory: yes, values: indkomsttype */
  Indkomsttype: string;
}

/** Raw fields of 5000 Indberetningsrecord / lønperiode, 75 bytes, by field number. */
export interface RawFields5000 {
  /** Lb_nr */
  "1": string;
  /** Rec_nr */
  "2": string;
  /** Rettelse_tidl_periode */
  "3": string;
  /** IndberetningsID */
  "4": string;
  /** ReferenceID */
  "5": string;
  /** Loenperiode_start */
  "6": string;
  /** Loenperiode_slut */
  "7": string;
  /** Dispositionsdato */
  "8": string;
  /** Fillerfelt */
  "9": string;
  /** Forud_bagud */
  "10": string;
  /** Groenlandsk_kommune */
  "11": string;
  /** Indkomsttype */
  "12": string;
}

/** 5000 Indberetningsrecord / lønperiode, 75 bytes. */
export interface Record5000 extends RecordBase<"5000", "", Fields5000, RawFields5000> {}

/** Fields of 6000 Personrecord, 95 bytes. */
export interface Fields6000 {
  /** felt 4, pos 20-29, N, plain, mandatory: conditional, PERSONAL (CPR) */
  Person_CPR_nr: string | null;
  /** felt 5, pos 30-37, N, plain, mandatory: conditional */
  Person_CVR_SE_nr: string | null;
  /** felt 6, pos 38-52, A, plain, mandatory: conditional */
  Person_medarbejder_nr: string | null;
  /** felt 7, pos 53-79, A, plain, mandatory: conditional */
  TIN: string | null;
  /** felt 8, pos 80-81, A, plain, mandatory: conditional, values: landekode */
  TIN_landekode: string | null;
  /** felt 10, pos 82-85, N, plain, mandatory: no, values: indtaegtsart */
  Indtaegtsart: string | null;
  /** felt 11, pos 86-95, N, plain */
  Produktionsenhedsnummer: string | null;
}

/** Raw fields of 6000 Personrecord, 95 bytes, by field number. */
export interface RawFields6000 {
  /** Lb_nr */
  "1": string;
  /** Rec_nr */
  "2": string;
  /** Fillerfelt */
  "3": string;
  /** Person_CPR_nr */
  "4": string;
  /** Person_CVR_SE_nr */
  "5": string;
  /** Person_medarbejder_nr */
  "6": string;
  /** TIN */
  "7": string;
  /** TIN_landekode */
  "8": string;
  /** Indtaegtsart */
  "10": string;
  /** Produktionsenhedsnummer */
  "11": string;
}

/** 6000 Personrecord, 95 bytes. */
export interface Record6000 extends RecordBase<"6000", "", Fields6000, RawFields6000> {}

/** Fields of 6000 (TaxCardBuilder) Personrecord exactly as TaxCardBuilder writes it, 99 bytes. */
export interface Fields6000TaxCardBuilder {
  /** felt 4, pos 24-33, N, plain, PERSONAL (CPR) */
  Person_CPR_nr: string | null;
  /** felt 5, pos 34-41, N, plain */
  Person_CVR_SE_nr: string | null;
  /** felt 6, pos 42-56, A, plain */
  Person_medarbejder_nr: string | null;
  /** felt 7, pos 57-83, A, plain */
  TIN: string | null;
  /** felt 8, pos 84-85, A, plain */
  TIN_landekode: string | null;
  /** felt 10, pos 86-89, N, plain */
  Indtaegtsart: string | null;
  /** felt 11, pos 90-99, A, plain */
  Produktionsenhedsnummer: string | null;
}

/** Raw fields of 6000 (TaxCardBuilder) Personrecord exactly as TaxCardBuilder writes it, 99 bytes, by field number. */
export interface RawFields6000TaxCardBuilder {
  /** Lb_nr */
  "1": string;
  /** Rec_nr */
  "2": string;
  /** Fillerfelt */
  "3": string;
  /** Person_CPR_nr */
  "4": string;
  /** Person_CVR_SE_nr */
  "5": string;
  /** Person_medarbejder_nr */
  "6": string;
  /** TIN */
  "7": string;
  /** TIN_landekode */
  "8": string;
  /** Indtaegtsart */
  "10": string;
  /** Produktionsenhedsnummer */
  "11": string;
}

/** 6000 (TaxCardBuilder) Personrecord exactly as TaxCardBuilder writes it, 99 bytes. */
export interface Record6000TaxCardBuilder extends RecordBase<"6000", "TaxCardBuilder", Fields6000TaxCardBuilder, RawFields6000TaxCardBuilder> {}

/** Fields of 6000 (v7.1) Personrecord as in guide v7.1, 95 bytes. */
export interface Fields6000V71 {
  /** felt 4, pos 20-29, N, plain, mandatory: conditional, PERSONAL (CPR) */
  Person_CPR_nr: string | null;
  /** felt 5, pos 30-37, N, plain, mandatory: conditional */
  Person_CVR_SE_nr: string | null;
  /** felt 6, pos 38-52, A, plain, mandatory: conditional */
  Person_medarbejder_nr: string | null;
  /** felt 7, pos 53-53, A, plain, mandatory: no, values: e101 */
  E101_attest: string | null;
  /** felt 10, pos 82-85, N, plain, mandatory: no, values: indtaegtsart */
  Indtaegtsart: string | null;
  /** felt 11, pos 86-95, N, plain */
  Produktionsenhedsnummer: string | null;
}

/** Raw fields of 6000 (v7.1) Personrecord as in guide v7.1, 95 bytes, by field number. */
export interface RawFields6000V71 {
  /** Lb_nr */
  "1": string;
  /** Rec_nr */
  "2": string;
  /** Fillerfelt */
  "3": string;
  /** Person_CPR_nr */
  "4": string;
  /** Person_CVR_SE_nr */
  "5": string;
  /** Person_medarbejder_nr */
  "6": string;
  /** E101_attest */
  "7": string;
  /** Fillerfelt */
  "8": string;
  /** Fillerfelt */
  "9": string;
  /** Indtaegtsart */
  "10": string;
  /** Produktionsenhedsnummer */
  "11": string;
}

/** 6000 (v7.1) Personrecord as in guide v7.1, 95 bytes. */
export interface Record6000V71 extends RecordBase<"6000", "v7.1", Fields6000V71, RawFields6000V71> {}

/** 6000 in any of its layouts (tell them apart by `variant`). */
export type Record6000Any = Record6000 | Record6000TaxCardBuilder | Record6000V71;

/** Fields of 6001 Beløbsfelt, 32 bytes. */
export interface Fields6001 {
  /** felt 3, pos 12-15, N, plain, mandatory: third_party, values: feltnr_6001 */
  Feltnummer: string | null;
  /** felt 4, pos 16-31, N, amount, mandatory: third_party */
  Beloeb: string | null;
}

/** Raw fields of 6001 Beløbsfelt, 32 bytes, by field number. */
export interface RawFields6001 {
  /** Lb_nr */
  "1": string;
  /** Rec_nr */
  "2": string;
  /** Feltnummer */
  "3": string;
  /** Beloeb */
  "4": string;
  /** Fortegn */
  "5": string;
}

/** 6001 Beløbsfelt, 32 bytes. */
export interface Record6001 extends RecordBase<"6001", "", Fields6001, RawFields6001> {}

/** Fields of 6002 Kodefelt, 25 bytes. */
export interface Fields6002 {
  /** felt 3, pos 12-15, N, plain, mandatory: third_party, values: feltnr_6002 */
  Feltnummer: string | null;
  /** felt 4, pos 16-25, A, plain, mandatory: third_party */
  Kode: string | null;
}

/** Raw fields of 6002 Kodefelt, 25 bytes, by field number. */
export interface RawFields6002 {
  /** Lb_nr */
  "1": string;
  /** Rec_nr */
  "2": string;
  /** Feltnummer */
  "3": string;
  /** Kode */
  "4": string;
}

/** 6002 Kodefelt, 25 bytes. */
export interface Record6002 extends RecordBase<"6002", "", Fields6002, RawFields6002> {}

/** Fields of 6003 Krydsfelt, 16 bytes. */
export interface Fields6003 {
  /** felt 3, pos 12-15, N, plain, mandatory: third_party, values: feltnr_6003 */
  Feltnummer: string | null;
  /** felt 4, pos 16-16, A, plain, mandatory: third_party */
  Kryds: string | null;
}

/** Raw fields of 6003 Krydsfelt, 16 bytes, by field number. */
export interface RawFields6003 {
  /** Lb_nr */
  "1": string;
  /** Rec_nr */
  "2": string;
  /** Feltnummer */
  "3": string;
  /** Kryds */
  "4": string;
}

/** 6003 Krydsfelt, 16 bytes. */
export interface Record6003 extends RecordBase<"6003", "", Fields6003, RawFields6003> {}

/** Fields of 6004 Tekstfelt, 73 bytes. */
export interface Fields6004 {
  /** felt 3, pos 12-15, N, plain, mandatory: third_party, values: feltnr_6004 */
  Feltnummer: string | null;
  /** felt 4, pos 16-73, A, plain, mandatory: third_party */
  Tekst: string | null;
}

/** Raw fields of 6004 Tekstfelt, 73 bytes, by field number. */
export interface RawFields6004 {
  /** Lb_nr */
  "1": string;
  /** Rec_nr */
  "2": string;
  /** Feltnummer */
  "3": string;
  /** Tekst */
  "4": string;
}

/** 6004 Tekstfelt, 73 bytes. */
export interface Record6004 extends RecordBase<"6004", "", Fields6004, RawFields6004> {}

/** Fields of 6005 Antalsfelt, 24 bytes. */
export interface Fields6005 {
  /** felt 3, pos 12-15, N, plain, mandatory: third_party, values: feltnr_6005 */
  Feltnummer: string | null;
  /** felt 4, pos 16-23, N, quantity, mandatory: third_party */
  Antal: string | null;
}

/** Raw fields of 6005 Antalsfelt, 24 bytes, by field number. */
export interface RawFields6005 {
  /** Lb_nr */
  "1": string;
  /** Rec_nr */
  "2": string;
  /** Feltnummer */
  "3": string;
  /** Antal */
  "4": string;
  /** Fortegn */
  "5": string;
}

/** 6005 Antalsfelt, 24 bytes. */
export interface Record6005 extends RecordBase<"6005", "", Fields6005, RawFields6005> {}

/** Fields of 6102 Nettoferiepenge for fratrædende funktionær, 45 bytes. */
export interface Fields6102 {
  /** felt 3, pos 12-27, N, amount, mandatory: third_party */
  Beloeb_feriepenge: string | null;
  /** felt 5, pos 29-32, N, quantity, mandatory: third_party */
  Feriedage: string | null;
  /** felt 7, pos 34-37, N, plain, mandatory: third_party, values: ferieaar */
  Ferieaar: string | null;
  /** felt 8, pos 38-45, N, date, mandatory: third_party */
  Fratraedelsesdato: string | null;
}

/** Raw fields of 6102 Nettoferiepenge for fratrædende funktionær, 45 bytes, by field number. */
export interface RawFields6102 {
  /** Lb_nr */
  "1": string;
  /** Rec_nr */
  "2": string;
  /** Beloeb_feriepenge */
  "3": string;
  /** Fortegn_beloeb */
  "4": string;
  /** Feriedage */
  "5": string;
  /** Fortegn_feriedage */
  "6": string;
  /** Ferieaar */
  "7": string;
  /** Fratraedelsesdato */
  "8": string;
}

/** 6102 Nettoferiepenge for fratrædende funktionær, 45 bytes. */
export interface Record6102 extends RecordBase<"6102", "", Fields6102, RawFields6102> {}

/** Fields of 6111 Lønoplysning, 43 bytes. */
export interface Fields6111 {
  /** felt 3, pos 12-15, N, plain, mandatory: third_party, values: il_indholdstype */
  IL_indholdstype: string | null;
  /** felt 4, pos 16-25, N, plain */
  Antal_enheder: string | null;
  /** felt 6, pos 27-42, N, amount */
  Beloeb: string | null;
}

/** Raw fields of 6111 Lønoplysning, 43 bytes, by field number. */
export interface RawFields6111 {
  /** Lb_nr */
  "1": string;
  /** Rec_nr */
  "2": string;
  /** IL_indholdstype */
  "3": string;
  /** Antal_enheder */
  "4": string;
  /** Fortegn_antal */
  "5": string;
  /** Beloeb */
  "6": string;
  /** Fortegn_beloeb */
  "7": string;
}

/** 6111 Lønoplysning, 43 bytes. */
export interface Record6111 extends RecordBase<"6111", "", Fields6111, RawFields6111> {}

/** Fields of 6202 Bruttoferiepenge for fratrædende funktionær, 45 bytes. */
export interface Fields6202 {
  /** felt 3, pos 12-27, N, amount, mandatory: third_party */
  Beloeb_feriepenge: string | null;
  /** felt 5, pos 29-32, N, quantity, mandatory: third_party */
  Feriedage: string | null;
  /** felt 7, pos 34-37, N, plain, mandatory: third_party, values: ferieaar */
  Ferieaar: string | null;
  /** felt 8, pos 38-45, N, date, mandatory: third_party */
  Fratraedelsesdato: string | null;
}

/** Raw fields of 6202 Bruttoferiepenge for fratrædende funktionær, 45 bytes, by field number. */
export interface RawFields6202 {
  /** Lb_nr */
  "1": string;
  /** Rec_nr */
  "2": string;
  /** Beloeb_feriepenge */
  "3": string;
  /** Fortegn_beloeb */
  "4": string;
  /** Feriedage */
  "5": string;
  /** Fortegn_feriedage */
  "6": string;
  /** Ferieaar */
  "7": string;
  /** Fratraedelsesdato */
  "8": string;
}

/** 6202 Bruttoferiepenge for fratrædende funktionær, 45 bytes. */
export interface Record6202 extends RecordBase<"6202", "", Fields6202, RawFields6202> {}

/** Fields of 8001 Supplerende personoplysninger, 146 bytes. */
export interface Fields8001 {
  /** felt 3, pos 12-19, N, date, mandatory: third_party */
  Foedselsdato: string | null;
  /** felt 4, pos 20-20, N, plain, mandatory: third_party, values: koen */
  Koen: string | null;
  /** felt 5, pos 21-22, A, plain, mandatory: third_party, values: landekode */
  Landekode: string | null;
  /** felt 6, pos 23-62, A, plain, mandatory: third_party */
  Navn: string | null;
  /** felt 7, pos 63-102, A, plain, mandatory: third_party */
  Adresse: string | null;
  /** felt 8, pos 103-111, A, plain, mandatory: third_party */
  Postnr: string | null;
  /** felt 9, pos 112-146, A, plain, mandatory: third_party */
  Postby: string | null;
}

/** Raw fields of 8001 Supplerende personoplysninger, 146 bytes, by field number. */
export interface RawFields8001 {
  /** Lb_nr */
  "1": string;
  /** Rec_nr */
  "2": string;
  /** Foedselsdato */
  "3": string;
  /** Koen */
  "4": string;
  /** Landekode */
  "5": string;
  /** Navn */
  "6": string;
  /** Adresse */
  "7": string;
  /** Postnr */
  "8": string;
  /** Postby */
  "9": string;
}

/** 8001 Supplerende personoplysninger, 146 bytes. */
export interface Record8001 extends RecordBase<"8001", "", Fields8001, RawFields8001> {}

/** Fields of 9999 Slutrecord, 18 bytes. */
export interface Fields9999 {
  /** felt 3, pos 12-18, N, plain, mandatory: third_party */
  Antal_records: string | null;
}

/** Raw fields of 9999 Slutrecord, 18 bytes, by field number. */
export interface RawFields9999 {
  /** Lb_nr */
  "1": string;
  /** Rec_nr */
  "2": string;
  /** Antal_records */
  "3": string;
}

/** 9999 Slutrecord, 18 bytes. */
export interface Record9999 extends RecordBase<"9999", "", Fields9999, RawFields9999> {}

/** Every record type as a string. */
export type RecordType = "1000" | "2001" | "2101" | "2111" | "3101" | "4101" | "5000" | "6000" | "6001" | "6002" | "6003" | "6004" | "6005" | "6102" | "6111" | "6202" | "8001" | "9999";

/** Record type → record interface. */
export interface RecordTypes {
  "1000": Record1000;
  "2001": Record2001;
  "2101": Record2101;
  "2111": Record2111;
  "3101": Record3101;
  "4101": Record4101;
  "5000": Record5000;
  "6000": Record6000Any;
  "6001": Record6001;
  "6002": Record6002;
  "6003": Record6003;
  "6004": Record6004;
  "6005": Record6005;
  "6102": Record6102;
  "6111": Record6111;
  "6202": Record6202;
  "8001": Record8001;
  "9999": Record9999;
}

/** A decoded record; narrow it with `record` (and `variant`). */
export type EindkomstRecordUnion = Record1000 | Record2001 | Record2101 | Record2111 | Record3101 | Record4101 | Record5000 | Record6000Any | Record6001 | Record6002 | Record6003 | Record6004 | Record6005 | Record6102 | Record6111 | Record6202 | Record8001 | Record9999;

/** A record in the raw shape (`raw: true`). */
export type RawRecordUnion = {
  [T in RecordType]: RawRecord<T, RecordTypes[T] extends RecordBase<any, any, any, infer RF> ? RF : never>;
}[RecordType];
