"""The host side of the guest agent's protocol treats the guest as hostile."""

from __future__ import annotations

import base64
import json
import socket
import threading
from typing import Any

import pytest

from sandbox_launcher.backends.vm.errors import AgentError
from sandbox_launcher.backends.vm.protocol import (
    MAX_CHUNK,
    MAX_LINE,
    AgentChannel,
    Exit,
    Hello,
    Output,
    parse_message,
)


def _line(**fields: Any) -> bytes:
    return json.dumps({"v": 1, **fields}).encode()


def test_well_formed_messages_are_typed() -> None:
    assert parse_message(_line(type="hello", agent=1, uptime=7.5, kernel="6.1",
                               network="none")) == Hello(1, 7.5, "6.1", "none")
    assert parse_message(_line(type="exit", id=3, status=7)) == Exit(3, 7)
    out = parse_message(_line(type="output", id=3, stream="stderr",
                              data=base64.b64encode(b"x\0y").decode()))
    assert out == Output(3, "stderr", b"x\0y")


@pytest.mark.parametrize("fields", [
    {"type": "exit", "id": 1, "status": 256},
    {"type": "exit", "id": 1, "status": -1},
    {"type": "exit", "id": True, "status": 0},
    {"type": "exit", "id": 0, "status": 0},
    {"type": "exit", "id": "1", "status": 0},
    {"type": "output", "id": 1, "stream": "stdin", "data": ""},
    {"type": "output", "id": 1, "stream": "stdout", "data": "not base64!"},
    {"type": "output", "id": 1, "stream": "stdout",
     "data": base64.b64encode(b"a" * (MAX_CHUNK + 1)).decode()},
    {"type": "hello", "agent": 1, "uptime": 1, "kernel": "k" * 5000, "network": ""},
    {"type": "shell", "argv": ["sh"]},
])
def test_malformed_or_oversized_messages_are_refused(fields: dict[str, Any]) -> None:
    with pytest.raises(AgentError):
        parse_message(_line(**fields))


def test_other_versions_and_non_json_are_refused() -> None:
    with pytest.raises(AgentError, match="protocol version"):
        parse_message(json.dumps({"v": 2, "type": "pong"}).encode())
    with pytest.raises(AgentError, match="not JSON"):
        parse_message(b"\xff\xfe")


def _pair() -> tuple[AgentChannel, socket.socket]:
    host, guest = socket.socketpair()
    return AgentChannel(host), guest


def test_an_endless_line_is_cut_off_not_buffered_forever() -> None:
    channel, guest = _pair()
    writer = threading.Thread(target=lambda: guest.sendall(b"x" * (MAX_LINE + 10)),
                              daemon=True)
    writer.start()
    with pytest.raises(AgentError, match="oversized"):
        channel.receive(5.0)
    channel.close()
    guest.close()


def test_a_silent_guest_times_out_and_a_closed_port_is_seen() -> None:
    channel, guest = _pair()
    with pytest.raises(AgentError, match="nothing within"):
        channel.receive(0.2)
    guest.close()
    with pytest.raises(AgentError, match="closed"):
        channel.receive(1.0)
    channel.close()


def test_messages_split_across_reads_are_joined() -> None:
    channel, guest = _pair()
    line = _line(type="exit", id=2, status=0) + b"\n"
    guest.sendall(line[:5])
    guest.sendall(line[5:] + _line(type="pong") + b"\n")
    assert channel.receive(1.0) == Exit(2, 0)
    assert type(channel.receive(1.0)).__name__ == "Pong"
    channel.close()
    guest.close()
