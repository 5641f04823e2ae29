import time

# Ends a little after it starts, so a promise that settled before the script ended would
# see no exports yet.
time.sleep(0.2)


def then(x):
    # An export named like the method that makes an object thenable.
    return x * 2


def ping():
    return "pong"


__export__ = ["then", "ping"]
