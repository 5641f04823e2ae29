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

use rustpy_bridge::JsRef;

use crate::host_module::{
    JsMethodBase, JsObject, WireOp, write_call_arguments, write_operand, write_operand_list,
    write_target,
};
use rustpy_bridge::ffi::op;
use rustpython_vm::{
    AsObject, Py, PyObjectRef, PyRef, PyResult, VirtualMachine,
    builtins::{PyStr, PyStrRef, PyWeak},
    common::lock::PyMutex,
    object::{Traverse, TraverseFn},
};

thread_local! {
    static LIVE: RefCell<HashMap<u64, PyRef<PyWeak>>> = RefCell::new(HashMap::new());
}

/// What a `JsProxy` stands for: the native fields of its base, `_rustpy_host.JsObject`.
/// Native rather than a `__dict__`: a dictionary per proxy and a hashed key per field
/// write were a third of a batched DOM operation's cost.
#[derive(Debug, Default)]
pub(crate) struct ProxyState {
    /// Positive: a page handle; negative: `-(slot + 1)` of an operation queued in a batch;
    /// 0: a batch result that is a plain value (`value`), or an attribute read held back
    /// (`attribute`).
    pub(crate) id: i64,
    /// The JS class id the page gave the object (0: unknown, e.g. a placeholder).
    pub(crate) class: i64,
    /// The JS object is a function.
    pub(crate) callable: bool,
    /// The references to `id` the page handed out that this proxy gives back when it dies.
    pub(crate) refs: i64,
    /// The plain value a batch placeholder resolved to.
    pub(crate) value: Option<PyObjectRef>,
    /// `(owner, name)`: an attribute read a batch holds back (see
    /// `host_module::hold_attribute`).
    pub(crate) attribute: Option<(PyObjectRef, PyStrRef)>,
}

impl ProxyState {
    /// A proxy's state for the page's handle `js`, holding one reference to it.
    fn for_handle(js: &JsRef) -> Self {
        Self {
            id: i64::try_from(js.id).unwrap_or(i64::MAX),
            class: i64::from(js.class),
            callable: js.callable,
            refs: 1,
            ..Self::default()
        }
    }
}

// SAFETY: visits every Python object the state owns (`value`, `attribute`).
unsafe impl Traverse for ProxyState {
    fn traverse(&self, traverse_fn: &mut TraverseFn<'_>) {
        self.value.traverse(traverse_fn);
        if let Some((owner, name)) = &self.attribute {
            owner.traverse(traverse_fn);
            name.traverse(traverse_fn);
        }
    }
}

/// Whether `proxy` is an object of this thread's own table (the `js` module's, in a
/// worker): its operations run at once, never in a batch.
pub(crate) fn is_local(proxy: &PyObjectRef) -> bool {
    proxy_state(proxy).is_some_and(|state| {
        u64::try_from(state.lock().id).is_ok_and(rustpy_bridge::ffi::is_local_handle)
    })
}

/// The state of a proxy (`None`: `object` is not a `JsProxy`).
pub(crate) fn proxy_state(object: &PyObjectRef) -> Option<&PyMutex<ProxyState>> {
    object.downcast_ref::<JsObject>().map(|proxy| &proxy.state)
}

/// The state of `proxy`, which must be a `JsProxy`.
fn state<'a>(proxy: &'a PyObjectRef, vm: &VirtualMachine) -> PyResult<&'a PyMutex<ProxyState>> {
    proxy_state(proxy).ok_or_else(|| vm.new_type_error("rustpy: not a JsProxy"))
}

/// What `JsMethod` stands for: `owner[name]`, called with the owner as `this` (the native
/// fields of its base, `_rustpy_host.JsMethodBase`).
#[derive(Debug)]
pub(crate) struct MethodState {
    /// The proxy the method was read from.
    pub(crate) owner: PyObjectRef,
    /// The attribute name.
    pub(crate) name: PyStrRef,
    /// The own function property it stands for, once known (`None`: an inherited method,
    /// or not read yet).
    pub(crate) function: PyMutex<Option<PyObjectRef>>,
}

// SAFETY: visits every Python object the state owns.
unsafe impl Traverse for MethodState {
    fn traverse(&self, traverse_fn: &mut TraverseFn<'_>) {
        self.owner.traverse(traverse_fn);
        self.name.traverse(traverse_fn);
        self.function.traverse(traverse_fn);
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
        state(&proxy, vm)?.lock().refs += 1;
        return Ok(proxy);
    }
    let proxy = new_proxy(ProxyState::for_handle(js), vm)?;
    register(js.id, &proxy, vm)?;
    Ok(proxy)
}

/// `proxy` is dying (`JsObject`'s `__del__`): its references go back to the page (batched) and
/// it leaves the registry if it is the one registered.
pub(crate) fn dropped(proxy: &PyObjectRef, vm: &VirtualMachine) -> PyResult<()> {
    let (handle, refs) = {
        let state = state(proxy, vm)?.lock();
        (state.id, state.refs)
    };
    let Ok(handle @ 1..) = u64::try_from(handle) else {
        return Ok(()); // a batch slot or a plain value: the page never handed it out
    };
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
    let target = state(placeholder, vm)?;
    // (What the placeholder held is dropped after its lock is released.)
    let _held = target.lock().attribute.take();
    let Some(source) = proxy_state(value) else {
        let mut target = target.lock();
        target.id = 0;
        target.value = Some(value.clone());
        return Ok(());
    };
    let (handle, class, callable, refs) = {
        let mut source = source.lock();
        source.refs -= 1;
        (source.id, source.class, source.callable, source.refs)
    };
    {
        let mut target = target.lock();
        (target.id, target.class, target.callable, target.refs) = (handle, class, callable, 1);
    }
    let handle = u64::try_from(handle).unwrap_or(0);
    if refs == 0 && live(handle).is_some_and(|registered| registered.is(value)) {
        // `value` was made just for this result: the placeholder stands in for it.
        source.lock().id = 0;
        register(handle, placeholder, vm)?;
    }
    Ok(())
}

// -- attribute reads, writes and calls ----------------------------------------------------
// The hot paths of `JsProxy` and `JsMethod` (`_rustpy_host.JsObject` / `JsMethodBase`, their
// native bases): in Python they cost a few frames per DOM operation, which inside a batch
// was most of an operation's cost.

thread_local! {
    /// Per JS class id, the attribute names known to be inherited methods (a read of one
    /// makes a `JsMethod` without asking the page).
    static METHODS: RefCell<HashMap<i64, std::collections::HashSet<String>>> =
        RefCell::new(HashMap::new());
}

/// The attributes of a proxy that are rustpy's, not the JS object's (read-only; see
/// `JsObject`'s getters).
const INTERNAL: [&str; 2] = ["__js_id__", "__js_value__"];

/// A new `JsProxy` with `state`.
pub(crate) fn new_proxy(state: ProxyState, vm: &VirtualMachine) -> PyResult<PyObjectRef> {
    Ok(PyRef::new_ref(
        JsObject {
            state: PyMutex::new(state),
        },
        crate::convert::proxy_class(vm)?,
        None,
    )
    .into())
}

/// The JS class id of a proxy (0: unknown, e.g. a batch placeholder).
pub(crate) fn class_of(proxy: &PyObjectRef, vm: &VirtualMachine) -> PyResult<i64> {
    Ok(state(proxy, vm)?.lock().class)
}

/// Remembers that `name` is an inherited method of JS class `class`.
pub(crate) fn learn_method(class: i64, name: &str) {
    METHODS.with(|methods| {
        methods
            .borrow_mut()
            .entry(class)
            .or_default()
            .insert(name.to_string())
    });
}

/// Whether `name` is known to be an inherited method of JS class `class`.
fn known_method(class: i64, name: &str) -> bool {
    METHODS.with(|methods| {
        methods
            .borrow()
            .get(&class)
            .is_some_and(|names| names.contains(name))
    })
}

thread_local! {
    /// The latest `JsMethod`s made for inherited methods, at most [`RECENT_METHODS`]: a
    /// loop calling `document.createElement(...)` reads the same method each time, and
    /// gets the same object (as JS gets the same function).
    static RECENT: RefCell<Vec<PyRef<JsMethodBase>>> = const { RefCell::new(Vec::new()) };
}

/// How many `JsMethod`s [`RECENT`] keeps (each keeps its owner alive).
const RECENT_METHODS: usize = 8;

/// The recent `JsMethod` of `owner.name` (an inherited method), if any.
fn recent_method(owner: &PyObjectRef, name: &Py<PyStr>) -> Option<PyObjectRef> {
    RECENT.with(|recent| {
        recent
            .borrow()
            .iter()
            .find(|method| {
                let state = &method.state;
                state.owner.is(owner)
                    && (state.name.is(name) || state.name.as_wtf8() == name.as_wtf8())
            })
            .map(|method| method.clone().into())
    })
}

/// `owner.name` as a new `JsMethod` for an inherited method, remembered in [`RECENT`]
/// (the caller looked there first: [`recent_method`]).
fn inherited_method(
    owner: &PyObjectRef,
    name: &Py<PyStr>,
    vm: &VirtualMachine,
) -> PyResult<PyObjectRef> {
    let method = new_method(owner, name, None, vm)?;
    if let Ok(typed) = method.clone().downcast::<JsMethodBase>() {
        let evicted = RECENT.with(|recent| {
            let mut recent = recent.borrow_mut();
            let evicted = (recent.len() >= RECENT_METHODS).then(|| recent.remove(0));
            recent.push(typed);
            evicted
        });
        // (Dropped outside the borrow: its owner may die and run Python code.)
        drop(evicted);
    }
    Ok(method)
}

/// `owner.name` as a `JsMethod` (`function`: the own function property it stands for).
fn new_method(
    owner: &PyObjectRef,
    name: &Py<PyStr>,
    function: Option<PyObjectRef>,
    vm: &VirtualMachine,
) -> PyResult<PyObjectRef> {
    Ok(PyRef::new_ref(
        JsMethodBase {
            state: MethodState {
                owner: owner.clone(),
                name: name.to_owned(),
                function: PyMutex::new(function),
            },
        },
        crate::convert::method_class(vm)?,
        None,
    )
    .into())
}

/// `proxy.name` when `proxy` has no such Python attribute: the JS object's attribute. A
/// method becomes a `JsMethod`; in a batch the read is held back (see
/// `host_module::hold_attribute`); a missing attribute raises `AttributeError`.
pub(crate) fn js_attribute(proxy: &PyObjectRef, name: &Py<PyStr>, vm: &VirtualMachine) -> PyResult {
    let text = name.to_string_lossy();
    if text.starts_with("__") && text.ends_with("__") {
        return Err(vm.new_no_attribute_error(proxy.clone(), name.to_owned()));
    }
    if let Some(method) = recent_method(proxy, name) {
        return Ok(method);
    }
    let class = class_of(proxy, vm)?;
    if class != 0 && known_method(class, &text) {
        return inherited_method(proxy, name, vm);
    }
    if crate::host_module::batching() && !is_local(proxy) {
        return crate::host_module::hold_attribute(proxy, name, vm);
    }
    let value = match crate::direct::direct_target(proxy) {
        Some(target) => crate::direct::get(target, &text, vm)?,
        None => crate::host_module::run_op(
            WireOp::on_attribute(op::GET, proxy, &text, vm, |_| Ok(()))?,
            vm,
        )?,
    };
    if value.is(&crate::convert::method_marker(vm)?) {
        if class != 0 {
            learn_method(class, &text);
        }
        return inherited_method(proxy, name, vm);
    }
    if proxy_state(&value).is_some_and(|state| state.lock().callable) {
        // An own function property (`Promise.reject`, `window.setTimeout`, `Date`): called
        // through its owner, as JS would.
        return new_method(proxy, name, Some(value), vm);
    }
    Ok(value)
}

/// `proxy.name = value` / `del proxy.name`: the JS object's attribute (queued in a batch).
pub(crate) fn js_set_attribute(
    proxy: &PyObjectRef,
    name: &Py<PyStr>,
    value: rustpython_vm::function::PySetterValue,
    vm: &VirtualMachine,
) -> PyResult<()> {
    let text = name.to_string_lossy();
    if INTERNAL.contains(&&*text) {
        return proxy.generic_setattr(name, value, vm);
    }
    let write = match value {
        rustpython_vm::function::PySetterValue::Assign(value) => {
            WireOp::on_attribute(op::SET, proxy, &text, vm, |writer| {
                write_operand(writer, &value, vm)
            })?
        }
        rustpython_vm::function::PySetterValue::Delete => {
            WireOp::on_attribute(op::DEL, proxy, &text, vm, |_| Ok(()))?
        }
    };
    crate::host_module::run_op(write, vm)?;
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

/// `owner[name](...items)` on the page, `this` the owner: a `call` operation, its
/// reference arguments as bare numbers (see `rustpy_bridge::ffi::op::CALL`).
fn call_op(
    owner: &PyObjectRef,
    name: &Py<PyStr>,
    items: &[PyObjectRef],
    vm: &VirtualMachine,
) -> PyResult<WireOp> {
    WireOp::on_attribute(op::CALL, owner, &name.to_string_lossy(), vm, |writer| {
        write_call_arguments(writer, items, vm)
    })
}

/// `proxy(*args)`: calls the JS function. In a batch, a call of an attribute read held back
/// (`tr.append(td)` with `tr.append` held) is one `call` of the owner's method.
pub(crate) fn call_proxy(
    proxy: &PyObjectRef,
    args: rustpython_vm::function::FuncArgs,
    vm: &VirtualMachine,
) -> PyResult {
    let items = call_arguments(args, vm)?;
    let held = state(proxy, vm)?.lock().attribute.clone();
    if let Some((owner, name)) = held
        // `f(f)`: f's own value is needed, so its read is queued as a `get` first.
        && !items.iter().any(|item| item.is(proxy))
    {
        // (Queued straight away: the held read stays held, see `host_module::queue_held`.)
        return crate::host_module::queue(call_op(&owner, &name, &items, vm)?, vm);
    }
    let apply = WireOp::build(op::APPLY, |writer| {
        write_target(writer, proxy, vm)?;
        writer.none();
        write_operand_list(writer, &items, vm)
    })?;
    crate::host_module::run_op(apply, vm)
}

/// `method(*args)` of a `JsMethod`: `owner[name](*args)` on the page, `this` the owner.
pub(crate) fn call_method(
    method: &MethodState,
    args: rustpython_vm::function::FuncArgs,
    vm: &VirtualMachine,
) -> PyResult {
    let items = call_arguments(args, vm)?;
    if let Some(target) = crate::direct::direct_target(&method.owner)
        && let Some(result) =
            crate::direct::call(target, &method.name.to_string_lossy(), &items, vm)
    {
        return result;
    }
    let call = call_op(&method.owner, &method.name, &items, vm)?;
    crate::host_module::run_op(call, vm)
}
