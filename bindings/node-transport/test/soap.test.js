import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import {
  VedligeholdClient, BestilClient, NS, FejlSvarError, ServiceplatformFaultError, SoapTransportError, InvalidIdentifierError,
} from '../src/soap.js';
import { startSoapDouble, VEDLIGEHOLD_PATH, BESTIL_PATH, VEDLIGEHOLD_ACTION, BESTIL_ACTION, all, textOf } from './soap-double.js';

// Synthetic CPR numbers (day + 60) and SE-numbers.
const CPR_A = '6101901234';
const CPR_B = '7112854321';
const SE = '12345678';
const ADGANG = { abonnentTypeKode: '0784', abonnementTypeKode: '3154', adgangFormaalTypeKode: '272', omfangTekst: 'Fuld' };
const FULL = { onBehalfOfUser: 'sagsbehandler-7', callersServiceCallIdentifier: 'call-42', accountingInfo: 'konto 1', municipalityCvr: '29189846' };

let sp;
beforeEach(async () => { if (sp) await sp.close(); sp = await startSoapDouble([SE]); });
after(async () => { if (sp) await sp.close(); });

const vedligehold = (ctx = FULL) => new VedligeholdClient({ url: sp.url(VEDLIGEHOLD_PATH), soapAction: VEDLIGEHOLD_ACTION }, ctx, ADGANG);
const bestil = () => new BestilClient({ url: sp.url(BESTIL_PATH), soapAction: BESTIL_ACTION }, { municipalityCvr: '29189846' }, ADGANG);

test('start subscribes every CPR; the envelope has the spec tree; the transaction is echoed', async () => {
  sp.expectShape('vedligehold-start.shape');
  const svar = await vedligehold().start(SE, '2025-02-01', [CPR_A, CPR_B]);
  assert.deepEqual(sp.problems, []);
  assert.equal(sp.requests.length, 1);
  assert.equal(svar.transaktionsId, sp.requests[0].transaktionsId);
  assert.deepEqual(svar.advis, []);
  assert.deepEqual([...sp.subscriptions.get(SE)], [CPR_A, CPR_B]);
  const root = sp.requests[0].root;
  assert.equal(textOf(all(root, NS.xkom2006, 'StartDate')[0]), '2025-02-01');
  assert.equal(textOf(all(root, NS.abonnementtype, 'AbonnementTypeKode')[0]), '3154');
  assert.equal(textOf(all(root, NS.kontekst, 'MunicipalityCVR')[0]), '29189846');
});

test('repeated start gives an Advis; stop removes', async () => {
  const c = vedligehold({ municipalityCvr: '29189846' });
  await c.start(SE, '2025-02-01', [CPR_A, CPR_B]);
  const again = await c.start(SE, '2025-02-01', [CPR_A]);
  assert.deepEqual(again.advis, [{ art: 'ADVIS', id: '210', tekst: 'Person er allerede tilmeldt abonnementet', kildeId: 'SKAT' }]);
  sp.expectShape('vedligehold-stop.shape');
  await c.stop(SE, '2025-03-31', [CPR_B]);
  assert.deepEqual(sp.problems, []);
  assert.deepEqual([...sp.subscriptions.get(SE)], [CPR_A]);
});

test('an SE-nr outside the data delimitation is a Fejl', async () => {
  const e = await vedligehold().start('87654321', '2025-02-01', [CPR_A]).catch((x) => x);
  assert.ok(e instanceof FejlSvarError, String(e));
  assert.deepEqual(e.fejl, [{ art: 'FEJL', id: '4100', tekst: 'SE-nr er ikke omfattet af dataafgrænsningen', kildeId: 'Serviceplatformen' }]);
  assert.equal(e.transaktionsId, sp.requests[0].transaktionsId);
});

test('a platform fault is typed and its message masks CPR-like text', async () => {
  sp.nextFault = ['SP-1001', `Ugyldigt token for ${CPR_A}`];
  const e = await vedligehold().start(SE, '2025-02-01', [CPR_A]).catch((x) => x);
  assert.ok(e instanceof ServiceplatformFaultError, String(e));
  assert.equal(e.httpStatus, 500);
  assert.equal(e.faultCode, 'soap:Server');
  assert.deepEqual(e.errors, [{ errorCode: 'SP-1001', errorText: `Ugyldigt token for ${CPR_A}` }]);
  assert.ok(!e.message.includes(CPR_A), e.message);
});

test('the engine rejects bad identifiers before anything is sent', async () => {
  const c = vedligehold();
  await assert.rejects(c.start(SE, '2025-02-01', [CPR_A, '71128X4321']),
    (e) => e instanceof InvalidIdentifierError && e.message === 'CPR #2 rejected by the engine: not_digit');
  await assert.rejects(c.start('1234567 ', '2025-02-01', [CPR_A]),
    (e) => e instanceof InvalidIdentifierError && e.message === 'SE-nr #1 rejected by the engine: not_digit');
  await assert.rejects(c.stop(SE, '2025-02-01', ['610190123']), (e) => e.code === 'wrong_length');
  await assert.rejects(bestil().bestil({ abonnentSeNr: SE, indberetterSeNr: ['5555555A'], fra: '202501' }),
    (e) => e.message === 'SE-nr #2 rejected by the engine: not_digit');
  assert.equal(sp.requests.length, 0);
});

test('an order returns the order id', async () => {
  sp.expectShape('bestil.shape');
  const svar = await bestil().bestil({ abonnentSeNr: SE, medarbejderId: 'sb-77', indberetterSeNr: ['11111111', '22222222'], fra: '202501', til: '202503', cprs: [CPR_A] });
  assert.deepEqual(sp.problems, []);
  assert.deepEqual(sp.issuedOrders, [svar.bestillingId]);
  const root = sp.requests[0].root;
  assert.deepEqual(all(root, NS.virksomhed, 'VirksomhedSENummerIdentifikator').map(textOf), ['12345678', '11111111', '22222222']);
  assert.deepEqual(all(root, NS.soegetil, 'SoegeAarMaanedTilKode').map(textOf), ['202503', '202503']);
});

test('a non-SOAP error and an unreachable server are transport errors', async () => {
  sp.nextRawStatus = 502;
  await assert.rejects(vedligehold().start(SE, '2025-02-01', [CPR_A]),
    (e) => e instanceof SoapTransportError && e.message.startsWith('HTTP 502 with no usable SOAP envelope'));
  const url = sp.url(VEDLIGEHOLD_PATH);
  await sp.close();
  sp = null;
  await assert.rejects(new VedligeholdClient({ url, soapAction: VEDLIGEHOLD_ACTION, timeoutMs: 2000 }, FULL, ADGANG).start(SE, '2025-02-01', [CPR_A]),
    (e) => e instanceof SoapTransportError);
});
