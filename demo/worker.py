"""Runs in a Web Worker: heavy work here never freezes the page."""
import time

LIMIT = 300_000


def count_primes(limit):
    sieve = bytearray([1]) * limit
    sieve[0:2] = b"\x00\x00"
    for n in range(2, int(limit**0.5) + 1):
        if sieve[n]:
            sieve[n * n :: n] = bytes(len(range(n * n, limit, n)))
    return sum(sieve)


def slow_count(limit):
    """Trial division, deliberately slow, to keep the worker busy for a while."""
    found = 0
    for n in range(2, limit):
        for d in range(2, int(n**0.5) + 1):
            if n % d == 0:
                break
        else:
            found += 1
    return found


started = time.monotonic()
print("worker started; working...")
fast = count_primes(LIMIT)
slow = slow_count(LIMIT // 3)
print(f"primes below {LIMIT}: {fast} (sieve)")
print(f"primes below {LIMIT // 3}: {slow} (trial division)")
print(f"done in {time.monotonic() - started:.2f}s, and the animation never stopped")
