"""Suite-wide hooks.

DESIGN §6: CI has every capability (user namespaces, KVM, root to make the test user), so a
test that skips there is hiding a defect, not adapting to a poor machine. With ``CI=true``
any skip fails the session and the summary names each skipped test and its reason.
"""

from __future__ import annotations

import os

import pytest


def _skip_reason(report: pytest.CollectReport | pytest.TestReport) -> str:
    """Return the human reason of a skip report, whatever shape longrepr has."""
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2])
    return str(longrepr)


class SkipsFailInCI:
    """A plugin, registered only under CI, that fails the session if anything skipped."""

    def __init__(self) -> None:
        self.skips: list[tuple[str, str]] = []

    def _record(self, report: pytest.CollectReport | pytest.TestReport) -> None:
        # An xfail also reports as skipped, but it is an expected failure, not a skip.
        if report.skipped and not hasattr(report, "wasxfail"):
            self.skips.append((report.nodeid, _skip_reason(report)))

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Skips from fixtures (setup) and from pytest.skip in the test body (call)."""
        self._record(report)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        """Module-level skips (``allow_module_level=True``, importorskip)."""
        self._record(report)

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        """Say which tests skipped and why, and make the exit status a failure."""
        if not self.skips:
            return
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        lines = [f"SKIPPED in CI: {nodeid}: {reason}" for nodeid, reason in self.skips]
        if reporter is not None:
            reporter.ensure_newline()
            reporter.write_sep("=", "CI=true: skipped tests are failures (DESIGN §6)", red=True)
            for line in lines:
                reporter.write_line(line)
        else:
            print("\n".join(lines))
        if exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED):
            session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_configure(config: pytest.Config) -> None:
    """Register the CI skip guard when ``CI=true`` (how .ci/run is started)."""
    if os.environ.get("CI", "").lower() == "true":
        config.pluginmanager.register(SkipsFailInCI(), "skips-fail-in-ci")
