// Differential tests against the CLI (native core): the same bytes must give
// the same records field for field, the same typed values and the same
// findings. Generated files need `eindkomst generate`; without it those
// cases are skipped with the reason.
import test from 'node:test';
import assert from 'node:assert/strict';
import {
  SAMPLE,
  SAMPLE_PATH,
  cli,
  cliCanGenerate,
  cliReason,
  generate,
  ndjson,
  pkg,
  runCli,
} from './helpers.mjs';

const { decode, decodeBase64, validate } = pkg;
const noCli = cli() ? false : `CLI not available: ${cliReason()}`;
const noGenerate = noCli || (cliCanGenerate() ? false : 'the CLI has no `generate` command yet');

/** The CLI's stderr findings, one `kind: message` per line. */
function cliFindings(stderr) {
  return String(stderr)
    .split('\n')
    .filter((l) => /^(rejected|error|warning): /.test(l));
}

function jsFindings(findings) {
  return findings.map((f) => `${f.kind}: ${f.message}`);
}

/** The JS typed record in the core's serde shape (what `eindkomst decode` prints). */
function coreShape(r) {
  return { line: r.line, lb_nr: r.lbNr, offset: r.offset, record: r.record, fields: r.fields };
}

test('sample: raw output equals `eindkomst decode --raw`', { skip: noCli }, () => {
  const want = ndjson(runCli(['decode', '--raw', SAMPLE_PATH]).stdout);
  assert.equal(want.length, 27);
  assert.deepEqual(decode(SAMPLE, { raw: true }).records, want);
});

test('sample: typed values equal `eindkomst decode`', { skip: noCli }, () => {
  const want = ndjson(runCli(['decode', SAMPLE_PATH]).stdout);
  assert.deepEqual(decode(SAMPLE).records.map(coreShape), want);
});

test('sample: options mean the same as the CLI flags', { skip: noCli }, () => {
  for (const [opts, flags] of [
    [{ amountScale: 2 }, ['--amount-scale', '2']],
    [{ personLayout: 'pre-tin' }, ['--person-layout', 'pre-tin']],
    [{ unknownCodesReject: true }, ['--unknown-codes-reject']],
  ]) {
    const r = runCli(['decode', ...flags, SAMPLE_PATH]);
    const js = decode(SAMPLE, opts);
    assert.deepEqual(js.records.map(coreShape), ndjson(r.stdout), flags.join(' '));
    assert.deepEqual(jsFindings(js.findings), cliFindings(r.stderr), flags.join(' '));
  }
});

test('generated file: raw and typed output equal the CLI', { skip: noGenerate }, () => {
  for (const [records, seed, extra] of [
    [20000, 42, []],
    [3000, 7, ['--crlf']],
  ]) {
    const file = generate(records, seed, extra);
    const raw = ndjson(runCli(['decode', '--raw', '-'], file).stdout);
    const js = decode(file, { raw: true });
    assert.equal(js.records.length, records, `${records} records, seed ${seed}`);
    assert.deepEqual(js.records, raw);
    assert.deepEqual(js.findings, []);
    const typed = ndjson(runCli(['decode', '-'], file).stdout);
    assert.deepEqual(decode(file).records.map(coreShape), typed);
  }
});

test('damaged generated file: same records and the same findings as the CLI', { skip: noGenerate }, () => {
  const file = generate(5000, 11, ['--errors', '0.05']);
  const r = runCli(['decode', '--raw', '-'], file);
  const js = decode(file, { raw: true });
  assert.ok(js.counts.rejected > 50, `only ${js.counts.rejected} damaged lines`);
  assert.deepEqual(js.records, ndjson(r.stdout));
  assert.deepEqual(jsFindings(js.findings), cliFindings(r.stderr));
  assert.equal(js.counts.lines, 5000);
  assert.equal(js.counts.decoded + js.counts.rejected, 5000);
  assert.equal(js.records.length, js.counts.decoded);
  // validate: the same verdict and findings as `eindkomst validate`
  const v = runCli(['validate', '-'], file);
  assert.equal(v.status, 1);
  const jv = validate(file);
  assert.equal(jv.valid, false);
  assert.deepEqual(jsFindings(jv.findings), cliFindings(v.stdout + '\n' + v.stderr));
});

test('Base64: decodeBase64 equals `eindkomst decode --raw --base64`', { skip: noCli }, () => {
  const file = noGenerate ? SAMPLE : generate(2000, 5);
  const b64 = Buffer.from(file).toString('base64').replace(/.{76}/g, '$&\r\n');
  const r = runCli(['decode', '--raw', '--base64', '-'], Buffer.from(b64));
  assert.deepEqual(decodeBase64(b64, { raw: true }).records, ndjson(r.stdout));
  assert.deepEqual(decodeBase64(b64, { raw: true }).records, decode(file, { raw: true }).records);
});
