#!/bin/sh
# DAISY Ace, the EPUB accessibility checker, pinned by tools/ace/package-lock.json, with its
# puppeteer runner pointed at Debian's chromium: no browser is downloaded. Idempotent.
# Usage: sh tools/ace-setup.sh
set -e
here=$(cd "$(dirname "$0")/ace" && pwd)
if [ ! -x "$here/node_modules/.bin/ace-cli" ] || [ "$here/package-lock.json" -nt "$here/node_modules/.installed" ]; then
    (cd "$here" && PUPPETEER_SKIP_DOWNLOAD=true npm ci --no-audit --no-fund --loglevel=error)
    touch "$here/node_modules/.installed"
fi
