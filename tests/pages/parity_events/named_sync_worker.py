# A tag-started worker whose export calls a page function the page offered through
# `workers[name].sync` (named_sync.html).
from pyscript import sync


def use_page(a, b):
    return sync.combine(a, b)


__export__ = ["use_page"]
