from pyscript import (
    HTML,
    RUNNING_IN_WORKER,
    JsException,
    config,
    current_target,
    display,
    document,
    when,
    window,
)

# The seed's caching example.
body = document.body
dataset = body.dataset
dataset.test = "cached"
print("dataset", dataset.test, body.dataset.test)
print("identity", document.body is document.body, document.body == body, window.document is document)
document.title = "changed by worker"
made = document.createElement("p")
made.id = "made"
made.textContent = "made in worker"
body.append(made, " and text")
items = document.querySelectorAll("#list li")
print("items", [li.textContent for li in items], len(items), items[0].textContent, items[-1].textContent)
dataset["k"] = "v"
print("item", dataset["k"], "k" in dataset)
del dataset.k
print("deleted", hasattr(dataset, "k"))
print("date", window.Date.new(0).getTime())
print("bool", bool(document.querySelectorAll(".none")), bool(items))
try:
    document.querySelector("##")
except JsException as error:
    print("js error", error.name, "|", error)
print("still works", document.title)
# Non-ASCII text both ways (the page reads and writes ASCII-only messages on a fast path).
probe = document.createElement("span")
probe.textContent = "h\u00e9llo \u2603 \U0001d11e"
print("unicode", probe.textContent == "h\u00e9llo \u2603 \U0001d11e", len(probe.textContent))
print("repr", repr(body), "|", str(window.Array.new(1, 2)))
print("to_py", window.JSON.parse('{"a": [1, 2.5, {"b": null}], "s": "x"}').to_py())
try:
    window.nothere
except AttributeError as error:
    print("missing", error)
print("worker", RUNNING_IN_WORKER, config["answer"], current_target() is not None)

display("hello <i>", HTML("<b id='bold'>bold</b>"))
display(41, target="appended")
display(42, target="#appended")
display("first", target="out")
display("replaced", target="#out", append=False)


@when("click", "#btn")
def clicked(event):
    document.querySelector("#clicks").textContent = f"clicked {event.target.id}"


@when("click", "#once", once=True)
async def clicked_once():
    counter = document.querySelector("#once-count")
    counter.textContent = str(int(counter.textContent) + 1)


@when("submit", "#form", prevent_default=True)
def submitted(event):
    document.querySelector("#submitted").textContent = "submitted " + event.type


def later():
    document.querySelector("#timer").textContent = "timer fired"


window.setTimeout(later, 50)

response = await window.fetch("dom_worker.py")
text = await response.text()
print("fetched", "fetched" in text)
try:
    await window.Promise.reject(window.Error.new("nope"))
except JsException as error:
    print("rejected", error)
print("dom ready")
