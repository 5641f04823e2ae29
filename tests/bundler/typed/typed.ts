// A typed use of rustpy's JavaScript API, checked with `tsc --noEmit` by the browser suite
// (tests/tests/package.rs) against the installed package's rustpy.d.ts.
import { PyWorker, PythonError, workers, type OutputDetail, type PyValue } from "rustpy";
import rustpy from "rustpy/vite";

const worker = new PyWorker("worker.py", {
  type: "rustpy",
  name: "typed",
  config: { sync_timeout: 2, sync_reply_limit: 1 << 20, theme: "dark" },
  showErrors: false,
});
const configured = new PyWorker("app.py", {
  config: { files: { "data.csv": "", "lib.zip": "./lib/*" }, fetch: [{ from: "src/", files: ["a.py"] }] },
});
const fromFile = new PyWorker("app.py", { config: "app.toml" });
console.log(configured.config, fromFile.config);
worker.sync.greet = (name: string) => `Hello, ${name}`;
worker.sync.later = async () => [1, 2n, "three", null, { nested: new Uint8Array([1]) }];

async function main(): Promise<number> {
  const ready: PyWorker = await worker.ready;
  const square = await worker.sync.square(12);
  const viaExports: PyValue = await ready.exports.square(3);
  const calc = await workers["calc"];
  const sum: PyValue = await calc.add(2, 3);
  const delivered: boolean = await calc.interrupt({ timeout: 1 });
  const restarted: PyWorker = await calc.restart();
  restarted.terminate();
  worker.interrupt();
  await worker.restart();
  const handles: number = worker.liveHandles;
  worker.terminate();
  // PyScript's form: a promise of the worker once its script ran (no type needed).
  const awaited: PyWorker = await PyWorker("worker.py", { config: { sync_timeout: 1 } });
  if (awaited instanceof PyWorker) awaited.terminate();
  return Number(square) + Number(viaExports) + Number(sum) + handles + Number(delivered);
}

main().catch((error: unknown) => {
  if (error instanceof PythonError) console.error(error.traceback, error.message);
});

const tag = document.querySelector("rustpy-script");
tag?.addEventListener("rustpy:output", (event) => {
  const detail: OutputDetail = event.detail;
  console.log(detail.stream === "stderr" ? "!" : "", detail.line);
});
tag?.addEventListener("rustpy:ready", (event) => {
  // `false` for a main-thread script.
  if (event.detail.worker) event.detail.worker.terminate();
});
document.addEventListener("rustpy:done", (event) => {
  if (event.detail.error) console.error(event.detail.error.message);
});
addEventListener("rustpy:all-done", (event: Event) => console.log(event.type));

export const plugins = [rustpy()];
