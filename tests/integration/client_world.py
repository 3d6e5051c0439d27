"""The client store's test world, shared by the client integration tests.

A fake vendor (its test key, a signed .deb, a canary its maintainer scripts would
write), a fresh client store per test, and the fake internet (``fake_internet.py``) with
HTTPS servers whose CA the test makes, serving the vendor's downloads and web meetings:
nothing leaves the test's network namespaces. A test module uses the fixtures by
importing them.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import select
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import LauncherUser
from conftest_net import HostNetns
from support.fake_vendor import SigningKey, build_deb, deb_parts, make_key, stop_agent

from sandbox_launcher.verify.fake_internet import (
    DNS_RECORDS,
    ZOOM_ADDRESS,
    FakeInternet,
    ns_argv,
    run_checked,
)

LINK = "https://us02web.zoom.us/j/1234567890?pwd=abc.1"
WEB_ADDRESS = "203.0.113.80"
OTHER_ADDRESS = "203.0.113.81"
DOWNLOAD_PORT = 8443
ROOM_PAGE = """<html><body><p id="ok">MEETING-PAGE-OK</p>
<img src="https://other.example.org/pixel.png">
<script>
fetch("https://other.example.org/fetch")
  .then(() => document.body.append("OTHER-" + "REACHED"))
  .catch(() => document.body.append("OTHER-" + "BLOCKED"));
</script></body></html>
"""

#: Two images, one on the meeting's host and one on a host the jail does not allow.
FIREFOX_PAGE = """<html><body><p>MEETING-PAGE-OK</p>
<img src="https://meet.example.org/allowed-pixel.png">
<img src="https://other.example.org/blocked-pixel.png">
</body></html>
"""


def chown_tree(user: LauncherUser, path: Path) -> None:
    if user.switch:
        for item in [path, *path.rglob("*")]:
            os.chown(item, user.uid, user.gid)


@dataclass
class Vendor:
    """The fake vendor's key, signed package and a canary path its scripts would write."""

    key: SigningKey
    deb: Path
    canary: Path
    workdir: Path  # the user's: keyring, package, CA


@pytest.fixture(scope="module")
def vendor(launcher_user: LauncherUser, tmp_path_factory: pytest.TempPathFactory,
           ) -> Iterator[Vendor]:
    if shutil.which("gpg") is None or shutil.which("gpgv") is None:
        pytest.skip("needs gpg and gpgv (scripts/setup.sh --with-test-tools)")
    keys = tmp_path_factory.mktemp("vendor-keys")
    key = make_key(keys)
    workdir = Path(f"/tmp/sl-client-{secrets.token_hex(4)}")
    workdir.mkdir(mode=0o700)
    canary = Path(f"/tmp/sl-canary-{secrets.token_hex(4)}")
    parts = deb_parts(canary)
    deb = build_deb(workdir / "zoom_amd64.deb", parts, key.sign(parts.signed_bytes()))
    shutil.copy(key.keyring, workdir / "zoom.gpg")
    chown_tree(launcher_user, workdir)
    yield Vendor(key, deb, canary, workdir)
    stop_agent(key)
    shutil.rmtree(workdir, ignore_errors=True)
    canary.unlink(missing_ok=True)


@pytest.fixture
def data_home(launcher_user: LauncherUser) -> Iterator[Path]:
    """A fresh XDG_DATA_HOME of the user, so each test has its own client store."""
    path = Path(f"/tmp/sl-data-{secrets.token_hex(4)}")
    path.mkdir(mode=0o700)
    chown_tree(launcher_user, path)
    yield path
    subprocess.run(["chmod", "-R", "u+w", str(path)], check=False, timeout=60)
    shutil.rmtree(path, ignore_errors=True)


def store_contents(data_home: Path) -> list[str]:
    base = data_home / "sandbox-launcher" / "clients" / "zoom"
    return sorted(p.name for p in base.iterdir() if p.name not in (".lock", "state.json")) \
        if base.exists() else []



@dataclass
class WebWorld:
    """The fake internet with HTTPS servers, its CA, and a way to run the launcher there."""

    net: FakeInternet
    host: HostNetns
    ca: Path
    spki: str
    log: Path
    files: Path

    def requests(self, since: int = 0) -> list[dict[str, Any]]:
        if not self.log.exists():
            return []
        lines = self.log.read_text().splitlines()[since:]
        return [json.loads(line) for line in lines if line.strip()]


def make_certificates(directory: Path) -> tuple[Path, Path, Path, str]:
    """A CA, and a server certificate for every name the servers answer; (ca, cert, key, spki)."""
    def openssl(*args: str) -> None:
        run_checked(["openssl", *args])

    ec = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes")
    openssl("req", "-x509", *ec, "-keyout", str(directory / "ca.key"), "-out",
            str(directory / "ca.pem"), "-days", "2", "-subj", "/CN=sandbox-launcher test CA",
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    openssl("req", *ec, "-keyout", str(directory / "server.key"), "-out",
            str(directory / "server.csr"), "-subj", "/CN=fake vendor")
    ext = directory / "server.ext"
    ext.write_text("subjectAltName=DNS:zoom.us,DNS:meet.example.org,DNS:other.example.org\n"
                   "basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n")
    openssl("x509", "-req", "-in", str(directory / "server.csr"), "-CA",
            str(directory / "ca.pem"), "-CAkey", str(directory / "ca.key"), "-CAcreateserial",
            "-out", str(directory / "server.pem"), "-days", "2", "-extfile", str(ext))
    pubkey = run_checked(["openssl", "x509", "-in", str(directory / "server.pem"), "-pubkey",
                          "-noout"])
    der = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "der"], input=pubkey.encode(),
                         capture_output=True, check=True, timeout=30).stdout
    digest = subprocess.run(["openssl", "dgst", "-sha256", "-binary"], input=der,
                            capture_output=True, check=True, timeout=30).stdout
    return (directory / "ca.pem", directory / "server.pem", directory / "server.key",
            base64.b64encode(digest).decode())


@pytest.fixture(scope="module")
def web_world(launcher_user: LauncherUser, vendor: Vendor) -> Iterator[WebWorld]:
    if os.geteuid() != 0:
        pytest.skip("the fake internet needs root to make network namespaces (CI runs as root)")
    records = {**DNS_RECORDS, "meet.example.org": WEB_ADDRESS,
               "other.example.org": OTHER_ADDRESS}
    net = FakeInternet(dns_records=records)
    server: subprocess.Popen[str] | None = None
    try:
        net.build()
        for address in (WEB_ADDRESS, OTHER_ADDRESS):
            run_checked(["ip", "-n", net.inet_ns, "addr", "add", f"{address}/32", "dev", "lo"])
        certs = net.workdir / "certs"
        certs.mkdir()
        ca, cert, key, spki = make_certificates(certs)
        files = net.workdir / "files"
        files.mkdir()
        shutil.copy(vendor.deb, files / "zoom_amd64.deb")
        (files / "room.html").write_text(ROOM_PAGE)
        (files / "firefox-room.html").write_text(FIREFOX_PAGE)
        (files / "not-a-package.deb").write_text("<html>Please sign in</html>\n")
        log = net.workdir / "https.log"
        spec = net.workdir / "https.json"
        spec.write_text(json.dumps({
            "root": str(files), "log": str(log), "cert": str(cert), "key": str(key),
            "listen": [[WEB_ADDRESS, 443], [OTHER_ADDRESS, 443], [ZOOM_ADDRESS, DOWNLOAD_PORT]],
        }))
        script = Path(__file__).with_name("https_servers.py")
        server = subprocess.Popen(ns_argv(net.inet_ns, [sys.executable, str(script), str(spec)]),
                                  stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True)
        assert server.stdout is not None
        ready, _, _ = select.select([server.stdout], [], [], 20)
        assert ready and server.stdout.readline().strip() == "ready", "HTTPS servers failed"
        user_ca = vendor.workdir / "ca.pem"
        shutil.copy(ca, user_ca)
        chown_tree(launcher_user, vendor.workdir)
        host = HostNetns(net, launcher_user)
        yield WebWorld(net, host, user_ca, spki, log, files)
        host.reap()
    finally:
        if server is not None:
            server.kill()
            server.wait(timeout=10)
            if server.stdout is not None:
                server.stdout.close()
        net.teardown()


