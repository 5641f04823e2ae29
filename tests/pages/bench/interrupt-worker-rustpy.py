import sys
import time


def ping():
    return 1


def nap():
    time.sleep(600)


def chatty():
    # Output is where a busy loop meets the interrupt check (one Atomics.exchange per
    # write); a loop that neither prints nor calls the page cannot be interrupted.
    while True:
        sys.stdout.write("")


__export__ = ["ping", "nap", "chatty"]
