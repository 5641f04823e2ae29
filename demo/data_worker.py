"""The data app's worker: load a CSV, filter and sort it here, draw the table on the page."""
from pyscript import batch, document, when, window

COLUMNS = ["zone", "region", "city", "countries", "latitude", "longitude"]
NUMERIC = {"latitude", "longitude"}

# window.fetch is the page's fetch; awaiting the JS promise suspends this script.
response = await window.fetch("data/timezones.csv")
header, *lines = (await response.text()).strip().split("\n")
if header.split(",") != COLUMNS:
    raise ValueError(f"unexpected columns: {header}")
rows = []
for line in lines:
    row = dict(zip(COLUMNS, line.split(",")))
    for key in NUMERIC:
        row[key] = float(row[key])
    rows.append(row)

state = {"text": "", "region": "", "sort": "zone", "reverse": False}
table = document.getElementById("rows")
status = document.getElementById("status")

# The region menu, from the data, in one round trip.
regions = sorted({row["region"] for row in rows})
menu = document.getElementById("region")
with batch():
    for region in regions:
        option = document.createElement("option")
        option.value = option.textContent = region
        menu.append(option)


def matching():
    text = state["text"].lower()
    found = [
        row
        for row in rows
        if (not state["region"] or row["region"] == state["region"])
        and (text in row["zone"].lower() or text in row["countries"].lower())
    ]
    found.sort(key=lambda row: row[state["sort"]], reverse=state["reverse"])
    return found


def render():
    started = window.performance.now()
    shown = matching()
    # Every row and cell in ONE round trip to the page.
    with batch():
        table.replaceChildren()
        for row in shown:
            tr = document.createElement("tr")
            for key in COLUMNS:
                td = document.createElement("td")
                value = row[key]
                td.textContent = f"{value:.2f}" if key in NUMERIC else value
                tr.append(td)
            table.append(tr)
    took = window.performance.now() - started
    order = "descending" if state["reverse"] else "ascending"
    status.textContent = (
        f"{len(shown)} of {len(rows)} time zones, by {state['sort']} ({order}), "
        f"filtered, sorted and drawn in {took:.0f} ms"
    )
    status.dataset.shown = str(len(shown))


@when("input", "#filter")
def filtered(event):
    state["text"] = event.target.value
    render()


@when("change", "#region")
def region_chosen(event):
    state["region"] = event.target.value
    render()


@when("click", "th[data-key]")
def sort_by(event):
    key = event.target.dataset.key
    state["reverse"] = not state["reverse"] if state["sort"] == key else key in NUMERIC
    state["sort"] = key
    render()


render()
