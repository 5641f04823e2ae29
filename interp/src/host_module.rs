//! `_rustpy_host`: the native module through which rustpy's Python code reaches the
//! [`Host`](crate::Host) of this thread. Only what Python sees lives here; the FFI engine
//! behind it is [`crate::ffi`].

pub(crate) use _rustpy_host::module_def;

#[rustpython_vm::pymodule]
mod _rustpy_host {
    use rustpython_vm::{
        PyObjectRef, PyResult, TryFromObject, VirtualMachine,
        builtins::{PyBaseExceptionRef, PyStr, PyStrRef, PyTypeRef},
        class::PyClassImpl,
        convert::ToPyObject,
        function::{ArgIntoFloat, KwArgs, OptionalArg, PosArgs},
    };

    use crate::Stream;
    use crate::ffi::round_trip::{js_exception, keyboard_interrupt};
    use crate::thread_host::{flush_output, host, write};

    /// Writes text to stdout (1) or stderr (2).
    #[pyfunction]
    fn write_stream(fd: i32, text: PyStrRef, vm: &VirtualMachine) -> PyResult<usize> {
        // Output is where a busy loop most often touches the host: honour an interrupt.
        if host().interrupted() {
            return Err(keyboard_interrupt(vm));
        }
        let stream = if fd == 2 {
            Stream::Stderr
        } else {
            Stream::Stdout
        };
        write(stream, &text.to_string_lossy());
        Ok(text.char_len())
    }

    /// Emits the unfinished lines of both streams.
    #[pyfunction]
    fn flush() {
        flush_output();
    }

    /// Emits all output and waits until the page has shown it (see
    /// [`Host::drain_output`](crate::Host::drain_output)): `input()` calls it, so its prompt
    /// comes after what was printed before.
    #[pyfunction]
    fn drain_output() {
        flush_output();
        host().drain_output();
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
        // Complete lines go out before the wait; an unfinished one stays unfinished.
        let host = host();
        host.flush_held_output();
        host.sleep(seconds).map_err(|e| match e {
            crate::SleepError::Interrupted => keyboard_interrupt(vm),
            other => vm.new_runtime_error(other.to_string()),
        })
    }

    /// Asks the host to call back `fire_timer(timer_id)` after `delay_ms`.
    #[pyfunction]
    fn schedule_timer(timer_id: u64, delay_ms: f64) {
        host().schedule_timer(timer_id, delay_ms.max(0.0));
    }

    /// Reports the end of an asynchronous script.
    #[pyfunction]
    fn script_finished(script_id: u64, error: Option<PyStrRef>) {
        flush_output();
        host().script_finished(script_id, error.map(|e| e.to_string_lossy().into_owned()));
    }

    /// Whether `proxy` is an object of this thread's own table (in a worker, the `js`
    /// module's; `rustpy_bridge::ffi::is_local_handle`).
    #[pyfunction]
    fn is_local(proxy: PyObjectRef) -> bool {
        crate::ffi::registry::is_local(&proxy)
    }

    /// The page's address this worker was started from (`Host::page_url`), or `None`.
    #[pyfunction]
    fn page_url() -> Option<String> {
        host().page_url()
    }

    /// The modules [`load_library`] can load (`rustpy_interp::LIBRARY_INDEX`).
    #[pyfunction]
    fn library_index() -> &'static str {
        crate::LIBRARY_INDEX
    }

    /// The file `library/<file>` of marshalled modules, for an import of `module` (see
    /// `_rustpy_lazy.py`).
    #[pyfunction]
    fn load_library(module: PyStrRef, file: PyStrRef, vm: &VirtualMachine) -> PyResult<Vec<u8>> {
        let (module, file) = (module.to_string_lossy(), file.to_string_lossy());
        host().load_library(&file).map_err(|error| {
            vm.new_import_error(
                format!(
                    "rustpy could not load the stdlib module '{module}' (library/{file}): {error}"
                ),
                vm.ctx.new_str(&*module),
            )
        })
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
    fn call_page(
        name: PyStrRef,
        args: PosArgs,
        mut kwargs: KwArgs,
        vm: &VirtualMachine,
    ) -> PyResult {
        let timeout = match kwargs.pop_kwarg("timeout") {
            Some(value) if vm.is_none(&value) => None,
            Some(value) => Some(ArgIntoFloat::try_from_object(vm, value)?.into_float()),
            None => None,
        };
        if let Some((extra, _)) = kwargs.into_iter().next() {
            return Err(vm.new_type_error(format!(
                "sync calls take positional arguments (and timeout=), not {extra}="
            )));
        }
        let name = name.to_string_lossy().into_owned();
        let args = vm.ctx.new_list(args.into_vec()).into();
        let args = crate::ffi::convert::to_value(
            &args,
            crate::ffi::convert::Mode::Copy,
            &format!("the arguments of sync.{name}"),
            vm,
        )?;
        flush_output();
        match host().page().sync_call(&name, args, timeout) {
            Ok(value) => {
                crate::ffi::convert::from_value(&value, crate::ffi::convert::Mode::Copy, vm)
            }
            Err(error @ crate::SyncCallError::Missing(_)) => {
                Err(vm.new_attribute_error(error.to_string()))
            }
            Err(error @ crate::SyncCallError::Raised { .. }) => {
                let crate::SyncCallError::Raised { name: js_name, .. } = &error else {
                    unreachable!("matched above")
                };
                Err(js_exception(js_name, &error.to_string(), vm)?)
            }
            Err(crate::SyncCallError::Interrupted) => Err(keyboard_interrupt(vm)),
            Err(error @ crate::SyncCallError::Timeout { .. }) => Err(vm.new_exception_msg(
                vm.ctx.exceptions.timeout_error.to_owned(),
                error.to_string().into(),
            )),
            Err(error) => Err(vm.new_runtime_error(error.to_string())),
        }
    }

    /// Hands the result of an exported call back to the host: `value` when `ok`, else the
    /// traceback text.
    #[pyfunction]
    fn export_result(call_id: u64, ok: bool, value: PyObjectRef, vm: &VirtualMachine) {
        let outcome = if ok {
            Ok(value)
        } else {
            Err(value
                .downcast_ref::<PyStr>()
                .map(|text| text.to_string_lossy().into_owned())
                .unwrap_or_else(|| "the exported function failed".to_string()))
        };
        crate::hand_back::export_result(call_id, outcome, vm);
    }

    /// Runs a page operation: returns `(True, value)` when it is done, `(False, request_id)`
    /// when it completes later (see `_rustpy_page.settle_request`).
    #[pyfunction]
    fn page_op(op: PyStrRef, args: PyObjectRef, vm: &VirtualMachine) -> PyResult {
        let op = op.to_string_lossy().into_owned();
        let args = crate::ffi::convert::to_value(
            &args,
            crate::ffi::convert::Mode::Copy,
            &format!("the arguments of {op}"),
            vm,
        )?;
        match host().page().page_op(&op, args) {
            Ok(crate::PageReply::Now(value)) => {
                let value =
                    crate::ffi::convert::from_value(&value, crate::ffi::convert::Mode::Copy, vm)?;
                Ok(vm.new_tuple((true, value)).into())
            }
            Ok(crate::PageReply::Later(id)) => Ok(vm.new_tuple((false, id)).into()),
            Err(message) => Err(vm.new_runtime_error(message)),
        }
    }

    /// Registers `_rustpy_ffi`'s classes and functions for conversions (see
    /// `crate::ffi::hooks::FfiHooks`).
    #[pyfunction]
    fn ffi_install(
        proxy_class: PyTypeRef,
        method_class: PyTypeRef,
        register_callable: PyObjectRef,
        callable_for: PyObjectRef,
        method_marker: PyObjectRef,
    ) {
        crate::ffi::hooks::install_hooks(crate::ffi::hooks::FfiHooks {
            proxy_class,
            method_class,
            register_callable,
            callable_for,
            method_marker,
        });
    }

    /// Runs FFI operations (see `rustpy_bridge::ffi`) and returns their results; a
    /// failure raises (with `op_index` set to the failing operation). They run on the page,
    /// or with `local=True` on this thread's own objects (by default: where the first
    /// operation's target is).
    #[pyfunction]
    fn js_request(ops: PyObjectRef, local: OptionalArg<bool>, vm: &VirtualMachine) -> PyResult {
        crate::ffi::round_trip::run_ffi_request(
            crate::ffi::operands::ffi_operand(&ops, vm)?,
            local.into_option(),
            vm,
        )
    }

    /// Runs one FFI operation (see `rustpy_bridge::ffi`) and returns its result; in a
    /// batch, queues it and returns its placeholder (`None` for a write).
    #[pyfunction]
    fn js_run(op: PyObjectRef, vm: &VirtualMachine) -> PyResult {
        let op = crate::ffi::operands::ffi_operand(&op, vm)?;
        crate::ffi::batch::run_op(crate::ffi::wire_op::WireOp::from_value(&op), vm)
    }

    /// Opens a `with batch():` block.
    #[pyfunction]
    fn batch_enter() {
        crate::ffi::batch::enter_batch();
    }

    /// Closes a `with batch():` block: the outermost sends what was queued when `ok`, else
    /// drops it (its placeholders read None).
    #[pyfunction]
    fn batch_exit(ok: bool, vm: &VirtualMachine) -> PyResult<()> {
        crate::ffi::batch::exit_batch(ok, vm)
    }

    /// Sends what the open batch queued so far (a value Python needs now) and settles its
    /// placeholders; nothing when no batch is open.
    #[pyfunction]
    fn js_flush(vm: &VirtualMachine) -> PyResult<()> {
        crate::ffi::batch::flush_batch(true, vm)
    }

    /// The native base of `_rustpy_ffi.JsProxy` (see [`crate::ffi::registry::JsObject`]).
    #[pyattr(name = "JsObject")]
    fn js_object(_vm: &VirtualMachine) -> PyTypeRef {
        <crate::ffi::registry::JsObject as PyClassImpl>::make_static_type()
    }

    /// The native base of `_rustpy_ffi.JsMethod` (see
    /// [`crate::ffi::registry::JsMethodBase`]).
    #[pyattr(name = "JsMethodBase")]
    fn js_method_base(_vm: &VirtualMachine) -> PyTypeRef {
        <crate::ffi::registry::JsMethodBase as PyClassImpl>::make_static_type()
    }

    /// The FFI's operation names, `{constant name: wire name}` (`rustpy_bridge::ffi::op`):
    /// `_rustpy_ffi` names its operations from here, not with literals of its own.
    #[pyattr(name = "FFI_OPS")]
    fn ffi_ops(vm: &VirtualMachine) -> PyObjectRef {
        names(rustpy_bridge::ffi::op::ALL, vm)
    }

    /// The page operations of main-thread Python, `{constant name: wire name}`
    /// (`rustpy_bridge::page_op`).
    #[pyattr(name = "PAGE_OPS")]
    fn page_ops(vm: &VirtualMachine) -> PyObjectRef {
        names(rustpy_bridge::page_op::ALL, vm)
    }

    /// The kinds of change of `pyscript.web`'s queued element changes and of the FFI's
    /// tree operation, `{constant name: number}` (`rustpy_bridge::ffi::tree_change`).
    #[pyattr(name = "TREE_CHANGES")]
    fn tree_changes(vm: &VirtualMachine) -> PyObjectRef {
        names(rustpy_bridge::ffi::tree_change::ALL, vm)
    }

    /// A dict of `(constant name, value)` pairs.
    fn names<V: ToPyObject + Copy>(all: &[(&str, V)], vm: &VirtualMachine) -> PyObjectRef {
        let dict = vm.ctx.new_dict();
        for (name, value) in all {
            // Setting a str key of a fresh dict cannot fail.
            let _ = dict.set_item(*name, value.to_pyobject(vm), vm);
        }
        dict.into()
    }

    /// Sends the releases queued so far (before reading the live-handle count).
    #[pyfunction]
    fn flush_releases() {
        crate::ffi::releases::flush_releases();
    }

    /// The id of the element `display()` writes to by default, if any.
    #[pyfunction]
    fn current_target() -> Option<String> {
        host().page().current_target()
    }

    /// This interpreter's configuration (a worker's `config`), or `None`.
    #[pyfunction]
    fn config(vm: &VirtualMachine) -> PyResult {
        crate::ffi::convert::from_value(&host().config(), crate::ffi::convert::Mode::Copy, vm)
    }

    /// The files the config delivered, once (see [`crate::Host::take_files`]): a list of
    /// `(path, bytes)` tuples.
    #[pyfunction]
    fn take_files(vm: &VirtualMachine) -> PyObjectRef {
        let files = host()
            .take_files()
            .into_iter()
            .map(|(path, data)| {
                vm.ctx
                    .new_tuple(vec![
                        vm.ctx.new_str(path).into(),
                        vm.ctx.new_bytes(data).into(),
                    ])
                    .into()
            })
            .collect();
        vm.ctx.new_list(files).into()
    }

    /// Reports an error nobody can catch any more (see [`crate::Host::report_error`]);
    /// output written so far goes first, so the error follows what led to it.
    #[pyfunction]
    fn report_error(what: String, traceback: String) {
        crate::hand_back::flush_to_host();
        host().report_error(&what, &traceback);
    }

    /// Formats an exception with its traceback, as Python prints it.
    #[pyfunction]
    fn format_exception(exc: PyBaseExceptionRef, vm: &VirtualMachine) -> String {
        crate::format_exception(vm, &exc)
    }
}
