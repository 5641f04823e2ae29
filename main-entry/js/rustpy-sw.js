// rustpy's relay service worker: synchronous calls for workers on pages without shared
// memory. rustpy registers it by itself from its own folder (rustpy-relay.js); a page may
// also name its own copy (the `service-worker` attribute, PyScript's fallback): copy this
// file next to your page and point the worker at it:
//
//   <script type="rustpy" worker src="w.py" service-worker="rustpy-sw.js"></script>
//
// For each blocking request a worker posts the request to its page and, at the same time,
// makes a synchronous XHR to `<scope>__rustpy__/sync/<key>/<id>`. The page sends its reply
// here over the MessagePort it registered for <key>; this service worker answers the XHR
// with it (the reply may arrive before or after the XHR). Every other request passes
// through untouched.

const ports = new Map(); // worker key -> the page's MessagePort
const waiting = new Map(); // "<key>/<id>" -> resolve of the XHR waiting for that reply
const early = new Map(); // "<key>/<id>" -> a reply that came before its XHR
const interruptedUpTo = new Map(); // worker key -> the last request id the page interrupted

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

/** Answers every waiting XHR of `key` whose request id passes `test`. */
function answerWaiting(key, test, answer) {
  const prefix = `${key}/`;
  for (const [slot, resolve] of waiting) {
    if (slot.startsWith(prefix) && test(Number(slot.slice(prefix.length)))) {
      waiting.delete(slot);
      resolve(answer);
    }
  }
}

const isId = (value) => Number.isSafeInteger(value) && value >= 0;

self.addEventListener("message", (event) => {
  const { type, key } = event.data ?? {};
  if (type !== "rustpy-connect" || !event.ports[0]) return; // also: keep-alive pings
  // A key is a page's random UUID for one worker; a second connect for it (another frame
  // or page guessing it) must not take the worker's replies over.
  if (typeof key !== "string" || ports.has(key)) {
    console.error(`rustpy-sw.js: refused a connect for ${typeof key === "string" ? "a worker already connected" : "no worker key"}`);
    return;
  }
  const port = event.ports[0];
  ports.set(key, port);
  port.onmessage = ({ data }) => {
    const known =
      (data?.type === "interrupt" && isId(data.upTo)) ||
      (data?.type === "abandoned" && isId(data.id)) ||
      (data?.type === undefined && isId(data?.id) && typeof data.body === "string");
    if (!known) {
      console.error("rustpy-sw.js: refused a malformed message from the page");
      return;
    }
    if (data.type === "interrupt") {
      // The page interrupted the worker: its pending requests are answered at once.
      interruptedUpTo.set(key, Math.max(interruptedUpTo.get(key) ?? 0, data.upTo));
      answerWaiting(key, (id) => id <= data.upTo, { status: 409, body: "interrupted" });
      return;
    }
    if (data.type === "abandoned") {
      // The worker stopped waiting (timeout): nobody reads this reply.
      answerWaiting(key, (id) => id === data.id, { status: 410, body: "abandoned" });
      early.delete(`${key}/${data.id}`);
      return;
    }
    const slot = `${key}/${data.id}`;
    const resolve = waiting.get(slot);
    if (resolve) {
      waiting.delete(slot);
      resolve({ status: 200, body: data.body });
    } else {
      early.set(slot, data.body);
    }
  };
});

// rustpy registers this file by itself (no shared memory, no `service-worker` attribute)
// with the scope `<its folder>/__rustpy__/`, and starts such workers from
// `<its folder>/__rustpy__/rustpy-worker.js`: this scope then holds only the workers that
// need the relay (never those of an isolated page, which other service workers may serve),
// and their files are the ones next to this file.
const FILES = new URL("__rustpy__/", self.location).href;
const FOLDER = new URL("./", self.location).href;

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  const match = url.pathname.match(/\/__rustpy__\/sync\/([^/]+)\/(\d+)$/);
  if (!match) {
    if (url.href.startsWith(FILES)) {
      url.searchParams.delete("rustpy-relay"); // a worker's own key (rustpy-relay.js)
      event.respondWith(fetch(FOLDER + url.href.slice(FILES.length)));
    }
    return;
  }
  const key = decodeURIComponent(match[1]);
  const id = Number(match[2]);
  const slot = `${key}/${id}`;
  event.respondWith(
    (async () => {
      let reply;
      if (early.has(slot)) {
        reply = { status: 200, body: early.get(slot) };
        early.delete(slot);
      } else if (!ports.has(key)) {
        reply = { status: 503, body: `rustpy-sw.js: no page is connected for worker ${key}` };
      } else if (id <= (interruptedUpTo.get(key) ?? 0)) {
        reply = { status: 409, body: "interrupted" };
      } else {
        // `?timeout=<ms>`: the worker's deadline, answered here with 408 (rustpy-worker.js).
        const timeout = Number(url.searchParams.get("timeout") ?? 0);
        reply = await new Promise((resolve) => {
          waiting.set(slot, resolve);
          if (!(timeout > 0)) return;
          setTimeout(() => {
            if (waiting.get(slot) !== resolve) return;
            waiting.delete(slot);
            resolve({ status: 408, body: "timed out" });
          }, timeout);
        });
      }
      return new Response(reply.body, {
        status: reply.status,
        headers: {
          "content-type": "text/plain; charset=utf-8",
          "cache-control": "no-store",
          // Tells the worker the relay answered (not the server: a worker it does not control).
          "x-rustpy-relay": "1",
        },
      });
    })(),
  );
});
