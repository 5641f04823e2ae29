// The `terminal` attribute of a rustpy script tag: an xterm.js terminal (dist/rustpy/xterm.mjs,
// npm `@xterm/xterm`, pinned in web/package.json) that shows the script's output and, for
// a worker, reads `input()` lines typed into it, with line editing and history. rustpy.js
// imports this module only for a page that has a terminal tag, so a page without one loads
// neither this file nor xterm.js.
//
// The line editor is rustpy's own (about a hundred lines): `xterm-readline`, which PyScript
// uses, is published as CommonJS with a dependency, which a browser cannot import without a
// bundler step.

const XTERM_URL = new URL("./xterm.mjs", import.meta.url).href;
const XTERM_CSS_URL = new URL("./xterm.css", import.meta.url).href;

let xterm = null; // the promise of the xterm.js module, loaded once

/** Loads xterm.js and its stylesheet, once per page. */
function loadXterm() {
  if (!xterm) {
    const link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = XTERM_CSS_URL;
    document.head.append(link);
    xterm = import(XTERM_URL);
  }
  return xterm;
}

/**
 * A terminal opened in `container`: `write(stream, lines)` shows output, `readLine(prompt)`
 * asks for a line (resolves with it, or with `null` when `cancel()` ends the read), and
 * Ctrl-C calls `onInterrupt` (set by the owner) after ending a read in progress. With
 * `input: false` (a main-thread script: its Python cannot wait for a line) nothing is read.
 */
export async function openTerminal(container, { input }) {
  const { Terminal } = await loadXterm();
  const terminal = new Terminal({
    convertEol: true,
    cursorBlink: input,
    disableStdin: !input,
    rows: 16,
    scrollback: 5000,
  });
  const host = document.createElement("div");
  host.className = "rustpy-terminal";
  container.append(host);
  terminal.open(host);
  return new TerminalView(terminal, input);
}

class TerminalView {
  /** Called on Ctrl-C (the owner interrupts the worker). */
  onInterrupt = () => {};
  #terminal;
  #history = [];
  /** The read in progress: { line, cursor, browsing, resolve }, or null. */
  #read = null;
  /** Text typed (or pasted) while no read was in progress, for the next reads. */
  #ahead = "";

  constructor(terminal, input) {
    this.#terminal = terminal;
    if (input) terminal.onData((data) => this.#typed(data));
  }

  /** The xterm.js `Terminal` (`__terminal__` in Python, `element.terminal` in JS). */
  get terminal() {
    return this.#terminal;
  }

  /** Shows lines of output (stderr in red). */
  write(stream, lines) {
    const text = lines.join("\n") + "\n";
    this.#terminal.write(stream === "stderr" ? `\x1b[31m${text}\x1b[0m` : text);
  }

  /** Shows `prompt` and resolves with the line typed after it (`null` if cancelled). */
  readLine(prompt) {
    this.cancel();
    return new Promise((resolve) => {
      this.#terminal.write(prompt);
      this.#read = { line: "", cursor: 0, browsing: this.#history.length, resolve };
      const ahead = this.#ahead;
      this.#ahead = "";
      if (ahead) this.#typed(ahead);
      this.#terminal.focus();
    });
  }

  /** Ends the read in progress, if any (its promise resolves with `null`). */
  cancel() {
    const read = this.#read;
    if (!read) return;
    this.#read = null;
    this.#terminal.write("^C\r\n");
    read.resolve(null);
  }

  #remember(line) {
    if (line && this.#history[this.#history.length - 1] !== line) this.#history.push(line);
  }

  /** Keys and pasted text from xterm.js. */
  #typed(data) {
    if (data === "\x03") {
      if (this.#read) this.cancel();
      else this.#terminal.write("^C\r\n");
      this.onInterrupt();
      return;
    }
    const read = this.#read;
    if (!read) {
      // Typed while Python runs: kept for the next input() (escape sequences dropped).
      if (!data.startsWith("\x1b")) this.#ahead += data;
      return;
    }
    switch (data) {
      case "\r":
        this.#read = null;
        this.#terminal.write("\r\n");
        this.#remember(read.line);
        read.resolve(read.line);
        return;
      case "\x7f": // Backspace
        if (read.cursor > 0) this.#edit(read, read.line.slice(0, read.cursor - 1) + read.line.slice(read.cursor), read.cursor - 1);
        return;
      case "\x1b[3~": // Delete
        if (read.cursor < read.line.length) this.#edit(read, read.line.slice(0, read.cursor) + read.line.slice(read.cursor + 1), read.cursor);
        return;
      case "\x1b[D": // Left
        if (read.cursor > 0) this.#edit(read, read.line, read.cursor - 1);
        return;
      case "\x1b[C": // Right
        if (read.cursor < read.line.length) this.#edit(read, read.line, read.cursor + 1);
        return;
      case "\x1b[H": // Home
      case "\x01": // Ctrl-A
        this.#edit(read, read.line, 0);
        return;
      case "\x1b[F": // End
      case "\x05": // Ctrl-E
        this.#edit(read, read.line, read.line.length);
        return;
      case "\x1b[A": // Up: the previous line of the history
        if (read.browsing > 0) {
          read.browsing -= 1;
          const line = this.#history[read.browsing];
          this.#edit(read, line, line.length);
        }
        return;
      case "\x1b[B": {
        // Down: the next line of the history, or an empty line after the last
        if (read.browsing >= this.#history.length) return;
        read.browsing += 1;
        const line = this.#history[read.browsing] ?? "";
        this.#edit(read, line, line.length);
        return;
      }
    }
    if (data.startsWith("\x1b")) return; // other escape sequences: ignored
    // Printable text, typed or pasted: a line break submits, what follows waits its turn.
    const brk = data.search(/\r\n|\r|\n/);
    const first = brk < 0 ? data : data.slice(0, brk);
    const text = [...first].filter((c) => c >= " " && c !== "\x7f").join("");
    this.#edit(read, read.line.slice(0, read.cursor) + text + read.line.slice(read.cursor), read.cursor + text.length);
    if (brk >= 0) {
      this.#ahead = data.slice(brk).replace(/^(\r\n|\r|\n)/, "") + this.#ahead;
      this.#typed("\r");
    }
  }

  /** Sets the line being read to `line` with the cursor at `cursor`, redrawing it. */
  #edit(read, line, cursor) {
    const width = (text) => [...text].length;
    // Back to where the line starts, erase to the end of the screen, write it anew.
    const back = width(read.line.slice(0, read.cursor));
    let out = back > 0 ? `\x1b[${back}D` : "";
    out += `\x1b[0J${line}`;
    const after = width(line) - width(line.slice(0, cursor));
    if (after > 0) out += `\x1b[${after}D`;
    read.line = line;
    read.cursor = cursor;
    this.#terminal.write(out);
  }
}
