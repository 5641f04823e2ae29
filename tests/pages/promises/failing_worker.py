def boot_fails():
    raise RuntimeError("quiet PyWorker failed")


boot_fails()
