// eindkomst-transport: SF0770_E transports feeding the eindkomst engine (WASM).
export {
  VedligeholdClient, BestilClient, SoapError, InvalidIdentifierError, FejlSvarError, ServiceplatformFaultError, SoapTransportError, SoapSecurityError, NS, isoDate,
} from './soap.js';
export { StsClient, StsError, tokenSecurity } from './sts.js';
export { BeskedfordelerConsumer, readEnvelope } from './amqp.js';
export { DailyFilePoller, readMetadata } from './sftp.js';
export { cprProblem, seNrProblem } from './engine.js';
