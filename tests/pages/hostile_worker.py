import time

from pyscript import sync


def ping():
    return "pong"


def nap(seconds):
    time.sleep(seconds)
    return "slept"


def ask_page(text):
    return sync.echo(text)


__export__ = ["ping", "nap", "ask_page"]
