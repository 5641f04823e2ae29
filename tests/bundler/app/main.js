// A bundled app's use of rustpy: a worker that calls the page and writes into it. The same
// file runs unbundled in plain.html, which the suite writes (index.html with an import map
// pointing "rustpy" at the installed package).
import { PyWorker } from "rustpy";

const log = (text) => {
  const item = document.createElement("li");
  item.textContent = text;
  document.getElementById("log").append(item);
};

const worker = new PyWorker("/worker.py", { type: "rustpy", name: "app" });
worker.sync.page_says = (text) => `the page got ${text}`;
await worker.ready;
// Navigation start -> the worker's script finished (with a sync call and a DOM write).
window.bootMs = performance.now();
log(`export: ${await worker.square(12)}`);
window.done = true;
