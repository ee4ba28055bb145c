#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages Run Reel's tests and demo need, only when missing:
#   chromium                          the browser that drives VS Code and renders webviews in tests
#   ffmpeg                            video encoding (WebM) and probing
#   python3-numpy python3-pil python3-png   the real producers of the fixture and demo formats
#   libkrb5-dev libxkbfile-dev libsecret-1-dev pkg-config build-essential
#                                     native modules of code-server (the real VS Code used here)
set -euo pipefail
PACKAGES=(chromium ffmpeg python3-numpy python3-pil python3-png libkrb5-dev libxkbfile-dev libsecret-1-dev pkg-config build-essential)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup-system: all system packages present"
  exit 0
fi
if ! command -v apt-get >/dev/null; then
  echo "setup-system: missing ${missing[*]}; install them with your package manager" >&2
  exit 2
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup-system: need root (or sudo) to install ${missing[*]}" >&2; exit 2; }
  SUDO="sudo"
fi
echo "setup-system: installing ${missing[*]}"
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y "${missing[@]}"
