// The one CPR mask of the adapters (as Java's dk.eindkomst.transport.Redact): texts that come from a peer or a
// parser (SOAP faults and reactions, STS faults, schema validator messages) go through it before they reach an
// error message, a dead letter or an answer.

import { createHash } from 'node:crypto';

/** Masks CPR-like digit runs (ten digits, optionally 6-4 with a hyphen). */
export const maskCprLike = (t) => (t == null ? t : String(t).replace(/(?<![0-9])[0-9]{6}-?[0-9]{4}(?![0-9])/g, '**********'));

/**
 * A peer's id (AMQP message id, BeskedId, FileTransferUUID, file name) as it may stand in a ledger key or a file
 * name: the id itself, or `sha256:` + its Base64url SHA-256 when it holds a CPR-like run (found by
 * test/xml-fuzz.js: a BeskedId urn:uuid:0101604321 passes the schema). Base64url, not hex: 64 hex digits often
 * hold ten decimal digits in a row; the mask is for the rare Base64 text that still does. As Java's
 * `Redact.id`. Assumption: a ledger written before this rule knew such an id unhashed; its message or file
 * would be handled once more.
 */
export const hashedId = (id) => (id == null || maskCprLike(id) === id ? id
  : `sha256:${maskCprLike(createHash('sha256').update(id, 'utf8').digest('base64url'))}`);
