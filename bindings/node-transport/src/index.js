// eindkomst-transport: SF0770_E transports feeding the eindkomst engine (WASM).
export { VedligeholdClient, BestilClient, SoapError, InvalidIdentifierError, FejlSvarError, ServiceplatformFaultError, SoapTransportError, NS } from './soap.js';
export { BeskedfordelerConsumer, readEnvelope } from './amqp.js';
export { DailyFilePoller, readMetadata } from './sftp.js';
export { cprProblem, seNrProblem } from './engine.js';
