//! The releases of dead proxies' page handles, queued and sent in batches.

use std::cell::RefCell;

use crate::thread_host::host;

/// Releases queued by dying proxies: `(handle, count)` pairs, flattened. They go to the
/// page when this many piled up, when Python asks for the live-handle count, and when the
/// interpreter returns to its host (end of a script, call or callback): not before every
/// request, which cost a message (and a wake-up of the page) per request.
const RELEASE_BATCH: usize = 512;

thread_local! {
    static RELEASES: RefCell<Vec<u64>> = const { RefCell::new(Vec::new()) };
}

/// Queues the release of `count` references to `handle` (see [`RELEASE_BATCH`]).
pub(crate) fn queue_release(handle: u64, count: u64) {
    let full = RELEASES.with(|queue| {
        let mut queue = queue.borrow_mut();
        queue.extend([handle, count]);
        queue.len() >= RELEASE_BATCH * 2
    });
    if full {
        flush_releases();
    }
}

/// Sends the queued releases to the page (see [`RELEASE_BATCH`] for when).
pub(crate) fn flush_releases() {
    let handles = RELEASES.with(|queue| std::mem::take(&mut *queue.borrow_mut()));
    if !handles.is_empty() {
        host().page().js_release(&handles);
    }
}
