# A worker that builds part of the page and reacts to clicks.
from pyscript import batch, display, document, when

rows = document.getElementById("rows")

# Ten rows in one round trip: operations inside `batch()` are sent together.
with batch():
    for i in range(1, 11):
        row = document.createElement("li")
        row.textContent = f"{i} squared is {i * i}"
        rows.append(row)


@when("click", "#add-row")
def add_row(event):
    count = len(rows.children) + 1
    row = document.createElement("li")
    row.textContent = f"{count} squared is {count * count} (added by the worker)"
    rows.append(row)


display(f"built {len(rows.children)} rows from the worker")
