//! The batch engine of `with batch():`: operations queued as they are written, sent to the
//! page in parts while Python goes on, and placeholders standing for their results.

use std::cell::{Cell, RefCell};

use rustpython_vm::{PyObjectRef, PyResult, VirtualMachine};

use rustpy_bridge::ffi::{WrittenOp, op};

use super::round_trip::{ffi_round_trip, request_error};
use super::wire_op::WireOp;
use crate::Value;
use crate::thread_host::{flush_output, host};

/// The operations queued by an open `with batch():` block.
#[derive(Default)]
struct Batch {
    /// Its number on the page (see `rustpy_bridge::ffi::BatchPart`), given when the first
    /// operation is queued.
    number: u64,
    /// The operations, encoded as they were queued (so they hold no Python objects, and no
    /// value trees: a batch of 11,000 kept as `Value`s slowed the allocator down).
    ops: rustpy_bridge::ffi::OpJournal,
    /// How many of `ops` went to the page already, in parts sent while Python queued.
    sent: usize,
    /// When the page was busy with the previous part: the length of `ops` at which to try
    /// again (see [`BUSY_RETRY_OPS`]).
    retry_at: Option<usize>,
    /// `(operation, placeholder)`: the placeholders standing for results (writes have
    /// none), held here until Python drops them ([`Batch::prune`]): a result nobody holds
    /// is not sent back. Strong references counted rather than weak ones: a weak
    /// reference is one more Python object per operation.
    placeholders: Vec<(usize, PyObjectRef)>,
    /// `(operation, class id, name)` of the queued `get`s of known classes: a method
    /// marker in their results teaches [`crate::ffi::registry::learn_method`] the method.
    gets: Vec<(usize, i64, String)>,
    /// `(operation, owner, name)` of the held attribute reads that were queued as `get`s:
    /// one that comes back as an inherited method (the marker) stays callable as
    /// `owner.name(...)` (see [`flush_batch`]).
    reads: Vec<(usize, PyObjectRef, rustpython_vm::builtins::PyStrRef)>,
}

/// True while Python holds `placeholder`, of which the batch (or `BatchEngine::held`) holds one
/// reference itself.
fn python_holds(placeholder: &PyObjectRef) -> bool {
    placeholder.strong_count() > 1
}

impl Batch {
    /// Takes out the placeholders only this batch still holds (Python dropped them; the
    /// caller [`recycle`]s them once the batch is no longer borrowed, as a dying object may
    /// run Python code).
    fn prune(&mut self) -> Vec<PyObjectRef> {
        let (held, dropped): (Vec<_>, Vec<_>) = std::mem::take(&mut self.placeholders)
            .into_iter()
            .partition(|(_, placeholder)| python_holds(placeholder));
        self.placeholders = held;
        dropped
            .into_iter()
            .map(|(_, placeholder)| placeholder)
            .collect()
    }
}

/// The batch engine's state on this thread: one owner for what `with batch():` keeps
/// between operations. (Cells, each borrowed only briefly: a dying placeholder may run
/// Python code, which may queue an operation in turn.)
#[derive(Default)]
struct BatchEngine {
    /// The open batch's queue.
    open: RefCell<Batch>,
    /// Open `with batch():` blocks (nested ones join the outermost).
    depth: Cell<usize>,
    /// The placeholder of an attribute read a batch holds back (see [`hold_attribute`]);
    /// Python dropped it when this is the only reference left.
    held: RefCell<Option<PyObjectRef>>,
    /// The number of the latest batch.
    number: Cell<u64>,
    /// Placeholders Python dropped before the batch sent them, kept for new ones (see
    /// [`recycle`]).
    spare: RefCell<Vec<PyObjectRef>>,
}

thread_local! {
    /// This thread's batch engine.
    static ENGINE: BatchEngine = BatchEngine::default();
}

/// After the page was found busy with a batch's previous part, how many more operations
/// Python queues before trying again (with everything not sent yet).
const BUSY_RETRY_OPS: usize = rustpy_bridge::ffi::BATCH_PART_OPS / 4;

/// True inside a `with batch():` block.
pub(crate) fn batching() -> bool {
    ENGINE.with(|BatchEngine { depth, .. }| depth.get() > 0)
}

/// Runs one operation and returns its result, or in a batch queues it and returns its
/// placeholder (`None` for a write).
pub(crate) fn run_op(op: WireOp, vm: &VirtualMachine) -> PyResult {
    // An operation on this thread's own objects runs at once: a batch saves round trips
    // to the page, and it has none.
    if batching() && !op.op.local {
        queue_held(vm)?;
        return queue(op, vm);
    }
    let results = ffi_round_trip(
        &rustpy_bridge::ffi::request([&op.op]),
        None,
        op.op.local,
        vm,
    )?;
    match results.first() {
        Some(value) => crate::ffi::convert::from_value(value, crate::ffi::convert::Mode::Ffi, vm),
        None => Ok(vm.ctx.none()),
    }
}

/// Queues `op` in the open batch: its placeholder, or `None` for a write.
pub(crate) fn queue(op: WireOp, vm: &VirtualMachine) -> PyResult {
    if op.write {
        queue_op(&op.op, None, vm)?;
        return Ok(vm.ctx.none());
    }
    let placeholder = new_placeholder(Default::default(), vm)?;
    queue_op(&op.op, Some(&placeholder), vm)?;
    Ok(placeholder)
}

/// `owner.name` in a batch: a placeholder whose `get` is queued only if something other
/// than a call of it comes next (a call becomes `call owner name` instead, see
/// `crate::ffi::proxies::call_proxy`).
pub(crate) fn hold_attribute(
    owner: &PyObjectRef,
    name: &rustpython_vm::Py<rustpython_vm::builtins::PyStr>,
    vm: &VirtualMachine,
) -> PyResult {
    queue_held(vm)?;
    let placeholder = new_placeholder(
        crate::ffi::registry::ProxyState {
            attribute: Some((owner.clone(), name.to_owned())),
            ..Default::default()
        },
        vm,
    )?;
    ENGINE.with(|BatchEngine { held, .. }| *held.borrow_mut() = Some(placeholder.clone()));
    Ok(placeholder)
}

/// The placeholder of the held attribute read, if Python still holds it (else it is
/// kept for reuse).
fn take_held() -> Option<PyObjectRef> {
    let held = ENGINE.with(|BatchEngine { held, .. }| held.borrow_mut().take())?;
    if python_holds(&held) {
        return Some(held);
    }
    recycle(vec![held]);
    None
}

/// How many dropped placeholders `BatchEngine::spare` keeps at most.
const SPARE_PLACEHOLDERS: usize = 2 * rustpy_bridge::ffi::BATCH_PART_OPS;

/// A placeholder with `state`: a spare one (see [`recycle`]) or a new one.
fn new_placeholder(
    state: crate::ffi::registry::ProxyState,
    vm: &VirtualMachine,
) -> PyResult<PyObjectRef> {
    let Some(spare) = ENGINE.with(|BatchEngine { spare, .. }| spare.borrow_mut().pop()) else {
        return crate::ffi::registry::new_proxy(state, vm);
    };
    if let Some(target) = crate::ffi::registry::proxy_state(&spare) {
        // (The old state is dropped after the lock is released.)
        let _old = std::mem::replace(&mut *target.lock(), state);
    }
    Ok(spare)
}

/// Keeps the `dropped` placeholders nothing else references (no weak reference either) for
/// [`new_placeholder`]: most batched calls' results are never read (`tr.append(td)`), and
/// making and freeing a Python object for each was a tenth of a batched operation's cost.
/// A placeholder never stood for a page handle before the batch sent it, so none has a
/// reference to give back; the rest are dropped.
fn recycle(dropped: Vec<PyObjectRef>) {
    let unused = |placeholder: &PyObjectRef| {
        !python_holds(placeholder)
            && placeholder.weak_count().unwrap_or(0) == 0
            && crate::ffi::registry::proxy_state(placeholder)
                .is_some_and(|state| state.lock().id <= 0)
    };
    let rest: Vec<PyObjectRef> = ENGINE.with(|BatchEngine { spare, .. }| {
        let mut spare = spare.borrow_mut();
        dropped
            .into_iter()
            .filter_map(|placeholder| {
                if spare.len() < SPARE_PLACEHOLDERS && unused(&placeholder) {
                    spare.push(placeholder);
                    None
                } else {
                    Some(placeholder)
                }
            })
            .collect()
    });
    // Dropped outside the borrow: a dying object may run Python code.
    drop(rest);
}

/// Queues the `get` of the held attribute read, if Python still holds its result.
pub(crate) fn queue_held(vm: &VirtualMachine) -> PyResult<()> {
    let Some(placeholder) = take_held() else {
        return Ok(());
    };
    let held = crate::ffi::registry::proxy_state(&placeholder)
        .and_then(|state| state.lock().attribute.take());
    let Some((owner, name)) = held else {
        return Ok(());
    };
    let text = name.to_string_lossy().into_owned();
    let get = WireOp::on_attribute(op::GET, &owner, &text, vm, |_| Ok(()))?;
    let index = queue_op(&get.op, Some(&placeholder), vm)?;
    let class = crate::ffi::registry::class_of(&owner, vm)?;
    ENGINE.with(|BatchEngine { open: batch, .. }| {
        let mut batch = batch.borrow_mut();
        if class != 0 {
            batch.gets.push((index, class, text));
        }
        batch.reads.push((index, owner, name));
    });
    Ok(())
}

/// Queues `op` (converted by the caller) with `placeholder` standing for its result, and
/// makes the placeholder stand for the slot; returns the slot. Every
/// [`BATCH_PART_OPS`](rustpy_bridge::ffi::BATCH_PART_OPS) operations go to the page, which
/// runs them while Python queues the next ones.
fn queue_op(
    op: &WrittenOp,
    placeholder: Option<&PyObjectRef>,
    vm: &VirtualMachine,
) -> PyResult<usize> {
    let index = ENGINE.with(|BatchEngine { open: batch, .. }| batch.borrow().ops.len());
    if let Some(placeholder) = placeholder {
        let state = crate::ffi::registry::proxy_state(placeholder)
            .ok_or_else(|| vm.new_type_error("rustpy: a batch placeholder is not a JsProxy"))?;
        state.lock().id = -(i64::try_from(index).unwrap_or(i64::MAX) + 1);
    }
    let sending = ENGINE.with(|BatchEngine { open: batch, .. }| {
        let mut batch = batch.borrow_mut();
        if batch.ops.is_empty() {
            batch.number = ENGINE.with(|BatchEngine { number, .. }| {
                number.set(number.get() + 1);
                number.get()
            });
        }
        batch.ops.push_written(op);
        if let Some(placeholder) = placeholder {
            batch.placeholders.push((index, placeholder.clone()));
        }
        let due = match batch.retry_at {
            Some(at) => batch.ops.len() >= at,
            None => batch.ops.len() - batch.sent >= rustpy_bridge::ffi::BATCH_PART_OPS,
        };
        if !due {
            return None;
        }
        let part = batch.ops.part(batch.number, batch.sent, None);
        Some((part, batch.ops.len(), batch.prune()))
    });
    if let Some((part, end, dropped)) = sending {
        recycle(dropped);
        flush_output();
        let outcome = host()
            .page()
            .js_send(&part)
            .map_err(|error| request_error(error, vm))?;
        ENGINE.with(|BatchEngine { open: batch, .. }| {
            let mut batch = batch.borrow_mut();
            match outcome {
                crate::PartSent::Sent => (batch.sent, batch.retry_at) = (end, None),
                crate::PartSent::PageBusy => batch.retry_at = Some(end + BUSY_RETRY_OPS),
            }
        });
    }
    Ok(index)
}

/// Opens a `with batch():` block.
pub(crate) fn enter_batch() {
    ENGINE.with(|BatchEngine { depth, .. }| depth.set(depth.get() + 1));
}

/// Closes a `with batch():` block; the outermost sends what was queued (`ok`), or drops
/// it (the block raised: its placeholders read None).
pub(crate) fn exit_batch(ok: bool, vm: &VirtualMachine) -> PyResult<()> {
    let depth = ENGINE.with(|BatchEngine { depth, .. }| {
        depth.set(depth.get().saturating_sub(1));
        depth.get()
    });
    if depth > 0 {
        return Ok(());
    }
    if !ok && let Some(placeholder) = take_held() {
        crate::ffi::registry::settle(&placeholder, &vm.ctx.none(), vm)?;
    }
    flush_batch(ok, vm)
}

/// Ends the queue of the open batch: sends its end when `send` (the held read first; else
/// drops what was not sent yet, the block failed), then settles every placeholder Python
/// still holds to its result (`None` when the batch was dropped or failed).
pub(crate) fn flush_batch(send: bool, vm: &VirtualMachine) -> PyResult<()> {
    if send {
        queue_held(vm)?;
    }
    let mut batch =
        ENGINE.with(|BatchEngine { open: batch, .. }| std::mem::take(&mut *batch.borrow_mut()));
    if batch.ops.is_empty() {
        return Ok(());
    }
    // The placeholders Python dropped are kept for reuse; the ones it holds are settled
    // below.
    recycle(batch.prune());
    let Batch {
        number,
        ops,
        sent,
        placeholders: held,
        gets,
        reads,
        ..
    } = batch;
    let (mut results, failure): (std::collections::HashMap<usize, Value>, _) = if send {
        // Only the results Python still holds come back (no handle for a row nobody kept),
        // and those of `get`s that may teach a method.
        let mut want: Vec<usize> = held
            .iter()
            .map(|(index, _)| *index)
            .chain(gets.iter().map(|(index, ..)| *index))
            .collect();
        want.sort_unstable();
        want.dedup();
        match ffi_round_trip(&ops.part(number, sent, Some(&want)), Some(&ops), false, vm) {
            Ok(values) if values.len() == want.len() => {
                (want.into_iter().zip(values).collect(), None)
            }
            Ok(values) => {
                return Err(vm.new_runtime_error(format!(
                    "rustpy: the page answered {} results for the {} a batch wanted",
                    values.len(),
                    want.len()
                )));
            }
            Err(exc) => (std::collections::HashMap::new(), Some(exc)),
        }
    } else {
        (std::collections::HashMap::new(), None)
    };
    for (index, class, name) in gets {
        if matches!(results.get(&index), Some(Value::Method)) {
            crate::ffi::registry::learn_method(class, &name);
        }
    }
    // A held read that came back as an inherited method: still `owner.name` (only those
    // Python holds came back, among `held`).
    let mut methods: std::collections::HashMap<usize, _> = reads
        .into_iter()
        .filter(|(index, ..)| matches!(results.get(index), Some(Value::Method)))
        .map(|(index, owner, name)| (index, (owner, name)))
        .collect();
    for (index, placeholder) in held {
        let value = match results.remove(&index) {
            Some(value) => {
                crate::ffi::convert::from_value(&value, crate::ffi::convert::Mode::Ffi, vm)?
            }
            None => vm.ctx.none(),
        };
        crate::ffi::registry::settle(&placeholder, &value, vm)?;
        if let Some(read) = methods.remove(&index) {
            crate::ffi::registry::hold_read(&placeholder, read, vm)?;
        }
    }
    failure.map_or(Ok(()), Err)
}
