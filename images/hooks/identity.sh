#!/bin/sh
# mmdebstrap customize hook: remove what the build copied from the build machine.
# mmdebstrap copies the host's /etc/hostname, /etc/hosts and /etc/resolv.conf into the
# tree; in a guest image they would tell a hostile client which machine built it.
# Usage: identity.sh CHROOT
set -eu
root=$1
echo sandbox > "$root/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\tsandbox\n::1\tlocalhost ip6-localhost\n' > "$root/etc/hosts"
rm -f "$root/etc/resolv.conf"
: > "$root/etc/resolv.conf"
rm -f "$root/etc/machine-id" "$root/var/lib/dbus/machine-id"
