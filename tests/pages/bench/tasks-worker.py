# The worker of the import, CPU, memory and FFI benchmarks, for rustpy and the PyScript
# workers alike. Every figure is taken inside the worker with the worker's own
# `js.performance.now()` (MicroPython has no time.perf_counter); time.perf_counter is the
# fallback of an interpreter without a `js` module.
try:
    import js

    now = js.performance.now
except ImportError:
    import time

    def now():
        return time.perf_counter() * 1000


def ping():
    return 1


def imp(name):
    """The first `import <name>` of this worker: "<milliseconds> <preloaded>" (text crosses
    every FFI alike), where
    `preloaded` says the module was in `sys.modules` already (imported while the
    interpreter or its `pyscript` package booted: the figure is then a cache hit)."""
    import sys

    preloaded = name in sys.modules
    started = now()
    __import__(name)
    return f"{now() - started} {1 if preloaded else 0}"


def cpu(source):
    """Runs cpu.py's run_all(); returns its {case: milliseconds} as JSON text."""
    namespace = {"now": now, "__name__": "cpu"}
    exec(source, namespace)
    results = namespace["run_all"]()
    return namespace["json"].dumps(results)


def jscall(n):
    """Microseconds per iteration of loops of `n`, as JSON text: `js_call`, the worker's own
    `js.performance.now()` (two attribute reads on JS objects and a call, each iteration);
    and, to see where that time goes, `bound_call` (`perf.now()`, `perf = js.performance`
    read once), `py_call` (a Python function: `ping()`) and `empty` (the loop alone)."""
    import json

    perf = js.performance
    started = now()
    for _ in range(n):
        js.performance.now()
    js_call = now() - started
    started = now()
    for _ in range(n):
        perf.now()
    bound_call = now() - started
    started = now()
    for _ in range(n):
        ping()
    py_call = now() - started
    started = now()
    for _ in range(n):
        pass
    empty = now() - started
    scale = 1000 / n
    return json.dumps(
        {
            "js_call": js_call * scale,
            "bound_call": bound_call * scale,
            "py_call": py_call * scale,
            "empty": empty * scale,
        }
    )


async def fetch_json(url):
    """`data = await fetch(url).json()` (pyscript.fetch) end to end: `{ms, records}` as JSON
    text (`records`: len(data), to check the whole body arrived)."""
    import json

    from pyscript import fetch

    started = now()
    data = await fetch(url).json()
    ms = now() - started
    return json.dumps({"ms": ms, "records": len(data)})


async def fetch_parts(url):
    """Where fetch_json's time goes: `{text, loads}` (ms) as JSON text, `await
    fetch(url).text()` and then `json.loads` of that text."""
    import json

    from pyscript import fetch

    started = now()
    text = await fetch(url).text()
    text_ms = now() - started
    started = now()
    json.loads(text)
    return json.dumps({"text": text_ms, "loads": now() - started})


_TASKS = {"fetch_json": fetch_json, "fetch_parts": fetch_parts}
_started = {}


def start(name, arg):
    """Starts the coroutine `name(arg)` (fetch_json, fetch_parts) as a task of the worker's
    event loop; `outcome()` gives its JSON text once it is done. An exported coroutine
    function would be simpler, but a PyScript MicroPython worker's export of one never
    settles on the page."""
    import asyncio

    _started.clear()

    async def run():
        try:
            _started["result"] = await _TASKS[name](arg)
        except Exception as error:  # reported by outcome()
            _started["error"] = f"{name}({arg!r}): {error!r}"

    _started["task"] = asyncio.get_event_loop().create_task(run())
    return 1


def outcome():
    """The started task's JSON text, "" while it runs; raises what it raised."""
    if "error" in _started:
        raise RuntimeError(_started["error"])
    return _started.get("result", "")


__export__ = ["ping", "imp", "cpu", "jscall", "start", "outcome"]
