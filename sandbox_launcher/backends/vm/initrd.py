"""The guest's initrd as the image build asks initramfs-tools for it.

Only the recipe's ``initramfs_modules`` go in, loaded by name, and no udev: its coldplug
of every device cost ~3 s of a boot under software emulation. The files here are
uploaded into the chroot by mmdebstrap's essential hooks, before the kernel package's
install makes the initrd.
"""

from __future__ import annotations

import shlex
from pathlib import Path

from .recipe import Recipe

#: What :func:`initramfs_inputs` writes into the build folder (removed after the build),
#: and where each goes under the chroot's /etc/initramfs-tools.
_TARGETS = {"initramfs.conf": "conf.d/sandbox-launcher",
            "initramfs-hook": "hooks/sandbox-launcher",
            "initramfs-modules": "modules",
            "initramfs-dev": "scripts/init-bottom/sandbox-launcher-dev"}
INITRAMFS_INPUTS = tuple(_TARGETS)
#: udev's part of the initrd: its coldplug of every device costs ~3 s under software
#: emulation, for the three modules the initrd loads by name anyway (the guest's own
#: modules are loaded by its init, never by udev in the initrd).
_INITRD_UDEV = ("/usr/share/initramfs-tools/hooks/udev",
                "/usr/share/initramfs-tools/scripts/init-top/udev",
                "/usr/share/initramfs-tools/scripts/init-bottom/udev")
#: udev's init-bottom script also moved /dev onto the root: without it, this does.
_MOVE_DEV = """#!/bin/sh
[ "$1" = prereqs ] && exit 0
mount -n -o move /dev "${rootmnt:?}/dev"
rm -rf /dev
ln -s "${rootmnt}/dev" /dev
"""


def initramfs_inputs(recipe: Recipe, work: Path) -> list[str]:
    """Hooks that make the guest's initrd hold and load only the modules the recipe names,
    without udev."""
    inputs = {
        "initramfs.conf": "# sandbox-launcher: only the modules of the hook below\n"
                          "MODULES=list\n",
        "initramfs-hook": "#!/bin/sh\n[ \"$1\" = prereqs ] && exit 0\n"
                          ". /usr/share/initramfs-tools/hook-functions\n"
                          f"manual_add_modules {' '.join(recipe.initramfs_modules)}\n",
        "initramfs-modules": "".join(f"{m}\n" for m in recipe.initramfs_modules),
        "initramfs-dev": _MOVE_DEV,
    }
    argv = ["--essential-hook=mkdir -p \"$1/etc/initramfs-tools/conf.d\" "
            "\"$1/etc/initramfs-tools/hooks\" "
            "\"$1/etc/initramfs-tools/scripts/init-bottom\""]
    for name, text in inputs.items():
        (work / name).write_text(text, encoding="utf-8")
        target = f"/etc/initramfs-tools/{_TARGETS[name]}"
        argv.append(f"--essential-hook=upload {shlex.quote(str(work / name))} {target}")
        if text.startswith("#!"):
            argv.append(f"--essential-hook=chmod 0755 \"$1{target}\"")
    return argv + [f"--dpkgopt=path-exclude={path}" for path in _INITRD_UDEV]
