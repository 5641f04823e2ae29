//! The page side of rustpy's wasm module: `rustpy.js` calls [`run_main_script`] for each
//! main-thread `<script type="rustpy">`, in document order, and [`call_main_function`]
//! when a worker calls a page function written in Python. (Finding the tags, creating
//! workers and showing errors is DOM work done by `rustpy.js` itself.)
//!
//! # Which file is which end
//!
//! The page's interpreter runs on the page's own thread, so its channels are calls, not
//! messages. This crate is their Rust end; the JS ends, bundled into
//! `dist/rustpy/rustpy.js`, are:
//!
//! - `web/page/main.js`, the page loader: finds the tags and has each main-thread script
//!   run, in document order.
//! - `web/page/main-thread.js`, the host side of this interpreter: it calls
//!   [`run_main_script`], [`call_main_function`] and [`invoke_callback`], and gives the
//!   interpreter its output function, the page operations (`pageOps`, the other end of
//!   `rustpy_bridge::page_op`) and the `ffi` object over the main thread's `HandleTable`
//!   (`web/shared/handle-table.js`, the other end of `rustpy_bridge::ffi` and
//!   `rustpy_bridge::direct`).
//! - `web/page/config.js`: calls [`parse_config`] for every config, the page's and each
//!   worker's, then fetches the files it names.
//!
//! Main-thread Python reaches workers through page operations, and a worker reaches it
//! through [`call_main_function`]; the page's end of a worker's channels is
//! `web/page/py-worker.js` (see `worker-entry`).

#![deny(missing_docs)]

use std::cell::{Cell, RefCell};
use std::collections::HashMap;

use js_sys::{Function, Promise};
use rustpy_interp::{PageLink, PageReply, PartSent, Stream, SyncCallError, Value};
use rustpy_web_host::{HandleTable, OutputSink, PageEnd, Realm, RealmSetup, error_text};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// A call of a page-held Python function, until its result is delivered.
enum PendingCall {
    /// [`call_main_function`] is still on the stack: a result delivered now is returned
    /// from it, with no promise.
    Running(Option<Result<Value, String>>),
    /// The function returned an awaitable: its promise's `(resolve, reject)`.
    Later(Function, Function),
}

thread_local! {
    /// Calls of page-held Python functions waiting for their result, by id.
    static CALLS: RefCell<HashMap<u64, PendingCall>> = RefCell::new(HashMap::new());
    static NEXT_ID: Cell<u64> = const { Cell::new(1) };
}

fn next_id() -> u64 {
    NEXT_ID.with(|next| {
        let id = next.get();
        next.set(id + 1);
        id
    })
}

fn decode(json: &JsValue) -> Result<Value, String> {
    let text = json
        .as_string()
        .ok_or_else(|| "the page answered with something other than a JSON string".to_string())?;
    Value::decode(text.as_bytes()).map_err(|e| e.to_string())
}

fn encode(value: &Value) -> JsValue {
    JsValue::from_str(&String::from_utf8_lossy(&value.encode()))
}

/// Runs one main-thread script and resolves when it finished (top-level `await` included).
/// Called by `web/page/main-thread.js` (`runInPage`) for each main-thread script, one at a
/// time, in document order.
///
/// `output(stream, line)` receives every line written, `stream` being `"stdout"` or
/// `"stderr"`. `page_ops(op, argsJson)` performs the page operations of main-thread
/// Python (`PyWorker`, `workers`) and returns a JSON value or a promise of one. Rejects with
/// the Python traceback, or with a message starting `rustpy:` when the interpreter could
/// not start (a malformed config, a missing `ffi` method). All main-thread scripts share
/// one interpreter and one `__main__` namespace, as PyScript's do.
///
/// `ffi` is the page's handle table for this interpreter: an object with
/// `request(json) -> json` (FFI operations, see `rustpy_bridge::ffi`), `send(json)` (a
/// batch part, run without an answer), `release(handles)`, `getDirect`/`callDirect` (the
/// direct path, `rustpy_bridge::direct`), `target() -> string | null`
/// (`current_target()`), `reportError(what, traceback)` (an error nobody awaits) and
/// `library` (the URL of the lazily loaded stdlib, ending in `/`).
///
/// `config` is the page's config as JSON text (`""`: none) and `files` what its `files`
/// delivered (see [`rustpy_web_host::files_from_js`]); both count only for the call that
/// starts the interpreter (the first script).
#[wasm_bindgen]
pub async fn run_main_script(
    source: String,
    filename: String,
    output: Function,
    page_ops: Function,
    ffi: JsValue,
    config: String,
    files: JsValue,
) -> Result<(), JsValue> {
    rustpy_web_host::report_panics();
    let config = if config.is_empty() {
        Value::None
    } else {
        let json: serde_json::Value = serde_json::from_str(&config)
            .map_err(|e| JsValue::from_str(&format!("rustpy: the page's config: {e}")))?;
        Value::from(&json)
    };
    let files = rustpy_web_host::files_from_js(&files).map_err(|e| JsValue::from_str(&e))?;
    let method = |name: &str| -> Result<Function, JsValue> {
        js_sys::Reflect::get(&ffi, &name.into())?
            .dyn_into::<Function>()
            .map_err(|_| JsValue::from_str(&format!("rustpy: ffi.{name} is not a function")))
    };
    let page = ThePage {
        table: HandleTable::from_table(&ffi).map_err(|e| JsValue::from_str(&e))?,
        send: method("send")?,
        target: method("target")?,
        report: method("reportError")?,
        page_ops,
    };
    let library_url = js_sys::Reflect::get(&ffi, &"library".into())?
        .as_string()
        .ok_or_else(|| JsValue::from_str("rustpy: ffi.library must be the library's URL"))?;
    let setup = RealmSetup {
        output: Box::new(PageOutput(output)),
        page: Box::new(page),
        config,
        files,
        page_url: None,
        library_url,
        interrupts: None,
        interrupt_checks: None,
    };
    rustpy_web_host::start(Realm::Page, setup).map_err(|e| JsValue::from_str(&e))?;
    rustpy_web_host::run_script(&source, &filename)
        .await
        .map_err(|traceback| JsValue::from_str(&traceback))
}

/// Parses and checks a config (`format`: `"json"` or `"toml"`; `source` names it in
/// errors: a file name, `config attribute`, `<rustpy-config>`) and returns
/// `{"config": {...}, "files": [{"url", "to", "unpack"}]}` as JSON text; throws the
/// error's message (file, line and key). Called by `web/page/config.js` (`prepareConfig`)
/// for every config, the page's and each worker's, before the interpreter that uses it
/// starts: it needs no running interpreter.
#[wasm_bindgen]
pub fn parse_config(text: &str, format: &str, source: &str) -> Result<String, JsValue> {
    let format = rustpy_config::Format::from_name(format)
        .ok_or_else(|| JsValue::from_str(&format!("rustpy: unknown config format {format}")))?;
    let parsed = rustpy_config::parse(text, format, source)
        .map_err(|e| JsValue::from_str(&e.to_string()))?;
    let files: Vec<serde_json::Value> = parsed
        .files
        .into_iter()
        .map(|f| serde_json::json!({"url": f.url, "to": f.to, "unpack": f.unpack}))
        .collect();
    Ok(serde_json::json!({"config": parsed.config, "files": files}).to_string())
}

/// Calls the page-held Python function `function_id` with `args_json` (a JSON
/// [`Value::List`]). A function that returns at once gives its JSON result at once (or
/// throws the Python traceback), so the page answers the worker in the same task; one that
/// returns an awaitable gives a promise of the JSON result that rejects with the traceback.
/// Called by `web/page/main-thread.js` when a worker's `pyscript.sync` call reaches a page
/// function that main-thread Python registered.
#[wasm_bindgen]
pub fn call_main_function(function_id: f64, args_json: String) -> Result<JsValue, JsValue> {
    let call_id = next_id();
    CALLS.with(|calls| {
        calls
            .borrow_mut()
            .insert(call_id, PendingCall::Running(None))
    });
    let started = Value::decode(args_json.as_bytes())
        .map_err(|e| e.to_string())
        .and_then(|args| rustpy_web_host::call_function(call_id, function_id as u64, &args));
    let pending = CALLS.with(|calls| calls.borrow_mut().remove(&call_id));
    match (started, pending) {
        (Err(error), _) => Err(JsValue::from_str(&error)),
        (Ok(()), Some(PendingCall::Running(Some(Ok(value))))) => Ok(encode(&value)),
        (Ok(()), Some(PendingCall::Running(Some(Err(traceback))))) => {
            Err(JsValue::from_str(&traceback))
        }
        (Ok(()), _) => {
            let promise = Promise::new(&mut |resolve, reject| {
                CALLS.with(|calls| {
                    calls
                        .borrow_mut()
                        .insert(call_id, PendingCall::Later(resolve, reject))
                });
            });
            Ok(promise.into())
        }
    }
}

/// JavaScript of this thread called a Python callable that this thread's Python offered
/// (`args_json`: a JSON [`Value::List`]); returns the JSON result, throws the Python
/// traceback. The page's table calls it (`web/page/main-thread.js`), and a worker's own
/// table (the `js` module's, `web/worker/main.js`).
#[wasm_bindgen]
pub fn invoke_callback(callable_id: f64, args_json: String) -> Result<String, JsValue> {
    Value::decode(args_json.as_bytes())
        .map_err(|e| e.to_string())
        .and_then(|args| rustpy_web_host::invoke_callback(callable_id as u64, &args))
        .map(|result| String::from_utf8_lossy(&result.encode()).into_owned())
        .map_err(|traceback| JsValue::from_str(&traceback))
}

/// The page's own interpreter's link to the page: its handle table (the page's objects
/// are this thread's), and the functions `web/page/main-thread.js` gives it.
struct ThePage {
    /// The page's `HandleTable` (`web/shared/handle-table.js`).
    table: HandleTable,
    /// `ffi.send(part)`: runs a batch part.
    send: Function,
    /// `ffi.target()`: the id of the element `display()` writes to.
    target: Function,
    /// `ffi.reportError(what, traceback)`: shows an error nobody awaits.
    report: Function,
    /// `pageOps(op, argsJson)`: a page operation, its JSON answer or a promise of it.
    page_ops: Function,
}

impl PageLink for ThePage {
    /// Delivers the result of a page-held Python function's call
    /// ([`call_main_function`]).
    fn export_result(&self, call_id: u64, result: Result<Value, String>) {
        let (resolve, reject) = match CALLS.with(|calls| calls.borrow_mut().remove(&call_id)) {
            Some(PendingCall::Later(resolve, reject)) => (resolve, reject),
            Some(PendingCall::Running(_)) => {
                // Still inside call_main_function, which returns it.
                CALLS.with(|calls| {
                    calls
                        .borrow_mut()
                        .insert(call_id, PendingCall::Running(Some(result)))
                });
                return;
            }
            None => return,
        };
        let _ = match result {
            Ok(value) => resolve.call1(&JsValue::UNDEFINED, &encode(&value)),
            Err(traceback) => reject.call1(&JsValue::UNDEFINED, &JsValue::from_str(&traceback)),
        };
    }

    fn page_op(&self, op: &str, args: Value) -> Result<PageReply, String> {
        let answer = self
            .page_ops
            .call2(&JsValue::UNDEFINED, &op.into(), &encode(&args))
            .map_err(|e| error_text(&e))?;
        let Some(promise) = answer.dyn_ref::<Promise>() else {
            return decode(&answer).map(PageReply::Now);
        };
        let id = next_id();
        let promise = promise.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let result = match JsFuture::from(promise).await {
                Ok(json) => decode(&json),
                Err(error) => Err(error_text(&error)),
            };
            if let Err(error) = rustpy_web_host::settle_request(id, result) {
                web_sys_console_error(&error);
            }
        });
        Ok(PageReply::Later(id))
    }

    fn js_request(&self, request: &str) -> Result<String, SyncCallError> {
        self.table.request(request)
    }

    fn js_send(&self, part: &str) -> Result<PartSent, SyncCallError> {
        self.send
            .call1(&JsValue::UNDEFINED, &part.into())
            .map(|_| PartSent::Sent)
            .map_err(|e| SyncCallError::Protocol(error_text(&e)))
    }

    fn js_direct(
        &self,
        op: &rustpy_bridge::direct::DirectOp<'_>,
    ) -> Result<rustpy_bridge::direct::Outcome, SyncCallError> {
        self.table.direct(op)
    }

    fn js_release(&self, handles: &[u64]) {
        self.table.release(handles);
    }

    fn current_target(&self) -> Option<String> {
        self.target
            .call0(&JsValue::UNDEFINED)
            .ok()
            .and_then(|id| id.as_string())
    }
}

impl PageEnd for ThePage {
    fn report_error(&self, what: &str, traceback: &str) {
        let _ = self
            .report
            .call2(&JsValue::UNDEFINED, &what.into(), &traceback.into());
    }
}

/// The page's output: each line goes to `rustpy.js` at once (a call, not a message: there
/// is nothing to gather).
struct PageOutput(Function);

impl OutputSink for PageOutput {
    fn line(&self, stream: Stream, line: &str) {
        let stream = match stream {
            Stream::Stdout => "stdout",
            Stream::Stderr => "stderr",
        };
        let _ = self
            .0
            .call2(&JsValue::UNDEFINED, &stream.into(), &line.into());
    }
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console, js_name = error)]
    fn web_sys_console_error(text: &str);
}
