// The engine's verdict on single identifiers: a CPR is checked as the employer
// family's 6000 CPR field, an SE-nr as the 2001 SE field, by the rules the
// decoder applies to those fields in a line (eindkomst's checkField).
// Warnings do not count.
import { checkField } from 'eindkomst';

function verdict(recordType, role, value) {
  if (typeof value !== 'string') return 'missing';
  const found = checkField(recordType, role, Buffer.from(value, 'latin1'));
  return found && found.severity !== 'warning' ? found.code : null;
}

/** null when the engine accepts `cpr` as a CPR number, else its finding code. */
export const cprProblem = (cpr) => verdict(6000, 'cpr', cpr);
/** null when the engine accepts `seNr` as an SE-nr, else its finding code. */
export const seNrProblem = (seNr) => verdict(2001, 'se', seNr);
