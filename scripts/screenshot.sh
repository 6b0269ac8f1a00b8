#!/usr/bin/env bash
# Screenshots of an HTML file at desktop and phone widths, with headless Chromium:
#   scripts/screenshot.sh report.html out-prefix   → out-prefix-desktop.png, out-prefix-phone.png
set -euo pipefail
page="$(realpath "$1")"; out="$2"
"$(dirname "$0")/install-browser.sh"
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
       --disable-background-networking --disable-component-update --disable-sync
       --hide-scrollbars --user-data-dir="$(mktemp -d)")
chromium "${flags[@]}" --window-size=1280,6000 --screenshot="$out-desktop.png" "file://$page" 2>/dev/null
chromium "${flags[@]}" --window-size=390,9000 --screenshot="$out-phone.png" "file://$page" 2>/dev/null
echo "$out-desktop.png $out-phone.png"
