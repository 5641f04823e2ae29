// The messages a rustpy worker may send its page (rustpy_bridge::FromWorker: their kinds
// and fields come from wire.js, generated from it), and the check each one passes
// before the page acts on it.
//
// Whatever reaches a worker's `message` event is checked: the worker's own Python could
// post to its page, and a page script can dispatch events on the Worker object. A message
// that does not fit is refused (the caller logs why) and changes nothing: the worker and
// the page go on, and a call it pretended to answer still waits for its real answer.

import { FROM_WORKER_FIELDS } from "./wire.js";

const isString = (value) => typeof value === "string";
const isId = (value) => Number.isSafeInteger(value) && value >= 0;
const isObject = (value) => value !== null && typeof value === "object";
const listOf = (isItem) => (value) => Array.isArray(value) && value.every(isItem);

/**
 * A test that `value` is a buffer of the class `Type` (ArrayBuffer, SharedArrayBuffer) by
 * its internal slot, not its prototype chain: in Firefox 153 `instanceof` refused the
 * SharedArrayBuffer a worker's `grow` carried, and the worker then waited for a reply that
 * never came. (The class's own `byteLength` getter throws for anything else.)
 */
function bufferTest(Type) {
  const byteLength = Object.getOwnPropertyDescriptor(Type?.prototype ?? {}, "byteLength")?.get;
  return (value) => {
    if (!byteLength || !isObject(value)) return false;
    try {
      byteLength.call(value);
      return true;
    } catch {
      return false;
    }
  };
}
/** True for an ArrayBuffer, whatever its prototype (see bufferTest). */
export const isArrayBuffer = bufferTest(globalThis.ArrayBuffer);
// Absent where the page has no shared memory: no "grow" can be genuine there.
const isSharedBuffer = bufferTest(globalThis.SharedArrayBuffer);

/** An exported call's outcome: `{ok: value}` or `{err: traceback}`, one of the two. */
const isOutcome = (value) =>
  isObject(value) && ("ok" in value ? !("err" in value) : isString(value.err));

/** The test each field must pass, by name: a name means the same in every kind (a value's
 * inner form is checked where it is decoded). */
const FIELD_TESTS = {
  stream: (value) => value === "stdout" || value === "stderr",
  lines: listOf(isString),
  exports: listOf(isString),
  traceback: isString,
  what: isString,
  message: isString,
  id: isId,
  name: isString,
  args: isObject,
  request: isString,
  frame: isString,
  handles: (value) => listOf(isId)(value) && value.length % 2 === 0,
  delivered: (value) => typeof value === "boolean",
  data: isSharedBuffer,
  result: isOutcome,
};

/** Each kind's fields (generated from rustpy_bridge::FromWorker) and their tests. A field
 * the bridge added without a test here stops this module from loading, so no test passes
 * until it has one. */
const FROM_WORKER = Object.fromEntries(
  Object.entries(FROM_WORKER_FIELDS).map(([kind, fields]) => [
    kind,
    Object.fromEntries(
      fields.map((field) => {
        const test = FIELD_TESTS[field];
        if (!test) throw new Error(`rustpy protocol.js: no test for the field ${field} of "${kind}"`);
        return [field, test];
      }),
    ),
  ]),
);

/**
 * Checks `message` as a worker posted it (JSON text or an object): `{data}`, the message
 * to act on, or `{problem}`, why it is not one a worker sends.
 */
export function checkFromWorker(message) {
  if (isObject(message) && isString(message.framed)) {
    // A message with large bytes beside it: {framed: JSON, buffers: [ArrayBuffer, ...]}.
    if (!listOf(isArrayBuffer)(message.buffers)) {
      return { problem: "a framed message whose buffers are not a list of ArrayBuffers" };
    }
    const checked = checkFromWorker(message.framed);
    if (checked.data) checked.data.buffers = message.buffers;
    return checked;
  }
  let data = message;
  if (isString(message)) {
    try {
      data = JSON.parse(message);
    } catch (error) {
      return { problem: `not JSON (${error.message})` };
    }
  }
  if (!isObject(data)) return { problem: `not an object but ${describe(data)}` };
  const fields = Object.hasOwn(FROM_WORKER, data.type) ? FROM_WORKER[data.type] : null;
  if (!fields) return { problem: `an unknown kind ${describe(data.type)}` };
  for (const [name, fits] of Object.entries(fields)) {
    if (!fits(data[name])) return { problem: `a "${data.type}" whose ${name} is ${describe(data[name])}` };
  }
  return { data };
}

/** A short description of a value for an error message. */
function describe(value) {
  if (value === undefined) return "missing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list that does not fit";
  if (typeof value === "object") return `an object (${value.constructor?.name ?? "no class"})`;
  const text = String(value);
  return `${typeof value} ${JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text)}`;
}
