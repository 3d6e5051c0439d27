"""``doctor``'s "apparmor userns" line: every state of Ubuntu's restriction and the profile."""

from __future__ import annotations

import pytest

from sandbox_launcher.host import apparmor
from sandbox_launcher.host.apparmor import AppArmorState

INSTALLED = "/usr/lib/sandbox-launcher/bin/python3"
CHECKOUT = "/home/me/sandbox-launcher/.venv/bin/python3"
LOADED = "sandbox-launcher (unconfined)\nnvidia_modprobe (enforce)\n/usr/bin/man (enforce)\n"


def _state(restrict: int | None, *, loaded: str | None = LOADED, label: str | None = None,
           file: bool = True) -> AppArmorState:
    return AppArmorState(restrict, None if loaded is None else
                         apparmor.parse_loaded_profiles(loaded), label, file)


def test_parse_loaded_profiles_and_labels() -> None:
    assert apparmor.parse_loaded_profiles(LOADED) == {"sandbox-launcher", "nvidia_modprobe",
                                                      "/usr/bin/man"}
    assert apparmor.label_profile("sandbox-launcher (unconfined)\n") == "sandbox-launcher"
    assert apparmor.label_profile("unconfined\n") == "unconfined"


@pytest.mark.parametrize(("restrict", "said"), [
    (None, "no such sysctl"), (0, "apparmor_restrict_unprivileged_userns is 0")])
def test_no_restriction_is_ok_whatever_the_profile(restrict: int | None, said: str) -> None:
    found = apparmor.verdict(_state(restrict, loaded=None, file=False), CHECKOUT)
    assert found.status == "ok" and said in found.summary
    assert "not needed" in found.summary
    assert "loaded" in apparmor.verdict(_state(restrict), INSTALLED).summary


def test_restricted_and_running_under_the_profile_is_ok() -> None:
    found = apparmor.verdict(_state(1, label="sandbox-launcher (unconfined)\n"), INSTALLED)
    assert found.status == "ok" and "runs under the profile" in found.summary


def test_restricted_profile_loaded_but_not_confining_this_launcher_fails() -> None:
    found = apparmor.verdict(_state(1, label="unconfined"), CHECKOUT)
    assert found.status == "fail"
    assert CHECKOUT in found.summary and "unconfined" in found.summary
    assert "/usr/bin/sandbox-launcher" in found.hint


def test_restricted_profile_installed_but_not_loaded_says_how_to_load_it() -> None:
    found = apparmor.verdict(_state(1, loaded="", label="unconfined"), INSTALLED)
    assert found.status == "fail" and "not loaded" in found.summary
    assert found.hint == "sudo apparmor_parser -r /etc/apparmor.d/sandbox-launcher"


def test_restricted_without_the_profile_says_where_to_get_it() -> None:
    found = apparmor.verdict(_state(1, loaded=None, label=None, file=False), CHECKOUT)
    assert found.status == "fail" and "not installed" in found.summary
    assert "resources/apparmor/sandbox-launcher" in found.hint


def test_this_host_has_no_restriction() -> None:
    """Debian 12 (the CI host): no such sysctl, so the line is ok and says why."""
    found = apparmor.check_apparmor_userns()
    assert found.status == "ok" and "no such sysctl" in found.summary
