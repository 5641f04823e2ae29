import js
from pyscript import sync


def run(n):
    """Mean microseconds of one blocking call of the page's add()."""
    started = js.performance.now()
    for i in range(n):
        sync.add(i, 1)
    return (js.performance.now() - started) / n * 1000


def ping():
    return 1


# polyscript registers __export__ names on xworker.sync after the script ran.
__export__ = ["run", "ping"]
