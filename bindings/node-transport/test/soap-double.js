// Loopback stand-in for the two SF0770_E SOAP services. Checks every request
// (method, Content-Type, SOAPAction, WS-Addressing/Framework headers, the exact
// element tree against the shape files shared with the Java tests, value formats)
// and answers with recorded-style responses, Fejl, Advis and faults.
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { DOMParser } from '@xmldom/xmldom';
import { NS } from '../src/soap.js';

const RES = new URL('../../java/transport/src/test/resources/soap/', import.meta.url);
const resource = (name) => readFileSync(new URL(name, RES), 'utf8');
export const VEDLIGEHOLD_PATH = '/service/SKAT/IndkomstAbonnementVedligehold/3';
export const BESTIL_PATH = '/service/SKAT/IndkomstOplysningVirksomhedAbonnentBestil/2';
export const VEDLIGEHOLD_ACTION = 'http://www.kombit.dk/2017/01/01/IndkomstAbonnementVedligeholdService_3#Ajourfoer';
export const BESTIL_ACTION = 'http://www.kombit.dk/2017/01/01/IndkomstOplysningVirksomhedAbonnentBestilService_2#Bestil';
const PREFIX = new Map(Object.entries(NS).map(([p, u]) => [u, p]));

export function shapeOf(e, depth = 0) {
  const prefix = PREFIX.has(e.namespaceURI) ? `${PREFIX.get(e.namespaceURI)}:` : `{${e.namespaceURI}}`;
  let s = `${'  '.repeat(depth)}${prefix}${e.localName}\n`;
  for (const c of Array.from(e.childNodes)) if (c.nodeType === 1) s += shapeOf(c, depth + 1);
  return s;
}

export const all = (root, ns, local) => Array.from(root.getElementsByTagNameNS(ns, local));
export const textOf = (e) => e.textContent.trim();
const kid = (p, ns, local) => {
  const k = Array.from(p.childNodes).find((n) => n.nodeType === 1 && n.localName === local && n.namespaceURI === ns);
  if (!k) throw new Error(`missing ${local}`);
  return k;
};

export const reaktion = (art, id, tekst, kilde) => `<ns3:SvarReaktion xmlns:ns3="${NS.kontekst}"><ns3:${art}><ns3:${art}Id>${id}</ns3:${art}Id>`
  + `<ns3:${art}Tekst>${tekst}</ns3:${art}Tekst><ns3:KildeId>${kilde}</ns3:KildeId></ns3:${art}></ns3:SvarReaktion>\n`;
const fault = (code, string, errorCode, errorText) => resource('fault.xml').replace('${FaultString}', string)
  .replace('${ErrorCode}', errorCode).replace('${ErrorText}', errorText.replace(/&/g, '&amp;').replace(/</g, '&lt;')).replace('soap:Server', code);

export async function startSoapDouble(allowedSeNr) {
  const d = { requests: [], problems: [], subscriptions: new Map(), issuedOrders: [], expectedShape: null, nextFault: null, nextRawStatus: 0 };
  d.expectShape = (name) => { d.expectedShape = resource(name); };
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = Buffer.concat(chunks).toString('utf8');
    const send = (status, xml, type = 'text/xml; charset=utf-8') => { res.writeHead(status, { 'Content-Type': type }); res.end(xml); };
    if (d.nextRawStatus) { const s = d.nextRawStatus; d.nextRawStatus = 0; return send(s, '<html>Bad Gateway</html>', 'text/html'); }
    const action = req.url === VEDLIGEHOLD_PATH ? VEDLIGEHOLD_ACTION : BESTIL_ACTION;
    const found = [];
    let root, transaktionsId;
    try {
      if (req.method !== 'POST') found.push(`method ${req.method}`);
      if (!String(req.headers['content-type']).startsWith('text/xml')) found.push('Content-Type');
      if (req.headers.soapaction !== `"${action}"`) found.push(`SOAPAction ${req.headers.soapaction}`);
      const env = new DOMParser().parseFromString(body, 'text/xml').documentElement;
      const shape = shapeOf(env);
      if (d.expectedShape && shape !== d.expectedShape) found.push(`element tree differs:\n--- expected\n${d.expectedShape}--- got\n${shape}`);
      const header = kid(env, NS.soap, 'Header');
      if (textOf(kid(header, NS.wsa, 'Action')) !== action) found.push('wsa:Action');
      if (textOf(kid(header, NS.wsa, 'To')) !== `http://127.0.0.1:${server.address().port}${req.url}`) found.push('wsa:To');
      if (!/^urn:uuid:[0-9a-f-]{36}$/.test(textOf(kid(header, NS.wsa, 'MessageID')))) found.push('wsa:MessageID');
      const fw = kid(header, NS.sbf, 'Framework');
      if (fw.getAttribute('version') !== '2.0' || fw.getAttributeNS(NS.sbfprofile, 'profile') !== 'urn:liberty:sb:profile:basic') found.push('sbf:Framework');
      root = Array.from(kid(env, NS.soap, 'Body').childNodes).find((n) => n.nodeType === 1);
      const hoved = kid(root, NS.kontekst, 'HovedOplysninger');
      transaktionsId = textOf(kid(hoved, NS.kontekst, 'TransaktionsId'));
      if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(transaktionsId)) found.push('TransaktionsId');
      if (Number.isNaN(Date.parse(textOf(kid(hoved, NS.kontekst, 'TransaktionsTid'))))) found.push('TransaktionsTid');
      for (const e of all(root, NS.virksomhed, 'VirksomhedSENummerIdentifikator')) if (!/^[0-9]{8}$/.test(textOf(e))) found.push('SE-nr format');
      for (const e of all(root, NS.cpr, 'PersonCivilRegistrationIdentifier')) if (!/^[0-9]{10}$/.test(textOf(e))) found.push('CPR format');
      for (const e of [...all(root, NS.xkom2006, 'StartDate'), ...all(root, NS.xkom2007, 'EndDate')]) if (!/^\d{4}-\d{2}-\d{2}$/.test(textOf(e))) found.push('date');
    } catch (e) {
      found.push(`unreadable request: ${e.message}`);
    }
    if (found.length) {
      d.problems.push(...found);
      return send(500, fault('soap:Client', 'request check failed', 'TEST-CHECK', found.join('; ')));
    }
    d.requests.push({ path: req.url, transaktionsId, root });
    if (d.nextFault) { const [c, t] = d.nextFault; d.nextFault = null; return send(500, fault('soap:Server', 'Serviceplatformen fejl', c, t)); }
    const se = textOf(all(root, NS.virksomhed, 'VirksomhedSENummerIdentifikator')[0]);
    const outside = reaktion('Fejl', '4100', 'SE-nr er ikke omfattet af dataafgrænsningen', 'Serviceplatformen');
    if (action === VEDLIGEHOLD_ACTION) {
      let r = '';
      if (!allowedSeNr.includes(se)) r = outside;
      else {
        const start = all(root, NS.fase2, 'PersonStartAbonnementSamling').length > 0;
        if (!d.subscriptions.has(se)) d.subscriptions.set(se, new Set());
        const set = d.subscriptions.get(se);
        for (const e of all(root, NS.cpr, 'PersonCivilRegistrationIdentifier')) {
          const c = textOf(e);
          const changed = start ? (!set.has(c) && set.add(c)) : set.delete(c);
          if (!changed) r += reaktion('Advis', '210', start ? 'Person er allerede tilmeldt abonnementet' : 'Person er ikke tilmeldt abonnementet', 'SKAT');
        }
      }
      return send(200, resource('ajourfoer-ok.xml').replace('${TransaktionsId}', transaktionsId).replace('${SvarReaktion}', r));
    }
    const ok = allowedSeNr.includes(se);
    const order = ok ? randomUUID() : '';
    if (ok) d.issuedOrders.push(order);
    return send(200, resource('bestil-ok.xml').replace('${TransaktionsId}', transaktionsId).replace('${BestillingId}', order)
      .replace('${SvarReaktion}', ok ? '' : outside));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  d.url = (path) => `http://127.0.0.1:${server.address().port}${path}`;
  d.close = () => new Promise((r) => server.close(r));
  return d;
}
