from pyscript import document, sync, window

rows = document.getElementById("rows")
for word in sync.words():
    row = document.createElement("li")
    row.textContent = word.upper()
    rows.append(row)
window.document.body.dataset.worker = "done"


def triple(n):
    return 3 * n


__export__ = ["triple"]
