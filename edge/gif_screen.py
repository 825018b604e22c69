"""A GIF's first image where it lies outside the GIF's own screen: read alone (edge.preprocess).

A GIF gives a screen size and places each image on that screen; the standard wants every image inside it.
Where the first image lies partly or wholly outside (a screen size written wrong, an offset), Pillow grows the
picture to take it in and fills the rest with palette colour 0, without a word: a 64 x 64 film placed at x = 200 on a
64 x 64 screen was read 264 pixels wide, 200 columns of it black, and refused as a "blank image"; placed at (30, 30),
it came with an L-shaped black band that trimming leaves in part and the model read as part of the film. Browsers
(Firefox and Chromium, after Netscape) take a first image larger than the screen as the screen itself, its offset
dropped; here a first image that sticks out of the screen is read alone, its own pixels: the film, nothing added.
An image inside its screen is read on it, as every viewer shows it.
"""

from __future__ import annotations

import struct

from PIL import Image


def first_image_alone(img: Image.Image, data: bytes) -> Image.Image:
    """``img`` (opened from ``data``, at its first frame, not yet loaded) without the canvas Pillow grew around a
    GIF's first image that lies outside the screen its header gives; any other image as it is."""
    if img.format != "GIF" or data[:6] not in (b"GIF87a", b"GIF89a") or len(data) < 10 or not img.tile:
        return img
    screen = struct.unpack_from("<HH", data, 6)  # the logical screen's width and height
    x0, y0, x1, y1 = img.tile[0][1]  # where the first image's pixels go: set when the frame is read, before loading
    if img.size == screen or (x0, y0, x1, y1) == (0, 0, *img.size):
        return img
    return img.crop((x0, y0, x1, y1))
