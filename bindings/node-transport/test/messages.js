// Test messages: the sample file, envelopes around it, and the shared cases of
// testdata/beskedfordeler (the same as the Java tests use).
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';

export const ROOT = new URL('../../../', import.meta.url);
export const CASES = new URL('testdata/beskedfordeler/', ROOT);
export const sample = readFileSync(new URL('testdata/sample.txt', ROOT));
export const sampleLines = sample.toString('latin1').trimEnd().split('\n');
export const sampleTypes = sampleLines.map((l) => l.slice(7, 11));
/** The sample with a non-digit in the amount of the 6001 on line 10. */
export const damaged = Buffer.from(sample.toString('latin1').replace('0000032500000000+', '00000325X0000000+'), 'latin1');
export const wrapped = (b) => b.toString('base64').replace(/(.{76})/g, '$1\n');

/** A Haendelsesbesked valid against Beskedkuvert.xsd, with `beskeddata` as the content of Beskeddata (none when empty). */
export const envelopeWith = (beskedId, beskeddata) => '<?xml version="1.0" encoding="UTF-8"?>\n'
  + '<Haendelsesbesked xmlns="urn:oio:besked:kuvert:1.0" xmlns:sd="urn:oio:sagdok:3.0.0">'
  + `<BeskedId><sd:UUIDIdentifikator>${beskedId}</sd:UUIDIdentifikator></BeskedId><BeskedVersion>1.0</BeskedVersion>`
  + '<Beskedkuvert><Filtreringsdata><Beskedtype><sd:UUIDIdentifikator>8c3a3f3e-0b0e-4a77-9d6f-2f0a6d1c4e11</sd:UUIDIdentifikator></Beskedtype></Filtreringsdata>'
  + `<Leveranceinformation><TransaktionsId><sd:UUIDIdentifikator>${randomUUID()}</sd:UUIDIdentifikator></TransaktionsId></Leveranceinformation></Beskedkuvert>`
  + (beskeddata ? `<Beskeddata>${beskeddata}</Beskeddata>` : '')
  + '</Haendelsesbesked>';

/** With an ISO-8859-1 Base64 payload (none when null). */
export const envelope = (beskedId, base64) => envelopeWith(beskedId,
  base64 == null ? '' : `<Base64 encoding="ISO-8859-1" content-type="text/plain">${base64}</Base64>`);

/** A Base64 element with this encoding attribute (none when null). */
export const base64 = (payload, encoding) => `<Base64${encoding == null ? '' : ` encoding="${encoding}"`}>${wrapped(payload)}</Base64>`;

/** The REST body around an envelope. */
export const modtagBeskedInput = (env) => '<?xml version="1.0" encoding="UTF-8"?>\n<sts:ModtagBeskedInput xmlns:sts="urn:oio:sts:1.0.0">'
  + env.replace(/^<\?xml[^>]*>\s*/, '') + '</sts:ModtagBeskedInput>';

/** The rows of testdata/beskedfordeler/expected.tsv. */
export function cases() {
  const dash = (s) => (s === '-' ? null : s);
  return readFileSync(new URL('expected.tsv', CASES), 'utf8').split('\n').filter((l) => l && !l.startsWith('#')).map((l) => {
    const f = l.split('\t');
    return { file: f[0], channel: f[1], outcome: f[2], code: dash(f[3]), records: Number(f[4]), beskedId: dash(f[5]), reason: dash(f[6]),
      body: readFileSync(new URL(f[0], CASES)) };
  });
}
