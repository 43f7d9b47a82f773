// Beskedfordeler consumer over AMQP 0-9-1 (amqplib), the same rules as the
// Java module: manual ack only after the handler resolved; the Base64 payload of
// Beskeddata is decoded by the engine; bad messages go to the dead-letter target
// with the error attached and are acked only after that is stored; a handler
// failure releases the message (nack + requeue) after a delay; message ids and
// BeskedIds already handled are reported as duplicates and acked; a lost
// connection is re-made after a delay (unacked messages come back).
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import amqp from 'amqplib';
import { DOMParser } from '@xmldom/xmldom';
import { decodeBase64 } from 'eindkomst';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Reads BeskedId and the Beskeddata/Base64 texts (any namespace). Throws on a body that is not a Haendelsesbesked. */
export function readEnvelope(body) {
  const text = body.toString('utf8');
  if (/<!DOCTYPE/i.test(text)) throw new Error('DTD not allowed');
  let doc;
  try {
    doc = new DOMParser({ onError: (level) => { if (level !== 'warning') throw new Error('stop'); } }).parseFromString(text, 'text/xml');
  } catch {
    throw new Error('not well-formed XML'); // the parser's own message may quote the body (personal data)
  }
  const root = doc.documentElement;
  if (!root || root.localName !== 'Haendelsesbesked') throw new Error(`root element is ${root?.localName}, not Haendelsesbesked`);
  const kids = (p, local) => Array.from(p?.childNodes ?? []).filter((n) => n.nodeType === 1 && (local == null || n.localName === local));
  const idLeaf = kids(kids(root, 'BeskedId')[0])[0];
  const base64 = kids(root, 'Beskeddata').flatMap((d) => kids(d, 'Base64')).map((e) => e.textContent);
  return { beskedId: idLeaf ? idLeaf.textContent.trim() : null, base64 };
}

/**
 * config: { url (amqp[s]://host:port/vhost, vhost BF for Beskedfordeler), socketOptions (TLS key/cert/ca),
 *   externalToken: () => Buffer | Promise<Buffer> (SASL EXTERNAL response, e.g. StsClient.amqpToken(entityId)) | undefined,
 *   queue, prefetch = 1, reconnectDelayMs = 1000, handlerRetryDelayMs = 1000,
 *   deadLetterQueue (name) | deadLetterSink: async (letter) => void, rememberedIds = 100000 }
 * handler: async (besked) => void, besked = { messageId, beskedId, redelivered, records, warnings }.
 * Events: 'connected', 'disconnected' (err), 'duplicate' ({messageId, beskedId, redelivered}),
 *   'deadLettered' (letter), 'handlerFailed' ({messageId, error}).
 */
export class BeskedfordelerConsumer extends EventEmitter {
  #config;
  #handler;
  #seen = new Set();
  #closed = false;
  #connection = null;
  #loop = null;

  constructor(config, handler) {
    super();
    if ((config.deadLetterQueue == null) === (config.deadLetterSink == null)) throw new TypeError('set exactly one of deadLetterQueue and deadLetterSink');
    this.#config = { prefetch: 1, reconnectDelayMs: 1000, handlerRetryDelayMs: 1000, rememberedIds: 100000, ...config };
    this.#handler = handler;
  }

  /** Starts consuming in the background. */
  start() {
    this.#loop = this.#run();
  }

  /** Stops; an unacked message stays on the queue. */
  async close() {
    this.#closed = true;
    this.#wake?.();
    try { await this.#connection?.close(); } catch { /* gone already */ }
    await this.#loop;
  }

  #wake = null;

  async #run() {
    const c = this.#config;
    while (!this.#closed) {
      try {
        const socketOptions = { ...(c.socketOptions ?? {}) };
        // Awaited before each connect, so a token from the STS (StsClient.amqpToken) is fetched or renewed then.
        const token = c.externalToken ? await c.externalToken() : null;
        if (token) socketOptions.credentials = { mechanism: 'EXTERNAL', response: () => token };
        const conn = await amqp.connect(c.url, socketOptions);
        this.#connection = conn;
        const lost = new Promise((resolve) => { this.#wake = resolve; conn.on('close', resolve); conn.on('error', () => {}); });
        const ch = await conn.createChannel();
        ch.on('error', () => {});
        await ch.prefetch(c.prefetch);
        const dead = c.deadLetterQueue ? await conn.createConfirmChannel() : null;
        dead?.on('error', () => {});
        // amqplib calls the callback without awaiting it; a chain keeps messages in order.
        let chain = Promise.resolve();
        await ch.consume(c.queue, (msg) => { if (msg) chain = chain.then(() => this.#deliver(ch, dead, msg)); }, { noAck: false });
        this.emit('connected');
        const why = await lost;
        if (!this.#closed) this.emit('disconnected', why instanceof Error ? why : new Error('connection closed'));
      } catch (e) {
        if (!this.#closed) this.emit('disconnected', e);
      } finally {
        const conn = this.#connection;
        this.#connection = null;
        try { await conn?.close(); } catch { /* closing anyway */ }
      }
      if (!this.#closed) await sleep(c.reconnectDelayMs);
    }
  }

  #remember(...keys) {
    for (const k of keys) {
      if (k == null) continue;
      this.#seen.add(k);
      if (this.#seen.size > this.#config.rememberedIds) this.#seen.delete(this.#seen.values().next().value);
    }
  }

  async #deliver(ch, dead, msg) {
    const redelivered = msg.fields.redelivered;
    const messageId = msg.properties.messageId ?? `sha256:${createHash('sha256').update(msg.content).digest('hex')}`;
    const ack = () => { try { ch.ack(msg); } catch { /* channel gone: the broker redelivers, the id makes it a duplicate */ } };
    if (this.#seen.has(`m:${messageId}`)) {
      this.emit('duplicate', { messageId, beskedId: null, redelivered });
      return ack();
    }
    let env;
    try {
      env = readEnvelope(msg.content);
    } catch (e) {
      return this.#deadLetter(ch, dead, msg, { messageId, beskedId: null, body: msg.content, errorCode: 'bad_envelope', errorText: e.message });
    }
    if (env.beskedId != null && this.#seen.has(`b:${env.beskedId}`)) {
      this.emit('duplicate', { messageId, beskedId: env.beskedId, redelivered });
      this.#remember(`m:${messageId}`);
      return ack();
    }
    if (env.base64.length === 0) {
      return this.#deadLetter(ch, dead, msg, { messageId, beskedId: env.beskedId, body: msg.content, errorCode: 'no_payload', errorText: 'no Beskeddata/Base64 element' });
    }
    const records = [];
    const warnings = [];
    for (const [i, b64] of env.base64.entries()) {
      const { records: r, findings } = decodeBase64(b64);
      const bad = findings.find((f) => f.kind !== 'warning');
      if (bad) {
        const where = env.base64.length > 1 ? `payload ${i + 1}: ` : '';
        return this.#deadLetter(ch, dead, msg, { messageId, beskedId: env.beskedId, body: msg.content, errorCode: bad.code, errorText: `${where}${bad.kind}: ${bad.message}` });
      }
      records.push(...r);
      warnings.push(...findings);
    }
    try {
      await this.#handler({ messageId, beskedId: env.beskedId, redelivered, records, warnings });
    } catch (e) {
      this.emit('handlerFailed', { messageId, error: e });
      return this.#release(ch, msg);
    }
    this.#remember(`m:${messageId}`, env.beskedId == null ? null : `b:${env.beskedId}`);
    return ack();
  }

  async #deadLetter(ch, dead, msg, letter) {
    try {
      if (dead) {
        const headers = { 'x-eindkomst-error-code': letter.errorCode, 'x-eindkomst-error': letter.errorText, 'x-eindkomst-source-queue': this.#config.queue };
        if (letter.beskedId != null) headers['x-eindkomst-besked-id'] = letter.beskedId;
        dead.sendToQueue(this.#config.deadLetterQueue, letter.body, { messageId: letter.messageId, persistent: true, contentType: 'application/xml', headers });
        await dead.waitForConfirms();
      } else {
        await this.#config.deadLetterSink(letter);
      }
    } catch (e) {
      this.emit('handlerFailed', { messageId: letter.messageId, error: e });
      return this.#release(ch, msg);
    }
    this.#remember(`m:${letter.messageId}`, letter.beskedId == null ? null : `b:${letter.beskedId}`);
    this.emit('deadLettered', letter);
    try { ch.ack(msg); } catch { /* redelivered later, then a duplicate */ }
  }

  async #release(ch, msg) {
    await sleep(this.#config.handlerRetryDelayMs);
    try { ch.nack(msg, false, true); } catch { /* channel gone: redelivered anyway */ }
  }
}
