from pyscript import document, when, window
from pyscript.ffi import create_proxy

seen = []  # what the worker's handlers saw, in order


def on_click(event):
    seen.append(f"listener {event.type} {event.target.id}")


listener = create_proxy(on_click)


def listen():
    button = document.getElementById("button")
    button.addEventListener("click", listener)
    # The page keeps what it was handed, twice: the same JS function each time?
    window.keep(listener)
    window.keep(listener)


def unlisten():
    document.getElementById("button").removeEventListener("click", listener)


def destroy():
    listener.destroy()


def guarded(event):
    seen.append(f"guarded {event.type} {event.target.id}")


def arm():
    document.getElementById("proxied").addEventListener(
        "click", create_proxy(guarded, prevent_default=True, stop_propagation=True)
    )

    @when("click", "#decorated", prevent_default=True, stop_propagation=True)
    def decorated(event):
        seen.append(f"when {event.type} {event.target.id}")


def handled():
    return seen


bound_seen = []


class Clicks:
    def on(self, event):
        bound_seen.append(f"bound {event.type} {event.target.id}")


clicks = Clicks()


def bound_listen():
    # A bound method, read anew each time (`clicks.on` is a new object on each read).
    document.getElementById("bound").addEventListener("click", clicks.on)
    window.keepBound(clicks.on)
    window.keepBound(clicks.on)


def bound_unlisten():
    document.getElementById("bound").removeEventListener("click", clicks.on)


def bound_handled():
    return bound_seen


__export__ = [
    "listen",
    "unlisten",
    "destroy",
    "arm",
    "handled",
    "bound_listen",
    "bound_unlisten",
    "bound_handled",
]
