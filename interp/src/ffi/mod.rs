//! The FFI engine: how Python's `js` proxies reach JavaScript objects (`rustpy_bridge::ffi`
//! defines the operations and their wire form). `_rustpy_host` ([`crate::host_module`])
//! is its Python face; the engine, one job per file:
//!
//! - [`hooks`]: what `_rustpy_ffi` registers (its proxy and method classes);
//! - [`registry`]: the proxies' native classes, their state, and the live proxy of each
//!   page handle;
//! - [`proxies`]: the proxies' attribute reads, writes and calls (the hot paths of
//!   `JsProxy` and `JsMethod`);
//! - [`convert`]: Python values to wire values and back;
//! - [`operands`]: Python values written as an operation's operands;
//! - [`wire_op`]: one operation in wire form, run at once or queued;
//! - [`batch`]: the `with batch():` engine and its placeholders;
//! - [`direct`]: the direct path for reads and calls on this thread's own table;
//! - [`round_trip`]: a request's round trip and the exceptions its failures raise;
//! - [`releases`]: dead proxies' handles, given back in batches.

pub(crate) mod batch;
pub(crate) mod convert;
pub(crate) mod direct;
pub(crate) mod hooks;
pub(crate) mod operands;
pub(crate) mod proxies;
pub(crate) mod registry;
pub(crate) mod releases;
pub(crate) mod round_trip;
pub(crate) mod wire_op;
