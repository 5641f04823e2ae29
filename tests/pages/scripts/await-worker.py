# A worker script with top-level `await` (lazy-await.html): a fetch of its own and a JS
# promise, then an export. It reports whether asyncio got imported for it.
import sys

import js
from pyscript import fetch

text = await fetch("/scripts/await-worker.py").text()
value = await js.Promise.resolve(20)


def double(x):
    return x * 2


__export__ = ["double"]
print("worker awaited:", value, "await-worker" in text, "asyncio" in sys.modules)
