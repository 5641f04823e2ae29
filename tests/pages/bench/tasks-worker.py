# The worker of the import, CPU and memory benchmarks, for rustpy and the PyScript workers
# alike. Every figure is taken inside the worker, in milliseconds: with the worker's
# performance.now() in PyScript (MicroPython has no time.perf_counter), with
# time.perf_counter in rustpy (which has no `js` module).
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
    """Milliseconds of the first `import <name>` of this worker."""
    started = now()
    __import__(name)
    return now() - started


def cpu(source):
    """Runs cpu.py's run_all(); returns its {case: milliseconds} as JSON text."""
    namespace = {"now": now, "__name__": "cpu"}
    exec(source, namespace)
    results = namespace["run_all"]()
    return namespace["json"].dumps(results)


__export__ = ["ping", "imp", "cpu"]
