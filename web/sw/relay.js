// rustpy's relay service worker: synchronous calls for workers on pages without shared
// memory. rustpy registers it by itself from its own folder (web/page/relay.js); a page may
// also name its own copy (the `service-worker` attribute, PyScript's fallback): copy this
// file next to your page and point the worker at it:
//
//   <script type="rustpy" worker src="w.py" service-worker="rustpy-sw.js"></script>
//
// For each blocking request a worker posts the request to its page and, at the same time,
// makes a synchronous XHR to `<scope>__rustpy__/sync/<key>/<id>`. The page sends its reply
// here over the MessagePort it registered for <key>; this service worker answers the XHR
// with it (the reply may arrive before or after the XHR).
//
// It also stands in for the shared control block's other words (rustpy_bridge::channel):
// the page's interrupt request, which a worker running Python polls
// (`<key>/poll`), which ends a `time.sleep` it holds (`<key>/sleep?ms=`) and a blocked
// request at once; and the count of output messages the page handled, for which a worker
// far ahead of its page waits (`<key>/seen?atLeast=&ms=`). Every other request passes
// through untouched.

/** Worker key -> {port, interrupt, seen, waiting: id -> resolve, early: id -> body, held}. */
const workers = new Map();

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

const isId = (value) => Number.isSafeInteger(value) && value >= 0;

/** Answers every XHR `state` holds (sleeps, output waits) whose `wakes(state)` is now true. */
function wakeHeld(state) {
  for (const held of state.held) {
    if (held.wakes(state)) {
      state.held.delete(held);
      held.resolve();
    }
  }
}

/** The page asked for an interrupt: a blocked request or sleep takes it at once (409). */
function interrupt(state) {
  state.interrupt = true;
  for (const [id, resolve] of state.waiting) {
    state.waiting.delete(id);
    resolve({ status: 409, body: "interrupted" });
    state.interrupt = false;
  }
  wakeHeld(state);
}

/** Handles a message of the page about its worker `state` (see the file's comment). */
function fromPage(state, data) {
  const known =
    data?.type === "interrupt" ||
    data?.type === "withdraw" ||
    (data?.type === "seen" && isId(data.count)) ||
    (data?.type === "abandoned" && isId(data.id)) ||
    (data?.type === undefined && isId(data?.id) && typeof data.body === "string");
  if (!known) {
    console.error("rustpy-sw.js: refused a malformed message from the page");
    return;
  }
  switch (data.type) {
    case "interrupt":
      interrupt(state);
      state.port.postMessage({ type: "interrupt-set" });
      return;
    case "withdraw":
      // The page gives up on its interrupt unless the worker took it meanwhile.
      state.port.postMessage({ type: "withdrawn", withdrawn: state.interrupt });
      state.interrupt = false;
      return;
    case "seen":
      state.seen = data.count;
      wakeHeld(state);
      return;
    case "abandoned": {
      // The worker stopped waiting (timeout): nobody reads this reply.
      const resolve = state.waiting.get(data.id);
      state.waiting.delete(data.id);
      resolve?.({ status: 410, body: "abandoned" });
      state.early.delete(data.id);
      return;
    }
  }
  const resolve = state.waiting.get(data.id);
  if (resolve) {
    state.waiting.delete(data.id);
    resolve({ status: 200, body: data.body });
  } else {
    state.early.set(data.id, data.body);
  }
}

self.addEventListener("message", (event) => {
  const { type, key } = event.data ?? {};
  if (type !== "rustpy-connect" || !event.ports[0]) return; // also: keep-alive pings
  // A key is a page's random UUID for one worker; a second connect for it (another frame
  // or page guessing it) must not take the worker's replies over.
  if (typeof key !== "string" || workers.has(key)) {
    console.error(`rustpy-sw.js: refused a connect for ${typeof key === "string" ? "a worker already connected" : "no worker key"}`);
    return;
  }
  const state = {
    port: event.ports[0],
    interrupt: false,
    seen: 0,
    waiting: new Map(),
    early: new Map(),
    held: new Set(),
  };
  workers.set(key, state);
  state.port.onmessage = ({ data }) => fromPage(state, data);
});

/** Holds an XHR until `wakes(state)` or `ms` passed (at most a minute); then `answer()`. */
function hold(state, ms, wakes, answer) {
  if (wakes(state)) return Promise.resolve(answer());
  return new Promise((resolve) => {
    const held = { wakes, resolve };
    state.held.add(held);
    setTimeout(() => {
      state.held.delete(held);
      resolve();
    }, Math.min(Math.max(ms, 0), 60_000));
  }).then(answer);
}

/** Takes the pending interrupt, if any. */
function takeInterrupt(state) {
  const taken = state.interrupt;
  state.interrupt = false;
  return taken;
}

/** The answer to a worker's request `what` (a request id, `poll`, `sleep` or `seen`). */
async function answer(state, what, url) {
  const number = (name) => Number(url.searchParams.get(name) ?? 0);
  if (what === "poll") return { status: 200, body: `${takeInterrupt(state) ? 1 : 0} ${state.seen}` };
  if (what === "sleep") {
    const interrupted = (s) => s.interrupt;
    return hold(state, number("ms"), interrupted, () =>
      takeInterrupt(state) ? { status: 409, body: "interrupted" } : { status: 200, body: "slept" },
    );
  }
  if (what === "seen") {
    // Not taken: the worker's next interrupt check takes it.
    const enough = (s) => s.interrupt || s.seen >= number("atLeast");
    return hold(state, number("ms"), enough, () => ({ status: 200, body: `${state.interrupt ? 1 : 0} ${state.seen}` }));
  }
  const id = Number(what);
  if (state.early.has(id)) {
    // A reply written before the interrupt is the call's; the interrupt stays pending.
    const body = state.early.get(id);
    state.early.delete(id);
    return { status: 200, body };
  }
  if (takeInterrupt(state)) return { status: 409, body: "interrupted" };
  // `?timeout=<ms>`: the worker's deadline, answered here with 408 (rustpy-worker.js).
  const timeout = number("timeout");
  return new Promise((resolve) => {
    state.waiting.set(id, resolve);
    if (!(timeout > 0)) return;
    setTimeout(() => {
      if (state.waiting.get(id) !== resolve) return;
      state.waiting.delete(id);
      resolve({ status: 408, body: "timed out" });
    }, timeout);
  });
}

// rustpy registers this file by itself (no shared memory, no `service-worker` attribute)
// with the scope `<its folder>/__rustpy__/`, and starts such workers from
// `<its folder>/__rustpy__/rustpy-worker.js`: this scope then holds only the workers that
// need the relay (never those of an isolated page, which other service workers may serve),
// and their files are the ones next to this file.
const FILES = new URL("__rustpy__/", self.location).href;
const FOLDER = new URL("./", self.location).href;

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  const match = url.pathname.match(/\/__rustpy__\/sync\/([^/]+)\/(\d+|poll|sleep|seen)$/);
  if (!match) {
    if (url.href.startsWith(FILES)) {
      url.searchParams.delete("rustpy-relay"); // a worker's own key (web/page/relay.js)
      event.respondWith(fetch(FOLDER + url.href.slice(FILES.length)));
    }
    return;
  }
  const key = decodeURIComponent(match[1]);
  event.respondWith(
    (async () => {
      const state = workers.get(key);
      const reply = state
        ? await answer(state, match[2], url)
        : { status: 503, body: `rustpy-sw.js: no page is connected for worker ${key}` };
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
