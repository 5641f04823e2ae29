// Test helper (a classic script, before rustpy loads): simulates, in Chromium, what other
// engines and settings do, as the page's query says:
//   ?nosab   - no SharedArrayBuffer although the page is isolated (WebKitGTK 2.50);
//   ?refuse  - the browser refuses to register service workers (settings, private modes).
const simulate = new URLSearchParams(location.search);
if (simulate.has("nosab")) delete globalThis.SharedArrayBuffer;
if (simulate.has("refuse")) {
  ServiceWorkerContainer.prototype.register = () =>
    Promise.reject(new DOMException("service workers are disabled (simulated by the test page)", "SecurityError"));
}
