raise KeyError("broken on purpose")
