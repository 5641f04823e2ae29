# The boot benchmark's worker (rustpy): imports nothing else; its first statement reports
# the wall clock in milliseconds since the epoch (print reaches the page's console).
import time

print("boot stamp", time.time() * 1000)
