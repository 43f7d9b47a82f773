// Client of KOMBIT's STS ("Adgangsstyring for systemer"): WS-Trust 1.3 Issue over SOAP 1.2 (the same request
// as the Java module and KOMBIT's Java sample), signed with the function certificate; asks for a SAML 2.0
// holder-of-key token for an entity id with the organisation's CVR as claim. Tokens are cached per entity id
// and renewed `renewBeforeMs` before they expire; the same tokens serve the SOAP services (tokenSecurity)
// and Beskedfordeler's AMQP SASL EXTERNAL (amqpToken).
import { post } from './http.js';
import { stsRequest, verifyAnswer, secureRequest, parseXml, serialize, kid, text, WSS } from './wssec.js';

const mask = (t) => (t == null ? t : String(t).replace(/(?<![0-9])[0-9]{6}-?[0-9]{4}(?![0-9])/g, '**********'));

/** No token: the STS refused (its fault reason is in the message), was unreachable, or answered nonsense. */
export class StsError extends Error {}

export class StsClient {
  #cache = new Map();
  #pending = new Map();

  /**
   * config: { url, cvr (8 digits), key, cert (PEM of the function certificate), tls (node:tls options for
   * the STS connection, e.g. { ca }), timeoutMs = 30000, renewBeforeMs = 300000, now = Date.now }.
   * Endpoints: docs/transports.md. `now` only decides when a cached token is due for renewal.
   */
  constructor(config) {
    if (!/^[0-9]{8}$/.test(String(config.cvr ?? ''))) throw new TypeError('the CVR must be 8 digits');
    for (const k of ['url', 'key', 'cert']) if (!config[k]) throw new TypeError(`${k} is required`);
    this.config = { timeoutMs: 30000, renewBeforeMs: 300000, now: Date.now, tls: {}, ...config };
  }

  /** The holder-of-key of the tokens: { key, cert }. */
  get certificate() { return { key: this.config.key, cert: this.config.cert }; }

  /** Resolves a token valid now for `entityId`: { xml, id, audience, notOnOrAfter (Date) }. */
  async token(entityId) {
    const t = this.#cache.get(entityId);
    if (t && this.config.now() < t.notOnOrAfter.getTime() - this.config.renewBeforeMs) return t;
    if (!this.#pending.has(entityId)) {
      this.#pending.set(entityId, this.#issue(entityId).then((fresh) => { this.#cache.set(entityId, fresh); return fresh; })
        .finally(() => this.#pending.delete(entityId)));
    }
    return this.#pending.get(entityId);
  }

  /**
   * The SASL EXTERNAL response for Beskedfordeler, as BeskedfordelerConsumer's `externalToken`: resolves the
   * current token for `entityId` (e.g. http://entityid.kombit.dk/service/bfo_modtag/2) as XML bytes, on each
   * (re)connect.
   */
  amqpToken(entityId) {
    return async () => Buffer.from((await this.token(entityId)).xml, 'utf8');
  }

  async #issue(entityId) {
    const c = this.config;
    const body = stsRequest({ url: c.url, entityId, cvr: c.cvr, key: c.key, cert: c.cert });
    let res;
    try {
      res = await post(c.url, { 'Content-Type': 'application/soap+xml; charset=utf-8; action="http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/Issue"' },
        body, { tls: c.tls, timeoutMs: c.timeoutMs });
    } catch (e) {
      throw new StsError(`token request to ${c.url} failed: ${e.code ?? e.message}`, { cause: e });
    }
    let env;
    try {
      env = parseXml(res.body).documentElement;
    } catch {
      throw new StsError(`STS answered HTTP ${res.status} with no usable SOAP envelope`);
    }
    const sbody = kid(env, WSS.soap12, 'Body');
    const fault = kid(sbody, WSS.soap12, 'Fault');
    if (fault) throw new StsError(`STS refused the token request (HTTP ${res.status}): ${mask(text(kid(kid(fault, WSS.soap12, 'Reason'), WSS.soap12, 'Text')))}`);
    if (res.status !== 200) throw new StsError(`STS answered HTTP ${res.status} without a SOAP fault`);
    const assertions = sbody ? Array.from(sbody.getElementsByTagNameNS(WSS.saml, 'Assertion')) : [];
    if (assertions.length !== 1) throw new StsError('STS answer without exactly one saml:Assertion');
    const a = assertions[0];
    const conditions = kid(a, WSS.saml, 'Conditions');
    const audience = text(kid(kid(conditions, WSS.saml, 'AudienceRestriction'), WSS.saml, 'Audience'));
    if (audience !== entityId) throw new StsError(`STS issued a token for ${audience}, not ${entityId}`);
    const notOnOrAfter = new Date(conditions.getAttribute('NotOnOrAfter'));
    if (Number.isNaN(notOnOrAfter.getTime())) throw new StsError('STS token without a readable Conditions/@NotOnOrAfter');
    return { xml: serialize(a), id: a.getAttribute('ID'), audience, notOnOrAfter };
  }
}

/**
 * WS-Security of a Serviceplatformen service (the `security` of a SOAP endpoint): every request gets the
 * token for `entityId` from `tokens` (an StsClient, or anything with token() and certificate) and is
 * signed with its holder-of-key; every answer must be signed by `serviceCertificate` (PEM).
 */
export function tokenSecurity({ tokens, entityId, serviceCertificate, now = Date.now }) {
  if (!tokens || !entityId || !serviceCertificate) throw new TypeError('tokens, entityId and serviceCertificate are required');
  return {
    async secure(envelope) {
      const t = await tokens.token(entityId);
      return secureRequest(envelope, { assertionXml: t.xml, assertionId: t.id, key: tokens.certificate.key, now: now() });
    },
    verifyAnswer(body, fault) {
      verifyAnswer(body, { certPem: serviceCertificate, fault, now: now() });
    },
  };
}
