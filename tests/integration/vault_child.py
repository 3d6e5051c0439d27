"""Run as the unprivileged user by test_vault_keyring.py: the session layer's two calls
(open before the client starts, save at the end) against the real Secret Service.

    vault_child.py save PROFILE HOME        capture HOME's sign-in paths, save them
    vault_child.py open PROFILE HOME        open the vault, unpack it into HOME (empty)
    vault_child.py hang-in-save PROFILE HOME  save, but stop before the rename ("ready")
    vault_child.py lock                     lock the keyring's default collection
    vault_child.py item PROFILE             the keyring item, read with secretstorage

Prints one JSON object.
"""

from __future__ import annotations

import json
import sys
import time
from contextlib import closing
from pathlib import Path
from typing import Any

from sandbox_launcher import vault

PATHS = (".zoom/data", ".config/zoomus.conf")


def save(profile: str, home: Path, hang: bool = False) -> dict[str, Any]:
    tar, notes = vault.capture(home, PATHS)

    def stop_here() -> None:
        print("ready", flush=True)
        time.sleep(600)  # the test SIGKILLs us here: the new vault is written, not renamed

    result = vault.save_capture(profile, tar, paths=PATHS,
                                before_rename=stop_here if hang else None)
    return {"saved": result.saved, "notes": [*notes, *result.notes],
            "problem": result.problem.value if result.problem else None,
            "counter": result.counter}


def open_(profile: str, home: Path) -> dict[str, Any]:
    result = vault.open_seed(profile, paths=PATHS)
    if result.tar is not None:
        vault.extract(result.tar, home, PATHS)
    return {"seeded": result.tar is not None, "notes": list(result.notes),
            "problem": result.problem.value if result.problem else None,
            "set_aside": str(result.set_aside) if result.set_aside else None,
            "save_allowed": result.save_allowed}


def item(profile: str) -> dict[str, Any]:
    import secretstorage

    with closing(secretstorage.dbus_init()) as bus:
        found = list(secretstorage.search_items(
            bus, {"service": vault.SERVICE, "username": f"vault:{profile}"}))
        return {"items": len(found),
                "secret": found[0].get_secret().decode() if found else None}


def lock() -> dict[str, Any]:
    import secretstorage

    with closing(secretstorage.dbus_init()) as bus:
        collection = secretstorage.get_default_collection(bus)
        collection.lock()
        return {"locked": collection.is_locked()}


def main(argv: list[str]) -> None:
    op = argv[0]
    if op == "save":
        out = save(argv[1], Path(argv[2]))
    elif op == "hang-in-save":
        out = save(argv[1], Path(argv[2]), hang=True)
    elif op == "open":
        out = open_(argv[1], Path(argv[2]))
    elif op == "item":
        out = item(argv[1])
    else:
        out = lock()
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
