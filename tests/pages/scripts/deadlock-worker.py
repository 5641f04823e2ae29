from pyscript import sync


def ping():
    return "pong"


__export__ = ["ping"]
try:
    sync.reenter()
except Exception as exc:
    print("worker saw", type(exc).__name__, exc)
