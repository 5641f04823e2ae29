//! Rust panics in the browser: with `panic = "abort"` (wasm32's only strategy) a panic
//! ends in the `unreachable` instruction, which the JS that called into wasm sees as a bare
//! `RuntimeError: unreachable`. The hook installed here logs the panic to the console (as
//! `console_error_panic_hook` does) and keeps its text in `globalThis.rustpyPanic`, where
//! the worker's crash report (`web/worker/main.js`, served as `rustpy-worker.js`) reads it,
//! so the page says what panicked.

use std::sync::Once;

use wasm_bindgen::JsValue;

/// The global that holds the last panic's text (location and message).
const PANIC_GLOBAL: &str = "rustpyPanic";

/// Installs the panic hook, once per realm.
pub fn report_panics() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            console_error_panic_hook::hook(info);
            // Nothing can be done about a failure here: the instance is about to trap.
            let _ = js_sys::Reflect::set(
                &js_sys::global(),
                &JsValue::from_str(PANIC_GLOBAL),
                &JsValue::from_str(&info.to_string()),
            );
        }));
    });
}
