// eindkomst-transport: SF0770_E transports feeding the eindkomst engine (WASM).
export {
  VedligeholdClient, BestilClient, SoapError, InvalidIdentifierError, FejlSvarError, ServiceplatformFaultError, SoapTransportError, SoapSecurityError, NS, isoDate,
} from './soap.js';
export { StsClient, StsError, tokenSecurity } from './sts.js';
export { BeskedfordelerConsumer } from './amqp.js';
export { BeskedReceiver, BodyForm, Rejection, readEnvelope, decodePayloads, directoryDeadLetterSink, deadLetterName } from './beskedfordeler.js';
export { maskCprLike } from './redact.js';
export { Ledger } from './ledger.js';
export { ModtagBeskedServer, modtagBeskedOutput } from './rest.js';
export { DailyFilePoller, readMetadata, ledgerKey, safeKey } from './sftp.js';
export { cprProblem, seNrProblem } from './engine.js';
