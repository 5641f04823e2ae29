def double(x):
    return x * 2


def touch_document():
    try:
        from pyscript import document

        document.title
    except RuntimeError as error:
        return str(error)
    return "no error"


__export__ = ["double", "touch_document"]
