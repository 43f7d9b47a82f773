import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, appendFileSync, existsSync, readdirSync, unlinkSync, statSync, mkdtempSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { hashedId } from '../src/redact.js';
import { DailyFilePoller } from '../src/sftp.js';
import { startSshd } from './servers.js';

const repo = new URL('../../../', import.meta.url).pathname;
const sample = readFileSync(join(repo, 'testdata/sample.txt'));
const sampleTypes = sample.toString('latin1').trimEnd().split('\n').map((l) => l.slice(7, 11));
const damaged = Buffer.from(sample.toString('latin1').replace('0000032500000000+', '00000325X0000000+'), 'latin1');

let sshd;
let work;
before(async () => { sshd = await startSshd(); });
after(async () => { await sshd?.stop(); });
beforeEach(() => {
  for (const f of readdirSync(join(sshd.root, 'IN'))) unlinkSync(join(sshd.root, 'IN', f));
  if (work) rmSync(work, { recursive: true, force: true });
  work = mkdtempSync(join(tmpdir(), 'eik-node-work-'));
});
after(() => { if (work) rmSync(work, { recursive: true, force: true }); });

const inPath = (name) => join(sshd.root, 'IN', name);
const metadata = (uuid, name, size, recipient) => '<?xml version="1.0" encoding="UTF-8"?>\n<FileMetadata xmlns="http://serviceplatformen.dk/xml/wsdl/soap11/SFTP/1/types">'
  + `<FileTransferUUID>${uuid}</FileTransferUUID><FileDescriptor><FileName>${name}</FileName><SizeInBytes>${size}</SizeInBytes>`
  + `<Sender>SKAT_EINDKOMST</Sender><Recipients>${recipient}</Recipients></FileDescriptor><FileContentDescriptor/></FileMetadata>\n`;
/**
 * A random FileTransferUUID without a CPR-like run, so the ledger keys the file by it as it is (about one random
 * UUID in 150 holds ten digits in a row and is keyed hashed: hashedId, tested on its own).
 */
function plainUuid() {
  for (;;) {
    const u = randomUUID();
    if (hashedId(u) === u) return u;
  }
}
const deliver = (name, data, uuid) => { writeFileSync(inPath(name), data); writeFileSync(inPath(`${name}.metadata`), metadata(uuid, name, data.length, sshd.user)); };
const generate = (name, records, seed) => execFileSync(join(repo, 'target/release/eindkomst'), ['generate', '--records', String(records), '--seed', String(seed), '-o', inPath(name)]);
const config = (stableSize = false) => ({
  host: '127.0.0.1', port: sshd.port, username: sshd.user, privateKey: sshd.privateKey, hostKey: sshd.hostKey,
  remoteDir: 'IN', workDir: join(work, 'parts'), ledger: join(work, 'ledger.tsv'), stableSize,
});

const key = (f) => f.fileTransferUuid ?? `${f.name}:${f.size}:${f.mtime}`;

/** Records the calls; keeps counts (and record types only when asked), never whole files. */
function journal({ keepTypes = true, onRecords = () => {} } = {}) {
  const state = { calls: [], types: [], records: 0, committed: 0, keys: [] };
  return {
    state,
    begin: (f) => { state.calls.push(`begin ${f.name}`); state.records = 0; state.types = []; },
    records: (rs) => { state.records += rs.length; if (keepTypes) state.types.push(...rs.map((r) => r.record)); onRecords(state); },
    commit: (f, c) => { state.calls.push(`commit ${f.name} ${c.decoded}`); state.committed += state.records; state.keys.push(key(f)); },
    abort: (f, why) => { state.calls.push(`abort ${f.name}: ${why}`); },
    committed: (f) => state.keys.includes(key(f)),
  };
}

test('a normal day: decoded, committed, recorded, removed', async () => {
  const uuid = plainUuid();
  deliver('D250203.L01', sample, uuid);
  const h = journal();
  const poller = new DailyFilePoller(config(), h);
  const out = await poller.pollOnce();
  assert.equal(out.length, 1);
  assert.equal(out[0].state, 'DONE', out[0].detail);
  assert.equal(out[0].file.fileTransferUuid, uuid);
  assert.deepEqual(h.state.calls, ['begin D250203.L01', 'commit D250203.L01 27']);
  assert.deepEqual(h.state.types, sampleTypes);
  assert.ok(!existsSync(inPath('D250203.L01')) && !existsSync(inPath('D250203.L01.metadata')));
  const ledger = readFileSync(join(work, 'ledger.tsv'), 'utf8').trimEnd().split('\n');
  const sha = ledger[1].split('\t')[4];
  assert.match(sha, /^[0-9a-f]{64}$/);
  assert.deepEqual(ledger, [`COMMITTING\t${uuid}\tD250203.L01\t${sample.length}\t${sha}`, `DONE\t${uuid}\tD250203.L01\t${sample.length}\t${sha}`]);
  assert.deepEqual(await poller.pollOnce(), []);
});

test('a file still being written waits', async () => {
  writeFileSync(inPath('D250204.L01'), sample.subarray(0, 1000));
  const h = journal();
  const poller = new DailyFilePoller(config(), h);
  assert.equal((await poller.pollOnce())[0].state, 'IN_FLIGHT');
  writeFileSync(inPath('D250204.L01.metadata'), metadata(plainUuid(), 'D250204.L01', sample.length, sshd.user));
  const partial = (await poller.pollOnce())[0];
  assert.equal(partial.state, 'IN_FLIGHT');
  assert.equal(partial.detail, `1000 of ${sample.length} bytes`);
  assert.deepEqual(h.state.calls, []);
  appendFileSync(inPath('D250204.L01'), sample.subarray(1000));
  assert.equal((await poller.pollOnce())[0].state, 'DONE');
  assert.deepEqual(h.state.calls, ['begin D250204.L01', 'commit D250204.L01 27']);
});

test('without metadata a stable size over two polls counts', async () => {
  writeFileSync(inPath('D250205.L01'), sample);
  const h = journal();
  const poller = new DailyFilePoller(config(true), h);
  assert.equal((await poller.pollOnce())[0].detail, 'size not yet stable');
  assert.equal((await poller.pollOnce())[0].state, 'DONE');
  assert.deepEqual(h.state.calls, ['begin D250205.L01', 'commit D250205.L01 27']);
});

test('a damaged file is reported, left, and not decoded again; other recipients are left alone', async () => {
  const uuid = plainUuid();
  deliver('D250206.L01', damaged, uuid);
  writeFileSync(inPath('D250206.L02'), sample);
  writeFileSync(inPath('D250206.L02.metadata'), metadata(plainUuid(), 'D250206.L02', sample.length, 'another-system'));
  const h = journal();
  const poller = new DailyFilePoller(config(), h);
  const out = await poller.pollOnce();
  const why = 'rejected: line 10 (Lb_nr 10), record 6001, field 4 Beloeb, offset 734: non-digit in numeric field';
  assert.deepEqual(out.map((o) => [o.state, o.detail]), [['DAMAGED', why], ['NOT_FOR_US', 'metadata names other recipients']]);
  assert.deepEqual(h.state.calls, ['begin D250206.L01', `abort D250206.L01: ${why}`]);
  assert.ok(existsSync(inPath('D250206.L01')) && existsSync(inPath('D250206.L02')));
  assert.ok(readFileSync(join(work, 'ledger.tsv'), 'utf8').startsWith(`DAMAGED\t${uuid}`));
  assert.equal((await poller.pollOnce())[0].state, 'DAMAGED');
  assert.equal(h.state.calls.length, 2);
});

// No CPR in what the poller writes or says after faults: a damaged file named with a CPR, metadata whose
// FileTransferUUID is a CPR, unreadable metadata full of CPRs, a good file named with a CPR without metadata. The
// ledger, the work directory's file names and contents and every outcome's detail hold none of the planted CPRs
// (with or without the hyphen; the ledger's mtimes are 10-digit numbers themselves).
test('faults leave no CPR in the ledger, the work directory or the outcomes', async () => {
  const cprs = ['0101604321', '010160-4321', '3112609999', '311260-9999'];
  deliver('D0101604321.L01', damaged, 'urn:uuid:010160-4321');
  writeFileSync(inPath('D250208.L01'), sample);
  writeFileSync(inPath('D250208.L01.metadata'), '<FileMetadata><SizeInBytes>0101604321x</SizeInBytes><a0101604321/>');
  writeFileSync(inPath('311260-9999.txt'), sample);
  const poller = new DailyFilePoller(config(true), journal()); // without metadata: a stable size
  const out = [...await poller.pollOnce(), ...await poller.pollOnce()];
  assert.deepEqual(out.map((o) => `${o.file.name} ${o.state}`).sort(), ['311260-9999.txt DONE', '311260-9999.txt IN_FLIGHT',
    'D0101604321.L01 DAMAGED', 'D0101604321.L01 DAMAGED', 'D250208.L01 IN_FLIGHT', 'D250208.L01 IN_FLIGHT']);
  let said = out.map((o) => o.detail).join('\n');
  const walk = (d) => readdirSync(d).forEach((f) => {
    said += `\n${f}`;
    if (statSync(join(d, f)).isDirectory()) walk(join(d, f)); else said += `\n${readFileSync(join(d, f), 'latin1')}`;
  });
  walk(work);
  for (const cpr of cprs) assert.ok(!said.includes(cpr), `${cpr} in:\n${said}`);
  assert.ok(readFileSync(join(work, 'ledger.tsv'), 'utf8').includes('DAMAGED\tsha256:'), said);
});

test('a restart after an interrupted transfer resumes and commits once', async () => {
  generate('D250207.L01', 600000, 11);
  const size = statSync(inPath('D250207.L01')).size;
  const uuid = plainUuid();
  writeFileSync(inPath('D250207.L01.metadata'), metadata(uuid, 'D250207.L01', size, sshd.user));
  let killed = false;
  const h1 = journal({ keepTypes: false, onRecords: (j) => { if (!killed && j.records >= 200000) { killed = true; sshd.killSessions(); } } });
  const first = (await new DailyFilePoller(config(), h1).pollOnce())[0];
  assert.equal(first.state, 'INTERRUPTED', first.detail);
  const part = join(work, 'parts', `${uuid}.part`);
  const kept = statSync(part).size;
  assert.ok(kept > 0 && kept < size, `kept ${kept} of ${size}`);
  const h2 = journal({ keepTypes: false });
  const second = (await new DailyFilePoller(config(), h2).pollOnce())[0]; // a new poller, as after a restart
  assert.equal(second.state, 'DONE', second.detail);
  assert.equal(second.resumedFrom, kept);
  assert.deepEqual(h2.state.calls, ['begin D250207.L01', 'commit D250207.L01 600000']);
  assert.equal(h2.state.committed, 600000);
  assert.equal(h1.state.committed, 0);
  assert.match(h1.state.calls[1], /^abort D250207.L01: transfer broke off/);
  assert.ok(!existsSync(part) && !existsSync(inPath('D250207.L01')));
});

test('a 200 MB file streams with bounded memory', async () => {
  generate('D250208.L01', 4400000, 5);
  const size = statSync(inPath('D250208.L01')).size;
  assert.ok(size > 200e6, `size ${size}`);
  writeFileSync(inPath('D250208.L01.metadata'), metadata(plainUuid(), 'D250208.L01', size, sshd.user));
  const rss0 = process.memoryUsage().rss;
  let peak = rss0;
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 20);
  const h = journal({ keepTypes: false, onRecords: () => { peak = Math.max(peak, process.memoryUsage().rss); } });
  const t0 = process.hrtime.bigint();
  const out = (await new DailyFilePoller(config(), h).pollOnce())[0];
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  clearInterval(timer);
  assert.equal(out.state, 'DONE', out.detail);
  assert.equal(h.state.committed, 4400000);
  const growth = (peak - rss0) / 2 ** 20;
  console.log(`sftp-node: ${Math.round(size / 2 ** 20)} MB file, 4400000 records, SFTP + decode in ${seconds.toFixed(1)} s (${(size / 1e6 / seconds).toFixed(0)} MB/s), RSS growth ${growth.toFixed(0)} MB`);
  assert.ok(growth < 100, `RSS grew ${growth.toFixed(0)} MB while streaming a ${Math.round(size / 2 ** 20)} MB file`);
});

test('a commit that fails after taking effect is not repeated, even without the ledger', async () => {
  const uuid = plainUuid();
  deliver('D250210.L01', sample, uuid);
  const h = journal();
  const commit = h.commit;
  h.commit = (f, c) => { commit(f, c); throw new Error('connection lost after COMMIT'); };
  const first = (await new DailyFilePoller(config(), h).pollOnce())[0];
  assert.deepEqual([first.state, first.detail], ['INTERRUPTED', 'commit failed']);
  assert.ok(existsSync(inPath('D250210.L01')), 'no clean-up without DONE');
  const states = () => readFileSync(join(work, 'ledger.tsv'), 'utf8').trimEnd().split('\n').map((l) => l.split('\t')[0]);
  assert.deepEqual(states(), ['COMMITTING']);
  // Even with the ledger lost, a restarted poller asks the handler first: done, not decoded again.
  unlinkSync(join(work, 'ledger.tsv'));
  assert.equal((await new DailyFilePoller(config(), h).pollOnce())[0].state, 'ALREADY_DONE');
  assert.deepEqual(h.state.calls, ['begin D250210.L01', 'commit D250210.L01 27', 'abort D250210.L01: commit failed: Error']);
  assert.deepEqual(states(), ['DONE']);
  assert.ok(!existsSync(inPath('D250210.L01')) && !existsSync(inPath('D250210.L01.metadata')));
});

test('a torn ledger line is dropped, and a metadata file left by a crash is removed', async () => {
  const uuid = plainUuid();
  const done = `DONE\t${uuid}\tD250211.L01\t${sample.length}\t-\n`;
  writeFileSync(join(work, 'ledger.tsv'), `${done}COMMITTING\t${plainUuid()}\tD250`);
  // The process died between removing the data file and its metadata.
  writeFileSync(inPath('D250211.L01.metadata'), metadata(uuid, 'D250211.L01', sample.length, sshd.user));
  const h = journal();
  assert.deepEqual(await new DailyFilePoller(config(), h).pollOnce(), []);
  assert.ok(!existsSync(inPath('D250211.L01.metadata')));
  assert.equal(readFileSync(join(work, 'ledger.tsv'), 'utf8'), done);
  assert.deepEqual(h.state.calls, []);
});

test('the example runs', () => {
  deliver('D250209.L01', sample, plainUuid());
  const out = execFileSync(process.execPath, [new URL('../examples/poll.js', import.meta.url).pathname, '127.0.0.1', String(sshd.port), sshd.user,
    join(sshd.dir, 'user_ed25519'), join(sshd.dir, 'host_ed25519.pub'), work], { encoding: 'utf8' });
  assert.equal(out, 'D250209.L01: 27 records, 6001 total 6906950 øre\nD250209.L01 DONE\n');
});
