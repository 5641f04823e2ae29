from pyscript import batch, document, sync


def ping():
    return "pong"


def spin():
    sync.started()
    while True:
        pass


def wait_for_page():
    sync.started()
    return sync.never()


def batch_forever():
    sync.started()
    body = document.body
    while True:
        with batch():
            for _ in range(100):
                body.setAttribute("data-batching", "yes")


__export__ = ["ping", "spin", "wait_for_page", "batch_forever"]
