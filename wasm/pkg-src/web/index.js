// Browser entry (ES module): fetches and instantiates the .wasm next to this
// file once (top-level await), then exposes the same API as in Node.
import init, * as wasm from './eindkomst_wasm.js';
import { createApi } from '../api.js';

await init({ module_or_path: new URL('./eindkomst_wasm_bg.wasm', import.meta.url) });

const api = createApi(wasm);

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
