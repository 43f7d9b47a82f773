// Findings and errors: exact positions for damaged files, strict vs lenient,
// Base64 errors, counts that add up, no CPR in any message, misuse, and
// recovery from a Wasm trap. Damage positions are computed from the sample's
// line offsets (line 9 at 615, line 10 at 711, line 20 at 1077).
import test from 'node:test';
import assert from 'node:assert/strict';
import { SAMPLE, cliCanGenerate, generate, latin1, pkg, randomSplit, rng } from './helpers.mjs';

const { decode, decodeBase64, validate, Decoder, EindkomstError, EindkomstInternalError } = pkg;

/** The sample with `text` written at byte `at`. */
function patch(at, text, bytes = SAMPLE) {
  const out = Uint8Array.from(bytes);
  for (let i = 0; i < text.length; i++) out[at + i] = text.charCodeAt(i);
  return out;
}

function balanced(c) {
  const dec = Object.values(c.byType).reduce((a, t) => a + t.decoded, 0);
  const rej = Object.values(c.byType).reduce((a, t) => a + t.rejected, 0);
  return c.lines === c.decoded + c.rejected && dec === c.decoded && rej + c.rejectedUntyped === c.rejected;
}

test('a letter in an amount: exact line, field and offset', () => {
  const bad = patch(711 + 20, 'X'); // line 10, 6001 Beloeb (pos 16-31), 6th digit
  const { records, findings, counts } = decode(bad);
  assert.deepEqual(findings, [
    {
      kind: 'rejected',
      severity: 'error',
      code: 'not_digit',
      description: 'non-digit in numeric field',
      message: 'line 10 (Lb_nr 10), record 6001, field 4 Beloeb, offset 731: non-digit in numeric field',
      line: 10,
      lbNr: 10,
      record: 6001,
      fieldNo: 4,
      fieldName: 'Beloeb',
      offset: 731,
      details: {},
    },
  ]);
  assert.equal(records.length, 26);
  assert.ok(!records.some((r) => r.line === 10));
  assert.equal(counts.lines, 27);
  assert.equal(counts.decoded, 26);
  assert.equal(counts.rejected, 1);
  assert.deepEqual(counts.byType['6001'], { decoded: 6, rejected: 1 });
  assert.ok(balanced(counts));
});

test('strict mode throws the same finding as an EindkomstError', () => {
  const bad = patch(711 + 20, 'X');
  let err;
  try {
    decode(bad, { strict: true });
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof EindkomstError && err instanceof Error);
  assert.equal(err.name, 'EindkomstError');
  assert.equal(err.message, 'line 10 (Lb_nr 10), record 6001, field 4 Beloeb, offset 731: non-digit in numeric field');
  assert.deepEqual(
    [err.code, err.kind, err.line, err.lbNr, err.record, err.fieldNo, err.fieldName, err.offset],
    ['not_digit', 'rejected', 10, 10, 6001, 4, 'Beloeb', 731],
  );
  // Streaming strict: records before the error came out, then the throw; the decoder stops.
  const d = new Decoder({ strict: true });
  assert.equal(d.push(bad.subarray(0, 711)).length, 9);
  assert.throws(() => d.push(bad.subarray(711)), (e) => e.offset === 731 && e.fieldName === 'Beloeb');
  assert.equal(d.state, 'failed');
  assert.equal(d.counts.rejected, 1);
  assert.throws(() => d.push(bad), /decoder that is failed/);
  // Warnings never throw in strict mode.
  const warn = decode(patch(1121 + 79, 'SE'), { strict: true }); // 6000 TIN_landekode DE → SE, 8001 says DE
  assert.deepEqual(
    warn.findings.map((f) => [f.kind, f.code, f.line, f.fieldName, f.offset]),
    [['warning', 'country_mismatch', 22, 'Landekode', 1217 + 20]],
  );
  assert.equal(warn.records.length, 27);
});

test('a short line: wrong_length with expected and found', () => {
  const lines = latin1(SAMPLE).split('\n');
  lines[19] = lines[19].slice(0, 30); // line 20, 6111, 43 bytes
  const bad = Uint8Array.from(lines.join('\n'), (c) => c.charCodeAt(0));
  const { findings, counts } = decode(bad);
  assert.equal(findings.length, 1);
  const f = findings[0];
  assert.deepEqual(
    [f.kind, f.code, f.line, f.lbNr, f.record, f.fieldNo, f.offset, f.details],
    ['rejected', 'wrong_length', 20, 20, 6111, null, 1077 + 30, { expected: 43, found: 30 }],
  );
  assert.match(f.message, /\(expected 43, found 30\)$/);
  assert.equal(counts.rejected, 1);
  assert.ok(balanced(counts));
});

test('damaged CPR: the person and its records are rejected, no CPR in any message', () => {
  const bad = patch(615 + 19 + 3, 'A'); // line 9, 6000 Person_CPR_nr (pos 20-29)
  const { findings, counts, records } = decode(bad);
  assert.deepEqual(
    findings[0],
    {
      kind: 'rejected',
      severity: 'error',
      code: 'not_digit',
      description: 'non-digit in numeric field',
      message: 'line 9 (Lb_nr 9), record 6000, field 4 Person_CPR_nr, offset 637: non-digit in numeric field',
      line: 9,
      lbNr: 9,
      record: 6000,
      fieldNo: 4,
      fieldName: 'Person_CPR_nr',
      offset: 637,
      details: {},
    },
  );
  // Lines 10-20 belong to the rejected person.
  assert.deepEqual(
    findings.slice(1).map((f) => [f.line, f.code]),
    Array.from({ length: 11 }, (_, i) => [10 + i, 'parent_rejected']),
  );
  assert.equal(counts.rejected, 12);
  assert.equal(counts.decoded, 15);
  assert.equal(records.length, 15);
  assert.ok(balanced(counts));
  const text = JSON.stringify(findings);
  for (const cpr of ['6101901234', '610190', '61A1901234', '6101A01234', '1901234']) assert.ok(!text.includes(cpr), cpr);
});

test('no finding of a heavily damaged file holds a CPR-like number', { skip: !cliCanGenerate() && 'no `eindkomst generate`' }, () => {
  const file = generate(4000, 8, ['--errors', '0.1']);
  // Also damage bytes right after each 6000's CPR field, so CPR lines get rejected.
  const s = latin1(file).split('\n');
  for (let i = 0; i < s.length; i += 7) if (s[i].slice(7, 11) === '6000') s[i] = s[i].slice(0, 29) + 'Z' + s[i].slice(30);
  const bad = Uint8Array.from(s.join('\n'), (c) => c.charCodeAt(0));
  const { findings, counts } = decode(bad);
  assert.ok(findings.length > 100);
  assert.ok(findings.some((f) => f.fieldName === 'Person_CVR_SE_nr'));
  const all = JSON.stringify(findings) + findings.map((f) => f.message).join('\n');
  assert.doesNotMatch(all, /\d{10}/);
  assert.ok(balanced(counts));
});

test('Base64 errors name the offset in the Base64 text', () => {
  const b64 = Buffer.from(SAMPLE).toString('base64');
  const bad = b64.slice(0, 100) + '*' + b64.slice(100);
  const r = decodeBase64(bad);
  assert.deepEqual(
    r.findings.map((f) => [f.kind, f.code, f.line, f.offset, f.details]),
    [
      ['error', 'invalid_base64', 0, 100, { byte: 42 }], // offset in the Base64 text
      // 100 Base64 characters are 75 bytes: the 1000 (142 bytes) stays incomplete.
      ['rejected', 'truncated_last_line', 1, 75, {}],
      ['error', 'missing_end_record', 1, 75, {}],
    ],
  );
  assert.equal(r.records.length, 0);
  // 1578 bytes are 2104 characters; without the last 3 the text ends inside a group.
  const t = decodeBase64(b64.slice(0, -3));
  assert.deepEqual(
    t.findings.map((f) => [f.kind, f.code, f.line, f.offset]),
    [
      ['error', 'base64_truncated', 0, 2101],
      ['rejected', 'truncated_last_line', 27, 1559 + 16],
      ['error', 'missing_end_record', 27, 1575],
    ],
  );
  assert.equal(t.records.length, 26);
  assert.throws(() => decodeBase64(bad, { strict: true }), (e) => e.code === 'invalid_base64' && e.offset === 100);
  // whitespace and line breaks anywhere are fine
  assert.equal(decodeBase64(b64.replace(/(.{7})/g, '$1 \r\n\t')).records.length, 27);
});

test('validate: verdict, findings, counts without records', () => {
  const ok = validate(SAMPLE);
  assert.deepEqual([ok.valid, ok.findings.length, ok.counts.decoded], [true, 0, 27]);
  const bad = validate(patch(711 + 20, 'X'));
  assert.equal(bad.valid, false);
  assert.deepEqual(bad.findings, decode(patch(711 + 20, 'X')).findings);
  assert.equal(bad.counts.rejected, 1);
  assert.ok(!('records' in bad));
  // a missing 9999 is a stream error: not valid, nothing rejected
  const cut = validate(SAMPLE.subarray(0, 1559));
  assert.equal(cut.valid, false);
  assert.deepEqual(cut.findings.map((f) => [f.kind, f.code]), [['error', 'missing_end_record']]);
  assert.equal(cut.counts.rejected, 0);
  assert.equal(cut.counts.errors, 1);
  assert.throws(() => validate(SAMPLE.subarray(0, 1559), { strict: true }), /stream ended without the end record/);
});

test('empty input and garbage', () => {
  assert.deepEqual(decode('').findings.map((f) => f.code), ['empty_input']);
  // Text that never decodes a record is not in the family: one finding, no line counted.
  const g = decode('hello\nworld\n');
  assert.deepEqual(g.findings.map((f) => [f.line, f.code]), [[0, 'wrong_family']]);
  assert.match(g.findings[0].message, /is not in this record family/);
  assert.ok(balanced(g.counts));
});

test('random damage at random split points: no internal error, chunked equals whole, counts balance', () => {
  const r = rng();
  for (let round = 0; round < 300; round++) {
    const bytes = Uint8Array.from(SAMPLE);
    const edits = 1 + r.int(6);
    for (let e = 0; e < edits; e++) {
      const at = r.int(bytes.length);
      const kind = r.int(4);
      if (kind === 0) bytes[at] = r.int(256);
      else if (kind === 1) bytes[at] = 10; // new line
      else if (kind === 2) bytes[at] = 48 + r.int(10); // another digit
      else bytes[at] = 32;
    }
    const cutAt = r.int(4) === 0 ? r.int(bytes.length) : bytes.length;
    const input = bytes.subarray(0, cutAt);
    const whole = decode(input, { raw: true });
    assert.ok(balanced(whole.counts), `round ${round}, SEED=${r.seed}`);
    const d = new Decoder({ raw: true });
    const recs = [];
    for (const c of randomSplit(input, r, 1 + r.int(40))) recs.push(...d.push(c));
    recs.push(...d.finish());
    assert.deepEqual(
      { records: recs, findings: d.takeFindings(), counts: d.counts },
      whole,
      `round ${round}, SEED=${r.seed}`,
    );
  }
});

test('misuse is a plain Error; free is idempotent', () => {
  const d = new Decoder();
  d.free();
  d.free();
  assert.equal(d.state, 'freed');
  assert.throws(() => d.push(SAMPLE), /push\(\) on a decoder that is freed/);
  assert.throws(() => new Decoder({ raw: 1, foo: 2 }), TypeError);
  const e = new Decoder();
  e.finish();
  assert.throws(() => e.finish(), /finish\(\) on a decoder that is finished/);
});

test('a Wasm trap resets the instance: old decoders refuse, new work continues', () => {
  const before = JSON.stringify(decode(SAMPLE, { raw: true }));
  const old = new Decoder();
  old.push(SAMPLE.subarray(0, 500));
  assert.throws(
    () => pkg.__trap(),
    (e) => e instanceof EindkomstInternalError && e instanceof EindkomstError && e.code === 'internal_error',
  );
  assert.throws(() => old.push(SAMPLE.subarray(500)), EindkomstInternalError);
  assert.equal(old.state, 'broken');
  old.free(); // must not touch the new instance
  assert.equal(JSON.stringify(decode(SAMPLE, { raw: true })), before);
  const fresh = new Decoder();
  assert.equal(fresh.push(SAMPLE).length, 27);
  fresh.finish();
  // twice in a row works too
  assert.throws(() => pkg.__trap(), EindkomstInternalError);
  assert.equal(JSON.stringify(decode(SAMPLE, { raw: true })), before);
});
