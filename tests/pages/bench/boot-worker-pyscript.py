# The boot benchmark's worker (PyScript + MicroPython or Pyodide): its first statement
# takes the wall clock in milliseconds since the epoch (as a string: MicroPython wraps
# whole numbers above 2**31), then reports it on the page's console (a worker's print
# stays in the worker). Then it counts the config's files it found in ./app (the page
# checks the count).
import js

stamp = js.eval("String(performance.timeOrigin + performance.now())")
from pyscript import window

window.console.log("boot stamp " + stamp)
import os

window.console.log("boot files " + str(len(os.listdir("app")) if "app" in os.listdir(".") else 0))
