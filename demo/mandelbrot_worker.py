"""The Mandelbrot set, computed in a worker and drawn into a canvas through ImageData."""
from pyscript import document, when, window

canvas = document.getElementById("canvas")
WIDTH, HEIGHT = canvas.width, canvas.height
BAND = 8  # rows computed, then drawn, at a time
MAX_ITERATIONS = 64
context = canvas.getContext("2d")
status = document.getElementById("status")
view = {"x": -0.65, "y": 0.0, "step": 3.2 / WIDTH, "zoom": 1}

# One RGBA colour per escape count; the set itself is black.
PALETTE = []
for n in range(MAX_ITERATIONS):
    t = n / MAX_ITERATIONS
    PALETTE.append(bytes([int(255 * t**0.5), int(255 * t**1.5), int(128 + 127 * t), 255]))
PALETTE.append(bytes([0, 0, 0, 255]))


def band_pixels(top, rows):
    """The RGBA bytes of `rows` rows starting at row `top`."""
    out = bytearray()
    step, left = view["step"], view["x"] - WIDTH / 2 * view["step"]
    for py in range(top, top + rows):
        ci = view["y"] + (py - HEIGHT / 2) * step
        for px in range(WIDTH):
            cr = left + px * step
            zr = zi = 0.0
            n = 0
            while n < MAX_ITERATIONS and zr * zr + zi * zi <= 4.0:
                zr, zi = zr * zr - zi * zi + cr, 2.0 * zr * zi + ci
                n += 1
            out += PALETTE[n]
    return bytes(out)


def draw():
    started = window.performance.now()
    for top in range(0, HEIGHT, BAND):
        rows = min(BAND, HEIGHT - top)
        # bytes cross as a Uint8Array; ImageData wants a Uint8ClampedArray of the same bytes.
        pixels = window.Uint8ClampedArray.new(band_pixels(top, rows))
        context.putImageData(window.ImageData.new(pixels, WIDTH, rows), 0, top)
    seconds = (window.performance.now() - started) / 1000
    status.textContent = f"zoom x{view['zoom']}: {WIDTH}x{HEIGHT} pixels in {seconds:.1f} s. Click to zoom in."
    canvas.dataset.zoom = str(view["zoom"])


@when("click", "#canvas")
def zoom_in(event):
    box = canvas.getBoundingClientRect()
    px = (event.clientX - box.left) * WIDTH / box.width
    py = (event.clientY - box.top) * HEIGHT / box.height
    view["x"] += (px - WIDTH / 2) * view["step"]
    view["y"] += (py - HEIGHT / 2) * view["step"]
    view["step"] /= 2
    view["zoom"] *= 2
    status.textContent = f"zooming to x{view['zoom']}..."
    draw()


draw()
