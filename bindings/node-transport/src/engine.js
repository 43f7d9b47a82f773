// The engine's verdict on single identifiers. The engine has no call for one
// identifier, so it is written into a synthetic, otherwise valid file (a CPR
// into the 6000's Person_CPR_nr, an SE-nr into the 2001's Virksomhed_SE_nr)
// and the file is validated; a finding on that field is the verdict.
import { readFileSync } from 'node:fs';
import { validate } from 'eindkomst';

const probe = readFileSync(new URL('./identifier-probe.txt', import.meta.url));
const lineStart = (n) => {
  let at = 0;
  for (let l = 1; l < n; l++) at = probe.indexOf(0x0a, at) + 1;
  return at;
};
const CPR = { at: lineStart(9) + 19, len: 10, field: 'Person_CPR_nr' };
const SE = { at: lineStart(2) + 27, len: 8, field: 'Virksomhed_SE_nr' };

function verdict(bytes, field) {
  const { findings } = validate(bytes);
  const bad = findings.find((f) => f.kind !== 'warning');
  if (!bad) return null;
  return !field || bad.fieldName === field ? bad.code : `record_rejected:${bad.code}`;
}

if (verdict(probe, null) !== null) throw new Error('identifier probe is not clean');

function check(value, { at, len, field }) {
  if (typeof value !== 'string') return 'missing';
  if (value.length !== len) return 'wrong_length';
  const file = Buffer.from(probe);
  file.write(value, at, len, 'latin1');
  return verdict(file, field);
}

/** null when the engine accepts `cpr` as a CPR number, else its finding code. */
export const cprProblem = (cpr) => check(cpr, CPR);
/** null when the engine accepts `seNr` as an SE-nr, else its finding code. */
export const seNrProblem = (seNr) => check(seNr, SE);
