"""Unit tests of ``doctor``'s pure logic: parsing, interpretation, formatting, exit code."""

from __future__ import annotations

import io
import json
import os
import socket
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from support.fake_runner import RecordingRunner

from sandbox_launcher.cli import doctor
from sandbox_launcher.core.check import Check
from sandbox_launcher.core.proc import Result
from sandbox_launcher.core.runner import SystemRunner
from sandbox_launcher.host import checks, kvm, session_checks
from sandbox_launcher.host import doctor as host_doctor
from sandbox_launcher.host.checks import Finding

# --- bwrap version -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("bubblewrap 0.8.0\n", (0, 8, 0)),
        ("bubblewrap 0.11.0", (0, 11, 0)),
        ("bubblewrap 0.4.1", (0, 4, 1)),
        ("bubblewrap 0.10", (0, 10, 0)),
        ("bwrap: unknown option", None),
        ("", None),
    ],
)
def test_parse_bwrap_version(text: str, expected: tuple[int, int, int] | None) -> None:
    assert checks.parse_bwrap_version(text) == expected


def test_version_comparison_is_numeric_not_lexical() -> None:
    # "0.10.0" < "0.8.0" as strings; as versions it is newer.
    newer = checks.parse_bwrap_version("bubblewrap 0.10.0")
    older = checks.parse_bwrap_version("bubblewrap 0.6.1")
    assert newer is not None and newer >= checks.MIN_BWRAP_VERSION
    assert older is not None and older < checks.MIN_BWRAP_VERSION


class _Tools:
    """A Runner that finds every program in /usr/bin and answers every run alike,
    recording the argv of each run (a recording fake passed in, not a patched module)."""

    def __init__(self, stdout: str = "", returncode: int = 0, stderr: str = "") -> None:
        self.answer = (returncode, stdout, stderr)
        self.calls: list[list[str]] = []

    def which(self, program: str, purpose: str, path: str | None = None) -> str:
        return f"/usr/bin/{program}"

    def run(self, argv: Sequence[str], **_kwargs: object) -> Result:
        self.calls.append(list(argv))
        return Result(tuple(argv), *self.answer)

    def spawn(self, argv: Sequence[str], **_kwargs: object) -> object:
        raise AssertionError(f"doctor spawns nothing: {argv}")


@pytest.mark.parametrize(
    ("output", "status"),
    [("bubblewrap 0.8.0\n", "ok"), ("bubblewrap 0.9.0\n", "ok"),
     ("bubblewrap 0.6.1\n", "fail"), ("nonsense\n", "fail")],
)
def test_check_bwrap_decides_on_version(
    monkeypatch: pytest.MonkeyPatch, output: str, status: str
) -> None:
    tools = _Tools(stdout=output)
    found = checks.check_bwrap(tools)  # type: ignore[arg-type]
    assert found.status == status
    assert tools.calls == [["/usr/bin/bwrap", "--version"]]
    if status == "fail":
        assert "apt-get install" in found.hint


def test_missing_tools_give_install_hints(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    assert checks.check_bwrap(SystemRunner()) == Finding(
        "fail", "bwrap is not installed",
        "install the Debian package bubblewrap: sudo apt-get install bubblewrap")
    pasta = checks.tool_check("pasta", "for the network jail")(SystemRunner())
    assert pasta == Finding(
        "warn", "not installed", "install the Debian package passt: sudo apt-get install passt")


@pytest.mark.parametrize(("name", "package"), [
    ("Xephyr", "xserver-xephyr"), ("xdg-dbus-proxy", "xdg-dbus-proxy"),
    ("pulseaudio", "pulseaudio"), ("pacat", "pulseaudio-utils"), ("openbox", "openbox"),
])
def test_device_helpers_missing_say_which_package(monkeypatch: pytest.MonkeyPatch, name: str,
                                                  package: str) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    probe = host_doctor.Probe({}, SystemRunner())
    [check] = [host_doctor.run_one(n, purpose, fn, probe)
               for n, purpose, fn in host_doctor.all_checks() if n == name]
    assert check.status == "warn" and check.detail == "not installed"
    assert check.hint == f"install the Debian package {package}: sudo apt-get install {package}"


# --- user namespace sysctls ----------------------------------------------------------


def test_no_sysctl_problems_when_all_allow() -> None:
    assert checks.userns_sysctl_problems(15000, 1, 0) == []
    assert checks.userns_sysctl_problems(None, None, None) == []


@pytest.mark.parametrize(
    ("values", "fix"),
    [
        ((0, None, None), "sudo sysctl -w user.max_user_namespaces=15000"),
        ((15000, 0, None), "sudo sysctl -w kernel.unprivileged_userns_clone=1"),
        ((15000, 1, 1), "sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0"),
    ],
)
def test_each_forbidding_sysctl_is_named_with_its_fix(
    values: tuple[int | None, int | None, int | None], fix: str
) -> None:
    problems = checks.userns_sysctl_problems(*values)
    assert len(problems) == 1
    assert problems[0][1].startswith(fix)


def test_several_sysctl_problems_are_all_reported() -> None:
    assert len(checks.userns_sysctl_problems(0, 0, 1)) == 3


def test_read_sysctl(tmp_path: Path) -> None:
    (tmp_path / "good").write_text("15000\n")
    (tmp_path / "bad").write_text("yes\n")
    assert checks.read_sysctl(str(tmp_path / "good")) == 15000
    assert checks.read_sysctl(str(tmp_path / "bad")) is None
    assert checks.read_sysctl(str(tmp_path / "missing")) is None


@pytest.fixture
def sysctls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point the userns sysctl paths into tmp_path (files absent until a test writes them)."""
    for name in ("SYSCTL_MAX_USERNS", "SYSCTL_USERNS_CLONE", "SYSCTL_APPARMOR_USERNS"):
        monkeypatch.setattr(checks, name, str(tmp_path / name))
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    yield tmp_path


def test_userns_fails_with_sysctl_hint_when_bwrap_cannot(
    sysctls: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (sysctls / "SYSCTL_USERNS_CLONE").write_text("0\n")
    tools = _Tools(returncode=1, stderr="bwrap: No permissions to create new namespace")
    found = checks.check_user_namespaces(tools)  # type: ignore[arg-type]
    assert found.status == "fail"
    assert "kernel.unprivileged_userns_clone=1" in found.hint
    assert "No permissions" in found.detail


def test_userns_ok_when_bwrap_test_runs(sysctls: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (sysctls / "SYSCTL_MAX_USERNS").write_text("15000\n")
    tools = _Tools()
    found = checks.check_user_namespaces(tools)  # type: ignore[arg-type]
    assert found.status == "ok"
    assert tools.calls[0][:2] == ["/usr/bin/bwrap", "--unshare-all"]


def test_userns_as_root_with_restricting_sysctl_only_warns(
    sysctls: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (sysctls / "SYSCTL_APPARMOR_USERNS").write_text("1\n")
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    assert checks.check_user_namespaces(_Tools()).status == "warn"  # type: ignore[arg-type]


# --- KVM verdicts --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("verdict", "status", "hint_part"),
    [("works", "ok", ""), ("absent", "warn", "TCG"), ("hangs", "warn", "hang"),
     ("fails", "warn", "TCG"), ("no-access", "warn", "kvm")],
)
def test_kvm_verdict_to_status(
    monkeypatch: pytest.MonkeyPatch, verdict: str, status: str, hint_part: str
) -> None:
    monkeypatch.setattr(checks, "probe_kvm", lambda: (verdict, "detail"))
    monkeypatch.setattr(checks, "kvm_access_hint", lambda: "sudo adduser $USER kvm")
    found = checks.check_kvm()
    assert found.status == status
    assert hint_part in found.hint
    assert found.detail == "detail"


def test_kvm_access_hint_depends_on_the_device_group(tmp_path: Path) -> None:
    device = tmp_path / "kvm"
    device.touch(mode=0o600)
    assert "chmod 0660" in checks.kvm_access_hint(str(device))
    assert checks.kvm_access_hint(str(tmp_path / "missing")).startswith("sudo adduser")


def test_parse_child_output_takes_last_verdict() -> None:
    out = b'{"stage": "started", "ms": 0.1}\n{"verdict": "works", "detail": "ran"}\n'
    verdict, detail = kvm.parse_child_output(out, b"", 0, 0.25)
    assert verdict == "works"
    assert detail.startswith("ran") and "0.25 s" in detail


@pytest.mark.parametrize("out", [b"", b"garbage\n", b'{"verdict": "maybe", "detail": ""}\n'])
def test_parse_child_output_without_valid_verdict_fails(out: bytes) -> None:
    verdict, _ = kvm.parse_child_output(out, b"Traceback ...", 1, 0.1)
    assert verdict == "fails"


def test_describe_hang_tells_slow_guest_from_stuck_start() -> None:
    assert "emulate" in kvm.describe_hang(b'{"stage": "started", "ms": 0.1}\n', 3.0)
    assert "first instruction" in kvm.describe_hang(b"", 3.0)
    assert "left behind" in kvm.describe_hang(b"", 3.0, killed=False)


def test_guest_code_starts_with_the_documented_port_write() -> None:
    assert kvm.GUEST_CODE.startswith(b"\xb0\x42\xe6\x10")
    assert kvm.GUEST_CODE.endswith(b"\xf4")
    assert kvm.KVM_SET_USER_MEMORY_REGION == 0x4020AE46
    assert kvm.KVM_GET_SREGS == 0x8138AE83


# --- session checks ------------------------------------------------------------------


def _listen(path: Path) -> socket.socket:
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    return server


@pytest.mark.parametrize(
    ("display", "expected"),
    [(":0", ("", 0)), (":1.0", ("", 1)), ("unix:2", ("unix", 2)),
     ("localhost:10.0", ("localhost", 10)), ("nonsense", None), (":x", None)],
)
def test_parse_x11_display(display: str, expected: tuple[str, int] | None) -> None:
    assert session_checks.parse_x11_display(display) == expected


def test_display_finds_wayland_socket(tmp_path: Path) -> None:
    with _listen(tmp_path / "wayland-0"):
        env = {"XDG_RUNTIME_DIR": str(tmp_path), "WAYLAND_DISPLAY": "wayland-0"}
        assert session_checks.check_display(env).status == "ok"
    assert session_checks.check_display({}).status == "warn"


def test_display_x11_needs_its_socket(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(session_checks, "X11_SOCKET_DIR", str(tmp_path))
    monkeypatch.setattr(session_checks, "_abstract_socket_listed", lambda _name: False)
    assert session_checks.check_display({"DISPLAY": ":7"}).status == "warn"
    with _listen(tmp_path / "X7"):
        assert session_checks.check_display({"DISPLAY": ":7"}).status == "ok"


def test_audio(tmp_path: Path) -> None:
    env = {"XDG_RUNTIME_DIR": str(tmp_path)}
    assert session_checks.check_audio(env).status == "warn"
    assert session_checks.check_audio({**env, "PULSE_SERVER": "tcp:127.0.0.1"}).status == "ok"
    with _listen(tmp_path / "pipewire-0"):
        found = session_checks.check_audio(env)
    assert found.status == "ok" and "PipeWire" in found.summary


def test_runtime_dir(tmp_path: Path) -> None:
    private = tmp_path / "run"
    private.mkdir(mode=0o700)
    assert session_checks.check_runtime_dir({"XDG_RUNTIME_DIR": str(private)}).status == "ok"
    private.chmod(0o755)
    found = session_checks.check_runtime_dir({"XDG_RUNTIME_DIR": str(private)})
    assert found.status == "fail" and "chmod 0700" in found.hint
    missing = session_checks.check_runtime_dir({"XDG_RUNTIME_DIR": str(tmp_path / "none")})
    assert missing.status == "fail"
    unset = session_checks.check_runtime_dir({})
    assert unset.status == "warn" and f"/tmp/sandbox-launcher-{os.getuid()}" in unset.summary


NAME_HAS_OWNER_REPLY = """method return time=1.2 sender=org.freedesktop.DBus -> destination=:1.5 \
serial=3 reply_serial=2
   boolean false
"""
ACTIVATABLE_REPLY = """method return time=1.3 sender=org.freedesktop.DBus -> destination=:1.6
   array [
      string "org.freedesktop.DBus"
      string "org.freedesktop.secrets"
   ]
"""


def test_parse_dbus_replies() -> None:
    assert session_checks.parse_dbus_boolean(NAME_HAS_OWNER_REPLY) is False
    assert session_checks.parse_dbus_boolean("   boolean true\n") is True
    assert session_checks.parse_dbus_boolean("") is None
    assert session_checks.parse_dbus_strings(ACTIVATABLE_REPLY) == [
        "org.freedesktop.DBus", "org.freedesktop.secrets"]


def test_keyring_activatable_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    tools = RecordingRunner(programs={"dbus-send": "/usr/bin/dbus-send"})
    ask = ["/usr/bin/dbus-send", "--session", "--print-reply", "--reply-timeout=5000",
           "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus"]
    tools.expect([*ask, "org.freedesktop.DBus.NameHasOwner", "string:org.freedesktop.secrets"],
                 stdout=NAME_HAS_OWNER_REPLY)
    tools.expect([*ask, "org.freedesktop.DBus.ListActivatableNames"], stdout=ACTIVATABLE_REPLY)
    found = session_checks.check_keyring({"DBUS_SESSION_BUS_ADDRESS": "unix:path=/x"}, tools)
    assert found.status == "ok" and "on demand" in found.summary
    tools.done()
    assert session_checks.check_keyring({}, tools).status == "warn"


# --- running, formatting, exit code --------------------------------------------------


def test_a_crashing_check_becomes_a_fail() -> None:
    def broken(_env: object) -> Finding:
        raise RuntimeError("boom")

    found = host_doctor.run_one("broken", "testing", broken,
                                host_doctor.Probe({}, SystemRunner()))
    assert (found.name, found.status, found.required_for) == ("broken", "fail", "testing")
    assert "boom" in found.detail and "RuntimeError" in found.output


def test_check_names_are_unique() -> None:
    names = [name for name, _purpose, _check in host_doctor.all_checks()]
    assert len(names) == len(set(names))


OK = Check.of_status("bubblewrap", "ok", "bubblewrap 0.8.0", required_for="namespace backend")
WARN = Check.of_status("pasta", "warn", "not installed", "sudo apt-get install passt",
                       required_for="network jail")
FAIL = Check.of_status("libseccomp", "fail", "not installed", "sudo apt-get install libseccomp2",
                       "ldconfig found nothing", "namespace backend")


@pytest.mark.parametrize(
    ("found", "code"), [([], 0), ([OK], 0), ([OK, WARN], 0), ([OK, WARN, FAIL], 1), ([FAIL], 1)]
)
def test_exit_code_is_1_only_when_something_failed(found: list[Check], code: int) -> None:
    assert doctor.exit_code(found) == code
    assert doctor.is_ready(found) is (code == 0)


def test_human_format() -> None:
    lines = doctor.format_human([OK, WARN, FAIL]).splitlines()
    assert lines == [
        "[ ok ] bubblewrap: bubblewrap 0.8.0",
        "[warn] pasta: not installed — needed for network jail",
        "       fix: sudo apt-get install passt",
        "[FAIL] libseccomp: not installed — needed for namespace backend",
        "       fix: sudo apt-get install libseccomp2",
        "       | ldconfig found nothing",
        "namespace sandbox: NOT ready — fix the FAIL lines above",
    ]
    assert doctor.format_human([OK, WARN]).splitlines()[-1] == "namespace sandbox: ready"


def test_json_format_round_trips() -> None:
    report = json.loads(doctor.format_json([OK, FAIL]))
    assert report["ready"] is False
    assert [doctor.from_json_form(item) for item in report["checks"]] == [OK, FAIL]
    # The keys IT scripts read from ``doctor --json`` stay as they were.
    assert set(report["checks"][1]) == {"name", "status", "summary", "hint", "detail",
                                        "required_for"}
    assert report["checks"][1]["detail"] == "ldconfig found nothing"


def test_main_runs_the_checks_and_returns_the_exit_code(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(doctor, "run_checks", lambda: [OK, FAIL])
    out = io.StringIO()
    assert doctor.main(True, out) == 1
    assert json.loads(out.getvalue())["checks"][1]["name"] == "libseccomp"
    human = io.StringIO()
    assert doctor.main(False, human, checks=[OK]) == 0
    assert human.getvalue() == "[ ok ] bubblewrap: bubblewrap 0.8.0\nnamespace sandbox: ready\n"
