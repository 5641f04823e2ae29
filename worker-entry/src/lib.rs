//! The worker side of rustpy: `rustpy-worker.js` instantiates the shared wasm module and
//! hands the boot message to [`worker_main`].

use rustpy_bridge::{Boot, FromWorker, OutputStream};
use rustpy_interp::Stream;
use rustpy_web_host::Realm;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = postMessage)]
    fn post_message(message: &JsValue);
}

fn post(message: &FromWorker) {
    match serde_wasm_bindgen::to_value(message) {
        Ok(value) => post_message(&value),
        Err(error) => web_console_error(&format!(
            "rustpy worker: cannot encode {message:?}: {error}"
        )),
    }
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console, js_name = error)]
    fn web_console_error(text: &str);
}

/// Runs the script described by `boot` (a [`Boot`] as a JS object) in this worker, and
/// posts its output and its end ([`FromWorker::Ready`] or [`FromWorker::Failed`]) to the
/// page.
#[wasm_bindgen]
pub async fn worker_main(boot: JsValue) {
    console_error_panic_hook::set_once();
    let boot: Boot = match serde_wasm_bindgen::from_value(boot) {
        Ok(boot) => boot,
        Err(error) => {
            post(&FromWorker::Failed {
                traceback: format!("rustpy: the worker received a malformed boot message: {error}"),
            });
            return;
        }
    };
    let output = Box::new(|stream: Stream, line: &str| {
        let stream = match stream {
            Stream::Stdout => OutputStream::Stdout,
            Stream::Stderr => OutputStream::Stderr,
        };
        post(&FromWorker::Output {
            stream,
            line: line.to_string(),
        });
    });
    if let Err(error) = rustpy_web_host::start(Realm::Worker, output) {
        post(&FromWorker::Failed { traceback: error });
        return;
    }
    match rustpy_web_host::run_script(&boot.source, &boot.filename).await {
        Ok(()) => post(&FromWorker::Ready),
        Err(traceback) => post(&FromWorker::Failed { traceback }),
    }
}
