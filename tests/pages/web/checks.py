# pyscript.web's API, the same file in a worker and on the main thread (checks.html): each
# line printed is "<where> <name>: <value>", compared by tests/tests/web.rs.
import asyncio

from pyscript import RUNNING_IN_WORKER, web, when

where = "worker" if RUNNING_IN_WORKER else "main"


def show(name, value):
    print(f"{where} {name}: {value!r}")


root = web.div(id=f"root-{where}")
web.page.body.append(root)

# Children (strings are HTML), keyword attributes, classes and style.
box = web.div(
    web.p("one", id=f"one-{where}", classes=["item", "first"]),
    web.p("<b>two</b>", classes="item"),
    "tail",
    id=f"box-{where}",
    title="tip",
    style={"color": "red"},
)
show("repr before", repr(box))
root.append(box)
show("box html", box.innerHTML)
show("title", box.title)
show("style", box.style["color"])
box.style["font-size"] = "12px"
del box.style["color"]
show("style after", dict(box.style))
show("style has color", "color" in box.style)

# classes: a live set.
first = box.find(".first")[0]
show("classes", sorted(first.classes))
first.classes.add("extra more")
first.classes.discard("first")
first.classes.remove("absent")
show("classes after", (sorted(first.classes), "extra" in first.classes, "first" in first.classes))
show("className", first.className)
show("classes | set", sorted(first.classes | {"x"}))

# The page, find, parent, children, items.
found = web.page.find(f"#box-{where} .item")
show("find", (type(found).__name__, len(found), [p.tagName for p in found]))
show("page id", (web.page[f"#box-{where}"] == box, web.page[f"box-{where}"].id))
show("page missing", web.page["nope"])
show("page parts", (web.page.body.tagName, web.page.head.tagName, web.page.html.tagName))
show("parent", (first.parent == box, type(first.parent).__name__))
show("children", [type(child).__name__ for child in box.children])
show("items", (box[0] == first, len(box[0:2]), box[f"one-{where}"] == first))
odd = web.i("odd", id=f"odd.{where}:1")
root.append(odd)
show("odd id", root[f"#odd.{where}:1"] == odd)

# ElementCollection: bulk writes and reads, items by id, slices.
found.update_all(classes="bulk", style={"margin-left": "3px"}, title="all")
found.lang = "fr"
show("bulk", [(p.title, p.lang, "bulk" in p.classes, p.style["margin-left"]) for p in found])
show("bulk read", found.title)
show("collection id", found[f"one-{where}"] == first)
show("slice", (type(found[1:]).__name__, len(found[1:])))

# Inputs: value and checked, for_ as htmlFor; text and numbers as children.
text = web.input_(type="text", value="hello")
check = web.input_(type="checkbox", checked=True)
label = web.label("Name", for_=f"name-{where}")
root.append(text, check, label, web.span(5, " ", 2.5, id=f"numbers-{where}"))
show("value", text.value)
text.value = "changed"
show("value after", text.value)
show("checked", check.checked)
check.checked = False
show("checked after", check.checked)
show("label for", (label.for_, label.getAttribute("for")))
show("numbers", web.page[f"numbers-{where}"].textContent)

# select and its options.
choose = web.select(web.option("a", value="1"))
root.append(choose)
choose.options.add(value="2", html="<i>b</i>")
choose.options.add(value="0", text="zero", before=0)
choose.options.add(value="3", text="c", selected=True)
show("options", [(option.value, option.textContent) for option in choose.options])
show("selected", (choose.options.selected.value, choose.value))
choose.options.remove(1)
show("options after remove", ([option.value for option in choose.options], len(choose.options)))
choose.options.clear()
show("options cleared", len(choose.options))

# clone
copy = box.clone(clone_id=f"copy-{where}")
root.append(copy)
show("clone", (copy.id, copy.innerHTML == box.innerHTML, copy == box, type(copy).__name__))

# Events: on_click= and when() on an element; in a worker the handlers run after the click.
clicks = []
button = web.button("go", on_click=lambda event: clicks.append(event.type))


@when("click", button)
def also():
    clicks.append("when")


root.append(button)
button.click()
for _ in range(500):  # bounded: a worker's handlers run once this script yields
    if len(clicks) == 2:
        break
    await asyncio.sleep(0.01)
show("clicks", sorted(clicks))
show("on_click", type(button.on_click).__name__)

# Bad input: clear errors.
try:
    web.div(object())
except TypeError as error:
    show("bad child", str(error))
try:
    web.page.find("##")
except Exception as error:  # noqa: BLE001 (the page's SyntaxError)
    show("bad selector", type(error).__name__)
print(f"{where} checks done")
