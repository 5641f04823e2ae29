# Three kinds of crash, each from a call the page makes (promises/crash_kinds.html):
#
# - overflow(): compiling an expression nested 100 000 deep overflows the browser's own
#   stack inside wasm (RangeError);
# - panic(): a Rust panic inside RustPython 0.6.0: a function whose code object lost its
#   names (`co_names=()`) indexes past them when it loads a global (frame.rs, LoadGlobal);
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


def panic():
    def reads_a_global():
        return ping

    reads_a_global.__code__ = reads_a_global.__code__.replace(co_names=())
    return reads_a_global()


def overflow():
    return eval("-" * 100_000 + "1")


def ping():
    return "pong"


__export__ = ["arm", "trap", "panic", "overflow", "ping"]
