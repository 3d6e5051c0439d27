"""What the launch panel offers of the device grants (session/choices.py, no Qt)."""

from __future__ import annotations

import re
from pathlib import Path

from sandbox_launcher.core.policy import DevicePolicy
from sandbox_launcher.devices import audio
from sandbox_launcher.devices.camera import CameraFinder
from sandbox_launcher.session import choices

UI = Path(__file__).resolve().parents[2] / "sandbox_launcher" / "ui"


def _finder(tmp_path: Path, nodes: int) -> CameraFinder:
    sysfs = tmp_path / "video4linux"
    sysfs.mkdir()
    for n in range(nodes):
        (sysfs / f"video{n}").mkdir()
        (sysfs / f"video{n}" / "name").write_text("Cam\n")
        (sysfs / f"video{n}" / "dev").write_text(f"81:{n}\n")
        (sysfs / f"video{n}" / "index").write_text(f"{n % 2}\n")
    return CameraFinder(sysfs=sysfs, dev=tmp_path / "dev")


def test_capture_nodes_are_offered_and_none_is_said(tmp_path: Path) -> None:
    found = choices.device_choices(DevicePolicy(), _finder(tmp_path, 2), host={})
    assert [c.name for c in found.cameras] == ["video0"]  # video1 is its metadata node
    assert found.camera_reason == ""
    empty = choices.device_choices(DevicePolicy(), CameraFinder(sysfs=tmp_path / "no"),
                                   host={})
    assert empty.cameras == () and empty.camera_reason == choices.NO_CAMERA
    assert "no sound system" in empty.mic_reason  # host={} has none


def test_the_policy_forbids_with_its_reasons(tmp_path: Path) -> None:
    policy = DevicePolicy(allow_camera=False, allow_share=False, allow_mic=False,
                          allow_keep_downloads=False)
    found = choices.device_choices(policy, _finder(tmp_path, 1), host={})
    assert found.cameras == ()
    assert (found.camera_reason, found.share_reason, found.keep_reason, found.mic_reason) == (
        choices.POLICY_CAMERA, choices.POLICY_SHARE, choices.POLICY_KEEP, choices.POLICY_MIC)


def test_share_and_keep_problems_are_the_plans_reasons(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    (home / "Meeting").mkdir()
    env = {"HOME": str(home)}
    policy = DevicePolicy(forbid_share=(str(home / "Meeting"),))
    assert "your home folder" in choices.share_problem(str(home), False, DevicePolicy(), env)
    assert "settings and keys" in choices.share_problem(str(home / ".ssh"), True,
                                                        DevicePolicy(), env)
    assert "forbids" in choices.share_problem(str(home / "Meeting"), False, policy, env)
    assert choices.share_problem(str(home / "Meeting"), True, DevicePolicy(), env) == ""
    assert choices.share_problem("", False, DevicePolicy(), env) == ""
    assert "no such folder" in choices.keep_problem(str(tmp_path / "missing"))
    assert choices.keep_problem(str(tmp_path)) == ""


def test_the_app_translates_every_fixed_reason() -> None:
    text = (UI / "device_fields.py").read_text()
    marked = {"".join(re.findall(r'"([^"]*)"', m)) for m in
              re.findall(r'QT_TRANSLATE_NOOP\("Devices", ((?:"[^"]*"\s*)+)\)', text)}
    # device_fields.py also marks devices.audio's reasons, which the mic note shows
    audio_reasons = {audio.NO_SOUND_SERVER, audio.NO_SOUND_PACKAGES, audio.NO_SPEAKERS}
    assert marked == set(choices.FIXED_REASONS) | audio_reasons
