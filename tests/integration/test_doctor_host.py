"""``doctor`` on this very machine: the checks run for real, nothing is faked.

These assert what is true of the project's CI host: bubblewrap ≥ 0.8.0 with working
user namespaces and libseccomp, and a /dev/kvm whose probe must return in time.
"""

from __future__ import annotations

import io
import json
import os
import time

import psutil
import pytest

from sandbox_launcher.cli import doctor
from sandbox_launcher.host import checks, kvm
from sandbox_launcher.host import doctor as host_doctor

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def host_checks() -> dict[str, checks.Check]:
    """All checks, run once: the KVM probe alone may take its full timeout."""
    found = host_doctor.run_checks()
    return {check.name: check for check in found}


@pytest.mark.parametrize("name", ["bubblewrap", "user namespaces", "libseccomp"])
def test_namespace_backend_prerequisites_are_ok(
    host_checks: dict[str, checks.Check], name: str
) -> None:
    check = host_checks[name]
    assert check.status == "ok", check
    assert check.required_for == "namespace backend"


@pytest.mark.parametrize("name", ["Xephyr", "xdg-dbus-proxy", "pulseaudio", "pacat"])
def test_device_helpers_are_installed(host_checks: dict[str, checks.Check], name: str) -> None:
    """scripts/setup.sh installs every device helper; doctor finds each."""
    check = host_checks[name]
    assert check.status == "ok" and check.detail.startswith("found at /"), check


def test_bwrap_version_is_reported(host_checks: dict[str, checks.Check]) -> None:
    version = checks.parse_bwrap_version(host_checks["bubblewrap"].detail)
    assert version is not None and version >= checks.MIN_BWRAP_VERSION


def test_no_check_crashed(host_checks: dict[str, checks.Check]) -> None:
    crashed = [c for c in host_checks.values() if c.detail.startswith("the check itself")]
    assert crashed == []
    assert {c.status for c in host_checks.values()} <= {"ok", "warn", "fail"}


def test_json_output_matches_exit_code() -> None:
    out = io.StringIO()
    code = doctor.main(True, out)
    report = json.loads(out.getvalue())
    assert code == (0 if report["ready"] else 1)
    assert {item["name"] for item in report["checks"]} >= {"bubblewrap", "kvm", "display"}
    # This host has everything the namespace backend needs.
    assert report["ready"] is True, [c for c in report["checks"] if c["status"] == "fail"]


@pytest.mark.parametrize("timeout", [3.0, 0.5])
def test_kvm_probe_returns_in_time_and_leaves_no_process(timeout: float) -> None:
    started = time.monotonic()
    verdict, detail = kvm.probe_kvm(timeout=timeout)
    elapsed = time.monotonic() - started
    assert verdict in kvm.VERDICTS
    assert elapsed < timeout + 2.0
    assert detail
    children = psutil.Process().children(recursive=True)
    assert [child.cmdline() for child in children] == []
    if os.path.exists(kvm.KVM_DEVICE):
        assert verdict != "absent"
        if os.access(kvm.KVM_DEVICE, os.R_OK | os.W_OK):
            assert verdict != "no-access"


def test_kvm_verdict_agrees_with_the_doctor_line(host_checks: dict[str, checks.Check]) -> None:
    check = host_checks["kvm"]
    if check.status == "ok":
        assert "hardware speed" in check.detail
    else:
        assert check.status == "warn" and check.hint
