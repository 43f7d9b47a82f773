// Daily-file poller over SFTP (ssh2), the same rules as the Java module:
// completion by <name>.metadata (SizeInBytes, Recipients) or, optionally, a size
// and mtime unchanged over two polls; the file is streamed through the engine
// (never held in memory) while the received bytes are appended to a local
// <key>.part, so a broken transfer resumes from the part on the next poll; the
// handler works as a transaction (begin, records, commit | abort); a ledger
// (append-only, fsynced) records COMMITTING before the commit and DONE after
// it, or DAMAGED; the file and its metadata are removed (or moved) on the
// server only after DONE.
//
// Crashes: the process may die anywhere; the next poll goes on from what is on
// disk, and a file's records are committed exactly once if the handler keeps
// its part: commit(file) stores the records and ledgerKey(file) in one atomic step
// (whatever was not committed is gone after a crash), and committed(file)
// answers from that store. Before it decodes a file that is not DONE, the
// poller asks committed(file): yes (a crash between the commit and DONE, or a
// lost ledger), the file is only marked done and removed; no, it is decoded
// (again: records() may see a record twice, begin() comes first).
// A full local disk: writing the part breaks the transfer off (INTERRUPTED,
// the part kept, the handler aborted); a ledger line that cannot be written
// makes pollOnce() reject before anything depends on it. The file stays on
// the server; the next poll after space is freed takes it from there.
import { Client } from 'ssh2';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readFileSync, statSync, unlinkSync, openSync, writeSync, fsyncSync, closeSync, ftruncateSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { DOMParser } from '@xmldom/xmldom';
import { decodeStream } from 'eindkomst';
import { hashedId, maskCprLike } from './redact.js';

/** Parses <name>.metadata (FileMetadata or Trigger root, any namespace). */
export function readMetadata(xml) {
  // Only our own reasons, masked: xmldom's messages quote the document, also when it rethrows what onError
  // threw (found by test/xml-fuzz.js).
  let doc;
  try {
    doc = new DOMParser({ onError: (level, msg) => { if (level !== 'warning') throw new Error(msg); } }).parseFromString(xml, 'text/xml');
  } catch {
    throw new Error('metadata is not well-formed XML');
  }
  const root = doc.documentElement;
  if (!root || !['FileMetadata', 'Trigger'].includes(root.localName)) throw new Error(maskCprLike(`root is ${root?.localName}`));
  const all = (local) => Array.from(root.getElementsByTagNameNS('*', local)).map((e) => e.textContent.trim());
  const size = all('SizeInBytes')[0];
  if (size == null || !/^[0-9]+$/.test(size)) throw new Error('no SizeInBytes');
  return { fileTransferUuid: all('FileTransferUUID')[0] ?? null, sizeInBytes: Number(size), recipients: [...all('Recipients'), ...all('Recipient')].filter(Boolean) };
}

/**
 * A file's ledger key: its FileTransferUUID, else name, size and mtime; an id with a CPR-like run stands there
 * hashed (hashedId). As Java's DailyFile.key().
 */
export const ledgerKey = (f) => (f.fileTransferUuid != null ? hashedId(f.fileTransferUuid) : `${hashedId(f.name)}:${f.size}:${f.mtime}`);

/** The ledger key as it stands in a local file name (the part; a handler's store may use it too). */
export const safeKey = (f) => ledgerKey(f).replace(/[^A-Za-z0-9._-]/g, '_');

/** Writes all of `buf` (writeSync may write less than asked). */
function writeAll(fd, buf) {
  for (let at = 0; at < buf.length;) at += writeSync(fd, buf, at, buf.length - at);
}

/**
 * The processed-files ledger: one line per decision (state TAB key TAB name TAB size TAB sha256; states
 * COMMITTING, DONE, DAMAGED), fsynced before the poller acts on it; the last line for a key wins. A line is
 * whole or absent: a write that fails (a full disk) is cut off again, and a last line without its line end
 * (the process died while writing it) is dropped when the ledger is opened.
 */
class Ledger {
  #path;
  #state = new Map();
  constructor(path) {
    this.#path = path;
    if (existsSync(path)) {
      const all = readFileSync(path);
      const end = all.lastIndexOf(0x0a) + 1;
      if (end < all.length) truncateSync(path, end);
      for (const line of all.subarray(0, end).toString('utf8').split('\n')) {
        const [state, key] = line.split('\t');
        if (key) this.#state.set(key, state);
      }
    }
  }
  state(key) { return this.#state.get(key) ?? null; }
  record(state, file, sha256) {
    const fd = openSync(this.#path, 'a');
    try {
      const before = statSync(this.#path).size;
      try {
        // The name masked: it is for people reading the ledger (the key identifies the file).
        writeAll(fd, Buffer.from(`${state}\t${ledgerKey(file)}\t${maskCprLike(file.name)}\t${file.size}\t${sha256}\n`));
        fsyncSync(fd);
      } catch (err) {
        ftruncateSync(fd, before);
        throw new Error(maskCprLike(`ledger ${this.#path}: cannot record ${state} for ${file.name}: ${err.message}`), { cause: err });
      }
    } finally { closeSync(fd); }
    this.#state.set(ledgerKey(file), state);
  }
}

/** The local part could not be written (a full disk): not the server's fault. */
class PartNotWritten extends Error {
  constructor(part, cause) {
    super(`cannot write partial download ${part}: ${cause.message}`, { cause });
    this.name = 'PartNotWritten';
  }
}

const p = (fn) => new Promise((resolve, reject) => fn((err, v) => (err ? reject(err) : resolve(v))));

/**
 * config: { host, port, username, privateKey (Buffer), hostKey (Buffer: the pinned server key blob),
 *   remoteDir ('IN'), workDir, ledger (path), doneDir (remote dir or null = delete), stableSize (bool) }.
 * handler: { begin(file), records(array), commit(file, counts), abort(file, reason), committed(file) } (may be
 *   async); commit stores the records with ledgerKey(file) atomically, committed(file) tells whether it did (see
 *   the top of this file).
 * pollOnce() resolves [{ file, state, resumedFrom, detail }], state one of DONE, ALREADY_DONE, IN_FLIGHT,
 * DAMAGED, INTERRUPTED, NOT_FOR_US.
 */
export class DailyFilePoller {
  #config;
  #handler;
  #ledger;
  #lastSeen = new Map();

  constructor(config, handler) {
    this.#config = { remoteDir: 'IN', doneDir: null, stableSize: false, ...config };
    this.#handler = handler;
    mkdirSync(this.#config.workDir, { recursive: true });
    this.#ledger = new Ledger(this.#config.ledger);
  }

  async pollOnce() {
    const c = this.#config;
    const conn = new Client();
    await new Promise((resolve, reject) => {
      conn.once('ready', resolve).once('error', reject).connect({
        host: c.host, port: c.port, username: c.username, privateKey: c.privateKey, readyTimeout: 10000,
        hostVerifier: (key) => Buffer.isBuffer(c.hostKey) && key.equals(c.hostKey),
      });
    });
    conn.on('error', () => {}); // a dropped connection shows up as a failed read
    try {
      const sftp = await p((cb) => conn.sftp(cb));
      const list = (await p((cb) => sftp.readdir(c.remoteDir, cb)))
        .filter((e) => (e.attrs.mode & 0o170000) === 0o100000)
        .sort((a, b) => (a.filename < b.filename ? -1 : 1));
      const names = new Set(list.map((e) => e.filename));
      const outcomes = [];
      for (const e of list) {
        const n = e.filename;
        if (n.endsWith('.metadata') && !names.has(n.slice(0, -9))) {
          await this.#removeIfDone(sftp, n);
          continue;
        }
        if (n.startsWith('.') || /\.(metadata|trigger|sftpreceipt)$/.test(n)) continue;
        outcomes.push(await this.#process(sftp, e, names.has(`${n}.metadata`)));
      }
      return outcomes;
    } finally {
      conn.end();
    }
  }

  #remote(name) { return `${this.#config.remoteDir}/${name}`; }

  async #process(sftp, e, hasMetadata) {
    const name = e.filename;
    const size = e.attrs.size;
    const mtime = e.attrs.mtime;
    // The detail masked: it may name the file, and a file name may hold a CPR.
    const out = (file, state, detail = null, resumedFrom = 0) => ({ file, state, resumedFrom, detail: maskCprLike(detail) });
    let file;
    if (hasMetadata) {
      let m;
      try {
        m = readMetadata((await p((cb) => sftp.readFile(this.#remote(`${name}.metadata`), cb))).toString('utf8'));
      } catch (err) {
        return out({ name, size, mtime, fileTransferUuid: null }, 'IN_FLIGHT', `metadata not readable yet (${err.code === 2 ? 'gone' : 'not parsable'})`);
      }
      file = { name, size, mtime, fileTransferUuid: m.fileTransferUuid };
      if (m.recipients.length && !m.recipients.includes(this.#config.username)) return out(file, 'NOT_FOR_US', 'metadata names other recipients');
      if (await this.#done(sftp, file)) return out(file, 'ALREADY_DONE');
      if (this.#ledger.state(ledgerKey(file)) === 'DAMAGED') return out(file, 'DAMAGED', 'damaged before (see ledger)');
      if (size < m.sizeInBytes) return out(file, 'IN_FLIGHT', `${size} of ${m.sizeInBytes} bytes`);
      if (size > m.sizeInBytes) {
        this.#ledger.record('DAMAGED', file, '-');
        return out(file, 'DAMAGED', `size ${size} exceeds SizeInBytes ${m.sizeInBytes}`);
      }
    } else {
      file = { name, size, mtime, fileTransferUuid: null };
      if (await this.#done(sftp, file)) return out(file, 'ALREADY_DONE');
      if (this.#ledger.state(ledgerKey(file)) === 'DAMAGED') return out(file, 'DAMAGED', 'damaged before (see ledger)');
      const before = this.#lastSeen.get(name);
      this.#lastSeen.set(name, [size, mtime]);
      if (!this.#config.stableSize) return out(file, 'IN_FLIGHT', `waiting for ${name}.metadata`);
      if (!before || before[0] !== size || before[1] !== mtime) return out(file, 'IN_FLIGHT', 'size not yet stable');
    }
    return this.#fetchAndDecode(sftp, file);
  }

  /**
   * True when the file is done: DONE in the ledger, or the handler has it committed (the process died
   * between the handler's commit and DONE, or the ledger was lost). Then it is (again) removed from the
   * server. The handler is asked before every decode, so its store, not the ledger, decides.
   */
  async #done(sftp, file) {
    const state = this.#ledger.state(ledgerKey(file));
    if (state === 'DAMAGED') return false;
    if (state !== 'DONE') {
      if (!(await this.#handler.committed(file))) return false;
      this.#ledger.record('DONE', file, '-');
    }
    await this.#cleanUp(sftp, file);
    return true;
  }

  /** A metadata file whose data file is gone (removed just before a crash): removed too once its file is DONE. */
  async #removeIfDone(sftp, name) {
    let uuid;
    try {
      uuid = readMetadata((await p((cb) => sftp.readFile(this.#remote(name), cb))).toString('utf8')).fileTransferUuid;
    } catch {
      return;
    }
    if (uuid == null || this.#ledger.state(hashedId(uuid)) !== 'DONE') return;
    await this.#removeRemote(sftp, name);
  }

  #part(file) { return join(this.#config.workDir, `${safeKey(file)}.part`); }

  async #fetchAndDecode(sftp, file) {
    const h = this.#handler;
    const part = this.#part(file);
    let have = existsSync(part) ? statSync(part).size : 0;
    if (have > file.size) { unlinkSync(part); have = 0; }
    const sha = createHash('sha256');
    let total = 0;
    const remotePath = this.#remote(file.name);
    const fd = openSync(part, 'a');
    // The local part first (read to its end before anything is appended), then the rest from the server, copied into the part.
    async function* bytes() {
      if (have > 0) for await (const chunk of createReadStream(part, { start: 0, end: have - 1 })) { sha.update(chunk); total += chunk.length; yield chunk; }
      if (have < file.size) {
        for await (const chunk of sftp.createReadStream(remotePath, { start: have })) {
          try { writeAll(fd, chunk); } catch (err) { throw new PartNotWritten(part, err); }
          sha.update(chunk);
          total += chunk.length;
          yield chunk;
        }
      }
    }
    let bad = null;
    let counts;
    let handlerFailed = false;
    const user = async (fn) => { try { return await fn(); } catch (err) { handlerFailed = true; throw err; } };
    try {
      await user(() => h.begin(file));
      const stream = decodeStream(bytes());
      for await (const batch of stream) {
        if (!bad) bad = batch.findings.find((f) => f.kind !== 'warning') ?? null;
        if (batch.records.length) await user(() => h.records(batch.records));
      }
      counts = stream.counts;
    } catch (err) {
      try { fsyncSync(fd); } catch { /* what was written is kept; the part stays a prefix of the file */ }
      closeSync(fd);
      const why = handlerFailed ? `handler failed: ${err?.name}` : err instanceof PartNotWritten ? err.message : `transfer broke off: ${err?.message}`;
      await h.abort(file, why);
      return { file, state: 'INTERRUPTED', resumedFrom: have, detail: why };
    }
    try {
      fsyncSync(fd);
    } catch (err) {
      const why = new PartNotWritten(part, err).message;
      await h.abort(file, why);
      return { file, state: 'INTERRUPTED', resumedFrom: have, detail: why };
    } finally {
      closeSync(fd);
    }
    if (total < file.size) {
      const why = `transfer broke off after ${total} of ${file.size} bytes`;
      await h.abort(file, why);
      return { file, state: 'INTERRUPTED', resumedFrom: have, detail: why };
    }
    const hash = sha.digest('hex');
    if (bad || total !== file.size) {
      const why = bad ? `${bad.kind}: ${bad.message}` : `read ${total} bytes, expected ${file.size}`;
      await h.abort(file, why);
      this.#ledger.record('DAMAGED', file, hash);
      unlinkSync(part);
      return { file, state: 'DAMAGED', resumedFrom: have, detail: why };
    }
    try {
      this.#ledger.record('COMMITTING', file, hash);
    } catch (err) {
      await h.abort(file, 'ledger not writable');
      throw err;
    }
    try {
      await h.commit(file, counts);
    } catch (err) {
      // COMMITTING stays: the next poll asks the handler whether the commit took effect after all.
      await h.abort(file, `commit failed: ${err?.name}`);
      return { file, state: 'INTERRUPTED', resumedFrom: have, detail: 'commit failed' };
    }
    this.#ledger.record('DONE', file, hash);
    await this.#cleanUp(sftp, file);
    return { file, state: 'DONE', resumedFrom: have, detail: null };
  }

  /**
   * Removes the local part, then removes (or moves) the file and its metadata on the server. In this order
   * a crash in between leaves the server's file, so the next poll finds it DONE and cleans up again; the
   * other way round the part would be left behind for good.
   */
  async #cleanUp(sftp, file) {
    if (existsSync(this.#part(file))) unlinkSync(this.#part(file));
    for (const n of [file.name, `${file.name}.metadata`]) await this.#removeRemote(sftp, n);
  }

  async #removeRemote(sftp, n) {
    try {
      if (this.#config.doneDir) await p((cb) => sftp.rename(this.#remote(n), `${this.#config.doneDir}/${n}`, cb));
      else await p((cb) => sftp.unlink(this.#remote(n), cb));
    } catch (err) {
      if (err.code !== 2) throw err; // 2 = no such file
    }
  }
}
