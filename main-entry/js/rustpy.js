// rustpy's page loader: the one file a page includes.
//
//   <script type="module" src="rustpy/rustpy.js"></script>
//
// It finds <script type="rustpy"> and <rustpy-script> elements (now and later), runs
// main-thread ones in document order in the page's interpreter and gives each `worker` one
// its own Web Worker. The wasm module is compiled once here and shared with every worker.
// Python output goes to the console; errors also appear on the page in a visible box.
// The interpreter itself lives in Rust (rustpy_wasm.js / .wasm, built by `cargo xtask dist`).

import { HandleTable, bytesToWire, plainFromWire, primitiveToWire } from "./rustpy-ffi.js";
import { checkFromWorker, isArrayBuffer } from "./rustpy-protocol.js";
import { pageConfigSource, prepareConfig } from "./rustpy-config.js";
import { RelayUnavailable, missingSharedMemory, openRelay, waysOut } from "./rustpy-relay.js";
import {
  BATCH_PART_FRAME, BUFFER_BYTES, CONTROL_BYTES, FFI_FRAME, GROW, IDLE, INTERRUPT, LENGTH, OUTPUT_SEEN,
  PAGE_OP, POSTED, REPLIED, REPLY_LIMIT, REQUEST, REQUEST_LENGTH, STATE, WAITING, stateOf,
} from "./rustpy-wire.js";

const SELECTOR = 'script[type="rustpy"], rustpy-script';
// Siblings are found with `new URL("./x", import.meta.url)`, the form bundlers rewrite to
// their asset URLs (README: "Bundlers").
const wasmUrl = new URL("./rustpy_wasm_bg.wasm", import.meta.url);

/**
 * A Web Worker running rustpy-worker.js. One `new Worker(new URL(..., import.meta.url),
 * {type: "module"})` expression: the pattern bundlers (Vite, webpack, Parcel) recognise, so
 * they bundle the worker with the glue it imports and rewrite its URL. Without shared
 * memory, `relay` (its RelayConnection) gives the `Worker` that moves that URL.
 */
function spawnWorker(name, relay = null) {
  const Worker = relay?.Worker ?? globalThis.Worker;
  return new Worker(new URL("./rustpy-worker.js", import.meta.url), { type: "module", name });
}

let compiledModule = null;
let pageExports = null;
let mainQueue = Promise.resolve();
let inlineCount = 0;
let currentMainElement = null;
let pageConfig = null; // a promise of the page interpreter's {config, files}
let pageConfigOwner = null; // the element it came from
const started = new WeakSet();

/** The compiled interpreter module: compiled once per page, shared by all workers. */
function interpreterModule() {
  compiledModule ??= compileInterpreter();
  return compiledModule;
}

async function compileInterpreter() {
  const response = await fetch(wasmUrl);
  if (!response.ok) {
    throw new Error(`rustpy: could not load its interpreter ${wasmUrl}: HTTP ${response.status}`);
  }
  if (WebAssembly.compileStreaming && response.headers.get("content-type") === "application/wasm") {
    return WebAssembly.compileStreaming(response);
  }
  // A server that does not label .wasm files: compile from bytes instead.
  return WebAssembly.compile(await response.arrayBuffer());
}

/** The wasm-bindgen exports, instantiated on this thread on first use. */
function pageInterpreter() {
  pageExports ??= (async () => {
    // The module's download and compile start before the glue's import, not after it.
    const module = interpreterModule();
    const glue = await import("./rustpy_wasm.js");
    await glue.default({ module_or_path: await module });
    return glue;
  })();
  return pageExports;
}

/**
 * Sends lines of Python output to the console (one entry for lines that came together),
 * and to the script element as one `rustpy:output` event per line (detail: {stream, line})
 * so pages can show them.
 */
function emitOutput(element, stream, lines) {
  const terminal = element && terminals.get(element);
  if (terminal) terminal.write(stream, lines);
  else {
    const text = lines.length === 1 ? lines[0] : lines.join("\n");
    if (stream === "stderr") console.error(text);
    else console.log(text);
  }
  if (!element) return;
  for (const line of lines) element.dispatchEvent(new CustomEvent("rustpy:output", { detail: { stream, line } }));
}

/** Output of the page's interpreter belongs to the main script running at the time. */
function mainOutput(stream, line) {
  emitOutput(currentMainElement, stream, [line]);
}

// ---------------------------------------------------------------------------------------
// The `terminal` attribute: an xterm.js terminal after the tag (in its output target) shows
// the script's output instead of the console, and a worker's `input()` reads the lines
// typed into it; Ctrl-C interrupts the worker. rustpy-terminal.js and xterm.js load only
// when a page has such a tag. As in PyScript, at most one main-thread script has one (its
// Python cannot wait for a line, so it shows output only).

const terminals = new WeakMap(); // script element -> its TerminalView (rustpy-terminal.js)
const terminalsOpening = new WeakMap(); // script element -> the promise of its view
let mainTerminal = null; // the main-thread script element that has the page's one

/**
 * The terminal of a script tag with the `terminal` attribute, opened once (`null` for a tag
 * without one, or for a second main-thread one, which gets an error box). `element.terminal`
 * and its output target's `terminal` are the xterm.js `Terminal` (`__terminal__` in Python).
 */
function terminalFor(element) {
  if (!element?.hasAttribute("terminal")) return Promise.resolve(null);
  let opening = terminalsOpening.get(element);
  if (!opening) {
    const worker = element.hasAttribute("worker");
    if (!worker && mainTerminal && mainTerminal !== element) {
      showScriptError(
        element,
        "terminal not opened",
        "a page has at most one main-thread terminal (as in PyScript): give this script the " +
          "worker attribute, or drop terminal from one of them; its output goes to the console",
      );
      return Promise.resolve(null);
    }
    if (!worker) mainTerminal = element;
    const target = document.getElementById(targetFor(element));
    opening = import("./rustpy-terminal.js")
      .then(({ openTerminal }) => openTerminal(target, { input: worker }))
      .then((view) => {
        terminals.set(element, view);
        element.terminal = view.terminal;
        target.terminal = view.terminal;
        return view;
      });
    terminalsOpening.set(element, opening);
  }
  return opening;
}

// ---------------------------------------------------------------------------------------
// A script's life as events, as PyScript's `py:*` ones, named `rustpy:*`:
//
// - `rustpy:ready` on the script element once its interpreter is up, right before the
//   script runs (a worker's interpreter tells the page with its `booted` message);
// - `rustpy:done` on it once the script ended: finished, or failed (then `detail.error`
//   holds the error: a `PythonError` with the traceback, or why it could not start). A
//   worker tag's `restart()` starts a new run: `rustpy:ready` and `rustpy:done` again.
//   A run that never started its interpreter (a `src` that does not load) has no
//   `rustpy:ready`, only its `rustpy:done`.
// - `rustpy:all-done` on `window`, once, when every rustpy script of the page has ended
//   (see "all-done" below).
//
// Both bubble, so a listener on `document` hears every tag's. `detail.worker` is the
// worker tag's `PyWorker` (truthy, as PyScript's `true`), `false` for a main-thread script.

/** Dispatches `rustpy:<what>` on a script element (bubbling). */
function dispatchScriptEvent(element, what, detail) {
  element.dispatchEvent(new CustomEvent(`rustpy:${what}`, { bubbles: true, detail }));
}

/** `rustpy:done` for a run that ended, `error` if it failed; and counts the script as ended
 * for `rustpy:all-done`. */
function scriptEnded(element, worker, error = null) {
  dispatchScriptEvent(element, "done", error === null ? { worker } : { worker, error });
  pageScriptEnded(element);
}

// all-done. PyScript waits for the `py:done` of every script element present when its
// module starts (all-done.js) and then dispatches `py:all-done` on `window`. rustpy waits
// for the page's own scripts:
// - the `<script type="rustpy">` and `<rustpy-script>` tags in the document when rustpy.js
//   starts, and those the parser adds while the document is still loading (rustpy.js
//   loaded `async`), main-thread and worker ones alike;
// - a script counts as ended when its `rustpy:done` went out, whether it finished or
//   failed (a failing worker ends all-done's wait too: in PyScript it never sends
//   `py:done`, and `py:all-done` never comes), or when its worker was terminated (or
//   restarted) before its script finished: its first run is what counts;
// - a tag that never runs (inline code the page's Content-Security-Policy forbids) is not
//   waited for;
// - not counted: tags added after the document loaded (by JS or Python), and workers made
//   with `PyWorker` from JS or Python, which belong to the code that made them;
// - `rustpy:all-done` goes out once, a microtask after the last of them ended (or after
//   rustpy.js started, on a page without any), and never again.
const pageScripts = new Set(); // the page's scripts that have not ended yet
let pageScanned = false; // the document has loaded: pageScripts is complete
let allDoneSent = false;

/** Counts `element` as one of the page's scripts if the page is still being read. */
function countPageScript(element) {
  if (!pageScanned) pageScripts.add(element);
}

function pageScriptEnded(element) {
  if (pageScripts.delete(element)) allDoneIfEnded();
}

function allDoneIfEnded() {
  if (allDoneSent || !pageScanned || pageScripts.size > 0) return;
  allDoneSent = true;
  queueMicrotask(() => dispatchEvent(new Event("rustpy:all-done")));
}

/** The document has loaded: the page's scripts are known. */
function pageLoaded() {
  scan(document); // any tag a mutation record has not brought yet
  pageScanned = true;
  allDoneIfEnded();
}


// ---------------------------------------------------------------------------------------
// Workers and the bridge.

// A folder, which bundlers cannot rewrite: next to the module holding this code (the
// package's `rustpy/vite` plugin puts it there in a Vite build).
const LIBRARY_URL = new URL(/* @vite-ignore */ "./library/", import.meta.url).href;
const NAMED_WORKER_TIMEOUT_MS = 10_000;
/** How long `interrupt()` waits for the worker to take the request, by default (seconds). */
const INTERRUPT_TIMEOUT_S = 2;
// Where the page can wait on shared memory without blocking, workers hand it their blocking
// requests through the shared buffer instead of postMessage (much lower latency).
const FAST_REQUESTS = typeof Atomics.waitAsync === "function";
// After serving a request the page watches briefly for the worker's next one: a worker in a
// loop of page calls sends it within microseconds, and letting the page fall asleep in
// between costs a thread wake-up per call (tens of microseconds on small VMs). Requests
// served back to back give the event loop a turn at least every LISTEN_SLICE_MS.
const LISTEN_SPIN_MS = 0.05;
const LISTEN_SLICE_MS = 5;
const textDecoder = new TextDecoder();
const named = new Map(); // name -> PyWorker
const namedWaiters = new Map(); // name -> [resolve]
// Page functions offered to a named worker before it exists: name -> { function name: fn }.
const namedPageFunctions = new Map();
const textEncoder = new TextEncoder();

/**
 * Writes `text` into `target` (shared memory) as bytes if every character is ASCII: true
 * when it did. (A non-ASCII character leaves a partial write the caller ignores.)
 */
function writeAscii(text, target) {
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code > 0x7f) return false;
    target[i] = code;
  }
  return true;
}

/**
 * The longest request read with `String.fromCharCode`. It beats TextDecoder (which needs a
 * copy of the shared bytes) only on short requests: per read, 0.15 against 0.45 µs at 24
 * bytes, 1.45 against 1.65 at 128, 2.8 against 0.95 at 512, 14.3 against 2.45 at 4 KB (a
 * scratch page, headless Chromium); 8 KB made a batch of 128-operation parts (~4.4 KB each)
 * spend 1.4 ms per 1000 table rows reading them, against 0.27 ms.
 */
const ASCII_READ_MAX = 128;

/**
 * The first `length` bytes of a shared buffer as UTF-8 text. TextDecoder does not read
 * shared memory, so it needs a copy; a short ASCII request (most of them) is read directly.
 */
function readText(buffer, length) {
  const bytes = new Uint8Array(buffer, 0, length);
  let ascii = length <= ASCII_READ_MAX;
  for (let i = 0; ascii && i < length; i += 1) ascii = bytes[i] <= 0x7f;
  return ascii ? String.fromCharCode.apply(null, bytes) : textDecoder.decode(bytes.slice());
}

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
 * JS value -> bridge wire value (see rustpy_bridge::value). What would not reach Python
 * as it is throws a TypeError naming `context`: a lone surrogate, a cycle, nesting deeper
 * than the worker reads.
 */
function toWire(value, context, path = new Set(), depth = WIRE_DEPTH) {
  if (typeof value === "string" && !value.isWellFormed()) {
    throw new TypeError(
      `${context}: a string holding a lone surrogate cannot cross to the worker unchanged ` +
        "(Python would get a different string); fix it first (string.toWellFormed())",
    );
  }
  const primitive = primitiveToWire(value);
  if (primitive !== undefined) return primitive;
  if (value instanceof Uint8Array || value instanceof ArrayBuffer) {
    return bytesToWire(value instanceof ArrayBuffer ? new Uint8Array(value) : value);
  }
  const proto = Object.getPrototypeOf(value);
  const isArray = Array.isArray(value);
  if (isArray || proto === Object.prototype || proto === null) {
    if (path.has(value)) {
      throw new TypeError(`${context}: an ${isArray ? "array" : "object"} that contains itself cannot cross to the worker`);
    }
    // The worker's JSON reader takes 128 levels: an array is one, an object three.
    const left = depth - (isArray ? 1 : 3);
    if (left < 0) {
      throw new TypeError(
        `${context}: nested too deep to cross to the worker (at most ${WIRE_DEPTH} levels: an array ` +
          "counts one, an object three)",
      );
    }
    path.add(value);
    try {
      return isArray
        ? value.map((item) => toWire(item, context, path, left))
        : { d: Object.entries(value).map(([k, item]) => [toWire(k, context, path, left), toWire(item, context, path, left)]) };
    } finally {
      path.delete(value);
    }
  }
  const kind = typeof value === "function" ? "function" : value.constructor?.name ?? typeof value;
  throw new TypeError(
    `${context}: a JS ${kind} cannot cross to the worker (only null, booleans, numbers, ` +
      "bigints, strings, Uint8Array, arrays and plain objects can)",
  );
}

/** The nesting a value may have on the wire (the worker's serde_json reads 128 levels; the
 * message around the value takes up to 8). */
const WIRE_DEPTH = 120;

/** Bridge wire value -> JS value; `buffers`: those sent beside the message (`{x: n}`). */
function fromWire(wire, buffers = null) {
  if (buffers !== null && wire?.x !== undefined) {
    const buffer = buffers[wire.x];
    if (!isArrayBuffer(buffer)) {
      throw new TypeError(`rustpy: the value names buffer ${wire.x}, which did not come with it`);
    }
    return new Uint8Array(buffer);
  }
  const plain = plainFromWire(wire, buffers === null ? fromWire : (item) => fromWire(item, buffers));
  if (plain !== undefined) return plain;
  throw new TypeError(`rustpy: malformed value from the worker: ${JSON.stringify(wire)}`);
}

// Errors of worker exports that nobody awaited are shown on the page: PythonError ->
// how to show it (weakly held: an awaited error is simply forgotten).
const unshown = new WeakMap();
addEventListener("unhandledrejection", (event) => {
  const show = unshown.get(event.reason);
  if (show) {
    event.preventDefault();
    show();
  }
});

// A main-thread Python callback that raised into JS that did not catch it (an event
// listener): shown on the page, as a worker's handler's error is.
const shownIfUncaught = new WeakSet();
addEventListener("error", (event) => {
  if (!shownIfUncaught.has(event.error)) return;
  event.preventDefault();
  showMainError("error in an event handler", event.error.traceback);
});

/** Error thrown on the page for a Python exception raised in a worker. */
export class PythonError extends Error {
  constructor(traceback) {
    const lines = traceback.trim().split("\n");
    super(lines[lines.length - 1]);
    this.name = "PythonError";
    this.traceback = traceback;
  }
}

/** The rejection of an `interrupt()` that could not reach running Python. */
function interruptError(message) {
  const error = new Error(message);
  error.name = "InterruptError";
  return error;
}

/**
 * Names that JS machinery reads from any object it is handed, never exports: a promise
 * resolved with a worker reads `then` (an export call would never settle it),
 * `JSON.stringify` reads `toJSON`, inspectors and test libraries read the others. A worker
 * (and its `sync`, and `workers`) gives `undefined` for them; an export with one of these
 * names is reached through `worker.exports`. Symbols (`Symbol.toPrimitive`,
 * `Symbol.iterator`, inspect hooks) never name exports either.
 */
const PROBED_NAMES = new Set(["then", "toJSON", "inspect", "$$typeof", "nodeType", "asymmetricMatch"]);

/**
 * A Python script in a Web Worker: `new PyWorker("w.py", {type: "rustpy"})`, or as
 * PyScript's `PyWorker`, an async function: `await PyWorker("w.py", options)` gives the
 * worker once its script finished (see `PyWorker` below the class).
 *
 * - `ready` resolves when the script finished (rejects with its traceback);
 * - `sync.f = f` offers the page function `f` to the worker's `pyscript.sync.f()`;
 * - `await worker.sync.g(...)` and `await worker.g(...)` call what the worker exports;
 * - `terminate()` stops it and rejects every pending call.
 */
class PyWorker {
  #worker;
  #element;
  #label;
  #pageFunctions = Object.create(null);
  #exports = null;
  #pending = new Map();
  #nextCall = 1;
  #control = null;
  #data = null;
  #requests = null;
  #pendingReply = null; // {bytes, id} waiting for the worker's larger buffer
  #terminated = false;
  #dead = null; // why the worker cannot answer any more (crashed), or null
  #rejectBoot = null; // rejects the boot waiting for the worker's first answer, if any
  #name;
  #src;
  #showErrors;
  #serving = null; // the page function a blocked worker is waiting for, if any
  #servingId = null; // ...and the id of that request
  #prompts = new Map(); // request id -> the input() prompt shown for it
  #interrupts = new Set(); // pending interrupt() promises: {resolve, reject, timer}
  #serviceWorker; // the relay service worker's URL (no shared memory), if any
  #relay = null; // the RelayConnection without shared memory (rustpy-relay.js), if any
  // The JS objects this worker's Python holds (window, document, ...); a JS call of a
  // Python callable the worker offered is posted to it. A new one per boot.
  #table = null;
  /** Blocking FFI requests of the worker's Python answered so far (`ffiRequests`). */
  #ffiRequests = 0;
  #facade = null; // the object the constructor returned: `worker.g()` calls export g
  #announced = false; // this run's `rustpy:ready` went out

  constructor(src, options = {}) {
    // No type is rustpy's (PyScript's `PyWorker` needs none either).
    const { type = "rustpy", config = null, name, element = null, showErrors = true } = options ?? {};
    this.#serviceWorker = options?.serviceWorker ?? element?.getAttribute("service-worker") ?? null;
    if (type !== "rustpy") {
      throw new TypeError(`PyWorker type must be "rustpy" (the only supported type), not ${JSON.stringify(type)}`);
    }
    this.#element = element;
    this.#name = name ?? null;
    this.#src = src;
    this.#showErrors = showErrors && showsErrors(element);
    this.#label = describeScript("worker", name, src ?? (element ? "inline worker" : "worker"));
    this.config = config;
    this.ready = this.#boot(src, config);
    this.sync = new Proxy(this.#pageFunctions, {
      get: (functions, key) =>
        typeof key === "string" && !PROBED_NAMES.has(key) ? (...args) => this.#call(key, args) : undefined,
      set: (functions, key, value) => {
        if (typeof value !== "function") throw new TypeError(`worker.sync.${String(key)} must be a function`);
        functions[key] = value;
        return true;
      },
    });
    if (this.#name !== null) {
      Object.assign(this.#pageFunctions, namedPageFunctions.get(this.#name));
      namedPageFunctions.delete(this.#name);
      named.set(this.#name, this);
      for (const resolve of namedWaiters.get(this.#name) ?? []) resolve(this);
      namedWaiters.delete(this.#name);
    }
    // `worker.g(...)` calls the export `g`, like `worker.sync.g(...)`. `ready` and the tag's
    // events hand out this same object.
    return (this.#facade = new Proxy(this, {
      get: (target, key, receiver) => {
        if (PROBED_NAMES.has(key)) return undefined;
        if (key in target || typeof key !== "string") {
          const value = Reflect.get(target, key, target);
          return typeof value === "function" ? value.bind(target) : value;
        }
        return (...args) => target.#call(key, args);
      },
    }));
  }

  /** How many JS objects the worker's Python holds proxies of (a debug counter). */
  get liveHandles() {
    return this.#table.size;
  }

  /**
   * How many blocking FFI requests (round trips: a DOM operation, or the end of a `batch()`)
   * of the worker's Python the page has answered (a debug counter; a batch's parts sent
   * ahead without waiting are not counted).
   */
  get ffiRequests() {
    return this.#ffiRequests;
  }

  /** The worker's exported functions as an object of async functions (after `ready`). */
  get exports() {
    const out = {};
    for (const name of this.#exports ?? []) out[name] = (...args) => this.#call(name, args);
    return out;
  }

  #showError(title, detail) {
    if (this.#showErrors) showError(this.#element ?? document.body, title, detail);
    else console.error(`${title}\n${detail}`);
  }

  /** This run's interpreter is up: `rustpy:ready` on the tag, once per run. */
  #announceReady() {
    if (this.#announced) return;
    this.#announced = true;
    if (this.#element) dispatchScriptEvent(this.#element, "ready", { worker: this.#facade });
  }

  async #boot(src, config) {
    let posted = false; // the boot message went to the worker
    this.#announced = false;
    try {
      const missing = missingSharedMemory();
      const isolated = missing === null;
      // Without shared memory a worker calls the page through a relay service worker: the
      // page's own (`service-worker`), else rustpy's (not for a sync_main_only worker, which
      // never calls the page). It must be active before the worker starts, or the worker's
      // requests miss it; it registers while the page compiles and fetches the source.
      const wantsRelay = !isolated && (this.#serviceWorker || config?.sync_main_only !== true);
      const relayPromise = wantsRelay ? openRelay(this.#serviceWorker, missing) : null;
      relayPromise?.catch(() => {}); // read below, after the source loaded
      // Else start the worker at once: it loads its script and the wasm-bindgen glue while
      // the page compiles the interpreter and fetches the Python source.
      const early = wantsRelay ? null : spawnWorker(this.#name ?? src ?? "rustpy");
      // An error while its script loads must not be lost before the listeners below exist.
      let earlyError = null;
      early?.addEventListener("error", (event) => {
        event.preventDefault();
        earlyError ??= event.message || "the worker script failed to load";
      });
      if (early) this.#worker = early;
      const [loaded, module, prepared, terminal] = await Promise.all([
        loadSource(this.#element, src ?? null),
        interpreterModule(),
        prepareConfig(config, this.#element ? "attribute" : "option", pageInterpreter),
        terminalFor(this.#element),
      ]);
      // Ctrl-C in the terminal: KeyboardInterrupt in the worker (a failed interrupt, say of a
      // worker that is not running, changes nothing).
      if (terminal) terminal.onInterrupt = () => this.interrupt().catch(() => {});
      config = prepared.config;
      if (this.#terminated) throw new Error(`${this.#label} was terminated before it was ready`);
      this.#label = describeScript("worker", this.#name, loaded.filename);
      let relay = null;
      let noRelay = null; // why no relay can run here (RelayUnavailable's message)
      try {
        relay = await relayPromise;
      } catch (error) {
        if (!(error instanceof RelayUnavailable)) throw error;
        noRelay = error.message;
      }
      if (this.#terminated) {
        relay?.close();
        throw new Error(`${this.#label} was terminated before it was ready`);
      }
      this.#relay = relay;
      const worker = early ?? spawnWorker(this.#name ?? loaded.filename, relay);
      this.#worker = worker;
      // A callback belongs to the worker that offered it: after a restart the old one's
      // listeners fail clearly instead of reaching the new interpreter.
      this.#table = new HandleTable((id, args) => {
        if (this.#terminated || this.#dead || this.#worker !== worker) {
          const why = this.#dead ?? (this.#terminated ? "was terminated" : "was restarted");
          throw new Error(`${this.#label} ${why}: this Python callback of its earlier run cannot run`);
        }
        worker.postMessage(JSON.stringify({ callback: { id, args: JSON.stringify(args) } }));
      });
      if (noRelay && config?.sync_main_only !== true) showIsolationDiagnosis(this.#label, missing, noRelay);
      if (isolated) {
        this.#control = new Int32Array(new SharedArrayBuffer(CONTROL_BYTES));
        this.#data = new SharedArrayBuffer(BUFFER_BYTES);
        this.#requests = new SharedArrayBuffer(BUFFER_BYTES);
      }
      const finished = new Promise((resolve, reject) => {
        // terminate() and restart() end a boot the worker will never answer now.
        this.#rejectBoot = reject;
        // The worker's protocol messages arrive as JSON text (cheaper to post than objects);
        // the few that carry shared buffers or come from its JS glue, as objects.
        // Only this run's worker is heard: a message an ended one still had queued would
        // settle this run's calls or miscount its output.
        worker.addEventListener("message", ({ data }) => {
          if (this.#worker === worker) this.#receive(data, resolve, reject);
        });
        this.#worker.addEventListener("error", (event) => {
          event.preventDefault();
          this.#crashed(event.message || "unknown error", reject);
        });
        if (earlyError) this.#crashed(earlyError, reject);
      });
      this.#worker.postMessage({
        type: "boot",
        module,
        source: loaded.source,
        filename: loaded.filename,
        name: this.#name,
        config,
        files: prepared.files,
        target: this.#element ? targetFor(this.#element) : null,
        reply_limit: Number(config?.sync_reply_limit ?? REPLY_LIMIT),
        control: this.#control?.buffer,
        data: this.#data,
        requests: this.#requests,
        fast_requests: isolated && FAST_REQUESTS,
        relay: relay?.url ?? null,
        no_shared_memory: noRelay && `${missing.text}, and rustpy's service-worker relay cannot run: ${noRelay}. ${waysOut(missing)}`,
        library: LIBRARY_URL,
        page_url: document.baseURI,
        terminal: terminal !== null,
      }, prepared.files.map((file) => file.data.buffer));
      posted = true;
      // A worker with `"spin": false` in its config is not watched: the page waits at once.
      if (isolated && FAST_REQUESTS) this.#listen(this.#worker, config?.spin === false ? 0 : LISTEN_SPIN_MS);
      try {
        await finished;
      } finally {
        if (this.#worker === worker) this.#rejectBoot = null;
      }
      if (this.#element) scriptEnded(this.#element, this.#facade);
      return this.#facade;
    } catch (error) {
      // A boot that failed before its message went out (the source did not load) leaves a
      // worker started early with nothing to run: stop it (restart() starts a new one).
      if (!posted && !this.#terminated) this.#worker?.terminate();
      if (!(error instanceof PythonError) && !this.#terminated && !this.#dead && !error?.abandoned) {
        this.#showError(`${this.#label} failed`, error.message ?? String(error));
      }
      if (this.#element) scriptEnded(this.#element, this.#facade, error);
      throw error;
    }
  }

  /** The worker died (a wasm trap, a Rust panic, out of memory): nothing it ran survives. */
  #crashed(message, rejectReady) {
    if (this.#dead || this.#terminated) return;
    this.#dead = `crashed (${message})`;
    const error = new Error(
      `${this.#label} crashed: ${message}. Its state is lost; call restart() to run it again`,
    );
    error.name = "WorkerCrashed";
    this.#endWorker(error);
    rejectReady?.(error);
    this.#showError(`${this.#label} crashed`, message);
  }

  /**
   * A blocking request of a worker without shared memory: the worker posts it here and, at
   * the same time, waits on a synchronous XHR that the relay service worker answers with
   * the reply this page sends it (`rustpy-sw.js`).
   */
  #relayed(frame) {
    this.#serveRequest(frame, (id) => this.#relay.serving.add(id));
  }

  /**
   * Runs a request as the worker wrote it (`J<id> <json>` for an FFI request, `K<json>` for
   * a batch part, which has no id and no reply, else a message as JSON;
   * rustpy_bridge::channel), telling `received` the id of a blocking one first. Malformed
   * text is refused, never thrown.
   */
  #serveRequest(text, received = () => {}) {
    // A request through shared memory can overtake the `booted` message the worker posted
    // before it: the tag's `rustpy:ready` listeners still run before the script's first
    // request is served (a page function they set is there for it).
    this.#announceReady();
    if (text.startsWith(BATCH_PART_FRAME)) {
      this.#table.send(text.slice(BATCH_PART_FRAME.length));
      return;
    }
    if (text.startsWith(FFI_FRAME)) {
      const space = text.indexOf(" ");
      const id = Number(text.slice(FFI_FRAME.length, space));
      received(id);
      this.#answerJs(text.slice(space + 1), id);
      return;
    }
    const { data, problem } = checkFromWorker(text);
    if (problem) {
      console.error(`rustpy: ${this.#label} sent a malformed request, refused: ${problem}`);
      return;
    }
    received(data.id);
    this.#act(data);
  }

  #closeRelay() {
    this.#relay?.close();
    this.#relay = null;
  }

  /** Serves the blocking requests `worker` writes into the shared request buffer, watching
   * `spinMs` for the next one after each (0: it waits at once). */
  async #listen(worker, spinMs) {
    const control = this.#control;
    const requests = this.#requests;
    const alive = () => !this.#terminated && !this.#dead && this.#worker === worker;
    let sliceStart = performance.now();
    while (alive()) {
      // While an answer is pending (a page function's promise), spinning would only hold
      // back the microtasks that bring it, and the worker posts nothing before it.
      const until = this.#servingId === null ? performance.now() + spinMs : 0;
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
      this.#takeRequest(control, requests);
    }
  }

  /** Serves the request waiting in the shared request buffer, if there is one. */
  #takeRequest(control = this.#control, requests = this.#requests) {
    if (Atomics.load(control, REQUEST) !== POSTED) return;
    const text = readText(requests, Atomics.load(control, REQUEST_LENGTH));
    Atomics.store(control, REQUEST, 0);
    // A worker request waits for the buffer to be free while a batch part is in it.
    Atomics.notify(control, REQUEST);
    // A malformed request is refused inside (the page's FFI answers one it cannot read;
    // a malformed message gets a console error, and the worker's wait is bounded).
    this.#serveRequest(text);
  }

  /** Acts on a message from the worker (JSON text or an object), once it passed the
   * protocol's check (rustpy-protocol.js); one that did not is refused with a console
   * error and changes nothing. */
  #receive(message, resolve, reject) {
    // What the worker wrote into the request buffer before it posted this message is
    // served first (a release before the result of the call that dropped the proxies):
    // the listener's wake-up and the message event may come in either order.
    if (this.#control && FAST_REQUESTS) this.#takeRequest();
    const { data, problem } = checkFromWorker(message);
    if (problem) {
      console.error(`rustpy: ${this.#label} received a malformed message, refused: ${problem}`);
      return;
    }
    this.#act(data, resolve, reject);
  }

  /** Acts on a message that passed `checkFromWorker`. */
  #act(data, resolve, reject) {
    switch (data.type) {
      case "booted":
        this.#announceReady();
        break;
      case "output":
        emitOutput(this.#element, data.stream, data.lines);
        this.#relay?.outputSeen();
        if (this.#control) {
          // The worker gathers lines, then waits, while too many of these are unhandled.
          Atomics.add(this.#control, OUTPUT_SEEN, 1);
          Atomics.notify(this.#control, OUTPUT_SEEN);
        }
        break;
      case "ready":
        this.#exports = data.exports;
        resolve();
        break;
      case "failed": {
        const error = new PythonError(data.traceback);
        this.#showError(`${this.#label} failed`, data.traceback);
        reject(error);
        break;
      }
      case "error":
        this.#showError(`${this.#label}: error in ${data.what}`, data.traceback);
        break;
      case "crashed":
        this.#crashed(data.message, reject);
        break;
      case "sync_call":
        this.#answer(data.name, data.args, data.id);
        break;
      case "js":
        this.#answerJs(data.request, data.id);
        break;
      case "js_part":
        this.#table.send(data.request);
        break;
      case "relay":
        this.#relayed(data.frame);
        break;
      case "abandoned":
        if (this.#relay?.serving.delete(data.id)) this.#relay.send({ type: "abandoned", id: data.id });
        // The worker stopped waiting (interrupt, timeout): it is not blocked any more.
        if (this.#servingId === data.id) this.#serving = this.#servingId = null;
        this.#removePrompts(data.id);
        break;
      case "release":
        this.#table.release(data.handles);
        break;
      case "interrupt":
        this.#settleInterrupts(data.delivered === true);
        break;
      case "grow": {
        this.#data = data.data;
        const pending = this.#pendingReply;
        this.#pendingReply = null;
        if (pending) this.#writeReply(pending.bytes, pending.id);
        break;
      }
      case "call_result": {
        let value;
        try {
          if ("ok" in data.result) value = fromWire(data.result.ok, data.buffers ?? null);
        } catch (error) {
          // Not the worker's own answer (it writes well-formed values): the call, if any,
          // still waits for that.
          console.error(`rustpy: ${this.#label} received a malformed message, refused: a result that does not decode (${error.message})`);
          break;
        }
        const pending = this.#pending.get(data.id);
        if (!pending) break;
        this.#pending.delete(data.id);
        if ("ok" in data.result) pending.resolve(value);
        else {
          const error = new PythonError(data.result.err);
          // If nobody handles the rejection, the page's unhandledrejection shows it.
          unshown.set(error, () => this.#showError(`${this.#label}: ${pending.name}() failed`, error.traceback));
          pending.reject(error);
        }
        break;
      }
    }
  }

  /** Runs the page function a worker's `pyscript.sync.<name>()` asked for and replies. */
  async #answer(name, args, id) {
    let reply;
    let fn = this.#pageFunctions[name];
    if (typeof fn !== "function" && name === "input") fn = (prompt) => this.#prompt(prompt, id);
    if (typeof fn !== "function") {
      reply = { err: { kind: "Missing" } };
    } else {
      try {
        this.#serving = name;
        this.#servingId = id;
        let result = fn(...fromWire(args));
        // Only a promise is awaited: a plain value is answered in this same task.
        if (typeof result?.then === "function") result = await result;
        reply = { ok: toWire(result, `the result of worker.sync.${name}`) };
      } catch (error) {
        reply = { err: { kind: "Raised", name: error?.name ?? "Error", message: error?.message ?? String(error) } };
      } finally {
        if (this.#servingId === id) this.#serving = this.#servingId = null;
      }
    }
    const json = JSON.stringify(reply);
    if (this.#writeAsciiReply(json, id)) return;
    let bytes = textEncoder.encode(json);
    const limit = this.#replyLimit();
    if (bytes.length > limit) {
      bytes = textEncoder.encode(JSON.stringify({ err: { kind: "TooLarge", size: bytes.length, limit } }));
    }
    this.#writeReply(bytes, id);
  }

  /** Runs an FFI request of the worker's Python on this worker's handle table. */
  #answerJs(request, id) {
    this.#ffiRequests += 1;
    const reply = this.#table.request(request);
    // Most replies are short ASCII JSON: written straight into the data buffer.
    if (this.#writeAsciiReply(reply, id)) return;
    this.#writeReply(this.#limited(textEncoder.encode(reply), "a DOM reply"), id);
  }

  /**
   * `input(prompt)` in the worker, when the page set no `worker.sync.input`: a prompt and a
   * text field after the worker's output target (or in a corner overlay for a worker
   * without a tag); resolves with the text when the user presses Enter.
   */
  #prompt(prompt, id) {
    const terminal = this.#element && terminals.get(this.#element);
    // A line cancelled by Ctrl-C answers nothing: the worker gave up the request.
    if (terminal) return terminal.readLine(String(prompt ?? "")).then((line) => line ?? "");
    return new Promise((resolve) => {
      const form = document.createElement("form");
      form.className = "rustpy-input";
      const label = document.createElement("label");
      label.textContent = String(prompt ?? "");
      const field = document.createElement("input");
      field.type = "text";
      field.autocomplete = "off";
      label.append(field);
      form.append(label);
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        this.#prompts.delete(id);
        // Keep what was asked and answered, like a terminal would.
        const line = document.createElement("div");
        line.className = "rustpy-input-line";
        line.textContent = `${label.firstChild?.textContent ?? ""}${field.value}`;
        form.replaceWith(line);
        resolve(field.value);
      });
      const target = this.#element ? document.getElementById(targetFor(this.#element)) : null;
      if (target) target.append(form);
      else {
        form.classList.add("rustpy-input-overlay");
        document.body.append(form);
      }
      this.#prompts.set(id, form);
      field.focus();
    });
  }

  /** Takes down the input prompt of request `id` (or all of them). */
  #removePrompts(id) {
    // A terminal reads one line at a time: the abandoned request is the one being read.
    if (this.#element) terminals.get(this.#element)?.cancel();
    for (const [promptId, form] of this.#prompts) {
      if (id === undefined || promptId === id) {
        form.remove();
        this.#prompts.delete(promptId);
      }
    }
  }

  #replyLimit() {
    return Number(this.config?.sync_reply_limit ?? REPLY_LIMIT);
  }

  /** An FFI reply, or an error reply when it exceeds the worker's reply limit. */
  #limited(bytes, what) {
    const limit = this.#replyLimit();
    if (bytes.length <= limit) return bytes;
    const message =
      `${what} of ${bytes.length} bytes is over the ${limit}-byte limit ` +
      "(set sync_reply_limit in the worker's config to raise it)";
    return textEncoder.encode(JSON.stringify({ err: { index: 0, name: "RangeError", message, python: null } }));
  }

  /**
   * `#writeReply` for a reply that is ASCII text and fits the data buffer and the reply
   * limit, without encoding it first (TextEncoder cannot write into shared memory; encoding
   * a short reply cost more than serving the request). False, having written nothing, for
   * any other text and on the relay (whose replies go to the service worker).
   */
  #writeAsciiReply(text, id) {
    if (this.#relay || text.length > this.#replyLimit()) return false;
    const waiting = this.#waitingFor(id);
    if (waiting === null) return true;
    if (text.length > this.#data.byteLength || !writeAscii(text, new Uint8Array(this.#data))) return false;
    this.#publishReply(id, waiting, REPLIED, text.length);
    return true;
  }

  /**
   * The state word's value while the worker waits for the reply to request `id`; null when
   * no reply may be written (terminated, dead, or the worker gave up on `id`).
   */
  #waitingFor(id) {
    if (this.#terminated || this.#dead || !this.#control) return null;
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

  /**
   * Writes the reply to request `id`, unless the worker gave up on it (interrupt, timeout:
   * the state word no longer says it waits for `id`; rustpy_bridge::channel).
   */
  #writeReply(bytes, id) {
    if (this.#relay) {
      if (!this.#relay.serving.delete(id)) return; // abandoned (interrupt, timeout)
      this.#relay.send({ id, body: textDecoder.decode(bytes) });
      return;
    }
    const waiting = this.#waitingFor(id);
    if (waiting === null) return;
    if (bytes.length > this.#data.byteLength) {
      // The worker allocates a larger buffer and posts it back ("grow").
      this.#pendingReply = { bytes, id };
      this.#publishReply(id, waiting, GROW, bytes.length);
      return;
    }
    new Uint8Array(this.#data).set(bytes);
    this.#publishReply(id, waiting, REPLIED, bytes.length);
  }

  /**
   * Raises `KeyboardInterrupt` in the worker's running Python, whatever it runs: a wait (a
   * sync call, `input()`, `time.sleep`) at once, any loop or call of Python code within a
   * few hundred Python instructions. Resolves `true` when Python raised it, `false` when
   * nothing ran (the request is dropped, never kept for the next call). Rejects with an
   * `InterruptError` when the worker did not take it within `timeout` seconds (native code
   * that runs no Python instruction, e.g. `sum(range(10**12))`: the request is withdrawn,
   * `restart()` stops it). Without shared memory the relay service worker holds the
   * request: a blocked call or `time.sleep` takes it at once, running Python within the
   * relay's poll interval (`RELAY_POLL_MS` in worker-entry).
   */
  interrupt({ timeout = INTERRUPT_TIMEOUT_S } = {}) {
    if (this.#terminated || this.#dead) return Promise.resolve(false);
    const relay = this.#relay;
    if (relay) {
      // Once the relay holds the request, a worker running nothing reads the message at
      // once, takes the request from the relay and drops it.
      const worker = this.#worker;
      relay.interrupt().then(() => {
        if (this.#worker === worker) worker.postMessage(JSON.stringify("interrupt"));
      });
    } else if (this.#control) {
      Atomics.store(this.#control, INTERRUPT, 1);
      Atomics.notify(this.#control, INTERRUPT);
      Atomics.notify(this.#control, STATE);
      Atomics.notify(this.#control, OUTPUT_SEEN); // a worker waiting for the page to read
      // A worker running nothing reads this at once and drops the request.
      this.#worker.postMessage(JSON.stringify("interrupt"));
    } else {
      return Promise.resolve(false); // still booting, no channel yet: nothing of the user's runs
    }
    return new Promise((resolve, reject) => {
      const waiter = { resolve, reject, timer: 0 };
      const giveUp = (withdrawn) => {
        // The worker took the request meanwhile: its report is coming.
        if (!withdrawn || !this.#interrupts.has(waiter)) return;
        this.#interrupts.delete(waiter);
        reject(
          interruptError(
            `${this.#label} did not reach a point where Python could be interrupted within ` +
              `${timeout} s (native code such as sum(range(10**12)) or a long regex runs no ` +
              "Python instruction); the request was withdrawn: call restart() to stop it",
          ),
        );
      };
      waiter.timer = setTimeout(() => {
        // Withdraw the request unless the worker took it meanwhile.
        if (relay) relay.withdraw().then(giveUp);
        else giveUp(Atomics.compareExchange(this.#control, INTERRUPT, 1, 0) === 1);
      }, timeout * 1000);
      this.#interrupts.add(waiter);
    });
  }

  /** Settles every pending `interrupt()` with the worker's report (or `error`). */
  #settleInterrupts(delivered, error) {
    for (const waiter of this.#interrupts) {
      clearTimeout(waiter.timer);
      if (error) waiter.reject(error);
      else waiter.resolve(delivered);
    }
    this.#interrupts.clear();
  }

  /**
   * Stops the worker and starts its script again in a fresh one, keeping the page
   * functions set with `worker.sync.f = f` (the "stop button"). Pending calls reject;
   * `ready` is a new promise.
   */
  restart() {
    if (this.#terminated) throw new Error(`${this.#label} was terminated: it cannot restart`);
    this.#endWorker(new Error(`${this.#label} was restarted`));
    this.#abandonBoot(`${this.#label} was restarted before it was ready`);
    this.#dead = null;
    this.#exports = null;
    this.#pendingReply = null;
    this.#serving = null;
    this.ready = this.#boot(this.#src, this.config);
    this.ready.catch(() => {}); // shown on the page; callers see it through `ready`
    return this.ready;
  }

  async #call(name, args) {
    if (this.#terminated) throw new Error(`${this.#label} was terminated: cannot call ${name}()`);
    if (this.#dead) throw new Error(`${this.#label} ${this.#dead}: cannot call ${name}(); call restart()`);
    if (this.#serving !== null) {
      // The worker is blocked in pyscript.sync.<serving>() until this page function
      // returns, so it can never run <name>(): fail both sides now instead of hanging.
      const error = new Error(
        `deadlock: the page function worker.sync.${this.#serving} awaits ${name}() of ` +
          `${this.#label}, but that worker is blocked waiting for worker.sync.${this.#serving} to return`,
      );
      error.name = "DeadlockError";
      throw error;
    }
    await this.ready;
    if (!this.#exports.includes(name)) {
      throw new TypeError(
        `${this.#label} exports no function ${JSON.stringify(name)} ` +
          `(it exports: ${this.#exports.join(", ") || "nothing"}); list it in __export__ or set pyscript.sync.${name}`,
      );
    }
    const id = this.#nextCall++;
    const wire = toWire(args, `the arguments of ${name}()`);
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, name });
      this.#worker.postMessage(JSON.stringify({ call: { id, name, args: wire } }));
    });
  }

  /** Stops the current worker and fails what waited on it with `error`. */
  #endWorker(error) {
    this.#worker?.terminate();
    this.#closeRelay();
    this.#table?.close(error.message);
    this.#removePrompts();
    this.#fail(error);
    // The listener waits on this worker's request word: woken, it sees the worker gone and
    // lets go of it and its shared buffers (a wait nobody ends held both for good).
    if (this.#control) Atomics.notify(this.#control, REQUEST);
  }

  #fail(error) {
    for (const { reject } of this.#pending.values()) reject(error);
    this.#pending.clear();
    this.#settleInterrupts(false, error);
  }

  /** Rejects `ready` of a boot still waiting for the worker (its worker is gone). */
  #abandonBoot(message) {
    const reject = this.#rejectBoot;
    this.#rejectBoot = null;
    if (!reject) return;
    const error = new Error(message);
    error.abandoned = true; // asked for: not shown as a failure
    reject(error);
  }

  /** Stops the worker; pending calls reject at once. */
  terminate() {
    if (this.#terminated) return;
    this.#terminated = true;
    this.#endWorker(new Error(`${this.#label} was terminated`));
    this.#abandonBoot(`${this.#label} was terminated before it was ready`);
    if (this.#name !== null && named.get(this.#name) === this) named.delete(this.#name);
  }
}


/**
 * The exported `PyWorker`, callable both ways:
 *
 * - `new PyWorker(src, options)` gives the worker at once; its `ready` settles when the
 *   script finished;
 * - `PyWorker(src, options)`, PyScript's form (there an async function), gives a promise of
 *   the same worker once its script finished: `ready` itself (it rejects as `ready` does,
 *   and a bad option rejects it rather than throwing).
 *
 * The worker is not thenable (`then` is one of PROBED_NAMES), so awaiting it, or resolving
 * a promise with it, gives the worker; it never calls an export named `then` (reached as
 * `worker.exports.then()`). `worker instanceof PyWorker` holds either way.
 */
const PyWorkerApi = new Proxy(PyWorker, {
  apply(Class, _this, args) {
    try {
      return new Class(...args).ready;
    } catch (error) {
      return Promise.reject(error);
    }
  },
});
export { PyWorkerApi as PyWorker };

/** The named worker once it is ready; rejects if the name never appears in time. */
function namedWorker(name) {
  const existing = named.get(name);
  const found = existing
    ? Promise.resolve(existing)
    : new Promise((resolve, reject) => {
        const waiters = namedWaiters.get(name) ?? [];
        waiters.push(resolve);
        namedWaiters.set(name, waiters);
        setTimeout(
          () =>
            reject(
              new Error(
                `no rustpy worker named ${JSON.stringify(name)} appeared within ` +
                  `${NAMED_WORKER_TIMEOUT_MS / 1000}s: add <script type="rustpy" worker name="${name}">`,
              ),
            ),
          NAMED_WORKER_TIMEOUT_MS,
        );
      });
  return found.then(async (worker) => {
    await worker.ready;
    return worker;
  });
}

/** Offers the page function `fn` as `sync.<key>` to the worker named `name`, now or when
 * it is made. */
function offerToNamed(name, key, fn) {
  if (typeof fn !== "function") throw new TypeError(`workers[${JSON.stringify(name)}].sync.${String(key)} must be a function`);
  const worker = named.get(name);
  if (worker) {
    worker.sync[key] = fn;
    return;
  }
  const functions = namedPageFunctions.get(name) ?? {};
  functions[key] = fn;
  namedPageFunctions.set(name, functions);
}

/** `workers[name].sync`: set page functions of that worker (before it exists too); get its
 * exports as calls that wait for it. */
function namedSync(name) {
  return new Proxy(
    {},
    {
      get: (_, key) =>
        typeof key === "string" && !PROBED_NAMES.has(key)
          ? (...args) => namedWorker(name).then((worker) => worker.sync[key](...args))
          : undefined,
      set: (_, key, fn) => {
        offerToNamed(name, key, fn);
        return true;
      },
    },
  );
}

/**
 * Named workers: `await workers["calc"]` (or `workers.calc`) gives the worker's exports once
 * it is ready; a name that never appears rejects after 10 seconds. `workers.calc.sync.f =
 * f` offers the page function `f` to that worker, even before its tag is there.
 */
export const workers = new Proxy(
  {},
  {
    get(_, name) {
      if (typeof name !== "string" || PROBED_NAMES.has(name)) return undefined;
      const found = namedWorker(name).then((worker) => {
        const exports = worker.exports;
        // An export named `then` would make this object thenable, and the promise would
        // call it instead of resolving: such exports stay on `worker.exports`.
        for (const probed of PROBED_NAMES) delete exports[probed];
        exports.terminate = () => worker.terminate();
        exports.interrupt = (options) => worker.interrupt(options);
        exports.restart = () => worker.restart();
        return exports;
      });
      // Only offering page functions (`.sync`) need not await it: a name that never
      // appears rejects the promises that await it, not this one.
      found.catch(() => {});
      found.sync = namedSync(name);
      return found;
    },
  },
);

// Page operations for main-thread Python (`pyscript.PyWorker`, `pyscript.workers`): called
// by main-entry with an op name and JSON arguments; answer JSON, or a promise of JSON.
const handles = new Map();
let nextHandle = 1;

function workerByHandle(handle) {
  const worker = handles.get(handle);
  if (!worker) throw new Error(`rustpy: no worker with handle ${handle}`);
  return worker;
}

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
let pageGlue = null;

const targets = new WeakMap(); // script element -> id of its display() target
let targetCount = 0;

/** The id of the element `display()` writes to for a script: its `target` attribute, or a
 * `<div>` placed right after the tag. */
function targetFor(element) {
  const named = element.getAttribute("target");
  if (named) return named.replace(/^#/, "");
  let id = targets.get(element);
  if (!id) {
    targetCount += 1;
    id = `${element.id || "rustpy"}-target-${targetCount}`;
    const div = document.createElement("div");
    div.id = id;
    div.className = "rustpy-target";
    element.after(div);
    targets.set(element, id);
  }
  return id;
}

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

/** An error of a main-thread script's tag: in a box after it, or only in the console when
 * the tag says `errors="console"`. */
function showScriptError(element, title, detail) {
  if (showsErrors(element)) showError(element ?? document.body, title, detail);
  else console.error(`${title}\n${detail}`);
}

/** Whether a tag's errors go on the page (not when it says `errors="console"`). */
function showsErrors(element) {
  return element?.getAttribute("errors") !== "console";
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

const STYLE = `
rustpy-script, rustpy-config { display: none; }
.rustpy-error {
  margin: .5em 0; padding: .5em .75em; border: 2px solid #c62828; border-radius: 4px;
  background: #ffebee; color: #b71c1c; font: 13px/1.4 monospace; white-space: pre-wrap;
}
.rustpy-error strong { display: block; margin-bottom: .25em; }
.rustpy-input label { font: 14px/1.4 monospace; white-space: pre-wrap; }
.rustpy-input input { font: inherit; margin-left: .25em; }
.rustpy-input-overlay {
  position: fixed; right: 1em; bottom: 1em; z-index: 2147483647; padding: .5em .75em;
  background: #fff; border: 1px solid #888; border-radius: 4px; box-shadow: 0 2px 8px #0004;
}
`;

/** rustpy's styles, as a constructed style sheet where the browser has them: a page whose
 * Content-Security-Policy forbids inline styles still gets them. */
function installStyle() {
  if (typeof CSSStyleSheet === "function" && "adoptedStyleSheets" in document) {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(STYLE);
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
    return;
  }
  const style = document.createElement("style");
  style.dataset.rustpy = "";
  style.textContent = STYLE;
  document.head.append(style);
}

/** Whether the page's Content-Security-Policy lets an inline script with `nonce` run, by
 * nonce value ("" for none): asked once per value. */
const inlineVerdicts = new Map();
let inlineProbes = 0;

/**
 * Whether inline Python in `element` may run: exactly when the page's policy would run an
 * inline JavaScript `<script>` carrying the same nonce. The browser itself decides, on a
 * one-line probe script (on a page that forbids inline scripts it logs, and reports where
 * the policy says so, that one refusal per nonce value).
 */
function inlineCodeAllowed(element) {
  const nonce = element.nonce ?? "";
  let allowed = inlineVerdicts.get(nonce);
  if (allowed !== undefined) return allowed;
  inlineProbes += 1;
  const flag = `__rustpyInlineProbe${inlineProbes}`;
  try {
    const probe = document.createElement("script");
    if (nonce) probe.nonce = nonce;
    probe.textContent = `window.${flag} = true;`;
    document.head.append(probe);
    probe.remove();
    allowed = window[flag] === true;
  } catch {
    allowed = false; // e.g. Trusted Types forbid setting a script's text
  }
  delete window[flag];
  inlineVerdicts.set(nonce, allowed);
  return allowed;
}

/** Shows an error on the page, right after the script element, and in the console. */
function showError(element, title, detail) {
  console.error(`${title}\n${detail}`);
  const box = document.createElement("div");
  box.className = "rustpy-error";
  box.setAttribute("role", "alert");
  const heading = document.createElement("strong");
  heading.textContent = title;
  const text = document.createElement("pre");
  text.style.margin = "0";
  text.textContent = detail;
  box.append(heading, text);
  if (element.isConnected && element !== document.body) element.after(box);
  else document.body.prepend(box);
}

let diagnosed = false;

/**
 * Once per page: why workers get no synchronous calls here (`missing`: no shared memory,
 * from missingSharedMemory; `noRelay`: why the relay cannot run either) and the ways out.
 * The workers still run; their `pyscript.sync`, `window`, `document` and `input()` raise.
 */
function showIsolationDiagnosis(label, missing, noRelay) {
  if (diagnosed) return;
  diagnosed = true;
  const headers = missing.isolated
    ? ""
    : "  - Serve the page with these headers:\n" +
      "       Cross-Origin-Opener-Policy: same-origin\n" +
      "       Cross-Origin-Embedder-Policy: require-corp\n" +
      "       Cross-Origin-Resource-Policy: cross-origin\n" +
      "  - On a host that cannot set headers, copy rustpy-coi.js (in dist/rustpy/) next to the " +
      'page and make <script src="rustpy-coi.js"></script> the first script in <head>.\n';
  const detail =
    `${label} (and every rustpy worker on this page) cannot call the page synchronously: ` +
    "pyscript.sync, window, document and input() need shared memory (SharedArrayBuffer) or " +
    `rustpy's service-worker relay. Here ${missing.text}, and the relay cannot run: ${noRelay}. ` +
    "Code that does not call the page still runs.\n\n" +
    "Ways out:\n" +
    headers +
    "  - Let rustpy's relay run: serve the page over https:// or from http://localhost, with " +
    "rustpy's files on the page's origin (slower than shared memory, every feature works).\n" +
    "  - If only the page calls the worker, give the worker the config " +
    '{"sync_main_only": true} (this message then goes away).';
  const title = missing.isolated
    ? "rustpy: this browser gives workers no shared memory"
    : "rustpy: this page is not cross-origin isolated";
  showError(document.body, title, detail);
}

/** How messages name a script: `rustpy worker "calc" (calc.py)` or `rustpy script main.py`. */
function describeScript(kind, name, filename) {
  return name ? `rustpy ${kind} "${name}" (${filename})` : `rustpy ${kind} ${filename}`;
}

/** The script's source and the filename tracebacks show. */
async function loadSource(element, src = element?.getAttribute("src") ?? null) {
  if (src === null) {
    inlineCount += 1;
    const id = element.id ? `#${element.id}` : `${inlineCount}`;
    return { source: inlineSource(element), filename: `<inline script ${id}>` };
  }
  const url = new URL(src, document.baseURI);
  let response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new Error(`could not fetch src "${src}" (${url}): ${error.message}`);
  }
  if (!response.ok) {
    throw new Error(
      `could not load src "${src}" (${url}): HTTP ${response.status} ${response.statusText}`.trim(),
    );
  }
  return { source: await response.text(), filename: src };
}

/**
 * The code written inside a tag. A `<script>`'s content is text as written. A
 * `<rustpy-script>`'s is parsed as HTML: `print("<b>x</b>")` makes a `<b>` element, whose
 * text alone `textContent` would give. So, as PyScript reads `<py-script>`: without child
 * elements its text (`if a < b:` is text, entities decoded); with some, its markup
 * (`innerHTML`) with the escapes the browser wrote into it taken back out. The browser
 * rewrites some markup (quotes around attributes, closing tags it adds): a console warning
 * points to `<script type="rustpy">`, which keeps code exactly as written.
 */
function inlineSource(element) {
  if (element.localName !== "rustpy-script" || element.childElementCount === 0) return element.textContent;
  console.warn(
    "rustpy: a <rustpy-script> holding markup is read as the browser re-serialises it; " +
      '<script type="rustpy"> keeps code exactly as written',
  );
  return unescapeMarkup(element.innerHTML);
}

// What `innerHTML` escapes in text and attribute values, and back.
const MARKUP_ESCAPES = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&nbsp;": "\u00a0" };

function unescapeMarkup(html) {
  return html.replace(/&(?:amp|lt|gt|quot|nbsp);/g, (escape) => MARKUP_ESCAPES[escape]);
}

/**
 * The page's config, `{config, files}`, read when its first main-thread script starts
 * (`rustpy-config.js`); a later script with a different `config` attribute is refused,
 * since the scripts share one interpreter.
 */
function mainConfig(element) {
  if (pageConfig === null) {
    try {
      const { raw, where, owner } = pageConfigSource(element);
      pageConfigOwner = owner;
      pageConfig = prepareConfig(raw, where, pageInterpreter);
    } catch (error) {
      pageConfig = Promise.reject(error);
    }
    return pageConfig;
  }
  const own = element.getAttribute("config");
  if (own !== null && element !== pageConfigOwner && own !== pageConfigOwner?.getAttribute("config")) {
    return Promise.reject(
      new Error(
        "the page's main-thread scripts share one interpreter, configured by the first one's config or " +
          "by <rustpy-config>: move this config there (a worker takes its own)",
      ),
    );
  }
  return pageConfig;
}

async function runOnMain(element) {
  let filename = element.getAttribute("src") ?? "inline script";
  let failure = null;
  // The module downloads and compiles while the source and the config arrive.
  const interpreter = pageInterpreter();
  interpreter.catch(() => {}); // awaited below, where its error is shown
  try {
    const loaded = await loadSource(element);
    filename = loaded.filename;
    const [{ config, files }, terminal] = await Promise.all([mainConfig(element), terminalFor(element)]);
    const glue = await interpreter;
    currentMainElement = element;
    pageGlue = glue;
    const configJson = config === null ? "" : JSON.stringify(config);
    if (terminal) {
      // `__terminal__` for the page's Python, as PyScript gives it (a builtin: every script
      // sees it). The config and files count for the call that starts the interpreter.
      const setTerminal = [
        "def _rustpy_terminal():",
        "    import builtins, js",
        `    builtins.__terminal__ = js.document.getElementById(${JSON.stringify(targetFor(element))}).terminal`,
        "_rustpy_terminal()",
        "del _rustpy_terminal",
      ].join("\n");
      await glue.run_main_script(setTerminal, "<terminal>", mainOutput, pageOps, pageFfi, configJson, files);
    }
    // Its listeners run now, before the script.
    dispatchScriptEvent(element, "ready", { worker: false });
    await glue.run_main_script(loaded.source, filename, mainOutput, pageOps, pageFfi, configJson, files);
  } catch (error) {
    // The page's interpreter throws a Python traceback as a string.
    failure = typeof error === "string" ? new PythonError(error) : error;
    // A Rust panic traps as a bare RuntimeError: web-host's panic hook keeps its text.
    const panic = typeof globalThis.rustpyPanic === "string" ? ` (Rust ${globalThis.rustpyPanic})` : "";
    const detail = typeof error === "string" ? error : `${error.message ?? String(error)}${panic}`;
    showScriptError(element, `${describeScript("script", element.getAttribute("name"), filename)} failed`, detail);
  }
  scriptEnded(element, false, failure);
}

function startWorker(element) {
  const worker = new PyWorker(element.getAttribute("src"), {
    type: "rustpy",
    name: element.getAttribute("name") ?? undefined,
    config: element.getAttribute("config"),
    element,
  });
  worker.ready.catch(() => {}); // failures are shown on the page by PyWorker itself
}

/** Starts one element, once. Main-thread scripts run one after another in order. */
function start(element) {
  if (started.has(element)) return;
  started.add(element);
  if (!element.hasAttribute("src") && !inlineCodeAllowed(element)) {
    const what = describeScript(element.hasAttribute("worker") ? "worker" : "script", element.getAttribute("name"), "(inline)");
    console.error(
      `${what} was not run: the page's Content-Security-Policy does not allow inline ` +
        "scripts. Give the tag the page's nonce (nonce=\"...\") or move the code to a file (src=\"...\").",
    );
    return;
  }
  countPageScript(element);
  if (element.hasAttribute("worker")) {
    startWorker(element);
  } else {
    mainQueue = mainQueue.then(() => runOnMain(element));
  }
}

function scan(root) {
  if (root.matches?.(SELECTOR)) start(root);
  // Most added nodes are text or leaf elements (a worker building the DOM adds thousands):
  // only a node with child elements needs a search.
  if (!root.firstElementChild) return;
  for (const element of root.querySelectorAll(SELECTOR)) start(element);
}

class RustpyScript extends HTMLElement {
  connectedCallback() {
    if (document.readyState !== "loading") start(this);
  }
}

installStyle();
// The page's tags start in document order; defining the element afterwards keeps its
// upgrade of existing <rustpy-script> elements from jumping the queue.
scan(document);
if (!customElements.get("rustpy-script")) customElements.define("rustpy-script", RustpyScript);
new MutationObserver((records) => {
  for (const record of records) for (const node of record.addedNodes) scan(node);
}).observe(document.documentElement, { childList: true, subtree: true });
// After the document loaded, the page's scripts are known (rustpy:all-done).
if (document.readyState === "loading") addEventListener("DOMContentLoaded", pageLoaded, { once: true });
else pageLoaded();
