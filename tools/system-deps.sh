#!/bin/sh
# Installs the system packages the build and tests need, only when missing (Debian).
set -e
missing=""
command -v java >/dev/null 2>&1 || missing="$missing default-jre-headless"
ldconfig -p 2>/dev/null | grep -q 'libpango-1.0.so' || missing="$missing libpango-1.0-0 libpangoft2-1.0-0"
ldconfig -p 2>/dev/null | grep -q 'libharfbuzz-subset.so' || missing="$missing libharfbuzz-subset0"
# DAISY Ace checks the EPUB in Debian's Chromium (tools/ace-setup.sh installs Ace itself from npm)
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
command -v npm >/dev/null 2>&1 || missing="$missing npm"
# the tests convert the EPUBs to Kindle's AZW3 with Calibre's ebook-convert (tools/kindle-check.sh)
command -v ebook-convert >/dev/null 2>&1 || missing="$missing calibre"
# the tests open the review document (folio export docx) in LibreOffice and save it back
command -v soffice >/dev/null 2>&1 || missing="$missing libreoffice-writer-nogui"
# the tests read BibTeX's and BibLaTeX's example bibliographies (xampl.bib, biblatex-examples.bib)
[ -f /usr/share/texlive/texmf-dist/bibtex/bib/biblatex/biblatex/biblatex-examples.bib ] || missing="$missing texlive-bibtex-extra"
if [ -n "$missing" ]; then
  echo "installing system packages:$missing"
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=""; fi
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends $missing
fi
