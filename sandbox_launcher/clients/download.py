"""Fetch a vendor's package over HTTPS, with progress, into a file the caller deletes.

Only ``https://`` (redirects too: no downgrade). The CA store is the system's, through
Python's default context, which also honours ``SSL_CERT_FILE`` (how the tests trust
their own CA, and how a company proxy's CA is added). A download shorter than the
server announced is refused as truncated; anything past :data:`MAX_PACKAGE_BYTES` too.
"""

from __future__ import annotations

import http.client
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

from ..core import fetch as fetching
from ..core.errors import ClientStoreError

TIMEOUT = 60.0
MAX_PACKAGE_BYTES = 2 << 30
_CHUNK = 1 << 16
_HINT = ("check the network, or download the package with a browser and run: "
         "sandbox-launcher client install VENDOR --from FILE")

#: Called with (bytes so far, total or None) while downloading.
Progress = Callable[[int, "int | None"], None]


def check_url(url: str) -> None:
    """Refuse anything but an https:// URL with a host."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise ClientStoreError(f"refusing to download {url}: only https:// is allowed",
                               "a package fetched unencrypted could be swapped on the way")


def fetch(url: str, dest: Path, progress: Progress | None = None) -> str:
    """Download *url* to *dest*; return the final URL (after redirects)."""
    check_url(url)
    try:
        with fetching.opener(check_url).open(fetching.request(url),
                                             timeout=TIMEOUT) as response, dest.open("xb") as out:
            length = response.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            if total is not None and total > MAX_PACKAGE_BYTES:
                raise ClientStoreError(f"{url} announces {total} bytes; no client is that big",
                                       _HINT)
            got = 0
            # read1: what has arrived, so progress (and a cancel in it) follows a slow server
            while chunk := response.read1(_CHUNK):
                got += len(chunk)
                if got > MAX_PACKAGE_BYTES:
                    raise ClientStoreError(f"{url} sends more than {MAX_PACKAGE_BYTES} bytes",
                                           _HINT)
                out.write(chunk)
                if progress is not None:
                    progress(got, total)
            final: str = response.geturl()
    except urllib.error.HTTPError as exc:
        raise ClientStoreError(f"{url}: the server answered {exc.code} {exc.reason}",
                               _HINT) from None
    except http.client.IncompleteRead as exc:
        raise ClientStoreError(f"the download of {url} was cut off after "
                               f"{len(exc.partial)} bytes (truncated)", _HINT) from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ClientStoreError(f"could not download {url}: {reason}", _HINT) from None
    if total is not None and got != total:
        raise ClientStoreError(f"the download of {url} was cut off: {got} of {total} bytes "
                               "(truncated)", _HINT)
    return final
