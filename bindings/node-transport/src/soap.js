// SOAP clients for IndkomstAbonnementVedligehold v3 and
// IndkomstOplysningVirksomhedAbonnentBestil v2 (SF0770_E), in the KOMBIT 2017
// wrapper: WS-Addressing + Liberty Framework headers, kontekst:HovedOplysninger
// first in the request root, kontekst:HovedOplysningerSvar first in the answer.
// The element trees are the spec's "most probable" shapes (transports.md 1.3/1.4),
// valid against SKAT's schemas; the same as the Java module writes. CPR numbers and
// SE-numbers are checked by the engine (and CPRs against SKAT's type) before anything
// is sent. Every request carries WS-Security (the endpoint's `security`, see
// tokenSecurity in sts.js) and every answer's signature is checked.
import { randomUUID } from 'node:crypto';
import { DOMParser } from '@xmldom/xmldom';
import { cprProblem, seNrProblem } from './engine.js';
import { post } from './http.js';
import { maskCprLike } from './redact.js';

export const NS = {
  soap: 'http://schemas.xmlsoap.org/soap/envelope/',
  wsa: 'http://www.w3.org/2005/08/addressing',
  sbf: 'urn:liberty:sb:2006-08',
  sbfprofile: 'urn:liberty:sb:profile',
  kombit2017: 'http://www.kombit.dk/2017/01/01/',
  kontekst: 'http://kombit.dk/xml/schemas/kontekst/2017/01/01/',
  fase2: 'http://rep.oio.dk/skat.dk/eindkomst/',
  abonnenttype: 'http://rep.oio.dk/skat.dk/eindkomst/class/abonnenttype/xml/schemas/20071202/',
  abonnementtype: 'http://rep.oio.dk/skat.dk/eindkomst/class/abonnementtype/xml/schemas/20071202/',
  adgangformaaltype: 'http://rep.oio.dk/skat.dk/eindkomst/class/adgangformaaltype/xml/schemas/20071202/',
  abonnentadgangomfangtype: 'http://rep.oio.dk/skat.dk/eindkomst/class/abonnentadgangomfangtype/xml/schemas/20071202/',
  medarbejder: 'http://rep.oio.dk/skat.dk/eindkomst/class/indkomstoplysningadgangmedarbejderidentifikator/xml/schemas/20071202/',
  soegefra: 'http://rep.oio.dk/skat.dk/eindkomst/class/soegeaarmaanedfrakode/xml/schemas/20071202/',
  soegetil: 'http://rep.oio.dk/skat.dk/eindkomst/class/soegeaarmaanedtilkode/xml/schemas/20071202/',
  virksomhed: 'http://rep.oio.dk/skat.dk/motor/class/virksomhed/xml/schemas/20080401/',
  cpr: 'http://rep.oio.dk/cpr.dk/xml/schemas/core/2005/03/18/',
  xkom2006: 'http://rep.oio.dk/xkom.dk/xml/schemas/2006/09/01/',
  xkom2007: 'http://rep.oio.dk/xkom.dk/xml/schemas/2007/04/15/',
};
const BESTILLING_NS = 'http://rep.oio.dk/skat.dk/eindkomst/class/abonnentbestillingidentifikator/xml/schemas/20071202/';
const SPF_NS = 'http://serviceplatformen.dk/xml/schemas/ServiceplatformFault/1/';

/** Base of every SOAP failure; messages never hold CPR numbers. */
export class SoapError extends Error {}

/** An identifier was rejected (by the engine, or by SKAT's CPR type: code not_a_date); nothing was sent. */
export class InvalidIdentifierError extends SoapError {
  constructor(field, index, code, by = 'the engine') {
    super(`${field} #${index + 1} rejected by ${by}: ${code}`);
    this.field = field;
    this.code = code;
  }
}

/** The service answered with one or more Fejl (business error). */
export class FejlSvarError extends SoapError {
  constructor(transaktionsId, reaktioner) {
    const fejl = reaktioner.filter((r) => r.art === 'FEJL');
    // Ids masked too: every part is the service's text (found by test/xml-fuzz.js).
    super(maskCprLike(`service answered with Fejl: ${fejl.map((r) => `${r.id}${r.kildeId ? ` from ${r.kildeId}` : ''}: ${r.tekst}`).join('; ')}`));
    this.transaktionsId = transaktionsId;
    this.reaktioner = reaktioner;
    this.fejl = fejl;
  }
}

/** A soap:Fault, with the ServiceplatformFault errors when present. */
export class ServiceplatformFaultError extends SoapError {
  constructor(httpStatus, faultCode, faultString, errors) {
    // All of it masked, codes too: every part is the peer's text (found by test/xml-fuzz.js: an ErrorCode).
    super(maskCprLike(`SOAP fault ${faultCode} (HTTP ${httpStatus}): ${faultString}${errors.map((e) => ` [${e.errorCode} ${e.errorText}]`).join('')}`));
    Object.assign(this, { httpStatus, faultCode, faultString, errors });
  }
}

/** No usable answer: network error, timeout, unexpected status or shape. */
export class SoapTransportError extends SoapError {}

/** WS-Security failed: no token, the request could not be signed, or the answer's signature was missing or wrong. */
export class SoapSecurityError extends SoapError {}

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const el = (p, name, inner) => `<${p}:${name}>${inner}</${p}:${name}>`;
const leaf = (p, name, text) => el(p, name, esc(text));

// SKAT's PersonCivilRegistrationIdentifierType (cpr.dk core 2005/03/18), the pattern verbatim: a DDMM date
// (29 February in any year) and 6 digits, or 0000000000. It refuses day + 60 numbers, as the service would.
const SKAT_CPR = /^(?:((((0[1-9]|1[0-9]|2[0-9]|3[0-1])(01|03|05|07|08|10|12))|((0[1-9]|1[0-9]|2[0-9]|30)(04|06|09|11))|((0[1-9]|1[0-9]|2[0-9])(02)))[0-9]{6})|0000000000)$/;

function checkIds(seNrs, cprs) {
  seNrs.forEach((se, i) => { const p = seNrProblem(se); if (p) throw new InvalidIdentifierError('SE-nr', i, p); });
  cprs.forEach((c, i) => {
    const p = cprProblem(c);
    if (p) throw new InvalidIdentifierError('CPR', i, p);
    if (!SKAT_CPR.test(c)) throw new InvalidIdentifierError('CPR', i, 'not_a_date', "SKAT's PersonCivilRegistrationIdentifierType");
  });
}

function adgangXml(a) {
  for (const k of ['abonnentTypeKode', 'abonnementTypeKode', 'adgangFormaalTypeKode']) {
    if (!/^[0-9]{1,9}$/.test(String(a[k] ?? ''))) throw new TypeError(`${k} must be 1-9 digits`);
  }
  return el('fase2', 'AbonnentAdgangStruktur', leaf('abonnenttype', 'AbonnentTypeKode', a.abonnentTypeKode)
    + leaf('abonnementtype', 'AbonnementTypeKode', a.abonnementTypeKode)
    + leaf('adgangformaaltype', 'AdgangFormaalTypeKode', a.adgangFormaalTypeKode));
}

const seXml = (wrappers, se) => wrappers.reduceRight((inner, w) => el('fase2', w, inner), leaf('virksomhed', 'VirksomhedSENummerIdentifikator', se));

/**
 * One exchange. `endpoint`: { url, soapAction (from configuration, no default), timeoutMs = 30000,
 * tls (node:tls options: the function certificate's key/cert and the trusted ca), security (required:
 * { secure(envelope) => Promise<string>, verifyAnswer(body, fault) }, e.g. tokenSecurity(...)) }.
 * `context`: { onBehalfOfUser, callersServiceCallIdentifier, accountingInfo, municipalityCvr } (all optional).
 */
async function call(endpoint, context, requestRoot, responseRoot, inddataXml) {
  if (!endpoint.security) throw new TypeError('endpoint.security is required (WS-Security on every call)');
  const transaktionsId = randomUUID();
  const messageId = `urn:uuid:${randomUUID()}`;
  const c = context ?? {};
  let hoved = leaf('kontekst', 'TransaktionsId', transaktionsId) + leaf('kontekst', 'TransaktionsTid', new Date().toISOString());
  if (c.onBehalfOfUser != null) hoved += leaf('kontekst', 'OnBehalfOfUser', c.onBehalfOfUser);
  if (c.callersServiceCallIdentifier != null) hoved += leaf('kontekst', 'CallersServiceCallIdentifier', c.callersServiceCallIdentifier);
  if (c.accountingInfo != null) hoved += leaf('kontekst', 'AccountingInfo', c.accountingInfo);
  if (c.municipalityCvr != null) hoved += el('kontekst', 'AuthorityContext', leaf('kontekst', 'MunicipalityCVR', c.municipalityCvr));
  const xmlns = Object.entries(NS).map(([p, u]) => ` xmlns:${p}="${u}"`).join('');
  let envelope = `<?xml version="1.0" encoding="UTF-8"?><soap:Envelope${xmlns}><soap:Header>`
    + leaf('wsa', 'Action', endpoint.soapAction) + leaf('wsa', 'MessageID', messageId) + leaf('wsa', 'To', endpoint.url)
    + '<sbf:Framework version="2.0" sbfprofile:profile="urn:liberty:sb:profile:basic"/></soap:Header><soap:Body>'
    + el('kombit2017', requestRoot, el('kontekst', 'HovedOplysninger', hoved) + inddataXml) + '</soap:Body></soap:Envelope>';
  try {
    envelope = await endpoint.security.secure(envelope);
  } catch (e) {
    throw new SoapSecurityError(`could not secure the request: ${maskCprLike(e.message)}`, { cause: e });
  }
  let res;
  try {
    res = await post(endpoint.url, { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: `"${endpoint.soapAction}"` }, envelope,
      { tls: endpoint.tls, timeoutMs: endpoint.timeoutMs ?? 30000 });
  } catch (e) {
    throw new SoapTransportError(`request to ${endpoint.url} failed: ${e.code ?? e.message}`, { cause: e });
  }
  return answer(res.status, res.body, responseRoot, transaktionsId, messageId, endpoint.security);
}

const kids = (parent, ns, local) => Array.from(parent?.childNodes ?? []).filter((n) => n.nodeType === 1 && n.localName === local && (n.namespaceURI ?? null) === ns);
const kid = (parent, ns, local) => kids(parent, ns, local)[0];
const text = (e) => (e ? e.textContent.trim() : null);

// Exported for the XML fuzz test (test/xml-fuzz.test.js).
export function answer(status, body, responseRoot, sentId, messageId, security) {
  let payload, env;
  try {
    const doc = new DOMParser({ onError: (level, msg) => { if (level !== 'warning') throw new Error(msg); } }).parseFromString(body, 'text/xml');
    env = doc.documentElement;
    const ours = (m) => Object.assign(new Error(m), { ours: true });
    if (env?.localName !== 'Envelope' || env.namespaceURI !== NS.soap) throw ours('root is not soap:Envelope');
    payload = Array.from(kid(env, NS.soap, 'Body')?.childNodes ?? []).find((n) => n.nodeType === 1);
    if (!payload) throw ours('empty soap:Body');
  } catch (e) {
    // Only our own reasons: a parser message may quote the body.
    throw new SoapTransportError(`HTTP ${status} with no usable SOAP envelope (${e.ours ? e.message : 'not well-formed XML'})`);
  }
  const isFault = payload.localName === 'Fault' && payload.namespaceURI === NS.soap;
  if (!isFault && status !== 200) throw new SoapTransportError(`HTTP ${status} without a SOAP fault`);
  try {
    security.verifyAnswer(body, isFault);
  } catch (e) {
    throw new SoapSecurityError(`answer refused: ${maskCprLike(e.message)}`, { cause: e });
  }
  const relatesTo = kid(kid(env, NS.soap, 'Header'), NS.wsa, 'RelatesTo');
  if (relatesTo && text(relatesTo) !== messageId) throw new SoapTransportError("answer's wsa:RelatesTo does not match the request's wsa:MessageID");
  if (isFault) {
    const list = kid(kid(kid(payload, null, 'detail'), SPF_NS, 'ServiceplatformFault'), SPF_NS, 'ErrorList');
    const errors = kids(list, SPF_NS, 'Error').map((e) => ({ errorCode: text(kid(e, SPF_NS, 'ErrorCode')), errorText: text(kid(e, SPF_NS, 'ErrorText')) }));
    throw new ServiceplatformFaultError(status, text(kid(payload, null, 'faultcode')), text(kid(payload, null, 'faultstring')), errors);
  }
  if (payload.localName !== responseRoot || payload.namespaceURI !== NS.kombit2017) {
    throw new SoapTransportError(`unexpected answer element {${payload.namespaceURI}}${payload.localName}`);
  }
  const svar = kid(payload, NS.kontekst, 'HovedOplysningerSvar');
  if (!svar) throw new SoapTransportError('answer without kontekst:HovedOplysningerSvar');
  const transaktionsId = text(kid(svar, NS.kontekst, 'TransaktionsId'));
  if (transaktionsId !== sentId) throw new SoapTransportError("answer's TransaktionsId does not match the request");
  const reaktioner = kids(svar, NS.kontekst, 'SvarReaktion').map((r) => {
    const [art, node] = kid(r, NS.kontekst, 'Fejl') ? ['FEJL', kid(r, NS.kontekst, 'Fejl')] : ['ADVIS', kid(r, NS.kontekst, 'Advis')];
    if (!node) throw new SoapTransportError('SvarReaktion with neither Fejl nor Advis');
    const p = art === 'FEJL' ? 'Fejl' : 'Advis';
    return { art, id: text(kid(node, NS.kontekst, `${p}Id`)), tekst: text(kid(node, NS.kontekst, `${p}Tekst`)), kildeId: text(kid(node, NS.kontekst, 'KildeId')) };
  });
  if (reaktioner.some((r) => r.art === 'FEJL')) throw new FejlSvarError(transaktionsId, reaktioner);
  return { payload, transaktionsId, advis: reaktioner };
}

const DANISH_DAY = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Copenhagen', year: 'numeric', month: '2-digit', day: '2-digit' });

/**
 * An xs:date for StartDate/EndDate: a Date is taken as the day it is in Denmark (Europe/Copenhagen), not
 * its UTC day; a string must be an existing YYYY-MM-DD date.
 */
export function isoDate(d) {
  if (d instanceof Date) {
    if (Number.isNaN(d.getTime())) throw new TypeError('invalid Date');
    return DANISH_DAY.format(d);
  }
  const m = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(String(d));
  const t = m ? new Date(Date.UTC(+m[1], +m[2] - 1, +m[3])) : null;
  if (!t || t.getUTCFullYear() !== +m[1] || t.getUTCMonth() !== +m[2] - 1 || t.getUTCDate() !== +m[3]) {
    throw new TypeError('a date must be a Date or an existing date as "YYYY-MM-DD"');
  }
  return String(d);
}

/** IndkomstAbonnementVedligehold v3: start/stop person subscriptions under an SE-nr. */
export class VedligeholdClient {
  /**
   * adgang: { abonnentTypeKode, abonnementTypeKode, adgangFormaalTypeKode, omfangTekst } from the agreement;
   * omfangTekst (AbonnentAdgangOmfangTypeTekst) is mandatory in SKAT's schema and has no public default.
   */
  constructor(endpoint, context, adgang) {
    if (typeof adgang?.omfangTekst !== 'string' || !adgang.omfangTekst.trim()) {
      throw new TypeError('adgang.omfangTekst (AbonnentAdgangOmfangTypeTekst) is mandatory');
    }
    Object.assign(this, { endpoint, context, adgang });
  }

  /** Subscribes `cprs` under `seNr` from `date` (a Date, taken as its Danish day, or "YYYY-MM-DD"). Resolves { transaktionsId, advis }. */
  start(seNr, date, cprs) { return this.#send(seNr, true, date, cprs); }

  /** Ends the subscription of `cprs` under `seNr` at `date`. */
  stop(seNr, date, cprs) { return this.#send(seNr, false, date, cprs); }

  async #send(seNr, start, date, cprs) {
    if (!cprs.length) throw new TypeError('at least one CPR number is needed');
    const day = isoDate(date);
    checkIds([seNr], cprs);
    const personer = el('fase2', 'PersonSamling', el('fase2', 'Person', el('fase2', 'PersonListe',
      cprs.map((c) => leaf('cpr', 'PersonCivilRegistrationIdentifier', c)).join(''))));
    const branch = start
      ? el('fase2', 'PersonStartAbonnementSamling', el('fase2', 'PersonStart', leaf('xkom2006', 'StartDate', day)) + personer)
      : el('fase2', 'PersonSlutAbonnementSamling', el('fase2', 'PersonSlut', leaf('xkom2007', 'EndDate', day)) + personer);
    const inddata = el('kombit2017', 'PersonIndkomstAbonnementInddata', adgangXml(this.adgang)
      + leaf('abonnentadgangomfangtype', 'AbonnentAdgangOmfangTypeTekst', this.adgang.omfangTekst)
      + seXml(['AbonnentVirksomhedStruktur', 'AbonnentVirksomhed'], seNr)
      + el('fase2', 'PersonAbonnementSamling', branch));
    const a = await call(this.endpoint, this.context, 'IndkomstOplysningPersonAbonnementAjourfoer_I', 'IndkomstOplysningPersonAbonnementAjourfoer_O', inddata);
    return { transaktionsId: a.transaktionsId, advis: a.advis };
  }
}

/** IndkomstOplysningVirksomhedAbonnentBestil v2: order data reported by SE-numbers for income months. */
export class BestilClient {
  constructor(endpoint, context, adgang) {
    Object.assign(this, { endpoint, context, adgang });
  }

  /**
   * order: { abonnentSeNr, medarbejderId?, indberetterSeNr: [..], fra: "YYYYMM", til?: "YYYYMM", cprs?: [..] }.
   * Resolves { transaktionsId, advis, bestillingId }.
   */
  async bestil(order) {
    const cprs = order.cprs ?? [];
    if (!order.indberetterSeNr?.length) throw new TypeError('at least one reporting SE-nr is needed');
    for (const m of [order.fra, order.til]) if (m != null && !/^[0-9]{4}(0[1-9]|1[0-2])$/.test(m)) throw new TypeError('months are YYYYMM');
    checkIds([order.abonnentSeNr, ...order.indberetterSeNr], cprs);
    const virksomheder = order.indberetterSeNr.map((se) => el('fase2', 'IndkomstVirksomhed',
      el('fase2', 'IndkomstVirksomhedOplysningAabenSoegeStruktur',
        seXml(['IndberetningPligtigVirksomhedStruktur', 'IndberetningPligtigVirksomhed'], se)
        + el('fase2', 'SoegeAarMaanedAabenStruktur', leaf('soegefra', 'SoegeAarMaanedFraKode', order.fra)
          + (order.til != null ? leaf('soegetil', 'SoegeAarMaanedTilKode', order.til) : '')))
      // SKAT's IndkomstPersonVirksomhedStruktur: a choice of Person (a CPR) or Virksomhed.
      + el('fase2', 'PersonVirksomhedValg', cprs.map((c) => el('fase2', 'IndkomstPersonVirksomhedStruktur',
        el('fase2', 'PersonVirksomhedValg', el('fase2', 'Person', leaf('cpr', 'PersonCivilRegistrationIdentifier', c))))).join('')))).join('');
    const inddata = el('kombit2017', 'IndkomstOplysningVirksomhedAbonnentBestilInddata', adgangXml(this.adgang)
      + el('fase2', 'AbonnentSamling', el('fase2', 'Abonnent',
        el('fase2', 'AbonnentStruktur', seXml(['AbonnentVirksomhedStruktur', 'AbonnentVirksomhed'], order.abonnentSeNr)
          + (order.medarbejderId != null ? leaf('medarbejder', 'IndkomstOplysningAdgangMedarbejderIdentifikator', order.medarbejderId) : ''))
        + el('fase2', 'IndkomstSoegeValg', el('fase2', 'IndkomstVirksomhedSamling', virksomheder)))));
    const a = await call(this.endpoint, this.context, 'IndkomstOplysningVirksomhedAbonnentBestil_I_I', 'IndkomstOplysningVirksomhedAbonnentBestil_I_O', inddata);
    const id = text(kid(kid(a.payload, NS.kombit2017, 'IndkomstOplysningVirksomhedAbonnentBestilUddata'), BESTILLING_NS, 'AbonnentBestillingIdentifikator'));
    if (!id) throw new SoapTransportError('answer without AbonnentBestillingIdentifikator');
    return { transaktionsId: a.transaktionsId, advis: a.advis, bestillingId: id };
  }
}
