"""Addresses a client asks to open outside its sandbox, decided with the person's consent.

The one place below both front ends (issue 12, item 4). Inside a namespace sandbox the
client's ``xdg-open`` is a stand-in (``backends/namespace/open_shim.py``) that sends the
address to the session's :class:`LinkDesk` over ``links/links.sock`` in the session's
state dir and waits for the answer. The desk checks the address
(:func:`core.outbound.check_address`), asks the system policy (``[links]``), then, when
the policy says "ask", the front end's :data:`Asker`: the app's dialog, or the terminal
of ``run``. "Open in my browser" hands the address to the host's browser
(:func:`browser_opener`: ``xdg-open``, or ``$SANDBOX_LAUNCHER_BROWSER``), as an argv list.

Every request and its answer is a typed live event (:class:`LinkAsked`,
:class:`LinkAnswered`) and an entry of the report's ``devices.links_out`` (scheme, host,
answer, by whom: never the path or query, which may carry a sign-in token). An address
opened or copied makes the session wait for its client's return link
(:mod:`.return_links`).

A hostile client may ask often: one question is open at a time per session and anything
asked meanwhile is refused at once; after 20 questions a session is not asked about any
more; past 64 requests the report counts, not lists, and the front ends hear no more. A
connection that closes without asking anything (a program of the user's that scans for
sockets, such as ``verify``'s unconfined control probe) is no request and is not listed.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from ..core.errors import LauncherError, ToolFailed
from ..core.outbound import (
    CLIENT_SCHEMES,
    LINKS_DIR,
    LINKS_SOCKET,
    MAX_ADDRESS,
    Address,
    AddressRefused,
    LinksRule,
    Verdict,
    check_address,
)
from ..core.runner import Runner, SystemRunner
from . import return_links
from .events import LinkAnswered, LinkAsked, LiveEvent

#: Names the program ``Open in my browser`` runs instead of ``xdg-open`` (tests: a fake
#: browser that records its argv).
BROWSER_ENV = "SANDBOX_LAUNCHER_BROWSER"
MAX_RECORDED = 64
#: A session that asked this often is not asked about any more (a client that nags).
MAX_QUESTIONS = 20
#: A request must arrive whole within this time (the stand-in sends it at once).
_READ_SECONDS = 5.0


class _NothingAsked(Exception):
    """A connection that closed without sending a byte."""


class Answer(Enum):
    """The person's (or the policy's) answer."""

    OPEN = "open"
    COPY = "copy"  # the front end has put the address on the clipboard
    REFUSE = "refuse"


@dataclass(frozen=True)
class LinkQuestion:
    """What the front end shows: which session asks to open which address."""

    session_id: str
    profile: str
    request: int
    address: Address


#: Blocks until the person answers (called on a thread of its own, never the session's).
Asker = Callable[[LinkQuestion], Answer]
#: Opens an address in the person's browser; raises LauncherError when it cannot.
Opener = Callable[[str], None]
Publish = Callable[[Sequence[LiveEvent]], None]


def browser_opener(runner: Runner | None = None) -> Opener:
    """Opens with the host's ``xdg-open`` (or ``$SANDBOX_LAUNCHER_BROWSER``)."""
    run = runner or SystemRunner()

    def open_url(url: str) -> None:
        program = os.environ.get(BROWSER_ENV) or "xdg-open"
        path = run.which(program, "to open the address in your browser")
        # A checked http(s) address cannot start with "-": it is never taken as an option.
        done = run.run([path, url], timeout=60, check=False)
        if done.returncode != 0:
            raise ToolFailed(f"{program} could not open the address (exit status "
                             f"{done.returncode})", "open it yourself: copy the address")

    return open_url


@dataclass(frozen=True)
class LinksOut:
    """How a launcher's sessions handle addresses: the policy's rule, who is asked, and
    how an address is opened."""

    rule: LinksRule
    ask: Asker | None
    open: Opener


class LinkDesk:
    """The launcher's end of one session's ``links.sock``."""

    def __init__(self, workdir: Path, session_id: str, profile: str, service: str,
                 config: LinksOut, publish: Publish) -> None:
        self.workdir = workdir
        self.session_id, self.profile = session_id, profile
        self._service = service
        self._schemes = CLIENT_SCHEMES.get(service, ())
        self._config, self._publish = config, publish
        self._lock = threading.Lock()
        self._busy = False
        self._closed = False
        self._count = 0
        self._questions = 0
        self._answers: list[dict[str, Any]] = []
        self._dropped = 0
        links = workdir / LINKS_DIR
        links.mkdir(mode=0o755, exist_ok=True)
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_CLOEXEC
                                   | socket.SOCK_NONBLOCK)
        try:
            dirfd = os.open(links, os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
            try:  # through the descriptor: the path may exceed a socket address's 108 bytes
                self._sock.bind(f"/proc/self/fd/{dirfd}/{LINKS_SOCKET}")
            finally:
                os.close(dirfd)
            self._sock.listen(8)
        except OSError:
            self._sock.close()
            raise

    def fileno(self) -> int:
        """Readable when the client asks."""
        return self._sock.fileno()

    def accept(self) -> None:
        """Take every waiting request; each is served on a thread of its own (asking the
        person may take minutes, and the session's loop must go on)."""
        while True:
            try:
                conn, _ = self._sock.accept()
            except (BlockingIOError, OSError):
                return
            conn.setblocking(True)
            with self._lock:
                self._count += 1
                number, busy = self._count, self._busy or self._closed
                self._busy = True
            if busy:
                with conn:
                    conn.settimeout(0.2)
                    try:  # read first: unread data would reset the reply
                        asked = bool(conn.recv(MAX_ADDRESS + 64))
                    except OSError:
                        asked = True  # still sending: a request all the same
                    if asked:  # (a connection that closed at once asked nothing)
                        self._finish(conn, number, None, "refused", "launcher",
                                     "another address of this session waits for an answer")
                continue
            threading.Thread(target=self._serve, args=(conn, number), daemon=True,
                             name=f"link-{self.session_id}-{number}").start()

    def _read(self, conn: socket.socket) -> object:
        conn.settimeout(_READ_SECONDS)
        raw = b""
        while len(raw) <= MAX_ADDRESS + 64 and b"\n" not in raw:
            chunk = conn.recv(4096)
            if not chunk:
                break
            raw += chunk
        if not raw:
            raise _NothingAsked
        return json.loads(raw.split(b"\n", 1)[0]).get("url")

    def _serve(self, conn: socket.socket, number: int) -> None:
        try:
            with conn:
                try:
                    address = check_address(self._read(conn), self._schemes)
                except _NothingAsked:
                    # Connected and closed, asking nothing (a scan of sockets by one of
                    # the user's own programs): not a request, so not listed or shown.
                    return
                except (OSError, ValueError, AttributeError):
                    self._finish(conn, number, None, "refused", "launcher",
                                 "the request could not be read")
                    return
                except AddressRefused as exc:
                    self._finish(conn, number, None, "refused", "launcher",
                                 exc.summary.removeprefix("the address was not opened: "))
                    return
                self._decide(conn, number, address)
        finally:
            with self._lock:
                self._busy = False

    def _decide(self, conn: socket.socket, number: int, address: Address) -> None:
        verdict, reason = self._config.rule.decide(address)
        ask = verdict is Verdict.ASK
        by = "user" if ask else "policy"
        with self._lock:
            self._questions += ask
            nagging = self._questions > MAX_QUESTIONS
            shown = len(self._answers) < MAX_RECORDED
        if ask and self._config.ask is None:
            ask, by, reason = False, "nobody", "there was no one to ask (no terminal, no app)"
        elif ask and nagging:
            ask, by, reason = False, "launcher", (f"this session asked more than "
                                                  f"{MAX_QUESTIONS} times; it is not asked "
                                                  "about any more")
        if shown:
            self._publish([LinkAsked(number, address.url, address.scheme, address.host, ask,
                                     round(time.time(), 3))])
        answer = Answer.OPEN if verdict is Verdict.OPEN else Answer.REFUSE
        if ask:
            answer = self._ask(LinkQuestion(self.session_id, self.profile, number, address))
            reason = "" if answer is not Answer.REFUSE else "you refused"
        if answer is not Answer.REFUSE and self._closed:
            answer, reason = Answer.REFUSE, "the session ended before the answer"
        result = {Answer.OPEN: "opened", Answer.COPY: "copied"}.get(answer, "refused")
        if answer is Answer.OPEN:
            try:
                self._config.open(address.url)
            except LauncherError as exc:
                result, reason = "failed", exc.summary
        self._finish(conn, number, address, result, by, reason)

    def _ask(self, question: LinkQuestion) -> Answer:
        assert self._config.ask is not None
        try:
            return self._config.ask(question)
        except Exception:  # a front end that fails must not leave the client waiting
            return Answer.REFUSE

    def _finish(self, conn: socket.socket, number: int, address: Address | None,
                result: str, by: str, reason: str) -> None:
        """Record, tell the front end, answer the client."""
        event = LinkAnswered(number, address.scheme if address else "",
                             address.host if address else "", result, by, reason,
                             round(time.time(), 3))
        with self._lock:
            listed = len(self._answers) < MAX_RECORDED
            if listed:
                self._answers.append({k: v for k, v in event.to_dict().items()
                                      if k != "type"})
            else:
                self._dropped += 1
        if result in ("opened", "copied") and self._schemes and not self._closed:
            with contextlib.suppress(OSError):
                return_links.remember(self.workdir, self._service)
        if listed:  # past the cap, a flood of requests is not a flood of lines and boxes
            self._publish([event])
        with contextlib.suppress(OSError):
            conn.sendall(json.dumps({"answer": result, "reason": reason}).encode() + b"\n")

    def close(self) -> dict[str, Any]:
        """Stop listening (a question still open is refused when answered); the report's
        ``devices.links_out``."""
        self._closed = True
        self._sock.close()
        with self._lock:
            return {"requests": list(self._answers), "not_listed": self._dropped}


#: Makes a session's desk in its state dir (the session's id and event sink given).
DeskFactory = Callable[[Path, str, Publish], LinkDesk]
