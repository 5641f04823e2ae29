//! The fake host of the interpreter's native tests: a virtual clock (sleeping and timers
//! advance it instantly), recorded output, calls and page operations, the fake page of
//! `fake_page.rs` behind the FFI, and the library files the build wrote.
//!
//! Each test binary includes it with `#[path]` and uses part of it.
#![allow(dead_code)]

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use rustpy_interp::{
    Host, PageLink, PageReply, PartSent, Runtime, ScriptOutcome, SleepError, Stream, SyncCallError,
    Value,
};

use crate::fake_page::FakePage;

/// A host with a virtual clock: sleeping and timers advance it instantly.
#[derive(Default)]
pub struct FakeHost {
    pub lines: RefCell<Vec<(Stream, String)>>,
    pub now_ms: RefCell<f64>,
    pub slept: RefCell<Vec<f64>>,
    pub timers: RefCell<BTreeMap<u64, f64>>,
    pub finished: RefCell<Vec<(u64, Option<String>)>>,
    pub sync_calls: RefCell<Vec<(String, Value)>>,
    pub export_results: RefCell<Vec<(u64, Result<Value, String>)>>,
    pub page_ops: RefCell<Vec<(String, Value)>>,
    pub page: FakePage,
    /// Modules fetched through `load_library`, in order.
    pub library_loads: RefCell<Vec<String>>,
    /// Set to make `load_library` fail as a missing file would.
    pub library_unreachable: RefCell<bool>,
    /// Set to make the next host call see an interrupt.
    pub interrupt: RefCell<bool>,
    /// Set to make the host the page's main thread rather than a worker.
    pub on_page: RefCell<bool>,
    /// The config's files, handed to the filesystem when the interpreter starts.
    pub files: RefCell<Vec<(String, Vec<u8>)>>,
}

/// The fake host is its own link to the page: `sync` functions, page operations and the
/// fake page of `fake_page.rs`.
impl PageLink for FakeHost {
    /// The fake page has `echo` (returns its arguments), `boom` (throws a TypeError) and
    /// `interrupt_me` (sets the interrupt flag, as the page's `worker.interrupt()` does).
    fn sync_call(
        &self,
        name: &str,
        args: Value,
        timeout: Option<f64>,
    ) -> Result<Value, SyncCallError> {
        self.sync_calls
            .borrow_mut()
            .push((name.to_string(), args.clone()));
        match name {
            "echo" => Ok(args),
            "slow" => Err(SyncCallError::Timeout {
                function: name.to_string(),
                seconds: timeout.unwrap_or(f64::INFINITY),
            }),
            "input" => Ok(Value::Str(format!("typed after {args:?}"))),
            // As `worker.interrupt()` would while the worker runs on.
            "interrupt_me" => {
                *self.interrupt.borrow_mut() = true;
                Ok(Value::None)
            }
            "boom" => Err(SyncCallError::Raised {
                name: "TypeError".into(),
                message: "boom".into(),
            }),
            _ => Err(SyncCallError::Missing(name.to_string())),
        }
    }
    fn export_result(&self, call_id: u64, result: Result<Value, String>) {
        self.export_results.borrow_mut().push((call_id, result));
    }
    /// The fake page answers `now` at once and everything else later (request id 1).
    fn page_op(&self, op: &str, args: Value) -> Result<PageReply, String> {
        self.page_ops
            .borrow_mut()
            .push((op.to_string(), args.clone()));
        match op {
            "now" => Ok(PageReply::Now(args)),
            _ => Ok(PageReply::Later(1)),
        }
    }
    fn js_request(&self, request: &str) -> Result<String, SyncCallError> {
        Ok(self.page.answer(request))
    }
    fn js_send(&self, part: &str) -> Result<PartSent, SyncCallError> {
        Ok(self.page.receive_part(part))
    }
    fn js_release(&self, handles: &[u64]) {
        self.page.release(handles);
    }
    fn current_target(&self) -> Option<String> {
        Some("fake-target".into())
    }
}

impl Host for FakeHost {
    fn page(&self) -> &dyn PageLink {
        self
    }
    fn write_line(&self, stream: Stream, line: &str) {
        self.lines.borrow_mut().push((stream, line.to_string()));
    }
    fn wall_clock_ms(&self) -> f64 {
        1_700_000_000_000.0 + *self.now_ms.borrow()
    }
    fn monotonic_ms(&self) -> f64 {
        *self.now_ms.borrow()
    }
    fn sleep(&self, seconds: f64) -> Result<(), SleepError> {
        self.slept.borrow_mut().push(seconds);
        *self.now_ms.borrow_mut() += seconds * 1000.0;
        Ok(())
    }
    fn schedule_timer(&self, timer_id: u64, delay_ms: f64) {
        let due = *self.now_ms.borrow() + delay_ms;
        self.timers.borrow_mut().insert(timer_id, due);
    }
    fn script_finished(&self, script_id: u64, error: Option<String>) {
        self.finished.borrow_mut().push((script_id, error));
    }
    fn in_worker(&self) -> bool {
        !*self.on_page.borrow()
    }
    fn interrupted(&self) -> bool {
        std::mem::take(&mut *self.interrupt.borrow_mut())
    }
    fn interrupt_requested(&self) -> bool {
        *self.interrupt.borrow()
    }
    fn config(&self) -> Value {
        Value::Dict(vec![("answer".into(), Value::Int("42".into()))])
    }
    fn take_files(&self) -> Vec<(String, Vec<u8>)> {
        std::mem::take(&mut *self.files.borrow_mut())
    }
    /// Reads the library files the build wrote; records every load.
    fn load_library(&self, file: &str) -> Result<Vec<u8>, String> {
        self.library_loads.borrow_mut().push(file.to_string());
        if *self.library_unreachable.borrow() {
            return Err("HTTP status 404".into());
        }
        let path = std::path::Path::new(rustpy_interp::LIBRARY_BUILD_DIR).join(file);
        std::fs::read(&path).map_err(|error| format!("{}: {error}", path.display()))
    }
}

impl FakeHost {
    pub fn stdout(&self) -> Vec<String> {
        self.lines
            .borrow()
            .iter()
            .filter(|(stream, _)| *stream == Stream::Stdout)
            .map(|(_, line)| line.clone())
            .collect()
    }
    pub fn stderr(&self) -> String {
        let lines = self.lines.borrow();
        let err: Vec<&str> = lines
            .iter()
            .filter(|(stream, _)| *stream == Stream::Stderr)
            .map(|(_, line)| line.as_str())
            .collect();
        err.join("\n")
    }
}

pub fn runtime() -> (Rc<FakeHost>, Runtime) {
    let host = Rc::new(FakeHost::default());
    let runtime = Runtime::new(host.clone()).expect("interpreter starts");
    (host, runtime)
}

/// A runtime whose filesystem starts with `files` (as the config's `files` deliver them).
pub fn runtime_with_files(files: &[(&str, &[u8])]) -> (Rc<FakeHost>, Runtime) {
    let host = Rc::new(FakeHost::default());
    *host.files.borrow_mut() = files
        .iter()
        .map(|(p, d)| (p.to_string(), d.to_vec()))
        .collect();
    let runtime = Runtime::new(host.clone()).expect("interpreter starts");
    (host, runtime)
}

/// Fires due timers in time order, advancing the virtual clock, until none is left.
pub fn drain_timers(host: &FakeHost, runtime: &Runtime) {
    for _ in 0..10_000 {
        let next = host
            .timers
            .borrow()
            .iter()
            .min_by(|a, b| a.1.total_cmp(b.1).then(a.0.cmp(b.0)))
            .map(|(id, due)| (*id, *due));
        let Some((id, due)) = next else { return };
        host.timers.borrow_mut().remove(&id);
        let now = *host.now_ms.borrow();
        *host.now_ms.borrow_mut() = now.max(due);
        runtime.fire_timer(id).expect("timer callbacks run");
    }
    panic!("timers never drained");
}

/// Runs `script` as `ffi.py` and asserts it finished (shows stderr if not).
pub fn run_ok(host: &FakeHost, rt: &Runtime, script: &str) {
    let outcome = rt.run_script(script, "ffi.py", 1).unwrap();
    assert_eq!(
        outcome,
        ScriptOutcome::Finished,
        "stderr: {}",
        host.stderr()
    );
}
