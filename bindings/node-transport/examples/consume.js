// Consumes a queue and prints counts; bad messages go to files in <dead-letter-dir>:
//   node examples/consume.js amqp://user:pass@127.0.0.1:5672/%2F <queue> <dead-letter-dir>
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BeskedfordelerConsumer } from '../src/index.js';

const [url, queue, deadDir] = process.argv.slice(2);
mkdirSync(deadDir, { recursive: true });
const consumer = new BeskedfordelerConsumer({
  url, queue,
  deadLetterSink: async (l) => {
    writeFileSync(join(deadDir, `${l.messageId}.xml`), l.body, { flag: 'wx' });
    writeFileSync(join(deadDir, `${l.messageId}.error`), `${l.errorCode}\n${l.errorText}\n`);
  },
}, async (b) => {
  // Store the records durably here; resolve only when they are stored.
  console.log(`message ${b.messageId}: ${b.records.length} records`);
});
consumer.on('deadLettered', (l) => console.log(`dead letter ${l.messageId}: ${l.errorText}`));
consumer.on('duplicate', (d) => console.log(`duplicate ${d.messageId}`));
consumer.on('disconnected', (e) => console.log(`disconnected: ${e.message}`));
consumer.start();
process.on('SIGINT', () => consumer.close());
