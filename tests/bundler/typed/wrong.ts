// Must NOT type-check: the suite checks that tsc rejects each marked line, so the types
// are real and not `any`.
import { PyWorker } from "rustpy";

const worker = new PyWorker("worker.py", { type: "pyodide" }); // ERROR: type is "rustpy"
worker.sync.f = (x: PyWorker) => x; // ERROR: a page function cannot return a PyWorker
const lines: string = (await worker.ready).config; // ERROR: config is not a string
const early: PyWorker = PyWorker("worker.py"); // ERROR: the call gives a promise of the worker
