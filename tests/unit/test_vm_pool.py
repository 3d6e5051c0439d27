"""The warm pool's size: the policy's lock wins, and a laptop on battery keeps none."""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox_launcher.backends.vm.pool import effective_size
from sandbox_launcher.host.power import on_battery


def _supply(root: Path, name: str, kind: str, online: str | None = None) -> None:
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "type").write_text(kind + "\n")
    if online is not None:
        (folder / "online").write_text(online + "\n")


@pytest.mark.parametrize(("supplies", "battery"), [
    ([], False),  # a desktop: no power supply at all
    ([("AC", "Mains", "1")], False),
    ([("BAT0", "Battery", None), ("AC", "Mains", "1")], False),  # laptop, plugged in
    ([("BAT0", "Battery", None), ("AC", "Mains", "0")], True),  # laptop, unplugged
    ([("BAT0", "Battery", None)], True),  # no mains supply known
    ([("BAT0", "Battery", None), ("ucsi", "USB", "1")], True),  # a USB port is not mains
])
def test_on_battery(tmp_path: Path, supplies: list[tuple[str, str, str | None]],
                    battery: bool) -> None:
    for name, kind, online in supplies:
        _supply(tmp_path, name, kind, online)
    assert on_battery(tmp_path) is battery


def test_effective_size(tmp_path: Path) -> None:
    assert effective_size(2, power_dir=tmp_path) == 2
    assert effective_size(2, locked=0, power_dir=tmp_path) == 0  # the policy's lock wins
    assert effective_size(0, locked=3, power_dir=tmp_path) == 3
    assert effective_size(-1, power_dir=tmp_path) == 0
    _supply(tmp_path, "BAT0", "Battery")
    assert effective_size(2, locked=3, power_dir=tmp_path) == 0


def test_an_unplugged_laptop_boots_no_more_pool_vms(tmp_path: Path) -> None:
    from typing import Any

    from sandbox_launcher.backends.vm.pool import WarmPool

    booted: list[str] = []

    def boot_vm(_image: Any, _workdir: Path, name: str) -> Any:
        booted.append(name)
        raise RuntimeError("booting is what must not happen")

    power = tmp_path / "power"
    _supply(power, "BAT0", "Battery")
    _supply(power, "AC", "Mains", "0")
    pool = WarmPool(None, tmp_path / "pool", 2, boot_vm=boot_vm,  # type: ignore[arg-type]
                    power_dir=power)
    pool.fill()
    assert booted == [] and pool.ready() == 0
    (power / "AC" / "online").write_text("1\n")  # plugged in: the control
    with pytest.raises(RuntimeError):
        pool.fill()
    assert len(booted) == 1
