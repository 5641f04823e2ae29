# The interrupt benchmark's loops, the same source for rustpy's worker and a plain Pyodide
# worker. Each tells the page it entered the call (started()), so the page interrupts a
# call it knows is running, then loops until interrupted.
import sys
import time

try:
    from pyscript import sync

    started = sync.started
except ImportError:
    pass  # Pyodide: its worker sets `started` as a global


def ping():
    return 1


def nap():
    started()
    time.sleep(600)


def chatty():
    started()
    while True:
        sys.stdout.write("")


def spin():
    started()
    while True:
        pass


def count():
    started()
    for i in range(10**12):
        x = i * i


def walk(depth):
    if depth == 0:
        return 1
    return walk(depth - 1) + walk(depth - 1) * 2


def recurse():
    started()
    walk(60)


def comprehension():
    started()
    return len([i * i for i in range(10**12)])


exec("def exec_body():\n    while True:\n        pass\n")


def in_exec():
    started()
    exec_body()  # noqa: F821 (defined by exec above)


__export__ = ["ping", "nap", "chatty", "spin", "count", "recurse", "comprehension", "in_exec"]
