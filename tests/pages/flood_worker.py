import time


def flood(count):
    """Prints `count` numbered lines; returns how long the loop took here (seconds)."""
    started = time.perf_counter()
    for number in range(count):
        print(number)
    return time.perf_counter() - started


def blob(size):
    """A bytes value of `size` bytes for the page."""
    return bytes(range(256)) * (size // 256)


__export__ = ["flood", "blob"]
