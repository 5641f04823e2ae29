// The worker end of the call window (rustpy_bridge::channel, "Calls from the page"), the
// mirror of `SharedChannel.post`/`handCall` in ../page/channel.js: after a call answered at
// once, the worker watches the control block for the page's next call for a moment instead
// of going back to sleep in its event loop, where a posted message must wake its thread.

import {
  CALL, CALL_CLOSED, CALL_LENGTH, CALL_OPEN, CALL_WRITING, CALL_WRITTEN,
  MESSAGES_POSTED, MESSAGES_TAKEN, WAIT_SLICE_MS,
} from "../shared/wire.js";
import { readText } from "../shared/shared-text.js";

/** How long the worker waits for a page that took the window to finish writing (ms): it
 * writes without yielding, so only a page that died midway takes this long. */
const WRITING_LIMIT_MS = 1000;

export class CallWindow {
  #control;
  #requests;

  /** Over the boot message's `control` and `requests` shared buffers. */
  constructor(control, requests) {
    this.#control = new Int32Array(control);
    this.#requests = requests;
  }

  /** Counts a text message taken from the worker's queue (the page compares its own count). */
  took() {
    Atomics.add(this.#control, MESSAGES_TAKEN, 1);
  }

  /**
   * Watches up to `watchMs` for the page's next call: its JSON text, or null when none came
   * or the page posted a message meanwhile (the window is closed again: the page posts).
   */
  next(watchMs) {
    const control = this.#control;
    Atomics.store(control, CALL, CALL_OPEN);
    const until = performance.now() + watchMs;
    while (Atomics.load(control, CALL) === CALL_OPEN) {
      const posted = Atomics.load(control, MESSAGES_POSTED) !== Atomics.load(control, MESSAGES_TAKEN);
      if (
        (posted || performance.now() >= until) &&
        Atomics.compareExchange(control, CALL, CALL_OPEN, CALL_CLOSED) === CALL_OPEN
      ) {
        return null;
      }
    }
    const writingUntil = performance.now() + WRITING_LIMIT_MS;
    while (Atomics.load(control, CALL) === CALL_WRITING && performance.now() < writingUntil) {
      Atomics.wait(control, CALL, CALL_WRITING, WAIT_SLICE_MS);
    }
    if (Atomics.compareExchange(control, CALL, CALL_WRITTEN, CALL_CLOSED) !== CALL_WRITTEN) {
      // The page posts this call instead (it did not fit), or never finished writing it.
      Atomics.store(control, CALL, CALL_CLOSED);
      return null;
    }
    return readText(this.#requests, Atomics.load(control, CALL_LENGTH));
  }
}
