// CommonJS consumer: `require('eindkomst')` gets the same types.
import eindkomst = require('eindkomst');

const { records } = eindkomst.decode(new Uint8Array(0));
for (const r of records) if (r.record === '6001') void r.fields.Beloeb;
const d = new eindkomst.Decoder();
void d.push('x');
// @ts-expect-error no such export
void eindkomst.nope;
export {};
