#!/usr/bin/env bash
# Set up everything sandbox-launcher needs on Debian 12: system packages and a venv.
# Idempotent and quick when nothing changed. Usage: scripts/setup.sh [--with-test-tools]
set -euo pipefail
cd "$(dirname "$0")/.."

# What the app needs at run time, and what building libvirt-python needs.
packages=(bubblewrap passt nftables libseccomp2 iproute2 python3 python3-venv python3-dev
          gcc pkg-config libvirt-dev)
# Device grants: the isolated display (nested X server, and the window manager that runs
# inside it with the client), the filtering D-Bus proxy, and each session's own sound
# server with its forwarders (pacat) to the host's.
packages+=(xserver-xephyr openbox xdg-dbus-proxy pulseaudio pulseaudio-utils)
# Screen sharing on Wayland: dbus-send removes the portal's restore tokens a session made.
packages+=(dbus-bin)
# The desktop app: Qt's xcb platform plugin needs these X libraries at run time.
packages+=(libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxkbcommon-x11-0 libxcb-xinerama0
           libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-image0
           libx11-xcb1 libxcb-xkb1 libxkbcommon0 libegl1 libgl1 libfontconfig1 libdbus-1-3
           libglib2.0-0)
# Client store: gpgv checks vendors' signatures; zstd unpacks data.tar.zst packages.
packages+=(gpgv zstd)
# The VM backend: libvirtd in session mode with its QEMU driver (no root), QEMU and
# qemu-img (overlays), and the unprivileged image builder: mmdebstrap in unshare mode
# needs newuidmap/newgidmap (uidmap).
packages+=(libvirt-daemon libvirt-daemon-driver-qemu qemu-system-x86 qemu-utils mmdebstrap
           uidmap)
# A VM's screen and sound: virt-viewer shows the SPICE display (attached through libvirt,
# no TCP port); qemu-system-gui holds QEMU's PulseAudio backend (audio-pa.so), which
# plays into and records from the session's own sound server.
packages+=(virt-viewer qemu-system-gui)
if [[ "${1:-}" == "--with-test-tools" ]]; then
    # Client tests: gpg signs the fake vendor's packages, openssl makes the test CA, and
    # the web-meeting profiles run Debian's Chromium (on a desktop, the user's own browser).
    packages+=(gpg openssl chromium)
    # ... and Debian's Firefox (firefox-esr), the other browser the web profiles can run.
    packages+=(firefox-esr)
    # Real host services the escape tests attack, and the tools that run them as a user.
    packages+=(xvfb dbus openssh-client util-linux procps)
    # Device tests: X clients and screenshots inside the nested display, a fake owner of
    # bus names (python3-gi) and gdbus to call them.
    packages+=(x11-apps x11-utils imagemagick python3-gi libglib2.0-bin)
    # The Wayland display grant: a real headless compositor and a client that lists its globals.
    packages+=(weston wayland-utils)
    # Screen sharing through the desktop portal: a real Wayland ScreenCast stack (headless
    # sway, PipeWire, the portal and its wlroots back-end), gstreamer to read a frame, a
    # real Secret Service to prove it stays out of reach, jeepney for the stand-in client.
    packages+=(sway pipewire pipewire-bin wireplumber xdg-desktop-portal xdg-desktop-portal-wlr
               gstreamer1.0-pipewire gstreamer1.0-tools gnome-keyring python3-jeepney)
    # The meeting benchmark (benchmarks/meeting.py) and its test: a stand-in client drawing
    # 1280x720 video at 30 fps (videotestsrc in -base, ximagesink in -x; -good for the rest
    # of a realistic pipeline) into the nested display and straight onto the host.
    packages+=(gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-x)
    # GUI tests: a real tray host on Xvfb, and window lookups for the tray test.
    packages+=(trayer x11-utils)
    # Screenshots as a person sees the app (docs/screenshots) use openbox (above) on Xvfb
    # too: it draws the title bars and places the dialogs (scripts/screenshots.sh).
    # Desktop entry tests: desktop-file-validate, update-desktop-database; xdg-mime.
    packages+=(desktop-file-utils xdg-utils)
    # VM tests: virsh lists the session's domains independently of the launcher.
    packages+=(libvirt-clients)
    # Packaging (packaging/build-deb and its test): the .deb's build dependencies,
    # mmdebstrap for the clean Debian 12 root, appstreamcli for the metainfo, rpmbuild
    # (and cpio to read its output) for the .rpm spec, and zsh and fish to check the
    # generated completions.
    packages+=(dpkg-dev debhelper dh-apparmor scdoc mmdebstrap appstream man-db rpm cpio
               zsh fish)
fi

missing=()
for pkg in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done
if ((${#missing[@]})); then
    echo "setup: installing system packages: ${missing[*]}"
    if [[ $(id -u) -eq 0 ]]; then sudo=(); else sudo=(sudo); fi
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# pasta opens /dev/net/tun as the user. Debian's udev makes it 0666; machines without
# udev (containers, minimal VMs) leave it 0600 and the network jail cannot start.
if [[ -c /dev/net/tun && ! -w /dev/net/tun || $(stat -c %a /dev/net/tun 2>/dev/null) != 666 ]]; then
    if [[ -c /dev/net/tun ]]; then
        echo "setup: making /dev/net/tun usable by users, as udev does on Debian"
        if [[ $(id -u) -eq 0 ]]; then chmod 0666 /dev/net/tun; else sudo chmod 0666 /dev/net/tun; fi
    fi
fi

# The client store's home out of the login's path (core/store_path.py): mountinfo shows a
# bind mount's host path, so a store under /home/LOGIN would name the user to the client.
# Root's, sticky, 1733: each user makes their own 0700 directory, none can list or remove
# another's. The .deb and .rpm make it the same way.
store_base=/var/lib/sandbox-launcher
if [[ ! -d $store_base || $(stat -c '%a %u' "$store_base") != "1733 0" ]]; then
    echo "setup: making $store_base (mode 1733) for the users' client stores"
    if [[ $(id -u) -eq 0 ]]; then sudo=(); else sudo=(sudo); fi
    "${sudo[@]}" install -d -o root -g root -m 1733 "$store_base"
fi

# Debian's python3 on purpose: a python elsewhere on PATH may be unreadable to other
# users, and the integration tests run the launcher as an unprivileged user.
python=/usr/bin/python3
stamp=.venv/.setup-stamp
want="$(sha256sum pyproject.toml | cut -d' ' -f1) $($python -c 'import sys; print(sys.version)')"
if [[ ! -x .venv/bin/python || ! -f $stamp || "$(cat "$stamp")" != "$want" ]]; then
    echo "setup: creating the virtual environment in .venv"
    rm -rf .venv
    $python -m venv .venv
    .venv/bin/pip install -q --upgrade pip
    .venv/bin/pip install -q -e '.[dev]'
    echo "$want" > "$stamp"
fi
# The venv must be usable by the unprivileged test user, whatever root's umask was.
chmod -R a+rX .venv
