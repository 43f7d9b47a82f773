// As against Beskedfordeler: AMQP over TLS 1.2 with the client certificate and
// SASL EXTERNAL (the broker takes the identity from the certificate's CN),
// vhost BF, a receiver that may only read its dueslag (no declare, no publish),
// so bad messages go to a local dead-letter sink. The broker's certificate
// names only "localhost": a client that checks it against 127.0.0.1 is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import { BeskedfordelerConsumer } from '../src/amqp.js';
import { Ledger } from '../src/ledger.js';
import { startRabbit, makeCerts } from './servers.js';
import { sample, sampleTypes, envelope } from './messages.js';

const ASSERTION = '<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_test"/>';
const until = async (what, done) => {
  const deadline = Date.now() + 60000;
  while (!done()) { if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`); await new Promise((r) => setTimeout(r, 50)); }
};

test('consumes over TLS with the client certificate and EXTERNAL; a stranger and a wrong host name are refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'eik-node-tls-'));
  const certs = makeCerts(dir, 'eik-bf-receiver', 'DNS:localhost');
  const broker = await startRabbit({ tls: certs });
  const ledger = new Ledger(join(dir, 'ledger'));
  try {
    broker.ctl('add_vhost', 'BF');
    broker.ctl('set_permissions', '-p', 'BF', 'guest', '.*', '.*', '.*');
    broker.ctl('add_user', 'eik-bf-receiver', randomUUID());
    broker.ctl('set_permissions', '-p', 'BF', 'eik-bf-receiver', '^$', '^$', '^dueslag-.*$');
    const q = `dueslag-${randomUUID()}`;
    const admin = await amqp.connect(`amqp://guest:guest@127.0.0.1:${broker.port}/BF`);
    const ch = await admin.createConfirmChannel();
    await ch.assertQueue(q, { durable: true });
    for (const body of [envelope('t-1', sample.toString('base64')), 'not xml']) ch.sendToQueue(q, Buffer.from(body), { messageId: randomUUID(), persistent: true });
    await ch.waitForConfirms();

    const url = `amqps://127.0.0.1:${broker.tlsPort}/BF`;
    const config = (tls, extra = {}) => ({ url, queue: q, ledger, reconnectDelayMs: 200, deadLetterSink: async () => {},
      externalToken: () => Buffer.from(ASSERTION, 'utf8'), socketOptions: { ...tls, ca: certs.ca, servername: 'localhost', ...extra } });
    const refusal = async (cfg) => {
      const errors = [];
      const c = new BeskedfordelerConsumer(cfg, async () => { throw new Error('handled'); });
      c.on('disconnected', (e) => errors.push(e));
      c.start();
      await until('a refusal', () => errors.length > 0);
      await c.close();
      return errors[0];
    };
    // A certificate the broker's CA did not issue is refused in the handshake.
    const stranger = await refusal(config(certs.stranger));
    assert.ok(stranger instanceof Error);
    // The right certificate, but the host name checked (127.0.0.1) is not in the broker's certificate.
    const wrongHost = await refusal(config(certs.client, { servername: undefined }));
    assert.equal(wrongHost.code, 'ERR_TLS_CERT_ALTNAME_INVALID', String(wrongHost));

    const handled = [];
    const dead = [];
    let tokens = 0;
    // An async token source, as StsClient.amqpToken: the consumer awaits it before the connect.
    const token = async () => { tokens++; await new Promise((r) => setImmediate(r)); return Buffer.from(ASSERTION, 'utf8'); };
    const c = new BeskedfordelerConsumer({ ...config(certs.client), externalToken: token,
      deadLetterSink: async (l) => { dead.push(l); } }, async (b) => { handled.push(b); });
    c.on('disconnected', () => {});
    c.start();
    await until('1 handled, 1 dead', () => handled.length === 1 && dead.length === 1);
    const connections = broker.ctl('list_connections', 'user', 'auth_mechanism', 'ssl', 'vhost');
    await c.close();
    assert.deepEqual(handled[0].records.map((r) => r.record), sampleTypes);
    assert.equal(dead[0].errorCode, 'bad_envelope');
    assert.equal(tokens, 1);
    assert.ok(connections.split('\n').some((l) => /^eik-bf-receiver\s+EXTERNAL\s+true\s+BF$/.test(l)), connections);
    assert.equal((await ch.checkQueue(q)).messageCount, 0);
    await admin.close();
  } finally {
    ledger.close();
    await broker.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});
