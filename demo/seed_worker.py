# The worker: call the page's function, then offer one to the page.
from pyscript import sync

sync.greetings()

sync.heavy_computation = lambda: 6 * 7
