//! The worker's link to its page ([`PageLink`], [`PageEnd`]): `sync` calls, the page's
//! objects and the results of exported calls go through the channel to the page
//! ([`channel::Client`]); the worker's own objects (the `js` module) are in its own
//! handle table; errors and interrupt outcomes are posted to the page.

use rustpy_bridge::channel::TRANSFER_BYTES_FROM;
use rustpy_bridge::direct::{DirectOp, Outcome};
use rustpy_bridge::{CallOutcome, FromWorker};
use rustpy_interp::{PageLink, PartSent, SyncCallError, Value};
use rustpy_web_host::{HandleTable, PageEnd};

use crate::channel;
use crate::{post, post_with_buffers};

thread_local! {
    /// The id of the last call whose result was posted ([`PageLink::export_result`]).
    static LAST_ANSWERED: std::cell::Cell<Option<u64>> = const { std::cell::Cell::new(None) };
}

/// Whether the result of call `call_id` has been posted (it returned at once, or its
/// coroutine finished already).
pub(crate) fn answered(call_id: u64) -> bool {
    LAST_ANSWERED.get() == Some(call_id)
}

/// How this worker reaches its page, and its own JS objects.
pub(crate) struct WorkerPage {
    /// The channel to the page.
    pub(crate) client: channel::Client,
    /// The table of the worker's own JS objects (the `js` module).
    pub(crate) own: HandleTable,
    /// The id of the element after the worker's tag, where `display()` writes.
    pub(crate) target: Option<String>,
}

impl PageLink for WorkerPage {
    fn sync_call(
        &self,
        name: &str,
        args: Value,
        timeout: Option<f64>,
    ) -> Result<Value, SyncCallError> {
        self.client.call(name, args, timeout)
    }

    fn export_result(&self, call_id: u64, result: Result<Value, String>) {
        LAST_ANSWERED.set(Some(call_id));
        match result {
            Ok(mut value) => {
                // Large bytes travel as transferred buffers, not inside the JSON text.
                let mut buffers = Vec::new();
                value.take_large_bytes(TRANSFER_BYTES_FROM, &mut buffers);
                let message = FromWorker::CallResult {
                    id: call_id,
                    result: CallOutcome::Ok(value),
                };
                if buffers.is_empty() {
                    post(&message);
                } else {
                    post_with_buffers(&message, &buffers);
                }
            }
            Err(traceback) => post(&FromWorker::CallResult {
                id: call_id,
                result: CallOutcome::Err(traceback),
            }),
        }
    }

    fn js_request(&self, request: &str) -> Result<String, SyncCallError> {
        self.client.js_request(request)
    }

    fn js_send(&self, part: &str) -> Result<PartSent, SyncCallError> {
        self.client.js_send(part)
    }

    fn js_local_request(&self, request: &str) -> Result<String, SyncCallError> {
        self.own.request(request)
    }

    fn js_direct(&self, op: &DirectOp<'_>) -> Result<Outcome, SyncCallError> {
        self.own.direct(op)
    }

    /// Each handle goes back to its table: the worker's own, or the page's.
    fn js_release(&self, handles: &[u64]) {
        let (own, page): (Vec<&[u64]>, Vec<&[u64]>) = handles
            .chunks(2)
            .partition(|pair| rustpy_bridge::ffi::is_local_handle(pair[0]));
        if !own.is_empty() {
            self.own.release(&own.concat());
        }
        if !page.is_empty() {
            self.client.js_release(&page.concat());
        }
    }

    fn current_target(&self) -> Option<String> {
        self.target.clone()
    }
}

impl PageEnd for WorkerPage {
    fn report_error(&self, what: &str, traceback: &str) {
        post(&FromWorker::Error {
            what: what.into(),
            traceback: traceback.into(),
        });
    }

    fn interrupt_outcome(&self, delivered: bool) {
        post(&FromWorker::Interrupt { delivered });
    }
}
