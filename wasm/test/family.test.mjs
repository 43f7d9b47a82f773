// ABI 0.2 on the JS face: a loaded non-employer family (fixed width and
// apostrophe-separated) equal to the golden --raw file and to the CLI with
// --family, raw passthrough in order, encodings, forced layouts, single-value
// checks, the ordered event stream, and numbers read straight from the bytes.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, SAMPLE, cli, cliReason, pkg, randomSplit, rng, runCli } from './helpers.mjs';

const { decode, validate, Decoder, loadFamily, checkField, findingKinds, layouts } = pkg;
const FAMILIES = join(ROOT, 'testdata', 'families');
const read = (name) => readFileSync(join(FAMILIES, name));
const golden = read('demo.raw.ndjson').toString('utf8').trimEnd().split('\n');

test('demo families (fixed and separated) decode to the golden --raw file', () => {
  for (const [json, txt] of [['demo.json', 'demo.txt'], ['demo-separated.json', 'demo-separated.txt']]) {
    const family = loadFamily(read(json).toString('utf8'));
    assert.equal(family.layouts.length, 6);
    assert.equal(family.lineNumbers, false);
    assert.equal(family.separator, json.includes('separated') ? "'" : null);
    const { records, findings, counts } = decode(read(txt), { family, raw: true });
    assert.deepEqual(findings, []);
    assert.equal(counts.decoded, 10);
    assert.deepEqual(records.map((r) => JSON.stringify(r)), golden, txt);
    // Chunked at random points: the same.
    const d = new Decoder({ family, raw: true });
    const got = [];
    for (const chunk of randomSplit(new Uint8Array(read(txt)), rng(), 9)) got.push(...d.push(chunk));
    got.push(...d.finish());
    assert.deepEqual(got.map((r) => JSON.stringify(r)), golden);
  }
  const person = loadFamily(read('demo.json').toString('utf8')).layouts.find((l) => l.key === '120');
  assert.deepEqual([person.fields[1].role, person.fields[4].tail], ['cpr', true]);
  assert.throws(
    () => loadFamily('{"family": {"name": "x", "key": {"start": 1, "len": 3}}, "records": {}}'),
    /eindkomst: family: no "records"/,
  );
});

test('demo family equals the CLI with --family', { skip: cli() ? false : `CLI not available: ${cliReason()}` }, () => {
  const out = runCli(['decode', '--raw', '--family', join(FAMILIES, 'demo.json'), join(FAMILIES, 'demo.txt')]);
  const want = String(out.stdout).trimEnd().split('\n');
  const { records } = decode(read('demo.txt'), { family: read('demo.json').toString('utf8'), raw: true });
  assert.deepEqual(records.map((r) => JSON.stringify(r)), want);
});

test('unknown keys pass raw, in input order', () => {
  const demo = read('demo.txt').toString('latin1');
  const cut = demo.split('\n').slice(0, 3).join('\n').length + 1;
  const text = demo.slice(0, cut) + '150ABCDEF\n' + demo.slice(cut);
  const d = new Decoder({ family: read('demo.json').toString('utf8'), unknown: 'raw' });
  const events = [...d.pushEvents(text), ...d.finishEvents()].map((e) =>
    e.type === 'record' ? `record ${e.record.line}` : e.type === 'raw' ? `raw ${e.raw.key} ${e.raw.line} ${e.raw.text}` : `${e.finding.code} ${e.finding.line}`,
  );
  assert.deepEqual(events.slice(0, 6), ['record 1', 'record 2', 'record 3', 'raw 150 4 150ABCDEF', 'passed_raw 4', 'record 5']);
  assert.equal(d.counts.raw, 1);
  assert.deepEqual(d.rawLines.map((r) => r.key), ['150']);
});

test('encodings and forced layouts', () => {
  const utf8 = Buffer.from(Buffer.from(SAMPLE).toString('latin1'), 'utf8');
  assert.notEqual(utf8.length, SAMPLE.length);
  const r = decode(utf8);
  assert.equal(r.records.length, 27);
  assert.deepEqual(r.records.map((x) => x.text), Buffer.from(SAMPLE).toString('latin1').trimEnd().split('\n'));
  assert.deepEqual(r.findings.map((f) => [f.kind, f.code]), [['warning', 'utf8_encoded']]);
  assert.ok(decode(utf8, { encoding: 'latin1' }).counts.rejected > 0);
  assert.throws(() => decode(SAMPLE, { encoding: 'ebcdic' }), /encoding must be/);
  for (const options of [{ personLayout: 'taxcardbuilder' }, { variants: ['6000@TaxCardBuilder'] }]) {
    const f = decode(SAMPLE, options).findings[0];
    assert.deepEqual([f.code, f.line], ['not_digit', 9], JSON.stringify(options));
  }
  assert.equal(layouts().find((l) => l.key === '6000' && l.variant === 'TaxCardBuilder').length, 99);
});

test('single values are checked', () => {
  assert.equal(checkField(6000, 'cpr', '6101901234'), null);
  assert.deepEqual(checkField(6000, 'cpr', '61019O1234'), { code: 'not_digit', at: 5, severity: 'error', fieldNo: 4, expected: 0, found: 0 });
  assert.deepEqual(checkField(2001, 'se', '1234567'), { code: 'wrong_length', at: 7, severity: 'error', fieldNo: 4, expected: 8, found: 7 });
  assert.equal(checkField(2001, 4, '12345678'), null);
  assert.throws(() => checkField(2001, 'cpr', '6101901234'), /has no such field/);
  assert.equal(checkField(120, 'cpr', '6101901234', read('demo.json').toString('utf8')), null);
  const k = findingKinds().find((x) => x.code === 'not_digit');
  assert.deepEqual([k.number, k.name, k.severity], [11, 'NotDigit', 'error']);
});

test('findings stand between the records in input order; numbers come from the bytes', () => {
  const bytes = Uint8Array.from(SAMPLE);
  bytes[711 + 20] = 0x58; // 'X' in line 10's Beloeb
  const d = new Decoder();
  const order = [...d.pushEvents(bytes), ...d.finishEvents()].map((e) =>
    e.type === 'record' ? `record ${e.record.line}` : `${e.finding.kind} ${e.finding.line}`,
  );
  assert.deepEqual(order.slice(8, 11), ['record 9', 'rejected 10', 'record 11']);
  let ore = 0;
  let felt13 = 0;
  for (const r of decode(SAMPLE).records) {
    if (r.record !== '6001') continue;
    ore += r.amountOre;
    if (r.feltnummer === 13) felt13++;
  }
  assert.deepEqual([ore, felt13], [6906950, 3]);
  assert.equal(validate(SAMPLE).valid, true);
});
