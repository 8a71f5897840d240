#!/bin/sh
# The benchmark's peers, installed for the benchmark only (not project dependencies):
# Debian's TeX Live with XeLaTeX (Pandoc -> LaTeX -> PDF) and Typst from PyPI (Pandoc -> Typst -> PDF).
# Idempotent: installs only what is missing. Usage: sh bench/setup-peers.sh
set -e
here=$(dirname "$0")
if ! command -v xelatex >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
        texlive-xetex texlive-latex-recommended texlive-fonts-recommended lmodern fonts-lmodern >/dev/null
fi
if [ ! -x "$here/.peers/bin/typst" ]; then
    python3 -m venv "$here/.peers"
    "$here/.peers/bin/pip" install --quiet --disable-pip-version-check -r "$here/peers-requirements.txt"
fi
echo "peers: $(xelatex --version | head -1); typst (PyPI) $("$here/.peers/bin/python" -c 'import importlib.metadata as m; print(m.version("typst"))')"
