//! Timers due at once (`delay 0`: the asyncio loop's "run the ready queue") through a
//! `MessageChannel` instead of `setTimeout`: a posted message runs as the next task of the
//! event loop, while `setTimeout(0)` waits for the timer queue (and, nested, at least 4 ms).
//! It stays a task, not a microtask, so Python that keeps rescheduling itself
//! (`await asyncio.sleep(0)` in a loop) still lets the page handle input and render
//! between turns.

use std::cell::RefCell;
use std::collections::VecDeque;

use wasm_bindgen::prelude::*;
use web_sys::{MessageChannel, MessagePort};

/// The channel of this thread: its sending port, and the handler on the receiving one.
struct Channel {
    send: MessagePort,
    _receive: MessagePort,
    _handler: Closure<dyn FnMut()>,
}

thread_local! {
    static CHANNEL: RefCell<Option<Channel>> = const { RefCell::new(None) };
    /// The timers posted and not fired yet, in order (one message each).
    static DUE: RefCell<VecDeque<u64>> = const { RefCell::new(VecDeque::new()) };
}

/// Makes `fire(timer_id)` run as a task of its own, as soon as the event loop gets to it.
/// `false` if this realm has no `MessageChannel` (the caller falls back to `setTimeout`).
pub fn schedule(timer_id: u64, fire: fn(u64)) -> bool {
    CHANNEL.with(|channel| {
        let mut channel = channel.borrow_mut();
        if channel.is_none() {
            *channel = open(fire);
        }
        let Some(open) = channel.as_ref() else {
            return false;
        };
        DUE.with(|due| due.borrow_mut().push_back(timer_id));
        if open.send.post_message(&JsValue::NULL).is_err() {
            DUE.with(|due| due.borrow_mut().pop_back());
            return false;
        }
        true
    })
}

/// A channel whose messages each fire the oldest due timer.
fn open(fire: fn(u64)) -> Option<Channel> {
    let channel = MessageChannel::new().ok()?;
    let handler = Closure::<dyn FnMut()>::new(move || {
        if let Some(timer_id) = DUE.with(|due| due.borrow_mut().pop_front()) {
            fire(timer_id);
        }
    });
    let receive = channel.port1();
    receive.set_onmessage(Some(handler.as_ref().unchecked_ref()));
    Some(Channel {
        send: channel.port2(),
        _receive: receive,
        _handler: handler,
    })
}
