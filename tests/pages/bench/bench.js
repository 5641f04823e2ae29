// Shared drivers of the benchmark pages. Every wait is bounded: a page always ends with
// `window.benchResult` set, to figures or to `{ error }`, so the bench never hangs.

/// `promise`, or a rejection naming `what` after `ms` milliseconds.
export function within(ms, what, promise) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms / 1000} s: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

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

/// The bridge: given a started worker facade with `sync.add` settable and `sync.run(n)` /
/// `sync.ping()` callable, measure both directions (mean microseconds per call). The pings
/// are bounded by the page's limit (`publish`), not one by one: no timer in the timed loop.
/// Each timed loop comes after an untimed one of the same size (see DOM_CASES for why).
export async function measure(worker, { syncCalls = 2000, pings = 500 } = {}) {
  await within(60_000, `warm-up run(${syncCalls})`, worker.sync.run(syncCalls));
  const syncMicros = await within(120_000, `run(${syncCalls})`, worker.sync.run(syncCalls));
  for (let i = 0; i < pings; i += 1) await worker.sync.ping();
  const started = performance.now();
  for (let i = 0; i < pings; i += 1) await worker.sync.ping();
  const pingMicros = ((performance.now() - started) / pings) * 1000;
  return { syncMicros: Number(syncMicros), pingMicros };
}

/// The DOM cases, by the name of the worker's exported function: [operations timed,
/// operations of the warm-up call made first]. `dataset_reads`: reads of a cached
/// `dataset.test`; `create_append`: `createElement` + `body.append` pairs; `table` (and
/// `table_batch`, inside `with batch():`, where the engine has it): rows of a table (one
/// `tr`, three `td` with text). The warm-ups let V8 tier up the code the timed call runs,
/// which otherwise measures the JIT: after a 10-row warm-up, rustpy's first 1000-row table
/// took 1.5× as long per row as its next ones (2.9× in batch()); after 200 reads, its next
/// 2000 `dataset.test` reads took 2–5× as long per read as the 2000 after them. So the
/// short cases warm up with a call as large as the timed one; a table's warm-up is a tenth
/// (each row is eleven operations, and Pyodide takes ~45 ms per row).
export const DOM_CASES = {
  dataset_reads: [2000, 2000],
  create_append: [500, 500],
  table: [1000, 100],
  table_batch: [1000, 100],
};

/// Removes what a DOM case added to the body (not timed).
function clearBody() {
  for (const element of document.querySelectorAll("body > div, body > table")) element.remove();
}

/// Runs the DOM `cases` (names of DOM_CASES) in the worker through its exported functions,
/// each returning the mean microseconds per operation (per row for the tables). Returns
/// `{ <case>: micros, errors: { <case>: message } }`: a case that fails is reported and the
/// next one runs; a case that times out ends the run (the worker is presumably stuck).
export async function measureDom(worker, { cases, limitMs = 300_000 }) {
  document.body.dataset.test = "x";
  const result = { errors: {} };
  for (const [index, name] of cases.entries()) {
    const [n, warmUp] = DOM_CASES[name];
    try {
      for (const size of [warmUp, n]) {
        const value = Number(await within(limitMs, `${name}(${size})`, worker.sync[name](size)));
        clearBody();
        if (!Number.isFinite(value)) throw new Error(`${name}(${size}) returned ${value}`);
        result[name] = value;
      }
    } catch (error) {
      delete result[name];
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
  const stamps = () =>
    window.__console
      .filter((line) => line.level === "log" && line.text.startsWith("boot stamp "))
      .map((line) => Number(line.text.slice("boot stamp ".length)));
  const found = new Promise((resolve) => {
    const poll = () => (stamps().length >= n ? resolve() : setTimeout(poll, 10));
    poll();
  });
  await within(limitMs, `${n} worker(s) to report their first statement`, found);
  const values = stamps();
  if (!values.every(Number.isFinite)) throw new Error(`unreadable stamps: ${values}`);
  return { stamps: values, origin: performance.timeOrigin };
}

/// The task pages: runs `?task=` on a started worker facade exporting `ping()`,
/// `imp(name)` and `cpu(source)` (tasks-worker.py):
/// - `import` (with `?module=NAME`): `{ importMs }`, the worker's first `import NAME`;
/// - `cpu`: `{ cpu: { <case>: ms } }`, cpu.py's cases timed in the worker;
/// - `memory`: `{ wasmBytes, memories }`, the summed size of the wasm memories of the
///   page's workers (reported by wasm-memory-hook.js in each), after a `ping()`.
export async function runTask(worker) {
  const query = new URLSearchParams(location.search);
  const task = query.get("task");
  if (task === "import") {
    const name = query.get("module");
    const ms = Number(await within(120_000, `import ${name}`, worker.sync.imp(name)));
    if (!Number.isFinite(ms)) throw new Error(`imp(${name}) returned ${ms}`);
    return { importMs: ms };
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
  throw new Error(`?task= must be import, cpu or memory, not ${task}`);
}
