// The error an FFI operation throws for Python to raise as a Python exception of its own
// (not as JsException): the handle table's and the tree operation's.

/** An error for Python: `python` names the Python exception type to raise, if not JsException. */
export class FfiError extends Error {
  constructor(python, message) {
    super(message);
    this.name = python;
    this.python = python;
  }
}
