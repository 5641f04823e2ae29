//! rustpy's WebAssembly module. It only links the two entries: `wasm-bindgen` then emits
//! `rustpy_wasm.js` with [`run_main_script`] for the page and [`worker_main`] for workers,
//! and both realms instantiate the same compiled module: the page loader
//! (`web/page/main.js`, served as `rustpy.js`) compiles it once and hands it to every
//! worker bootstrap (`web/worker/main.js`, served as `rustpy-worker.js`).
//!
//! The re-exports below name the two entries, which links them into this `cdylib` (a
//! dependency nothing names is not linked), and list their main exports. Every
//! `#[wasm_bindgen]` export of a linked entry is in the module, re-exported here or not
//! (`parse_config` of `main-entry` and `worker_report_error` of `worker-entry` are not).

#![deny(missing_docs)]

pub use rustpy_main_entry::call_main_function;
pub use rustpy_main_entry::invoke_callback;
pub use rustpy_main_entry::run_main_script;
pub use rustpy_worker_entry::worker_call;
pub use rustpy_worker_entry::worker_main;
