//! One FFI operation in wire form, and running it: at once, or queued in the open batch.

use rustpython_vm::{PyObjectRef, PyResult, VirtualMachine};

use rustpy_bridge::ffi::{OpWriter, WrittenOp, op};

use super::operands::write_target;
use crate::Value;

/// Whether operation `name`'s result is one nobody can read (a Python statement's: `set`,
/// `del`, `setitem`, `delitem`): a batch makes no placeholder for it.
fn is_write(name: &str) -> bool {
    [op::SET, op::DEL, op::SET_ITEM, op::DEL_ITEM].contains(&name)
}

/// One FFI operation in wire form (`rustpy_bridge::ffi`), ready to run or queue.
pub(crate) struct WireOp {
    /// The operation's JSON.
    pub(super) op: WrittenOp,
    /// A write: nothing can read its result, so a batch makes no placeholder for it.
    pub(super) write: bool,
}

thread_local! {
    /// The buffer of the latest [`WireOp`] once it is done with, for the next one.
    static OP_BUFFER: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
}

impl WireOp {
    /// Operation `name` (one of `rustpy_bridge::ffi::op`'s) with the operands `operands`
    /// writes.
    pub(crate) fn build(
        name: &str,
        operands: impl FnOnce(&mut OpWriter) -> PyResult<()>,
    ) -> PyResult<Self> {
        // (An operand that queues an operation itself, a held attribute read, builds that
        // one in a buffer of its own.)
        let mut writer = OpWriter::reusing(OP_BUFFER.take(), name);
        operands(&mut writer)?;
        Ok(Self {
            op: writer.finish(),
            write: is_write(name),
        })
    }

    /// Operation `name` on `target`'s attribute `attribute` (`get`, `set`, `del`, `call`):
    /// the target, the attribute's name, then what `rest` writes.
    pub(crate) fn on_attribute(
        name: &str,
        target: &PyObjectRef,
        attribute: &str,
        vm: &VirtualMachine,
        rest: impl FnOnce(&mut OpWriter) -> PyResult<()>,
    ) -> PyResult<Self> {
        Self::build(name, |writer| {
            write_target(writer, target, vm)?;
            writer.name(attribute);
            rest(writer)
        })
    }

    /// An operation converted as a whole (`[name, operands...]`, from `_rustpy_ffi`).
    pub(crate) fn from_value(op: &Value) -> Self {
        let write = matches!(op, Value::List(parts)
            if matches!(parts.first(), Some(Value::Str(name)) if is_write(name)));
        Self {
            op: WrittenOp::of(op),
            write,
        }
    }
}

/// The largest [`OP_BUFFER`] kept (an operation carrying a long text frees its buffer).
const OP_BUFFER_KEPT: usize = 4096;

impl Drop for WireOp {
    fn drop(&mut self) {
        if self.op.json.capacity() <= OP_BUFFER_KEPT {
            OP_BUFFER.set(std::mem::take(&mut self.op.json));
        }
    }
}
