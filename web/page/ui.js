// What rustpy shows on the page itself: its styles, each script's output target, error
// boxes, the diagnosis of a page without shared memory, and the `input()` prompt of a
// worker that has no terminal.

const targets = new WeakMap(); // script element -> id of its display() target
let targetCount = 0;

/** The id of the element `display()` writes to for a script: its `target` attribute, or a
 * `<div>` placed right after the tag. */
export function targetFor(element) {
  const named = element.getAttribute("target");
  if (named) return named.replace(/^#/, "");
  let id = targets.get(element);
  if (!id) {
    targetCount += 1;
    id = `${element.id || "rustpy"}-target-${targetCount}`;
    const div = document.createElement("div");
    div.id = id;
    div.className = "rustpy-target";
    element.after(div);
    targets.set(element, id);
  }
  return id;
}

/** An error of a main-thread script's tag: in a box after it, or only in the console when
 * the tag says `errors="console"`. */
export function showScriptError(element, title, detail) {
  if (showsErrors(element)) showError(element ?? document.body, title, detail);
  else console.error(`${title}\n${detail}`);
}

/** Whether a tag's errors go on the page (not when it says `errors="console"`). */
export function showsErrors(element) {
  return element?.getAttribute("errors") !== "console";
}

const STYLE = `
rustpy-script, rustpy-config { display: none; }
.rustpy-error {
  margin: .5em 0; padding: .5em .75em; border: 2px solid #c62828; border-radius: 4px;
  background: #ffebee; color: #b71c1c; font: 13px/1.4 monospace; white-space: pre-wrap;
}
.rustpy-error strong { display: block; margin-bottom: .25em; }
.rustpy-input label { font: 14px/1.4 monospace; white-space: pre-wrap; }
.rustpy-input input { font: inherit; margin-left: .25em; }
.rustpy-input-overlay {
  position: fixed; right: 1em; bottom: 1em; z-index: 2147483647; padding: .5em .75em;
  background: #fff; border: 1px solid #888; border-radius: 4px; box-shadow: 0 2px 8px #0004;
}
`;

/** rustpy's styles, as a constructed style sheet where the browser has them: a page whose
 * Content-Security-Policy forbids inline styles still gets them. */
export function installStyle() {
  if (typeof CSSStyleSheet === "function" && "adoptedStyleSheets" in document) {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(STYLE);
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
    return;
  }
  const style = document.createElement("style");
  style.dataset.rustpy = "";
  style.textContent = STYLE;
  document.head.append(style);
}

/** Shows an error on the page, right after the script element, and in the console. */
export function showError(element, title, detail) {
  console.error(`${title}\n${detail}`);
  const box = document.createElement("div");
  box.className = "rustpy-error";
  box.setAttribute("role", "alert");
  const heading = document.createElement("strong");
  heading.textContent = title;
  const text = document.createElement("pre");
  text.style.margin = "0";
  text.textContent = detail;
  box.append(heading, text);
  if (element.isConnected && element !== document.body) element.after(box);
  else document.body.prepend(box);
}

let diagnosed = false;

/**
 * Once per page: why workers get no synchronous calls here (`missing`: no shared memory,
 * from missingSharedMemory; `noRelay`: why the relay cannot run either) and the ways out.
 * The workers still run; their `pyscript.sync`, `window`, `document` and `input()` raise.
 */
export function showIsolationDiagnosis(label, missing, noRelay) {
  if (diagnosed) return;
  diagnosed = true;
  const headers = missing.isolated
    ? ""
    : "  - Serve the page with these headers:\n" +
      "       Cross-Origin-Opener-Policy: same-origin\n" +
      "       Cross-Origin-Embedder-Policy: require-corp\n" +
      "       Cross-Origin-Resource-Policy: cross-origin\n" +
      "  - On a host that cannot set headers, copy rustpy-coi.js (in dist/rustpy/) next to the " +
      'page and make <script src="rustpy-coi.js"></script> the first script in <head>.\n';
  const detail =
    `${label} (and every rustpy worker on this page) cannot call the page synchronously: ` +
    "pyscript.sync, window, document and input() need shared memory (SharedArrayBuffer) or " +
    `rustpy's service-worker relay. Here ${missing.text}, and the relay cannot run: ${noRelay}. ` +
    "Code that does not call the page still runs.\n\n" +
    "Ways out:\n" +
    headers +
    "  - Let rustpy's relay run: serve the page over https:// or from http://localhost, with " +
    "rustpy's files on the page's origin (slower than shared memory, every feature works).\n" +
    "  - If only the page calls the worker, give the worker the config " +
    '{"sync_main_only": true} (this message then goes away).';
  const title = missing.isolated
    ? "rustpy: this browser gives workers no shared memory"
    : "rustpy: this page is not cross-origin isolated";
  showError(document.body, title, detail);
}

/** How messages name a script: `rustpy worker "calc" (calc.py)` or `rustpy script main.py`. */
export function describeScript(kind, name, filename) {
  return name ? `rustpy ${kind} "${name}" (${filename})` : `rustpy ${kind} ${filename}`;
}

/**
 * An `input()` prompt with a text field after the output target `target` (or in a corner
 * overlay without one), focused; `answered(text)` runs when the user presses Enter, and the
 * prompt is replaced by what was asked and answered, as a terminal would keep it. Returns
 * the form (removing it cancels the prompt).
 */
export function showPrompt(target, prompt, answered) {
  const form = document.createElement("form");
  form.className = "rustpy-input";
  const label = document.createElement("label");
  label.textContent = String(prompt ?? "");
  const field = document.createElement("input");
  field.type = "text";
  field.autocomplete = "off";
  label.append(field);
  form.append(label);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const line = document.createElement("div");
    line.className = "rustpy-input-line";
    line.textContent = `${label.firstChild?.textContent ?? ""}${field.value}`;
    form.replaceWith(line);
    answered(field.value);
  });
  if (target) target.append(form);
  else {
    form.classList.add("rustpy-input-overlay");
    document.body.append(form);
  }
  field.focus();
  return form;
}
