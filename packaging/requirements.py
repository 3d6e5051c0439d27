"""Print pyproject.toml's run-time dependencies for the package's private environment.

Usage: python3 packaging/requirements.py pyproject.toml > requirements.txt

libvirt-python is left out: it builds from source against libvirt-dev, and the
packages use the distribution's binding instead (python3-libvirt, a Recommends), which
the environment finds after its own packages.
"""

from __future__ import annotations

import re
import sys
import tomllib

#: Requirements the distribution provides instead of PyPI.
FROM_DISTRIBUTION = {"libvirt-python"}


def requirements(pyproject: str) -> list[str]:
    """The ``[project] dependencies`` of *pyproject*, less those in FROM_DISTRIBUTION."""
    with open(pyproject, "rb") as handle:
        deps: list[str] = tomllib.load(handle)["project"]["dependencies"]
    return [d for d in deps
            if re.split(r"[<>=!~;\[ ]", d, maxsplit=1)[0].strip() not in FROM_DISTRIBUTION]


if __name__ == "__main__":
    print("\n".join(requirements(sys.argv[1])))
