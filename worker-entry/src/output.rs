//! A worker's output on its way to the page. A line is posted at once while the page keeps
//! up; while it is behind (`OUTPUT_GATHER_AT` output messages unhandled), lines are
//! gathered into one message; with `OUTPUT_MAX_UNHANDLED` unhandled the worker waits for
//! the page before posting more (back-pressure: the page's backlog, and its memory, stay
//! bounded). The page counts the messages it handled in the control block's `OUTPUT_SEEN`
//! word (see `rustpy_bridge::channel`). Without shared memory the relay service worker
//! keeps that count (`relay.rs`), read when the worker polls it and waited on the same way;
//! with neither, each line is posted at once.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Atomics, Int32Array};
use rustpy_bridge::channel::{
    INTERRUPT, OUTPUT_GATHER_AT, OUTPUT_HOLD_MS, OUTPUT_MAX_BYTES, OUTPUT_MAX_LINES,
    OUTPUT_MAX_UNHANDLED, OUTPUT_SEEN, WAIT_SLICE_MS,
};
use rustpy_bridge::{FromWorker, OutputStream};
use rustpy_interp::Stream;
use rustpy_web_host::OutputSink;

use crate::relay::RelayWords;
use crate::{now_ms, post};

/// How long one wait for the relay's count lasts at most, in milliseconds (an interrupt
/// ends it at once; the wait goes on while the page is still behind).
const RELAY_OUTPUT_WAIT_MS: f64 = 1000.0;

/// How long [`OutputSink::drain`] waits for the page at most, in milliseconds.
const DRAIN_MS: f64 = 2000.0;

/// Lines gathered for one message.
#[derive(Default)]
struct Gathered {
    stream: Option<OutputStream>,
    lines: Vec<String>,
    bytes: usize,
    /// When the first of `lines` was written (`now_ms`).
    since: f64,
}

/// The worker's [`OutputSink`].
pub(crate) struct GatheredOutput {
    control: Option<Int32Array>,
    /// Without shared memory: the relay, which keeps the page's count.
    relay: Option<Rc<RelayWords>>,
    gathered: RefCell<Gathered>,
    /// Output messages posted (wrapping, compared with the page's `OUTPUT_SEEN`).
    posted: Cell<u32>,
}

impl GatheredOutput {
    /// Output for a worker whose page shares `control`, or else counts through `relay`
    /// (or neither).
    pub(crate) fn new(control: Option<Int32Array>, relay: Option<Rc<RelayWords>>) -> Self {
        Self {
            control,
            relay,
            gathered: RefCell::default(),
            posted: Cell::new(0),
        }
    }

    /// Output messages posted that the page has not handled yet (0 without a count).
    fn unhandled(&self) -> u32 {
        let seen = match (&self.control, &self.relay) {
            (Some(control), _) => Atomics::load(control, OUTPUT_SEEN).unwrap_or(0) as u32,
            (None, Some(relay)) => relay.seen(),
            (None, None) => return 0,
        };
        unhandled(self.posted.get(), seen)
    }

    /// Posts the gathered lines as one message, after waiting while the page has
    /// `OUTPUT_MAX_UNHANDLED` unhandled. The wait ends early when the page asks for an
    /// interrupt (Python's next check raises it), so it never outlasts `interrupt()`.
    fn post_gathered(&self) {
        let gathered = std::mem::take(&mut *self.gathered.borrow_mut());
        let Some(stream) = gathered.stream else {
            return;
        };
        self.wait_for_page(OUTPUT_MAX_UNHANDLED - 1, None);
        post(&FromWorker::Output {
            stream,
            lines: gathered.lines,
        });
        self.posted.set(self.posted.get().wrapping_add(1));
    }

    /// Waits until the page has at most `most` of the output messages posted so far
    /// unhandled, an interrupt is asked for, or `deadline` (on [`now_ms`]'s clock) passes.
    /// Without `Atomics.wait` (or without a count) it does not wait.
    fn wait_for_page(&self, most: u32, deadline: Option<f64>) {
        let posted = self.posted.get();
        let left = || deadline.map_or(f64::INFINITY, |deadline| deadline - now_ms());
        if let Some(control) = &self.control {
            loop {
                let seen = Atomics::load(control, OUTPUT_SEEN).unwrap_or(0);
                let interrupt = Atomics::load(control, INTERRUPT).unwrap_or(0) != 0;
                if unhandled(posted, seen as u32) <= most || interrupt || left() <= 0.0 {
                    return;
                }
                let slice = left().min(WAIT_SLICE_MS);
                if Atomics::wait_with_timeout(control, OUTPUT_SEEN, seen, slice).is_err() {
                    return; // no Atomics.wait here: go on without waiting
                }
            }
        } else if let Some(relay) = &self.relay {
            while unhandled(posted, relay.seen()) > most && left() > 0.0 {
                let at_least = posted.wrapping_sub(most);
                if relay.wait_for_output(at_least, left().min(RELAY_OUTPUT_WAIT_MS)) {
                    return;
                }
            }
        }
    }
}

/// `posted - seen` as counts that wrap: how far the page is behind. Never negative: a page
/// count ahead of ours (a miscount) must not hold output back.
fn unhandled(posted: u32, seen: u32) -> u32 {
    u32::try_from(posted.wrapping_sub(seen) as i32).unwrap_or(0)
}

impl OutputSink for GatheredOutput {
    fn line(&self, stream: Stream, line: &str) {
        let stream = match stream {
            Stream::Stdout => OutputStream::Stdout,
            Stream::Stderr => OutputStream::Stderr,
        };
        let other_stream = {
            let gathered = self.gathered.borrow();
            gathered.stream.is_some_and(|s| s != stream)
        };
        if other_stream {
            self.post_gathered();
        }
        let full = {
            let mut gathered = self.gathered.borrow_mut();
            if gathered.lines.is_empty() {
                gathered.stream = Some(stream);
                gathered.since = now_ms();
            }
            gathered.bytes += line.len();
            gathered.lines.push(line.to_string());
            gathered.lines.len() >= OUTPUT_MAX_LINES || gathered.bytes >= OUTPUT_MAX_BYTES
        };
        if full || self.unhandled() < OUTPUT_GATHER_AT {
            self.post_gathered();
        }
    }

    fn flush_held(&self) {
        self.post_gathered();
    }

    fn drain(&self) {
        self.post_gathered();
        // Every message handled, an interrupt asked for, or DRAIN_MS passed (a page busy
        // elsewhere does not hold the worker for long).
        self.wait_for_page(0, Some(now_ms() + DRAIN_MS));
    }

    fn running(&self) {
        let since = {
            let gathered = self.gathered.borrow();
            if gathered.lines.is_empty() {
                return;
            }
            gathered.since
        };
        if now_ms() - since >= OUTPUT_HOLD_MS || self.unhandled() < OUTPUT_GATHER_AT {
            self.post_gathered();
        }
    }
}
