"""nftables through libnftables (ctypes): one in-process call per change, no fork/exec.

The resolver adds an address to a set before it answers the client, so the call is
on the DNS answer's critical path: exec'ing ``nft`` would add milliseconds to every
lookup. Runs inside the jail's namespaces, where the holder has CAP_NET_ADMIN.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
from typing import Any

_OUTPUT_JSON = 1 << 4


class NftError(Exception):
    """nft refused a command; the message is nft's own error output."""


class Nft:
    """A libnftables context with output and errors captured into buffers."""

    def __init__(self) -> None:
        name = ctypes.util.find_library("nftables") or "libnftables.so.1"
        lib = ctypes.CDLL(name)
        lib.nft_ctx_new.restype = ctypes.c_void_p
        lib.nft_ctx_new.argtypes = (ctypes.c_uint32,)
        for fn in ("nft_ctx_buffer_output", "nft_ctx_buffer_error"):
            getattr(lib, fn).argtypes = (ctypes.c_void_p,)
        for fn in ("nft_ctx_get_output_buffer", "nft_ctx_get_error_buffer"):
            getattr(lib, fn).argtypes = (ctypes.c_void_p,)
            getattr(lib, fn).restype = ctypes.c_char_p
        lib.nft_ctx_output_get_flags.argtypes = (ctypes.c_void_p,)
        lib.nft_ctx_output_get_flags.restype = ctypes.c_uint
        lib.nft_ctx_output_set_flags.argtypes = (ctypes.c_void_p, ctypes.c_uint)
        lib.nft_run_cmd_from_buffer.argtypes = (ctypes.c_void_p, ctypes.c_char_p)
        self._lib = lib
        self._ctx = lib.nft_ctx_new(0)
        lib.nft_ctx_buffer_output(self._ctx)
        lib.nft_ctx_buffer_error(self._ctx)

    def run(self, commands: str) -> str:
        """Run nft commands (a whole script is applied atomically); returns nft's output."""
        rc = self._lib.nft_run_cmd_from_buffer(self._ctx, commands.encode())
        output = (self._lib.nft_ctx_get_output_buffer(self._ctx) or b"").decode()
        error = (self._lib.nft_ctx_get_error_buffer(self._ctx) or b"").decode()
        if rc != 0:
            raise NftError(error.strip() or f"nft failed ({rc})")
        return output

    def run_json(self, command: str) -> dict[str, Any]:
        """Run a ``list`` command and return its JSON output."""
        flags = self._lib.nft_ctx_output_get_flags(self._ctx)
        self._lib.nft_ctx_output_set_flags(self._ctx, flags | _OUTPUT_JSON)
        try:
            result: dict[str, Any] = json.loads(self.run(command) or "{}")
            return result
        finally:
            self._lib.nft_ctx_output_set_flags(self._ctx, flags)
