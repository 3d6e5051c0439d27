"""The box's own test: the hostile probe, what it checks, and the fake internet it uses.

``hostile_client.py`` is a standalone script (standard library only) that runs *inside*
a sandbox under Debian's ``/usr/bin/python3``; nothing here may import it. The rest is
host-side: the list of checks as data (:mod:`.checks`), the fake internet built in
network namespaces (:mod:`.fake_internet` as root for the tests, :mod:`.world` as an
ordinary user for ``sandbox-launcher verify``).
"""

from pathlib import Path

#: The probe script, shipped in the package; its *text* is what a sandbox runs.
PROBE_SCRIPT = Path(__file__).with_name("hostile_client.py")
