# base.py with a native call _rp() at the top of every loop body, function body and
# comprehension (as a filter): the check call an AST rewrite would insert.
def fib(n):
    _rp()
    return n if n < 2 else fib(n - 1) + fib(n - 2)

def case_loop():
    total = 0
    for i in range(200000):
        _rp()
        total += (i * 7 + 3) % 11
    return total

def case_strings():
    parts = []
    for i in range(20000):
        _rp()
        parts.append("item" + str(i))
    text = ",".join(parts)
    line = ""
    for i in range(2000):
        _rp()
        line += "%d;" % (i % 10)
    return len(text) + len(line)

def case_churn():
    counts = {}
    for i in range(20000):
        _rp()
        counts[i % 1000] = counts.get(i % 1000, 0) + 1
    values = [(i * 7919) % 100003 for i in range(20000) if _rp() is None]
    values.sort()
    total = 0
    while values:
        _rp()
        total += values.pop()
    return total

import sys
which = CASE
if which == "fib": fib(20)
if which == "loop": case_loop()
if which == "strings": case_strings()
if which == "churn": case_churn()
