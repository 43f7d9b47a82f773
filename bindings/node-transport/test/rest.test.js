// The REST push receiver driven by curl (a real HTTPS client) with client certificates, as Beskedfordeler.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { XmlDocument } from 'libxml2-wasm';
import { ModtagBeskedServer } from '../src/rest.js';
import { BeskedReceiver, BodyForm, validateAgainstSchema } from '../src/beskedfordeler.js';
import { Ledger } from '../src/ledger.js';
import { makeCerts } from './servers.js';
import { sample, sampleTypes, wrapped, envelope, modtagBeskedInput, cases } from './messages.js';

let dir;
let certs;
before(() => { dir = mkdtempSync(join(tmpdir(), 'eik-node-rest-')); certs = makeCerts(dir, 'beskedfordeler-test'); });
after(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
/** POSTs `body` with curl over TLS 1.2 presenting `who`'s certificate ('client', 'stranger' or null) → { exit, http, body, statusKode, fejl }. */
function curl(port, path, body, who = 'client', method = 'POST') {
  const file = join(dir, `body-${n++}.xml`);
  writeFileSync(file, body);
  const args = ['-sS', '--max-time', '30', '--tlsv1.2', '--cacert', join(dir, 'ca.crt'), '-X', method, '-H', 'Content-Type: application/xml; charset=UTF-8',
    '--data-binary', `@${file}`, '-w', '\n%{http_code}', `https://127.0.0.1:${port}${path}`];
  if (who) args.push('--cert', join(dir, `${who}.crt`), '--key', join(dir, `${who}.key`));
  return new Promise((resolve) => execFile('curl', args, { encoding: 'utf8' }, (err, stdout) => {
    const nl = stdout.lastIndexOf('\n');
    const text = nl < 0 ? stdout : stdout.slice(0, nl);
    resolve({ exit: err ? err.code : 0, http: Number(nl < 0 ? 0 : stdout.slice(nl + 1)), body: text,
      statusKode: Number(/<sd:StatusKode>(\d+)<\/sd:StatusKode>/.exec(text)?.[1] ?? -1),
      fejl: /<sd:FejlbeskedTekst>(.*)<\/sd:FejlbeskedTekst>/.exec(text)?.[1] ?? null });
  }));
}

const input = (beskedId) => Buffer.from(modtagBeskedInput(envelope(beskedId, wrapped(sample))), 'utf8');

async function server(ledger, dead, handler, maxAttempts = 5) {
  const s = new ModtagBeskedServer({ port: 0, key: certs.server.key, cert: certs.server.cert, ca: certs.ca, ledger, maxAttempts,
    deadLetterSink: async (l) => { dead.push(l); } }, handler);
  await s.start();
  return s;
}

/** Every answer must be a valid ModtagBeskedOutput (AnvendersystemOperationer.xsd). */
function assertValidOutput(a) {
  assert.match(a.body, /<sts:ModtagBeskedOutput/);
  const doc = XmlDocument.fromString(a.body);
  try { validateAgainstSchema(doc); } finally { doc.dispose(); }
}

test('an accepted certificate delivers; duplicates are answered 20; the ledger is the AMQP one', async () => {
  const handled = [];
  const dead = [];
  const ledger = new Ledger(join(dir, 'ledger-1'));
  const s = await server(ledger, dead, async (b) => { handled.push(b); });
  try {
    const c = cases().find((k) => k.channel === 'rest');
    const a = await curl(s.port, '/ModtagBesked', c.body);
    assert.equal(a.exit, 0, a.body);
    assert.equal(a.http, 200);
    assert.equal(a.statusKode, 20, a.body);
    assert.equal(a.fejl, null);
    assertValidOutput(a);
    assert.equal(handled.length, 1);
    assert.equal(handled[0].beskedId, c.beskedId);
    assert.deepEqual(handled[0].records.map((r) => r.record), sampleTypes);
    assert.equal(handled[0].messageId, null);
    assert.equal(handled[0].redelivered, true, 'AntalLeveranceforsoeg 2');
    // Beskedfordeler resends (e.g. after a timeout): answered 20 again, not handed over again.
    assert.equal((await curl(s.port, '/ModtagBesked', c.body)).statusKode, 20);
    assert.equal(handled.length, 1);
    const viaAmqp = Buffer.from(c.body.toString('utf8').replace(/^[\s\S]*?(<Haendelsesbesked)/, '$1').replace('</sts:ModtagBeskedInput>', ''), 'utf8');
    const r = await new BeskedReceiver({ ledger, handler: async (b) => handled.push(b) }).receive(viaAmqp,
      { form: BodyForm.HAENDELSESBESKED, messageId: 'm-1', sink: async (l) => dead.push(l) });
    assert.equal(r.outcome, 'duplicate');
    assert.deepEqual(dead, []);
  } finally { await s.close(); ledger.close(); }
});

test('a certificate from another issuer, or none, is refused in the handshake', async () => {
  let calls = 0;
  const ledger = new Ledger(join(dir, 'ledger-2'));
  const s = await server(ledger, [], async () => { calls++; });
  try {
    for (const who of ['stranger', null]) {
      const a = await curl(s.port, '/ModtagBesked', input('r-1'), who);
      assert.notEqual(a.exit, 0, a.body);
      assert.equal(a.http, 0, a.body); // no HTTP exchange at all
    }
    assert.equal(calls, 0);
    assert.equal(ledger.get('b:r-1'), null);
    assert.equal((await curl(s.port, '/ModtagBesked', input('r-1'))).statusKode, 20);
    assert.equal(calls, 1);
  } finally { await s.close(); ledger.close(); }
});

test('status codes tell Beskedfordeler what to do', async () => {
  const dead = [];
  const calls = [];
  const ledger = new Ledger(join(dir, 'ledger-3'));
  const s = await server(ledger, dead, async (b) => {
    calls.push(`${b.beskedId}#${b.attempt}`);
    if (b.beskedId === 'flaky' && b.attempt < 3) throw new Error('database busy');
    if (b.beskedId === 'poison') throw new Error('cannot store');
  }, 3);
  const post = (body) => curl(s.port, '/ModtagBesked', body);
  try {
    const a = await post(input('flaky'));
    assert.equal(a.statusKode, 40);
    assert.equal(a.fejl, 'handler failed (attempt 1 of 3)');
    assertValidOutput(a);
    assert.equal((await post(input('flaky'))).statusKode, 40);
    assert.equal((await post(input('flaky'))).statusKode, 20);
    assert.equal((await post(input('poison'))).statusKode, 40);
    assert.equal((await post(input('poison'))).statusKode, 40);
    const last = await post(input('poison'));
    assert.equal(last.statusKode, 20);
    assert.equal(last.fejl, 'not handed to the receiving system, kept as a dead letter: handler_failed');
    assert.deepEqual(calls, ['flaky#1', 'flaky#2', 'flaky#3', 'poison#1', 'poison#2', 'poison#3']);
    const invalid = await post(Buffer.from(input('x').toString('utf8').replace(/<BeskedId>.*?<\/BeskedId>/, ''), 'utf8'));
    assert.equal(invalid.statusKode, 20);
    assert.equal(invalid.fejl, 'not handed to the receiving system, kept as a dead letter: invalid_envelope');
    assert.equal((await post(Buffer.alloc(0))).statusKode, 20);
    assert.deepEqual(dead.map((l) => l.errorCode), ['handler_failed', 'invalid_envelope', 'bad_envelope']);
    assert.match(dead[1].errorText, /BeskedId/);
    assert.equal(calls.length, 6);
    const other = await curl(s.port, '/AndenOperation', input('y'));
    assert.equal(other.statusKode, 51);
    assertValidOutput(other);
    assert.equal((await post(Buffer.from(input('y').toString('utf8').replace('urn:oio:sts:1.0.0', 'urn:oio:sts:2.0.0'), 'utf8'))).statusKode, 55);
    assert.equal((await curl(s.port, '/ModtagBesked', Buffer.alloc(0), 'client', 'PUT')).http, 405);
    ledger.close();
    const broken = await post(input('z'));
    assert.equal(broken.statusKode, 53);
    assert.equal(broken.fejl, 'the ledger cannot be written');
    assert.equal(calls.length, 6);
  } finally { await s.close(); ledger.close(); }
});
