//! The hot paths of `JsProxy` and `JsMethod` (`_rustpy_host.JsObject` / `JsMethodBase`,
//! their native bases, defined in [`super::registry`]): attribute reads, writes and calls,
//! run at once, queued in a batch, or taken by the direct path. In Python they cost a few
//! frames per DOM operation, which inside a batch was most of an operation's cost.

use std::cell::RefCell;

use rustpy_bridge::ffi::op;
use rustpython_vm::{
    AsObject, Py, PyObjectRef, PyRef, PyResult, VirtualMachine,
    builtins::PyStr,
    common::lock::PyMutex,
    function::{FuncArgs, PySetterValue},
    types::{Callable, Destructor, GetAttr, SetAttr},
};

use super::hooks::{method_class, method_marker};
use super::operands::{write_call_arguments, write_operand, write_operand_list, write_target};
use super::registry::{
    JsMethodBase, JsObject, MethodState, class_of, is_local, known_method, learn_method,
    proxy_state, state,
};
use super::wire_op::WireOp;

/// The attributes of a proxy that are rustpy's, not the JS object's (read-only; see
/// `JsObject`'s getters).
const INTERNAL: [&str; 2] = ["__js_id__", "__js_value__"];

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
        method_class(vm)?,
        None,
    )
    .into())
}

/// `proxy.name` when `proxy` has no such Python attribute: the JS object's attribute. A
/// method becomes a `JsMethod`; in a batch the read is held back (see
/// `super::batch::hold_attribute`); a missing attribute raises `AttributeError`.
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
    if super::batch::batching() && !is_local(proxy) {
        return super::batch::hold_attribute(proxy, name, vm);
    }
    let value = match crate::ffi::direct::direct_target(proxy) {
        Some(target) => crate::ffi::direct::get(target, &text, vm)?,
        None => super::batch::run_op(
            WireOp::on_attribute(op::GET, proxy, &text, vm, |_| Ok(()))?,
            vm,
        )?,
    };
    if value.is(&method_marker(vm)?) {
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
    super::batch::run_op(write, vm)?;
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
        let call = call_op(&owner, &name, &items, vm)?;
        if !super::batch::batching() {
            // A read a batch held that came back as an inherited method.
            return super::batch::run_op(call, vm);
        }
        // (Queued straight away: the held read stays held, see `super::batch::queue_held`.)
        return super::batch::queue(call, vm);
    }
    let apply = WireOp::build(op::APPLY, |writer| {
        write_target(writer, proxy, vm)?;
        writer.none();
        write_operand_list(writer, &items, vm)
    })?;
    super::batch::run_op(apply, vm)
}

/// `method(*args)` of a `JsMethod`: `owner[name](*args)` on the page, `this` the owner.
pub(crate) fn call_method(
    method: &MethodState,
    args: rustpython_vm::function::FuncArgs,
    vm: &VirtualMachine,
) -> PyResult {
    let items = call_arguments(args, vm)?;
    if let Some(target) = crate::ffi::direct::direct_target(&method.owner)
        && let Some(result) =
            crate::ffi::direct::call(target, &method.name.to_string_lossy(), &items, vm)
    {
        return result;
    }
    let call = call_op(&method.owner, &method.name, &items, vm)?;
    super::batch::run_op(call, vm)
}

// -- the native classes' behaviour ------------------------------------------------------

impl Destructor for JsObject {
    /// A dying proxy gives its references back to the page (`crate::ffi::registry::dropped`).
    /// Native: a Python `__del__` cost a frame for every proxy and batch placeholder.
    fn del(zelf: &Py<Self>, vm: &VirtualMachine) -> PyResult<()> {
        crate::ffi::registry::dropped(&zelf.to_owned().into(), vm)
    }
}

impl GetAttr for JsObject {
    fn getattro(zelf: &Py<Self>, name: &Py<PyStr>, vm: &VirtualMachine) -> PyResult {
        let proxy = zelf.to_owned().into();
        match zelf.as_object().generic_getattr_opt(name, None, vm)? {
            Some(value) => Ok(value),
            None => crate::ffi::proxies::js_attribute(&proxy, name, vm),
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
        crate::ffi::proxies::js_set_attribute(&zelf.to_owned().into(), name, value, vm)
    }
}

impl Callable for JsObject {
    type Args = FuncArgs;

    fn call(zelf: &Py<Self>, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        crate::ffi::proxies::call_proxy(&zelf.to_owned().into(), args, vm)
    }
}

impl Callable for JsMethodBase {
    type Args = FuncArgs;

    fn call(zelf: &Py<Self>, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        crate::ffi::proxies::call_method(&zelf.state, args, vm)
    }
}
