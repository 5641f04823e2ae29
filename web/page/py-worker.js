// `PyWorker`: a Python script in a Web Worker, seen from the page. Its boot, its calls both
// ways (the worker's `pyscript.sync` calls and FFI requests; the page's calls of its
// exports), the deadlock guard, `interrupt()`, `restart()` and `terminate()`. Requests and
// replies travel over the worker's SharedChannel (channel.js) or, without shared memory,
// its relay (relay.js).

import { HandleTable } from "../shared/handle-table.js";
import { fromWire, toWire } from "../shared/codec.js";
import { checkFromWorker } from "../shared/protocol.js";
import { BATCH_PART_FRAME, FFI_FRAME, REPLY_LIMIT } from "../shared/wire.js";
import { FAST_REQUESTS, LISTEN_SPIN_MS, SharedChannel } from "./channel.js";
import { prepareConfig } from "./config.js";
import { PythonError, interruptError } from "./errors.js";
import { LIBRARY_URL, interpreterModule, pageInterpreter, spawnWorker } from "./interpreter.js";
import { dispatchScriptEvent, scriptEnded } from "./lifecycle.js";
import { PROBED_NAMES, forgetNamed, registerNamed } from "./named.js";
import { emitOutput, terminalFor, terminalOf } from "./output.js";
import { RelayUnavailable, missingSharedMemory, openRelay, waysOut } from "./relay.js";
import { loadSource } from "./source.js";
import { describeScript, showError, showIsolationDiagnosis, showPrompt, showsErrors, targetFor } from "./ui.js";

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

// Errors of worker exports that nobody awaited are shown on the page: PythonError ->
// how to show it (weakly held: an awaited error is simply forgotten).
const unshown = new WeakMap();
addEventListener("unhandledrejection", (event) => {
  const show = unshown.get(event.reason);
  if (show) {
    event.preventDefault();
    show();
  }
});

/** How long `interrupt()` waits for the worker to take the request, by default (seconds). */
export const INTERRUPT_TIMEOUT_S = 2;

/**
 * A Python script in a Web Worker: `new PyWorker("w.py", {type: "rustpy"})`, or as
 * PyScript's `PyWorker`, an async function: `await PyWorker("w.py", options)` gives the
 * worker once its script finished (see `PyWorker` below the class).
 *
 * - `ready` resolves when the script finished (rejects with its traceback);
 * - `sync.f = f` offers the page function `f` to the worker's `pyscript.sync.f()`;
 * - `await worker.sync.g(...)` and `await worker.g(...)` call what the worker exports;
 * - `terminate()` stops it and rejects every pending call.
 */
class PyWorker {
  #worker;
  #element;
  #label;
  #pageFunctions = Object.create(null);
  #exports = null;
  #pending = new Map();
  #nextCall = 1;
  #channel = null; // this run's SharedChannel (shared memory), if any
  #terminated = false;
  #dead = null; // why the worker cannot answer any more (crashed), or null
  #rejectBoot = null; // rejects the boot waiting for the worker's first answer, if any
  #name;
  #src;
  #showErrors;
  #serving = null; // the page function a blocked worker is waiting for, if any
  #servingId = null; // ...and the id of that request
  #prompts = new Map(); // request id -> the input() prompt shown for it
  #interrupts = new Set(); // pending interrupt() promises: {resolve, reject, timer}
  #serviceWorker; // the relay service worker's URL (no shared memory), if any
  #relay = null; // the RelayConnection without shared memory (relay.js), if any
  // The JS objects this worker's Python holds (window, document, ...); a JS call of a
  // Python callable the worker offered is posted to it. A new one per boot.
  #table = null;
  /** Blocking FFI requests of the worker's Python answered so far (`ffiRequests`). */
  #ffiRequests = 0;
  #facade = null; // the object the constructor returned: `worker.g()` calls export g
  #announced = false; // this run's `rustpy:ready` went out

  constructor(src, options = {}) {
    // No type is rustpy's (PyScript's `PyWorker` needs none either).
    const { type = "rustpy", config = null, name, element = null, showErrors = true } = options ?? {};
    this.#serviceWorker = options?.serviceWorker ?? element?.getAttribute("service-worker") ?? null;
    if (type !== "rustpy") {
      throw new TypeError(`PyWorker type must be "rustpy" (the only supported type), not ${JSON.stringify(type)}`);
    }
    this.#element = element;
    this.#name = name ?? null;
    this.#src = src;
    this.#showErrors = showErrors && showsErrors(element);
    this.#label = describeScript("worker", name, src ?? (element ? "inline worker" : "worker"));
    this.config = config;
    this.ready = this.#boot(src, config);
    this.sync = new Proxy(this.#pageFunctions, {
      get: (functions, key) =>
        typeof key === "string" && !PROBED_NAMES.has(key) ? (...args) => this.#call(key, args) : undefined,
      set: (functions, key, value) => {
        if (typeof value !== "function") throw new TypeError(`worker.sync.${String(key)} must be a function`);
        functions[key] = value;
        return true;
      },
    });
    if (this.#name !== null) registerNamed(this.#name, this, this.#pageFunctions);
    // `worker.g(...)` calls the export `g`, like `worker.sync.g(...)`. `ready` and the tag's
    // events hand out this same object.
    return (this.#facade = new Proxy(this, {
      get: (target, key, receiver) => {
        if (PROBED_NAMES.has(key)) return undefined;
        if (key in target || typeof key !== "string") {
          const value = Reflect.get(target, key, target);
          return typeof value === "function" ? value.bind(target) : value;
        }
        return (...args) => target.#call(key, args);
      },
    }));
  }

  /** How many JS objects the worker's Python holds proxies of (a debug counter). */
  get liveHandles() {
    return this.#table.size;
  }

  /**
   * How many blocking FFI requests (round trips: a DOM operation, or the end of a `batch()`)
   * of the worker's Python the page has answered (a debug counter; a batch's parts sent
   * ahead without waiting are not counted).
   */
  get ffiRequests() {
    return this.#ffiRequests;
  }

  /** The worker's exported functions as an object of async functions (after `ready`). */
  get exports() {
    const out = {};
    for (const name of this.#exports ?? []) out[name] = (...args) => this.#call(name, args);
    return out;
  }

  #showError(title, detail) {
    if (this.#showErrors) showError(this.#element ?? document.body, title, detail);
    else console.error(`${title}\n${detail}`);
  }

  /** This run's interpreter is up: `rustpy:ready` on the tag, once per run. */
  #announceReady() {
    if (this.#announced) return;
    this.#announced = true;
    if (this.#element) dispatchScriptEvent(this.#element, "ready", { worker: this.#facade });
  }

  async #boot(src, config) {
    let posted = false; // the boot message went to the worker
    this.#announced = false;
    try {
      const missing = missingSharedMemory();
      const isolated = missing === null;
      // Without shared memory a worker calls the page through a relay service worker: the
      // page's own (`service-worker`), else rustpy's (not for a sync_main_only worker, which
      // never calls the page). It must be active before the worker starts, or the worker's
      // requests miss it; it registers while the page compiles and fetches the source.
      const wantsRelay = !isolated && (this.#serviceWorker || config?.sync_main_only !== true);
      const relayPromise = wantsRelay ? openRelay(this.#serviceWorker, missing) : null;
      relayPromise?.catch(() => {}); // read below, after the source loaded
      // Else start the worker at once: it loads its script and the wasm-bindgen glue while
      // the page compiles the interpreter and fetches the Python source.
      const early = wantsRelay ? null : spawnWorker(this.#name ?? src ?? "rustpy");
      // An error while its script loads must not be lost before the listeners below exist.
      let earlyError = null;
      early?.addEventListener("error", (event) => {
        event.preventDefault();
        earlyError ??= event.message || "the worker script failed to load";
      });
      if (early) this.#worker = early;
      const [loaded, module, prepared, terminal] = await Promise.all([
        loadSource(this.#element, src ?? null),
        interpreterModule(),
        prepareConfig(config, this.#element ? "attribute" : "option", pageInterpreter),
        terminalFor(this.#element),
      ]);
      // Ctrl-C in the terminal: KeyboardInterrupt in the worker (a failed interrupt, say of a
      // worker that is not running, changes nothing).
      if (terminal) terminal.onInterrupt = () => this.interrupt().catch(() => {});
      config = prepared.config;
      if (this.#terminated) throw new Error(`${this.#label} was terminated before it was ready`);
      this.#label = describeScript("worker", this.#name, loaded.filename);
      let relay = null;
      let noRelay = null; // why no relay can run here (RelayUnavailable's message)
      try {
        relay = await relayPromise;
      } catch (error) {
        if (!(error instanceof RelayUnavailable)) throw error;
        noRelay = error.message;
      }
      if (this.#terminated) {
        relay?.close();
        throw new Error(`${this.#label} was terminated before it was ready`);
      }
      this.#relay = relay;
      const worker = early ?? spawnWorker(this.#name ?? loaded.filename, relay);
      this.#worker = worker;
      const channel = isolated ? new SharedChannel() : null;
      this.#channel = channel;
      // A callback belongs to the worker that offered it: after a restart the old one's
      // listeners fail clearly instead of reaching the new interpreter.
      this.#table = new HandleTable((id, args) => {
        if (this.#terminated || this.#dead || this.#worker !== worker) {
          const why = this.#dead ?? (this.#terminated ? "was terminated" : "was restarted");
          throw new Error(`${this.#label} ${why}: this Python callback of its earlier run cannot run`);
        }
        this.#postText(JSON.stringify({ callback: { id, args: JSON.stringify(args) } }));
      });
      if (noRelay && config?.sync_main_only !== true) showIsolationDiagnosis(this.#label, missing, noRelay);
      const finished = new Promise((resolve, reject) => {
        // terminate() and restart() end a boot the worker will never answer now.
        this.#rejectBoot = reject;
        // The worker's protocol messages arrive as JSON text (cheaper to post than objects);
        // the few that carry shared buffers or come from its JS glue, as objects.
        // Only this run's worker is heard: a message an ended one still had queued would
        // settle this run's calls or miscount its output.
        worker.addEventListener("message", ({ data }) => {
          if (this.#worker === worker) this.#receive(data, resolve, reject);
        });
        this.#worker.addEventListener("error", (event) => {
          event.preventDefault();
          this.#crashed(event.message || "unknown error", reject);
        });
        if (earlyError) this.#crashed(earlyError, reject);
      });
      this.#worker.postMessage({
        type: "boot",
        module,
        source: loaded.source,
        filename: loaded.filename,
        name: this.#name,
        config,
        files: prepared.files,
        target: this.#element ? targetFor(this.#element) : null,
        reply_limit: Number(config?.sync_reply_limit ?? REPLY_LIMIT),
        ...channel?.bootFields, // control, data, requests (absent without shared memory)
        fast_requests: isolated && FAST_REQUESTS,
        relay: relay?.url ?? null,
        no_shared_memory: noRelay && `${missing.text}, and rustpy's service-worker relay cannot run: ${noRelay}. ${waysOut(missing)}`,
        library: LIBRARY_URL,
        page_url: document.baseURI,
        terminal: terminal !== null,
      }, prepared.files.map((file) => file.data.buffer));
      posted = true;
      // A worker with `"spin": false` in its config is not watched: the page waits at once.
      if (channel && FAST_REQUESTS) {
        channel.listen(
          config?.spin === false ? 0 : LISTEN_SPIN_MS,
          (text) => this.#serveRequest(text),
          () => this.#servingId !== null,
        );
      }
      try {
        await finished;
      } finally {
        if (this.#worker === worker) this.#rejectBoot = null;
      }
      if (this.#element) scriptEnded(this.#element, this.#facade);
      return this.#facade;
    } catch (error) {
      // A boot that failed before its message went out (the source did not load) leaves a
      // worker started early with nothing to run: stop it (restart() starts a new one).
      if (!posted && !this.#terminated) this.#worker?.terminate();
      if (!(error instanceof PythonError) && !this.#terminated && !this.#dead && !error?.abandoned) {
        this.#showError(`${this.#label} failed`, error.message ?? String(error));
      }
      if (this.#element) scriptEnded(this.#element, this.#facade, error);
      throw error;
    }
  }

  /** The worker died (a wasm trap, a Rust panic, out of memory): nothing it ran survives. */
  #crashed(message, rejectReady) {
    if (this.#dead || this.#terminated) return;
    this.#dead = `crashed (${message})`;
    const error = new Error(
      `${this.#label} crashed: ${message}. Its state is lost; call restart() to run it again`,
    );
    error.name = "WorkerCrashed";
    this.#endWorker(error);
    rejectReady?.(error);
    this.#showError(`${this.#label} crashed`, message);
  }

  /**
   * A blocking request of a worker without shared memory: the worker posts it here and, at
   * the same time, waits on a synchronous XHR that the relay service worker answers with
   * the reply this page sends it (`rustpy-sw.js`).
   */
  #relayed(frame) {
    this.#serveRequest(frame, (id) => this.#relay.serving.add(id));
  }

  /**
   * Runs a request as the worker wrote it (`J<id> <json>` for an FFI request, `K<json>` for
   * a batch part, which has no id and no reply, else a message as JSON;
   * rustpy_bridge::channel), telling `received` the id of a blocking one first. Malformed
   * text is refused, never thrown.
   */
  #serveRequest(text, received = () => {}) {
    // A request through shared memory can overtake the `booted` message the worker posted
    // before it: the tag's `rustpy:ready` listeners still run before the script's first
    // request is served (a page function they set is there for it).
    this.#announceReady();
    if (text.startsWith(BATCH_PART_FRAME)) {
      this.#table.send(text.slice(BATCH_PART_FRAME.length));
      return;
    }
    if (text.startsWith(FFI_FRAME)) {
      const space = text.indexOf(" ");
      const id = Number(text.slice(FFI_FRAME.length, space));
      received(id);
      this.#answerJs(text.slice(space + 1), id);
      return;
    }
    const { data, problem } = checkFromWorker(text);
    if (problem) {
      console.error(`rustpy: ${this.#label} sent a malformed request, refused: ${problem}`);
      return;
    }
    received(data.id);
    this.#act(data);
  }

  #closeRelay() {
    this.#relay?.close();
    this.#relay = null;
  }

  /** Acts on a message from the worker (JSON text or an object), once it passed the
   * protocol's check (../shared/protocol.js); one that did not is refused with a console
   * error and changes nothing. */
  #receive(message, resolve, reject) {
    // What the worker wrote into the request buffer before it posted this message is
    // served first (a release before the result of the call that dropped the proxies):
    // the listener's wake-up and the message event may come in either order.
    if (FAST_REQUESTS) this.#channel?.takeRequest((text) => this.#serveRequest(text));
    const { data, problem } = checkFromWorker(message);
    if (problem) {
      console.error(`rustpy: ${this.#label} received a malformed message, refused: ${problem}`);
      return;
    }
    this.#act(data, resolve, reject);
  }

  /** Acts on a message that passed `checkFromWorker`. */
  #act(data, resolve, reject) {
    switch (data.type) {
      case "booted":
        this.#announceReady();
        break;
      case "output":
        emitOutput(this.#element, data.stream, data.lines);
        this.#relay?.outputSeen();
        // The worker gathers lines, then waits, while too many of these are unhandled.
        this.#channel?.outputSeen();
        break;
      case "ready":
        this.#exports = data.exports;
        resolve();
        break;
      case "failed": {
        const error = new PythonError(data.traceback);
        this.#showError(`${this.#label} failed`, data.traceback);
        reject(error);
        break;
      }
      case "error":
        this.#showError(`${this.#label}: error in ${data.what}`, data.traceback);
        break;
      case "crashed":
        this.#crashed(data.message, reject);
        break;
      case "sync_call":
        this.#answer(data.name, data.args, data.id);
        break;
      case "js":
        this.#answerJs(data.request, data.id);
        break;
      case "js_part":
        this.#table.send(data.request);
        break;
      case "relay":
        this.#relayed(data.frame);
        break;
      case "abandoned":
        if (this.#relay?.serving.delete(data.id)) this.#relay.send({ type: "abandoned", id: data.id });
        // The worker stopped waiting (interrupt, timeout): it is not blocked any more.
        if (this.#servingId === data.id) this.#serving = this.#servingId = null;
        this.#removePrompts(data.id);
        break;
      case "release":
        this.#table.release(data.handles);
        break;
      case "interrupt":
        this.#settleInterrupts(data.delivered === true);
        break;
      case "grow":
        this.#channel?.grow(data.data);
        break;
      case "call_result": {
        let value;
        try {
          if ("ok" in data.result) value = fromWire(data.result.ok, data.buffers ?? null);
        } catch (error) {
          // Not the worker's own answer (it writes well-formed values): the call, if any,
          // still waits for that.
          console.error(`rustpy: ${this.#label} received a malformed message, refused: a result that does not decode (${error.message})`);
          break;
        }
        const pending = this.#pending.get(data.id);
        if (!pending) break;
        this.#pending.delete(data.id);
        if ("ok" in data.result) pending.resolve(value);
        else {
          const error = new PythonError(data.result.err);
          // If nobody handles the rejection, the page's unhandledrejection shows it.
          unshown.set(error, () => this.#showError(`${this.#label}: ${pending.name}() failed`, error.traceback));
          pending.reject(error);
        }
        break;
      }
    }
  }

  /** Runs the page function a worker's `pyscript.sync.<name>()` asked for and replies. */
  async #answer(name, args, id) {
    // Request ids start again with each run: the reply of a run that ended meanwhile
    // (restart) must not answer the new run's request of the same id.
    const worker = this.#worker;
    let reply;
    let fn = this.#pageFunctions[name];
    if (typeof fn !== "function" && name === "input") fn = (prompt) => this.#prompt(prompt, id);
    if (typeof fn !== "function") {
      reply = { err: { kind: "Missing" } };
    } else {
      try {
        this.#serving = name;
        this.#servingId = id;
        let result = fn(...fromWire(args));
        // Only a promise is awaited: a plain value is answered in this same task.
        if (typeof result?.then === "function") result = await result;
        reply = { ok: toWire(result, `the result of worker.sync.${name}`) };
      } catch (error) {
        reply = { err: { kind: "Raised", name: error?.name ?? "Error", message: error?.message ?? String(error) } };
      } finally {
        if (this.#worker === worker && this.#servingId === id) this.#serving = this.#servingId = null;
      }
    }
    if (this.#worker !== worker) return;
    const json = JSON.stringify(reply);
    if (this.#writeAsciiReply(json, id)) return;
    let bytes = textEncoder.encode(json);
    const limit = this.#replyLimit();
    if (bytes.length > limit) {
      bytes = textEncoder.encode(JSON.stringify({ err: { kind: "TooLarge", size: bytes.length, limit } }));
    }
    this.#writeReply(bytes, id);
  }

  /** Runs an FFI request of the worker's Python on this worker's handle table. */
  #answerJs(request, id) {
    this.#ffiRequests += 1;
    const reply = this.#table.request(request);
    // Most replies are short ASCII JSON: written straight into the data buffer.
    if (this.#writeAsciiReply(reply, id)) return;
    this.#writeReply(this.#limited(textEncoder.encode(reply), "a DOM reply"), id);
  }

  /**
   * `input(prompt)` in the worker, when the page set no `worker.sync.input`: a prompt and a
   * text field after the worker's output target (or in a corner overlay for a worker
   * without a tag); resolves with the text when the user presses Enter.
   */
  #prompt(prompt, id) {
    const terminal = terminalOf(this.#element);
    // A line cancelled by Ctrl-C answers nothing: the worker gave up the request.
    if (terminal) return terminal.readLine(String(prompt ?? "")).then((line) => line ?? "");
    return new Promise((resolve) => {
      const target = this.#element ? document.getElementById(targetFor(this.#element)) : null;
      const form = showPrompt(target, prompt, (text) => {
        this.#prompts.delete(id);
        resolve(text);
      });
      this.#prompts.set(id, form);
    });
  }

  /** Takes down the input prompt of request `id` (or all of them). */
  #removePrompts(id) {
    // A terminal reads one line at a time: the abandoned request is the one being read.
    terminalOf(this.#element)?.cancel();
    for (const [promptId, form] of this.#prompts) {
      if (id === undefined || promptId === id) {
        form.remove();
        this.#prompts.delete(promptId);
      }
    }
  }

  #replyLimit() {
    return Number(this.config?.sync_reply_limit ?? REPLY_LIMIT);
  }

  /** An FFI reply, or an error reply when it exceeds the worker's reply limit. */
  #limited(bytes, what) {
    const limit = this.#replyLimit();
    if (bytes.length <= limit) return bytes;
    const message =
      `${what} of ${bytes.length} bytes is over the ${limit}-byte limit ` +
      "(set sync_reply_limit in the worker's config to raise it)";
    return textEncoder.encode(JSON.stringify({ err: { index: 0, name: "RangeError", message, python: null } }));
  }

  /**
   * `#writeReply` for a reply that is ASCII text within the reply limit, written straight
   * into shared memory (SharedChannel.writeAsciiReply). False, having written nothing, for
   * any other text and on the relay (whose replies go to the service worker).
   */
  #writeAsciiReply(text, id) {
    if (this.#relay || text.length > this.#replyLimit()) return false;
    return this.#channel?.writeAsciiReply(text, id) ?? true;
  }

  /**
   * Writes the reply to request `id`, unless the worker gave up on it (interrupt, timeout):
   * to the relay without shared memory, else into the worker's SharedChannel.
   */
  #writeReply(bytes, id) {
    if (this.#relay) {
      if (!this.#relay.serving.delete(id)) return; // abandoned (interrupt, timeout)
      this.#relay.send({ id, body: textDecoder.decode(bytes) });
      return;
    }
    this.#channel?.writeReply(bytes, id);
  }

  /**
   * Raises `KeyboardInterrupt` in the worker's running Python, whatever it runs: a wait (a
   * sync call, `input()`, `time.sleep`) at once, any loop or call of Python code within a
   * few hundred Python instructions. Resolves `true` when Python raised it, `false` when
   * nothing ran (the request is dropped, never kept for the next call). Rejects with an
   * `InterruptError` when the worker did not take it within `timeout` seconds (native code
   * that runs no Python instruction, e.g. `sum(range(10**12))`: the request is withdrawn,
   * `restart()` stops it). Without shared memory the relay service worker holds the
   * request: a blocked call or `time.sleep` takes it at once, running Python within the
   * relay's poll interval (`RELAY_POLL_MS` in worker-entry).
   */
  interrupt({ timeout = INTERRUPT_TIMEOUT_S } = {}) {
    if (this.#terminated || this.#dead) return Promise.resolve(false);
    const relay = this.#relay;
    const channel = this.#channel;
    if (relay) {
      // Once the relay holds the request, a worker running nothing reads the message at
      // once, takes the request from the relay and drops it.
      const worker = this.#worker;
      relay.interrupt().then(() => {
        if (this.#worker === worker) this.#postText(JSON.stringify("interrupt"));
      });
    } else if (channel && !channel.closed) {
      channel.interrupt();
      // A worker running nothing reads this at once and drops the request.
      this.#postText(JSON.stringify("interrupt"));
    } else {
      // Still booting, no channel yet (or only the ended run's, after restart()): nothing
      // of the user's runs, and the new worker is not sent an interrupt before its boot.
      return Promise.resolve(false);
    }
    return new Promise((resolve, reject) => {
      const waiter = { resolve, reject, timer: 0 };
      const giveUp = (withdrawn) => {
        // The worker took the request meanwhile: its report is coming.
        if (!withdrawn || !this.#interrupts.has(waiter)) return;
        this.#interrupts.delete(waiter);
        reject(
          interruptError(
            `${this.#label} did not reach a point where Python could be interrupted within ` +
              `${timeout} s (native code such as sum(range(10**12)) or a long regex runs no ` +
              "Python instruction); the request was withdrawn: call restart() to stop it",
          ),
        );
      };
      waiter.timer = setTimeout(() => {
        // Withdraw the request unless the worker took it meanwhile.
        if (relay) relay.withdraw().then(giveUp);
        else giveUp(channel.withdrawInterrupt());
      }, timeout * 1000);
      this.#interrupts.add(waiter);
    });
  }

  /** Settles every pending `interrupt()` with the worker's report (or `error`). */
  #settleInterrupts(delivered, error) {
    for (const waiter of this.#interrupts) {
      clearTimeout(waiter.timer);
      if (error) waiter.reject(error);
      else waiter.resolve(delivered);
    }
    this.#interrupts.clear();
  }

  /**
   * Stops the worker and starts its script again in a fresh one, keeping the page
   * functions set with `worker.sync.f = f` (the "stop button"). Pending calls reject;
   * `ready` is a new promise.
   */
  restart() {
    if (this.#terminated) throw new Error(`${this.#label} was terminated: it cannot restart`);
    this.#endWorker(new Error(`${this.#label} was restarted`));
    this.#abandonBoot(`${this.#label} was restarted before it was ready`);
    this.#dead = null;
    this.#exports = null;
    this.#serving = null;
    this.ready = this.#boot(this.#src, this.config);
    this.ready.catch(() => {}); // shown on the page; callers see it through `ready`
    return this.ready;
  }

  async #call(name, args) {
    if (this.#terminated) throw new Error(`${this.#label} was terminated: cannot call ${name}()`);
    if (this.#dead) throw new Error(`${this.#label} ${this.#dead}: cannot call ${name}(); call restart()`);
    if (this.#serving !== null) {
      // The worker is blocked in pyscript.sync.<serving>() until this page function
      // returns, so it can never run <name>(): fail both sides now instead of hanging.
      const error = new Error(
        `deadlock: the page function worker.sync.${this.#serving} awaits ${name}() of ` +
          `${this.#label}, but that worker is blocked waiting for worker.sync.${this.#serving} to return`,
      );
      error.name = "DeadlockError";
      throw error;
    }
    await this.ready;
    if (!this.#exports.includes(name)) {
      throw new TypeError(
        `${this.#label} exports no function ${JSON.stringify(name)} ` +
          `(it exports: ${this.#exports.join(", ") || "nothing"}); list it in __export__ or set pyscript.sync.${name}`,
      );
    }
    const id = this.#nextCall++;
    const wire = toWire(args, `the arguments of ${name}()`);
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, name });
      const text = JSON.stringify({ call: { id, name, args: wire } });
      if (!this.#channel?.handCall(text)) this.#postText(text);
    });
  }

  /** Posts a `ToWorker` message (JSON text) to this run's worker, counted by its channel if any. */
  #postText(text) {
    if (this.#channel) this.#channel.post(this.#worker, text);
    else this.#worker.postMessage(text);
  }

  /** Stops the current worker and fails what waited on it with `error`. */
  #endWorker(error) {
    this.#worker?.terminate();
    this.#closeRelay();
    this.#table?.close(error.message);
    this.#removePrompts();
    this.#fail(error);
    this.#channel?.close(); // its listener lets go of the shared buffers
  }

  #fail(error) {
    for (const { reject } of this.#pending.values()) reject(error);
    this.#pending.clear();
    this.#settleInterrupts(false, error);
  }

  /** Rejects `ready` of a boot still waiting for the worker (its worker is gone). */
  #abandonBoot(message) {
    const reject = this.#rejectBoot;
    this.#rejectBoot = null;
    if (!reject) return;
    const error = new Error(message);
    error.abandoned = true; // asked for: not shown as a failure
    reject(error);
  }

  /** Stops the worker; pending calls reject at once. */
  terminate() {
    if (this.#terminated) return;
    this.#terminated = true;
    this.#endWorker(new Error(`${this.#label} was terminated`));
    this.#abandonBoot(`${this.#label} was terminated before it was ready`);
    if (this.#name !== null) forgetNamed(this.#name, this);
  }
}


/**
 * The exported `PyWorker`, callable both ways:
 *
 * - `new PyWorker(src, options)` gives the worker at once; its `ready` settles when the
 *   script finished;
 * - `PyWorker(src, options)`, PyScript's form (there an async function), gives a promise of
 *   the same worker once its script finished: `ready` itself (it rejects as `ready` does,
 *   and a bad option rejects it rather than throwing).
 *
 * The worker is not thenable (`then` is one of PROBED_NAMES), so awaiting it, or resolving
 * a promise with it, gives the worker; it never calls an export named `then` (reached as
 * `worker.exports.then()`). `worker instanceof PyWorker` holds either way.
 */
const PyWorkerApi = new Proxy(PyWorker, {
  apply(Class, _this, args) {
    try {
      return new Class(...args).ready;
    } catch (error) {
      return Promise.reject(error);
    }
  },
});
export { PyWorkerApi as PyWorker };

