// The interpreter's files, found beside the served loader: the wasm module (compiled once
// per page and shared with every worker), the wasm-bindgen glue, the worker script and the
// lazy stdlib. The paths below name files of dist/rustpy/, not of this source folder: the
// build bundles this code into dist/rustpy/rustpy.js, next to them.

// Siblings are found with `new URL("./x", import.meta.url)`, the form bundlers rewrite to
// their asset URLs (README: "Bundlers").
const wasmUrl = new URL("./rustpy_wasm_bg.wasm", import.meta.url);

/**
 * A Web Worker running rustpy-worker.js. One `new Worker(new URL(..., import.meta.url),
 * {type: "module"})` expression: the pattern bundlers (Vite, webpack, Parcel) recognise, so
 * they bundle the worker with the glue it imports and rewrite its URL. Without shared
 * memory, `relay` (its RelayConnection) gives the `Worker` that moves that URL.
 */
export function spawnWorker(name, relay = null) {
  const Worker = relay?.Worker ?? globalThis.Worker;
  return new Worker(new URL("./rustpy-worker.js", import.meta.url), { type: "module", name });
}

let compiledModule = null;
let pageExports = null;

/** The compiled interpreter module: compiled once per page, shared by all workers. */
export function interpreterModule() {
  compiledModule ??= compileInterpreter();
  return compiledModule;
}

/** Fetches and compiles the wasm module. */
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
export function pageInterpreter() {
  pageExports ??= (async () => {
    // The module's download and compile start before the glue's import, not after it.
    const module = interpreterModule();
    const glue = await import("./rustpy_wasm.js");
    await glue.default({ module_or_path: await module });
    return glue;
  })();
  return pageExports;
}

// The lazy stdlib's folder, which bundlers cannot rewrite: next to the module holding this
// code (the package's `rustpy/vite` plugin puts it there in a Vite build). Named through a
// constant, not a string literal, so that no bundler takes `new URL` for an asset.
const LIBRARY_FOLDER = "./library/";
/** Where the stdlib modules loaded on first import live (see `cargo xtask dist`). */
export const LIBRARY_URL = new URL(LIBRARY_FOLDER, import.meta.url).href;
