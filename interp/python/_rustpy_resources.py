"""Data files of the library's packages, for ``importlib.resources``.

rustpy's library (see ``_rustpy_lazy.py``) holds data files next to the modules: the time
zones of ``tzdata`` (``library/tzdata/zoneinfo/Europe/Paris``), which ``zoneinfo`` opens
through ``importlib.resources.files("tzdata.zoneinfo.Europe").joinpath("Paris")``. Each file
is fetched (one blocking request, as an import) the first time it is read.
"""

import io

import _rustpy_host
import _rustpy_lazy

#: path -> bytes of the data files read so far.
_read = {}


class Reader:
    """The resource reader of a library package (``loader.get_resource_reader``)."""

    def __init__(self, package):
        self._package = package

    def files(self):
        """The package's folder, as a :class:`Resource`."""
        return Resource(self._package.replace(".", "/"))

    def open_resource(self, resource):
        """The data file ``resource`` of the package, opened for reading bytes."""
        return self.files().joinpath(resource).open("rb")

    def is_resource(self, resource):
        """Whether the package holds a data file named ``resource``."""
        return self.files().joinpath(resource).is_file()

    def resource_path(self, resource):
        """Always raises: the library's files are not on a file system."""
        raise FileNotFoundError(f"rustpy's library files have no path: {resource}")

    def contents(self):
        """Nothing: the library cannot list a folder."""
        return iter(())


class Resource:
    """A file or folder of the library (``importlib.resources.abc.Traversable``)."""

    def __init__(self, path):
        self._path = path

    def __repr__(self):
        return f"<rustpy library {self._path!r}>"

    @property
    def name(self):
        """The last part of the path."""
        return self._path.rpartition("/")[2]

    def joinpath(self, *descendants):
        """The file or folder ``descendants`` below this folder."""
        return Resource("/".join([self._path, *(str(d).strip("/") for d in descendants)]))

    __truediv__ = joinpath

    def is_dir(self):
        """True for a package's folder."""
        return _rustpy_lazy._entry(self._path.replace("/", ".")) is not None

    def is_file(self):
        """True for a data file the library holds (it is fetched to find out)."""
        if self.is_dir():
            return False
        try:
            self.read_bytes()
        except FileNotFoundError:
            return False
        return True

    def iterdir(self):
        """Always raises: the library cannot list a folder."""
        raise OSError(f"rustpy's library cannot list the folder {self._path!r}")

    def read_bytes(self):
        """The file's bytes, fetched the first time."""
        if self.is_dir():
            raise IsADirectoryError(f"{self._path!r} is a folder of rustpy's library")
        if self._path not in _read:
            try:
                _read[self._path] = _rustpy_host.load_library(self._path, self._path)
            except ImportError as error:
                raise FileNotFoundError(2, f"rustpy's library has no file: {error}", self._path) from None
        return _read[self._path]

    def read_text(self, encoding="utf-8", errors="strict"):
        """The file's text."""
        return self.read_bytes().decode(encoding, errors)

    def open(self, mode="r", *args, **kwargs):
        """The file, opened for reading (text or, with ``"rb"``, bytes)."""
        if mode not in ("r", "rb"):
            raise ValueError(f"rustpy's library files open for reading only, not {mode!r}")
        data = io.BytesIO(self.read_bytes())
        return data if mode == "rb" else io.TextIOWrapper(data, *args, **kwargs)
