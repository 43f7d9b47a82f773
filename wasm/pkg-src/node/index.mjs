// Node entry (ES module): the same instance as the CommonJS entry, so `import`
// and `require` in one process share one Wasm module (no dual-package hazard).
import api from './index.cjs';

export const {
  decode,
  decodeBase64,
  validate,
  Decoder,
  DecodeStream,
  decodeStream,
  DecoderStream,
  EindkomstRecord,
  EventCursor,
  EindkomstError,
  EindkomstInternalError,
  formatKroner,
  maskCpr,
  layouts,
  findingKinds,
  loadFamily,
  Family,
  checkField,
  version,
} = api;
export default api;
