#!/usr/bin/env bash
# Installs what building, running and testing TokenFuse needs on Debian 12, and nothing when it is
# all there already. Uses sudo when not run as root.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  qt6-base-dev qt6-charts-dev libqt6opengl6-dev libgl-dev libqt6sql6-sqlite
  libhttp-parser-dev libbenchmark-dev
  qtkeychain-qt6-dev  # provider keys in the desktop keychain (app/KeychainSecretStore)
  sqlite3 nodejs npm xauth xvfb trayer openssl ca-certificates
  prometheus  # promtool and prometheus itself: the /metrics tests check a real scrape
  tinyproxy   # a real HTTP proxy for the upstream proxy tests (HTTPS_PROXY, CONNECT)
)
if [ "${1:-}" = "--bench" ]; then
  packages+=(wrk nginx-light)
fi

missing=()
for p in "${packages[@]}"; do
  # nodejs may come from another source than Debian's archive: a working node counts.
  if [ "$p" = nodejs ] && command -v node >/dev/null 2>&1; then continue; fi
  if [ "$p" = npm ] && command -v npm >/dev/null 2>&1; then continue; fi
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
echo "Installing: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
