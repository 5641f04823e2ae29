# Native recursion without end: nested data that native code walks (repr, str, ==, json),
# a __repr__ that asks for itself, a generator that yields from itself, and plain Python
# recursion. Each must raise RecursionError and leave the interpreter working; the same
# file runs in a worker (recursion.html's exports) and on the page (its main-thread script).
import json


def nest(depth):
    """A list nested `depth` deep, built without recursion."""
    value = []
    for _ in range(depth):
        value = [value]
    return value


class SelfRepr:
    def __repr__(self):
        return repr(self)


def yields_from_itself():
    yield from yields_from_itself()


def down(n):
    return 0 if n == 0 else 1 + down(n - 1)


def deepest(n=0):
    try:
        return deepest(n + 1)
    except RecursionError:
        return n


CASES = {
    "repr": lambda: repr(nest(100_000)),
    "str": lambda: str(nest(100_000)),
    "eq": lambda: nest(100_000) == nest(100_000),
    "json": lambda: json.dumps(nest(100_000)),
    "self_repr": lambda: repr(SelfRepr()),
    "yield_from_self": lambda: next(yields_from_itself()),
    "python": lambda: down(100_000),
}


def outcomes():
    """{case: "RecursionError" or what else happened}, then the depth plain Python reaches."""
    seen = {}
    for name, case in CASES.items():
        try:
            case()
            seen[name] = "no error"
        except RecursionError:
            seen[name] = "RecursionError"
    seen["python_depth_ok"] = deepest() > 900
    return json.dumps(seen)


def ping():
    return "pong"


__export__ = ["outcomes", "ping"]
