"""A host X11 window for the screen-sharing tests: one colour (or stripes), repainted on
command. Run with the project's venv (python-xlib) as the desktop user, outside any sandbox.

    x11_painter.py --title T --geometry 400x300+10+10 --colour ff8000 [--stripes 0000ff]
                   [--quadrants TL,TR,BL,BR] [--animate FPS]

Prints ``{"window": ID}`` once the window is mapped and painted; then each line on stdin
``colour RRGGBB`` repaints it, ``fill X Y W H RRGGBB`` adds a rectangle to what it
paints, ``size WxH`` resizes it, ``quit`` (or EOF) closes it. ``--quadrants`` paints its
four quarters in these colours (top left, top right, bottom left, bottom right).
``--animate`` alternates the colour and its inverse FPS times a second (every pixel
changes: the mirror's worst case).
"""

from __future__ import annotations

import argparse
import json
import re
import select
import sys
import time
from typing import Any

from Xlib import X, display

#: Rectangles (x, y, w, h, colour) painted over the rest: ``--quadrants`` and ``fill``.
_extra: list[tuple[int, int, int, int, int]] = []


def _quadrants(colours: str, w: int, h: int) -> None:
    half_w, half_h = w // 2, h // 2
    for i, colour in enumerate(colours.split(",") if colours else []):
        right, bottom = i % 2, i // 2
        _extra.append((half_w * right, half_h * bottom, w - half_w if right else half_w,
                       h - half_h if bottom else half_h, int(colour, 16)))


def _paint_extra(win: Any, gc: Any) -> None:
    for *rect, colour in _extra:
        gc.change(foreground=colour)
        win.fill_rectangle(gc, *rect)


def _command(disp: display.Display, win: Any, paint: Any, line: list[str]) -> int | None:
    """Apply one stdin command; the new colour, or None to quit."""
    if not line or line[0] == "quit":
        return None
    if line[0] == "fill":
        x, y, w, h = map(int, line[1:5])
        _extra.append((x, y, w, h, int(line[5], 16)))
        print(json.dumps({"filled": line[1:]}), flush=True)
    if line[0] == "colour":
        paint(int(line[1], 16))
        print(json.dumps({"painted": line[1]}), flush=True)
        return int(line[1], 16)
    if line[0] == "size":
        width, height = map(int, line[1].split("x"))
        win.configure(width=width, height=height)
        disp.sync()
        print(json.dumps({"size": line[1]}), flush=True)
    return -1


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--title", required=True)
    parser.add_argument("--geometry", default="400x300+10+10")
    parser.add_argument("--colour", default="ff8000")
    parser.add_argument("--stripes", default="", help="every other 20-pixel band this colour")
    parser.add_argument("--quadrants", default="", help="TL,TR,BL,BR colours")
    parser.add_argument("--animate", type=float, default=0.0)
    args = parser.parse_args()
    w, h, x, y = map(int, re.match(r"(\d+)x(\d+)\+(\d+)\+(\d+)", args.geometry).groups())
    disp = display.Display()
    screen = disp.screen()
    win = screen.root.create_window(x, y, w, h, 0, screen.root_depth, X.InputOutput,
                                    X.CopyFromParent, event_mask=X.ExposureMask)
    win.set_wm_name(args.title)
    win.set_wm_normal_hints(flags=1 | 4, x=x, y=y)  # USPosition, PPosition: no WM moves it
    gc = win.create_gc()
    stripes = int(args.stripes, 16) if args.stripes else None
    _quadrants(args.quadrants, w, h)

    def paint(value: int) -> None:
        geometry = win.get_geometry()
        gc.change(foreground=value)
        win.fill_rectangle(gc, 0, 0, geometry.width, geometry.height)
        if stripes is not None:
            gc.change(foreground=stripes)
            for top in range(0, geometry.height, 40):
                win.fill_rectangle(gc, 0, top, geometry.width, 20)
        _paint_extra(win, gc)
        disp.sync()

    win.map()
    disp.sync()
    time.sleep(0.2)
    colour = int(args.colour, 16)
    paint(colour)
    print(json.dumps({"window": win.id}), flush=True)
    period = 1.0 / args.animate if args.animate else None
    flip = False
    while True:
        ready, _, _ = select.select([sys.stdin, disp.fileno()], [], [], period)
        while disp.pending_events():
            if disp.next_event().type == X.Expose:
                paint(colour)
        if period is not None and not ready:
            flip = not flip
            paint(colour ^ 0xFFFFFF if flip else colour)
        if sys.stdin in ready:
            new = _command(disp, win, paint, sys.stdin.readline().split())
            if new is None:
                break
            colour = colour if new < 0 else new
            paint(colour)
    win.destroy()
    disp.sync()
    return 0


if __name__ == "__main__":
    sys.exit(main())
