import sys
import time

from pyscript import document, sync, when

print("greeting:", sync.greet("life"))


def ping():
    return "pong"


def ask():
    return "answer: " + input("your name? ")


def nap():
    sync.started()
    time.sleep(600)


def wait_for_page():
    return sync.never()


def chatty():
    sync.started()
    while True:
        sys.stdout.write("")


def deep():
    def f():
        return f()

    try:
        f()
    except RecursionError as error:
        return f"RecursionError: {error}"


def timed():
    try:
        sync.never(timeout=0.2)
    except TimeoutError as error:
        return f"TimeoutError: {error}"


def crash():
    # Compiling an expression nested 100 000 deep recurses in RustPython's parser without
    # its stack guard, so the browser's stack overflows inside wasm: the one crash left that
    # Python can cause (nested data raises RecursionError; see recursion.html).
    return eval("-" * 100_000 + "1")


def deep_fail():
    raise LookupError("nobody awaited this")


@when("click", "#boom")
def boom(event):
    raise ValueError("handler failed")


__export__ = [
    "ping",
    "ask",
    "nap",
    "wait_for_page",
    "chatty",
    "deep",
    "timed",
    "crash",
    "deep_fail",
]
