//! rustpy's WebAssembly module. It only links the two entries: `wasm-bindgen` then emits
//! `rustpy_wasm.js` with [`run_main_script`] for the page and [`worker_main`] for workers,
//! and both realms instantiate the same compiled module.

pub use rustpy_main_entry::call_main_function;
pub use rustpy_main_entry::invoke_callback;
pub use rustpy_main_entry::run_main_script;
pub use rustpy_worker_entry::worker_call;
pub use rustpy_worker_entry::worker_main;
