#!/usr/bin/env bash
# Install the system packages Stratus needs, when they are missing: the libraries Qt needs,
# and Debian's venv module for $PYTHON (Debian's Python 3 cannot `-m venv` without it, and
# `make` creates .venv and test-wheel's fresh environment with it).
# As root: apt-get installs them. Otherwise: print the exact command and fail.
# Usage: [PYTHON=python3] scripts/ensure-system-libs.sh [--display]
#        (--display adds what a real X11 window needs)
set -euo pipefail
python=${PYTHON:-python3}

packages=(libglib2.0-0 libgl1 libegl1 libx11-6 libdbus-1-3 libfontconfig1 libfreetype6
          libxkbcommon0 fonts-dejavu-core)
if [ "${1:-}" = "--display" ]; then
  packages+=(libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1
             libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xfixes0)
fi

# `-m venv` needs ensurepip, which Debian ships apart, as python3.X-venv.
if ! "$python" -c 'import ensurepip, venv' >/dev/null 2>&1; then
  packages+=("$("$python" -c 'import sys; print("python%d.%d-venv" % sys.version_info[:2])')")
fi

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "note: not a Debian-like system; make sure these are installed: ${packages[*]}" >&2
  exit 0
fi

missing=()
for pkg in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  echo "Installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "Stratus needs these system packages. Install them, then run make again:" >&2
  echo "  sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
