# The second terminal of terminal/workers.html: its own output only.
print("second terminal")
