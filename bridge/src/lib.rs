//! The protocol between the page (main thread) and a rustpy worker.
//!
//! Messages travel with `postMessage`; on the Rust side they are these serde types, turned
//! into JS objects with `serde-wasm-bindgen` at the edges. The JS glue reads only the `type`
//! field. The compiled `WebAssembly.Module` rides along the boot message as a separate,
//! non-serde field (`module`), so that every worker reuses the page's one compilation.
//!
//! Synchronous calls (`pyscript.sync`, and the `window`/`document` FFI of [`ffi`]) post a
//! request and block on the shared [`channel`] until the page writes the reply.
//!
//! # Which file is which end
//!
//! This crate defines each channel; the ends are elsewhere (paths from the workspace root;
//! the build bundles `web/page/` into `dist/rustpy/rustpy.js` and `web/worker/` into
//! `rustpy-worker.js`):
//!
//! - **Worker messages** ([`Boot`] and [`ToWorker`] to a worker, [`FromWorker`] back, by
//!   `postMessage`): the worker end is `worker-entry/src/lib.rs` (`worker_main`,
//!   `worker_call`), behind the worker bootstrap `web/worker/main.js` (served as
//!   `rustpy-worker.js`) that receives the messages and also posts [`FromWorker::Crashed`]
//!   and [`FromWorker::Relay`] itself. The page end is `PyWorker` in
//!   `web/page/py-worker.js`, which checks every message with `web/shared/protocol.js`
//!   before it acts on it.
//! - **The shared-memory channel** ([`channel`]: the control block, the request and data
//!   buffers, replies, `grow`, interrupts, the output count): the worker end is
//!   `worker-entry/src/channel.rs` (requests and replies) and `worker-entry/src/output.rs`
//!   (output back-pressure); the page end is `web/page/py-worker.js` with its
//!   `SharedChannel` (`web/page/channel.js`).
//! - **The relay**, which stands in for shared memory on a page without it: the worker end
//!   is `worker-entry/src/relay.rs` and the synchronous XHRs of `web/worker/main.js`
//!   (`rustpySyncRequest`, `rustpyRelayGet`); in the middle, the service worker
//!   `web/sw/relay.js` (served as `rustpy-sw.js`); the page end is the relay client
//!   `web/page/relay.js`, used by `web/page/py-worker.js`.
//! - **The FFI** ([`ffi`], [`direct`], and [`Value::Js`]/[`Value::Py`] references): the
//!   Python end is `rustpy-interp`'s proxies; the JS end is a `HandleTable` of
//!   `web/shared/handle-table.js`: on the page one per worker (`web/page/py-worker.js`) and
//!   one for the page's own interpreter (`web/page/main-thread.js`), and in each worker one
//!   of its own objects (`web/worker/main.js`), which Rust calls through `web-host`'s
//!   `HandleTable`.
//! - **Values** ([`value`]): `web/shared/codec.js` reads and writes the same wire form in
//!   JS.
//! - **Page operations** ([`page_op`]): main-thread Python asks through `main-entry`;
//!   `web/page/main-thread.js` runs them.
//! - **The constants** of all of these: [`js`] generates `web/shared/wire.js` (`cargo xtask
//!   wire`), which the JS files import rather than spelling the values again.

#![deny(missing_docs)]

use serde::{Deserialize, Serialize};

/// Declares string constants of the protocol and `ALL`, every one of them as `(constant
/// name, value)`: the generated JavaScript (`js`) and the interpreter's native module give
/// them to the other languages from this one list.
macro_rules! wire_names {
    ($( $(#[$meta:meta])* $name:ident = $value:literal; )*) => {
        $( $(#[$meta])* pub const $name: &str = $value; )*
        /// Every name of this module: (constant name, value).
        pub const ALL: &[(&str, &str)] = &[$((stringify!($name), $name)),*];
    };
}

/// Declares integer constants of the protocol and `ALL`, as [`wire_names!`] does for strings.
macro_rules! wire_numbers {
    ($( $(#[$meta:meta])* $name:ident = $value:literal; )*) => {
        $( $(#[$meta])* pub const $name: u8 = $value; )*
        /// Every constant of this module: (constant name, value).
        pub const ALL: &[(&str, u8)] = &[$((stringify!($name), $name)),*];
    };
}

pub mod direct;
pub mod ffi;
pub mod js;
pub mod page_op;
pub mod value;

pub use value::{Float, JsRef, PyRef, SpecialFloat, Value};

/// The boot message: everything a worker needs to run its script. Beside these fields it
/// carries JS values serde does not read, which `worker-entry` takes by name: `module` (the
/// page's compiled `WebAssembly.Module`), `control`, `data` and `requests` (the
/// [`channel`]'s `SharedArrayBuffer`s, when the page is cross-origin isolated) and `files`
/// (the config's files, their bytes transferred).
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
    /// Without shared memory, the URL through which the relay service worker answers this
    /// worker's blocking requests (the `service-worker` attribute), if any.
    #[serde(default)]
    pub relay: Option<String>,
    /// Why this worker has neither shared memory nor a relay, as the page found it (not
    /// cross-origin isolated, an engine without `SharedArrayBuffer`, service workers
    /// unavailable...): the end of the error every blocking call raises then. `None`: the
    /// page gave no reason (the generic one is used).
    #[serde(default)]
    pub no_shared_memory: Option<String>,
    /// The base URL of the lazily loaded stdlib (`dist/rustpy/library/`, ending in `/`);
    /// empty means `library/` next to the worker's script.
    #[serde(default)]
    pub library: String,
    /// The page's address when the worker started (`document.baseURI`): what relative URLs
    /// of the worker's `pyscript.fetch` resolve against. Empty: unknown.
    #[serde(default)]
    pub page_url: String,
    /// The largest `pyscript.sync` reply accepted, in bytes.
    #[serde(default = "default_reply_limit")]
    pub reply_limit: usize,
    /// The page listens for requests in the shared request buffer (it has
    /// `Atomics.waitAsync`): blocking requests go there instead of by `postMessage`.
    #[serde(default)]
    pub fast_requests: bool,
    /// The worker's tag has the `terminal` attribute: its output target holds the xterm.js
    /// terminal (as `terminal`), which Python sees as `__terminal__`.
    #[serde(default)]
    pub terminal: bool,
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
    /// Lines of output, in order: one while the page keeps up, more when it fell behind
    /// (see [`channel::OUTPUT_SEEN`]).
    Output {
        /// The stream they were written to.
        stream: OutputStream,
        /// The lines, without their newlines.
        lines: Vec<String>,
    },
    /// The interpreter is up and the script runs next: the page dispatches `rustpy:ready` on
    /// the worker's tag (before the script, as PyScript's `py:ready`).
    Booted,
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
        /// Which request this is (the same sequence as [`FromWorker::SyncCall`]'s ids).
        id: u64,
        /// The operations, a JSON [`Value::List`] of operations.
        request: String,
    },
    /// A part of a batch the page runs without answering ([`ffi::BatchPart`]), posted when
    /// the shared request buffer cannot carry it (too large, no `Atomics.waitAsync` on the
    /// page, the relay); the batch's later parts and its end are then posted too, so they
    /// arrive in order.
    JsPart {
        /// The part, an [`ffi::BatchPart`] as JSON.
        request: String,
    },
    /// The worker gave up waiting for request `id` (interrupt or timeout): the page drops
    /// its reply and takes down any prompt it showed for it.
    Abandoned {
        /// The request's id.
        id: u64,
    },
    /// An error nobody awaits (an event handler or a callback raised): the page shows it.
    Error {
        /// What failed, e.g. "an event handler".
        what: String,
        /// The Python traceback.
        traceback: String,
    },
    /// Python dropped proxies: `handles` holds `(id, count)` pairs, flattened. Sent without
    /// waiting, the way requests go (through the request buffer where they do: see
    /// [`channel`]); the page decrements each handle's count and frees it at zero.
    Release {
        /// `[id, count, id, count, ...]`.
        handles: Vec<u64>,
    },
    /// What became of the page's request to interrupt (`worker.interrupt()`): `delivered`
    /// when running Python raised `KeyboardInterrupt`, not when nothing ran and the request
    /// was dropped (it never carries over to the next call).
    Interrupt {
        /// True: `KeyboardInterrupt` was raised; false: the request was dropped.
        delivered: bool,
    },
    /// The script raised or did not compile: the Python traceback.
    Failed {
        /// The formatted traceback, as Python prints it.
        traceback: String,
    },
    /// The worker's wasm instance trapped (a Rust panic, `unreachable`, out of memory, the
    /// browser's stack overflowing inside wasm): posted by the worker's JS bootstrap
    /// (`web/worker/main.js`, served as `rustpy-worker.js`), which runs nothing more; the
    /// page marks the worker dead.
    Crashed {
        /// The JS error, `Name: message`, with the panic's text after a Rust panic.
        message: String,
    },
    /// A blocking request on a page without shared memory: the request frame, posted by
    /// the worker's JS (`rustpySyncRequest` in `web/worker/main.js`) while the worker blocks
    /// on the relay service worker, which the page answers.
    Relay {
        /// The request as the shared request buffer would carry it (see [`channel`]).
        frame: String,
    },
    /// A reply does not fit the data buffer ([`channel::GROW`]): the worker made a larger
    /// one, which the page writes the reply into from now on.
    Grow {
        /// The new data buffer.
        data: SharedBuffer,
    },
}

/// Stands for a `SharedArrayBuffer` in a message: JSON cannot carry one, so it is written
/// as `null` and the sender sets the buffer in its place on the JS object it posts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedBuffer;

impl FromWorker {
    /// One message of each kind: what the generated JavaScript learns each kind's fields
    /// from ([`js::wire_module`]). A test fails when a kind is missing.
    pub fn one_of_each() -> Vec<FromWorker> {
        let text = String::new;
        vec![
            FromWorker::Output {
                stream: OutputStream::Stdout,
                lines: Vec::new(),
            },
            FromWorker::Booted,
            FromWorker::Ready {
                exports: Vec::new(),
            },
            FromWorker::SyncCall {
                id: 0,
                name: text(),
                args: Value::List(Vec::new()),
            },
            FromWorker::CallResult {
                id: 0,
                result: CallOutcome::Ok(Value::None),
            },
            FromWorker::Js {
                id: 0,
                request: text(),
            },
            FromWorker::JsPart { request: text() },
            FromWorker::Abandoned { id: 0 },
            FromWorker::Error {
                what: text(),
                traceback: text(),
            },
            FromWorker::Release {
                handles: Vec::new(),
            },
            FromWorker::Interrupt { delivered: false },
            FromWorker::Failed { traceback: text() },
            FromWorker::Crashed { message: text() },
            FromWorker::Relay { frame: text() },
            FromWorker::Grow { data: SharedBuffer },
        ]
    }
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

/// Messages the page sends to a worker after booting it, externally tagged
/// (`{"call": {...}}`): serde reads that form in one pass, while a `"type"` field inside
/// the object made it buffer the whole message first (a third of reading a call).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
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
    /// The page set the control block's interrupt word: a worker that reads this message
    /// runs no Python, so it drops the request and answers [`FromWorker::Interrupt`] (a
    /// busy worker takes the request long before it reads this).
    Interrupt,
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

pub mod channel {
    //! The shared channel's control block: an `Int32Array` over a [`CONTROL_BYTES`]-byte
    //! (32) `SharedArrayBuffer`.
    //!
    //! **Requests.** Where the page can listen on shared memory (`Atomics.waitAsync`,
    //! announced by `fast_requests` in the boot message), the worker writes the request into
    //! the separate request buffer, stores its length in [`REQUEST_LENGTH`] and sets
    //! [`REQUEST`] to [`POSTED`]: no `postMessage`, no structured clone. The request is the
    //! [`FromWorker`](crate::FromWorker) message as JSON, or for an FFI request
    //! [`FFI_FRAME`], the id, a space and the bare JSON request. Otherwise (and for a request
    //! larger than the buffer) the worker posts the message. A batch part
    //! ([`ffi::BatchPart`](crate::ffi::BatchPart)) travels the same way as
    //! [`BATCH_PART_FRAME`] and its JSON, with no reply, and so does a
    //! [`FromWorker::Release`](crate::FromWorker::Release) (as JSON), so that it runs after
    //! what was written before it. A part still in the buffer ([`REQUEST`] not back to 0)
    //! goes first: the worker does not write another part then (it keeps those operations for
    //! a later part), and any other request, whichever way it goes, waits until the page has
    //! taken the part.
    //!
    //! **Replies.** The [`STATE`] word says which request the worker waits for and how far
    //! it got: [`state`]`(id, phase)`. The page writes a reply only while the state is
    //! `state(id, WAITING)`, then flips it with a compare-and-swap to `state(id, REPLIED)`
    //! (or `GROW`), so a reply to a request the worker gave up on (interrupt, timeout) is
    //! never written over a newer one: giving up sets the state to [`IDLE`].
    //!
    //! **Interrupt.** The page sets [`INTERRUPT`] and wakes both words; the worker checks
    //! it while waiting (in slices of at most [`WAIT_SLICE_MS`]), while sleeping and at each
    //! call into its host, and raises `KeyboardInterrupt`.
    //!
    //! **Calls from the page.** A page calls a worker's export by posting
    //! [`ToWorker::Call`](crate::ToWorker::Call). After a call answered at once, the worker
    //! watches [`CALL_WATCH_MS`] for the next one instead of going back to sleep in its event
    //! loop (a posted message must then wake its thread: most of a page's `await
    //! worker.ping()` on a small VM): it sets [`CALL`] to [`CALL_OPEN`]. A page that finds it
    //! open takes it with a compare-and-swap to [`CALL_WRITING`], writes the call's JSON
    //! into the request buffer (free: the worker writes no request while it watches, and the
    //! page takes it only when no request is in it), stores its length in [`CALL_LENGTH`] and
    //! sets [`CALL_WRITTEN`]; a call that is not ASCII or does not fit is posted, and
    //! [`CALL`] goes back to [`CALL_CLOSED`]. A worker done watching closes the window with a
    //! compare-and-swap from [`CALL_OPEN`], so a call is either written or posted, never
    //! lost. The window keeps the order of the page's messages: the page counts in
    //! [`MESSAGES_POSTED`] every text message it posts to the worker, the worker in
    //! [`MESSAGES_TAKEN`] every one it took from its queue; the page uses the window only
    //! when the two are equal (no message is still queued, such as an interrupt request that
    //! must be handled before the next call runs), and a watching worker that sees them
    //! differ closes the window at once to take the message.

    /// Index of the state word: [`state`]`(id, phase)`, or [`IDLE`].
    pub const STATE: u32 = 0;
    /// Index of the reply length (or, in [`GROW`], the length needed).
    pub const LENGTH: u32 = 1;
    /// Index of the request word: [`POSTED`] while a request waits in the request buffer.
    pub const REQUEST: u32 = 2;
    /// Index of the length of the request in the request buffer.
    pub const REQUEST_LENGTH: u32 = 3;
    /// Index of the interrupt flag: 1 when the page asked to interrupt the running code.
    pub const INTERRUPT: u32 = 4;
    /// Index of the count of [`FromWorker::Output`](crate::FromWorker::Output) messages
    /// the page has handled (wrapping); the page adds 1 and wakes it after each. A worker
    /// gathers lines into one message while [`OUTPUT_GATHER_AT`] messages are unhandled, and
    /// waits (back-pressure) before posting one more while [`OUTPUT_MAX_UNHANDLED`] are.
    pub const OUTPUT_SEEN: u32 = 5;
    /// Index of the call window's state: [`CALL_CLOSED`], [`CALL_OPEN`], [`CALL_WRITING`] or
    /// [`CALL_WRITTEN`].
    pub const CALL: u32 = 6;
    /// Index of the length of the call the page wrote into the request buffer.
    pub const CALL_LENGTH: u32 = 7;
    /// Index of the count of text messages the worker took from its queue (wrapping).
    pub const MESSAGES_TAKEN: u32 = 8;
    /// Index of the count of text messages the page posted to the worker (wrapping).
    pub const MESSAGES_POSTED: u32 = 9;
    /// [`CALL`]: the worker does not watch for a call (the page posts it).
    pub const CALL_CLOSED: i32 = 0;
    /// [`CALL`]: the worker watches for the page's next call.
    pub const CALL_OPEN: i32 = 1;
    /// [`CALL`]: the page is writing a call into the request buffer.
    pub const CALL_WRITING: i32 = 2;
    /// [`CALL`]: a call of [`CALL_LENGTH`] bytes is in the request buffer.
    pub const CALL_WRITTEN: i32 = 3;
    /// How long a worker watches for the page's next call after one it answered at once, by
    /// default (milliseconds; the config's `call_watch_ms`; none with `"spin": false`).
    pub const CALL_WATCH_MS: f64 = 0.3;
    /// The longest a worker runs calls taken through the window back to back before its
    /// event loop gets a turn (milliseconds; the config's `call_watch_ms` if longer, since a
    /// watch that long keeps the event loop waiting as long anyway).
    pub const CALL_SLICE_MS: f64 = 5.0;
    /// Unhandled output messages from which a worker gathers lines instead of posting each.
    pub const OUTPUT_GATHER_AT: u32 = 2;
    /// Unhandled output messages at which a worker waits for the page before posting more.
    pub const OUTPUT_MAX_UNHANDLED: u32 = 16;
    /// The most lines one output message gathers.
    pub const OUTPUT_MAX_LINES: usize = 1024;
    /// The most bytes of text one output message gathers (a longer line goes alone).
    pub const OUTPUT_MAX_BYTES: usize = 256 * 1024;
    /// How long a gathered line may wait for more while Python runs (milliseconds).
    pub const OUTPUT_HOLD_MS: f64 = 10.0;
    /// [`REQUEST`]: a request is in the request buffer (the page resets it to 0).
    pub const POSTED: i32 = 1;
    /// A request in the request buffer that starts with this byte is an FFI request
    /// (`J<id> <json>`); any other is a [`FromWorker`](crate::FromWorker) message as JSON.
    pub const FFI_FRAME: u8 = b'J';
    /// A request in the request buffer that starts with this byte is a batch part the page
    /// runs without answering (`K<json>`, an [`ffi::BatchPart`](crate::ffi::BatchPart)).
    pub const BATCH_PART_FRAME: u8 = b'K';
    /// Nothing in flight (also: the worker gave up on its request).
    pub const IDLE: i32 = 0;
    /// Phase: the worker posted request `id` and waits.
    pub const WAITING: i32 = 1;
    /// Phase: the reply to `id` is in the data buffer.
    pub const REPLIED: i32 = 2;
    /// Phase: the reply does not fit the data buffer: the worker posts a larger one
    /// (`grow`).
    pub const GROW: i32 = 3;
    /// The longest single `Atomics.wait` of a blocked worker, so that an interrupt is seen
    /// even when its wake-up raced the wait.
    pub const WAIT_SLICE_MS: f64 = 50.0;
    /// Bytes values at least this long in a worker's call result travel beside the message
    /// as transferred buffers ([`Value::take_large_bytes`](crate::Value::take_large_bytes)):
    /// the page neither parses nor decodes them.
    pub const TRANSFER_BYTES_FROM: usize = 64 * 1024;
    /// Bytes of the control block.
    pub const CONTROL_BYTES: u32 = 64;
    /// Initial size of the data buffer (replies) and of the request buffer.
    pub const INITIAL_DATA_BYTES: u32 = 64 * 1024;
    /// Default largest reply: 16 MiB.
    pub const DEFAULT_REPLY_LIMIT: usize = 16 * 1024 * 1024;

    /// The request id bits a state word keeps (ids wrap at 2^29).
    pub const STATE_ID_MASK: u64 = 0x1FFF_FFFF;
    /// Phases per id in a state word.
    pub const STATE_PHASES: i32 = 4;

    /// The state word for request `id` in `phase` (ids wrap at 2^29).
    pub fn state(id: u64, phase: i32) -> i32 {
        ((id & STATE_ID_MASK) as i32) * STATE_PHASES + phase
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// `one_of_each` has every kind (the match below stops compiling when a kind is
    /// added), each with its own `type` on the wire.
    #[test]
    fn one_of_each_holds_every_kind_under_its_wire_name() {
        let all = FromWorker::one_of_each();
        let mut seen = [false; 15];
        let mut kinds = std::collections::BTreeSet::new();
        for message in &all {
            let index = match message {
                FromWorker::Output { .. } => 0,
                FromWorker::Booted => 1,
                FromWorker::Ready { .. } => 2,
                FromWorker::SyncCall { .. } => 3,
                FromWorker::CallResult { .. } => 4,
                FromWorker::Js { .. } => 5,
                FromWorker::JsPart { .. } => 6,
                FromWorker::Abandoned { .. } => 7,
                FromWorker::Error { .. } => 8,
                FromWorker::Release { .. } => 9,
                FromWorker::Interrupt { .. } => 10,
                FromWorker::Failed { .. } => 11,
                FromWorker::Crashed { .. } => 12,
                FromWorker::Relay { .. } => 13,
                FromWorker::Grow { .. } => 14,
            };
            seen[index] = true;
            let json = serde_json::to_value(message).unwrap();
            assert!(kinds.insert(json["type"].to_string()), "{json}");
        }
        assert!(seen.iter().all(|s| *s), "a kind is missing: {seen:?}");
        let grow = serde_json::to_value(FromWorker::Grow { data: SharedBuffer }).unwrap();
        assert_eq!(grow, json!({"type": "grow", "data": null}));
    }

    #[test]
    fn worker_messages_have_the_shape_the_page_reads() {
        let output = FromWorker::Output {
            stream: OutputStream::Stderr,
            lines: vec!["héllo ✓".into(), String::new()],
        };
        assert_eq!(
            serde_json::to_value(&output).unwrap(),
            json!({"type": "output", "stream": "stderr", "lines": ["héllo ✓", ""]})
        );
        assert_eq!(
            serde_json::to_value(FromWorker::Ready {
                exports: vec!["add".into()]
            })
            .unwrap(),
            json!({"type": "ready", "exports": ["add"]})
        );
        assert_eq!(
            serde_json::to_value(FromWorker::Booted).unwrap(),
            json!({"type": "booted"})
        );
        let failed = FromWorker::Failed {
            traceback: "Traceback ...".into(),
        };
        let back: FromWorker =
            serde_json::from_value(serde_json::to_value(&failed).unwrap()).unwrap();
        assert_eq!(back, failed);
        assert_eq!(
            serde_json::to_value(FromWorker::Interrupt { delivered: true }).unwrap(),
            json!({"type": "interrupt", "delivered": true})
        );
    }

    #[test]
    fn the_interrupt_message_is_the_text_the_page_posts() {
        // rustpy.js posts JSON.stringify("interrupt").
        assert_eq!(
            serde_json::from_str::<ToWorker>("\"interrupt\"").unwrap(),
            ToWorker::Interrupt
        );
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
        let ok: SyncReply = serde_json::from_str(r#"{"ok":42}"#).unwrap();
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
        let call: ToWorker =
            serde_json::from_str(r#"{"call": {"id": 3, "name": "add", "args": []}}"#).unwrap();
        assert_eq!(
            call,
            ToWorker::Call {
                id: 3,
                name: "add".into(),
                args: Value::List(vec![])
            }
        );
        let callback: ToWorker =
            serde_json::from_str(r#"{"callback": {"id": 4, "args": "[1]"}}"#).unwrap();
        assert_eq!(
            callback,
            ToWorker::Callback {
                id: 4,
                args: "[1]".into()
            }
        );
        assert!(serde_json::from_str::<ToWorker>(r#"{"type": "call", "id": 3}"#).is_err());
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
    fn state_words_name_the_request_and_wrap() {
        use channel::{GROW, REPLIED, WAITING, state};
        assert_eq!(state(1, WAITING), 5);
        assert_ne!(state(7, REPLIED), state(8, REPLIED));
        assert_ne!(state(7, WAITING), state(7, GROW));
        // Ids wrap at 2^29 and stay positive, so IDLE (0) never names a request.
        assert_eq!(state(1 << 29, WAITING), state(0, WAITING));
        assert!(state(u64::MAX, GROW) > 0);
    }

    #[test]
    fn malformed_boot_is_an_error() {
        assert!(serde_json::from_value::<Boot>(json!({"source": 3})).is_err());
    }
}
