//! The worker end of the shared-memory channel: post a call, block on the control word,
//! read the reply (see `rustpy_bridge::channel` for the layout).

use std::cell::{Cell, RefCell};

use js_sys::{Atomics, Int32Array, Reflect, SharedArrayBuffer, Uint8Array};
use rustpy_bridge::channel::{
    FFI_FRAME, GROW, LENGTH, POSTED, REPLIED, REQUEST, REQUEST_LENGTH, STATE, WAITING,
};
use rustpy_bridge::{FromWorker, SyncFailure, SyncReply, Value};
use rustpy_interp::SyncCallError;
use wasm_bindgen::{JsCast, JsValue};

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = postMessage)]
    fn post_raw(message: &JsValue);
}

/// The shared buffers the page put in the boot message (absent without isolation).
pub(crate) struct Buffers {
    control: Int32Array,
    data: Uint8Array,
    /// The page listens for requests on the control block (see `rustpy_bridge::channel`).
    fast_requests: bool,
}

impl Buffers {
    /// Takes `control` and `data` from the boot message, if they are shared buffers.
    pub(crate) fn from_boot(boot: &JsValue) -> Option<Self> {
        let control = Reflect::get(boot, &"control".into())
            .ok()?
            .dyn_into::<SharedArrayBuffer>()
            .ok()?;
        let data = Reflect::get(boot, &"data".into())
            .ok()?
            .dyn_into::<SharedArrayBuffer>()
            .ok()?;
        let fast_requests = Reflect::get(boot, &"fast_requests".into())
            .ok()
            .and_then(|flag| flag.as_bool())
            .unwrap_or(false);
        Some(Self {
            control: Int32Array::new(&control),
            data: Uint8Array::new(&data),
            fast_requests,
        })
    }
}

/// Makes blocking calls to page functions.
pub(crate) struct Client {
    control: Option<Int32Array>,
    /// The reply buffer: the page's first one, replaced by a larger one on `GROW`.
    data: RefCell<Option<Uint8Array>>,
    reply_limit: usize,
    next_id: Cell<u64>,
    fast_requests: bool,
}

impl Client {
    pub(crate) fn new(buffers: Option<Buffers>, reply_limit: usize) -> Self {
        let fast_requests = buffers.as_ref().is_some_and(|b| b.fast_requests);
        let (control, data) = buffers.map(|b| (b.control, b.data)).unzip();
        Self {
            control,
            data: RefCell::new(data),
            reply_limit,
            next_id: Cell::new(1),
            fast_requests,
        }
    }

    /// Calls `worker.sync.<name>(*args)` on the page and blocks for the answer.
    pub(crate) fn call(&self, name: &str, args: Value) -> Result<Value, SyncCallError> {
        let bytes = self.round_trip(&FromWorker::SyncCall {
            id: self.next_id(),
            name: name.to_string(),
            args,
        })?;
        let reply: SyncReply =
            serde_json::from_slice(&bytes).map_err(|e| SyncCallError::Protocol(e.to_string()))?;
        match reply {
            SyncReply::Ok(value) => Ok(value),
            SyncReply::Err(SyncFailure::Missing) => Err(SyncCallError::Missing(name.to_string())),
            SyncReply::Err(SyncFailure::Raised { name, message }) => {
                Err(SyncCallError::Raised { name, message })
            }
            SyncReply::Err(SyncFailure::TooLarge { size, limit }) => {
                Err(SyncCallError::ReplyTooLarge {
                    function: name.to_string(),
                    size,
                    limit: limit.min(self.reply_limit),
                })
            }
        }
    }

    /// Runs FFI operations on the page (a JSON request) and blocks for the JSON reply.
    pub(crate) fn js_request(&self, request: &str) -> Result<String, SyncCallError> {
        let bytes = self.round_trip(&FromWorker::Js {
            request: request.to_string(),
        })?;
        String::from_utf8(bytes).map_err(|e| SyncCallError::Protocol(e.to_string()))
    }

    fn next_id(&self) -> u64 {
        let id = self.next_id.get();
        self.next_id.set(id + 1);
        id
    }

    /// Posts `message` and blocks until the page wrote its reply into the data buffer.
    fn round_trip(&self, message: &FromWorker) -> Result<Vec<u8>, SyncCallError> {
        let control = self.control.as_ref().ok_or(SyncCallError::NoSharedMemory)?;
        store(control, STATE, WAITING)?;
        self.send(control, message)?;
        loop {
            // Most replies come within tens of microseconds: spin briefly, then sleep in
            // Atomics.wait (no busy loop during long waits). Sleeping costs the page a
            // futex wake-up and this thread a reschedule, which the spin avoids.
            if !spin_while_waiting(control)? {
                Atomics::wait(control, STATE, WAITING).map_err(js_error)?;
            }
            match Atomics::load(control, STATE).map_err(js_error)? {
                REPLIED => break,
                GROW => {
                    let needed = Atomics::load(control, LENGTH).map_err(js_error)? as u32;
                    let bigger = SharedArrayBuffer::new(needed.next_power_of_two());
                    *self.data.borrow_mut() = Some(Uint8Array::new(&bigger));
                    store(control, STATE, WAITING)?;
                    let message = js_sys::Object::new();
                    Reflect::set(&message, &"type".into(), &"grow".into()).map_err(js_error)?;
                    Reflect::set(&message, &"data".into(), &bigger).map_err(js_error)?;
                    post_raw(&message);
                }
                _ => {}
            }
        }
        let length = Atomics::load(control, LENGTH).map_err(js_error)? as u32;
        let data = self.data.borrow();
        let data = data.as_ref().ok_or(SyncCallError::NoSharedMemory)?;
        let mut bytes = vec![0u8; length as usize];
        data.subarray(0, length).copy_to(&mut bytes);
        store(control, STATE, rustpy_bridge::channel::IDLE)?;
        Ok(bytes)
    }
}

impl Client {
    /// Hands a request to the page: through the data buffer when the page listens there
    /// and it fits, else by `postMessage`.
    fn send(&self, control: &Int32Array, message: &FromWorker) -> Result<(), SyncCallError> {
        if self.fast_requests {
            let bytes = match message {
                FromWorker::Js { request } => {
                    let mut bytes = Vec::with_capacity(request.len() + 1);
                    bytes.push(FFI_FRAME);
                    bytes.extend_from_slice(request.as_bytes());
                    bytes
                }
                other => {
                    serde_json::to_vec(other).map_err(|e| SyncCallError::Protocol(e.to_string()))?
                }
            };
            let data = self.data.borrow();
            if let Some(data) = data.as_ref()
                && bytes.len() <= data.length() as usize
            {
                data.subarray(0, bytes.len() as u32).copy_from(&bytes);
                store(control, REQUEST_LENGTH, bytes.len() as i32)?;
                store(control, REQUEST, POSTED)?;
                Atomics::notify(control, REQUEST).map_err(js_error)?;
                return Ok(());
            }
        }
        crate::post(message);
        Ok(())
    }
}

/// How long a blocked call spins before it sleeps, in milliseconds.
const SPIN_MS: f64 = 0.1;

/// Spins up to [`SPIN_MS`] while the state word is `WAITING`; true if it changed.
fn spin_while_waiting(control: &Int32Array) -> Result<bool, SyncCallError> {
    let deadline = crate::now_ms() + SPIN_MS;
    loop {
        for _ in 0..32 {
            if Atomics::load(control, STATE).map_err(js_error)? != WAITING {
                return Ok(true);
            }
            std::hint::spin_loop();
        }
        if crate::now_ms() >= deadline {
            return Ok(false);
        }
    }
}

fn store(control: &Int32Array, index: u32, value: i32) -> Result<(), SyncCallError> {
    Atomics::store(control, index, value).map_err(js_error)?;
    Ok(())
}

fn js_error(error: JsValue) -> SyncCallError {
    SyncCallError::Protocol(format!("{error:?}"))
}
