from pyscript import sync


def add(a, b):
    return a + b


sync.double = lambda x: 2 * x
__export__ = ["add"]
