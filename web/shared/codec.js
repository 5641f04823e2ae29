// The bridge's value codec in JS (rustpy_bridge::value): JS values to and from the wire
// form both sides of every channel read. The primitives and by-copy values are shared by
// the FFI's handle tables (handle-table.js, page and worker); `toWire`/`fromWire` are the
// page's whole-value form for sync calls, exports and page operations.

import { isArrayBuffer } from "./protocol.js";

const SPECIAL_FLOATS = { nan: NaN, inf: Infinity, "-inf": -Infinity, "-0": -0 };
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** True when a JS number holds the bigint exactly. */
const isSafeBigInt = (big) => big >= MIN_SAFE && big <= MAX_SAFE;

function bytesToBase64(bytes) {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/** Bytes (a Uint8Array) as a bridge value. */
export function bytesToWire(bytes) {
  return { b: bytesToBase64(bytes) };
}

/** A JS number as a bridge value: integral values as int, the rest as float. */
function numberToWire(value) {
  if (Number.isSafeInteger(value)) return Object.is(value, -0) ? { f: "-0" } : value;
  if (Number.isInteger(value)) return { i: BigInt(value).toString() };
  if (Number.isFinite(value)) return value;
  return { f: Number.isNaN(value) ? "nan" : value > 0 ? "inf" : "-inf" };
}

/**
 * A JS primitive (null/undefined, boolean, number, bigint, string) as a bridge value;
 * `undefined` for anything else (objects and functions, which each side treats its own way).
 */
export function primitiveToWire(value) {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case "boolean":
    case "string":
      return value;
    case "number":
      return numberToWire(value);
    case "bigint":
      return isSafeBigInt(value) ? Number(value) : { i: value.toString() };
  }
  return undefined;
}

/**
 * A by-copy bridge value (none, bool, int, float, str, bytes, list, dict) as JS, nested values
 * converted by `inner`; `undefined` for the other kinds (references), which the caller reads.
 */
export function plainFromWire(wire, inner) {
  if (wire === null || wire === undefined) return null;
  if (typeof wire !== "object") return wire; // boolean, number, string
  if (Array.isArray(wire)) return wire.map(inner);
  if (wire.i !== undefined) {
    const big = BigInt(wire.i);
    return isSafeBigInt(big) ? Number(big) : big;
  }
  if (wire.f !== undefined) return typeof wire.f === "number" ? wire.f : SPECIAL_FLOATS[wire.f];
  if (wire.b !== undefined) return Uint8Array.from(atob(wire.b), (c) => c.charCodeAt(0));
  if (wire.d !== undefined) return Object.fromEntries(wire.d.map(([key, item]) => [key, inner(item)]));
  return undefined;
}

/**
 * JS value -> bridge wire value (see rustpy_bridge::value). What would not reach Python
 * as it is throws a TypeError naming `context`: a lone surrogate, a cycle, nesting deeper
 * than the worker reads.
 */
export function toWire(value, context, path = new Set(), depth = WIRE_DEPTH) {
  if (typeof value === "string" && !value.isWellFormed()) {
    throw new TypeError(
      `${context}: a string holding a lone surrogate cannot cross to the worker unchanged ` +
        "(Python would get a different string); fix it first (string.toWellFormed())",
    );
  }
  const primitive = primitiveToWire(value);
  if (primitive !== undefined) return primitive;
  if (value instanceof Uint8Array || value instanceof ArrayBuffer) {
    return bytesToWire(value instanceof ArrayBuffer ? new Uint8Array(value) : value);
  }
  const proto = Object.getPrototypeOf(value);
  const isArray = Array.isArray(value);
  if (isArray || proto === Object.prototype || proto === null) {
    if (path.has(value)) {
      throw new TypeError(`${context}: an ${isArray ? "array" : "object"} that contains itself cannot cross to the worker`);
    }
    // The worker's JSON reader takes 128 levels: an array is one, an object three.
    const left = depth - (isArray ? 1 : 3);
    if (left < 0) {
      throw new TypeError(
        `${context}: nested too deep to cross to the worker (at most ${WIRE_DEPTH} levels: an array ` +
          "counts one, an object three)",
      );
    }
    path.add(value);
    try {
      return isArray
        ? value.map((item) => toWire(item, context, path, left))
        : { d: Object.entries(value).map(([k, item]) => [toWire(k, context, path, left), toWire(item, context, path, left)]) };
    } finally {
      path.delete(value);
    }
  }
  const kind = typeof value === "function" ? "function" : value.constructor?.name ?? typeof value;
  throw new TypeError(
    `${context}: a JS ${kind} cannot cross to the worker (only null, booleans, numbers, ` +
      "bigints, strings, Uint8Array, arrays and plain objects can)",
  );
}

/** The nesting a value may have on the wire (the worker's serde_json reads 128 levels; the
 * message around the value takes up to 8). */
const WIRE_DEPTH = 120;

/** Bridge wire value -> JS value; `buffers`: those sent beside the message (`{x: n}`). */
export function fromWire(wire, buffers = null) {
  if (buffers !== null && wire?.x !== undefined) {
    const buffer = buffers[wire.x];
    if (!isArrayBuffer(buffer)) {
      throw new TypeError(`rustpy: the value names buffer ${wire.x}, which did not come with it`);
    }
    return new Uint8Array(buffer);
  }
  const plain = plainFromWire(wire, buffers === null ? fromWire : (item) => fromWire(item, buffers));
  if (plain !== undefined) return plain;
  throw new TypeError(`rustpy: malformed value from the worker: ${JSON.stringify(wire)}`);
}
