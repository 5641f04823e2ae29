"""rustpy's ``subprocess``: a web page cannot start processes.

The names exist so that modules importing ``subprocess`` load; running anything raises
``OSError(ENOSYS)``.
"""

PIPE, STDOUT, DEVNULL = -1, -2, -3


class SubprocessError(Exception):
    pass


class CalledProcessError(SubprocessError):
    def __init__(self, returncode, cmd, output=None, stderr=None):
        self.returncode, self.cmd, self.output, self.stderr = returncode, cmd, output, stderr


class TimeoutExpired(SubprocessError):
    def __init__(self, cmd, timeout, output=None, stderr=None):
        self.cmd, self.timeout, self.output, self.stderr = cmd, timeout, output, stderr


def _no_processes(*args, **kwargs):
    raise OSError(38, "subprocess: a browser cannot start processes (run Python work in a PyWorker)")


class Popen:
    def __init__(self, *args, **kwargs):
        _no_processes()


run = call = check_call = check_output = getoutput = getstatusoutput = _no_processes
