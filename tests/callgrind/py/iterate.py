# base.py with every for loop and comprehension over islice(iterable, None), the while
# loop over repeat(()) with an empty target (for [] in ...), and _rp() at the top of fib:
# the shape of rustpy's rewrite.
from itertools import islice, repeat
_forever = repeat(())
def fib(n):
    _rp()
    return n if n < 2 else fib(n - 1) + fib(n - 2)

def case_loop():
    total = 0
    for i in islice(range(200000), None):
        total += (i * 7 + 3) % 11
    return total

def case_strings():
    parts = []
    for i in islice(range(20000), None):
        parts.append("item" + str(i))
    text = ",".join(parts)
    line = ""
    for i in islice(range(2000), None):
        line += "%d;" % (i % 10)
    return len(text) + len(line)

def case_churn():
    counts = {}
    for i in islice(range(20000), None):
        counts[i % 1000] = counts.get(i % 1000, 0) + 1
    values = [(i * 7919) % 100003 for i in islice(range(20000), None)]
    values.sort()
    total = 0
    for [] in _forever:
        if not values: break
        total += values.pop()
    return total

import sys
which = CASE
if which == "fib": fib(20)
if which == "loop": case_loop()
if which == "strings": case_strings()
if which == "churn": case_churn()
