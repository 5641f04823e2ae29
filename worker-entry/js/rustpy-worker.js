// rustpy's Web Worker bootstrap: instantiate the wasm module the page already compiled,
// then hand the boot message to Rust (worker-entry's `worker_main`).
import init, { worker_main } from "./rustpy_wasm.js";

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
    const { module, ...boot } = data;
    await worker_main(boot);
  },
  { once: true },
);
