//! [`InterruptChecks::Everywhere`](super::InterruptChecks::Everywhere): a native callback
//! registered with `sys.monitoring` (PEP 669) for the two events every long-running piece
//! of Python code keeps producing: `JUMP` (RustPython fires it on every backward jump, that
//! is every turn of a `for`/`while` loop or comprehension) and `PY_START` (every Python
//! function call, so recursion without loops is covered too). Events apply to all code,
//! user scripts, `exec`'d strings, imported modules and the standard library alike.
//!
//! An event costs RustPython about 3 200 instructions (`monitoring::fire` looks up each
//! tool's events, disabled locations and callbacks), as much as a loop turn or a call.
//! An exception raised by a monitoring callback propagates from the instruction that fired
//! it. rustpy's own modules (`_rustpy_*`, `pyscript`) never take the interrupt: their
//! bookkeeping (the event loop, the FFI) is not left half done; the interrupt is taken at
//! the next event in other code.

use rustpython_vm::{PyObjectRef, PyResult, VirtualMachine, builtins::PyCode, function::FuncArgs};

/// The `sys.monitoring` tool id rustpy takes (PEP 669 leaves 3 and 4 unassigned; 0-2 and 5
/// are the debugger, coverage, profiler and optimizer ids a user's tools expect).
pub const TOOL_ID: i32 = 4;

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

/// The monitoring callback: raises `KeyboardInterrupt` when a check is due, unless the
/// event is in rustpy's own code.
fn interrupt_check(args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
    if !super::due() {
        return Ok(());
    }
    if args.args.first().is_some_and(is_rustpy_code) {
        super::look_at_next_check();
        return Ok(());
    }
    super::take(vm)
}

/// True for code of rustpy's own modules (file names as `interp/build.rs` gives them).
fn is_rustpy_code(code: &PyObjectRef) -> bool {
    code.downcast_ref::<PyCode>().is_some_and(|code| {
        let path = code.source_path().as_str();
        path.starts_with("_rustpy_") || path.starts_with("pyscript/")
    })
}
