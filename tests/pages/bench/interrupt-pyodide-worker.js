// A plain Pyodide worker for the interrupt benchmark: loads Pyodide from the bench's local
// copy, runs the loops of interrupt-loops.py (the source rustpy's worker runs), and reports
// when each started and the KeyboardInterrupt that ended it.
import { loadPyodide } from "/node_modules/pyodide/pyodide.mjs";

let pyodide;
onmessage = async ({ data }) => {
  if (data.type === "boot") {
    pyodide = await loadPyodide({ indexURL: "/node_modules/pyodide/" });
    pyodide.setInterruptBuffer(data.interruptBuffer);
    const source = await (await fetch("interrupt-loops.py")).text();
    pyodide.runPython(source);
    pyodide.globals.set("started", () => postMessage({ type: "started" }));
    postMessage({ type: "ready" });
    return;
  }
  try {
    pyodide.runPython(`${data.name}()`);
    postMessage({ type: "returned" });
  } catch (error) {
    postMessage({ type: "raised", text: String(error) });
  }
};
