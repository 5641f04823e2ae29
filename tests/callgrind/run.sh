#!/usr/bin/env bash
# Instruction counts (callgrind Ir, repeatable under load) of each way of checking for an
# interrupt, relative to no checks, per case; the interpreter's start-up is subtracted.
#   plain: py/base.py        call: a native call at each loop body and function body top
#   global: a global read there (the floor of any inserted instruction)
#   iterate: loops over a native wrapping iterator (itertools.islice stands in for rustpy's
#            __rustpy_iterate__, repeat(()) for __rustpy_forever__), a call per function
#   monitoring: sys.monitoring JUMP | PY_START with a native callback
set -euo pipefail
cd "$(dirname "$0")"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}"
cargo build --release -q
bin="$CARGO_TARGET_DIR/release/interrupt-check-floor"
count() { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 | awk '/Collected/ {print $4}'; }
start=$(CASE=none count "$bin" py/base.py)
printf '%-8s %14s %8s %8s %8s %11s\n' case "plain (Ir)" call global iterate monitoring
for case in fib loop strings churn; do
  plain=$(( $(CASE=$case count "$bin" py/base.py) - start ))
  ratio() { echo "scale=3; ($1 - $start) / $plain" | bc; }
  printf '%-8s %14d %8s %8s %8s %11s\n' "$case" "$plain" \
    "$(ratio "$(CASE=$case count "$bin" py/call.py)")" \
    "$(ratio "$(CASE=$case count "$bin" py/global.py)")" \
    "$(ratio "$(CASE=$case count "$bin" py/iterate.py)")" \
    "$(ratio "$(CASE=$case MON=1 count "$bin" py/base.py)")"
done
