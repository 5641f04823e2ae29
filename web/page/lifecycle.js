// A script's life as events, as PyScript's `py:*` ones, named `rustpy:*`:
//
// - `rustpy:ready` on the script element once its interpreter is up, right before the
//   script runs (a worker's interpreter tells the page with its `booted` message);
// - `rustpy:done` on it once the script ended: finished, or failed (then `detail.error`
//   holds the error: a `PythonError` with the traceback, or why it could not start). A
//   worker tag's `restart()` starts a new run: `rustpy:ready` and `rustpy:done` again.
//   A run that never started its interpreter (a `src` that does not load) has no
//   `rustpy:ready`, only its `rustpy:done`.
// - `rustpy:all-done` on `window`, once, when every rustpy script of the page has ended
//   (see "all-done" below).
//
// Both bubble, so a listener on `document` hears every tag's. `detail.worker` is the
// worker tag's `PyWorker` (truthy, as PyScript's `true`), `false` for a main-thread script.

/** Dispatches `rustpy:<what>` on a script element (bubbling). */
export function dispatchScriptEvent(element, what, detail) {
  element.dispatchEvent(new CustomEvent(`rustpy:${what}`, { bubbles: true, detail }));
}

/** `rustpy:done` for a run that ended, `error` if it failed; and counts the script as ended
 * for `rustpy:all-done`. */
export function scriptEnded(element, worker, error = null) {
  dispatchScriptEvent(element, "done", error === null ? { worker } : { worker, error });
  pageScriptEnded(element);
}

// all-done. PyScript waits for the `py:done` of every script element present when its
// module starts (all-done.js) and then dispatches `py:all-done` on `window`. rustpy waits
// for the page's own scripts:
// - the `<script type="rustpy">` and `<rustpy-script>` tags in the document when rustpy.js
//   starts, and those the parser adds while the document is still loading (rustpy.js
//   loaded `async`), main-thread and worker ones alike;
// - a script counts as ended when its `rustpy:done` went out, whether it finished or
//   failed (a failing worker ends all-done's wait too: in PyScript it never sends
//   `py:done`, and `py:all-done` never comes), or when its worker was terminated (or
//   restarted) before its script finished: its first run is what counts;
// - a tag that never runs (inline code the page's Content-Security-Policy forbids) is not
//   waited for;
// - not counted: tags added after the document loaded (by JS or Python), and workers made
//   with `PyWorker` from JS or Python, which belong to the code that made them;
// - `rustpy:all-done` goes out once, a microtask after the last of them ended (or after
//   rustpy.js started, on a page without any), and never again.
const pageScripts = new Set(); // the page's scripts that have not ended yet
let pageScanned = false; // the document has loaded: pageScripts is complete
let allDoneSent = false;

/** Counts `element` as one of the page's scripts if the page is still being read. */
export function countPageScript(element) {
  if (!pageScanned) pageScripts.add(element);
}

/** A page script ended: all-done goes out if it was the last. */
function pageScriptEnded(element) {
  if (pageScripts.delete(element)) allDoneIfEnded();
}

/** Dispatches `rustpy:all-done` once every page script ended, once. */
function allDoneIfEnded() {
  if (allDoneSent || !pageScanned || pageScripts.size > 0) return;
  allDoneSent = true;
  queueMicrotask(() => dispatchEvent(new Event("rustpy:all-done")));
}

/** The document has loaded and was scanned: the page's scripts are known. */
export function pageScriptsKnown() {
  pageScanned = true;
  allDoneIfEnded();
}
