// WS-Security end to end against the transport double: what a signed request holds, and every refusal the
// double must make (changed body, no timestamp, expired token, token for another service, unknown
// certificate, schema-invalid body) and the client must make (answer changed, signed by another key, unsigned).
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { VedligeholdClient, BestilClient, ServiceplatformFaultError, SoapTransportError, SoapSecurityError } from '../src/soap.js';
import { StsClient, StsError, tokenSecurity } from '../src/sts.js';
import { WSS } from '../src/wssec.js';
import { startDouble, body, CPR_A, CPR_B, SE, ADGANG, FULL } from './double.js';

let sp;
let sts;
before(async () => {
  sp = await startDouble();
  sts = new StsClient({ url: sp.ready.sts.url, cvr: sp.ready.cvr, ...sp.certificate('client'), tls: { ca: sp.ca } });
});
after(async () => { await sp?.stop(); });
beforeEach(async () => { await sp.reset(); });

/** A Vedligehold client with tokenSecurity over `tokens`, `before`/`after` applied around signing. */
function client({ tokens = sts, tls = sp.tls('client'), before: pre = (s) => s, after: post = (s) => s } = {}) {
  const real = tokenSecurity({ tokens, entityId: sp.entityId('vedligehold'), serviceCertificate: sp.sp });
  const security = { secure: async (env) => post(await real.secure(pre(env))), verifyAnswer: real.verifyAnswer };
  return new VedligeholdClient({ url: sp.url('vedligehold'), soapAction: sp.soapAction('vedligehold'), tls, security }, FULL, ADGANG);
}
const source = (token, holder) => ({ token: async () => token, certificate: holder });

/** Starts a subscription, expects the double's refusal of `category`, resolves its reason. */
async function refused(c, category) {
  const e = await c.start(SE, '2025-02-01', [CPR_A]).catch((x) => x);
  assert.ok(e instanceof ServiceplatformFaultError, String(e));
  assert.equal(e.errors[0].errorCode, `DOUBLE-${category.toUpperCase()}`);
  const rs = await sp.serviceRequests();
  assert.equal(rs.length, 1);
  assert.equal(rs[0].accepted, false);
  assert.equal(rs[0].category, category);
  assert.deepEqual(await sp.subscriptions(SE), []);
  return rs[0].refusal;
}

test('a signed request holds timestamp, token and one signature over every part', async () => {
  await client().start(SE, '2025-02-01', [CPR_A]);
  const [r] = await sp.serviceRequests();
  assert.equal(r.accepted, true, r.refusal);
  const d = body(r);
  const security = d.getElementsByTagNameNS(WSS.wsse, 'Security')[0];
  const children = Array.from(security.childNodes).filter((n) => n.nodeType === 1);
  assert.deepEqual(children.map((n) => n.localName), ['Timestamp', 'Assertion', 'SecurityTokenReference', 'Signature']);
  assert.equal(children[1].getAttribute('ID'), r.tokenId);
  const byId = new Map(Array.from(d.getElementsByTagName('*')).filter((e) => e.hasAttributeNS(WSS.wsu, 'Id')).map((e) => [e.getAttributeNS(WSS.wsu, 'Id'), e]));
  const refs = Array.from(children[3].getElementsByTagNameNS(WSS.ds, 'Reference'));
  assert.deepEqual(refs.map((ref) => byId.get(ref.getAttribute('URI').slice(1)).localName),
    ['Timestamp', 'Body', 'Action', 'MessageID', 'To', 'Framework', 'SecurityTokenReference']);
  const transforms = refs.map((ref) => ref.getElementsByTagNameNS(WSS.ds, 'Transform')[0].getAttribute('Algorithm'));
  assert.deepEqual(transforms, [...Array(6).fill('http://www.w3.org/2001/10/xml-exc-c14n#'),
    'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#STR-Transform']);
});

test('the double refuses a changed body', async () => {
  const reason = await refused(client({ after: (s) => s.replace(CPR_A, '0101575124') }), 'security');
  assert.match(reason, /^signed content was changed: the digest of #\S+ \(soap:Body\) does not match$/);
});

test('the double refuses a request without timestamp', async () => {
  const reason = await refused(client({ after: (s) => s.replace(/<wsu:Timestamp .*?<\/wsu:Timestamp>/, '') }), 'security');
  assert.equal(reason, 'missing wsu:Timestamp in wsse:Security');
});

test('the double refuses an expired token', async () => {
  await sp.post('/token-lifetime?seconds=1');
  const shortLived = new StsClient({ url: sp.ready.sts.url, cvr: sp.ready.cvr, ...sp.certificate('client'), tls: { ca: sp.ca }, renewBeforeMs: 0 });
  const token = await shortLived.token(sp.entityId('vedligehold'));
  await new Promise((r) => setTimeout(r, token.notOnOrAfter.getTime() - Date.now() + 200));
  const reason = await refused(client({ tokens: source(token, sp.certificate('client')) }), 'security');
  assert.equal(reason, `token expired at ${token.notOnOrAfter.toISOString()}`);
});

test('the double refuses a token for another service', async () => {
  const forBestil = await sts.token(sp.entityId('bestil'));
  const reason = await refused(client({ tokens: source(forBestil, sp.certificate('client')) }), 'security');
  assert.equal(reason, `token audience ${sp.entityId('bestil')} is not this service (${sp.entityId('vedligehold')})`);
});

test('unknown certificates are refused at the STS, the service and TLS', async () => {
  const stranger = sp.certificate('stranger');
  const strangerSts = new StsClient({ url: sp.ready.sts.url, cvr: sp.ready.cvr, ...stranger, tls: { ca: sp.ca } });
  await assert.rejects(strangerSts.token(sp.entityId('vedligehold')),
    (e) => e instanceof StsError && e.message.startsWith('STS refused the token request (HTTP 500): unknown certificate: certificate '));
  const token = await sts.token(sp.entityId('vedligehold'));
  const reason = await refused(client({ tokens: source(token, stranger) }), 'security');
  assert.equal(reason, "the signature does not verify with the token's holder-of-key certificate");
  await sp.reset();
  await assert.rejects(client({ tls: sp.tls('stranger') }).start(SE, '2025-02-01', [CPR_A]), (e) => e instanceof SoapTransportError);
  assert.deepEqual(await sp.serviceRequests(), []);
});

test('the double refuses bodies against SKAT\'s schema', async () => {
  const missing = await refused(client({
    before: (s) => s.replace('<abonnentadgangomfangtype:AbonnentAdgangOmfangTypeTekst>Fuld</abonnentadgangomfangtype:AbonnentAdgangOmfangTypeTekst>', ''),
  }), 'schema');
  assert.ok(missing.startsWith('SKAT schema IndkomstOplysningPersonAbonnementAjourfoer_I.xsd: cvc-complex-type.2.4.a:'), missing);
  assert.ok(missing.includes('AbonnentAdgangOmfangTypeTekst'), missing);

  await sp.reset();
  // The CPR straight under IndkomstPersonVirksomhedStruktur: the tree the adapters sent before.
  const real = tokenSecurity({ tokens: sts, entityId: sp.entityId('bestil'), serviceCertificate: sp.sp });
  const oldTree = {
    secure: (env) => real.secure(env.replaceAll('<fase2:PersonVirksomhedValg><fase2:Person>', '').replaceAll('</fase2:Person></fase2:PersonVirksomhedValg>', '')),
    verifyAnswer: real.verifyAnswer,
  };
  const b = new BestilClient({ url: sp.url('bestil'), soapAction: sp.soapAction('bestil'), tls: sp.tls('client'), security: oldTree },
    { municipalityCvr: '29189846' }, ADGANG);
  const e = await b.bestil({ abonnentSeNr: SE, indberetterSeNr: ['11111111'], fra: '202501', cprs: [CPR_A] }).catch((x) => x);
  assert.ok(e instanceof ServiceplatformFaultError, String(e));
  const reason = e.errors[0].errorText;
  assert.ok(reason.startsWith('SKAT schema IndkomstOplysningVirksomhedAbonnentBestil_I_I.xsd: cvc-complex-type.2.4.a:'), reason);
  assert.ok(reason.includes('PersonCivilRegistrationIdentifier') && reason.includes('PersonVirksomhedValg'), reason);
  assert.ok(!reason.includes(CPR_A), reason);
});

test('the client refuses answers not signed by the service', async () => {
  const c = client();
  for (const [mode, message] of [
    ['tampered', 'answer refused: answer was changed after it was signed (a digest does not match)'],
    ['wrong-key', 'answer refused: answer signature does not verify with the service certificate'],
    ['unsigned', 'answer refused: answer is not signed']]) {
    await sp.post(`/answer?mode=${mode}`);
    await assert.rejects(c.start(SE, '2025-02-01', [CPR_A]), (e) => e instanceof SoapSecurityError && e.message === message, mode);
  }
  assert.equal((await sp.serviceRequests()).length, 3);
  assert.ok((await c.start(SE, '2025-02-01', [CPR_B])).transaktionsId);
});
