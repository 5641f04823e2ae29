//! What `_rustpy_ffi` (the Python half of the FFI) registers with the engine: its proxy
//! and method classes, and the functions that turn Python callables into handles.

use std::cell::RefCell;

use rustpython_vm::{PyObjectRef, PyResult, VirtualMachine, builtins::PyTypeRef};

/// What `_rustpy_ffi` registers so that conversions can make and recognise proxies.
pub(crate) struct FfiHooks {
    /// `_rustpy_ffi.JsProxy`.
    pub proxy_class: PyTypeRef,
    /// `_rustpy_ffi.JsMethod`.
    pub method_class: PyTypeRef,
    /// `register_callable(f) -> (id, prevent_default, stop_propagation)`.
    pub register_callable: PyObjectRef,
    /// `callable_for(id)`.
    pub callable_for: PyObjectRef,
    /// The marker for `Value::Method`.
    pub method_marker: PyObjectRef,
}

thread_local! {
    static HOOKS: RefCell<Option<std::rc::Rc<FfiHooks>>> = const { RefCell::new(None) };
}

/// Installs the FFI hooks of this thread's interpreter.
pub(crate) fn install_hooks(hooks: FfiHooks) {
    HOOKS.with(|slot| *slot.borrow_mut() = Some(std::rc::Rc::new(hooks)));
}

/// The hooks of this thread's interpreter (importing `_rustpy_ffi` installs them).
pub(crate) fn hooks(vm: &VirtualMachine) -> PyResult<std::rc::Rc<FfiHooks>> {
    if let Some(hooks) = HOOKS.with(|slot| slot.borrow().clone()) {
        return Ok(hooks);
    }
    vm.import("_rustpy_ffi", 0)?; // installs them
    HOOKS
        .with(|slot| slot.borrow().clone())
        .ok_or_else(|| vm.new_runtime_error("rustpy: _rustpy_ffi did not install its hooks"))
}

/// `_rustpy_ffi.JsProxy`, the class of proxies and batch placeholders.
pub(crate) fn proxy_class(vm: &VirtualMachine) -> PyResult<PyTypeRef> {
    Ok(hooks(vm)?.proxy_class.clone())
}

/// `_rustpy_ffi.JsMethod`, the class of methods read from proxies.
pub(crate) fn method_class(vm: &VirtualMachine) -> PyResult<PyTypeRef> {
    Ok(hooks(vm)?.method_class.clone())
}

/// `_rustpy_ffi.METHOD`, what a `get` of an inherited method answers.
pub(crate) fn method_marker(vm: &VirtualMachine) -> PyResult<PyObjectRef> {
    Ok(hooks(vm)?.method_marker.clone())
}
