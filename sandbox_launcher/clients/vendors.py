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
    key_url: str = ""  # where the vendor publishes its package-signing key ("" = none)
    #: Primary-key fingerprint of that key. The key is fetched over HTTPS, but HTTPS only
    #: proves which server answered; this pin, shipped with the launcher and reviewed
    #: like code, is what makes a fetched key trustworthy (``client trust``).
    key_fingerprint: str = ""


VENDORS: dict[str, Vendor] = {
    # Zoom signs its .deb with dpkg-sig (an ``_gpgbuilder`` member). The key URL is the
    # one Zoom's Linux download instructions give; the fingerprint of "Zoom Communications,
    # Inc. <CryptoOpsCodeSignProd@zoom.us>" (the key of Zoom 6.7.5 and later) is the one
    # independent public install scripts pin. It was not checked against zoom.us from
    # the machine this was written on (no internet there): IT can check it and, if Zoom
    # rotates its key, install theirs in /etc/sandbox-launcher/keys.
    "zoom": Vendor("zoom", "Zoom", "https://zoom.us/client/latest/zoom_amd64.deb",
                   "zoom", "opt/zoom", "zoom", "/opt/zoom",
                   key_url="https://zoom.us/linux/download/pubkey",
                   key_fingerprint="84C365D6CC9A4886CA926BCC4F2197399706AC24"),
}
