"""Typed errors of the VM backend (summary + hint, as everywhere in the launcher)."""

from __future__ import annotations

from ...core.errors import LauncherError


class ImageError(LauncherError):
    """A guest image is missing, modified, or could not be built."""


class AgentError(LauncherError):
    """The guest agent broke the protocol, said nothing in time, or the guest died."""


class VmError(LauncherError):
    """libvirt or QEMU refused or failed to run the disposable VM."""
