//! The worker side of rustpy: `rustpy-worker.js` instantiates the shared wasm module and
//! hands the boot message to [`worker_main`], and later calls from the page to
//! [`worker_call`].

mod channel;

use rustpy_bridge::{Boot, CallOutcome, FromWorker, OutputStream, ToWorker};
use rustpy_interp::Stream;
use rustpy_web_host::{Edges, Realm};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = postMessage)]
    fn post_message(message: &JsValue);
    #[wasm_bindgen(js_namespace = console, js_name = error)]
    fn web_console_error(text: &str);
}

/// Posts a protocol message to the page.
pub(crate) fn post(message: &FromWorker) {
    match serde_wasm_bindgen::to_value(message) {
        Ok(value) => post_message(&value),
        Err(error) => web_console_error(&format!(
            "rustpy worker: cannot encode {message:?}: {error}"
        )),
    }
}

/// Runs the script described by `boot` (a [`Boot`] as a JS object, plus the shared
/// `control`/`data` buffers when the page is cross-origin isolated) in this worker, and
/// posts its output and its end ([`FromWorker::Ready`] or [`FromWorker::Failed`]).
#[wasm_bindgen]
pub async fn worker_main(boot: JsValue) {
    console_error_panic_hook::set_once();
    let buffers = channel::Buffers::from_boot(&boot);
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
    let client = channel::Client::new(buffers, boot.reply_limit);
    let edges = Edges {
        output,
        sync_call: Some(Box::new(move |name, args| client.call(name, args))),
        export_result: Some(Box::new(|id, result| {
            let result = match result {
                Ok(value) => CallOutcome::Ok(value),
                Err(traceback) => CallOutcome::Err(traceback),
            };
            post(&FromWorker::CallResult { id, result });
        })),
        page_op: None,
    };
    if let Err(error) = rustpy_web_host::start(Realm::Worker, edges) {
        post(&FromWorker::Failed { traceback: error });
        return;
    }
    match rustpy_web_host::run_script(&boot.source, &boot.filename).await {
        Ok(()) => match rustpy_web_host::exported_names() {
            Ok(exports) => post(&FromWorker::Ready { exports }),
            Err(traceback) => post(&FromWorker::Failed { traceback }),
        },
        Err(traceback) => post(&FromWorker::Failed { traceback }),
    }
}

/// Handles a message from the page after boot (a [`ToWorker`] as a JS object).
#[wasm_bindgen]
pub fn worker_call(message: JsValue) {
    match serde_wasm_bindgen::from_value::<ToWorker>(message) {
        Ok(ToWorker::Call { id, name, args }) => {
            if let Err(error) = rustpy_web_host::call_export(id, &name, &args) {
                post(&FromWorker::CallResult {
                    id,
                    result: CallOutcome::Err(error),
                });
            }
        }
        Err(error) => web_console_error(&format!(
            "rustpy worker: malformed message from the page: {error}"
        )),
    }
}
