// rustpy's Web Worker bootstrap: instantiate the wasm module the page already compiled,
// hand the boot message to Rust (worker-entry's `worker_main`), then route the page's
// calls to `worker_call`.
import init, { worker_main, worker_call, invoke_callback, worker_report_error } from "./rustpy_wasm.js";
import { HandleTable } from "../shared/handle-table.js";
import { CallWindow } from "./call-window.js";
import { CALL_SLICE_MS, CALL_WATCH_MS } from "../shared/wire.js";

let crashed = false;

/** Reports a trap to the page, which marks the worker dead; nothing more runs here. A Rust
 * panic traps too: its text (web-host's panic hook keeps it in `rustpyPanic`) goes along. */
function crash(error) {
  crashed = true;
  const panic = typeof self.rustpyPanic === "string" ? ` (Rust ${self.rustpyPanic})` : "";
  postMessage({ type: "crashed", message: `${error?.name ?? "Error"}: ${error?.message ?? error}${panic}` });
}

/** A Python exception raised into the worker's JS (its message is the traceback). */
class PythonError extends Error {
  constructor(traceback) {
    super(traceback);
    this.name = "PythonError";
  }
}

// The worker's own JS objects (the `js` module): Python's requests on them run here,
// without leaving the thread, and JS calls Python callables straight into wasm. `depth` counts
// the requests in progress: a callable that raises inside one throws back to the JS that
// called it (and from there into Python); one called by nobody's request (a timer, a
// promise, an event) has nobody to throw to, so its error is shown on the page.
let depth = 0;
const localTable = new HandleTable(
  (id, args, table) => {
    if (crashed) throw new Error("rustpy: this worker's interpreter crashed");
    let result;
    try {
      result = invoke_callback(id, JSON.stringify(args));
    } catch (error) {
      if (typeof error !== "string") {
        crash(error);
        throw error;
      }
      if (depth > 0) throw new PythonError(error);
      worker_report_error("a Python callback called by the worker's JS (timer, promise, event)", error);
      return undefined;
    }
    return table.fromWire(JSON.parse(result));
  },
  { local: true },
);
/** Runs `work` as a request in progress (see `depth`). */
function inRequest(work) {
  depth += 1;
  try {
    return work();
  } finally {
    depth -= 1;
  }
}
const localFfi = {
  request: (json) => inRequest(() => localTable.request(json)),
  getDirect: (out, handle, name) => inRequest(() => localTable.getDirect(out, handle, name)),
  callDirect: (out, handle, name, args, refs) =>
    inRequest(() => localTable.callDirect(out, handle, name, args, refs)),
  release: (handles) => localTable.release(handles),
};

/**
 * A blocking request on a page without shared memory: the request `frame` goes to the
 * page by postMessage, and this thread blocks on a synchronous XHR for `<url>/<id>`, which
 * rustpy's relay service worker answers with the page's reply (both travel at once, so the
 * service worker never has to hand the request to the page). Answers [status, text,
 * whether the relay answered (its `x-rustpy-relay` header; else the server did)]; throws a
 * TimeoutError on `timeoutMs`.
 */
globalThis.rustpySyncRequest = (url, id, frame, timeoutMs) => {
  postMessage({ type: "relay", frame });
  const xhr = new XMLHttpRequest();
  // The relay itself answers 408 at the deadline: WebKit does not always end, at its
  // `timeout`, a synchronous XHR that a service worker holds. The XHR's own timeout is
  // the backstop.
  const deadline = timeoutMs > 0 ? `?timeout=${Math.ceil(timeoutMs)}` : "";
  xhr.open("POST", `${url}/${id}${deadline}`, false);
  if (timeoutMs > 0) xhr.timeout = timeoutMs + RELAY_TIMEOUT_BACKSTOP_MS;
  xhr.send();
  const relayed = xhr.getResponseHeader("x-rustpy-relay") !== null;
  if (relayed && xhr.status === 408) {
    throw new DOMException(`the page did not answer within ${timeoutMs} ms`, "TimeoutError");
  }
  return [xhr.status, xhr.responseText, relayed];
};

/**
 * A synchronous GET of the relay service worker's `url` (the worker's interrupt poll, a
 * `time.sleep` it holds, a wait for the page to handle output): [status, text, whether
 * the relay answered].
 */
globalThis.rustpyRelayGet = (url) => {
  const xhr = new XMLHttpRequest();
  xhr.open("GET", url, false);
  xhr.send();
  return [xhr.status, xhr.responseText, xhr.getResponseHeader("x-rustpy-relay") !== null];
};

/** How much longer than the relay's deadline a synchronous XHR may wait for its 408. */
const RELAY_TIMEOUT_BACKSTOP_MS = 2_000;

/** Posts the ASCII text in `bytes` (a view of wasm memory, at most a few KiB) to the page. */
globalThis.rustpyPostAscii = (bytes) => postMessage(String.fromCharCode.apply(null, bytes));

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
    crash(error);
  }
}

/**
 * Runs a message from the page (a `ToWorker` as JSON text); then, while each call was
 * answered at once, the calls the page hands through the call window (each watched for
 * `watchMs`), for at most CALL_SLICE_MS (or `watchMs`, if longer) before the event loop
 * gets a turn.
 */
function runMessages(message, callWindow, watchMs) {
  let answered = worker_call(message);
  if (!callWindow || watchMs <= 0) return;
  const sliceEnd = performance.now() + Math.max(CALL_SLICE_MS, watchMs);
  while (answered && !crashed && performance.now() < sliceEnd) {
    const call = callWindow.next(watchMs);
    if (call === null) return;
    answered = worker_call(call);
  }
}

/** The boot message starts the interpreter; whatever comes before it (an interrupt the page
 * sent while this worker loaded) concerns nothing that runs yet and is dropped. */
async function onBoot({ data }) {
  if (!data || data.type !== "boot") return;
  removeEventListener("message", onBoot);
  // With shared memory calls also come through the call window, watched for
  // `call_watch_ms` (CALL_WATCH_MS by default, none with `"spin": false`); it counts every
  // text message taken from the queue, those that come while the interpreter starts
  // (dropped, as before the boot message) too.
  const callWindow = data.control && data.requests ? new CallWindow(data.control, data.requests) : null;
  const watchMs = data.config?.spin === false ? 0 : Number(data.config?.call_watch_ms ?? CALL_WATCH_MS);
  let started = false;
  // Calls and callbacks arrive as JSON text (rustpy_bridge::ToWorker).
  addEventListener("message", ({ data: message }) => {
    if (typeof message !== "string") return;
    callWindow?.took();
    if (started) guard(() => runMessages(message, callWindow, watchMs));
  });
  try {
    await init({ module_or_path: data.module });
  } catch (error) {
    postMessage({
      type: "failed",
      traceback: `rustpy: the interpreter could not start in this worker: ${error}`,
    });
    return;
  }
  started = true;
  const { module, ...boot } = data;
  await guard(() => worker_main(boot, localFfi));
}

addEventListener("message", onBoot);
