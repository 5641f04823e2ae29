from pyscript import sync

sync.report(sync.answer())
