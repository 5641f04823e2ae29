import time

from pyscript import sync


def run(n):
    """Mean microseconds of one blocking call of the page's add()."""
    started = time.perf_counter()
    for i in range(n):
        sync.add(i, 1)
    return (time.perf_counter() - started) / n * 1e6


def ping():
    return 1


sync.run = run
sync.ping = ping
