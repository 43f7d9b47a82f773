// The Node side of benches/hosts/run.sh: the same two workloads as the native
// eindkomst/examples/hostbench.rs, through the npm package (Wasm): A with the
// event cursor (each chunk read from the file straight into Wasm memory with
// cursor.pushFrom, its batch read there in place, numbers straight from the
// bytes), B with the record objects of push() (one string per field).
//   A FILE: sum the 6001 amounts (øre) per feltnummer: "felt\tøre" lines.
//   B FILE: every field of every record as a string: "fields N chars M".
import { createReadStream, openSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { Decoder } = require(process.env.EINDKOMST_PKG);
const [work, file] = process.argv.slice(2);

const d = new Decoder();
if (work === 'A') {
  // The event cursor: each batch read in place, no object per record.
  const sums = new Float64Array(10000);
  const seen = new Uint8Array(10000);
  const c = d.cursor();
  const take = () => {
    while (c.next()) {
      if (c.recordType !== 6001) continue;
      const felt = c.feltnummer;
      sums[felt] += c.amountOre;
      seen[felt] = 1;
    }
  };
  // Each chunk read straight into Wasm memory (cursor.pushFrom): no copy through JS.
  const fd = openSync(file, 'r');
  while (c.pushFrom((target) => readSync(fd, target)) > 0) take();
  c.finish();
  take();
  let out = '';
  for (let f = 0; f < sums.length; f++) if (seen[f]) out += `${f}\t${sums[f]}\n`;
  process.stdout.write(out);
} else {
  let fields = 0;
  let chars = 0;
  const take = (records) => {
    for (let i = 0; i < records.length; i++) {
      const values = records[i].values();
      for (let j = 0; j < values.length; j++) {
        fields++;
        chars += values[j].length;
      }
    }
  };
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) take(d.push(chunk));
  take(d.finish());
  console.log(`fields ${fields} chars ${chars}`);
}
