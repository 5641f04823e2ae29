// The page end of a worker's shared-memory channel, the mirror of
// worker-entry/src/channel.rs (the worker end): the worker writes a blocking request into
// the request buffer and waits on the control block's state word; the page serves it,
// writes the reply into the data buffer and wakes it. Layout, states and frames:
// rustpy_bridge::channel, generated into ../shared/wire.js.

import {
  BUFFER_BYTES, CALL, CALL_CLOSED, CALL_LENGTH, CALL_OPEN, CALL_WRITING, CALL_WRITTEN,
  CONTROL_BYTES, GROW, INTERRUPT, LENGTH, MESSAGES_POSTED, MESSAGES_TAKEN, OUTPUT_SEEN, POSTED, REPLIED, REQUEST,
  REQUEST_LENGTH, STATE, WAITING, stateOf,
} from "../shared/wire.js";
import { readText, writeAscii } from "../shared/shared-text.js";

/**
 * Whether the page can wait on shared memory without blocking (`Atomics.waitAsync`): then
 * workers hand it their blocking requests through the request buffer instead of postMessage
 * (much lower latency).
 */
export const FAST_REQUESTS = typeof Atomics.waitAsync === "function";

// After serving a request the page watches briefly for the worker's next one: a worker in a
// loop of page calls sends it within microseconds, and letting the page fall asleep in
// between costs a thread wake-up per call (tens of microseconds on small VMs). Requests
// served back to back give the event loop a turn at least every LISTEN_SLICE_MS.
/** How long the page watches for the next request after serving one, by default (ms). */
export const LISTEN_SPIN_MS = 0.05;
const LISTEN_SLICE_MS = 5;

/** A promise that settles in a later task, after the event loop ran what was waiting. */
function yieldToEventLoop() {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

/**
 * One run's shared-memory channel with its worker: the control block, the reply (data)
 * buffer and the request buffer, made by the page and sent in the boot message. Once
 * closed (the worker was terminated, restarted or crashed) it writes no reply and its
 * listener lets go of the buffers.
 */
export class SharedChannel {
  #control = new Int32Array(new SharedArrayBuffer(CONTROL_BYTES));
  #data = new SharedArrayBuffer(BUFFER_BYTES);
  #requests = new SharedArrayBuffer(BUFFER_BYTES);
  #pendingReply = null; // {bytes, id} waiting for the worker's larger buffer
  #closed = false;

  /** The buffers as the boot message carries them (`rustpy_bridge::Boot`). */
  get bootFields() {
    return { control: this.#control.buffer, data: this.#data, requests: this.#requests };
  }

  /** Whether the worker is gone: nothing more is written or served. */
  get closed() {
    return this.#closed;
  }

  /** Ends the channel: wakes the listener so that it sees the worker gone and lets go of
   * the buffers (a wait nobody ends held them for good). */
  close() {
    this.#closed = true;
    this.#pendingReply = null;
    Atomics.notify(this.#control, REQUEST);
  }

  /**
   * Serves the blocking requests the worker writes into the request buffer, calling
   * `serve(text)` for each, until the channel closes. After each it watches `spinMs` for the
   * next one (0: it waits at once), unless `answering()` says a reply is still being made
   * (a page function's promise: spinning would only hold back the microtasks that bring
   * it, and the worker posts nothing before it).
   */
  async listen(spinMs, serve, answering) {
    const control = this.#control;
    let sliceStart = performance.now();
    while (!this.#closed) {
      const until = answering() ? 0 : performance.now() + spinMs;
      while (Atomics.load(control, REQUEST) !== POSTED && performance.now() < until);
      if (Atomics.load(control, REQUEST) !== POSTED) {
        const waiting = Atomics.waitAsync(control, REQUEST, 0);
        if (waiting.async) await waiting.value;
        sliceStart = performance.now();
        continue;
      }
      if (performance.now() - sliceStart > LISTEN_SLICE_MS) {
        await yieldToEventLoop();
        sliceStart = performance.now();
        continue;
      }
      this.takeRequest(serve);
    }
  }

  /**
   * Posts `text` (a `ToWorker` message as JSON) to `worker`, counted: a call goes through
   * the call window only once the worker has taken every message posted before it, and a
   * worker watching the window leaves it to take this one.
   */
  post(worker, text) {
    Atomics.add(this.#control, MESSAGES_POSTED, 1);
    worker.postMessage(text);
  }

  /**
   * Hands the call `text` to the worker through the request buffer if the worker watches
   * for one (the call window, rustpy_bridge::channel); false when it must be posted: the
   * window is closed, a message posted before is still queued, a request is unread in the
   * buffer, or the text is not ASCII or does not fit.
   */
  handCall(text) {
    const control = this.#control;
    if (this.#closed || Atomics.load(control, MESSAGES_TAKEN) !== Atomics.load(control, MESSAGES_POSTED)) return false;
    if (Atomics.compareExchange(control, CALL, CALL_OPEN, CALL_WRITING) !== CALL_OPEN) return false;
    // The worker writes no request while it watches; one written before may be unread.
    const free = Atomics.load(control, REQUEST) !== POSTED;
    if (!free || text.length > this.#requests.byteLength || !writeAscii(text, new Uint8Array(this.#requests))) {
      Atomics.store(control, CALL, CALL_CLOSED);
      Atomics.notify(control, CALL);
      return false;
    }
    Atomics.store(control, CALL_LENGTH, text.length);
    Atomics.store(control, CALL, CALL_WRITTEN);
    Atomics.notify(control, CALL);
    return true;
  }

  /** Serves the request waiting in the request buffer with `serve(text)`, if there is one. */
  takeRequest(serve) {
    const control = this.#control;
    if (Atomics.load(control, REQUEST) !== POSTED) return;
    const text = readText(this.#requests, Atomics.load(control, REQUEST_LENGTH));
    Atomics.store(control, REQUEST, 0);
    // A worker request waits for the buffer to be free while a batch part is in it.
    Atomics.notify(control, REQUEST);
    // A malformed request is refused inside (the page's FFI answers one it cannot read;
    // a malformed message gets a console error, and the worker's wait is bounded).
    serve(text);
  }

  /**
   * `writeReply` for a reply that is ASCII text and fits the data buffer, without encoding
   * it first (TextEncoder cannot write into shared memory; encoding a short reply cost more
   * than serving the request). False, having written nothing, for any other text.
   */
  writeAsciiReply(text, id) {
    const waiting = this.#waitingFor(id);
    if (waiting === null) return true;
    if (text.length > this.#data.byteLength || !writeAscii(text, new Uint8Array(this.#data))) return false;
    this.#publishReply(id, waiting, REPLIED, text.length);
    return true;
  }

  /**
   * Writes the reply to request `id`, unless the worker gave up on it (interrupt, timeout:
   * the state word no longer says it waits for `id`; rustpy_bridge::channel). A reply
   * larger than the data buffer waits for the worker's larger one (`grow`).
   */
  writeReply(bytes, id) {
    const waiting = this.#waitingFor(id);
    if (waiting === null) return;
    if (bytes.length > this.#data.byteLength) {
      this.#pendingReply = { bytes, id };
      this.#publishReply(id, waiting, GROW, bytes.length);
      return;
    }
    new Uint8Array(this.#data).set(bytes);
    this.#publishReply(id, waiting, REPLIED, bytes.length);
  }

  /** The worker's larger data buffer arrived (`grow` message): the waiting reply goes in. */
  grow(data) {
    this.#data = data;
    const pending = this.#pendingReply;
    this.#pendingReply = null;
    if (pending) this.writeReply(pending.bytes, pending.id);
  }

  /** The page handled one more output message: a worker waiting for it may go on. */
  outputSeen() {
    Atomics.add(this.#control, OUTPUT_SEEN, 1);
    Atomics.notify(this.#control, OUTPUT_SEEN);
  }

  /** Raises the interrupt flag and wakes every wait the worker may be in. */
  interrupt() {
    const control = this.#control;
    Atomics.store(control, INTERRUPT, 1);
    Atomics.notify(control, INTERRUPT);
    Atomics.notify(control, STATE);
    Atomics.notify(control, OUTPUT_SEEN); // a worker waiting for the page to read
  }

  /** Takes back an interrupt the worker has not taken: true when it was still there. */
  withdrawInterrupt() {
    return Atomics.compareExchange(this.#control, INTERRUPT, 1, 0) === 1;
  }

  /**
   * The state word's value while the worker waits for the reply to request `id`; null when
   * no reply may be written (closed, or the worker gave up on `id`).
   */
  #waitingFor(id) {
    if (this.#closed) return null;
    const waiting = stateOf(id, WAITING);
    return Atomics.load(this.#control, STATE) === waiting ? waiting : null;
  }

  /** Stores `length`, moves the state word from `waiting` to `phase` and wakes the worker. */
  #publishReply(id, waiting, phase, length) {
    const control = this.#control;
    Atomics.store(control, LENGTH, length);
    Atomics.compareExchange(control, STATE, waiting, stateOf(id, phase));
    Atomics.notify(control, STATE);
  }
}
