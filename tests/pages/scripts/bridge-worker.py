import asyncio
import math

from pyscript import JsException, sync

print("sum", sync.add(1, 2))
print("slow", sync.slow(21))
try:
    sync.boom()
except JsException as exc:
    print("js error", exc.name, "|", exc)
try:
    sync.nothere()
except AttributeError as exc:
    print("missing", exc)

sent = [None, True, 2**100, -7, 1.5, float("nan"), float("-inf"), -0.0, "héllo ✓", b"\x00\xff", (1, 2), {"k": [1]}]
back = sync.echo(sent)
same = (
    back[:5] == [None, True, 2**100, -7, 1.5]
    and math.isnan(back[5])
    and back[6] == float("-inf")
    and math.copysign(1, back[7]) == -1.0
    and back[8:] == ["héllo ✓", b"\x00\xff", [1, 2], {"k": [1]}]
)
print("echo", same)
huge = [2**100000, -(3**50000)]  # 30 103 and 23 857 digits: past int()'s 4 300
print("huge ints", sync.echo(huge) == huge)
circular = [1]
circular.append(circular)
for name, value in [("circular", circular), ("surrogate", "a\ud800b")]:
    try:
        sync.echo(value)
        print("crossed", name)
    except ValueError as exc:
        print("refused", name, "|", exc)
deep = []
for _ in range(10_000):
    deep = [deep]
try:
    back = sync.echo(deep)
    depth = 0
    while back:
        back = back[0]
        depth += 1
    print("deep", "exact" if depth == 10_000 else f"changed to {depth}")
except (RecursionError, ValueError) as exc:
    print("deep refused", type(exc).__name__, "|", exc)
print("grown reply", len(sync.big(200_000)))
try:
    sync.big(2_000_000)
except RuntimeError as exc:
    print("too large", "limit" in str(exc))
print("still works", sync.add(1, 1))
try:
    sync.echo(object())
except TypeError as exc:
    print("cannot cross", exc)


def is_huge(number):
    return number == 2**100000


def huge():
    return -(3**50000)


def multiply(a, b):
    return a * b


async def later(x):
    await asyncio.sleep(0.01)
    return x + 1


def fails():
    raise ValueError("export failed")


def nap(seconds):
    import time

    time.sleep(seconds)
    return "rested"


def shout(i):
    print(f"shout {i}")
    return i


recorded = []


def record(i):
    recorded.append(i)
    return i


def records():
    return recorded


__export__ = ["is_huge", "huge", "multiply", "later", "fails", "nap", "shout", "record", "records"]
