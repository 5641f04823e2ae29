# The page-side-Python benchmark's worker, the same file for rustpy and PyScript's
# MicroPython and Pyodide workers: its first statement takes the wall clock (as a string,
# see pypage-main.py); the main thread's Python calls its exports.
import js

stamp = js.eval("String(performance.timeOrigin + performance.now())")
from pyscript import document, sync

now = js.performance.now


def first():
    """The wall clock of this script's first statement, ms since the epoch (a string)."""
    return stamp


def ping():
    return 1


def run(n):
    """Mean microseconds of one blocking call of the page's add(), written in Python."""
    started = now()
    for i in range(n):
        if sync.add(i, 1) != i + 1:
            raise ValueError(f"add({i}, 1) answered wrong")
    return (now() - started) / n * 1000


def dataset_reads(n):
    """Mean microseconds of one read of a cached `dataset.test` (the page set it to "x")."""
    dataset = document.body.dataset
    if dataset.test != "x":
        raise ValueError(f"dataset.test is {dataset.test!r}, not 'x'")
    started = now()
    for _ in range(n):
        dataset.test
    return (now() - started) / n * 1000


__export__ = ["first", "ping", "run", "dataset_reads"]
