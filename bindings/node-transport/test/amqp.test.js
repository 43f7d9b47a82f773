import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import { BeskedfordelerConsumer } from '../src/amqp.js';
import { Ledger } from '../src/ledger.js';
import { startRabbit } from './servers.js';
import { sample, sampleTypes, damaged, wrapped, envelope, cases } from './messages.js';

let broker;
let state;
const ledgers = [];
before(async () => { broker = await startRabbit(); state = mkdtempSync(join(tmpdir(), 'eik-node-consumer-')); });
after(async () => { for (const l of ledgers) l.close(); await broker?.destroy(); rmSync(state, { recursive: true, force: true }); });

/** A ledger file of its own for the queue (opened again when called again: a restarted process). */
function ledger(q) {
  const l = new Ledger(join(state, `${q}.ledger`));
  ledgers.push(l);
  return l;
}

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
  while (!(await done())) { if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`); await new Promise((r) => setTimeout(r, 50)); }
}

function consumer(q, handler, options = {}) {
  const seen = { handled: [], dead: [], duplicates: [], failures: [], connects: 0 };
  const c = new BeskedfordelerConsumer({ url: broker.url, queue: q, deadLetterQueue: `${q}.dead`, reconnectDelayMs: 300, handlerRetryDelayMs: 100,
    ledger: options.ledger ?? ledger(q), ...options }, handler ?? (async (b) => { seen.handled.push(b); }));
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
  // The message in flight at the restart comes back once more after every id is accounted for
  // (a duplicate, acked without the handler): closed before it came, it was left in the queue.
  await until('the queue drained', async () => (await depth(q)) === 0);
  await c.close();
  const dead = new Set((await drain(`${q}.dead`)).map((m) => m.properties.messageId));
  assert.equal(handledIds.size, 270);
  assert.equal(dead.size, 30);
  assert.deepEqual(new Set([...handledIds, ...dead]), new Set(published));
  assert.equal(await depth(q), 0);
  assert.ok(seen.connects >= 2, 'reconnected');
  // The message in flight at the restart was handled, written to the ledger, its ack lost: redelivered, a duplicate.
  assert.equal(calls, 270, 'handler calls');
});

test('a poison message is dead-lettered after maxAttempts and the queue moves on', async () => {
  const q = await queue();
  const ids = await publish(q, [envelope('p-1', wrapped(sample)), envelope('p-2', wrapped(sample)), envelope('p-3', wrapped(sample))]);
  const calls = [];
  const handled = [];
  const { c, seen } = consumer(q, async (b) => {
    calls.push(`${b.beskedId}#${b.attempt}`);
    if (b.beskedId === 'p-2') throw new Error('cannot store 6101901234');
    handled.push(b);
  }, { maxAttempts: 3 });
  c.start();
  await until('2 handled, 1 dead', () => handled.length === 2 && seen.dead.length === 1);
  await c.close();
  assert.deepEqual(calls, ['p-1#1', 'p-2#1', 'p-2#2', 'p-2#3', 'p-3#1']);
  assert.deepEqual(handled.map((b) => b.messageId), [ids[0], ids[2]]);
  const dead = await drain(`${q}.dead`);
  assert.deepEqual(dead.map((m) => m.properties.messageId), [ids[1]]);
  assert.equal(dead[0].properties.headers['x-eindkomst-error-code'], 'handler_failed');
  assert.equal(dead[0].properties.headers['x-eindkomst-error'], 'handler failed 3 times, last: Error: cannot store **********');
  assert.equal(await depth(q), 0);
});

test('the ledger outlives the consumer', async () => {
  const q = await queue();
  await publish(q, [envelope('d-1', wrapped(sample))]);
  const l = ledger(q);
  const first = consumer(q, undefined, { ledger: l });
  first.c.start();
  await until('1 handled', () => first.seen.handled.length === 1);
  await first.c.close();
  l.close();
  // Another process, days later: an operator replays d-1 from the copy-queue (new message id).
  const replay = await publish(q, [envelope('d-1', wrapped(sample)), envelope('d-2', wrapped(sample))]);
  const second = consumer(q);
  second.c.start();
  await until('1 handled, 1 duplicate', () => second.seen.handled.length === 1 && second.seen.duplicates.length === 1);
  await second.c.close();
  assert.deepEqual(second.seen.handled.map((b) => b.beskedId), ['d-2']);
  assert.deepEqual(second.seen.duplicates, [replay[0]]);
  assert.equal(await depth(q), 0);
});

test('the shared cases of testdata as delivered by the broker', async () => {
  const all = cases().filter((k) => k.channel === 'amqp');
  assert.equal(all.length, 8);
  // Through the broker once, byte for byte as stored in testdata/beskedfordeler.
  const capture = await queue();
  const ids = await admin(async (ch) => {
    const out = all.map(() => randomUUID());
    all.forEach((k, i) => ch.sendToQueue(capture, k.body, { messageId: out[i], persistent: true, contentType: 'application/xml' }));
    await ch.waitForConfirms();
    return out;
  });
  const delivered = await drain(capture);
  assert.deepEqual(delivered.map((m) => m.properties.messageId), ids);
  all.forEach((k, i) => assert.deepEqual(delivered[i].content, k.body, k.file));
  // Then through the consumer.
  const q = await queue();
  await admin(async (ch) => { for (const m of delivered) ch.sendToQueue(q, m.content, m.properties); await ch.waitForConfirms(); });
  const handledCount = all.filter((k) => k.outcome === 'handled').length;
  const { c, seen } = consumer(q);
  c.start();
  await until('all cases', () => seen.handled.length === handledCount && seen.dead.length === all.length - handledCount);
  await c.close();
  const dead = await drain(`${q}.dead`);
  let h = 0;
  let d = 0;
  for (const k of all) {
    if (k.outcome === 'handled') {
      const b = seen.handled[h++];
      assert.equal(b.beskedId, k.beskedId, k.file);
      assert.deepEqual(b.records.map((r) => r.record), sampleTypes, k.file);
    } else {
      const m = dead[d++];
      assert.equal(m.properties.headers['x-eindkomst-error-code'], k.code, k.file);
      if (k.reason != null) assert.equal(m.properties.headers['x-eindkomst-error'], k.reason, k.file);
      assert.deepEqual(m.content, k.body, k.file);
    }
  }
  assert.equal(await depth(q), 0);
});
