print("nested src resolved against the page")
