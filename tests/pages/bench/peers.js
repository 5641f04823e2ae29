// The PyScript peers of the benchmark pages: their interpreters, served from /node_modules,
// and the page's `?type=`. Importing this loads no PyScript (pages that must add their
// script tags before PyScript's core.js loads import it first).

export const PEERS = {
  micropython: {
    element: "mpy-script",
    interpreter: "/node_modules/@micropython/micropython-webassembly-pyscript/micropython.mjs",
  },
  pyodide: {
    element: "py-script",
    interpreter: "/node_modules/pyodide/pyodide.mjs",
  },
};

/// The tag of a peer for a `<script type=... worker config=...>`: `{ type, interpreter }`
/// (`mpy` or `py`, and the interpreter's URL on this server).
export function peerTag(type) {
  return { type: type === "micropython" ? "mpy" : "py", interpreter: PEERS[type].interpreter };
}

/// The `?type=` of the page: `micropython` or `pyodide`.
export function peerType() {
  const type = new URLSearchParams(location.search).get("type");
  if (!(type in PEERS)) throw new Error(`?type= must be micropython or pyodide, not ${type}`);
  return type;
}

