// bindings/transport-double as the Node tests use it: certificates made by its make-certs.sh, the program
// started with `java -jar` (built by scripts/test.d/81-transport-node.sh), its ready line read, its
// control API called. One double per test file; tests call reset() first.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DOMParser } from '@xmldom/xmldom';

const HOME = new URL('../../transport-double/', import.meta.url).pathname;

// Synthetic CPR numbers. SKAT's schema refuses the day + 60 convention, so requests that must pass use a
// birth date in 2057 (century digit 5-8 with year 57), which belongs to nobody.
export const CPR_A = '0101575123';
export const CPR_B = '1502578456';
export const SE = '12345678';
export const ADGANG = { abonnentTypeKode: '0784', abonnementTypeKode: '3154', adgangFormaalTypeKode: '272', omfangTekst: 'Fuld' };
export const FULL = { onBehalfOfUser: 'sagsbehandler-7', callersServiceCallIdentifier: 'call-42', accountingInfo: 'konto 1', municipalityCvr: '29189846' };

export async function startDouble(...args) {
  const dir = mkdtempSync(join(tmpdir(), 'eik-node-double-'));
  const certs = join(dir, 'certs');
  execFileSync('bash', [join(HOME, 'make-certs.sh'), certs], { stdio: 'pipe' });
  const log = join(dir, 'double.log');
  const child = spawn('java', ['-Xmx128m', '-jar', join(HOME, 'target/transport-double.jar'), '--certs', certs, '--exit-on-stdin-eof', ...args],
    { stdio: ['pipe', 'pipe', openSync(log, 'a')] });
  const exited = new Promise((r) => child.once('exit', r));
  const line = await Promise.race([
    new Promise((resolve) => createInterface({ input: child.stdout }).once('line', resolve)),
    exited.then(() => { throw new Error(`the transport double did not start: ${readFileSync(log, 'utf8')}`); }),
  ]);
  const ready = JSON.parse(line);
  const pem = (name) => readFileSync(join(certs, name), 'utf8');
  const control = async (method, path) => {
    const res = await fetch(`${ready.control}${path}`, { method });
    const body = await res.json();
    if (res.status !== 200) throw new Error(`${path}: ${body.error}`);
    return body;
  };
  const d = {
    ready, certs, log,
    ca: pem('ca.crt'),
    sp: pem('sp.crt'),
    certificate: (who = 'client') => ({ key: pem(`${who}.key`), cert: pem(`${who}.crt`) }),
    /** node:tls options: `who`'s certificate as client certificate, the test CA as trust. */
    tls: (who = 'client') => ({ key: pem(`${who}.key`), cert: pem(`${who}.crt`), ca: pem('ca.crt') }),
    url: (service) => ready.services[service].url,
    soapAction: (service) => ready.services[service].soapAction,
    entityId: (service) => ready.services[service].entityId,
    get: (path) => control('GET', path),
    post: (path) => control('POST', path),
    reset: () => control('POST', '/reset'),
    requests: () => control('GET', '/requests'),
    serviceRequests: async () => (await control('GET', '/requests')).filter((r) => r.endpoint !== 'sts'),
    subscriptions: async (se) => (await control('GET', '/subscriptions'))[se] ?? [],
    orders: () => control('GET', '/orders'),
    tokens: () => control('GET', '/tokens'),
    async stop() {
      try { await control('POST', '/stop'); } catch { /* already gone */ }
      child.stdin.end();
      const t = setTimeout(() => child.kill('SIGKILL'), 10000);
      await exited;
      clearTimeout(t);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return d;
}

/** The body of a recorded request, parsed. */
export const body = (request) => new DOMParser().parseFromString(request.body, 'text/xml');
export const texts = (doc, ns, local) => Array.from(doc.getElementsByTagNameNS(ns, local)).map((e) => e.textContent.trim());
