#!/usr/bin/env bash
# Installs what looking at the report and the dashboard needs: Debian's Chromium (headless
# screenshots) and the Noto CJK fonts (Chinese text). Run as root, or with sudo available.
set -euo pipefail
if command -v chromium >/dev/null && fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then
  exit 0
fi
sudo_=""
[ "$(id -u)" -ne 0 ] && sudo_="sudo"
$sudo_ apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
