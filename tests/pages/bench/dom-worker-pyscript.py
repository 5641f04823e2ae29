# The DOM benchmark in a PyScript worker (MicroPython or Pyodide): each function returns the
# mean microseconds per operation (per row for the table). MicroPython has no
# time.perf_counter, so both interpreters time with the page-independent performance.now().
import js
from pyscript import document, window

now = js.performance.now


def dataset_reads(n):
    """Reads of a cached `dataset.test` (the page set it to "x")."""
    body = document.body
    dataset = body.dataset
    if dataset.test != "x":
        raise ValueError(f"dataset.test is {dataset.test!r}, not 'x'")
    started = now()
    for _ in range(n):
        dataset.test
    return (now() - started) / n * 1000


def create_append(n):
    """`document.createElement("div")` then `body.append(el)`."""
    body = document.body
    started = now()
    for _ in range(n):
        el = document.createElement("div")
        body.append(el)
    return (now() - started) / n * 1000


def table(rows):
    """A table of `rows` rows of three cells with text, appended to the body."""
    body = document.body
    started = now()
    table = document.createElement("table")
    for i in range(rows):
        tr = document.createElement("tr")
        for j in range(3):
            td = document.createElement("td")
            td.textContent = f"{i}.{j}"
            tr.append(td)
        table.append(tr)
    body.append(table)
    return (now() - started) / rows * 1000


def ready():
    return window.location.pathname


__export__ = ["dataset_reads", "create_append", "table", "ready"]
