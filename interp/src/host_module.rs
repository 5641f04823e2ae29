//! `_rustpy_host`: the native module through which rustpy's Python code reaches the
//! [`Host`](crate::Host) of this thread.

use std::cell::RefCell;
use std::rc::Rc;

use crate::{Host, LineBuffer, Stream};

pub(crate) use _rustpy_host::module_def;

thread_local! {
    static HOST: RefCell<Option<Rc<dyn Host>>> = const { RefCell::new(None) };
    static BUFFERS: RefCell<[LineBuffer; 2]> = RefCell::new(Default::default());
}

/// Makes `host` the host of this thread's interpreter.
pub(crate) fn install_host(host: Rc<dyn Host>) {
    HOST.with(|slot| *slot.borrow_mut() = Some(host));
}

fn host() -> Rc<dyn Host> {
    HOST.with(|slot| slot.borrow().clone())
        .expect("rustpy: the interpreter runs only after Runtime::new installed a host")
}

fn write(stream: Stream, text: &str) {
    let index = stream as usize;
    let lines = BUFFERS.with(|buffers| buffers.borrow_mut()[index].push(text));
    if lines.is_empty() {
        return;
    }
    let host = host();
    for line in lines {
        host.write_line(stream, &line);
    }
}

/// Emits unfinished lines (e.g. `print(x, end="")`) at the end of a run.
pub(crate) fn flush_output() {
    for stream in [Stream::Stdout, Stream::Stderr] {
        if let Some(rest) =
            BUFFERS.with(|buffers| buffers.borrow_mut()[stream as usize].take_partial())
        {
            host().write_line(stream, &rest);
        }
    }
}

#[rustpython_vm::pymodule]
mod _rustpy_host {
    use rustpython_vm::{
        PyObjectRef, PyResult, VirtualMachine,
        builtins::{PyBaseExceptionRef, PyStrRef},
        function::{ArgIntoFloat, PosArgs},
    };

    use super::{Stream, host, write};

    /// Writes text to stdout (1) or stderr (2).
    #[pyfunction]
    fn write_stream(fd: i32, text: PyStrRef) -> usize {
        let stream = if fd == 2 {
            Stream::Stderr
        } else {
            Stream::Stdout
        };
        write(stream, &text.to_string_lossy());
        text.char_len()
    }

    /// Emits the unfinished lines of both streams.
    #[pyfunction]
    fn flush() {
        super::flush_output();
    }

    /// Seconds since the epoch, from the host's wall clock.
    #[pyfunction]
    fn wall_clock() -> f64 {
        host().wall_clock_ms() / 1000.0
    }

    /// Seconds from the host's monotonic clock.
    #[pyfunction]
    fn monotonic() -> f64 {
        host().monotonic_ms() / 1000.0
    }

    /// Blocks for `seconds`.
    #[pyfunction]
    fn sleep(seconds: ArgIntoFloat, vm: &VirtualMachine) -> PyResult<()> {
        let seconds = seconds.into_float();
        if seconds.is_nan() {
            return Err(vm.new_value_error("sleep length must be a number, not NaN"));
        }
        if seconds < 0.0 {
            return Err(vm.new_value_error("sleep length must be non-negative"));
        }
        host()
            .sleep(seconds)
            .map_err(|e| vm.new_runtime_error(e.to_string()))
    }

    /// Asks the host to call back `fire_timer(timer_id)` after `delay_ms`.
    #[pyfunction]
    fn schedule_timer(timer_id: u64, delay_ms: f64) {
        host().schedule_timer(timer_id, delay_ms.max(0.0));
    }

    /// Reports the end of an asynchronous script.
    #[pyfunction]
    fn script_finished(script_id: u64, error: Option<PyStrRef>) {
        super::flush_output();
        host().script_finished(script_id, error.map(|e| e.to_string_lossy().into_owned()));
    }

    /// True inside a Web Worker.
    #[pyfunction]
    fn in_worker() -> bool {
        host().in_worker()
    }

    /// `n` random bytes from the platform's secure generator.
    #[pyfunction]
    fn urandom(n: isize, vm: &VirtualMachine) -> PyResult<Vec<u8>> {
        let n =
            usize::try_from(n).map_err(|_| vm.new_value_error("negative argument not allowed"))?;
        let mut bytes = vec![0u8; n];
        getrandom::fill(&mut bytes)
            .map_err(|e| vm.new_os_error(format!("no secure random source: {e}")))?;
        Ok(bytes)
    }

    /// `pyscript.sync.<name>(*args)` in a worker: calls the page and returns its value, or
    /// raises `AttributeError` (no such page function), `pyscript.JsException` (it threw)
    /// or `RuntimeError` (no shared memory, reply too large, protocol).
    #[pyfunction]
    fn call_page(name: PyStrRef, args: PosArgs, vm: &VirtualMachine) -> PyResult {
        let name = name.to_string_lossy().into_owned();
        let args = vm.ctx.new_list(args.into_vec()).into();
        let args = crate::convert::to_value(&args, &format!("the arguments of sync.{name}"), vm)?;
        super::flush_output();
        match host().sync_call(&name, args) {
            Ok(value) => crate::convert::from_value(&value, vm),
            Err(error @ crate::SyncCallError::Missing(_)) => {
                Err(vm.new_attribute_error(error.to_string()))
            }
            Err(error @ crate::SyncCallError::Raised { .. }) => {
                let crate::SyncCallError::Raised { name: js_name, .. } = &error else {
                    unreachable!("matched above")
                };
                let class = vm.import("pyscript", 0)?.get_attr("JsException", vm)?;
                let exc = class.call((js_name.clone(), error.to_string()), vm)?;
                Err(exc
                    .downcast::<rustpython_vm::builtins::PyBaseException>()
                    .map_err(|_| vm.new_type_error("pyscript.JsException is not an exception"))?)
            }
            Err(error) => Err(vm.new_runtime_error(error.to_string())),
        }
    }

    /// Hands the result of an exported call back to the host: `value` when `ok`, else the
    /// traceback text.
    #[pyfunction]
    fn export_result(call_id: u64, ok: bool, value: PyObjectRef, vm: &VirtualMachine) {
        super::flush_output();
        let result = if ok {
            crate::convert::to_value(&value, "the result of an exported function", vm)
                .map_err(|exc| crate::format_exception(vm, &exc))
        } else {
            Err(value
                .downcast_ref::<rustpython_vm::builtins::PyStr>()
                .map(|text| text.to_string_lossy().into_owned())
                .unwrap_or_else(|| "the exported function failed".to_string()))
        };
        host().export_result(call_id, result);
    }

    /// Runs a page operation: returns `(True, value)` when it is done, `(False, request_id)`
    /// when it completes later (see `_rustpy_runner.settle_request`).
    #[pyfunction]
    fn page_op(op: PyStrRef, args: PyObjectRef, vm: &VirtualMachine) -> PyResult {
        let op = op.to_string_lossy().into_owned();
        let args = crate::convert::to_value(&args, &format!("the arguments of {op}"), vm)?;
        match host().page_op(&op, args) {
            Ok(crate::PageReply::Now(value)) => {
                let value = crate::convert::from_value(&value, vm)?;
                Ok(vm.new_tuple((true, value)).into())
            }
            Ok(crate::PageReply::Later(id)) => Ok(vm.new_tuple((false, id)).into()),
            Err(message) => Err(vm.new_runtime_error(message)),
        }
    }

    /// Formats an exception with its traceback, as Python prints it.
    #[pyfunction]
    fn format_exception(exc: PyBaseExceptionRef, vm: &VirtualMachine) -> String {
        crate::format_exception(vm, &exc)
    }
}
