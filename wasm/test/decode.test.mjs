// The sample file decoded in JS, every record type checked by value (values
// read off testdata/sample.txt by hand), plus the API surface: inputs,
// options, helpers, entry points.
import test from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { PKG_DIR, SAMPLE, latin1, pkg } from './helpers.mjs';

const { decode, validate, layouts, EindkomstRecord, formatKroner, maskCpr } = pkg;

// line, Lb_nr, offset, record, typed fields (fillers and signs left out)
const EXPECTED = [
  [1, 0, '1000', {
    Dato_sendt: '2025-02-03', Klok_sendt: '06:15:00', Indberetter_SE_nr: '12345678',
    Indberetter_CVR_nr: '12345678', Indberettertype: '01', 'Indberetningsmetode (name uncertain)': '0',
    Edb_system: 'Kommunal Løn', Edb_system_version: '4.2.1', HovedindberetningsID: 'HOVED2025020001',
    'Version (name uncertain)': '2.0', Test_produktion: 'P', System: 'E',
  }],
  [2, 143, '2001', { Virksomhed_SE_nr: '12345678', Ophoer_hos_LSB: null, Valutakode: 'DKK' }],
  [3, 183, '2101', {
    Person_CPR_nr: '6101901234', Medarbejder_nr: 'M-1001', Ansaettelsesdato: '2024-08-01',
    Fratraedelsesdato: null, Skattekorttype: '1', Anvendes_fra_dato: '2024-08-01',
    Supplerende_oplysninger_medarbejdernr: null, Genrekvisition: null,
  }],
  [4, 328, '2111', { IP_indholdstype: '0100', Indhold: '000000000001', Ikraft_dato: '2024-08-01' }],
  [5, 364, '2111', { IP_indholdstype: '0700', Indhold: '000000000001', Ikraft_dato: '2024-08-01' }],
  [6, 400, '3101', {
    Forud_bagud: 'B', IndberetningsID: 'VIRK202501000001', ReferenceID: null, Periode_start: '2025-01-01',
    Periode_slut: '2025-01-31', Nulangivelse: null, Feltnummer: '0059', Beloeb: '1500.00',
  }],
  [7, 483, '4101', {
    IndberetningsID: 'LOEN202412000007', ReferenceID: null, Tilbagefoersel: 'J', Person_CPR_nr: '6512851234',
  }],
  [8, 539, '5000', {
    Rettelse_tidl_periode: null, IndberetningsID: 'LOEN202501000001', ReferenceID: null,
    Loenperiode_start: '2025-01-01', Loenperiode_slut: '2025-01-31', Dispositionsdato: '2025-01-30',
    Forud_bagud: 'B', Groenlandsk_kommune: null, Indkomsttype: '00',
  }],
  [9, 615, '6000', {
    Person_CPR_nr: '6101901234', Person_CVR_SE_nr: null, Person_medarbejder_nr: 'M-1001', TIN: null,
    TIN_landekode: null, Indtaegtsart: '0000', Produktionsenhedsnummer: '1012345678',
  }],
  [10, 711, '6001', { Feltnummer: '0013', Beloeb: '32500.00' }],
  [11, 744, '6001', { Feltnummer: '0015', Beloeb: '9100.00' }],
  [12, 777, '6001', { Feltnummer: '0016', Beloeb: '2600.00' }],
  [13, 810, '6001', { Feltnummer: '0013', Beloeb: '-1250.50' }],
  [14, 843, '6002', { Feltnummer: '0209', Kode: '0033088566' }],
  [15, 869, '6003', { Feltnummer: '0063', Kryds: 'X' }],
  [16, 886, '6004', { Feltnummer: '0068', Tekst: 'Overarbejde januar, afdeling Ærø' }],
  [17, 960, '6005', { Feltnummer: '0200', Antal: '160.50' }],
  [18, 985, '6102', { Beloeb_feriepenge: '4500.00', Feriedage: '12.50', Ferieaar: '2025', Fratraedelsesdato: '2025-01-31' }],
  [19, 1031, '6202', { Beloeb_feriepenge: '5100.00', Feriedage: '12.50', Ferieaar: '2025', Fratraedelsesdato: '2025-01-31' }],
  [20, 1077, '6111', { IL_indholdstype: '0010', Antal_enheder: '160', Beloeb: '32500.00' }],
  [21, 1121, '6000', {
    Person_CPR_nr: '7204881234', Person_CVR_SE_nr: null, Person_medarbejder_nr: 'M-2002', TIN: '12345678901',
    TIN_landekode: 'DE', Indtaegtsart: '0000', Produktionsenhedsnummer: '1012345678',
  }],
  [22, 1217, '8001', {
    Foedselsdato: '1988-04-12', Koen: '2', Landekode: 'DE', Navn: 'Müller, Anna', Adresse: 'Hauptstraße 5',
    Postnr: '10115', Postby: 'Berlin',
  }],
  [23, 1364, '6001', { Feltnummer: '0013', Beloeb: '18000.00' }],
  [24, 1397, '6001', { Feltnummer: '0015', Beloeb: '6120.00' }],
  [25, 1430, '6000', {
    Person_CPR_nr: null, Person_CVR_SE_nr: '87654321', Person_medarbejder_nr: null, TIN: null,
    TIN_landekode: null, Indtaegtsart: '0011', Produktionsenhedsnummer: '1012345678',
  }],
  [26, 1526, '6001', { Feltnummer: '0014', Beloeb: '2000.00' }],
  [27, 1559, '9999', { Antal_records: '0000027' }],
];

test('every record of the sample, by value', () => {
  const { records, findings, counts } = decode(SAMPLE);
  assert.deepEqual(findings, []);
  assert.equal(records.length, EXPECTED.length);
  records.forEach((r, i) => {
    const [line, offset, record, fields] = EXPECTED[i];
    assert.ok(r instanceof EindkomstRecord);
    assert.deepEqual(
      { line: r.line, lbNr: r.lbNr, offset: r.offset, record: r.record, variant: r.variant, fields: r.fields },
      { line, lbNr: line, offset, record, variant: '', fields },
      `line ${line}`,
    );
    assert.deepEqual(r.toJSON(), { line, lbNr: line, offset, record, variant: '', fields });
  });
  // Every record type of the layout set except the TaxCardBuilder 6000 appears.
  const types = new Set(records.map((r) => r.record));
  assert.deepEqual([...types].sort(), Object.keys(counts.byType).sort());
});

test('raw fields, line text, CPR accessor', () => {
  const { records } = decode(SAMPLE);
  const r10 = records[9];
  assert.deepEqual(r10.raw, { 1: '0000010', 2: '6001', 3: '0013', 4: '0000032500000000', 5: '+' });
  assert.deepEqual(r10.toRaw(), { line: 10, record: '6001', fields: r10.raw });
  assert.equal(r10.text, '0000010600100130000032500000000+');
  // Trailing blanks go, leading blanks stay (raw = trim_end).
  assert.equal(records[15].raw['4'], 'Overarbejde januar, afdeling Ærø');
  assert.equal(records[15].text.length, 73); // offsets 886 → 960, minus the LF
  assert.equal(records[1].raw['3'], ''); // an all-blank filler
  assert.equal(records[8].cpr, '6101901234');
  assert.equal(records[24].cpr, null); // 6000 with SE-nr only
  assert.equal(records[9].cpr, null); // 6001 has no CPR field
  assert.equal(records[2].cpr, '6101901234'); // 2101
  // Fields are built once and cached; raw is rebuilt per read.
  assert.equal(records[9].fields, records[9].fields);
  // raw mode gives exactly the CLI shape
  const raw = decode(SAMPLE, { raw: true }).records;
  assert.equal(raw.length, 27);
  assert.deepEqual(Object.keys(raw[9]), ['line', 'record', 'fields']);
  assert.deepEqual(raw[9], r10.toRaw());
  assert.deepEqual(Object.keys(raw[8].fields), ['1', '2', '3', '4', '5', '6', '7', '8', '10', '11']);
});

test('counts add up', () => {
  const { counts } = decode(SAMPLE);
  assert.equal(counts.lines, 27);
  assert.equal(counts.decoded, 27);
  assert.equal(counts.rejected, 0);
  assert.equal(counts.bytes, SAMPLE.length);
  assert.deepEqual(counts.byType['6001'], { decoded: 7, rejected: 0 });
  assert.deepEqual(counts.byType['6000'], { decoded: 3, rejected: 0 });
  assert.deepEqual(counts.byType['2111'], { decoded: 2, rejected: 0 });
  const sum = Object.values(counts.byType).reduce((a, t) => a + t.decoded, 0);
  assert.equal(sum, counts.decoded);
  assert.equal(counts.lines, counts.decoded + counts.rejected);
  const v = validate(SAMPLE);
  assert.equal(v.valid, true);
  assert.deepEqual(v.counts, counts);
});

test('inputs: Buffer, ArrayBuffer, typed array views, ISO-8859-1 string', () => {
  const want = JSON.stringify(decode(SAMPLE, { raw: true }));
  const ab = SAMPLE.buffer.slice(SAMPLE.byteOffset, SAMPLE.byteOffset + SAMPLE.byteLength);
  assert.equal(JSON.stringify(decode(ab, { raw: true })), want);
  assert.equal(JSON.stringify(decode(Buffer.from(SAMPLE), { raw: true })), want);
  assert.equal(JSON.stringify(decode(new DataView(ab), { raw: true })), want);
  const padded = new Uint8Array(SAMPLE.length + 10);
  padded.set(SAMPLE, 5);
  assert.equal(JSON.stringify(decode(padded.subarray(5, 5 + SAMPLE.length), { raw: true })), want);
  assert.equal(JSON.stringify(decode(latin1(SAMPLE), { raw: true })), want);
  // A character beyond ISO-8859-1 rejects its line at its position.
  const s = latin1(SAMPLE).replace('afdeling Ærø', 'afdeling Ærø€');
  const { findings, counts } = decode(s);
  assert.equal(counts.rejected, 1);
  assert.equal(findings[0].code, 'byte_outside_charset');
  assert.equal(findings[0].line, 16);
  assert.equal(findings[0].offset, 886 + 15 + 'Overarbejde januar, afdeling Ærø'.length);
  assert.deepEqual(findings[0].details, { byte: 0x1a });
  assert.throws(() => decode(42), TypeError);
  assert.throws(() => decode(null), TypeError);
});

test('options are checked', () => {
  assert.throws(() => decode(SAMPLE, { stict: true }), /unknown option "stict"/);
  assert.throws(() => decode(SAMPLE, { amountScale: 17 }), RangeError);
  assert.throws(() => decode(SAMPLE, { amountScale: 1.5 }), RangeError);
  assert.throws(() => decode(SAMPLE, { personLayout: 'old' }), RangeError);
  // amountScale changes how 16-digit amounts read
  const r = decode(SAMPLE, { amountScale: 2 }).records;
  assert.equal(r[9].fields.Beloeb, '325000000.00');
  assert.equal(decode(SAMPLE, { amountScale: 0 }).records[9].fields.Beloeb, '32500000000');
  assert.equal(decode(SAMPLE, { amountScale: 16 }).records[12].fields.Beloeb, '-0.00000012505');
  // quantities keep their own scale
  assert.equal(r[16].fields.Antal, '160.50');
  // pre-TIN 6000 layout on request
  const pre = decode(SAMPLE, { personLayout: 'pre-tin' });
  const p = pre.records.find((x) => x.record === '6000');
  assert.equal(p.variant, 'v7.1');
});

test('layouts are complete and frozen', () => {
  const ls = layouts();
  assert.ok(Object.isFrozen(ls) && Object.isFrozen(ls[0].fields[0]));
  const l6001 = ls.find((l) => l.record === '6001' && l.variant === '');
  assert.equal(l6001.length, 32);
  assert.deepEqual(
    l6001.fields.map((f) => [f.no, f.name, f.start, f.len, f.format]),
    [
      [1, 'Lb_nr', 0, 7, 'plain'],
      [2, 'Rec_nr', 7, 4, 'plain'],
      [3, 'Feltnummer', 11, 4, 'plain'],
      [4, 'Beloeb', 15, 16, 'amount'],
      [5, 'Fortegn', 31, 1, 'sign'],
    ],
  );
  for (const l of ls) {
    // contiguous, covering the line
    let at = 0;
    for (const f of l.fields) {
      assert.equal(f.start, at, `${l.record}${l.variant} field ${f.no}`);
      at += f.len;
    }
    assert.equal(at, l.length);
  }
  const personal = ls.filter((l) => l.fields.some((f) => f.personal)).map((l) => l.record + l.variant);
  assert.deepEqual(personal.sort(), ['2101', '4101', '6000', '6000TaxCardBuilder', '6000v7.1']);
});

test('Danish amounts and CPR masking', () => {
  assert.equal(formatKroner('32500.00'), '32.500,00 kr.');
  assert.equal(formatKroner('-1250.50'), '-1.250,50 kr.');
  assert.equal(formatKroner('0.00'), '0,00 kr.');
  assert.equal(formatKroner('1234567.125'), '1.234.567,125 kr.');
  assert.equal(formatKroner('160.5', { unit: '' }), '160,50');
  assert.equal(formatKroner('999'), '999,00 kr.');
  assert.equal(formatKroner(null), '');
  assert.throws(() => formatKroner('1,5'), RangeError);
  assert.equal(maskCpr('6101901234'), '610190-****');
  assert.equal(maskCpr(null), '');
});

test('ESM and CommonJS entries share one instance', async () => {
  const esm = await import(join(PKG_DIR, 'node', 'index.mjs'));
  assert.equal(esm.decode, pkg.decode);
  assert.equal(esm.default, pkg);
  assert.equal(esm.version, pkg.version);
  assert.match(pkg.version, /^\d+\.\d+\.\d+/);
});

test('amountOre reads every digit of a 16-digit amount exactly (nine at a time)', () => {
  // Line 10 (offset 711) is a 6001 record: Beloeb at 15..31 (16 digits, 6 decimals), its sign at 31.
  const cases = [
    ['0000032500000000', '+', 3250000],
    ['0000000000010000', '+', 1],
    ['0000000001000000', '-', -100],
    ['0012345678900000', '+', 1234567890],
    ['0999999999990000', '+', 99999999999],
    ['9000000000000000', '-', -900000000000],
  ];
  for (const [digits, sign, ore] of cases) {
    const bytes = SAMPLE.slice();
    for (let i = 0; i < 16; i++) bytes[711 + 15 + i] = digits.charCodeAt(i);
    bytes[711 + 31] = sign.charCodeAt(0);
    const r = decode(bytes).records[9];
    assert.equal(r.raw['4'], digits);
    assert.equal(r.amountOre, ore, digits);
    assert.equal(r.feltnummer, 13);
  }
});
