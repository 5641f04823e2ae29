# The boot benchmark's worker (rustpy): imports nothing else; its first statement reports
# the wall clock in milliseconds since the epoch (print reaches the page's console). Then it
# counts the config's files it found in ./app (the page checks the count).
import time

print("boot stamp", time.time() * 1000)
import os

print("boot files", len(os.listdir("app")) if "app" in os.listdir(".") else 0)
