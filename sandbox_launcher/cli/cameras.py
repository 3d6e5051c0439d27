"""``sandbox-launcher cameras [--json]``: the V4L2 cameras a session could be granted."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from ..devices.camera import CameraFinder


def add_parser(sub: Any) -> None:
    """Register the subcommand on the main parser's subparsers."""
    cmd = sub.add_parser("cameras", help="list cameras (without switching them on)")
    cmd.add_argument("--json", action="store_true", help="machine-readable output")


def main(args: argparse.Namespace, out: TextIO, finder: CameraFinder | None = None) -> int:
    """List the cameras; none is not an error."""
    from ..devices.camera import CameraFinder  # only this command needs the device code

    cameras = (finder or CameraFinder()).list()
    if args.json:
        json.dump({"cameras": [c.to_dict() for c in cameras]}, out, indent=2)
        out.write("\n")
        return 0
    if not cameras:
        print("no cameras (no /sys/class/video4linux/video* on this host)", file=out)
    for cam in cameras:
        print(f"{cam.name:<8} {cam.node:<14} {cam.card}"
              + ("" if cam.index in (None, 0) else "  (metadata node, not a picture)"), file=out)
    print("grant one with: sandbox-launcher run PROFILE --camera NAME", file=out)
    return 0
