#!/usr/bin/env bash
# The README's screenshots, as a person sees the app: Xvfb, a window manager (openbox),
# a tray host (trayer), the real app with a fresh config (a first run). Run as an ordinary
# user (the app never runs as root): scripts/screenshots.sh
set -euo pipefail
cd "$(dirname "$0")/.."
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
