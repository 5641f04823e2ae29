//! Without shared memory, the relay service worker (`web/sw/relay.js`, served as
//! `rustpy-sw.js`) stands in for the control block's `INTERRUPT` and `OUTPUT_SEEN` words
//! (`rustpy_bridge::channel`): it holds the page's interrupt request and the count of
//! output messages the page handled, which the page's relay client (`web/page/relay.js`)
//! sends it. This is the worker's end: a synchronous request to the relay, at most every
//! [`RELAY_POLL_MS`] while Python runs, takes the interrupt request and reads the count;
//! `time.sleep` and a wait for the page to read output are requests the relay holds and
//! ends early for an interrupt.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use rustpy_web_host::InterruptSource;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// `web/worker/main.js`: a synchronous GET of the relay, `[status, text, relayed]`.
    #[wasm_bindgen(catch, js_name = rustpyRelayGet)]
    fn relay_get(url: &str) -> Result<js_sys::Array, JsValue>;
}

/// How often running Python asks the relay for an interrupt request, at most, in
/// milliseconds: each request is a synchronous XHR to the service worker (about a
/// millisecond in WebKitGTK), so this costs running Python about 2 % and bounds how long
/// `interrupt()` takes to reach it.
pub(crate) const RELAY_POLL_MS: f64 = 50.0;

/// HTTP status the relay answers when the page interrupted the worker.
pub(crate) const RELAY_INTERRUPTED: u16 = 409;

/// The worker's view of its words in the relay.
pub(crate) struct RelayWords {
    /// `<scope>sync/<key>`, the relay's URLs for this worker.
    base: String,
    /// An interrupt request a poll took from the relay that nobody here took yet.
    pending: Cell<bool>,
    /// When the relay was last asked (`now_ms`); 0 makes the next look ask.
    polled: Cell<f64>,
    /// Output messages the page handled, as the relay last said.
    seen: Cell<u32>,
    /// The relay could not be asked (logged once; the worker goes on without polling).
    broken: Cell<bool>,
}

thread_local! {
    /// This worker's relay words, for the page's interrupt message ([`poll_now`]).
    static WORDS: RefCell<Option<Rc<RelayWords>>> = const { RefCell::new(None) };
}

impl RelayWords {
    /// The words of the worker whose relay URL (the boot message's `relay`) is `base`;
    /// kept for [`poll_now`].
    pub(crate) fn install(base: &str) -> Rc<Self> {
        let words = Rc::new(Self {
            base: base.to_string(),
            pending: Cell::new(false),
            polled: Cell::new(0.0),
            seen: Cell::new(0),
            broken: Cell::new(false),
        });
        WORDS.with(|slot| *slot.borrow_mut() = Some(words.clone()));
        words
    }

    /// Asks the relay `<base>/<what>`: its status and text, `None` if it cannot be asked.
    fn get(&self, what: &str) -> Option<(u16, String)> {
        if self.broken.get() {
            return None;
        }
        let url = format!("{}/{what}", self.base);
        let answer = relay_get(&url)
            .ok()
            .filter(|answer| answer.get(2).is_truthy());
        let Some(answer) = answer else {
            self.broken.set(true);
            crate::console_error(&format!(
                "rustpy worker: the relay service worker did not answer {url}: interrupt() \
                 cannot reach running Python, and output is not held back"
            ));
            return None;
        };
        let status = answer.get(0).as_f64().unwrap_or(0.0) as u16;
        Some((status, answer.get(1).as_string().unwrap_or_default()))
    }

    /// Reads an answer `"<interrupt 0|1> <seen>"` of the relay.
    fn read_words(&self, text: &str) -> bool {
        let mut words = text.split(' ');
        let interrupt = words.next() == Some("1");
        if let Some(seen) = words.next().and_then(|n| n.parse::<u64>().ok()) {
            self.seen.set(seen as u32);
        }
        interrupt
    }

    /// Takes the relay's interrupt request, if any, into `pending`, and reads the count.
    fn poll(&self) {
        self.polled.set(crate::now_ms());
        if let Some((200, text)) = self.get("poll")
            && self.read_words(&text)
        {
            self.pending.set(true);
        }
    }

    /// Polls unless the relay was asked less than [`RELAY_POLL_MS`] ago.
    fn poll_if_due(&self) {
        if crate::now_ms() - self.polled.get() >= RELAY_POLL_MS {
            self.poll();
        }
    }

    /// Output messages the page handled (asking the relay when due).
    pub(crate) fn seen(&self) -> u32 {
        self.poll_if_due();
        self.seen.get()
    }

    /// Blocks until the page handled `at_least` output messages, an interrupt request is
    /// waiting, or `ms` passed; true if an interrupt request is waiting (not taken: the
    /// next check takes it).
    pub(crate) fn wait_for_output(&self, at_least: u32, ms: f64) -> bool {
        if self.pending.get() {
            return true;
        }
        match self.get(&format!("seen?atLeast={at_least}&ms={}", ms.ceil())) {
            Some((200, text)) if self.read_words(&text) => {
                self.polled.set(0.0);
                true
            }
            Some((200, _)) => false,
            // Not held back any more (logged in `get`).
            _ => true,
        }
    }
}

impl InterruptSource for RelayWords {
    fn requested(&self) -> bool {
        if !self.pending.get() {
            self.poll_if_due();
        }
        self.pending.get()
    }

    fn take(&self) -> bool {
        self.requested();
        self.pending.replace(false)
    }

    fn wait(&self, ms: f64) -> Result<(), String> {
        if self.pending.get() {
            return Ok(());
        }
        match self.get(&format!("sleep?ms={}", ms.ceil())) {
            Some((200, _)) => Ok(()),
            Some((RELAY_INTERRUPTED, _)) => {
                self.pending.set(true);
                Ok(())
            }
            Some((status, text)) => Err(format!(
                "the relay service worker answered a sleep with HTTP {status}: {text}"
            )),
            None => {
                // No relay to hold it (logged once): spin, as a page's thread does.
                let until = crate::now_ms() + ms;
                while crate::now_ms() < until {
                    std::hint::spin_loop();
                }
                Ok(())
            }
        }
    }
}

/// The page asked for an interrupt while this worker ran nothing: take it from the relay
/// now (the caller drops it), whenever the last poll was.
pub(crate) fn poll_now() {
    if let Some(words) = WORDS.with(|slot| slot.borrow().clone()) {
        words.poll();
    }
}
