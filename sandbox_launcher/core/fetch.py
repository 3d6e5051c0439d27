"""One way to open HTTPS URLs: verified TLS, and redirects checked like the first URL.

Vendor packages and vendor address lists both come from the network; a redirect to
plain HTTP (or anywhere the caller would refuse) must be refused the same way.
"""

from __future__ import annotations

import ssl
import urllib.request
from collections.abc import Callable
from http.client import HTTPMessage
from typing import IO

UrlCheck = Callable[[str], None]  # raises the caller's own error for a refused URL


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    def __init__(self, check: UrlCheck) -> None:
        super().__init__()
        self._check = check

    def redirect_request(self, req: urllib.request.Request, fp: IO[bytes], code: int,
                         msg: str, headers: HTTPMessage,
                         newurl: str) -> urllib.request.Request | None:
        self._check(newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def opener(check: UrlCheck, *, no_proxy: bool = False) -> urllib.request.OpenerDirector:
    """An opener whose every redirect target passes *check*; *no_proxy* for loopback URLs."""
    handlers: list[urllib.request.BaseHandler] = [
        urllib.request.HTTPSHandler(context=ssl.create_default_context()),
        _CheckedRedirects(check)]
    if no_proxy:
        handlers.append(urllib.request.ProxyHandler({}))
    return urllib.request.build_opener(*handlers)


def request(url: str) -> urllib.request.Request:
    """A GET request that says who is asking."""
    return urllib.request.Request(url, headers={"User-Agent": "sandbox-launcher"})
