"""``sandbox-launcher ranges refresh VENDOR [--from URL|FILE]``: update a vendor's ranges."""

from __future__ import annotations

from typing import TextIO

from ..netjail import ranges


def main(vendor: str, source: str | None, out: TextIO) -> int:
    """Refresh *vendor*'s list from *source* (default: the vendor's URL); say what changed.

    Failures raise :class:`~sandbox_launcher.core.errors.LauncherError` for the CLI to
    print; nothing is written unless the new list is valid.
    """
    before = ranges.load_ranges(vendor)
    after = ranges.refresh(vendor, source)
    added, removed = ranges.compare(before, after)
    print(f"{vendor}: {len(after.ranges)} ranges from {after.source} "
          f"(fetched {after.fetched})", file=out)
    was = "packaged" if before.origin == "packaged" else "your previous copy"
    print(f"  compared with the list in use before ({was}, {before.fetched}): "
          f"{len(added)} added, {len(removed)} removed", file=out)
    for net in added:
        print(f"  + {net}", file=out)
    for net in removed:
        print(f"  - {net}", file=out)
    print(f"  saved to {after.origin}", file=out)
    return 0
