// Starts a PyScript 0.7.31 worker (MicroPython or Pyodide) for the benchmark pages, with
// PyScript and the interpreters served from /node_modules (nothing from a CDN).
import { MPWorker, PyWorker } from "/node_modules/@pyscript/core/dist/core.js";
import { within } from "./bench.js";
import { PEERS } from "./peers.js";

export { peerTag, peerType } from "./peers.js";

/// The JS function that starts a worker of each peer.
const START = { micropython: MPWorker, pyodide: PyWorker };

/// Starts `file` (relative to the page) in a PyScript worker of `type`; resolves once the
/// script ran and its `__export__` names are callable as `worker.sync.<name>()`.
/// `probe` is one exported name, called with `probeArgs` to prove the exports arrived.
/// `serviceWorker` (a URL) is PyScript's fallback when the page has no shared memory.
export async function startPyScriptWorker(
  type,
  file,
  { probe, probeArgs = [], limitMs = 120_000, serviceWorker },
) {
  const peer = PEERS[type];
  // core.js registers its per-type worker hooks (which carry the `pyscript` package to the
  // worker) in a promise callback after its plugins load, and then defines <mpy-script> /
  // <py-script>. Its JS MPWorker/PyWorker does not wait for that (it awaits the plugins
  // *function*, not its promise): a worker started earlier gets no hooks, its
  // `from pyscript import ...` fails, and its exports never appear.
  await within(limitMs, `PyScript defining <${peer.element}>`, customElements.whenDefined(peer.element));
  const worker = await within(
    limitMs,
    `the ${type} worker running ${file}`,
    START[type](new URL(file, location.href).href, {
      // The worker runs from a blob: URL, so the interpreter URL must be absolute.
      version: new URL(peer.interpreter, location.href).href,
      config: {},
      ...(serviceWorker ? { serviceWorker } : {}),
    }),
  );
  // polyscript reports a failing script on the worker's console and still resolves
  // `ready`: make a missing export an error that says so.
  try {
    await within(30_000, `${probe}() in the worker`, worker.sync[probe](...probeArgs));
  } catch (error) {
    worker.terminate();
    throw new Error(
      `the worker script did not export ${probe} (it failed? see the worker's console): ${error}`,
    );
  }
  return worker;
}
