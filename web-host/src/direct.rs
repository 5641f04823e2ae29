//! The direct path of a handle table on this thread (`rustpy_bridge::direct`): a `get` or
//! `call` handed to the table's `getDirect`/`callDirect` (`rustpy-ffi.js`) as JS values,
//! its result read back from the returned value and a four-number outcome array.

use js_sys::Array;
use rustpy_bridge::direct::{DirectArg, DirectOp, Outcome, Returned, outcome, read_outcome};
use rustpy_interp::SyncCallError;
use wasm_bindgen::prelude::*;

use crate::error_text;

#[wasm_bindgen]
extern "C" {
    /// A `HandleTable` of `rustpy-ffi.js` (or an object forwarding its direct methods).
    pub type DirectTable;

    #[wasm_bindgen(method, catch, js_name = getDirect)]
    fn get_direct(
        this: &DirectTable,
        out: &mut [f64],
        handle: f64,
        name: &str,
    ) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(method, catch, js_name = callDirect)]
    fn call_direct(
        this: &DirectTable,
        out: &mut [f64],
        handle: f64,
        name: &str,
        args: &Array,
        refs: u32,
    ) -> Result<JsValue, JsValue>;
}

/// Runs `op` on `table`.
pub fn run(table: &DirectTable, op: &DirectOp<'_>) -> Result<Outcome, SyncCallError> {
    let mut out = [0.0; outcome::LEN];
    let returned = match *op {
        DirectOp::Get { target, name } => table.get_direct(&mut out, target as f64, name),
        DirectOp::Call { target, name, args } => {
            let list = Array::new_with_length(args.len() as u32);
            for (index, arg) in args.iter().enumerate() {
                list.set(index as u32, js_value(arg));
            }
            let refs = rustpy_bridge::direct::handle_mask(args) as u32;
            table.call_direct(&mut out, target as f64, name, &list, refs)
        }
    }
    .map_err(|error| SyncCallError::Protocol(error_text(&error)))?;
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
