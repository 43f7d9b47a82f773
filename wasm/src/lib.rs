//! WASM bindings (see issue 4).
