# Spins in `while True: pass` once it told the page it started (a DOM attribute the page
# watches with a MutationObserver), so the page interrupts a call it knows is running.
from pyscript import document

kept = "kept"  # a global the interrupt must not lose


def spin(name):
    document.body.dataset.lifeSpinning = name
    while True:
        pass


def ping():
    return f"pong {kept}"


__export__ = ["spin", "ping"]
