"""The window mirror's scaling helpers (pure): a host window larger than the nested
screen is scaled down by a whole factor, by nearest-neighbour subsampling.

The mirror itself, against real X servers, is tested in tests/integration/test_screen_share.py.
"""

from __future__ import annotations

import struct

import pytest

from sandbox_launcher.devices.mirror import scale_factor, scale_rect, scaled_size, subsample


@pytest.mark.parametrize(("window", "screen", "k"), [
    ((400, 300), (1280, 800), 1),      # fits: copied 1:1
    ((1280, 800), (1280, 800), 1),     # exactly the screen
    ((1281, 800), (1280, 800), 2),     # one pixel too wide
    ((1280, 801), (1280, 800), 2),     # one pixel too tall
    ((1920, 1080), (1280, 800), 2),
    ((2560, 1440), (1280, 800), 2),
    ((2561, 1440), (1280, 800), 3),    # ceil(2561 / 2) = 1281
    ((1000, 700), (640, 400), 2),
    ((3840, 2160), (1280, 800), 3),
    ((100, 5000), (1280, 800), 7),     # the taller side decides
])
def test_the_smallest_whole_factor_that_fits(window: tuple[int, int], screen: tuple[int, int],
                                             k: int) -> None:
    assert scale_factor(*window, *screen) == k
    width, height = scaled_size(*window, k)
    assert width <= screen[0] and height <= screen[1]
    if k > 1:  # one less would not fit
        smaller = scaled_size(*window, k - 1)
        assert smaller[0] > screen[0] or smaller[1] > screen[1]


def test_scaled_size_keeps_every_kth_pixel_from_the_first() -> None:
    assert scaled_size(1000, 700, 1) == (1000, 700)
    assert scaled_size(1000, 700, 2) == (500, 350)
    assert scaled_size(1001, 701, 2) == (501, 351)  # pixel 1000 is kept
    assert scaled_size(7, 5, 3) == (3, 2)


def _image(width: int, height: int) -> bytes:
    """Pixel (x, y) holds y * 1000 + x."""
    return struct.pack(f"={width * height}I",
                       *(y * 1000 + x for y in range(height) for x in range(width)))


def _pixels(data: bytes) -> list[int]:
    return list(struct.unpack(f"={len(data) // 4}I", data))


def test_subsample_keeps_every_kth_pixel_of_every_kth_row() -> None:
    data = _image(7, 5)
    assert subsample(data, 7, 5, 1) == data
    assert _pixels(subsample(data, 7, 5, 2)) == [0, 2, 4, 6,
                                                 2000, 2002, 2004, 2006,
                                                 4000, 4002, 4004, 4006]
    assert _pixels(subsample(data, 7, 5, 3)) == [0, 3, 6, 3000, 3003, 3006]
    assert len(subsample(data, 7, 5, 3)) == 4 * scaled_size(7, 5, 3)[0] * scaled_size(7, 5, 3)[1]


def test_subsample_keeps_the_pixel_bytes_as_they_are() -> None:
    # Four bytes a pixel (B, G, R, pad as the server sends them): copied whole, in order.
    row = b"".join(bytes((i, 0x80, 0xFF - i, 0)) for i in range(6))
    assert subsample(row * 2, 6, 2, 2) == row[0:4] + row[8:12] + row[16:20]


def test_subsample_refuses_short_data() -> None:
    with pytest.raises(ValueError):
        subsample(b"\0" * 16, 4, 2, 2)


@pytest.mark.parametrize(("rect", "k", "scaled"), [
    ((0, 0, 1000, 700), 1, (0, 0, 1000, 700)),
    ((0, 0, 1000, 700), 2, (0, 0, 500, 350)),
    ((10, 20, 30, 40), 2, (5, 10, 15, 20)),     # on the grid: exact
    ((11, 21, 31, 41), 2, (5, 10, 16, 21)),     # off the grid: rounded outwards
    ((999, 699, 1000, 700), 2, (499, 349, 500, 350)),  # one pixel still covers one
    ((4, 4, 5, 5), 3, (1, 1, 2, 2)),
])
def test_changed_areas_map_to_the_scaled_picture_rounded_outwards(
        rect: tuple[int, int, int, int], k: int, scaled: tuple[int, int, int, int]) -> None:
    assert scale_rect(*rect, k) == scaled
    x0, y0, x1, y1 = scale_rect(*rect, k)
    # Every host pixel of the rectangle falls in a scaled pixel of the result.
    assert x0 * k <= rect[0] and y0 * k <= rect[1] and x1 * k >= rect[2] and y1 * k >= rect[3]
