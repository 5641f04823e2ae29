# Calls a page function that never answers, passing no `timeout=`: the worker's config
# (`sync_timeout`) bounds the wait.
from pyscript import config, sync


def call_never():
    try:
        sync.never_answers(1)
    except TimeoutError as error:
        return f"TimeoutError: {error}"
    return "returned"


def configured():
    return config.get("sync_timeout")


__export__ = ["call_never", "configured"]
