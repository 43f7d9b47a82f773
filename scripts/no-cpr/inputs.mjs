// Builds the inputs of the no-CPR test (scripts/test.d/85-no-cpr.sh): testdata/sample.txt with its persons given
// the CPRs of testdata/no-cpr/cprs.txt, damaged in every way the engine reports, with CPRs next to (and inside)
// the damage; bad families and filters with CPRs where a value is echoed (no Beskedfordeler envelopes: the
// transports are not covered). Usage: node inputs.mjs REPO OUT_DIR. Writes OUT_DIR/inputs/*, OUT_DIR/families/*
// and OUT_DIR/filters/* and prints one line per file.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const [repo, out] = process.argv.slice(2);
const cprs = readFileSync(join(repo, 'testdata/no-cpr/cprs.txt'), 'latin1')
  .split('\n')
  .filter((l) => /^[0-9]{10}$/.test(l));
const dash = (c) => `${c.slice(0, 6)}-${c.slice(6)}`;
// The sample as Latin-1 lines (no final newline entry).
const sample = readFileSync(join(repo, 'testdata/sample.txt'), 'latin1').split('\n').slice(0, -1);
const lbNr = (n) => String(n).padStart(7, '0');
const at = (line, col, text) => line.slice(0, col - 1) + text + line.slice(col - 1 + text.length);

// The sample's persons under our CPRs: 2101 (line 3, CPR at column 12), 4101 (line 7, at 46), the two 6000s
// (lines 9 and 21, at 20).
function base() {
  const l = [...sample];
  l[2] = at(l[2], 12, cprs[3]);
  l[6] = at(l[6], 46, cprs[2]);
  l[8] = at(l[8], 20, cprs[0]);
  l[20] = at(l[20], 20, cprs[1]);
  return l;
}
const renumber = (lines) => lines.map((l, i) => lbNr(i + 1) + l.slice(7));
const files = {};
const put = (dir, name, text, enc = 'latin1') => {
  mkdirSync(join(out, dir), { recursive: true });
  writeFileSync(join(out, dir, name), text, enc);
  files[`${dir}/${name}`] = true;
};
const text = (lines) => lines.join('\n') + '\n';

// 1. Damaged lines.
{
  const l = base();
  l[9] = at(l[9], 19, 'X'); // 6001 Beloeb: non-digit
  l[10] = at(l[10], 30, cprs[4]); // a CPR where an amount belongs: digits, so decoded, then ...
  l[11] = at(l[11], 16, `${cprs[5]}O`); // ... one with a letter after it: non-digit
  put('inputs', 'amounts.txt', text(l));
}
{
  const l = base();
  l[8] = at(l[8], 20, `${cprs[0].slice(0, 5)}O${cprs[0].slice(6)}`); // 6000 CPR with a letter
  l[2] = at(l[2], 12, `${cprs[3].slice(0, 6)} ${cprs[3].slice(7)}`); // 2101 CPR with a blank
  l[20] = l[20].slice(0, 19) + dash(cprs[1]) + l[20].slice(29); // 6000 CPR with its hyphen: one byte too long
  l[6] = at(l[6], 46, `${cprs[2].slice(0, 9)}\x01`); // control byte inside the 4101's CPR
  put('inputs', 'cpr-field.txt', text(l));
}
{
  const l = base();
  l[8] += cprs[6]; // too long
  l[2] = l[2].slice(0, 16); // cut inside the CPR
  l[20] = l[20].slice(0, 25); // cut inside the CPR
  l.splice(4, 0, ''); // a blank line
  l[12] = l[12].replace(/$/, '\r' + cprs[7]); // CR inside a line, a CPR after it
  put('inputs', 'lengths.txt', text(renumber(l)));
}
{
  const l = base();
  l[2] = at(l[2], 45, '20240230'); // 2101 impossible date
  l[7] = at(l[7], 45, '20251301'); // 5000 impossible date
  l[0] = at(l[0], 20, '246000'); // impossible time in the 1000
  put('inputs', 'dates.txt', text(l));
}
{
  const l = base();
  // Unknown record keys holding CPRs.
  l.splice(9, 0, `${lbNr(10)}7777${cprs[0]}${dash(cprs[4])}`, `${lbNr(11)}0000${cprs[5]}`);
  put('inputs', 'keys.txt', text(renumber(l)));
}
{
  const l = base();
  // Grammar: an orphan 6001 before any 6000, a second 1000, a line after the 9999, an Lb_nr gap, a wrong count.
  const orphan = l[9];
  l.splice(5, 0, orphan);
  l.splice(12, 0, l[0]);
  const r = renumber(l);
  r[20] = lbNr(40) + r[20].slice(7);
  r[r.length - 1] = at(r[r.length - 1], 12, '0000099');
  r.push(r[8]);
  put('inputs', 'grammar.txt', text(r));
}
{
  // The whole file in UTF-8 (TaxCardBuilder), and one with a character Latin-1 cannot hold.
  const l = base();
  put('inputs', 'utf8.txt', text(l), 'utf8');
  l[15] = l[15].replace('Overarbejde', 'Overarbejd€');
  put('inputs', 'utf8-euro.txt', text(l), 'utf8');
}
{
  // Base64 bodies: a bad character right after CPR-like digits, padding in the middle, a cut group.
  const b64 = Buffer.from(text(base()), 'latin1').toString('base64');
  const mid = 800;
  put('inputs', 'b64-bad-char.b64', `${b64.slice(0, mid)}${cprs[6]}*${b64.slice(mid)}`);
  put('inputs', 'b64-padding.b64', `${b64.slice(0, mid)}${cprs[7].slice(0, 3)}=${b64.slice(mid)}`);
  put('inputs', 'b64-truncated.b64', `${b64.slice(0, 1203)}`);
}
// Lines of another family; the whole good file (for filters and the wrong family).
put('inputs', 'good.txt', text(base()));
put('inputs', 'demo.txt', readFileSync(join(repo, 'testdata/families/demo.txt'), 'latin1').replaceAll('6101901234', cprs[3]));

// 2. Families that fail to load, with CPRs in the places their errors name.
const demo = JSON.parse(readFileSync(join(repo, 'testdata/families/demo.json'), 'utf8'));
const family = (name, change) => {
  const f = structuredClone(demo);
  change(f);
  put('families', name, JSON.stringify(f, null, 1));
};
family('bad-first.json', (f) => { f.family.first = cprs[0]; });
family('bad-role.json', (f) => { Object.values(f.records)[1].fields[1].role = cprs[1]; });
family('bad-key.json', (f) => { f.records[cprs[2]] = Object.values(f.records)[0]; });
put('families', 'bad-syntax.json', `{"family": {"name": "${cprs[3]}", "first": ${cprs[4]}x}}`);
put('families', 'bad-grammar.json', JSON.stringify({ ...demo, grammar: undefined, family: { ...demo.family, grammar: { [dash(cprs[5])]: { parents: [cprs[6]] } } } }));

// 3. Filter specs the engine refuses: a CPR where an SE-nr, a type, a felt, a period, a profile belongs.
const filters = {
  'cprs-letter.json': { cprs: [cprs[0], `${cprs[1].slice(0, 5)}O${cprs[1].slice(6)}`, `${cprs[2]}5`] },
  'se-number.json': { se_nrs: [Number(cprs[0])] },
  'se-string.json': { se_nrs: [dash(cprs[1])] },
  'types.json': { record_types: [cprs[2]] },
  'felter.json': { feltnumre: [Number(cprs[3])] },
  'period.json': { period: `${cprs[4]}..${dash(cprs[5])}` },
  'period-from.json': { period: { from: cprs[6], to: '2025-01-01' } },
  'profile.json': { profile: dash(cprs[7]) },
  'profile-record.json': { profile: { name: cprs[0], records: { [cprs[1]]: [1] } } },
  'unknown-key.json': { [cprs[2]]: [cprs[3]] },
};
for (const [name, f] of Object.entries(filters)) put('filters', name, JSON.stringify(f));
put('filters', 'syntax.json', `{"cprs": ["${cprs[4]}", ${cprs[5]}x]}`);
// A good filter that keeps one person: the others are filtered out (not errors).
put('filters', 'keep-one.json', JSON.stringify({ cprs: [dash(cprs[0])], profile: 'minimal' }));
put('inputs', 'keep-one.cprs', `# persons\n${dash(cprs[0])}\n`);
put('inputs', 'bad.cprs', `${cprs[0]}\n${cprs[1].slice(0, 9)}O\n`);

for (const f of Object.keys(files)) console.log(f);
