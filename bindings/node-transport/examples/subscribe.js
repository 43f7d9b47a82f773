// Starts the subscription of CPR numbers:
//   node examples/subscribe.js <url> <soapAction> <se-nr> <cpr>...
// The codes are the demo values seen in public code; use those of your agreement
// with SKAT. For Serviceplatformen pass an undici Agent with the function
// certificate as `dispatcher` and a WS-Security `secure` hook in the endpoint.
import { VedligeholdClient, FejlSvarError } from '../src/index.js';

const [url, soapAction, seNr, ...cprs] = process.argv.slice(2);
const client = new VedligeholdClient({ url, soapAction }, { municipalityCvr: '29189846' },
  { abonnentTypeKode: '0784', abonnementTypeKode: '3154', adgangFormaalTypeKode: '272' });
try {
  const svar = await client.start(seNr, new Date().toISOString().slice(0, 10), cprs);
  console.log(`subscribed, TransaktionsId ${svar.transaktionsId}, ${svar.advis.length} advis`);
} catch (e) {
  if (!(e instanceof FejlSvarError)) throw e;
  console.log(`refused: ${e.message}`); // the message masks CPR-like digits
}
