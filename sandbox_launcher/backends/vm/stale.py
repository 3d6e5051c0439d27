"""Leftover VM domains no live session owns: find them by name, destroy, verify.

A killed launcher's domain ends with its libvirt connection (autodestroy). What is left
otherwise (libvirtd was restarted, which forgets autodestroy; a session dir removed by
hand) is found here: our domains are named ``slt-SESSION``, and their XML names their
files, which are removed only inside the launcher's runtime dir.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from ...core.check import Check
from ...core.paths import runtime_dir
from .domain import DOMAIN_PREFIX, QEMU_NS
from .machine import MachineState, open_connection, recover


def stale_states(uri: str, live_sessions: set[str]) -> list[MachineState]:
    """Domains of ours whose session is not in *live_sessions* (their launcher is gone).

    The domain name carries the session id; files are found by the session's state dir,
    which the caller wipes itself; here: the domain and libvirt's log.
    """
    conn = open_connection(uri)
    try:
        domains = {d.name(): d.XMLDesc(0) for d in conn.listAllDomains()}
    finally:
        conn.close()
    stale = []
    for name, xml in domains.items():
        session = name.removeprefix(DOMAIN_PREFIX)
        # Pooled VMs belong to the running app, not to a session; they die with it.
        if session.startswith("pool-"):
            continue
        if name.startswith(DOMAIN_PREFIX) and session not in live_sessions:
            overlay, agent, net = _files_in_xml(xml)
            stale.append(MachineState(
                session_id=session, uri=uri, domain=name,
                workdir=str(Path(overlay).parent) if overlay != _NOWHERE else "",
                overlay=overlay, agent_socket=agent, net_socket=net))
    return stale


_NOWHERE = "/nonexistent"


def _files_in_xml(xml: str) -> tuple[str, str, str | None]:
    """(overlay, agent socket, passt socket) named by a domain's XML, each only when it
    lies in the launcher's runtime dir: a domain that merely has our name prefix must not
    make us delete files anywhere else."""
    base = runtime_dir().resolve()

    def ours(path: str | None) -> str | None:
        return path if path and Path(path).resolve().is_relative_to(base) else None

    try:
        root = ET.fromstring(xml)
    except ET.ParseError:
        return _NOWHERE, _NOWHERE, None
    disk = root.find("devices/disk/source")
    channel = root.find("devices/channel[@type='unix']/source")
    net = None
    for arg in root.iter(f"{{{QEMU_NS}}}arg"):
        value = arg.get("value", "")
        if "addr.path=" in value:
            net = ours(value.split("addr.path=", 1)[1].split(",", 1)[0])
    return (ours(disk.get("file") if disk is not None else None) or _NOWHERE,
            ours(channel.get("path") if channel is not None else None) or _NOWHERE, net)


def sweep_stale(uri: str, live_sessions: set[str]) -> list[tuple[str, list[Check]]]:
    """Destroy and verify every domain of ours that no live session owns.

    Autodestroy ends a killed launcher's domain; this catches the rest (libvirtd was
    restarted, which forgets autodestroy, or a session dir was removed by hand).
    """
    return [(state.domain, recover(state)) for state in stale_states(uri, live_sessions)]
