#!/bin/sh
# mmdebstrap customize hook: export the guest as kernel, initrd and an ext4 image.
# Usage: export.sh CHROOT FREE_MB   (results in CHROOT/.slt-export, which the builder's
# "download" hooks then copy out as the user: root of this namespace is a subordinate
# id and cannot write into the user's own folders).
# It runs inside mmdebstrap's user namespace, where the tree is owned by root, so
# mkfs.ext4 -d records root ownership; outside it the same files belong to subuids.
set -eu
root=$1 free_mb=$2
if [ "$(stat -c %u "$root/etc")" != 0 ]; then
    echo "export.sh: not inside mmdebstrap's user namespace (tree not owned by root)" >&2
    exit 1
fi
out="$root/.slt-export"
mkdir -m 0755 "$out"
cp "$root"/boot/vmlinuz-* "$out/vmlinuz"
cp "$root"/boot/initrd.img-* "$out/initrd.img"
chmod 0644 "$out/vmlinuz" "$out/initrd.img"
# The mounted /proc, /sys and /dev of the build must not end up in the image: copy the
# tree without them (ownership kept, we are root here), then make the file system.
stage="$out/stage"
trap 'rm -rf "$stage"' EXIT
mkdir "$stage"
tar -C "$root" --one-file-system --exclude=./.slt-export --exclude=./boot \
    --exclude='./proc/*' --exclude='./sys/*' --exclude='./dev/*' --exclude='./run/*' \
    --exclude='./tmp/*' --exclude='./var/cache/apt/*' --exclude='./var/lib/apt/lists/*' \
    -cf - . | tar -C "$stage" -xpf -
used_mb=$(du -sm "$stage" | cut -f1)
size_mb=$((used_mb + used_mb / 5 + free_mb))
mkfs.ext4 -q -F -O ^has_journal -L slt-root -E root_owner=0:0 -d "$stage" "$out/root.img" "${size_mb}M"
chmod 0644 "$out/root.img"
