"""Start something on a thread of its own that then lives as long as what it started.

A session's helpers die with the thread that spawned them (PDEATHSIG is per thread,
DESIGN.md §3), so a helper started on a short-lived worker would die with the worker. A
:class:`Keeper` runs one start function on a thread that stays, idle, until
:meth:`Keeper.close`, which comes after what it started has been stopped. Two starts
that mostly wait for programs to come up (the network jail, the sound server) then run
side by side with the caller's own (the display): a cold session starts sooner.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Generic, TypeVar

T = TypeVar("T")


class Keeper(Generic[T]):
    """One start function on its keeper thread; :meth:`result` waits for it."""

    def __init__(self, name: str, start: Callable[[], T]) -> None:
        self._pool = ThreadPoolExecutor(1, thread_name_prefix=name)
        self._future: Future[T] | None = self._pool.submit(start)

    def result(self) -> T:
        """What the start returned (waits for it); its error is raised here. Taken once:
        from then on the caller stops it, and calls :meth:`close` afterwards."""
        assert self._future is not None, "the result was taken already"
        future, self._future = self._future, None
        return future.result()

    def close(self, stop: Callable[[T], object]) -> None:
        """Let the thread end. A result never taken (the caller failed meanwhile) is
        stopped here with *stop* first; a start that failed has nothing to stop."""
        future, self._future = self._future, None
        if future is not None:
            with contextlib.suppress(Exception):
                stop(future.result())
        self._pool.shutdown(wait=True)
