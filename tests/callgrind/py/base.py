# No checks: the four CPU cases (smaller than cpu.py's), run one at a time by CASE.
def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)

def case_loop():
    total = 0
    for i in range(200000):
        total += (i * 7 + 3) % 11
    return total

def case_strings():
    parts = []
    for i in range(20000):
        parts.append("item" + str(i))
    text = ",".join(parts)
    line = ""
    for i in range(2000):
        line += "%d;" % (i % 10)
    return len(text) + len(line)

def case_churn():
    counts = {}
    for i in range(20000):
        counts[i % 1000] = counts.get(i % 1000, 0) + 1
    values = [(i * 7919) % 100003 for i in range(20000)]
    values.sort()
    total = 0
    while values:
        total += values.pop()
    return total

import sys
which = CASE
if which == "fib": fib(20)
if which == "loop": case_loop()
if which == "strings": case_strings()
if which == "churn": case_churn()
