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
    AsObject, Py, PyObjectRef, PyPayload, PyRef, PyResult, VirtualMachine,
    builtins::{PyStrRef, PyWeak},
    common::lock::PyMutex,
    function::PySetterValue,
    object::{Traverse, TraverseFn},
    pyclass,
    types::{Callable, Destructor, GetAttr, SetAttr},
};

use super::hooks::proxy_class;
use super::releases::queue_release;

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
    /// `crate::ffi::batch::hold_attribute`).
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
pub(crate) fn state<'a>(
    proxy: &'a PyObjectRef,
    vm: &VirtualMachine,
) -> PyResult<&'a PyMutex<ProxyState>> {
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
        queue_release(handle, refs);
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

/// Makes a settled `placeholder` stand for the attribute read `owner.name` again: a held
/// read that came back as an inherited method, whose value Python cannot use but whose
/// call `crate::ffi::proxies::call_proxy` makes as `owner.name(...)`.
pub(crate) fn hold_read(
    placeholder: &PyObjectRef,
    read: (PyObjectRef, PyStrRef),
    vm: &VirtualMachine,
) -> PyResult<()> {
    state(placeholder, vm)?.lock().attribute = Some(read);
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

/// A new `JsProxy` with `state`.
pub(crate) fn new_proxy(state: ProxyState, vm: &VirtualMachine) -> PyResult<PyObjectRef> {
    Ok(PyRef::new_ref(
        JsObject {
            state: PyMutex::new(state),
        },
        proxy_class(vm)?,
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
pub(crate) fn known_method(class: i64, name: &str) -> bool {
    METHODS.with(|methods| {
        methods
            .borrow()
            .get(&class)
            .is_some_and(|names| names.contains(name))
    })
}

thread_local! {
    /// Per JS class id, the attribute names known to be inherited methods (a read of one
    /// makes a `JsMethod` without asking the page).
    static METHODS: RefCell<HashMap<i64, std::collections::HashSet<String>>> =
        RefCell::new(HashMap::new());
}

// -- the native classes -----------------------------------------------------------------
// Their behaviour (attribute reads, writes, calls, death) is in `crate::ffi::proxies`.

/// The native base of `_rustpy_ffi.JsProxy`: a read of an attribute the proxy lacks,
/// attribute writes and deletes, and calls go to the JS object (`crate::ffi::proxies`).
#[pyclass(module = "_rustpy_host", name = "JsObject", traverse = "manual")]
#[derive(Debug, PyPayload)]
pub(crate) struct JsObject {
    /// What the proxy stands for.
    pub(crate) state: PyMutex<ProxyState>,
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

/// The native base of `_rustpy_ffi.JsMethod`: calling it calls the method on the page.
#[pyclass(module = "_rustpy_host", name = "JsMethodBase", traverse = "manual")]
#[derive(Debug, PyPayload)]
pub(crate) struct JsMethodBase {
    /// The owner and name it stands for.
    pub(crate) state: MethodState,
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
