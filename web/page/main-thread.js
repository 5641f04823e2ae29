// The host side of the page's own interpreter (main-thread Python; main-entry is its Rust
// side): the page operations it calls (`pyscript.PyWorker`, `pyscript.workers`;
// rustpy_bridge::page_op), the handle table of the JS objects it holds, and where its output
// and uncaught errors go.

import { HandleTable } from "../shared/handle-table.js";
import { fromWire, toWire } from "../shared/codec.js";
import { PAGE_OP } from "../shared/wire.js";
import { PythonError } from "./errors.js";
import { LIBRARY_URL } from "./interpreter.js";
import { namedWorker, offerToNamed } from "./named.js";
import { emitOutput } from "./output.js";
import { INTERRUPT_TIMEOUT_S, PyWorker } from "./py-worker.js";
import { showScriptError, targetFor } from "./ui.js";

let pageGlue = null; // the page interpreter's wasm-bindgen exports, once it runs
let currentMainElement = null; // the main-thread script running, or that ran last

/**
 * From now on the page's interpreter is `glue` and its output and errors belong to the
 * main-thread script `element` (set before the script's `rustpy:ready`, whose listeners may
 * call into Python).
 */
export function enterPage(glue, element) {
  currentMainElement = element;
  pageGlue = glue;
}

/**
 * Runs `source`, a main-thread script, in the page's interpreter, as the script `enterPage`
 * named (its output and errors go there). Resolves when the script (its top-level
 * `await`s too) finished; rejects with the traceback as a string.
 */
export function runInPage(source, filename, configJson, files) {
  return pageGlue.run_main_script(source, filename, mainOutput, pageOps, pageFfi, configJson, files);
}

// Page operations: called by main-entry with an op name and JSON arguments; answer JSON, or
// a promise of JSON.
const handles = new Map();
let nextHandle = 1;

/** The worker main-thread Python holds as `handle`. */
function workerByHandle(handle) {
  const worker = handles.get(handle);
  if (!worker) throw new Error(`rustpy: no worker with handle ${handle}`);
  return worker;
}

/** A handle for main-thread Python to hold `worker` by. */
function keep(worker) {
  const handle = nextHandle++;
  handles.set(handle, worker);
  return handle;
}

// The JS objects main-thread Python holds; JS calls of its callables go straight into wasm.
const pageTable = new HandleTable((id, args, table) => {
  if (!pageGlue) throw new Error("rustpy: the page's interpreter is not running");
  let result;
  try {
    result = pageGlue.invoke_callback(id, JSON.stringify(args));
  } catch (error) {
    if (typeof error !== "string") throw error;
    const raised = new PythonError(error);
    shownIfUncaught.add(raised);
    throw raised;
  }
  return table.fromWire(JSON.parse(result));
});

const pageFfi = {
  /** Where the stdlib modules loaded on first import live (see `cargo xtask dist`). */
  library: LIBRARY_URL,
  request: (json) => pageTable.request(json),
  getDirect: (out, handle, name) => pageTable.getDirect(out, handle, name),
  callDirect: (out, handle, name, args, refs) => pageTable.callDirect(out, handle, name, args, refs),
  send: (json) => pageTable.send(json),
  release: (handles) => pageTable.release(handles),
  target: () => (currentMainElement ? targetFor(currentMainElement) : null),
  /** An error nobody can catch any more (an async handler, a timer): shown on the page. */
  reportError: (what, traceback) => showMainError(`error in ${what}`, traceback),
};

/** Shows an error of main-thread Python after the script that ran last (handlers and
 * timers run after their script; most pages have one main script). */
function showMainError(what, traceback) {
  showScriptError(currentMainElement, `rustpy (main thread): ${what}`, traceback);
}

/**
 * Calls a page-held Python function (main thread) from a worker's sync call: its value when
 * the function returned at once (the page answers the worker in the same task), a promise
 * of it when the function returned an awaitable.
 */
function callMainFunction(functionId, args) {
  const pythonError = (error) => (typeof error === "string" ? new PythonError(error) : error);
  // Python registered the function, so the page's interpreter runs.
  if (!pageGlue) throw new Error("rustpy: the page's interpreter is not running");
  let answer;
  try {
    answer = pageGlue.call_main_function(functionId, JSON.stringify(toWire(args, "arguments")));
  } catch (error) {
    throw pythonError(error);
  }
  const decode = (json) => fromWire(JSON.parse(json));
  if (typeof answer === "string") return decode(answer);
  return answer.then(decode, (error) => {
    throw pythonError(error);
  });
}

/** Runs the page operation `op` (rustpy_bridge::page_op) for main-thread Python. */
function pageOps(op, argsJson) {
  const args = fromWire(JSON.parse(argsJson));
  const json = (value) => JSON.stringify(toWire(value, `the result of ${op}`));
  const pythonReadable = (error) => {
    throw error instanceof PythonError ? new Error(error.traceback) : error;
  };
  switch (op) {
    case PAGE_OP.WORKER_NEW: {
      const [src, config, name, serviceWorker] = args;
      const worker = new PyWorker(src, {
        type: "rustpy",
        config,
        name: name ?? undefined,
        serviceWorker: serviceWorker ?? undefined,
      });
      worker.ready.catch(() => {}); // shown on the page; Python sees it through `ready`
      return json(keep(worker));
    }
    case PAGE_OP.WORKER_READY:
      return workerByHandle(args[0]).ready.then(() => json(null), pythonReadable);
    case PAGE_OP.WORKER_CALL: {
      const [handle, name, callArgs] = args;
      const worker = workerByHandle(handle);
      // `exports` reaches every export, also one named as JS machinery probes (`then`),
      // which `sync` never offers; before `ready`, `sync` waits for it.
      const call = worker.exports[name] ?? worker.sync[name];
      return call(...callArgs).then(json, pythonReadable);
    }
    case PAGE_OP.WORKER_SET_SYNC: {
      const [handle, name, functionId] = args;
      workerByHandle(handle).sync[name] = (...callArgs) => callMainFunction(functionId, callArgs);
      return json(null);
    }
    case PAGE_OP.WORKER_TERMINATE:
      workerByHandle(args[0]).terminate();
      return json(null);
    case PAGE_OP.WORKER_INTERRUPT:
      // An InterruptError reaches Python as "InterruptError: ..." (main-entry's error_text).
      return workerByHandle(args[0]).interrupt({ timeout: args[1] ?? INTERRUPT_TIMEOUT_S }).then(json);
    case PAGE_OP.WORKER_RESTART:
      return workerByHandle(args[0]).restart().then(() => json(null), pythonReadable);
    case PAGE_OP.WORKERS_GET:
      return namedWorker(args[0]).then((worker) => json(keep(worker)));
    case PAGE_OP.WORKERS_SET_SYNC: {
      const [name, key, functionId] = args;
      offerToNamed(name, key, (...callArgs) => callMainFunction(functionId, callArgs));
      return json(null);
    }
  }
  throw new Error(`rustpy: unknown page operation ${op}`);
}

// A main-thread Python callback that raised into JS that did not catch it (an event
// listener): shown on the page, as a worker's handler's error is.
const shownIfUncaught = new WeakSet();
addEventListener("error", (event) => {
  if (!shownIfUncaught.has(event.error)) return;
  event.preventDefault();
  showMainError("error in an event handler", event.error.traceback);
});

/** Output of the page's interpreter belongs to the main script running at the time. */
function mainOutput(stream, line) {
  emitOutput(currentMainElement, stream, [line]);
}

