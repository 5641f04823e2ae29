// rustpy's Web Worker bootstrap: instantiate the wasm module the page already compiled,
// hand the boot message to Rust (worker-entry's `worker_main`), then route the page's
// calls to `worker_call`.
import init, { worker_main, worker_call } from "./rustpy_wasm.js";

let crashed = false;

// rustpy_bridge::channel: the control block's words for page → worker calls.
const CALL = 8, CALL_LENGTH = 9, MESSAGES = 10;
const CALL_IDLE = 0, CALL_LISTENING = 1;
// How long the worker listens for the page's next call in shared memory after one, and
// how long calls read that way may follow each other before the worker's event loop (its
// timers, the page's other messages) gets a turn.
const CALL_LISTEN_MS = 0.3;
const CALL_SLICE_MS = 5;
const textDecoder = new TextDecoder();

/**
 * Page → worker calls (rustpy_bridge::channel, "Page → worker calls"): every call or
 * callback message runs through `run`; after one, the worker listens briefly for the next
 * call in the shared calls buffer, and runs it after the messages posted before it.
 */
function callReceiver(control, calls, run) {
  let received = 0; // call and callback messages received
  const deferred = []; // [messages before it, text] of calls read ahead of their messages

  function runDeferred() {
    while (deferred.length > 0 && deferred[0][0] <= received) run(deferred.shift()[1]);
  }

  function listen() {
    const sliceEnd = performance.now() + CALL_SLICE_MS;
    while (
      !crashed &&
      deferred.length === 0 &&
      Atomics.load(control, MESSAGES) <= received &&
      performance.now() < sliceEnd
    ) {
      Atomics.store(control, CALL, CALL_LISTENING);
      const until = performance.now() + CALL_LISTEN_MS;
      while (
        Atomics.load(control, CALL) === CALL_LISTENING &&
        Atomics.load(control, MESSAGES) <= received &&
        performance.now() < until
      );
      if (Atomics.compareExchange(control, CALL, CALL_LISTENING, CALL_IDLE) === CALL_LISTENING) return;
      // A call came in (the page's swap won): read it, then free the word.
      const length = Atomics.load(control, CALL_LENGTH);
      const frame = textDecoder.decode(calls.slice(0, length));
      Atomics.store(control, CALL, CALL_IDLE);
      const space = frame.indexOf(" ");
      const before = Number(frame.slice(0, space));
      const text = frame.slice(space + 1);
      if (before > received) {
        deferred.push([before, text]); // its earlier messages are still on their way
        return;
      }
      run(text);
    }
  }

  return (message) => {
    received += 1;
    run(message);
    runDeferred();
    if (control && calls) listen();
  };
}

/**
 * A blocking request on a page without shared memory: the request `frame` goes to the
 * page by postMessage, and this thread blocks on a synchronous XHR for `<url>/<id>`, which
 * rustpy's relay service worker answers with the page's reply (both travel at once, so the
 * service worker never has to hand the request to the page). Answers [status, text];
 * throws a TimeoutError on `timeoutMs`.
 */
globalThis.rustpySyncRequest = (url, id, frame, timeoutMs) => {
  postMessage({ type: "relay", frame });
  const xhr = new XMLHttpRequest();
  xhr.open("POST", `${url}/${id}`, false);
  if (timeoutMs > 0) xhr.timeout = timeoutMs;
  xhr.send();
  return [xhr.status, xhr.responseText];
};

/**
 * Runs a call into wasm. A trap (Rust panic, `unreachable`, out of memory, stack overflow)
 * leaves the instance unusable: report it to the page, which marks the worker dead, and
 * run nothing more.
 */
async function guard(run) {
  if (crashed) return;
  try {
    await run();
  } catch (error) {
    crashed = true;
    postMessage({ type: "crashed", message: `${error?.name ?? "Error"}: ${error?.message ?? error}` });
  }
}

addEventListener(
  "message",
  async ({ data }) => {
    if (!data || data.type !== "boot") return;
    try {
      await init({ module_or_path: data.module });
    } catch (error) {
      postMessage({
        type: "failed",
        traceback: `rustpy: the interpreter could not start in this worker: ${error}`,
      });
      return;
    }
    // Calls and callbacks arrive as JSON text (rustpy_bridge::ToWorker).
    const receive = callReceiver(
      data.control ? new Int32Array(data.control) : null,
      data.calls ? new Uint8Array(data.calls) : null,
      (text) => guard(() => worker_call(text)),
    );
    addEventListener("message", ({ data: message }) => {
      if (typeof message === "string") receive(message);
    });
    const { module, ...boot } = data;
    await guard(() => worker_main(boot));
  },
  { once: true },
);
