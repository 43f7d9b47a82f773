// The event cursor (decoder.cursor()): the same events as pushEvents, in the
// same order, at random split points; its numbers equal the records' and the
// CLI's (`eindkomst decode --raw`, `eindkomst stats --json` amount sums).
import test from 'node:test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { SAMPLE, cli, cliCanGenerate, cliReason, generate, ndjson, pkg, randomSplit, rng, runCli } from './helpers.mjs';

const { Decoder, EventCursor, EindkomstError } = pkg;
const noGenerate = !cli() ? `CLI not available: ${cliReason()}` : cliCanGenerate() ? false : 'no `generate`';

/** Walks `chunks` with a cursor; one plain entry per event. */
function walk(chunks, options) {
  const d = new Decoder(options);
  const c = d.cursor();
  const out = [];
  const take = () => {
    while (c.next()) {
      if (c.type === 'record') {
        assert.equal(c.isRecord, true);
        out.push({
          type: 'record',
          recordType: c.recordType,
          record: c.record,
          line: c.line,
          lbNr: c.lbNr,
          offset: c.offset,
          feltnummer: c.feltnummer,
          amountOre: c.amountOre,
          values: c.values(),
          value2: c.value(2),
          copy: c.toRecord(),
        });
      } else if (c.type === 'raw') {
        assert.equal(c.recordType, 0);
        out.push({ type: 'raw', raw: c.raw });
      } else {
        assert.equal(c.type, 'finding');
        assert.throws(() => c.feltnummer, /not a record/);
        out.push({ type: 'finding', finding: c.finding });
      }
    }
    assert.equal(c.type, null);
  };
  for (const chunk of chunks) {
    c.push(chunk);
    take();
  }
  c.finish();
  take();
  return { out, d };
}

/** The same through pushEvents and record objects. */
function viaEvents(bytes, options) {
  const d = new Decoder(options);
  const events = [...d.pushEvents(bytes), ...d.finishEvents()];
  return events.map((e) => {
    if (e.type !== 'record') return e;
    const r = e.record;
    return {
      type: 'record',
      recordType: Number(r.record),
      record: r.record,
      line: r.line,
      lbNr: r.lbNr,
      offset: r.offset,
      feltnummer: r.feltnummer,
      amountOre: r.amountOre,
      values: r.values(),
      value2: r.value(2),
      copy: r,
    };
  });
}

/** Records compared by their JSON (the class instances carry private fields). */
const plain = (events) => events.map((e) => (e.type === 'record' ? { ...e, copy: e.copy.toJSON() } : e));

test('cursor: the sample at random split points equals pushEvents, event for event', () => {
  const want = plain(viaEvents(SAMPLE));
  assert.equal(want.length, 27);
  const r = rng();
  for (let round = 0; round < 20; round++) {
    const { out, d } = walk(randomSplit(SAMPLE, r, 1 + r.int(40)));
    assert.deepEqual(plain(out), want, `seed ${r.seed} round ${round}`);
    assert.equal(d.state, 'finished');
    assert.equal(d.counts.decoded, 27);
  }
  // Line 10 is a 6001: feltnummer 13, 32.500,00 kr.
  const rec = want.find((e) => e.line === 10);
  assert.deepEqual([rec.recordType, rec.feltnummer, rec.amountOre], [6001, 13, 3250000]);
});

test('cursor: a damaged generated file gives the CLI raw records and its findings, in order', { skip: noGenerate }, () => {
  const file = generate(5000, 11, ['--errors', '0.05']);
  const raw = ndjson(runCli(['decode', '--raw', '-'], file).stdout);
  const r = rng();
  const { out, d } = walk(randomSplit(file, r, 50), { raw: true });
  const records = out.filter((e) => e.type === 'record');
  assert.deepEqual(
    records.map((e) => e.copy),
    raw,
  );
  assert.deepEqual(
    records.map((e) => e.values),
    raw.map((x) => Object.values(x.fields)),
  );
  const findings = out.filter((e) => e.type === 'finding').map((e) => e.finding);
  assert.ok(findings.length > 50, `only ${findings.length} findings`);
  assert.deepEqual(findings, d.findings);
  const typed = walk(randomSplit(file, r, 50));
  assert.deepEqual(plain(typed.out), plain(viaEvents(file)));
});

test('cursor: 6001 sums per feltnummer equal `eindkomst stats` (one chunk of 1 MiB+ and small chunks)', { skip: noGenerate }, () => {
  const file = generate(60000, 3);
  assert.ok(file.length > 1 << 21, 'the file spans several 1 MiB slices');
  const amounts = JSON.parse(runCli(['stats', '--json', '-'], file).stdout).amounts;
  const want = Object.entries(amounts)
    .filter(([k]) => k.startsWith('6001/'))
    .map(([k, v]) => `${Number(k.slice(5))} ${v.replace('.', '')}`);
  assert.ok(want.length >= 4);
  for (const chunks of [[file], randomSplit(file, rng(), 300)]) {
    const d = new Decoder();
    const c = d.cursor();
    const sums = new Map();
    const take = () => {
      while (c.next()) {
        if (c.recordType !== 6001) continue;
        sums.set(c.feltnummer, (sums.get(c.feltnummer) ?? 0) + c.amountOre);
      }
    };
    for (const chunk of chunks) {
      c.push(chunk);
      take();
    }
    c.finish();
    take();
    const got = [...sums].sort((a, b) => a[0] - b[0]).map(([f, s]) => `${f} ${s}`);
    assert.deepEqual(got, want);
  }
});

test('cursor.pushFrom: a file read straight into Wasm memory gives the CLI sums and the same events as push', { skip: noGenerate }, () => {
  const file = generate(60000, 3);
  const amounts = JSON.parse(runCli(['stats', '--json', '-'], file).stdout).amounts;
  const want = Object.entries(amounts)
    .filter(([k]) => k.startsWith('6001/'))
    .map(([k, v]) => `${Number(k.slice(5))} ${v.replace('.', '')}`);
  assert.ok(want.length >= 4);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eik-pushfrom-'));
  const name = path.join(dir, 'input.txt');
  fs.writeFileSync(name, file);
  try {
    // The default 1 MiB, and small odd sizes that split lines everywhere.
    for (const size of [undefined, 977, 4096]) {
      const fd = fs.openSync(name, 'r');
      const d = new Decoder();
      const c = d.cursor();
      const sums = new Map();
      let records = 0;
      let total = 0;
      const take = () => {
        while (c.next()) {
          records++;
          if (c.recordType !== 6001) continue;
          sums.set(c.feltnummer, (sums.get(c.feltnummer) ?? 0) + c.amountOre);
        }
      };
      for (let got; (got = c.pushFrom((b) => fs.readSync(fd, b), size)) > 0; ) {
        total += got;
        take();
      }
      fs.closeSync(fd);
      c.finish();
      take();
      assert.equal(total, file.length, `size ${size}`);
      assert.equal(records, 60000, `size ${size}`);
      assert.equal(d.counts.decoded, 60000);
      const got = [...sums].sort((a, b) => a[0] - b[0]).map(([f, s]) => `${f} ${s}`);
      assert.deepEqual(got, want, `size ${size}`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  // Every event, with a reader that hands out a few bytes at a time, equals pushEvents.
  const wantEvents = plain(viaEvents(SAMPLE));
  const d = new Decoder();
  const c = d.cursor();
  const out = [];
  let at = 0;
  const read = (b) => {
    const n = Math.min(b.length, 37, SAMPLE.length - at);
    b.set(SAMPLE.subarray(at, at + n));
    at += n;
    return n;
  };
  const take = () => {
    while (c.next()) out.push(c.type === 'record' ? { line: c.line, values: c.values(), copy: c.toRecord().toJSON() } : c.type);
  };
  while (c.pushFrom(read, 64) > 0) take();
  c.finish();
  take();
  assert.deepEqual(
    out,
    wantEvents.map((e) => (e.type === 'record' ? { line: e.line, values: e.values, copy: e.copy } : e.type)),
  );
  assert.throws(() => new Decoder().cursor().pushFrom(() => 65, 64), /read returned 65/);
  assert.throws(() => new Decoder().cursor().pushFrom(() => 0, 0), /positive integer/);
});

test('cursor: a filtered, pseudonymised decoder gives what pushEvents gives (projected fields, pseudonyms)', () => {
  const options = { filter: { pseudonymiseKey: new TextEncoder().encode('k'.repeat(32)), record_types: [6000, 6001] } };
  const want = plain(viaEvents(SAMPLE, options));
  const r = rng();
  for (let round = 0; round < 5; round++) {
    const { out } = walk(randomSplit(SAMPLE, r, 1 + r.int(10)), options);
    assert.deepEqual(plain(out), want, `round ${round}`);
  }
  const person = viaEvents(SAMPLE, options).find((e) => e.recordType === 6000);
  assert.match(person.copy.pseudonym, /^[0-9a-f]{16}$/);
  assert.ok(person.values.includes(person.copy.pseudonym), 'the CPR field reads the pseudonym');
});

test('cursor: raw lines (unknown keys) and UTF-8 input (lines converted, not in the input) equal pushEvents', () => {
  const lines = Buffer.from(SAMPLE).toString('latin1').split('\n');
  lines.splice(3, 0, '00000047777 an unknown record key');
  const withRaw = Buffer.from(lines.join('\n'), 'latin1');
  const utf8 = Buffer.from(Buffer.from(SAMPLE).toString('latin1'), 'utf8');
  for (const [bytes, options] of [
    [withRaw, { unknown: 'raw' }],
    [utf8, {}],
  ]) {
    const want = plain(viaEvents(bytes, options));
    const r = rng();
    for (let round = 0; round < 5; round++) {
      const { out, d } = walk(randomSplit(bytes, r, 1 + r.int(20)), options);
      assert.deepEqual(plain(out), want, `${JSON.stringify(options)} round ${round}`);
      if (options.unknown) assert.deepEqual(d.rawLines.map((l) => [l.key, l.line]), [['7777', 4]]);
    }
    assert.ok(want.some((e) => e.type === 'record'));
  }
  assert.ok(plain(viaEvents(withRaw, { unknown: 'raw' })).some((e) => e.type === 'raw' && e.raw.text.endsWith('key')));
});

test('cursor and record: an amount with a digit below 1 øre throws a RangeError naming the line', () => {
  // Line 10 (offset 711) is a 6001: Beloeb at 15..31, 16 digits with 6 decimals.
  for (const digits of ['0000032500001000', '0000032500000001']) {
    const bytes = new Uint8Array(SAMPLE);
    for (let i = 0; i < 16; i++) bytes[711 + 15 + i] = digits.charCodeAt(i);
    const record = new Decoder().push(bytes)[9];
    assert.throws(() => record.amountOre, /amount of record 6001 line 10 has digits below 1 øre/);
    const c = new Decoder().cursor();
    c.push(bytes);
    for (let i = 0; i < 10; i++) c.next();
    assert.equal(c.line, 10);
    assert.throws(() => c.amountOre, (e) => e instanceof RangeError && /line 10 has digits below 1 øre/.test(e.message));
    assert.equal(c.feltnummer, 13);
  }
});

test('cursor: strict mode throws from next() at the first rejected line, after the events before it', () => {
  const s = Buffer.from(SAMPLE).toString('latin1').split('\n');
  s[9] = s[9].slice(0, 30); // line 10 too short
  const bytes = Buffer.from(s.join('\n'), 'latin1');
  const d = new Decoder({ strict: true });
  const c = d.cursor();
  c.push(bytes);
  const lines = [];
  assert.throws(
    () => {
      while (c.next()) lines.push(c.line);
    },
    (e) => e instanceof EindkomstError && e.line === 10,
  );
  assert.deepEqual(lines, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.equal(d.state, 'failed');
  assert.throws(() => c.push(bytes), /failed/);
});

test('cursor: one per decoder, made only by a decoder; a finished decoder refuses more', () => {
  const d = new Decoder();
  assert.equal(d.cursor(), d.cursor());
  assert.ok(d.cursor() instanceof EventCursor);
  assert.throws(() => new EventCursor(), TypeError);
  const c = d.cursor();
  assert.equal(c.next(), false);
  assert.equal(c.type, null);
  c.push(SAMPLE);
  let n = 0;
  while (c.next()) n++;
  assert.equal(n, 27);
  assert.equal(c.recordType, 0);
  c.finish();
  assert.equal(c.next(), false);
  assert.throws(() => c.push(SAMPLE), /finished/);
});
