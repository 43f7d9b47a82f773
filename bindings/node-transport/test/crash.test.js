// The consumer in a process of its own, SIGKILLed 30 times at random points (by the test at a random moment, or
// by itself inside the handler, after the handler's store, or after the ledger line before the ack), then run
// until the queue is empty. Afterwards every published BeskedId must be stored by the handler exactly once or
// dead-lettered exactly once, and the handler must have been called again only after an interrupted call.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import { Ledger } from '../src/ledger.js';
import { startRabbit } from './servers.js';
import { spawnConsumer } from './spawned.js';
import { sample, damaged, wrapped, envelope } from './messages.js';

const MESSAGES = 600;
// Handler calls the consumer processes logged so far (lines "call ..." of state/calls).
const handlerCalls = (state) => {
  try {
    return readFileSync(join(state, 'calls'), 'utf8').split('\n').filter((l) => l.startsWith('call ')).length;
  } catch {
    return 0;
  }
};
const RUNS = 30;

test('SIGKILL at random points neither loses nor repeats', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'eik-node-crash-'));
  const broker = await startRabbit();
  try {
    const state = join(dir, 'state');
    const log = join(dir, 'consumer.log');
    const q = `dueslag-${randomUUID()}`;
    let seed = Number(process.env.CRASH_SEED ?? Date.now() % 1000000007);
    console.log(`crash-node: seed ${seed}`);
    const random = (n) => { seed = (seed * 48271) % 2147483647; return seed % n; };
    const good = new Set();
    const bad = new Set();
    const c = await amqp.connect(broker.url);
    const ch = await c.createConfirmChannel();
    await ch.assertQueue(q, { durable: true });
    const ok = wrapped(sample);
    const broken = wrapped(damaged);
    const ids = [];
    for (let i = 0; i < MESSAGES; i++) {
      const id = `crash-${i}`;
      (i % 10 === 7 ? bad : good).add(id);
      ids.push(id);
      ch.sendToQueue(q, Buffer.from(envelope(id, i % 10 === 7 ? broken : ok)), { messageId: randomUUID(), persistent: true });
      if (i % 50 === 49) { // now and then a replay of an earlier message (new message id)
        const again = ids[random(ids.length)];
        ch.sendToQueue(q, Buffer.from(envelope(again, bad.has(again) ? broken : ok)), { messageId: randomUUID(), persistent: true });
      }
    }
    await ch.waitForConfirms();
    const plans = ['external', 'in-handler', 'after-effect', 'after-ledger'];
    const kills = {};
    for (let run = 0; run < RUNS; run++) {
      const plan = plans[run % plans.length];
      const p = await spawnConsumer(log, 'amqp', broker.url, q, state, plan === 'external' ? plan : `${plan}:${1 + random(20)}`, '0');
      let end;
      if (plan === 'external') {
        // At a random moment, but after at most 1-20 handler calls: a fast consumer drained the queue in the
        // external runs before the planned kills had a message to kill at.
        const target = 1 + random(20);
        const deadline = Date.now() + random(1500);
        const start = handlerCalls(state);
        while (Date.now() < deadline && handlerCalls(state) - start < target) await new Promise((r) => setTimeout(r, 5));
        end = await p.kill();
      } else {
        end = await p.awaitStats(120);
      }
      if (end.signal === 'SIGKILL') kills[plan] = (kills[plan] ?? 0) + 1;
    }
    const last = await spawnConsumer(log, 'amqp', broker.url, q, state, 'none', '0');
    const end = await last.awaitStats(300);
    assert.equal(end.code, 0);
    const killed = Object.values(kills).reduce((a, b) => a + b, 0);
    console.log(`crash-node: ${RUNS} runs, ${killed} SIGKILLs ${JSON.stringify(kills)}, last run ${end.stats}`);
    assert.ok(killed >= 25, `most runs must end in a SIGKILL: ${JSON.stringify(kills)}`);

    assert.equal((await ch.checkQueue(q)).messageCount, 0);
    await c.close();
    const effects = readFileSync(join(state, 'effects'), 'utf8').split('\n').filter(Boolean);
    assert.equal(effects.length, good.size, 'stores');
    assert.deepEqual(new Set(effects), good);
    const letters = readdirSync(join(state, 'dead')).filter((f) => f.endsWith('.error'));
    assert.equal(letters.length, bad.size);
    const deadIds = new Set(letters.map((f) => {
      const lines = readFileSync(join(state, 'dead', f), 'utf8').split('\n');
      assert.equal(lines[3], 'not_digit');
      return lines[2];
    }));
    assert.deepEqual(deadIds, bad);
    const ledger = new Ledger(join(state, 'ledger'));
    for (const id of good) assert.equal(ledger.get(`b:${id}`).state, 'HANDLED', id);
    for (const id of bad) assert.equal(ledger.get(`b:${id}`).state, 'DEAD', id);
    ledger.close();
    const calls = new Map();
    const lastAttempt = new Map();
    const killedAfterLedger = new Set();
    let interruptedCalls = 0;
    for (const line of readFileSync(join(state, 'calls'), 'utf8').split('\n').filter(Boolean)) {
      const f = line.split(' ');
      if (f[0] === 'kill') { if (f[1] === 'after-ledger') killedAfterLedger.add(f[2]); continue; }
      // Its outcome was in the ledger when it was killed: it must never be handed over again.
      assert.ok(!killedAfterLedger.has(f[1]), `handed over again after its ledger line: ${line}`);
      const n = (calls.get(f[1]) ?? 0) + 1;
      calls.set(f[1], n);
      const attempt = Number(f[2]);
      // A kill between the ledger's BEGIN line and the handler's first log line leaves an attempt
      // that never reached the handler: attempts may skip, never repeat or go back.
      assert.equal(f[3] === 'true', attempt > 1, line);
      assert.ok(attempt >= n, `attempt of ${line}`);
      assert.ok(!(lastAttempt.get(f[1]) >= attempt), `attempts go forward: ${line}`);
      lastAttempt.set(f[1], attempt);
      if (f[3] === 'true') interruptedCalls++;
    }
    assert.deepEqual(new Set(calls.keys()), good);
    assert.ok(interruptedCalls <= killed, `${interruptedCalls} repeated calls for ${killed} kills`);
    console.log(`crash-node: ${good.size} stored once, ${bad.size} dead-lettered once, ${interruptedCalls} calls repeated after an interrupted one, `
      + `${killedAfterLedger.size} killed between ledger line and ack, none handed over again`);
  } finally {
    await broker.destroy();
    if (!process.env.CRASH_KEEP) rmSync(dir, { recursive: true, force: true });
    else console.log(`crash-node: kept ${dir}`);
  }
});
