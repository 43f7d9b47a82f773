// eindkomst from Node through the WASM package (wasm/build/pkg): the file in
// 1 MiB chunks through the streaming Decoder; the engine decodes and validates
// every field, JS counts the records and reads the amount fields of the amount
// records (exact decimal text, turned into øre), then prints the totals.
//
//   node benches/peers/node/wasm_peer.mjs FILE
import { closeSync, openSync, readSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const { Decoder } = await import(pathToFileURL(join(root, 'wasm', 'build', 'pkg', 'node', 'index.mjs')).href);

/** "-1234.56" -> -123456 (throws on anything finer than øre). */
function ore(text) {
  const neg = text.startsWith('-');
  const [int, frac] = (neg ? text.slice(1) : text).split('.');
  if (frac.length !== 2) throw new Error(`amount finer than øre: ${text}`);
  const v = Number(int) * 100 + Number(frac);
  return neg ? -v : v;
}

const records = new Map();
const sums = new Map();
function add(key, amount) {
  if (amount !== null) sums.set(key, (sums.get(key) ?? 0) + ore(amount));
}
function take(batch) {
  for (const r of batch) {
    const type = r.record;
    records.set(type, (records.get(type) ?? 0) + 1);
    switch (type) {
      case '6001':
      case '3101': {
        const f = r.fields;
        add(`${type}/${f.Feltnummer}`, f.Beloeb);
        break;
      }
      case '6102':
      case '6202':
        add(type, r.fields.Beloeb_feriepenge);
        break;
      case '6111':
        add(type, r.fields.Beloeb);
        break;
      default:
    }
  }
}

const decoder = new Decoder();
const fd = openSync(process.argv[2], 'r');
const buf = new Uint8Array(1 << 20);
for (;;) {
  const n = readSync(fd, buf, 0, buf.length, null);
  if (n === 0) break;
  take(decoder.push(buf.subarray(0, n)));
}
closeSync(fd);
take(decoder.finish());
const counts = decoder.counts;
const out = [];
for (const t of [...records.keys()].sort()) out.push(`records ${Number(t)} ${records.get(t)}`);
for (const k of [...sums.keys()].sort()) out.push(`amount ${k} ${sums.get(k)}`);
console.log(out.join('\n'));
console.error(`wasm: ${counts.lines} lines, ${counts.rejected} rejected, ${counts.errors} errors`);
if (counts.rejected > 0) process.exit(1);
