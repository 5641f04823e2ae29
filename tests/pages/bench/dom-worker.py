# The DOM benchmark in a worker, the same file for rustpy and PyScript's MicroPython and
# Pyodide workers (`from pyscript import document`). Each function builds or reads, returns
# the mean microseconds per operation (per row for the tables), then checks (untimed) that
# the DOM holds what the case built. Every contender times with the worker's own
# `js.performance.now()` (MicroPython has no time.perf_counter).
import js
from pyscript import document, window

try:
    from pyscript import batch
except ImportError:  # rustpy's alone: the peers do not run table_batch
    batch = None

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
    micros = (now() - started) / n * 1000
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


def timed_table(rows, build):
    """Microseconds per row of `build(body)`, after which the table is checked."""
    body = document.body
    started = now()
    build(body)
    micros = (now() - started) / rows * 1000
    check_table(rows)
    return micros


def table(rows):
    """A table of `rows` rows of three cells with text, element by element."""
    return timed_table(rows, lambda body: build_table(rows, body))


def table_batch(rows):
    """The same table built inside `with batch():` (one round trip when the block ends)."""
    if batch is None:
        raise ImportError("pyscript.batch is not available here")

    def build(body):
        with batch():
            build_table(rows, body)

    return timed_table(rows, build)


def table_batch_1000(rows):
    """`table_batch` under the name of its 1000-row case (rustpy's own raw-proxy batch,
    what `table_web` is compared with)."""
    return table_batch(rows)


def table_web(rows):
    """The same table with `pyscript.web` (PyScript's API; rustpy makes the tree in one
    batch when it is attached)."""
    from pyscript import web

    def build(body):
        cells = [web.tr(web.td(f"{i}.0"), web.td(f"{i}.1"), web.td(f"{i}.2")) for i in range(rows)]
        web.page.body.append(web.table(*cells))

    return timed_table(rows, build)


def table_web_100(rows):
    """`table_web` under the name of its 100-row case (what the peers run: a 1000-row
    table at their ~10 ms a row does not fit the page's time limit)."""
    return table_web(rows)


def table_html(rows):
    """The same table with one `innerHTML` write: the fastest way through any FFI."""

    def build(body):
        cells = [f"<tr><td>{i}.0</td><td>{i}.1</td><td>{i}.2</td></tr>" for i in range(rows)]
        table = document.createElement("table")
        table.innerHTML = "".join(cells)
        body.append(table)

    return timed_table(rows, build)


def ready():
    return window.location.pathname


__export__ = [
    "dataset_reads",
    "create_append",
    "table",
    "table_batch",
    "table_batch_1000",
    "table_web",
    "table_web_100",
    "table_html",
    "ready",
]
