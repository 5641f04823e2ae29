# The main thread: start a worker, offer it a function, wait until it is ready, call what
# it exports, show the result on the page, stop the worker.
from pyscript import PyWorker, document

worker = PyWorker("seed_worker.py", type="rustpy")

# Offered to the worker before it runs: it calls this synchronously.
worker.sync.greetings = lambda: print("rustpy bootstrapped")

print("before ready")
await worker.ready
print("after ready")

result = await worker.sync.heavy_computation()
print(result)

document.body.append(result)

worker.terminate()
