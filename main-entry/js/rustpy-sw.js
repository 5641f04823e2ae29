// rustpy's relay service worker: synchronous calls for workers on pages without shared
// memory (the `service-worker` attribute, PyScript's fallback).
//
// Copy this file next to your page and point the worker at it:
//
//   <script type="rustpy" worker src="w.py" service-worker="rustpy-sw.js"></script>
//
// A worker then makes each blocking request a synchronous XHR to
// `<scope>__rustpy__/sync/<key>`; this service worker hands the body to the page over the
// MessagePort the page registered for <key>, and answers the XHR with the page's reply.
// Every other request passes through untouched.

const ports = new Map(); // worker key -> the page's MessagePort
const waiting = new Map(); // ticket -> {key, resolve}
let nextTicket = 1;

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("message", (event) => {
  const { type, key } = event.data ?? {};
  if (type !== "rustpy-connect" || !event.ports[0]) return; // also: keep-alive pings
  const port = event.ports[0];
  ports.set(key, port);
  port.onmessage = ({ data }) => {
    if (data?.type === "interrupt") {
      // The page interrupted the worker: answer its pending requests at once.
      for (const [ticket, entry] of waiting) {
        if (entry.key !== key) continue;
        waiting.delete(ticket);
        entry.resolve({ status: 409, body: "interrupted" });
      }
      return;
    }
    const entry = waiting.get(data?.ticket);
    if (!entry) return; // already answered (interrupted)
    waiting.delete(data.ticket);
    entry.resolve({ status: 200, body: data.body });
  };
});

self.addEventListener("fetch", (event) => {
  const match = new URL(event.request.url).pathname.match(/\/__rustpy__\/sync\/([^/]+)$/);
  if (!match) return;
  const key = decodeURIComponent(match[1]);
  event.respondWith(
    (async () => {
      const port = ports.get(key);
      if (!port) {
        return new Response(`rustpy-sw.js: no page is connected for worker ${key}`, { status: 503 });
      }
      const body = await event.request.text();
      const ticket = nextTicket++;
      const reply = await new Promise((resolve) => {
        waiting.set(ticket, { key, resolve });
        port.postMessage({ ticket, body });
      });
      return new Response(reply.body, {
        status: reply.status,
        headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
      });
    })(),
  );
});
