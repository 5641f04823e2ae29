"""The multi-file app: the same file runs on the page and in a worker, each with its own
in-memory filesystem filled from its config's files."""

import json
import os

import pyscript
from pyscript import RUNNING_IN_WORKER


def attempt(check):
    """The check's value, or its exception as text (a missing module says so)."""
    try:
        return check()
    except Exception as error:  # noqa: BLE001  (the test reads what went wrong)
        return f"{type(error).__name__}: {error}"


def read_csv_rows():
    with open("data.csv", newline="") as f:
        lines = f.read().splitlines()
    header = lines[0].split(",")
    return [dict(zip(header, line.split(","))) for line in lines[1:]]


def with_csv_module():
    import csv

    with open("data.csv", newline="") as f:
        return [row["city"] for row in csv.DictReader(f)]


def write_and_read_back():
    os.makedirs("out/nested", exist_ok=True)
    with open("out/nested/note.txt", "w") as f:
        f.write("héllo\nworld\n")
    with open("out/nested/note.txt", "a") as f:
        f.write("again\n")
    with open("out/blob.bin", "wb") as f:
        f.write(bytes(range(256)))
    with open("out/blob.bin", "rb") as f:
        f.seek(250)
        tail = list(f.read())
    with open("out/nested/note.txt") as f:
        lines = f.readlines()
    os.rename("out/blob.bin", "out/moved.bin")
    os.remove("out/moved.bin")
    return {
        "lines": lines,
        "tail": tail,
        "size": os.stat("out/nested/note.txt").st_size,
        "listdir": sorted(os.listdir("out")),
        "moved_gone": not os.path.exists("out/moved.bin"),
        "walk": [(top, sorted(files)) for top, _, files in os.walk("out")],
    }


def own_module_written_now():
    with open("fresh.py", "w") as f:
        f.write("VALUE = 6 * 7\n")
    import fresh

    return [fresh.VALUE, fresh.__file__]


def with_pathlib():
    from pathlib import Path

    Path("pl").mkdir()
    (Path("pl") / "a.txt").write_text("path text")
    return [(Path("pl") / "a.txt").read_text(), sorted(p.name for p in Path("pl").iterdir()), Path("data.csv").exists()]


def with_shutil():
    import shutil

    shutil.copy("data.csv", "copy.csv")
    with open("copy.csv") as f:
        return f.read() == open("data.csv").read()


def missing_file():
    open("nope.txt")


def report():
    import pkg
    import zipmod  # noqa: F401  (unpacked from the zip into ./unzipped, imported below)

    return {
        "type": pyscript.config.get("type"),
        "flavour": pyscript.config.get("flavour"),
        "cwd": os.getcwd(),
        "root": sorted(os.listdir(".")),
        "package": [pkg.NAME, pkg.total(read_csv_rows(), "people")],
        "zip": open("unzipped/notes/readme.txt").read(),
        "tar": open("untarred/deep/tar.txt", "rb").read().decode(),
        "write": attempt(write_and_read_back),
        "fresh": attempt(own_module_written_now),
        "missing": attempt(missing_file),
        "csv": attempt(with_csv_module),
        "pathlib": attempt(with_pathlib),
        "shutil": attempt(with_shutil),
    }


import sys  # noqa: E402

sys.path.append(os.getcwd() + "/unzipped")

if RUNNING_IN_WORKER:
    __export__ = ["report"]
else:
    from pyscript import window

    window.mainReport = json.dumps(report())
