// The transports' XML parsers under mutated messages (test/xml-mutator.js, fixed seeds; the same harness as the
// Java transport's XmlFuzzTest and AnswerFuzzTest): the Beskedfordeler envelope reader, the SFTP metadata reader
// and the SOAP answer reader (past the signature check: a test security accepts every answer). Each input is
// read or refused with the reader's own error, nothing else is thrown, no refusal text holds a CPR, nothing
// external is resolved. Then the whole Beskedfordeler receiver over mutated and poison messages, and a sweep of
// everything it writes or says besides the bodies (dead-letter reasons, the BeskedId ledger, its events).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readEnvelope, Rejection, BodyForm, BeskedReceiver, directoryDeadLetterSink } from '../src/beskedfordeler.js';
import { readMetadata } from '../src/sftp.js';
import { answer, SoapError } from '../src/soap.js';
import { Ledger } from '../src/ledger.js';
import { CASES, ROOT, envelope, wrapped, sample, damaged } from './messages.js';
import { xmlMutator, leak, MARKER } from './xml-mutator.js';

const N = Number(process.env.EINDKOMST_FUZZ_INPUTS ?? 3000);
const MESSAGES = 600;
const show = (b) => `input (Base64): ${b.subarray(0, 4000).toString('base64')}`;

function envelopeSeeds() {
  const seeds = readdirSync(CASES).filter((f) => f.endsWith('.xml')).sort().map((f) => readFileSync(new URL(f, CASES)));
  // The sample's 6000 records carry synthetic CPRs; the BeskedId too (not a UUID: invalid_envelope).
  // envelope() draws a TransaktionsId; a fixed one keeps the inputs reproducible.
  const fixed = (e) => Buffer.from(e.replace(/(?<=<TransaktionsId><sd:UUIDIdentifikator>)[^<]+/, '0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9'));
  seeds.push(fixed(envelope('urn:uuid:0101604321', wrapped(sample))), fixed(envelope('5d7c0f6e-3b1a-4c55-9d3e-1a2b3c4d5e6f', wrapped(damaged))));
  return seeds;
}

test('mutated envelopes, metadata and SOAP answers are read or refused without leaks', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'eik-xml-fuzz-'));
  const counts = {};
  const count = (k) => { counts[k] = (counts[k] ?? 0) + 1; };
  const open = [];
  const mutator = async (...a) => { const m = await xmlMutator(...a); open.push(m); return m; };
  try {
    // Envelopes.
    const m = await mutator(19, envelopeSeeds(), dir);
    for (let i = 0; i < N; i++) {
      const input = m.next();
      const form = i % 4 === 0 ? BodyForm.MODTAG_BESKED_INPUT : BodyForm.HAENDELSESBESKED;
      try {
        const env = readEnvelope(input, form);
        count('envelope read');
        for (const p of env.payloads) assert.ok(!p.base64.includes(MARKER), `an external entity was resolved; ${show(input)}`);
      } catch (e) {
        assert.ok(e instanceof Rejection, `threw ${e?.stack}; ${show(input)}`);
        count(`envelope ${e.code}`);
        assert.equal(leak(e.message), null, `refused with a leak: ${e.message}; ${show(input)}`);
      }
    }
    assert.equal(m.connections(), 0, 'the canary server was contacted (envelopes)');

    // SFTP metadata.
    const meta = (uuid, size) => Buffer.from('<?xml version="1.0" encoding="UTF-8"?>\n<FileMetadata xmlns="http://serviceplatformen.dk/xml/wsdl/soap11/SFTP/1/types">'
      + `<FileTransferUUID>${uuid}</FileTransferUUID><FileDescriptor><FileName>eindkomst.txt</FileName><SizeInBytes>${size}</SizeInBytes>`
      + '<Sender>SKAT_EINDKOMST</Sender><Recipients>kommune</Recipients></FileDescriptor><FileContentDescriptor/></FileMetadata>\n');
    const mm = await mutator(20, [meta('7a1c2e3f-4b5d-4e6f-8a9b-0c1d2e3f4a5b', 4711), meta('0101604321', 123), Buffer.from('<Trigger><SizeInBytes>1</SizeInBytes></Trigger>')], dir);
    for (let i = 0; i < N; i++) {
      const input = mm.next();
      try {
        const md = readMetadata(input.toString('utf8'));
        count('metadata read');
        assert.ok(Number.isSafeInteger(md.sizeInBytes) || md.sizeInBytes > 0, `size ${md.sizeInBytes}`);
        assert.ok(!JSON.stringify(md).includes(MARKER), `an external entity was resolved; ${show(input)}`);
      } catch (e) {
        assert.ok(e instanceof Error && !(e instanceof TypeError) && !(e instanceof RangeError), `threw ${e?.stack}; ${show(input)}`);
        count('metadata refused');
        assert.equal(leak(e.message), null, `refused with a leak: ${e.message}; ${show(input)}`);
      }
    }
    assert.equal(mm.connections(), 0, 'the canary server was contacted (metadata)');

    // SOAP answers, from the transport double's templates with CPRs in Fejl, Advis and fault texts.
    const sent = '5b6c1a52-6d4e-4c61-9f1f-0d2a7c9e3b10';
    const k = 'http://kombit.dk/xml/schemas/kontekst/2017/01/01/';
    const fejl = `<SvarReaktion xmlns="${k}"><Fejl><FejlId>0101604321</FejlId><FejlTekst>CPR 010160-4321 findes ikke</FejlTekst><KildeId>3112609999</KildeId></Fejl></SvarReaktion>\n`;
    const advis = `<SvarReaktion xmlns="${k}"><Advis><AdvisId>311260-9999</AdvisId><AdvisTekst>se 0101604321</AdvisTekst></Advis></SvarReaktion>\n`;
    const double = new URL('bindings/transport-double/src/main/resources/dk/eindkomst/transportdouble/', ROOT);
    const answers = [];
    for (const f of ['bestil-ok.xml', 'ajourfoer-ok.xml', 'fault.xml']) {
      const t = readFileSync(new URL(f, double), 'utf8');
      for (const r of ['', fejl, advis, advis + fejl]) {
        answers.push(Buffer.from(t.replace('${TransaktionsId}', sent).replace('${SvarReaktion}', r).replace(/\$\{\w+\}/g, 'urn:x:0101604321 (310160-1234)')));
      }
    }
    const ma = await mutator(2017, answers, dir);
    const acceptAll = { verifyAnswer() {} };
    for (let i = 0; i < N; i++) {
      const input = ma.next();
      const root = i % 2 ? 'IndkomstOplysningVirksomhedAbonnentBestil_I_O' : 'IndkomstOplysningPersonAbonnementAjourfoer_O';
      let text;
      try {
        const a = answer(i % 5 === 0 ? 500 : 200, input.toString('utf8'), root, sent, 'urn:uuid:x', acceptAll);
        count('answer read');
        // The Advis texts are the service's answer to the caller (data, not a message): only the canary.
        text = JSON.stringify(a.advis).replaceAll(/[0-9]/g, '#');
      } catch (e) {
        assert.ok(e instanceof SoapError, `threw ${e?.stack}; ${show(input)}`);
        count(`answer ${e.constructor.name}`);
        text = `${e.message} ${e}`;
      }
      assert.equal(leak(text), null, `answer with a leak: ${text}; ${show(input)}`);
    }
    assert.equal(ma.connections(), 0, 'the canary server was contacted (answers)');
  } finally {
    for (const m of open) await m.close();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`xml-fuzz-node: ${N} inputs each ${JSON.stringify(counts)}`);
  for (const kind of ['envelope read', 'envelope bad_envelope', 'envelope invalid_envelope', 'metadata read', 'metadata refused',
    'answer read', 'answer FejlSvarError', 'answer ServiceplatformFaultError', 'answer SoapTransportError']) {
    assert.ok(counts[kind] > 0, `no "${kind}": ${JSON.stringify(counts)}`);
  }
});

test('the receiver says no CPR after faults (dead-letter reasons, BeskedId ledger, events)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'eik-receiver-fuzz-'));
  const said = [];
  const outcomes = {};
  let poison = 0;
  let m;
  try {
    const ledger = new Ledger(join(dir, 'ledger'));
    const sink = directoryDeadLetterSink(join(dir, 'dead'));
    let n = 0;
    const handler = async () => {
      if (n++ % 5 === 0) throw Object.assign(new Error('cannot book 0101604321 / 311260-9999', { cause: new Error('row 3112609999') }), { poison: true });
    };
    // The handler's own error comes back to the host as it was thrown (not the transport's text).
    const emit = (event, p) => said.push(`${event} ${p?.errorCode ?? ''} ${p?.errorText ?? ''} ${p?.error?.poison ? '(poison)' : p?.error ?? ''}`);
    const receiver = new BeskedReceiver({ ledger, handler, maxAttempts: 2, emit });
    const seeds = envelopeSeeds();
    m = await xmlMutator(1919, seeds, dir);
    const messages = MESSAGES;
    for (let i = 0; i < messages; i++) {
      // Every third message well-formed with a new BeskedId (some CPR-like), the sample or the damaged sample.
      const id = i % 9 === 0 ? `urn:uuid:0101604321-${i}` : `5d7c0f6e-3b1a-4c55-9d3e-${String(i).padStart(12, '0')}`;
      const input = i % 3 === 0 ? Buffer.from(envelope(id, wrapped(i % 2 === 0 ? sample : damaged))) : m.next();
      const form = input.toString('latin1').includes('ModtagBeskedInput') ? BodyForm.MODTAG_BESKED_INPUT : BodyForm.HAENDELSESBESKED;
      for (let attempt = 0; attempt < 2; attempt++) {
        const r = await receiver.receive(input, { form, messageId: `m-${i}`, redelivered: attempt > 0, sink });
        outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
        assert.equal(leak(r.text), null, `receipt with a leak: ${JSON.stringify(r)}; ${show(input)}`);
        if (r.outcome !== 'retry') break;
        poison++;
      }
    }
    assert.equal(m.connections(), 0);
    ledger.close();
    // Everything written but the bodies (dead/*.xml: the message as received, CPRs and all).
    const files = [];
    const walk = (d) => readdirSync(d).forEach((f) => (statSync(join(d, f)).isDirectory() ? walk(join(d, f)) : files.push(join(d, f))));
    walk(dir);
    const swept = files.filter((f) => !f.endsWith('.xml') && !f.endsWith('canary.txt'));
    for (const f of swept) assert.equal(leak(readFileSync(f, 'latin1')), null, `${f} holds a CPR:\n${readFileSync(f, 'latin1')}`);
    for (const s of said) assert.equal(leak(s), null, `an event says: ${s}`);
    const reasons = swept.filter((f) => f.endsWith('.error')).length;
    console.log(`xml-fuzz-node receiver: ${messages} messages ${JSON.stringify(outcomes)}, ${poison} poison retries, ${swept.length} files swept (${reasons} dead-letter reasons + ledger), ${said.length} events`);
    assert.ok(reasons > 10 && outcomes.handled > 10 && poison > 10, JSON.stringify(outcomes));
  } finally {
    await m?.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
