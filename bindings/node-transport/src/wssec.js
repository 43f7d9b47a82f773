// WS-Security as KOMBIT's token policy wants it, with xml-crypto (signatures, exclusive c14n) on
// @xmldom/xmldom: the STS request signed with the function certificate as BinarySecurityToken, a service
// request signed with the SAML token's holder-of-key, and the check of a service's signed answer.
// Exclusive c14n, RSA-SHA256, SHA-256 digests, references by wsu:Id. No crypto or c14n of our own: the one
// addition is the STR-Transform (WS-Security 1.1, 8.3), which only dereferences a SecurityTokenReference to
// the SAML assertion it names and hands that to xml-crypto's exclusive c14n.
import { randomUUID, X509Certificate } from 'node:crypto';
import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import { SignedXml, ExclusiveCanonicalization } from 'xml-crypto';

export const WSS = {
  wsse: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd',
  wsse11: 'http://docs.oasis-open.org/wss/oasis-wss-wssecurity-secext-1.1.xsd',
  wsu: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd',
  ds: 'http://www.w3.org/2000/09/xmldsig#',
  saml: 'urn:oasis:names:tc:SAML:2.0:assertion',
  soap11: 'http://schemas.xmlsoap.org/soap/envelope/',
  soap12: 'http://www.w3.org/2003/05/soap-envelope',
  wsa: 'http://www.w3.org/2005/08/addressing',
  sbf: 'urn:liberty:sb:2006-08',
};
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';
const STR_TRANSFORM = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#STR-Transform';
const SAML_ID = 'http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLID';
const SAML2 = 'http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV2.0';
export const X509V3 = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3';
const BASE64 = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary';
/** Lifetime of the timestamps written here, and the clock difference allowed on a peer's. */
const TIMESTAMP_MS = 300_000;
const SKEW_MS = 60_000;

const strict = () => new DOMParser({ onError: (level, msg) => { if (level !== 'warning') throw new Error(msg); } });
export const parseXml = (xml) => strict().parseFromString(String(xml), 'text/xml');
export const serialize = (node) => new XMLSerializer().serializeToString(node);
export const kids = (parent, ns, local) => Array.from(parent?.childNodes ?? [])
  .filter((n) => n.nodeType === 1 && (local == null || (n.localName === local && (n.namespaceURI ?? null) === ns)));
export const kid = (parent, ns, local) => kids(parent, ns, local)[0];
export const text = (e) => (e ? e.textContent.trim() : null);
const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const all = (root) => Array.from(root.getElementsByTagName('*'));

/** The base64 DER of a PEM certificate, on one line. */
export const derBase64 = (pem) => new X509Certificate(pem).raw.toString('base64');

/** Gives `e` a wsu:Id (or keeps its own) and returns it. */
function id(e) {
  if (!e.hasAttributeNS(WSS.wsu, 'Id')) e.setAttributeNS(WSS.wsu, 'wsu:Id', `id-${randomUUID()}`);
  return e.getAttributeNS(WSS.wsu, 'Id');
}

/** `<wsu:Timestamp>` valid from `now` (ms) for five minutes, as markup with its own declarations. */
export function timestampXml(now) {
  const created = new Date(now);
  return `<wsu:Timestamp xmlns:wsu="${WSS.wsu}" wsu:Id="id-${randomUUID()}"><wsu:Created>${created.toISOString()}</wsu:Created>`
    + `<wsu:Expires>${new Date(now + TIMESTAMP_MS).toISOString()}</wsu:Expires></wsu:Timestamp>`;
}

export const binaryTokenXml = (certPem, withId = true) => `<wsse:BinarySecurityToken xmlns:wsse="${WSS.wsse}" xmlns:wsu="${WSS.wsu}"`
  + `${withId ? ` wsu:Id="id-${randomUUID()}"` : ''} EncodingType="${BASE64}" ValueType="${X509V3}">${derBase64(certPem)}</wsse:BinarySecurityToken>`;

const samlReferenceXml = (assertionId, withId) => `<wsse:SecurityTokenReference xmlns:wsse="${WSS.wsse}" xmlns:wsse11="${WSS.wsse11}"`
  + ` xmlns:wsu="${WSS.wsu}"${withId ? ` wsu:Id="id-${randomUUID()}"` : ''} wsse11:TokenType="${SAML2}">`
  + `<wsse:KeyIdentifier ValueType="${SAML_ID}">${esc(assertionId)}</wsse:KeyIdentifier></wsse:SecurityTokenReference>`;

/** The STR-Transform for a SecurityTokenReference to a SAML 2.0 assertion of the same document. */
class StrTransform {
  getAlgorithmName() { return STR_TRANSFORM; }

  process(str) {
    const ki = kid(str, WSS.wsse, 'KeyIdentifier');
    if (!ki || ki.getAttribute('ValueType') !== SAML_ID) throw new Error('STR-Transform input is not a SecurityTokenReference to a SAML 2.0 token');
    const found = Array.from(str.ownerDocument.getElementsByTagNameNS(WSS.saml, 'Assertion')).filter((a) => a.getAttribute('ID') === text(ki));
    if (found.length !== 1) throw new Error('the token the STR names is not in the message exactly once');
    return new ExclusiveCanonicalization().process(found[0], {}).toString();
  }
}

/** xml-crypto's signer, plus the TransformationParameters an STR-Transform needs inside its Transform element. */
class WsSignedXml extends SignedXml {
  constructor(options) {
    super(options);
    this.CanonicalizationAlgorithms[STR_TRANSFORM] = StrTransform;
  }

  addAllReferences(doc, signatureElem, ...rest) {
    super.addAllReferences(doc, signatureElem, ...rest);
    for (const t of Array.from(signatureElem.getElementsByTagNameNS(WSS.ds, 'Transform'))) {
      if (t.getAttribute('Algorithm') !== STR_TRANSFORM) continue;
      const params = doc.createElementNS(WSS.wsse, 'wsse:TransformationParameters');
      const c14n = doc.createElementNS(WSS.ds, 'ds:CanonicalizationMethod');
      c14n.setAttribute('Algorithm', EXC_C14N);
      params.appendChild(c14n);
      t.appendChild(params);
    }
  }
}

/**
 * Signs the elements of `doc` in `parts` and (STR-Transform) the tokens the SecurityTokenReferences in
 * `strs` name; the signature goes last into the document's wsse:Security with `keyInfoXml` as KeyInfo.
 * Returns the signed document as text.
 */
function sign(doc, parts, strs, keyPem, keyInfoXml) {
  const sig = new WsSignedXml({
    privateKey: keyPem, signatureAlgorithm: RSA_SHA256, canonicalizationAlgorithm: EXC_C14N, idMode: 'wssecurity',
    getKeyInfoContent: () => keyInfoXml,
  });
  const byId = (e) => `//*[@*[local-name(.)='Id' and namespace-uri(.)='${WSS.wsu}']='${id(e)}']`;
  for (const e of parts) sig.addReference({ xpath: byId(e), transforms: [EXC_C14N], digestAlgorithm: SHA256 });
  for (const e of strs) sig.addReference({ xpath: byId(e), transforms: [STR_TRANSFORM], digestAlgorithm: SHA256 });
  sig.computeSignature(serialize(doc), {
    prefix: 'ds',
    location: { reference: `//*[local-name(.)='Security' and namespace-uri(.)='${WSS.wsse}']`, action: 'append' },
  });
  return sig.getSignedXml();
}

const fragment = (doc, xml) => doc.importNode(parseXml(xml).documentElement, true);

/**
 * The WS-Trust Issue request for `entityId` (SOAP 1.2), signed with the function certificate sent as
 * BinarySecurityToken: Timestamp, Body, the WS-Addressing headers and the certificate itself.
 */
export function stsRequest({ url, entityId, cvr, key, cert, now = Date.now() }) {
  const uuid = randomUUID();
  const xml = `<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="${WSS.soap12}" xmlns:wsa="${WSS.wsa}"><s:Header>`
    + `<wsa:Action>http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/Issue</wsa:Action><wsa:MessageID>urn:uuid:${uuid}</wsa:MessageID>`
    + `<wsa:To>${esc(url)}</wsa:To><wsa:ReplyTo><wsa:Address>http://www.w3.org/2005/08/addressing/anonymous</wsa:Address></wsa:ReplyTo>`
    + `<wsse:Security xmlns:wsse="${WSS.wsse}" s:mustUnderstand="true"/></s:Header><s:Body>`
    + '<wst:RequestSecurityToken xmlns:wst="http://docs.oasis-open.org/ws-sx/ws-trust/200512">'
    + `<wst:TokenType>${SAML2}</wst:TokenType><wst:RequestType>http://docs.oasis-open.org/ws-sx/ws-trust/200512/Issue</wst:RequestType>`
    + `<wsp:AppliesTo xmlns:wsp="http://schemas.xmlsoap.org/ws/2004/09/policy"><wsa:EndpointReference><wsa:Address>${esc(entityId)}</wsa:Address></wsa:EndpointReference></wsp:AppliesTo>`
    + '<wst:Claims Dialect="http://docs.oasis-open.org/wsfed/authorization/200706/authclaims">'
    + '<auth:ClaimType xmlns:auth="http://docs.oasis-open.org/wsfed/authorization/200706" Uri="dk:gov:saml:attribute:CvrNumberIdentifier">'
    + `<auth:Value>${esc(cvr)}</auth:Value></auth:ClaimType></wst:Claims>`
    + '<wst:KeyType>http://docs.oasis-open.org/ws-sx/ws-trust/200512/PublicKey</wst:KeyType>'
    + `<wst:UseKey>${binaryTokenXml(cert, false)}</wst:UseKey></wst:RequestSecurityToken></s:Body></s:Envelope>`;
  const doc = parseXml(xml);
  const env = doc.documentElement;
  const header = kid(env, WSS.soap12, 'Header');
  const security = kid(header, WSS.wsse, 'Security');
  const ts = security.appendChild(fragment(doc, timestampXml(now)));
  const bst = security.appendChild(fragment(doc, binaryTokenXml(cert)));
  const parts = [ts, kid(env, WSS.soap12, 'Body'), ...kids(header).filter((h) => h.namespaceURI === WSS.wsa), bst];
  const keyInfo = `<wsse:SecurityTokenReference xmlns:wsse="${WSS.wsse}"><wsse:Reference URI="#${id(bst)}" ValueType="${X509V3}"/></wsse:SecurityTokenReference>`;
  return sign(doc, parts, [], key, keyInfo);
}

/**
 * Adds wsse:Security to a SOAP 1.1 request: a Timestamp, the SAML token (assertion XML as issued), a
 * SecurityTokenReference to it, and a signature with the token's holder-of-key over the Timestamp, Body,
 * every WS-Addressing header, sbf:Framework and the token (STR-Transform).
 * Assumption: the token is signed through the STR-Transform, as the public Serviceplatformen clients do.
 */
export function secureRequest(envelope, { assertionXml, assertionId, key, now = Date.now() }) {
  const doc = parseXml(envelope);
  const env = doc.documentElement;
  const header = kid(env, WSS.soap11, 'Header');
  const body = kid(env, WSS.soap11, 'Body');
  if (!header || !body) throw new Error('not a SOAP 1.1 envelope with Header and Body');
  const parts = [body, ...kids(header).filter((h) => h.namespaceURI === WSS.wsa || (h.namespaceURI === WSS.sbf && h.localName === 'Framework'))];
  const security = header.appendChild(fragment(doc, `<wsse:Security xmlns:wsse="${WSS.wsse}" xmlns:soap="${WSS.soap11}" soap:mustUnderstand="1"/>`));
  const ts = security.appendChild(fragment(doc, timestampXml(now)));
  security.appendChild(fragment(doc, assertionXml));
  const str = security.appendChild(fragment(doc, samlReferenceXml(assertionId, true)));
  return sign(doc, [ts, ...parts], [str], key, samlReferenceXml(assertionId, false));
}

/**
 * Checks a service answer: wsse:Security with a live Timestamp and a signature that verifies with the
 * configured service certificate (the answer's BinarySecurityToken must be that certificate) and covers
 * this envelope's Body, the Timestamp and any wsa:RelatesTo. An unsigned answer passes only when it is a
 * fault (Assumption: a platform fault may come unsigned). Throws Error with the reason.
 */
export function verifyAnswer(xml, { certPem, fault, now = Date.now() }) {
  let doc;
  try {
    doc = parseXml(xml);
  } catch {
    throw new Error('answer is not well-formed XML');
  }
  const env = doc.documentElement;
  const header = kid(env, WSS.soap11, 'Header');
  const body = kid(env, WSS.soap11, 'Body');
  const security = kid(header, WSS.wsse, 'Security');
  const sigEl = kid(security, WSS.ds, 'Signature');
  if (!sigEl) {
    if (fault) return;
    throw new Error('answer is not signed');
  }
  const ids = new Map();
  for (const e of all(doc)) {
    if (!e.hasAttributeNS(WSS.wsu, 'Id')) continue;
    if (ids.has(e.getAttributeNS(WSS.wsu, 'Id'))) throw new Error('answer uses an id twice');
    ids.set(e.getAttributeNS(WSS.wsu, 'Id'), e);
  }
  const ts = kid(security, WSS.wsu, 'Timestamp');
  if (!ts) throw new Error('answer without wsu:Timestamp');
  const expires = Date.parse(text(kid(ts, WSS.wsu, 'Expires')));
  if (Number.isNaN(expires)) throw new Error("answer's wsu:Timestamp is unreadable");
  if (now >= expires + SKEW_MS) throw new Error("answer's wsu:Timestamp has expired");
  const ref = kid(kid(kid(sigEl, WSS.ds, 'KeyInfo'), WSS.wsse, 'SecurityTokenReference'), WSS.wsse, 'Reference');
  const bst = ref ? ids.get(ref.getAttribute('URI').replace(/^#/, '')) : null;
  if (!bst || bst.localName !== 'BinarySecurityToken' || text(bst).replace(/\s+/g, '') !== derBase64(certPem)) {
    throw new Error("answer signed by another certificate than the service's");
  }
  const signedInfo = kid(sigEl, WSS.ds, 'SignedInfo');
  if (kid(signedInfo, WSS.ds, 'SignatureMethod')?.getAttribute('Algorithm') !== RSA_SHA256
    || kid(signedInfo, WSS.ds, 'CanonicalizationMethod')?.getAttribute('Algorithm') !== EXC_C14N) {
    throw new Error('answer signature does not use RSA-SHA256 with exclusive c14n');
  }
  const covered = new Set(kids(signedInfo, WSS.ds, 'Reference').map((r) => ids.get(r.getAttribute('URI').replace(/^#/, ''))));
  if (!covered.has(body) || !covered.has(ts)) throw new Error('answer signature does not cover soap:Body and wsu:Timestamp');
  for (const h of kids(header, WSS.wsa, 'RelatesTo')) if (!covered.has(h)) throw new Error("answer's wsa:RelatesTo is not signed");
  const sig = new SignedXml({ publicCert: certPem, getCertFromKeyInfo: () => null });
  sig.loadSignature(sigEl);
  let ok;
  try {
    ok = sig.checkSignature(xml);
  } catch {
    throw new Error('answer signature does not verify with the service certificate');
  }
  if (!ok) throw new Error('answer was changed after it was signed (a digest does not match)');
}
