# What a tree of elements costs in round trips from a worker (rounds.html reads
# worker.ffiRequests around each call).
from pyscript import document, web


def build(rows):
    """A table of `rows` rows of three cells with pyscript.web, attached to the body."""
    table = web.table(
        web.tbody(*[web.tr(web.td(f"{i}.0"), web.td(f"{i}.1"), web.td(f"{i}.2")) for i in range(rows)]),
        classes=["web", f"rows-{rows}"],
    )
    web.page.body.append(table)


def raw(rows):
    """The same table with the FFI, element by element (no batch)."""
    table = document.createElement("table")
    table.className = f"raw rows-{rows}"
    for i in range(rows):
        tr = document.createElement("tr")
        for j in range(3):
            td = document.createElement("td")
            td.textContent = f"{i}.{j}"
            tr.append(td)
        table.append(tr)
    document.body.append(table)


__export__ = ["build", "raw"]
