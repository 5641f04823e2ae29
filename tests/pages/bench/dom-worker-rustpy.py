# The DOM benchmark in a rustpy worker: the same cases as dom-worker-pyscript.py, with
# rustpy's PyScript-style `document` and `batch()`. Each function returns the mean
# microseconds per operation (per row for the tables), after checking (untimed) that the
# DOM holds what the case built.
import time

from pyscript import document, window

try:
    from pyscript import batch
except ImportError:  # reported by table_batch() alone: the other cases still count
    batch = None


def dataset_reads(n):
    """Reads of a cached `dataset.test` (the page set it to "x")."""
    body = document.body
    dataset = body.dataset
    if dataset.test != "x":
        raise ValueError(f"dataset.test is {dataset.test!r}, not 'x'")
    started = time.perf_counter()
    for _ in range(n):
        dataset.test
    return (time.perf_counter() - started) / n * 1e6


def create_append(n):
    """`document.createElement("div")` then `body.append(el)`."""
    body = document.body
    started = time.perf_counter()
    for _ in range(n):
        el = document.createElement("div")
        body.append(el)
    micros = (time.perf_counter() - started) / n * 1e6
    count = document.querySelectorAll("body > div").length
    if count != n:
        raise ValueError(f"{count} divs in the body after {n} appends")
    return micros


def build_table(rows, body):
    table = document.createElement("table")
    for i in range(rows):
        tr = document.createElement("tr")
        for j in range(3):
            td = document.createElement("td")
            td.textContent = f"{i}.{j}"
            tr.append(td)
        table.append(tr)
    body.append(table)


def check_table(rows):
    """The body holds one table of `rows` rows, the last cell reading f"{rows - 1}.2"."""
    tables = document.querySelectorAll("body > table")
    if tables.length != 1:
        raise ValueError(f"{tables.length} tables in the body, not 1")
    found = tables.item(0).rows
    if found.length != rows:
        raise ValueError(f"the table has {found.length} rows, not {rows}")
    text = found.item(rows - 1).cells.item(2).textContent
    if text != f"{rows - 1}.2":
        raise ValueError(f"the last cell reads {text!r}, not '{rows - 1}.2'")


def table(rows):
    """A table of `rows` rows of three cells with text, appended to the body."""
    body = document.body
    started = time.perf_counter()
    build_table(rows, body)
    micros = (time.perf_counter() - started) / rows * 1e6
    check_table(rows)
    return micros


def table_batch(rows):
    """The same table built inside `with batch():` (one round trip when the block ends)."""
    if batch is None:
        raise ImportError("pyscript.batch is not available in this rustpy build")
    body = document.body
    started = time.perf_counter()
    with batch():
        build_table(rows, body)
    micros = (time.perf_counter() - started) / rows * 1e6
    check_table(rows)
    return micros


def ready():
    return window.location.pathname


__export__ = ["dataset_reads", "create_append", "table", "table_batch", "ready"]
