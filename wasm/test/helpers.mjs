// Shared by the node tests, the browser test and the bench: paths, the built
// package, the CLI, a seeded PRNG and synthetic input.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const WASM_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
export const ROOT = join(WASM_DIR, '..');
export const PKG_DIR = join(WASM_DIR, 'build', 'pkg');
export const SAMPLE_PATH = join(ROOT, 'testdata', 'sample.txt');
export const SAMPLE = new Uint8Array(readFileSync(SAMPLE_PATH));

const require = createRequire(import.meta.url);
/** The package as `require('eindkomst')` sees it (Node entry, CommonJS). */
export const pkg = require(join(PKG_DIR, 'node', 'index.cjs'));

/** Deterministic PRNG (mulberry32); `SEED` env overrides the default seed. */
export function rng(seed = Number(process.env.SEED ?? 20240131)) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  next.int = (n) => Math.floor(next() * n);
  next.seed = seed;
  return next;
}

/** Splits `bytes` at `n` random points. */
export function randomSplit(bytes, r, n) {
  const cuts = new Set();
  while (cuts.size < Math.min(n, bytes.length - 1)) cuts.add(1 + r.int(bytes.length - 1));
  const sorted = [...cuts].sort((a, b) => a - b);
  const chunks = [];
  let prev = 0;
  for (const c of [...sorted, bytes.length]) {
    chunks.push(bytes.subarray(prev, c));
    prev = c;
  }
  return chunks;
}

// ---- the CLI ------------------------------------------------------------------

const cliPath = join(process.env.CARGO_TARGET_DIR ?? join(ROOT, 'target'), 'debug', 'eindkomst');
let cliState = null;

/** The CLI binary ($EINDKOMST_CLI, else built once with cargo), or null with the reason. */
export function cli() {
  if (cliState === null && process.env.EINDKOMST_CLI) cliState = { path: process.env.EINDKOMST_CLI };
  if (cliState === null) {
    try {
      execFileSync('cargo', ['build', '-q', '-p', 'eindkomst-cli'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
      cliState = existsSync(cliPath) ? { path: cliPath } : { reason: `no binary at ${cliPath}` };
    } catch (e) {
      cliState = { reason: `cargo build -p eindkomst-cli failed: ${String(e.stderr || e.message).slice(0, 400)}` };
    }
  }
  return cliState.path ? cliState.path : null;
}

export function cliReason() {
  cli();
  return cliState.reason;
}

/** Runs the CLI; returns {stdout, stderr, status} (stdout as Buffer). */
export function runCli(args, input) {
  try {
    const stdout = execFileSync(cli(), args, {
      input,
      maxBuffer: 1 << 30,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    return { stdout, stderr: '', status: 0 };
  } catch (e) {
    if (e.status === undefined || e.status === null) throw e;
    return { stdout: e.stdout, stderr: String(e.stderr), status: e.status };
  }
}

/** Whether the CLI has `generate`. */
export function cliCanGenerate() {
  if (!cli()) return false;
  return runCli(['generate', '--help']).status === 0;
}

/** `eindkomst generate --records n --seed s [...extra]` as bytes. */
export function generate(records, seed, extra = []) {
  const r = runCli(['generate', '--records', String(records), '--seed', String(seed), ...extra]);
  if (r.status !== 0) throw new Error(`eindkomst generate failed: ${r.stderr}`);
  return new Uint8Array(r.stdout);
}

/** NDJSON → objects. */
export function ndjson(buf) {
  return String(buf)
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l));
}

// ---- synthetic input without the CLI --------------------------------------------

/**
 * A valid file of about `lines` lines made from the sample: its 1000, then
 * the block 2001..8001 repeated with Lb_nr renumbered, then a 9999 with the
 * right count. Used when the CLI cannot generate (and by the bench as a
 * second input shape).
 */
export function repeatSample(lines) {
  const text = latin1(SAMPLE);
  const all = text.split('\n').filter((l) => l.length > 0);
  const head = all[0];
  const block = all.slice(1, -1);
  const out = [head];
  while (out.length + block.length < lines - 1 || out.length === 1) {
    for (const l of block) out.push(l);
  }
  const renumbered = out.map((l, i) => String(i + 1).padStart(7, '0') + l.slice(7));
  const n = renumbered.length + 1;
  renumbered.push(String(n).padStart(7, '0') + '9999' + String(n).padStart(7, '0'));
  const s = renumbered.join('\n') + '\n';
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  return bytes;
}

/** ISO-8859-1 bytes → string (one char per byte). */
export function latin1(bytes) {
  let s = '';
  for (let i = 0; i < bytes.length; i += 8192) s += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return s;
}
