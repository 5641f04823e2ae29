// Test helper: records console output in window.__console (loaded first, as a classic
// script) so the WebDriver suite can read it in any browser.
window.__console = [];
for (const level of ["log", "info", "warn", "error"]) {
  const original = console[level].bind(console);
  console[level] = (...args) => {
    window.__console.push({ level, text: args.map(String).join(" ") });
    original(...args);
  };
}
