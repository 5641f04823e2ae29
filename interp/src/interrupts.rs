//! Interrupting running Python: `worker.interrupt()` raises `KeyboardInterrupt` even in a
//! loop that never waits, prints nor calls the page (`while True: pass`).
//!
//! RustPython 0.6 compiles its per-instruction signal check out on wasm32
//! (`VirtualMachine::eval_breaker_tripped` is `false` there), so rustpy counts checks of its
//! own and, every [`CHECK_EVERY`]th one, asks the host whether the page asked for an
//! interrupt (an `Atomics.load` of the control block in a browser). Two ways to count,
//! chosen by [`InterruptChecks`]:
//!
//! - [`InterruptChecks::InUserCode`] (the default): the user's code is rewritten as it is
//!   compiled (`transform.rs`) so that every loop turn and every function call counts,
//!   through native builtins (`checks.rs`) and rustpy's own `compile`, `exec` and `eval`.
//!   It costs about a tenth of a loop turn or a call; code that was compiled before (the
//!   standard library, rustpy's own modules) runs without checks.
//! - [`InterruptChecks::Everywhere`]: a native `sys.monitoring` callback counts every
//!   backward jump and function start of all code, the standard library's too
//!   (`monitoring.rs`). It costs about as much as the loop turn or call it counts.
//!
//! A check raises `KeyboardInterrupt` where the user's code runs, so the traceback points
//! at the user's line and `try/except KeyboardInterrupt` catches it as usual. Native code
//! that runs no Python instruction (`sum(range(10**12))`, a regex) cannot be interrupted:
//! the page's `interrupt()` promise rejects after its bound and `restart()` is the way
//! out.

mod checks;
mod monitoring;
mod transform;

use std::cell::Cell;

use rustpython_vm::{PyResult, VirtualMachine};

use crate::ffi::round_trip::keyboard_interrupt;
use crate::thread_host::host;

pub(crate) use checks::module_def;

/// Where `worker.interrupt()` reaches running Python that never waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InterruptChecks {
    /// Every loop turn and function call of the user's code (scripts, imported modules,
    /// `exec`, `eval` and `compile` from now on), by a rewrite of the code as it is
    /// compiled. Cheap; the standard library's own loops are not checked.
    InUserCode,
    /// Every backward jump and function start of all Python code, by a `sys.monitoring`
    /// callback. About twice as slow on loops and calls as no checks.
    Everywhere,
}

/// How many checks pass between two looks at the interrupt flag. A look costs more than a
/// check (a call into JS against a counter), so this keeps it out of the way; at well
/// under a microsecond a check it bounds the delay to a few tens of microseconds.
pub const CHECK_EVERY: u32 = 64;

thread_local! {
    /// Checks left until the next look at the interrupt flag.
    static COUNTDOWN: Cell<u32> = const { Cell::new(CHECK_EVERY) };
}

/// Installs the checks `how` describes, for all code that starts running from now on.
pub(crate) fn install(how: InterruptChecks, vm: &VirtualMachine) -> PyResult<()> {
    match how {
        InterruptChecks::InUserCode => checks::install(vm),
        InterruptChecks::Everywhere => monitoring::install(vm),
    }
}

/// Counts one check; every [`CHECK_EVERY`]th, true if the page asked for an interrupt
/// (the request stays pending: [`take`] takes it).
fn due() -> bool {
    let left = COUNTDOWN.with(Cell::get);
    if left > 1 {
        COUNTDOWN.with(|countdown| countdown.set(left - 1));
        return false;
    }
    COUNTDOWN.with(|countdown| countdown.set(CHECK_EVERY));
    let host = host();
    host.running();
    host.interrupt_requested()
}

/// Makes the next check look at the flag (the last one was in code that may not take it).
fn look_at_next_check() {
    COUNTDOWN.with(|countdown| countdown.set(1));
}

/// Takes the page's pending request, as a `KeyboardInterrupt` to raise.
fn take(vm: &VirtualMachine) -> PyResult<()> {
    if host().interrupted() {
        return Err(keyboard_interrupt(vm));
    }
    Ok(())
}

/// One check: raises `KeyboardInterrupt` if one is due.
fn check(vm: &VirtualMachine) -> PyResult<()> {
    if due() { take(vm) } else { Ok(()) }
}
