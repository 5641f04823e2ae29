//! The live `JsProxy` objects of this thread's interpreter, by page handle: the same JS
//! object gives the same proxy while Python holds it (so `is` works), and each proxy
//! counts the references to its handle the page handed out (`_refs`), which it gives
//! back when it dies.
//!
//! Native rather than a Python `WeakValueDictionary`: making a proxy there (a dictionary
//! lookup, a keyed weak reference with a removal callback, attribute writes through
//! `JsProxy.__setattr__`) cost 25-35 µs in the browser; `document.createElement` makes one
//! per call.

use std::cell::RefCell;
use std::collections::HashMap;

use rustpy_bridge::{JsRef, Value};

use crate::host_module::ffi_operand;
use rustpython_vm::{
    AsObject, Py, PyObjectRef, PyRef, PyResult, VirtualMachine,
    builtins::{PyDictRef, PyWeak},
};

thread_local! {
    static LIVE: RefCell<HashMap<u64, PyRef<PyWeak>>> = RefCell::new(HashMap::new());
}

fn state(proxy: &PyObjectRef, vm: &VirtualMachine) -> PyResult<PyDictRef> {
    proxy
        .dict()
        .ok_or_else(|| vm.new_type_error("rustpy: a JsProxy has no __dict__"))
}

/// What a proxy's (or method's) `__dict__` holds under `name`, if anything.
pub(crate) fn field(
    object: &PyObjectRef,
    name: &str,
    vm: &VirtualMachine,
) -> PyResult<Option<PyObjectRef>> {
    match object.dict() {
        Some(state) => state.get_item_opt(name, vm),
        None => Ok(None),
    }
}

/// An integer field of a proxy's `__dict__` (`_id`, `_class`, `_refs`); 0 when unset.
pub(crate) fn int_field(object: &PyObjectRef, name: &str, vm: &VirtualMachine) -> PyResult<i64> {
    field(object, name, vm)?.map_or(Ok(0), |value| value.try_into_value(vm))
}

/// Removes `name` from a proxy's `__dict__`, answering what it held.
pub(crate) fn take_field(
    object: &PyObjectRef,
    name: &str,
    vm: &VirtualMachine,
) -> PyResult<Option<PyObjectRef>> {
    match object.dict() {
        Some(state) => state.pop_item(name, vm),
        None => Ok(None),
    }
}

/// The live proxy of `handle`, if Python holds one.
fn live(handle: u64) -> Option<PyObjectRef> {
    LIVE.with(|live| live.borrow().get(&handle).and_then(|weak| weak.upgrade()))
}

/// Makes `proxy` the one Python gets for `handle` from now on.
fn register(handle: u64, proxy: &PyObjectRef, vm: &VirtualMachine) -> PyResult<()> {
    let weak = proxy.downgrade(None, vm)?;
    LIVE.with(|live| live.borrow_mut().insert(handle, weak));
    Ok(())
}

/// The proxy for a handle the page handed out: the live one with one more reference, or
/// a new one.
pub(crate) fn proxy_for(js: &JsRef, vm: &VirtualMachine) -> PyResult<PyObjectRef> {
    if let Some(proxy) = live(js.id) {
        let refs = int_field(&proxy, "_refs", vm)?;
        state(&proxy, vm)?.set_item("_refs", vm.ctx.new_int(refs + 1).into(), vm)?;
        return Ok(proxy);
    }
    let state = vm.ctx.new_dict();
    state.set_item("_id", vm.ctx.new_int(js.id).into(), vm)?;
    if js.class != 0 {
        state.set_item("_class", vm.ctx.new_int(js.class).into(), vm)?;
    }
    if js.callable {
        state.set_item("_callable", vm.ctx.new_bool(true).into(), vm)?;
    }
    state.set_item("_refs", vm.ctx.new_int(1).into(), vm)?;
    let proxy = new_proxy(state, vm)?;
    register(js.id, &proxy, vm)?;
    Ok(proxy)
}

/// `proxy` is dying (`JsObject`'s `__del__`): its references go back to the page (batched) and
/// it leaves the registry if it is the one registered.
pub(crate) fn dropped(proxy: &PyObjectRef, vm: &VirtualMachine) -> PyResult<()> {
    state(proxy, vm)?; // every proxy has its `__dict__`: one without is a bug to report
    let handle = int_field(proxy, "_id", vm)?;
    let Ok(handle) = u64::try_from(handle) else {
        return Ok(()); // a batch slot: the page never handed it out
    };
    if handle == 0 {
        return Ok(());
    }
    let refs = int_field(proxy, "_refs", vm)?;
    if let Ok(refs @ 1..) = u64::try_from(refs) {
        crate::host_module::queue_release(handle, refs);
    }
    LIVE.with(|live| {
        let mut live = live.borrow_mut();
        // (While `__del__` runs the weak reference still reaches the dying proxy.)
        let registered = live.get(&handle).map(|weak| weak.upgrade());
        if let Some(registered) = registered
            && registered.is_none_or(|registered| registered.is(proxy))
        {
            live.remove(&handle);
        }
    });
    Ok(())
}

/// A batch's result reached the placeholder standing for it: the placeholder becomes one
/// more reference to the same JS object (`value` a proxy), or holds the plain `value`.
pub(crate) fn settle(
    placeholder: &PyObjectRef,
    value: &PyObjectRef,
    vm: &VirtualMachine,
) -> PyResult<()> {
    take_field(placeholder, "_attribute", vm)?;
    let state = state(placeholder, vm)?;
    if !value.downcastable::<crate::host_module::JsObject>() {
        state.set_item("_id", vm.ctx.new_int(0).into(), vm)?;
        state.set_item("_value", value.clone(), vm)?;
        return Ok(());
    }
    let source = self::state(value, vm)?;
    let handle = int_field(value, "_id", vm)?;
    let refs = int_field(value, "_refs", vm)? - 1;
    source.set_item("_refs", vm.ctx.new_int(refs).into(), vm)?;
    for name in ["_id", "_class", "_callable"] {
        if let Some(field) = source.get_item_opt(name, vm)? {
            state.set_item(name, field, vm)?;
        }
    }
    state.set_item("_refs", vm.ctx.new_int(1).into(), vm)?;
    let handle = u64::try_from(handle).unwrap_or(0);
    if refs == 0 && live(handle).is_some_and(|registered| registered.is(value)) {
        // `value` was made just for this result: the placeholder stands in for it.
        source.set_item("_id", vm.ctx.new_int(0).into(), vm)?;
        register(handle, placeholder, vm)?;
    }
    Ok(())
}

// -- attribute reads, writes and calls ----------------------------------------------------
// The hot paths of `JsProxy` and `JsMethod` (`_rustpy_host.JsObject` / `JsMethodBase`, their
// native bases): in Python they cost a few frames per DOM operation, which inside a batch
// was most of an operation's cost.

thread_local! {
    /// `(class id, name)`: attributes known to be inherited methods (a read of one makes
    /// a `JsMethod` without asking the page).
    static METHODS: RefCell<std::collections::HashSet<(i64, String)>> =
        RefCell::new(std::collections::HashSet::new());
}

/// The attributes of a proxy that live in its `__dict__` (everything else is the JS
/// object's).
pub(crate) const INTERNAL: [&str; 6] = [
    "_id",
    "_class",
    "_callable",
    "_refs",
    "_value",
    "_attribute",
];

/// A new `JsProxy` with `state` as its `__dict__`.
pub(crate) fn new_proxy(state: PyDictRef, vm: &VirtualMachine) -> PyResult<PyObjectRef> {
    Ok(PyRef::new_ref(
        crate::host_module::JsObject {},
        crate::convert::proxy_class(vm)?,
        Some(state),
    )
    .into())
}

/// The JS class id of a proxy (0: unknown, e.g. a batch placeholder).
pub(crate) fn class_of(proxy: &PyObjectRef, vm: &VirtualMachine) -> PyResult<i64> {
    int_field(proxy, "_class", vm)
}

/// Remembers that `name` is an inherited method of JS class `class`.
pub(crate) fn learn_method(class: i64, name: &str) {
    METHODS.with(|methods| methods.borrow_mut().insert((class, name.to_string())));
}

/// `owner.name` as a `JsMethod` (`function`: the own function property it stands for).
fn new_method(
    owner: &PyObjectRef,
    name: &str,
    function: Option<PyObjectRef>,
    vm: &VirtualMachine,
) -> PyResult<PyObjectRef> {
    let state = vm.ctx.new_dict();
    state.set_item("_owner", owner.clone(), vm)?;
    state.set_item("_name", vm.ctx.new_str(name).into(), vm)?;
    state.set_item("_fn", function.unwrap_or_else(|| vm.ctx.none()), vm)?;
    Ok(PyRef::new_ref(
        crate::host_module::JsMethodBase {},
        crate::convert::method_class(vm)?,
        Some(state),
    )
    .into())
}

/// `proxy.name` when `proxy` has no such Python attribute: the JS object's attribute. A
/// method becomes a `JsMethod`; in a batch the read is held back (see
/// `host_module::hold_attribute`); a missing attribute raises `AttributeError`.
pub(crate) fn js_attribute(
    proxy: &PyObjectRef,
    name: &Py<rustpython_vm::builtins::PyStr>,
    vm: &VirtualMachine,
) -> PyResult {
    let text = name.to_string_lossy();
    if text.starts_with("__") && text.ends_with("__") {
        return Err(vm.new_no_attribute_error(proxy.clone(), name.to_owned()));
    }
    let class = class_of(proxy, vm)?;
    if class != 0 && METHODS.with(|methods| methods.borrow().contains(&(class, text.to_string()))) {
        return new_method(proxy, &text, None, vm);
    }
    if crate::host_module::batching() {
        return crate::host_module::hold_attribute(proxy, &text, vm);
    }
    let op = crate::host_module::op(
        "get",
        [ffi_operand(proxy, vm)?, Value::Str(text.to_string())],
    );
    let value = crate::host_module::run_op(op, vm)?;
    if value.is(&crate::convert::method_marker(vm)?) {
        if class != 0 {
            learn_method(class, &text);
        }
        return new_method(proxy, &text, None, vm);
    }
    if value.downcastable::<crate::host_module::JsObject>()
        && field(&value, "_callable", vm)?.is_some_and(|flag| flag.is(&vm.ctx.true_value))
    {
        // An own function property (`Promise.reject`, `window.setTimeout`, `Date`): called
        // through its owner, as JS would.
        return new_method(proxy, &text, Some(value), vm);
    }
    Ok(value)
}

/// `proxy.name = value` / `del proxy.name`: the JS object's attribute (queued in a batch).
pub(crate) fn js_set_attribute(
    proxy: &PyObjectRef,
    name: &Py<rustpython_vm::builtins::PyStr>,
    value: rustpython_vm::function::PySetterValue,
    vm: &VirtualMachine,
) -> PyResult<()> {
    let text = name.to_string_lossy();
    if INTERNAL.contains(&&*text) {
        return proxy.generic_setattr(name, value, vm);
    }
    let target = ffi_operand(proxy, vm)?;
    let name = Value::Str(text.into_owned());
    let op = match value {
        rustpython_vm::function::PySetterValue::Assign(value) => {
            crate::host_module::op("set", [target, name, ffi_operand(&value, vm)?])
        }
        rustpython_vm::function::PySetterValue::Delete => {
            crate::host_module::op("del", [target, name])
        }
    };
    crate::host_module::run_op(op, vm)?;
    Ok(())
}

/// The arguments of a call as a JS argument list (keyword arguments: one object at the end,
/// PyScript's convention).
fn call_arguments(
    args: rustpython_vm::function::FuncArgs,
    vm: &VirtualMachine,
) -> PyResult<Vec<PyObjectRef>> {
    let mut items = args.args;
    if !args.kwargs.is_empty() {
        let options = vm.ctx.new_dict();
        for (key, value) in args.kwargs {
            options.set_item(&*key, value, vm)?;
        }
        items.push(options.into());
    }
    Ok(items)
}

fn operand_list(items: &[PyObjectRef], vm: &VirtualMachine) -> PyResult<Value> {
    items
        .iter()
        .map(|item| ffi_operand(item, vm))
        .collect::<PyResult<_>>()
        .map(Value::List)
}

/// `owner[name](...items)` on the page, `this` the owner: a `call` operation.
fn call_op(
    owner: &PyObjectRef,
    name: &PyObjectRef,
    items: &[PyObjectRef],
    vm: &VirtualMachine,
) -> PyResult<Value> {
    Ok(crate::host_module::op(
        "call",
        [
            ffi_operand(owner, vm)?,
            ffi_operand(name, vm)?,
            operand_list(items, vm)?,
        ],
    ))
}

/// `proxy(*args)`: calls the JS function. In a batch, a call of an attribute read held back
/// (`tr.append(td)` with `tr.append` held) is one `call` of the owner's method.
pub(crate) fn call_proxy(
    proxy: &PyObjectRef,
    args: rustpython_vm::function::FuncArgs,
    vm: &VirtualMachine,
) -> PyResult {
    let items = call_arguments(args, vm)?;
    if let Some(attribute) = field(proxy, "_attribute", vm)?.filter(|held| !vm.is_none(held))
        // `f(f)`: f's own value is needed, so its read is queued as a `get` first.
        && !items.iter().any(|item| item.is(proxy))
    {
        let (owner, name) = held_attribute(&attribute, vm)?;
        // (Queued straight away: the held read stays held, see `host_module::queue_held`.)
        return crate::host_module::queue(call_op(&owner, &name, &items, vm)?, vm);
    }
    let op = crate::host_module::op(
        "apply",
        [
            ffi_operand(proxy, vm)?,
            Value::None,
            operand_list(&items, vm)?,
        ],
    );
    crate::host_module::run_op(op, vm)
}

/// `method(*args)` of a `JsMethod`: `owner[name](*args)` on the page, `this` the owner.
pub(crate) fn call_method(
    method: &PyObjectRef,
    args: rustpython_vm::function::FuncArgs,
    vm: &VirtualMachine,
) -> PyResult {
    let state = self::state(method, vm)?;
    let field = |name: &str| {
        state
            .get_item_opt(name, vm)?
            .ok_or_else(|| vm.new_type_error(format!("rustpy: a JsMethod without {name}")))
    };
    let (owner, name) = (field("_owner")?, field("_name")?);
    let items = call_arguments(args, vm)?;
    crate::host_module::run_op(call_op(&owner, &name, &items, vm)?, vm)
}

/// The `(owner, name)` a placeholder's `_attribute` holds.
pub(crate) fn held_attribute(
    attribute: &PyObjectRef,
    vm: &VirtualMachine,
) -> PyResult<(PyObjectRef, PyObjectRef)> {
    match attribute.downcast_ref::<rustpython_vm::builtins::PyTuple>() {
        Some(parts) if parts.len() == 2 => Ok((parts[0].clone(), parts[1].clone())),
        _ => Err(vm.new_type_error("rustpy: a held attribute read is not (owner, name)")),
    }
}
