#!/usr/bin/env bash
# Renders every page of the console to PNG, light and dark, into docs/screenshots/ (or $1): a
# real gateway whose five providers are simulators (DeepSeek turning busy midway, OpenRouter taking
# over), a month of stored history, a minute of traffic from five agents (one looping until the
# detector trips it, one over its budget, one rate limited, one killed), the real window drawn
# offscreen, once in each palette. About three minutes.
#
#   bash tools/screenshots/render.sh [OUT_DIR]     # uses build/ (BUILD_DIR=... for another)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
OUT="${1:-$ROOT/docs/screenshots}"
cmake --build "$BUILD_DIR" --target console_screenshots
mkdir -p "$OUT"
for theme in light dark; do
    QT_QPA_PLATFORM=offscreen "$BUILD_DIR/tools/screenshots/console_screenshots" "$OUT" "$theme"
done
