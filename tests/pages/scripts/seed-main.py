# PyScript's "Common Use Case" (the workers page), with type="rustpy".
from pyscript import PyWorker, workers

worker = PyWorker("scripts/seed-worker.py", type="rustpy")
worker.sync.greetings = lambda: print("RustPython bootstrapped")
print("before ready")
await worker.ready
print("after ready")
result = await worker.sync.heavy_computation()
print(result)
worker.terminate()

calc = await workers["calc"]
print("calc add", await calc.add(2, 3))
print("calc double", await (await workers.calc).double(21))

try:
    PyWorker("x.py", type="pyodide")
except ValueError as exc:
    print("wrong type:", exc)

helper = PyWorker("scripts/seed-worker2.py", type="rustpy", config={"answer": 42})


async def slow_add(a, b):
    import asyncio

    await asyncio.sleep(0.05)
    return a + b


def fails():
    raise ValueError("main side failure")


helper.sync.slow_add = slow_add
helper.sync.fails = fails
await helper.ready
print("helper report", await helper.report())

looping = PyWorker("scripts/deadlock-worker.py", type="rustpy")


async def reenter():
    try:
        return await looping.ping()
    except Exception as exc:
        print("main saw", exc)
        raise


looping.sync.reenter = reenter
await looping.ready
print("main done")
