// The page's side of rustpy's FFI: one HandleTable per interpreter (the page's own, and one
// per worker) holds the JS objects Python has proxies of, and runs Python's requests on
// them. The protocol (operations, values, replies) is documented in rustpy_bridge::ffi and
// rustpy_bridge::value; this file is its only JS implementation.

import {
  CALL_REF_BITS,
  DIRECT_FAILED,
  DIRECT_JSON,
  DIRECT_METHOD,
  DIRECT_REFERENCE,
  DIRECT_VALUE,
  LOCAL_HANDLE_BASE,
  OP,
  WELL_KNOWN_NAMES,
} from "./wire.js";
import { bytesToWire, plainFromWire, primitiveToWire } from "./codec.js";
import { FfiError } from "./ffi-error.js";
import { makeTree } from "./tree.js";

const classIds = new Map(); // prototype -> class id (shared by all tables of this realm)
// Class ids of a worker's own table start here: Python remembers which attribute names of a
// class are methods, and the page's ids and the worker's must not meet (ids are u32).
const LOCAL_CLASS_BASE = 2 ** 30;

function classOf(value) {
  const proto = Object.getPrototypeOf(value);
  if (proto === null) return 0;
  let id = classIds.get(proto);
  if (id === undefined) {
    id = classIds.size + 1;
    classIds.set(proto, id);
  }
  return id;
}

/** The type name `repr()` shows. */
function typeName(value) {
  if (typeof value === "function") return value.name ? `function ${value.name}` : "function";
  return Object.prototype.toString.call(value).slice(8, -1);
}

/** True when `obj[name]` is a function inherited as a data property (a method). */
function isInheritedMethod(obj, name) {
  if (Object.prototype.hasOwnProperty.call(obj, name)) return false;
  for (let proto = Object.getPrototypeOf(obj); proto !== null; proto = Object.getPrototypeOf(proto)) {
    const descriptor = Object.getOwnPropertyDescriptor(proto, name);
    if (descriptor) return typeof descriptor.value === "function";
  }
  return false;
}

// The wire form of values is rustpy_bridge::value's: JSON-native values as themselves
// (null, booleans, safe integers, fractional floats, strings, arrays), the rest as
// one-key objects ({i}, {f}, {b}, {d}, {js}, {py}, {m}, {bound}, {s}).
const METHOD = Object.freeze({ m: 1 }); // a `get` reply: an inherited method

function isPlainObject(value) {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}


/**
 * An FFI request as JSON text -> a list of operations, a batch part (`{batch, ops, want}`)
 * or `{malformed: why}`: the page answers a request it cannot read instead of leaving the
 * worker waiting.
 */
function parseRequest(json) {
  let request;
  try {
    request = JSON.parse(json);
  } catch (error) {
    return { malformed: `rustpy: malformed FFI request: ${error.message}` };
  }
  if (Array.isArray(request)) return request;
  const part = request !== null && typeof request === "object" && Array.isArray(request.ops);
  const want = part && (request.want === undefined || (Array.isArray(request.want) && request.want.every(Number.isInteger)));
  return want ? request : { malformed: "rustpy: malformed FFI request: neither operations nor a batch part" };
}

/** The reply to a request the page could not read: Python raises it as a TypeError. */
function malformedReply(message) {
  return { err: { index: 0, name: "TypeError", message, python: "TypeError" } };
}

/** A failed direct operation: its failure as the `err` of a reply would carry it. */
function directFailure(out, error) {
  out[0] = DIRECT_FAILED;
  return JSON.stringify(failureOf(0, error));
}

/** An operation's failure as a reply's `err`: `{index, name, message, python}`. */
function failureOf(index, error) {
  return {
    index,
    name: String(error?.name ?? "Error"),
    message: String(error?.message ?? error),
    python: error instanceof FfiError ? error.python : null,
  };
}

/**
 * The JS objects one interpreter holds, by handle, and the runner of its FFI requests.
 *
 * `invoke(callableId, args, options)` is how a JS call of a Python callable reaches that
 * interpreter (a worker: a posted message; the page: a direct call into wasm).
 *
 * A worker has a second table for its own objects (`local: true`, the `js` module): its
 * handles and class ids start at LOCAL_HANDLE_BASE, so a handle says which table holds it.
 */
export class HandleTable {
  #entries = new Map(); // handle -> {value, count}
  #handles = new Map(); // object -> handle
  #next;
  #local;
  #functions = new Map(); // Python callable id -> the JS function standing for it
  #callableIds = new WeakMap(); // that JS function -> its Python callable id
  #invoke;
  #closed = null;
  #batch = null; // the batch whose parts are arriving: {id, slots, replies, failure}
  #reply = null; // what #op answers instead of its value's wire form, if not null

  constructor(invoke, { local = false } = {}) {
    this.#invoke = invoke;
    this.#local = local;
    this.#next = local ? LOCAL_HANDLE_BASE : 1;
  }

  /** How many handles are live (the debug counter Python reads with live_handles()). */
  get size() {
    return this.#entries.size;
  }

  /** Frees everything; later requests fail with `reason` (e.g. the worker was terminated). */
  close(reason) {
    this.#closed = reason;
    this.#batch = null;
    this.#entries.clear();
    this.#handles.clear();
    this.#functions.clear();
  }

  /** Gives back `(handle, count)` pairs (a flat array) Python no longer holds. */
  release(flat) {
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const handle = Number(flat[i]);
      const entry = this.#entries.get(handle);
      if (!entry) continue;
      entry.count -= Number(flat[i + 1]);
      if (entry.count <= 0) {
        this.#entries.delete(handle);
        this.#handles.delete(entry.value);
      }
    }
  }

  /**
   * Runs a JSON request and answers the JSON reply: a list of operations (one result each;
   * flat, see #runInto), or the last part of a batch (the results it wants;
   * rustpy_bridge::ffi::BatchPart).
   */
  request(json) {
    const request = parseRequest(json);
    if (request.malformed) return JSON.stringify(malformedReply(request.malformed));
    return JSON.stringify(Array.isArray(request) ? this.run(request) : this.#runPart(request));
  }

  /** Runs a batch part the worker sent without waiting (no answer; a malformed one is
   * refused with a console error). */
  send(json) {
    const part = parseRequest(json);
    if (part.malformed) console.error(part.malformed);
    else this.#runPart(part);
  }

  /** Runs a parsed request: `{ok: [results]}` or `{err: {index, name, message, python}}`. */
  run(ops) {
    const slots = [];
    const replies = [];
    const failure = this.#runInto(ops, slots, replies);
    return failure ?? { ok: slots.map((value, index) => replies[index] ?? this.toWire(value)) };
  }

  /**
   * Runs a part of a batch (`{batch, ops, want}`): its results stay here as the batch's
   * slots, and a failure stops the rest of the batch. The last part (with `want`) answers
   * the wanted results, or the failure. A part of another batch drops what is left of an
   * earlier one (a block that raised sends no end).
   */
  #runPart({ batch, ops, want }) {
    if (this.#batch?.id !== batch) this.#batch = { id: batch, slots: [], replies: [], failure: null };
    const state = this.#batch;
    state.failure ??= this.#runInto(ops, state.slots, state.replies);
    if (want === undefined) return null;
    this.#batch = null;
    return state.failure ?? { ok: want.map((index) => state.replies[index] ?? this.toWire(state.slots[index])) };
  }

  /**
   * Runs `ops` (flat: per operation its number of items, then the items), appending each
   * value to `slots` (a reply other than the value's wire form goes to `replies` at the
   * same index); the first failure as an `{err}` reply, or null.
   */
  #runInto(ops, slots, replies) {
    for (let at = 0; at < ops.length; at += ops[at] + 1) {
      const index = slots.length;
      try {
        if (this.#closed) throw new Error(this.#closed);
        const count = ops[at];
        if (!Number.isInteger(count) || count < 1 || at + count >= ops.length) {
          throw new TypeError(`rustpy: malformed FFI request: no operation length at item ${at}`);
        }
        this.#reply = null;
        slots.push(this.#op(ops, at + 1, slots));
        if (this.#reply !== null) replies[index] = this.#reply;
      } catch (error) {
        return { err: failureOf(index, error) };
      }
    }
    return null;
  }

  /** JS value -> bridge value: primitives by value, objects and functions by handle. */
  toWire(value) {
    const primitive = primitiveToWire(value);
    if (primitive !== undefined) return primitive;
    const callableId = this.#callableIds.get(value);
    if (callableId !== undefined) return { py: callableId };
    let handle = this.#handles.get(value);
    if (handle === undefined) {
      handle = this.#next++;
      this.#handles.set(value, handle);
      this.#entries.set(handle, { value, count: 1 });
    } else {
      this.#entries.get(handle).count += 1;
    }
    const wire = { js: handle, c: this.#local ? LOCAL_CLASS_BASE + classOf(value) : classOf(value) };
    if (typeof value === "function") wire.fn = true;
    return wire;
  }

  /** Bridge value -> JS value (references resolved; `slots` are this request's results). */
  fromWire(wire, slots = []) {
    const type = typeof wire;
    if (type === "string" || type === "number" || type === "boolean") return wire;
    if (type === "object" && wire !== null) {
      // References first: they are most of what a DOM request carries.
      if (wire.js !== undefined) return this.#handle(wire.js);
      if (wire.s !== undefined) return slots[wire.s];
      if (wire.py !== undefined) return this.#pythonFunction(wire);
      if (wire.bound !== undefined) {
        const [ownerWire, name] = wire.bound;
        const owner = this.fromWire(ownerWire, slots);
        const fn = owner[name];
        if (typeof fn !== "function") throw new TypeError(`${name} is not a function`);
        return fn.bind(owner);
      }
    }
    if (Array.isArray(wire)) {
      // A call's arguments: converted in place of a copy through a closure.
      const items = new Array(wire.length);
      for (let i = 0; i < wire.length; i += 1) items[i] = this.fromWire(wire[i], slots);
      return items;
    }
    const plain = plainFromWire(wire, (item) => this.fromWire(item, slots));
    if (plain !== undefined) return plain;
    throw new TypeError(`rustpy: malformed FFI value ${JSON.stringify(wire)}`);
  }

  /** The object behind `handle`. */
  #handle(handle) {
    const entry = this.#entries.get(handle);
    if (!entry && handle >= LOCAL_HANDLE_BASE !== this.#local) {
      throw new FfiError(
        "TypeError",
        this.#local
          ? "a page object (pyscript.window, pyscript.document) cannot be used with the worker's own JS objects (the js module): pass Python values, which are copied"
          : "a worker's own JS object (from the js module, or to_js in a worker) cannot be passed to the page: pass Python values, which are copied",
      );
    }
    if (!entry) {
      throw new FfiError(
        "RuntimeError",
        `JS handle ${handle} was released: the proxy that held it is gone (rustpy bug, or a proxy kept across a terminated worker)`,
      );
    }
    return entry.value;
  }

  /** The JS function standing for a Python callable (the same one for the same callable). */
  #pythonFunction({ py: id, pd: preventDefault, sp: stopPropagation }) {
    let fn = this.#functions.get(id);
    if (fn) return fn;
    const invoke = this.#invoke;
    const table = this;
    fn = function (...args) {
      const event = args[0];
      if (preventDefault && typeof event?.preventDefault === "function") event.preventDefault();
      if (stopPropagation && typeof event?.stopPropagation === "function") event.stopPropagation();
      return invoke(id, args.map((arg) => table.toWire(arg)), table);
    };
    this.#functions.set(id, fn);
    this.#callableIds.set(fn, id);
    return fn;
  }

  /** A deep copy for `to_py()`: arrays, plain objects, maps, typed arrays; the rest by handle. */
  #copy(value, seen = new Set()) {
    if (value === null || typeof value !== "object") return this.toWire(value);
    if (seen.has(value)) throw new FfiError("ValueError", "to_py(): the JS value contains a cycle");
    if (value instanceof ArrayBuffer) return bytesToWire(new Uint8Array(value));
    if (ArrayBuffer.isView(value)) {
      return bytesToWire(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
    }
    seen.add(value);
    try {
      if (Array.isArray(value)) return value.map((item) => this.#copy(item, seen));
      if (value instanceof Map) {
        return { d: [...value].map(([key, item]) => [String(key), this.#copy(item, seen)]) };
      }
      if (isPlainObject(value)) {
        return { d: Object.entries(value).map(([key, item]) => [key, this.#copy(item, seen)]) };
      }
    } finally {
      seen.delete(value);
    }
    return this.toWire(value);
  }

  /**
   * Argument `i` of a call whose arguments start at `ops[first]`: a bare-number reference
   * where bit `i` of `refs` is set (the first CALL_REF_BITS arguments), else a value.
   */
  #argument(ops, first, refs, i, slots) {
    const wire = ops[first + i];
    if (i < CALL_REF_BITS && (refs >> i) & 1 && typeof wire === "number") return this.#reference(wire, slots);
    return this.fromWire(wire, slots);
  }

  /** What a bare-number reference stands for: handle `n` when positive, slot `-n - 1` when not. */
  #reference(wire, slots) {
    return wire > 0 ? this.#handle(wire) : slots[-wire - 1];
  }

  /** The attribute name of the operation at `ops[at]`: a string, or a well-known name's index. */
  #name(ops, at) {
    const wire = ops[at + 2];
    if (typeof wire !== "number") return wire;
    const name = WELL_KNOWN_NAMES[wire];
    if (name === undefined) throw new TypeError(`rustpy: malformed FFI request: no well-known name ${wire}`);
    return name;
  }

  /**
   * The object the operation at `ops[at]` acts on (its first operand), which must not be
   * null: a reference, or a bare number (handle `n` when positive, slot `-n - 1` when
   * negative).
   */
  #target(ops, at, slots) {
    const wire = ops[at + 1];
    const value = typeof wire === "number" ? this.#reference(wire, slots) : this.fromWire(wire, slots);
    if (value === null || value === undefined) throw new TypeError(`cannot ${ops[at]} on null/undefined`);
    return value;
  }

  /** `obj[name]`; an inherited method is answered bound, with METHOD as the reply. */
  #get(obj, name) {
    if (!(name in Object(obj))) {
      throw new FfiError("AttributeError", `${typeName(obj)} has no attribute '${name}'`);
    }
    const value = obj[name];
    if (typeof value === "function" && isInheritedMethod(obj, name)) {
      // A method: Python calls it through the object; a batch slot keeps it bound.
      this.#reply = METHOD;
      return value.bind(obj);
    }
    return value;
  }

  /** The function `obj[name]`, which a call calls with `obj` as `this`. */
  #method(obj, name) {
    const fn = obj[name];
    if (typeof fn !== "function") {
      if (fn === undefined && !(name in Object(obj))) {
        throw new FfiError("AttributeError", `${typeName(obj)} has no attribute '${name}'`);
      }
      throw new FfiError("TypeError", `${typeName(obj)}.${name} is not callable`);
    }
    return fn;
  }

  /**
   * The direct path (rustpy_bridge::direct): `get` of `handle`'s attribute `name` on this
   * thread, without a request's text. Answers the result (see #direct).
   */
  getDirect(out, handle, name) {
    try {
      if (this.#closed) throw new Error(this.#closed);
      this.#reply = null;
      return this.#direct(out, this.#get(this.#handle(handle), name));
    } catch (error) {
      return directFailure(out, error);
    }
  }

  /**
   * The direct path: `call` of `handle`'s method `name` with `args`, those whose bit is set
   * in `refs` handles of this table, the others JSON-native primitives.
   */
  callDirect(out, handle, name, args, refs) {
    try {
      if (this.#closed) throw new Error(this.#closed);
      const obj = this.#handle(handle);
      const fn = this.#method(obj, name);
      for (let i = 0; refs !== 0; i += 1, refs >>>= 1) if (refs & 1) args[i] = this.#handle(args[i]);
      this.#reply = null;
      return this.#direct(out, fn.apply(obj, args));
    } catch (error) {
      return directFailure(out, error);
    }
  }

  /**
   * A direct operation's result: `out[0]` says its kind (DIRECT_*), a reference's handle,
   * class and callable flag follow in `out`; answers the primitive, or JSON text.
   */
  #direct(out, value) {
    if (this.#reply === METHOD) {
      out[0] = DIRECT_METHOD;
      return null;
    }
    const wire = this.toWire(value);
    if (wire === null || typeof wire !== "object") {
      out[0] = DIRECT_VALUE;
      return wire;
    }
    if (wire.js !== undefined) {
      out[0] = DIRECT_REFERENCE;
      out[1] = wire.js;
      out[2] = wire.c;
      out[3] = wire.fn ? 1 : 0;
      return null;
    }
    out[0] = DIRECT_JSON;
    return JSON.stringify(wire);
  }

  /**
   * One operation: its value; a reply other than the value's wire form goes to
   * `this.#reply`. (No closure or pair per operation: a batch runs thousands.)
   */
  #op(ops, at, slots) {
    const op = ops[at];
    switch (op) {
      case OP.GLOBAL:
        return globalThis;
      case OP.COUNT:
        return this.size;
      case OP.GET:
        return this.#get(this.#target(ops, at, slots), this.#name(ops, at));
      case OP.SET:
        this.#target(ops, at, slots)[this.#name(ops, at)] = this.fromWire(ops[at + 3], slots);
        return undefined;
      case OP.DEL:
        delete this.#target(ops, at, slots)[this.#name(ops, at)];
        return undefined;
      case OP.CALL: {
        const obj = this.#target(ops, at, slots);
        const name = this.#name(ops, at);
        const fn = this.#method(obj, name);
        // The arguments are inline after the `refs` mask (rustpy_bridge::ffi::op::CALL).
        const count = ops[at - 1] - 4;
        const refs = ops[at + 3];
        if (count < 0 || !Number.isInteger(refs)) {
          throw new TypeError(`rustpy: malformed FFI request: a call without its refs mask`);
        }
        if (count === 0) return fn.call(obj);
        if (count === 1) return fn.call(obj, this.#argument(ops, at + 4, refs, 0, slots));
        const args = new Array(count);
        for (let i = 0; i < count; i += 1) args[i] = this.#argument(ops, at + 4, refs, i, slots);
        return fn.apply(obj, args);
      }
      case OP.APPLY: {
        const fn = this.#target(ops, at, slots);
        if (typeof fn !== "function") throw new FfiError("TypeError", `a JS ${typeName(fn)} is not callable`);
        return fn.apply(this.fromWire(ops[at + 2], slots) ?? undefined, this.fromWire(ops[at + 3], slots));
      }
      case OP.NEW: {
        const ctor = this.#target(ops, at, slots);
        if (typeof ctor !== "function") throw new FfiError("TypeError", `a JS ${typeName(ctor)} is not a constructor`);
        return Reflect.construct(ctor, this.fromWire(ops[at + 2], slots));
      }
      case OP.GET_ITEM: {
        const obj = this.#target(ops, at, slots);
        let key = this.fromWire(ops[at + 2], slots);
        if (obj instanceof Map) {
          if (!obj.has(key)) throw new FfiError("KeyError", String(key));
          return obj.get(key);
        }
        if (typeof key === "number" && typeof obj.length === "number") {
          if (key < 0) key += obj.length;
          if (key < 0 || key >= obj.length) throw new FfiError("IndexError", `index ${this.fromWire(ops[at + 2], slots)} out of range`);
          return obj[key];
        }
        if (!(key in Object(obj))) throw new FfiError("KeyError", String(key));
        return obj[key];
      }
      case OP.SET_ITEM: {
        const obj = this.#target(ops, at, slots);
        const key = this.fromWire(ops[at + 2], slots);
        if (obj instanceof Map) obj.set(key, this.fromWire(ops[at + 3], slots));
        else obj[key] = this.fromWire(ops[at + 3], slots);
        return undefined;
      }
      case OP.DEL_ITEM: {
        const obj = this.#target(ops, at, slots);
        const key = this.fromWire(ops[at + 2], slots);
        if (obj instanceof Map) obj.delete(key);
        else delete obj[key];
        return undefined;
      }
      case OP.LEN: {
        const obj = this.#target(ops, at, slots);
        const length = obj.length ?? obj.size;
        if (typeof length !== "number") throw new FfiError("TypeError", `a JS ${typeName(obj)} has no length`);
        return length;
      }
      case OP.ITER: {
        const obj = this.#target(ops, at, slots);
        if (typeof obj[Symbol.iterator] !== "function") {
          throw new FfiError("TypeError", `a JS ${typeName(obj)} is not iterable`);
        }
        this.#reply = Array.from(obj, (item) => this.toWire(item));
        return null;
      }
      case OP.CONTAINS: {
        const obj = this.#target(ops, at, slots);
        const value = this.fromWire(ops[at + 2], slots);
        if (typeof obj.includes === "function") return obj.includes(value);
        if (typeof obj.has === "function") return obj.has(value);
        if (typeof obj.contains === "function") return obj.contains(value);
        if (typeof obj[Symbol.iterator] === "function") {
          for (const item of obj) if (item === value) return true;
          return false;
        }
        return value in Object(obj);
      }
      case OP.BOOL: {
        // Collections are false when empty (arrays, NodeLists, maps, sets...); the rest true.
        const obj = this.#target(ops, at, slots);
        if (typeof obj === "function") return true;
        const size = typeof obj.length === "number" ? obj.length : typeof obj.size === "number" ? obj.size : null;
        return size === null ? true : size > 0;
      }
      case OP.STR:
        return String(this.#target(ops, at, slots));
      case OP.DESCRIBE: {
        const obj = this.#target(ops, at, slots);
        let text;
        try {
          text = String(obj);
        } catch {
          text = Object.prototype.toString.call(obj);
        }
        this.#reply = [typeName(obj), text];
        return null;
      }
      case OP.DIR: {
        const names = new Set();
        for (let o = Object(this.#target(ops, at, slots)); o !== null; o = Object.getPrototypeOf(o)) {
          for (const name of Object.getOwnPropertyNames(o)) names.add(name);
        }
        this.#reply = [...names];
        return null;
      }
      case OP.TYPEOF:
        return typeof this.fromWire(ops[at + 1], slots);
      case OP.INSTANCEOF:
        return this.fromWire(ops[at + 1], slots) instanceof this.fromWire(ops[at + 2], slots);
      case OP.TO_PY:
        this.#reply = this.#copy(this.#target(ops, at, slots));
        return null;
      case OP.TO_JS:
        return this.fromWire(ops[at + 1], slots);
      case OP.TREE:
        return makeTree(this.fromWire(ops[at + 1], slots));
    }
    throw new TypeError(`rustpy: unknown FFI operation ${JSON.stringify(op)}`);
  }
}
