import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import { BeskedfordelerConsumer } from '../src/amqp.js';
import { startRabbit } from './servers.js';

const sample = readFileSync(new URL('../../../testdata/sample.txt', import.meta.url));
const sampleTypes = sample.toString('latin1').trimEnd().split('\n').map((l) => l.slice(7, 11));
const damaged = Buffer.from(sample.toString('latin1').replace('0000032500000000+', '00000325X0000000+'), 'latin1');
const wrapped = (b) => b.toString('base64').replace(/(.{76})/g, '$1\n');

let broker;
before(async () => { broker = await startRabbit(); });
after(async () => { await broker?.destroy(); });

const envelope = (beskedId, base64) => '<?xml version="1.0" encoding="UTF-8"?>\n'
  + '<Haendelsesbesked xmlns="urn:oio:besked:kuvert:1.0" xmlns:sd="urn:oio:sagdok:3.0.0">'
  + `<BeskedId><sd:UUIDIdentifikator>${beskedId}</sd:UUIDIdentifikator></BeskedId><BeskedVersion>1.0</BeskedVersion>`
  + `<Beskedkuvert><Filtreringsdata><Beskedtype><sd:UUIDIdentifikator>8c3a3f3e-0b0e-4a77-9d6f-2f0a6d1c4e11</sd:UUIDIdentifikator></Beskedtype></Filtreringsdata>`
  + `<Leveranceinformation><TransaktionsId><sd:UUIDIdentifikator>${randomUUID()}</sd:UUIDIdentifikator></TransaktionsId></Leveranceinformation></Beskedkuvert>`
  + (base64 == null ? '' : `<Beskeddata><Base64 encoding="ISO-8859-1" content-type="text/plain">${base64}</Base64></Beskeddata>`)
  + '</Haendelsesbesked>';

async function admin(fn) {
  const c = await amqp.connect(broker.url);
  try { const ch = await c.createConfirmChannel(); return await fn(ch); } finally { await c.close(); }
}
async function queue() {
  const q = `dueslag-${randomUUID()}`;
  await admin(async (ch) => { await ch.assertQueue(q, { durable: true }); await ch.assertQueue(`${q}.dead`, { durable: true }); });
  return q;
}
const publish = (q, bodies) => admin(async (ch) => {
  const ids = bodies.map(() => randomUUID());
  bodies.forEach((b, i) => ch.sendToQueue(q, Buffer.from(b, 'utf8'), { messageId: ids[i], persistent: true }));
  await ch.waitForConfirms();
  return ids;
});
const drain = (q) => admin(async (ch) => { const out = []; for (let m; (m = await ch.get(q, { noAck: true })); ) out.push(m); return out; });
const depth = (q) => admin(async (ch) => (await ch.checkQueue(q)).messageCount);
async function until(what, done) {
  const deadline = Date.now() + 60000;
  while (!done()) { if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`); await new Promise((r) => setTimeout(r, 50)); }
}

function consumer(q, handler) {
  const seen = { handled: [], dead: [], duplicates: [], failures: [], connects: 0 };
  const c = new BeskedfordelerConsumer({ url: broker.url, queue: q, deadLetterQueue: `${q}.dead`, reconnectDelayMs: 300, handlerRetryDelayMs: 100 },
    handler ?? (async (b) => { seen.handled.push(b); }));
  c.on('connected', () => { seen.connects++; });
  c.on('duplicate', (d) => seen.duplicates.push(d.messageId + (d.redelivered ? ' redelivered' : '')));
  c.on('deadLettered', (l) => seen.dead.push(l));
  c.on('handlerFailed', (f) => seen.failures.push(`${f.messageId}: ${f.error.message}`));
  c.on('disconnected', () => {});
  return { c, seen };
}

test('normal flow: records handed over, acked after the handler', async () => {
  const q = await queue();
  const ids = await publish(q, [envelope('b-1', wrapped(sample)), envelope('b-2', wrapped(sample)), envelope('b-3', sample.toString('base64'))]);
  const { c, seen } = consumer(q);
  c.start();
  await until('3 handled', () => seen.handled.length === 3);
  await c.close();
  assert.deepEqual(seen.handled.map((b) => b.messageId), ids);
  assert.deepEqual(seen.handled.map((b) => b.beskedId), ['b-1', 'b-2', 'b-3']);
  for (const b of seen.handled) {
    assert.deepEqual(b.records.map((r) => r.record), sampleTypes);
    assert.equal(b.redelivered, false);
  }
  assert.equal(seen.handled[0].records[8].cpr, '6101901234');
  assert.equal(await depth(q), 0);
  assert.equal(await depth(`${q}.dead`), 0);
});

test('bad payloads are dead-lettered with the error; the queue moves on', async () => {
  const q = await queue();
  const ids = await publish(q, [envelope('b-1', wrapped(sample)), envelope('b-2', wrapped(damaged)), '<Haendelsesbesked><BeskedId>',
    envelope('b-4', null), envelope('b-5', 'AAAA*AAA'), envelope('b-6', wrapped(sample))]);
  const { c, seen } = consumer(q);
  c.start();
  await until('2 handled, 4 dead', () => seen.handled.length === 2 && seen.dead.length === 4);
  await c.close();
  assert.deepEqual(seen.handled.map((b) => b.messageId), [ids[0], ids[5]]);
  assert.equal(await depth(q), 0);
  const dead = await drain(`${q}.dead`);
  assert.deepEqual(dead.map((m) => m.properties.messageId), [ids[1], ids[2], ids[3], ids[4]]);
  assert.deepEqual(dead.map((m) => m.properties.headers['x-eindkomst-error-code']), ['not_digit', 'bad_envelope', 'no_payload', 'invalid_base64']);
  assert.equal(dead[0].properties.headers['x-eindkomst-error'],
    'rejected: line 10 (Lb_nr 10), record 6001, field 4 Beloeb, offset 734: non-digit in numeric field');
  assert.equal(dead[0].properties.headers['x-eindkomst-besked-id'], 'b-2');
  // the raw body is kept so the message can be replayed after a fix
  assert.equal(dead[0].content.length, Buffer.byteLength(envelope('b-2', wrapped(damaged))));
  for (const m of dead) assert.doesNotMatch(String(m.properties.headers['x-eindkomst-error']), /[0-9]{10}/);
});

test('a handler failure leaves the message for redelivery', async () => {
  const q = await queue();
  const ids = await publish(q, [envelope('b-1', wrapped(sample)), envelope('b-2', wrapped(sample)), envelope('b-3', wrapped(sample))]);
  const calls = [];
  let failuresLeft = 2;
  const handled = [];
  const { c, seen } = consumer(q, async (b) => {
    calls.push(b.beskedId + (b.redelivered ? '+' : ''));
    if (b.beskedId === 'b-2' && failuresLeft-- > 0) throw new Error('store down');
    handled.push(b);
  });
  c.start();
  await until('3 handled', () => handled.length === 3);
  await c.close();
  assert.deepEqual(calls, ['b-1', 'b-2', 'b-2+', 'b-2+', 'b-3']);
  assert.deepEqual(seen.failures, [`${ids[1]}: store down`, `${ids[1]}: store down`]);
  assert.deepEqual(handled.map((b) => b.messageId), ids);
  assert.equal(await depth(q), 0);
});

test('a handled message redelivered after a lost ack is a duplicate', async () => {
  const q = await queue();
  const ids = await publish(q, [envelope('b-1', wrapped(sample)), envelope('b-2', wrapped(sample))]);
  let kills = 1;
  const handled = [];
  const { c, seen } = consumer(q, async (b) => {
    handled.push(b);
    if (kills-- > 0) broker.closeAllConnections(); // stored, but the ack never reaches the broker
  });
  c.start();
  await until('2 handled and 1 duplicate', () => handled.length === 2 && seen.duplicates.length === 1);
  await c.close();
  assert.deepEqual(handled.map((b) => b.messageId), ids);
  assert.deepEqual(seen.duplicates, [`${ids[0]} redelivered`]);
  assert.ok(seen.connects >= 2);
  assert.equal(await depth(q), 0);
});

test('a broker restart mid-stream loses nothing: published = handled + dead-lettered', async () => {
  const q = await queue();
  const bodies = Array.from({ length: 300 }, (_, i) => envelope(`r-${i}`, wrapped(i % 10 === 3 ? damaged : sample)));
  const published = await publish(q, bodies);
  const handledIds = new Set();
  let calls = 0;
  const { c, seen } = consumer(q, async (b) => {
    await new Promise((r) => setTimeout(r, 5));
    assert.equal(b.records.length, 27);
    calls++;
    handledIds.add(b.messageId);
  });
  c.start();
  await until('100 handled', () => handledIds.size >= 100);
  await broker.restart();
  await until('all accounted for', () => handledIds.size + seen.dead.length >= 300);
  await c.close();
  const dead = new Set((await drain(`${q}.dead`)).map((m) => m.properties.messageId));
  assert.equal(handledIds.size, 270);
  assert.equal(dead.size, 30);
  assert.deepEqual(new Set([...handledIds, ...dead]), new Set(published));
  assert.equal(await depth(q), 0);
  assert.ok(seen.connects >= 2, 'reconnected');
  assert.ok(calls - 270 <= 1, `handler calls ${calls}`);
});
