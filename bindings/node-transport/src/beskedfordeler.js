// The channel-independent part of receiving a Beskedfordeler message, used by
// the AMQP consumer (amqp.js) and the REST receiver (rest.js); the same rules
// as the Java module's dk.eindkomst.transport.beskedfordeler package.
//
// Envelope check: well-formed XML without a DTD, the expected root, valid
// against KOMBIT's schemas (Beskedkuvert.xsd / AnvendersystemOperationer.xsd,
// validated by libxml2 compiled to WebAssembly: the `libxml2-wasm` package —
// the same validator as xmllint, no native build, no process per message),
// and a non-empty BeskedId.
import { createHash } from 'node:crypto';
import { openSync, writeSync, fsyncSync, closeSync, renameSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XmlDocument, XmlElement, XsdValidator, XmlBufferInputProvider, xmlRegisterInputProvider, ParseOption } from 'libxml2-wasm';
import { decode, decodeBase64 } from 'eindkomst';
import { hashedId, maskCprLike } from './redact.js';

export const KUVERT = 'urn:oio:besked:kuvert:1.0';
export const STS = 'urn:oio:sts:1.0.0';

/** What a channel receives: AMQP a Haendelsesbesked, REST a ModtagBeskedInput holding one. */
export const BodyForm = Object.freeze({
  HAENDELSESBESKED: { ns: KUVERT, local: 'Haendelsesbesked' },
  MODTAG_BESKED_INPUT: { ns: STS, local: 'ModtagBeskedInput' },
});


// KOMBIT's schemas from bindings/transport-double/xsd/beskedfordeler (the one copy that Java packs and C#
// embeds too), served to libxml2 from memory under a private URL prefix, so a message can make it read
// nothing else.
const XSD_DIR = new URL('../../transport-double/xsd/beskedfordeler/', import.meta.url);
const XSD_FILES = ['AnvendersystemOperationer.xsd', 'Beskedkuvert.xsd', '1.1/SagDokObjekt.xsd', '1.1/OrganisationFaelles.xsd',
  '1.1/Part.xsd', 'cached/xmldsig-core-schema.xsd'];
const PREFIX = 'eindkomst-xsd:/';
let validator = null;
function schema() {
  if (validator) return validator;
  const files = {};
  for (const f of XSD_FILES) files[PREFIX + f] = readFileSync(new URL(f, XSD_DIR));
  xmlRegisterInputProvider(new XmlBufferInputProvider(files));
  const xsd = XmlDocument.fromBuffer(files[`${PREFIX}AnvendersystemOperationer.xsd`], { url: `${PREFIX}AnvendersystemOperationer.xsd` });
  validator = XsdValidator.fromDoc(xsd);
  return validator;
}

/** Validates a parsed document against KOMBIT's Beskedfordeler schemas; throws libxml2's XmlValidateError (with `details`). */
export function validateAgainstSchema(doc) {
  schema().validate(doc);
}

/** A reason to dead-letter: a stable code and a text without personal data. */
export class Rejection extends Error {
  constructor(code, text) {
    super(maskCprLike(text));
    this.code = code;
  }
}

const elements = (parent) => {
  const out = [];
  for (let n = parent?.firstChild; n; n = n.next) if (n instanceof XmlElement) out.push(n);
  return out;
};
const child = (parent, ns, local) => elements(parent).find((e) => e.namespaceUri === ns && e.name === local) ?? null;

/**
 * Reads and checks a body: { beskedId, payloads: [{ base64, encoding }], deliveryAttempts }.
 * Throws a Rejection with code bad_envelope, invalid_envelope or no_besked_id.
 */
export function readEnvelope(body, form = BodyForm.HAENDELSESBESKED) {
  let doc;
  try {
    doc = XmlDocument.fromBuffer(body, { option: ParseOption.XML_PARSE_NONET });
  } catch (e) {
    // The parser's own message may quote the body; only the position is kept.
    const d = e.details?.[0];
    throw new Rejection('bad_envelope', d ? `not well-formed XML at line ${d.line}, column ${d.col}` : 'not well-formed XML');
  }
  try {
    if (doc.dtd) throw new Rejection('bad_envelope', 'a DTD is not allowed');
    const root = doc.root;
    if (root.name !== form.local || root.namespaceUri !== form.ns) {
      throw new Rejection('bad_envelope', `root element is {${root.namespaceUri}}${root.name}, not {${form.ns}}${form.local}`);
    }
    try {
      validateAgainstSchema(doc);
    } catch (e) {
      const d = e.details?.[0];
      throw new Rejection('invalid_envelope', d
        ? `not valid against the Beskedfordeler schema at line ${d.line}: ${d.message.trim()}`
        : 'not valid against the Beskedfordeler schema');
    }
    const besked = form === BodyForm.HAENDELSESBESKED ? root : child(root, KUVERT, 'Haendelsesbesked');
    const idLeaf = elements(child(besked, KUVERT, 'BeskedId'))[0];
    const beskedId = idLeaf ? idLeaf.content.trim() : '';
    if (!beskedId) throw new Rejection('no_besked_id', 'Haendelsesbesked has no BeskedId (or an empty one)');
    const payloads = elements(besked).filter((e) => e.namespaceUri === KUVERT && e.name === 'Beskeddata')
      .flatMap((d) => elements(d).filter((e) => e.name === 'Base64'))
      .map((e) => ({ base64: e.content, encoding: e.attr('encoding')?.value ?? null }));
    let deliveryAttempts = 0;
    for (const n of besked.find('.//k:AntalLeveranceforsoeg', { k: KUVERT })) deliveryAttempts = Math.max(deliveryAttempts, Number(n.content.trim()));
    return { beskedId, payloads, deliveryAttempts };
  } finally {
    doc.dispose();
  }
}

export const SUPPORTED_ENCODINGS = 'ISO-8859-1, UTF-8, ASCII, Windows-1252, Binary';

const engineFinding = ({ records, findings }, out) => {
  const bad = findings.find((f) => f.kind !== 'warning');
  if (bad) throw new Rejection(bad.code, `${bad.kind}: ${bad.message}`);
  out.records.push(...records);
  out.warnings.push(...findings);
};

/** Strict Base64 after removing XML whitespace; a bad character is reported with its offset. */
function base64Bytes(text) {
  const compact = text.replace(/[ \t\r\n]/g, '');
  const bad = compact.search(/[^A-Za-z0-9+/=]/);
  if (bad >= 0) throw new Rejection('invalid_base64', `invalid Base64 character at offset ${bad} of the Base64 text (whitespace removed)`);
  if (compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) {
    throw new Rejection('invalid_base64', `Base64 text has a wrong length or padding (${compact.length} characters)`);
  }
  return Buffer.from(compact, 'base64');
}

// Windows-1252 differs from ISO-8859-1 only in 0x80-0x9F, where it has characters that ISO-8859-1 lacks (null:
// undefined bytes). The table is here because Node 20's TextDecoder('windows-1252') decodes these bytes as
// ISO-8859-1's C1 controls.
const CP1252_80_9F = [0x20ac, null, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, null, 0x017d, null,
  null, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, null, 0x017e, 0x0178];

const notLatin1 = (cp, offset, line, name) => new Rejection('not_latin1', `character U+${cp.toString(16).toUpperCase().padStart(4, '0')} at byte `
  + `offset ${offset} (line ${line}) of the ${name} payload cannot be written in ISO-8859-1, which the records use`);

/** `bytes` read in `label`, written in ISO-8859-1; malformed input and characters above U+00FF are rejected. */
function toLatin1(bytes, label, name) {
  if (label === 'windows-1252') {
    const at = bytes.findIndex((b) => b >= 0x80 && b <= 0x9f);
    if (at < 0) return bytes;
    const cp = CP1252_80_9F[bytes[at] - 0x80];
    if (cp == null) throw new Rejection('bad_encoding', `byte offset ${at} of the payload is not valid ${name}`);
    throw notLatin1(cp, at, bytes.subarray(0, at).filter((b) => b === 0x0a).length + 1, name);
  }
  if (label === 'ascii') {
    const at = bytes.findIndex((b) => b > 0x7f);
    if (at >= 0) throw new Rejection('bad_encoding', `byte offset ${at} of the payload is not valid ${name}`);
    return bytes;
  }
  let text; // UTF-8
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    // Where it broke: the longest prefix that decodes.
    let lo = 0;
    let hi = bytes.length;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      try { new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, mid), { stream: true }); lo = mid; } catch { hi = mid - 1; }
    }
    throw new Rejection('bad_encoding', `byte offset ${lo} of the payload is not valid ${name}`);
  }
  const out = Buffer.allocUnsafe(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0xff) {
      const before = text.slice(0, i);
      throw notLatin1(text.codePointAt(i), Buffer.byteLength(before, 'utf8'), before.split('\n').length, name);
    }
    out[i] = c;
  }
  return out;
}

/**
 * The payloads of a message as records, honouring each `encoding` attribute (values from KOMBIT's
 * BeskeddataBase64ver.2.00.xsd): ISO-8859-1 and Binary go to the engine as Base64 text (Assumption: Binary
 * means bytes without a claimed text encoding; the bytes are the record file as SKAT writes it); UTF-8,
 * ASCII and Windows-1252 are decoded here and written in ISO-8859-1 for the engine; anything else, or no
 * attribute, is unknown_encoding. Throws a Rejection at the first payload that fails.
 */
export function decodePayloads(payloads) {
  if (payloads.length === 0) throw new Rejection('no_payload', 'no Beskeddata/Base64 element');
  const out = { records: [], warnings: [] };
  payloads.forEach((p, i) => {
    const where = payloads.length > 1 ? `payload ${i + 1}: ` : '';
    try {
      const enc = p.encoding == null ? null : p.encoding.trim().toUpperCase();
      if (enc == null) throw new Rejection('unknown_encoding', `Base64 element has no encoding attribute (supported: ${SUPPORTED_ENCODINGS})`);
      if (enc === 'ISO-8859-1' || enc === 'BINARY') engineFinding(decodeBase64(p.base64), out);
      else if (enc === 'UTF-8') engineFinding(decode(toLatin1(base64Bytes(p.base64), 'utf-8', enc)), out);
      else if (enc === 'ASCII') engineFinding(decode(toLatin1(base64Bytes(p.base64), 'ascii', enc)), out);
      else if (enc === 'WINDOWS-1252') engineFinding(decode(toLatin1(base64Bytes(p.base64), 'windows-1252', enc)), out);
      else {
        const shown = p.encoding.length > 40 ? `${p.encoding.slice(0, 40)}…` : p.encoding.replace(/[\x00-\x1f\x7f]/g, '?');
        throw new Rejection('unknown_encoding', `encoding "${shown}" is not supported (supported: ${SUPPORTED_ENCODINGS})`);
      }
    } catch (e) {
      if (e instanceof Rejection) throw new Rejection(e.code, where + e.message);
      throw e;
    }
  });
  return out;
}

export const sha256 = (b) => createHash('sha256').update(b).digest('hex');

/**
 * Dead letters as files in a directory (the real Beskedfordeler's receiver may not publish; the REST channel
 * has no broker): <name>.xml = the body, <name>.error = key, message id, BeskedId, code, text (one per line);
 * name = the first 32 hex digits of SHA-256 of the ledger key, so storing the same message again replaces the
 * same files. Each file is written to a temp file, forced and renamed; then the directory is forced.
 */
export function directoryDeadLetterSink(dir) {
  mkdirSync(dir, { recursive: true });
  const write = (file, data) => {
    const tmp = join(dir, `${file}.tmp`);
    const fd = openSync(tmp, 'w');
    try { writeSync(fd, data); fsyncSync(fd); } finally { closeSync(fd); }
    renameSync(tmp, join(dir, file));
  };
  return async (l) => {
    const name = deadLetterName(l.key);
    // The ids are the peer's: masked like the reason (the key is hashed when an id is CPR-like).
    write(`${name}.error`, `${[l.key, maskCprLike(String(l.messageId)), maskCprLike(String(l.beskedId)), l.errorCode, l.errorText].join('\n')}\n`);
    write(`${name}.xml`, l.body);
    const fd = openSync(dir, 'r');
    try { fsyncSync(fd); } finally { closeSync(fd); }
  };
}

/** The file name (without extension) of the dead letter with ledger key `key`. */
export const deadLetterName = (key) => sha256(Buffer.from(key, 'utf8')).slice(0, 32);

/**
 * Receives one body at a time: settled in the ledger → 'duplicate'; unreadable, invalid, no BeskedId, bad
 * payload → dead-lettered; the handler already had maxAttempts attempts (also ones cut short by a crash) →
 * dead-lettered with handler_failed; else BEGIN, the handler, and HANDLED forced to disk → 'handled', or
 * 'retry' when it throws with attempts left. A dead letter is stored in the sink before DEAD is forced to the
 * ledger. A ledger that cannot be written gives 'unavailable'. Acknowledge only after handled, duplicate or
 * deadLettered. Calls must not overlap (the channels chain them).
 *
 * options: { ledger, handler: async (besked) => void, maxAttempts = 5, emit: (event, payload) => void }
 * besked = { messageId (AMQP) | null (REST), beskedId, attempt, interrupted, redelivered, records, warnings }
 */
export class BeskedReceiver {
  #ledger;
  #handler;
  #maxAttempts;
  #emit;

  constructor({ ledger, handler, maxAttempts = 5, emit = () => {} }) {
    if (!ledger) throw new TypeError('a ledger is required');
    if (!(Number.isInteger(maxAttempts) && maxAttempts >= 1)) throw new TypeError('maxAttempts must be at least 1');
    this.#ledger = ledger;
    this.#handler = handler;
    this.#maxAttempts = maxAttempts;
    this.#emit = emit;
  }

  /** → { outcome: 'handled'|'duplicate'|'deadLettered'|'retry'|'unavailable', code, text } */
  async receive(body, { form = BodyForm.HAENDELSESBESKED, messageId = null, redelivered = false, sink }) {
    const bodyKey = messageId != null ? `m:${hashedId(messageId)}` : `s:${sha256(body)}`;
    try {
      if (this.#ledger.get(bodyKey)?.settled) {
        this.#emit('duplicate', { messageId, beskedId: null, redelivered });
        return { outcome: 'duplicate' };
      }
      let env;
      try {
        env = readEnvelope(body, form);
      } catch (e) {
        if (!(e instanceof Rejection)) throw e;
        return await this.#deadLetter(sink, { key: bodyKey, messageId, beskedId: null, body, errorCode: e.code, errorText: e.message }, 0);
      }
      const key = `b:${hashedId(env.beskedId)}`;
      const again = redelivered || env.deliveryAttempts > 1;
      const entry = this.#ledger.get(key);
      if (entry?.settled) {
        this.#emit('duplicate', { messageId, beskedId: env.beskedId, redelivered: again });
        return { outcome: 'duplicate' };
      }
      const done = entry?.attempt ?? 0;
      let decoded;
      try {
        decoded = decodePayloads(env.payloads);
      } catch (e) {
        if (!(e instanceof Rejection)) throw e;
        return await this.#deadLetter(sink, { key, messageId, beskedId: env.beskedId, body, errorCode: e.code, errorText: e.message }, done);
      }
      if (done >= this.#maxAttempts) {
        const how = entry.interrupted ? 'the last one did not return (the process stopped)' : 'the last one threw';
        return await this.#deadLetter(sink, { key, messageId, beskedId: env.beskedId, body, errorCode: 'handler_failed', errorText: `handler had ${done} attempts; ${how}` }, done);
      }
      const attempt = done + 1;
      const besked = { messageId, beskedId: env.beskedId, attempt, interrupted: entry?.interrupted ?? false, redelivered: again, ...decoded };
      this.#ledger.begin(key, attempt);
      try {
        await this.#handler(besked);
      } catch (e) {
        this.#ledger.failed(key, attempt, e?.name ?? 'Error');
        this.#emit('handlerFailed', { messageId, error: e });
        if (attempt >= this.#maxAttempts) {
          return await this.#deadLetter(sink, { key, messageId, beskedId: env.beskedId, body, errorCode: 'handler_failed',
            errorText: maskCprLike(`handler failed ${attempt} times, last: ${e?.name ?? 'Error'}${e?.message ? `: ${e.message}` : ''}`) }, attempt);
        }
        return { outcome: 'retry', code: 'handler_failed', text: `handler failed (attempt ${attempt} of ${this.#maxAttempts})` };
      }
      this.#ledger.handled(key, attempt);
      this.#emit('handled', besked);
      return { outcome: 'handled' };
    } catch (e) {
      // A serious local failure: file system errors of the ledger (or a closed ledger), or a bug.
      this.#emit('handlerFailed', { messageId, error: e });
      const ledger = e?.syscall != null || e?.code === 'LEDGER_CLOSED';
      return { outcome: 'unavailable', code: ledger ? 'ledger_failed' : 'receiver_failed', text: ledger ? 'the ledger cannot be written' : 'the receiver failed' };
    }
  }

  async #deadLetter(sink, letter, attempt) {
    try {
      await sink(letter);
    } catch (e) {
      this.#emit('handlerFailed', { messageId: letter.messageId, error: e });
      return { outcome: 'retry', code: 'dead_letter_failed', text: 'the dead-letter store failed' };
    }
    this.#ledger.dead(letter.key, attempt, letter.errorCode);
    this.#emit('deadLettered', letter);
    return { outcome: 'deadLettered', code: letter.errorCode, text: letter.errorText };
  }
}
