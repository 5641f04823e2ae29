//! Python objects ⇄ bridge [`Value`]s.
//!
//! Two modes. [`Mode::Copy`] is the `pyscript.sync` bridge: values cross by copy
//! (PyScript's rules, see `rustpy_bridge::value`) and anything else is a `TypeError`.
//! [`Mode::Ffi`] is the `window`/`document` FFI: JS objects stay on the page as proxies
//! and Python callables are offered to JS by id, through the hooks `_rustpy_ffi` installs.

use std::collections::HashSet;

use rustpy_bridge::{Float, JsRef, PyRef, Value};

use super::hooks::hooks;

use rustpython_vm::{
    AsObject, PyObjectRef, PyResult, VirtualMachine,
    builtins::{PyByteArray, PyBytes, PyDict, PyFloat, PyInt, PyList, PyStr, PyTuple},
};

/// How a conversion treats objects that are not plain data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Plain data only (the `pyscript.sync` bridge).
    Copy,
    /// JS proxies and Python callables cross by reference (the FFI).
    Ffi,
}

/// Converts a Python object to a [`Value`]; objects that cannot cross raise a `TypeError`
/// that names their type and `context` (e.g. "the arguments of sync.f").
pub fn to_value(
    obj: &PyObjectRef,
    mode: Mode,
    context: &str,
    vm: &VirtualMachine,
) -> PyResult<Value> {
    Crossing {
        mode,
        context,
        path: HashSet::new(),
    }
    .value(obj, vm)
}

/// One [`to_value`] walk: the containers on the path to the item being converted, by id.
/// A container met again on its own path (a list holding itself) raises `ValueError`, and
/// nesting deeper than the native stack allows raises `RecursionError` instead of
/// overflowing it.
struct Crossing<'a> {
    mode: Mode,
    context: &'a str,
    path: HashSet<usize>,
}

impl Crossing<'_> {
    fn value(&mut self, obj: &PyObjectRef, vm: &VirtualMachine) -> PyResult<Value> {
        let is_container = obj.downcast_ref::<PyList>().is_some()
            || obj.downcast_ref::<PyTuple>().is_some()
            || obj.downcast_ref::<PyDict>().is_some();
        if !is_container {
            return leaf_to_value(obj, self.mode, self.context, vm);
        }
        let id = obj.get_id();
        if !self.path.insert(id) {
            return Err(vm.new_value_error(format!(
                "{}: a {} that contains itself cannot cross between the worker and the page \
                 (circular reference)",
                self.context,
                obj.class().name()
            )));
        }
        let value = vm.with_recursion("while converting a value to cross to JavaScript", || {
            self.container(obj, vm)
        });
        self.path.remove(&id);
        value
    }

    /// A list, tuple or dict, item by item.
    fn container(&mut self, obj: &PyObjectRef, vm: &VirtualMachine) -> PyResult<Value> {
        if let Some(list) = obj.downcast_ref::<PyList>() {
            let items: Vec<PyObjectRef> = list.borrow_vec().to_vec();
            return items
                .iter()
                .map(|item| self.value(item, vm))
                .collect::<PyResult<_>>()
                .map(Value::List);
        }
        if let Some(tuple) = obj.downcast_ref::<PyTuple>() {
            return tuple
                .as_slice()
                .iter()
                .map(|item| self.value(item, vm))
                .collect::<PyResult<_>>()
                .map(Value::List);
        }
        let Some(dict) = obj.downcast_ref::<PyDict>() else {
            return leaf_to_value(obj, self.mode, self.context, vm);
        };
        let mut entries = Vec::new();
        for (key, value) in dict.items_vec() {
            let Some(key_text) = key.downcast_ref::<PyStr>() else {
                return Err(vm.new_type_error(format!(
                    "{}: dict keys must be str to cross to JavaScript, not {}",
                    self.context,
                    key.class().name()
                )));
            };
            entries.push((
                exact_text(key_text, self.context, vm)?,
                self.value(&value, vm)?,
            ));
        }
        Ok(Value::Dict(entries))
    }
}

/// The text of `text`, which must be valid Unicode: a lone surrogate (`"\ud800"`) has no
/// UTF-8 form, so the string would reach JavaScript changed; it raises `ValueError`.
fn exact_text(text: &PyStr, context: &str, vm: &VirtualMachine) -> PyResult<String> {
    text.to_str().map(str::to_owned).ok_or_else(|| {
        vm.new_value_error(format!(
            "{context}: a str holding a lone surrogate (such as '\\ud800') cannot cross \
             between the worker and the page unchanged; encode it first (for instance \
             text.encode('utf-8', 'surrogatepass'))"
        ))
    })
}

/// Everything but lists, tuples and dicts.
fn leaf_to_value(
    obj: &PyObjectRef,
    mode: Mode,
    context: &str,
    vm: &VirtualMachine,
) -> PyResult<Value> {
    if vm.is_none(obj) {
        return Ok(Value::None);
    }
    if obj.is(&vm.ctx.true_value) {
        return Ok(Value::Bool(true));
    }
    if obj.is(&vm.ctx.false_value) {
        return Ok(Value::Bool(false));
    }
    if let Some(int) = obj.downcast_ref::<PyInt>() {
        return Ok(Value::Int(int.as_bigint().to_string()));
    }
    if let Some(float) = obj.downcast_ref::<PyFloat>() {
        return Ok(Value::Float(Float::new(float.to_f64())));
    }
    if let Some(text) = obj.downcast_ref::<PyStr>() {
        return exact_text(text, context, vm).map(Value::Str);
    }
    if let Some(bytes) = obj.downcast_ref::<PyBytes>() {
        return Ok(Value::Bytes(bytes.as_bytes().to_vec()));
    }
    if let Some(bytes) = obj.downcast_ref::<PyByteArray>() {
        return Ok(Value::Bytes(bytes.borrow_buf().to_vec()));
    }
    if mode == Mode::Ffi {
        return reference_to_value(obj, context, vm);
    }
    Err(vm.new_type_error(format!(
        "{context}: a {} cannot cross between the worker and the page (only None, bool, int, \
         float, str, bytes, list, tuple and dict with str keys can)",
        obj.class().name()
    )))
}

/// A JS proxy, a bound JS method or a Python callable, as a reference.
fn reference_to_value(obj: &PyObjectRef, context: &str, vm: &VirtualMachine) -> PyResult<Value> {
    let hooks = hooks(vm)?;
    if let Some(state) = crate::ffi::registry::proxy_state(obj) {
        let (mut handle, mut held) = {
            let state = state.lock();
            (state.id, state.attribute.is_some())
        };
        if handle == 0 && held {
            // An attribute read a batch holds back, used as an operand (`el.textContent =
            // document.title`): its `get` is queued now, before the operation using it.
            crate::ffi::batch::queue_held(vm)?;
            let state = state.lock();
            (handle, held) = (state.id, state.attribute.is_some());
        }
        if handle < 0 {
            let slot = u32::try_from(-(handle + 1))
                .map_err(|_| vm.new_value_error("rustpy: batch slot out of range"))?;
            return Ok(Value::Slot(slot));
        }
        if handle == 0 {
            if held {
                return Err(vm.new_runtime_error(
                    "rustpy: an attribute read held back by batch() reached a conversion \
                     before it was queued (a rustpy bug: please report it)",
                ));
            }
            // A batch placeholder that resolved to a plain value.
            let value = state.lock().value.clone().unwrap_or_else(|| vm.ctx.none());
            return to_value(&value, Mode::Ffi, context, vm);
        }
        return Ok(Value::Js(JsRef {
            id: handle as u64,
            class: 0,
            callable: false,
        }));
    }
    if let Some(method) = obj.downcast_ref::<crate::ffi::registry::JsMethodBase>() {
        let method = &method.state;
        let function = method.function.lock().clone();
        if let Some(function) = function {
            return to_value(&function, Mode::Ffi, context, vm);
        }
        return Ok(Value::Bound(
            Box::new(to_value(&method.owner, Mode::Ffi, context, vm)?),
            method.name.to_string_lossy().into_owned(),
        ));
    }
    if obj.is_callable() {
        let registered = hooks.register_callable.call((obj.clone(),), vm)?;
        let registered: Vec<PyObjectRef> = registered.try_into_value(vm)?;
        let [id, prevent_default, stop_propagation] = registered.as_slice() else {
            return Err(vm.new_type_error("rustpy: register_callable must return 3 items"));
        };
        let id: u64 = id.clone().try_into_value(vm)?;
        let prevent_default = prevent_default.clone().try_to_bool(vm)?;
        let stop_propagation = stop_propagation.clone().try_to_bool(vm)?;
        return Ok(Value::Py(PyRef {
            id,
            prevent_default,
            stop_propagation,
        }));
    }
    Err(vm.new_type_error(format!(
        "{context}: a {} cannot be passed to JavaScript (only None, bool, int, float, str, \
         bytes, list, tuple, dict with str keys, JS proxies and callables can; convert it \
         first)",
        obj.class().name()
    )))
}

/// Builds the Python object for a [`Value`]: lists become `list`, dicts `dict`, and (in
/// [`Mode::Ffi`]) JS references become proxies.
pub fn from_value(value: &Value, mode: Mode, vm: &VirtualMachine) -> PyResult<PyObjectRef> {
    Ok(match value {
        Value::None => vm.ctx.none(),
        Value::Bool(flag) => vm.ctx.new_bool(*flag).into(),
        // Parsed here, not by `int(digits)`: Python's guard against long decimal strings
        // (4 300 digits) must not cap what crosses.
        Value::Int(digits) => match digits.parse::<i64>() {
            Ok(small) => vm.ctx.new_int(small).into(),
            Err(_) => match digits.parse::<malachite_bigint::BigInt>() {
                Ok(big) => vm.ctx.new_bigint(&big).into(),
                Err(_) => {
                    return Err(
                        vm.new_value_error(format!("rustpy: {:.40}... is not an integer", digits))
                    );
                }
            },
        },
        Value::Float(float) => vm.ctx.new_float(float.get()).into(),
        Value::Str(text) => vm.ctx.new_str(text.as_str()).into(),
        Value::Bytes(bytes) => vm.ctx.new_bytes(bytes.clone()).into(),
        Value::List(items) => {
            let items = items
                .iter()
                .map(|item| from_value(item, mode, vm))
                .collect::<PyResult<_>>()?;
            vm.ctx.new_list(items).into()
        }
        Value::Dict(entries) => {
            let dict = vm.ctx.new_dict();
            for (key, item) in entries {
                dict.set_item(key.as_str(), from_value(item, mode, vm)?, vm)?;
            }
            dict.into()
        }
        Value::Js(js) if mode == Mode::Ffi => crate::ffi::registry::proxy_for(js, vm)?,
        Value::Py(py) if mode == Mode::Ffi => hooks(vm)?.callable_for.call((py.id,), vm)?,
        Value::Method if mode == Mode::Ffi => hooks(vm)?.method_marker.clone(),
        other => {
            return Err(vm.new_type_error(format!(
                "rustpy: the page sent a reference where only plain values may cross: {other:?}"
            )));
        }
    })
}
