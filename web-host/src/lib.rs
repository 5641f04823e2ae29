//! Implements [`rustpy_interp::Host`] with web APIs and keeps the one interpreter of this
//! JS realm (the page, or one worker).
//!
//! Used by both entries: `main-entry` (page thread) and `worker-entry` (a Web Worker).
//! The differences between the two are the output sink and how `time.sleep` blocks.
//!
//! # Which file is which end
//!
//! This crate holds the Rust end of what both entries share; each entry owns the rest of
//! its channels (see `rustpy-bridge`'s crate docs for all of them):
//!
//! - **The thread's handle table** ([`HandleTable`], [`DirectTable`]; `table.rs` and
//!   `direct.rs`): the JS end is a `HandleTable` of `web/shared/handle-table.js`. In a
//!   worker it is the worker's own (the `js` module), made by `web/worker/main.js`; on the
//!   page it is the page interpreter's, made by `web/page/main-thread.js`.
//! - **Interrupts** ([`InterruptSource`]): the worker end of the page's interrupt request.
//!   [`SharedInterrupt`] reads the control block's word, which the page sets from
//!   `web/page/py-worker.js` (its `SharedChannel`, `web/page/channel.js`); the relay's
//!   stand-in is `worker-entry`'s `relay.rs`, answered by `web/sw/relay.js`.
//! - **Config files** ([`files_from_js`]): what `web/page/config.js` fetched for a config.
//! - **Panics** ([`report_panics`]): the text of a panic, which the worker bootstrap
//!   `web/worker/main.js` (served as `rustpy-worker.js`) reads for its crash report.
//! - **The stdlib**: [`Host::load_library`] fetches `library/` files, served next to
//!   `rustpy.js` (`dist/rustpy/library/`).

#![deny(missing_docs)]

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use js_sys::{Function, Promise};
use rustpy_interp::{
    Host, InterruptChecks, PageLink, Runtime, ScriptOutcome, SleepError, Stream, Value,
};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

mod direct;
mod interrupts;
mod panics;
mod soon;
mod table;

pub use direct::DirectTable;
pub use interrupts::{InterruptSource, SharedInterrupt};
pub use panics::report_panics;
pub use table::HandleTable;

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
    /// Delivers every line held back and waits until the page has shown them all
    /// ([`Host::drain_output`]); by default [`OutputSink::flush_held`].
    fn drain(&self) {
        self.flush_held();
    }
    /// Python is running: delivers lines held back for a while.
    fn running(&self) {}
}

/// The page end of a realm's link, as the browser hosts need it: the interpreter's
/// [`PageLink`], and what a browser realm reports to its page besides.
pub trait PageEnd: PageLink {
    /// Shows an error nobody can catch any more (an async handler's, a timer's) on the
    /// page ([`Host::report_error`]): where it was raised and its traceback.
    fn report_error(&self, what: &str, traceback: &str);
    /// Tells the page what became of its interrupt request: `true` when Python raised
    /// `KeyboardInterrupt`, `false` when nothing ran and the request was dropped. Only a
    /// worker that can be interrupted has one to report.
    fn interrupt_outcome(&self, delivered: bool) {
        let _ = delivered;
    }
}

/// What a realm's entry sets up its interpreter with: where output goes, its link to the
/// page, its config and files, where the stdlib is, and how interrupts reach it.
pub struct RealmSetup {
    /// Receives each line of output.
    pub output: Box<dyn OutputSink>,
    /// The link to the page (a worker's channel; on the page, the page itself).
    pub page: Box<dyn PageEnd>,
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
    /// Where `worker.interrupt()` should reach running Python that never waits (the
    /// checks of [`Runtime::watch_for_interrupts`]; only with `interrupts`); `None`:
    /// nowhere. A worker's config chooses (`"interrupts"`).
    pub interrupt_checks: Option<InterruptChecks>,
}

struct WebHost {
    realm: Realm,
    setup: RealmSetup,
    files: RefCell<Vec<(String, Vec<u8>)>>,
    pending: RefCell<HashMap<u64, (Function, Function)>>,
}

impl WebHost {
    fn new(realm: Realm, mut setup: RealmSetup) -> Self {
        Self {
            realm,
            files: RefCell::new(std::mem::take(&mut setup.files)),
            setup,
            pending: RefCell::new(HashMap::new()),
        }
    }
}

impl Host for WebHost {
    fn write_line(&self, stream: Stream, line: &str) {
        self.setup.output.line(stream, line);
    }

    fn flush_held_output(&self) {
        self.setup.output.flush_held();
    }

    fn drain_output(&self) {
        self.setup.output.drain();
    }

    fn running(&self) {
        self.setup.output.running();
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
            match &self.setup.interrupts {
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
        if delay_ms <= 0.0 && soon::schedule(timer_id, fire_timer) {
            return;
        }
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

    fn interrupted(&self) -> bool {
        self.take_interrupt_reporting(true)
    }

    fn interrupt_requested(&self) -> bool {
        self.setup
            .interrupts
            .as_ref()
            .is_some_and(|interrupts| interrupts.requested())
    }

    fn page(&self) -> &dyn PageLink {
        &*self.setup.page
    }

    fn load_library(&self, file: &str) -> Result<Vec<u8>, String> {
        let url = format!("{}{file}", self.setup.library_url);
        fetch_blocking(&url, self.realm).map_err(|error| {
            format!("{error} for {url} (dist/rustpy/library/ must be served next to rustpy.js)")
        })
    }

    fn config(&self) -> Value {
        self.setup.config.clone()
    }

    fn page_url(&self) -> Option<String> {
        self.setup.page_url.clone()
    }

    fn take_files(&self) -> Vec<(String, Vec<u8>)> {
        std::mem::take(&mut *self.files.borrow_mut())
    }

    fn report_error(&self, what: &str, traceback: &str) {
        self.setup.page.report_error(what, traceback);
    }
}

impl WebHost {
    fn report_interrupt(&self, delivered: bool) {
        self.setup.page.interrupt_outcome(delivered);
    }

    /// Takes the page's interrupt request, if there is one, and reports it `delivered`
    /// (Python raises `KeyboardInterrupt`) or not (nothing ran: dropped).
    fn take_interrupt_reporting(&self, delivered: bool) -> bool {
        let taken = self
            .setup
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
pub fn start(realm: Realm, setup: RealmSetup) -> Result<(), String> {
    if SESSION.with(|s| s.borrow().is_some()) {
        return Ok(());
    }
    let host = Rc::new(WebHost::new(realm, setup));
    let runtime = Runtime::new(host.clone()).map_err(|e| e.to_string())?;
    if let Some(how) = host.setup.interrupt_checks
        && host.setup.interrupts.is_some()
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

/// Calls an exported function; its result arrives through [`PageLink::export_result`].
pub fn call_export(call_id: u64, name: &str, args: &Value) -> Result<(), String> {
    session()?
        .borrow()
        .runtime
        .call_export(call_id, name, args)
        .map_err(|e| e.to_string())
}

/// Settles a page operation that answered [`rustpy_interp::PageReply::Later`].
pub fn settle_request(request_id: u64, result: Result<Value, String>) -> Result<(), String> {
    session()?
        .borrow()
        .runtime
        .settle_request(request_id, result)
        .map_err(|e| e.to_string())
}

/// Calls a Python function the page holds by id; its result arrives through
/// [`PageLink::export_result`].
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

/// The files the page fetched for a config (`prepareConfig` in `web/page/config.js`: an
/// array of `{url, to, unpack, data}`, `data` a `Uint8Array`) as `(path, bytes)` pairs,
/// archives unpacked (`rustpy_config::archive`). The error names the file's URL.
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
