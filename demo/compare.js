// Runs compare_worker.py on rustpy and, when PyScript's packages are served at
// /node_modules/ (the benchmark's pinned copies: tests/bench/package.json), on PyScript's
// MicroPython worker; asks both for the same measurements, in turn, and shows them.
import { PyWorker } from "./rustpy/rustpy.js";

const PYSCRIPT = "/node_modules/@pyscript/core/dist/core.js";
const MICROPYTHON = "/node_modules/@micropython/micropython-webassembly-pyscript/micropython.mjs";
const ROUNDS = 5;
const MEASURE_MS = 400;
const status = document.getElementById("status");
const again = document.getElementById("again");

const ping = (n) => n;
const format = (value) => (value < 0 ? "— (no batch())" : Math.round(value).toLocaleString("en"));

async function startRustpy() {
  const worker = new PyWorker("compare_worker.py", { type: "rustpy", name: "compare" });
  worker.sync.ping = ping;
  await worker.ready;
  return worker;
}

/** PyScript's worker, or why it cannot run here: "missing" or "unsupported". */
async function startMicroPython() {
  const found = await fetch(PYSCRIPT, { method: "HEAD" }).catch(() => null);
  if (!found?.ok) return "missing";
  // PyScript's workers call the page through SharedArrayBuffer (WebKitGTK gives none).
  if (typeof SharedArrayBuffer !== "function") return "unsupported";
  const core = await import(PYSCRIPT);
  // PyScript defines its tag once its plugins are set up; a worker started earlier lacks
  // the `pyscript` module.
  await customElements.whenDefined("mpy-script");
  const worker = await core.MPWorker(new URL("compare_worker.py", location.href).href, {
    // PyScript runs the worker from a blob: URL: the interpreter's URL must be absolute.
    version: new URL(MICROPYTHON, location.href).href,
    config: {},
  });
  worker.sync.ping = ping;
  return worker;
}

// The best figure so far per cell: the first calls of a fresh page and worker run slower
// (the engines compile their hot code as it runs), and the machine may be busy now and then.
const best = new Map();

/** Measures one contender; shows the figures unless `warmUp`. */
async function measure(prefix, worker, warmUp = false) {
  const show = (id, value) => {
    if (warmUp) return;
    const cell = `${prefix}-${id}`;
    best.set(cell, Math.max(best.get(cell) ?? -Infinity, value));
    document.getElementById(cell).textContent = format(best.get(cell));
  };
  show("calls", await worker.sync.calls_per_second(MEASURE_MS));
  show("rows", await worker.sync.rows_per_second(`${prefix}-table`, MEASURE_MS, false));
  show("batched", await worker.sync.rows_per_second(`${prefix}-table`, MEASURE_MS, true));
}

async function run(contenders) {
  again.disabled = true;
  for (const [prefix, worker] of contenders) {
    status.textContent = `warming up ${prefix === "rustpy" ? "rustpy" : "PyScript"}…`;
    await measure(prefix, worker, true);
  }
  for (let round = 1; round <= ROUNDS; round += 1) {
    for (const [prefix, worker] of contenders) {
      status.textContent = `round ${round} of ${ROUNDS}: measuring ${prefix === "rustpy" ? "rustpy" : "PyScript"}…`;
      await measure(prefix, worker);
    }
    document.body.dataset.rounds = String(round);
  }
  status.textContent = `done: the best of ${ROUNDS} rounds, after a warm-up`;
  again.disabled = false;
}

const [rustpy, micropython] = await Promise.all([startRustpy(), startMicroPython()]);
const contenders = [["rustpy", rustpy]];
if (typeof micropython !== "string") contenders.push(["mpy", micropython]);
else {
  document.getElementById(`peers-${micropython}`).hidden = false;
  const why = micropython === "missing" ? "not installed" : "needs SharedArrayBuffer";
  for (const id of ["calls", "rows", "batched"]) document.getElementById(`mpy-${id}`).textContent = why;
}
document.body.dataset.peers = typeof micropython === "string" ? micropython : "installed";
again.addEventListener("click", () => run(contenders));
await run(contenders);
