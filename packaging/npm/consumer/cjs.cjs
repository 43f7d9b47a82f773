// Node, CommonJS: `eindkomst` from node_modules (installed from the npm pack tarball).
const { readFileSync } = require('node:fs');
const { decode, version } = require('eindkomst');

const { records, counts } = decode(readFileSync(process.argv[2]));
const ore = records.filter((r) => r.record === '6001').reduce((s, r) => s + Math.round(Number(r.fields.Beloeb) * 100), 0);
console.log(`eindkomst ${version}: ${counts.decoded} records, 6001 total ${ore} øre`);
