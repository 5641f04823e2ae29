//! `_rustpy_host`: the native module through which rustpy's Python code reaches the
//! [`Host`](crate::Host) of this thread.

use std::cell::RefCell;
use std::rc::Rc;

use rustpython_vm::{PyObjectRef, PyResult, VirtualMachine};

use rustpy_bridge::ffi::{OpWriter, WrittenOp, op};

use crate::{Host, LineBuffer, Stream, Value};

pub(crate) use _rustpy_host::{JsMethodBase, JsObject, module_def};

thread_local! {
    static HOST: RefCell<Option<Rc<dyn Host>>> = const { RefCell::new(None) };
    static BUFFERS: RefCell<[LineBuffer; 2]> = RefCell::new(Default::default());
}

/// Makes `host` the host of this thread's interpreter.
pub(crate) fn install_host(host: Rc<dyn Host>) {
    HOST.with(|slot| *slot.borrow_mut() = Some(host));
}

/// The host of this thread's interpreter.
pub(crate) fn host() -> Rc<dyn Host> {
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

/// Emits unfinished lines (e.g. `print(x, end="")`) and whatever the host held back: at
/// the end of a run and before a wait.
pub(crate) fn flush_output() {
    let host = host();
    for stream in [Stream::Stdout, Stream::Stderr] {
        if let Some(rest) =
            BUFFERS.with(|buffers| buffers.borrow_mut()[stream as usize].take_partial())
        {
            host.write_line(stream, &rest);
        }
    }
    host.flush_held_output();
}

/// Releases queued by dying proxies: `(handle, count)` pairs, flattened. They go to the
/// page when this many piled up, when Python asks for the live-handle count, and when the
/// interpreter returns to its host (end of a script, call or callback): not before every
/// request, which cost a message (and a wake-up of the page) per request.
const RELEASE_BATCH: usize = 512;

thread_local! {
    static RELEASES: RefCell<Vec<u64>> = const { RefCell::new(Vec::new()) };
}

/// Queues the release of `count` references to `handle` (see [`RELEASE_BATCH`]).
pub(crate) fn queue_release(handle: u64, count: u64) {
    let full = RELEASES.with(|queue| {
        let mut queue = queue.borrow_mut();
        queue.extend([handle, count]);
        queue.len() >= RELEASE_BATCH * 2
    });
    if full {
        flush_releases();
    }
}

/// Sends the queued releases to the page (see [`RELEASE_BATCH`] for when).
pub(crate) fn flush_releases() {
    let handles = RELEASES.with(|queue| std::mem::take(&mut *queue.borrow_mut()));
    if !handles.is_empty() {
        host().js_release(&handles);
    }
}

/// A Python value (an FFI operation, a list of them, or an operand) in wire form: JS
/// proxies and Python callables cross by reference.
pub(crate) fn ffi_operand(obj: &PyObjectRef, vm: &VirtualMachine) -> PyResult<Value> {
    crate::convert::to_value(
        obj,
        crate::convert::Mode::Ffi,
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
    let id = crate::proxies::proxy_state(obj)?.lock().id;
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

/// What the interpreter owes its host when it hands control back (end of a script, call
/// or callback): unfinished output lines and the releases of dead proxies.
pub(crate) fn flush_to_host() {
    flush_output();
    flush_releases();
}

/// Hands the outcome of an exported call to the host (after the output the call printed):
/// its value, copied out of Python, or the traceback text.
pub(crate) fn export_result(
    call_id: u64,
    outcome: Result<PyObjectRef, String>,
    vm: &VirtualMachine,
) {
    flush_output();
    let result = outcome.and_then(|value| {
        crate::convert::to_value(
            &value,
            crate::convert::Mode::Copy,
            "the result of an exported function",
            vm,
        )
        .map_err(|exc| crate::format_exception(vm, &exc))
    });
    // The proxies the call dropped are given back before its result: when the page's
    // promise settles, its handle count no longer holds them.
    flush_releases();
    host().export_result(call_id, result);
}

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
    /// marker in their results teaches [`crate::proxies`] the method.
    gets: Vec<(usize, i64, String)>,
}

/// True while Python holds `placeholder`, of which the batch (or [`HELD`]) holds one
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

thread_local! {
    static BATCH: RefCell<Batch> = RefCell::new(Batch::default());
    /// Open `with batch():` blocks (nested ones join the outermost).
    static BATCH_DEPTH: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    /// The placeholder of an attribute read a batch holds back (see [`hold_attribute`]);
    /// Python dropped it when this is the only reference left.
    static HELD: RefCell<Option<PyObjectRef>> = const { RefCell::new(None) };
    /// The number of the latest batch.
    static BATCH_NUMBER: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// After the page was found busy with a batch's previous part, how many more operations
/// Python queues before trying again (with everything not sent yet).
const BUSY_RETRY_OPS: usize = rustpy_bridge::ffi::BATCH_PART_OPS / 4;

/// True inside a `with batch():` block.
pub(crate) fn batching() -> bool {
    BATCH_DEPTH.with(|depth| depth.get() > 0)
}

/// Whether operation `name`'s result is one nobody can read (a Python statement's: `set`,
/// `del`, `setitem`, `delitem`): a batch makes no placeholder for it.
fn is_write(name: &str) -> bool {
    [op::SET, op::DEL, op::SET_ITEM, op::DEL_ITEM].contains(&name)
}

/// One FFI operation in wire form (`rustpy_bridge::ffi`), ready to run or queue.
pub(crate) struct WireOp {
    /// The operation's JSON.
    op: WrittenOp,
    /// A write: nothing can read its result, so a batch makes no placeholder for it.
    write: bool,
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
    fn from_value(op: &Value) -> Self {
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
        Some(value) => crate::convert::from_value(value, crate::convert::Mode::Ffi, vm),
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
/// `proxies::call_proxy`).
pub(crate) fn hold_attribute(
    owner: &PyObjectRef,
    name: &rustpython_vm::Py<rustpython_vm::builtins::PyStr>,
    vm: &VirtualMachine,
) -> PyResult {
    queue_held(vm)?;
    let placeholder = new_placeholder(
        crate::proxies::ProxyState {
            attribute: Some((owner.clone(), name.to_owned())),
            ..Default::default()
        },
        vm,
    )?;
    HELD.with(|held| *held.borrow_mut() = Some(placeholder.clone()));
    Ok(placeholder)
}

/// The placeholder of the held attribute read, if Python still holds it (else it is
/// kept for reuse).
fn take_held() -> Option<PyObjectRef> {
    let held = HELD.with(|held| held.borrow_mut().take())?;
    if python_holds(&held) {
        return Some(held);
    }
    recycle(vec![held]);
    None
}

thread_local! {
    /// Placeholders Python dropped before the batch sent them, kept for new ones (see
    /// [`recycle`]).
    static SPARE: RefCell<Vec<PyObjectRef>> = const { RefCell::new(Vec::new()) };
}

/// How many dropped placeholders [`SPARE`] keeps at most.
const SPARE_PLACEHOLDERS: usize = 2 * rustpy_bridge::ffi::BATCH_PART_OPS;

/// A placeholder with `state`: a spare one (see [`recycle`]) or a new one.
fn new_placeholder(
    state: crate::proxies::ProxyState,
    vm: &VirtualMachine,
) -> PyResult<PyObjectRef> {
    let Some(spare) = SPARE.with(|spare| spare.borrow_mut().pop()) else {
        return crate::proxies::new_proxy(state, vm);
    };
    if let Some(target) = crate::proxies::proxy_state(&spare) {
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
            && crate::proxies::proxy_state(placeholder).is_some_and(|state| state.lock().id <= 0)
    };
    let rest: Vec<PyObjectRef> = SPARE.with(|spare| {
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
    let held =
        crate::proxies::proxy_state(&placeholder).and_then(|state| state.lock().attribute.take());
    let Some((owner, name)) = held else {
        return Ok(());
    };
    let name = name.to_string_lossy().into_owned();
    let get = WireOp::on_attribute(op::GET, &owner, &name, vm, |_| Ok(()))?;
    let index = queue_op(&get.op, Some(&placeholder), vm)?;
    let class = crate::proxies::class_of(&owner, vm)?;
    if class != 0 {
        BATCH.with(|batch| batch.borrow_mut().gets.push((index, class, name)));
    }
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
    let index = BATCH.with(|batch| batch.borrow().ops.len());
    if let Some(placeholder) = placeholder {
        let state = crate::proxies::proxy_state(placeholder)
            .ok_or_else(|| vm.new_type_error("rustpy: a batch placeholder is not a JsProxy"))?;
        state.lock().id = -(i64::try_from(index).unwrap_or(i64::MAX) + 1);
    }
    let sending = BATCH.with(|batch| {
        let mut batch = batch.borrow_mut();
        if batch.ops.is_empty() {
            batch.number = BATCH_NUMBER.with(|number| {
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
            .js_send(&part)
            .map_err(|error| request_error(error, vm))?;
        BATCH.with(|batch| {
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
fn enter_batch() {
    BATCH_DEPTH.with(|depth| depth.set(depth.get() + 1));
}

/// Closes a `with batch():` block; the outermost sends what was queued (`ok`), or drops
/// it (the block raised: its placeholders read None).
fn exit_batch(ok: bool, vm: &VirtualMachine) -> PyResult<()> {
    let depth = BATCH_DEPTH.with(|depth| {
        depth.set(depth.get().saturating_sub(1));
        depth.get()
    });
    if depth > 0 {
        return Ok(());
    }
    if !ok && let Some(placeholder) = take_held() {
        crate::proxies::settle(&placeholder, &vm.ctx.none(), vm)?;
    }
    flush_batch(ok, vm)
}

/// Ends the queue of the open batch: sends its end when `send` (the held read first; else
/// drops what was not sent yet, the block failed), then settles every placeholder Python
/// still holds to its result (`None` when the batch was dropped or failed).
fn flush_batch(send: bool, vm: &VirtualMachine) -> PyResult<()> {
    if send {
        queue_held(vm)?;
    }
    let mut batch = BATCH.with(|batch| std::mem::take(&mut *batch.borrow_mut()));
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
            crate::proxies::learn_method(class, &name);
        }
    }
    for (index, placeholder) in held {
        let value = match results.remove(&index) {
            Some(value) => crate::convert::from_value(&value, crate::convert::Mode::Ffi, vm)?,
            None => vm.ctx.none(),
        };
        crate::proxies::settle(&placeholder, &value, vm)?;
    }
    failure.map_or(Ok(()), Err)
}

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
fn run_ffi_request(ops: Value, local: Option<bool>, vm: &VirtualMachine) -> PyResult {
    let Value::List(ops) = ops else {
        return Err(vm.new_type_error("js_request takes a list of operations"));
    };
    let ops: Vec<WrittenOp> = ops.iter().map(WrittenOp::of).collect();
    let local = local.unwrap_or_else(|| ops.first().is_some_and(|op| op.local));
    let items = ffi_round_trip(&rustpy_bridge::ffi::request(&ops), None, local, vm)?
        .iter()
        .map(|value| crate::convert::from_value(value, crate::convert::Mode::Ffi, vm))
        .collect::<PyResult<Vec<_>>>()?;
    Ok(vm.ctx.new_list(items).into())
}

/// Sends an FFI `request` to the page (or, `local`, to this thread's own table) and
/// answers its results; a failure raises the matching exception, naming the operation
/// when the request ends the `batch` of these operations.
fn ffi_round_trip(
    request: &str,
    batch: Option<&rustpy_bridge::ffi::OpJournal>,
    local: bool,
    vm: &VirtualMachine,
) -> PyResult<Vec<Value>> {
    use rustpy_bridge::ffi::JsReply;

    let reply = if local {
        host().js_local_request(request)
    } else {
        flush_output();
        host().js_request(request)
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
/// [`write_target`] writes it).
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
fn js_exception(
    name: &str,
    message: &str,
    vm: &rustpython_vm::VirtualMachine,
) -> rustpython_vm::PyResult<rustpython_vm::builtins::PyBaseExceptionRef> {
    let class = vm.import("_rustpy_ffi", 0)?.get_attr("JsException", vm)?;
    let exc = class.call((name.to_string(), message.to_string()), vm)?;
    exc.downcast::<rustpython_vm::builtins::PyBaseException>()
        .map_err(|_| vm.new_type_error("_rustpy_ffi.JsException is not an exception"))
}

#[rustpython_vm::pymodule]
mod _rustpy_host {
    use rustpython_vm::pyclass;
    use rustpython_vm::{
        AsObject, Py, PyObjectRef, PyPayload, PyResult, TryFromObject, VirtualMachine,
        builtins::{PyBaseExceptionRef, PyStr, PyStrRef, PyTypeRef},
        common::lock::PyMutex,
        function::{ArgIntoFloat, FuncArgs, KwArgs, OptionalArg, PosArgs, PySetterValue},
        object::{Traverse, TraverseFn},
        types::{Callable, Destructor, GetAttr, SetAttr},
    };

    use super::{Stream, host, write};

    /// Writes text to stdout (1) or stderr (2).
    #[pyfunction]
    fn write_stream(fd: i32, text: PyStrRef, vm: &VirtualMachine) -> PyResult<usize> {
        // Output is where a busy loop most often touches the host: honour an interrupt.
        if host().interrupted() {
            return Err(super::keyboard_interrupt(vm));
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
        // Complete lines go out before the wait; an unfinished one stays unfinished.
        let host = host();
        host.flush_held_output();
        host.sleep(seconds).map_err(|e| match e {
            crate::SleepError::Interrupted => super::keyboard_interrupt(vm),
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
        super::flush_output();
        host().script_finished(script_id, error.map(|e| e.to_string_lossy().into_owned()));
    }

    /// Whether `proxy` is an object of this thread's own table (in a worker, the `js`
    /// module's; `rustpy_bridge::ffi::is_local_handle`).
    #[pyfunction]
    fn is_local(proxy: PyObjectRef) -> bool {
        crate::proxies::is_local(&proxy)
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
        let args = crate::convert::to_value(
            &args,
            crate::convert::Mode::Copy,
            &format!("the arguments of sync.{name}"),
            vm,
        )?;
        super::flush_output();
        match host().sync_call(&name, args, timeout) {
            Ok(value) => crate::convert::from_value(&value, crate::convert::Mode::Copy, vm),
            Err(error @ crate::SyncCallError::Missing(_)) => {
                Err(vm.new_attribute_error(error.to_string()))
            }
            Err(error @ crate::SyncCallError::Raised { .. }) => {
                let crate::SyncCallError::Raised { name: js_name, .. } = &error else {
                    unreachable!("matched above")
                };
                Err(super::js_exception(js_name, &error.to_string(), vm)?)
            }
            Err(crate::SyncCallError::Interrupted) => Err(super::keyboard_interrupt(vm)),
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
        super::export_result(call_id, outcome, vm);
    }

    /// Runs a page operation: returns `(True, value)` when it is done, `(False, request_id)`
    /// when it completes later (see `_rustpy_runner.settle_request`).
    #[pyfunction]
    fn page_op(op: PyStrRef, args: PyObjectRef, vm: &VirtualMachine) -> PyResult {
        let op = op.to_string_lossy().into_owned();
        let args = crate::convert::to_value(
            &args,
            crate::convert::Mode::Copy,
            &format!("the arguments of {op}"),
            vm,
        )?;
        match host().page_op(&op, args) {
            Ok(crate::PageReply::Now(value)) => {
                let value = crate::convert::from_value(&value, crate::convert::Mode::Copy, vm)?;
                Ok(vm.new_tuple((true, value)).into())
            }
            Ok(crate::PageReply::Later(id)) => Ok(vm.new_tuple((false, id)).into()),
            Err(message) => Err(vm.new_runtime_error(message)),
        }
    }

    /// Registers `_rustpy_ffi`'s classes and functions for conversions (see
    /// `convert::FfiHooks`).
    #[pyfunction]
    fn ffi_install(
        proxy_class: PyTypeRef,
        method_class: PyTypeRef,
        register_callable: PyObjectRef,
        callable_for: PyObjectRef,
        method_marker: PyObjectRef,
    ) {
        crate::convert::install_hooks(crate::convert::FfiHooks {
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
        super::run_ffi_request(super::ffi_operand(&ops, vm)?, local.into_option(), vm)
    }

    /// Runs one FFI operation (see `rustpy_bridge::ffi`) and returns its result; in a
    /// batch, queues it and returns its placeholder (`None` for a write).
    #[pyfunction]
    fn js_run(op: PyObjectRef, vm: &VirtualMachine) -> PyResult {
        let op = super::ffi_operand(&op, vm)?;
        super::run_op(super::WireOp::from_value(&op), vm)
    }

    /// Opens a `with batch():` block.
    #[pyfunction]
    fn batch_enter() {
        super::enter_batch();
    }

    /// Closes a `with batch():` block: the outermost sends what was queued when `ok`, else
    /// drops it (its placeholders read None).
    #[pyfunction]
    fn batch_exit(ok: bool, vm: &VirtualMachine) -> PyResult<()> {
        super::exit_batch(ok, vm)
    }

    /// Sends what the open batch queued so far (a value Python needs now) and settles its
    /// placeholders; nothing when no batch is open.
    #[pyfunction]
    fn js_flush(vm: &VirtualMachine) -> PyResult<()> {
        super::flush_batch(true, vm)
    }

    /// The native base of `_rustpy_ffi.JsProxy`: a read of an attribute the proxy lacks,
    /// attribute writes and deletes, and calls go to the JS object (`crate::proxies`).
    #[pyattr]
    #[pyclass(module = "_rustpy_host", name = "JsObject", traverse = "manual")]
    #[derive(Debug, PyPayload)]
    pub(crate) struct JsObject {
        /// What the proxy stands for.
        pub(crate) state: PyMutex<crate::proxies::ProxyState>,
    }

    // SAFETY: visits every Python object the proxy owns.
    unsafe impl Traverse for JsObject {
        fn traverse(&self, traverse_fn: &mut TraverseFn<'_>) {
            self.state.traverse(traverse_fn);
        }
    }

    #[pyclass(
        with(GetAttr, SetAttr, Callable, Destructor),
        flags(BASETYPE, HAS_WEAKREF)
    )]
    impl JsObject {
        /// The page handle (> 0), the batch slot (< 0), or 0 for a plain value.
        #[pygetset]
        fn __js_id__(zelf: &Py<Self>) -> i64 {
            zelf.state.lock().id
        }

        /// The plain value a batch placeholder resolved to (`None` otherwise).
        #[pygetset]
        fn __js_value__(zelf: &Py<Self>) -> Option<PyObjectRef> {
            zelf.state.lock().value.clone()
        }
    }

    impl Destructor for JsObject {
        /// A dying proxy gives its references back to the page (`crate::proxies::dropped`).
        /// Native: a Python `__del__` cost a frame for every proxy and batch placeholder.
        fn del(zelf: &Py<Self>, vm: &VirtualMachine) -> PyResult<()> {
            crate::proxies::dropped(&zelf.to_owned().into(), vm)
        }
    }

    impl GetAttr for JsObject {
        fn getattro(zelf: &Py<Self>, name: &Py<PyStr>, vm: &VirtualMachine) -> PyResult {
            let proxy = zelf.to_owned().into();
            match zelf.as_object().generic_getattr_opt(name, None, vm)? {
                Some(value) => Ok(value),
                None => crate::proxies::js_attribute(&proxy, name, vm),
            }
        }
    }

    impl SetAttr for JsObject {
        fn setattro(
            zelf: &Py<Self>,
            name: &Py<PyStr>,
            value: PySetterValue,
            vm: &VirtualMachine,
        ) -> PyResult<()> {
            crate::proxies::js_set_attribute(&zelf.to_owned().into(), name, value, vm)
        }
    }

    impl Callable for JsObject {
        type Args = FuncArgs;

        fn call(zelf: &Py<Self>, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
            crate::proxies::call_proxy(&zelf.to_owned().into(), args, vm)
        }
    }

    /// The native base of `_rustpy_ffi.JsMethod`: calling it calls the method on the page.
    #[pyattr]
    #[pyclass(module = "_rustpy_host", name = "JsMethodBase", traverse = "manual")]
    #[derive(Debug, PyPayload)]
    pub(crate) struct JsMethodBase {
        /// The owner and name it stands for.
        pub(crate) state: crate::proxies::MethodState,
    }

    // SAFETY: visits every Python object the method owns.
    unsafe impl Traverse for JsMethodBase {
        fn traverse(&self, traverse_fn: &mut TraverseFn<'_>) {
            self.state.traverse(traverse_fn);
        }
    }

    #[pyclass(with(Callable), flags(BASETYPE, HAS_WEAKREF))]
    impl JsMethodBase {
        /// The proxy the method was read from.
        #[pygetset]
        fn __js_owner__(zelf: &Py<Self>) -> PyObjectRef {
            zelf.state.owner.clone()
        }

        /// The attribute name.
        #[pygetset]
        fn __js_name__(zelf: &Py<Self>) -> PyStrRef {
            zelf.state.name.clone()
        }

        /// The own function property the method stands for, once read (else `None`).
        #[pygetset]
        fn __js_function__(zelf: &Py<Self>) -> Option<PyObjectRef> {
            zelf.state.function.lock().clone()
        }

        #[pygetset(setter)]
        fn set___js_function__(zelf: &Py<Self>, value: PySetterValue<Option<PyObjectRef>>) {
            let value = match value {
                PySetterValue::Assign(value) => value,
                PySetterValue::Delete => None,
            };
            // (The old function is dropped after the lock is released.)
            let _old = std::mem::replace(&mut *zelf.state.function.lock(), value);
        }
    }

    impl Callable for JsMethodBase {
        type Args = FuncArgs;

        fn call(zelf: &Py<Self>, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
            crate::proxies::call_method(&zelf.state, args, vm)
        }
    }

    /// Sends the releases queued so far (before reading the live-handle count).
    #[pyfunction]
    fn flush_releases() {
        super::flush_releases();
    }

    /// The id of the element `display()` writes to by default, if any.
    #[pyfunction]
    fn current_target() -> Option<String> {
        host().current_target()
    }

    /// This interpreter's configuration (a worker's `config`), or `None`.
    #[pyfunction]
    fn config(vm: &VirtualMachine) -> PyResult {
        crate::convert::from_value(&host().config(), crate::convert::Mode::Copy, vm)
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
        super::flush_to_host();
        host().report_error(&what, &traceback);
    }

    /// Formats an exception with its traceback, as Python prints it.
    #[pyfunction]
    fn format_exception(exc: PyBaseExceptionRef, vm: &VirtualMachine) -> String {
        crate::format_exception(vm, &exc)
    }
}
