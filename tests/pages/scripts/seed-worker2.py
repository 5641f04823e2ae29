from pyscript import JsException, PyWorker, sync

total = sync.slow_add(20, 22)
try:
    sync.fails()
except JsException as exc:
    failure = str(exc)
try:
    PyWorker("other.py", type="rustpy")
except NotImplementedError:
    nested = "refused"


def report():
    return [total, "main side failure" in failure, nested]


__export__ = ["report"]
