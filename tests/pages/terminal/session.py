# The first terminal of terminal/workers.html: __terminal__ is the page's xterm.js
# Terminal, input() reads a line typed into it, then a REPL (code.interact) runs in it.
print(f"terminal of {__terminal__.cols} columns")
print("before the prompt")
name = input("name? ")
print(f"hello {name}")
import code

code.interact(banner="repl ready", exitmsg="repl done")
