import js
from pyscript import fetch


async def fetched():
    """js and pyscript.fetch in a worker of a page without shared memory."""
    data = await fetch("data.json").json()
    return {"data": data, "isolated": bool(js.crossOriginIsolated)}


__export__ = ["fetched"]
