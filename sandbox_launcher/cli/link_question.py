"""``run`` on a terminal: the question when the client asks to open an address outside.

The terminal is asked on stderr and answered on stdin, one question at a time. Without
a terminal nobody is asked and the address is refused (``run`` says so in a line).
"""

from __future__ import annotations

import threading
from typing import TextIO

from ..clients.links import shown
from ..session.links_out import Answer, Asker, LinkQuestion

_TRIES = 3


def terminal_asker(err: TextIO, answers: TextIO) -> Asker | None:
    """The terminal's asker; None when *answers* is no terminal (scripts, the desktop)."""
    if not answers.isatty():
        return None
    lock = threading.Lock()

    def ask(question: LinkQuestion) -> Answer:
        before, host, after = question.address.parts()
        with lock:
            print(f"sandbox-launcher: the {question.profile} session {question.session_id} "
                  f"asks to open an address in your browser:\n    {shown(question.address.url)}"
                  f"\n  host: {host.upper()}  ({shown(before)}{host}{shown(after)[:40]})",
                  file=err)
            for _ in range(_TRIES):
                print("  open it in your browser [o], or refuse [r]? ", end="", file=err,
                      flush=True)
                word = answers.readline().strip().lower()
                if not word:
                    break
                if "open".startswith(word):
                    return Answer.OPEN
                if "refuse".startswith(word):
                    return Answer.REFUSE
            return Answer.REFUSE

    return ask
