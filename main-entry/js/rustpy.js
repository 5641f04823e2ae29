// rustpy's page loader: the one file a page includes.
//
//   <script type="module" src="rustpy/rustpy.js"></script>
//
// It finds <script type="rustpy"> and <rustpy-script> elements (now and later), runs
// main-thread ones in document order in the page's interpreter and gives each `worker` one
// its own Web Worker. The wasm module is compiled once here and shared with every worker.
// Python output goes to the console; errors also appear on the page in a visible box.
// The interpreter itself lives in Rust (rustpy_wasm.js / .wasm, built by `cargo xtask dist`).

const SELECTOR = 'script[type="rustpy"], rustpy-script';
const wasmUrl = new URL("./rustpy_wasm_bg.wasm", import.meta.url);
const workerUrl = new URL("./rustpy-worker.js", import.meta.url);

let compiledModule = null;
let pageExports = null;
let mainQueue = Promise.resolve();
let inlineCount = 0;
let currentMainElement = null;
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
    const glue = await import("./rustpy_wasm.js");
    await glue.default({ module_or_path: await interpreterModule() });
    return glue;
  })();
  return pageExports;
}

/**
 * Sends a line of Python output to the console, and to the script element as a
 * `rustpy:output` event (detail: {stream, line}) so pages can show it.
 */
function emitOutput(element, stream, line) {
  if (stream === "stderr") console.error(line);
  else console.log(line);
  element?.dispatchEvent(new CustomEvent("rustpy:output", { detail: { stream, line } }));
}

/** Output of the page's interpreter belongs to the main script running at the time. */
function mainOutput(stream, line) {
  emitOutput(currentMainElement, stream, line);
}

const STYLE = `
rustpy-script { display: none; }
.rustpy-error {
  margin: .5em 0; padding: .5em .75em; border: 2px solid #c62828; border-radius: 4px;
  background: #ffebee; color: #b71c1c; font: 13px/1.4 monospace; white-space: pre-wrap;
}
.rustpy-error strong { display: block; margin-bottom: .25em; }
`;

function installStyle() {
  const style = document.createElement("style");
  style.dataset.rustpy = "";
  style.textContent = STYLE;
  document.head.append(style);
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
  if (element.isConnected) element.after(box);
  else document.body.prepend(box);
}

/** A short description of a script element for messages. */
function describe(element, filename) {
  const kind = element.hasAttribute("worker") ? "worker" : "script";
  const name = element.getAttribute("name");
  return name ? `rustpy ${kind} "${name}" (${filename})` : `rustpy ${kind} ${filename}`;
}

/** The script's source and the filename tracebacks show. */
async function loadSource(element) {
  const src = element.getAttribute("src");
  if (src === null) {
    inlineCount += 1;
    const id = element.id ? `#${element.id}` : `${inlineCount}`;
    return { source: element.textContent, filename: `<inline script ${id}>` };
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

function parseConfig(element) {
  const config = element.getAttribute("config");
  if (config === null || config.trim() === "") return null;
  try {
    return JSON.parse(config);
  } catch {
    return { src: config }; // a URL of a config file, kept for the worker to see
  }
}

async function runOnMain(element) {
  let filename = element.getAttribute("src") ?? "inline script";
  try {
    const loaded = await loadSource(element);
    filename = loaded.filename;
    const glue = await pageInterpreter();
    currentMainElement = element;
    await glue.run_main_script(loaded.source, filename, mainOutput);
    element.dispatchEvent(new CustomEvent("rustpy:done"));
  } catch (error) {
    const detail = typeof error === "string" ? error : error.message ?? String(error);
    showError(element, `${describe(element, filename)} failed`, detail);
  }
}

async function startWorker(element) {
  let filename = element.getAttribute("src") ?? "inline worker";
  try {
    const [loaded, module] = await Promise.all([loadSource(element), interpreterModule()]);
    filename = loaded.filename;
    const name = element.getAttribute("name");
    const worker = new Worker(workerUrl, { type: "module", name: name ?? filename });
    worker.addEventListener("message", ({ data }) => {
      switch (data?.type) {
        case "output":
          emitOutput(element, data.stream, data.line);
          break;
        case "ready":
          element.dispatchEvent(new CustomEvent("rustpy:done", { detail: { worker } }));
          break;
        case "failed":
          showError(element, `${describe(element, filename)} failed`, data.traceback);
          break;
      }
    });
    worker.addEventListener("error", (event) => {
      showError(element, `${describe(element, filename)} crashed`, event.message || "unknown error");
    });
    worker.postMessage({
      type: "boot",
      module,
      source: loaded.source,
      filename,
      name,
      config: parseConfig(element),
    });
  } catch (error) {
    showError(element, `${describe(element, filename)} failed`, error.message ?? String(error));
  }
}

/** Starts one element, once. Main-thread scripts run one after another in order. */
function start(element) {
  if (started.has(element)) return;
  started.add(element);
  if (element.hasAttribute("worker")) {
    startWorker(element);
  } else {
    mainQueue = mainQueue.then(() => runOnMain(element));
  }
}

function scan(root) {
  if (root.matches?.(SELECTOR)) start(root);
  for (const element of root.querySelectorAll?.(SELECTOR) ?? []) start(element);
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
