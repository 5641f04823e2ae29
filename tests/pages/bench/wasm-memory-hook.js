// Loaded first in every worker of a `?task=memory` page (see worker-memory.js): records
// each WebAssembly.Memory the worker creates or instantiates, and answers "ask" on the
// BroadcastChannel "bench:wasm-memory" with their current sizes. Works the same for any
// interpreter (rustpy's wasm-bindgen module, MicroPython's and Pyodide's Emscripten ones).
(() => {
  const memories = new Set();
  const wasm = WebAssembly;
  const keep = (instance) => {
    for (const value of Object.values(instance?.exports ?? {})) {
      if (value instanceof wasm.Memory) memories.add(value);
    }
    return instance;
  };
  wasm.Memory = new Proxy(wasm.Memory, {
    construct(target, args, newTarget) {
      const memory = Reflect.construct(target, args, newTarget);
      memories.add(memory);
      return memory;
    },
  });
  wasm.Instance = new Proxy(wasm.Instance, {
    construct(target, args, newTarget) {
      return keep(Reflect.construct(target, args, newTarget));
    },
  });
  for (const name of ["instantiate", "instantiateStreaming"]) {
    const original = wasm[name];
    wasm[name] = async function (...args) {
      const result = await original.apply(this, args);
      keep(result.instance ?? result);
      return result;
    };
  }
  const channel = new BroadcastChannel("bench:wasm-memory");
  channel.onmessage = ({ data }) => {
    if (data !== "ask") return;
    channel.postMessage({ sizes: [...memories].map((memory) => memory.buffer.byteLength) });
  };
})();
