from pyscript import sync

# Blocks until the page opens the gate, which it does only after rustpy:all-done.
answer = sync.gate()


def gated():
    return answer


__export__ = ["gated"]
