import sys
print("main src ok", greeting)
print("to stderr", file=sys.stderr)
