"""A vendor download site on loopback for the Clients window: HTTPS with a CA the test
makes, one path served at once and one trickled slowly (so a download is still running
when the test cancels it). Never anything but 127.0.0.1."""

from __future__ import annotations

import datetime
import ipaddress
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

#: The slow path announces this much and sends TRICKLE bytes every TRICKLE_EVERY seconds.
SLOW_SIZE = 4 << 20
TRICKLE = 4096
TRICKLE_EVERY = 0.04


def _name(text: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, text)])


def make_certificates(directory: Path) -> tuple[Path, Path, Path]:
    """A CA and a server certificate for 127.0.0.1: (ca.pem, server.pem, server.key)."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (x509.CertificateBuilder().subject_name(_name("sandbox-launcher GUI test CA"))
          .issuer_name(_name("sandbox-launcher GUI test CA")).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number())
          .not_valid_before(now - datetime.timedelta(minutes=5))
          .not_valid_after(now + datetime.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False,
                                       False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()),
                         critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder().subject_name(_name("fake vendor"))
            .issuer_name(ca.subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]),
                           critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    paths = directory / "ca.pem", directory / "server.pem", directory / "server.key"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return paths


@dataclass
class Site:
    """The running site: its base URL, its CA, and the paths it was asked for."""

    base: str
    ca: Path
    requests: list[str]


@contextmanager
def serve(package: Path, directory: Path) -> Iterator[Site]:
    """``/zoom_amd64.deb`` is *package* at once; ``/slow/zoom_amd64.deb`` announces
    SLOW_SIZE bytes and trickles them until the client hangs up."""
    ca, cert, key = make_certificates(directory)
    stop = threading.Event()
    requests: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def do_GET(self) -> None:
            requests.append(self.path)
            if self.path == "/zoom_amd64.deb":
                body = package.read_bytes()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            if self.path != "/slow/zoom_amd64.deb":
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Length", str(SLOW_SIZE))
            self.end_headers()
            sent = 0
            try:
                while sent < SLOW_SIZE and not stop.wait(TRICKLE_EVERY):
                    self.wfile.write(b"\0" * TRICKLE)
                    self.wfile.flush()
                    sent += TRICKLE
            except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
                pass  # the client cancelled and hung up: what the test wants
            self.close_connection = True

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, name="slow-https", daemon=True)
    thread.start()
    try:
        yield Site(f"https://127.0.0.1:{server.server_address[1]}", ca, requests)
    finally:
        stop.set()
        server.shutdown()
        server.server_close()
        thread.join(10)
