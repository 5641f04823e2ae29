// rustpy's relay client: how a page without shared memory still answers its workers'
// blocking requests (pyscript.sync, window/document, input()).
//
// With SharedArrayBuffer a worker blocks on shared memory (channel.js). Without it (a page
// that is not cross-origin isolated, or an engine such as WebKitGTK that gives no
// SharedArrayBuffer even to an isolated page) the worker posts each request to the page and
// blocks on a synchronous XHR that the relay service worker, rustpy-sw.js, answers with the
// page's reply. A page can name its own copy (the `service-worker` attribute); otherwise
// rustpy registers the rustpy-sw.js next to this file by itself, with the scope
// `<rustpy's folder>/__rustpy__/`, and starts the worker from
// `<rustpy's folder>/__rustpy__/rustpy-worker.js`, which that service worker serves from
// rustpy's folder. A dedicated worker is controlled by the registration whose scope matches
// its script's URL: the relay serves these workers' XHRs without controlling the page (the
// page changes nothing) and never controls a worker started the usual way (an isolated
// page's, which rustpy-coi.js or the page's own service worker may have to serve).

/** rustpy's own relay service worker, next to this file. */
const OWN_RELAY = new URL("./rustpy-sw.js", import.meta.url);
/** How long a relay service worker may take to become active. */
const ACTIVATION_TIMEOUT_MS = 10_000;
/** Messages this often keep the service worker (and the ports it holds) alive. */
const KEEP_ALIVE_MS = 10_000;

/** The relay could not be set up: the reason, for the diagnosis and the worker's errors. */
export class RelayUnavailable extends Error {
  constructor(message) {
    super(message);
    this.name = "RelayUnavailable";
  }
}

/**
 * Why this page has no usable shared memory, or null when it has it:
 * `{ isolated, text }` where `text` completes "rustpy has no shared memory here: ...".
 */
export function missingSharedMemory() {
  const isolated = self.crossOriginIsolated === true;
  if (typeof SharedArrayBuffer !== "function" || typeof Atomics !== "object") {
    return {
      isolated,
      text: isolated
        ? "this browser engine has no SharedArrayBuffer, although the page is cross-origin isolated"
        : "the page is not cross-origin isolated, so the browser gives it no SharedArrayBuffer",
    };
  }
  if (!isolated) {
    return { isolated, text: "the page is not cross-origin isolated, so its SharedArrayBuffer cannot reach a worker" };
  }
  try {
    new SharedArrayBuffer(8);
  } catch (error) {
    return { isolated, text: `this browser cannot create a SharedArrayBuffer (${error?.message ?? error})` };
  }
  return null;
}

/** The fixes to name for `cause` ({isolated, text}): isolation only helps a page without it. */
export function waysOut(cause) {
  if (cause.isolated) {
    return (
      "This engine cannot give workers shared memory; rustpy's service-worker relay does the " +
      "same job (slower) where service workers can run: serve the page over https:// or " +
      "from http://localhost, with rustpy's files on the page's origin."
    );
  }
  return (
    "Serve the page with the headers Cross-Origin-Opener-Policy: same-origin, " +
    "Cross-Origin-Embedder-Policy: require-corp and Cross-Origin-Resource-Policy: cross-origin " +
    "(or put rustpy-coi.js, in dist/rustpy/, next to the page as its first script); or let " +
    "rustpy's service-worker relay run: https:// or http://localhost, rustpy's files on the " +
    "page's origin."
  );
}

/** The page's service-worker container, or a RelayUnavailable saying why there is none. */
function container() {
  let serviceWorker;
  try {
    serviceWorker = navigator.serviceWorker;
  } catch (error) {
    // An opaque origin (a sandboxed frame) may not even look.
    throw new RelayUnavailable(`this page may not use service workers (${error?.message ?? error})`);
  }
  if (!self.isSecureContext || !serviceWorker) {
    const where = location.protocol === "file:" ? "a file:// page" : "this page, which is not a secure context";
    throw new RelayUnavailable(
      `service workers are not available to ${where} (they need https:// or http://localhost)`,
    );
  }
  return serviceWorker;
}

/** Waits until `registration`'s newest service worker is activated (bounded). */
function activated(registration, url) {
  const worker = registration.installing ?? registration.waiting ?? registration.active;
  if (!worker) return Promise.reject(new RelayUnavailable(`the service worker ${url} was not installed`));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      worker.removeEventListener("statechange", check);
      reject(new RelayUnavailable(`the service worker ${url} did not become active within ${ACTIVATION_TIMEOUT_MS / 1000} s`));
    }, ACTIVATION_TIMEOUT_MS);
    function check() {
      if (worker.state !== "activated" && worker.state !== "redundant") return;
      clearTimeout(timer);
      worker.removeEventListener("statechange", check);
      if (worker.state === "activated") resolve();
      else reject(new RelayUnavailable(`the service worker ${url} failed to install`));
    }
    worker.addEventListener("statechange", check);
    check();
  });
}

/** The query parameter that makes each relayed worker's script URL its own. */
const WORKER_KEY = "rustpy-relay";

/** The folder under rustpy's own relay's scope whose files it serves from rustpy's folder. */
const OWN_SCOPE = "./__rustpy__/";

/** Registers the relay service worker at `url` and waits until it is active. */
async function register(url, own) {
  const serviceWorker = container();
  let registration;
  try {
    registration = await serviceWorker.register(url, own ? { scope: new URL(OWN_SCOPE, url).href } : {});
  } catch (error) {
    throw new RelayUnavailable(`the browser refused to register the service worker ${url}: ${error?.message ?? error}`);
  }
  await activated(registration, url);
  return registration;
}

const registrations = new Map(); // service worker URL -> promise of its active registration
let announced = false;

/**
 * A connection of one worker to the relay: `url` is where the worker's synchronous XHRs
 * go, `Worker` starts the worker, `send(message)` hands the relay a reply or an abandoned
 * request, `interrupt()`/`withdraw()` set and clear the worker's interrupt request there,
 * `outputSeen()` counts an output message the page handled, and `serving` holds the ids of
 * the requests the page received and has not answered.
 * `explicitUrl` is the page's own relay (the `service-worker` attribute), else rustpy's;
 * `cause` ({isolated, text}, from missingSharedMemory) is said once in the console when
 * rustpy falls back by itself. Throws RelayUnavailable when no relay can run here.
 */
export async function openRelay(explicitUrl, cause) {
  const url = explicitUrl ? new URL(explicitUrl, document.baseURI) : OWN_RELAY;
  if (!registrations.has(url.href)) registrations.set(url.href, register(url, !explicitUrl));
  const registration = await registrations.get(url.href);
  if (!explicitUrl && !announced) {
    announced = true;
    console.info(
      `rustpy: no shared memory (${cause.text}), so workers call the page through rustpy's ` +
        `service-worker relay (${url.href}, scope ${registration.scope}): every feature ` +
        `works, synchronous calls are slower. ${waysOut(cause)}`,
    );
  }
  return new RelayConnection(registration, !explicitUrl);
}

/** One worker's port to the relay service worker (see openRelay). */
class RelayConnection {
  #registration;
  #key = crypto.randomUUID();
  #port = null;
  #keepAlive;
  #onUpdate;
  #own;
  #answers = []; // resolvers of the relay's answers to interrupt()/withdraw(), in order
  #seen = 0; // output messages the page handled
  #seenSending = false; // a `seen` message is scheduled
  /** Ids of the blocking requests the page received and has not answered. */
  serving = new Set();

  constructor(registration, own) {
    this.#registration = registration;
    this.#own = own;
    // rustpy's own scope already ends in `__rustpy__/`; a page's relay is usually at `/`.
    const sync = `${own ? "" : "__rustpy__/"}sync/${encodeURIComponent(this.#key)}`;
    this.url = new URL(sync, registration.scope).href;
    this.#connect();
    this.#keepAlive = setInterval(() => this.#active()?.postMessage({ type: "rustpy-ping" }), KEEP_ALIVE_MS);
    // A new version of the service worker takes over its clients (skipWaiting, claim) with
    // none of the old one's ports: give it this worker's port again once it is active.
    this.#onUpdate = () => {
      activated(registration, registration.installing?.scriptURL ?? "").then(
        () => this.#port && this.#connect(),
        (error) => console.error(`rustpy: the relay service worker's update failed: ${error.message}`),
      );
    };
    registration.addEventListener("updatefound", this.#onUpdate);
  }

  /**
   * The `Worker` constructor to start this worker with: its script URL gets this
   * connection's key, and for rustpy's own relay it is the same file name under the
   * relay's scope, which the relay serves from its own folder (so the worker is its
   * client); a page's relay controls the usual folder.
   */
  get Worker() {
    const own = this.#own;
    const key = this.#key;
    return class extends globalThis.Worker {
      constructor(script, options) {
        let url = new URL(script);
        if (own) url = new URL(`${OWN_SCOPE}${url.pathname.split("/").pop()}${url.search}`, OWN_RELAY);
        // One URL per worker: WebKit gives a worker whose script request it shares with
        // another worker's (started at the same moment) no service worker at all.
        url.searchParams.set(WORKER_KEY, key);
        super(url, options);
      }
    };
  }

  #active() {
    return this.#registration.active;
  }

  #connect() {
    this.#port?.close();
    const channel = new MessageChannel();
    this.#port = channel.port1;
    // The relay answers interrupt() and withdraw() in the order they were sent.
    this.#port.onmessage = ({ data }) => {
      if (data?.type === "interrupt-set" || data?.type === "withdrawn") this.#answers.shift()?.(data);
    };
    this.#active()?.postMessage({ type: "rustpy-connect", key: this.#key }, [channel.port2]);
    if (this.#seen > 0) this.send({ type: "seen", count: this.#seen });
  }

  /** Hands the relay a reply (`{id, body}`) or an abandoned request. */
  send(message) {
    this.#port?.postMessage(message);
  }

  /** Sends `message` and resolves with the relay's answer (null if none came in time). */
  #ask(message) {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        const at = this.#answers.indexOf(answered);
        if (at >= 0) this.#answers.splice(at, 1);
        resolve(null);
      }, ACTIVATION_TIMEOUT_MS);
      const answered = (data) => {
        clearTimeout(timer);
        resolve(data);
      };
      this.#answers.push(answered);
      this.send(message);
    });
  }

  /**
   * Sets the worker's interrupt request in the relay, which answers the worker's blocked
   * request or sleep with it at once, or gives it to the worker's next poll; resolves once
   * the relay holds it.
   */
  interrupt() {
    return this.#ask({ type: "interrupt" });
  }

  /** Clears the worker's interrupt request; resolves true if the worker had not taken it. */
  async withdraw() {
    const answer = await this.#ask({ type: "withdraw" });
    return answer === null || answer.withdrawn === true;
  }

  /**
   * Counts an output message the page handled; the relay hears the count (at most once
   * per turn of the event loop), and a worker far ahead waits on it (back-pressure).
   */
  outputSeen() {
    this.#seen += 1;
    if (this.#seenSending) return;
    this.#seenSending = true;
    setTimeout(() => {
      this.#seenSending = false;
      this.send({ type: "seen", count: this.#seen });
    });
  }

  /** Ends the connection (the worker ended). */
  close() {
    clearInterval(this.#keepAlive);
    this.#registration.removeEventListener("updatefound", this.#onUpdate);
    this.#port?.close();
    this.#port = null;
  }
}
