// Streaming: push at random split points (seeded; SEED=n reproduces a run)
// must give exactly what one whole decode gives: records, findings, counts.
// Also byte-by-byte, the Node stream adapter and the web TransformStream.
import test from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { writeFileSync, createReadStream, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  SAMPLE,
  cliCanGenerate,
  generate,
  latin1,
  pkg,
  randomSplit,
  repeatSample,
  rng,
} from './helpers.mjs';

const { decode, decodeBase64, Decoder, decodeStream, DecoderStream } = pkg;

/** A damaged variant: a letter in an amount (line 10), a short line (line 20). */
function damaged(bytes) {
  const s = latin1(bytes).split('\n');
  s[9] = s[9].slice(0, 20) + 'X' + s[9].slice(21);
  s[19] = s[19].slice(0, 30);
  return Uint8Array.from(s.join('\n'), (c) => c.charCodeAt(0));
}

const inputs = [
  ['sample', SAMPLE],
  ['sample, CRLF', Uint8Array.from(latin1(SAMPLE).replace(/\n/g, '\r\n'), (c) => c.charCodeAt(0))],
  ['sample without final newline', SAMPLE.subarray(0, SAMPLE.length - 1)],
  ['damaged sample', damaged(SAMPLE)],
  ['repeated sample (6000 lines)', repeatSample(6000)],
];
if (cliCanGenerate()) {
  inputs.push(['generated, 5% damaged', generate(8000, 3, ['--errors', '0.05'])]);
  inputs.push(['generated, CRLF', generate(4000, 9, ['--crlf'])]);
}

function whole(bytes, opts) {
  const r = decode(bytes, { ...opts, raw: true });
  return { records: r.records, findings: r.findings, counts: r.counts };
}

function chunked(chunks, opts) {
  const d = new Decoder({ ...opts, raw: true });
  const records = [];
  for (const c of chunks) records.push(...d.push(c));
  records.push(...d.finish());
  return { records, findings: d.takeFindings(), counts: d.counts };
}

test('push at random split points equals one whole decode', () => {
  const r = rng();
  for (const [name, bytes] of inputs) {
    const want = whole(bytes);
    for (let round = 0; round < 12; round++) {
      const n = [1, 3, 17, 200][round % 4];
      const got = chunked(randomSplit(bytes, r, n));
      assert.deepEqual(got, want, `${name}, ${n} cuts, round ${round}, SEED=${r.seed}`);
    }
  }
});

test('byte by byte equals whole, lenient and strict', () => {
  const bytes = damaged(SAMPLE);
  const ones = Array.from(bytes, (_, i) => bytes.subarray(i, i + 1));
  assert.deepEqual(chunked(ones), whole(bytes));
  // strict: the same first error, at the same place, whichever the chunking
  const errOf = (fn) => {
    try {
      fn();
    } catch (e) {
      return e;
    }
    assert.fail('no error');
  };
  const a = errOf(() => decode(bytes, { strict: true }));
  const b = errOf(() => chunked(ones, { strict: true }));
  assert.equal(a.message, b.message);
  assert.equal(a.offset, b.offset);
});

test('records split across chunks come with the chunk that ends them', () => {
  const d = new Decoder();
  const cut = 715; // inside line 10 (offset 711)
  const first = d.push(SAMPLE.subarray(0, cut));
  assert.deepEqual(first.map((x) => x.line), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const second = d.push(SAMPLE.subarray(cut, 760));
  assert.deepEqual(second.map((x) => [x.line, x.fields.Beloeb]), [[10, '32500.00']]);
  assert.equal(d.push(new Uint8Array(0)).length, 0);
  const rest = d.push(SAMPLE.subarray(760));
  assert.equal(rest.length, 17);
  assert.deepEqual(d.finish(), []);
  assert.equal(d.state, 'finished');
  assert.equal(d.counts.decoded, 27);
  assert.throws(() => d.push(SAMPLE), /push\(\) on a decoder that is finished/);
});

test('large pushes are sliced (1 MiB per crossing) without changing results', () => {
  const big = repeatSample(120000); // ~4 MB
  assert.ok(big.length > 3 << 20);
  const one = decode(big, { raw: true });
  assert.equal(one.records.length, one.counts.decoded);
  const newlines = big.reduce((n, b) => n + (b === 10), 0);
  assert.equal(one.counts.lines, newlines);
  assert.equal(one.counts.decoded, newlines);
  assert.deepEqual(one.findings, []);
  const r = rng();
  assert.deepEqual(chunked(randomSplit(big, r, 40)), whole(big));
});

test('Node stream adapter (async iterator) equals whole', async () => {
  const bytes = cliCanGenerate() ? generate(6000, 21, ['--errors', '0.02']) : damaged(repeatSample(3000));
  const dir = mkdtempSync(join(tmpdir(), 'eindkomst-'));
  const path = join(dir, 'in.txt');
  writeFileSync(path, bytes);
  const want = whole(bytes);
  const stream = decodeStream(createReadStream(path, { highWaterMark: 4093 }), { raw: true });
  const records = [];
  const findings = [];
  let batches = 0;
  for await (const batch of stream) {
    batches++;
    records.push(...batch.records);
    findings.push(...batch.findings);
  }
  assert.ok(batches > 10, `${batches} batches`);
  assert.deepEqual({ records, findings, counts: stream.counts }, want);
  assert.equal(stream.decoder.state, 'finished');
  // any async iterable of chunks works, strings included
  const s = decodeStream(Readable.from([latin1(SAMPLE.subarray(0, 100)), SAMPLE.subarray(100)]));
  let n = 0;
  for await (const b of s) n += b.records.length;
  assert.equal(n, 27);
});

test('stream adapter: strict mode error ends the iteration with the error', async () => {
  const stream = decodeStream(Readable.from([damaged(SAMPLE)]), { strict: true });
  await assert.rejects(
    (async () => {
      for await (const _ of stream);
    })(),
    (e) => e.name === 'EindkomstError' && e.line === 10 && e.code === 'not_digit',
  );
});

test('web TransformStream (DecoderStream) equals whole', async () => {
  const bytes = repeatSample(2000);
  const want = whole(bytes);
  const r = rng();
  const chunks = randomSplit(bytes, r, 50);
  const source = new ReadableStream({
    start(c) {
      for (const x of chunks) c.enqueue(x);
      c.close();
    },
  });
  const ds = new DecoderStream({ raw: true });
  const records = [];
  const findings = [];
  for await (const batch of source.pipeThrough(ds)) {
    records.push(...batch.records);
    findings.push(...batch.findings);
  }
  assert.deepEqual({ records, findings, counts: ds.decoder.counts }, want);
  // Blob.stream(), as the viewer reads a File
  const typed = [];
  for await (const b of new Blob([SAMPLE]).stream().pipeThrough(new DecoderStream())) typed.push(...b.records);
  assert.equal(typed[9].fields.Beloeb, '32500.00');
});

test('Base64 streaming at random split points equals whole', () => {
  const bytes = damaged(SAMPLE);
  const b64 = Buffer.from(bytes).toString('base64').replace(/.{60}/g, '$&\n');
  const want = decodeBase64(b64, { raw: true });
  assert.deepEqual(want.records, decode(bytes, { raw: true }).records);
  const r = rng();
  const b64bytes = Uint8Array.from(b64, (c) => c.charCodeAt(0));
  for (let round = 0; round < 8; round++) {
    const got = chunked(randomSplit(b64bytes, r, 1 + r.int(300)), { base64: true });
    assert.deepEqual(got, { records: want.records, findings: want.findings, counts: want.counts }, `round ${round}`);
  }
});
