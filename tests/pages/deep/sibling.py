print("relative worker src resolved")
