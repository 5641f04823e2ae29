# Loops that never wait, print nor call the page, each announced to the page first
# (sync.started) so the page interrupts a call it knows is running.
import sys

from pyscript import sync

survivor = "kept"  # a global that must outlive every interrupt
turns = 0


def ping():
    return f"pong {survivor}"


def spin_while():
    sync.started("spin_while")
    while True:  # loop
        pass


def spin_counting():
    global turns
    sync.started("spin_counting")
    while turns >= 0:  # loop
        turns += 1


def spin_for():
    sync.started("spin_for")
    for i in range(10**12):  # loop
        x = i * i


def walk(depth):  # loop
    if depth == 0:
        return 1
    return walk(depth - 1) + walk(depth - 1) * 2  # loop


def spin_recursion():
    sync.started("spin_recursion")
    return walk(60)


def spin_list():
    sync.started("spin_list")
    return len([i * i for i in range(10**12)])  # loop


def spin_dict():
    sync.started("spin_dict")
    return len({i: i for i in range(10**12)})  # loop


def spin_generator():
    sync.started("spin_generator")
    return sum(i * i for i in range(10**12))  # loop


# A module of the user's, imported through the user's own finder (rustpy has no files).
class _Source:
    def find_spec(self, name, path, target=None):
        # importlib.util is not in rustpy's stdlib yet; its spec_from_loader is this one.
        import _frozen_importlib

        return _frozen_importlib.spec_from_loader(name, self) if name == "usermod" else None

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        source = "def spin():\n    while True:\n        pass\n"
        exec(compile(source, "usermod.py", "exec"), module.__dict__)


sys.meta_path.insert(0, _Source())


def spin_module():
    import usermod

    sync.started("spin_module")
    usermod.spin()


exec("def spin_exec_body():\n    n = 0\n    while True:\n        n += 1\n")


def spin_exec():
    sync.started("spin_exec")
    spin_exec_body()  # noqa: F821 (defined by exec above)


def spin_caught():
    global turns
    sync.started("spin_caught")
    try:
        while True:
            turns += 1
    except KeyboardInterrupt:
        return f"caught after {turns > 0}"


def spin_native():
    sync.started("spin_native")
    return sum(range(10**12))


def quick():
    return "quick ran to its end"


__export__ = [
    "ping",
    "spin_while",
    "spin_counting",
    "spin_for",
    "spin_recursion",
    "spin_list",
    "spin_dict",
    "spin_generator",
    "spin_module",
    "spin_exec",
    "spin_caught",
    "spin_native",
    "quick",
]
