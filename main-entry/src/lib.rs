//! The page side of rustpy's wasm module: `rustpy.js` calls [`run_main_script`] for each
//! main-thread `<script type="rustpy">`, in document order. (Finding the tags, creating
//! workers and showing errors is DOM work done by `rustpy.js` itself.)

use rustpy_interp::Stream;
use rustpy_web_host::Realm;
use wasm_bindgen::prelude::*;

/// Runs one main-thread script and resolves when it finished (top-level `await` included).
///
/// `output(stream, line)` receives every line written, `stream` being `"stdout"` or
/// `"stderr"`. Rejects with the Python traceback. All main-thread scripts share one
/// interpreter and one `__main__` namespace, as PyScript's do.
#[wasm_bindgen]
pub async fn run_main_script(
    source: String,
    filename: String,
    output: js_sys::Function,
) -> Result<(), JsValue> {
    console_error_panic_hook::set_once();
    let sink = Box::new(move |stream: Stream, line: &str| {
        let stream = match stream {
            Stream::Stdout => "stdout",
            Stream::Stderr => "stderr",
        };
        let _ = output.call2(&JsValue::UNDEFINED, &stream.into(), &line.into());
    });
    let edges = rustpy_web_host::Edges {
        output: sink,
        sync_call: None,
        export_result: None,
    };
    rustpy_web_host::start(Realm::Page, edges).map_err(|e| JsValue::from_str(&e))?;
    rustpy_web_host::run_script(&source, &filename)
        .await
        .map_err(|traceback| JsValue::from_str(&traceback))
}
