import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readFileSync, existsSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BeskedReceiver, BodyForm } from '../src/beskedfordeler.js';
import { Ledger } from '../src/ledger.js';
import { sample, sampleLines, sampleTypes, envelopeWith, base64, cases, ROOT } from './messages.js';

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'eik-node-receiver-'));
  const t = { dir, ledger: new Ledger(join(dir, 'ledger')), handled: [], dead: [] };
  t.receive = (body, handler = async (b) => { t.handled.push(b); }, maxAttempts = 5, form = BodyForm.HAENDELSESBESKED, messageId = `m-${t.handled.length}-${Math.random()}`) =>
    new BeskedReceiver({ ledger: t.ledger, handler, maxAttempts }).receive(Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'),
      { form, messageId, sink: async (l) => { t.dead.push(l); } });
  t.done = () => { t.ledger.close(); rmSync(dir, { recursive: true, force: true }); };
  return t;
}

test('the shared cases of testdata reach their outcome', async () => {
  const t = setup();
  try {
    const all = cases();
    assert.equal(all.length, 9);
    for (const c of all) {
      t.handled.length = 0;
      t.dead.length = 0;
      const form = c.channel === 'rest' ? BodyForm.MODTAG_BESKED_INPUT : BodyForm.HAENDELSESBESKED;
      const r = await t.receive(c.body, undefined, 5, form, null);
      if (c.outcome === 'handled') {
        assert.equal(r.outcome, 'handled', c.file);
        const b = t.handled[0];
        assert.equal(b.records.length, c.records, c.file);
        assert.equal(b.beskedId, c.beskedId, c.file);
        // UTF-8 or ISO-8859-1: the engine sees the same text, line for line (æ, ø, ü, ß included).
        b.records.forEach((rec, i) => assert.equal(rec.text, sampleLines[i].slice(0, rec.text.length), `${c.file} record ${i}`));
        assert.equal(b.redelivered, c.file === 'modtag-besked-input.xml', 'AntalLeveranceforsoeg 2');
      } else {
        assert.equal(r.outcome, 'deadLettered', c.file);
        assert.equal(t.dead[0].errorCode, c.code, c.file);
        assert.equal(t.dead[0].beskedId, c.beskedId, c.file);
        if (c.reason != null) assert.equal(t.dead[0].errorText, c.reason, c.file);
        assert.deepEqual(t.dead[0].body, c.body);
      }
    }
  } finally { t.done(); }
});

test('the encoding attribute decides how the payload is read', async () => {
  const t = setup();
  try {
    const text = sample.toString('latin1');
    const asciiOnly = Buffer.from(text.replace(/ø/g, 'o').replace(/Æ/g, 'A').replace(/ü/g, 'u').replace(/ß/g, 's'), 'latin1');
    // windows-1252 has the ISO-8859-1 letters at the same bytes; "€" is 0x80.
    const cp1252Euro = Buffer.from(text.replace('Kommunal Løn', 'Kommunal L\x80n'), 'latin1');
    const tries = [
      ['ISO-8859-1', sample], ['Binary', sample], ['utf-8', Buffer.from(text, 'utf8')], ['Windows-1252', sample], ['ASCII', asciiOnly],
      ['ASCII', sample, 'bad_encoding', 'byte offset 59 of the payload is not valid ASCII'],
      ['UTF-8', sample, 'bad_encoding', 'byte offset 59 of the payload is not valid UTF-8'],
      ['Windows-1252', cp1252Euro, 'not_latin1', 'character U+20AC at byte offset 59 (line 1) of the WINDOWS-1252 payload cannot be written in ISO-8859-1, which the records use'],
      ['UTF-32', Buffer.from(text, 'utf16le'), 'unknown_encoding', 'encoding "UTF-32" is not supported (supported: ISO-8859-1, UTF-8, ASCII, Windows-1252, Binary)'],
      [null, sample, 'unknown_encoding', 'Base64 element has no encoding attribute (supported: ISO-8859-1, UTF-8, ASCII, Windows-1252, Binary)'],
    ];
    for (const [i, [encoding, payload, code, reason]] of tries.entries()) {
      t.handled.length = 0;
      t.dead.length = 0;
      const r = await t.receive(envelopeWith(`enc-${i}`, base64(payload, encoding)));
      if (code == null) {
        assert.equal(r.outcome, 'handled', encoding);
        assert.deepEqual(t.handled[0].records.map((x) => x.record), sampleTypes, encoding);
      } else {
        assert.equal(r.outcome, 'deadLettered', encoding);
        assert.equal(t.dead[0].errorCode, code, encoding);
        assert.equal(t.dead[0].errorText, reason, encoding);
      }
    }
    t.dead.length = 0;
    await t.receive(envelopeWith('enc-bad64', '<Base64 encoding="UTF-8">QUJD\nR*Ej</Base64>'));
    assert.equal(t.dead[0].errorCode, 'invalid_base64');
    assert.equal(t.dead[0].errorText, 'invalid Base64 character at offset 5 of the Base64 text (whitespace removed)');
    t.dead.length = 0;
    await t.receive(envelopeWith('enc-two', base64(sample, 'ISO-8859-1') + base64(sample, 'UTF-16')));
    assert.equal(t.dead[0].errorText, 'payload 2: encoding "UTF-16" is not supported (supported: ISO-8859-1, UTF-8, ASCII, Windows-1252, Binary)');
  } finally { t.done(); }
});

test('handler attempts are bounded and counted across restarts', async () => {
  const t = setup();
  try {
    const body = envelopeWith('poison-1', base64(sample, 'ISO-8859-1'));
    const attempts = [];
    const failing = async (b) => { attempts.push(b.attempt); throw new Error('store down for 610190-1234'); };
    assert.deepEqual(await t.receive(body, failing, 3), { outcome: 'retry', code: 'handler_failed', text: 'handler failed (attempt 1 of 3)' });
    assert.equal((await t.receive(body, failing, 3)).outcome, 'retry');
    assert.equal((await t.receive(body, failing, 3)).outcome, 'deadLettered');
    assert.deepEqual(attempts, [1, 2, 3]);
    assert.equal(t.dead[0].errorCode, 'handler_failed');
    assert.equal(t.dead[0].errorText, 'handler failed 3 times, last: Error: store down for **********');
    assert.equal((await t.receive(body, failing, 3)).outcome, 'duplicate');
    assert.equal(attempts.length, 3);
    // Attempts cut short by a crash (BEGIN without an outcome) count too, and the next one is marked interrupted.
    t.ledger.begin('b:crash-1', 1);
    t.ledger.close();
    t.ledger = new Ledger(join(t.dir, 'ledger'));
    await t.receive(envelopeWith('crash-1', base64(sample, 'ISO-8859-1')), undefined, 3);
    assert.equal(t.handled[0].attempt, 2);
    assert.equal(t.handled[0].interrupted, true);
    for (let i = 1; i <= 3; i++) t.ledger.begin('b:crash-2', i);
    t.dead.length = 0;
    const r = await t.receive(envelopeWith('crash-2', base64(sample, 'ISO-8859-1')), async () => { throw new Error('called'); }, 3);
    assert.equal(r.outcome, 'deadLettered');
    assert.equal(t.dead[0].errorText, 'handler had 3 attempts; the last one did not return (the process stopped)');
  } finally { t.done(); }
});

test('a settled BeskedId is never handed over again after a restart', async () => {
  const t = setup();
  try {
    assert.equal((await t.receive(envelopeWith('once-1', base64(sample, 'ISO-8859-1')))).outcome, 'handled');
    assert.equal(t.handled[0].attempt, 1);
    assert.equal(t.handled[0].interrupted, false);
    t.ledger.close();
    t.ledger = new Ledger(join(t.dir, 'ledger'));
    const replay = envelopeWith('once-1', base64(sample, 'ISO-8859-1'));
    assert.equal((await t.receive(replay)).outcome, 'duplicate');
    assert.equal(t.handled.length, 1);
    assert.equal(t.ledger.forget('b:once-1'), true);
    assert.equal((await t.receive(replay)).outcome, 'handled');
    assert.equal(t.handled.length, 2);
  } finally { t.done(); }
});

test('schema errors are dead-lettered with their position and no personal data', async () => {
  const t = setup();
  try {
    await t.receive(envelopeWith('schema-1', base64(sample, 'ISO-8859-1')).replace('<BeskedVersion>1.0</BeskedVersion>', '<BeskedVersion>1.0</BeskedVersion><Kopi>6101901234</Kopi>'));
    assert.equal(t.dead[0].errorCode, 'invalid_envelope');
    assert.match(t.dead[0].errorText, /^not valid against the Beskedfordeler schema at line 2: .*Kopi/);
    t.dead.length = 0;
    await t.receive(envelopeWith('schema-2', base64(sample, 'ISO-8859-1')).replace('</TransaktionsId>', '</TransaktionsId><Leveranceruter><Leverancerute>'
      + '<LeveranceruteLokalUdvidelse><AntalLeveranceforsoeg>6101901234x</AntalLeveranceforsoeg></LeveranceruteLokalUdvidelse></Leverancerute></Leveranceruter>'));
    assert.equal(t.dead[0].errorCode, 'invalid_envelope');
    assert.doesNotMatch(t.dead[0].errorText, /[0-9]{10}/);
    assert.match(t.dead[0].errorText, /\*{10}/);
    t.dead.length = 0;
    await t.receive('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "6101901234">]><Haendelsesbesked>&e;</Haendelsesbesked>');
    assert.equal(t.dead[0].errorCode, 'bad_envelope');
    assert.equal(t.dead[0].errorText, 'a DTD is not allowed');
    t.dead.length = 0;
    await t.receive('<Haendelsesbesked><BeskedId>');
    assert.equal(t.dead[0].errorCode, 'bad_envelope');
    assert.match(t.dead[0].errorText, /^not well-formed XML at line 1, column \d+$/);
    assert.deepEqual(t.handled, []);
  } finally { t.done(); }
});

test('the schemas read at run time are KOMBIT\'s, unchanged', () => {
  const root = fileURLToPath(ROOT);
  const shared = [join(root, '../shared'), join(root, '../../shared')].map((p) => join(p, 'spec/xsd/beskedfordeler')).find((p) => existsSync(p));
  assert.ok(shared, 'no shared/spec/xsd/beskedfordeler beside the repository');
  for (const f of ['AnvendersystemOperationer.xsd', 'Beskedkuvert.xsd', 'BeskeddataBase64ver.2.00.xsd', '1.1/SagDokObjekt.xsd',
    '1.1/OrganisationFaelles.xsd', '1.1/Part.xsd', 'cached/xmldsig-core-schema.xsd']) {
    assert.deepEqual(readFileSync(join(root, 'bindings/transport-double/xsd/beskedfordeler', f)), readFileSync(join(shared, f)), f);
  }
});

test('ledger: state survives reopening, a torn last line is cut, old entries expire', () => {
  const dir = mkdtempSync(join(tmpdir(), 'eik-node-ledger-'));
  try {
    const file = join(dir, 'state', 'ledger');
    const t0 = Date.parse('2025-02-01T00:00:00Z');
    const day = 24 * 3600 * 1000;
    let l = new Ledger(file, { now: () => t0 });
    l.begin('b:a', 1); l.handled('b:a', 1); l.begin('b:b', 1); l.failed('b:b', 1, 'Error'); l.begin('b:b', 2); l.dead('m:x\ty%\n', 0, 'bad_envelope');
    l.close();
    // A write cut short by SIGKILL leaves a line without its newline: that step did not happen.
    appendFileSync(file, '1738368000000\tHANDLED\t2\tb:b');
    l = new Ledger(file, { now: () => t0 + 29 * day });
    assert.deepEqual(l.get('b:a'), { state: 'HANDLED', attempt: 1, millis: t0, settled: true, interrupted: false });
    assert.deepEqual(l.get('b:b'), { state: 'BEGIN', attempt: 2, millis: t0, settled: false, interrupted: true });
    assert.equal(l.get('m:x\ty%\n').state, 'DEAD');
    assert.equal(l.size, 3);
    l.begin('b:c', 1); l.handled('b:c', 1);
    l.close();
    const text = readFileSync(file, 'utf8');
    assert.equal(text.split('\n').filter(Boolean).length, 5, text);
    assert.ok(text.includes('\tm:x%09y%25%0A\n'), text);
    l = new Ledger(file, { now: () => t0 + 31 * day });
    assert.equal(l.get('b:a'), null);
    assert.equal(l.get('b:b'), null);
    assert.equal(l.get('b:c').state, 'HANDLED');
    assert.equal(l.size, 1);
    assert.equal(l.forget('b:c'), true);
    assert.equal(l.get('b:c'), null);
    l.close();
    l = new Ledger(file);
    assert.equal(l.size, 0);
    l.close();
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
