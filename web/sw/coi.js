// rustpy's cross-origin isolation service worker, for hosts that cannot send headers
// (GitHub Pages and other static hosts).
//
// Put this file NEXT TO your page and include it as the FIRST script in <head>:
//
//   <script src="rustpy-coi.js"></script>
//
// On the page it registers itself as a service worker and reloads the page once; from then
// on the service worker re-serves every response of its scope with the headers that make
// the page cross-origin isolated (so workers get SharedArrayBuffer):
//   Cross-Origin-Opener-Policy: same-origin
//   Cross-Origin-Embedder-Policy: require-corp
//   Cross-Origin-Resource-Policy: cross-origin
// A page that is already isolated (the server sends the headers) is left alone.

const ISOLATION_HEADERS = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
  "Cross-Origin-Resource-Policy": "cross-origin",
};

if (typeof window === "undefined") {
  // --- In the service worker -----------------------------------------------------------
  self.addEventListener("install", () => self.skipWaiting());
  self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));
  self.addEventListener("fetch", (event) => {
    const request = event.request;
    // A cache-only request for another origin cannot be made by a service worker.
    if (request.cache === "only-if-cached" && request.mode !== "same-origin") return;
    event.respondWith(
      fetch(request).then((response) => {
        // Opaque responses (no-cors, other origins) cannot be changed.
        if (response.status === 0) return response;
        const headers = new Headers(response.headers);
        for (const [name, value] of Object.entries(ISOLATION_HEADERS)) headers.set(name, value);
        // The body below is already decoded: a precompressed file's encoding and length
        // no longer describe it.
        headers.delete("content-encoding");
        headers.delete("content-length");
        return new Response(response.body, {
          status: response.status,
          statusText: response.statusText,
          headers,
        });
      }),
    );
  });
} else if (!window.crossOriginIsolated) {
  // --- On the page ------------------------------------------------------------------------
  const RELOADED = "rustpy-coi-reloaded";
  const script = document.currentScript;
  if (!window.isSecureContext || !navigator.serviceWorker) {
    console.error(
      "rustpy-coi.js: this page is not cross-origin isolated and service workers are not " +
        "available here (they need https:// or http://localhost), so rustpy's workers get no " +
        "shared memory. Serve the page with the headers " +
        Object.entries(ISOLATION_HEADERS).map(([k, v]) => `${k}: ${v}`).join(", ") +
        ".",
    );
  } else {
    navigator.serviceWorker
      .register(script.src)
      .then((registration) => {
        const reload = () => {
          // Reload once: if the page is still not isolated after that, say so instead of
          // reloading forever.
          if (sessionStorage.getItem(RELOADED)) {
            console.error(
              "rustpy-coi.js: the page reloaded through the service worker but is still not " +
                "cross-origin isolated (another service worker or a browser setting may be in " +
                "the way).",
            );
            return;
          }
          sessionStorage.setItem(RELOADED, "1");
          location.reload();
        };
        if (navigator.serviceWorker.controller) reload();
        else navigator.serviceWorker.addEventListener("controllerchange", reload, { once: true });
        return registration;
      })
      .catch((error) => console.error(`rustpy-coi.js: could not register: ${error.message}`));
  }
} else {
  sessionStorage.removeItem("rustpy-coi-reloaded");
}
