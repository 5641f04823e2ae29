"""The same worker code on rustpy and on PyScript's MicroPython worker: the page calls
`calls_per_second` and `rows_per_second` on each and shows what they return."""
import time

from pyscript import document, sync

try:
    from pyscript import batch  # rustpy: a block of DOM operations in one round trip
except ImportError:
    batch = None

try:
    clock = time.perf_counter  # seconds

    def now():
        return clock() * 1000

except AttributeError:  # MicroPython has no perf_counter

    def now():
        return time.ticks_ms()


def calls_per_second(ms):
    """Blocking calls of the page's `sync.ping` for about `ms` milliseconds."""
    calls = 0
    started = now()
    while now() - started < ms:
        for _ in range(20):
            sync.ping(calls)
            calls += 1
    return calls * 1000 / (now() - started)


def add_rows(table, first, count):
    for i in range(first, first + count):
        tr = document.createElement("tr")
        td = document.createElement("td")
        td.textContent = str(i)
        tr.append(td)
        table.append(tr)


def rows_per_second(table_id, ms, batched):
    """Table rows built from here for about `ms` milliseconds (in `batch()` blocks when
    `batched` and the interpreter has it); -1 when it has no `batch()`."""
    if batched and batch is None:
        return -1
    table = document.getElementById(table_id)
    table.replaceChildren()
    rows = 0
    started = now()
    while now() - started < ms:
        if batched:
            with batch():
                add_rows(table, rows, 50)
        else:
            add_rows(table, rows, 10)
        rows += 50 if batched else 10
    return rows * 1000 / (now() - started)


__export__ = ["calls_per_second", "rows_per_second"]
