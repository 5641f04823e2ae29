//! Interrupting running Python: `worker.interrupt()` raises `KeyboardInterrupt` even in a
//! loop that never waits, prints nor calls the page (`while True: pass`).
//!
//! RustPython 0.6 compiles its per-instruction signal check out on wasm32
//! (`VirtualMachine::eval_breaker_tripped` is `false` there), so rustpy registers a native
//! callback with `sys.monitoring` (PEP 669) for the two events every long-running piece of
//! Python code keeps producing: `JUMP` (RustPython fires it on every backward jump, that is
//! every turn of a `for`/`while` loop or comprehension) and `PY_START` (every Python
//! function call, so recursion without loops is covered too). Events apply to all code,
//! user scripts, `exec`'d strings, imported modules and the stdlib alike.
//!
//! The callback costs a native call per event; only every [`CHECK_EVERY`]th event asks the
//! host whether the page asked for an interrupt (an `Atomics.load` of the control block in
//! a browser). An exception raised by a monitoring callback propagates from the
//! instruction that fired it, so the traceback points at the user's line and `try/except
//! KeyboardInterrupt` catches it as usual. rustpy's own modules (`_rustpy_*`, `pyscript`)
//! never take the interrupt: their bookkeeping (the event loop, the FFI) is not left half
//! done; the interrupt is taken at the next event in other code.
//!
//! Native code that runs no Python instruction (`sum(range(10**12))`, a regex) produces
//! no events and cannot be interrupted: the page's `interrupt()` promise rejects after its
//! bound and `restart()` is the way out.

use std::cell::Cell;

use rustpython_vm::{PyObjectRef, PyResult, VirtualMachine, builtins::PyCode, function::FuncArgs};

use crate::host_module::{host, keyboard_interrupt};

/// The `sys.monitoring` tool id rustpy takes (PEP 669 leaves 3 and 4 unassigned; 0-2 and 5
/// are the debugger, coverage, profiler and optimizer ids a user's tools expect).
pub const TOOL_ID: i32 = 4;

/// How many monitoring events pass between two looks at the interrupt flag. An event costs
/// far more than a look (a native call against an atomic load), so this only keeps the
/// look out of the way; at a few hundred nanoseconds an event it bounds the delay to well
/// under a millisecond.
pub const CHECK_EVERY: u32 = 64;

thread_local! {
    /// Events left until the next look at the interrupt flag.
    static COUNTDOWN: Cell<u32> = const { Cell::new(CHECK_EVERY) };
}

/// Registers the interrupt check with `sys.monitoring` for `JUMP` and `PY_START`, for all
/// code that starts running from now on.
pub(crate) fn install(vm: &VirtualMachine) -> PyResult<()> {
    let monitoring = vm.sys_module.get_attr("monitoring", vm)?;
    let events = monitoring.get_attr("events", vm)?;
    let jump = events.get_attr("JUMP", vm)?;
    let py_start = events.get_attr("PY_START", vm)?;
    let call = |name: &'static str, args: Vec<PyObjectRef>| -> PyResult<PyObjectRef> {
        monitoring.get_attr(name, vm)?.call(args, vm)
    };
    call(
        "use_tool_id",
        vec![
            vm.ctx.new_int(TOOL_ID).into(),
            vm.ctx.new_str("rustpy interrupts").into(),
        ],
    )?;
    let check: PyObjectRef = vm
        .new_function("_rustpy_interrupt_check", interrupt_check)
        .into();
    for event in [&jump, &py_start] {
        call(
            "register_callback",
            vec![vm.ctx.new_int(TOOL_ID).into(), event.clone(), check.clone()],
        )?;
    }
    let both = jump.try_into_value::<i32>(vm)? | py_start.try_into_value::<i32>(vm)?;
    call(
        "set_events",
        vec![vm.ctx.new_int(TOOL_ID).into(), vm.ctx.new_int(both).into()],
    )?;
    Ok(())
}

/// The monitoring callback: every [`CHECK_EVERY`]th event, raises `KeyboardInterrupt` if
/// the page asked for one (and the event is not in rustpy's own code).
fn interrupt_check(args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
    let left = COUNTDOWN.with(Cell::get);
    if left > 1 {
        COUNTDOWN.with(|countdown| countdown.set(left - 1));
        return Ok(());
    }
    COUNTDOWN.with(|countdown| countdown.set(CHECK_EVERY));
    let host = host();
    if !host.interrupt_requested() {
        return Ok(());
    }
    if args.args.first().is_some_and(is_rustpy_code) {
        // Look again at the next event: it may be in the user's code.
        COUNTDOWN.with(|countdown| countdown.set(1));
        return Ok(());
    }
    if host.interrupted() {
        return Err(keyboard_interrupt(vm));
    }
    Ok(())
}

/// True for code of rustpy's own modules (file names as `interp/build.rs` gives them).
fn is_rustpy_code(code: &PyObjectRef) -> bool {
    code.downcast_ref::<PyCode>().is_some_and(|code| {
        let path = code.source_path().as_str();
        path.starts_with("_rustpy_") || path.starts_with("pyscript/")
    })
}
