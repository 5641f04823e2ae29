// Shared drivers of the benchmark pages. Every wait is bounded: a page always ends with
// `window.benchResult` set, to figures or to `{ error }`, so the bench never hangs.

import { within } from "../page-kit.js";

/// `within(ms, what, promise)`: the test pages' bounded wait (`page-kit.js`).
export { within };

/// Runs `body()` (which returns the figures) within `ms` and publishes the outcome as
/// `window.benchResult`; `cleanup()` (e.g. terminating the worker) runs either way.
export async function publish(ms, body, cleanup = () => {}) {
  try {
    window.benchResult = await within(ms, "the whole page", body());
  } catch (error) {
    window.benchResult = { error: String(error?.stack ?? error) };
  } finally {
    try {
      cleanup();
    } catch {
      // the figures (or the error) are what matter
    }
  }
}

/// The `config` of a rustpy worker of a bench page: `?interrupts=off` gives `{interrupts:
/// false}` (no interrupt checks), `?interrupts=everywhere` `{interrupts: "everywhere"}`
/// (the sys.monitoring checks), `?spin=off` `{spin: false}` (neither the worker nor the
/// page watches for the other's answer before sleeping), none the defaults: the A/Bs.
export function rustpyConfig() {
  const query = new URLSearchParams(location.search);
  const config = {};
  const interrupts = { off: false, everywhere: "everywhere" }[query.get("interrupts")];
  if (interrupts !== undefined) config.interrupts = interrupts;
  if (query.get("spin") === "off") config.spin = false;
  return config;
}

/// How many calls every bridge and DOM case makes: `?warm=W&timed=K` of the page (the
/// bench sets both, the same for every contender), W warm-up calls then K timed ones. The
/// pages report every call's figure; the bench takes the first and the median of the last
/// K (`CallStats` in bench/src/stats.rs).
export function callCount() {
  const query = new URLSearchParams(location.search);
  const [warm, timed] = [Number(query.get("warm") ?? NaN), Number(query.get("timed") ?? NaN)];
  if (!Number.isInteger(warm) || warm < 0 || !Number.isInteger(timed) || timed < 1) {
    throw new Error(`?warm= and ?timed= must be whole numbers (timed > 0), not ${query.get("warm")} and ${query.get("timed")}`);
  }
  return { warm, timed };
}

/// Milliseconds since the Unix epoch, on the clock the bench samples CPU time against.
const epochMs = () => performance.timeOrigin + performance.now();

/// `warm + timed` calls of `call()`: `{ values, span }`, each call's figure in order (each
/// must be a finite number) and the epoch milliseconds at the start and the end of the
/// timed calls (the bench charges them the browser's CPU time in that span).
async function repeat({ warm, timed }, what, call) {
  const values = [];
  let start;
  for (let i = 0; i < warm + timed; i += 1) {
    if (i === warm) start = epochMs();
    const value = Number(await call());
    if (!Number.isFinite(value)) throw new Error(`${what} call ${i + 1} measured ${value}`);
    values.push(value);
  }
  return { values, span: [start, epochMs()] };
}

/// The bridge: given a started worker facade with `sync.add` settable and `sync.run(n)` /
/// `sync.ping()` callable, measure both directions, `callCount()` calls each: a call of
/// `sync` is `run(syncCalls)` (the worker times `syncCalls` blocking `sync.add(i, 1)`), a
/// call of `ping` is `pings` awaited `ping()`s timed here; each figure is the mean
/// microseconds per round trip. The pings are bounded by the page's limit (`publish`), not
/// one by one: no timer in the timed loop. Returns `{ calls: { sync, ping }, spans: {
/// sync, ping } }` (see `repeat`).
export async function measure(worker, { syncCalls = 2000, pings = 500 } = {}) {
  const count = callCount();
  const sync = await repeat(count, "sync", () =>
    within(120_000, `run(${syncCalls})`, worker.sync.run(syncCalls)),
  );
  const ping = await repeat(count, "ping", async () => {
    const started = performance.now();
    for (let i = 0; i < pings; i += 1) await worker.sync.ping();
    return ((performance.now() - started) / pings) * 1000;
  });
  return { calls: { sync: sync.values, ping: ping.values }, spans: { sync: sync.span, ping: ping.span } };
}

/// The DOM cases, by the name of the worker's exported function (dom-worker.py): the
/// operations of one call. `dataset_reads`: reads of a cached `dataset.test`;
/// `create_append`: `createElement` + `body.append` pairs; `table` (`table_batch` inside
/// `with batch():`, rustpy's; `table_html` with one `innerHTML` write): rows of a table
/// (one `tr`, three `td` with text). Sized so that Pyodide's calls (about 8 ms per
/// `createElement` + `append`, 30 ms per row) let every contender make the same calls.
export const DOM_CASES = {
  dataset_reads: 2000,
  create_append: 200,
  table: 100,
  table_batch: 100,
  table_html: 100,
  table_web: 1000,
  table_web_100: 100,
  table_batch_1000: 1000,
};

/// Removes what a DOM case added to the body (not timed).
function clearBody() {
  for (const element of document.querySelectorAll("body > div, body > table")) element.remove();
}

/// Runs the DOM `cases` (names of DOM_CASES) in the worker through its exported functions,
/// each returning the mean microseconds per operation (per row for the tables),
/// `callCount()` calls each (the body cleared after each, untimed but inside the span).
/// Returns `{ calls: { <case>: [micros, ...] }, spans: { <case>: [start, end] }, errors: {
/// <case>: message } }` (see `repeat`): a case that fails is reported and the next one runs; a case that times
/// out ends the run (the worker is presumably stuck).
export async function measureDom(worker, { cases, limitMs = 300_000 }) {
  document.body.dataset.test = "x";
  const count = callCount();
  const result = { errors: {}, calls: {}, spans: {} };
  for (const [index, name] of cases.entries()) {
    const size = DOM_CASES[name];
    try {
      const { values, span } = await repeat(count, name, async () => {
        const value = await within(limitMs, `${name}(${size})`, worker.sync[name](size));
        clearBody();
        return value;
      });
      result.calls[name] = values;
      result.spans[name] = span;
    } catch (error) {
      result.errors[name] = String(error?.stack ?? error);
      if (String(error).includes("timed out")) {
        for (const skipped of cases.slice(index + 1)) result.errors[skipped] = `skipped: ${name} timed out`;
        break;
      }
    }
  }
  return result;
}

/// The relay comparison: the page's `?mode=` (`relay`: served without isolation headers,
/// the worker's blocking calls go through a service worker; `shared`: isolated, shared
/// memory). Throws when the page is not in that mode, so a figure is never mislabelled.
export function relayMode() {
  const mode = new URLSearchParams(location.search).get("mode");
  if (mode !== "relay" && mode !== "shared") throw new Error(`?mode= must be relay or shared, not ${mode}`);
  const isolated = self.crossOriginIsolated === true;
  if (isolated !== (mode === "shared")) {
    throw new Error(`?mode=${mode} but crossOriginIsolated is ${isolated}`);
  }
  return mode;
}

/// The untimed calls before the relay section's timed ones (every contender, the raw floor
/// included). 50 left rustpy's shared-memory figure 2.5× its bridge figure: the timed calls
/// still ran while V8 tiered up the code they use.
export const RELAY_WARM_UP = 500;

/// Worker→page blocking calls only: the mean microseconds of one `sync.add(i, 1)` over
/// `calls` calls (after `warmUp` untimed ones), through the worker's `sync.run(n)`.
export async function measureSync(worker, { calls = 500, warmUp = RELAY_WARM_UP } = {}) {
  await within(60_000, `warm-up run(${warmUp})`, worker.sync.run(warmUp));
  const syncMicros = Number(await within(120_000, `run(${calls})`, worker.sync.run(calls)));
  if (!Number.isFinite(syncMicros)) throw new Error(`run(${calls}) returned ${syncMicros}`);
  return { syncMicros };
}

/// The boot pages: resolves, once `n` workers logged `boot stamp <epoch ms>` on this page's
/// console (`window.__console`, see capture.js), to `{ stamps, origin }` (`origin`: this
/// page's navigation start, `performance.timeOrigin`, on the same clock).
export async function bootStamps(n, limitMs = 200_000) {
  const logged = (prefix) =>
    window.__console
      .filter((line) => line.level === "log" && line.text.startsWith(prefix))
      .map((line) => Number(line.text.slice(prefix.length)));
  const stamps = () => logged("boot stamp ");
  // Each worker then counts the config's files it found (boot-worker-*.py).
  const counts = () => logged("boot files ");
  const found = new Promise((resolve) => {
    const poll = () => (counts().length >= n ? resolve() : setTimeout(poll, 10));
    poll();
  });
  await within(limitMs, `${n} worker(s) to report their first statement`, found);
  const values = stamps();
  if (values.length < n || !values.every(Number.isFinite)) throw new Error(`unreadable stamps: ${values}`);
  const expected = Object.keys(bootFiles()).length;
  if (!counts().every((count) => count === expected)) {
    throw new Error(`a worker found ${counts()} of the config's ${expected} files`);
  }
  return { stamps: values, origin: performance.timeOrigin };
}

/// How many generated app files the boot pages give their workers: `?files=N` (default 0).
/// The bench writes them (`bench/src/sections/boot.rs`, `write_app_files`) and serves them
/// at /bench-data/app/.
export const BOOT_FILES_PREFIX = "/bench-data/app/";

/// The `files` config of a boot page's workers, PyScript's form for every contender: each
/// generated module's URL to `./app/<name>` in the worker's filesystem.
export function bootFiles() {
  const count = Number(new URLSearchParams(location.search).get("files") ?? "0");
  const files = {};
  for (let i = 0; i < count; i += 1) {
    const name = `mod${String(i).padStart(2, "0")}.py`;
    files[`${BOOT_FILES_PREFIX}${name}`] = `./app/${name}`;
  }
  return files;
}

/// The FFI task's loops: `js.performance.now()` (and the loops that break it down, see
/// tasks-worker.py's `jscall`) this many times per call of `jscall(n)`.
export const FFI_CALLS = 20_000;

/// The FFI task's untimed `jscall` calls, then its timed ones (the median is reported), and
/// the same for `fetch_json` (one untimed fetch, then timed ones). `fetch_parts` is called
/// FETCH_TIMED times after them.
export const FFI_WARM_UP = 3;
export const FFI_TIMED = 5;
export const FETCH_TIMED = 5;

/// The median of `values` (not empty).
function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/// How often the FFI task asks the worker whether its fetch is done (ms).
const POLL_MS = 5;

/// The FFI task (see runTask): `jscall` and `fetch_json` / `fetch_parts` of tasks-worker.py
/// (the latter through `start` / `outcome`), each giving JSON text; every figure the median
/// of the timed calls.
async function measureFfi(worker, url) {
  const call = async (name, arg) =>
    JSON.parse(String(await within(120_000, `${name}(${arg})`, worker.sync[name](arg))));
  // The coroutines run as tasks of the worker's event loop (see tasks-worker.py's start);
  // the page asks for the outcome every POLL_MS (the figures are timed inside the task).
  const task = (name, arg) =>
    within(120_000, `${name}(${arg})`, (async () => {
      await worker.sync.start(name, arg);
      for (;;) {
        const text = String(await worker.sync.outcome());
        if (text) return JSON.parse(text);
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    })());
  for (let i = 0; i < FFI_WARM_UP; i += 1) await call("jscall", FFI_CALLS);
  const calls = [];
  for (let i = 0; i < FFI_TIMED; i += 1) calls.push(await call("jscall", FFI_CALLS));
  await task("fetch_json", url);
  const fetches = [];
  for (let i = 0; i < FETCH_TIMED; i += 1) fetches.push(await task("fetch_json", url));
  const parts = [];
  for (let i = 0; i < FETCH_TIMED; i += 1) parts.push(await task("fetch_parts", url));
  const of = (list, key) => median(list.map((item) => Number(item[key])));
  return {
    jsCallMicros: of(calls, "js_call"),
    boundCallMicros: of(calls, "bound_call"),
    pyCallMicros: of(calls, "py_call"),
    emptyLoopMicros: of(calls, "empty"),
    fetchJsonMs: of(fetches, "ms"),
    fetchTextMs: of(parts, "text"),
    jsonLoadsMs: of(parts, "loads"),
    records: Math.min(...fetches.map((item) => Number(item.records))),
  };
}

/// The task pages: runs `?task=` on a started worker facade exporting `ping()`,
/// `imp(name)`, `cpu(source)`, `jscall(n)`, `fetch_json(url)` and `fetch_parts(url)`
/// (tasks-worker.py):
/// - `import` (with `?module=NAME`): `{ importMs, preloaded }`, the worker's first `import
///   NAME` and whether it was in `sys.modules` already (1) or not (0);
/// - `cpu`: `{ cpu: { <case>: ms } }`, cpu.py's cases timed in the worker;
/// - `memory`: `{ wasmBytes, memories }`, the summed size of the wasm memories of the
///   page's workers (reported by wasm-memory-hook.js in each), after a `ping()`;
/// - `ffi` (with `?data=PATH`, the JSON file on this server): `{ jsCallMicros,
///   boundCallMicros, pyCallMicros, emptyLoopMicros, fetchJsonMs, fetchTextMs,
///   jsonLoadsMs, records }` (see measureFfi); the worker gets the file's absolute URL
///   (PyScript's workers run from a blob: URL).
export async function runTask(worker) {
  const query = new URLSearchParams(location.search);
  const task = query.get("task");
  if (task === "import") {
    const name = query.get("module");
    const text = String(await within(120_000, `import ${name}`, worker.sync.imp(name)));
    const [ms, preloaded] = text.split(" ").map(Number);
    if (!Number.isFinite(ms) || !(preloaded === 0 || preloaded === 1)) throw new Error(`imp(${name}) returned ${text}`);
    return { importMs: ms, preloaded };
  }
  if (task === "cpu") {
    const source = await (await fetch("cpu.py")).text();
    const text = await within(840_000, "cpu.py's run_all()", worker.sync.cpu(source));
    return { cpu: JSON.parse(String(text)) };
  }
  if (task === "memory") {
    // The worker's wasm memories, as worker-memory.js's hook in each worker reports them.
    await within(30_000, "ping()", worker.sync.ping());
    const channel = new BroadcastChannel("bench:wasm-memory");
    const sizes = [];
    channel.onmessage = ({ data }) => sizes.push(...data.sizes);
    channel.postMessage("ask");
    await new Promise((resolve) => setTimeout(resolve, 500));
    channel.close();
    if (sizes.length === 0) throw new Error("no worker reported a wasm memory (is worker-memory.js loaded?)");
    return { wasmBytes: sizes.reduce((a, b) => a + b, 0), memories: sizes.length };
  }
  if (task === "ffi") {
    const data = query.get("data");
    if (!data) throw new Error("?task=ffi needs &data=PATH (the JSON file to fetch)");
    return measureFfi(worker, new URL(data, location.href).href);
  }
  throw new Error(`?task= must be import, cpu, memory or ffi, not ${task}`);
}

/// The interrupt section's loops that never wait (functions of interrupt-loops.py), the
/// same for rustpy and Pyodide: `while True: pass`, a `for` over a huge range, branching
/// recursion, a list comprehension, a loop in a function defined by `exec`.
export const INTERRUPT_CASES = ["spin", "count", "recurse", "comprehension", "in_exec"];

/// How many times the interrupt section interrupts each case.
export const INTERRUPT_RUNS = 20;
