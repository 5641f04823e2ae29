//! The worker side of rustpy: the worker bootstrap `web/worker/main.js` (served as
//! `rustpy-worker.js`) instantiates the shared wasm module and hands the boot message to
//! [`worker_main`], and later messages from the page to [`worker_call`].
//!
//! # Which file is which end
//!
//! Every channel of a worker has its worker end here and its page end in `web/page/` (the
//! channels themselves are defined in `rustpy-bridge`):
//!
//! - **Messages** (`rustpy_bridge::Boot`, `ToWorker` in, `FromWorker` out): this file
//!   reads them ([`worker_main`], [`worker_call`]) and posts the worker's (`post`, with
//!   `rustpyPostAscii` of `web/worker/main.js` for short ASCII ones). The page end is
//!   `PyWorker` in `web/page/py-worker.js`, which checks each message with
//!   `web/shared/protocol.js`.
//! - **The shared-memory channel** (`rustpy_bridge::channel`): `channel.rs` is the worker
//!   end (requests, replies, `grow`, waiting with interrupts), `output.rs` the worker end of
//!   the output count (back-pressure). The page end is `web/page/py-worker.js` with its
//!   `SharedChannel` (`web/page/channel.js`), the mirror of `channel.rs`.
//! - **The relay** (no shared memory): `relay.rs` and `channel.rs`'s relayed requests,
//!   through the synchronous XHRs of `web/worker/main.js` (`rustpyRelayGet`,
//!   `rustpySyncRequest`), to the service worker `web/sw/relay.js` (served as
//!   `rustpy-sw.js`), which the page's relay client `web/page/relay.js` answers.
//! - **The FFI**: `page_link.rs` sends requests for the page's objects over the channel, to
//!   the worker's `HandleTable` on the page (`web/shared/handle-table.js`, held by
//!   `web/page/py-worker.js`); the worker's own objects (the `js` module) are in a
//!   `HandleTable` of this thread, made by `web/worker/main.js`.

#![deny(missing_docs)]

mod channel;
mod output;
mod page_link;
mod relay;

use rustpy_bridge::{Boot, CallOutcome, FromWorker, ToWorker};
use rustpy_interp::InterruptChecks;
use rustpy_web_host::{Realm, RealmSetup};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = postMessage)]
    fn post_message(message: &JsValue);
    #[wasm_bindgen(js_name = postMessage)]
    fn post_transferring(message: &JsValue, transfer: &js_sys::Array);
    /// `web/worker/main.js`: posts ASCII `bytes` as a string to the page.
    #[wasm_bindgen(js_name = rustpyPostAscii)]
    fn post_ascii(bytes: &[u8]);
    #[wasm_bindgen(js_namespace = console, js_name = error)]
    fn web_console_error(text: &str);
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn performance_now() -> f64;
}

/// Logs `text` as an error in the worker's console.
pub(crate) fn console_error(text: &str) {
    web_console_error(text);
}

/// The worker's monotonic clock, in milliseconds.
pub(crate) fn now_ms() -> f64 {
    performance_now()
}

/// The longest message [`post`] hands to JavaScript as bytes rather than as a string.
const ASCII_POST_LIMIT: usize = 4096;

/// Posts a protocol message to the page, as JSON text: a string is cheaper to build from
/// Rust and to clone into the page than an object (`serde_wasm_bindgen` made one JS call per
/// field). A short ASCII message (a call's result, an output line) skips wasm-bindgen's
/// validating `TextDecoder` (~7 µs per message here): JavaScript builds it from the bytes.
pub(crate) fn post(message: &FromWorker) {
    match encode(message) {
        Some(json) if json.len() <= ASCII_POST_LIMIT && json.is_ascii() => {
            post_ascii(json.as_bytes())
        }
        Some(json) => post_message(&JsValue::from_str(&json)),
        None => {}
    }
}

/// `message` as JSON; a message that cannot be encoded is logged and dropped.
fn encode(message: &FromWorker) -> Option<String> {
    serde_json::to_string(message)
        .map_err(|error| {
            web_console_error(&format!(
                "rustpy worker: cannot encode {message:?}: {error}"
            ))
        })
        .ok()
}

/// Posts a message whose [`Value::Buffer`](rustpy_bridge::Value::Buffer)s stand for
/// `buffers`, as `{framed: <message JSON>, buffers: [ArrayBuffer, ...]}` with the buffers
/// transferred: copied out of wasm memory here, on the worker's thread, and handed over
/// without a copy.
fn post_with_buffers(message: &FromWorker, buffers: &[Vec<u8>]) {
    let Some(json) = encode(message) else {
        return;
    };
    let list = js_sys::Array::new();
    for bytes in buffers {
        list.push(&js_sys::Uint8Array::from(bytes.as_slice()).buffer());
    }
    let envelope = js_sys::Object::new();
    let set = |key: &str, value: &JsValue| js_sys::Reflect::set(&envelope, &key.into(), value);
    if set("framed", &JsValue::from_str(&json)).is_err() || set("buffers", &list).is_err() {
        web_console_error("rustpy worker: cannot build a message with buffers");
        return;
    }
    post_transferring(&envelope, &list);
}

/// The checks a worker's config asks for (`"interrupts"`): `true` or absent, the user's
/// code; `"everywhere"`, all code; `false`, none.
fn interrupt_checks(
    setting: Option<&serde_json::Value>,
) -> Result<Option<InterruptChecks>, String> {
    match setting {
        None | Some(serde_json::Value::Bool(true)) => Ok(Some(InterruptChecks::InUserCode)),
        Some(serde_json::Value::Bool(false)) => Ok(None),
        Some(serde_json::Value::String(how)) if how == "everywhere" => {
            Ok(Some(InterruptChecks::Everywhere))
        }
        Some(other) => Err(format!(
            "rustpy: config \"interrupts\" must be true, false or \"everywhere\", not {other}"
        )),
    }
}

/// Run before the script of a worker whose tag has the `terminal` attribute: `__terminal__`
/// is the page's xterm.js `Terminal`, which the page put on the tag's output target, as
/// PyScript gives it (a builtin, so every module sees it).
/// (A function, so that the script's globals get no names from it.)
const TERMINAL_SETUP: &str = "def _rustpy_terminal():\n\
    \x20   import builtins\n\
    \x20   from pyscript import current_target, document\n\
    \x20   builtins.__terminal__ = document.getElementById(current_target()).terminal\n\
    _rustpy_terminal()\n\
    del _rustpy_terminal\n";

/// Runs the script described by `boot` (a [`Boot`] as a JS object, plus the shared
/// `control`/`data` buffers when the page is cross-origin isolated) in this worker, and
/// posts [`FromWorker::Booted`] once its interpreter is up, then the script's output and
/// its end ([`FromWorker::Ready`] or [`FromWorker::Failed`]). `local_table` is the
/// `HandleTable` (`web/shared/handle-table.js`) of the worker's own JS objects, behind the
/// `js` module (or an object forwarding to its methods). Called once per worker by
/// `web/worker/main.js`, which awaits it; it rejects only if the instance traps: a failure
/// to start, as an error of the script, is posted as [`FromWorker::Failed`] with its text.
#[wasm_bindgen]
pub async fn worker_main(boot: JsValue, local_table: JsValue) {
    rustpy_web_host::report_panics();
    let own = match rustpy_web_host::HandleTable::from_table(&local_table) {
        Ok(own) => own,
        Err(traceback) => {
            post(&FromWorker::Failed { traceback });
            return;
        }
    };
    // The config's files travel beside the boot fields, as transferred bytes.
    let files = js_sys::Reflect::get(&boot, &"files".into())
        .map_err(|e| rustpy_web_host::error_text(&e))
        .and_then(|files| rustpy_web_host::files_from_js(&files));
    let files = match files {
        Ok(files) => files,
        Err(traceback) => {
            post(&FromWorker::Failed { traceback });
            return;
        }
    };
    let message = boot.clone();
    let boot: Boot = match serde_wasm_bindgen::from_value(boot) {
        Ok(boot) => boot,
        Err(error) => {
            post(&FromWorker::Failed {
                traceback: format!("rustpy: the worker received a malformed boot message: {error}"),
            });
            return;
        }
    };
    let buffers = channel::Buffers::from_boot(&message, boot.fast_requests);
    let control = buffers.as_ref().map(|b| b.control.clone());
    // Without shared memory the relay holds the interrupt request and the output count.
    let relay_words = match (&control, &boot.relay) {
        (None, Some(relay)) => Some(relay::RelayWords::install(relay)),
        _ => None,
    };
    let output = Box::new(output::GatheredOutput::new(
        control.clone(),
        relay_words.clone(),
    ));
    let interrupts: Option<std::rc::Rc<dyn rustpy_web_host::InterruptSource>> =
        match (control, relay_words) {
            (Some(control), _) => Some(std::rc::Rc::new(rustpy_web_host::SharedInterrupt(control))),
            (None, Some(words)) => Some(words),
            (None, None) => None,
        };
    let default_timeout = boot
        .config
        .get("sync_timeout")
        .and_then(serde_json::Value::as_f64);
    let sync_main_only = boot
        .config
        .get("sync_main_only")
        .and_then(serde_json::Value::as_bool)
        .unwrap_or(false);
    // `"spin": false`: a blocked call sleeps at once instead of watching for a quick reply
    // (less CPU, a thread wake-up more per call: BENCHMARKS.md has the trade).
    let spin_ms = match boot.config.get("spin").and_then(serde_json::Value::as_bool) {
        Some(false) => 0.0,
        _ => channel::SPIN_MS,
    };
    let interrupt_checks = match interrupt_checks(boot.config.get("interrupts")) {
        Ok(checks) => checks,
        Err(traceback) => {
            post(&FromWorker::Failed { traceback });
            return;
        }
    };
    let client = channel::Client::new(
        buffers,
        boot.reply_limit,
        default_timeout,
        sync_main_only,
        spin_ms,
        boot.relay.clone(),
        boot.no_shared_memory.clone(),
    );
    let page = page_link::WorkerPage {
        client,
        own,
        target: boot.target.clone(),
    };
    let setup = RealmSetup {
        output,
        page: Box::new(page),
        config: rustpy_bridge::Value::from(&boot.config),
        files,
        page_url: Some(boot.page_url.clone()).filter(|url| !url.is_empty()),
        library_url: if boot.library.is_empty() {
            "library/".to_string()
        } else {
            boot.library.clone()
        },
        interrupts,
        interrupt_checks,
    };
    if let Err(error) = rustpy_web_host::start(Realm::Worker, setup) {
        post(&FromWorker::Failed { traceback: error });
        return;
    }
    if boot.terminal
        && let Err(traceback) = rustpy_web_host::run_script(TERMINAL_SETUP, "<terminal>").await
    {
        post(&FromWorker::Failed { traceback });
        return;
    }
    // The page dispatches `rustpy:ready` on the tag now, before the script runs.
    post(&FromWorker::Booted);
    match rustpy_web_host::run_script(&boot.source, &boot.filename).await {
        Ok(()) => match rustpy_web_host::exported_names() {
            Ok(exports) => post(&FromWorker::Ready { exports }),
            Err(traceback) => post(&FromWorker::Failed { traceback }),
        },
        Err(traceback) => post(&FromWorker::Failed { traceback }),
    }
}

/// Handles a message from the page after boot (a [`ToWorker`] as JSON text), which
/// `web/worker/main.js` passes on as it arrives. Returns whether it was a call whose result
/// is posted already (then the worker watches for the page's next call: the call window of
/// `rustpy_bridge::channel`), and throws only if the instance traps: a call's result or
/// error is posted ([`FromWorker::CallResult`]), a
/// failing callback's traceback too ([`FromWorker::Error`]), and a message that does not
/// parse is logged to the worker's console. An interrupt request still pending, which came
/// while no Python ran, is dropped first and reported so ([`FromWorker::Interrupt`], not
/// delivered): it must not hit this call.
#[wasm_bindgen]
pub fn worker_call(message: &str) -> bool {
    let message = serde_json::from_str::<ToWorker>(message);
    if matches!(message, Ok(ToWorker::Interrupt)) {
        // Without shared memory the request waits in the relay, which polls only now and
        // then: take it now, to drop it below.
        relay::poll_now();
    }
    rustpy_web_host::forget_interrupt();
    let mut answered = false;
    match message {
        Ok(ToWorker::Callback { id, args }) => {
            let result = rustpy_bridge::Value::decode(args.as_bytes())
                .map_err(|e| e.to_string())
                .and_then(|args| rustpy_web_host::invoke_callback(id, &args));
            if let Err(traceback) = result {
                // Nobody awaits a callback: the page shows the error.
                post(&FromWorker::Error {
                    what: "a Python callback (event handler, timer, promise)".into(),
                    traceback,
                });
            }
        }
        Ok(ToWorker::Call { id, name, args }) => {
            match rustpy_web_host::call_export(id, &name, &args) {
                Ok(()) => answered = page_link::answered(id),
                Err(error) => {
                    post(&FromWorker::CallResult {
                        id,
                        result: CallOutcome::Err(error),
                    });
                    answered = true;
                }
            }
        }
        // The interrupt request, if still there, was dropped and reported above.
        Ok(ToWorker::Interrupt) => {}
        Err(error) => web_console_error(&format!(
            "rustpy worker: malformed message from the page: {error}"
        )),
    }
    answered
}

/// Shows on the page an error nobody can catch any more: a Python callable that the
/// worker's own JS (a timer, a promise, an event of a worker object) called raised.
/// Called by `web/worker/main.js` with a description of the caller (`what`) and the
/// Python traceback; posts them as [`FromWorker::Error`].
#[wasm_bindgen]
pub fn worker_report_error(what: &str, traceback: &str) {
    post(&FromWorker::Error {
        what: what.into(),
        traceback: traceback.into(),
    });
}
