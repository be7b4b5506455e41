#!/usr/bin/env bash
# Runs a console test on a real X server (Xvfb, from xvfb-run) with a real system tray (trayer)
# docked in it, so QSystemTrayIcon has a tray to sit in: `with-a-tray.sh TEST_BINARY [ARGS...]`.
set -euo pipefail
trayer --SetDockType true --transparent false --expand false --widthtype pixel --width 240 --height 24 >/dev/null 2>&1 &
tray=$!
trap 'kill $tray 2>/dev/null || true' EXIT
# The tray owns the _NET_SYSTEM_TRAY_S0 selection once it is up; the test waits for that itself.
QT_QPA_PLATFORM=xcb "$@"
