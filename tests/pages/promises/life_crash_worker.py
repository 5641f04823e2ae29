# A worker whose script crashes the worker while it boots (compiling an expression nested
# 100 000 deep overflows the browser's stack inside wasm, as in life_worker.py's crash()):
# its `ready` must reject, not stay pending.
print("booting")
eval("-" * 100_000 + "1")
print("never printed")
