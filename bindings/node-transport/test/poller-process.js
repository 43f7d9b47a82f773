// The poller as its own process, for the crash tests (sftp-crash.test.js):
//   node test/poller-process.js '<json>'
// json: { host, port, user, keyFile, hostKey (base64), work, store, maxPolls, killAt }.
// Polls with a FileStore handler until a poll leaves no file INTERRUPTED or IN_FLIGHT, or maxPolls are
// done. Prints `ready` and waits for a line on stdin (time for the test to limit this process), prints
// `start`, then one `outcome <name> <state> <resumedFrom> <detail>` line per file and poll; a poll that
// rejects prints `error <message>` and exits with 2.
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DailyFilePoller, safeKey } from '../src/sftp.js';

const c = JSON.parse(process.argv[2]);

/**
 * A handler that keeps its promises the way a real one would (see src/sftp.js), with files: the records of
 * a file go, one line each (the record's text), to <key>.tmp; commit fsyncs it and renames it to
 * <key>.committed (atomic: the records and the key at once), so a process that dies before leaves no
 * committed trace. A second commit of a committed key is the bug the crash tests look for: it is kept as
 * evidence (<key>.committed-again), not thrown. Prints `begin` when a file begins (the tests time their
 * kills from it). `killAt` makes the process SIGKILL itself at one point: `begin`, `record:N` (before the
 * N-th record is stored), `commit` (after the rename, before commit returns).
 */
class FileStore {
  #fd = null;
  #records = 0;
  constructor(dir, killAt) {
    this.dir = dir;
    this.killAt = killAt ?? '';
    mkdirSync(dir, { recursive: true });
  }
  #name(f) { return safeKey(f); }
  #kill(at) { if (this.killAt === at) process.kill(process.pid, 'SIGKILL'); }
  begin(f) {
    this.#kill('begin');
    console.log('begin');
    this.#fd = openSync(join(this.dir, `${this.#name(f)}.tmp`), 'w');
    this.#records = 0;
  }
  records(rs) {
    for (const r of rs) {
      this.#records += 1;
      this.#kill(`record:${this.#records}`);
      writeSync(this.#fd, Buffer.from(`${r.text}\n`, 'latin1'));
    }
  }
  commit(f) {
    fsyncSync(this.#fd);
    closeSync(this.#fd);
    this.#fd = null;
    const done = join(this.dir, `${this.#name(f)}.committed`);
    renameSync(join(this.dir, `${this.#name(f)}.tmp`), existsSync(done) ? `${done}-again` : done);
    this.#kill('commit');
  }
  abort(f) {
    if (this.#fd !== null) closeSync(this.#fd);
    this.#fd = null;
    rmSync(join(this.dir, `${this.#name(f)}.tmp`), { force: true });
  }
  committed(f) { return existsSync(join(this.dir, `${this.#name(f)}.committed`)); }
}

const poller = new DailyFilePoller({
  host: c.host, port: c.port, username: c.user, privateKey: readFileSync(c.keyFile), hostKey: Buffer.from(c.hostKey, 'base64'),
  remoteDir: 'IN', workDir: join(c.work, 'parts'), ledger: join(c.work, 'ledger.tsv'),
}, new FileStore(c.store, c.killAt));
console.log('ready');
await new Promise((resolve) => process.stdin.once('data', resolve));
process.stdin.pause();
console.log('start');
for (let i = 0; i < c.maxPolls; i++) {
  let outcomes;
  try {
    outcomes = await poller.pollOnce();
  } catch (err) {
    console.log(`error ${err.message}`);
    process.exit(2);
  }
  for (const o of outcomes) console.log(`outcome ${o.file.name} ${o.state} ${o.resumedFrom} ${o.detail}`);
  if (!outcomes.some((o) => o.state === 'INTERRUPTED' || o.state === 'IN_FLIGHT')) break;
}
