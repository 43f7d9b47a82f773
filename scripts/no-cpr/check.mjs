// The checker of the no-CPR test (scripts/test.d/85-no-cpr.sh). Usage: node check.mjs CPRS_FILE DIR FACE...
// Scans every file under DIR/FACE (the texts a face printed, threw, logged or dead-lettered; record output is never
// written there) and fails, naming file and line with the CPR masked (610190****), when a line holds
//   * one of the known CPRs of CPRS_FILE, with or without the hyphen (anywhere, also inside longer digit runs), or
//   * any ten-digit run (optionally DDMMYY-XXXX) shaped like a synthetic CPR: day 61-91, month 01-12.
// It also fails when a face has no scanned line at all (the test must not pass by scanning nothing).
// Prints one line per face: files and lines scanned.
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const [cprsFile, dir, ...faces] = process.argv.slice(2);
const known = readFileSync(cprsFile, 'latin1')
  .split('\n')
  .filter((l) => /^[0-9]{10}$/.test(l));
if (known.length === 0) throw new Error(`${cprsFile}: no CPR numbers`);
const needles = known.flatMap((c) => [c, `${c.slice(0, 6)}-${c.slice(6)}`]);
const synthetic = /(?<![0-9])(?:6[1-9]|[78][0-9]|9[01])(?:0[1-9]|1[0-2])[0-9]{2}-?[0-9]{4}(?![0-9])/g;
const mask = (c) => `${c.slice(0, 6)}****`;

const walk = (d) =>
  readdirSync(d).flatMap((n) => {
    const p = join(d, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });

let leaks = 0;
let empty = 0;
for (const face of faces) {
  const root = join(dir, face);
  const files = existsSync(root) ? walk(root) : [];
  let lines = 0;
  for (const file of files) {
    readFileSync(file, 'latin1')
      .split(/\r?\n|\r/)
      .forEach((line, i) => {
        if (line.trim() !== '') lines++;
        const found = new Set(needles.filter((n) => line.includes(n)));
        for (const m of line.matchAll(synthetic)) found.add(m[0]);
        for (const c of found) {
          leaks++;
          console.log(`LEAK ${file}:${i + 1}: ${mask(c)}`);
        }
      });
  }
  if (lines === 0) empty++;
  console.log(`no-cpr ${face}: ${files.length} files, ${lines} lines scanned${lines === 0 ? ' (EMPTY)' : ''}`);
}
console.log(`no-cpr: ${leaks} CPR numbers found, ${empty} faces with nothing scanned`);
process.exit(leaks === 0 && empty === 0 ? 0 : 1);
