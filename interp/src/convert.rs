//! Python objects ⇄ bridge [`Value`]s, by copy (PyScript's rules; see `rustpy_bridge::value`).

use rustpy_bridge::{Float, Value};
use rustpython_vm::{
    AsObject, PyObjectRef, PyResult, VirtualMachine,
    builtins::{PyByteArray, PyBytes, PyDict, PyFloat, PyInt, PyList, PyStr, PyTuple},
};

/// Converts a Python object to a [`Value`]; objects that cannot cross raise a `TypeError`
/// that names their type and `context` (e.g. "the arguments of sync.f").
pub fn to_value(obj: &PyObjectRef, context: &str, vm: &VirtualMachine) -> PyResult<Value> {
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
        return Ok(Value::Str(text.to_string_lossy().into_owned()));
    }
    if let Some(bytes) = obj.downcast_ref::<PyBytes>() {
        return Ok(Value::Bytes(bytes.as_bytes().to_vec()));
    }
    if let Some(bytes) = obj.downcast_ref::<PyByteArray>() {
        return Ok(Value::Bytes(bytes.borrow_buf().to_vec()));
    }
    if let Some(list) = obj.downcast_ref::<PyList>() {
        let items: Vec<PyObjectRef> = list.borrow_vec().to_vec();
        return items
            .iter()
            .map(|item| to_value(item, context, vm))
            .collect::<PyResult<_>>()
            .map(Value::List);
    }
    if let Some(tuple) = obj.downcast_ref::<PyTuple>() {
        return tuple
            .as_slice()
            .iter()
            .map(|item| to_value(item, context, vm))
            .collect::<PyResult<_>>()
            .map(Value::List);
    }
    if let Some(dict) = obj.downcast_ref::<PyDict>() {
        let mut entries = Vec::new();
        for (key, value) in dict.items_vec() {
            let Some(key_text) = key.downcast_ref::<PyStr>() else {
                return Err(vm.new_type_error(format!(
                    "{context}: dict keys must be str to cross to JavaScript, not {}",
                    key.class().name()
                )));
            };
            entries.push((
                key_text.to_string_lossy().into_owned(),
                to_value(&value, context, vm)?,
            ));
        }
        return Ok(Value::Dict(entries));
    }
    Err(vm.new_type_error(format!(
        "{context}: a {} cannot cross between the worker and the page (only None, bool, int, \
         float, str, bytes, list, tuple and dict with str keys can)",
        obj.class().name()
    )))
}

/// Builds the Python object for a [`Value`]: lists become `list`, dicts `dict`.
pub fn from_value(value: &Value, vm: &VirtualMachine) -> PyResult<PyObjectRef> {
    Ok(match value {
        Value::None => vm.ctx.none(),
        Value::Bool(flag) => vm.ctx.new_bool(*flag).into(),
        Value::Int(digits) => match digits.parse::<i64>() {
            Ok(small) => vm.ctx.new_int(small).into(),
            Err(_) => vm
                .builtins
                .get_attr("int", vm)?
                .call((digits.clone(),), vm)?,
        },
        Value::Float(float) => vm.ctx.new_float(float.get()).into(),
        Value::Str(text) => vm.ctx.new_str(text.as_str()).into(),
        Value::Bytes(bytes) => vm.ctx.new_bytes(bytes.clone()).into(),
        Value::List(items) => {
            let items = items
                .iter()
                .map(|item| from_value(item, vm))
                .collect::<PyResult<_>>()?;
            vm.ctx.new_list(items).into()
        }
        Value::Dict(entries) => {
            let dict = vm.ctx.new_dict();
            for (key, item) in entries {
                dict.set_item(key.as_str(), from_value(item, vm)?, vm)?;
            }
            dict.into()
        }
    })
}
