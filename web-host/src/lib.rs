//! Implements [`rustpy_interp::Host`] with web APIs and keeps the one interpreter of this
//! JS realm (the page, or one worker).
//!
//! Used by both entries: `main-entry` (page thread) and `worker-entry` (a Web Worker).
//! The differences between the two are the output sink and how `time.sleep` blocks.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use js_sys::{Function, Int32Array, Promise};
use rustpy_bridge::channel::INTERRUPT;
use rustpy_interp::{
    Host, InterruptChecks, PageReply, PartSent, Runtime, ScriptOutcome, SleepError, Stream,
    SyncCallError, Value,
};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

mod direct;

pub use direct::DirectTable;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn performance_now() -> f64;
    #[wasm_bindgen(js_namespace = Date, js_name = now)]
    fn date_now() -> f64;
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(callback: &JsValue, delay_ms: f64) -> JsValue;
}

/// Where this interpreter runs; decides how `time.sleep` blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Realm {
    /// The page's main thread: blocking is a busy wait (the page freezes meanwhile).
    Page,
    /// A Web Worker: blocking uses `Atomics.wait`, which does not spin a core.
    Worker,
}

/// Where a realm's output goes: each line as it is written, and the moments to deliver
/// lines the sink held back to gather them ([`Host::flush_held_output`], [`Host::running`]).
pub trait OutputSink {
    /// One complete line (without its newline) written to `stream`.
    fn line(&self, stream: Stream, line: &str);
    /// Delivers every line held back, now.
    fn flush_held(&self) {}
    /// Python is running: delivers lines held back for a while.
    fn running(&self) {}
}

/// Makes a blocking call of a page function: `(name, args, timeout)` to its result.
pub type SyncCallFn = Box<dyn Fn(&str, Value, Option<f64>) -> Result<Value, SyncCallError>>;

/// Delivers the result of an exported call: `(call_id, value or traceback)`.
pub type ExportResultFn = Box<dyn Fn(u64, Result<Value, String>)>;

/// Performs a page operation for main-thread Python (page only).
pub type PageOpFn = Box<dyn Fn(&str, Value) -> Result<PageReply, String>>;

/// Runs FFI operations on the page: JSON request to JSON reply.
pub type JsRequestFn = Box<dyn Fn(&str) -> Result<String, SyncCallError>>;
/// Hands the page a batch part to run without waiting (see [`Edges::js_send`]).
pub type JsSendFn = Box<dyn Fn(&str) -> Result<PartSent, SyncCallError>>;

/// Where a worker's interrupt requests (`worker.interrupt()`) wait to be taken: the shared
/// control block's `INTERRUPT` word ([`SharedInterrupt`]), or, without shared memory, the
/// relay service worker, which the worker asks (`worker-entry`'s `relay.rs`).
pub trait InterruptSource {
    /// True while a request is pending, without taking it. May ask the page's side, so it
    /// is called at most every few hundred Python instructions.
    fn requested(&self) -> bool;
    /// Takes the pending request: true if there was one.
    fn take(&self) -> bool;
    /// Blocks for `ms` milliseconds at most, less when a request arrives (left pending).
    fn wait(&self, ms: f64) -> Result<(), String>;
}

/// The `INTERRUPT` word of a worker's shared control block (`rustpy_bridge::channel`).
pub struct SharedInterrupt(pub Int32Array);

impl InterruptSource for SharedInterrupt {
    fn requested(&self) -> bool {
        js_sys::Atomics::load(&self.0, INTERRUPT).is_ok_and(|flag| flag != 0)
    }

    fn take(&self) -> bool {
        js_sys::Atomics::exchange(&self.0, INTERRUPT, 0).is_ok_and(|flag| flag != 0)
    }

    fn wait(&self, ms: f64) -> Result<(), String> {
        // `worker.interrupt()` notifies the word: the wait ends at once.
        js_sys::Atomics::wait_with_timeout(&self.0, INTERRUPT, 0, ms)
            .map(|_| ())
            .map_err(|e| format!("Atomics.wait failed: {e:?}"))
    }
}

/// Gives back JS handles: `(id, count)` pairs, flattened.
pub type JsReleaseFn = Box<dyn Fn(&[u64])>;

/// The id of the element `display()` writes to by default.
pub type TargetFn = Box<dyn Fn() -> Option<String>>;

/// Tells the page what became of its interrupt request: `true` when Python raised
/// `KeyboardInterrupt`, `false` when nothing ran and the request was dropped.
pub type InterruptOutcomeFn = Box<dyn Fn(bool)>;

/// Shows an error nobody can catch any more: where it was raised and its traceback
/// ([`Host::report_error`]).
pub type ReportErrorFn = Box<dyn Fn(&str, &str)>;

/// The table of a worker's own JS objects (`Host::js_local_request`).
pub struct LocalFfi {
    /// Runs FFI operations on them: JSON request to JSON reply.
    pub request: JsRequestFn,
    /// Gives back their handles: `(id, count)` pairs, flattened.
    pub release: JsReleaseFn,
    /// Runs one `get` or `call` without a request's text ([`Host::js_direct`]).
    pub direct: DirectTable,
}

impl LocalFfi {
    /// The request, release and direct path of a JS `HandleTable` (`rustpy-ffi.js`) on
    /// this thread: `table.request(json) -> json`, `table.release(Float64Array)`,
    /// `table.getDirect(...)` and `table.callDirect(...)`.
    pub fn from_table(table: &JsValue) -> Result<Self, String> {
        let method = |name: &str| -> Result<Function, String> {
            js_sys::Reflect::get(table, &name.into())
                .ok()
                .and_then(|method| method.dyn_into::<Function>().ok())
                .map(|method| method.bind0(table))
                .ok_or_else(|| format!("rustpy: the FFI table has no {name}()"))
        };
        let (request, release) = (method("request")?, method("release")?);
        Ok(Self {
            direct: table.clone().unchecked_into(),
            request: Box::new(move |json| {
                let reply = request
                    .call1(&JsValue::UNDEFINED, &json.into())
                    .map_err(|e| SyncCallError::Protocol(error_text(&e)))?;
                reply.as_string().ok_or_else(|| {
                    SyncCallError::Protocol("the FFI table answered a non-string".into())
                })
            }),
            release: Box::new(move |handles| {
                let handles: Vec<f64> = handles.iter().map(|&h| h as f64).collect();
                let _ = release.call1(
                    &JsValue::UNDEFINED,
                    &js_sys::Float64Array::from(handles.as_slice()),
                );
            }),
        })
    }
}

/// What the realm's entry provides: where output goes and how the bridge is reached.
pub struct Edges {
    /// Receives each line of output.
    pub output: Box<dyn OutputSink>,
    /// Blocking calls of page functions (workers only; `None` on the page).
    pub sync_call: Option<SyncCallFn>,
    /// Delivers results of exported calls (workers) and of page-held Python functions
    /// (page).
    pub export_result: Option<ExportResultFn>,
    /// Page operations (page only).
    pub page_op: Option<PageOpFn>,
    /// FFI requests (`window`, `document`).
    pub js_request: JsRequestFn,
    /// Batch parts the page runs without answering ([`Host::js_send`]).
    pub js_send: JsSendFn,
    /// FFI handle releases (of the page's handles, when there is a `local_ffi`).
    pub js_release: JsReleaseFn,
    /// The table of this thread's own JS objects: a worker's (the `js` module), or on the
    /// page the page's, which the fields above also reach.
    pub local_ffi: Option<LocalFfi>,
    /// `current_target()`.
    pub current_target: TargetFn,
    /// The interpreter's configuration (`pyscript.config`).
    pub config: Value,
    /// The files its config delivered, `(path, bytes)` ([`files_from_js`]), for the
    /// in-memory filesystem.
    pub files: Vec<(String, Vec<u8>)>,
    /// The page's address a worker started from ([`Host::page_url`]); `None` on the page.
    pub page_url: Option<String>,
    /// The base URL of the lazily loaded stdlib, ending in `/` (`dist/rustpy/library/`;
    /// [`Host::load_library`] fetches `<base><file>`).
    pub library_url: String,
    /// Where the page's requests to interrupt this worker wait ([`InterruptSource`]);
    /// `None` on the page, or in a worker with neither shared memory nor a relay. Also
    /// what `time.sleep` waits on.
    pub interrupts: Option<Rc<dyn InterruptSource>>,
    /// Reports what became of each interrupt request (workers with `interrupts`).
    pub interrupt_outcome: Option<InterruptOutcomeFn>,
    /// Where `worker.interrupt()` should reach running Python that never waits (the
    /// checks of [`Runtime::watch_for_interrupts`]; only with `interrupts`); `None`:
    /// nowhere. A worker's config chooses (`"interrupts"`).
    pub interrupt_checks: Option<InterruptChecks>,
    /// Shows errors raised where nobody awaits them (async handlers, timers) on the page.
    pub report_error: ReportErrorFn,
}

struct WebHost {
    realm: Realm,
    edges: Edges,
    files: RefCell<Vec<(String, Vec<u8>)>>,
    pending: RefCell<HashMap<u64, (Function, Function)>>,
}

impl WebHost {
    fn new(realm: Realm, mut edges: Edges) -> Self {
        Self {
            realm,
            files: RefCell::new(std::mem::take(&mut edges.files)),
            edges,
            pending: RefCell::new(HashMap::new()),
        }
    }
}

impl Host for WebHost {
    fn write_line(&self, stream: Stream, line: &str) {
        self.edges.output.line(stream, line);
    }

    fn flush_held_output(&self) {
        self.edges.output.flush_held();
    }

    fn running(&self) {
        self.edges.output.running();
    }

    fn wall_clock_ms(&self) -> f64 {
        date_now()
    }

    fn monotonic_ms(&self) -> f64 {
        performance_now()
    }

    fn sleep(&self, seconds: f64) -> Result<(), SleepError> {
        let deadline = performance_now() + seconds * 1000.0;
        loop {
            let remaining = deadline - performance_now();
            if remaining <= 0.0 {
                return Ok(());
            }
            match &self.edges.interrupts {
                Some(interrupts) => {
                    // Sleep on the interrupt request: `worker.interrupt()` ends it at once.
                    interrupts
                        .wait(remaining)
                        .map_err(SleepError::Unsupported)?;
                    if self.interrupted() {
                        return Err(SleepError::Interrupted);
                    }
                }
                // The page's thread, or a worker with neither shared memory nor a relay:
                // the only way to block is to spin until the deadline.
                None => std::hint::spin_loop(),
            }
        }
    }

    fn schedule_timer(&self, timer_id: u64, delay_ms: f64) {
        let callback = Closure::once_into_js(move || fire_timer(timer_id));
        set_timeout(&callback, delay_ms);
    }

    fn script_finished(&self, script_id: u64, error: Option<String>) {
        let Some((resolve, reject)) = self.pending.borrow_mut().remove(&script_id) else {
            return;
        };
        let _ = match error {
            None => resolve.call0(&JsValue::UNDEFINED),
            Some(traceback) => reject.call1(&JsValue::UNDEFINED, &JsValue::from_str(&traceback)),
        };
    }

    fn in_worker(&self) -> bool {
        self.realm == Realm::Worker
    }

    fn sync_call(
        &self,
        name: &str,
        args: Value,
        timeout: Option<f64>,
    ) -> Result<Value, SyncCallError> {
        match &self.edges.sync_call {
            Some(call) => call(name, args, timeout),
            None => Err(SyncCallError::NotInWorker),
        }
    }

    fn interrupted(&self) -> bool {
        self.take_interrupt_reporting(true)
    }

    fn interrupt_requested(&self) -> bool {
        self.edges
            .interrupts
            .as_ref()
            .is_some_and(|interrupts| interrupts.requested())
    }

    fn export_result(&self, call_id: u64, result: Result<Value, String>) {
        if let Some(deliver) = &self.edges.export_result {
            deliver(call_id, result);
        }
    }

    fn page_op(&self, op: &str, args: Value) -> Result<PageReply, String> {
        match &self.edges.page_op {
            Some(run) => run(op, args),
            None => Err(format!("{op} is only available on the page's main thread")),
        }
    }

    fn js_request(&self, request: &str) -> Result<String, SyncCallError> {
        (self.edges.js_request)(request)
    }

    fn js_send(&self, part: &str) -> Result<PartSent, SyncCallError> {
        (self.edges.js_send)(part)
    }

    fn js_local_request(&self, request: &str) -> Result<String, SyncCallError> {
        match &self.edges.local_ffi {
            Some(local) => (local.request)(request),
            None => (self.edges.js_request)(request),
        }
    }

    fn js_direct(
        &self,
        op: &rustpy_bridge::direct::DirectOp<'_>,
    ) -> Result<rustpy_bridge::direct::Outcome, SyncCallError> {
        match &self.edges.local_ffi {
            Some(local) => direct::run(&local.direct, op),
            None => rustpy_interp::direct_as_request(self, op),
        }
    }

    fn js_release(&self, handles: &[u64]) {
        let Some(local) = &self.edges.local_ffi else {
            (self.edges.js_release)(handles);
            return;
        };
        let (mine, page): (Vec<&[u64]>, Vec<&[u64]>) = handles
            .chunks(2)
            .partition(|pair| rustpy_bridge::ffi::is_local_handle(pair[0]));
        for (pairs, release) in [(mine, &local.release), (page, &self.edges.js_release)] {
            if !pairs.is_empty() {
                release(&pairs.concat());
            }
        }
    }

    fn current_target(&self) -> Option<String> {
        (self.edges.current_target)()
    }

    fn load_library(&self, file: &str) -> Result<Vec<u8>, String> {
        let url = format!("{}{file}", self.edges.library_url);
        fetch_blocking(&url, self.realm).map_err(|error| {
            format!("{error} for {url} (dist/rustpy/library/ must be served next to rustpy.js)")
        })
    }

    fn config(&self) -> Value {
        self.edges.config.clone()
    }

    fn page_url(&self) -> Option<String> {
        self.edges.page_url.clone()
    }

    fn take_files(&self) -> Vec<(String, Vec<u8>)> {
        std::mem::take(&mut *self.files.borrow_mut())
    }

    fn report_error(&self, what: &str, traceback: &str) {
        (self.edges.report_error)(what, traceback);
    }
}

impl WebHost {
    fn report_interrupt(&self, delivered: bool) {
        if let Some(report) = &self.edges.interrupt_outcome {
            report(delivered);
        }
    }

    /// Takes the page's interrupt request, if there is one, and reports it `delivered`
    /// (Python raises `KeyboardInterrupt`) or not (nothing ran: dropped).
    fn take_interrupt_reporting(&self, delivered: bool) -> bool {
        let taken = self
            .edges
            .interrupts
            .as_ref()
            .is_some_and(|interrupts| interrupts.take());
        if taken {
            self.report_interrupt(delivered);
        }
        taken
    }
}

struct Session {
    host: Rc<WebHost>,
    runtime: Runtime,
    next_script_id: u64,
}

thread_local! {
    static SESSION: RefCell<Option<Rc<RefCell<Session>>>> = const { RefCell::new(None) };
}

fn fire_timer(timer_id: u64) {
    let Some(session) = SESSION.with(|s| s.borrow().clone()) else {
        return;
    };
    forget_interrupt();
    let session = session.borrow();
    if let Err(error) = session.runtime.fire_timer(timer_id) {
        session.host.report_error("a timer", &error.to_string());
    }
}

/// Creates this realm's interpreter, once; later calls keep the first one.
pub fn start(realm: Realm, edges: Edges) -> Result<(), String> {
    if SESSION.with(|s| s.borrow().is_some()) {
        return Ok(());
    }
    let host = Rc::new(WebHost::new(realm, edges));
    let runtime = Runtime::new(host.clone()).map_err(|e| e.to_string())?;
    if let Some(how) = host.edges.interrupt_checks
        && host.edges.interrupts.is_some()
    {
        runtime
            .watch_for_interrupts(how)
            .map_err(|e| e.to_string())?;
    }
    let session = Session {
        host,
        runtime,
        next_script_id: 1,
    };
    SESSION.with(|s| *s.borrow_mut() = Some(Rc::new(RefCell::new(session))));
    Ok(())
}

/// Runs a script in this realm's interpreter (see [`start`]) and waits for it to finish,
/// top-level `await` included. The error is the Python traceback.
pub async fn run_script(source: &str, filename: &str) -> Result<(), String> {
    let session = session()?;
    let (script_id, waiting) = {
        let mut session = session.borrow_mut();
        let script_id = session.next_script_id;
        session.next_script_id += 1;
        // Register the resolvers before running: the script may finish during the run.
        let host = session.host.clone();
        let waiting = Promise::new(&mut |resolve, reject| {
            host.pending
                .borrow_mut()
                .insert(script_id, (resolve, reject));
        });
        (script_id, waiting)
    };
    let outcome = {
        let session = session.borrow();
        let source = rustpy_interp::dedent(source);
        session.runtime.run_script(&source, filename, script_id)
    };
    if !matches!(outcome, Ok(ScriptOutcome::Pending)) {
        // Only a pending script settles its promise later; drop the resolvers otherwise.
        session
            .borrow()
            .host
            .pending
            .borrow_mut()
            .remove(&script_id);
    }
    match outcome.map_err(|e| e.to_string())? {
        ScriptOutcome::Finished => Ok(()),
        ScriptOutcome::Failed(traceback) => Err(traceback),
        ScriptOutcome::Pending => JsFuture::from(waiting)
            .await
            .map(|_| ())
            .map_err(|e| e.as_string().unwrap_or_else(|| format!("{e:?}"))),
    }
}

fn session() -> Result<Rc<RefCell<Session>>, String> {
    SESSION
        .with(|s| s.borrow().clone())
        .ok_or_else(|| "rustpy: the interpreter was not started".to_string())
}

/// The names the script offers the page (`__export__` and `pyscript.sync`).
pub fn exported_names() -> Result<Vec<String>, String> {
    session()?
        .borrow()
        .runtime
        .exported_names()
        .map_err(|e| e.to_string())
}

/// Calls an exported function; its result arrives through [`Edges::export_result`].
pub fn call_export(call_id: u64, name: &str, args: &Value) -> Result<(), String> {
    session()?
        .borrow()
        .runtime
        .call_export(call_id, name, args)
        .map_err(|e| e.to_string())
}

/// Settles a page operation that answered [`PageReply::Later`].
pub fn settle_request(request_id: u64, result: Result<Value, String>) -> Result<(), String> {
    session()?
        .borrow()
        .runtime
        .settle_request(request_id, result)
        .map_err(|e| e.to_string())
}

/// Calls a Python function the page holds by id; its result arrives through
/// [`Edges::export_result`].
pub fn call_function(call_id: u64, function_id: u64, args: &Value) -> Result<(), String> {
    session()?
        .borrow()
        .runtime
        .call_function(call_id, function_id, args)
        .map_err(|e| e.to_string())
}

/// Takes the page's interrupt request for Python that waits for the page (a sync call,
/// `input()`): true if there was one, which is then reported delivered.
pub fn deliver_interrupt() -> bool {
    session().is_ok_and(|session| session.borrow().host.interrupted())
}

/// Reports an interrupt that the relay service worker delivered (its answer to a waiting
/// request, which took it there).
pub fn report_relayed_interrupt() {
    if let Ok(session) = session() {
        session.borrow().host.report_interrupt(true);
    }
}

/// Forgets an interrupt that arrived while no code ran, so it cannot hit the next call,
/// and reports it dropped.
pub fn forget_interrupt() {
    if let Ok(session) = session() {
        session.borrow().host.take_interrupt_reporting(false);
    }
}

/// JavaScript called a Python callable this realm offered; returns its result or the
/// Python traceback.
pub fn invoke_callback(callable_id: u64, args: &Value) -> Result<Value, String> {
    session()?
        .borrow()
        .runtime
        .invoke_callback(callable_id, args)
}

/// The files the page fetched for a config (`rustpy.js`'s `fetchConfigFiles`: an array of
/// `{url, to, unpack, data}`, `data` a `Uint8Array`) as `(path, bytes)` pairs, archives
/// unpacked (`rustpy_config::archive`). The error names the file's URL.
pub fn files_from_js(files: &JsValue) -> Result<Vec<(String, Vec<u8>)>, String> {
    let mut placed = Vec::new();
    if files.is_undefined() || files.is_null() {
        return Ok(placed);
    }
    let files = files
        .dyn_ref::<js_sys::Array>()
        .ok_or("rustpy: the config's files must arrive as an array")?;
    for file in files.iter() {
        let field =
            |name: &str| js_sys::Reflect::get(&file, &name.into()).unwrap_or(JsValue::UNDEFINED);
        let (Some(url), Some(to)) = (field("url").as_string(), field("to").as_string()) else {
            return Err("rustpy: a config file arrived without its url and path".into());
        };
        let data = field("data");
        let Some(data) = data.dyn_ref::<js_sys::Uint8Array>() else {
            return Err(format!(
                "rustpy: the config file {url} arrived without its bytes"
            ));
        };
        let unpack = field("unpack").as_bool().unwrap_or(false);
        placed.extend(
            rustpy_config::archive::place(&url, &to, unpack, data.to_vec())
                .map_err(|e| format!("rustpy: could not unpack a config file: {e}"))?,
        );
    }
    Ok(placed)
}

/// How long a worker waits for a library file before the import fails.
const LIBRARY_TIMEOUT_MS: u32 = 60_000;

/// Fetches `url` with a synchronous `XMLHttpRequest` (the import that needs it cannot
/// wait for a promise). In a worker the wait is bounded by [`LIBRARY_TIMEOUT_MS`]; a
/// window's synchronous request cannot have a timeout (the browser's own limits apply).
fn fetch_blocking(url: &str, realm: Realm) -> Result<Vec<u8>, String> {
    use web_sys::{XmlHttpRequest, XmlHttpRequestResponseType};
    let xhr = XmlHttpRequest::new().map_err(|e| error_text(&e))?;
    xhr.open_with_async("GET", url, false)
        .map_err(|e| error_text(&e))?;
    match realm {
        Realm::Worker => {
            xhr.set_response_type(XmlHttpRequestResponseType::Arraybuffer);
            xhr.set_timeout(LIBRARY_TIMEOUT_MS);
        }
        // A window's synchronous requests cannot ask for binary: read text in the charset
        // that maps byte b to one character whose low byte is b.
        Realm::Page => xhr
            .override_mime_type("text/plain; charset=x-user-defined")
            .map_err(|e| error_text(&e))?,
    }
    xhr.send().map_err(|e| error_text(&e))?;
    let status = xhr.status().map_err(|e| error_text(&e))?;
    if status != 200 {
        return Err(format!("HTTP status {status}"));
    }
    match realm {
        Realm::Worker => {
            let body = xhr.response().map_err(|e| error_text(&e))?;
            Ok(js_sys::Uint8Array::new(&body).to_vec())
        }
        Realm::Page => {
            let text = xhr
                .response_text()
                .map_err(|e| error_text(&e))?
                .unwrap_or_default();
            Ok(text.chars().map(|c| (c as u32 & 0xff) as u8).collect())
        }
    }
}

/// A thrown JS value as text: `Name: message` for an `Error`, the string itself, or its
/// debug form.
pub fn error_text(error: &JsValue) -> String {
    if let Some(error) = error.dyn_ref::<js_sys::Error>() {
        format!(
            "{}: {}",
            String::from(error.name()),
            String::from(error.message())
        )
    } else {
        error.as_string().unwrap_or_else(|| format!("{error:?}"))
    }
}
