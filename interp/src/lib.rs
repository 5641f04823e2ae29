//! rustpy's Python interpreter: RustPython with a frozen boot image and a lazily fetched
//! stdlib, browser-friendly `os`/`time`, an asyncio event loop driven by host timers, and
//! script running with top-level `await`.
//!
//! This crate knows nothing of the browser. Everything it needs from the outside world
//! (output, clocks, sleeping, timers) goes through the [`Host`] trait, so the whole
//! interpreter is tested natively with a fake host; `worker-entry` and `main-entry`
//! implement [`Host`] with browser APIs.

#![deny(missing_docs)]

mod ffi;
use ffi::convert;
mod hand_back;
mod host_module;
mod interrupts;
mod line_buffer;
mod source;
mod thread_host;

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use rustpython_vm::{
    AsObject, Interpreter, PyObjectRef, PyResult, VirtualMachine,
    builtins::{PyBaseExceptionRef, PyDict, PyList},
    compiler::core::frozen::FrozenLib,
};

pub use interrupts::{CHECK_EVERY, InterruptChecks};
pub use line_buffer::LineBuffer;
pub use rustpy_bridge::Value;
pub use source::dedent;

/// Python sources frozen by `build.rs`: the boot image (what starting up and `pyscript` need).
static FROZEN: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/frozen.bin"));

/// The list of frozen modules with their compressed sizes, one `name\tbytes` per line.
pub const FROZEN_MANIFEST: &str = include_str!(concat!(env!("OUT_DIR"), "/frozen-manifest.txt"));

/// The stdlib modules loaded on first import through [`Host::load_library`], one per line:
/// `name<TAB>1 if a package else 0<TAB>the other modules its file brings, as line numbers in
/// base 36, comma-separated`; then `name<TAB>!<TAB>why it cannot run in a browser`.
pub const LIBRARY_INDEX: &str = include_str!(concat!(env!("OUT_DIR"), "/library-index.txt"));

/// Where the build wrote the library files (`<module>.bin` with what the module imports,
/// `one/<module>.bin` alone; see [`LIBRARY_INDEX`]): `cargo xtask dist` copies them to
/// `dist/rustpy/library/`, native tests read them from here.
pub const LIBRARY_BUILD_DIR: &str = concat!(env!("OUT_DIR"), "/library");

/// Which output stream a piece of text was written to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    /// `sys.stdout`: `print()`.
    Stdout,
    /// `sys.stderr`: warnings, tracebacks printed by Python code.
    Stderr,
}

/// Why a `time.sleep` could not block.
#[derive(Debug, thiserror::Error)]
pub enum SleepError {
    /// The host cannot block this thread (e.g. the page's main thread).
    #[error("{0}")]
    Unsupported(String),
    /// The page interrupted the sleep (`worker.interrupt()`).
    #[error("interrupted")]
    Interrupted,
}

/// What became of a batch part handed to [`PageLink::js_send`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartSent {
    /// The page has the part, or it is on its way (parts always arrive in order).
    Sent,
    /// The page has not taken the previous part yet: nothing was sent, and the caller sends
    /// these operations later, with the ones it queues meanwhile (Python waits for the page
    /// in the middle of a batch only once a part has grown large; the host decides).
    PageBusy,
}

/// Why a worker has no channel to the page when the page gave no reason: the common case.
pub const NO_SHARED_MEMORY: &str = "the page is not cross-origin isolated, so there is no \
     shared memory. Serve it with the headers Cross-Origin-Opener-Policy: same-origin, \
     Cross-Origin-Embedder-Policy: require-corp and Cross-Origin-Resource-Policy: \
     cross-origin, or include rustpy-coi.js (shipped in dist/rustpy/) next to the page as its \
     first script";

/// Why a synchronous call to the page failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SyncCallError {
    /// Only workers can block on the page.
    #[error("pyscript.sync calls the page from a worker; this code runs on the page itself")]
    NotInWorker,
    /// No shared memory to block on and no service-worker relay: the text says why (the
    /// page's own diagnosis, [`NO_SHARED_MEMORY`] when it gave none).
    #[error(
        "this worker cannot call the page synchronously (pyscript.sync, window, document, \
         input()): {0}"
    )]
    NoSharedMemory(String),
    /// The worker runs with `sync_main_only` (and no shared memory): only the page calls.
    #[error(
        "this worker runs with sync_main_only and no shared memory: the page can call its \
         exports, but it cannot call the page synchronously (pyscript.sync, window, document, \
         input()); serve the page cross-origin isolated to allow that"
    )]
    SyncMainOnly,
    /// The page has no function under that name.
    #[error("the page registered no function {0:?}: set `worker.sync.{0} = f` on the page")]
    Missing(String),
    /// The page function threw; `name` and `message` are the JS error's.
    #[error("{name}: {message}")]
    Raised {
        /// The JS error's name (`TypeError`, ...).
        name: String,
        /// The JS error's message.
        message: String,
    },
    /// The reply was larger than the configured limit.
    #[error(
        "the reply of {function} is {size} bytes, over the {limit}-byte limit (set `sync_reply_limit` in the worker's config to raise it)"
    )]
    ReplyTooLarge {
        /// The function called.
        function: String,
        /// The reply's size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// The reply could not be read.
    #[error("the page's reply could not be decoded: {0}")]
    Protocol(String),
    /// The page interrupted the worker (`worker.interrupt()`) while it waited.
    #[error("interrupted while waiting for the page")]
    Interrupted,
    /// The page did not answer in time (`timeout=` or the config's `sync_timeout`).
    #[error(
        "the page did not answer sync.{function}() within {seconds} s (raise `timeout=` or \
         `sync_timeout` in the worker's config)"
    )]
    Timeout {
        /// The function called.
        function: String,
        /// The timeout in seconds.
        seconds: f64,
    },
}

/// Everything the interpreter needs from its surroundings.
///
/// Methods take `&self`; implementations keep their own interior mutability. One host is
/// installed per thread (see [`Runtime::new`]).
pub trait Host {
    /// Writes one complete line (without its trailing newline) to a stream.
    fn write_line(&self, stream: Stream, line: &str);
    /// Wall-clock time in milliseconds since the Unix epoch.
    fn wall_clock_ms(&self) -> f64;
    /// A monotonic clock in milliseconds with sub-millisecond resolution where available.
    fn monotonic_ms(&self) -> f64;
    /// Blocks the current thread for `seconds` (never negative).
    fn sleep(&self, seconds: f64) -> Result<(), SleepError>;
    /// Asks the host to call [`Runtime::fire_timer`] with `timer_id` after `delay_ms`.
    fn schedule_timer(&self, timer_id: u64, delay_ms: f64);
    /// Reports that the asynchronous part of a script finished; `error` is the formatted
    /// traceback when it raised.
    fn script_finished(&self, script_id: u64, error: Option<String>);
    /// True when this interpreter runs in a Web Worker (exposed as `RUNNING_IN_WORKER`).
    fn in_worker(&self) -> bool;
    /// True (once) when the page asked to interrupt the running code; the interpreter then
    /// raises `KeyboardInterrupt`. Taking the request this way reports it delivered.
    fn interrupted(&self) -> bool;
    /// True while the page's request to interrupt is pending, without taking it (the
    /// check of [`Runtime::watch_for_interrupts`] looks often and takes rarely).
    fn interrupt_requested(&self) -> bool {
        false
    }
    /// The page's address a worker was started from (relative URLs of its `fetch` resolve
    /// against it); `None` where Python can read it itself (the page).
    fn page_url(&self) -> Option<String> {
        None
    }
    /// The configuration of this interpreter (a worker's `config`), [`Value::None`] if
    /// none.
    fn config(&self) -> Value;
    /// The files the config's `files` and `fetch` delivered, as `(path, bytes)` pairs
    /// (a relative path is relative to the working directory), handed over once: the
    /// in-memory filesystem (`_rustpy_fs`) takes them when it starts.
    fn take_files(&self) -> Vec<(String, Vec<u8>)> {
        Vec::new()
    }
    /// The bytes of `library/<file>` (`json.bin`, `one/json.bin`): stdlib modules that are
    /// not frozen into the interpreter, marshalled (see `build.rs`). Called on the first
    /// import of such a module; blocks until the bytes arrive.
    fn load_library(&self, file: &str) -> Result<Vec<u8>, String>;
    /// Delivers the output lines [`Host::write_line`] held back to gather them (a worker
    /// gathers lines while its page is behind): called when the interpreter hands control
    /// back, before it waits (a sync call, `sleep`, a page request) and when Python flushes.
    fn flush_held_output(&self) {}
    /// Delivers the held output, then waits (boundedly) until the page has shown every
    /// line delivered so far: before a wait whose prompt must come after them (`input()`
    /// in a terminal). By default the same as [`Host::flush_held_output`].
    fn drain_output(&self) {
        self.flush_held_output();
    }
    /// Called from time to time while Python runs (with every check of
    /// [`Runtime::watch_for_interrupts`] that looks at the page): a chance to deliver output
    /// held back for a while, so a long loop's last lines show while it runs.
    fn running(&self) {}
    /// The link to the page: its functions, its objects and its operations.
    fn page(&self) -> &dyn PageLink;
    /// Reports an error nobody can catch any more (an `async` event handler's task, a
    /// timer's callback, the event loop's exception handler): `what` says where it was
    /// raised, `traceback` is the formatted Python traceback. The browser hosts show it on
    /// the page; by default it goes to stderr.
    fn report_error(&self, what: &str, traceback: &str) {
        self.write_line(Stream::Stderr, &format!("rustpy: error in {what}"));
        for line in traceback.trim_end().lines() {
            self.write_line(Stream::Stderr, line);
        }
    }
}

/// How the interpreter reaches the page: `sync` calls, the FFI's requests, batch parts and
/// releases, page operations and the results of exported calls. A worker's link is its
/// channel to the page; the page's own interpreter reaches the page directly. The
/// defaults are what a side without such a call answers.
pub trait PageLink {
    /// Calls the page function registered as `worker.sync.<name>` with `args` (a
    /// [`Value::List`]) and blocks until it answers, or until `timeout` seconds passed
    /// (`None`: the host's default, see the config's `sync_timeout`).
    /// The default: there is no page to call from here ([`SyncCallError::NotInWorker`]).
    fn sync_call(
        &self,
        name: &str,
        args: Value,
        timeout: Option<f64>,
    ) -> Result<Value, SyncCallError> {
        let _ = (name, args, timeout);
        Err(SyncCallError::NotInWorker)
    }
    /// Delivers the result of a call from the page ([`Runtime::call_export`]): the value,
    /// or the formatted Python traceback.
    fn export_result(&self, call_id: u64, result: Result<Value, String>);
    /// Performs a page operation for main-thread Python (`PyWorker`, `workers`): `op` names
    /// it, `args` is a [`Value::List`]. An operation that completes later answers
    /// [`PageReply::Later`] and is settled with [`Runtime::settle_request`].
    /// The default: page operations exist only on the page's main thread.
    fn page_op(&self, op: &str, args: Value) -> Result<PageReply, String> {
        let _ = args;
        Err(format!("{op} is only available on the page's main thread"))
    }
    /// Runs FFI operations on the page (a JSON request of `rustpy_bridge::ffi`) and returns
    /// the JSON reply; blocks in a worker.
    fn js_request(&self, request: &str) -> Result<String, SyncCallError>;
    /// Hands the page a part of a batch to run (a JSON `rustpy_bridge::ffi::BatchPart`)
    /// without waiting for it to run; the page answers nothing. Answers
    /// [`PartSent::PageBusy`] instead of waiting when the page has not taken the previous
    /// part (unless `part` is too large to grow further). Fails as [`PageLink::js_request`] would when there is no way to reach the page.
    fn js_send(&self, part: &str) -> Result<PartSent, SyncCallError>;
    /// Runs FFI operations on this thread's own JS objects (the `js` module: the realm's
    /// `globalThis`; handles from `rustpy_bridge::ffi::LOCAL_HANDLE_BASE` on), a JSON
    /// request and reply as [`PageLink::js_request`]'s, without leaving the thread. On the page
    /// the page's table is this thread's: the default runs the request there.
    fn js_local_request(&self, request: &str) -> Result<String, SyncCallError> {
        self.js_request(request)
    }
    /// Runs one `get` or `call` on a handle table of this thread (a worker's own objects;
    /// on the page, the page's) without a request's text (`rustpy_bridge::direct`). The
    /// default sends it as a request ([`direct_as_request`]).
    fn js_direct(
        &self,
        op: &rustpy_bridge::direct::DirectOp<'_>,
    ) -> Result<rustpy_bridge::direct::Outcome, SyncCallError> {
        direct_as_request(self, op)
    }
    /// Gives back handles Python no longer holds: `(id, count)` pairs, flattened, of either
    /// table (a handle says which, see `rustpy_bridge::ffi::is_local_handle`). Does not wait
    /// for the page.
    fn js_release(&self, handles: &[u64]);
    /// The id of the element `display()` writes to by default (the one after the running
    /// script's tag), if there is one.
    fn current_target(&self) -> Option<String> {
        None
    }
}

/// The answer to [`PageLink::page_op`].
#[derive(Debug, Clone, PartialEq)]
pub enum PageReply {
    /// The operation's value.
    Now(Value),
    /// It completes later; [`Runtime::settle_request`] will be called with this id.
    Later(u64),
}

/// How running a script ended (synchronously).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScriptOutcome {
    /// The script ran to completion.
    Finished,
    /// The script uses top-level `await`: it runs on the event loop and reports through
    /// [`Host::script_finished`] with the same id.
    Pending,
    /// The script raised (or did not compile); the formatted Python traceback.
    Failed(String),
}

/// Errors from setting up or driving the interpreter itself (not from user code).
#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    /// rustpy's own Python start-up code raised: a bug in rustpy, with the traceback.
    #[error("rustpy's Python start-up failed:\n{0}")]
    Startup(String),
    /// An internal call into rustpy's Python runner raised.
    #[error("rustpy's script runner failed:\n{0}")]
    Runner(String),
}

/// A RustPython interpreter set up for rustpy: the boot image, rustpy's modules and this
/// thread's [`Host`]. One per JS realm (the page, or a worker); every call from the host
/// (scripts, exports, timers, callbacks) goes through it.
pub struct Runtime {
    interpreter: Interpreter,
    /// The functions of rustpy's own modules the host calls, looked up once: an import
    /// through the VM costs ~10 µs, which was a sixth of a page→worker call.
    entry_points: RefCell<HashMap<(&'static str, &'static str), PyObjectRef>>,
}

impl Runtime {
    /// Builds an interpreter that talks to `host`, which becomes this thread's host.
    pub fn new(host: Rc<dyn Host>) -> Result<Self, RuntimeError> {
        thread_host::install_host(host);
        let mut settings = rustpython_vm::Settings::default();
        settings.import_site = false;
        settings.path_list.clear();
        settings.user_site_directory = false;
        settings.ignore_environment = true;
        settings.install_signal_handlers = false;
        // As an embedded CPython: `sys.argv == [""]` (argparse and unittest read argv[0]).
        settings.argv = vec![String::new()];
        let builder = Interpreter::builder(settings);
        // The native `_datetime` reads `std::time::SystemTime`, which panics on
        // wasm32-unknown-unknown; without it `datetime` uses `_pydatetime`, whose clock is
        // `time.time()` (the host's).
        let stdlib: Vec<_> = rustpython_stdlib::stdlib_module_defs(&builder.ctx)
            .into_iter()
            .filter(|def| def.name.as_str() != "_datetime")
            .collect();
        let host_module = host_module::module_def(&builder.ctx);
        let interrupts_module = interrupts::module_def(&builder.ctx);
        let interpreter = builder
            .add_native_modules(&stdlib)
            .add_native_module(host_module)
            .add_native_module(interrupts_module)
            .add_frozen_modules(FrozenLib::from_ref(FROZEN).decode())
            .build();
        let runtime = Self {
            interpreter,
            entry_points: RefCell::default(),
        };
        // The runner is imported now, so that a broken one fails here, not at the first script.
        runtime
            .interpreter
            .enter(|vm| runtime.entry_point(vm, "_rustpy_runner", "run").map(drop))
            .map_err(|exc| {
                RuntimeError::Startup(runtime.interpreter.enter(|vm| format_exception(vm, &exc)))
            })?;
        Ok(runtime)
    }

    /// Makes `worker.interrupt()` reach running Python code, loops that never wait
    /// included: from now on every loop turn and function call of the code `how` names
    /// counts toward a look at [`Host::interrupt_requested`] (see `interrupts.rs`). Call it
    /// before the script runs: code that is already running or compiled keeps its shape.
    pub fn watch_for_interrupts(&self, how: InterruptChecks) -> Result<(), RuntimeError> {
        self.interpreter
            .enter(|vm| interrupts::install(how, vm))
            .map_err(|exc| {
                RuntimeError::Startup(self.interpreter.enter(|vm| format_exception(vm, &exc)))
            })
    }

    /// Runs a script in this interpreter's `__main__` namespace.
    ///
    /// `script_id` is echoed back through [`Host::script_finished`] when the script uses
    /// top-level `await`.
    pub fn run_script(
        &self,
        source: &str,
        filename: &str,
        script_id: u64,
    ) -> Result<ScriptOutcome, RuntimeError> {
        self.interpreter.enter(|vm| {
            let result = self.call_rustpy(
                vm,
                "_rustpy_runner",
                "run",
                (source.to_string(), filename.to_string(), script_id),
            );
            let outcome = match result {
                Ok(value) if vm.is_none(&value) => ScriptOutcome::Finished,
                Ok(value) if value.is(&vm.ctx.true_value) => ScriptOutcome::Pending,
                Ok(value) => match value.downcast_ref::<rustpython_vm::builtins::PyStr>() {
                    Some(text) => ScriptOutcome::Failed(text.to_string_lossy().into_owned()),
                    None => ScriptOutcome::Failed(format!(
                        "rustpy: unexpected runner result {}",
                        value.class().name()
                    )),
                },
                Err(exc) => return Err(RuntimeError::Runner(format_exception(vm, &exc))),
            };
            hand_back::flush_to_host();
            Ok(outcome)
        })
    }

    /// Runs `body` in the interpreter, then emits unfinished output lines; a Python
    /// exception becomes [`RuntimeError::Runner`] with its traceback.
    fn enter_runner<T>(
        &self,
        body: impl FnOnce(&VirtualMachine) -> PyResult<T>,
    ) -> Result<T, RuntimeError> {
        self.interpreter.enter(|vm| {
            let result = body(vm);
            hand_back::flush_to_host();
            result.map_err(|exc| RuntimeError::Runner(format_exception(vm, &exc)))
        })
    }

    /// Calls `function` of the `module` rustpy ships with `args`.
    fn call_rustpy(
        &self,
        vm: &VirtualMachine,
        module: &'static str,
        function: &'static str,
        args: impl rustpython_vm::function::IntoFuncArgs,
    ) -> PyResult {
        self.entry_point(vm, module, function)?.call(args, vm)
    }

    /// `module.function` of rustpy's own Python, imported the first time it is asked for.
    fn entry_point(
        &self,
        vm: &VirtualMachine,
        module: &'static str,
        function: &'static str,
    ) -> PyResult {
        if let Some(callable) = self.entry_points.borrow().get(&(module, function)) {
            return Ok(callable.clone());
        }
        let callable = vm.import(module, 0)?.get_attr(function, vm)?;
        self.entry_points
            .borrow_mut()
            .insert((module, function), callable.clone());
        Ok(callable)
    }

    /// Runs the callbacks of timer `timer_id` (scheduled through [`Host::schedule_timer`]).
    pub fn fire_timer(&self, timer_id: u64) -> Result<(), RuntimeError> {
        self.enter_runner(|vm| {
            self.call_rustpy(vm, "_rustpy_tasks", "fire_timer", (timer_id,))
                .map(drop)
        })
    }

    /// The functions a worker offers the page: the names in its script's `__export__` list
    /// and those set on `pyscript.sync`.
    pub fn exported_names(&self) -> Result<Vec<String>, RuntimeError> {
        self.enter_runner(|vm| {
            self.call_rustpy(vm, "_rustpy_runner", "exported_names", ())?
                .try_into_value(vm)
        })
    }

    /// Calls the exported function `name` with `args` (a [`Value::List`]); the result comes
    /// back through [`PageLink::export_result`] with `call_id`, at once or when the coroutine it
    /// returned finishes.
    pub fn call_export(&self, call_id: u64, name: &str, args: &Value) -> Result<(), RuntimeError> {
        self.enter_runner(|vm| {
            let args = convert::from_value(args, convert::Mode::Copy, vm)?;
            let Some(function) = Self::native_export(name, vm)? else {
                // Unknown names: the runner says why.
                return self
                    .call_rustpy(
                        vm,
                        "_rustpy_runner",
                        "call_export",
                        (call_id, name.to_string(), args),
                    )
                    .map(drop);
            };
            // A function set on `pyscript.sync` or listed in `__export__` (the common cases)
            // is called from here: the runner's Python frames cost ~20 µs per call. Only
            // what needs Python (an exception's traceback, an awaitable result) goes back
            // to the runner.
            let positional = match args.downcast_ref::<PyList>() {
                Some(list) => list.borrow_vec().to_vec(),
                None => vec![args],
            };
            match function.call(positional, vm) {
                Err(exc) => self
                    .call_rustpy(vm, "_rustpy_runner", "report_error", (call_id, exc))
                    .map(drop),
                Ok(result) if vm.get_attribute_opt(&result, "__await__")?.is_some() => self
                    .call_rustpy(
                        vm,
                        "_rustpy_runner",
                        "report_result",
                        (call_id, name.to_string(), result),
                    )
                    .map(drop),
                Ok(result) => {
                    hand_back::export_result(call_id, Ok(result), vm);
                    Ok(())
                }
            }
        })
    }

    /// The export `name` as `_rustpy_runner._find_export` finds it: the function set as
    /// `pyscript.sync.<name>` (if `pyscript` is loaded), else the worker script's function
    /// of that name when its `__export__` lists it; `None` otherwise.
    fn native_export(name: &str, vm: &VirtualMachine) -> PyResult<Option<PyObjectRef>> {
        let dict_item = |dict: &PyObjectRef, key: &str| {
            dict.downcast_ref::<PyDict>()?
                .get_item_opt(key, vm)
                .ok()
                .flatten()
        };
        let modules = vm.sys_module.get_attr("modules", vm)?;
        let synced = dict_item(&modules, "pyscript").and_then(|pyscript| {
            let exports = pyscript.get_attr("sync", vm).ok()?.get_attr("_exports", vm);
            dict_item(&exports.ok()?, name)
        });
        if synced.is_some() {
            return Ok(synced);
        }
        let Some(namespace) = dict_item(&modules, "__main__").and_then(|main| main.dict()) else {
            return Ok(None);
        };
        let Some(exported) = namespace.get_item_opt("__export__", vm)? else {
            return Ok(None);
        };
        let key = vm.ctx.new_str(name);
        if !vm._contains(&exported, key.as_object()).unwrap_or(false) {
            return Ok(None);
        }
        namespace.get_item_opt(key.as_object(), vm)
    }

    /// Settles a pending [`PageReply::Later`] request, waking the Python awaiting it.
    pub fn settle_request(
        &self,
        request_id: u64,
        result: Result<Value, String>,
    ) -> Result<(), RuntimeError> {
        self.enter_runner(|vm| {
            let (ok, payload) = match &result {
                Ok(value) => (true, convert::from_value(value, convert::Mode::Copy, vm)?),
                Err(message) => (false, vm.ctx.new_str(message.as_str()).into()),
            };
            self.call_rustpy(
                vm,
                "_rustpy_page",
                "settle_request",
                (request_id, ok, payload),
            )
            .map(drop)
        })
    }

    /// Calls a main-thread Python function the page holds by id (registered with
    /// `worker.sync.f = f`); its result comes back through [`PageLink::export_result`].
    pub fn call_function(
        &self,
        call_id: u64,
        function_id: u64,
        args: &Value,
    ) -> Result<(), RuntimeError> {
        self.enter_runner(|vm| {
            let args = convert::from_value(args, convert::Mode::Copy, vm)?;
            self.call_rustpy(
                vm,
                "_rustpy_runner",
                "call_function",
                (call_id, function_id, args),
            )
            .map(drop)
        })
    }

    /// JavaScript called the Python callable `callable_id` (offered as a
    /// [`Value::Py`]) with `args` (a [`Value::List`], JS objects as proxies). Returns its
    /// result (a coroutine runs as a task; the result is then `None`) or the traceback.
    pub fn invoke_callback(&self, callable_id: u64, args: &Value) -> Result<Value, String> {
        self.interpreter.enter(|vm| {
            let run = || -> PyResult<Value> {
                let args = convert::from_value(args, convert::Mode::Ffi, vm)?;
                let result = self.call_rustpy(vm, "_rustpy_ffi", "invoke", (callable_id, args))?;
                convert::to_value(
                    &result,
                    convert::Mode::Ffi,
                    "the result of a Python callback",
                    vm,
                )
            };
            let result = run().map_err(|exc| self.format_user_exception(vm, exc));
            hand_back::flush_to_host();
            result
        })
    }

    /// The traceback of `exc` without rustpy's own frames above the user's code.
    fn format_user_exception(&self, vm: &VirtualMachine, exc: PyBaseExceptionRef) -> String {
        self.call_rustpy(
            vm,
            "_rustpy_runner",
            "format_user_exception",
            (exc.clone(),),
        )
        .and_then(|text| text.try_into_value::<String>(vm))
        .unwrap_or_else(|_| format_exception(vm, &exc))
    }

    /// Evaluates a Python expression in `__main__` and returns its `repr()`; for tests and
    /// debugging.
    pub fn eval_repr(&self, expression: &str) -> Result<String, String> {
        self.interpreter.enter(|vm| {
            let run = || -> PyResult<String> {
                let main = vm.import("__main__", 0)?;
                let globals = main.get_attr("__dict__", vm)?;
                let eval = vm.builtins.get_attr("eval", vm)?;
                let value = eval.call((expression.to_string(), globals), vm)?;
                Ok(value.repr(vm)?.to_string_lossy().into_owned())
            };
            run().map_err(|exc| format_exception(vm, &exc))
        })
    }
}

/// Formats an exception with its traceback, as Python prints it.
pub(crate) fn format_exception(vm: &VirtualMachine, exc: &PyBaseExceptionRef) -> String {
    let mut text = String::new();
    if vm.write_exception(&mut text, exc).is_err() {
        text = format!(
            "{} (and formatting its traceback failed)",
            exc.as_object().class().name()
        );
    }
    text.trim_end().to_string()
}

/// A direct operation sent as the request it stands for
/// ([`DirectOp::written`](rustpy_bridge::direct::DirectOp::written)), to the table that
/// holds its target: for hosts without a direct path.
pub fn direct_as_request<L: PageLink + ?Sized>(
    host: &L,
    op: &rustpy_bridge::direct::DirectOp<'_>,
) -> Result<rustpy_bridge::direct::Outcome, SyncCallError> {
    let request = rustpy_bridge::ffi::request([&op.written()]);
    let reply = if rustpy_bridge::ffi::is_local_handle(op.target()) {
        host.js_local_request(&request)?
    } else {
        host.js_request(&request)?
    };
    rustpy_bridge::ffi::JsReply::decode(reply.as_bytes())
        .map(rustpy_bridge::direct::outcome_of_reply)
        .map_err(|error| SyncCallError::Protocol(format!("undecodable FFI reply: {error}")))
}
