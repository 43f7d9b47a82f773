// Beskedfordeler consumer over AMQP 0-9-1 (amqplib), the same rules as the
// Java module: one message at a time in queue order (prefetch 1); each
// delivery goes through BeskedReceiver (schema check, BeskedId, payload
// encoding, engine, durable ledger, bounded handler attempts); handled,
// duplicate or dead-lettered messages are acked only after the outcome is
// forced to the ledger (and a dead letter stored); a failing handler with
// attempts left, or a failing dead-letter target or ledger, releases the
// message (nack + requeue) after a delay; a lost connection is re-made after a
// delay with a fresh token (unacked messages come back).
import { EventEmitter } from 'node:events';
import amqp from 'amqplib';
import { BeskedReceiver, BodyForm } from './beskedfordeler.js';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * config: { url (amqp[s]://host:port/vhost, vhost BF for Beskedfordeler), socketOptions (TLS key/cert/ca;
 *     the broker's certificate must name the host: Node checks it, `servername` overrides the name checked),
 *   externalToken: () => Buffer | Promise<Buffer> (SASL EXTERNAL response: the SAML assertion for bfo_modtag/2,
 *     awaited before every connect, so a renewing token source such as StsClient.amqpToken(entityId) plugs in here) | undefined,
 *   queue, ledger (a Ledger, required; may be shared with the REST receiver), maxAttempts = 5, prefetch = 1,
 *   reconnectDelayMs = 1000, handlerRetryDelayMs = 1000, deadLetterQueue (name) | deadLetterSink: async (letter) => void }
 * handler: async (besked) => void, besked = { messageId, beskedId, attempt, interrupted, redelivered, records, warnings }.
 * Events: 'connected', 'disconnected' (err), 'handled' (besked: in the ledger, the ack follows),
 *   'duplicate' ({messageId, beskedId, redelivered}), 'deadLettered' (letter), 'handlerFailed' ({messageId, error}).
 */
export class BeskedfordelerConsumer extends EventEmitter {
  #config;
  #receiver;
  #closed = false;
  #connection = null;
  #loop = null;
  #wake = null;
  #chain = Promise.resolve();

  constructor(config, handler) {
    super();
    if ((config.deadLetterQueue == null) === (config.deadLetterSink == null)) throw new TypeError('set exactly one of deadLetterQueue and deadLetterSink');
    if (!config.ledger) throw new TypeError('a ledger is required');
    this.#config = { prefetch: 1, reconnectDelayMs: 1000, handlerRetryDelayMs: 1000, maxAttempts: 5, ...config };
    this.#receiver = new BeskedReceiver({ ledger: config.ledger, handler, maxAttempts: this.#config.maxAttempts, emit: (e, p) => this.emit(e, p) });
  }

  /** Starts consuming in the background. */
  start() {
    this.#loop = this.#run();
  }

  /**
   * Stops: a message being handled is finished and acked first (up to 30 s), no further one is started; then the connection
   * is closed. Messages delivered but not started return to the queue.
   */
  async close() {
    this.#closed = true;
    let timer;
    await Promise.race([this.#chain, new Promise((r) => { timer = setTimeout(r, 30000); })]); // up to 30 s
    clearTimeout(timer);
    this.#wake?.();
    try { await this.#connection?.close(); } catch { /* gone already */ }
    await this.#loop;
  }

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
        const sink = dead ? (letter) => this.#publishDeadLetter(dead, letter) : c.deadLetterSink;
        // amqplib calls the callback without awaiting it; a chain keeps messages in order.
        await ch.consume(c.queue, (msg) => { if (msg) this.#chain = this.#chain.then(() => this.#deliver(ch, sink, msg)).catch(() => {}); }, { noAck: false });
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

  async #deliver(ch, sink, msg) {
    if (this.#closed) return; // not started: returns to the queue when the connection closes
    const r = await this.#receiver.receive(msg.content, {
      form: BodyForm.HAENDELSESBESKED, messageId: msg.properties.messageId ?? null, redelivered: msg.fields.redelivered, sink,
    });
    if (r.outcome === 'handled' || r.outcome === 'duplicate' || r.outcome === 'deadLettered') {
      try { ch.ack(msg); } catch { /* channel gone: the broker redelivers, the ledger makes it a duplicate */ }
    } else {
      await sleep(this.#config.handlerRetryDelayMs);
      try { ch.nack(msg, false, true); } catch { /* channel gone: redelivered anyway */ }
    }
  }

  async #publishDeadLetter(dead, letter) {
    const headers = { 'x-eindkomst-error-code': letter.errorCode, 'x-eindkomst-error': letter.errorText, 'x-eindkomst-source-queue': this.#config.queue };
    if (letter.beskedId != null) headers['x-eindkomst-besked-id'] = letter.beskedId;
    dead.sendToQueue(this.#config.deadLetterQueue, letter.body, { messageId: letter.messageId ?? undefined, persistent: true, contentType: 'application/xml', headers });
    await dead.waitForConfirms();
  }
}
