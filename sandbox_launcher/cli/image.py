"""``sandbox-launcher image build|list|verify|remove``: guest images of the VM backend."""

from __future__ import annotations

import argparse
import json
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


def _build(name: str, out: TextIO) -> int:
    """Build in the session layer's job; Ctrl-C cancels it and waits for its cleanup."""
    from ..session.images import BuildJob, ImageService, JobState

    def progress(job: BuildJob, step: str, detail: str) -> None:
        if step:
            print(f"[{job.elapsed():6.1f} s] {step}: {detail}", file=out, flush=True)

    job = ImageService().build(name, progress)
    try:
        while not job.wait(0.5):
            pass
    except KeyboardInterrupt:
        print("cancelling: stopping mmdebstrap and removing its files…", file=out, flush=True)
        job.cancel()
        job.wait()
    if job.state is JobState.DONE and job.image is not None:
        print(f"built {job.image.name} in {job.image.path} ({job.elapsed():.0f} s)", file=out)
        return 0
    assert job.error is not None
    raise job.error


def main(args: argparse.Namespace, out: TextIO) -> int:
    """Run one ``image`` action; errors are raised as typed LauncherErrors."""
    # Here, not at the top: every other command would pay for the VM code.
    from ..backends.vm import image as images
    from ..backends.vm.recipe import list_recipes
    from ..session.images import ImageService, ImageState

    if args.image_command == "build":
        return _build(args.name, out)
    if args.image_command == "verify":
        image = images.verify_image(args.name)
        print(f"{image.name}: every file matches its manifest "
              f"(built {image.manifest.get('built')})", file=out)
        return 0
    if args.image_command == "remove":
        ImageService().remove(args.name)
        print(f"removed {args.name}", file=out)
        return 0
    if args.json:
        json.dump({"images": [{"name": i.name, "path": str(i.path), **i.manifest}
                              for i in images.list_images()],
                   "recipes": list_recipes()}, out, indent=2)
        out.write("\n")
        return 0
    # The manifest only: checking every checksum is `verify`'s job (seconds per image).
    rows = ImageService().rows(check=False)
    for row in rows:
        when = row.built.strftime("%Y-%m-%d %H:%M") if row.built else "-"
        version = f"v{row.built_version}" if row.built_version is not None else "-"
        print(f"{row.name:<10} {row.state.value:<12} {row.size / 2**20:7.0f} MiB  "
              f"built {when}  recipe {version}", file=out)
    if all(row.state is ImageState.NOT_BUILT for row in rows):
        print("no images built yet", file=out)
    print(f"recipes: {', '.join(list_recipes())}  (build: sandbox-launcher image build NAME)",
          file=out)
    return 0
