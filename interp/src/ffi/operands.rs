//! Python values written as the operands of an FFI operation (`rustpy_bridge::ffi`): the
//! common kinds straight into the operation's JSON, references by handle or batch slot.

use rustpython_vm::{PyObjectRef, PyResult, VirtualMachine};

use rustpy_bridge::ffi::{OpWriter, op};

use super::round_trip::ffi_round_trip;
use crate::Value;

/// A Python value (an FFI operation, a list of them, or an operand) in wire form: JS
/// proxies and Python callables cross by reference.
pub(crate) fn ffi_operand(obj: &PyObjectRef, vm: &VirtualMachine) -> PyResult<Value> {
    crate::ffi::convert::to_value(
        obj,
        crate::ffi::convert::Mode::Ffi,
        "an argument passed to JavaScript",
        vm,
    )
}

/// Writes a Python value as an operand, as [`ffi_operand`] converts it: the common kinds
/// (str, int, `None`, proxies and batch placeholders) straight into the operation's JSON.
pub(crate) fn write_operand(
    writer: &mut OpWriter,
    obj: &PyObjectRef,
    vm: &VirtualMachine,
) -> PyResult<()> {
    use rustpython_vm::builtins::{PyInt, PyStr};
    if vm.is_none(obj) {
        writer.none();
        return Ok(());
    }
    if let Some(text) = obj.downcast_ref_if_exact::<PyStr>(vm) {
        writer.str(&text.to_string_lossy());
        return Ok(());
    }
    if let Some(int) = obj.downcast_ref_if_exact::<PyInt>(vm)
        && let Ok(number) = i64::try_from(int.as_bigint())
    {
        writer.int(number);
        return Ok(());
    }
    match reference_of(obj) {
        Some(Reference::Handle(handle)) if of_the_other_table(writer, handle) => {
            writer.value(&copy_across(handle, vm)?)
        }
        Some(Reference::Handle(handle)) => writer.handle(handle),
        Some(Reference::Slot(slot)) => writer.slot(slot),
        None => writer.value(&ffi_operand(obj, vm)?),
    }
    Ok(())
}

/// Whether `handle` is held by the other table than the one the operation `writer` writes
/// runs on (its target's): such an operand crosses by copy ([`copy_across`]).
fn of_the_other_table(writer: &OpWriter, handle: u64) -> bool {
    rustpy_bridge::ffi::is_local_handle(handle) != writer.targets_local()
}

/// The object behind `handle` copied as a value, for an operation of the other table (a
/// worker's own JS object passed to the page, or a page object to the worker's JS): each
/// table holds its own realm's objects, so what crosses is a copy, as a structured clone
/// would make (arrays, plain objects, maps, typed arrays; an object inside that is none of
/// these stays a reference, which the other table refuses with a clear error).
fn copy_across(handle: u64, vm: &VirtualMachine) -> PyResult<Value> {
    let mut writer = OpWriter::new(op::TO_PY);
    writer.target_handle(handle);
    let local = writer.targets_local();
    let op = writer.finish();
    let results = ffi_round_trip(&rustpy_bridge::ffi::request([&op]), None, local, vm)?;
    Ok(results.into_iter().next().unwrap_or(Value::None))
}

/// What a proxy stands for on the page, when it is a reference.
pub(crate) enum Reference {
    /// A page handle.
    Handle(u64),
    /// The result of a queued operation of the open batch.
    Slot(u32),
}

/// The handle or batch slot `obj` stands for (`None`: not a proxy, or a placeholder that
/// resolved to a plain value or holds an attribute read back, which convert the long way).
pub(crate) fn reference_of(obj: &PyObjectRef) -> Option<Reference> {
    let id = crate::ffi::registry::proxy_state(obj)?.lock().id;
    match u64::try_from(id) {
        Ok(0) => None,
        Ok(handle) => Some(Reference::Handle(handle)),
        Err(_) => u32::try_from(-(id + 1)).ok().map(Reference::Slot),
    }
}

/// Writes the proxy (or placeholder) an operation acts on: a bare number for a handle or
/// a slot (see `rustpy_bridge::ffi::op`), else as [`write_operand`] does.
pub(crate) fn write_target(
    writer: &mut OpWriter,
    obj: &PyObjectRef,
    vm: &VirtualMachine,
) -> PyResult<()> {
    match reference_of(obj) {
        Some(Reference::Handle(handle)) => writer.target_handle(handle),
        Some(Reference::Slot(slot)) => writer.target_slot(slot),
        None => return write_operand(writer, obj, vm),
    }
    Ok(())
}

/// Writes a `call`'s arguments inline after their `refs` mask: the references among the
/// first [`CALL_REF_BITS`](rustpy_bridge::ffi::CALL_REF_BITS) as bare numbers, the rest
/// as [`write_operand`] does (see `rustpy_bridge::ffi::op::CALL`).
pub(crate) fn write_call_arguments(
    writer: &mut OpWriter,
    items: &[PyObjectRef],
    vm: &VirtualMachine,
) -> PyResult<()> {
    let refs = items
        .iter()
        .take(rustpy_bridge::ffi::CALL_REF_BITS)
        .enumerate()
        .filter(|(_, item)| match reference_of(item) {
            // A handle of the other table is copied instead (see `write_operand`).
            Some(Reference::Handle(handle)) => !of_the_other_table(writer, handle),
            reference => reference.is_some(),
        })
        .fold(0_i64, |refs, (index, _)| refs | 1 << index);
    writer.int(refs);
    for (index, item) in items.iter().enumerate() {
        if rustpy_bridge::ffi::is_call_ref(refs, index) {
            write_target(writer, item, vm)?;
        } else {
            write_operand(writer, item, vm)?;
        }
    }
    Ok(())
}

/// Writes `items` as an operand list (a call's arguments).
pub(crate) fn write_operand_list(
    writer: &mut OpWriter,
    items: &[PyObjectRef],
    vm: &VirtualMachine,
) -> PyResult<()> {
    writer.begin_list();
    for item in items {
        write_operand(writer, item, vm)?;
    }
    writer.end_list();
    Ok(())
}
