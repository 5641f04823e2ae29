// Test helper: records console output in window.__console (loaded first, as a classic
// script) so the WebDriver suite can read it in any browser.
window.__console = [];
// An error as text with its message first: Chromium's `stack` starts with it, Firefox's and
// WebKit's hold only the frames.
window.__describeError = (error) =>
  error?.stack && !error.stack.startsWith(String(error)) ? `${error}\n${error.stack}` : String(error?.stack ?? error);
for (const level of ["log", "info", "warn", "error"]) {
  const original = console[level].bind(console);
  console[level] = (...args) => {
    window.__console.push({ level, text: args.map(String).join(" ") });
    original(...args);
  };
}
// Uncaught errors and rejections too (e.g. a module that fails to load).
addEventListener("error", (event) => {
  window.__console.push({ level: "uncaught", text: String(event.message || event.error) });
});
addEventListener("unhandledrejection", (event) => {
  window.__console.push({ level: "uncaught", text: window.__describeError(event.reason) });
});
// Content-Security-Policy refusals, by the directive refused and what it refused.
addEventListener("securitypolicyviolation", (event) => {
  window.__console.push({ level: "csp", text: `${event.effectiveDirective} ${event.blockedURI}` });
});
// `?no-wait-async` in the page's address: the page runs as in an engine without
// `Atomics.waitAsync` (before rustpy.js loads), so workers post their requests to the page
// instead of writing them into shared memory, rustpy's path for such engines.
if (new URLSearchParams(location.search).has("no-wait-async")) delete Atomics.waitAsync;
