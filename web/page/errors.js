// The errors the page's rustpy code throws for Python: a Python exception, an interrupt that
// did not reach running Python.

/** Error thrown on the page for a Python exception raised in a worker. */
export class PythonError extends Error {
  constructor(traceback) {
    const lines = traceback.trim().split("\n");
    super(lines[lines.length - 1]);
    this.name = "PythonError";
    this.traceback = traceback;
  }
}

/** The rejection of an `interrupt()` that could not reach running Python. */
export function interruptError(message) {
  const error = new Error(message);
  error.name = "InterruptError";
  return error;
}

