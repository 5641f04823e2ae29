// Helpers of the test pages, written once: `import { within, settle } from "/page-kit.js";`
// in a module script (`/capture.js`, a classic script, still comes first).

/** `promise`, or a rejection naming `what` once `ms` milliseconds pass without it settling. */
export function within(ms, what, promise) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} hung: no answer in ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** An error as one line of text: a Python error's traceback, else `name: message`. */
export function describe(error) {
  return error?.traceback ?? (error instanceof Error ? `${error.name}: ${error.message}` : String(error));
}

/**
 * What `promise` came to, as data a test can read: `["ok", value]` or `["err", text]`
 * ([`describe`]).
 */
export function settle(promise) {
  return promise.then((value) => ["ok", value], (error) => ["err", describe(error)]);
}
