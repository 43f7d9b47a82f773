// One poll of the delivery directory:
//   node examples/poll.js <host> <port> <user> <private-key> <host-key.pub> <work-dir>
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DailyFilePoller } from '../src/index.js';

const [host, port, username, keyFile, hostKeyFile, work] = process.argv.slice(2);
let sum = 0n;
const poller = new DailyFilePoller({
  host, port: Number(port), username, privateKey: readFileSync(keyFile),
  hostKey: Buffer.from(readFileSync(hostKeyFile, 'utf8').trim().split(' ')[1], 'base64'),
  remoteDir: 'IN', workDir: join(work, 'parts'), ledger: join(work, 'ledger.tsv'),
}, {
  begin: () => { sum = 0n; },
  // Beloeb is an exact decimal string in kroner ("32500.00", "-1250.50"): øre without floating point.
  records: (rs) => { for (const r of rs) if (r.record === '6001' && r.fields.Beloeb) sum += BigInt(r.fields.Beloeb.replace('.', '')); },
  commit: (f, c) => console.log(`${f.name}: ${c.decoded} records, 6001 total ${sum} øre`),
  abort: (f, why) => console.log(`${f.name} not taken: ${why}`),
  // Keeps nothing, so nothing was committed before a crash. A real handler stores the records and the file's
  // key in one transaction and answers this from its store (see src/sftp.js).
  committed: () => false,
});
for (const o of await poller.pollOnce()) console.log(`${o.file.name} ${o.state}${o.detail ? ` (${o.detail})` : ''}`);
