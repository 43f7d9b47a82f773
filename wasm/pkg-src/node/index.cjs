'use strict';
// Node entry (CommonJS): the wasm-bindgen `nodejs` build loads the .wasm synchronously.
const wasm = require('./eindkomst_wasm.js');
const { createApi } = require('../api.cjs');

module.exports = createApi(wasm);
