"""pyscript.media cases on the browser's fake devices (the suite starts each engine with
them): run on the page's main thread (as a script) and in a worker (`report`
exported), where the devices and streams are the page's."""

import json

from pyscript import RUNNING_IN_WORKER, window
from pyscript.media import Device, list_devices


def refused(action):
    try:
        action()
    except Exception as error:
        return f"{type(error).__name__}: {error}"
    return None


async def report():
    before = await list_devices()
    stream = await Device.request_stream(audio=False, video=True)
    tracks = [[str(track.kind), bool(str(track.label))] for track in stream.getVideoTracks()]
    for track in stream.getTracks():
        track.stop()
    # After permission the labels are filled in.
    devices = await list_devices()
    cameras = [device for device in devices if device.kind == "videoinput"]
    chosen = await cameras[0].get_stream() if cameras else None
    chosen_id = str(chosen.getVideoTracks()[0].getSettings().deviceId) if chosen else None
    if chosen is not None:
        for track in chosen.getTracks():
            track.stop()
    old_name = await Device.load(video=True)
    for track in old_name.getTracks():
        track.stop()
    return json.dumps(
        {
            "inWorker": RUNNING_IN_WORKER,
            "listed": len(before) > 0,
            "kinds": sorted({device.kind for device in devices}),
            "labelled": all(device.label for device in devices if device.kind == "videoinput"),
            "itemAccess": bool(devices) and devices[0]["kind"] == devices[0].kind,
            "videoTracks": tracks,
            "chosenDevice": chosen_id is not None and chosen_id == cameras[0].id,
            "loadTracks": len(old_name.getVideoTracks()),
            "badConstraint": refused(lambda: Device.request_stream(video="yes").send(None)),
        }
    )


__export__ = ["report"]

if not RUNNING_IN_WORKER:
    window.mainReport = await report()
