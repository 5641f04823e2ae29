// rustpy's page loader: the one file a page includes.
//
//   <script type="module" src="rustpy/rustpy.js"></script>
//
// It finds <script type="rustpy"> and <rustpy-script> elements (now and later), runs
// main-thread ones in document order in the page's interpreter and gives each `worker` one
// its own Web Worker. The wasm module is compiled once here and shared with every worker.
// Python output goes to the console; errors also appear on the page in a visible box.
// The interpreter itself lives in Rust (rustpy_wasm.js / .wasm, built by `cargo xtask dist`).

//
// This folder is the page's side; the build (`cargo xtask dist`) bundles it, with
// ../shared/, into dist/rustpy/rustpy.js. Its files: main.js (this: tag scan, main-thread
// scripts), py-worker.js (PyWorker) and channel.js (the page end of a worker's channel),
// named.js (named workers), main-thread.js (the page interpreter's host side),
// interpreter.js (the wasm module), config.js, relay.js (the relay client), source.js,
// output.js, terminal.js (served apart, loaded only with a terminal), lifecycle.js
// (`rustpy:*` events), ui.js (what rustpy shows on the page), errors.js.

import { pageConfigSource, prepareConfig } from "./config.js";
import { PythonError } from "./errors.js";
import { pageInterpreter } from "./interpreter.js";
import { countPageScript, dispatchScriptEvent, pageScriptsKnown, scriptEnded } from "./lifecycle.js";
import { enterPage, runInPage } from "./main-thread.js";
import { workers } from "./named.js";
import { terminalFor } from "./output.js";
import { PyWorker } from "./py-worker.js";
import { inlineCodeAllowed, loadSource } from "./source.js";
import { describeScript, installStyle, showScriptError, targetFor } from "./ui.js";

export { PyWorker, PythonError, workers };

const SELECTOR = 'script[type="rustpy"], rustpy-script';

let mainQueue = Promise.resolve();
let pageConfig = null; // a promise of the page interpreter's {config, files}
let pageConfigOwner = null; // the element it came from
const started = new WeakSet();

/**
 * The page's config, `{config, files}`, read when its first main-thread script starts
 * (`config.js`); a later script with a different `config` attribute is refused,
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

/** Runs a main-thread script tag in the page's interpreter, its `rustpy:*` events around it. */
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
    enterPage(glue, element);
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
      await runInPage(setTerminal, "<terminal>", configJson, files);
    }
    // Its listeners run now, before the script.
    dispatchScriptEvent(element, "ready", { worker: false });
    await runInPage(loaded.source, filename, configJson, files);
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

/** Starts a worker tag's `PyWorker`. */
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

/** Starts every rustpy tag at or under `root`. */
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
/** The document has loaded: the page's scripts are known. */
function pageLoaded() {
  scan(document); // any tag a mutation record has not brought yet
  pageScriptsKnown();
}

if (document.readyState === "loading") addEventListener("DOMContentLoaded", pageLoaded, { once: true });
else pageLoaded();
