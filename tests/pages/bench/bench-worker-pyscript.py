import js
from pyscript import sync


def run(n):
    """Mean microseconds of one blocking call of the page's add()."""
    started = js.performance.now()
    value = None
    for i in range(n):
        value = sync.add(i, 1)
    elapsed = (js.performance.now() - started) / n * 1000
    # The last answer proves the calls waited for the page: an engine without shared
    # memory gives a non-blocking fallback a promise instead, which must not count.
    if value != n:
        raise ValueError(f"sync.add({n - 1}, 1) answered {value!r}, not {n}")
    return elapsed


def ping():
    return 1


# polyscript registers __export__ names on xworker.sync after the script ran.
__export__ = ["run", "ping"]
