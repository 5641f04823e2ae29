//! What the interpreter hands its host when control goes back to it: output, releases and
//! the results of exported calls.

use rustpython_vm::{PyObjectRef, VirtualMachine};

use crate::ffi::releases::flush_releases;
use crate::thread_host::{flush_output, host};

/// What the interpreter owes its host when it hands control back (end of a script, call
/// or callback): unfinished output lines and the releases of dead proxies.
pub(crate) fn flush_to_host() {
    flush_output();
    flush_releases();
}

/// Hands the outcome of an exported call to the host (after the output the call printed):
/// its value, copied out of Python, or the traceback text.
pub(crate) fn export_result(
    call_id: u64,
    outcome: Result<PyObjectRef, String>,
    vm: &VirtualMachine,
) {
    flush_output();
    let result = outcome.and_then(|value| {
        crate::ffi::convert::to_value(
            &value,
            crate::ffi::convert::Mode::Copy,
            "the result of an exported function",
            vm,
        )
        .map_err(|exc| crate::format_exception(vm, &exc))
    });
    // The proxies the call dropped are given back before its result: when the page's
    // promise settles, its handle count no longer holds them.
    flush_releases();
    host().page().export_result(call_id, result);
}
