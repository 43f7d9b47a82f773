// Many messages through each channel, the receiver in a process of its own (durable ledger, fdatasync per
// message), printing messages/s and the receiver's peak RSS. SOAK_MESSAGES=N (default 2000 in CI;
// scripts/soak-beskedfordeler.sh runs 100 000).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { request, Agent } from 'node:https';
import amqp from 'amqplib';
import { startRabbit, makeCerts } from './servers.js';
import { spawnConsumer } from './spawned.js';
import { sample, wrapped, envelope, modtagBeskedInput } from './messages.js';

const N = Number(process.env.SOAK_MESSAGES ?? 2000);

function report(stats, channel) {
  const m = /handled=(\d+) dead=(\d+) seconds=([0-9.]+) perSecond=(\d+) peakRssKb=(\d+)/.exec(stats ?? '');
  assert.ok(m, stats);
  assert.equal(Number(m[1]), N, stats);
  assert.equal(Number(m[2]), 0, stats);
  console.log(`soak-node ${channel}: ${N} messages in ${m[3]} s, ${m[4]} messages/s, peak RSS ${Math.round(Number(m[5]) / 1024)} MB`);
}

test('soak: AMQP', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'eik-node-soak-'));
  const broker = await startRabbit();
  try {
    const q = `dueslag-${randomUUID()}`;
    const c = await amqp.connect(broker.url);
    const ch = await c.createConfirmChannel();
    await ch.assertQueue(q, { durable: true });
    const p = await spawnConsumer(join(dir, 'consumer.log'), 'amqp', broker.url, q, join(dir, 'state'), 'soak', String(N));
    // Publish while it consumes, keeping at most ~5000 messages in the queue (as a dueslag being drained).
    const payload = wrapped(sample);
    for (let i = 0; i < N; i++) {
      ch.sendToQueue(q, Buffer.from(envelope(`soak-${i}`, payload)), { messageId: randomUUID(), persistent: true });
      if (i % 1000 === 999) {
        await ch.waitForConfirms();
        while ((await ch.checkQueue(q)).messageCount > 5000) await new Promise((r) => setTimeout(r, 100));
      }
    }
    await ch.waitForConfirms();
    const end = await p.awaitStats(3600);
    await c.close();
    report(end.stats, 'amqp');
  } finally {
    await broker.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('soak: REST', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'eik-node-soak-rest-'));
  try {
    const certs = makeCerts(dir, 'beskedfordeler-test');
    const p = await spawnConsumer(join(dir, 'receiver.log'), 'rest', dir, join(dir, 'state'), String(N));
    const port = Number(p.ready.split(' ')[1]);
    // Beskedfordeler's side: one client with its certificate, one message at a time (FIFO), keep-alive.
    const agent = new Agent({ keepAlive: true, maxSockets: 1, ca: certs.ca, cert: certs.client.cert, key: certs.client.key });
    const payload = wrapped(sample);
    for (let i = 0; i < N; i++) {
      const body = Buffer.from(modtagBeskedInput(envelope(`soak-${i}`, payload)), 'utf8');
      const answer = await new Promise((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path: '/ModtagBesked', method: 'POST', agent,
          headers: { 'Content-Type': 'application/xml', 'Content-Length': body.length } }, (res) => {
          const chunks = [];
          res.on('data', (d) => chunks.push(d));
          res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
        });
        req.on('error', reject);
        req.end(body);
      });
      if (answer.status !== 200 || !answer.body.includes('<sd:StatusKode>20</sd:StatusKode>')) throw new Error(`message ${i}: ${answer.status} ${answer.body}`);
    }
    agent.destroy();
    report((await p.awaitStats(600)).stats, 'rest');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
