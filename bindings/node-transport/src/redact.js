// The one CPR mask of the adapters (as Java's dk.eindkomst.transport.Redact): texts that come from a peer or a
// parser (SOAP faults and reactions, STS faults, schema validator messages) go through it before they reach an
// error message, a dead letter or an answer.

/** Masks CPR-like digit runs (ten digits, optionally 6-4 with a hyphen). */
export const maskCprLike = (t) => (t == null ? t : String(t).replace(/(?<![0-9])[0-9]{6}-?[0-9]{4}(?![0-9])/g, '**********'));
