// Types for rustpy's JavaScript API (rustpy.js). Importing "rustpy" also starts the page
// loader: every <script type="rustpy"> and <rustpy-script> on the page runs.

/**
 * A value that crosses between the page and a worker. Values are copied: Python `None`,
 * `bool`, `int` (a `number` when it is a safe integer, else a `bigint`), `float`, `str`,
 * `bytes` (`Uint8Array`), `list`/`tuple` (arrays) and `dict` with `str` keys (plain
 * objects). Anything else raises `TypeError` on the side that sends it.
 */
export type PyValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PyValue[]
  | { [key: string]: PyValue };

/** What the page may pass to a worker (an `ArrayBuffer` arrives as `bytes`). */
export type PyArgument =
  | PyValue
  | ArrayBuffer
  | undefined
  | PyArgument[]
  | { [key: string]: PyArgument };

/**
 * A member of `worker.sync`. Set it to a page function, which the worker calls with
 * `pyscript.sync.<name>(...)` (it may be async and may declare narrower parameters, such
 * as `(name: string) => ...`); or call it to run the worker's export of that name.
 */
export type SyncFunction = {
  // A method's parameters are compared both ways: a page function may take `string`.
  bivariant(...args: PyArgument[]): PyArgument | Promise<PyArgument>;
}["bivariant"];

/** A worker's export, called from the page: always asynchronous. */
export type WorkerFunction = (...args: PyArgument[]) => Promise<PyValue>;

/** A worker's config (`config` attribute or option); rustpy reads these keys. */
export interface WorkerConfig {
  /** The largest reply a page function may send back, in bytes (default 16 MiB). */
  sync_reply_limit?: number;
  /** Seconds a `pyscript.sync` call waits for the page before `TimeoutError`. */
  sync_timeout?: number;
  /** Only the page calls this worker: no shared memory needed, no diagnosis shown. */
  sync_main_only?: boolean;
  /**
   * Where `interrupt()` reaches running Python that never waits. `true` (the default):
   * every loop turn and function call of the user's code; `"everywhere"`: of all Python
   * code, the standard library's too (slower); `false`: no checks (pure-Python code runs
   * fastest; only waits and output can then be interrupted).
   */
  interrupts?: boolean | "everywhere";
  /**
   * `true` (the default): a blocked `pyscript.sync` call, and the page serving this
   * worker, watch briefly for the other side's answer before they sleep (lowest latency,
   * more CPU); `false`: they sleep at once (less CPU, a thread wake-up more per call).
   */
  spin?: boolean;
  /**
   * Files for the worker's in-memory filesystem, fetched before its script runs: URL
   * (relative to the page) to path; `{NAME}` placeholders; `"dir/*"` unpacks a `.zip` or
   * `.tar.gz`.
   */
  files?: Record<string, string>;
  /** The older form of `files`. */
  fetch?: { from?: string; files?: string[]; to_folder?: string; to_file?: string }[];
  /** Anything else is the script's own, read in Python as `pyscript.config`. */
  [key: string]: unknown;
}

/** The options of `new PyWorker(src, options)` and `PyWorker(src, options)`. */
export interface PyWorkerOptions {
  /** `"rustpy"`, the only interpreter rustpy runs (the default). */
  type?: "rustpy";
  /**
   * The worker's config, read in Python as `pyscript.config`: an object, inline JSON or
   * TOML text, or the URL of a `.json`/`.toml` file (relative to the page).
   */
  config?: WorkerConfig | string | null;
  /** A name: `workers[name]` finds the worker, and the browser shows it in its tools. */
  name?: string;
  /** The script element the worker belongs to (its output events, its error box). */
  element?: Element | null;
  /** Show uncaught errors on the page (default `true`); `false` logs them only. */
  showErrors?: boolean;
  /** The relay service worker's URL (`rustpy-sw.js`), for pages without isolation. */
  serviceWorker?: string;
}

/** The worker's `sync`: set page functions on it, or call the worker's exports through it. */
export type SyncFunctions = {
  [name: string]: SyncFunction;
};

/**
 * A Python script running in its own Web Worker. It is never thenable (`then` is not an
 * export name on it; an export named `then` is `worker.exports.then`): awaiting it gives it.
 */
export interface PyWorker {
  /** Settles when the script finished: with this worker, or a {@link PythonError}. */
  ready: Promise<PyWorker>;
  /** The config the worker was started with, as given. */
  readonly config: WorkerConfig | string | null;
  /**
   * `worker.sync.f = f` offers `f` to the worker (`pyscript.sync.f(...)` there blocks until
   * `f` answers); `await worker.sync.g(...)` calls the worker's export `g`.
   */
  readonly sync: SyncFunctions;
  /** The worker's exports, as asynchronous functions (once `ready`). */
  readonly exports: Record<string, WorkerFunction>;
  /** How many JS objects the worker's Python holds proxies of (a debug counter). */
  readonly liveHandles: number;
  /**
   * How many blocking FFI requests (round trips) of the worker's Python the page has
   * answered (a debug counter; batch parts sent ahead without waiting are not counted).
   */
  readonly ffiRequests: number;
  /**
   * Raises `KeyboardInterrupt` in the worker's running Python (any loop or call, or a wait
   * for the page). Resolves `true` once raised, `false` when nothing ran (the request is
   * dropped); rejects with an `InterruptError` when the worker did not take it within
   * `timeout` seconds (2 by default: native code runs no Python instruction; use
   * `restart()`).
   */
  interrupt(options?: InterruptOptions): Promise<boolean>;
  /** Stops the worker and runs its script again in a fresh one; settles like `ready`. */
  restart(): Promise<PyWorker>;
  /** Stops the worker for good; pending calls reject at once. */
  terminate(): void;
  // In JavaScript `worker.g(...)` also calls the export `g`; typed code uses
  // `worker.exports.g(...)` or `worker.sync.g(...)`, so a misspelt method is an error.
}

/** `PyWorker`, called with or without `new`. */
export interface PyWorkerConstructor {
  /**
   * Starts the worker and gives it at once: `src` is the URL of its Python file, relative
   * to the page (`null` with an `element` holding the code). Its `ready` settles when the
   * script finished.
   */
  new (src: string | null, options?: PyWorkerOptions): PyWorker;
  /**
   * PyScript's form (an async function there): starts the worker and settles when its
   * script finished, with the worker or a {@link PythonError} (as `ready`).
   */
  (src: string, options?: PyWorkerOptions): Promise<PyWorker>;
  readonly prototype: PyWorker;
}

/** `new PyWorker(src, options)` or `await PyWorker(src, options)`. */
export declare const PyWorker: PyWorkerConstructor;

/** Options of `interrupt()`. */
export interface InterruptOptions {
  /** Seconds to wait for the worker to take the request before it is withdrawn (2). */
  timeout?: number;
}

/** A Python exception raised in a worker, as the page sees it. */
export declare class PythonError extends Error {
  constructor(traceback: string);
  readonly name: "PythonError";
  /** The Python traceback, file names and lines included. */
  readonly traceback: string;
}

/** What `await workers[name]` gives: the named worker's exports and its controls. */
export type NamedWorker = Record<string, WorkerFunction> & {
  terminate(): void;
  interrupt(options?: InterruptOptions): Promise<boolean>;
  restart(): Promise<PyWorker>;
};

/**
 * The workers named with `<script type="rustpy" worker name="...">` (or the `name`
 * option), once ready: `const calc = await workers["calc"]`. A name that never appears
 * rejects after 10 seconds. `workers["calc"].sync.add = (a, b) => a + b` offers a page
 * function to that worker (before its tag exists too); `workers["calc"].sync.g(...)` calls
 * its export `g` once it is ready.
 */
export declare const workers: {
  readonly [name: string]: Promise<NamedWorker> & { readonly sync: SyncFunctions };
};

/** `detail` of `rustpy:output`, dispatched on the script element for each line printed. */
export interface OutputDetail {
  stream: "stdout" | "stderr";
  line: string;
}

/**
 * `detail` of a script element's `rustpy:ready` and `rustpy:done` (both bubble): `worker`
 * is the worker tag's `PyWorker`, `false` for a main-thread script.
 */
export interface ScriptEventDetail {
  worker: PyWorker | false;
}

/** `detail` of `rustpy:done`: `error` is there when the script failed. */
export interface DoneEventDetail extends ScriptEventDetail {
  /** Why the script failed: a {@link PythonError}, or an `Error` when it could not start. */
  error?: Error;
}

/** @deprecated The detail of a worker tag's events: use {@link ScriptEventDetail}. */
export type WorkerEventDetail = ScriptEventDetail;

declare global {
  interface ElementEventMap {
    "rustpy:output": CustomEvent<OutputDetail>;
    /** The script's interpreter is ready; the script runs next. Bubbles. */
    "rustpy:ready": CustomEvent<ScriptEventDetail>;
    /** The script ended, finished or failed (`detail.error`). Bubbles. */
    "rustpy:done": CustomEvent<DoneEventDetail>;
  }
  interface DocumentEventMap {
    "rustpy:ready": CustomEvent<ScriptEventDetail>;
    "rustpy:done": CustomEvent<DoneEventDetail>;
  }
  interface WindowEventMap {
    /** Once: every rustpy script of the page ended (failed ones too). */
    "rustpy:all-done": Event;
    "rustpy:ready": CustomEvent<ScriptEventDetail>;
    "rustpy:done": CustomEvent<DoneEventDetail>;
  }
  interface HTMLElementTagNameMap {
    "rustpy-script": HTMLElement;
  }
}
