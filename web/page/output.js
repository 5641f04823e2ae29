// Where a script's Python output goes: the console, or its tag's terminal (the `terminal`
// attribute), and `rustpy:output` events on the tag.

import { showScriptError, targetFor } from "./ui.js";

/**
 * Sends lines of Python output to the console (one entry for lines that came together),
 * and to the script element as one `rustpy:output` event per line (detail: {stream, line})
 * so pages can show them.
 */
export function emitOutput(element, stream, lines) {
  const terminal = element && terminals.get(element);
  if (terminal) terminal.write(stream, lines);
  else {
    const text = lines.length === 1 ? lines[0] : lines.join("\n");
    if (stream === "stderr") console.error(text);
    else console.log(text);
  }
  if (!element) return;
  for (const line of lines) element.dispatchEvent(new CustomEvent("rustpy:output", { detail: { stream, line } }));
}

// ---------------------------------------------------------------------------------------
// The `terminal` attribute: an xterm.js terminal after the tag (in its output target) shows
// the script's output instead of the console, and a worker's `input()` reads the lines
// typed into it; Ctrl-C interrupts the worker. rustpy-terminal.js and xterm.js load only
// when a page has such a tag. As in PyScript, at most one main-thread script has one (its
// Python cannot wait for a line, so it shows output only).

const terminals = new WeakMap(); // script element -> its TerminalView (rustpy-terminal.js)
const terminalsOpening = new WeakMap(); // script element -> the promise of its view
let mainTerminal = null; // the main-thread script element that has the page's one

/**
 * The terminal of a script tag with the `terminal` attribute, opened once (`null` for a tag
 * without one, or for a second main-thread one, which gets an error box). `element.terminal`
 * and its output target's `terminal` are the xterm.js `Terminal` (`__terminal__` in Python).
 */
export function terminalFor(element) {
  if (!element?.hasAttribute("terminal")) return Promise.resolve(null);
  let opening = terminalsOpening.get(element);
  if (!opening) {
    const worker = element.hasAttribute("worker");
    if (!worker && mainTerminal && mainTerminal !== element) {
      showScriptError(
        element,
        "terminal not opened",
        "a page has at most one main-thread terminal (as in PyScript): give this script the " +
          "worker attribute, or drop terminal from one of them; its output goes to the console",
      );
      return Promise.resolve(null);
    }
    if (!worker) mainTerminal = element;
    const target = document.getElementById(targetFor(element));
    // rustpy-terminal.js is served beside the loader (the build keeps it apart).
    opening = import("./rustpy-terminal.js")
      .then(({ openTerminal }) => openTerminal(target, { input: worker }))
      .then((view) => {
        terminals.set(element, view);
        element.terminal = view.terminal;
        target.terminal = view.terminal;
        return view;
      });
    terminalsOpening.set(element, opening);
  }
  return opening;
}


/** The opened terminal (its TerminalView) of a script tag, if it has one. */
export function terminalOf(element) {
  return element ? terminals.get(element) : undefined;
}
