// rustpy's Web Worker bootstrap: instantiate the wasm module the page already compiled,
// hand the boot message to Rust (worker-entry's `worker_main`), then route the page's
// calls to `worker_call`.
import init, { worker_main, worker_call } from "./rustpy_wasm.js";

addEventListener(
  "message",
  async ({ data }) => {
    if (!data || data.type !== "boot") return;
    try {
      await init({ module_or_path: data.module });
    } catch (error) {
      postMessage({
        type: "failed",
        traceback: `rustpy: the interpreter could not start in this worker: ${error}`,
      });
      return;
    }
    addEventListener("message", ({ data: message }) => {
      if (message?.type === "call" || message?.type === "callback") worker_call(message);
    });
    const { module, ...boot } = data;
    await worker_main(boot);
  },
  { once: true },
);
