from pyscript import sync

sync.greetings()
sync.heavy_computation = lambda: 6 * 7
