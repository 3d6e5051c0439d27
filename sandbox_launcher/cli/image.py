"""``sandbox-launcher image build|list|verify|remove``: guest images of the VM backend."""

from __future__ import annotations

import argparse
import json
import time
from typing import Any, TextIO


def add_parser(sub: Any) -> None:
    """Register the subcommand on the main parser's subparsers."""
    cmd = sub.add_parser("image", help="guest images for --backend vm")
    actions = cmd.add_subparsers(dest="image_command", required=True)
    build = actions.add_parser("build", help="build an image from a recipe (unprivileged)")
    build.add_argument("name", nargs="?", default="default")
    listing = actions.add_parser("list", help="built images and known recipes")
    listing.add_argument("--json", action="store_true", help="machine-readable output")
    verify = actions.add_parser("verify", help="recompute an image's checksums")
    verify.add_argument("name", nargs="?", default="default")
    remove = actions.add_parser("remove", help="delete a built image")
    remove.add_argument("name")


def main(args: argparse.Namespace, out: TextIO) -> int:
    """Run one ``image`` action; errors are raised as typed LauncherErrors."""
    # Here, not at the top: every other command would pay for the VM code.
    from ..backends.vm import image as images
    from ..backends.vm.recipe import list_recipes, load_recipe

    if args.image_command == "build":
        started = time.monotonic()

        def progress(step: str, detail: str) -> None:
            print(f"[{time.monotonic() - started:6.1f} s] {step}: {detail}", file=out,
                  flush=True)

        image = images.build_image(load_recipe(args.name), progress)
        print(f"built {image.name} in {image.path}", file=out)
        return 0
    if args.image_command == "verify":
        image = images.verify_image(args.name)
        print(f"{image.name}: every file matches its manifest "
              f"(built {image.manifest.get('built')})", file=out)
        return 0
    if args.image_command == "remove":
        images.remove_image(args.name)
        print(f"removed {args.name}", file=out)
        return 0
    built = images.list_images()
    if args.json:
        json.dump({"images": [{"name": i.name, "path": str(i.path), **i.manifest}
                              for i in built], "recipes": list_recipes()}, out, indent=2)
        out.write("\n")
        return 0
    for img in built:
        print(f"{img.name:<10} {img.size / 2**20:7.0f} MiB  built {img.manifest.get('built')}  "
              f"recipe v{img.manifest.get('recipe_version')}", file=out)
    if not built:
        print("no images built yet", file=out)
    print(f"recipes: {', '.join(list_recipes())}  (build: sandbox-launcher image build NAME)",
          file=out)
    return 0
