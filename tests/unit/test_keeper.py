"""core.keeper: a start on a thread that lives until closed (helpers die with their thread)."""

from __future__ import annotations

import threading

import pytest

from sandbox_launcher.core.keeper import Keeper


def _keepers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("test-keeper")]


def test_the_thread_lives_until_close_and_the_result_is_taken_once() -> None:
    started_on: list[str] = []
    keeper: Keeper[str] = Keeper("test-keeper",
                                 lambda: started_on.append(threading.current_thread().name)
                                 or "jail")
    assert keeper.result() == "jail"
    assert started_on and started_on[0].startswith("test-keeper")
    assert len(_keepers()) == 1  # idle, alive: what it started would die with it
    with pytest.raises(AssertionError, match="taken already"):
        keeper.result()
    stopped: list[str] = []
    keeper.close(stopped.append)
    assert stopped == []  # taken: the caller stops it, not close()
    assert _keepers() == []


def test_close_stops_a_result_nobody_took() -> None:
    keeper: Keeper[str] = Keeper("test-keeper", lambda: "sound server")
    stopped: list[str] = []
    keeper.close(stopped.append)
    assert stopped == ["sound server"]
    assert _keepers() == []


def test_a_failed_start_is_raised_by_result_and_close_has_nothing_to_stop() -> None:
    def fail() -> str:
        raise OSError("no pasta")

    keeper: Keeper[str] = Keeper("test-keeper", fail)
    with pytest.raises(OSError, match="no pasta"):
        keeper.result()
    keeper.close(lambda _: pytest.fail("nothing was started"))
    untaken: Keeper[str] = Keeper("test-keeper", fail)
    untaken.close(lambda _: pytest.fail("nothing was started"))
    assert _keepers() == []
