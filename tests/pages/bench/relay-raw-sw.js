// The relay benchmark's floor: a service worker that answers each synchronous XHR of
// relay-raw.html's worker at once (no page hop, no interpreter). Scope: /bench/.
self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));
self.addEventListener("fetch", (event) => {
  const match = new URL(event.request.url).pathname.match(/\/__raw_relay__\/(\d+)$/);
  if (match) event.respondWith(new Response(String(Number(match[1]) + 1), { headers: { "cache-control": "no-store" } }));
});
