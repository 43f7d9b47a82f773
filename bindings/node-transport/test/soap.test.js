import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { execFile } from 'node:child_process';
import { writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  VedligeholdClient, BestilClient, NS, FejlSvarError, ServiceplatformFaultError, SoapTransportError, InvalidIdentifierError, isoDate,
} from '../src/soap.js';
import { StsClient, tokenSecurity } from '../src/sts.js';
import { startDouble, body, texts, CPR_A, CPR_B, SE, ADGANG, FULL } from './double.js';


let sp;
let sts;
before(async () => {
  sp = await startDouble();
  sts = new StsClient({ url: sp.ready.sts.url, cvr: sp.ready.cvr, ...sp.certificate('client'), tls: { ca: sp.ca } });
});
after(async () => { await sp?.stop(); });
beforeEach(async () => { await sp.reset(); });

const endpoint = (service, extra = {}) => ({
  url: sp.url(service), soapAction: sp.soapAction(service), tls: sp.tls('client'),
  security: tokenSecurity({ tokens: sts, entityId: sp.entityId(service), serviceCertificate: sp.sp }), ...extra,
});
const vedligehold = (ctx = FULL) => new VedligeholdClient(endpoint('vedligehold'), ctx, ADGANG);
const bestil = () => new BestilClient(endpoint('bestil'), { municipalityCvr: '29189846' }, ADGANG);

/** The double accepted every service request, without warnings from the reconstructed wrapper schema. */
async function accepted(n) {
  const rs = await sp.serviceRequests();
  assert.equal(rs.length, n);
  for (const r of rs) {
    assert.equal(r.accepted, true, `refused: ${r.refusal}`);
    assert.deepEqual(r.warnings, []);
  }
  return rs;
}

test('start subscribes every CPR; the request passes the schemas; the transaction is echoed', async () => {
  const svar = await vedligehold().start(SE, '2025-02-01', [CPR_A, CPR_B]);
  const [r] = await accepted(1);
  assert.equal(svar.transaktionsId, r.transaktionsId);
  assert.deepEqual(svar.advis, []);
  assert.deepEqual(await sp.subscriptions(SE), [CPR_A, CPR_B]);
  const d = body(r);
  assert.deepEqual(texts(d, NS.xkom2006, 'StartDate'), ['2025-02-01']);
  assert.deepEqual(texts(d, NS.abonnementtype, 'AbonnementTypeKode'), ['3154']);
  assert.deepEqual(texts(d, NS.abonnentadgangomfangtype, 'AbonnentAdgangOmfangTypeTekst'), ['Fuld']);
  assert.deepEqual(texts(d, NS.kontekst, 'MunicipalityCVR'), ['29189846']);
  assert.deepEqual(texts(d, NS.cpr, 'PersonCivilRegistrationIdentifier'), [CPR_A, CPR_B]);
});

test('repeated start gives an Advis; stop removes', async () => {
  const c = vedligehold({ municipalityCvr: '29189846' });
  await c.start(SE, '2025-02-01', [CPR_A, CPR_B]);
  const again = await c.start(SE, '2025-02-01', [CPR_A]);
  assert.deepEqual(again.advis, [{ art: 'ADVIS', id: '210', tekst: 'Person er allerede tilmeldt abonnementet', kildeId: 'SKAT' }]);
  await c.stop(SE, '2025-03-31', [CPR_B]);
  assert.deepEqual(await sp.subscriptions(SE), [CPR_A]);
  const rs = await accepted(3);
  assert.deepEqual(texts(body(rs[2]), NS.xkom2007, 'EndDate'), ['2025-03-31']);
});

test('an SE-nr outside the data delimitation is a Fejl', async () => {
  const e = await vedligehold().start('87654321', '2025-02-01', [CPR_A]).catch((x) => x);
  assert.ok(e instanceof FejlSvarError, String(e));
  assert.deepEqual(e.fejl, [{ art: 'FEJL', id: '4100', tekst: 'SE-nr er ikke omfattet af dataafgrænsningen', kildeId: 'Serviceplatformen' }]);
  assert.equal(e.transaktionsId, (await accepted(1))[0].transaktionsId);
});

test('a platform fault is typed and its message masks CPR-like text', async () => {
  await sp.post(`/fault?code=SP-1001&text=${encodeURIComponent(`Ugyldigt token for ${CPR_A}`)}`);
  const e = await vedligehold().start(SE, '2025-02-01', [CPR_A]).catch((x) => x);
  assert.ok(e instanceof ServiceplatformFaultError, String(e));
  assert.equal(e.httpStatus, 500);
  assert.equal(e.faultCode, 'soap:Server');
  assert.deepEqual(e.errors, [{ errorCode: 'SP-1001', errorText: `Ugyldigt token for ${CPR_A}` }]);
  assert.ok(!e.message.includes(CPR_A), e.message);
  assert.deepEqual(await sp.subscriptions(SE), []);
});

test('identifiers are checked by the engine and CPRs against SKAT\'s type before anything is sent', async () => {
  const c = vedligehold();
  await assert.rejects(c.start(SE, '2025-02-01', [CPR_A, '71128X4321']),
    (e) => e instanceof InvalidIdentifierError && e.message === 'CPR #2 rejected by the engine: not_digit');
  await assert.rejects(c.start('1234567 ', '2025-02-01', [CPR_A]),
    (e) => e instanceof InvalidIdentifierError && e.message === 'SE-nr #1 rejected by the engine: not_digit');
  await assert.rejects(c.stop(SE, '2025-02-01', ['010157512']), (e) => e.code === 'wrong_length');
  // DDMM must be a date: day + 60, 30 February, 31 April, month 13 are not.
  for (const bad of ['6101901234', '3002575123', '3104575123', '0113575123']) {
    await assert.rejects(c.start(SE, '2025-02-01', [CPR_A, bad]),
      (e) => e.code === 'not_a_date' && e.message === "CPR #2 rejected by SKAT's PersonCivilRegistrationIdentifierType: not_a_date", bad);
  }
  // SKAT's type also allows 0000000000 ("required but unknown"); the engine does not: no person to subscribe.
  await assert.rejects(c.start(SE, '2025-02-01', ['0000000000']), (e) => e.message === 'CPR #1 rejected by the engine: no_identity');
  await assert.rejects(bestil().bestil({ abonnentSeNr: SE, indberetterSeNr: ['5555555A'], fra: '202501' }),
    (e) => e.message === 'SE-nr #2 rejected by the engine: not_digit');
  assert.deepEqual(await sp.requests(), []);
  await c.start(SE, '2025-02-01', ['2902575123']); // 29 February, any year, as in SKAT's pattern
  await accepted(1);
});

test('an order returns the order id and puts each CPR where SKAT\'s schema wants it', async () => {
  const svar = await bestil().bestil({ abonnentSeNr: SE, medarbejderId: 'sb-77', indberetterSeNr: ['11111111', '22222222'], fra: '202501', til: '202503', cprs: [CPR_A, CPR_B] });
  const [r] = await accepted(1);
  assert.deepEqual(await sp.orders(), [svar.bestillingId]);
  const d = body(r);
  assert.deepEqual(texts(d, NS.virksomhed, 'VirksomhedSENummerIdentifikator'), ['12345678', '11111111', '22222222']);
  assert.deepEqual(texts(d, NS.soegetil, 'SoegeAarMaanedTilKode'), ['202503', '202503']);
  const cprs = Array.from(d.getElementsByTagNameNS(NS.cpr, 'PersonCivilRegistrationIdentifier'));
  assert.equal(cprs.length, 4);
  for (const e of cprs) {
    assert.deepEqual([e.parentNode.localName, e.parentNode.parentNode.localName, e.parentNode.parentNode.parentNode.localName],
      ['Person', 'PersonVirksomhedValg', 'IndkomstPersonVirksomhedStruktur']);
  }
});

test('AbonnentAdgangOmfangTypeTekst is mandatory', () => {
  for (const omfangTekst of [undefined, null, ' ']) {
    assert.throws(() => new VedligeholdClient(endpoint('vedligehold'), FULL, { ...ADGANG, omfangTekst }),
      (e) => e instanceof TypeError && e.message === 'adgang.omfangTekst (AbonnentAdgangOmfangTypeTekst) is mandatory');
  }
});

test('a Date goes out as its Danish day; date strings are checked', async () => {
  assert.equal(isoDate(new Date('2025-01-31T23:30:00Z')), '2025-02-01'); // 00:30 in Copenhagen (CET)
  assert.equal(isoDate(new Date('2025-06-30T22:30:00Z')), '2025-07-01'); // 00:30 in Copenhagen (CEST)
  assert.equal(isoDate(new Date('2025-02-01T22:59:59Z')), '2025-02-01');
  for (const bad of ['2025-02-30', '2025-2-1', '01-02-2025', '2025-02-01T00:00', new Date(Number.NaN)]) {
    assert.throws(() => isoDate(bad), TypeError, String(bad));
  }
  await assert.rejects(vedligehold().start(SE, '2025-02-30', [CPR_A]), TypeError);
  await vedligehold().start(SE, new Date('2025-01-31T23:30:00Z'), [CPR_A]);
  assert.deepEqual(texts(body((await accepted(1))[0]), NS.xkom2006, 'StartDate'), ['2025-02-01']);
});

test('a non-SOAP error and an unreachable server are transport errors', async () => {
  await sp.post('/raw?status=502');
  await assert.rejects(vedligehold().start(SE, '2025-02-01', [CPR_A]),
    (e) => e instanceof SoapTransportError && e.message.startsWith('HTTP 502 with no usable SOAP envelope'));
  const port = await new Promise((r) => { const s = createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => r(p)); }); });
  await assert.rejects(new VedligeholdClient(endpoint('vedligehold', { url: `https://127.0.0.1:${port}/x`, timeoutMs: 2000 }), FULL, ADGANG)
    .start(SE, '2025-02-01', [CPR_A]), (e) => e instanceof SoapTransportError && e.message.endsWith('failed: ECONNREFUSED'));
});

test('the subscribe example runs with an environment file', async () => {
  const file = join(sp.certs, 'exttest.json');
  writeFileSync(file, JSON.stringify({
    keyFile: join(sp.certs, 'client.key'), certFile: join(sp.certs, 'client.crt'), caFile: join(sp.certs, 'ca.crt'), cvr: sp.ready.cvr,
    stsUrl: sp.ready.sts.url,
    vedligehold: { url: sp.url('vedligehold'), soapAction: sp.soapAction('vedligehold'), entityId: sp.entityId('vedligehold') },
    serviceplatformenCertificateFile: join(sp.certs, 'sp.crt'), adgang: ADGANG,
  }));
  try {
    const out = await new Promise((resolve, reject) => execFile(process.execPath, [new URL('../examples/subscribe.js', import.meta.url).pathname, file, SE, CPR_A],
      (err, stdout, stderr) => (err ? reject(new Error(stderr)) : resolve(stdout))));
    const [r] = await accepted(1);
    assert.equal(out, `subscribed, TransaktionsId ${r.transaktionsId}, 0 advis\n`);
    assert.deepEqual(await sp.subscriptions(SE), [CPR_A]);
  } finally {
    rmSync(file);
  }
});
