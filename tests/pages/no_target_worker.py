from pyscript import current_target, display

print("worker target", current_target())
try:
    display("nowhere")
except ValueError as error:
    print("no target:", error)
