# The page-side-Python benchmark's main-thread script, the same file for rustpy
# (`<script type="rustpy">`) and PyScript's MicroPython and Pyodide main threads: it starts
# a worker from Python, gives it a page function written in Python, and times the seed's
# scenario. The page's JavaScript (`pypage.js`) hands over the worker's type and the calls
# to make in `window.pypageSetup` and takes the figures back as JSON through
# `window.pypageDone` (or an error through `window.pypageFailed`). Every contender times
# with `js.performance.now()` (MicroPython has no time.perf_counter); wall-clock stamps
# travel as strings (MicroPython wraps whole numbers above 2**31).
import js

main_first = js.performance.now()


def epoch_ms():
    return float(js.eval("String(performance.timeOrigin + performance.now())"))


def add(a, b):
    return a + b


try:
    from pyscript import PyWorker

    setup = js.window.pypageSetup
    warm = int(setup.warm)
    timed = int(setup.timed)
    options = {}
    if setup.version:
        options["version"] = str(setup.version)
    worker = PyWorker(str(setup.worker), type=str(setup.type), **options)
    worker.sync.add = add
    await worker.ready
    ready = js.performance.now()
    # PyScript offers a worker's __export__ names once its script ran, after `ready`.
    if int(await worker.sync.ping()) != 1:
        raise ValueError("ping() did not answer 1")
    exports = js.performance.now()
    worker_first = float(await worker.sync.first()) - float(js.eval("String(performance.timeOrigin)"))

    js.document.body.dataset.test = "x"
    calls = {"sync": [], "ping": [], "dom": []}
    spans = {}
    for case in ("sync", "dom", "ping"):
        for i in range(warm + timed):
            if i == warm:
                start = epoch_ms()
            if case == "sync":
                value = await worker.sync.run(int(setup.syncCalls))
            elif case == "dom":
                value = await worker.sync.dataset_reads(int(setup.domReads))
            else:
                pings = int(setup.pings)
                started = js.performance.now()
                for _ in range(pings):
                    await worker.sync.ping()
                value = (js.performance.now() - started) / pings * 1000
            calls[case].append(float(value))
        spans[case] = [start, epoch_ms()]
    worker.terminate()
    boot = {"main": main_first, "worker": worker_first, "ready": ready, "exports": exports}
    import json

    js.window.pypageDone(json.dumps({"boot": boot, "calls": calls, "spans": spans}))
except Exception as error:
    js.window.pypageFailed(f"{type(error).__name__}: {error}")
