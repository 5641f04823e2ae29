from pyscript import document, sync, window


def use_sync():
    return sync.add(2, 3)


def use_dom():
    element = document.createElement("p")
    element.id = "relayed"
    element.textContent = "via the relay"
    document.body.append(element)
    return document.getElementById("relayed").textContent


def slow():
    return sync.never()


def timed():
    try:
        sync.never(timeout=0.3)
    except TimeoutError as error:
        return f"TimeoutError: {error}"


def isolated():
    return window.crossOriginIsolated


def ask():
    return input("name? ")


def ping():
    return "pong"


__export__ = ["use_sync", "use_dom", "isolated", "ask", "slow", "timed", "ping"]
