// One HTTP/1.1 POST over node:http(s), for the SOAP services and the STS: TLS options (client certificate,
// trusted CA) go straight to node:tls, and there is no HTTP/2 or upgrade negotiation.
import http from 'node:http';
import https from 'node:https';

/** Resolves { status, body } (body as text); rejects with the socket error, or `timeout`. */
export function post(url, headers, body, { tls = {}, timeoutMs = 30000 } = {}) {
  const u = new URL(url);
  const lib = u.protocol === 'https:' ? https : http;
  const payload = Buffer.from(body, 'utf8');
  return new Promise((resolve, reject) => {
    const req = lib.request(u, {
      method: 'POST', headers: { ...headers, 'Content-Length': payload.length }, agent: false, ...(lib === https ? tls : {}),
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end(payload);
  });
}
