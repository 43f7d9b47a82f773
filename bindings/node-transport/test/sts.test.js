// The STS client against the double's STS: token content, cache and renewal, refusals, the AMQP token.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { StsClient, StsError } from '../src/sts.js';
import { BeskedfordelerConsumer } from '../src/amqp.js';
import { WSS, parseXml } from '../src/wssec.js';
import { startDouble, body } from './double.js';

let sp;
before(async () => { sp = await startDouble(); });
after(async () => { await sp?.stop(); });
beforeEach(async () => { await sp.reset(); });

const client = (extra = {}) => new StsClient({ url: sp.ready.sts.url, cvr: sp.ready.cvr, ...sp.certificate('client'), tls: { ca: sp.ca }, ...extra });

test('issues a holder-of-key token with the CVR for the entity id', async () => {
  const t = await client().token(sp.entityId('vedligehold'));
  assert.equal(t.audience, sp.entityId('vedligehold'));
  const a = parseXml(t.xml).documentElement;
  assert.equal(a.localName, 'Assertion');
  assert.equal(a.getAttribute('ID'), t.id);
  const hok = a.getElementsByTagNameNS(WSS.saml, 'SubjectConfirmation')[0];
  assert.equal(hok.getAttribute('Method'), 'urn:oasis:names:tc:SAML:2.0:cm:holder-of-key');
  const der = Buffer.from(hok.getElementsByTagNameNS(WSS.ds, 'X509Certificate')[0].textContent.replace(/\s+/g, ''), 'base64');
  assert.deepEqual(der, new X509Certificate(sp.certificate('client').cert).raw);
  assert.equal(a.getElementsByTagNameNS(WSS.saml, 'AttributeValue')[0].textContent, '29189846');
  const notBefore = Date.parse(a.getElementsByTagNameNS(WSS.saml, 'Conditions')[0].getAttribute('NotBefore'));
  assert.equal(t.notOnOrAfter.getTime() - notBefore, 8 * 3600 * 1000);
  const [r] = await sp.requests();
  assert.deepEqual([r.endpoint, r.accepted, r.appliesTo], ['sts', true, sp.entityId('vedligehold')]);
  assert.equal(body(r).documentElement.namespaceURI, WSS.soap12);
});

test('caches per entity id and renews before expiry', async () => {
  let now = Date.now();
  const sts = client({ now: () => now });
  const first = await sts.token(sp.entityId('vedligehold'));
  assert.equal(await sts.token(sp.entityId('vedligehold')), first);
  const other = await sts.token(sp.entityId('bestil'));
  assert.notEqual(other.id, first.id);
  assert.equal((await sp.tokens()).length, 2);
  now = first.notOnOrAfter.getTime() - 300000 - 1000;
  assert.equal(await sts.token(sp.entityId('vedligehold')), first);
  now = first.notOnOrAfter.getTime() - 300000;
  const renewed = await sts.token(sp.entityId('vedligehold'));
  assert.notEqual(renewed.id, first.id);
  assert.equal((await sp.tokens()).length, 3);
  // Two callers at once share one request.
  now += 8 * 3600 * 1000;
  const [x, y] = await Promise.all([sts.token(sp.entityId('bestil')), sts.token(sp.entityId('bestil'))]);
  assert.equal(x, y);
  assert.equal((await sp.tokens()).length, 4);
});

test('STS refusals are typed', async () => {
  await assert.rejects(client().token('urn:not:a:service'),
    (e) => e instanceof StsError && e.message === 'STS refused the token request (HTTP 500): unknown entity id urn:not:a:service');
  await assert.rejects(client({ cvr: '11111111' }).token(sp.entityId('bestil')),
    (e) => e.message === 'STS refused the token request (HTTP 500): CVR claim 11111111 is not the CVR of the certificate');
  assert.throws(() => client({ cvr: '2918984' }), TypeError);
  assert.deepEqual((await sp.requests()).map((r) => r.accepted), [false, false]);
});

test('the AMQP token is the assertion XML for Beskedfordeler', async () => {
  const sts = client();
  const token = sts.amqpToken(sp.ready.amqpEntityId);
  const first = await token();
  const a = parseXml(first.toString('utf8')).documentElement;
  assert.equal(a.getElementsByTagNameNS(WSS.saml, 'Audience')[0].textContent, sp.ready.amqpEntityId);
  assert.deepEqual(await token(), first);
  assert.equal((await sp.tokens()).length, 1);
  // The consumer takes it as `externalToken` (awaited before each connect).
  assert.ok(new BeskedfordelerConsumer({ url: 'amqps://127.0.0.1:5671/BF', queue: 'dueslag', externalToken: token, deadLetterSink: async () => {} }, async () => {}));
  await assert.rejects(sts.amqpToken('urn:not:a:service')(), StsError);
});
