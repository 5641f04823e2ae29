//! An FFI request's round trip to the page (or this thread's own table), and the Python
//! exceptions its failures raise.

use rustpython_vm::{PyResult, VirtualMachine};

use rustpy_bridge::ffi::WrittenOp;

use crate::Value;
use crate::thread_host::{flush_output, host};

/// The exception for a request that could not reach the page or was interrupted.
pub(crate) fn request_error(
    error: crate::SyncCallError,
    vm: &VirtualMachine,
) -> rustpython_vm::builtins::PyBaseExceptionRef {
    match error {
        crate::SyncCallError::Interrupted => keyboard_interrupt(vm),
        other => vm.new_runtime_error(other.to_string()),
    }
}

/// Sends `ops` (a [`Value::List`] of operations) to the page, or with `local` to this
/// thread's own table (by default, where the first operation's target is), and converts
/// the results; a failure raises the matching exception.
pub(crate) fn run_ffi_request(ops: Value, local: Option<bool>, vm: &VirtualMachine) -> PyResult {
    let Value::List(ops) = ops else {
        return Err(vm.new_type_error("js_request takes a list of operations"));
    };
    let ops: Vec<WrittenOp> = ops.iter().map(WrittenOp::of).collect();
    let local = local.unwrap_or_else(|| ops.first().is_some_and(|op| op.local));
    let items = ffi_round_trip(&rustpy_bridge::ffi::request(&ops), None, local, vm)?
        .iter()
        .map(|value| crate::ffi::convert::from_value(value, crate::ffi::convert::Mode::Ffi, vm))
        .collect::<PyResult<Vec<_>>>()?;
    Ok(vm.ctx.new_list(items).into())
}

/// Sends an FFI `request` to the page (or, `local`, to this thread's own table) and
/// answers its results; a failure raises the matching exception, naming the operation
/// when the request ends the `batch` of these operations.
pub(crate) fn ffi_round_trip(
    request: &str,
    batch: Option<&rustpy_bridge::ffi::OpJournal>,
    local: bool,
    vm: &VirtualMachine,
) -> PyResult<Vec<Value>> {
    use rustpy_bridge::ffi::JsReply;

    let reply = if local {
        host().page().js_local_request(request)
    } else {
        flush_output();
        host().page().js_request(request)
    }
    .map_err(|error| request_error(error, vm))?;
    match JsReply::decode(reply.as_bytes()) {
        Ok(JsReply::Ok(values)) => Ok(values),
        Ok(JsReply::Err(failure)) => Err(failure_exception(failure, batch, vm)?),
        Err(error) => Err(vm.new_runtime_error(format!(
            "rustpy: the page's FFI reply could not be decoded: {error}"
        ))),
    }
}

/// The exception a failed operation raises (naming the operation when it ended the
/// `batch` of these operations): the Python type the table named, else `JsException`.
pub(crate) fn failure_exception(
    failure: rustpy_bridge::ffi::JsFailure,
    batch: Option<&rustpy_bridge::ffi::OpJournal>,
    vm: &VirtualMachine,
) -> PyResult<rustpython_vm::builtins::PyBaseExceptionRef> {
    use rustpython_vm::AsObject;

    let message = match batch {
        Some(ops) => format!(
            "operation {} of {} in the batch ({}) failed: {}: {}",
            failure.index + 1,
            ops.len(),
            describe_op(ops, failure.index),
            failure.name,
            failure.message
        ),
        None => format!("{}: {}", failure.name, failure.message),
    };
    let exc = match failure.python.as_deref() {
        Some("AttributeError") => vm.new_attribute_error(strip_name(&message, &failure.name)),
        Some("KeyError") => vm.new_key_error(vm.ctx.new_str(failure.message).into()),
        Some("IndexError") => vm.new_index_error(strip_name(&message, &failure.name)),
        Some("TypeError") => vm.new_type_error(strip_name(&message, &failure.name)),
        _ => js_exception(&failure.name, &message, vm)?,
    };
    exc.as_object()
        .set_attr("op_index", vm.ctx.new_int(failure.index), vm)?;
    Ok(exc)
}

/// `"AttributeError: x"` -> `"x"` (a Python exception type already says its name).
fn strip_name(message: &str, name: &str) -> String {
    message.replacen(&format!("{name}: "), "", 1)
}

/// How an error message names operation `index` of a batch: `call 'append'`.
fn describe_op(ops: &rustpy_bridge::ffi::OpJournal, index: usize) -> String {
    let parts = match ops.op(index) {
        Some(Value::List(parts)) => parts,
        _ => return "?".into(),
    };
    let name = match parts.first() {
        Some(Value::Str(name)) => name.as_str(),
        _ => "?",
    };
    let name_of = rustpy_bridge::ffi::name_operand;
    match (name, parts.get(1), parts.get(2).and_then(name_of)) {
        ("get" | "set" | "del" | "call", _, Some(attribute)) => {
            format!("{name} {attribute:?}").replace('"', "'")
        }
        ("apply", Some(target), _) => match target_slot(target).and_then(|slot| ops.op(slot)) {
            // A method read earlier in the batch, then called.
            Some(Value::List(source)) if matches!(source.first(), Some(Value::Str(n)) if n == "get") => {
                match source.get(2).and_then(name_of) {
                    Some(attribute) => format!("call '{attribute}'"),
                    _ => name.to_string(),
                }
            }
            _ => name.to_string(),
        },
        _ => name.to_string(),
    }
}

/// The slot an operation's target names, if it is one (`{"s": k}`, or `-k - 1` as
/// `write_target` writes it).
fn target_slot(target: &Value) -> Option<usize> {
    match target {
        Value::Slot(slot) => usize::try_from(*slot).ok(),
        Value::Int(digits) => digits
            .parse::<i64>()
            .ok()
            .filter(|number| *number < 0)
            .and_then(|number| usize::try_from(-(number + 1)).ok()),
        _ => None,
    }
}

/// The exception `worker.interrupt()` raises.
pub(crate) fn keyboard_interrupt(
    vm: &rustpython_vm::VirtualMachine,
) -> rustpython_vm::builtins::PyBaseExceptionRef {
    vm.new_exception_msg(
        vm.ctx.exceptions.keyboard_interrupt.to_owned(),
        "interrupted by the page (worker.interrupt())".into(),
    )
}

/// A `pyscript.JsException` (from `_rustpy_ffi`) for a JS error.
pub(crate) fn js_exception(
    name: &str,
    message: &str,
    vm: &rustpython_vm::VirtualMachine,
) -> rustpython_vm::PyResult<rustpython_vm::builtins::PyBaseExceptionRef> {
    let class = vm.import("_rustpy_ffi", 0)?.get_attr("JsException", vm)?;
    let exc = class.call((name.to_string(), message.to_string()), vm)?;
    exc.downcast::<rustpython_vm::builtins::PyBaseException>()
        .map_err(|_| vm.new_type_error("_rustpy_ffi.JsException is not an exception"))
}
