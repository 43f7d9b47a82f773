// Starts the subscription of CPR numbers, with an STS token and WS-Security:
//   node examples/subscribe.js <environment.json> <se-nr> <cpr>...
// environment.json holds one environment's configuration (docs/transports.md shows exttest and prod):
//   { "keyFile", "certFile", "caFile", "cvr", "stsUrl", "vedligehold": { "url", "soapAction", "entityId" },
//     "serviceplatformenCertificateFile", "adgang": { "abonnentTypeKode", "abonnementTypeKode",
//     "adgangFormaalTypeKode", "omfangTekst" } }
// None has a default: the SF0770_E actions and entity ids are not public, the codes come from the agreement.
import { readFileSync } from 'node:fs';
import { VedligeholdClient, FejlSvarError, StsClient, tokenSecurity } from '../src/index.js';

const [configFile, seNr, ...cprs] = process.argv.slice(2);
const c = JSON.parse(readFileSync(configFile, 'utf8'));
const tls = { key: readFileSync(c.keyFile), cert: readFileSync(c.certFile), ca: readFileSync(c.caFile) };
const sts = new StsClient({ url: c.stsUrl, cvr: c.cvr, key: tls.key, cert: tls.cert, tls: { ca: tls.ca } });
const security = tokenSecurity({ tokens: sts, entityId: c.vedligehold.entityId, serviceCertificate: readFileSync(c.serviceplatformenCertificateFile, 'utf8') });
const client = new VedligeholdClient({ url: c.vedligehold.url, soapAction: c.vedligehold.soapAction, tls, security },
  { municipalityCvr: c.cvr }, c.adgang);
try {
  const svar = await client.start(seNr, new Date(), cprs); // a Date is sent as its Danish day
  console.log(`subscribed, TransaktionsId ${svar.transaktionsId}, ${svar.advis.length} advis`);
} catch (e) {
  if (!(e instanceof FejlSvarError)) throw e;
  console.log(`refused: ${e.message}`); // the message masks CPR-like digits
}
