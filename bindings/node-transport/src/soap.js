// SOAP clients for IndkomstAbonnementVedligehold v3 and
// IndkomstOplysningVirksomhedAbonnentBestil v2 (SF0770_E), in the KOMBIT 2017
// wrapper: WS-Addressing + Liberty Framework headers, kontekst:HovedOplysninger
// first in the request root, kontekst:HovedOplysningerSvar first in the answer.
// The element trees are the spec's "most probable" shapes (transports.md 1.3/1.4);
// the same as the Java module writes. CPR numbers and SE-numbers are checked by
// the engine before anything is sent.
import { randomUUID } from 'node:crypto';
import { DOMParser } from '@xmldom/xmldom';
import { cprProblem, seNrProblem } from './engine.js';

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

const maskCprLike = (t) => (t == null ? t : String(t).replace(/(?<![0-9])[0-9]{6}-?[0-9]{4}(?![0-9])/g, '**********'));

/** Base of every SOAP failure; messages never hold CPR numbers. */
export class SoapError extends Error {}

/** The engine rejected an identifier; nothing was sent. */
export class InvalidIdentifierError extends SoapError {
  constructor(field, index, code) {
    super(`${field} #${index + 1} rejected by the engine: ${code}`);
    this.field = field;
    this.code = code;
  }
}

/** The service answered with one or more Fejl (business error). */
export class FejlSvarError extends SoapError {
  constructor(transaktionsId, reaktioner) {
    const fejl = reaktioner.filter((r) => r.art === 'FEJL');
    super(`service answered with Fejl: ${fejl.map((r) => `${r.id}${r.kildeId ? ` from ${r.kildeId}` : ''}: ${maskCprLike(r.tekst)}`).join('; ')}`);
    this.transaktionsId = transaktionsId;
    this.reaktioner = reaktioner;
    this.fejl = fejl;
  }
}

/** A soap:Fault, with the ServiceplatformFault errors when present. */
export class ServiceplatformFaultError extends SoapError {
  constructor(httpStatus, faultCode, faultString, errors) {
    super(`SOAP fault ${faultCode} (HTTP ${httpStatus}): ${maskCprLike(faultString)}${errors.map((e) => ` [${e.errorCode} ${maskCprLike(e.errorText)}]`).join('')}`);
    Object.assign(this, { httpStatus, faultCode, faultString, errors });
  }
}

/** No usable answer: network error, timeout, unexpected status or shape. */
export class SoapTransportError extends SoapError {}

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const el = (p, name, inner) => `<${p}:${name}>${inner}</${p}:${name}>`;
const leaf = (p, name, text) => el(p, name, esc(text));

function checkIds(seNrs, cprs) {
  seNrs.forEach((se, i) => { const p = seNrProblem(se); if (p) throw new InvalidIdentifierError('SE-nr', i, p); });
  cprs.forEach((c, i) => { const p = cprProblem(c); if (p) throw new InvalidIdentifierError('CPR', i, p); });
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
 * One exchange. `endpoint`: { url, soapAction, timeoutMs = 30000, dispatcher (undici, for the client
 * certificate), secure(envelope: string) => string|Promise<string> (WS-Security hook) }.
 * `context`: { onBehalfOfUser, callersServiceCallIdentifier, accountingInfo, municipalityCvr } (all optional).
 */
async function call(endpoint, context, requestRoot, responseRoot, inddataXml) {
  const transaktionsId = randomUUID();
  const c = context ?? {};
  let hoved = leaf('kontekst', 'TransaktionsId', transaktionsId) + leaf('kontekst', 'TransaktionsTid', new Date().toISOString());
  if (c.onBehalfOfUser != null) hoved += leaf('kontekst', 'OnBehalfOfUser', c.onBehalfOfUser);
  if (c.callersServiceCallIdentifier != null) hoved += leaf('kontekst', 'CallersServiceCallIdentifier', c.callersServiceCallIdentifier);
  if (c.accountingInfo != null) hoved += leaf('kontekst', 'AccountingInfo', c.accountingInfo);
  if (c.municipalityCvr != null) hoved += el('kontekst', 'AuthorityContext', leaf('kontekst', 'MunicipalityCVR', c.municipalityCvr));
  const xmlns = Object.entries(NS).map(([p, u]) => ` xmlns:${p}="${u}"`).join('');
  let envelope = `<?xml version="1.0" encoding="UTF-8"?><soap:Envelope${xmlns}><soap:Header>`
    + leaf('wsa', 'Action', endpoint.soapAction) + leaf('wsa', 'MessageID', `urn:uuid:${randomUUID()}`) + leaf('wsa', 'To', endpoint.url)
    + '<sbf:Framework version="2.0" sbfprofile:profile="urn:liberty:sb:profile:basic"/></soap:Header><soap:Body>'
    + el('kombit2017', requestRoot, el('kontekst', 'HovedOplysninger', hoved) + inddataXml) + '</soap:Body></soap:Envelope>';
  if (endpoint.secure) envelope = await endpoint.secure(envelope);
  let status, body;
  try {
    const res = await fetch(endpoint.url, {
      method: 'POST',
      headers: { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: `"${endpoint.soapAction}"` },
      body: envelope,
      signal: AbortSignal.timeout(endpoint.timeoutMs ?? 30000),
      ...(endpoint.dispatcher ? { dispatcher: endpoint.dispatcher } : {}),
    });
    status = res.status;
    body = await res.text();
  } catch (e) {
    throw new SoapTransportError(`request to ${endpoint.url} failed: ${e.cause?.code ?? e.name}`, { cause: e });
  }
  return answer(status, body, responseRoot, transaktionsId);
}

const kids = (parent, ns, local) => Array.from(parent?.childNodes ?? []).filter((n) => n.nodeType === 1 && n.localName === local && (n.namespaceURI ?? null) === ns);
const kid = (parent, ns, local) => kids(parent, ns, local)[0];
const text = (e) => (e ? e.textContent.trim() : null);

function answer(status, body, responseRoot, sentId) {
  let payload;
  try {
    const doc = new DOMParser({ onError: (level, msg) => { if (level !== 'warning') throw new Error(msg); } }).parseFromString(body, 'text/xml');
    const env = doc.documentElement;
    const ours = (m) => Object.assign(new Error(m), { ours: true });
    if (env?.localName !== 'Envelope' || env.namespaceURI !== NS.soap) throw ours('root is not soap:Envelope');
    payload = Array.from(kid(env, NS.soap, 'Body')?.childNodes ?? []).find((n) => n.nodeType === 1);
    if (!payload) throw ours('empty soap:Body');
  } catch (e) {
    // Only our own reasons: a parser message may quote the body.
    throw new SoapTransportError(`HTTP ${status} with no usable SOAP envelope (${e.ours ? e.message : 'not well-formed XML'})`);
  }
  if (payload.localName === 'Fault' && payload.namespaceURI === NS.soap) {
    const list = kid(kid(kid(payload, null, 'detail'), SPF_NS, 'ServiceplatformFault'), SPF_NS, 'ErrorList');
    const errors = kids(list, SPF_NS, 'Error').map((e) => ({ errorCode: text(kid(e, SPF_NS, 'ErrorCode')), errorText: text(kid(e, SPF_NS, 'ErrorText')) }));
    throw new ServiceplatformFaultError(status, text(kid(payload, null, 'faultcode')), text(kid(payload, null, 'faultstring')), errors);
  }
  if (status !== 200) throw new SoapTransportError(`HTTP ${status} without a SOAP fault`);
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

const isoDate = (d) => (d instanceof Date ? d.toISOString().slice(0, 10) : String(d));

/** IndkomstAbonnementVedligehold v3: start/stop person subscriptions under an SE-nr. */
export class VedligeholdClient {
  /** adgang: { abonnentTypeKode, abonnementTypeKode, adgangFormaalTypeKode, omfangTekst? } from the agreement. */
  constructor(endpoint, context, adgang) {
    Object.assign(this, { endpoint, context, adgang });
  }

  /** Subscribes `cprs` under `seNr` from `date` ("YYYY-MM-DD"). Resolves { transaktionsId, advis }. */
  start(seNr, date, cprs) { return this.#send(seNr, true, date, cprs); }

  /** Ends the subscription of `cprs` under `seNr` at `date`. */
  stop(seNr, date, cprs) { return this.#send(seNr, false, date, cprs); }

  async #send(seNr, start, date, cprs) {
    if (!cprs.length) throw new TypeError('at least one CPR number is needed');
    checkIds([seNr], cprs);
    const personer = el('fase2', 'PersonSamling', el('fase2', 'Person', el('fase2', 'PersonListe',
      cprs.map((c) => leaf('cpr', 'PersonCivilRegistrationIdentifier', c)).join(''))));
    const branch = start
      ? el('fase2', 'PersonStartAbonnementSamling', el('fase2', 'PersonStart', leaf('xkom2006', 'StartDate', isoDate(date))) + personer)
      : el('fase2', 'PersonSlutAbonnementSamling', el('fase2', 'PersonSlut', leaf('xkom2007', 'EndDate', isoDate(date))) + personer);
    const inddata = el('kombit2017', 'PersonIndkomstAbonnementInddata', adgangXml(this.adgang)
      + (this.adgang.omfangTekst != null ? leaf('abonnentadgangomfangtype', 'AbonnentAdgangOmfangTypeTekst', this.adgang.omfangTekst) : '')
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
      + el('fase2', 'PersonVirksomhedValg', cprs.map((c) => el('fase2', 'IndkomstPersonVirksomhedStruktur', leaf('cpr', 'PersonCivilRegistrationIdentifier', c))).join('')))).join('');
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
