//! The direct path of a handle table on this thread (`rustpy_bridge::direct`): a `get` or
//! `call` handed to the table's `getDirect`/`callDirect` (`web/shared/handle-table.js`) as
//! JS values, its result read back from the returned value and a four-number outcome array.

use std::cell::RefCell;
use std::collections::HashMap;

use js_sys::Array;
use rustpy_bridge::direct::{DirectArg, DirectOp, Outcome, Returned, outcome, read_outcome};
use rustpy_interp::SyncCallError;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// A `HandleTable` of `web/shared/handle-table.js` (or an object forwarding its direct
    /// methods, as `web/worker/main.js` and `web/page/main-thread.js` hand over).
    #[derive(Clone)]
    pub type DirectTable;

    // Neither throws: a failure is an outcome (so no exception wrapper per call).
    #[wasm_bindgen(method, js_name = getDirect)]
    fn get_direct(this: &DirectTable, out: &mut [f64], handle: f64, name: &JsValue) -> JsValue;

    #[wasm_bindgen(method, js_name = callDirect)]
    fn call_direct(
        this: &DirectTable,
        out: &mut [f64],
        handle: f64,
        name: &JsValue,
        args: &Array,
        refs: u32,
    ) -> JsValue;
}

thread_local! {
    /// Attribute names as JS strings, made once each (a name crossing as text is decoded
    /// on every call): the few dozen names a program reads again and again.
    static NAMES: RefCell<HashMap<String, JsValue>> = RefCell::new(HashMap::new());
}

/// How many names [`NAMES`] keeps (a program reading ever new names, say keys of data
/// read as attributes, starts it again when it is full).
const NAMES_KEPT: usize = 4096;

/// `name` as a JS string.
fn js_name(name: &str) -> JsValue {
    NAMES.with(|names| {
        let mut names = names.borrow_mut();
        if let Some(value) = names.get(name) {
            return value.clone();
        }
        if names.len() >= NAMES_KEPT {
            names.clear();
        }
        let value = JsValue::from_str(name);
        names.insert(name.to_owned(), value.clone());
        value
    })
}

/// Runs `op` on `table` (its `getDirect` or `callDirect`) and reads the answer: the
/// operation's value or JS failure, as the same operation in a request would give. A
/// [`SyncCallError::Protocol`] means the table broke `rustpy_bridge::direct`'s protocol.
pub fn run(table: &DirectTable, op: &DirectOp<'_>) -> Result<Outcome, SyncCallError> {
    let mut out = [0.0; outcome::LEN];
    let returned = match *op {
        DirectOp::Get { target, name } => table.get_direct(&mut out, target as f64, &js_name(name)),
        DirectOp::Call { target, name, args } => {
            let list = Array::new_with_length(args.len() as u32);
            for (index, arg) in args.iter().enumerate() {
                list.set(index as u32, js_value(arg));
            }
            let refs = rustpy_bridge::direct::handle_mask(args) as u32;
            table.call_direct(&mut out, target as f64, &js_name(name), &list, refs)
        }
    };
    read_outcome(&out, returned_of(&returned))
        .map_err(|error| SyncCallError::Protocol(format!("the FFI table's direct answer: {error}")))
}

/// An argument as the JS value it stands for (a handle as its number: the table looks it
/// up).
fn js_value(arg: &DirectArg<'_>) -> JsValue {
    match *arg {
        DirectArg::None => JsValue::NULL,
        DirectArg::Bool(value) => JsValue::from_bool(value),
        DirectArg::Int(value) => JsValue::from_f64(value as f64),
        DirectArg::Float(value) => JsValue::from_f64(value),
        DirectArg::Str(text) => JsValue::from_str(text),
        DirectArg::Handle(handle) => JsValue::from_f64(handle as f64),
    }
}

/// What the table returned, by kind.
fn returned_of(value: &JsValue) -> Returned {
    if let Some(number) = value.as_f64() {
        Returned::Number(number)
    } else if let Some(text) = value.as_string() {
        Returned::Str(text)
    } else if let Some(flag) = value.as_bool() {
        Returned::Bool(flag)
    } else if value.is_null() || value.is_undefined() {
        Returned::Null
    } else {
        Returned::Other
    }
}
