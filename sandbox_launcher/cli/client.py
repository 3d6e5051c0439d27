"""``sandbox-launcher client install|list|update|remove|trust``: the client store, by CLI."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import TextIO

from ..clients.vendors import VENDORS

_FPR_HELP = ("pin this primary-key fingerprint instead of the one the launcher ships "
             "(only after checking the vendor's announcement of a new key)")


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``client`` and its subcommands on the main parser."""
    client = sub.add_parser("client", help="install vendor clients without running their scripts")
    actions = client.add_subparsers(dest="client_action", required=True, metavar="ACTION")
    install = actions.add_parser("install", help="verify and unpack a vendor's package")
    update = actions.add_parser("update", help="download the vendor's current package")
    for cmd in (install, update):
        cmd.add_argument("vendor", choices=sorted(VENDORS))
        cmd.add_argument("--url", help="download from here (https://) instead of the vendor")
        cmd.add_argument("--keyring", metavar="FILE",
                         help="trusted keyring to check the signature with (default: "
                              "/etc/sandbox-launcher/keys/VENDOR.gpg, else the key "
                              "'client trust' pinned)")
        cmd.add_argument("--signature", metavar="FILE",
                         help="detached signature (default: FILE.asc next to the package)")
        cmd.add_argument("--sha256", metavar="HEX", help="the checksum the vendor publishes")
        cmd.add_argument("--key-url", metavar="URL",
                         help="when downloading with no trusted key: fetch the vendor's key "
                              "here (https://) instead of the vendor's published URL")
        cmd.add_argument("--fingerprint", metavar="FPR", help=_FPR_HELP)
    install.add_argument("--from", dest="source", metavar="FILE",
                         help="a downloaded .deb or .tar.xz instead of downloading")
    trust = actions.add_parser(
        "trust", help="fetch the vendor's published signing key and keep it if its "
                      "fingerprint is the pinned one")
    trust.add_argument("vendor", choices=sorted(VENDORS))
    where = trust.add_mutually_exclusive_group()
    where.add_argument("--from", dest="source", metavar="FILE",
                       help="a key file you downloaded instead of fetching it")
    where.add_argument("--url", help="fetch the key here (https://) instead of the vendor's "
                                     "published URL")
    trust.add_argument("--fingerprint", metavar="FPR", help=_FPR_HELP)
    listing = actions.add_parser("list", help="installed clients and versions")
    listing.add_argument("--json", action="store_true", help="machine-readable output")
    remove = actions.add_parser("remove", help="delete an installed client")
    remove.add_argument("vendor", choices=sorted(VENDORS))
    remove.add_argument("--version", help="only this version")


class _Progress:
    """Download progress on stderr, at most a few lines a second."""

    def __init__(self, err: TextIO) -> None:
        self.err = err
        self.shown = 0.0

    def __call__(self, got: int, total: int | None) -> None:
        now = time.monotonic()
        if now - self.shown < 0.5 and got != total:
            return
        self.shown = now
        of = f" of {total >> 20} MiB ({100 * got // total}%)" if total else ""
        print(f"sandbox-launcher: downloaded {got >> 20} MiB{of}", file=self.err)


def main(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run one ``client`` action; errors are raised for cli.main to print."""
    from ..clients import keys
    from ..clients.store import ClientStore

    store = ClientStore()
    action = args.client_action
    if action == "list":
        found = [i for name in sorted(VENDORS) for i in store.installed(name)]
        if args.json:
            json.dump([i.to_dict() for i in found], out, indent=2)
            out.write("\n")
        elif not found:
            print("no clients installed (sandbox-launcher client install zoom)", file=out)
        for item in [] if args.json else found:
            marks = [m for m, on in (("current", item.current),
                                     ("last started", item.last_started)) if on]
            print(f"{item.vendor:<8} {item.version:<20} {', '.join(marks) or '-':<22} "
                  f"verified by {item.info.get('verified', '?')}", file=out)
        return 0
    if action == "remove":
        for version in store.remove(args.vendor, args.version):
            print(f"removed {args.vendor} {version}", file=out)
        return 0
    if args.fingerprint:
        keys.fingerprint(args.fingerprint)  # a typo is refused before anything is fetched
    if action == "trust":
        return _trust(args, out, err)
    source = Path(args.source) if action == "install" and args.source else None
    entry, skipped = store.install(
        args.vendor, source=source, url=args.url,
        signature=Path(args.signature) if args.signature else None,
        keyring=Path(args.keyring) if args.keyring else None,
        sha256=args.sha256, progress=None if source else _Progress(err),
        key_options=keys.KeyOptions(
            fingerprint=args.fingerprint, key_url=args.key_url,
            notify=lambda what: print(f"sandbox-launcher: {what}", file=err)))
    for what in skipped:
        print(f"sandbox-launcher: skipped: {what}", file=err)
    print(f"installed {entry.vendor} {entry.version} in {entry.path} "
          f"(verified by {entry.info.get('verified')}: {entry.info.get('verified_by')})",
          file=out)
    return 0


def _trust(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """``client trust VENDOR``: pin the vendor's published key in the user's keys dir."""
    from ..clients import keys
    from ..clients.store import vendor

    spec = vendor(args.vendor)
    key = keys.trust_key(spec, pin=keys.pin_for(spec, args.fingerprint),
                         source=Path(args.source) if args.source else None, url=args.url)
    print(f"trusted {spec.title}'s signing key {key.fingerprint} ({key.user_id}) from "
          f"{key.origin}; saved to {key.path}", file=out)
    it_ring = keys.IT_KEYS_DIR / f"{spec.name}.gpg"
    if it_ring.is_file():
        print(f"sandbox-launcher: note: {it_ring} (installed by IT) is used before it",
              file=err)
    return 0
