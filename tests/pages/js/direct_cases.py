# Attribute reads and method calls on this thread's own JS objects take the direct path
# (rustpy_bridge::direct) when their arguments allow, the request path when not: both must
# answer the same values and raise the same exceptions. Run on the page and in a worker.
import json

import js
from pyscript import RUNNING_IN_WORKER, window
from pyscript.ffi import to_js


def raised(run):
    try:
        run()
    except Exception as error:  # the type and message are what the test compares
        return [type(error).__name__, str(error)]
    return None


def cases():
    math = js.Math
    holder = js.Object.new()
    holder.items = js.Array.of(1, 2)
    return {
        # Results of every kind (numbers exactly as a request answers them).
        "pi": math.PI,
        "int": math.max(1, 7),
        "float": math.max(1, 2.5),
        "bigInt": [type(math.pow(2, 60)).__name__, str(math.pow(2, 60))],
        "negativeZero": str(math.round(-0.4)),
        "nan": str(math.sqrt(-1)),
        "text": js.JSON.stringify("é\n\"x\""),
        "none": js.JSON.parse("null"),
        "bool": js.Array.isArray(holder.items),
        "object": js.JSON.stringify(holder),
        # Arguments of every kind, handles of the same table among them.
        "args": js.JSON.stringify(js.Array.of(None, True, -3, 0.5, "s", holder.items)),
        "bigArg": js.String(2**60),
        "listArg": js.JSON.stringify([1, [2]]),
        "method": holder.items.includes(2),
        # Failures.
        "missing": raised(lambda: math.nothing),
        "missingMethod": raised(lambda: math.nothing()),
        "notCallable": raised(lambda: holder.items.length()),
        "throws": raised(lambda: js.JSON.parse("{")),
    }


results = json.dumps(cases())
if RUNNING_IN_WORKER:
    window.workerCases = results
else:
    window.mainCases = results
