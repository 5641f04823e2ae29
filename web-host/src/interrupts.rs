//! Where a worker's interrupt requests wait to be taken: the shared control block, or the
//! relay service worker (see [`InterruptSource`]).

use js_sys::Int32Array;
use rustpy_bridge::channel::INTERRUPT;

/// Where a worker's interrupt requests (`worker.interrupt()`) wait to be taken: the shared
/// control block's `INTERRUPT` word ([`SharedInterrupt`]), or, without shared memory, the
/// relay service worker, which the worker asks (`worker-entry`'s `relay.rs`).
pub trait InterruptSource {
    /// True while a request is pending, without taking it. May ask the page's side, so it
    /// is called at most every few hundred Python instructions.
    fn requested(&self) -> bool;
    /// Takes the pending request: true if there was one.
    fn take(&self) -> bool;
    /// Blocks for `ms` milliseconds at most, less when a request arrives (left pending).
    fn wait(&self, ms: f64) -> Result<(), String>;
}

/// The `INTERRUPT` word of a worker's shared control block (`rustpy_bridge::channel`).
pub struct SharedInterrupt(pub Int32Array);

impl InterruptSource for SharedInterrupt {
    fn requested(&self) -> bool {
        js_sys::Atomics::load(&self.0, INTERRUPT).is_ok_and(|flag| flag != 0)
    }

    fn take(&self) -> bool {
        js_sys::Atomics::exchange(&self.0, INTERRUPT, 0).is_ok_and(|flag| flag != 0)
    }

    fn wait(&self, ms: f64) -> Result<(), String> {
        // `worker.interrupt()` notifies the word: the wait ends at once.
        js_sys::Atomics::wait_with_timeout(&self.0, INTERRUPT, 0, ms)
            .map(|_| ())
            .map_err(|e| format!("Atomics.wait failed: {e:?}"))
    }
}
