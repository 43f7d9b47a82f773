// The REST push channel of Beskedfordeler (BeskedFåTilsendt,
// "IndkomstindberetningBeskedModtag"): an HTTPS endpoint with mutual TLS (TLS
// 1.2 by default; a client certificate the `ca` option does not accept is
// refused in the handshake) that takes POST <path> with a ModtagBeskedInput
// and answers HTTP 200 with a ModtagBeskedOutput whose StandardRetur/StatusKode
// tells Beskedfordeler what to do (the same table as the Java module):
//   20  handled, a duplicate of a settled BeskedId, or dead-lettered (schema-
//       invalid input, no BeskedId, bad payload, handler out of attempts)
//       → Beskedfordeler removes the message from the dueslag
//   40  the handler failed with attempts left, or the dead-letter sink failed
//       → Beskedfordeler pauses and retries the same message (FIFO)
//   51  a POST to another path → delivery stops
//   53  closing, the ledger cannot be written, or the body is too large → delivery stops
//   55  a ModtagBeskedInput in another namespace than urn:oio:sts:1.0.0
//       (Assumption: a new interface version has a new namespace) → delivery stops
// Messages go one at a time through BeskedReceiver with the same ledger (may
// be shared with the AMQP consumer) and handler interface as the AMQP channel.
import { createServer } from 'node:https';
import { EventEmitter } from 'node:events';
import { BeskedReceiver, BodyForm, STS } from './beskedfordeler.js';

const xmlText = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The answer Beskedfordeler reads (sts:ModtagBeskedOutput with sd:StandardRetur). */
export function modtagBeskedOutput(statusKode, fejlbeskedTekst) {
  return '<?xml version="1.0" encoding="UTF-8"?>\n'
    + '<sts:ModtagBeskedOutput xmlns:sts="urn:oio:sts:1.0.0" xmlns:sd="urn:oio:sagdok:3.0.0">'
    + `<sd:StandardRetur><sd:StatusKode>${statusKode}</sd:StatusKode>`
    + (fejlbeskedTekst == null ? '' : `<sd:FejlbeskedTekst>${xmlText(fejlbeskedTekst)}</sd:FejlbeskedTekst>`)
    + '</sd:StandardRetur></sts:ModtagBeskedOutput>\n';
}

/** The first element of the body is a ModtagBeskedInput in a namespace other than ours (a cheap look, no parse). */
function otherVersion(body) {
  const head = body.subarray(0, 4096).toString('utf8');
  const m = /<([A-Za-z_][\w.-]*:)?ModtagBeskedInput\b([^>]*)>/.exec(head);
  if (!m) return false;
  const prefix = m[1] ? m[1].slice(0, -1) : null;
  const ns = new RegExp(`xmlns${prefix ? `:${prefix}` : ''}\\s*=\\s*["']([^"']*)["']`).exec(m[2]);
  return ns != null && ns[1] !== STS;
}

/**
 * config: { host = '127.0.0.1', port (production 443; 0 = any), key, cert (the endpoint's certificate, the one
 *   registered in Administrationsmodul), ca (trusts only Beskedfordeler's certificate), path = '/ModtagBesked',
 *   minVersion = 'TLSv1.2', maxVersion = 'TLSv1.2', ledger, deadLetterSink: async (letter) => void,
 *   maxAttempts = 5, maxBodyBytes = 64 MiB }
 * handler: async (besked) => void, the same as the AMQP consumer's.
 * Events: 'handled' (besked), 'duplicate', 'deadLettered' (letter), 'handlerFailed' ({messageId, error}).
 */
export class ModtagBeskedServer extends EventEmitter {
  #config;
  #receiver;
  #server = null;
  #chain = Promise.resolve();
  #closing = false;

  constructor(config, handler) {
    super();
    if (!config.deadLetterSink) throw new TypeError('deadLetterSink is required');
    this.#config = { host: '127.0.0.1', path: '/ModtagBesked', minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', maxBodyBytes: 64 << 20, ...config };
    this.#receiver = new BeskedReceiver({ ledger: config.ledger, handler, maxAttempts: config.maxAttempts ?? 5, emit: (e, p) => this.emit(e, p) });
  }

  /** Starts listening; resolves to the port. */
  async start() {
    const c = this.#config;
    this.#server = createServer({ key: c.key, cert: c.cert, ca: c.ca, requestCert: true, rejectUnauthorized: true,
      minVersion: c.minVersion, maxVersion: c.maxVersion }, (req, res) => this.#exchange(req, res));
    this.#server.on('tlsClientError', () => {}); // a refused handshake is the client's problem
    await new Promise((resolve, reject) => { this.#server.once('error', reject); this.#server.listen(c.port ?? 0, c.host, resolve); });
    return this.port;
  }

  get port() { return this.#server.address().port; }

  /** Stops: requests from now on are answered 53; the running one finishes. */
  async close() {
    this.#closing = true;
    await new Promise((resolve) => { this.#server.close(() => resolve()); this.#server.closeIdleConnections?.(); });
    await this.#chain;
  }

  #exchange(req, res) {
    const answer = (statusKode, text) => {
      const out = Buffer.from(modtagBeskedOutput(statusKode, text), 'utf8');
      res.writeHead(200, { 'Content-Type': 'application/xml; charset=UTF-8', 'Content-Length': out.length });
      res.end(out);
    };
    if (req.method !== 'POST') { res.writeHead(405, { Allow: 'POST' }); res.end(); return; }
    const chunks = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (d) => { size += d.length; if (size > this.#config.maxBodyBytes) tooLarge = true; else chunks.push(d); });
    req.on('end', () => {
      if (new URL(req.url, 'https://x').pathname !== this.#config.path) return answer(51, `no such operation; use POST ${this.#config.path}`);
      if (tooLarge) return answer(53, `message larger than ${this.#config.maxBodyBytes} bytes`);
      if (this.#closing) return answer(53, 'receiver is stopping');
      const body = Buffer.concat(chunks);
      if (otherVersion(body)) return answer(55, `ModtagBeskedInput of another interface version; this receiver implements ${STS}`);
      // One message at a time, in arrival order.
      this.#chain = this.#chain.then(async () => {
        const r = await this.#receiver.receive(body, { form: BodyForm.MODTAG_BESKED_INPUT, sink: this.#config.deadLetterSink });
        if (r.outcome === 'handled' || r.outcome === 'duplicate') answer(20);
        else if (r.outcome === 'deadLettered') answer(20, `not handed to the receiving system, kept as a dead letter: ${r.code}`);
        else if (r.outcome === 'retry') answer(40, r.text);
        else answer(53, r.text);
      }).catch(() => { if (!res.headersSent) answer(53, 'the receiver failed'); });
    });
  }
}
