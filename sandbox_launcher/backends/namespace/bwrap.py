"""bubblewrap options as small typed objects that render to argv.

Keeping each mount a value (rather than string concatenation spread over the
backend) lets tests assert on the plan's file system view and keeps the argv order
(which matters to bwrap: later mounts cover earlier ones) in one list.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field


class BwrapOption:
    """Something that renders to bwrap arguments and may own file descriptors."""

    def argv(self) -> list[str]:
        """The arguments, in order."""
        raise NotImplementedError

    def fds(self) -> list[int]:
        """File descriptors bwrap must inherit for this option."""
        return []


@dataclass(frozen=True)
class Flag(BwrapOption):
    """An option without a path (``--unshare-all``, ``--die-with-parent``…)."""

    name: str
    value: str | None = None

    def argv(self) -> list[str]:
        return [self.name] if self.value is None else [self.name, self.value]


@dataclass(frozen=True)
class Bind(BwrapOption):
    """A host path made visible inside; read-only unless *writable*."""

    src: str
    dest: str
    writable: bool = False
    dev: bool = False  # device nodes need --dev-bind

    def argv(self) -> list[str]:
        kind = "--dev-bind" if self.dev else "--bind" if self.writable else "--ro-bind"
        return [kind, self.src, self.dest]


@dataclass(frozen=True)
class FdBind(BwrapOption):
    """An open (O_PATH) directory bound inside: what was checked is what is bound."""

    fd: int
    dest: str
    writable: bool = False

    def argv(self) -> list[str]:
        return ["--bind-fd" if self.writable else "--ro-bind-fd", str(self.fd), self.dest]

    def fds(self) -> list[int]:
        return [self.fd]


@dataclass(frozen=True)
class Tmpfs(BwrapOption):
    """A fresh, size-limited tmpfs: writes past *size* bytes fail with ENOSPC."""

    dest: str
    size: int
    perms: int = 0o755

    def argv(self) -> list[str]:
        return ["--perms", f"{self.perms:o}", "--size", str(self.size), "--tmpfs", self.dest]


@dataclass(frozen=True)
class Dir(BwrapOption):
    """An empty directory inside."""

    dest: str
    perms: int = 0o755

    def argv(self) -> list[str]:
        return ["--perms", f"{self.perms:o}", "--dir", self.dest]


@dataclass(frozen=True)
class Symlink(BwrapOption):
    """A symlink inside (merged-/usr layouts, /var/tmp → /tmp)."""

    target: str
    dest: str

    def argv(self) -> list[str]:
        return ["--symlink", self.target, self.dest]


@dataclass(frozen=True)
class Data(BwrapOption):
    """A file with given content, read-only: machine-id, passwd, hostname…

    The content goes through a memfd so nothing of the session is written to disk.
    """

    dest: str
    content: bytes
    perms: int = 0o444
    fd: int = field(default=-1, compare=False)

    @classmethod
    def of(cls, dest: str, content: str | bytes, perms: int = 0o444) -> Data:
        """Make the memfd now, so ``fds()`` can hand it to bwrap."""
        raw = content.encode() if isinstance(content, str) else content
        fd = os.memfd_create("sandbox-launcher-data", os.MFD_CLOEXEC)
        os.write(fd, raw)
        os.lseek(fd, 0, os.SEEK_SET)
        return cls(dest, raw, perms, fd)

    def argv(self) -> list[str]:
        return ["--perms", f"{self.perms:o}", "--ro-bind-data", str(self.fd), self.dest]

    def fds(self) -> list[int]:
        return [self.fd]


@dataclass(frozen=True)
class FileCopy(BwrapOption):
    """A writable file inside with given content (``--file``), parent dirs made as needed.

    For files the client may change, such as settings seeded into the throwaway home;
    the content goes through a memfd, as for :class:`Data`.
    """

    dest: str
    content: bytes
    perms: int = 0o600
    fd: int = field(default=-1, compare=False)

    @classmethod
    def of(cls, dest: str, content: str | bytes, perms: int = 0o600) -> FileCopy:
        """Make the memfd now, so ``fds()`` can hand it to bwrap."""
        data = Data.of(dest, content, perms)
        return cls(dest, data.content, perms, data.fd)

    def argv(self) -> list[str]:
        return ["--perms", f"{self.perms:o}", "--file", str(self.fd), self.dest]

    def fds(self) -> list[int]:
        return [self.fd]


@dataclass(frozen=True)
class FdOption(BwrapOption):
    """An option that takes a file descriptor (``--seccomp``, ``--info-fd``…)."""

    name: str
    fd: int

    def argv(self) -> list[str]:
        return [self.name, str(self.fd)]

    def fds(self) -> list[int]:
        return [self.fd]


@dataclass(frozen=True)
class SetEnv(BwrapOption):
    """One environment variable inside (after ``--clearenv``)."""

    name: str
    value: str

    def argv(self) -> list[str]:
        return ["--setenv", self.name, self.value]


@dataclass
class BwrapCommand:
    """An ordered list of options plus the command; owns the fds it must pass."""

    options: list[BwrapOption] = field(default_factory=list)
    #: Descriptors the command holds besides its options' (the ``--args`` memfd).
    options_fds: list[int] = field(default_factory=list)

    def add(self, *options: BwrapOption) -> None:
        """Append options; later mounts cover earlier ones."""
        self.options.extend(options)

    def argv(self, bwrap: str, command: list[str]) -> list[str]:
        """The complete command line."""
        out = [bwrap]
        for option in self.options:
            out += option.argv()
        return [*out, "--", *command]

    def hidden_argv(self, bwrap: str, command: list[str]) -> list[str]:
        """The command line with every option read from a memfd (``--args FD``).

        bwrap stays the sandbox's pid 1, and its command line is readable inside: the
        options would show the host paths of what is bound (a client store under the
        user's home names the login). Only the client's own command stays visible.
        The memfd is one of :meth:`fds` from now on, and closed by :meth:`close`.
        """
        raw = b"".join(a.encode() + b"\0" for option in self.options for a in option.argv())
        args = Data.of("--args", raw)
        self.options_fds.append(args.fd)
        return [bwrap, "--args", str(args.fd), "--", *command]

    def fds(self) -> list[int]:
        """Every fd the options need inherited."""
        return [fd for option in self.options for fd in option.fds()] + self.options_fds

    def close(self) -> None:
        """Close the fds we own once bwrap has started (it has its copies)."""
        for fd in self.fds():
            with contextlib.suppress(OSError):
                os.close(fd)

    def __iter__(self) -> Iterator[BwrapOption]:
        return iter(self.options)
