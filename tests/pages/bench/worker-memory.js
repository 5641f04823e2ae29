// On a `?task=memory` page (a classic script, before any module): every Worker the page
// starts first loads wasm-memory-hook.js, then its own script (a module worker through
// static imports, a classic one through importScripts), so that the page can ask each
// worker for the size of its wasm memories (runTask in bench.js).
if (new URLSearchParams(location.search).get("task") === "memory") {
  const Original = window.Worker;
  const hook = new URL("wasm-memory-hook.js", document.currentScript.src).href;
  window.Worker = class extends Original {
    constructor(url, options = {}) {
      const target = new URL(String(url), location.href).href;
      const source =
        options.type === "module"
          ? `import ${JSON.stringify(hook)};\nimport ${JSON.stringify(target)};\n`
          : `importScripts(${JSON.stringify(hook)}, ${JSON.stringify(target)});\n`;
      super(URL.createObjectURL(new Blob([source], { type: "text/javascript" })), options);
    }
  };
}
