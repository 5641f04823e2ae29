# CPU micro-benchmarks: the same source for rustpy, PyScript + MicroPython and PyScript +
# Pyodide (so only what all three have: MicroPython's `re` has no finditer/findall, and no
# `pos` argument to search). The worker runs it with exec() in a namespace holding `now`
# (a clock in milliseconds), then calls run_all(), which returns {case: milliseconds}.
import json
import re


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def case_fib():
    """Recursive fib(25)."""
    return fib(25)


def case_loop():
    """10**6 iterations of integer arithmetic."""
    total = 0
    for i in range(1000000):
        total += (i * 7 + 3) % 11
    return total


def case_strings():
    """100k small strings built, joined, split; 10k appends with +=."""
    parts = []
    for i in range(100000):
        parts.append("item" + str(i))
    text = ",".join(parts)
    back = text.split(",")
    line = ""
    for i in range(10000):
        line += "%d;" % (i % 10)
    upper = text.upper().replace("ITEM", "x")
    return len(back) + len(line) + len(upper)


def case_churn():
    """Dicts and lists: 20k str keys inserted, half deleted, iterated; 100k int-key
    updates; a 100k sort; 100k pops. (MicroPython's str-key dicts slow down sharply past
    ~20k keys: 40k take seconds, 100k minutes.)"""
    table = {}
    for i in range(20000):
        table["k" + str(i)] = [i, i + 1]
    for i in range(0, 20000, 2):
        del table["k" + str(i)]
    total = 0
    for key in table:
        total += table[key][1]
    counts = {}
    for i in range(100000):
        counts[i % 1000] = counts.get(i % 1000, 0) + 1
    values = [(i * 7919) % 100003 for i in range(100000)]
    values.sort()
    while values:
        total += values.pop()
    return total + len(counts)


def make_records():
    """About 1 MB of JSON: 10,000 small records."""
    return [
        {
            "id": i,
            "name": "item" + str(i),
            "tags": ["a", "b", "c"],
            "value": i * 0.5,
            "ok": i % 2 == 0,
            "nested": {"x": i, "y": None},
        }
        for i in range(10000)
    ]


def make_log():
    """20,000 log lines for the regex scan."""
    return [
        "user%d@example%d.com sent %d bytes at 12:%02d" % (i, i % 7, i * 13, i % 60)
        for i in range(20000)
    ]


def case_regex(lines):
    """One compiled pattern with groups searched in every line."""
    pattern = re.compile(r"([a-z]+[0-9]+)@([a-z]+[0-9])\.com sent ([0-9]+) bytes")
    found = 0
    total = 0
    for line in lines:
        match = pattern.search(line)
        if match:
            found += 1
            total += int(match.group(3))
    if found != len(lines):
        raise ValueError("regex matched %d of %d lines" % (found, len(lines)))
    return total


def timed(results, name, function, *args):
    started = now()
    function(*args)
    results[name] = now() - started


def run_all():
    results = {}
    timed(results, "fib", case_fib)
    timed(results, "loop", case_loop)
    timed(results, "strings", case_strings)
    timed(results, "churn", case_churn)
    records = make_records()
    started = now()
    text = json.dumps(records)
    results["json_dumps"] = now() - started
    if not 900000 < len(text) < 1300000:
        raise ValueError("the JSON text is %d characters, not about 1 MB" % len(text))
    started = now()
    back = json.loads(text)
    results["json_loads"] = now() - started
    if len(back) != len(records) or back[-1]["name"] != records[-1]["name"]:
        raise ValueError("json.loads(json.dumps(records)) differs")
    timed(results, "regex", case_regex, make_log())
    return results
