import json  # from the lazily loaded stdlib (library/)

from pyscript import document, sync

reply = sync.page_says("hello")
item = document.createElement("li")
item.textContent = f"worker: {reply} {json.dumps({'ok': True})}"
document.getElementById("log").append(item)


def square(n):
    return n * n


__export__ = ["square"]
