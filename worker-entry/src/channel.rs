//! The worker end of the shared-memory channel: hand a request to the page, block on the
//! control word, read the reply (see `rustpy_bridge::channel` for the layout and states).
//! Its page end is `web/page/py-worker.js` with `web/page/channel.js` (`SharedChannel`).
//! Without shared memory the same requests go through the relay service worker
//! (`web/sw/relay.js`) by `rustpySyncRequest` of `web/worker/main.js`.

use std::cell::{Cell, RefCell};

use js_sys::{Atomics, Int32Array, Reflect, SharedArrayBuffer, Uint8Array};
use rustpy_bridge::channel::{
    BATCH_PART_FRAME, FFI_FRAME, GROW, IDLE, INTERRUPT, LENGTH, POSTED, REPLIED, REQUEST,
    REQUEST_LENGTH, STATE, WAIT_SLICE_MS, WAITING, state,
};
use rustpy_bridge::{FromWorker, SharedBuffer, SyncFailure, SyncReply, Value};
use rustpy_interp::{PartSent, SyncCallError};

use crate::relay::RELAY_INTERRUPTED;
use wasm_bindgen::{JsCast, JsValue};

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = postMessage)]
    fn post_raw(message: &JsValue);
    /// `web/worker/main.js`: posts the request to the page and blocks on a synchronous XHR
    /// that the relay service worker answers with the page's reply.
    #[wasm_bindgen(catch, js_name = rustpySyncRequest)]
    fn relay_request(
        url: &str,
        id: f64,
        frame: &str,
        timeout_ms: f64,
    ) -> Result<js_sys::Array, JsValue>;
}

/// The shared buffers the page put in the boot message (absent without isolation).
pub(crate) struct Buffers {
    /// The control block (an `Int32Array`).
    pub(crate) control: Int32Array,
    data: Uint8Array,
    requests: Uint8Array,
    /// The page listens for requests on the control block.
    fast_requests: bool,
}

fn shared(boot: &JsValue, key: &str) -> Option<SharedArrayBuffer> {
    Reflect::get(boot, &key.into())
        .ok()?
        .dyn_into::<SharedArrayBuffer>()
        .ok()
}

impl Buffers {
    /// Takes `control`, `data` and `requests` from the boot message, if they are shared
    /// buffers; `fast_requests` is [`Boot::fast_requests`](rustpy_bridge::Boot).
    pub(crate) fn from_boot(boot: &JsValue, fast_requests: bool) -> Option<Self> {
        Some(Self {
            control: Int32Array::new(&shared(boot, "control")?.into()),
            data: Uint8Array::new(&shared(boot, "data")?.into()),
            requests: Uint8Array::new(&shared(boot, "requests")?.into()),
            fast_requests,
        })
    }
}

/// Makes blocking calls to the page.
pub(crate) struct Client {
    control: Option<Int32Array>,
    /// The reply buffer: the page's first one, replaced by a larger one on `GROW`.
    data: RefCell<Option<Uint8Array>>,
    requests: Option<Uint8Array>,
    fast_requests: bool,
    reply_limit: usize,
    /// The config's `sync_timeout`, in seconds.
    default_timeout: Option<f64>,
    /// The config's `sync_main_only` (explains why there is no channel).
    sync_main_only: bool,
    /// How long a blocked call watches for the reply before it sleeps, in milliseconds:
    /// [`SPIN_MS`], or 0 with the config's `"spin": false`.
    spin_ms: f64,
    /// Without shared memory: the relay service worker's URL for this worker.
    relay: Option<String>,
    /// Why there is neither shared memory nor a relay, as the page found it.
    no_channel_reason: Option<String>,
    next_id: Cell<u64>,
    /// A part of the open batch was posted: its later parts and its end are posted too, so
    /// the page gets them in order (a posted message could arrive after a later request
    /// written into the request buffer).
    batch_posted: Cell<bool>,
}

/// How a wait for the page ended without a reply.
enum GaveUp {
    Interrupted,
    TimedOut(f64),
}

impl Client {
    pub(crate) fn new(
        buffers: Option<Buffers>,
        reply_limit: usize,
        default_timeout: Option<f64>,
        sync_main_only: bool,
        spin_ms: f64,
        relay: Option<String>,
        no_channel_reason: Option<String>,
    ) -> Self {
        let fast_requests = buffers.as_ref().is_some_and(|b| b.fast_requests);
        let (control, data, requests) = match buffers {
            Some(b) => (Some(b.control), Some(b.data), Some(b.requests)),
            None => (None, None, None),
        };
        Self {
            control,
            data: RefCell::new(data),
            requests,
            fast_requests,
            reply_limit,
            default_timeout,
            sync_main_only,
            spin_ms,
            relay,
            no_channel_reason,
            next_id: Cell::new(1),
            batch_posted: Cell::new(false),
        }
    }

    /// Calls `worker.sync.<name>(*args)` on the page and blocks for the answer (at most
    /// `timeout` seconds, else the config's `sync_timeout`; a non-finite timeout waits
    /// forever).
    pub(crate) fn call(
        &self,
        name: &str,
        args: Value,
        timeout: Option<f64>,
    ) -> Result<Value, SyncCallError> {
        let id = self.next_id();
        let timeout = timeout
            .or(self.default_timeout)
            .filter(|seconds| seconds.is_finite());
        let message = FromWorker::SyncCall {
            id,
            name: name.to_string(),
            args,
        };
        let bytes = match self.round_trip(id, &message, timeout) {
            Ok(bytes) => bytes,
            Err(Ok(GaveUp::Interrupted)) => return Err(SyncCallError::Interrupted),
            Err(Ok(GaveUp::TimedOut(seconds))) => {
                return Err(SyncCallError::Timeout {
                    function: name.to_string(),
                    seconds,
                });
            }
            Err(Err(error)) => return Err(error),
        };
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
        let id = self.next_id();
        let message = FromWorker::Js {
            id,
            request: request.to_string(),
        };
        // (An FFI request after posted batch parts is that batch's end.)
        let post = self.batch_posted.replace(false);
        let bytes = match self.round_trip_as(id, &message, None, post) {
            Ok(bytes) => bytes,
            Err(Ok(_)) => return Err(SyncCallError::Interrupted),
            Err(Err(error)) => return Err(error),
        };
        String::from_utf8(bytes).map_err(|e| SyncCallError::Protocol(e.to_string()))
    }

    /// Hands the page a batch part (`rustpy_bridge::ffi::BatchPart` JSON) to run without
    /// waiting for it to run: through the request buffer when the page took the previous
    /// request. While the page has not, a part that fits in half the buffer gets
    /// [`PartSent::PageBusy`] (the caller sends it later, grown); a larger one waits for the
    /// buffer rather than be posted, which costs both sides a second JSON encoding and
    /// posts the rest of the batch too. Posted when it does not fit in the whole buffer or
    /// the page cannot wait on the buffer (and then so is the rest of the batch).
    pub(crate) fn js_send(&self, part: &str) -> Result<PartSent, SyncCallError> {
        if self.control.is_none() && self.relay.is_none() {
            return Err(self.no_channel());
        }
        if let (Some(control), Some(requests), true) =
            (&self.control, &self.requests, self.fast_requests)
        {
            if load(control, REQUEST)? == POSTED {
                // The page is still busy with the previous part, which must go first.
                if part.len() < requests.length() as usize / 2 {
                    return Ok(PartSent::PageBusy);
                }
                wait_until_taken(control, self.spin_ms)?;
            }
            if !self.batch_posted.get()
                && write_request(control, requests, &[&[BATCH_PART_FRAME], part.as_bytes()])?
            {
                return Ok(PartSent::Sent);
            }
        }
        self.batch_posted.set(true);
        crate::post(&FromWorker::JsPart {
            request: part.to_string(),
        });
        Ok(PartSent::Sent)
    }

    /// Gives back handles Python no longer holds (`(id, count)` pairs, flattened), without
    /// waiting for the page to run it. The way requests go: through the request buffer when
    /// they do, so the page runs the release after every request and batch part written
    /// before it. (Posted while requests went through the buffer, a release could run first,
    /// at one of the page's turns of its event loop, and the live-handle count answered in
    /// between counted handles already given back; a part still in the buffer naming a
    /// released handle would fail.) Posted when that is the way requests go, or when the
    /// wait for the buffer fails (an interrupt).
    pub(crate) fn js_release(&self, handles: &[u64]) {
        let message = FromWorker::Release {
            handles: handles.to_vec(),
        };
        let sent = match &self.control {
            // (No reply is awaited: the id is not read.)
            Some(control) => self
                .send(control, 0, &message, self.batch_posted.get())
                .is_ok(),
            None => false,
        };
        if !sent {
            crate::post(&message);
        }
    }

    /// Why there is no way to reach the page (no shared memory and no relay).
    fn no_channel(&self) -> SyncCallError {
        if self.sync_main_only {
            SyncCallError::SyncMainOnly
        } else {
            SyncCallError::NoSharedMemory(
                self.no_channel_reason
                    .clone()
                    .unwrap_or_else(|| rustpy_interp::NO_SHARED_MEMORY.to_string()),
            )
        }
    }

    fn next_id(&self) -> u64 {
        let id = self.next_id.get();
        self.next_id.set(id + 1);
        id
    }

    /// Hands request `id` to the page and blocks until the reply is in the data buffer, the
    /// page interrupts, or `timeout` seconds pass.
    fn round_trip(
        &self,
        id: u64,
        message: &FromWorker,
        timeout: Option<f64>,
    ) -> Result<Vec<u8>, Result<GaveUp, SyncCallError>> {
        self.round_trip_as(id, message, timeout, false)
    }

    /// [`Client::round_trip`], posting the request when `post` (else as `send` decides).
    fn round_trip_as(
        &self,
        id: u64,
        message: &FromWorker,
        timeout: Option<f64>,
        post: bool,
    ) -> Result<Vec<u8>, Result<GaveUp, SyncCallError>> {
        if let (None, Some(relay)) = (&self.control, &self.relay) {
            return self.relay_round_trip(relay, id, message, timeout);
        }
        let control = self
            .control
            .as_ref()
            .ok_or_else(|| Err(self.no_channel()))?;
        let waiting = state(id, WAITING);
        store(control, STATE, waiting).map_err(Err)?;
        self.send(control, id, message, post).map_err(Err)?;
        let deadline = timeout.map(|seconds| crate::now_ms() + seconds * 1000.0);
        let mut spun = false;
        loop {
            let current = load(control, STATE).map_err(Err)?;
            if current == state(id, REPLIED) {
                break;
            }
            if current == state(id, GROW) {
                self.grow(control, waiting).map_err(Err)?;
                continue;
            }
            // A page that answers and then interrupts (a page function that starts what it
            // then interrupts) can set both words after this thread's load of STATE. The
            // page writes the reply before the interrupt, so once the interrupt is seen the
            // reply is too: the reply is the call's, and the interrupt is left for the code
            // that runs next. Only an interrupt seen here, with no reply behind it, gives
            // the call up (taking it later could take one that came after a reply).
            let interrupted = load(control, INTERRUPT).map_err(Err)? != 0;
            if interrupted && load(control, STATE).map_err(Err)? == state(id, REPLIED) {
                break;
            }
            let gave_up = if interrupted && rustpy_web_host::deliver_interrupt() {
                Some(GaveUp::Interrupted)
            } else {
                match (timeout, deadline) {
                    (Some(seconds), Some(deadline)) if crate::now_ms() >= deadline => {
                        Some(GaveUp::TimedOut(seconds))
                    }
                    _ => None,
                }
            };
            if let Some(gave_up) = gave_up {
                // From now on the page writes no reply for `id` (see the channel docs).
                store(control, STATE, IDLE).map_err(Err)?;
                crate::post(&FromWorker::Abandoned { id });
                return Err(Ok(gave_up));
            }
            // Most replies come within tens of microseconds: spin first (see SPIN_MS).
            // Sleeping costs the page a futex wake-up and this thread a reschedule.
            if !spun {
                spun = true;
                if spin_while(control, STATE, waiting, self.spin_ms).map_err(Err)? {
                    continue;
                }
            }
            let slice = deadline.map_or(WAIT_SLICE_MS, |deadline| {
                (deadline - crate::now_ms()).clamp(0.0, WAIT_SLICE_MS)
            });
            Atomics::wait_with_timeout(control, STATE, waiting, slice)
                .map_err(|e| Err(js_error(e)))?;
        }
        let length = load(control, LENGTH).map_err(Err)? as u32;
        let data = self.data.borrow();
        let data = data.as_ref().ok_or_else(|| Err(self.no_channel()))?;
        let mut bytes = vec![0u8; length as usize];
        data.subarray(0, length).copy_to(&mut bytes);
        store(control, STATE, IDLE).map_err(Err)?;
        Ok(bytes)
    }

    /// The request as the page reads it: `J<id> <json>` for FFI requests, else the message
    /// as JSON.
    fn frame(id: u64, message: &FromWorker) -> Result<Vec<u8>, SyncCallError> {
        Ok(match message {
            FromWorker::Js { request, .. } => {
                let mut bytes = format!("{}{id} ", FFI_FRAME as char).into_bytes();
                bytes.extend_from_slice(request.as_bytes());
                bytes
            }
            other => {
                serde_json::to_vec(other).map_err(|e| SyncCallError::Protocol(e.to_string()))?
            }
        })
    }

    /// A round trip through the relay service worker (no shared memory): the request posted
    /// to the page, the reply read with one synchronous XHR. Interrupts arrive as the
    /// relay's 409 answer (or were taken by a poll before); timeouts as the relay's 408.
    fn relay_round_trip(
        &self,
        relay: &str,
        id: u64,
        message: &FromWorker,
        timeout: Option<f64>,
    ) -> Result<Vec<u8>, Result<GaveUp, SyncCallError>> {
        // A request a poll already took from the relay (no reply can be behind it).
        if rustpy_web_host::deliver_interrupt() {
            return Err(Ok(GaveUp::Interrupted));
        }
        let body = String::from_utf8(Self::frame(id, message).map_err(Err)?)
            .map_err(|e| Err(SyncCallError::Protocol(e.to_string())))?;
        let timeout_ms = timeout.map_or(0.0, |seconds| (seconds * 1000.0).max(1.0));
        let answer = match relay_request(relay, id as f64, &body, timeout_ms) {
            Ok(answer) => answer,
            Err(error) => {
                let name = Reflect::get(&error, &"name".into())
                    .ok()
                    .and_then(|n| n.as_string());
                if let (Some("TimeoutError"), Some(seconds)) = (name.as_deref(), timeout) {
                    crate::post(&FromWorker::Abandoned { id });
                    return Err(Ok(GaveUp::TimedOut(seconds)));
                }
                return Err(Err(SyncCallError::Protocol(format!(
                    "the relay service worker could not be reached: {error:?}"
                ))));
            }
        };
        let status = answer.get(0).as_f64().unwrap_or(0.0) as u16;
        let text = answer.get(1).as_string().unwrap_or_default();
        match status {
            200 => Ok(text.into_bytes()),
            RELAY_INTERRUPTED => {
                rustpy_web_host::report_relayed_interrupt();
                crate::post(&FromWorker::Abandoned { id });
                Err(Ok(GaveUp::Interrupted))
            }
            _ if !answer.get(2).is_truthy() => Err(Err(SyncCallError::Protocol(format!(
                "the relay's request {relay} reached the server (HTTP {status}), not rustpy's \
                 relay service worker: the service worker does not control this worker"
            )))),
            _ => Err(Err(SyncCallError::Protocol(format!(
                "the relay service worker answered HTTP {status}: {text}"
            )))),
        }
    }

    /// The reply does not fit: make a larger data buffer and give it to the page. The state
    /// goes back to `waiting` BEFORE the page hears of the buffer: the page writes a reply
    /// only while the state says the worker waits, so the other order could drop it.
    fn grow(&self, control: &Int32Array, waiting: i32) -> Result<(), SyncCallError> {
        let needed = load(control, LENGTH)? as u32;
        let bigger = SharedArrayBuffer::new(needed.next_power_of_two());
        *self.data.borrow_mut() = Some(Uint8Array::new(&bigger));
        store(control, STATE, waiting)?;
        // The message's shape is the bridge's; the buffer takes its placeholder's place.
        let grow = FromWorker::Grow { data: SharedBuffer };
        let message = serde_wasm_bindgen::to_value(&grow)
            .map_err(|error| SyncCallError::Protocol(error.to_string()))?;
        Reflect::set(&message, &"data".into(), &bigger).map_err(js_error)?;
        post_raw(&message);
        Ok(())
    }

    /// Hands a request to the page: through the request buffer when the page listens there,
    /// it fits and not `post`, else by `postMessage`.
    fn send(
        &self,
        control: &Int32Array,
        id: u64,
        message: &FromWorker,
        post: bool,
    ) -> Result<(), SyncCallError> {
        if self.fast_requests {
            // A batch part may still be there, unread: it goes first, whichever way this
            // request goes.
            wait_until_taken(control, self.spin_ms)?;
        }
        if let (true, Some(requests), false) = (self.fast_requests, &self.requests, post)
            && write_request(control, requests, &[&Self::frame(id, message)?])?
        {
            return Ok(());
        }
        crate::post(message);
        Ok(())
    }
}

/// Writes `pieces`, back to back, into the request buffer as one request and wakes the
/// page; false (nothing written) when they do not fit. The buffer must be free.
fn write_request(
    control: &Int32Array,
    requests: &Uint8Array,
    pieces: &[&[u8]],
) -> Result<bool, SyncCallError> {
    let length: usize = pieces.iter().map(|piece| piece.len()).sum();
    if length > requests.length() as usize {
        return Ok(false);
    }
    let mut at = 0;
    for piece in pieces {
        let end = at + piece.len() as u32;
        requests.subarray(at, end).copy_from(piece);
        at = end;
    }
    store(control, REQUEST_LENGTH, length as i32)?;
    store(control, REQUEST, POSTED)?;
    Atomics::notify(control, REQUEST).map_err(js_error)?;
    Ok(true)
}

/// Waits until the page has taken the request in the request buffer, if one is there (a
/// batch part: blocking requests are answered before the next is written). Bounded like
/// every wait for the page: an interrupt ends it.
fn wait_until_taken(control: &Int32Array, spin_ms: f64) -> Result<(), SyncCallError> {
    if load(control, REQUEST)? != POSTED || spin_while(control, REQUEST, POSTED, spin_ms)? {
        return Ok(());
    }
    while load(control, REQUEST)? == POSTED {
        if rustpy_web_host::deliver_interrupt() {
            return Err(SyncCallError::Interrupted);
        }
        Atomics::wait_with_timeout(control, REQUEST, POSTED, WAIT_SLICE_MS).map_err(js_error)?;
    }
    Ok(())
}

/// How long a blocked call spins before it sleeps, in milliseconds. Longer than most
/// replies (tens of microseconds) on purpose: a reply delayed by the page's other work (a
/// rendering frame, a garbage collection, its own wake-up from `Atomics.waitAsync`: 0.3–3
/// ms) found this thread asleep, and its futex wake-up then came too late for the page's
/// short watch for the next request, so the page slept too, and a loop of calls could go
/// on paying both wake-ups. Measured on a 2-core VM (10 fresh workers each, the median per
/// pair of a loop of 500 `createElement` + `append`): 60.0 µs spinning 0.1 ms, 55.6 µs 0.5
/// ms, 53.9 µs 1 ms. A call the page takes longer to answer wastes at most this much of a
/// core.
pub(crate) const SPIN_MS: f64 = 0.5;

/// Spins up to `spin_ms` milliseconds while word `index` is `value`; true if it changed.
fn spin_while(
    control: &Int32Array,
    index: u32,
    value: i32,
    spin_ms: f64,
) -> Result<bool, SyncCallError> {
    if spin_ms <= 0.0 {
        return Ok(load(control, index)? != value);
    }
    let deadline = crate::now_ms() + spin_ms;
    loop {
        for _ in 0..32 {
            if load(control, index)? != value {
                return Ok(true);
            }
            std::hint::spin_loop();
        }
        if crate::now_ms() >= deadline {
            return Ok(false);
        }
    }
}

fn load(control: &Int32Array, index: u32) -> Result<i32, SyncCallError> {
    Atomics::load(control, index).map_err(js_error)
}

fn store(control: &Int32Array, index: u32, value: i32) -> Result<(), SyncCallError> {
    Atomics::store(control, index, value).map_err(js_error)?;
    Ok(())
}

fn js_error(error: JsValue) -> SyncCallError {
    SyncCallError::Protocol(format!("{error:?}"))
}
