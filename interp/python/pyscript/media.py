"""``pyscript.media``: the page's cameras, microphones and speakers, as in PyScript.

- ``await list_devices()``: a ``Device`` per entry of ``navigator.mediaDevices
  .enumerateDevices()`` (``id``, ``group``, ``kind``: ``"videoinput"``, ``"audioinput"``
  or ``"audiooutput"``, ``label``, which the browser leaves empty until the page may use
  the device; ``device["id"]`` reads the same).
- ``await Device.request_stream(audio=False, video=True)``: a ``MediaStream`` from
  ``getUserMedia`` (``True``/``False`` or a dict of constraints for each);
  ``Device.load(...)`` is its older name; ``await device.get_stream()`` a stream of that
  device alone.

Devices belong to the page (``navigator.mediaDevices`` exists in windows only): in a
worker these are the page's, through ``pyscript.window``, and the stream is a proxy of the
page's ``MediaStream`` (``video.srcObject = stream`` on a page element works). The browser
asks the user first; a refusal or a missing device raises ``JsException``
(``NotAllowedError``, ``NotFoundError``), and a page that is not a secure context (no
``navigator.mediaDevices``) raises ``RuntimeError``.
"""

import pyscript


def _media_devices():
    devices = getattr(pyscript.window.navigator, "mediaDevices", None)
    if devices is None:
        raise RuntimeError(
            "navigator.mediaDevices is missing: media devices need a secure context "
            "(https:// or http://localhost)"
        )
    return devices


def _constraint(value, name):
    if isinstance(value, (bool, dict)):
        return value
    raise TypeError(f"{name} must be a bool or a dict of constraints, not {type(value).__name__}")


class Device:
    """One media device of the page (see the module's docs)."""

    def __init__(self, info):
        self._info = info

    @property
    def id(self):
        """The device's id (``deviceId``), stable for this origin."""
        return str(self._info.deviceId)

    @property
    def group(self):
        """The id of the physical device it belongs to (``groupId``)."""
        return str(self._info.groupId)

    @property
    def kind(self):
        """``"videoinput"``, ``"audioinput"`` or ``"audiooutput"``."""
        return str(self._info.kind)

    @property
    def label(self):
        """The device's name; empty until the page may use the device."""
        return str(self._info.label)

    def __getitem__(self, name):
        if name not in ("id", "group", "kind", "label"):
            raise KeyError(name)
        return getattr(self, name)

    def __repr__(self):
        return f"<Device {self.kind} {self.label!r}>"

    @classmethod
    async def request_stream(cls, audio=False, video=True):
        """A ``MediaStream`` of the devices ``audio`` and ``video`` ask for."""
        constraints = {
            "audio": _constraint(audio, "audio"),
            "video": _constraint(video, "video"),
        }
        return await _media_devices().getUserMedia(constraints)

    @classmethod
    async def load(cls, audio=False, video=True):
        """``request_stream()``'s older name."""
        return await cls.request_stream(audio=audio, video=video)

    async def get_stream(self):
        """A ``MediaStream`` of this input device alone."""
        if self.kind not in ("videoinput", "audioinput"):
            raise ValueError(f"{self.kind} is not an input device: it has no stream")
        exact = {"deviceId": {"exact": self.id}}
        if self.kind == "videoinput":
            return await self.request_stream(audio=False, video=exact)
        return await self.request_stream(audio=exact, video=False)


async def list_devices():
    """The page's media devices, as ``Device`` objects."""
    infos = await _media_devices().enumerateDevices()
    return [Device(info) for info in infos]


__all__ = ["Device", "list_devices"]
