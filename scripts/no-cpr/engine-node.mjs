// The JS/WASM face of the no-CPR test: runs the plan (one run per line: FILE|flag,flag,...; flags base64, strict,
// latin1, raw, family:PATH, filter:PATH) through the npm package and prints every finding (all its properties),
// every thrown error (message and properties) and the counts. Records are counted, never printed.
// Usage: node engine-node.mjs PKG_DIR PLAN
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const [pkg, plan] = process.argv.slice(2);
const e = createRequire(import.meta.url)(pkg);
// A refusal of the plan ("refused: "; strict mode's EindkomstError is the finding that stopped it) or of the
// extra calls below ("option refused: ").
const thrown = (x, what = 'refused') => `${what}: ${x.name}: ${x.message} ${JSON.stringify({ ...x })}`;

for (const run of readFileSync(plan, 'utf8').split('\n').filter(Boolean)) {
  const [file, flags = ''] = run.split('|');
  const o = {};
  let family;
  for (const f of flags.split(',').filter(Boolean)) {
    if (f === 'base64') o.base64 = true;
    else if (f === 'strict') o.strict = true;
    else if (f === 'latin1') o.encoding = 'latin1';
    else if (f === 'raw') o.unknown = 'raw';
    else if (f.startsWith('family:')) family = readFileSync(f.slice(7), 'utf8');
    else if (f.startsWith('filter:')) o.filter = readFileSync(f.slice(7), 'utf8');
  }
  console.log(`run ${run}`);
  try {
    // The JS face takes a filter as an object: a file that is not JSON is refused here, never echoed
    // (Node's own JSON.parse message would quote the text).
    if (o.filter !== undefined) {
      try {
        o.filter = JSON.parse(o.filter);
      } catch {
        throw new SyntaxError('filter: not JSON');
      }
    }
    if (family !== undefined) o.family = e.loadFamily(family) && family;
    const { records, findings, counts } = e.decode(readFileSync(file), o);
    for (const f of findings) console.log(`finding: ${JSON.stringify(f)}`);
    console.log(`records ${records.length}; counts ${JSON.stringify(counts)}`);
  } catch (x) {
    console.log(thrown(x));
  }
}

// The streaming face and the ordered events of one damaged file.
const amounts = readFileSync(plan, 'utf8').split('\n')[0].split('|')[0];
for await (const { findings } of e.decodeStream([readFileSync(amounts)])) {
  for (const f of findings) console.log(`stream: ${JSON.stringify(f)}`);
}
const d = new e.Decoder({ unknown: 'raw' });
for (const ev of [...d.pushEvents(readFileSync(amounts)), ...d.finishEvents()]) {
  if (ev.type === 'finding') console.log(`event: ${JSON.stringify(ev)}`);
}

// Options the JS side refuses, with CPRs where they echo; values checked by a field's rules.
const cprs = readFileSync(process.env.CPRS, 'latin1').split('\n').filter((l) => /^[0-9]{10}$/.test(l));
const bad = [
  { [cprs[0]]: true },
  { variants: [`${cprs[1]}@v1`] },
  { personLayout: cprs[2] },
  { amountScale: Number(cprs[3]) },
  { filter: { [`${cprs[4].slice(0, 6)}-${cprs[4].slice(6)}`]: 1 } },
];
for (const o of bad) {
  try {
    e.decode(readFileSync(amounts), o);
    console.log('accepted (unexpected)');
  } catch (x) {
    console.log(thrown(x, 'option refused'));
  }
}
for (const v of [`${cprs[5]}x`, cprs[6]]) {
  try {
    console.log(`formatKroner: ${e.formatKroner(v) === undefined}`);
  } catch (x) {
    console.log(thrown(x, 'option refused'));
  }
}
for (const c of cprs) {
  for (const v of [c, `${c.slice(0, 6)}-${c.slice(6)}`, `${c.slice(0, 5)}O${c.slice(6)}`, `${c}1`]) {
    console.log(`check: ${JSON.stringify(e.checkField(6000, 'cpr', Buffer.from(v)))} ${JSON.stringify(e.checkField(2001, 'se', Buffer.from(v)))}`);
  }
  try {
    e.checkField(6000, c, Buffer.from(c));
  } catch (x) {
    console.log(thrown(x, 'option refused'));
  }
}
