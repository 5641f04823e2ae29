from pyscript import sync


def add(a, b):
    return a + b


def ask_page(n):
    return sync.double(n)


__export__ = ["add", "ask_page"]
