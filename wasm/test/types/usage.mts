// Type-checked (tsc --strict) against the installed package by package.test.mjs;
// the @ts-expect-error lines must stay errors, so loose types fail the test.
import eindkomst, {
  decode,
  decodeBase64,
  validate,
  Decoder,
  DecoderStream,
  decodeStream,
  EindkomstError,
  EindkomstInternalError,
  EindkomstRecord,
  EventCursor,
  formatKroner,
  maskCpr,
  layouts,
  version,
  type EindkomstRecordUnion,
  type Finding,
  type RawRecordUnion,
  type Record6001,
} from 'eindkomst';

const bytes = new Uint8Array(0);
const { records, findings, counts } = decode(bytes, { strict: false, amountScale: 6 });
let total = 0;
for (const r of records) {
  if (r.record === '6001') {
    const amount: string | null = r.fields.Beloeb;
    const felt: string | null = r.fields.Feltnummer;
    total += Number(amount);
    void felt;
    const raw4: string = r.raw['4'];
    void raw4;
    // @ts-expect-error 6001 has no CPR field
    void r.fields.Person_CPR_nr;
  } else if (r.record === '6000') {
    if (r.variant === '') {
      const cpr: string | null = r.fields.Person_CPR_nr;
      void maskCpr(cpr);
    } else if (r.variant === 'v7.1') {
      void r.fields;
    }
  } else if (r.record === '2001') {
    const se: string | null = r.fields.Virksomhed_SE_nr;
    void se;
  }
  // @ts-expect-error not a record type
  if (r.record === '7000') void r;
}
const first: EindkomstRecordUnion | undefined = records[0];
void first;
const rec6001 = records.find((r): r is Record6001 => r.record === '6001');
void rec6001?.fields.Beloeb;
void counts.byType['6001'].decoded;
// @ts-expect-error no such record type in the counts
void counts.byType['1234'];
const f: Finding | undefined = findings[0];
if (f) void [f.line, f.fieldNo, f.offset, f.code];

const raw = decode('text', { raw: true });
const r0: RawRecordUnion | undefined = raw.records[0];
if (r0 && r0.record === '6001') void r0.fields['4'];

void decodeBase64('TWFu').counts.lines;
void validate(bytes).valid;
// @ts-expect-error unknown option
decode(bytes, { stict: true });
// @ts-expect-error wrong option value
decode(bytes, { personLayout: 'old' });

const d = new Decoder({ strict: true });
const batch: EindkomstRecordUnion[] = d.push(bytes);
void batch;
void d.finish();
void d.counts.rejected;
void d.takeFindings();
d.free();

// The event cursor: numbers straight from the batch, no record objects.
const cur: EventCursor = new Decoder().cursor();
cur.push(bytes);
let sum = 0;
while (cur.next()) {
  if (cur.recordType === 6001) sum += (cur.feltnummer ?? 0) + (cur.amountOre ?? 0);
  else if (cur.type === 'finding') void cur.finding.code;
  else if (cur.type === 'raw') void cur.raw.key;
}
cur.finish();
const kept: EindkomstRecordUnion = cur.toRecord();
void [sum, kept, cur.value(2), cur.values().length, cur.line, cur.lbNr, cur.offset, cur.record, cur.isRecord];
// @ts-expect-error a cursor comes from decoder.cursor()
new EventCursor();

try {
  decode(bytes, { strict: true });
} catch (e) {
  if (e instanceof EindkomstInternalError) void e.code;
  else if (e instanceof EindkomstError) void [e.line, e.lbNr, e.record, e.fieldNo, e.fieldName, e.offset, e.code];
}

async function streams(source: AsyncIterable<Uint8Array>, web: ReadableStream<Uint8Array>) {
  for await (const { records, findings } of decodeStream(source)) void [records.length, findings.length];
  const ds = new DecoderStream();
  const reader = web.pipeThrough(ds).getReader();
  const { value } = await reader.read();
  if (value) void value.records[0]?.line;
  void ds.decoder.counts;
}
void streams;
void (records[0] instanceof EindkomstRecord);
void formatKroner('1.00');
void layouts()[0].fields[0].personal;
const v: string = version;
void v;
void eindkomst.decode;
export { total };
