// Named workers (`<script type="rustpy" worker name="calc">`, `PyWorker(..., {name})`):
// the registry `workers["calc"]` reads, and page functions offered to a worker before it
// exists.

/**
 * Names that JS machinery reads from any object it is handed, never exports: a promise
 * resolved with a worker reads `then` (an export call would never settle it),
 * `JSON.stringify` reads `toJSON`, inspectors and test libraries read the others. A worker
 * (and its `sync`, and `workers`) gives `undefined` for them; an export with one of these
 * names is reached through `worker.exports`. Symbols (`Symbol.toPrimitive`,
 * `Symbol.iterator`, inspect hooks) never name exports either.
 */
export const PROBED_NAMES = new Set(["then", "toJSON", "inspect", "$$typeof", "nodeType", "asymmetricMatch"]);

const NAMED_WORKER_TIMEOUT_MS = 10_000;

const named = new Map(); // name -> PyWorker
const namedWaiters = new Map(); // name -> [resolve]
// Page functions offered to a named worker before it exists: name -> { function name: fn }.
const namedPageFunctions = new Map();

/**
 * Enters the worker `worker` under `name`: the page functions offered to that name so far
 * join its `pageFunctions`, and whoever waited for the name gets it.
 */
export function registerNamed(name, worker, pageFunctions) {
  Object.assign(pageFunctions, namedPageFunctions.get(name));
  namedPageFunctions.delete(name);
  named.set(name, worker);
  for (const resolve of namedWaiters.get(name) ?? []) resolve(worker);
  namedWaiters.delete(name);
}

/** Takes `worker` out of the registry (it was terminated), unless the name is another's. */
export function forgetNamed(name, worker) {
  if (named.get(name) === worker) named.delete(name);
}

/** The named worker once it is ready; rejects if the name never appears in time. */
export function namedWorker(name) {
  const existing = named.get(name);
  const found = existing
    ? Promise.resolve(existing)
    : new Promise((resolve, reject) => {
        const waiters = namedWaiters.get(name) ?? [];
        waiters.push(resolve);
        namedWaiters.set(name, waiters);
        setTimeout(
          () =>
            reject(
              new Error(
                `no rustpy worker named ${JSON.stringify(name)} appeared within ` +
                  `${NAMED_WORKER_TIMEOUT_MS / 1000}s: add <script type="rustpy" worker name="${name}">`,
              ),
            ),
          NAMED_WORKER_TIMEOUT_MS,
        );
      });
  return found.then(async (worker) => {
    await worker.ready;
    return worker;
  });
}

/** Offers the page function `fn` as `sync.<key>` to the worker named `name`, now or when
 * it is made. */
export function offerToNamed(name, key, fn) {
  if (typeof fn !== "function") throw new TypeError(`workers[${JSON.stringify(name)}].sync.${String(key)} must be a function`);
  const worker = named.get(name);
  if (worker) {
    worker.sync[key] = fn;
    return;
  }
  const functions = namedPageFunctions.get(name) ?? {};
  functions[key] = fn;
  namedPageFunctions.set(name, functions);
}

/** `workers[name].sync`: set page functions of that worker (before it exists too); get its
 * exports as calls that wait for it. */
function namedSync(name) {
  return new Proxy(
    {},
    {
      get: (_, key) =>
        typeof key === "string" && !PROBED_NAMES.has(key)
          ? (...args) => namedWorker(name).then((worker) => worker.sync[key](...args))
          : undefined,
      set: (_, key, fn) => {
        offerToNamed(name, key, fn);
        return true;
      },
    },
  );
}

/**
 * Named workers: `await workers["calc"]` (or `workers.calc`) gives the worker's exports once
 * it is ready; a name that never appears rejects after 10 seconds. `workers.calc.sync.f =
 * f` offers the page function `f` to that worker, even before its tag is there.
 */
export const workers = new Proxy(
  {},
  {
    get(_, name) {
      if (typeof name !== "string" || PROBED_NAMES.has(name)) return undefined;
      const found = namedWorker(name).then((worker) => {
        const exports = worker.exports;
        // An export named `then` would make this object thenable, and the promise would
        // call it instead of resolving: such exports stay on `worker.exports`.
        for (const probed of PROBED_NAMES) delete exports[probed];
        exports.terminate = () => worker.terminate();
        exports.interrupt = (options) => worker.interrupt(options);
        exports.restart = () => worker.restart();
        return exports;
      });
      // Only offering page functions (`.sync`) need not await it: a name that never
      // appears rejects the promises that await it, not this one.
      found.catch(() => {});
      found.sync = namedSync(name);
      return found;
    },
  },
);
