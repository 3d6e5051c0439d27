#!/usr/bin/env bash
# The README's screenshots, as a person sees the app: Xvfb, a window manager (openbox),
# a tray host (trayer), the real app with a fresh config (a first run). Run as an ordinary
# user (the app never runs as root): scripts/screenshots.sh
set -euo pipefail
cd "$(dirname "$0")/.."
# What a first run of this script trips on, said before anything starts.
if [[ $(id -u) == 0 ]]; then
    echo "screenshots.sh: run it as an ordinary user (the app never runs as root)," \
        "e.g. runuser -u USER -- env HOME=/home/USER scripts/screenshots.sh" >&2
    exit 2
fi
missing=()
for tool in Xvfb:xvfb openbox:openbox trayer:trayer import:imagemagick; do
    command -v "${tool%%:*}" >/dev/null || missing+=("${tool#*:}")
done
if (( ${#missing[@]} )); then
    echo "screenshots.sh: missing packages: ${missing[*]} (sudo apt-get install" \
        "${missing[*]})" >&2
    exit 2
fi
if [[ ! -x .venv/bin/python ]]; then
    echo "screenshots.sh: no .venv here: run scripts/setup.sh first" >&2
    exit 2
fi
if [[ ! -w docs/screenshots ]] || ! find docs/screenshots -name '*.png' ! -writable \
        -exec false {} + ; then
    echo "screenshots.sh: docs/screenshots (and its .png files) must be writable by" \
        "$(id -un)" >&2
    exit 2
fi
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$work/display" 2>/dev/null &
for _ in $(seq 50); do [[ -s $work/display ]] && break; sleep 0.1; done
export DISPLAY=":$(head -1 "$work/display")" QT_QPA_PLATFORM=xcb
unset WAYLAND_DISPLAY
openbox >/dev/null 2>&1 &
trayer --edge top --align right --widthtype pixel --width 160 --heighttype pixel \
    --height 28 --tint 0xdddddd --transparent false --SetDockType true >/dev/null 2>&1 &
sleep 2
mkdir -p "$work/config" "$work/data"
XDG_CONFIG_HOME="$work/config" XDG_DATA_HOME="$work/data" \
    .venv/bin/python scripts/screenshots.py
