from _rustpy_host import in_worker
print("worker src ok", in_worker())
