//! The protocol between the page (main thread) and a rustpy worker.
//!
//! Messages travel with `postMessage`; on the Rust side they are these serde types, turned
//! into JS objects with `serde-wasm-bindgen` at the edges. The JS glue reads only the `type`
//! field. The compiled `WebAssembly.Module` rides along the boot message as a separate,
//! non-serde field (`module`), so that every worker reuses the page's one compilation.
//!
//! Synchronous calls (`pyscript.sync`, and the `window`/`document` FFI of [`ffi`]) post a
//! request and block on the shared [`channel`] until the page writes the reply.

use serde::{Deserialize, Serialize};

pub mod ffi;
pub mod value;

pub use value::{Float, JsRef, PyRef, SpecialFloat, Value};

/// The boot message: everything a worker needs to run its script.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Boot {
    /// The Python source (already fetched and dedented by the page).
    pub source: String,
    /// The name shown in tracebacks: the `src` URL as written, or a label for inline code.
    pub filename: String,
    /// The worker's `name` attribute, if any.
    #[serde(default)]
    pub name: Option<String>,
    /// The worker's configuration (the `config` attribute, parsed), `null` when absent.
    #[serde(default)]
    pub config: serde_json::Value,
    /// The id of the element after the worker's script tag (`current_target()`), if any.
    #[serde(default)]
    pub target: Option<String>,
    /// The largest `pyscript.sync` reply accepted, in bytes.
    #[serde(default = "default_reply_limit")]
    pub reply_limit: usize,
}

fn default_reply_limit() -> usize {
    channel::DEFAULT_REPLY_LIMIT
}

/// Which console stream a line of output belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OutputStream {
    /// `print()`; the page logs it with `console.log`.
    Stdout,
    /// `sys.stderr`; the page logs it with `console.error`.
    Stderr,
}

/// Messages a worker sends to the page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FromWorker {
    /// One line of output.
    Output {
        /// The stream it was written to.
        stream: OutputStream,
        /// The line, without its newline.
        line: String,
    },
    /// The script (including any top-level `await`) finished without error.
    Ready {
        /// The functions the page may call: `__export__` and `pyscript.sync` offers.
        exports: Vec<String>,
    },
    /// A blocking call of a page function (`pyscript.sync.<name>(*args)`); the worker
    /// waits on the shared channel for the [`SyncReply`].
    SyncCall {
        /// Which call this is (increasing per worker).
        id: u64,
        /// The function's name in `worker.sync`.
        name: String,
        /// The arguments, a [`Value::List`].
        args: Value,
    },
    /// The answer to a [`ToWorker::Call`].
    CallResult {
        /// The call's id.
        id: u64,
        /// The value, or the Python traceback.
        result: CallOutcome,
    },
    /// A blocking FFI request: operations on JS objects (see [`ffi`]); the page answers
    /// with an [`ffi::JsReply`] on the shared channel.
    Js {
        /// The operations, a JSON [`Value::List`] of operations.
        request: String,
    },
    /// Python dropped proxies: `handles` holds `(id, count)` pairs, flattened. Posted
    /// without waiting; the page decrements each handle's count and frees it at zero.
    Release {
        /// `[id, count, id, count, ...]`.
        handles: Vec<u64>,
    },
    /// The script raised or did not compile: the Python traceback.
    Failed {
        /// The formatted traceback, as Python prints it.
        traceback: String,
    },
}

/// How a call into the worker ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CallOutcome {
    /// The function returned this value.
    Ok(Value),
    /// The function raised: the formatted Python traceback.
    Err(String),
}

/// Messages the page sends to a worker after booting it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ToWorker {
    /// Call an exported function; answered by [`FromWorker::CallResult`].
    Call {
        /// Chosen by the page, echoed in the result.
        id: u64,
        /// The exported function's name.
        name: String,
        /// The arguments, a [`Value::List`].
        args: Value,
    },
    /// JavaScript called a Python callable the worker offered ([`Value::Py`]); no answer.
    Callback {
        /// The callable's id.
        id: u64,
        /// The arguments, a JSON [`Value::List`] (JS objects as [`Value::Js`]).
        args: String,
    },
}

/// The page's answer to a [`FromWorker::SyncCall`], written into the shared data buffer
/// as JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SyncReply {
    /// The function's result.
    Ok(Value),
    /// It could not be called or it threw.
    Err(SyncFailure),
}

/// Why a page function did not return a value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind")]
pub enum SyncFailure {
    /// No function of that name is registered in `worker.sync`.
    Missing,
    /// It threw (or its promise rejected) with this JS error.
    Raised {
        /// The error's `name`.
        name: String,
        /// The error's `message`.
        message: String,
    },
    /// The encoded reply exceeds the worker's limit.
    TooLarge {
        /// The reply's size in bytes.
        size: usize,
        /// The limit in bytes.
        limit: usize,
    },
}

/// The shared channel's control block: an `Int32Array` over a 16-byte `SharedArrayBuffer`.
///
/// A blocking request travels one of two ways. Where the page can listen on shared memory
/// (`Atomics.waitAsync`, announced by `fast_requests` in the boot message), the worker
/// writes the request (the [`FromWorker`] message as JSON) into the data buffer, stores its
/// length in [`REQUEST_LENGTH`] and sets [`REQUEST`] to [`POSTED`]: no `postMessage`, no
/// structured clone, no task queued behind other messages. Otherwise (and for a request
/// larger than the data buffer) it posts the message. Either way the reply comes back in
/// the data buffer and [`STATE`] becomes [`REPLIED`].
pub mod channel {
    /// Index of the state word.
    pub const STATE: u32 = 0;
    /// Index of the reply length (or, in [`GROW`], the length needed).
    pub const LENGTH: u32 = 1;
    /// Index of the request word: [`POSTED`] while a request waits in the data buffer.
    pub const REQUEST: u32 = 2;
    /// Index of the length of the request in the data buffer.
    pub const REQUEST_LENGTH: u32 = 3;
    /// [`REQUEST`]: a request is in the data buffer (the page resets it to [`IDLE`]).
    pub const POSTED: i32 = 1;
    /// A request in the data buffer that starts with this byte is an FFI request
    /// ([`FromWorker::Js`](crate::FromWorker::Js)'s JSON, bare); any other is a
    /// [`FromWorker`](crate::FromWorker) message as JSON (which starts with `{`).
    pub const FFI_FRAME: u8 = b'J';
    /// Nothing in flight.
    pub const IDLE: i32 = 0;
    /// The worker posted a call and waits.
    pub const WAITING: i32 = 1;
    /// The reply is in the data buffer.
    pub const REPLIED: i32 = 2;
    /// The reply does not fit the data buffer: the worker posts a larger one (`grow`).
    pub const GROW: i32 = 3;
    /// Bytes of the control block.
    pub const CONTROL_BYTES: u32 = 16;
    /// Initial size of the data buffer.
    pub const INITIAL_DATA_BYTES: u32 = 64 * 1024;
    /// Default largest reply: 16 MiB.
    pub const DEFAULT_REPLY_LIMIT: usize = 16 * 1024 * 1024;
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn worker_messages_have_the_shape_the_page_reads() {
        let output = FromWorker::Output {
            stream: OutputStream::Stderr,
            line: "héllo ✓".into(),
        };
        assert_eq!(
            serde_json::to_value(&output).unwrap(),
            json!({"type": "output", "stream": "stderr", "line": "héllo ✓"})
        );
        assert_eq!(
            serde_json::to_value(FromWorker::Ready {
                exports: vec!["add".into()]
            })
            .unwrap(),
            json!({"type": "ready", "exports": ["add"]})
        );
        let failed = FromWorker::Failed {
            traceback: "Traceback ...".into(),
        };
        let back: FromWorker =
            serde_json::from_value(serde_json::to_value(&failed).unwrap()).unwrap();
        assert_eq!(back, failed);
    }

    #[test]
    fn boot_accepts_a_minimal_message() {
        let boot: Boot = serde_json::from_value(json!({
            "type": "boot", "source": "print(1)", "filename": "w.py"
        }))
        .unwrap();
        assert_eq!(boot.name, None);
        assert_eq!(boot.config, serde_json::Value::Null);
    }

    #[test]
    fn sync_replies_read_as_the_page_writes_them() {
        let ok: SyncReply = serde_json::from_str(r#"{"ok":{"t":"int","v":"42"}}"#).unwrap();
        assert_eq!(ok, SyncReply::Ok(Value::Int("42".into())));
        let raised: SyncReply = serde_json::from_str(
            r#"{"err":{"kind":"Raised","name":"TypeError","message":"boom"}}"#,
        )
        .unwrap();
        assert_eq!(
            raised,
            SyncReply::Err(SyncFailure::Raised {
                name: "TypeError".into(),
                message: "boom".into()
            })
        );
        let missing: SyncReply = serde_json::from_str(r#"{"err":{"kind":"Missing"}}"#).unwrap();
        assert_eq!(missing, SyncReply::Err(SyncFailure::Missing));
        assert!(serde_json::from_str::<SyncReply>(r#"{"err":{"kind":"Nope"}}"#).is_err());
    }

    #[test]
    fn calls_and_results_have_the_shape_the_page_uses() {
        let call: ToWorker = serde_json::from_value(json!({
            "type": "call", "id": 3, "name": "add", "args": {"t": "list", "v": []}
        }))
        .unwrap();
        assert_eq!(
            call,
            ToWorker::Call {
                id: 3,
                name: "add".into(),
                args: Value::List(vec![])
            }
        );
        let result = FromWorker::CallResult {
            id: 3,
            result: CallOutcome::Err("Traceback".into()),
        };
        assert_eq!(
            serde_json::to_value(result).unwrap(),
            json!({"type": "call_result", "id": 3, "result": {"err": "Traceback"}})
        );
    }

    #[test]
    fn malformed_boot_is_an_error() {
        assert!(serde_json::from_value::<Boot>(json!({"source": 3})).is_err());
    }
}
