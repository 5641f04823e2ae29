//! A JS `HandleTable` (`web/shared/handle-table.js`) of this thread, seen from Rust: its
//! requests, releases and direct path. A worker's own objects (the `js` module) live in one
//! (made by `web/worker/main.js`); on the page, the page's objects do (made by
//! `web/page/main-thread.js`).

use js_sys::Function;
use rustpy_interp::SyncCallError;
use wasm_bindgen::prelude::*;

use crate::direct::{self, DirectTable};
use crate::error_text;

/// A JS `HandleTable` of this thread: `table.request(json) -> json`,
/// `table.release(Float64Array)`, `table.getDirect(...)` and `table.callDirect(...)`.
#[derive(Clone)]
pub struct HandleTable {
    request: Function,
    release: Function,
    direct: DirectTable,
}

impl HandleTable {
    /// The table `table`, checked to have the methods rustpy calls.
    pub fn from_table(table: &JsValue) -> Result<Self, String> {
        let method = |name: &str| -> Result<Function, String> {
            js_sys::Reflect::get(table, &name.into())
                .ok()
                .and_then(|method| method.dyn_into::<Function>().ok())
                .map(|method| method.bind0(table))
                .ok_or_else(|| format!("rustpy: the FFI table has no {name}()"))
        };
        Ok(Self {
            request: method("request")?,
            release: method("release")?,
            direct: table.clone().unchecked_into(),
        })
    }

    /// Runs FFI operations on the table: a JSON request to its JSON reply.
    pub fn request(&self, json: &str) -> Result<String, SyncCallError> {
        let reply = self
            .request
            .call1(&JsValue::UNDEFINED, &json.into())
            .map_err(|e| SyncCallError::Protocol(error_text(&e)))?;
        reply
            .as_string()
            .ok_or_else(|| SyncCallError::Protocol("the FFI table answered a non-string".into()))
    }

    /// Gives back handles of the table: `(id, count)` pairs, flattened.
    pub fn release(&self, handles: &[u64]) {
        let handles: Vec<f64> = handles.iter().map(|&h| h as f64).collect();
        let _ = self.release.call1(
            &JsValue::UNDEFINED,
            &js_sys::Float64Array::from(handles.as_slice()),
        );
    }

    /// Runs one `get` or `call` on the table without a request's text
    /// ([`rustpy_interp::PageLink::js_direct`]).
    pub fn direct(
        &self,
        op: &rustpy_bridge::direct::DirectOp<'_>,
    ) -> Result<rustpy_bridge::direct::Outcome, SyncCallError> {
        direct::run(&self.direct, op)
    }
}
