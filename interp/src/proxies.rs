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
use rustpython_vm::{
    AsObject, PyObjectRef, PyRef, PyResult, VirtualMachine,
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

fn int_field(state: &PyDictRef, name: &str, vm: &VirtualMachine) -> PyResult<i64> {
    match state.get_item_opt(name, vm)? {
        Some(value) => value.try_into_value(vm),
        None => Ok(0),
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
        let state = state(&proxy, vm)?;
        let refs = int_field(&state, "_refs", vm)?;
        state.set_item("_refs", vm.ctx.new_int(refs + 1).into(), vm)?;
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
    let proxy = vm
        .ctx
        .new_base_object(crate::convert::proxy_class(vm)?, Some(state));
    register(js.id, &proxy, vm)?;
    Ok(proxy)
}

/// `proxy` is dying (`JsProxy.__del__`): its references go back to the page (batched) and
/// it leaves the registry if it is the one registered.
pub(crate) fn dropped(proxy: &PyObjectRef, vm: &VirtualMachine) -> PyResult<()> {
    let state = state(proxy, vm)?;
    let handle = int_field(&state, "_id", vm)?;
    let Ok(handle) = u64::try_from(handle) else {
        return Ok(()); // a batch slot: the page never handed it out
    };
    if handle == 0 {
        return Ok(());
    }
    let refs = int_field(&state, "_refs", vm)?;
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
    let state = state(placeholder, vm)?;
    if state.get_item_opt("_attribute", vm)?.is_some() {
        state.del_item("_attribute", vm)?;
    }
    if !value
        .class()
        .fast_issubclass(crate::convert::proxy_class(vm)?.as_object())
    {
        state.set_item("_id", vm.ctx.new_int(0).into(), vm)?;
        state.set_item("_value", value.clone(), vm)?;
        return Ok(());
    }
    let source = self::state(value, vm)?;
    let handle = int_field(&source, "_id", vm)?;
    let refs = int_field(&source, "_refs", vm)? - 1;
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
