raise ValueError("this worker fails")
