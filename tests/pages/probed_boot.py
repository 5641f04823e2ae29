# A worker whose script tells the page it is running, then takes a second to finish: the
# page ends its boot (terminate() or restart()) at that moment, while ready still waits.
import time

from pyscript import sync

sync.booting()
time.sleep(1)


def ping():
    return "pong"


__export__ = ["ping"]
