# A todo list made with pyscript.web, the same file in a worker (todo.html) and on the main
# thread (todo-main.html): add items with the input and the button, check one (its <li>
# gets the class "done"), remove one; "#left" counts the items not done.
from pyscript import RUNNING_IN_WORKER, web, when

where = "worker" if RUNNING_IN_WORKER else "main"
made = 0

new_text = web.input_(id="new", type="text", placeholder="what to do")
items = web.ul(id="items")
left = web.p("0 left", id="left")


def count_left():
    # One read of the page's state through web: the <li> not done.
    left.textContent = f"{len(web.page.find('#items li:not(.done)'))} left"


def add_item(event):
    global made
    text = new_text.value.strip()
    if not text:
        return
    made += 1
    item = web.li(id=f"item-{made}")

    def toggled(event):
        if checkbox.checked:
            item.classes.add("done")
        else:
            item.classes.discard("done")
        count_left()

    def removed(event):
        item.remove()
        count_left()

    checkbox = web.input_(type="checkbox", classes="check", on_change=toggled)
    item.append(checkbox, web.span(text, classes=["text"]), web.button("remove", classes="remove", on_click=removed))
    items.append(item)
    new_text.value = ""
    count_left()


add = web.button("add", id="add", on_click=add_item)
web.page["#app"].append(web.h2(f"todo ({where})"), new_text, add, items, left)
web.page.title = f"todo {where}"


@when("keydown", new_text)
def enter(event):
    if event.key == "Enter":
        add_item(event)


print(f"todo ready {where}")
