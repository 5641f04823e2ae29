//! The interpreter's side of the direct path (`rustpy_bridge::direct`): an attribute read
//! or a method call on an object of a handle table of this thread (a worker's own JS
//! objects; on the page, the page's) goes to the host as a typed operation, not as a
//! request's text. What does not fit (an argument that needs converting, a batch on the
//! page, an object of the page seen from a worker) takes the request path, which runs the
//! same operation.

use std::borrow::Cow;

use rustpy_bridge::direct::{DirectArg, DirectOp, MAX_DIRECT_ARGS};
use rustpy_bridge::ffi::is_local_handle;
use rustpython_vm::builtins::{PyFloat, PyInt, PyStr};
use rustpython_vm::{AsObject, PyObjectRef, PyResult, VirtualMachine};

use super::batch::batching;
use super::operands::{Reference, reference_of};
use super::round_trip::{failure_exception, request_error};
use crate::thread_host::host;
use rustpy_bridge::value::MAX_SAFE_INTEGER as MAX_SAFE;

/// The handle of `proxy` when an operation on it can take the direct path: an object of
/// this thread's table, outside a batch that queues operations for the page.
pub(crate) fn direct_target(proxy: &PyObjectRef) -> Option<u64> {
    let Some(Reference::Handle(handle)) = reference_of(proxy) else {
        return None;
    };
    let local = is_local_handle(handle);
    // In a worker only its own objects are on this thread; on the page, the page's are,
    // but a batch queues them.
    let on_this_thread = if host().in_worker() {
        local
    } else {
        !batching()
    };
    on_this_thread.then_some(handle)
}

/// An argument as it crosses the direct path, if it can: `None`, an exact `bool`, `int`
/// (within a JS number's exact range), `float` or `str`, or an object of the same table as
/// `target`.
enum Arg<'a> {
    /// As it is.
    Plain(DirectArg<'a>),
    /// A string (borrowed from Python's, or made valid).
    Text(Cow<'a, str>),
}

fn arg_of<'a>(item: &'a PyObjectRef, target: u64, vm: &VirtualMachine) -> Option<Arg<'a>> {
    if vm.is_none(item) {
        return Some(Arg::Plain(DirectArg::None));
    }
    if item.class().is(vm.ctx.types.bool_type) {
        return Some(Arg::Plain(DirectArg::Bool(item.is(&vm.ctx.true_value))));
    }
    if let Some(text) = item.downcast_ref_if_exact::<PyStr>(vm) {
        return Some(Arg::Text(text.to_string_lossy()));
    }
    if let Some(int) = item.downcast_ref_if_exact::<PyInt>(vm) {
        return i64::try_from(int.as_bigint())
            .ok()
            .filter(|number| (-MAX_SAFE..=MAX_SAFE).contains(number))
            .map(|number| Arg::Plain(DirectArg::Int(number)));
    }
    if let Some(float) = item.downcast_ref_if_exact::<PyFloat>(vm) {
        return Some(Arg::Plain(DirectArg::Float(float.to_f64())));
    }
    match reference_of(item) {
        Some(Reference::Handle(handle)) if is_local_handle(handle) == is_local_handle(target) => {
            Some(Arg::Plain(DirectArg::Handle(handle)))
        }
        _ => None,
    }
}

/// `target[name]` by the direct path.
pub(crate) fn get(target: u64, name: &str, vm: &VirtualMachine) -> PyResult {
    run(&DirectOp::Get { target, name }, vm)
}

/// `target[name](...items)` by the direct path, or `None` when an argument cannot take it.
pub(crate) fn call(
    target: u64,
    name: &str,
    items: &[PyObjectRef],
    vm: &VirtualMachine,
) -> Option<PyResult> {
    if items.len() > MAX_DIRECT_ARGS {
        return None;
    }
    let args: Vec<Arg<'_>> = items
        .iter()
        .map(|item| arg_of(item, target, vm))
        .collect::<Option<_>>()?;
    let args: Vec<DirectArg<'_>> = args
        .iter()
        .map(|arg| match arg {
            Arg::Plain(plain) => *plain,
            Arg::Text(text) => DirectArg::Str(text),
        })
        .collect();
    Some(run(
        &DirectOp::Call {
            target,
            name,
            args: &args,
        },
        vm,
    ))
}

/// Runs `op` and converts its result as a request's would be.
fn run(op: &DirectOp<'_>, vm: &VirtualMachine) -> PyResult {
    match host()
        .page()
        .js_direct(op)
        .map_err(|error| request_error(error, vm))?
    {
        Ok(value) => crate::ffi::convert::from_value(&value, crate::ffi::convert::Mode::Ffi, vm),
        Err(failure) => Err(failure_exception(failure, None, vm)?),
    }
}
