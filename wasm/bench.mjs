// Throughput of the WASM build in Node against the native core on the same
// input: MB/s and records/s, best of RUNS, and the WASM/native ratio.
//
//   node bench.mjs [--records N] [--seed S] [--runs R] [--file PATH]
//
// Input: `eindkomst generate --records N --seed S` (default 500000 lines,
// ~24 MB), or --file, or, without the CLI, the sample repeated. Native:
// benches/examples/throughput.rs --json (release build, the same decode loop without
// JS). WASM cases:
//   validate      decode in Wasm, counts only: the core's speed under Wasm
//   decode        records as lazy JS objects (fields built on first read)
//   decode+fields every record's typed fields read (all objects built)
//   decode raw    the CLI's --raw objects, built eagerly
//   push 64 KiB   the streaming Decoder fed 64 KiB chunks (lazy records)
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, WASM_DIR, cliCanGenerate, generate, pkg, repeatSample } from './test/helpers.mjs';

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const N = Number(opt('records', 500000));
const SEED = Number(opt('seed', 1));
const RUNS = Number(opt('runs', 5));

let file = opt('file', null);
let source;
if (file) {
  source = file;
} else {
  mkdirSync(join(WASM_DIR, 'build'), { recursive: true });
  file = join(WASM_DIR, 'build', `bench-${N}-${SEED}.txt`);
  if (cliCanGenerate()) {
    writeFileSync(file, generate(N, SEED));
    source = `eindkomst generate --records ${N} --seed ${SEED}`;
  } else {
    writeFileSync(file, repeatSample(N));
    source = `sample repeated to ${N} lines (no eindkomst generate)`;
  }
}
const bytes = new Uint8Array(readFileSync(file));

// ---- native ----
execFileSync('cargo', ['build', '-q', '--release', '-p', 'eindkomst-benches', '--example', 'throughput'], {
  cwd: ROOT,
  stdio: ['ignore', 'inherit', 'inherit'],
});
const targetDir = process.env.CARGO_TARGET_DIR ?? join(ROOT, 'target');
const native = JSON.parse(
  execFileSync(join(targetDir, 'release', 'examples', 'throughput'), ['--json', file, String(RUNS)], { encoding: 'utf8' }),
);

// ---- wasm ----
function best(fn) {
  fn(); // warm-up (JIT, Wasm tier-up)
  let t = Infinity;
  let out;
  for (let i = 0; i < RUNS; i++) {
    const s = process.hrtime.bigint();
    out = fn();
    t = Math.min(t, Number(process.hrtime.bigint() - s) / 1e9);
  }
  return { secs: t, out };
}

const cases = {
  validate: () => pkg.validate(bytes).counts.decoded,
  decode: () => pkg.decode(bytes).records.length,
  'decode+fields': () => {
    const { records } = pkg.decode(bytes);
    let n = 0;
    for (const r of records) n += Object.keys(r.fields).length;
    return records.length + n * 0;
  },
  'decode raw': () => pkg.decode(bytes, { raw: true }).records.length,
  'push 64 KiB': () => {
    const d = new pkg.Decoder();
    let n = 0;
    for (let i = 0; i < bytes.length; i += 65536) n += d.push(bytes.subarray(i, i + 65536)).length;
    n += d.finish().length;
    return n;
  },
};

const rows = [];
const mb = bytes.length / 1e6;
rows.push(['native core (Rust)', native.secs, native.records]);
for (const [name, fn] of Object.entries(cases)) {
  const { secs, out } = best(fn);
  if (out !== native.records) throw new Error(`${name}: ${out} records, native ${native.records}`);
  rows.push([`wasm ${name}`, secs, out]);
}

console.log(`input: ${source}: ${bytes.length} bytes, ${native.records} records (${(bytes.length / native.records).toFixed(1)} B/record)`);
console.log(`node ${process.version}, best of ${RUNS}; wasm ${pkg.version}`);
console.log('case                      MB/s     records/s   vs native');
for (const [name, secs, recs] of rows) {
  const ratio = native.secs / secs;
  console.log(
    `${name.padEnd(22)} ${(mb / secs).toFixed(1).padStart(8)} ${(recs / secs / 1e6).toFixed(2).padStart(9)} M ${ratio.toFixed(2).padStart(8)}×`,
  );
}
const ratioOf = (n) => native.secs / rows.find((r) => r[0] === n)[1];
console.log(
  `ratio wasm/native: validate ${ratioOf('wasm validate').toFixed(2)}×, decode ${ratioOf('wasm decode').toFixed(2)}× (target ≥ 0.6×)`,
);
