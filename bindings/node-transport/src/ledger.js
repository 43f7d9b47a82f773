// The durable ledger of received Beskedfordeler messages, shared by the AMQP
// consumer and the REST receiver. Same file format and rules as the Java
// module's Ledger: an append-only UTF-8 text file, one line per step,
// `millis TAB state TAB attempt TAB key [TAB code]`:
//   BEGIN n     attempt n is handed to the handler (written, not forced: it
//               survives a killed process, not necessarily a power loss)
//   FAILED n c  the handler threw (c = the error's name)
//   HANDLED n   the handler resolved; forced to disk (fdatasync) before the ack
//   DEAD n c    stored in the dead-letter sink; forced before the ack
//   FORGET      an operator released the key (a replay is handled again)
// The last line of a key wins. Keys: b:<BeskedId>, else m:<message id> or
// s:<sha256 of the body>; %, TAB, CR, LF and other control characters are
// written as %XX. Entries whose last line is older than the retention (30
// days: the longest time Beskedfordeler keeps a message) are dropped when the
// file is compacted: at open, and when it holds more than twice as many lines
// as live keys (new file, forced, renamed over the old one). A torn last line
// (the process was killed inside a write) is cut off at open. One writer per
// file; all writes are synchronous, so steps are in order.
import { openSync, writeSync, fdatasyncSync, fsyncSync, closeSync, readFileSync, existsSync, mkdirSync, renameSync, ftruncateSync, writeFileSync } from 'node:fs';
import { dirname, basename, join, resolve } from 'node:path';

export const DEFAULT_RETENTION_MS = 30 * 24 * 3600 * 1000;
const HOUR = 3600 * 1000;

const escape = (s) => s.replace(/[\x00-\x1f\x7f%]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
const unescape = (s) => s.replace(/%([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));

function forceDir(dir) {
  const fd = openSync(dir, 'r');
  try { fsyncSync(fd); } finally { closeSync(fd); }
}

export class Ledger {
  #path;
  #retentionMs;
  #now;
  #entries = new Map(); // key -> { state, attempt, millis }
  #fd = null;
  #lines = 0;
  #lastExpiry = 0;

  /**
   * Opens (or creates) the ledger at `path`. options: { retentionMs = 30 days, now = Date.now }.
   */
  constructor(path, { retentionMs = DEFAULT_RETENTION_MS, now = () => Date.now() } = {}) {
    this.#path = resolve(path);
    this.#retentionMs = retentionMs;
    this.#now = now;
    const dir = dirname(this.#path);
    mkdirSync(dir, { recursive: true });
    const existed = existsSync(this.#path);
    if (existed) {
      const all = readFileSync(this.#path);
      const end = all.lastIndexOf(0x0a) + 1;
      all.subarray(0, end).toString('utf8').split('\n').forEach((line, i) => {
        if (!line) return;
        const f = line.split('\t');
        const millis = Number(f[0]);
        const attempt = Number(f[2]);
        if (f.length < 4 || !Number.isInteger(millis) || !Number.isInteger(attempt)) throw new Error(`ledger ${this.#path} line ${i + 1} is malformed`);
        this.#put(unescape(f[3]), { state: f[1], attempt, millis });
        this.#lines++;
      });
      if (end < all.length) {
        // A torn last line: the process was killed inside the write; that step did not happen.
        const fd = openSync(this.#path, 'r+');
        try { ftruncateSync(fd, end); fsyncSync(fd); } finally { closeSync(fd); }
      }
    }
    this.#fd = openSync(this.#path, 'a');
    if (!existed) { fsyncSync(this.#fd); forceDir(dir); }
    this.#expire();
    if (this.#lines > this.#entries.size) this.#compact();
  }

  #put(key, e) {
    if (e.state === 'FORGET') this.#entries.delete(key);
    else this.#entries.set(key, e);
  }

  /** { state, attempt, millis, settled, interrupted } for `key`, or null. */
  get(key) {
    const e = this.#entries.get(key);
    if (!e) return null;
    return { ...e, settled: e.state === 'HANDLED' || e.state === 'DEAD', interrupted: e.state === 'BEGIN' };
  }

  /** Number of live keys. */
  get size() { return this.#entries.size; }

  begin(key, attempt) { this.#append('BEGIN', attempt, key, null, false); }
  failed(key, attempt, cause) { this.#append('FAILED', attempt, key, cause, false); }
  handled(key, attempt) { this.#append('HANDLED', attempt, key, null, true); }
  dead(key, attempt, code) { this.#append('DEAD', attempt, key, code, true); }

  /** Releases `key` (e.g. `b:${beskedId}`) so that the message is handled again when it comes again. Returns whether it was known. */
  forget(key) {
    const known = this.#entries.has(key);
    this.#append('FORGET', 0, key, null, true);
    return known;
  }

  #append(state, attempt, key, code, force) {
    if (this.#fd == null) throw Object.assign(new Error('ledger is closed'), { code: 'LEDGER_CLOSED' });
    const now = this.#now();
    const line = `${now}\t${state}\t${attempt}\t${escape(key)}${code == null ? '' : `\t${escape(String(code))}`}\n`;
    writeSync(this.#fd, line);
    if (force) fdatasyncSync(this.#fd);
    this.#put(key, { state, attempt, millis: now });
    this.#lines++;
    if (now - this.#lastExpiry > HOUR) this.#expire();
    if (this.#lines > 2 * this.#entries.size + 10000) this.#compact();
  }

  #expire() {
    const now = this.#now();
    this.#lastExpiry = now;
    const cutoff = now - this.#retentionMs;
    for (const [k, e] of this.#entries) if (e.millis < cutoff) this.#entries.delete(k);
  }

  #compact() {
    const tmp = join(dirname(this.#path), `${basename(this.#path)}.compact`);
    let text = '';
    for (const [k, e] of this.#entries) text += `${e.millis}\t${e.state}\t${e.attempt}\t${escape(k)}\n`;
    const fd = openSync(tmp, 'w');
    try { writeFileSync(fd, text); fsyncSync(fd); } finally { closeSync(fd); }
    closeSync(this.#fd);
    renameSync(tmp, this.#path);
    forceDir(dirname(this.#path));
    this.#fd = openSync(this.#path, 'a');
    this.#lines = this.#entries.size;
  }

  close() {
    if (this.#fd == null) return;
    fdatasyncSync(this.#fd);
    closeSync(this.#fd);
    this.#fd = null;
  }
}
