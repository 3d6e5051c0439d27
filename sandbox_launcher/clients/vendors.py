"""The vendors the client store knows: light data, imported on every launch."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Vendor:
    """What the store knows about one vendor's client."""

    name: str
    title: str
    url: str  # where ``update`` downloads the current package
    package: str  # the Debian package name its .deb must carry
    deb_root: str  # where its files live inside the .deb
    tar_root: str  # ... and inside its tarball
    mount: str  # where the sandbox sees them


VENDORS: dict[str, Vendor] = {
    "zoom": Vendor("zoom", "Zoom", "https://zoom.us/client/latest/zoom_amd64.deb",
                   "zoom", "opt/zoom", "zoom", "/opt/zoom"),
}
