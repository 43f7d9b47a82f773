// A receiver in a process of its own, for the crash and soak tests (which SIGKILL it and read its peak RSS):
//   node consumer-process.js amqp <url> <queue> <state-dir> <plan> <expected>
//   node consumer-process.js rest <cert-dir> <state-dir> <expected>
// The same plans and files as the Java module's ConsumerProcess: state-dir holds `ledger`, `dead/`, and in the
// crash plans `effects` (the handler's "store": one BeskedId per line, fsync'ed) and `calls` (every handler call
// and planned kill). Plans: soak (count only), none (crash handler, no kill), external (the parent kills),
// in-handler:K, after-effect:K, after-ledger:K (SIGKILL itself at the K-th message inside the handler before
// the store, after the store, or after the ledger line before the ack). Ends when `expected` messages were
// handled or dead-lettered (0: 2 s after the last message, 10 s when none came); prints `ready` and `stats ...`.
import { openSync, writeSync, fsyncSync, readFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { BeskedfordelerConsumer } from '../src/amqp.js';
import { ModtagBeskedServer } from '../src/rest.js';
import { Ledger } from '../src/ledger.js';
import { directoryDeadLetterSink } from '../src/beskedfordeler.js';

const [mode, ...args] = process.argv.slice(2);
const rest = mode === 'rest';
const state = rest ? args[1] : args[2];
let plan = rest ? 'soak' : args[3];
const expected = Number(rest ? args[2] : args[4]);
let killAt = 0;
if (plan.includes(':')) { killAt = Number(plan.split(':')[1]); plan = plan.split(':')[0]; }
mkdirSync(state, { recursive: true });

let handled = 0;
let dead = 0;
let first = 0;
let last = 0;
let seen = 0;
const tick = () => { const now = performance.now(); if (!first) first = now; last = now; };
const stored = new Set();
let effects;
let calls;
if (plan !== 'soak') {
  const e = join(state, 'effects');
  if (existsSync(e)) for (const id of readFileSync(e, 'utf8').split('\n').filter(Boolean)) stored.add(id);
  effects = openSync(e, 'a');
  calls = openSync(join(state, 'calls'), 'a');
}
const log = (line) => writeSync(calls, `${line}\n`); // write(2): survives SIGKILL (page cache)
function killIfDue(where, beskedId) {
  if (++seen !== killAt) return;
  log(`kill ${where} ${beskedId}`);
  process.kill(process.pid, 'SIGKILL');
}

const handler = plan === 'soak'
  ? async (b) => { tick(); if (b.records.length !== 27) throw new Error(`records: ${b.records.length}`); handled++; }
  : async (b) => {
    // The crash tests' handler: an idempotent store of BeskedIds, as a real handler would keep its records.
    tick();
    log(`call ${b.beskedId} ${b.attempt} ${b.interrupted}`);
    if (plan === 'in-handler') killIfDue('in-handler', b.beskedId);
    // Only a call after an interrupted one can find its records already stored.
    if (!(b.interrupted && stored.has(b.beskedId))) {
      writeSync(effects, `${b.beskedId}\n`);
      fsyncSync(effects);
      stored.add(b.beskedId);
    }
    if (plan === 'after-effect') killIfDue('after-effect', b.beskedId);
    handled++;
  };

const ledger = new Ledger(join(state, 'ledger'));
const sink = directoryDeadLetterSink(join(state, 'dead'));
const read = (f) => readFileSync(join(args[0], f));
const receiver = rest
  ? new ModtagBeskedServer({ port: 0, key: read('server.key'), cert: read('server.crt'), ca: read('ca.crt'), ledger, deadLetterSink: sink }, handler)
  : new BeskedfordelerConsumer({ url: args[0], queue: args[1], ledger, deadLetterSink: sink, reconnectDelayMs: 200 }, handler);
receiver.on('handled', (b) => { if (plan === 'after-ledger') killIfDue('after-ledger', b.beskedId); });
receiver.on('deadLettered', () => { tick(); dead++; });
receiver.on('handlerFailed', () => {});
if (rest) {
  await receiver.start();
  console.log(`ready ${receiver.port}`);
} else {
  const connected = new Promise((r) => receiver.once('connected', r));
  receiver.on('disconnected', () => {});
  receiver.start();
  await connected;
  console.log('ready');
}
const start = performance.now();
for (;;) {
  await new Promise((r) => setTimeout(r, 20));
  const n = handled + dead;
  if (expected > 0 && n >= expected) break;
  const quiet = performance.now() - (n === 0 ? start : last);
  if (expected === 0 && quiet > (n === 0 ? 10000 : 2000)) break;
}
await receiver.close();
ledger.close();
const n = handled + dead;
const seconds = n === 0 ? 0 : (last - first) / 1000;
console.log(`stats handled=${handled} dead=${dead} seconds=${seconds.toFixed(3)} perSecond=${seconds > 0 ? Math.round(n / seconds) : 0} peakRssKb=${process.resourceUsage().maxRSS}`);
process.exit(0);
