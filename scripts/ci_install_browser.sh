#!/usr/bin/env bash
# Install Debian's Chromium and a CJK font (Noto Sans CJK) for the browser tests of the map
# (tests/test_viz_browser.py, driven by Playwright for Python with executable_path=/usr/bin/chromium;
# `playwright install` is never needed). Idempotent: does nothing when both are present. apt-get only.
set -euo pipefail

# grep reads all of fc-list (no -q): an early exit would SIGPIPE fc-list and fail under pipefail.
have_font() { fc-list : family 2>/dev/null | grep -i "Noto Sans CJK" >/dev/null; }

if [ -x /usr/bin/chromium ] && have_font; then
    echo "chromium and Noto CJK fonts already installed: $(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium)"
    exit 0
fi

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

$SUDO apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    chromium fonts-noto-cjk fontconfig

test -x /usr/bin/chromium
have_font
/usr/bin/chromium --version || true
