# Two kinds of crash, each from a call the page makes (promises/crash_kinds.html):
#
# - overflow(): compiling an expression nested 100 000 deep overflows the browser's own
#   stack inside wasm (RangeError), the one crash Python code alone can cause;
# - trap(): a wasm trap. Python cannot reach one by itself, so it arms this worker's own JS:
#   the next message the worker posts (this call's result) first asks the wasm instance's
#   allocator for 4 GiB. Rust's allocator gives up and aborts, which is the `unreachable`
#   instruction a Rust panic also ends in (panic=abort), inside the call into wasm.
import js


async def arm():
    # The glue module is loaded once per realm; its init gives the instance it made.
    await js.eval(
        "import('/rustpy/rustpy_wasm.js')"
        ".then((glue) => glue.default())"
        ".then((instance) => { self.crashKindsInstance = instance; })"
    )
    return "armed"


def trap():
    js.eval(
        """(() => {
          const post = self.postMessage, postAscii = self.rustpyPostAscii;
          const abort = () => {
            // Once: rustpy's report of the crash posts with the real functions.
            self.postMessage = post;
            self.rustpyPostAscii = postAscii;
            self.crashKindsInstance.__wbindgen_malloc(0xfffffff0, 8);
          };
          self.postMessage = abort;
          self.rustpyPostAscii = abort;
        })()"""
    )
    return "not reached: posting this result traps"


def overflow():
    return eval("-" * 100_000 + "1")


def ping():
    return "pong"


__export__ = ["arm", "trap", "overflow", "ping"]
