"""HTTPS servers for the fake internet: a vendor download site and web meeting pages.

Run inside the fake internet's namespace (``python https_servers.py SPEC.json``): one
thread per listening address, each request logged as a JSON line (address, host, path)
so a test can prove a blocked host never saw a request. ``/truncated/NAME`` announces the
whole file but sends half of it and hangs up. Stdlib only.
"""

from __future__ import annotations

import json
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


def make_handler(spec: dict[str, Any], log_lock: threading.Lock) -> type[BaseHTTPRequestHandler]:
    root = Path(spec["root"])

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def do_GET(self) -> None:
            bound: Any = self.server.server_address  # (host, port) for AF_INET
            address = f"{bound[0]}:{bound[1]}"
            with log_lock, open(spec["log"], "a", encoding="utf-8") as log:
                log.write(json.dumps({"time": time.time(), "server": address,
                                      "host": self.headers.get("Host"),
                                      "path": self.path}) + "\n")
            truncated = self.path.startswith("/truncated/")
            name = self.path.removeprefix("/truncated/").lstrip("/").split("?")[0]
            path = root / name
            if not name or "/" in name or not path.is_file():
                self.send_error(404)
                return
            body = path.read_bytes()
            self.send_response(200)
            kind = "text/html" if name.endswith(".html") else "application/octet-stream"
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2] if truncated else body)
            if truncated:
                self.close_connection = True

    return Handler


def main(spec_path: str) -> int:
    spec = json.loads(Path(spec_path).read_text())
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(spec["cert"], spec["key"])
    lock = threading.Lock()
    for address, port in spec["listen"]:
        server = ThreadingHTTPServer((address, port), make_handler(spec, lock))
        server.socket = context.wrap_socket(server.socket, server_side=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
