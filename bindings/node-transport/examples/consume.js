// Consumes a queue and prints counts; the ledger is <state-dir>/ledger, bad messages go to files in <state-dir>/dead:
//   node examples/consume.js amqp://user:pass@127.0.0.1:5672/%2F <queue> <state-dir>
import { join } from 'node:path';
import { BeskedfordelerConsumer, Ledger, directoryDeadLetterSink } from '../src/index.js';

const [url, queue, stateDir] = process.argv.slice(2);
const ledger = new Ledger(join(stateDir, 'ledger'));
const consumer = new BeskedfordelerConsumer({ url, queue, ledger, deadLetterSink: directoryDeadLetterSink(join(stateDir, 'dead')) }, async (b) => {
  // Store the records durably here; resolve only when they are stored. After a crash inside this function the
  // message comes again with b.interrupted set: look for b.beskedId in your store.
  console.log(`besked ${b.beskedId} (attempt ${b.attempt}): ${b.records.length} records`);
});
consumer.on('deadLettered', (l) => console.log(`dead letter ${l.key}: ${l.errorText}`));
consumer.on('duplicate', (d) => console.log(`duplicate ${d.beskedId}`));
consumer.on('disconnected', (e) => console.log(`disconnected: ${e.message}`));
consumer.start();
process.on('SIGINT', async () => { await consumer.close(); ledger.close(); });
