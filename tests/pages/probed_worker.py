# Exports named like what JS machinery probes (toJSON), and a count of the calls served,
# served (toJSON counts too), so the page can tell that probing the worker called nothing.
served = 0


def calls():
    global served
    served += 1
    return served


def toJSON():
    global served
    served += 1
    return "the export named toJSON"


def ping():
    return "pong"


__export__ = ["calls", "toJSON", "ping"]
